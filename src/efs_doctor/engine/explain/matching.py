"""Find catalogue signatures in message blocks, including messages cut off with '...'."""

from __future__ import annotations

import re

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


def _matches_truncated(signature: Signature, tails: list[str]) -> bool:
    if signature.literal is None:
        return False
    literal = " ".join(signature.literal.lower().split())
    head = literal[:_MIN_TRUNCATED]
    for tail in tails:
        # The message was cut inside the literal: a suffix of the tail is a prefix of it.
        index = tail.find(head)
        while index >= 0:
            if literal.startswith(tail[index:].rstrip()):
                return True
            index = tail.find(head, index + 1)
    return False


def match_block(block: Block, catalogue: Catalogue, whole_text: str) -> list[Match]:
    """Every signature found in one message block."""
    flat = block.flat
    lower = flat.lower()
    maybe_truncated = "..." in flat
    found: list[Match] = []
    tails: list[str] | None = None
    for signature in catalogue.signatures:
        runs = signature.runs
        if runs is not None and not any(run in lower for run in runs):
            if not maybe_truncated or signature.literal is None:
                continue
            hit = None
        else:
            hit = signature.pattern.search(flat)
        truncated = False
        if hit is None:
            if signature.literal is None or not maybe_truncated:
                continue
            if tails is None:
                tails = _truncated_tails(flat)
            if not _matches_truncated(signature, tails):
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
