"""data/references.py: the public sources behind the efs-semantics.md sections, and the removal
of section citations from text users read."""

from __future__ import annotations

import pytest

from efs_doctor.data.references import (
    ALIASES,
    MENTION,
    SECTIONS,
    citations,
    references,
    section_url,
    without_citations,
)

NODE_GO = "https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/v3.4.1/pkg/driver/node.go"
NFS_IAM = "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html"


def test_every_source_is_a_public_https_url_with_a_title() -> None:
    for section, listed in SECTIONS.items():
        assert listed, section
        for reference in listed:
            assert reference.url.startswith("https://"), (section, reference)
            assert reference.title, (section, reference)
            assert not MENTION.search(reference.title), (section, reference)
            assert not MENTION.search(reference.url), (section, reference)


def test_every_alias_names_a_section_of_the_table() -> None:
    assert set(ALIASES.values()) <= set(SECTIONS)


def test_a_section_its_steps_and_rows_resolve() -> None:
    # §3.4 is NodePublishVolume's option building (aws-efs-csi-driver pkg/driver/node.go).
    assert section_url("3.4") == NODE_GO
    assert references("3.4 step 8") == references("3.4")
    # Row 31 of the error catalogue ("Found tls in mountOptions ...") is node.go's too.
    assert section_url("7 row 31") == NODE_GO
    # §9 Q3 (the access point error is not documented) rests on the access points pages.
    assert references("9 Q3") == references("9 question 3") == references("5")
    assert section_url("4.2") == NFS_IAM


@pytest.mark.parametrize("section", ["7 row 99", "11", "9 question 5", "2.99"])
def test_an_unknown_section_is_an_error_not_a_silent_default(section: str) -> None:
    with pytest.raises(KeyError):
        references(section)


def test_citations_lists_the_sections_a_text_cites() -> None:
    text = (
        "adds tls (efs-semantics.md §3.4 step 8), not iam (§4.2, §7 row 31; causes.md "
        "``iam-option-missing``) and §9 Q3"
    )
    assert citations(text) == ["3.4 step 8", "4.2", "7 row 31", "9 Q3"]


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("adds tls (efs-semantics.md §3.4), so", "adds tls, so"),
        ("the policy (IAM engine, §4.4).", "the policy (IAM engine)."),
        ("exclude (§8 point 4, §9 question 1).", "exclude."),
        ("removes (§3.8 [INF]).", "removes."),
        ("its cause id (causes.md) and", "its cause id and"),
        ("grants (causes.md ``x-y``).", "grants."),
        ("(causes.md ``read-only``; aws/efs-utils#82)", "(aws/efs-utils#82)"),
        ("(efs-semantics.md §10: admission, region, mount)", "(admission, region, mount)"),
        (
            'time (efs-semantics.md §1; the API reference: "created with, these")',
            'time (the API reference: "created with, these")',
        ),
        (
            "certificate efs-utils creates (efs-semantics.md\n§2.9), so",
            "certificate efs-utils creates, so",
        ),
        ("the role\n(§2.4). The", "the role. The"),
        ("a role (node role, IRSA) stays", "a role (node role, IRSA) stays"),
    ],
)
def test_without_citations_keeps_what_a_parenthesis_says(text: str, public: str) -> None:
    assert without_citations(text) == public
    assert not MENTION.search(without_citations(text))
