"""IAM wildcard patterns (``*`` and ``?``) compiled once to regular expressions.

``*`` matches any run of characters (including none), ``?`` exactly one character.
Actions compare case-insensitively, ARNs and condition strings case-sensitively
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
"""

from __future__ import annotations

import re
from functools import lru_cache

Matcher = re.Pattern[str]


def glob_to_regex(pattern: str) -> str:
    """The regex source for an IAM glob (without anchors)."""
    parts: list[str] = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


@lru_cache(maxsize=4096)
def compile_glob(pattern: str, ignore_case: bool = False) -> Matcher:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_to_regex(pattern), flags)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return compile_glob(pattern, ignore_case).fullmatch(value) is not None


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern
