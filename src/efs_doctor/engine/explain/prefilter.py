"""A cheap pre-check before running a signature's regex on a message.

For each top-level alternative of a pattern we take its longest run of plain characters; a
message can only match if it contains (case-insensitively) one of these runs. Checking that
with ``in`` on the lower-cased message is far cheaper than a case-insensitive regex search,
and most lines of a ``kubectl describe pod`` output match no signature at all.
"""

from __future__ import annotations

MIN_RUN = 4
_SPECIAL = set(".^$*+?{}[]()|\\")
_QUANTIFIERS = set("*?{")
_ESCAPED_LITERALS = set(".^$*+?{}[]()|\\/-'\"#&~ :=,<>!@%")


def _branches(pattern: str) -> list[str] | None:
    """Split on top-level '|'; None when the pattern is not well-formed enough to trust."""
    branches: list[str] = []
    depth = 0
    in_class = False
    start = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    if depth != 0 or in_class:
        return None
    branches.append(pattern[start:])
    return branches


def _longest_run(branch: str) -> str:
    """The longest sequence of characters the branch must contain verbatim."""
    runs: list[str] = []
    current: list[str] = []
    index = 0
    depth = 0
    in_class = False

    def close() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    while index < len(branch):
        char = branch[index]
        following = branch[index + 1] if index + 1 < len(branch) else ""
        if char == "\\":
            escaped = following
            after = branch[index + 2] if index + 2 < len(branch) else ""
            if depth == 0 and not in_class and escaped in _ESCAPED_LITERALS:
                if after in _QUANTIFIERS or after == "+":
                    close()
                else:
                    current.append(escaped)
            else:
                close()
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            index += 1
            continue
        if char == "[":
            close()
            in_class = True
        elif char == "(":
            close()
            depth += 1
        elif char == ")":
            depth -= 1
            close()
        elif depth > 0:
            pass
        elif char == "{":
            # A counted repeat: the character before is not verbatim, nor is "{m,n}" itself.
            if current:
                current.pop()
            close()
            end = branch.find("}", index)
            index = len(branch) if end < 0 else end + 1
            continue
        elif char in _SPECIAL:
            if char in _QUANTIFIERS or char == "+":
                # The character before is optional or repeated: not part of a verbatim run.
                if current and char != "+":
                    current.pop()
                close()
            else:
                close()
        else:
            current.append(char)
        index += 1
    close()
    return max(runs, key=len, default="")


def required_runs(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings of which a match must contain one; None: no usable pre-check."""
    branches = _branches(pattern)
    if branches is None:
        return None
    runs = []
    for branch in branches:
        run = _longest_run(branch).lower()
        if len(run.strip()) < MIN_RUN:
            return None
        runs.append(run)
    return tuple(runs)
