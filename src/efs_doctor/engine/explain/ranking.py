"""Scores for causes: signatures (noisy-or), facts (odds factors), context signals (tiers).

Text alone never proves a cause (several causes print the same message), so a text-only score
is capped at ``TEXT_CAP``. A context signal that confirms a cause lifts it above every cause
without one (``CONFIRMED_FLOOR``); one that rules a cause out drops it below all others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from efs_doctor.engine.explain.adjust import Adjustment
from efs_doctor.engine.explain.catalogue import Catalogue
from efs_doctor.engine.explain.model import (
    CauseStatus,
    Check,
    ContextSignal,
    Evidence,
    Facts,
    Match,
    RankedCause,
)
from efs_doctor.engine.explain.placeholders import fill

TEXT_CAP = 0.85
# A cause that only a fact brought in (no message names it) stays below every cause a specific
# message names, and never above this.
BROUGHT_CAP = 0.6
RAISED_CAP = 0.89
CONFIRMED_FLOOR = 0.9
CONFIRMED_CAP = 0.99  # context read from files can be stale; never claim certainty
TRUNCATED_FACTOR = 0.8
LIKELY = 0.5
_TIER: dict[CauseStatus, int] = {"confirmed": 3, "likely": 2, "possible": 2, "ruled_out": 1}


@dataclass(slots=True)
class _Candidate:
    miss: float = 1.0  # product of (1 - p) over the signatures pointing here
    odds_factor: float = 1.0
    evidence: list[Evidence] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    confirmed: bool = False
    ruled_out: bool = False
    raised: bool = False
    brought: bool = False  # no message names it; a decisive fact brought it in


@dataclass(frozen=True, slots=True)
class Located:
    """A match and where in the text it was found (``line N``)."""

    match: Match
    location: str


def _text_score(candidate: _Candidate) -> float:
    base = 1.0 - candidate.miss
    if base <= 0.0:
        return 0.0
    if base >= 1.0:
        return TEXT_CAP
    odds = base / (1.0 - base) * candidate.odds_factor
    return min(TEXT_CAP, odds / (1.0 + odds))


def _odds(cap: float, miss: float) -> float:
    """The odds factor that puts a candidate with this ``miss`` at ``cap``."""
    base = 1.0 - miss
    if base <= 0.0 or cap <= 0.0:
        return 0.0
    return (cap / (1.0 - cap)) / (base / (1.0 - base))


def _final(candidate: _Candidate) -> tuple[float, CauseStatus]:
    score = _text_score(candidate)
    if candidate.confirmed and not candidate.ruled_out:
        return CONFIRMED_FLOOR + (CONFIRMED_CAP - CONFIRMED_FLOOR) * score / TEXT_CAP, "confirmed"
    if candidate.ruled_out and not candidate.confirmed:
        return score * 0.1, "ruled_out"
    if candidate.raised:
        odds = max(score, 0.05) / (1.0 - max(score, 0.05)) * 3.0
        score = min(RAISED_CAP, odds / (1.0 + odds))
    return score, "likely" if score >= LIKELY else "possible"


def rank(
    located: Sequence[Located],
    adjustments: Iterable[Adjustment],
    signals: Iterable[ContextSignal],
    facts: Facts,
    catalogue: Catalogue,
) -> tuple[RankedCause, ...]:
    """Causes best first. ``located`` must already exclude wrappers when specifics exist."""
    candidates: dict[str, _Candidate] = {}
    for item in located:
        signature = catalogue.signature(item.match.signature)
        for cause_id, weight in signature.causes.items():
            probability = weight * signature.specificity
            if item.match.truncated:
                probability *= TRUNCATED_FACTOR
            candidate = candidates.setdefault(cause_id, _Candidate())
            candidate.miss *= 1.0 - probability
            if signature.id not in candidate.signatures:
                candidate.signatures.append(signature.id)
                candidate.evidence.append(
                    Evidence(
                        "signature", f"{signature.origin}: «{item.match.excerpt}»", item.location
                    )
                )
    for adjustment in adjustments:
        found = candidates.get(adjustment.cause)
        if found is None:
            if adjustment.brings <= 0.0 or adjustment.cause not in catalogue.causes:
                continue
            found = candidates[adjustment.cause] = _Candidate(
                miss=1.0 - adjustment.brings, brought=True
            )
        elif adjustment.layers and not any(
            catalogue.signature(s).layer in adjustment.layers for s in found.signatures
        ):
            continue
        candidate = found
        candidate.odds_factor *= adjustment.factor
        text = ("↑ " if adjustment.factor > 1 else "↓ ") + adjustment.reason
        if all(item.text != text for item in candidate.evidence):
            candidate.evidence.append(Evidence("fact", text))
    text_candidates = set(candidates)
    for signal in signals:
        if signal.cause not in catalogue.causes:
            continue
        # Context judges the causes the text points to; it adds new ones only to a text that
        # points nowhere (a cause that cannot print this message is not its explanation).
        if signal.cause not in text_candidates and (text_candidates or signal.effect != "confirms"):
            continue
        candidate = candidates.setdefault(signal.cause, _Candidate())
        if signal.effect == "confirms":
            candidate.confirmed = True
        elif signal.effect == "rules_out":
            candidate.ruled_out = True
        else:
            candidate.raised = True
        marker = {"confirms": "✔", "rules_out": "✘", "raises": "↑"}[signal.effect]
        candidate.evidence.append(
            Evidence("context", f"{marker} {signal.evidence} [{signal.origin}]", signal.location)
        )
    named = [
        _text_score(candidate)
        for candidate in candidates.values()
        if not candidate.brought
        and any(catalogue.signature(s).kind == "specific" for s in candidate.signatures)
    ]
    # The message is the stronger evidence: a fact does not outrank what the message names.
    brought_cap = min(BROUGHT_CAP, min(named) - 0.01) if named else BROUGHT_CAP
    ranked: list[RankedCause] = []
    for cause_id, candidate in candidates.items():
        info = catalogue.causes[cause_id]
        if candidate.brought and not candidate.signatures:
            candidate.odds_factor = min(candidate.odds_factor, _odds(brought_cap, candidate.miss))
        score, status = _final(candidate)
        ranked.append(
            RankedCause(
                id=cause_id,
                title=info.title,
                score=round(score, 3),
                status=status,
                evidence=tuple(candidate.evidence),
                rules_out=info.rules_out,
                checks=tuple(Check(fill(c.command, facts), c.look_for) for c in info.checks),
                fix=info.fix,
                signatures=tuple(candidate.signatures),
            )
        )
    ranked.sort(key=lambda cause: (-_TIER[cause.status], -cause.score, cause.id))
    return tuple(ranked)
