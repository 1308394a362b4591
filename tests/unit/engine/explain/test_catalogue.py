"""The shipped catalogue: its shape, coverage of causes.md, a real-shaped example per signature."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from efs_doctor.engine.explain import explain, load_catalogue
from efs_doctor.engine.explain.catalogue import CatalogueError, parse_catalogue

from .conftest import load_examples

CAUSES_MD = Path(__file__).resolve().parents[4] / "docs" / "causes.md"
CATALOGUE = load_catalogue()
EXAMPLES = load_examples()
CASES = [
    pytest.param(signature_id, example, id=f"{signature_id}-{index}")
    for signature_id, examples in EXAMPLES.items()
    for index, example in enumerate(examples)
]


def test_at_least_45_signatures() -> None:
    assert len(CATALOGUE.signatures) >= 45


def test_every_signature_has_an_example() -> None:
    missing = [s.id for s in CATALOGUE.signatures if not EXAMPLES.get(s.id)]
    assert missing == []


def test_no_example_for_an_unknown_signature() -> None:
    known = {s.id for s in CATALOGUE.signatures}
    assert sorted(set(EXAMPLES) - known) == []


def test_every_signature_cites_a_source() -> None:
    for signature in CATALOGUE.signatures:
        assert re.search(
            r"efs-semantics\.md|causes\.md|https://|aws/efs-utils|csi ", signature.source
        )


def test_every_cause_is_reachable_from_some_signature() -> None:
    reachable = {cause for s in CATALOGUE.signatures for cause in s.causes}
    assert sorted(set(CATALOGUE.causes) - reachable) == []


def test_every_id_of_causes_md_is_in_the_catalogue() -> None:
    ids = set(re.findall(r"^\| `([a-z0-9-]+)` \|", CAUSES_MD.read_text(), re.MULTILINE))
    assert ids, "causes.md table not found"
    assert sorted(ids - set(CATALOGUE.causes)) == []
    new = {c.id for c in CATALOGUE.causes.values() if c.new}
    assert sorted(set(CATALOGUE.causes) - ids - new) == [], "ids not in causes.md need new: true"


def test_every_cause_has_checks_and_a_fix() -> None:
    for cause in CATALOGUE.causes.values():
        assert cause.checks, cause.id
        assert cause.fix, cause.id
        assert cause.rules_out, cause.id
        assert cause.title, cause.id


@pytest.mark.parametrize(("signature_id", "example"), CASES)
def test_example_matches_and_ranks_its_cause_first(signature_id: str, example: Any) -> None:
    explanation = explain(example["text"])
    matched = {m.signature for e in explanation.errors for m in e.matches}
    noted = " ".join(explanation.notes)
    signature = CATALOGUE.signature(signature_id)
    assert signature_id in matched or (signature.note and signature.note in noted), (
        f"{signature_id} not found; matched {sorted(matched)}"
    )
    top = explanation.causes[0].id if explanation.causes else None
    assert top == example["top"], [(c.id, c.score) for c in explanation.causes[:4]]


def test_catalogue_rejects_unknown_cause() -> None:
    bad = {
        "causes": {},
        "signatures": [
            {
                "id": "x",
                "literal": "x",
                "origin": "o",
                "layer": "csi",
                "kind": "specific",
                "specificity": 0.5,
                "causes": {"nope": 0.5},
                "source": "s",
            }
        ],
        "generic_checks": [],
    }
    with pytest.raises(CatalogueError, match="unknown cause"):
        parse_catalogue(bad)


def test_catalogue_rejects_bad_regex() -> None:
    bad = {
        "causes": {},
        "signatures": [
            {
                "id": "x",
                "regex": "(",
                "origin": "o",
                "layer": "csi",
                "kind": "specific",
                "specificity": 0.5,
                "source": "s",
            }
        ],
        "generic_checks": [],
    }
    with pytest.raises(CatalogueError, match="bad pattern"):
        parse_catalogue(bad)


def test_fixes_tell_what_kubernetes_lets_change_on_a_pv() -> None:
    # A PV's spec.mountOptions may change after creation; the API server refuses updates only to
    # the volume source (spec.csi: volumeHandle, volumeAttributes), volumeMode and a nodeAffinity
    # already set (kubernetes/kubernetes pkg/apis/core/validation/validation.go,
    # ValidatePersistentVolumeUpdate).
    wrong = re.compile(r"mountOptions (are|is) immutable|PV specs are immutable", re.IGNORECASE)
    assert [c for c, info in CATALOGUE.causes.items() if wrong.search(info.fix)] == []
    for cause_id in ("iam-option-missing", "invalid-mount-option"):
        fix = CATALOGUE.causes[cause_id].fix
        assert "kubectl edit pv <pv>" in fix, cause_id
        assert "re-create the pod" in fix, cause_id  # the options apply at the next mount
    for cause_id in ("volume-handle-format", "volume-attributes-invalid"):
        assert "recreate the PV" in CATALOGUE.causes[cause_id].fix, cause_id
