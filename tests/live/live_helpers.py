"""Helpers for the live tests: recording and denying AWS calls, comparing inventories."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.sources.aws_live import AwsOptions, make_clients

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def child_env(moto: str, kubeconfig: Path, **extra: str) -> dict[str, str]:
    """The environment of an efs-doctor subprocess: only moto and the fake API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KUBE"))}
    env.update(AWS_ENV)
    env.update(
        {
            "AWS_ENDPOINT_URL": moto,
            "AWS_CONFIG_FILE": "/nonexistent/efs-doctor-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/efs-doctor-test-credentials",
            "KUBECONFIG": str(kubeconfig),
            "NO_PROXY": "127.0.0.1,localhost",
            "HOME": str(kubeconfig.parent),
        }
    )
    env.update(extra)
    return env


def efs_doctor(
    args: Sequence[str], env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m efs_doctor ARGS`` in a subprocess with exactly ``env`` (see child_env);
    text output, never raises on the exit status."""
    return subprocess.run(
        [sys.executable, "-m", "efs_doctor", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def live_clients() -> dict[str, Any]:
    """The clients live mode would make (this process's env points them at moto)."""
    clients, _region = make_clients(AwsOptions(), None)
    return clients


def record_calls(clients: Mapping[str, Any]) -> list[str]:
    """Every request the clients send (pages included), as ``service:Operation``."""
    seen: list[str] = []
    for service, client in clients.items():

        def hook(model: Any, service: str = service, **_: Any) -> None:
            seen.append(f"{service}:{model.name}")

        client.meta.events.register("before-parameter-build", hook)
    return seen


class RawBody:
    """A canned HTTP body, streamed the way botocore reads one."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def error_body(protocol: str, code: str, message: str) -> tuple[dict[str, str], bytes]:
    """The error document each protocol family sends (EC2 XML, query XML, JSON)."""
    if protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            "</Error></Errors><RequestID>r-1</RequestID></Response>"
        )
        return {"Content-Type": "text/xml"}, body.encode()
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        )
        return {"Content-Type": "text/xml"}, body.encode()
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return headers, json.dumps({"message": message}).encode()


DENIED_MESSAGE = (
    "User: arn:aws:iam::123456789012:user/reader is not authorized to perform this action"
)


def deny(client: Any, operation: str) -> None:
    """Answer ``operation`` with the 403 its service sends for a missing IAM permission."""
    from botocore.awsrequest import AWSResponse

    protocol = client.meta.service_model.protocol
    code = {"ec2": "UnauthorizedOperation", "query": "AccessDenied"}.get(
        protocol, "AccessDeniedException"
    )
    headers, body = error_body(protocol, code, DENIED_MESSAGE)

    def before_send(request: Any, **_: Any) -> Any:
        return AWSResponse(request.url, 403, headers, RawBody(body))

    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-send.{service_id}.{operation}", before_send)


def canonical(inventory: Inventory) -> dict[str, Any]:
    """The inventory without where things were read from (paths, lines, raw dicts)."""
    skip = {"source", "text_source", "raw"}

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {
                f.name: plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in skip
            }
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, set):
            return sorted(plain(v) for v in value)
        return value

    result = {}
    for f in dataclasses.fields(inventory):
        if f.name in ("files", "problems", "context"):  # where it was read from
            continue
        value = plain(getattr(inventory, f.name))
        if isinstance(value, list):
            value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, default=str))
        result[f.name] = value
    return result


POD_IDENTITY_ROLE = "efs-csi-node-pod-identity"


def stub_eks(client: Any, deny_operation: str | None = None) -> Any:
    """moto has no Pod Identity API: answer the cluster's three EKS calls with a Stubber
    (shapes checked against the botocore model). One association, for efs-csi-node-sa."""
    import datetime

    from botocore.stub import Stubber

    account, cluster = "123456789012", "prod"
    association = {
        "clusterName": cluster,
        "namespace": "kube-system",
        "serviceAccount": "efs-csi-node-sa",
        "associationArn": f"arn:aws:eks:us-east-1:{account}:podidentityassociation/{cluster}/a-1",
        "associationId": "a-0123456789abcdef0",
    }
    other = {**association, "namespace": "web", "serviceAccount": "app", "associationId": "a-2"}
    responses: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (
            "describe_cluster",
            {
                "cluster": {
                    "name": cluster,
                    "arn": f"arn:aws:eks:us-east-1:{account}:cluster/{cluster}",
                    "version": "1.31",
                    "createdAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                    "identity": {
                        "oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/X"}
                    },
                    "resourcesVpcConfig": {"vpcId": "vpc-1", "clusterSecurityGroupId": "sg-c"},
                    "certificateAuthority": {"data": "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t"},
                }
            },
            {"name": cluster},
        ),
        (
            "list_pod_identity_associations",
            {"associations": [association, other]},
            {"clusterName": cluster, "maxResults": 100},
        ),
        (
            "describe_pod_identity_association",
            {
                "association": {
                    **association,
                    "roleArn": f"arn:aws:iam::{account}:role/{POD_IDENTITY_ROLE}",
                    "createdAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                }
            },
            {"clusterName": cluster, "associationId": association["associationId"]},
        ),
    ]
    stub = Stubber(client)
    for method, response, params in responses:
        operation = "".join(part.title() for part in method.split("_"))
        if operation == deny_operation:
            stub.add_client_error(
                method,
                service_error_code="AccessDeniedException",
                service_message="not authorized",
                http_status_code=403,
                expected_params=params,
            )
            if method == "list_pod_identity_associations":
                break  # nothing to describe
        else:
            stub.add_response(method, response, params)
    stub.activate()
    return stub
