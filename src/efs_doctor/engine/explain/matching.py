"""Find catalogue signatures in message blocks, including messages cut off with '...'."""

from __future__ import annotations

import re
from functools import cache

from efs_doctor.engine.explain.catalogue import Catalogue, Signature
from efs_doctor.engine.explain.intake import Block
from efs_doctor.engine.explain.model import Match

EXCERPT_CHARS = 160
# Shortest tail of a truncated message that may stand for the start of a literal signature.
_MIN_TRUNCATED = 18
_TRUNCATION = re.compile(
    r"(\S[^\n]{" + str(_MIN_TRUNCATED) + r",}?)(?:\.\.\.|\[truncated\]|<truncated>)"
)


def _excerpt(block: Block, start: int, end: int) -> str:
    """From the match to the end of the line it ends on, at most EXCERPT_CHARS."""
    line_end = next((e for e in block.line_ends if e >= end), len(block.flat))
    stop = min(line_end, start + max(EXCERPT_CHARS, end - start))
    text = block.flat[start:stop].strip()
    return text if stop >= line_end else text + "..."


_MARKERS = ("...", "[truncated]", "<truncated>")


def _truncated_tails(flat: str) -> list[str]:
    """Text right before each truncation marker ('access denied by serv...').

    The search stops at the end of the last marker: past it no match can end, and letting
    the lazy pattern try every later start position costs quadratic time (20 KB after a
    '...' took 2 s; a 2 MB paste would not finish)."""
    end = max((flat.rfind(marker) + len(marker) if marker in flat else -1) for marker in _MARKERS)
    if end < 0:
        return []
    return [m.group(1).lower()[-120:] for m in _TRUNCATION.finditer(flat, 0, end)]


def _kept(phrase: str) -> int:
    """How much of a phrase a cut-off message must keep: _MIN_TRUNCATED, or two thirds of a
    short phrase ('Read-only file ...' is still 'Read-only file system'), never under 12."""
    return min(_MIN_TRUNCATED, max(12, len(phrase) * 2 // 3))


def _matches_truncated(signature: Signature, tails: list[str]) -> bool:
    phrase = signature.phrase
    if phrase is None:
        return False
    head = phrase[: _kept(phrase)]
    for tail in tails:
        # The message was cut inside the phrase (a suffix of the tail is a prefix of it), or
        # after it, inside the variable words a pattern expects next ('Volume context property
        # az not su...').
        index = tail.find(head)
        while index >= 0:
            rest = tail[index:].rstrip()
            if phrase.startswith(rest) or rest.startswith(phrase):
                return True
            index = tail.find(head, index + 1)
    return False


def _line_tails(block: Block) -> list[str]:
    """The end of every line, lower case: where a message cut without a marker ends
    ('… desc = Failed to create Acce')."""
    tails = []
    start = 0
    for end in block.line_ends or (len(block.flat),):
        tails.append(block.flat[max(start, end - 120) : end].lower())
        start = end + 1
    return tails


@cache
def _headless(phrase: str) -> tuple[str, ...]:
    """The phrase without its first one or two words, as issue titles quote messages
    ('incorrect mount option was specified'), when enough of it is left to be specific."""
    words = phrase.split()
    found = []
    for drop in (1, 2):
        rest = " ".join(words[drop:])
        if len(words) - drop >= 3 and len(rest) >= _MIN_TRUNCATED:
            found.append(rest)
    return tuple(found)


def _matches_loosely(signature: Signature, single: str, tails: list[str]) -> bool:
    """The core phrase cut off at a line end, or quoted without its first words."""
    phrase = signature.phrase
    if phrase is None:
        return False
    if any(rest in single for rest in _headless(phrase)):
        return True
    return _matches_truncated(signature, tails)


def match_block(block: Block, catalogue: Catalogue, whole_text: str) -> list[Match]:
    """Every signature found in one message block; a message cut short ('...', or mid-word at a
    line end) or quoted without its first words matches its core phrase, as truncated."""
    flat = block.flat
    lower = flat.lower()
    single = " ".join(lower.split())
    found: list[Match] = []
    tails: list[str] | None = None
    for signature in catalogue.signatures:
        runs = signature.runs
        if runs is not None and not any(run in lower for run in runs):
            hit = None
        else:
            hit = signature.pattern.search(flat)
        truncated = False
        if hit is None:
            if signature.phrase is None:
                continue
            if tails is None:
                tails = _truncated_tails(flat) + _line_tails(block)
            if not _matches_loosely(signature, single, tails):
                continue
            truncated = True
        if signature.unless is not None and signature.unless.search(flat):
            continue
        if signature.requires is not None and not signature.requires.search(whole_text):
            continue
        if hit is not None:
            excerpt = _excerpt(block, hit.start(), hit.end())
            line = block.line_of(hit.start())
        else:
            excerpt = flat[-EXCERPT_CHARS:].strip()
            line = block.line_numbers[-1] if block.line_numbers else block.start_line
        found.append(Match(signature.id, excerpt, truncated, line))
    return found
