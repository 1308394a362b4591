"""The analysis context the rules read (the rule runner is ``efs_doctor.rules.runner``).

:class:`Context` is the one object a rule's ``check`` receives: the inventory, the resolved
mount chains, and engine answers computed once and cached (the mount options the CSI driver
builds, who efs-utils authenticates as, what the file system policy grants). Everything
here is pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from efs_doctor.findings import Finding, Location
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import Node, PersistentVolume, ServiceAccount, StorageClass

if TYPE_CHECKING:
    from efs_doctor.engine.iam import AccessEvaluation, LintFinding, ParsedPolicy
    from efs_doctor.engine.iam.permissions import RolePolicies
    from efs_doctor.engine.mount import MountOutcome, Simulator
    from efs_doctor.engine.mount.admission import MountRequest
    from efs_doctor.engine.mount.authorization import Authorization
    from efs_doctor.engine.mount.model import Step
    from efs_doctor.engine.mount.simulate import Side
    from efs_doctor.engine.mount.versions import Versions


@dataclass(frozen=True, slots=True)
class NodePrincipal:
    """Whom efs-utils in the node plugin authenticates as when a mount uses ``iam``.

    efs-semantics.md §2.8 and §3.5: the credential chain tries EKS Pod Identity, then IRSA
    (``eks.amazonaws.com/role-arn`` on efs-csi-node-sa), then the instance profile through
    IMDS. ``arn`` is None when the inputs do not tell.
    """

    arn: str | None
    source: str  # "pod-identity" | "irsa" | "instance-profile" | "unknown"
    evidence: Location | None
    nodes: tuple[str, ...] = ()
    reason: str = ""


class Context:
    """What rules see. Engine answers are computed on first use and cached."""

    def __init__(
        self,
        inventory: Inventory,
        chains: Sequence[MountChain],
        *,
        file_systems: Sequence[str] = (),
    ) -> None:
        """``file_systems``: file systems whose policy is checked although no chain uses them
        and AWS does not describe them (the one ``explain``'s error text is about)."""
        self.inventory = inventory
        self.chains = tuple(chains)
        self.file_systems = tuple(file_systems)
        self._lints: dict[str, list[LintFinding]] = {}
        self._memo: dict[str, object] = {}
        # Findings of the rules run so far, before thresholds (a rule that runs last may
        # report only what the others did not).
        self.reported: list[Finding] = []
        self.ignored_causes: set[str] = set()  # of rules the configuration turned off

    def memo(self, key: str, compute: Callable[[], object]) -> object:
        """A value computed once per analysis (an engine index shared by several rules)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ---- chains ---------------------------------------------------------------------
    def chains_with_volume(self) -> list[MountChain]:
        """One chain per PersistentVolume (or planned volume, or a pod's own nfs volume on
        EFS): the first that mounts it."""
        seen: set[str] = set()
        out: list[MountChain] = []
        for chain in self.chains:
            key = chain.volume.name if chain.volume is not None else None
            if key is None and chain.planned is not None:
                key = f"planned:{chain.claim_key}"
            if key is None and chain.nfs is not None:
                key = f"nfs:{chain.label}"  # a pod's own nfs volume on EFS
            if key is None or key in seen:
                continue
            seen.add(key)
            out.append(chain)
        return out

    def chain_of_volume(self, name: str) -> MountChain | None:
        """The first chain that mounts the PersistentVolume ``name``."""
        index = self.memo("chain-by-volume", self._chains_by_volume)
        assert isinstance(index, dict)
        found = index.get(name)
        return found if isinstance(found, MountChain) else None

    def _chains_by_volume(self) -> dict[str, MountChain]:
        index: dict[str, MountChain] = {}
        for chain in self.chains:
            if chain.volume is not None:
                index.setdefault(chain.volume.name, chain)
        return index

    def efs_volumes(self) -> list[PersistentVolume]:
        return [pv for pv in self.inventory.persistent_volumes.values() if pv.is_efs]

    def efs_storage_classes(self) -> list[StorageClass]:
        return [sc for sc in self.inventory.storage_classes.values() if sc.is_efs]

    # ---- the mount engine's answers (engine/mount) ------------------------------------
    # Every fact below is the simulator's: rules ask, they never re-derive (issue 14).
    @property
    def simulator(self) -> Simulator:
        from efs_doctor.engine.mount import Simulator

        simulator = self.memo("simulator", lambda: Simulator(self.inventory))
        assert isinstance(simulator, Simulator)
        return simulator

    @property
    def versions(self) -> Versions:
        """The driver and efs-utils versions the simulation runs under."""
        return self.simulator.versions

    def driver_at_least(self, *version: int) -> bool:
        from efs_doctor.engine.mount.versions import Version

        return self.versions.csi_driver >= Version(*version)

    def sides(self, chain: MountChain) -> list[Side]:
        """The chain as simulated, per group of placements with the same answer."""
        found = self.memo(f"sides:{id(chain)}", lambda: self.simulator.sides(chain))
        assert isinstance(found, list)
        return found

    def outcomes(self, chain: MountChain) -> list[MountOutcome]:
        """The simulated mount of ``chain`` per node group or zone (cached)."""
        found = self.memo(f"outcomes:{id(chain)}", lambda: self.simulator.simulate(chain))
        assert isinstance(found, list)
        return found

    def request(self, chain: MountChain) -> MountRequest | None:
        """What the node plugin asks efs-utils to mount (merged options, TLS, ``iam``);
        None when the driver or efs-utils refuses the volume first."""
        for side in self.sides(chain):
            if side.admission.request is not None:
                return side.admission.request
        return None

    def admission_failure(self, chain: MountChain) -> Step | None:
        """The admission step (Kubernetes, CSI driver, efs-utils options) that refuses it."""
        for side in self.sides(chain):
            for step in side.admission.steps:
                if step.status == "failed":
                    return step
        return None

    def uses_iam(self, chain: MountChain) -> bool:
        request = self.request(chain)
        return request is not None and request.iam

    def uses_tls(self, chain: MountChain) -> bool:
        request = self.request(chain)
        return request is not None and request.tls

    def encrypt_in_transit(self, chain: MountChain) -> bool | None:
        """``encryptInTransit`` as the driver read it; None when the driver refused the volume."""
        request = self.request(chain)
        return None if request is None else request.csi.encrypt_in_transit

    def simulated_error(self, chain: MountChain, causes: Iterable[str]) -> str | None:
        """The error a simulated mount of ``chain`` fails with for one of ``causes``: the
        last line of the kubelet text (the component's own message), else None."""
        wanted = set(causes)
        for outcome in self.outcomes(chain):
            if outcome.outcome == "failed" and outcome.cause in wanted and outcome.error:
                last = outcome.error.strip().splitlines()[-1].strip()
                if last.startswith(("b'", 'b"')) and last[-1:] in ("'", '"'):
                    last = last[2:-1]
                return last
        return None

    def failed_with(self, chain: MountChain, causes: Iterable[str]) -> MountOutcome | None:
        """The first simulated outcome of ``chain`` that fails with one of ``causes``."""
        wanted = set(causes)
        return next(
            (o for o in self.outcomes(chain) if o.outcome == "failed" and o.cause in wanted),
            None,
        )

    def step_statuses(self, chain: MountChain, step: str) -> set[str]:
        """How the simulated ``step`` ended across the chain's outcomes."""
        return {s.status for o in self.outcomes(chain) for s in o.steps if s.step == step}

    def failing_outcomes(self, labels: Iterable[str | None]) -> dict[str, MountOutcome]:
        """Chain label -> the first failed simulated outcome, for the chains of ``labels``
        (the report shows the mount path of chains that have findings)."""
        wanted = set(labels)
        failing: dict[str, MountOutcome] = {}
        for chain in self.chains:
            if chain.label not in wanted or chain.label in failing:
                continue
            for outcome in self.outcomes(chain):
                if outcome.outcome == "failed":
                    failing.setdefault(chain.label, outcome)
        return failing

    def region(self, chain: MountChain | None = None) -> str | None:
        """The region efs-utils mounts in: as simulated for ``chain``, else the file
        system's, else the one the inputs name."""
        view = self.simulator.view
        if chain is not None:
            for side in self.sides(chain):
                if side.aws is not None and side.aws.region and not side.aws.region.startswith("<"):
                    return side.aws.region
            found = view.region_of_file_system(chain.file_system_id)
            if found:
                return found
        for fs_id in self.inventory.file_systems:
            found = view.region_of_file_system(fs_id)
            if found:
                return found
        return next((n.region for n in self.inventory.nodes.values() if n.region), None)

    # ---- where things run -----------------------------------------------------------
    def candidate_nodes(self, chain: MountChain) -> list[Node]:
        """Nodes the chain's pod may run on, as the simulator places it (pinned node, zone
        restrictions, node selector; Fargate nodes do not run the node plugin)."""
        nodes: dict[str, Node] = {}
        for placement in self.simulator.placements_of(chain):
            if not placement.fargate:
                nodes.update((n.name, n) for n in placement.nodes)
        return list(nodes.values())

    # ---- who efs-utils is (efs-semantics.md §2.8, §3.5) -------------------------------
    def node_service_account(self) -> ServiceAccount | None:
        for chain in self.chains:
            if chain.node_service_account is not None:
                return chain.node_service_account
        for sa in self.inventory.service_accounts.values():
            if sa.name == "efs-csi-node-sa":
                return sa
        return None

    def node_principals(self, chain: MountChain) -> list[NodePrincipal]:
        """The principals an ``iam`` mount of ``chain`` presents (or would, once ``iam`` is
        added), one per distinct answer of the simulator's credential chain across the
        chain's placements."""
        key = f"principals:{id(chain)}"
        found = self.memo(key, lambda: self._resolve_principals(chain))
        assert isinstance(found, list)
        return found

    def _resolve_principals(self, chain: MountChain) -> list[NodePrincipal]:
        request = self.request(chain)
        if request is None:
            return [NodePrincipal(None, "unknown", None, reason="the driver refuses the volume")]
        with_iam = (
            request if request.iam else replace(request, options={**request.options, "iam": None})
        )
        by_role: dict[str | None, NodePrincipal] = {}
        for side in self.sides(chain):
            for placement in side.placements:
                if placement.fargate:
                    continue
                names = tuple(n.name for n in placement.nodes)
                credentials = self.simulator.credentials_for(chain, placement, with_iam)
                if not credentials.candidates or len(credentials.candidates) > 1:
                    reason = credentials.reason or "; ".join(credentials.evidence)
                    if len(credentials.candidates) > 1:
                        reason = (
                            "efs-utils may present "
                            + " or ".join(c.role_arn for c in credentials.candidates)
                            + f" ({reason})"
                        )
                    principal = NodePrincipal(None, "unknown", None, names, reason)
                else:
                    chosen = credentials.candidates[0]
                    principal = NodePrincipal(
                        chosen.role_arn,
                        _source_kind(chosen.source),
                        self._principal_evidence(chain, chosen.source, chosen.role_arn),
                        names,
                        chosen.how,
                    )
                known = by_role.get(principal.arn)
                if known is None:
                    by_role[principal.arn] = principal
                else:
                    # the same role on several node groups: say how, not which instance
                    reason = known.reason
                    if reason != principal.reason:
                        reason = reason.split(" (instance ")[0]
                    by_role[principal.arn] = replace(
                        known, nodes=(*known.nodes, *names), reason=reason
                    )
        return list(by_role.values()) or [
            NodePrincipal(None, "unknown", None, reason="no node the pod can run on is known")
        ]

    def _principal_evidence(self, chain: MountChain, source: str, role_arn: str) -> Location | None:
        sa = chain.node_service_account or self.node_service_account()
        if source.startswith("webidentity") and sa is not None:
            return sa.source.location(
                "metadata",
                "annotations",
                "eks.amazonaws.com/role-arn",
                object_name=f"ServiceAccount/{sa.namespace}/{sa.name}",
            )
        if source.startswith("podidentity") and sa is not None:
            association = self.inventory.pod_identity_association(sa.namespace, sa.name)
            if association is not None:
                return association.source.location(object_name=association.association_id)
        role = self.inventory.role_by_name_or_arn(role_arn)
        return role.source.location(object_name=role.arn) if role is not None else None

    def access(self, chain: MountChain, principal: str) -> Authorization | None:
        """EFS's answer for ``principal`` ("anonymous" or a role ARN) on the chain's
        connection as the simulator builds it (TLS, access point, source address); None when
        the mount stops before authorization is asked. Identity policies not among the inputs
        make the answer ``indeterminate``, never a denial."""
        from efs_doctor.engine.mount.credentials import Principal

        who = None
        if principal != "anonymous":
            who = next(
                (
                    c
                    for side in self.sides(chain)
                    if side.aws is not None and side.aws.credentials is not None
                    for c in side.aws.credentials.candidates
                    if c.role_arn == principal
                ),
                Principal(principal, None, "", principal),
            )
        for side in self.sides(chain):
            found = self.simulator.authorize(side, who)
            if found is not None:
                return found
        return None

    def client_access(self, chain: MountChain, principal: str) -> AccessEvaluation | None:
        """The IAM engine's evaluation behind :meth:`access` (statement traces)."""
        found = self.access(chain, principal)
        return found.evaluation if found is not None else None

    def mount_principal(self, chain: MountChain) -> str | None:
        """The principal this chain mounts as today: "anonymous" without ``iam``, else the
        node principal when the simulator settles on exactly one."""
        if not self.uses_iam(chain):
            return "anonymous"
        known = {p.arn for p in self.node_principals(chain)}
        return next(iter(known)) if len(known) == 1 else None

    # ---- the file system policy and what it grants ----------------------------------
    def parsed_policy(self, file_system_id: str) -> ParsedPolicy | None:
        """The file system's policy as the mount engine parsed it; None when unknown or
        known to be absent."""
        return self.simulator.authorizer.file_system_policy(file_system_id)[0]

    def policy_lint(self, file_system_id: str) -> list[LintFinding]:
        """The IAM engine's EFS-specific lint of the file system policy (cached)."""
        if file_system_id not in self._lints:
            from efs_doctor.engine.iam import lint_policy

            parsed = self.parsed_policy(file_system_id)
            self._lints[file_system_id] = lint_policy(parsed) if parsed is not None else []
        return self._lints[file_system_id]

    def policy_file_systems(self) -> list[str]:
        """File systems with a known, present policy, used by a chain, loaded from AWS or
        named when the Context was made."""
        wanted = {c.file_system_id for c in self.chains if c.file_system_id}
        wanted |= set(self.inventory.file_systems) | set(self.file_systems)
        return sorted(
            fs for fs in wanted if (p := self.inventory.policies.get(fs)) and not p.absent
        )

    def policy_location(
        self, file_system_id: str, json_path: tuple[str | int, ...] = ()
    ) -> Location:
        """Where ``json_path`` of the policy is: in the policy file itself when it was one,
        else at the ``Policy`` field of the saved describe-file-system-policy answer."""
        policy = self.inventory.policies[file_system_id]
        label = file_system_id  # the policy is the file system's (contracts.md: object = id)
        parsed = self.parsed_policy(file_system_id)
        if policy.text_source is not None and parsed is not None:
            position = parsed.position(json_path)
            if position is not None:
                return Location(policy.text_source.path, position[0], position[1], label)
            return Location(policy.text_source.path, 1, 1, label)
        return policy.source.location("Policy", object_name=label)

    def role_policies(self, role_arn: str) -> RolePolicies:
        """The role's identity policies as the engines know them (inline, attached managed,
        vendored AWS managed, permissions boundary; what is not among the inputs is listed as
        missing), parsed for the IAM engine."""
        return self.simulator.view.role_policies(role_arn)


def _source_kind(source: str) -> str:
    """The credential source efs-utils logs -> pod-identity | irsa | instance-profile."""
    if source.startswith("podidentity"):
        return "pod-identity"
    if source.startswith("webidentity"):
        return "irsa"
    return "instance-profile"
