"""The mount simulation: efs-semantics.md §10 run for each chain on each node group or zone.

Work is shared across chains: a chain is admitted once (per zone only when
``mounttargetipmap`` makes the options depend on it); the AWS side (region, mount target,
credentials, network, access point, authorization, sub-path) is computed once per distinct
(file system, options, sub-path, node profile) and its error texts are then given each
chain's PV name and target path; placements, endpoints, policy evaluations and network
checks are cached. A failed step ends a run (later steps are ``skipped``); an undetermined
one does not, so that a later certain failure is still found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from efs_doctor.data.references import section_url
from efs_doctor.engine import network as net
from efs_doctor.engine.api_server import Rejection, check_object
from efs_doctor.engine.mount import kernel_client
from efs_doctor.engine.mount.access_point import AccessPointCheck, check_access_point
from efs_doctor.engine.mount.admission import Admission, MountRequest, admit, api_objects, api_step
from efs_doctor.engine.mount.authorization import Authorization, Authorizer
from efs_doctor.engine.mount.authorization_verdict import (
    UNKNOWN_PRINCIPAL,
    authorization_step,
    combine,
)
from efs_doctor.engine.mount.connection import network_step, target_steps
from efs_doctor.engine.mount.credentials import (
    CredentialChain,
    Credentials,
    Principal,
    credentials_step,
)
from efs_doctor.engine.mount.dns import Target
from efs_doctor.engine.mount.kernel_client import admit_nfs
from efs_doctor.engine.mount.model import (
    Access,
    MountOutcome,
    PosixIdentity,
    Step,
    skipped,
    step,
    where,
)
from efs_doctor.engine.mount.node_checks import nfs_options_step, port_step, region_step
from efs_doctor.engine.mount.outcome import Run, complete, merge
from efs_doctor.engine.mount.placement import Placement, placement_key, placements
from efs_doctor.engine.mount.posix import check_sub_path, enforcement_note, result_step
from efs_doctor.engine.mount.provisioning import Provisioning, provision
from efs_doctor.engine.mount.target import TargetSelector, mount_target_endpoint, node_endpoint
from efs_doctor.engine.mount.versions import Versions, resolve_versions
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.errors import internal_step
from efs_doctor.model.aws import MountTarget, PosixUser
from efs_doctor.model.chain import MountChain, planned_volume
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import PersistentVolume, PersistentVolumeClaim, StorageClass

# A pod pinned to a Fargate node: the efs-csi-node DaemonSet does not run there (§3.1).
_FARGATE = Admission(
    (
        step(
            "kubernetes",
            "indeterminate",
            ["the pod runs on Fargate, where the efs-csi-node plugin does not run"],
            section_url("3.1"),
            reason="Fargate mounts EFS through its own agent, which efs-doctor does not model",
        ),
    ),
    None,
)
# Stand-ins for the chain-specific parts of error texts in shared AWS-side results.
_PV = "\x00pv\x00"
_TARGET = "\x00target\x00"


# Steps that come before dynamic provisioning: the API server takes the objects, and the
# claim waits unbound for a volume (docs/contracts.md, layers api, kubernetes, provisioning).
BEFORE_PROVISIONING = frozenset({"api", "kubernetes"})


@dataclass(frozen=True, slots=True)
class SimulationOptions:
    """``None`` versions: the efs-csi DaemonSet image tag, else the versions the spec pins."""

    csi_driver_version: str | None = None
    efs_utils_version: str | None = None


@dataclass(frozen=True, slots=True)
class _AwsSide:
    """Steps 3-10 for one (file system, options, sub-path, node profile)."""

    steps: tuple[Step, ...]
    principal: str | None
    session: str | None
    granted: tuple[bool | None, bool | None] | None  # (write, root) once ClientMount is allowed
    posix_user: PosixUser | None
    mount_target: str | None
    notes: tuple[str, ...]
    named: bool = False  # an error text waits for a chain's PV name and target path
    failed: bool = False
    settled: bool = False  # every step ok or skipped
    signature: tuple[object, ...] = ()  # what decides the outcome (equal: merged)
    # The answers behind the steps, for the facts other components ask (see Simulator.sides)
    region: str | None = None
    credentials: Credentials | None = None
    authorization: Authorization | None = None
    access_point_arn: str | None = None  # or its id (AccessPointCheck.reference)


@dataclass(frozen=True, slots=True)
class Side:
    """One placement group of a chain as the simulation saw it: where, what the node plugin
    was asked to mount (``admission.request``; None when admission stopped), and the AWS-side
    answers (``aws``; None when the run never got there)."""

    placements: tuple[Placement, ...]
    admission: Admission
    aws: _AwsSide | None

    @property
    def placement(self) -> Placement:
        return self.placements[0]


class Simulator:
    """Simulates the chains of one inventory; build once and reuse to share work."""

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
        self.targets = TargetSelector(self.view, self.authorizer.api_permission, self.probe)
        self._placements: dict[tuple[object, ...], list[Placement]] = {}
        self._sides: dict[int, tuple[MountChain, list[Side]]] = {}
        self._admissions: dict[tuple[int, str | None], Admission] = {}
        self._aws: dict[tuple[object, ...], _AwsSide] = {}
        self._nodes: dict[tuple[object, ...], net.Endpoint] = {}
        self._targets_at: dict[str, net.Endpoint] = {}
        self._access: dict[tuple[object, ...], Authorization] = {}
        self._results: dict[tuple[object, ...], tuple[Step, PosixIdentity, Access]] = {}
        self._provisioned: dict[int, tuple[MountChain, Provisioning]] = {}
        self._class_chains: dict[str, MountChain] = {}
        # id(object) -> (the object, kept alive so its id stays its own; the API's answer)
        self._rejections: dict[int, tuple[object, Rejection | None]] = {}

    # ---- public --------------------------------------------------------------------------
    def simulate(self, chain: MountChain) -> list[MountOutcome]:
        """The outcomes of ``chain``; an exception in a step is an InternalError naming
        the chain (a bug of ours, reported as exit 3, never a result)."""
        with internal_step(f"mount simulation of {chain.label}"):
            runs = [
                self._run(chain, side.placements, side.admission, side.aws)
                for side in self.sides(chain)
            ]
            return merge(chain, runs, self.versions)

    def sides(self, chain: MountChain) -> list[Side]:
        """The chain's placements grouped by answer: placements whose admission and AWS side
        give the same answer are run once (cached per chain: the simulation and every fact
        asked of it share one)."""
        cached = self._sides.get(id(chain))
        if cached is not None and cached[0] is chain:
            return cached[1]
        found = self._group(chain)
        self._sides[id(chain)] = (chain, found)
        return found

    def _group(self, chain: MountChain) -> list[Side]:
        groups: dict[tuple[object, ...], list[tuple[Placement, Admission, _AwsSide | None]]] = {}
        with internal_step(f"mount simulation of {chain.label}"):
            for placement in self.placements_of(chain):
                if placement.fargate:
                    groups[("fargate",)] = [(placement, _FARGATE, None)]
                    continue
                admission = self._admit(chain, placement)
                aws = self._aws_for(chain, admission.request, placement)
                signature = (id(admission), aws.signature if aws is not None else None)
                groups.setdefault(signature, []).append((placement, admission, aws))
        return [
            Side(tuple(p for p, _, _ in members), members[0][1], members[0][2])
            for members in groups.values()
        ]

    def placements_of(self, chain: MountChain) -> list[Placement]:
        """Where the chain's pod may run: pinned node, node groups, or zones (§10 step 0)."""
        key = placement_key(chain)
        found = self._placements.get(key)
        if found is None:
            with internal_step(f"mount simulation of {chain.label}"):
                found = self._placements[key] = placements(chain, self.view)
        return found

    def credentials_for(
        self, chain: MountChain, placement: Placement, request: MountRequest
    ) -> Credentials:
        """Whom an ``iam`` mount of ``request`` presents on ``placement`` (§2.8), also for a
        request without ``iam`` (what adding it would give)."""
        return self.credentials.resolve(request.options, placement, chain.node_service_account)

    def authorize(self, side: Side, principal: Principal | None) -> Authorization | None:
        """EFS's answer for ``principal`` (None: anonymous) on ``side``'s connection (TLS,
        access point, source address, region as simulated); None when the run stopped
        before authorization could be asked."""
        request, aws = side.admission.request, side.aws
        if request is None or aws is None or aws.region is None:
            return None
        if aws.failed and aws.authorization is None:
            return None  # the mount stops at an earlier step: EFS is never asked
        fs_id = request.csi.handle.file_system_id
        return self._client_access(
            fs_id,
            principal,
            request,
            access_point=aws.access_point_arn,
            placement=side.placement,
            region=aws.region,
        )

    def _client_access(
        self,
        fs_id: str,
        principal: Principal | None,
        request: MountRequest,
        *,
        access_point: str | None,
        placement: Placement,
        region: str | None,
    ) -> Authorization:
        """The authorizer's answer for one principal on this connection (cached)."""
        source_ip = placement.addresses[0] if placement.addresses else None
        known_region = region if region and not region.startswith("<") else None
        key = (fs_id, principal, request.tls, access_point, source_ip, known_region)
        found = self._access.get(key)
        if found is None:
            found = self._access[key] = self.authorizer.client_access(
                fs_id,
                principal,
                tls=request.tls,
                access_point=access_point,
                source_ip=source_ip,
                region=known_region,
            )
        return found

    def simulate_all(self, chains: Iterable[MountChain]) -> list[MountOutcome]:
        return [outcome for chain in chains for outcome in self.simulate(chain)]

    def probe(self, placement: Placement, mt: MountTarget) -> net.Reachability:
        """TCP 2049 from the placement's nodes to a mount target (§6)."""
        client = self._nodes.get(placement.key)
        if client is None:
            client = self._nodes[placement.key] = node_endpoint(placement, self.view)
        server = self._targets_at.get(mt.id)
        if server is None:
            server = self._targets_at[mt.id] = mount_target_endpoint(mt, self.view)
        return self.view.network.tcp(client, server)

    # ---- one chain on one placement ------------------------------------------------------
    def _admit(self, chain: MountChain, placement: Placement) -> Admission:
        found = self._admissions.get((id(chain), None))
        if found is not None:
            return found
        attributes = chain.volume.csi.volume_attributes if chain.volume and chain.volume.csi else {}
        zone_matters = any(k.lower() == "mounttargetipmap" for k in attributes)
        key = (id(chain), placement.zone if zone_matters else None)
        found = self._admissions.get(key)
        if found is None:
            if chain.nfs is not None:
                found = admit_nfs(chain, self._api_step(chain))
            else:
                found = admit(chain, self.versions, placement.zone, self._api_step(chain))
            if chain.planned is not None and not any(
                s.status == "failed" for s in found.steps if s.step in BEFORE_PROVISIONING
            ):
                # The volume is made before any node mounts it (efs-semantics.md §1, §3.7),
                # once the API server took the objects and the claim waits for a volume.
                made = self.provisioning(chain).step
                front = tuple(s for s in found.steps if s.step in BEFORE_PROVISIONING)
                rest = tuple(s for s in found.steps if s.step not in BEFORE_PROVISIONING)
                found = (
                    Admission((*front, made), None)
                    if made.status == "failed"
                    else Admission((*front, made, *rest), found.request)
                )
            self._admissions[key] = found
        return found

    def provisioning(self, chain: MountChain) -> Provisioning:
        """The controller's CreateVolume for a chain's planned volume (cached per chain)."""
        cached = self._provisioned.get(id(chain))
        if cached is not None and cached[0] is chain:
            return cached[1]
        with internal_step(f"provisioning for {chain.label}"):
            found = provision(chain, self.view, self.versions, self.placements_of(chain))
        self._provisioned[id(chain)] = (chain, found)
        return found

    def class_chain(self, storage_class: StorageClass) -> MountChain:
        """A claim of ``storage_class`` that no input holds: what provisioning any claim of an
        ``efs-ap`` class meets (the class-level answer rules report)."""
        found = self._class_chains.get(storage_class.name)
        if found is None or found.storage_class is not storage_class:
            inventory = self.view.inventory
            planned = planned_volume(storage_class, inventory)
            fs_id = planned.file_system_id
            mount_targets = tuple(inventory.mount_targets_of(fs_id)) if fs_id else ()
            found = self._class_chains[storage_class.name] = MountChain(
                workload=None,
                pod_volume=None,
                claim=None,
                volume=None,
                storage_class=storage_class,
                planned=planned,
                handle=None,
                handle_error=None,
                file_system_id=fs_id,
                file_system=inventory.file_systems.get(fs_id or ""),
                access_point=None,
                policy=inventory.policies.get(fs_id or ""),
                mount_targets=mount_targets,
                mount_target_groups={
                    mt.id: inventory.security_groups_of_mount_target(mt) for mt in mount_targets
                },
                node_service_account=None,
                read_only=False,
            )
        return found

    def _api_step(self, chain: MountChain) -> Step:
        rejected = [
            (obj, rejection)
            for obj in api_objects(chain)
            if (rejection := self.rejection_of(obj)) is not None
        ]
        return api_step(rejected)

    def rejection_of(
        self, obj: PersistentVolumeClaim | PersistentVolume | StorageClass
    ) -> Rejection | None:
        """The API server's answer to creating ``obj`` (engine/api_server.py), cached."""
        if id(obj) not in self._rejections:
            self._rejections[id(obj)] = (obj, check_object(obj.kind, obj.raw))
        return self._rejections[id(obj)][1]

    def _aws_for(
        self, chain: MountChain, request: MountRequest | None, placement: Placement
    ) -> _AwsSide | None:
        if request is None or chain.file_system_id is None:
            return None
        key = (
            chain.file_system_id,
            request.csi.option_text,
            request.csi.source,
            chain.planned.storage_class.name if chain.planned else None,
            placement.key,
            id(chain.node_service_account),
        )
        aws = self._aws.get(key)
        if aws is None:
            template = request.with_names(_PV, _TARGET)
            aws = self._aws[key] = self._aws_side(chain, template, placement)
        return aws

    def _run(
        self,
        chain: MountChain,
        where: tuple[Placement, ...],
        admission: Admission,
        aws: _AwsSide | None,
    ) -> Run:
        request = admission.request
        command = request.command if request is not None else None
        transport = None if request is None else ("tls" if request.tls else "plaintext")
        if request is None or aws is None:
            stopped = complete(admission.steps)
            return Run(where, stopped, None, None, None, None, None, command, transport, ())
        shared = tuple(_named(s, request) for s in aws.steps) if aws.named else aws.steps
        steps = [*admission.steps, *shared]
        access = posix = None
        admitted = all(s.status in ("ok", "skipped") for s in admission.steps)
        if aws.granted is not None and not aws.failed:
            settled = admitted and aws.settled
            result_key = (id(chain), aws.posix_user, aws.granted, settled)
            found = self._results.get(result_key)
            if found is None:
                found = self._results[result_key] = result_step(
                    chain, aws.posix_user, request.access_point_id, aws.granted, settled
                )
            result, posix, access = found
            steps.append(result)
        notes = aws.notes
        user = aws.posix_user
        if user is not None:
            notes = (*notes, enforcement_note(chain, user, request.access_point_id))
        return Run(
            where,
            complete(steps),
            aws.principal,
            aws.session,
            access,
            posix,
            aws.mount_target,
            command,
            transport,
            notes,
            user,
        )

    def enforced_user(self, chain: MountChain) -> PosixUser | None:
        """The uid/gid an access point puts on every file operation of the chain (its
        PosixUser, or the StorageClass's uid/gid for a planned one), as the simulation's
        access point step found it; None when there is none or the run never got there."""
        users = {side.aws.posix_user for side in self.sides(chain) if side.aws is not None}
        users.discard(None)
        return users.pop() if len(users) == 1 else None

    def _kernel_side(
        self, chain: MountChain, request: MountRequest, placement: Placement
    ) -> _AwsSide:
        """Steps 3-10 for an in-tree nfs volume (engine/mount/kernel_client.py): the kernel
        client resolves the name itself (no region lookup, no fallback), opens no proxy, has
        no credentials and no TLS, and names no access point."""
        assert chain.nfs is not None
        server = chain.nfs.server
        fs_id = server.file_system_id
        steps: list[Step] = []
        auth: Authorization | None = None
        region = server.region or placement.region or "<region>"
        no_helper = "no mount helper: the kernel NFS client"

        def stop(
            target: Target | None, granted: tuple[bool | None, bool | None] | None = None
        ) -> _AwsSide:
            return _AwsSide(
                tuple(steps),
                "anonymous",
                None,
                granted,
                None,
                target.mount_target.id if target is not None and target.mount_target else None,
                target.notes if target is not None else (),
                named=any(s.error is not None for s in steps),
                failed=any(s.status == "failed" for s in steps),
                settled=all(s.status in ("ok", "skipped") for s in steps),
                signature=_signature(steps, "anonymous", granted, None),
                region=region,
                credentials=None,
                authorization=auth,
                access_point_arn=None,
            )

        steps.append(skipped("region", f"{no_helper} needs no region: the name is the server"))
        if server.kind == "ip":
            mt = server.mount_target
            assert mt is not None
            target = Target(
                "ok",
                server.name,
                mt,
                server.name,
                "ip",
                (f"{server.name} is {mt.id} of {fs_id} in {mt.availability_zone_name}",),
            )
        else:
            target = self.targets.resolve_name(fs_id, server.zone, placement, region)
            if target.status == "failed":
                target = kernel_client.resolution_failure(target, request)
        steps.append(
            step(
                "target",
                target.status,
                target.evidence,
                where(
                    target.mount_target.source if target.mount_target else None, section_url("2.7")
                ),
                cause=target.cause,
                error=kernel_client.mount_error(
                    request,
                    f"mount.nfs: Failed to resolve server {target.dns_name}: Name or service not "
                    "known",
                )
                if target.status == "failed"
                else None,
                reason=target.reason,
            )
        )
        if target.status == "failed":
            return stop(target)
        steps.append(skipped("port", f"{no_helper} opens no local proxy"))
        steps.append(skipped("credentials", kernel_client.NO_EFS_UTILS))
        parsed = nfs_options_step(request, self.versions)
        gaps = kernel_client.recommended_gaps(request.options)
        if parsed.status == "ok" and gaps:
            parsed = replace(
                parsed,
                evidence=(
                    *parsed.evidence,
                    "not as the EFS user guide recommends: " + ", ".join(gaps),
                ),
                source=kernel_client.RECOMMENDED_PAGE,
            )
        steps.append(parsed)
        if parsed.status == "failed":
            return stop(target)
        if target.mount_target is not None:
            connected = network_step(target, self.probe(placement, target.mount_target), request)
        else:
            connected = network_step(target, None, request)
        if connected.status == "failed":
            connected = kernel_client.timed_out(request, connected)
        steps.append(connected)
        if connected.status == "failed":
            return stop(target)
        steps.append(skipped("access-point", "an nfs volume names no access point"))
        auth = self._client_access(
            fs_id, None, request, access_point=None, placement=placement, region=region
        )
        decided = authorization_step(auth, request, target, self.versions, False)
        if decided.status == "failed":
            decided = kernel_client.denied(request, decided)
        steps.append(decided)
        if decided.status == "failed":
            return stop(target)
        sub = check_sub_path(request.subpath, None, fs_id)
        steps.append(
            step(
                "sub-path",
                sub.status,
                sub.evidence,
                section_url("3.2"),
                cause=sub.cause,
                reason=sub.reason,
            )
        )
        return stop(target, (auth.write, auth.root) if auth.mount else None)

    def _aws_side(self, chain: MountChain, request: MountRequest, placement: Placement) -> _AwsSide:
        if chain.nfs is not None:
            return self._kernel_side(chain, request, placement)
        fs_id = chain.file_system_id or ""
        steps: list[Step] = []
        principal: str | None = None
        session: str | None = None
        target: Target | None = None
        ap: AccessPointCheck | None = None
        region: str | None = None
        credentials: Credentials | None = None
        auth: Authorization | None = None

        def stop(granted: tuple[bool | None, bool | None] | None = None) -> _AwsSide:
            return _AwsSide(
                tuple(steps),
                principal,
                session,
                granted,
                ap.posix_user if ap is not None else None,
                target.mount_target.id if target is not None and target.mount_target else None,
                target.notes if target is not None else (),
                named=any(s.error is not None for s in steps),
                failed=any(s.status == "failed" for s in steps),
                settled=all(s.status in ("ok", "skipped") for s in steps),
                signature=_signature(steps, principal, granted, ap),
                region=region,
                credentials=credentials,
                authorization=auth,
                access_point_arn=ap.reference if ap is not None else None,
            )

        if not request.iam:
            principal = "anonymous"
        region_result, region = region_step(request, placement, self.view, self.versions)
        steps.append(region_result)
        if region_result.status == "failed":
            return stop()
        fallback = self.credentials.resolve(
            request.options, placement, chain.node_service_account, botocore=True
        )
        target = self.targets.select(fs_id, request.options, placement, region, fallback)
        selected = target_steps(target, request)
        steps.extend(selected)
        if selected[-1].status == "failed":
            return stop()
        steps.append(port_step(request))
        if request.iam:
            credentials = self.credentials.resolve(
                request.options, placement, chain.node_service_account
            )
            if credentials.candidates:
                principal = credentials.candidates[0].role_arn
                session = credentials.candidates[0].session_arn
        found = credentials_step(credentials, request)
        steps.append(found)
        if found.status == "failed":
            return stop()
        parsed = nfs_options_step(request, self.versions)
        steps.append(parsed)
        if parsed.status == "failed":
            return stop()
        if target.probe is None:
            if target.mount_target is not None:
                reach = self.probe(placement, target.mount_target)
                connected = network_step(target, reach, request)
            else:
                connected = self._any_target(fs_id, placement, target, request)
            steps.append(connected)
            if connected.status == "failed":
                return stop()
        ap = check_access_point(request.access_point_id, fs_id, chain.planned, self.view)
        steps.append(
            step(
                "access-point", ap.status, ap.evidence, ap.source, cause=ap.cause, reason=ap.reason
            )
        )
        if ap.status == "failed":
            return stop()
        auth = self._authorize(
            fs_id, request, credentials, ap=ap, placement=placement, region=region
        )
        root_user = ap.posix_user is not None and ap.posix_user.uid == 0
        decided = authorization_step(auth, request, target, self.versions, root_user)
        steps.append(decided)
        if auth.principal != "?":
            principal = auth.principal
        session = auth.principal_session or session
        if decided.status == "failed":
            return stop()
        sub = check_sub_path(
            request.subpath, ap.root_path if ap.status != "skipped" else None, fs_id
        )
        steps.append(
            step(
                "sub-path",
                sub.status,
                sub.evidence,
                section_url("3.2"),
                cause=sub.cause,
                reason=sub.reason,
            )
        )
        return stop((auth.write, auth.root) if auth.mount else None)

    def _any_target(
        self, fs_id: str, placement: Placement, target: Target, request: MountRequest
    ) -> Step:
        """TCP 2049 when the mount target efs-utils ends up with is not known: blocked to
        every mount target it could pick (the node's zone's, else any) is a certain failure
        whichever it picks; otherwise undetermined."""
        available = [
            mt
            for mt in self.view.mount_targets_of(fs_id)
            if mt.lifecycle_state in (None, "available")
        ]
        in_zone = [mt for mt in available if mt.availability_zone_name == placement.zone]
        candidates = in_zone or available
        reaches = [(mt, self.probe(placement, mt)) for mt in candidates]
        if not reaches or any(reach.verdict != "blocked" for _, reach in reaches):
            return network_step(target, None, request)
        mt, reach = reaches[0]
        blocked = network_step(replace(target, mount_target=mt), reach, request)
        if len(reaches) == 1:
            return blocked
        others = ", ".join(m.id for m, _ in reaches[1:])
        return replace(blocked, reason=f"{blocked.reason}; {others} are blocked too")

    def _authorize(
        self,
        fs_id: str,
        request: MountRequest,
        credentials: Credentials | None,
        *,
        ap: AccessPointCheck,
        placement: Placement,
        region: str,
    ) -> Authorization:
        if credentials is not None and not credentials.candidates:
            return UNKNOWN_PRINCIPAL
        candidates = credentials.candidates if credentials is not None else (None,)
        results = [
            self._client_access(
                fs_id,
                candidate,
                request,
                access_point=ap.reference,
                placement=placement,
                region=region,
            )
            for candidate in candidates
        ]
        if credentials is None:
            return results[0]
        return combine(results, credentials.candidates)


def _signature(
    steps: list[Step],
    principal: str | None,
    granted: tuple[bool | None, bool | None] | None,
    ap: AccessPointCheck | None,
) -> tuple[object, ...]:
    """Placements with equal signatures get the same outcome (outcome.merge's key)."""
    deciding = next((s for s in steps if s.status == "failed"), None) or next(
        (s for s in steps if s.status == "indeterminate"), None
    )
    return (
        tuple(s.status for s in steps),
        deciding.layer if deciding else None,
        deciding.cause if deciding else None,
        deciding.error if deciding else None,
        principal,
        granted,
        ap.posix_user if ap is not None else None,
    )


def _named(shared: Step, request: MountRequest) -> Step:
    """A shared AWS-side step with this chain's PV name and target path in its error."""
    if shared.error is None or (_PV not in shared.error and _TARGET not in shared.error):
        return shared
    error = shared.error.replace(_PV, request.pv_name).replace(_TARGET, request.target)
    return replace(shared, error=error)


def simulate_chain(
    chain: MountChain, inventory: Inventory, options: SimulationOptions | None = None
) -> list[MountOutcome]:
    """One outcome per node group/zone with a different answer (usually one)."""
    return Simulator(inventory, options).simulate(chain)


def simulate_all(
    inventory: Inventory, chains: Iterable[MountChain], options: SimulationOptions | None = None
) -> list[MountOutcome]:
    """Every chain, sharing policy evaluations, target selection and network checks."""
    return Simulator(inventory, options).simulate_all(chains)
