"""The shortcuts that keep planning a monorepo cheap (issue 22) give the answers of the
slow ways they replace: the relevance prefilter, stat'ing each path once, and reading a
kustomization without positions."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from efs_doctor.model.problems import InputProblem
from efs_doctor.sources.documents import parse_yaml
from efs_doctor.sources.render.kustomization import PathKinds, read_kustomization
from efs_doctor.sources.render.relevance import _STORAGE, storage_related, touches_volumes

TEXTS = [
    "kind: Service\nspec:\n  ports: [{port: 80}]\n",
    "kind: PersistentVolumeClaim\n",
    "kind: PersistentVolumeClaimTemplate\n",  # a word the pattern's \b refuses
    "  - name: data\n    nfs:\n      server: fs.example\n",
    "  'nfs' : {}\n",
    "nfsstat: 3\n",  # holds "nfs" but is no nfs volume
    "image: example/nfs-ganesha\n",
    "provisioner: efs.csi.aws.com\n",
    "serviceAccountName: efs-csi-controller-sa\n",
    "volumeClaimTemplates: []\n",
    "claimNames: [a]\n",
    "claimName: data\n",
    "myStorageClass: x\n",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_relevance_prefilter_answers_as_the_pattern(text: str) -> None:
    assert storage_related(text) == (_STORAGE.search(text) is not None)
    assert touches_volumes(text) == (re.search(r"\bvolumes\b", text) is not None)


def test_volumes_must_be_a_word() -> None:
    assert touches_volumes("spec:\n  volumes: []\n")
    assert not touches_volumes("spec:\n  extraVolumes: []\n  volumesFrom: x\n")


def test_path_kinds_answer_as_os_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    (tmp_path / "broken").symlink_to(tmp_path / "missing")
    (tmp_path / "link").symlink_to(tmp_path / "dir")
    os.mkfifo(tmp_path / "fifo")
    kinds = PathKinds()
    for name in ("file", "dir", "broken", "link", "fifo", "missing", "file/below"):
        path = str(tmp_path / name)
        for _ in range(2):  # the second answer comes from memory
            assert kinds.exists(path) == os.path.exists(path), name
            assert kinds.isfile(path) == os.path.isfile(path), name
            assert kinds.isdir(path) == os.path.isdir(path), name
    assert not kinds.exists("bad\0path")


TEXT = """\
resources:
  - ../base
  - deployment.yaml
patches:
  - path: replicas.yaml
labels:
  - pairs: {app: web}
namespace: web
"""


@pytest.mark.parametrize(
    "text",
    [TEXT, TEXT + "namespace: again\n", "a: &x 1\nb: *x\n", "a: [1\n", "when: 2024-02-30\n"],
)
def test_without_positions_the_values_and_problems_are_the_same(text: str) -> None:
    with_positions: list[InputProblem] = []
    without: list[InputProblem] = []
    full = [d.data for d in parse_yaml("k.yaml", text, with_positions)]
    bare = list(parse_yaml("k.yaml", text, without, positions=False))
    assert [d.data for d in bare] == full
    assert without == with_positions
    if text == TEXT:  # the ordinary document: no positions built at all
        assert not bare[0].source.marks


def test_a_kustomization_reads_the_same_with_a_shared_path_memory(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (base / "deployment.yaml").write_text("kind: Deployment\n")
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "replicas.yaml").write_text("kind: Deployment\n")
    (overlay / "kustomization.yaml").write_text(TEXT.replace("deployment.yaml", "gone.yaml"))
    shared = PathKinds()
    for path in (overlay / "kustomization.yaml", base / "kustomization.yaml"):
        alone = read_kustomization(str(path), [])
        assert read_kustomization(str(path), [], shared) == alone
    overlay_read = read_kustomization(str(overlay / "kustomization.yaml"), [], shared)
    assert overlay_read.bases == (str(base),)
    assert overlay_read.patches == (str(overlay / "replicas.yaml"),)
