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


def star_join(segments: list[str]) -> str:
    """Regex sources of the pieces between ``*`` joined into one that never backtracks
    catastrophically (to be used with ``fullmatch``).

    ``a.*b.*c`` costs exponential time in the number of stars on a value that does not
    match (``elasticfilesystem:Clien********...tMount`` hung a policy check). A glob matches
    if and only if it matches with every middle piece at its earliest occurrence, so each
    middle piece is searched lazily inside an atomic group that never gives back what it
    found (Python 3.11+): ``a(?>.*?b).*c``."""
    if len(segments) == 1:
        return segments[0]
    head, *middle, tail = segments
    return head + "".join(f"(?>.*?{piece})" for piece in middle if piece) + ".*" + tail


def glob_to_regex(pattern: str) -> str:
    """The regex source for an IAM glob (without anchors); see :func:`star_join`."""
    segments: list[str] = [""]
    for char in pattern:
        if char == "*":
            segments.append("")
        elif char == "?":
            segments[-1] += "."
        else:
            segments[-1] += re.escape(char)
    return star_join(segments)


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
