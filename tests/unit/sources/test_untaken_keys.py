"""Documents told from their lines to hold only keys no reader looks at are not parsed
(issue 22: the Helm values files of a GitOps monorepo). Each reader names its own keys
(sources/taken.py); the evidence is skipped_whole's, so anything unusual is parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.sources.aws_snapshot import RECOGNISERS
from efs_doctor.sources.documents import parse_yaml, skipped_whole
from efs_doctor.sources.loader import add_document
from efs_doctor.sources.manifests import ignored_kind
from efs_doctor.sources.render import RenderOptions
from efs_doctor.sources.taken import TAKEN_KEYS, untaken_key

SKIPPED = {
    "a values file": "replicaCount: 2\nimage:\n  repository: nginx\n  tag: '1.25'\n",
    "values with a list and a comment": "# values\ningress:\n  hosts:\n  - a\nextra:\n- x\n",
    "values beside a dropped object": (
        "podLabels: {}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
    ),
}

PARSED = {
    "an AWS CLI answer as YAML": "FileSystems:\n- FileSystemId: fs-12345678\n",
    "a policy as YAML": "Version: '2012-10-17'\nStatement:\n- Effect: Allow\n",
    "a CloudFormation template": "Resources:\n  Fs:\n    Type: AWS::EFS::FileSystem\n",
    "a Terraform plan as YAML": "format_version: '1.2'\nplanned_values: {}\n",
    "a kind without apiVersion": "kind: PersistentVolume\nspec: {}\n",
    "an apiVersion without kind": "apiVersion: v1\nspec: {}\n",
    "values beside a modelled object": (
        "podLabels: {}\n---\napiVersion: v1\nkind: PersistentVolume\n"
    ),
    "a quoted key": '"replicaCount": 2\n',
    "a key with a space": "replica count: 2\n",
    "a root sequence": "- a\n- b\n",
    "a scalar": "just text\n",
}


@pytest.mark.parametrize("name", SKIPPED)
def test_told_from_the_lines(name: str) -> None:
    assert skipped_whole(SKIPPED[name], ignored_kind, untaken_key)
    assert _nothing_taken(SKIPPED[name])
    # without the keys' evidence a values file is parsed, as before
    assert not skipped_whole(SKIPPED[name], ignored_kind) or "kind:" not in SKIPPED[name]


@pytest.mark.parametrize("name", PARSED)
def test_not_told_from_the_lines(name: str) -> None:
    assert not skipped_whole(PARSED[name], ignored_kind, untaken_key)


def test_every_aws_answer_has_a_key_it_is_known_by() -> None:
    for recogniser in RECOGNISERS:
        assert recogniser.keys
        assert set(recogniser.keys) <= TAKEN_KEYS, recogniser.what


def _nothing_taken(text: str, path: str = "f.yaml") -> bool:
    """Whether the loader, given every document of ``text`` parsed in full, takes nothing
    from it (no object, no AWS answer, no policy, no IaC input; debug lines only)."""
    inventory = Inventory()
    problems: list[InputProblem] = []
    for document in parse_yaml(path, text, problems):
        add_document(document, text, inventory)
    found = [p for p in inventory.problems if p.level is not ProblemLevel.DEBUG]
    inventory.problems = []
    return not found and inventory == Inventory()  # every other field as it was


def test_never_a_file_a_reader_takes_on_inputs_nobody_here_wrote(
    yaml_texts_nobody_here_wrote: list[tuple[Path, str]],
) -> None:
    """Every YAML file of the examples, fixtures, the driver's examples and the real-world
    corpus (Helm values files among them): one told skippable gives the loader nothing."""
    told = 0
    for path, text in yaml_texts_nobody_here_wrote:
        if skipped_whole(text, ignored_kind, untaken_key) and not skipped_whole(text, ignored_kind):
            told += 1
            assert _nothing_taken(text, str(path)), path
    assert told >= 5  # the test sees values files


def test_a_values_file_is_listed_as_read_and_gives_nothing(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text(SKIPPED["a values file"] + "broken: [\n")
    inventory = load_inventory([str(tmp_path)], render=RenderOptions(enabled=False))
    assert [Path(f).name for f in inventory.files] == ["values.yaml"]
    # a YAML error in a file no reader takes is no longer reported (nothing of it is used)
    assert [p for p in inventory.problems if p.level is not ProblemLevel.DEBUG] == []
