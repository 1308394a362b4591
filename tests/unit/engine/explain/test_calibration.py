"""Cause weights calibrated on confirmed reports (calibration.py), their leave-one-out
(benchmarks/explain_corpus.py --loo, --sweep) and the generated signature_weights.yaml."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType

import pytest
import yaml

from efs_doctor import data
from efs_doctor.engine.explain import explain
from efs_doctor.engine.explain.calibration import Observation, cause_counts, fit_weights
from efs_doctor.engine.explain.catalogue import (
    CatalogueError,
    fitted_weights,
    hand_catalogue,
    load_catalogue,
    shipped_catalogue,
    using_catalogue,
    with_weights,
)

HAND = hand_catalogue()
RESOLVE = "efsutils-failed-to-resolve"  # no-mount-target-in-az 0.6 ... vpc-dns-disabled 0.4
# efs-utils' message for a name that does not resolve (efs-semantics.md §2.7, §7 row 12)
RESOLVE_TEXT = (
    'Failed to resolve "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com" - check that your '
    "file system ID is correct, and ensure that the VPC has an EFS mount target for this file "
    "system ID."
)


def _seen(cause: str, *signatures: str, times: int = 1) -> list[Observation]:
    return [Observation(frozenset(signatures), cause)] * times


def test_no_reports_fit_nothing() -> None:
    assert fit_weights(HAND, [], strength=4.0) == {}


def test_reports_reorder_a_messages_causes_and_its_strongest_keeps_its_hand_weight() -> None:
    hand = HAND.signature(RESOLVE).causes
    fitted = fit_weights(HAND, _seen("vpc-dns-disabled", RESOLVE, times=6), 2.0, "signature")
    weights = fitted[RESOLVE]
    assert max(weights, key=lambda c: weights[c]) == "vpc-dns-disabled"
    assert max(weights.values()) == max(hand.values())
    assert set(weights) == set(hand)


def test_a_strong_prior_keeps_the_hand_order() -> None:
    hand = HAND.signature(RESOLVE).causes
    fitted = fit_weights(HAND, _seen("vpc-dns-disabled", RESOLVE), 64.0, "signature")[RESOLVE]
    assert sorted(fitted, key=lambda c: -fitted[c])[0] == "no-mount-target-in-az"
    assert fitted["vpc-dns-disabled"] > hand["vpc-dns-disabled"] * 0.99


def test_a_cause_the_message_does_not_list_says_nothing_about_it() -> None:
    assert fit_weights(HAND, _seen("fargate-unsupported", RESOLVE, times=5), 1.0) == {}


def test_reports_may_add_an_unlisted_cause_only_when_asked() -> None:
    seen = _seen("fargate-unsupported", RESOLVE, times=5)
    fitted = fit_weights(HAND, seen, 1.0, "signature", unlisted=True)[RESOLVE]
    assert max(fitted, key=lambda c: fitted[c]) == "fargate-unsupported"
    assert set(fitted) == {*HAND.signature(RESOLVE).causes, "fargate-unsupported"}


def test_a_family_counts_a_report_once_and_for_every_member() -> None:
    both = _seen("vpc-dns-disabled", RESOLVE, "nfs-failed-to-resolve-server")
    counts = cause_counts(HAND, both, "family")
    assert counts == {"family:failed-to-resolve": {"vpc-dns-disabled": 1}}
    fitted = fit_weights(HAND, _seen("vpc-dns-disabled", RESOLVE, times=6), 2.0, "family")
    assert "nfs-failed-to-resolve-server" in fitted  # its sibling's reports count for it
    assert "nfs-failed-to-resolve-server" not in fit_weights(
        HAND, _seen("vpc-dns-disabled", RESOLVE, times=6), 2.0, "signature"
    )


def test_explain_ranks_with_the_catalogue_in_use() -> None:
    boosted = with_weights(HAND, {RESOLVE: {"vpc-dns-disabled": 0.9, "no-mount-target-in-az": 0.2}})
    with using_catalogue(boosted):
        assert explain(RESOLVE_TEXT).causes[0].id == "vpc-dns-disabled"
    assert load_catalogue() is shipped_catalogue()
    assert explain(RESOLVE_TEXT).causes[0].id == "no-mount-target-in-az"


@pytest.mark.parametrize(
    "weights",
    [{RESOLVE: {"no-such-cause": 0.5}}, {RESOLVE: {"vpc-dns-disabled": 1.5}}],
)
def test_weights_of_unknown_causes_or_outside_zero_one_are_refused(
    weights: dict[str, dict[str, float]],
) -> None:
    with pytest.raises(CatalogueError):
        with_weights(HAND, weights)


def test_the_shipped_catalogue_is_signatures_yaml_with_the_generated_weights() -> None:
    generated = fitted_weights(yaml.safe_load(data.read_text("signature_weights.yaml")))
    shipped = shipped_catalogue()
    for signature in shipped.signatures:
        expected = generated.get(signature.id, HAND.signature(signature.id).causes)
        assert dict(signature.causes) == dict(expected), signature.id


def test_the_generated_weights_are_what_leave_one_out_chose(explain_corpus: ModuleType) -> None:
    # scripts/fit_explain_weights.py keeps a fit only when its leave-one-out top-1 on the
    # tuning half beats the hand weights'; rerun it when the corpus or the signatures change.
    refit = explain_corpus.Refit([c for c in explain_corpus.load_cases() if c.half == "tune"])
    fit = refit.choose()
    top1 = explain_corpus.Score("tune", refit.loo(fit)).top1
    hand = explain_corpus.Score("tune", refit.loo(explain_corpus.Fit(None))).top1
    expected = refit.weights(fit, ()) if top1 > hand else {}
    generated = fitted_weights(yaml.safe_load(data.read_text("signature_weights.yaml")))
    assert generated == expected


def test_leave_one_out_never_fits_on_the_case_it_ranks(explain_corpus: ModuleType) -> None:
    refit = explain_corpus.Refit([c for c in explain_corpus.load_cases() if c.half == "tune"])
    held = next(slug for slug, o in refit.observations.items() if RESOLVE in o.signatures)
    fit = explain_corpus.Fit(1.0, "family")
    before = refit.weights(fit, (held,))
    refit.observations[held] = replace(refit.observations[held], cause="file-system-not-found")
    assert refit.weights(fit, (held,)) == before
    assert refit.weights(fit, ()) != refit.weights(explain_corpus.Fit(1.0, "family"), (held,))


def test_no_ranking_constant_wins_cases_in_leave_one_out(explain_corpus: ModuleType) -> None:
    # The constants of adjust.py / ranking.py are kept while no other value of the sweep ranks
    # more tuning cases first in nested leave-one-out than the current one.
    tune = [c for c in explain_corpus.load_cases() if c.half == "tune"]
    for name, values in explain_corpus.PARAMETERS.items():
        current = explain_corpus.Score("tune", explain_corpus._with_constant(name, values[0], tune))
        nested = explain_corpus.nested_choice(name, values, tune)
        assert nested.top1 <= current.top1, name
