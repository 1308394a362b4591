"""A GitOps monorepo of the usual shape, to benchmark on (issue 22).

``generate(root, files, seed)`` writes exactly ``files`` files under ``root``, what a
platform team's repository holds (about 600 bytes a file, one document a file):

- ``apps/<team>/<app>/base`` (a kustomization, the Deployment, StatefulSet or CronJob, its
  Service, ConfigMap, ServiceAccount, Role and RoleBinding, often an Ingress, a
  HorizontalPodAutoscaler, a PodDisruptionBudget, a NetworkPolicy, custom resources: a
  ServiceMonitor, an ExternalSecret) and ``overlays/{dev,staging,prod}`` (a kustomization
  with a namespace and a replicas-only patch, sometimes a ConfigMap patch): four
  kustomizations an app;
- ``apps/<team>/<chart-app>/``: apps installed from a Helm chart of a registry: an Argo CD
  ``Application`` and values files per environment (YAML, but not Kubernetes objects);
- ``platform/``: namespaces, cluster RBAC, the EFS CSI driver (plain manifests) and a
  ``storage`` kustomization with the EFS StorageClass and a static PersistentVolume.

One kustomize app in ``EFS_EVERY`` mounts EFS: its base holds a claim of the EFS class,
its workload mounts it, and its prod overlay patches the volumes. Everything else is
irrelevant to EFS, as in a real repository. The same ``(files, seed)`` gives byte-identical
files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import REGION, WORDS, fs_id, to_yaml

SEED = 22
EFS_EVERY = 15
ENVIRONMENTS = ("dev", "staging", "prod")
TEAMS = ("payments", "search", "media", "identity", "data", "web", "ops", "ml", "edge")
FILE_SYSTEM = fs_id(0)
REGISTRY = f"123456789012.dkr.ecr.{REGION}.amazonaws.com"

Doc = dict[str, Any]
Files = list[tuple[str, list[Doc] | str]]  # (relative path, documents or raw text)


@dataclass(frozen=True)
class Monorepo:
    root: Path
    files: int
    documents: int
    bytes: int
    kustomizations: int
    efs_apps: int


def _meta(name: str, ns: str | None = None, **extra: Any) -> Doc:
    meta: Doc = {"name": name}
    if ns:
        meta["namespace"] = ns
    meta["labels"] = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": "shop",
        "app.kubernetes.io/component": "backend",
    }
    meta["annotations"] = {
        "example.com/owner": "platform-team@example.com",
        "example.com/runbook": f"https://wiki.example.com/runbooks/{name}",
    }
    meta.update(extra)
    return meta


def _pod_spec(name: str, rng: random.Random, efs: bool) -> Doc:
    volumes: list[Doc] = [{"name": "config", "configMap": {"name": f"{name}-config"}}]
    mounts: list[Doc] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True}]
    if efs:
        volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}})
        mounts.append({"name": "data", "mountPath": "/data"})
    return {
        "serviceAccountName": name,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
        "containers": [
            {
                "name": name,
                "image": f"{REGISTRY}/{name}:1.{rng.randrange(40)}.0",
                "ports": [{"name": "http", "containerPort": 8080}],
                "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
                "resources": {
                    "requests": {"cpu": f"{rng.choice((100, 250, 500))}m", "memory": "256Mi"},
                    "limits": {"memory": f"{rng.choice((512, 1024))}Mi"},
                },
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
                "volumeMounts": mounts,
            }
        ],
        "volumes": volumes,
    }


def _workload(kind: str, name: str, rng: random.Random, efs: bool) -> Doc:
    template = {"metadata": {"labels": {"app": name}}, "spec": _pod_spec(name, rng, efs)}
    if kind == "CronJob":
        template["spec"]["restartPolicy"] = "OnFailure"
        spec: Doc = {
            "schedule": f"{rng.randrange(60)} {rng.randrange(24)} * * *",
            "jobTemplate": {"spec": {"template": template}},
        }
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": _meta(name), "spec": spec}
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": template}
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": _meta(name), "spec": spec}


def _base(name: str, rng: random.Random, efs: bool) -> tuple[Files, str]:
    kind = (
        "Deployment" if efs else rng.choices(("Deployment", "StatefulSet", "CronJob"), (7, 2, 1))[0]
    )
    files: Files = [(f"{kind.lower()}.yaml", [_workload(kind, name, rng, efs)])]
    if kind != "CronJob":
        service = {
            "selector": {"app": name},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        }
        files.append(
            (
                "service.yaml",
                [{"apiVersion": "v1", "kind": "Service", "metadata": _meta(name), "spec": service}],
            )
        )
    settings = {f"SETTING_{i}": str(rng.randrange(10_000)) for i in range(rng.randrange(4, 16))}
    files.append(
        (
            "configmap.yaml",
            [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": _meta(f"{name}-config"),
                    "data": settings,
                }
            ],
        )
    )
    files.append(
        (
            "serviceaccount.yaml",
            [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name)}],
        )
    )
    rule = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(name),
        "rules": [rule],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(name),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": name}],
    }
    if rng.random() < 0.3:  # one file of several documents, as many repositories have
        files.append(("rbac.yaml", [role, binding]))
    else:
        files += [("role.yaml", [role]), ("rolebinding.yaml", [binding])]
    if kind != "CronJob" and rng.random() < 0.5:
        backend = {"service": {"name": name, "port": {"number": 80}}}
        rules = [
            {
                "host": f"{name}.example.internal",
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
            }
        ]
        files.append(
            (
                "ingress.yaml",
                [
                    {
                        "apiVersion": "networking.k8s.io/v1",
                        "kind": "Ingress",
                        "metadata": _meta(name),
                        "spec": {"ingressClassName": "alb", "rules": rules},
                    }
                ],
            )
        )
    if kind == "Deployment" and rng.random() < 0.5:
        target = {"apiVersion": "apps/v1", "kind": kind, "name": name}
        files.append(
            (
                "hpa.yaml",
                [
                    {
                        "apiVersion": "autoscaling/v2",
                        "kind": "HorizontalPodAutoscaler",
                        "metadata": _meta(name),
                        "spec": {"scaleTargetRef": target, "minReplicas": 2, "maxReplicas": 10},
                    }
                ],
            )
        )
    if kind != "CronJob" and rng.random() < 0.4:
        selector = {"matchLabels": {"app": name}}
        monitor = {
            "selector": selector,
            "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
        }
        files.append(
            (
                "servicemonitor.yaml",
                [
                    {
                        "apiVersion": "monitoring.coreos.com/v1",
                        "kind": "ServiceMonitor",
                        "metadata": _meta(name),
                        "spec": monitor,
                    }
                ],
            )
        )
    if rng.random() < 0.3:
        secret = {
            "secretStoreRef": {"name": "aws-secrets", "kind": "ClusterSecretStore"},
            "target": {"name": f"{name}-db"},
            "data": [
                {
                    "secretKey": "password",
                    "remoteRef": {"key": f"prod/{name}/db", "property": "password"},
                }
            ],
        }
        files.append(
            (
                "externalsecret.yaml",
                [
                    {
                        "apiVersion": "external-secrets.io/v1beta1",
                        "kind": "ExternalSecret",
                        "metadata": _meta(name),
                        "spec": secret,
                    }
                ],
            )
        )
    if kind != "CronJob" and rng.random() < 0.25:
        files.append(
            (
                "pdb.yaml",
                [
                    {
                        "apiVersion": "policy/v1",
                        "kind": "PodDisruptionBudget",
                        "metadata": _meta(name),
                        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": name}}},
                    }
                ],
            )
        )
    if efs:
        claim = {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "efs-ap",
            "resources": {"requests": {"storage": "5Gi"}},
        }
        files.append(
            (
                "claim.yaml",
                [
                    {
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "metadata": _meta(f"{name}-data"),
                        "spec": claim,
                    }
                ],
            )
        )
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [path for path, _ in files],
        "labels": [{"pairs": {"app.kubernetes.io/managed-by": "kustomize"}}],
    }
    return [("kustomization.yaml", [kustomization]), *files], kind


def _overlay(
    name: str, kind: str, team: str, environment: str, rng: random.Random, *, efs: bool
) -> Files:
    patches: Files = []
    if kind != "CronJob":
        replicas = {"replicas": ENVIRONMENTS.index(environment) + 1}
        patches.append(
            (
                "replicas.yaml",
                [
                    {
                        "apiVersion": "apps/v1",
                        "kind": kind,
                        "metadata": {"name": name},
                        "spec": replicas,
                    }
                ],
            )
        )
    if rng.random() < 0.4:
        data = {
            "LOG_LEVEL": "debug" if environment == "dev" else "info",
            "ENVIRONMENT": environment,
        }
        patches.append(
            (
                "config.yaml",
                [
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"{name}-config"},
                        "data": data,
                    }
                ],
            )
        )
    if efs and environment == "prod":
        volume = {"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}}
        spec = {"template": {"spec": {"volumes": [volume]}}}
        patches.append(
            (
                "volumes.yaml",
                [{"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}],
            )
        )
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": f"{team}-{environment}",
        "resources": ["../../base"],
        "patches": [{"path": path} for path, _ in patches],
    }
    return [("kustomization.yaml", [kustomization]), *patches]


def _chart_app(name: str, team: str, rng: random.Random) -> Files:
    """An app installed from a registry's chart: values files (YAML, not objects) and the
    Argo CD Application that names them."""
    files: Files = []
    values = {
        "replicaCount": rng.choice((1, 2, 3)),
        "image": {"repository": f"ghcr.io/example/{name}", "tag": f"2.{rng.randrange(30)}.0"},
        "service": {"type": "ClusterIP", "port": 80},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        "podAnnotations": {"prometheus.io/scrape": "true"},
        "ingress": {
            "enabled": rng.random() < 0.5,
            "className": "alb",
            "hosts": [{"host": f"{name}.example.internal"}],
        },
        "persistence": {"enabled": False},
        "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 8},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": team}],
        "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 1000, "fsGroup": 1000},
        "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
        "env": [
            {"name": f"SETTING_{i}", "value": str(rng.randrange(100_000))}
            for i in range(rng.randrange(10, 40))
        ],
        "serviceMonitor": {"enabled": True, "interval": "30s", "path": "/metrics"},
    }
    files.append(("values.yaml", [values]))
    for environment in ENVIRONMENTS:
        files.append(
            (
                f"values-{environment}.yaml",
                [
                    {
                        "replicaCount": ENVIRONMENTS.index(environment) + 1,
                        "env": {"ENVIRONMENT": environment},
                    }
                ],
            )
        )
    values_files = [path for path, _ in files]
    for environment in ENVIRONMENTS:
        application = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": f"{name}-{environment}", "namespace": "argocd"},
            "spec": {
                "project": team,
                "source": {
                    "repoURL": "https://charts.example.com",
                    "chart": name,
                    "targetRevision": "2.x",
                    "helm": {"valueFiles": [values_files[0], f"values-{environment}.yaml"]},
                },
                "destination": {
                    "server": "https://kubernetes.default.svc",
                    "namespace": f"{team}-{environment}",
                },
                "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
            },
        }
        files.append((f"application-{environment}.yaml", [application]))
    return files


def _platform() -> Files:
    files: Files = []
    for team in TEAMS:
        for environment in ENVIRONMENTS:
            files.append(
                (
                    f"namespaces/{team}-{environment}.yaml",
                    [
                        {
                            "apiVersion": "v1",
                            "kind": "Namespace",
                            "metadata": {"name": f"{team}-{environment}"},
                        }
                    ],
                )
            )
    driver = [
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "CSIDriver",
            "metadata": {"name": "efs.csi.aws.com"},
            "spec": {"attachRequired": False},
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "efs-csi-node-sa", "namespace": "kube-system"},
        },
    ]
    files.append(("efs-csi-driver/driver.yaml", driver))
    storage_class = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "efs-ap"},
        "provisioner": "efs.csi.aws.com",
        "parameters": {
            "provisioningMode": "efs-ap",
            "fileSystemId": FILE_SYSTEM,
            "directoryPerms": "700",
        },
        "mountOptions": ["tls"],
    }
    pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "shared-reports"},
        "spec": {
            "capacity": {"storage": "5Gi"},
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "efs-ap",
            "csi": {"driver": "efs.csi.aws.com", "volumeHandle": f"{FILE_SYSTEM}:/reports"},
        },
    }
    files.append(
        (
            "storage/kustomization.yaml",
            [
                {
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    "resources": ["storageclass.yaml", "pv.yaml"],
                }
            ],
        )
    )
    files.append(("storage/storageclass.yaml", [storage_class]))
    files.append(("storage/pv.yaml", [pv]))
    return files


def _filler(index: int) -> tuple[str, list[Doc]]:
    """A cluster role, to bring the tree to exactly the asked number of files."""
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": f"readonly-{index}"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}],
    }
    return f"cluster-rbac/readonly-{index:03d}.yaml", [role]


def generate(root: Path, files: int, seed: int = SEED) -> Monorepo:
    """Write a monorepo of exactly ``files`` files under ``root`` (created)."""
    rng = random.Random(seed)
    platform = [(f"platform/{path}", docs) for path, docs in _platform()]
    written: Files = list(platform)
    budget = files - len(platform)
    index = 0
    efs_apps = 0
    while True:
        team = TEAMS[index % len(TEAMS)]
        name = f"{WORDS[index % len(WORDS)]}-{index}"
        efs = False
        if index % 2 == 1:
            app = [
                (f"apps/{team}/{name}/{path}", docs) for path, docs in _chart_app(name, team, rng)
            ]
        else:
            efs = index % (EFS_EVERY * 6 // 5) == 0
            base, kind = _base(name, rng, efs)
            app = [(f"apps/{team}/{name}/base/{path}", docs) for path, docs in base]
            for environment in ENVIRONMENTS:
                overlay = _overlay(name, kind, team, environment, rng, efs=efs)
                app += [
                    (f"apps/{team}/{name}/overlays/{environment}/{path}", docs)
                    for path, docs in overlay
                ]
        if len(app) > budget:
            break
        efs_apps += efs
        written += app
        budget -= len(app)
        index += 1
    written += [(f"platform/{path}", docs) for path, docs in map(_filler, range(budget))]
    return _write(root, written, efs_apps)


def _write(root: Path, written: Files, efs_apps: int) -> Monorepo:
    documents = size = kustomizations = 0
    for path, docs in written:
        comment = f"{path}: managed by the platform team; changes go through CI"
        text = docs if isinstance(docs, str) else to_yaml(docs, comment)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        target.write_bytes(data)
        size += len(data)
        documents += 1 if isinstance(docs, str) else len(docs)
        kustomizations += path.endswith("kustomization.yaml")
    return Monorepo(root, len(written), documents, size, kustomizations, efs_apps)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="write a GitOps monorepo to benchmark on")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    made = generate(args.directory, args.files, args.seed)
    print(describe(made))
    return 0


def describe(made: Monorepo) -> str:
    return (
        f"{made.files:,} files, {made.documents:,} documents, {made.bytes / 1e6:.1f} MB, "
        f"{made.kustomizations} kustomizations, {made.efs_apps} apps on EFS"
    )


if __name__ == "__main__":
    raise SystemExit(main())
