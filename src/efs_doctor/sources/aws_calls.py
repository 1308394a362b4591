"""The AWS API calls live mode may make, and one guarded way to make them.

:data:`CALLS` is the complete list: every request goes through :class:`AwsCaller`, whose
botocore ``before-parameter-build`` hook refuses any operation not in it (so a write cannot
happen even by mistake) and records each request, pages included. The least-privilege IAM policy in
``data/permissions`` is checked against this list by a test.

Errors never end the run: an access denial becomes an :class:`Inconclusive` that names the
IAM action to grant; other failures become one with the reason.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from efs_doctor.sources.live_clean import cli_shape
from efs_doctor.sources.live_progress import Progress, Step
from efs_doctor.sources.live_records import Collection, Inconclusive

# boto3 service name -> IAM service prefix
IAM_PREFIX = {
    "efs": "elasticfilesystem",
    "ec2": "ec2",
    "iam": "iam",
    "eks": "eks",
    "sts": "sts",
}


@dataclass(frozen=True, slots=True)
class AwsCall:
    service: str  # boto3 name
    operation: str  # API name, e.g. DescribeMountTargets
    page_size: int | None  # PaginationConfig PageSize; None: not paginated
    needs_permission: bool = True
    why: str = ""

    @property
    def iam_action(self) -> str:
        return f"{IAM_PREFIX[self.service]}:{self.operation}"

    @property
    def method(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.operation).lower()


# Page sizes: EFS and EKS answer at most 100 per page, EC2 and IAM 1,000 (API references).
CALLS: tuple[AwsCall, ...] = (
    AwsCall(
        "sts",
        "GetCallerIdentity",
        None,
        needs_permission=False,  # sts:GetCallerIdentity cannot be denied (STS API reference)
        why="the account and identity that collected",
    ),
    AwsCall("efs", "DescribeFileSystems", 100, why="the file systems the cluster uses"),
    AwsCall("efs", "DescribeMountTargets", 100, why="mount targets, one call per file system"),
    AwsCall("efs", "DescribeAccessPoints", 100, why="access points of those file systems"),
    AwsCall("efs", "DescribeFileSystemPolicy", None, why="file system policies"),
    AwsCall("ec2", "DescribeInstances", 1000, why="the instances behind the nodes"),
    AwsCall("ec2", "DescribeNetworkInterfaces", 1000, why="mount target network interfaces"),
    AwsCall("ec2", "DescribeSecurityGroups", 1000, why="mount target and node security groups"),
    AwsCall("ec2", "DescribeSubnets", 1000, why="subnets and availability zones"),
    AwsCall("ec2", "DescribeVpcs", 1000, why="VPCs of nodes and mount targets"),
    AwsCall("ec2", "DescribeVpcAttribute", None, why="VPC DNS support and hostnames"),
    AwsCall("ec2", "DescribeNetworkAcls", 1000, why="network ACLs on TCP 2049"),
    AwsCall(
        "iam",
        "GetAccountAuthorizationDetails",
        1000,
        why="roles that can mount, in one call; per-role calls below when denied",
    ),
    AwsCall("iam", "GetInstanceProfile", None, why="the role of each node instance profile"),
    AwsCall("iam", "GetRole", None, why="trust policy of each role that can mount"),
    AwsCall("iam", "ListRolePolicies", 1000, why="inline policy names of those roles"),
    AwsCall("iam", "GetRolePolicy", None, why="inline policy documents"),
    AwsCall("iam", "ListAttachedRolePolicies", 1000, why="managed policies of those roles"),
    AwsCall("iam", "GetPolicy", None, why="default version of each managed policy"),
    AwsCall("iam", "GetPolicyVersion", None, why="managed policy documents"),
    AwsCall("eks", "DescribeCluster", None, why="cluster OIDC issuer and VPC"),
    AwsCall("eks", "ListPodIdentityAssociations", 100, why="Pod Identity associations"),
    AwsCall(
        "eks",
        "DescribePodIdentityAssociation",
        None,
        why="the role of the EFS CSI driver's associations",
    ),
)
BY_OPERATION = {(c.service, c.operation): c for c in CALLS}

DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "Client.UnauthorizedOperation",
        "AuthorizationError",
        "Forbidden",
    }
)
BAD_CREDENTIALS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "InvalidAccessKeyId",
    }
)


def brief(message: str, limit: int = 200) -> str:
    """One line of an error message; an HTML error page (an endpoint that lacks the
    operation answers with one) becomes its title."""
    title = re.search(r"<title>(.*?)</title>", message, flags=re.I | re.S)
    text = title.group(1) if title else re.sub(r"<[^>]+>", " ", message)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MalformedAnswer(RuntimeError):
    """A successful answer whose body is not JSON (cut off on the way, or not from AWS)."""


def _check_json_body(http_response: Any, model: Any, **_: Any) -> None:
    """botocore reads a successful JSON answer it cannot parse as an empty one (every list
    empty), which would pass for "none exist"; such an answer is a failure instead."""
    import json

    if not 200 <= http_response.status_code < 300 or http_response.raw is None:
        return  # an error (botocore raises it next), or a test's Stubber answer
    try:
        json.loads(http_response.content or b"")
    except ValueError:
        size = len(http_response.content or b"")
        raise MalformedAnswer(
            f"the {model.name} answer is not valid JSON ({size} bytes: cut off or not from AWS)"
        ) from None


class ReadOnlyViolation(RuntimeError):
    """Raised by the request hook for any operation outside :data:`CALLS`."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A call that returned an error this caller expects (e.g. PolicyNotFound)."""

    code: str
    message: str


class AwsCaller:
    """Makes the calls of :data:`CALLS` on a fixed set of clients, one per service."""

    def __init__(
        self,
        clients: Mapping[str, Any],
        collection: Collection,
        progress: Progress | None = None,
    ) -> None:
        self.clients = dict(clients)
        self.collection = collection
        self.progress = progress
        self._stop_reason: str | None = None
        self._unreachable: set[str] = set()  # services whose endpoint did not answer
        self._lock = threading.Lock()
        for service, client in self.clients.items():
            # before-parameter-build comes before any request is built or answered (a test's
            # Stubber answers at before-call), once per request, paginated pages included
            client.meta.events.register_first("before-parameter-build", self._hook(service))
            if client.meta.service_model.protocol in ("json", "rest-json"):
                client.meta.events.register("after-call", _check_json_body)

    def _hook(self, service: str) -> Any:
        def before_request(model: Any, **_: Any) -> None:
            if (service, model.name) not in BY_OPERATION:
                raise ReadOnlyViolation(f"{service}:{model.name} is not a read-only call we make")
            self.collection.calls.add("aws", f"{service}:{model.name}")

        return before_request

    @property
    def stopped(self) -> str | None:
        """Why AWS collection stopped early (no credentials, no region), if it did."""
        return self._stop_reason

    def call(
        self,
        service: str,
        operation: str,
        what: str,
        expected: frozenset[str] = frozenset(),
        **params: Any,
    ) -> dict[str, Any] | Failure | None:
        """The answer in AWS CLI shape (all pages merged), a :class:`Failure` for an expected
        error code, or None after recording an :class:`Inconclusive`."""
        spec = BY_OPERATION[(service, operation)]
        if self._stop_reason is not None:
            return None
        if service in self._unreachable:
            # one unreachable endpoint would otherwise cost every later call its retries
            label = f"aws {service} {operation}" + (f" ({what})" if what else "")
            self._record(Inconclusive(label, f"skipped: the {service} endpoint did not answer"))
            return None
        client = self.clients[service]
        with Step(self.progress, f"aws {service} {operation}"):
            try:
                if spec.page_size is not None:
                    paginator = client.get_paginator(spec.method)
                    pages = paginator.paginate(
                        **params, PaginationConfig={"PageSize": spec.page_size}
                    )
                    answer = pages.build_full_result()
                else:
                    answer = getattr(client, spec.method)(**params)
            except Exception as error:
                return self._failed(spec, what, error, expected)
        shaped = cli_shape(answer)
        return shaped if isinstance(shaped, dict) else {}

    def _failed(
        self, spec: AwsCall, what: str, error: Exception, expected: frozenset[str]
    ) -> Failure | None:
        from botocore.exceptions import (
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            NoRegionError,
            PartialCredentialsError,
        )

        if isinstance(error, ReadOnlyViolation):
            raise error
        label = (
            f"aws {spec.service} {spec.operation} ({what})"
            if what
            else (f"aws {spec.service} {spec.operation}")
        )
        if isinstance(error, NoCredentialsError | PartialCredentialsError):
            self._stop("no AWS credentials found (default chain, --profile)")
            return None
        if isinstance(error, NoRegionError):
            from efs_doctor.sources.aws_live_region import no_region_reason

            self._stop(no_region_reason())
            return None
        if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
            with self._lock:
                self._unreachable.add(spec.service)
            self._record(Inconclusive(label, f"cannot reach the endpoint: {brief(str(error))}"))
            return None
        if not isinstance(error, ClientError):
            # one line: a parser error quotes the whole answer it could not read
            self._record(Inconclusive(label, f"{type(error).__name__}: {brief(str(error))}"))
            return None
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "")
        message = str(details.get("Message") or "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in expected:
            return Failure(code, message)
        if code in DENIED or (status == 403 and code not in BAD_CREDENTIALS):
            self._record(Inconclusive(label, f"access denied ({code or status})", spec.iam_action))
        elif code in BAD_CREDENTIALS:
            self._record(Inconclusive(label, f"AWS rejected the credentials ({code})"))
        else:
            text = brief(message)
            reason = text if text.startswith(code or str(status)) else f"{code or status}: {text}"
            self._record(Inconclusive(label, reason))
        return None

    def _record(self, item: Inconclusive) -> None:
        self.collection.add_inconclusive(item)

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self._stop_reason is None:
                self._stop_reason = reason
                self.collection.add_inconclusive(Inconclusive("aws", reason))
