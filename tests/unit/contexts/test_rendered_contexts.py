"""Kustomize roots and Helm charts scanned as contexts of their own (issue 15): rendered
by the real renderers (the ``render`` extra, part of the dev install), patches and
templates never read as objects, a unit that cannot be rendered an incomplete scan."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import FIXTURES, run_efs_doctor

from efs_doctor.api import analyze, load_inventory, mount_chains
from efs_doctor.sources.render import RenderOptions, find_renderers
from efs_doctor.sources.render import renderers as render_renderers
from efs_doctor.sources.render import run as render_run

RENDER = FIXTURES / "render"
NO_CACHE = RenderOptions(cache_dir="")


def _needs(kind: str) -> None:
    found = find_renderers()
    if kind == "kustomize" and found.kustomize is None:
        pytest.skip("no kustomize renderer: pip install 'efs-doctor[render]'")
    if kind == "helm" and found.helm is None and not found.helm_library:
        pytest.skip("no Helm renderer: pip install 'efs-doctor[render]' (x86_64 Linux)")


@pytest.fixture
def overlays(tmp_path: Path) -> Path:
    """base + overlays/prod (a replicas-only patch) + overlays/dev (a volumes patch)."""
    root = tmp_path / "app"
    for part in ("base", "overlays"):
        shutil.copytree(RENDER / "kustomize" / part, root / part)
    return root


def test_each_overlay_is_a_context_and_a_patch_replaces_nothing(overlays: Path) -> None:
    _needs("kustomize")
    inventory = load_inventory([str(overlays)], render=NO_CACHE)
    names = sorted(view.context for view in inventory.views())
    assert names == [str(overlays / "overlays" / "dev"), str(overlays / "overlays" / "prod")]
    prod = next(v for v in inventory.views() if v.context.endswith("prod"))
    [deployment] = prod.workloads
    # the base Deployment with the overlay's namespace, the patch applied, not replacing it
    assert deployment.key == "prod/deployment/app"
    assert deployment.source.path == str(overlays / "base" / "deployment.yaml")
    [chain] = [c for c in mount_chains(prod) if c.workload is not None]
    assert chain.claim_key == "prod/efs-claim"
    # patch and kustomization files are never objects, and nothing is defined twice
    assert all(
        w.source.path is not None and "overlays" not in w.source.path
        for view in inventory.views()
        for w in view.workloads
    )
    assert not [p for p in inventory.problems if "more than once" in p.message]


def test_a_base_named_beside_its_overlay_is_scanned_through_it(overlays: Path) -> None:
    _needs("kustomize")
    inventory = load_inventory(
        [str(overlays / "overlays" / "prod"), str(overlays / "base")], render=NO_CACHE
    )
    assert [v.context for v in inventory.views()] == [str(overlays / "overlays" / "prod")]


def test_without_a_renderer_each_unit_is_one_line_and_the_scan_is_incomplete(
    overlays: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine has no kustomize: nothing of the unit is read as objects (no finding
    from a patch), one line per unit says what to install, the scan is inconclusive."""
    monkeypatch.setattr(render_run, "find_renderers", lambda: render_renderers.NONE)
    inventory = load_inventory([str(overlays)], render=NO_CACHE)
    assert inventory.object_count == 0
    lines = [str(p) for p in inventory.problems]
    assert len(lines) == 2
    assert all("efs-doctor[render]" in line for line in lines)
    report = analyze(inventory)
    assert sorted(i.object for i in report.inconclusive if i.code == "render") == sorted(
        str(overlays / "overlays" / name) for name in ("dev", "prod")
    )


def test_no_render_reads_the_files_as_they_are(overlays: Path) -> None:
    inventory = load_inventory([str(overlays)], render=RenderOptions(enabled=False))
    assert len(inventory.views()) == 1
    assert not inventory.unrendered


def test_a_chart_is_rendered_with_its_values_then_the_users(tmp_path: Path) -> None:
    _needs("helm")
    chart = RENDER / "helm" / "efs-app"
    default = load_inventory([str(chart)], render=NO_CACHE)
    [pv] = default.persistent_volumes.values()
    assert pv.source.path == str(chart / "templates" / "storage.yaml")
    values = RENDER / "helm" / "values-prod.yaml"
    prod = load_inventory(
        [str(chart)], render=RenderOptions(cache_dir="", helm_values=(str(values),))
    )
    [pv] = prod.persistent_volumes.values()
    assert pv.csi is not None
    assert pv.csi.volume_handle == "fs-0fedcba9876543210"
    assert default.context == prod.context == str(chart)


def test_scan_json_names_the_overlay(overlays: Path) -> None:
    _needs("kustomize")
    done = run_efs_doctor("scan", "--format", "json", str(overlays))
    assert done.returncode == 1, done.stderr  # no AWS state: inconclusive checks
    contexts = {i["context"] for i in json.loads(done.stdout)["inconclusive"]}
    assert contexts <= {str(overlays / "overlays" / n) for n in ("dev", "prod")}
    assert contexts


def test_rendered_output_on_stdin_still_works(overlays: Path) -> None:
    _needs("kustomize")
    kustomize = find_renderers().kustomize
    assert kustomize is not None
    rendered = subprocess.run(
        [*kustomize, str(overlays / "overlays" / "prod")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done = run_efs_doctor("inventory", "--format", "json", "-", stdin=rendered)
    chains = json.loads(done.stdout)["chains"]
    assert [c["pvc"] for c in chains if c["pod"]] == ["prod/efs-claim"]
    assert {c["context"] for c in chains} == {"-"}


def test_a_rendered_finding_names_the_overlay_and_its_fix_edits_the_base(tmp_path: Path) -> None:
    """The seed incident as a Kustomize base and a replicas-only overlay, with the AWS
    answers and the driver beside it: AUTH001 at the base PV, in the overlay's context, and
    its fix a patch of the base file (the overlay does not touch the PV)."""
    _needs("kustomize")
    seed = Path(__file__).resolve().parents[3] / "examples" / "seed-incident"
    base = tmp_path / "app" / "base"
    base.mkdir(parents=True)
    manifests = ("deployment.yaml", "pv-and-claim.yaml", "storageclass.yaml")
    for name in manifests:
        shutil.copy(seed / "k8s" / name, base / name)
    (base / "kustomization.yaml").write_text(
        "resources:\n" + "".join(f"- {m}\n" for m in manifests)
    )
    prod = tmp_path / "app" / "overlays" / "prod"
    prod.mkdir(parents=True)
    (prod / "kustomization.yaml").write_text("resources:\n- ../../base\npatches:\n- path: r.yaml\n")
    (prod / "r.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: web}\n"
        "spec: {replicas: 3}\n"
    )
    shutil.copytree(seed / "aws", tmp_path / "aws")
    for name in ("nodes.yaml", "efs-csi-driver.yaml", "efs-csi-serviceaccounts.yaml"):
        shutil.copy(seed / "k8s" / name, tmp_path / "aws" / name)
    done = run_efs_doctor("scan", "--format", "json", "app", "aws", cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"]
    [auth] = [f for f in findings if f["code"] == "AUTH001"]
    assert auth["context"] == "app/overlays/prod"
    assert auth["location"]["path"] == "app/base/pv-and-claim.yaml"
    assert {f["context"] for f in findings} == {"app/overlays/prod"}
    diff = run_efs_doctor("scan", "--diff", "app", "aws", cwd=tmp_path).stdout
    assert "+++ b/app/base/pv-and-claim.yaml" in diff
    assert "+    - iam" in diff


def _gitops(root: Path) -> Path:
    """An app overlay whose claim names a StorageClass defined once, in platform/storage."""
    storage = root / "platform" / "storage"
    storage.mkdir(parents=True)
    (storage / "kustomization.yaml").write_text("resources:\n- sc.yaml\n")
    (storage / "sc.yaml").write_text(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: efs-ap}\n"
        "provisioner: efs.csi.aws.com\n"
        "parameters: {provisioningMode: efs-ap, fileSystemId: fs-0123456789abcdef0}\n"
    )
    app = root / "apps" / "web"
    (app / "base").mkdir(parents=True)
    (app / "base" / "kustomization.yaml").write_text("resources:\n- claim.yaml\n")
    (app / "base" / "claim.yaml").write_text(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
        "spec: {accessModes: [ReadWriteMany], storageClassName: efs-ap,\n"
        "  resources: {requests: {storage: 5Gi}}}\n"
    )
    (app / "prod").mkdir()
    (app / "prod" / "kustomization.yaml").write_text("namespace: prod\nresources:\n- ../base\n")
    return root


def test_a_repository_s_storage_class_defined_once_is_seen_by_its_overlays(
    tmp_path: Path,
) -> None:
    """StorageClasses are cluster-scoped and a GitOps repository defines them once in a
    platform folder (issue 22's monorepo found 1 chain of 25 without this); two projects
    named as two arguments still share nothing."""
    _needs("kustomize")
    repo = _gitops(tmp_path / "repo")
    together = load_inventory([str(repo)], render=NO_CACHE)
    prod = next(v for v in together.views() if v.context.endswith("prod"))
    [chain] = mount_chains(prod)
    assert chain.planned is not None
    assert chain.file_system_id == "fs-0123456789abcdef0"
    apart = load_inventory([str(repo / "apps"), str(repo / "platform")], render=NO_CACHE)
    prod = next(v for v in apart.views() if v.context.endswith("prod"))
    assert mount_chains(prod) == []
