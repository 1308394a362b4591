"""docs/rules/ is generated from the rule docstrings; this fails when it drifts
(regenerate with ``make docs`` or ``python scripts/gen_rule_docs.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from efs_doctor.data.references import MENTION, citations, references, section_url
from efs_doctor.rules import REGISTRY, find_rule
from efs_doctor.rules.base import Rule, doc_sections
from efs_doctor.rules.docs import public_doc, rst_to_markdown, rule_markdown

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_rule_docs.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_rule_docs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_match_docstrings() -> None:
    assert _script().drift() == []


def test_rule_page_has_every_heading_and_a_code_block() -> None:
    page = rule_markdown(REGISTRY[0])
    for heading in ("## What it checks", "## Fix safety", "## References"):
        assert heading in page
    assert "```" in page


def test_literal_blocks_become_fences() -> None:
    text = "An example::\n\n    spec:\n      a: 1\n\nAfter ``x``."
    assert rst_to_markdown(text) == "An example:\n\n```\nspec:\n  a: 1\n```\n\nAfter `x`.\n"


@pytest.mark.parametrize("rule", REGISTRY, ids=[r.meta.code for r in REGISTRY])
def test_example_shows_the_failing_input_as_a_code_block(rule: Rule) -> None:
    # An Example is the input that fails, as the user would see it, not a sentence about it.
    example = rst_to_markdown(doc_sections(rule.doc).get("Example", ""))
    assert "\n```\n" in f"\n{example}", f"{rule.meta.code}: the Example section has no code block"


@pytest.mark.parametrize("rule", REGISTRY, ids=[r.meta.code for r in REGISTRY])
def test_every_literal_becomes_a_code_span(rule: Rule) -> None:
    outside_fences = rule_markdown(rule).split("```")[::2]
    assert not any("``" in part for part in outside_fences), f"{rule.meta.code}: ``x`` is left"


def test_a_literal_wrapped_onto_the_next_line_is_one_code_span() -> None:
    text = "fails with ``rpc error: code = DeadlineExceeded desc = context\ndeadline exceeded``."
    assert rst_to_markdown(text) == (
        "fails with `rpc error: code = DeadlineExceeded desc = context\ndeadline exceeded`.\n"
    )


def test_every_section_a_rule_cites_has_public_sources() -> None:
    """A docstring citing a section the table (data/references.py) does not know would
    leave users a reference to notes they do not have."""
    for rule in REGISTRY:
        for section in citations(rule.doc):
            assert references(section), (rule.code, section)


def test_user_docs_cite_public_sources_instead_of_the_notes() -> None:
    for rule in REGISTRY:
        page = public_doc(rule.doc)
        assert not MENTION.search(page), rule.code
        assert not MENTION.search(rule_markdown(rule)), rule.code
    # AUTH001 cites §3.4 (the driver never adds iam: node.go) beside its own AWS links; each
    # source is listed once.
    rule = find_rule("AUTH001")
    assert rule is not None
    page = rule_markdown(rule)
    references_part = page.split("## References", 1)[1]
    node_go = section_url("3.4")
    assert f"- aws-efs-csi-driver node.go (NodePublishVolume): {node_go}" in references_part
    nfs_iam = "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html"
    assert references_part.count(nfs_iam) == 1
    assert references_part.index(nfs_iam) < references_part.index(node_go)


def test_public_doc_drops_prose_citations_and_keeps_the_text() -> None:
    doc = (
        "Summary.\n\nWhy it breaks mounts\n--------------------\nThe driver adds ``tls``\n"
        "(efs-semantics.md §3.4; causes.md ``x``), never ``iam`` (IAM engine, §4.4).\n\n"
        "References\n----------\n- efs-semantics.md §3.4 (driver options), §4.2\n"
        "  (default policy); causes.md ``x``\n- https://example.org/page (kept)\n"
    )
    assert public_doc(doc) == (
        "Summary.\n\nWhy it breaks mounts\n--------------------\nThe driver adds ``tls``, "
        "never ``iam`` (IAM engine).\n\n"
        "References\n----------\n- https://example.org/page (kept)\n"
        f"- aws-efs-csi-driver node.go (NodePublishVolume): {section_url('3.4')}\n"
        f"- Amazon EFS User Guide: IAM to control file system data access: "
        f"{section_url('4.2')}"
    )
