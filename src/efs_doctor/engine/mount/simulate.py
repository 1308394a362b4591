"""The mount simulation: efs-semantics.md §10 run for each chain on each node group or zone.

A chain is admitted once per zone (the CSI options only depend on the zone through
``mounttargetipmap``); the AWS-side steps run per placement and are memoised on what they
depend on, so chains that share a file system, options and node profile share the work.
A failed step ends the run (later steps are ``skipped``); an indeterminate one does not, so
that a later certain failure is still found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from efs_doctor.engine import network as net
from efs_doctor.engine.mount import kubelet
from efs_doctor.engine.mount.access_point import check_access_point
from efs_doctor.engine.mount.admission import MountRequest, admit
from efs_doctor.engine.mount.authorization import Authorization, Authorizer
from efs_doctor.engine.mount.credentials import CredentialChain, Credentials, Principal
from efs_doctor.engine.mount.model import (
    STEP_ORDER,
    Access,
    Layer,
    MountOutcome,
    Outcome,
    PosixIdentity,
    Step,
)
from efs_doctor.engine.mount.placement import Placement, placements
from efs_doctor.engine.mount.posix import check_sub_path, effective_access, result_identity
from efs_doctor.engine.mount.steps import skipped, step, where
from efs_doctor.engine.mount.target import (
    Target,
    TargetSelector,
    mount_target_endpoint,
    node_endpoint,
)
from efs_doctor.engine.mount.versions import Versions, resolve_versions
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.model.aws import MountTarget, PosixUser
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

NETWORK_CAUSES = {
    net.MT_SG_IN: "sg-missing-2049",
    net.NODE_SG_OUT: "node-sg-egress-blocked",
    net.NODE_ACL_OUT: "node-sg-egress-blocked",
    net.NODE_ACL_IN: "node-sg-egress-blocked",
    net.MT_ACL_IN: "mount-target-nacl-blocked",
    net.MT_ACL_OUT: "mount-target-nacl-blocked",
}
REGION_ERROR = (
    'Error retrieving region. Please set the "region" parameter in the efs-utils configuration '
    "file or specify it as a mount option."
)


@dataclass(frozen=True, slots=True)
class SimulationOptions:
    """``None`` versions: the efs-csi DaemonSet image tag, else the versions the spec pins."""

    csi_driver_version: str | None = None
    efs_utils_version: str | None = None


@dataclass(frozen=True, slots=True)
class _AwsFacts:
    principal: str | None
    session: str | None
    granted: tuple[bool | None, bool | None] | None  # (write, root) when ClientMount is allowed
    mount_target: str | None
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Run:
    """One chain on one placement, before outcomes on equal placements are merged."""

    placement: Placement
    steps: tuple[Step, ...]
    principal: str | None
    session: str | None
    access: Access | None
    posix: PosixIdentity | None
    mount_target: str | None
    notes: tuple[str, ...]


class Simulator:
    """Simulates chains of one inventory; build once and reuse to share work across chains."""

    def __init__(self, inventory: Inventory, options: SimulationOptions | None = None) -> None:
        options = options or SimulationOptions()
        self.view = InventoryView(inventory)
        self.versions: Versions = resolve_versions(
            options.csi_driver_version,
            options.efs_utils_version,
            self.view.daemonset_driver_version,
        )
        self.authorizer = Authorizer(self.view)
        self.credentials = CredentialChain(self.view, self.versions)
        self.targets = TargetSelector(self.view, self.authorizer.api_permission, self._probe)
        self._aws_cache: dict[tuple[object, ...], tuple[tuple[Step, ...], _AwsFacts]] = {}

    # ---- public --------------------------------------------------------------------------
    def simulate(self, chain: MountChain) -> list[MountOutcome]:
        runs = [self._run(chain, placement) for placement in placements(chain, self.view)]
        return _merge(chain, runs, self.versions)

    def simulate_all(self, chains: Iterable[MountChain]) -> list[MountOutcome]:
        return [outcome for chain in chains for outcome in self.simulate(chain)]

    # ---- one placement -------------------------------------------------------------------
    def _probe(self, placement: Placement, mt: MountTarget) -> net.Reachability:
        return self.view.network.tcp(
            node_endpoint(placement, self.view), mount_target_endpoint(mt, self.view)
        )

    def _run(self, chain: MountChain, placement: Placement) -> _Run:
        admission = admit(chain, self.versions, placement.zone)
        steps = list(admission.steps)
        request = admission.request
        if request is None or chain.file_system_id is None:
            return _Run(placement, _complete(steps), None, None, None, None, None, ())
        key = (
            chain.file_system_id,
            request.csi.option_text,
            request.csi.source,
            request.planned,
            placement.key,
            id(chain.node_service_account),
            chain.read_only,
            request.pv_name,
            request.target,
        )
        cached = self._aws_cache.get(key)
        if cached is None:
            cached = self._aws_steps(chain, request, placement)
            self._aws_cache[key] = cached
        aws_steps, facts = cached
        steps.extend(aws_steps)
        result_steps, posix, access = self._result(chain, request, steps, facts.granted)
        steps.extend(result_steps)
        return _Run(
            placement,
            _complete(steps),
            facts.principal,
            facts.session,
            access,
            posix,
            facts.mount_target,
            facts.notes,
        )

    def _aws_steps(
        self, chain: MountChain, request: MountRequest, placement: Placement
    ) -> tuple[tuple[Step, ...], _AwsFacts]:
        fs_id = chain.file_system_id or ""
        steps: list[Step] = []
        notes: list[str] = []
        principal_text: str | None = None
        session: str | None = None
        access_facts: tuple[bool | None, bool | None] | None = None

        def done() -> tuple[tuple[Step, ...], _AwsFacts]:
            mt_id = target.mount_target.id if target is not None and target.mount_target else None
            return tuple(steps), _AwsFacts(
                principal_text, session, access_facts, mt_id, tuple(notes)
            )

        target: Target | None = None
        # Region (§2.6)
        region_step, region = self._region(request, placement, fs_id)
        steps.append(region_step)
        if region_step.status == "failed":
            return done()
        # Target selection (§2.7, §6)
        fallback_credentials = self.credentials.resolve(
            request.options, placement, chain.node_service_account, botocore=True
        )
        target = self.targets.select(
            fs_id, request.options, placement, region, fallback_credentials
        )
        steps.extend(self._target_steps(target, request, placement))
        if steps[-1].status == "failed":
            return done()
        notes.extend(target.notes)
        # Local port (§2.5)
        steps.append(self._port(request))
        # Credentials (§2.8)
        credentials: Credentials | None = None
        if request.iam:
            credentials = self.credentials.resolve(
                request.options, placement, chain.node_service_account
            )
            steps.append(self._credentials_step(credentials, request))
            if credentials.status == "failed":
                return done()
            if credentials.candidates:
                principal_text = credentials.candidates[0].role_arn
                session = credentials.candidates[0].session_arn
        else:
            principal_text = "anonymous"
            steps.append(
                step(
                    "credentials",
                    "skipped",
                    [
                        "no iam option: efs-utils sends no credentials, EFS sees an anonymous "
                        "client (§4.1)"
                    ],
                    "efs-semantics.md §4.1",
                )
            )
        # Network (§6) on the DNS path; probed paths were checked during target selection
        if target.probe is None:
            network_step = self._network_step(target, placement, request)
            steps.append(network_step)
            if network_step.status == "failed":
                return done()
        # Access point (§5)
        ap = check_access_point(request.access_point_id, fs_id, chain.planned, self.view, region)
        steps.append(
            step(
                "access-point", ap.status, ap.evidence, ap.source, cause=ap.cause, reason=ap.reason
            )
        )
        if ap.status == "failed":
            return done()
        # Authorization (§4)
        auth = self._authorize(
            fs_id, request, credentials, ap_arn=ap.arn, placement=placement, region=region
        )
        auth_step = self._authorization_step(
            auth, request, target, ap.posix_user is not None and ap.posix_user.uid == 0
        )
        steps.append(auth_step)
        principal_text = auth.principal if auth.principal != "?" else principal_text
        session = auth.principal_session or session
        if auth_step.status == "failed":
            return done()
        if auth.mount:
            access_facts = (auth.write, auth.root)
        # Sub-path (§3.2)
        sub = check_sub_path(
            request.subpath, ap.root_path if ap.status != "skipped" else None, fs_id
        )
        steps.append(
            step(
                "sub-path",
                sub.status,
                sub.evidence,
                "efs-semantics.md §3.2",
                cause=sub.cause,
                reason=sub.reason,
            )
        )
        return done()

    # ---- steps ---------------------------------------------------------------------------
    def _region(self, request: MountRequest, placement: Placement, fs_id: str) -> tuple[Step, str]:
        options = request.options
        if "region" in options and self.versions.region_option:
            value = options["region"] or ""
            from efs_doctor.engine.mount.options import REGION_PATTERN

            if self.versions.region_regex and not REGION_PATTERN.fullmatch(value):
                message = f'Invalid "region" mount option specified: {value!r}'
                return (
                    step(
                        "region",
                        "failed",
                        [f"region={value}"],
                        "efs-semantics.md §2.6",
                        cause="invalid-mount-option",
                        error=self._utils_error(request, message),
                        reason=message,
                    ),
                    value,
                )
            return step(
                "region", "ok", [f"region={value} (mount option)"], "efs-semantics.md §2.6"
            ), value
        if placement.imds_disabled:
            return (
                step(
                    "region",
                    "failed",
                    [
                        f"instance {placement.instance.id if placement.instance else '?'} has "
                        "IMDS disabled and no region option"
                    ],
                    where(
                        placement.instance.source if placement.instance else None,
                        "efs-semantics.md §2.6",
                    ),
                    cause="imds-unavailable",
                    error=self._utils_error(request, REGION_ERROR),
                    reason="efs-utils reads the region from the instance metadata service, which "
                    "is disabled on the node (unless AWS_REGION is set on the efs-plugin "
                    "container, which the driver's manifests do not do)",
                ),
                "",
            )
        region = (
            placement.region
            or self.view.region_of_file_system(fs_id)
            or (self.view.cluster.region if self.view.cluster else None)
        )
        if region is None:
            return (
                step(
                    "region",
                    "ok",
                    ["read from instance metadata at mount time; not known from the inputs"],
                    "efs-semantics.md §2.6",
                ),
                "<region>",
            )
        return step(
            "region",
            "ok",
            [f"{region} from instance metadata (IMDS, §2.6)"],
            "efs-semantics.md §2.6",
        ), region

    def _utils_error(
        self,
        request: MountRequest,
        message: str,
        *,
        exit_status: int = 1,
        after_proxy: bool = False,
    ) -> str:
        return kubelet.mount_failed(
            request.pv_name,
            request.csi.source,
            request.target,
            request.arguments,
            exit_status=exit_status,
            output=kubelet.efs_utils_output(message, after_proxy_setup=after_proxy),
        )

    def _target_steps(
        self, target: Target, request: MountRequest, placement: Placement
    ) -> list[Step]:
        source = where(
            target.mount_target.source if target.mount_target else None, "efs-semantics.md §2.7"
        )
        error = self._utils_error(request, target.error) if target.error else None
        if target.layer == "network" and target.status == "failed":
            reach = target.probe
            hop = reach.blocking if reach else None
            ok = step("target", "ok", target.evidence, source)
            return [
                ok,
                step(
                    "network",
                    "failed",
                    [h.detail for h in reach.hops] if reach else [],
                    hop.location or "efs-semantics.md §6" if hop else "efs-semantics.md §6",
                    cause=NETWORK_CAUSES.get(hop.check, "sg-missing-2049") if hop else None,
                    error=error,
                    reason=(
                        f"efs-utils probes {target.ip}:2049 and times out: {hop.check}: "
                        f"{hop.detail}"
                    )
                    if hop
                    else None,
                ),
            ]
        layer: Layer = "efs-utils" if target.layer == "efs-utils" else "dns"
        steps = [
            step(
                "target",
                target.status,
                target.evidence,
                source,
                cause=target.cause,
                error=error,
                reason=target.reason,
                layer=layer,
            )
        ]
        if target.probe is not None:
            steps.append(
                self._reach_step(target.probe, "efs-utils probed TCP 2049 during target selection")
            )
        return steps

    def _reach_step(self, reach: net.Reachability, lead: str) -> Step:
        evidence = [lead, *(f"{h.check}: {h.verdict}: {h.detail}" for h in reach.hops)]
        if reach.verdict == "reachable":
            return step("network", "ok", evidence, "efs-semantics.md §6")
        unknown = "; ".join(f"{h.check}: {h.detail}" for h in reach.unknown)
        return step(
            "network",
            "indeterminate",
            evidence,
            "efs-semantics.md §6",
            reason=f"TCP 2049 reachability not known: {unknown}",
        )

    def _network_step(self, target: Target, placement: Placement, request: MountRequest) -> Step:
        mt = target.mount_target
        if mt is None:
            return step(
                "network",
                "indeterminate",
                ["no mount target selected"],
                "efs-semantics.md §6",
                reason="the mount target is not known, so reachability cannot be checked",
            )
        reach = self._probe(placement, mt)
        if reach.verdict != "blocked":
            return self._reach_step(reach, f"node -> {mt.id} {mt.ip_address}:2049")
        hop = reach.blocking
        assert hop is not None
        return step(
            "network",
            "failed",
            [
                f"node -> {mt.id} {mt.ip_address}:2049",
                *(f"{h.check}: {h.verdict}: {h.detail}" for h in reach.hops),
            ],
            hop.location or "efs-semantics.md §6",
            cause=NETWORK_CAUSES.get(hop.check, "sg-missing-2049"),
            error=kubelet.deadline_exceeded(request.pv_name),
            reason=(
                f"TCP 2049 to {mt.id} is blocked ({hop.check}: {hop.detail}); on the DNS path "
                "nothing probes first, so mount.nfs4 hangs ('Mount attempt 1/3 failed due to "
                "timeout after 15 sec') until kubelet gives up (§6, §7 rows 25-26)"
            ),
        )

    def _port(self, request: MountRequest) -> Step:
        tlsport = request.options.get("tlsport")
        if tlsport is not None:
            return step(
                "port",
                "ok",
                [
                    f"tlsport={tlsport}: efs-proxy listens on 127.0.0.1:{tlsport}; if it is busy "
                    f"at mount time: 'Specified port [{tlsport}] is unavailable. Try selecting a "
                    "different port.'"
                ],
                "efs-semantics.md §2.5",
            )
        return step(
            "port",
            "ok",
            [
                "a free port from 20049-21048 on 127.0.0.1 (one per mount; exhausted only past "
                "~1000 concurrent mounts on a node, which the inputs cannot show)"
            ],
            "efs-semantics.md §2.5",
        )

    def _credentials_step(self, credentials: Credentials, request: MountRequest) -> Step:
        evidence = list(credentials.evidence)
        if len(credentials.candidates) > 1:
            evidence.append(
                "principal: "
                + " or, if that fails, ".join(c.role_arn for c in credentials.candidates)
            )
        error = None
        if credentials.status == "failed" and credentials.error:
            error = self._utils_error(request, credentials.error)
        return step(
            "credentials",
            credentials.status,
            evidence,
            credentials.source or "efs-semantics.md §2.8",
            cause=credentials.cause,
            error=error,
            reason=credentials.reason,
        )

    def _authorize(
        self,
        fs_id: str,
        request: MountRequest,
        credentials: Credentials | None,
        *,
        ap_arn: str | None,
        placement: Placement,
        region: str,
    ) -> Authorization:
        source_ip = placement.addresses[0] if placement.addresses else None
        region_or_none = region if region and not region.startswith("<") else None

        def access(principal: Principal | None) -> Authorization:
            return self.authorizer.client_access(
                fs_id,
                principal,
                tls=request.tls,
                access_point_arn=ap_arn,
                source_ip=source_ip,
                region=region_or_none,
            )

        if credentials is None:
            return access(None)
        if not credentials.candidates:
            return Authorization(
                "indeterminate",
                None,
                None,
                None,
                "?",
                None,
                ("the principal is not known (see credentials)",),
                "efs-semantics.md §4.4",
                reason="the principal efs-utils presents is not known",
            )
        results = [access(c) for c in credentials.candidates]
        return _combine(results, credentials.candidates)

    def _authorization_step(
        self, auth: Authorization, request: MountRequest, target: Target, ap_root_user: bool
    ) -> Step:
        if auth.status == "failed":
            proxy = self.versions.efs_proxy and "stunnel" not in request.options
            host = (
                "127.0.0.1"
                if proxy or request.tls
                else (target.ip if target.via != "dns" else target.dns_name)
            )
            stderr = f"mount.nfs4: access denied by server while mounting {host}:{request.subpath}"
            retried = (
                request.access_point_id is not None and self.versions.retries_access_point_denied
            )
            if proxy or request.tls:
                output = kubelet.nfs_failure_output(stderr, retried=retried)
            else:
                output = kubelet.bytes_repr(stderr) + "\n"
            error = kubelet.mount_failed(
                request.pv_name,
                request.csi.source,
                request.target,
                request.arguments,
                exit_status=kubelet.NFS_EXIT,
                output=output,
            )
            return step(
                "authorization",
                "failed",
                auth.evidence,
                auth.source,
                cause=auth.cause,
                error=error,
                reason=auth.reason,
            )
        if auth.status == "ok" and ap_root_user and auth.root is False:
            return step(
                "authorization",
                "indeterminate",
                auth.evidence,
                auth.source,
                reason="the access point's PosixUser is uid/gid 0, which needs ClientRootAccess "
                "(efs-access-points); whether the mount then fails or is squashed is not "
                "documented (efs-semantics.md §9 Q7)",
            )
        return step(
            "authorization",
            auth.status,
            auth.evidence,
            auth.source,
            cause=auth.cause if auth.status != "ok" else None,
            reason=auth.reason,
        )

    def _result(
        self,
        chain: MountChain,
        request: MountRequest,
        steps: Sequence[Step],
        granted: tuple[bool | None, bool | None] | None,
    ) -> tuple[list[Step], PosixIdentity | None, Access | None]:
        if any(s.status == "failed" for s in steps) or granted is None:
            return [], None, None
        write, root = granted
        posix_user: PosixUser | None = None
        ap_id = request.access_point_id
        planned = chain.planned
        if (
            request.planned
            and planned is not None
            and planned.uid is not None
            and planned.gid is not None
        ):
            posix_user = PosixUser(planned.uid, planned.gid)
        elif ap_id:
            ap = self.view.inventory.access_points.get(ap_id)
            posix_user = ap.posix_user if ap is not None else None
        identity, notes = result_identity(chain, posix_user, ap_id, bool(root))
        granted_access = effective_access(chain.read_only, write, root, posix_user)
        words = [
            "read-write" if granted_access.write else "read-only",
            "root allowed"
            if granted_access.root
            else ("no root: the access point's user" if posix_user else "root squashed"),
        ]
        evidence = [", ".join(words)]
        if chain.read_only:
            evidence.append("the volume is published read-only (pod or PV readOnly): ro option")
        elif not granted_access.write:
            evidence.append(
                "no ClientWrite: the mount succeeds but writes fail with 'Read-only file system' "
                "(§4.7)"
            )
        uid = "?" if identity.uid is None else str(identity.uid)
        gid = "?" if identity.gid is None else str(identity.gid)
        evidence.append(f"files are written as uid {uid} gid {gid} ({identity.source})")
        evidence.extend(notes)
        settled = all(s.status in ("ok", "skipped") for s in steps)
        result = step(
            "result",
            "ok" if settled else "indeterminate",
            evidence,
            "efs-semantics.md §10",
            reason=None if settled else "the access above applies if the mount succeeds",
        )
        return [result], identity, granted_access


def _combine(results: Sequence[Authorization], candidates: Sequence[Principal]) -> Authorization:
    first = results[0]
    if all(
        (r.status, r.mount, r.write, r.root) == (first.status, first.mount, first.write, first.root)
        for r in results
    ):
        evidence = list(first.evidence)
        if len(results) > 1:
            evidence.append("the same answer for " + " and ".join(c.role_arn for c in candidates))
        return replace(first, evidence=tuple(evidence))
    parts = [f"{c.role_arn}: {r.status}" for c, r in zip(candidates, results, strict=True)]
    return Authorization(
        "indeterminate",
        None,
        None,
        None,
        first.principal,
        first.principal_session,
        tuple(e for r in results for e in r.evidence),
        first.source,
        reason="the answer depends on which principal efs-utils ends up with ("
        + "; ".join(parts)
        + ")",
    )


def _complete(steps: list[Step]) -> tuple[Step, ...]:
    """Every step of §10 once, in run order; those not run are ``skipped``."""
    seen = {s.step for s in steps}
    failed = any(s.status == "failed" for s in steps)
    out = list(steps)
    for name in STEP_ORDER:
        if name not in seen:
            out.append(
                skipped(name)
                if failed
                else skipped(name, "not reached: an earlier input is missing")
            )
    return tuple(out)


def _outcome_of(steps: Sequence[Step]) -> tuple[Outcome, Step | None, str]:
    failed = next((s for s in steps if s.status == "failed"), None)
    unknown = [s for s in steps if s.status == "indeterminate"]
    if failed is not None:
        reason = failed.reason or f"{failed.step} failed"
        before = [s for s in unknown if STEP_ORDER.index(s.step) < STEP_ORDER.index(failed.step)]
        if before:
            reason += (
                " (this assumes the earlier undetermined step(s) pass: "
                + "; ".join(s.reason or s.step for s in before)
                + ")"
            )
        return "failed", failed, reason
    if unknown:
        return (
            "indeterminate",
            unknown[0],
            "; ".join(s.reason or f"{s.step} not determined" for s in unknown),
        )
    return "mounted", None, ""


def _merge(chain: MountChain, runs: Sequence[_Run], versions: Versions) -> list[MountOutcome]:
    groups: dict[tuple[object, ...], list[_Run]] = {}
    for run in runs:
        outcome, deciding, _ = _outcome_of(run.steps)
        key = (
            outcome,
            deciding.layer if deciding else None,
            deciding.cause if deciding else None,
            deciding.error if deciding else None,
            run.principal,
            run.access,
            run.posix,
        )
        groups.setdefault(key, []).append(run)
    outcomes = []
    for members in groups.values():
        outcomes.append(_to_outcome(chain, members, versions))
    return outcomes


def _to_outcome(chain: MountChain, members: Sequence[_Run], versions: Versions) -> MountOutcome:
    run = members[0]
    outcome, deciding, reason = _outcome_of(run.steps)
    label = ", ".join(m.placement.label for m in members)
    notes = list(run.notes)
    if len(members) > 1:
        notes.append(f"steps shown for {run.placement.label}; the same outcome on {label}")
    if outcome == "mounted":
        access = run.access
        reason = _mounted_reason(run)
    else:
        access = run.access if outcome == "indeterminate" else None
    csi = next((s for s in run.steps if s.step == "csi" and s.status == "ok"), None)
    command = None
    if csi is not None:
        command = next(
            (e.split(": ", 1)[1] for e in csi.evidence if e.startswith("NodePublishVolume runs: ")),
            None,
        )
    tls = None
    if command is not None:
        options = command.split(" -o ", 1)[1].split(" ", 1)[0] if " -o " in command else ""
        tls = "tls" if "tls" in options.split(",") else "plaintext"
    return MountOutcome(
        pod=chain.pod_key,
        pvc=chain.claim_key,
        pv=chain.volume_name,
        node_or_zone=label,
        outcome=outcome,
        layer=deciding.layer if deciding else None,
        cause=deciding.cause if deciding else None,
        error=deciding.error if deciding and outcome == "failed" else None,
        reason=reason,
        mount_command=command,
        principal=run.principal,
        principal_session=run.session,
        access=access,
        posix=run.posix,
        steps=run.steps,
        file_system_id=chain.file_system_id,
        access_point_id=chain.access_point_id,
        mount_target=run.mount_target,
        transport=tls,
        csi_driver_version=str(versions.csi_driver),
        efs_utils_version=str(versions.efs_utils),
        notes=tuple(n for n in notes if not n.startswith("posix-user:")),
    )


def _mounted_reason(run: _Run) -> str:
    access = run.access
    assert access is not None
    mode = "read-write" if access.write else "read-only"
    root = "root allowed" if access.root else "root squashed"
    who = run.principal or "?"
    return f"mounts {mode}, {root}, as {who}"


def simulate_chain(
    chain: MountChain, inventory: Inventory, options: SimulationOptions | None = None
) -> list[MountOutcome]:
    """One outcome per node group/zone with a different answer (usually one)."""
    return Simulator(inventory, options).simulate(chain)


def simulate_all(
    inventory: Inventory, chains: Iterable[MountChain], options: SimulationOptions | None = None
) -> list[MountOutcome]:
    """Every chain, sharing policy evaluations, network checks and target selection."""
    return Simulator(inventory, options).simulate_all(chains)
