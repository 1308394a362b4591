"""`efs-doctor snapshot` end to end: the CLI as a subprocess against moto and the fake API.

A snapshot read back by the offline loader gives the same inventory as live collection,
and holds no secret: canary values planted in the environment, the kubeconfig and the pod
specs appear in no file and no output.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import live_seed as seed
import pytest
from fake_kube import FakeKube
from live_helpers import canonical, child_env, efs_doctor, live_clients

from efs_doctor.sources.k8s_live import KubeOptions
from efs_doctor.sources.live import (
    AWS_NOT_READ,
    LiveOptions,
    collect,
    inventory_from,
    snapshot_summary,
)
from efs_doctor.sources.live_progress import Progress
from efs_doctor.sources.live_records import Collection, Inconclusive
from efs_doctor.sources.loader import load_paths

pytestmark = pytest.mark.live
CANARIES = {
    "AWS_SECRET_ACCESS_KEY": "CANARYsecretAccessKey0123456789abcdefABCD",
    "AWS_SESSION_TOKEN": "CANARYsessionToken/IQoJb3JpZ2luX2VjEXAMPLE",
}
KUBE_TOKEN = "CANARY-kube-bearer-token-7f3a"
UNUSED_USER = {
    "client-key-data": base64.b64encode(b"CANARY-client-key").decode(),
    "password": "CANARY-password",
}


def _objects_with_secrets(built: seed.AwsSeed) -> list[dict[str, object]]:
    objects = seed.kube_objects(built)
    pod = seed.pod_object(built.instances[1]["PrivateDnsName"], name="web-with-secrets")
    container = pod["spec"]["containers"][0]  # type: ignore[index]
    container["env"] = [
        {"name": "DB_PASSWORD", "value": "CANARY-pod-env-secret"},
        {"name": "AWS_REGION", "value": "us-east-1"},
        {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
    ]
    container["args"] = ["--password=CANARY-container-arg"]
    pod["metadata"]["annotations"] = {  # type: ignore[index]
        "kubectl.kubernetes.io/last-applied-configuration": '{"env":"CANARY-last-applied"}'
    }
    secret = {"kind": "Secret", "metadata": {"name": "db", "namespace": "web"}}
    secret["data"] = {"pw": base64.b64encode(b"CANARY-secret-object").decode()}
    return [*objects, pod, secret]


def test_snapshot_matches_live_and_holds_no_secret(aws: str, tmp_path: Path) -> None:
    built = seed.build_aws(aws)
    kubeconfig = tmp_path / "kubeconfig.json"
    out = tmp_path / "snap"
    with FakeKube(_objects_with_secrets(built), token=KUBE_TOKEN) as kube:
        kube.kubeconfig(kubeconfig)
        config = json.loads(kubeconfig.read_text())
        config["users"].append({"name": "unused", "user": UNUSED_USER})
        kubeconfig.write_text(json.dumps(config))
        env = child_env(aws, kubeconfig, **CANARIES)
        done = efs_doctor(["-v", "snapshot", "-o", str(out)], env)
        live = collect(
            LiveOptions(kube=KubeOptions(kubeconfig=str(kubeconfig))),
            None,
            aws_clients=live_clients(),
        )
        paths = {r.path for r in kube.requests}
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr
    assert "\r" not in done.stderr  # no progress display when stderr is not a terminal
    assert not any("secrets" in p for p in paths)  # Secrets are never listed

    offline = load_paths([str(out)])
    assert not offline.errors
    assert canonical(offline) == canonical(inventory_from(live.documents))
    assert (out / "SNAPSHOT.md").is_file()
    assert (out / "kubernetes" / "persistentvolumes.json").is_file()
    assert json.loads((out / "kubernetes" / "persistentvolumes.json").read_text())["metadata"][
        "resourceVersion"
    ]

    texts = [done.stdout, done.stderr]
    texts += [p.read_text() for p in out.rglob("*") if p.is_file()]
    blob = "\n".join(texts)
    planted = [*CANARIES.values(), KUBE_TOKEN, *UNUSED_USER.values()]
    for value in planted:
        assert value not in blob
    assert "CANARY" not in blob
    # what was redacted is still visibly there, and what is not secret is kept
    assert "<redacted by efs-doctor>" in blob
    assert '"value": "us-east-1"' in blob


def test_policy_absence_is_written_in_the_known_absence_form(aws: str, tmp_path: Path) -> None:
    c = seed.clients(aws)
    built = seed.AwsSeed()
    seed.build_iam(c)
    subnets = seed.build_network(c, built, node_count=1)
    fs_id = seed.build_file_system(c, built, subnets, policy=False)
    kubeconfig = tmp_path / "kubeconfig.json"
    with FakeKube(seed.kube_objects(built)) as kube:
        kube.kubeconfig(kubeconfig)
        done = efs_doctor(["snapshot", "-o", str(tmp_path / "s")], child_env(aws, kubeconfig))
    assert done.returncode == 0, done.stderr
    written = tmp_path / "s" / "aws" / "efs" / f"describe-file-system-policy-{fs_id}.json"
    answer = json.loads(written.read_text())
    assert answer["FileSystemId"] == fs_id
    assert answer["Error"]["Code"] == "PolicyNotFound"
    assert load_paths([str(tmp_path / "s")]).policies[fs_id].absent


def test_snapshot_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text("{}")
    done = efs_doctor(["snapshot", "-o", str(tmp_path)], {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "not an empty directory" in done.stderr


def test_nothing_to_collect_exits_2(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "KUBECONFIG": str(tmp_path / "missing"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    done = efs_doctor(["snapshot", "-o", str(tmp_path / "s")], env)
    assert done.returncode == 2
    assert "no kubeconfig found" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "s").exists()


def test_progress_draws_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        progress = Progress(stream)
        progress.begin("aws efs DescribeFileSystems")
        progress.end("aws efs DescribeFileSystems")
        progress.close()
    assert "DescribeFileSystems" in tty.getvalue()
    assert tty.getvalue().endswith("\r")
    assert pipe.getvalue() == ""


def _findings(report: dict[str, object]) -> list[tuple[object, ...]]:
    """Findings without where they were read from (live: no file; snapshot: its files).

    Fixes are left out: a fix that edits a file (the corrected policy written beside it)
    exists only when the object came from a file."""
    found = []
    for f in report["findings"]:  # type: ignore[attr-defined]
        related = tuple((r["object"], r["note"]) for r in f["related"])
        found.append((f["code"], f["severity"], f["location"]["object"], f["message"], related))
    return sorted(found, key=repr)


def test_scan_of_a_snapshot_finds_what_scan_live_finds(aws: str, tmp_path: Path) -> None:
    built = seed.build_aws(aws)
    kubeconfig = tmp_path / "kubeconfig.json"
    with FakeKube(seed.kube_objects(built)) as kube:
        env = child_env(aws, kube.kubeconfig(kubeconfig))
        live = efs_doctor(["scan", "--live", "--format", "json"], env)
        snap = efs_doctor(["snapshot", "-o", str(tmp_path / "snap")], env)
    assert snap.returncode == 0, snap.stderr
    offline = efs_doctor(["scan", str(tmp_path / "snap"), "--format", "json"], env)
    assert live.returncode == offline.returncode == 1, live.stderr + offline.stderr
    live_report, offline_report = json.loads(live.stdout), json.loads(offline.stdout)
    assert _findings(live_report) == _findings(offline_report)
    assert "AUTH001" in {f[0] for f in _findings(live_report)}
    # live mode says what it could not read (moto has no Pod Identity API)
    assert [i["code"] for i in live_report["inconclusive"]] == ["live"]


def test_scan_needs_paths_or_live() -> None:
    done = efs_doctor(["scan"], {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "--live" in done.stderr


def test_a_no_aws_snapshot_says_aws_was_not_read(aws: str, tmp_path: Path) -> None:
    """With --no-aws nothing is asked of AWS: SNAPSHOT.md says so, and says "every request
    made succeeded", not that nothing is missing (issue 21 item 8)."""
    built = seed.build_aws(aws)
    out = tmp_path / "snap"
    with FakeKube(seed.kube_objects(built)) as kube:
        env = child_env(aws, kube.kubeconfig(tmp_path / "kubeconfig.json"))
        done = efs_doctor(["-v", "snapshot", "--no-aws", "-o", str(out)], env)
    assert done.returncode == 0, done.stderr
    assert "0 AWS requests" in done.stderr
    assert "(AWS not read (--no-aws), 0 not checked, see SNAPSHOT.md)" in done.stderr
    assert not (out / "aws").exists()
    assert _not_collected((out / "SNAPSHOT.md").read_text()) == [
        f"- {AWS_NOT_READ}",
        "",
        "Every request made succeeded.",
    ]


@pytest.mark.parametrize(
    ("not_read", "failed", "expected"),
    [
        ([], [], ["Nothing: every request succeeded."]),
        ([AWS_NOT_READ], [], [f"- {AWS_NOT_READ}", "", "Every request made succeeded."]),
        ([], ["x"], ["- kubernetes list pods: forbidden (needs list pods)"]),
        (
            [AWS_NOT_READ],
            ["x"],
            [f"- {AWS_NOT_READ}", "- kubernetes list pods: forbidden (needs list pods)"],
        ),
    ],
    ids=["all-read", "no-aws", "a-failure", "no-aws-and-a-failure"],
)
def test_the_summary_tells_left_out_from_failed(
    not_read: list[str], failed: list[str], expected: list[str]
) -> None:
    collection = Collection(not_read=list(not_read))
    for _ in failed:
        collection.add_inconclusive(Inconclusive("kubernetes list pods", "forbidden", "list pods"))
    assert _not_collected(snapshot_summary(collection)) == expected


def _not_collected(summary: str) -> list[str]:
    """The lines of SNAPSHOT.md's "Not collected" section."""
    section = summary.split("## Not collected\n\n")[1]
    return section.split("\n\nScan it anywhere")[0].splitlines()
