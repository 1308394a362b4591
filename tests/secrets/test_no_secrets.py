"""No credential ever appears in what efs-doctor prints or writes (issue 9, item 5).

Canary values are planted where credentials live: the AWS environment (access key id,
secret key, session token), a web identity token file, and the kubeconfig (bearer token,
exec plugin output and environment, basic-auth password, client certificate and key data,
an unused user's credentials). Then full live runs (``diagnose`` in text and JSON,
``scan --live`` in every format, ``snapshot``, ``permissions``, each at ``-vv``) and failing
runs (rejected credentials, bad certificates, a missing context, an unknown profile, an
unreachable endpoint) are made as the user would make them, in a child process, and every
byte of stdout, stderr and every written file is searched for every canary, and for
anything shaped like an AWS access key id.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import live_seed as seed
import pytest
from fake_kube import FakeKube
from live_helpers import child_env, efs_doctor

pytestmark = pytest.mark.live

ACCESS_KEY_ID = "AKIACANARY0000000042"
CANARIES = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": "CANARYsecret/AccessKey+0123456789abcdefXYZ",
    "AWS_SESSION_TOKEN": "CANARYsession/Token+IQoJb3JpZ2luX2VjEXAMPLEzzz",
    "web identity token": "eyJhbGciOiJSUzI1NiJ9.CANARYwebIdentityPayload.CANARYsig",
    "kube bearer token": "CANARY-kube-bearer-token-91c2",
    "kube exec token": "CANARY-kube-exec-token-5b7e",
    "kube exec env": "CANARY-exec-env-secret-0d1f",
    "kube password": "CANARY-basic-auth-password-a8",
    "kube client key": "CANARY-client-key-material-3c",
    "kube client certificate": "CANARY-client-cert-material-6e",
    "unused user token": "CANARY-unused-user-token-77",
}
# What the canaries look like once encoded where they are stored (kubeconfig *-data fields)
ENCODED = {
    name: base64.b64encode(CANARIES[name].encode()).decode()
    for name in ("kube client key", "kube client certificate")
}
AWS_KEY_SHAPE = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
# moto answers GetCallerIdentity with the access key id of AWS's documentation as UserId
# (real AWS gives the user's unique id, AIDA...); it is nobody's credential.
MOTO_USER_ID = "AKIAIOSFODNN7EXAMPLE"


def _efs_doctor(args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return efs_doctor(args, env, timeout=180)


def _exec_user(token: str) -> dict[str, Any]:
    credential = json.dumps(
        {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "kind": "ExecCredential",
            "status": {"token": token},
        }
    )
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "/bin/sh",
            "args": ["-c", f"echo '{credential}'"],
            "env": [{"name": "EFS_DOCTOR_TEST_SECRET", "value": CANARIES["kube exec env"]}],
            "interactiveMode": "Never",
        }
    }


def _kubeconfig(kube: FakeKube, path: Path, user: dict[str, Any]) -> Path:
    """The fake API's kubeconfig with ``user`` as the current user, plus an unused user
    holding more credentials (a kubeconfig usually has several)."""
    kube.kubeconfig(path)
    config = json.loads(path.read_text())
    config["users"][0]["user"] = user
    config["users"].append(
        {
            "name": "someone-else",
            "user": {
                "token": CANARIES["unused user token"],
                "client-key-data": ENCODED["kube client key"],
                "password": CANARIES["kube password"],
            },
        }
    )
    path.write_text(json.dumps(config, indent=1))
    return path


def _env(moto: str, kubeconfig: Path, **extra: str) -> dict[str, str]:
    env = child_env(moto, kubeconfig)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env[name] = CANARIES[name]
    env.update(extra)
    return env


def _outputs(
    runs: list[tuple[list[str], subprocess.CompletedProcess[str]]], folders: list[Path]
) -> Iterator[tuple[str, str]]:
    for args, done in runs:
        yield f"{' '.join(args)} (stdout)", done.stdout
        yield f"{' '.join(args)} (stderr)", done.stderr
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield str(path), path.read_text(errors="replace")


def _assert_no_secret(runs: list[tuple[list[str], Any]], folders: list[Path] = ()) -> None:  # type: ignore[assignment]
    searched = 0
    for where, text in _outputs(runs, list(folders)):
        searched += len(text)
        for name, value in CANARIES.items():
            assert value not in text, f"{name} found in {where}"
        for name, value in ENCODED.items():
            assert value not in text, f"{name} (base64) found in {where}"
        assert "CANARY" not in text, f"a canary fragment in {where}"
        keys = set(AWS_KEY_SHAPE.findall(text)) - {MOTO_USER_ID}
        assert not keys, f"an AWS access key id in {where}: {keys}"
    assert searched > 0


@pytest.fixture
def cluster(aws: str) -> seed.AwsSeed:
    return seed.build_aws(aws)


def test_full_live_runs_print_and_write_no_credential(
    cluster: seed.AwsSeed, aws: str, tmp_path: Path
) -> None:
    snapshot = tmp_path / "snapshot"
    report = tmp_path / "report.sarif"
    with FakeKube(seed.kube_objects(cluster), token=CANARIES["kube bearer token"]) as kube:
        config = _kubeconfig(kube, tmp_path / "kubeconfig.json", {"token": kube.token})
        env = _env(aws, config)
        commands = [
            ["-vv", "diagnose", f"web/{seed.POD}"],
            ["-vv", "diagnose", "--all-namespaces", "--format", "json"],
            ["-vv", "diagnose"],
            ["-vv", "scan", "--live"],
            ["-vv", "scan", "--live", "--format", "json"],
            ["-vv", "scan", "--live", "--format", "markdown"],
            ["-vv", "scan", "--live", "--format", "sarif", "--output", str(report)],
            ["-vv", "scan", "--live", "--diff"],
            ["-vv", "snapshot", "-o", str(snapshot)],
            ["permissions"],
        ]
        runs = [(args, _efs_doctor(args, env)) for args in commands]
    for args, done in runs:
        assert done.returncode in (0, 1), (args, done.stderr[-2000:])
    assert (snapshot / "SNAPSHOT.md").is_file()
    assert report.is_file()
    offline = [(["scan", str(snapshot)], _efs_doctor(["-vv", "scan", str(snapshot)], env))]
    _assert_no_secret(runs + offline, [snapshot, tmp_path / "report.sarif"])


def test_exec_plugin_and_web_identity_credentials_never_show(
    cluster: seed.AwsSeed, aws: str, tmp_path: Path
) -> None:
    """EKS-style: the kubeconfig runs a command for its token (``aws eks get-token``) and AWS
    credentials come from a web identity token file (IRSA), exchanged with STS."""
    token_file = tmp_path / "token"
    token_file.write_text(CANARIES["web identity token"])
    with FakeKube(seed.kube_objects(cluster), token=CANARIES["kube exec token"]) as kube:
        config = _kubeconfig(kube, tmp_path / "kubeconfig.json", _exec_user(kube.token))
        env = child_env(aws, config)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(name, None)
        env.update(
            {
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
                "AWS_ROLE_ARN": f"arn:aws:iam::{seed.ACCOUNT}:role/{seed.NODE_ROLE}",
                "AWS_ROLE_SESSION_NAME": "efs-doctor-test",
            }
        )
        args = ["-vv", "diagnose", "--all-namespaces", "--format", "json"]
        done = _efs_doctor(args, env)
        snapshot = tmp_path / "snapshot"
        snap_args = ["-vv", "snapshot", "-o", str(snapshot)]
        snap = _efs_doctor(snap_args, env)
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    # the run really used both: the cluster was listed and AWS answered
    assert report["mounts"]
    assert not [i for i in report["inconclusive"] if i["what"].startswith("kubernetes")]
    assert not [i for i in report["inconclusive"] if "credentials" in i["reason"]]
    _assert_no_secret([(args, done), (snap_args, snap)], [snapshot])


BAD_USERS = {
    "rejected token": lambda kube: {"token": CANARIES["unused user token"]},
    "basic auth": lambda kube: {"username": "admin", "password": CANARIES["kube password"]},
    "bad client certificate": lambda kube: {
        "client-certificate-data": ENCODED["kube client certificate"],
        "client-key-data": ENCODED["kube client key"],
    },
    "exec token rejected": lambda kube: _exec_user(CANARIES["kube exec token"]),
}


@pytest.mark.parametrize("user", sorted(BAD_USERS))
def test_error_messages_about_rejected_credentials_do_not_repeat_them(
    cluster: seed.AwsSeed, aws: str, tmp_path: Path, user: str
) -> None:
    with FakeKube(seed.kube_objects(cluster), token="the-only-token-it-accepts") as kube:
        config = _kubeconfig(kube, tmp_path / "kubeconfig.json", BAD_USERS[user](kube))
        env = _env(aws, config)
        runs = [
            (args, _efs_doctor(args, env))
            for args in (["-vv", "diagnose"], ["scan", "--live", "--format", "json"])
        ]
    for args, done in runs:
        assert done.returncode in (1, 2), (args, done.stderr[-2000:])
        assert "Traceback" not in done.stderr
        assert "internal error" not in done.stderr
    assert "kubernetes" in runs[0][1].stderr + runs[0][1].stdout
    _assert_no_secret(runs)


FAILING: dict[str, tuple[list[str], dict[str, str]]] = {
    "missing context": (["diagnose", "--context", "nope"], {}),
    "unknown profile": (["diagnose", "--profile", "nope"], {}),
    "unreachable AWS": (["diagnose"], {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}),
    "web identity token file missing": (
        ["diagnose"],
        {
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_SESSION_TOKEN": "",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/efs-doctor/token",
            "AWS_ROLE_ARN": f"arn:aws:iam::{seed.ACCOUNT}:role/{seed.NODE_ROLE}",
        },
    ),
}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_failing_runs_do_not_print_credentials(
    cluster: seed.AwsSeed, aws: str, tmp_path: Path, case: str
) -> None:
    args, extra = FAILING[case]
    with FakeKube(seed.kube_objects(cluster), token=CANARIES["kube bearer token"]) as kube:
        config = _kubeconfig(kube, tmp_path / "kubeconfig.json", {"token": kube.token})
        env = {k: v for k, v in _env(aws, config, **extra).items() if v != ""}
        done = _efs_doctor(["-vv", *args], env)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "internal error" not in done.stderr
    _assert_no_secret([(args, done)])
