"""Kubernetes inputs in the shapes users have them: kubectl lists, API lists, multi-document
YAML, Helm output; which kinds are read, which skipped, and how quietly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel

Load = Callable[..., Inventory]
Write = Callable[[str, str], Path]


def test_kubectl_get_pv_pvc_yaml_list(load: Load, kubernetes_fixtures: Path) -> None:
    """``kubectl get pv,pvc -o yaml``: a ``kind: List`` whose items carry their kind."""
    inventory = load(kubernetes_fixtures / "kubectl-get-pv-pvc.yaml")
    assert inventory.problems == []
    assert set(inventory.persistent_volumes) == {
        "shared-pv",
        "pvc-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    }
    assert set(inventory.claims) == {"apps/shared", "apps/uploads"}
    static = inventory.persistent_volumes["shared-pv"]
    assert static.claim_ref == ("apps", "shared")
    assert static.phase == "Bound"
    assert static.mount_options == ("iam",)
    assert static.access_modes == ("ReadWriteMany",)
    assert static.storage_class == "efs-static"
    assert static.volume_mode == "Filesystem"
    assert static.is_efs
    assert static.provisioned_by is None
    dynamic = inventory.persistent_volumes["pvc-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"]
    assert dynamic.provisioned_by == "efs.csi.aws.com"
    assert dynamic.csi is not None
    assert dynamic.csi.volume_attributes == {
        "storage.kubernetes.io/csiProvisionerIdentity": "1770890000000-7263-efs.csi.aws.com"
    }
    uploads = inventory.claims["apps/uploads"]
    assert uploads.volume_name == dynamic.name
    assert uploads.phase == "Bound"
    assert uploads.storage_class == "efs-ap"


def test_api_typed_list_items_without_kind(load: Load, kubernetes_fixtures: Path) -> None:
    """A ``PersistentVolumeList`` as the API server (and ``kubectl get --raw``, client
    libraries) returns it: the items carry no kind; the list's kind names it."""
    inventory = load(kubernetes_fixtures / "api-persistentvolumelist.json")
    assert inventory.problems == []
    assert set(inventory.persistent_volumes) == {"logs-pv", "ebs-pv"}
    logs = inventory.persistent_volumes["logs-pv"]
    assert logs.is_efs
    assert logs.csi is not None
    assert logs.csi.volume_attributes == {"encryptInTransit": "false"}
    assert logs.storage_class == ""  # explicitly no class
    assert logs.phase == "Available"
    assert not inventory.persistent_volumes["ebs-pv"].is_efs


def test_kubectl_json_list_with_kinds(load: Load, write: Write) -> None:
    """``kubectl get pv -o json`` wraps items (with their kinds) in ``kind: List``."""
    path = write(
        "pv.json",
        '{"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": ['
        '{"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "a"},'
        ' "spec": {"csi": {"driver": "efs.csi.aws.com", "volumeHandle": "fs-0123456789abcdef0"}}}'
        "]}",
    )
    inventory = load(path)
    assert inventory.problems == []
    assert inventory.persistent_volumes["a"].is_efs


def test_multi_document_workloads(load: Load, kubernetes_fixtures: Path) -> None:
    inventory = load(kubernetes_fixtures / "workloads.yaml")
    # Service and ConfigMap are skipped silently: not even a debug note
    assert inventory.problems == []
    assert sorted(w.key for w in inventory.workloads) == [
        "apps/cronjob/report",
        "apps/daemonset/agent",
        "apps/deployment/web",
        "apps/job/migrate",
        "apps/replicaset/legacy",
        "apps/statefulset/db",
    ]
    assert set(inventory.storage_classes) == {"efs-ap", "efs-static"}
    assert inventory.storage_classes["efs-ap"].parameters == {
        "provisioningMode": "efs-ap",
        "fileSystemId": "fs-0123456789abcdef0",
        "directoryPerms": "700",
        "gidRangeStart": "2000",
        "gidRangeEnd": "3000",
        "basePath": "/dynamic",
    }
    [sts] = [w for w in inventory.workloads if w.kind == "StatefulSet"]
    [template] = sts.claim_templates
    assert (template.key, template.storage_class, template.access_modes) == (
        "apps/data",
        "efs-ap",
        ("ReadWriteOnce",),
    )


def test_helm_rendered_output(load: Load, kubernetes_fixtures: Path) -> None:
    """``helm template``: a leading ``---``, ``# Source:`` comments, empty documents."""
    inventory = load(kubernetes_fixtures / "helm-rendered.yaml")
    assert inventory.problems == []
    assert set(inventory.service_accounts) == {"default/files"}
    assert set(inventory.claims) == {"default/files-data"}
    assert [w.key for w in inventory.workloads] == ["default/deployment/files"]
    assert inventory.storage_classes["files-efs"].parameters["uid"] == "1001"


def test_non_kubernetes_yaml_is_skipped_with_a_debug_note(
    load: Load, kubernetes_fixtures: Path
) -> None:
    path = kubernetes_fixtures / "helm-values.yaml"
    inventory = load(path)
    assert inventory.is_empty
    [note] = inventory.problems
    assert note.level is ProblemLevel.DEBUG
    assert str(note) == f"{path}: not a Kubernetes or AWS document; skipped"


@pytest.mark.parametrize(
    "text",
    [
        "- just\n- a list\n",
        "plain scalar\n",
        "kind: PersistentVolume\nmetadata: {name: no-api-version}\n",  # not an API object
    ],
)
def test_other_yaml_documents_are_debug_notes(load: Load, write: Write, text: str) -> None:
    inventory = load(write("other.yaml", text))
    assert inventory.is_empty
    assert [p.level for p in inventory.problems] == [ProblemLevel.DEBUG]


def test_unknown_kinds_and_odd_list_items_are_skipped_silently(load: Load, write: Write) -> None:
    path = write(
        "list.yaml",
        """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: {name: s}
  - just a string
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: np}
  - apiVersion: storage.k8s.io/v1
    kind: CSIDriver
    metadata: {name: efs.csi.aws.com}
    spec: {attachRequired: false}
""",
    )
    inventory = load(path)
    assert inventory.problems == []
    assert inventory.csi_drivers["efs.csi.aws.com"].attach_required is False
    assert inventory.object_count == 1


def test_metadata_that_is_not_a_mapping_skips_the_object(load: Load, write: Write) -> None:
    path = write(
        "bad.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: [oops]\nspec: {}\n",
    )
    inventory = load(path)
    assert inventory.claims == {}
    [problem] = inventory.problems
    assert problem.level is ProblemLevel.ERROR
    assert str(problem) == (
        f"{path}:3:11: PersistentVolumeClaim: metadata must be a mapping; skipped"
    )


def test_nodes_events_and_service_accounts(load: Load, write: Write) -> None:
    path = write(
        "cluster.yaml",
        """\
apiVersion: v1
kind: Node
metadata:
  name: ip-10-20-1-4.ec2.internal
  labels:
    topology.kubernetes.io/zone: us-east-1a
    topology.kubernetes.io/region: us-east-1
    eks.amazonaws.com/nodegroup: workers
spec:
  providerID: aws:///us-east-1a/i-0123456789abcdef0
status:
  addresses:
    - {type: InternalIP, address: 10.20.1.4}
---
apiVersion: v1
kind: Node
metadata:
  name: fargate-ip-10-20-2-9.ec2.internal
  labels:
    eks.amazonaws.com/compute-type: fargate
spec:
  providerID: aws:///us-east-1b/fargate-ip-10-20-2-9
---
apiVersion: v1
kind: Event
metadata:
  name: web-7d9c.17f2
  namespace: apps
involvedObject:
  kind: Pod
  name: web-7d9c
  namespace: apps
reason: FailedMount
type: Warning
count: 4
lastTimestamp: "2026-03-02T09:31:00Z"
message: 'MountVolume.SetUp failed for volume "shared-pv" : rpc error: code = Internal'
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: efs-csi-node-sa
  namespace: kube-system
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/efs-node
""",
    )
    inventory = load(path)
    assert inventory.problems == []
    node = inventory.nodes["ip-10-20-1-4.ec2.internal"]
    assert (node.zone, node.region, node.instance_id, node.internal_ip) == (
        "us-east-1a",
        "us-east-1",
        "i-0123456789abcdef0",
        "10.20.1.4",
    )
    assert node.node_group == "workers"
    assert not node.is_fargate
    fargate = inventory.nodes["fargate-ip-10-20-2-9.ec2.internal"]
    assert fargate.is_fargate
    assert fargate.zone == "us-east-1b"  # from providerID when no zone label
    assert fargate.instance_id is None
    [event] = inventory.events
    assert (event.reason, event.count, event.involved_key) == ("FailedMount", 4, "apps/web-7d9c")
    assert inventory.events_for("Pod", "apps/web-7d9c") == [event]
    sa = inventory.service_account("kube-system", "efs-csi-node-sa")
    assert sa is not None
    assert sa.irsa_role_arn == "arn:aws:iam::123456789012:role/efs-node"


def test_zone_restrictions(load: Load, write: Write) -> None:
    path = write(
        "zones.yaml",
        """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: one-zone}
spec:
  csi: {driver: efs.csi.aws.com, volumeHandle: fs-0123456789abcdef0}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: topology.kubernetes.io/zone, operator: In, values: [us-east-1a]}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: zonal}
provisioner: efs.csi.aws.com
allowedTopologies:
  - matchLabelExpressions:
      - {key: topology.kubernetes.io/zone, values: [us-east-1a, us-east-1b]}
---
apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  containers: [{name: a, image: busybox}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - {key: topology.kubernetes.io/zone, operator: In, values: [us-east-1b]}
              - {key: kubernetes.io/arch, operator: In, values: [arm64]}
""",
    )
    inventory = load(path)
    assert inventory.problems == []
    assert inventory.persistent_volumes["one-zone"].zones == ("us-east-1a",)
    assert inventory.storage_classes["zonal"].allowed_zones == ("us-east-1a", "us-east-1b")
    [pod] = inventory.workloads
    assert pod.zones == ("us-east-1b",)


def test_a_second_definition_replaces_the_first_with_a_warning(load: Load, write: Write) -> None:
    """The same PV in two files (say a manifest and a kubectl dump): the later file is used,
    the user is told how many objects of the context were defined twice, and -v says which
    definition was replaced (issue 15: a monorepo printed ~800 such lines)."""
    first = write(
        "a.yaml",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
        "spec: {csi: {driver: efs.csi.aws.com, volumeHandle: fs-0123456789abcdef0}}\n",
    )
    second = write(
        "b.yaml",
        "# the same volume, handle edited\n"
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
        "spec: {csi: {driver: efs.csi.aws.com, volumeHandle: fs-0fedcba9876543210}}\n",
    )
    inventory = load(first, second)
    pv = inventory.persistent_volumes["pv"]
    assert pv.csi is not None
    assert pv.csi.volume_handle == "fs-0fedcba9876543210"
    assert pv.source.path == str(second)
    detail, warning = inventory.problems
    assert detail.level is ProblemLevel.DEBUG
    assert str(detail) == (
        f"{second}:2:1: PersistentVolume pv is defined more than once; this definition "
        f"replaces the one at {first}:1:1"
    )
    assert warning.level is ProblemLevel.WARNING
    assert str(warning) == (
        f"{first}, {second}: 1 object defined more than once; the last definition of each "
        "is used (-v lists them)"
    )


def test_a_second_workload_definition_replaces_the_first(load: Load, write: Write) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: app, namespace: apps}}\n"
        "spec: {{containers: [{{name: a, image: {image}}}]}}\n"
    )
    daemonset = (
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: efs-csi-node, "
        "namespace: kube-system}}\nspec: {{template: {{spec: {{containers: "
        "[{{name: efs-plugin, image: 'amazon/aws-efs-csi-driver:{tag}'}}]}}}}}}\n"
    )
    first = write(
        "a.yaml", pod.format(image="busybox:1") + "---\n" + daemonset.format(tag="v2.0.0")
    )
    second = write(
        "b.yaml", pod.format(image="busybox:2") + "---\n" + daemonset.format(tag="v2.1.4")
    )
    inventory = load(first, second)
    assert [w.key for w in inventory.workloads] == [
        "apps/app",
        "kube-system/daemonset/efs-csi-node",
    ]
    assert all(w.source.path == str(second) for w in inventory.workloads)
    assert [d.driver_version for d in inventory.driver_deployments] == ["2.1.4"]
    *details, summary = inventory.problems
    assert len(details) == 2
    assert all("is defined more than once" in p.message for p in details)
    assert summary.message.startswith("2 objects defined more than once")


def test_a_pod_and_a_deployment_of_one_name_are_different_workloads(
    load: Load, write: Write
) -> None:
    path = write(
        "both.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: []}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec: {template: {spec: {containers: []}}}\n",
    )
    inventory = load(path)
    assert inventory.problems == []
    assert [w.key for w in inventory.workloads] == ["default/web", "default/deployment/web"]
