"""Linting file system policies and deciding one NFS client's access, for ``efs-doctor policy``.

The IAM engine (``efs_doctor.engine.iam``) reads, lints and evaluates; this module reads the
files, builds the engine's request from what the caller gave, and says what is missing.
Argument parsing and rendering stay in ``commands/policy.py`` and ``report/policy.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from efs_doctor.engine.iam import (
    CLIENT_ACTIONS,
    AccessEvaluation,
    LintFinding,
    NfsRequest,
    PolicyProblem,
    evaluate_client_access,
    lint_policy,
)
from efs_doctor.engine.iam.documents import PolicyInput, read_policy_input
from efs_doctor.engine.iam.file_systems import file_systems_named
from efs_doctor.engine.iam.model import PolicyKind
from efs_doctor.engine.iam.parsed import PolicyTextError
from efs_doctor.engine.iam.principals import principal_from_arn
from efs_doctor.errors import UsageError

ABSENT_NOTE = "the file system has no policy (PolicyNotFound): the EFS default policy applies"
# Where a file system comes from when neither the caller nor the policy names one: any ARN
# will do for the decision, which depends on the policy's Resource only through it.
PLACEHOLDER_FILE_SYSTEM = "fs-00000000000000000"
PLACEHOLDER_ACCOUNT = "111122223333"
PLACEHOLDER_REGION = "us-east-1"


class PolicyInputError(Exception):
    """Input the command cannot use: one ``file:line:col: problem`` line each (exit 2)."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = tuple(lines)


def read_policy_file(path: str, kind: PolicyKind) -> tuple[str, PolicyInput]:
    """(the path as shown, the policy); raises PolicyInputError when unreadable or not JSON."""
    from efs_doctor.model.problems import InputProblem
    from efs_doctor.sources.files import read_input

    problems: list[InputProblem] = []
    found = read_input(path, problems)
    if found is None:
        raise PolicyInputError([str(problems[0]) if problems else f"{path}: cannot read"])
    try:
        return found.path, read_policy_input(found.text, kind=kind, path=found.path)
    except PolicyTextError as bad:
        raise PolicyInputError([f"{found.path}:{bad.line}:{bad.column}: {bad.message}"]) from None


# ---- policy check ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedPolicy:
    path: str
    findings: tuple[LintFinding, ...] = ()
    errors: tuple[PolicyProblem, ...] = ()
    note: str | None = None

    @property
    def counted(self) -> int:
        """Findings that make the check fail (info findings do not)."""
        return sum(1 for f in self.findings if f.severity != "info")


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    files: tuple[CheckedPolicy, ...]
    error_lines: tuple[str, ...]  # unreadable files and grammar errors, in input order

    @property
    def counted(self) -> int:
        return sum(f.counted for f in self.files)

    @property
    def usable(self) -> bool:
        """Whether any file was read and is within the policy grammar (a bad file beside
        good ones is an error line, not a failed run)."""
        return any(not f.errors for f in self.files)


def check_policies(paths: Sequence[str], *, identity: bool = False) -> PolicyCheck:
    """Lint every file; an unreadable one is an error line and the others are still checked."""
    kind: PolicyKind = "identity" if identity else "resource"
    files: list[CheckedPolicy] = []
    error_lines: list[str] = []
    for path in paths:
        try:
            shown, loaded = read_policy_file(path, kind)
        except PolicyInputError as error:
            error_lines.extend(error.lines)
            continue
        parsed = loaded.parsed
        if parsed is None:
            files.append(CheckedPolicy(shown, note=ABSENT_NOTE))
            continue
        error_lines.extend(problem.format(shown) for problem in parsed.errors)
        files.append(CheckedPolicy(shown, tuple(lint_policy(parsed)), parsed.errors))
    return PolicyCheck(tuple(files), tuple(error_lines))


# ---- policy simulate ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """One NFS client against one file system policy, as the caller describes them."""

    policy_file: str
    principal: str
    session_arn: str | None = None
    tls: bool = True
    access_point: str | None = None
    identity_policy_files: tuple[str, ...] = ()
    account: str | None = None  # the file system's
    file_system: str | None = None  # ARN, or ID with region and account
    region: str | None = None
    source_ip: str | None = None
    via_mount_target: bool = True
    actions: tuple[str, ...] = field(default=())  # decided besides the Client* actions


@dataclass(frozen=True, slots=True)
class PolicySimulation:
    evaluation: AccessEvaluation
    file_system: str
    policy_source: str | None  # the policy file, None when the file system has no policy


def simulate_policy(request: SimulationRequest) -> PolicySimulation:
    """The engine's decision for each action. Raises PolicyInputError for unusable files and
    UsageError for a request that cannot be built.

    Identity policies given with the request are taken as all of the principal's; without
    any, a decision that depends on them is indeterminate (the engine's
    ``identities_known``)."""
    shown, loaded = read_policy_file(request.policy_file, "resource")
    identities = [read_policy_file(path, "identity") for path in request.identity_policy_files]
    errors = [p.format(shown) for p in loaded.parsed.errors] if loaded.parsed else []
    for identity_shown, identity in identities:
        if identity.parsed is None:
            errors.append(f"{identity_shown}: not an identity policy")
        else:
            errors += [p.format(identity_shown) for p in identity.parsed.errors]
    if errors:
        raise PolicyInputError(errors)
    nfs_request = _nfs_request(request, loaded)
    if request.account and nfs_request.file_system_account != request.account:
        raise UsageError(
            f"--account {request.account} contradicts the file system ARN "
            f"{nfs_request.file_system_arn}"
        )
    actions = list(CLIENT_ACTIONS) + [a for a in request.actions if a not in CLIENT_ACTIONS]
    evaluation = evaluate_client_access(
        loaded.parsed,
        True,
        [identity.parsed for _, identity in identities if identity.parsed is not None],
        nfs_request,
        actions,
        identities_known=bool(identities),
    )
    return PolicySimulation(
        evaluation,
        nfs_request.file_system_arn,
        shown if loaded.parsed is not None else None,
    )


def _nfs_request(request: SimulationRequest, loaded: PolicyInput) -> NfsRequest:
    """The engine's request for the file system the caller or the policy names (else a
    placeholder in the principal's account)."""
    file_system, region, account = _file_system(request, loaded)
    try:
        return NfsRequest(
            file_system,
            principal=request.principal,
            session_arn=request.session_arn,
            region=region,
            account=account,
            secure_transport=request.tls,
            access_point_arn=request.access_point,
            accessed_via_mount_target=request.via_mount_target,
            source_ip=request.source_ip,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None


def _file_system(
    request: SimulationRequest, loaded: PolicyInput
) -> tuple[str, str | None, str | None]:
    """(file system ARN or ID, region, account) for NfsRequest."""
    if request.file_system:
        if request.file_system.startswith("arn:"):
            return request.file_system, None, None
        if not (request.region and request.account):
            raise UsageError("--file-system with an ID needs --region and --account")
        return request.file_system, request.region, request.account
    named = file_systems_named(loaded.parsed.policy) if loaded.parsed is not None else ()
    if len(named) == 1:
        return named[0], None, None
    if len(named) > 1:
        raise UsageError(
            "the policy names several file systems; choose one with --file-system: "
            + ", ".join(named)
        )
    account = request.account or _account_of(request.principal) or PLACEHOLDER_ACCOUNT
    fs_id = loaded.file_system_id or PLACEHOLDER_FILE_SYSTEM
    return fs_id, request.region or PLACEHOLDER_REGION, account


def _account_of(principal: str) -> str | None:
    try:
        return principal_from_arn(principal).account
    except ValueError:  # "anonymous", or not an ARN: NfsRequest says which
        return None
