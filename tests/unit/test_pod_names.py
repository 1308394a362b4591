"""Pod names as controllers make them, matched to the workload that made them (issue 21,
item 6): ``simulate --pod`` and ``diagnose NS/POD`` when the pod object is not loaded.

Naming conventions (src/efs_doctor/api/pod_names.py cites the Kubernetes documentation):
Deployment pods ``<name>-<pod-template-hash>-<5 random>``, ReplicaSet / DaemonSet / Job pods
``<name>-<5 random>``, indexed Job pods ``<name>-<index>-<5 random>``, CronJob pods
``<name>-<minutes>-<5 random>``, StatefulSet pods ``<name>-<ordinal>``; the random part and
the hash use ``bcdfghjklmnpqrstvwxz2456789`` and generateName is cut to 58 characters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.api.diagnose import select_pods
from efs_doctor.api.pod_names import could_name_pod, owners_of_pod
from efs_doctor.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kubernetes"
WORKLOADS = str(FIXTURES / "workloads.yaml")  # apps/: one workload of every kind
SEED = str(Path(__file__).resolve().parents[2] / "examples" / "seed-incident")


@pytest.mark.parametrize(
    ("kind", "owner", "pod", "owned"),
    [
        ("Deployment", "web", "web-7c9d8b6f5d-x2k4q", True),
        ("Deployment", "web", "web-6bd65c67cf-9hz9g", True),
        ("Deployment", "web", "web-x2k4q", False),  # no pod-template-hash: a ReplicaSet's pod
        ("Deployment", "web", "web-7c9d8b6f5d", False),  # the ReplicaSet, not a pod
        ("Deployment", "web", "web-7c9d8b6f5d-abcde", False),  # vowels are never generated
        ("Deployment", "web", "web-api-7c9d8b6f5d-x2k4q", False),  # Deployment web-api's
        ("Deployment", "web-api", "web-api-7c9d8b6f5d-x2k4q", True),
        ("ReplicaSet", "web-7c9d8b6f5d", "web-7c9d8b6f5d-x2k4q", True),
        ("DaemonSet", "efs-csi-node", "efs-csi-node-7xk2p", True),
        ("DaemonSet", "efs-csi-node", "efs-csi-node-7xk2", False),
        ("Job", "migrate", "migrate-8bz2k", True),
        ("Job", "migrate", "migrate-3-8bz2k", True),  # Indexed completion mode
        ("CronJob", "report", "report-28930125-v2m9x", True),
        ("CronJob", "report", "report-28930125-0-v2m9x", True),  # an indexed Job's pod
        ("CronJob", "report", "report-v2m9x", False),  # no scheduled time: a plain Job's pod
        ("StatefulSet", "db", "db-0", True),
        ("StatefulSet", "db", "db-12", True),
        ("StatefulSet", "db", "db-01", False),
        ("StatefulSet", "db", "db-x2k4q", False),
        ("Pod", "web", "web-x2k4q", False),
        # generateName cut to 58 characters (55-character Deployment, 62-character DaemonSet)
        (
            "Deployment",
            "payments-reconciliation-worker-eu-central-1-canary-blue",
            "payments-reconciliation-worker-eu-central-1-canary-blue-7cx2k4q",
            True,
        ),
        (
            "DaemonSet",
            "analytics-ingestion-pipeline-europe-west-production-shard-zeta",
            "analytics-ingestion-pipeline-europe-west-production-shard-q7m2z",
            True,
        ),
        (
            "Deployment",
            "payments-reconciliation-worker-eu-central-1-canary-blue",
            "payments-reconciliation-worker-eu-central-1-canary-blue-aex2k4q",  # "ae": not a hash
            False,
        ),
    ],
)
def test_controller_naming(kind: str, owner: str, pod: str, owned: bool) -> None:
    assert could_name_pod(kind, owner, pod) is owned


@pytest.mark.parametrize(
    ("pod", "workload"),
    [
        ("apps/web-7c9d8b6f5d-x2k4q", "apps/deployment/web"),
        ("apps/db-0", "apps/statefulset/db"),
        ("apps/db-2", "apps/statefulset/db"),
        ("apps/agent-4hxzq", "apps/daemonset/agent"),
        ("apps/migrate-8bz2k", "apps/job/migrate"),
        ("apps/migrate-3-8bz2k", "apps/job/migrate"),
        ("apps/report-28930125-v2m9x", "apps/cronjob/report"),
        ("apps/legacy-5mfzt", "apps/replicaset/legacy"),
    ],
)
def test_simulate_pod_of_a_workload(
    pod: str, workload: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", WORKLOADS, "--pod", pod, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, err  # nothing from AWS: indeterminate
    assert {mount["pod"] for mount in json.loads(out)["mounts"]} == {workload}
    assert err == (
        f"efs-doctor simulate: pod {pod} is not among the inputs; simulating the mounts of "
        f"{workload}, whose controller names its pods so\n"
    )


@pytest.mark.parametrize(
    "pod",
    ["apps/web-abcde", "apps/db-01", "apps/web-7c9d8b6f5d", "other/web-7c9d8b6f5d-x2k4q"],
)
def test_simulate_pod_no_workload_names(pod: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", WORKLOADS, "--pod", pod]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"efs-doctor simulate: error: no EFS mount chain in the inputs matches --pod {pod}\n"
    )


def test_simulate_pod_names_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    """A loaded pod or a template by its own name is taken as it is, without a note."""
    for wanted in ("web/web", "web/deployment/web", "web/Deployment/web"):
        assert main(["simulate", SEED, "--pod", wanted, "--format", "json"]) == 1
        out, err = capsys.readouterr()
        assert err == ""
        assert [m["pod"] for m in json.loads(out)["mounts"]] == ["web/deployment/web"]


TEMPLATE = """---
apiVersion: apps/v1
kind: {kind}
metadata: {{name: {name}, namespace: apps}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: nginx}}]
"""


def test_the_owner_whose_name_explains_more_wins(tmp_path: Path) -> None:
    """A Deployment and the ReplicaSet it made both fit the pod's name: the ReplicaSet, whose
    name covers the hash too, is the pod's direct owner."""
    path = tmp_path / "both.yaml"
    path.write_text(
        TEMPLATE.format(kind="Deployment", name="web")
        + TEMPLATE.format(kind="ReplicaSet", name="web-7c9d8b6f5d"),
        encoding="utf-8",
    )
    workloads = load_inventory([str(path)]).workloads
    assert owners_of_pod(workloads, "apps/web-7c9d8b6f5d-x2k4q", "default") == [
        "apps/replicaset/web-7c9d8b6f5d"
    ]
    assert owners_of_pod(workloads, "web-6bd65c67cf-9hz9g", "apps") == ["apps/deployment/web"]
    assert owners_of_pod(workloads, "web-6bd65c67cf-9hz9g", "default") == []


def test_diagnose_selects_the_workload_of_a_pod_not_listed() -> None:
    inventory = load_inventory([SEED])
    selection = select_pods(
        inventory,
        "web/web-7c9d8b6f5d-x2k4q",
        namespace="default",
        failing=True,
        pods_listed=False,
    )
    assert (selection.pods, selection.missing) == (["web/deployment/web"], None)
    selection = select_pods(inventory, "web-0", namespace="web", failing=True, pods_listed=True)
    assert (selection.pods, selection.missing) == (None, "web/web-0: no such pod using volumes")


@pytest.fixture
def seed_as_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """``diagnose`` reading the seed incident's files as if listed from the cluster: its
    Deployment, and a FailedMount event of pod web-7c9f6d8b4d-x2x9k, which is not loaded."""
    from efs_doctor.commands import live_args
    from efs_doctor.sources.live_records import Collection

    def collect(_args: object) -> tuple[Collection, object]:
        return Collection(), load_inventory([SEED])

    monkeypatch.setattr(live_args, "collect_inventory_live", collect)


@pytest.mark.usefixtures("seed_as_cluster")
@pytest.mark.parametrize("argv", [["web/web-7c9f6d8b4d-x2x9k"], ["-n", "web"]])
def test_diagnose_a_pod_known_only_from_its_event(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The pod's event is explained with its Deployment's simulated mount as the context."""
    assert main(["diagnose", *argv, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [m["pod"] for m in report["mounts"]] == ["web/deployment/web"]
    [event] = report["events"]
    assert (event["object"], event["reason"]) == ("Pod web/web-7c9f6d8b4d-x2x9k", "FailedMount")
    top = report["causes"][0]
    assert (top["id"], top["status"]) == ("iam-option-missing", "confirmed")
