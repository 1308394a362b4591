"""Files told from their lines to hold only kinds the loader drops are not parsed (issue 22):
the evidence never takes a file holding anything the loader reads for a droppable one, on
inputs nobody here wrote, and what is no longer reported is only about such files."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.model.problems import InputProblem
from efs_doctor.sources.documents import parse_yaml, skipped_whole
from efs_doctor.sources.manifests import ignored_kind, is_kubernetes
from efs_doctor.sources.render import RenderOptions

SKIPPED = {
    "one Service": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
    "quoted, commented, CRLF": "apiVersion: 'v1'\r\nkind: \"Service\"  # web\r\n",
    "several documents, an empty one": (
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# nothing\n---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n"
        "- apiGroups: ['']\n  resources: [pods]\n...\n"
    ),
    "an Argo CD Application": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n"
        "spec:\n  source:\n    helm:\n      valueFiles:\n      - values.yaml\n"
    ),
    "empty": "",
}

PARSED = {
    "a modelled kind": "apiVersion: v1\nkind: PersistentVolume\n",
    "one modelled kind among dropped ones": (
        "apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n"
    ),
    "a List": "apiVersion: v1\nkind: ServiceList\nitems: []\n",
    "eksctl": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n",
    "no kind (a Helm values file)": "replicaCount: 2\nimage: {tag: '1'}\n",
    "no apiVersion": "kind: Service\nname: x\n",
    "two kinds": "apiVersion: v1\nkind: Service\nkind: PersistentVolume\n",
    "a quoted key": 'apiVersion: v1\n"kind": Service\n',
    "a kind over two lines": "apiVersion: v1\nkind:\n  Service\n",
    "a kind with a comment glued on": "apiVersion: v1\nkind: Service#x\n",
    "a merge key": "apiVersion: v1\nkind: Service\n<<: {kind: PersistentVolume}\n",
    "a complex key": "apiVersion: v1\nkind: Service\n? kind\n: PersistentVolume\n",
    "a root not at column 0": "  apiVersion: v1\n  kind: PersistentVolume\n",
    "a tag on the marker": "--- !!map\napiVersion: v1\nkind: Service\n",
    "a block scalar root": "--- |\napiVersion: v1\nkind: Service\n",
    "a directive": "%YAML 1.1\n---\napiVersion: v1\nkind: Service\n",
    "a flow mapping over lines": "apiVersion: v1\nmetadata: {name: a,\nkind: Service}\n",
    "a quoted scalar hiding a kind line": (
        'apiVersion: v1\nkind: PersistentVolume\nnote: "a\nkind: Service"\n'
    ),
}


@pytest.mark.parametrize("name", SKIPPED)
def test_told_from_the_lines(name: str) -> None:
    text = SKIPPED[name]
    assert skipped_whole(text, ignored_kind)
    assert _droppable(text)  # what a full parse finds agrees


@pytest.mark.parametrize("name", PARSED)
def test_not_told_from_the_lines(name: str) -> None:
    assert not skipped_whole(PARSED[name], ignored_kind)


def _droppable(text: str) -> bool:
    """Whether a full parse finds only objects of dropped kinds (or nothing)."""
    problems: list[InputProblem] = []
    found = [d.data for d in parse_yaml("f.yaml", text, problems)]
    # an empty document is None, which the loader passes over
    return all(
        data is None or (is_kubernetes(data) and ignored_kind(data["kind"])) for data in found
    )


def test_never_a_file_the_loader_reads_on_inputs_nobody_here_wrote(
    yaml_texts_nobody_here_wrote: list[tuple[Path, str]],
) -> None:
    """Every YAML file of the examples, the fixtures, the driver's examples and the
    real-world corpus: a file told droppable holds nothing else."""
    told = 0
    for path, text in yaml_texts_nobody_here_wrote:
        if skipped_whole(text, ignored_kind):
            told += 1
            assert _droppable(text), path
    assert told >= 10  # the test sees such files


BROKEN = {
    "duplicate key": "metadata: {name: a}\nmetadata: {name: b}\n",
    "bad date": "metadata: {created: 2024-02-30}\n",
    "python tag": "data: !!python/tuple [1]\n",
    "unclosed flow": "metadata: {name: a\n",
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_file_of_dropped_kinds_is_no_longer_reported(name: str, tmp_path: Path) -> None:
    """The behaviour change: nothing of such a file is used, and it is not parsed, so its
    YAML errors, duplicate keys and unreadable values are not reported. The same document
    in a file with a modelled kind is (test_yaml_fast_path: the skipped kinds report)."""
    service = "apiVersion: v1\nkind: Service\n" + BROKEN[name]
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\n" + BROKEN[name]
    (tmp_path / "service.yaml").write_text(service)
    (tmp_path / "claim.yaml").write_text(claim)
    inventory = load_inventory([str(tmp_path)], render=RenderOptions(enabled=False))
    where = {str(p.location.path).rsplit("/", 1)[-1] for p in inventory.problems}
    assert "claim.yaml" in where
    assert "service.yaml" not in where
    assert sorted(Path(f).name for f in inventory.files) == ["claim.yaml", "service.yaml"]
