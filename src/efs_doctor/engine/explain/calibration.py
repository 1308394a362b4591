"""Cause weights calibrated on confirmed reports: the hand weight of signatures.yaml is the prior,
the confirmed causes of the reports a message fired on are the data.

A signature's ``causes`` say how often its message has each cause. For a message that fired on
``n`` reports (or any message of its ``family``: messages ambiguous between the same causes),
the share of cause ``c`` is

    (strength * w_c / sum(w) + n_c) / (strength + n)

with ``w`` the hand weights (the prior, as ``strength`` pseudo-reports) and ``n_c`` the reports
whose confirmed cause is ``c``. Only the order and spacing of a signature's causes are fitted:
the shares are scaled so that its strongest cause keeps its hand weight, so how much a message
counts against other messages and facts stays as written. ``strength`` is chosen by leave-one-out
on the reports (benchmarks/explain_corpus.py --loo, scripts/fit_explain_weights.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from efs_doctor.engine.explain.catalogue import Catalogue, Signature

Pooling = Literal["signature", "family"]
# Weights are stored rounded; a cause the data all but rules out keeps this much.
_FLOOR = 0.01


@dataclass(frozen=True, slots=True)
class Observation:
    """One confirmed report: the signatures that decided its ranking, and its cause."""

    signatures: frozenset[str]
    cause: str


def _group(signature: Signature, pooling: Pooling) -> str:
    if pooling == "family" and signature.family is not None:
        return f"family:{signature.family}"
    return signature.id


def cause_counts(
    catalogue: Catalogue, observations: Iterable[Observation], pooling: Pooling
) -> dict[str, Counter[str]]:
    """Confirmed causes per signature (or family), each report counted once per group."""
    counts: dict[str, Counter[str]] = {}
    for observation in observations:
        groups = {
            _group(catalogue.signature(s), pooling)
            for s in observation.signatures
            if catalogue.signature(s).causes
        }
        for group in groups:
            counts.setdefault(group, Counter())[observation.cause] += 1
    return counts


def _blend(
    signature: Signature, counts: Mapping[str, int], strength: float, unlisted: bool
) -> dict[str, float]:
    prior = signature.causes
    # Unless ``unlisted``, a report whose cause the message does not list says nothing about
    # the order of the listed ones; with it, the report adds its cause to the message's.
    seen = {cause: n for cause, n in counts.items() if unlisted or cause in prior}
    total = sum(seen.values())
    mass = sum(prior.values())
    shares = {
        cause: (strength * prior.get(cause, 0.0) / mass + seen.get(cause, 0)) / (strength + total)
        for cause in {*prior, *seen}
    }
    top, best = max(prior.values()), max(shares.values())
    return {cause: round(max(_FLOOR, top * share / best), 3) for cause, share in shares.items()}


def fit_weights(
    catalogue: Catalogue,
    observations: Iterable[Observation],
    strength: float,
    pooling: Pooling = "family",
    unlisted: bool = False,
) -> dict[str, dict[str, float]]:
    """Calibrated ``causes`` for every signature with data; the others keep their hand weights
    (absent from the result)."""
    counts = cause_counts(catalogue, observations, pooling)
    fitted: dict[str, dict[str, float]] = {}
    for signature in catalogue.signatures:
        found = counts.get(_group(signature, pooling))
        if not signature.causes or found is None:
            continue
        if not unlisted and not set(found) & set(signature.causes):
            continue
        weights = _blend(signature, found, strength, unlisted)
        if weights != dict(signature.causes):
            fitted[signature.id] = weights
    return fitted
