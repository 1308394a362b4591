"""EFS authorisation of the mount through the IAM engine (efs-semantics.md §4.4-§4.7); the
cause id of a denial comes from :mod:`efs_doctor.engine.mount.denial`.

The IAM engine (``efs_doctor.engine.iam``) decides each Client* action. This module builds its
request (principal, TLS, access point ARN, source address) and supplies the file system
policy and the principal's identity policies; what the inputs do not hold (identity
policies, a permissions boundary) the IAM engine weighs itself (``identities_known``): a
verdict they could change is ``indeterminate``. Evaluations are cached per distinct
(file system, policy, principal, request).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from efs_doctor.data.references import section_url
from efs_doctor.engine.iam import (
    CLIENT_MOUNT,
    CLIENT_ROOT,
    CLIENT_WRITE,
    AccessEvaluation,
    NfsRequest,
    ParsedPolicy,
    evaluate_client_access,
    parse_policy,
)
from efs_doctor.engine.iam.file_systems import (
    access_point_arn_beside,
    file_systems_named,
    is_file_system_arn,
    this_file_system_arn,
)
from efs_doctor.engine.iam.permissions import permission
from efs_doctor.engine.mount.credentials import Principal
from efs_doctor.engine.mount.denial import DENIAL_LEADS, classify_denial
from efs_doctor.engine.mount.model import StepStatus
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.model.aws import FileSystemPolicy

ACTIONS = (CLIENT_MOUNT, CLIENT_WRITE, CLIENT_ROOT)
SHORT = {CLIENT_MOUNT: "ClientMount", CLIENT_WRITE: "ClientWrite", CLIENT_ROOT: "ClientRootAccess"}


@dataclass(frozen=True, slots=True)
class Authorization:
    status: StepStatus
    mount: bool | None
    write: bool | None
    root: bool | None
    principal: str
    principal_session: str | None
    evidence: tuple[str, ...]
    source: str
    cause: str | None = None
    reason: str | None = None
    evaluation: AccessEvaluation | None = None


@dataclass(frozen=True, slots=True)
class _Identity:
    policies: tuple[ParsedPolicy, ...]
    complete: bool
    missing: tuple[str, ...]


_ANONYMOUS = _Identity((), True, ())


def _location(policy: FileSystemPolicy) -> str:
    source = policy.source
    if source.path is None:
        return section_url("4.4")
    return f"{source.path}:{source.line}" if source.line else source.path


class Authorizer:
    def __init__(self, view: InventoryView) -> None:
        self.view = view
        self._policies: dict[str, tuple[ParsedPolicy | None, bool, str, str]] = {}
        self._identities: dict[str, _Identity] = {}
        self._evaluations: dict[tuple[object, ...], AccessEvaluation] = {}

    # ---- inputs --------------------------------------------------------------------------
    def file_system_policy(self, fs_id: str) -> tuple[ParsedPolicy | None, bool, str, str]:
        """(parsed policy or None, known?, description, source)."""
        cached = self._policies.get(fs_id)
        if cached is not None:
            return cached
        policy = self.view.inventory.policies.get(fs_id)
        if policy is None:
            result: tuple[ParsedPolicy | None, bool, str, str] = (
                None,
                False,
                # contracts.md: only a saved PolicyNotFound answer means the default policy.
                "file system policy not among the inputs (an unknown policy is not the default "
                "policy)",
                section_url("4.2"),
            )
        elif policy.absent:
            result = (
                None,
                True,
                "no file system policy (PolicyNotFound): the EFS default policy applies, full "
                "access for any client that reaches a mount target",  # efs-semantics.md §4.2
                _location(policy),
            )
        else:
            parsed = parse_policy(
                policy.document,
                kind="resource",
                path=policy.source.path,
                text=policy.text if policy.text_source is not None else None,
            )
            statements = len(parsed.policy.statements)
            result = (
                parsed,
                True,
                f"file system policy with {statements} statement(s) at {_location(policy)}",
                _location(policy),
            )
        self._policies[fs_id] = result
        return result

    def _identity(self, role_arn: str) -> _Identity:
        cached = self._identities.get(role_arn)
        if cached is None:
            found = self.view.role_policies(role_arn)
            complete = not found.missing and found.boundary_missing is None
            missing = (
                *found.missing,
                *([found.boundary_missing] if found.boundary_missing else []),
            )
            cached = _Identity(found.identity, complete, tuple(missing))
            self._identities[role_arn] = cached
        return cached

    def _arn(
        self, fs_id: str, region: str | None, principal: Principal | None
    ) -> tuple[str, str | None]:
        """The file system ARN, and a note when part of it had to be assumed: the described
        ARN, else the one its policy names, else the symbolic "this file system" ARN the IAM
        engine builds from what the inputs and the policy say (engine/iam/file_systems.py)."""
        fs = self.view.file_system(fs_id)
        note = None
        if fs is not None and fs.arn:
            if is_file_system_arn(fs.arn):
                return fs.arn, None
            note = f"FileSystemArn {fs.arn[:120]!r} is not a file system ARN: ignored"
        parsed = self.file_system_policy(fs_id)[0]
        named = file_systems_named(parsed.policy) if parsed is not None else ()
        mine = [arn for arn in named if arn.endswith(f":file-system/{fs_id}")]
        if mine:
            return mine[0], note
        role_parts = principal.role_arn.split(":") if principal is not None else []
        principal_account = role_parts[4] or None if len(role_parts) > 4 else None
        symbolic = this_file_system_arn(
            fs_id,
            parsed.policy if parsed is not None else None,
            region=self.view.region_of_file_system(fs_id) or region,
            account=self.view.account_of_file_system(fs_id),
            principal_account=principal_account,
        )
        built = symbolic.arn
        notes = [note] if note else []
        notes.extend(symbolic.assumed)
        if not is_file_system_arn(built) or built.count(":") != 5:
            # a region or account read from input held a ':' (the loader keeps strings)
            notes.append("the file system's region or account is unreadable: placeholders used")
            built = this_file_system_arn(fs_id, None, region=None, account=None).arn
        return built, "; ".join(notes) or None

    # ---- evaluation ----------------------------------------------------------------------
    def _evaluate(
        self,
        policy: tuple[ParsedPolicy | None, bool],
        identity: _Identity,
        request: NfsRequest,
        actions: Sequence[str],
    ) -> AccessEvaluation:
        """``policy``: the parsed file system policy (None: none) and whether it is known.
        Identity policies that are not among the inputs are the IAM engine's to weigh
        (``identities_known``): what they could grant is undecided, never assumed."""
        parsed, known = policy
        key = (id(parsed), known, id(identity), request, tuple(actions))
        cached = self._evaluations.get(key)
        if cached is None:
            cached = evaluate_client_access(
                parsed,
                known,
                identity.policies,
                request,
                actions,
                identities_known=identity.complete,
            )
            self._evaluations[key] = cached
        return cached

    def client_access(
        self,
        fs_id: str,
        principal: Principal | None,
        *,
        tls: bool,
        access_point: str | None,
        source_ip: str | None,
        region: str | None,
    ) -> Authorization:
        """``access_point``: its ARN, or its id when the ARN is not known (then built beside
        the file system's: same partition, region and account)."""
        parsed, known, description, source = self.file_system_policy(fs_id)
        arn, arn_note = self._arn(fs_id, region, principal)
        access_point_arn = access_point
        if access_point is not None and not access_point.startswith("arn:"):
            access_point_arn = access_point_arn_beside(arn, access_point)
        evidence = [description]
        if arn_note:
            evidence.append(arn_note)
        try:
            request = NfsRequest(
                arn,
                principal=principal.role_arn if principal else "anonymous",
                session_arn=principal.session_arn if principal else None,
                secure_transport=tls,
                access_point_arn=access_point_arn if tls else None,
                # In-VPC clients always reach EFS from a private address; the exact node
                # address only matters for public ranges, which never match (§4.5).
                source_ip=source_ip or "10.0.0.1",
            )
        except ValueError as error:  # a role ARN read from input that is not an ARN
            reason = f"the request EFS would see cannot be built: {error}"
            return Authorization(
                "indeterminate",
                None,
                None,
                None,
                principal.role_arn if principal else "anonymous",
                None,
                (*evidence, reason),
                source,
                reason=reason,
            )
        if principal is None:
            identity = _ANONYMOUS
        else:
            identity = self._identity(principal.role_arn)
            if not identity.complete:
                missing = ", ".join(identity.missing)
                evidence.append(f"identity policies not among the inputs: {missing}")
        low = self._evaluate((parsed, known), identity, request, ACTIONS)
        context = ", ".join(f"{k}={v}" for k, v in low.context.items())
        evidence.append(f"request: principal {low.principal}; {context}")
        decisions: dict[str, tuple[str, str]] = {}
        previous: tuple[str, str] | None = None
        for action in ACTIONS:
            decided = low.decisions[action]
            decisions[action] = (decided.decision, decided.summary)
            verdict, summary = decisions[action]
            if previous is not None and summary == previous[1]:
                summary = f"as {SHORT[previous[0]]}"
            else:
                previous = (action, summary)
            evidence.append(f"{SHORT[action]}: {verdict} - {summary}")
        evidence.extend(f"note: {n}" for n in low.notes)
        mount = _allowed(decisions[CLIENT_MOUNT][0])
        write = _gated(mount, _allowed(decisions[CLIENT_WRITE][0]))
        root = _gated(mount, _allowed(decisions[CLIENT_ROOT][0]))
        who = low.principal
        if mount is True:
            return Authorization(
                "ok",
                True,
                write,
                root,
                who,
                low.principal_session,
                tuple(evidence),
                source,
                evaluation=low,
            )
        if mount is False:
            cause = classify_denial(low, principal is None, tls)
            return Authorization(
                "failed",
                False,
                False,
                False,
                who,
                low.principal_session,
                tuple(evidence),
                source,
                cause=cause,
                reason=f"{DENIAL_LEADS.get(cause, '')}EFS denies ClientMount to {who}: "
                f"{decisions[CLIENT_MOUNT][1]}",
                evaluation=low,
            )
        mount_decision = low.decisions[CLIENT_MOUNT]
        unsettled = (
            "policy-unsupported-condition-key"
            if mount_decision.reason == "unenforced-condition-key"
            else None
        )
        return Authorization(
            "indeterminate",
            None,
            write,
            root,
            who,
            low.principal_session,
            tuple(evidence),
            source,
            cause=unsettled,
            reason=f"ClientMount for {who}: {decisions[CLIENT_MOUNT][1]}"
            + (
                f" (not among the inputs: {', '.join(identity.missing)})"
                if identity.missing
                else ""
            ),
            evaluation=low,
        )

    def api_permission(self, principal: Principal, action: str, fs_id: str) -> str:
        """allow | deny | unknown for an API call the botocore fallback makes (§2.7). An EFS
        action is decided with the file system policy when it is known (it may grant
        DescribeMountTargets across accounts); another service's, by the role's own policies
        (engine/iam/permissions.py)."""
        if not action.lower().startswith("elasticfilesystem:"):
            found = permission(
                self.view.role_policies(principal.role_arn),
                principal.role_arn,
                action,
                resource=None,
            )
            return found.verdict
        parsed, known, _, _ = self.file_system_policy(fs_id)
        arn, _ = self._arn(fs_id, None, principal)
        request = NfsRequest(
            arn,
            principal=principal.role_arn,
            session_arn=principal.session_arn,
            accessed_via_mount_target=False,
        )
        identity = self._identity(principal.role_arn)
        policy = (parsed if known else None, True)
        verdict = self._evaluate(policy, identity, request, (action,)).decisions[action].decision
        return {"allow": "allow", "deny": "deny"}.get(verdict, "unknown")


def _allowed(decision: str) -> bool | None:
    return None if decision == "indeterminate" else decision == "allow"


def _gated(mount: bool | None, own: bool | None) -> bool | None:
    if mount is False or own is False:
        return False
    return True if (mount and own) else None
