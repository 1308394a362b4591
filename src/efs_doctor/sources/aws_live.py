"""Read-only collection from AWS (boto3): only what the cluster's EFS mounts depend on.

What is asked is decided by the Kubernetes side (:class:`AwsTargets`): the file system ids
in PersistentVolumes and StorageClasses, the instance ids in the nodes' ``providerID``, the
EFS CSI driver's service accounts. Requests go per resource type, filtered, paginated and in
parallel waves (each wave needs ids the one before found):

* A: caller identity; file systems, access points, mount targets and policies (per file
  system: the API has no other filter); instances; IAM authorization details; EKS cluster
  and Pod Identity associations when the cluster name is known.
* B: mount target network interfaces; subnets, VPCs, their DNS attributes and network ACLs;
  EKS when the cluster name came from the instances' tags.
* C: security groups of mount target interfaces and instances; the driver's Pod Identity
  associations in detail; IAM per-role calls when authorization details were denied.

So the number of calls grows with the number of file systems and VPCs (a few), never with
the number of PersistentVolumes, pods or nodes. Answers are kept in AWS CLI shapes
(``aws ... --output json``) so the offline loaders read them, live or from a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from efs_doctor.sources.aws_calls import AwsCaller, Failure
from efs_doctor.sources.live_clean import clean_cluster
from efs_doctor.sources.live_progress import Progress
from efs_doctor.sources.live_records import Collection, Inconclusive

EC2_FILTER_VALUES = 200  # values per EC2 filter in one request (EC2 API reference, Filter)
SERVICES = ("sts", "efs", "ec2", "iam", "eks")
CLUSTER_TAGS = ("eks:cluster-name", "aws:eks:cluster-name")


@dataclass(frozen=True, slots=True)
class AwsOptions:
    profile: str | None = None
    region: str | None = None
    cluster: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 6


@dataclass(slots=True)
class AwsTargets:
    """What the cluster uses, as read from Kubernetes."""

    file_system_ids: set[str] = field(default_factory=set)
    instance_ids: set[str] = field(default_factory=set)
    irsa_roles: set[str] = field(default_factory=set)  # role ARNs
    driver_accounts: set[tuple[str, str]] = field(default_factory=set)  # (namespace, name)
    cluster_name: str | None = None
    region: str | None = None  # a hint from the kubeconfig or node labels


def make_clients(options: AwsOptions, region_hint: str | None) -> tuple[dict[str, Any], str]:
    """One client per service from the default credential chain (or ``--profile``).

    ``AWS_ENDPOINT_URL`` is honoured by botocore itself (tests point it at moto)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(profile_name=options.profile)
    region = options.region or session.region_name or region_hint
    if not region:
        from botocore.exceptions import NoRegionError

        raise NoRegionError()
    config = Config(
        region_name=region,
        retries={"mode": "adaptive", "max_attempts": options.max_attempts},
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        max_pool_connections=32,
        user_agent_extra="efs-doctor",
    )
    return {name: session.client(name, config=config) for name in SERVICES}, region


def _chunks(values: Iterable[str]) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[i : i + EC2_FILTER_VALUES] for i in range(0, len(ordered), EC2_FILTER_VALUES)]


@dataclass(slots=True)
class _Found:
    """Ids met in the answers, which the next wave asks about."""

    file_systems: list[Mapping[str, Any]] = field(default_factory=list)
    mount_targets: list[Mapping[str, Any]] = field(default_factory=list)
    instances: list[Mapping[str, Any]] = field(default_factory=list)
    interfaces: list[Mapping[str, Any]] = field(default_factory=list)
    associations: list[Mapping[str, Any]] = field(default_factory=list)
    pod_identity_roles: set[str] = field(default_factory=set)
    authorization: Mapping[str, Any] | None = None
    all_file_systems: Mapping[str, Any] | None = None  # before filtering
    all_access_points: Mapping[str, Any] | None = None
    all_associations: list[Mapping[str, Any]] = field(default_factory=list)


class AwsCollector:
    """The calls, in waves. Calls that need nothing from Kubernetes (:meth:`early`) may run
    while the cluster is being listed; :meth:`run` does the rest once targets are known."""

    def __init__(self, caller: AwsCaller, collection: Collection, pool: ThreadPoolExecutor) -> None:
        self.caller = caller
        self.targets = AwsTargets()
        self.collection = collection
        self.pool = pool
        self.found = _Found()
        self._cluster_done = False
        self._early: list[Future[None]] = []

    # ---- helpers ---------------------------------------------------------------------
    def _wave(self, jobs: list[Callable[[], None]]) -> None:
        futures: list[Future[None]] = [self.pool.submit(job) for job in jobs]
        for future in futures:
            future.result()

    def _save(self, path: str, data: Mapping[str, Any]) -> None:
        self.collection.add_document(path, data)

    def _filtered(
        self, operation: str, key: str, filter_name: str, ids: set[str], path: str
    ) -> list[Mapping[str, Any]]:
        """An EC2 Describe* filtered by ids (in chunks); saves one document per chunk."""
        found: list[Mapping[str, Any]] = []
        for index, chunk in enumerate(_chunks(ids)):
            answer = self.caller.call(
                "ec2",
                operation,
                f"{len(chunk)} ids",
                Filters=[{"Name": filter_name, "Values": chunk}],
            )
            if isinstance(answer, dict):
                suffix = f"-{index + 1}" if index else ""
                self._save(f"aws/ec2/{path}{suffix}.json", answer)
                found.extend(x for x in answer.get(key) or () if isinstance(x, Mapping))
        return found

    # ---- wave A ----------------------------------------------------------------------
    def caller_identity(self) -> None:
        answer = self.caller.call("sts", "GetCallerIdentity", "")
        if isinstance(answer, dict) and answer.get("Account"):
            self._save("aws/sts/get-caller-identity.json", answer)

    def file_systems(self) -> None:
        answer = self.caller.call("efs", "DescribeFileSystems", "")
        if isinstance(answer, dict):
            self.found.all_file_systems = answer

    def access_points(self) -> None:
        answer = self.caller.call("efs", "DescribeAccessPoints", "")
        if isinstance(answer, dict):
            self.found.all_access_points = answer

    def keep_used_file_systems(self) -> None:
        """Only the file systems (and their access points) the cluster uses are kept."""
        wanted = self.targets.file_system_ids
        answer = self.found.all_file_systems
        if answer is not None:
            kept = [f for f in answer.get("FileSystems") or () if f.get("FileSystemId") in wanted]
            self.found.file_systems = kept
            self._save("aws/efs/describe-file-systems.json", {"FileSystems": kept})
        answer = self.found.all_access_points
        if answer is not None:
            kept = [a for a in answer.get("AccessPoints") or () if a.get("FileSystemId") in wanted]
            self._save("aws/efs/describe-access-points.json", {"AccessPoints": kept})

    def mount_targets(self, fs_id: str) -> None:
        answer = self.caller.call(
            "efs",
            "DescribeMountTargets",
            fs_id,
            expected=frozenset({"FileSystemNotFound"}),
            FileSystemId=fs_id,
        )
        if isinstance(answer, dict):
            self.found.mount_targets.extend(answer.get("MountTargets") or ())
            self._save(f"aws/efs/describe-mount-targets-{fs_id}.json", answer)

    def policy(self, fs_id: str) -> None:
        answer = self.caller.call(
            "efs",
            "DescribeFileSystemPolicy",
            fs_id,
            expected=frozenset({"PolicyNotFound", "FileSystemNotFound"}),
            FileSystemId=fs_id,
        )
        path = f"aws/efs/describe-file-system-policy-{fs_id}.json"
        if isinstance(answer, Failure) and answer.code == "PolicyNotFound":
            # contracts.md: the known absence of a policy, as botocore reports the error
            error = {"Code": answer.code, "Message": answer.message}
            self._save(path, {"FileSystemId": fs_id, "Error": error})
        elif isinstance(answer, dict):
            self._save(path, answer)

    def instances(self) -> None:
        if not self.targets.instance_ids:
            return
        found = self._filtered(
            "DescribeInstances",
            "Reservations",
            "instance-id",
            self.targets.instance_ids,
            "describe-instances",
        )
        self.found.instances = [
            i for r in found for i in r.get("Instances") or () if isinstance(i, Mapping)
        ]

    def authorization_details(self) -> None:
        answer = self.caller.call(
            "iam",
            "GetAccountAuthorizationDetails",
            "",
            expected=frozenset({"AccessDenied", "AccessDeniedException"}),
            Filter=["Role", "LocalManagedPolicy", "AWSManagedPolicy"],
        )
        if isinstance(answer, dict):
            self.found.authorization = answer
        elif isinstance(answer, Failure):
            self.collection.context["iam"] = "per-role calls (authorization details denied)"

    def cluster(self) -> None:
        name = self.targets.cluster_name
        if not name or self._cluster_done:
            return
        self._cluster_done = True
        self.collection.context["cluster"] = name
        answer = self.caller.call("eks", "DescribeCluster", name, name=name)
        if isinstance(answer, dict):
            self._save("aws/eks/describe-cluster.json", clean_cluster(answer))
        listed = self.caller.call("eks", "ListPodIdentityAssociations", name, clusterName=name)
        if isinstance(listed, dict):
            self.found.all_associations = list(listed.get("associations") or ())

    # ---- wave B ----------------------------------------------------------------------
    def cluster_from_tags(self) -> None:
        if self.targets.cluster_name:
            return
        for instance in self.found.instances:
            for tag in instance.get("Tags") or ():
                key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
                if key in CLUSTER_TAGS and value:
                    self.targets.cluster_name = value
                elif key.startswith("kubernetes.io/cluster/") and value in ("owned", "shared"):
                    self.targets.cluster_name = key.rsplit("/", 1)[-1]
                if self.targets.cluster_name:
                    break
            if self.targets.cluster_name:
                break
        if not self.targets.cluster_name:
            self.collection.add_inconclusive(
                Inconclusive(
                    "aws eks",
                    "the EKS cluster name is unknown (not in the kubeconfig nor the node "
                    "instances' tags): Pod Identity associations not read; pass --cluster",
                )
            )
        self.cluster()

    def _ids(self, key: str) -> set[str]:
        values = {str(mt.get(key)) for mt in self.found.mount_targets if mt.get(key)}
        values |= {str(i.get(key)) for i in self.found.instances if i.get(key)}
        return values

    def interfaces(self) -> None:
        ids = {
            str(mt["NetworkInterfaceId"])
            for mt in self.found.mount_targets
            if mt.get("NetworkInterfaceId")
        }
        if ids:
            self.found.interfaces = self._filtered(
                "DescribeNetworkInterfaces",
                "NetworkInterfaces",
                "network-interface-id",
                ids,
                "describe-network-interfaces",
            )

    def subnets(self) -> None:
        ids = self._ids("SubnetId")
        if ids:
            self._filtered("DescribeSubnets", "Subnets", "subnet-id", ids, "describe-subnets")

    def vpcs(self) -> None:
        ids = self._ids("VpcId")
        if ids:
            self._filtered("DescribeVpcs", "Vpcs", "vpc-id", ids, "describe-vpcs")
            self._filtered(
                "DescribeNetworkAcls", "NetworkAcls", "vpc-id", ids, "describe-network-acls"
            )

    def vpc_attribute(self, vpc_id: str, attribute: str) -> None:
        answer = self.caller.call(
            "ec2",
            "DescribeVpcAttribute",
            f"{vpc_id} {attribute}",
            VpcId=vpc_id,
            Attribute=attribute,
        )
        if isinstance(answer, dict):
            self._save(f"aws/ec2/describe-vpc-attribute-{vpc_id}-{attribute}.json", answer)

    # ---- wave C ----------------------------------------------------------------------
    def security_groups(self) -> None:
        ids = {
            str(g["GroupId"])
            for eni in self.found.interfaces
            for g in eni.get("Groups") or ()
            if g.get("GroupId")
        }
        for instance in self.found.instances:
            ids |= {
                str(g["GroupId"]) for g in instance.get("SecurityGroups") or () if g.get("GroupId")
            }
            for eni in instance.get("NetworkInterfaces") or ():
                ids |= {str(g["GroupId"]) for g in eni.get("Groups") or () if g.get("GroupId")}
        if ids:
            self._filtered(
                "DescribeSecurityGroups",
                "SecurityGroups",
                "group-id",
                ids,
                "describe-security-groups",
            )

    def association(self, summary: Mapping[str, Any]) -> None:
        association_id = str(summary.get("associationId"))
        answer = self.caller.call(
            "eks",
            "DescribePodIdentityAssociation",
            association_id,
            clusterName=str(summary.get("clusterName") or self.targets.cluster_name),
            associationId=association_id,
        )
        if isinstance(answer, dict):
            role = (answer.get("association") or {}).get("roleArn")
            if role:
                self.found.pod_identity_roles.add(str(role))
            self._save(f"aws/eks/describe-pod-identity-association-{association_id}.json", answer)

    # ---- the run ---------------------------------------------------------------------
    def early(self) -> None:
        """Start what needs no Kubernetes facts (the cluster's name may be known already)."""
        jobs = [self.caller_identity, self.file_systems, self.access_points]
        jobs += [self.authorization_details, self.cluster]
        self._early = [self.pool.submit(job) for job in jobs]

    def run(self, targets: AwsTargets) -> None:
        targets.cluster_name = targets.cluster_name or self.targets.cluster_name
        self.targets = targets
        if not self._early:
            self.early()
        for future in self._early:
            future.result()
        self.keep_used_file_systems()
        fs_ids = sorted(self.targets.file_system_ids)
        wave_a: list[Callable[[], None]] = [self.instances, self.cluster]
        wave_a += [partial(self.mount_targets, f) for f in fs_ids]
        wave_a += [partial(self.policy, f) for f in fs_ids]
        self._wave(wave_a)
        vpcs = sorted(self._ids("VpcId"))
        wave_b: list[Callable[[], None]] = [
            self.cluster_from_tags,
            self.interfaces,
            self.subnets,
            self.vpcs,
        ]
        wave_b += [
            partial(self.vpc_attribute, v, a)
            for v in vpcs
            for a in ("enableDnsSupport", "enableDnsHostnames")
        ]
        self._wave(wave_b)
        accounts = self.targets.driver_accounts
        self.found.associations = [
            a
            for a in self.found.all_associations
            if (a.get("namespace"), a.get("serviceAccount")) in accounts
        ]
        wave_c: list[Callable[[], None]] = [self.security_groups]
        wave_c += [partial(self.association, s) for s in self.found.associations]
        self._wave(wave_c)
        from efs_doctor.sources.aws_live_iam import collect_roles

        collect_roles(
            self.caller,
            self.collection,
            self.pool,
            role_arns=set(self.targets.irsa_roles) | self.found.pod_identity_roles,
            instances=self.found.instances,
            authorization=self.found.authorization,
        )


class AwsRun:
    """AWS collection in two steps: :meth:`start` as early as the region is known (while
    Kubernetes is being listed), :meth:`finish` once the cluster says what it uses."""

    def __init__(
        self,
        options: AwsOptions,
        collection: Collection,
        progress: Progress | None = None,
        clients: Mapping[str, Any] | None = None,
    ) -> None:
        self.options = options
        self.collection = collection
        self.progress = progress
        self.clients = clients
        self.collector: AwsCollector | None = None
        self.failed = False

    def start(self, region_hint: str | None, cluster_hint: str | None, final: bool = False) -> None:
        """Make the clients and start the early calls. Without a region yet, wait for a
        later call (``final`` records that the region could not be found)."""
        if self.collector is not None or self.failed:
            return
        clients = self.clients
        if clients is None:
            from botocore.exceptions import BotoCoreError, NoRegionError

            try:
                clients, region = make_clients(self.options, region_hint)
            except BotoCoreError as error:  # no region, unknown profile: AWS is skipped, said once
                if final or not isinstance(error, NoRegionError):
                    self.failed = True
                    reason = _setup_reason(error, self.options.profile)
                    self.collection.add_inconclusive(Inconclusive("aws", reason))
                return
            self.collection.context["region"] = region
        caller = AwsCaller(clients, self.collection, self.progress)
        pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="efs-doctor-aws")
        self.collector = AwsCollector(caller, self.collection, pool)
        self.collector.targets.cluster_name = self.options.cluster or cluster_hint
        self.collector.early()

    def finish(self, targets: AwsTargets) -> None:
        if self.options.cluster:
            targets.cluster_name = self.options.cluster
        self.start(targets.region, targets.cluster_name, final=True)
        if self.collector is None:
            return
        try:
            self.collector.run(targets)
        finally:
            self.collector.pool.shutdown(wait=True)


def collect_aws(
    options: AwsOptions,
    targets: AwsTargets,
    collection: Collection,
    progress: Progress | None = None,
    clients: Mapping[str, Any] | None = None,
) -> None:
    """Collect the AWS side into ``collection`` in one go; failures become Inconclusive."""
    AwsRun(options, collection, progress, clients).finish(targets)


def _setup_reason(error: Exception, profile: str | None) -> str:
    name = type(error).__name__
    if name == "NoRegionError":
        from efs_doctor.sources.aws_live_region import no_region_reason

        return no_region_reason(profile)
    if name == "ProfileNotFound":
        return f"AWS profile not found: {error}"
    return f"cannot set up AWS clients: {name}: {error}"
