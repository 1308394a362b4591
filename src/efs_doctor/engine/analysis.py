"""The analysis context the rules read, and the runner that turns rule results into a report.

:class:`Context` is the one object a rule's ``check`` receives: the inventory, the resolved
mount chains, and engine answers computed once and cached (the mount options the CSI driver
builds, who efs-utils authenticates as, what the file system policy grants). Everything
here is pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from efs_doctor.config import Config, RuleName, parse_suppressions
from efs_doctor.findings import Finding, Inconclusive, Location, Report, Suppressed
from efs_doctor.model.chain import DRIVER_NAMESPACE, MountChain
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import Node, PersistentVolume, ServiceAccount, StorageClass

if TYPE_CHECKING:
    from efs_doctor.engine.iam import AccessEvaluation, LintFinding, ParsedPolicy
    from efs_doctor.engine.mount import MountOutcome, Simulator
    from efs_doctor.rules.base import Rule


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


def _flag_name(option: str) -> str:
    return option.split("=", 1)[0].strip().lower()


class Context:
    """What rules see. Engine answers are computed on first use and cached."""

    def __init__(self, inventory: Inventory, chains: Sequence[MountChain]) -> None:
        self.inventory = inventory
        self.chains = tuple(chains)
        self._policies: dict[str, ParsedPolicy | None] = {}
        self._access: dict[tuple[int, str], AccessEvaluation | None] = {}
        self._principals: dict[int, list[NodePrincipal]] = {}
        self._lints: dict[str, list[LintFinding]] = {}
        self._memo: dict[str, object] = {}
        self.notes: list[str] = []

    def memo(self, key: str, compute: Callable[[], object]) -> object:
        """A value computed once per analysis (an engine index shared by several rules)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ---- chains ---------------------------------------------------------------------
    def chains_with_volume(self) -> list[MountChain]:
        """One chain per PersistentVolume (or planned volume): the first that mounts it."""
        seen: set[str] = set()
        out: list[MountChain] = []
        for chain in self.chains:
            key = chain.volume.name if chain.volume is not None else None
            if key is None and chain.planned is not None:
                key = f"planned:{chain.claim_key}"
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

    def driver_version(self) -> tuple[int, int, int] | None:
        """The CSI driver version from the node DaemonSet's image tag, when loaded."""
        found = [d for d in self.inventory.driver_deployments if d.driver_version]
        found.sort(key=lambda d: d.kind != "DaemonSet")
        for deployment in found:
            version = parse_version(deployment.driver_version or "")
            if version is not None:
                return version
        return None

    def driver_at_least(self, *version: int) -> bool | None:
        """Whether the loaded driver is at least ``version``; None when unknown."""
        found = self.driver_version()
        return None if found is None else found >= version

    # ---- the mount simulation (engine/mount) ----------------------------------------
    def outcomes(self, chain: MountChain) -> list[MountOutcome]:
        """The simulated mount of ``chain`` per node group or zone (cached)."""
        key = f"outcomes:{id(chain)}"
        found = self.memo(key, lambda: self._simulate(chain))
        assert isinstance(found, list)
        return found

    def _simulate(self, chain: MountChain) -> list[MountOutcome]:
        # The simulation only refines expected errors and the report's mount path; a failure
        # in it must not take the whole scan down, so it is recorded and the rules go on.
        try:
            return self._simulator().simulate(chain)
        except Exception as error:  # recorded in the report notes
            self.notes.append(
                f"mount simulation failed for {chain.label}: {type(error).__name__}: {error}"
            )
            return []

    def _simulator(self) -> Simulator:
        from efs_doctor.engine.mount import Simulator

        simulator = self.memo("simulator", lambda: Simulator(self.inventory))
        assert isinstance(simulator, Simulator)
        return simulator

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

    # ---- mount options (efs-semantics.md §3.3, §3.4) ---------------------------------
    @staticmethod
    def mount_flags(chain: MountChain) -> tuple[str, ...]:
        """The PV's mountOptions as the node plugin passes them: lower-cased (§3.4 step 8)."""
        return tuple(option.strip().lower() for option in chain.mount_options if option.strip())

    @staticmethod
    def encrypt_in_transit(chain: MountChain) -> bool | None:
        """``encryptInTransit`` (keys matched case-insensitively, default true, §3.3);
        None when the value is not a Go ``strconv.ParseBool`` boolean."""
        attributes = chain.volume.csi.volume_attributes if chain.volume and chain.volume.csi else {}
        for key, value in attributes.items():
            if key.lower() == "encryptintransit":
                return parse_go_bool(value)
        return True

    def uses_tls(self, chain: MountChain) -> bool:
        """TLS is added for access point handles and when encryptInTransit is true (§3.4
        steps 4-5), or named in mountOptions."""
        if chain.access_point_id or self.encrypt_in_transit(chain) is not False:
            return True
        return "tls" in {_flag_name(o) for o in self.mount_flags(chain)}

    def uses_iam(self, chain: MountChain) -> bool:
        """The driver never adds ``iam`` on the node (§3.4 consequences): only mountOptions."""
        return "iam" in {_flag_name(o) for o in self.mount_flags(chain)}

    # ---- where things run -----------------------------------------------------------
    def candidate_nodes(self, chain: MountChain) -> list[Node]:
        """Nodes the chain's pod may run on: pinned node, else nodes matching its zone
        restrictions and node selector (Fargate nodes do not run the node plugin)."""
        nodes = [n for n in self.inventory.nodes.values() if not n.is_fargate]
        workload = chain.workload
        if workload is not None and workload.node_name:
            return [n for n in nodes if n.name == workload.node_name]
        zones: set[str] = set()
        if workload is not None and workload.zones:
            zones = set(workload.zones)
        if chain.volume is not None and chain.volume.zones:
            zones = zones & set(chain.volume.zones) if zones else set(chain.volume.zones)
        if zones:
            nodes = [n for n in nodes if n.zone in zones]
        if workload is not None and workload.node_selector:
            nodes = [
                n
                for n in nodes
                if all(n.meta.labels.get(k) == v for k, v in workload.node_selector.items())
            ]
        return nodes

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
        """The principals an ``iam`` mount of ``chain`` would present, one per distinct
        answer across the candidate nodes."""
        key = id(chain)
        if key not in self._principals:
            self._principals[key] = self._resolve_principals(chain)
        return self._principals[key]

    def _resolve_principals(self, chain: MountChain) -> list[NodePrincipal]:
        inv = self.inventory
        sa = self.node_service_account()
        namespace = sa.namespace if sa is not None else DRIVER_NAMESPACE
        name = sa.name if sa is not None else "efs-csi-node-sa"
        pod_identity = inv.pod_identity_role(namespace, name)
        if pod_identity:
            association = next(
                a
                for a in inv.pod_identity_associations
                if a.namespace == namespace and a.service_account == name
            )
            return [
                NodePrincipal(
                    pod_identity,
                    "pod-identity",
                    association.source.location(object_name=association.association_id),
                    reason=f"EKS Pod Identity association for {namespace}/{name}",
                )
            ]
        if sa is not None and sa.irsa_role_arn:
            return [
                NodePrincipal(
                    sa.irsa_role_arn,
                    "irsa",
                    sa.source.location(
                        "metadata",
                        "annotations",
                        "eks.amazonaws.com/role-arn",
                        object_name=f"ServiceAccount/{sa.namespace}/{sa.name}",
                    ),
                    reason=f"IRSA annotation on ServiceAccount {sa.key}",
                )
            ]
        nodes = self.candidate_nodes(chain)
        if not nodes:
            return [NodePrincipal(None, "unknown", None, reason="no Node objects among the inputs")]
        by_role: dict[str | None, list[str]] = {}
        evidence: dict[str | None, Location | None] = {}
        reasons: dict[str | None, str] = {}
        for node in nodes:
            instance = inv.instance_of_node(node)
            role = None
            if instance is None:
                reasons[None] = f"instance of node {node.name} not among the inputs"
            elif not instance.instance_profile_arn:
                reasons[None] = f"instance {instance.id} has no instance profile"
            else:
                found = inv.role_of_instance_profile(instance.instance_profile_arn)
                if found is None:
                    reasons[None] = (
                        f"role of instance profile {instance.instance_profile_arn} not among "
                        "the inputs (aws iam get-account-authorization-details)"
                    )
                else:
                    role = found.arn
                    evidence.setdefault(role, found.source.location(object_name=found.arn))
                    reasons.setdefault(
                        role,
                        f"node instance role via instance profile {instance.instance_profile_arn}",
                    )
            by_role.setdefault(role, []).append(node.name)
        return [
            NodePrincipal(
                role,
                "instance-profile" if role else "unknown",
                evidence.get(role),
                tuple(names),
                reasons.get(role, ""),
            )
            for role, names in by_role.items()
        ]

    # ---- the file system policy and what it grants ----------------------------------
    def parsed_policy(self, file_system_id: str) -> ParsedPolicy | None:
        """The file system's policy, parsed; None when unknown or known to be absent."""
        if file_system_id not in self._policies:
            self._policies[file_system_id] = self._parse_policy(file_system_id)
        return self._policies[file_system_id]

    def _parse_policy(self, file_system_id: str) -> ParsedPolicy | None:
        from efs_doctor.engine.iam import parse_policy

        policy = self.inventory.policies.get(file_system_id)
        if policy is None or policy.document is None:
            return None
        return parse_policy(
            policy.document, kind="resource", path=policy.source.path, text=policy.text
        )

    def policy_lint(self, file_system_id: str) -> list[LintFinding]:
        """The IAM engine's EFS-specific lint of the file system policy (cached)."""
        if file_system_id not in self._lints:
            from efs_doctor.engine.iam import lint_policy

            parsed = self.parsed_policy(file_system_id)
            self._lints[file_system_id] = lint_policy(parsed) if parsed is not None else []
        return self._lints[file_system_id]

    def policy_file_systems(self) -> list[str]:
        """File systems with a known, present policy, used by a chain or loaded from AWS."""
        wanted = {c.file_system_id for c in self.chains if c.file_system_id}
        wanted |= set(self.inventory.file_systems)
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

    def file_system_arn(self, chain: MountChain) -> str | None:
        fs_id = chain.file_system_id
        if not fs_id:
            return None
        fs = chain.file_system or self.inventory.file_systems.get(fs_id)
        if fs is not None and fs.arn:
            return fs.arn
        region, account = self.region(), self.account()
        if region and account:
            return f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fs_id}"
        return None

    def region(self) -> str | None:
        for fs in self.inventory.file_systems.values():
            if fs.region:
                return fs.region
        for node in self.inventory.nodes.values():
            if node.region:
                return node.region
        for cluster in self.inventory.clusters.values():
            if cluster.region:
                return cluster.region
        return None

    def account(self) -> str | None:
        if self.inventory.caller is not None:
            return self.inventory.caller.account
        for fs in self.inventory.file_systems.values():
            if fs.owner_id:
                return fs.owner_id
        return None

    def access_point_arn(self, chain: MountChain) -> str | None:
        ap_id = chain.access_point_id
        if not ap_id:
            return None
        if chain.access_point is not None and chain.access_point.arn:
            return chain.access_point.arn
        fs_arn = self.file_system_arn(chain)
        if fs_arn is None:
            return None
        prefix = fs_arn.split(":file-system/")[0]
        return f"{prefix}:access-point/{ap_id}"

    def identity_policies(self, role_arn: str) -> list[ParsedPolicy]:
        """The role's inline and (loaded) attached managed policies, parsed."""
        from efs_doctor.engine.iam import parse_policy

        return [
            parse_policy(document, kind="identity", label=f"identity policy {name}")
            for name, document in self.role_documents(role_arn)
        ]

    def role_documents(self, role_arn: str) -> list[tuple[str, Mapping[str, Any]]]:
        """(name, document) of the role's inline policies and of the attached managed
        policies whose text is known (loaded, or vendored AWS managed policies)."""
        from efs_doctor.sources.iac.managed_policies import aws_managed_policy

        role = self.inventory.role_by_name_or_arn(role_arn)
        if role is None:
            return []
        documents: list[tuple[str, Mapping[str, Any]]] = list(role.inline_policies.items())
        for arn in role.attached_policy_arns:
            managed = self.inventory.managed_policies.get(arn) or aws_managed_policy(arn)
            if managed is not None and managed.document is not None:
                documents.append((arn, managed.document))
        return documents

    def client_access(self, chain: MountChain, principal: str) -> AccessEvaluation | None:
        """What EFS grants ``principal`` ("anonymous" or a role ARN) on this chain's
        connection; None when the file system ARN cannot be known."""
        key = (id(chain), principal)
        if key in self._access:
            return self._access[key]
        from efs_doctor.engine.iam import NfsRequest, evaluate_client_access

        result = None
        fs_arn = self.file_system_arn(chain)
        if fs_arn is not None and chain.file_system_id:
            policy = self.inventory.policies.get(chain.file_system_id)
            try:
                request = NfsRequest(
                    file_system=fs_arn,
                    principal=principal,
                    secure_transport=self.uses_tls(chain),
                    access_point_arn=self.access_point_arn(chain),
                )
            except ValueError:
                request = None
            if request is not None:
                identities = [] if principal == "anonymous" else self.identity_policies(principal)
                result = evaluate_client_access(
                    self.parsed_policy(chain.file_system_id),
                    policy is not None,
                    identities,
                    request,
                )
        self._access[key] = result
        return result

    def mount_principal(self, chain: MountChain) -> str | None:
        """The principal this chain mounts as today: "anonymous" without ``iam``, else the
        node principal when the inputs name exactly one."""
        if not self.uses_iam(chain):
            return "anonymous"
        known = [p.arn for p in self.node_principals(chain) if p.arn]
        return known[0] if len(set(known)) == 1 else None


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"3.4.1"``, ``"v2.1"`` -> ``(3, 4, 1)``, ``(2, 1, 0)``; None otherwise."""
    import re

    match = re.match(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", text.strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    try:
        return int(major), int(minor or 0), int(patch or 0)
    except ValueError:  # a tag of thousands of digits (over int()'s limit) is no version
        return None


def parse_go_bool(value: str) -> bool | None:
    """Go's ``strconv.ParseBool`` (the driver parses volume attributes with it, §3.3)."""
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


# ---- running rules -------------------------------------------------------------------


def _annotations_by_key(inventory: Inventory) -> dict[str, Mapping[str, str]]:
    from efs_doctor.rules.base import object_key

    objects: list[Any] = [
        *inventory.persistent_volumes.values(),
        *inventory.claims.values(),
        *inventory.storage_classes.values(),
        *inventory.workloads,
        *inventory.service_accounts.values(),
        *inventory.nodes.values(),
    ]
    return {object_key(o): o.meta.annotations for o in objects if o.meta.annotations}


def run_rules(context: Context, rules: Iterable[Rule], config: Config) -> Report:
    """Run the enabled rules in registry order; apply suppressions and thresholds."""
    findings: list[Finding] = []
    inconclusive: dict[tuple[str, str, str], Inconclusive] = {}
    suppressed: list[Suppressed] = []
    notes: list[str] = []
    below = 0
    ran: list[str] = []
    annotations = _annotations_by_key(context.inventory)
    suppressions: dict[str, list[Any]] = {}
    for key, values in annotations.items():
        found, problems = parse_suppressions(values)
        if found:
            suppressions[key] = found
        notes.extend(f"{key}: {problem}" for problem in problems)
    seen: set[tuple[str, str, int | None, str]] = set()
    for rule in rules:
        if not config.enabled(rule):
            continue
        ran.append(rule.code)
        try:
            results = list(rule.check(context))
        except Exception as error:  # a broken rule is reported, not fatal
            results = [
                Inconclusive(
                    rule.code,
                    "*",
                    f"internal error in the rule ({type(error).__name__}: {error}); "
                    "please report it",
                )
            ]
        for result in results:
            if isinstance(result, Inconclusive):
                inconclusive.setdefault((result.code, result.object, result.reason), result)
                continue
            identity = (
                result.code,
                str(result.location),
                result.location.line,
                result.message,
            )
            if identity in seen:
                continue
            seen.add(identity)
            match = _suppression(result, suppressions)
            if match is not None:
                suppressed.append(Suppressed(result, match[1], match[0]))
                continue
            if not config.reportable(result.severity, result.confidence):
                below += 1
                continue
            findings.append(result)
    order = {code: index for index, code in enumerate(ran)}
    findings.sort(key=lambda f: (f.severity.rank, order[f.code], f.sort_key))
    return Report(
        findings=tuple(findings),
        inconclusive=tuple(inconclusive.values()),
        suppressed=tuple(suppressed),
        files=tuple(context.inventory.files),
        objects=context.inventory.object_count,
        chains=len(context.chains),
        rules_run=tuple(ran),
        below_threshold=below,
        notes=(*notes, *context.notes),
    )


def _suppression(finding: Finding, table: Mapping[str, list[Any]]) -> tuple[str, str] | None:
    from efs_doctor.config import matches

    name = RuleName(finding.code, finding.slug)
    keys = [finding.location.object or "", *finding.subjects]
    keys.extend(r.location.object or "" for r in finding.related)
    for key in keys:
        for suppression in table.get(key, ()):
            if matches(suppression.selector, name):
                return key, suppression.reason
    return None


def with_findings(report: Report, findings: Iterable[Finding]) -> Report:
    return replace(report, findings=tuple(findings))
