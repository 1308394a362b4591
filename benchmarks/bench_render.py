"""Rendering a GitOps monorepo of ~900 kustomizations (issue 15, item 7).

The tree is generated: ``apps/<team>/<app>/base`` (a Deployment, Service and ConfigMap)
with ``overlays/{dev,staging,prod}`` (a namespace and a replicas-only patch); one app in
``--efs-every`` mounts an EFS claim (its base holds the claim, and prod patches the
volumes), and ``platform/storage`` holds the StorageClass and a PersistentVolume. Timed,
best of ``--repeat``: finding the units (``plan_units``, which reads every kustomization
and text-tests each root's files), rendering the roots worth it with an empty cache
(``kubectl kustomize`` per root, several at a time), and again from the cache.

    .venv/bin/python benchmarks/bench_render.py [--apps N] [--efs-every K] [--repeat N]
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import tempfile
import time
from pathlib import Path

from efs_doctor.sources.files import iter_input_paths
from efs_doctor.sources.render import RenderOptions, find_renderers, plan_units, render_units

TEAMS = ("payments", "search", "media", "identity", "data", "web", "ops", "ml", "edge")
ENVIRONMENTS = ("dev", "staging", "prod")


def generate(root: Path, apps: int, efs_every: int) -> None:
    for index in range(apps):
        team = TEAMS[index % len(TEAMS)]
        app = f"app-{index:03d}"
        base = root / "apps" / team / app / "base"
        efs = index % efs_every == 0
        resources = ["deployment.yaml", "service.yaml", "configmap.yaml"]
        if efs:
            resources.append("claim.yaml")
            _write(base / "claim.yaml", _claim(app))
        _write(base / "kustomization.yaml", _kustomization(resources))
        _write(base / "deployment.yaml", _deployment(app, efs))
        _write(base / "service.yaml", _service(app))
        _write(base / "configmap.yaml", _config_map(app))
        for environment in ENVIRONMENTS:
            overlay = base.parent / "overlays" / environment
            patches = ["replicas.yaml"]
            _write(overlay / "replicas.yaml", _replicas(app, ENVIRONMENTS.index(environment) + 1))
            if efs and environment == "prod":
                patches.append("volumes.yaml")
                _write(overlay / "volumes.yaml", _volumes(app))
            _write(
                overlay / "kustomization.yaml",
                f"namespace: {team}-{environment}\nresources:\n  - ../../base\npatches:\n"
                + "".join(f"  - path: {patch}\n" for patch in patches),
            )
    storage = root / "platform" / "storage"
    _write(storage / "kustomization.yaml", _kustomization(["storageclass.yaml", "pv.yaml"]))
    _write(
        storage / "storageclass.yaml",
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: efs-ap\n"
        "provisioner: efs.csi.aws.com\nparameters:\n  provisioningMode: efs-ap\n"
        "  fileSystemId: fs-0123456789abcdef0\n  directoryPerms: '700'\n",
    )
    _write(
        storage / "pv.yaml",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: shared\nspec:\n"
        "  capacity: {storage: 5Gi}\n  accessModes: [ReadWriteMany]\n"
        "  csi: {driver: efs.csi.aws.com, volumeHandle: fs-0123456789abcdef0}\n",
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _kustomization(resources: list[str]) -> str:
    return "resources:\n" + "".join(f"  - {name}\n" for name in resources)


def _deployment(app: str, efs: bool) -> str:
    volume = (
        "      volumes:\n        - name: data\n          persistentVolumeClaim:\n"
        f"            claimName: {app}-data\n"
        if efs
        else "      volumes:\n        - name: config\n          configMap:\n"
        f"            name: {app}-config\n"
    )
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n"
        f"  replicas: 1\n  selector:\n    matchLabels: {{app: {app}}}\n  template:\n"
        f"    metadata:\n      labels: {{app: {app}}}\n    spec:\n      containers:\n"
        f"        - name: {app}\n          image: registry.example.com/{app}:1.0\n" + volume
    )


def _service(app: str) -> str:
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n"
        f"  selector: {{app: {app}}}\n  ports: [{{port: 80}}]\n"
    )


def _config_map(app: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\ndata:\n  a: b\n"


def _claim(app: str) -> str:
    return (
        f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {app}-data\nspec:\n"
        "  accessModes: [ReadWriteMany]\n  storageClassName: efs-ap\n"
        "  resources: {requests: {storage: 5Gi}}\n"
    )


def _replicas(app: str, replicas: int) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n"
        f"  replicas: {replicas}\n"
    )


def _volumes(app: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n"
        "  template:\n    spec:\n      volumes:\n        - name: data\n"
        f"          persistentVolumeClaim:\n            claimName: {app}-data\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=225, help="apps (4 kustomizations each)")
    parser.add_argument("--efs-every", type=int, default=15, help="one app in K mounts EFS")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    renderers = find_renderers()
    if renderers.kustomize is None:
        raise SystemExit("no kustomize renderer: pip install 'efs-doctor[render]'")
    work = Path(tempfile.mkdtemp(prefix="efs-doctor-bench-render-"))
    try:
        tree = work / "monorepo"
        generate(tree, args.apps, args.efs_every)
        files = list(iter_input_paths([str(tree)], []))
        kustomizations = sum(1 for f in files if f.endswith("kustomization.yaml"))
        plan_seconds, plan = min(
            (_timed(functools.partial(plan_units, files)) for _ in range(args.repeat)),
            key=lambda timed: timed[0],
        )
        print(
            f"{len(files)} files, {kustomizations} kustomizations, "
            f"{len(plan.roots)} roots worth rendering, {len(plan.owned)} files owned"
        )
        print(f"plan_units: {plan_seconds:.3f} s")
        cold: list[float] = []
        warm: list[float] = []
        for run in range(args.repeat):
            options = RenderOptions(cache_dir=str(work / f"cache-{run}"))
            render = functools.partial(render_units, plan.roots, options, files, renderers)
            seconds, rendered = _timed(render)
            assert all(unit.complete for unit in rendered), "a render failed"
            cold.append(seconds)
            seconds, rendered = _timed(render)
            assert all(unit.cached for unit in rendered)
            warm.append(seconds)
        renderer = " ".join(os.path.basename(p) for p in renderers.kustomize)
        print(f"render, empty cache ({renderer}): {min(cold):.2f} s")
        print(f"render, from the cache: {min(warm):.3f} s")
        print(f"CPUs: {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _timed(work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


if __name__ == "__main__":
    main()
