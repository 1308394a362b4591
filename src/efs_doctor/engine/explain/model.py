"""The values ``explain`` works with: facts, matches, context signals and ranked causes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SignalEffect = Literal["confirms", "rules_out", "raises"]
CauseStatus = Literal["confirmed", "likely", "possible", "ruled_out"]
EvidenceKind = Literal["signature", "fact", "context"]


@dataclass(frozen=True, slots=True)
class ContextSignal:
    """What some other source (inventory, mount simulation, live lookup) says about a cause.

    ``confirms`` puts the cause ahead of every unconfirmed one, ``rules_out`` puts it behind them,
    ``raises`` makes it more likely without settling it. ``origin`` names the producer
    (``"inventory"``, ``"simulate"``...), ``location`` the file:line or AWS object it read.
    """

    cause: str
    effect: SignalEffect
    evidence: str
    location: str | None = None
    origin: str = "context"


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: EvidenceKind
    text: str
    location: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "text": self.text, "location": self.location}


@dataclass(frozen=True, slots=True)
class Check:
    command: str
    look_for: str

    def to_json(self) -> dict[str, str]:
        return {"command": self.command, "look_for": self.look_for}


@dataclass(frozen=True, slots=True)
class MountArguments:
    """``Mounting arguments: -t efs -o <options> <source> <target>`` as kubelet logs it."""

    raw: str
    fs_type: str | None
    options: tuple[str, ...]
    source: str | None
    target: str | None

    @property
    def option_names(self) -> frozenset[str]:
        return frozenset(option.split("=", 1)[0].strip().lower() for option in self.options)

    @property
    def path(self) -> str | None:
        """The directory after ``fs-...:`` in the source (``/`` when absent)."""
        if self.source is None:
            return None
        _, sep, path = self.source.partition(":")
        return (path or "/") if sep else "/"


@dataclass(frozen=True, slots=True)
class CredentialsSource:
    """``AWS credentials source used for IAM authentication: <kind>:<detail>`` from mount.log."""

    kind: str
    detail: str
    role_arn: str | None


@dataclass(slots=True)
class Facts:
    """What the text itself tells. Every field is optional: users paste fragments."""

    file_system_id: str | None = None
    file_system_ids: list[str] = field(default_factory=list)
    access_point_id: str | None = None
    mount_options: list[str] | None = None
    mount_arguments: MountArguments | None = None
    region: str | None = None
    availability_zone: str | None = None
    exit_status: int | None = None
    pv: str | None = None
    pvc: str | None = None
    pod: str | None = None
    node: str | None = None
    storage_class: str | None = None
    credentials_source: CredentialsSource | None = None
    principal: str | None = None
    denied_action: str | None = None
    mount_target_ip: str | None = None
    driver_version: str | None = None
    efs_utils_version: str | None = None
    encrypt_in_transit: bool | None = None
    fargate: bool = False
    ipv6: bool = False
    redacted: list[str] = field(default_factory=list)
    controller_mount: bool = False
    """The mount is the CSI controller's own (access point root directory cleanup)."""
    server_path: str | None = None
    """The path in mount.nfs4's ``mounting <server>:<path> failed`` message."""
    mount_seconds: float | None = None
    """Seconds from the mount attempt to its failure, when both lines carry timestamps."""
    access_point_words: bool = False
    """The report speaks of an access point (even without an id or ``accesspoint=``)."""
    quoted_dns_name: str | None = None
    """A file system DNS name with quote marks inside it, which cannot resolve anywhere."""
    dns_name_region: str | None = None
    """The region inside a file system DNS name (fs-<id>.efs.<region>...)."""
    node_region: str | None = None
    """The node's region, from its EC2 private DNS name (ip-...<region>.compute.internal)."""

    def to_json(self) -> dict[str, object]:
        args = self.mount_arguments
        cred = self.credentials_source
        return {
            "file_system_id": self.file_system_id,
            "access_point_id": self.access_point_id,
            "mount_options": self.mount_options,
            "region": self.region,
            "exit_status": self.exit_status,
            "file_system_ids": self.file_system_ids,
            "availability_zone": self.availability_zone,
            "mount_arguments": None
            if args is None
            else {
                "raw": args.raw,
                "type": args.fs_type,
                "options": list(args.options),
                "source": args.source,
                "target": args.target,
            },
            "pv": self.pv,
            "pvc": self.pvc,
            "pod": self.pod,
            "node": self.node,
            "storage_class": self.storage_class,
            "credentials_source": None
            if cred is None
            else {"kind": cred.kind, "detail": cred.detail, "role_arn": cred.role_arn},
            "principal": self.principal,
            "denied_action": self.denied_action,
            "mount_target_ip": self.mount_target_ip,
            "driver_version": self.driver_version,
            "efs_utils_version": self.efs_utils_version,
            "encrypt_in_transit": self.encrypt_in_transit,
            "fargate": self.fargate,
            "ipv6": self.ipv6,
            "redacted": self.redacted,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """One signature found in one message block."""

    signature: str
    excerpt: str
    truncated: bool = False
    line: int | None = None


@dataclass(frozen=True, slots=True)
class RankedCause:
    id: str
    title: str
    score: float
    status: CauseStatus
    evidence: tuple[Evidence, ...]
    rules_out: tuple[str, ...]
    checks: tuple[Check, ...]
    fix: str
    signatures: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "status": self.status,
            "evidence": [item.to_json() for item in self.evidence],
            "rules_out": list(self.rules_out),
            "checks": [check.to_json() for check in self.checks],
            "fix": self.fix,
            "signatures": list(self.signatures),
        }


@dataclass(frozen=True, slots=True)
class ExplainedError:
    """One distinct error message in the text (repeats of the same event are folded)."""

    text: str
    origin: str
    matches: tuple[Match, ...]
    notes: tuple[str, ...]
    causes: tuple[RankedCause, ...]
    repeats: int = 1
    causal: tuple[str, ...] = ()
    """The signatures that name the failure (the others frame it or are benign)."""


@dataclass(frozen=True, slots=True)
class Explanation:
    facts: Facts
    errors: tuple[ExplainedError, ...]
    causes: tuple[RankedCause, ...]
    notes: tuple[str, ...]
    generic_checks: tuple[Check, ...]

    @property
    def recognised(self) -> bool:
        return bool(self.errors)

    def to_json(self) -> dict[str, object]:
        return {
            "schema_version": 1,
            "recognised": self.recognised,
            "facts": self.facts.to_json(),
            "causes": [cause.to_json() for cause in self.causes],
            "errors": [
                {
                    "text": error.text,
                    "origin": error.origin,
                    "repeats": error.repeats,
                    "signatures": [match.signature for match in error.matches],
                    "causal_signatures": list(error.causal),
                    "notes": list(error.notes),
                    "causes": [cause.id for cause in error.causes],
                }
                for error in self.errors
            ],
            "notes": list(self.notes),
            "generic_checks": [check.to_json() for check in self.generic_checks],
        }
