"""Which IAM principal an ``iam`` mount presents: the efs-utils credential chain as it runs
inside the efs-plugin container (efs-semantics.md §2.8, §3.5).

Order at efs-utils v3.2.0 (``aws_credentials.py`` ``get_aws_security_credentials``):
``awscredsuri`` (stripped by the driver), ``rolearn``+``jwtpath`` options (skip the profile
step), ``awsprofile``/``AWS_PROFILE``/``[default]`` profile (fatal when named but missing),
ECS relative URI, EKS Pod Identity (v2.3.0+), web identity (options, then the IRSA
environment), the instance profile from IMDS, else a fatal error. Steps after the profile are
non-fatal: a broken IRSA set-up silently yields the node instance role.

For the botocore mount-target fallback (§2.7) botocore's own chain is used: web identity
before the container (Pod Identity) provider, then IMDS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from efs_doctor.data.references import section_url
from efs_doctor.engine.iam.trust import TrustDecision
from efs_doctor.engine.mount.admission import MountRequest
from efs_doctor.engine.mount.irsa import (
    IRSA_SESSION,
    IRSA_TOKEN_FILE,
    association_trust,
    irsa_trust,
)
from efs_doctor.engine.mount.model import Step, StepStatus, step
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.versions import Versions
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.model.aws import PodIdentityAssociation
from efs_doctor.model.chain import DRIVER_NAMESPACE, NODE_SERVICE_ACCOUNT
from efs_doctor.model.kubernetes import ServiceAccount

NO_CREDENTIALS = (
    "AWS Access Key ID and Secret Access Key are not found in AWS credentials file "
    "(/root/.aws/credentials), config file (/root/.aws/config), from ECS credentials relative "
    "uri, or from the instance security credentials service"
)


@dataclass(frozen=True, slots=True)
class Principal:
    """An IAM role EFS will see, and how efs-utils gets its credentials."""

    role_arn: str
    session_arn: str | None
    source: str  # as efs-utils logs it: "webidentity:...", "podidentity", "metadata:"
    how: str


@dataclass(frozen=True, slots=True)
class Credentials:
    """``candidates``: the principal(s) efs-utils may end up with, most likely first; more
    than one when an input that decides between them is missing."""

    status: StepStatus
    candidates: tuple[Principal, ...]
    evidence: tuple[str, ...]
    error: str | None = None
    cause: str | None = None
    reason: str | None = None
    source: str = section_url("2.8")


def _session_arn(role_arn: str, session: str | None) -> str | None:
    parts = role_arn.split(":", 5)
    if session is None or len(parts) != 6 or not parts[5].startswith("role/"):
        return None
    name = parts[5].rsplit("/", 1)[-1]
    return f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{name}/{session}"


def _where(sa: ServiceAccount | None) -> str:
    if sa is None or sa.source.path is None:
        return section_url("3.5")
    return f"{sa.source.path}:{sa.source.line}" if sa.source.line else sa.source.path


class CredentialChain:
    def __init__(self, view: InventoryView, versions: Versions) -> None:
        self.view = view
        self.versions = versions
        # Answers per (options read, placement, service account, botocore): every chain on
        # a placement asks the same question (issue 8). The objects are kept beside the
        # answer so an id reused after garbage collection never matches.
        self._resolved: dict[
            tuple[object, ...], tuple[Placement, ServiceAccount | None, Credentials]
        ] = {}

    def _node_sa(self, sa: ServiceAccount | None) -> tuple[str, str]:
        if sa is not None:
            return sa.namespace, sa.name
        return DRIVER_NAMESPACE, NODE_SERVICE_ACCOUNT

    def _instance_role(self, placement: Placement, notes: list[str]) -> Principal | str | None:
        """The node's instance-profile role, ``None`` when it has none, or a string saying why
        it is not known."""
        if placement.imds_disabled:
            notes.append("instance metadata is disabled (HttpEndpoint=disabled): no instance role")
            return None
        instance = placement.instance
        if instance is None:
            return (
                "the node's instance (describe-instances) is not among the inputs"
                if placement.nodes
                else "no node loaded for this zone: its instance role is not known"
            )
        if not instance.instance_profile_arn:
            notes.append(f"instance {instance.id} has no instance profile")
            return None
        role = placement.instance_role
        if role is None:
            return (
                f"the role of instance profile {instance.instance_profile_arn} is not among the "
                "inputs (aws iam get-account-authorization-details)"
            )
        return Principal(
            role.arn,
            _session_arn(role.arn, instance.id),
            "metadata:",
            f"node instance role {role.name} from IMDS (instance {instance.id})",
        )

    def resolve(
        self,
        options: Mapping[str, str | None],
        placement: Placement,
        node_sa: ServiceAccount | None,
        *,
        botocore: bool = False,
    ) -> Credentials:
        key = (
            "awscredsuri" in options,
            options.get("rolearn"),
            options.get("jwtpath"),
            options.get("awsprofile"),
            id(placement),
            id(node_sa),
            botocore,
        )
        found = self._resolved.get(key)
        if found is not None and found[0] is placement and found[1] is node_sa:
            return found[2]
        credentials = self._resolve(options, placement, node_sa, botocore=botocore)
        self._resolved[key] = (placement, node_sa, credentials)
        return credentials

    def _resolve(
        self,
        options: Mapping[str, str | None],
        placement: Placement,
        node_sa: ServiceAccount | None,
        *,
        botocore: bool = False,
    ) -> Credentials:
        evidence: list[str] = []
        namespace, sa_name = self._node_sa(node_sa)
        if "awscredsuri" in options:
            return Credentials(
                "indeterminate",
                (),
                (
                    "awscredsuri points at the ECS credentials endpoint 169.254.170.2, absent "
                    "on EKS",
                ),
                reason="awscredsuri reached efs-utils (driver older than 1.4.2): not modelled",
            )
        role_option = options.get("rolearn")
        jwt_option = options.get("jwtpath")
        explicit = bool(role_option and jwt_option) and not botocore
        if not explicit and not botocore and options.get("awsprofile"):
            profile = options["awsprofile"]
            return Credentials(
                "indeterminate",
                (),
                (
                    f"awsprofile={profile}: credentials come from /root/.aws/credentials or "
                    "/root/.aws/config inside the efs-plugin container, which efs-doctor cannot "
                    "see (the driver image ships none)",
                ),
                error=(
                    "AWS security credentials not found in /root/.aws/credentials or "
                    f"/root/.aws/config under named profile [{profile}]"
                ),
                reason=f"the named profile {profile} is only known inside the container; "
                "without it efs-utils fails as shown",
            )
        candidates: list[Principal] = []
        uncertain: list[str] = []
        sources: list[str] = []
        # Pod Identity (efs-utils 2.3.0+; botocore: after web identity).
        association = self.view.inventory.pod_identity_association(namespace, sa_name)
        if association is None and not self.view.has_pod_identity:
            evidence.append("Pod Identity associations not provided: assuming none for the node SA")
        irsa_role_arn = node_sa.irsa_role_arn if node_sa is not None else None
        if node_sa is None:
            evidence.append(
                f"{namespace}/{sa_name} is not among the inputs: assuming no IRSA annotation "
                "(the EKS guide configures only the controller service account)"  # §3.5
            )
        order: list[str] = (
            ["webidentity", "podidentity"] if botocore else ["podidentity", "webidentity"]
        )
        for source_kind in order:
            if candidates and not uncertain:
                break
            if source_kind == "podidentity" and association is not None:
                if not self.versions.pod_identity and not botocore:
                    evidence.append(
                        f"Pod Identity association for {namespace}/{sa_name} is ignored: "
                        f"efs-utils {self.versions.efs_utils} < 2.3.0"
                    )
                    continue
                pod_identity = self._pod_identity(association, evidence, uncertain)
                if pod_identity is not None:
                    candidates.append(pod_identity)
                    sources.append(_where(node_sa))
            elif source_kind == "webidentity":
                options_pair = (
                    (role_option, jwt_option) if explicit and role_option and jwt_option else None
                )
                found = self._web_identity(
                    options_pair, irsa_role_arn, (namespace, sa_name), evidence, uncertain
                )
                if found is not None:
                    candidates.append(found)
                    sources.append(_where(node_sa))
        if candidates and not uncertain:
            return Credentials(
                "ok", tuple(candidates[:1]), tuple(evidence), source=sources[0] if sources else ""
            )
        notes: list[str] = []
        instance = self._instance_role(placement, notes)
        evidence.extend(notes)
        if isinstance(instance, Principal):
            candidates.append(instance)
            if not uncertain:
                evidence.append(f"credentials: {instance.how}")
                return Credentials("ok", (instance,), tuple(evidence), source=section_url("3.5"))
            return Credentials(
                "ok",
                tuple(candidates),
                tuple(evidence),
                reason="; ".join(uncertain),
                source=section_url("2.8"),
            )
        if isinstance(instance, str):
            evidence.append(instance)
            return Credentials(
                "indeterminate",
                tuple(candidates),
                tuple(evidence),
                reason=f"which principal efs-utils uses is not known: {instance}",
            )
        if candidates:  # web identity uncertain, nothing after it
            return Credentials(
                "indeterminate",
                tuple(candidates),
                tuple(evidence),
                error=NO_CREDENTIALS,
                reason="; ".join(uncertain) + "; if that fails no credential source remains",
            )
        cause = "irsa-trust-policy" if irsa_role_arn else "no-iam-credentials"
        return Credentials(
            "failed",
            (),
            tuple(evidence),
            error=NO_CREDENTIALS,
            cause=cause,
            reason="no credential source is available to efs-utils in the efs-plugin container",
        )

    def _pod_identity(
        self, association: PodIdentityAssociation, evidence: list[str], uncertain: list[str]
    ) -> Principal | None:
        """The associated role when the trust policy lets EKS Pod Identity assume it; None
        when it certainly does not (efs-utils goes on to the next source, §2.8 step 5)."""
        role_arn = association.role_arn
        key = f"{association.namespace}/{association.service_account}"
        evidence.append(f"EKS Pod Identity association: {key} -> {role_arn}")
        principal = Principal(
            role_arn,
            None,
            "podidentity",
            f"EKS Pod Identity role {role_arn} (association for {key})",
        )
        trust = association_trust(self.view.inventory, association)
        return _admitted(principal, trust, "the EKS Pod Identity exchange", evidence, uncertain)

    def _web_identity(
        self,
        explicit: tuple[str, str] | None,
        irsa_role_arn: str | None,
        service_account: tuple[str, str],
        evidence: list[str],
        uncertain: list[str],
    ) -> Principal | None:
        """``explicit``: the rolearn/jwtpath options; ``service_account``: (namespace, name)."""
        namespace, sa_name = service_account
        if not self.versions.web_identity:
            return None
        if explicit is not None:
            role_option, jwt_option = explicit
            evidence.append(f"rolearn={role_option} jwtpath={jwt_option} mount options")
            uncertain.append(
                # efs-semantics.md §3.4: the driver lower-cases every mount flag
                "the rolearn/jwtpath options were lower-cased by the driver and the token "
                "file is inside the container: whether AssumeRoleWithWebIdentity succeeds is not "
                "known"
            )
            return Principal(
                role_option,
                _session_arn(role_option, IRSA_SESSION),
                f"webidentity:{role_option},{jwt_option}",
                f"role {role_option} from the rolearn/jwtpath options",
            )
        if not irsa_role_arn:
            return None
        role = self.view.role(irsa_role_arn)
        arn = role.arn if role is not None else irsa_role_arn
        principal = Principal(
            arn,
            _session_arn(arn, IRSA_SESSION),
            f"webidentity:{arn},{IRSA_TOKEN_FILE}",
            f"IRSA role {arn} ({namespace}/{sa_name} annotation eks.amazonaws.com/role-arn)",
        )
        evidence.append(f"{namespace}/{sa_name} is annotated eks.amazonaws.com/role-arn={arn}")
        trust = irsa_trust(self.view.inventory, irsa_role_arn, namespace, sa_name)
        return _admitted(principal, trust, "AssumeRoleWithWebIdentity", evidence, uncertain)


def _admitted(
    principal: Principal,
    trust: TrustDecision,
    exchange: str,
    evidence: list[str],
    uncertain: list[str],
) -> Principal | None:
    """``principal`` when the IAM engine's trust verdict admits it, None when it refuses it
    (efs-utils falls through to the next source), and ``principal`` noted as uncertain when
    the verdict is unknown."""
    if trust.verdict == "ok":
        evidence.append(f"trust policy: {trust.summary}")
        evidence.append(f"credentials: {principal.how}")
        return principal
    if trust.verdict == "fails":
        evidence.append(
            f"trust policy: {trust.summary} -> {exchange} fails and efs-utils silently falls "
            "through to the next source"  # efs-semantics.md §2.8
        )
        return None
    evidence.append(f"trust policy: {trust.summary}")
    uncertain.append(
        f"whether {trust.requester} can assume {principal.role_arn} is not known ({trust.summary})"
    )
    return principal


# efs-semantics.md §4.1
ANONYMOUS_STEP_EVIDENCE = (
    "no iam option: efs-utils sends no credentials, EFS sees an anonymous client"
)


def credentials_step(credentials: Credentials | None, request: MountRequest) -> Step:
    """The credentials step; ``None``: no ``iam`` option, so none are looked up."""
    if credentials is None:
        return step("credentials", "skipped", [ANONYMOUS_STEP_EVIDENCE], section_url("4.1"))
    evidence = list(credentials.evidence)
    if len(credentials.candidates) > 1:
        evidence.append(
            "principal: " + " or, if that fails, ".join(c.role_arn for c in credentials.candidates)
        )
    error = None
    if credentials.status == "failed" and credentials.error:
        error = request.efs_utils_error(credentials.error)
    return step(
        "credentials",
        credentials.status,
        evidence,
        credentials.source or section_url("2.8"),
        cause=credentials.cause,
        error=error,
        reason=credentials.reason,
    )
