"""Mount chains: workload -> PVC -> PV (or planned PV) -> StorageClass -> file system."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.api import mount_chains
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

Load = Callable[..., Inventory]
Write = Callable[[str, str], Path]
FS = "fs-0123456789abcdef0"

EFS_AP_CLASS = f"""\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-ap
provisioner: efs.csi.aws.com
parameters:
  provisioningMode: efs-ap
  fileSystemId: {FS}
  directoryPerms: "700"
"""
STATIC_CLASS = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-static
provisioner: efs.csi.aws.com
"""


def _statefulset(class_name: str = "efs-ap", namespace: str = "apps") -> str:
    return f"""\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: {namespace}
spec:
  serviceName: db
  template:
    spec:
      containers:
        - name: db
          image: postgres:17
          volumeMounts:
            - name: data
              mountPath: /data
  volumeClaimTemplates:
    - metadata:
        name: data
        namespace: elsewhere
      spec:
        accessModes: [ReadWriteMany]
        storageClassName: {class_name}
"""


def _pv(name: str, handle: str, class_name: str = "efs-static", claim: str | None = None) -> str:
    claim_ref = f"  claimRef:\n    namespace: apps\n    name: {claim}\n" if claim else ""
    return f"""\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {name}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: {class_name}
{claim_ref}  csi:
    driver: efs.csi.aws.com
    volumeHandle: {handle}
"""


def _pvc(name: str, class_name: str | None, volume: str | None = None) -> str:
    lines = [
        "apiVersion: v1",
        "kind: PersistentVolumeClaim",
        "metadata:",
        f"  name: {name}",
        "  namespace: apps",
        "spec:",
        "  accessModes: [ReadWriteMany]",
    ]
    if class_name is not None:
        lines.append(f'  storageClassName: "{class_name}"')
    if volume is not None:
        lines.append(f"  volumeName: {volume}")
    return "\n".join(lines) + "\n"


def _docs(*documents: str) -> str:
    return "---\n".join(documents)


def _chains(load: Load, *paths: Path) -> list[MountChain]:
    inventory = load(*paths)
    assert inventory.errors == [], [str(p) for p in inventory.errors]
    return mount_chains(inventory)


# ---- every workload kind -------------------------------------------------------------


def test_every_workload_kind_yields_its_chain(load: Load, kubernetes_fixtures: Path) -> None:
    chains = _chains(load, kubernetes_fixtures / "workloads.yaml")
    summary = [
        (c.pod_key, c.claim_key, c.volume_name, c.planned is not None, c.file_system_id)
        for c in chains
    ]
    assert summary == [
        ("apps/deployment/web", "apps/static-claim", "static-pv", False, FS),
        ("apps/statefulset/db", "apps/data", None, True, FS),
        ("apps/daemonset/agent", "apps/static-claim", "static-pv", False, FS),
        ("apps/job/migrate", "apps/dyn-claim", None, True, FS),
        ("apps/cronjob/report", "apps/dyn-claim", None, True, FS),
        ("apps/replicaset/legacy", "apps/static-claim", "static-pv", False, FS),
    ]
    web = chains[0]
    assert web.read_only  # persistentVolumeClaim.readOnly: true -> a read-only publish
    assert web.handle is not None
    assert web.handle.subpath == "/static"
    assert web.storage_class is not None
    assert web.storage_class.name == "efs-static"
    assert not chains[2].read_only


def test_workload_templates_are_read_from_the_right_place(
    load: Load, kubernetes_fixtures: Path
) -> None:
    inventory = load(kubernetes_fixtures / "workloads.yaml")
    by_kind = {w.kind: w for w in inventory.workloads}
    assert set(by_kind) == {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "ReplicaSet",
    }
    assert by_kind["CronJob"].template_path == ("spec", "jobTemplate", "spec", "template", "spec")
    assert by_kind["Job"].template_path == ("spec", "template", "spec")
    web = by_kind["Deployment"]
    assert web.service_account == "web"
    assert web.pod_security.run_as_user == 1000
    assert web.pod_security.fs_group == 1000
    assert [v.name for v in web.volumes] == ["content"]  # configMap/emptyDir are not EFS
    assert [(m.volume, m.read_only) for m in web.volume_mounts] == [
        ("content", True),
        ("config", False),
    ]
    assert by_kind["DaemonSet"].service_account == "default"


# ---- StatefulSet volumeClaimTemplates ------------------------------------------------


def test_statefulset_template_of_an_efs_ap_class_is_a_planned_volume(
    load: Load, write: Write
) -> None:
    """A template claim is made per replica by the StatefulSet controller; of an efs-ap class,
    the driver then provisions an access point (efs-semantics.md §3.7)."""
    path = write("sts.yaml", _docs(EFS_AP_CLASS, _statefulset()))
    [chain] = _chains(load, path)
    assert chain.pod_key == "apps/statefulset/db"
    assert chain.claim is not None
    assert chain.claim.is_template
    assert chain.claim.template_of == "apps/statefulset/db"
    # the controller creates the claims in the set's namespace, whatever the template says
    assert chain.claim_key == "apps/data"
    assert chain.volume is None
    assert chain.planned is not None
    assert chain.planned.file_system_id == FS
    assert chain.planned.directory_perms == "700"
    assert chain.file_system_id == FS
    assert chain.label == (
        "StatefulSet apps/statefulset/db -> PVC template apps/data -> "
        "planned PV (StorageClass efs-ap)"
    )
    # its source is the template inside the StatefulSet (the class is lines 1-9, "---" 10)
    assert (chain.claim.source.line, chain.claim.source.column) == (27, 7)
    assert str(chain.claim.source.location("spec", "storageClassName")) == f"{path}:32:27"


def test_statefulset_claims_made_from_the_template_are_used_when_loaded(
    load: Load, write: Write
) -> None:
    """With the claims data-db-0 and data-db-1 loaded (a live cluster), each replica's chain
    follows its own claim to its bound volume; nothing is planned."""
    path = write(
        "sts.yaml",
        _docs(
            EFS_AP_CLASS,
            _statefulset(),
            _pvc("data-db-1", "efs-ap", volume="pvc-b"),
            _pvc("data-db-0", "efs-ap", volume="pvc-a"),
            _pvc("data-other-0", "efs-ap"),  # another set's claim: not ours
            _pv("pvc-a", f"efs:{FS}::fsap-0aaaaaaaaaaaaaaaa", "efs-ap", claim="data-db-0"),
            _pv("pvc-b", f"efs:{FS}::fsap-0bbbbbbbbbbbbbbbb", "efs-ap", claim="data-db-1"),
        ),
    )
    chains = _chains(load, path)
    sts = [c for c in chains if c.pod_key == "apps/statefulset/db"]
    assert [(c.claim_key, c.volume_name, c.access_point_id) for c in sts] == [
        ("apps/data-db-0", "pvc-a", "fsap-0aaaaaaaaaaaaaaaa"),
        ("apps/data-db-1", "pvc-b", "fsap-0bbbbbbbbbbbbbbbb"),
    ]
    assert all(c.planned is None for c in sts)
    # the other set's unbound claim still gets its own (planned) chain
    assert [(c.pod_key, c.claim_key, c.planned is not None) for c in chains if c not in sts] == [
        (None, "apps/data-other-0", True)
    ]


def test_a_real_claim_named_like_the_template_keeps_its_own_chain(load: Load, write: Write) -> None:
    path = write(
        "sts.yaml",
        _docs(
            EFS_AP_CLASS,
            STATIC_CLASS,
            _statefulset(),
            _pvc("data", "efs-static", volume="static"),
            _pv("static", f"{FS}:/static", claim="data"),
        ),
    )
    chains = _chains(load, path)
    assert [(c.pod_key, c.claim_key, c.volume_name, c.planned is not None) for c in chains] == [
        ("apps/statefulset/db", "apps/data", None, True),
        (None, "apps/data", "static", False),
    ]
    assert chains[0].claim is not None
    assert chains[0].claim.is_template
    assert chains[1].claim is not None
    assert not chains[1].claim.is_template


def test_statefulset_template_of_a_static_class_binds_an_available_volume(
    load: Load, write: Write
) -> None:
    path = write(
        "sts.yaml",
        _docs(STATIC_CLASS, _statefulset("efs-static"), _pv("free", f"{FS}:/free")),
    )
    [chain] = _chains(load, path)
    assert chain.claim is not None
    assert chain.claim.is_template
    assert chain.volume_name == "free"
    assert chain.planned is None


# ---- dynamic provisioning -------------------------------------------------------------


def test_planned_volume_takes_uid_and_gid_from_the_class(
    load: Load, kubernetes_fixtures: Path
) -> None:
    chains = _chains(load, kubernetes_fixtures / "helm-rendered.yaml")
    [chain] = chains
    assert chain.pod_key == "default/deployment/files"
    assert chain.planned is not None
    assert (chain.planned.uid, chain.planned.gid) == (1001, 1001)
    assert chain.planned.handle == "efs:fs-0aa11bb22cc33dd44::<new access point>"


def test_planned_volume_without_uid_gid_takes_the_first_gid_of_the_range(
    load: Load, kubernetes_fixtures: Path
) -> None:
    """An unset uid/gid takes the allocated GID (efs-semantics.md §3.7)."""
    chains = _chains(load, kubernetes_fixtures / "workloads.yaml")
    planned = next(c.planned for c in chains if c.planned is not None)
    assert (planned.uid, planned.gid) == (2000, 2000)  # gidRangeStart
    assert planned.base_path == "/dynamic"


def test_a_class_without_provisioning_mode_plans_nothing(load: Load, write: Write) -> None:
    """provisioningMode is required (efs-semantics.md §3.7: "Missing provisioningMode
    parameter"): an unbound claim of a static class gets no planned volume, but a note."""
    pod = """\
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: apps
spec:
  containers: [{name: app, image: busybox}]
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: unbound
"""
    path = write("static.yaml", _docs(STATIC_CLASS, _pvc("unbound", "efs-static"), pod))
    [chain] = _chains(load, path)
    assert chain.pod_key == "apps/app"
    assert chain.volume is None
    assert chain.planned is None
    assert chain.file_system_id is None
    assert chain.notes == (
        "no PersistentVolume for PVC apps/unbound, and StorageClass efs-static does not "
        "provision one (no provisioningMode: efs-ap)",
    )


def test_a_claim_without_class_uses_the_default_class(load: Load, write: Write) -> None:
    default_class = EFS_AP_CLASS.replace(
        "metadata:\n  name: efs-ap\n",
        "metadata:\n  name: efs-ap\n  annotations:\n"
        '    storageclass.kubernetes.io/is-default-class: "true"\n',
    )
    path = write("default.yaml", _docs(default_class, _pvc("plain", None)))
    [chain] = _chains(load, path)
    assert chain.storage_class is not None
    assert chain.storage_class.name == "efs-ap"
    assert chain.planned is not None


def test_a_claim_with_an_empty_class_has_no_default(load: Load, write: Write) -> None:
    """storageClassName: "" means no class at all: nothing says the claim is EFS."""
    default_class = EFS_AP_CLASS.replace(
        "metadata:\n  name: efs-ap\n",
        "metadata:\n  name: efs-ap\n  annotations:\n"
        '    storageclass.kubernetes.io/is-default-class: "true"\n',
    )
    path = write("empty.yaml", _docs(default_class, _pvc("none", "")))
    assert _chains(load, path) == []


# ---- static binding ---------------------------------------------------------------------


def test_claim_found_through_the_volume_claim_ref(load: Load, write: Write) -> None:
    path = write(
        "bound.yaml",
        _docs(STATIC_CLASS, _pvc("a", "efs-static"), _pv("pv-a", f"{FS}:/a", claim="a")),
    )
    [chain] = _chains(load, path)
    assert (chain.claim_key, chain.volume_name) == ("apps/a", "pv-a")
    assert chain.notes == ()


def test_unbound_claims_share_out_the_available_volumes(load: Load, write: Write) -> None:
    path = write(
        "free.yaml",
        _docs(
            STATIC_CLASS,
            _pvc("a", "efs-static"),
            _pvc("b", "efs-static"),
            _pv("pv-1", f"{FS}:/1"),
            _pv("pv-2", f"{FS}:/2"),
        ),
    )
    chains = _chains(load, path)
    assert sorted((c.claim_key, c.volume_name) for c in chains) == [
        ("apps/a", "pv-1"),
        ("apps/b", "pv-2"),
    ]
    assert any("2 PVs could bind" in note for c in chains for note in c.notes)


def test_volume_name_of_a_volume_not_loaded_is_noted(load: Load, write: Write) -> None:
    path = write("missing.yaml", _docs(STATIC_CLASS, _pvc("a", "efs-static", volume="gone")))
    [chain] = _chains(load, path)
    assert chain.volume is None
    assert "PVC apps/a names volume gone, not loaded" in chain.notes


def test_non_efs_volumes_and_claims_of_unknown_classes_make_no_chain(
    load: Load, kubernetes_fixtures: Path, write: Write
) -> None:
    claim = write("claim.yaml", _pvc("somewhere", "gp3"))
    chains = _chains(load, kubernetes_fixtures / "api-persistentvolumelist.json", claim)
    assert [c.volume_name for c in chains] == ["logs-pv"]  # not ebs-pv, not the gp3 claim


def test_a_pod_whose_claim_is_not_loaded_makes_no_chain(load: Load, write: Write) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n"
        "  containers: [{name: a, image: busybox}]\n"
        "  volumes: [{name: d, persistentVolumeClaim: {claimName: elsewhere}}]\n"
    )
    assert _chains(load, write("pod.yaml", pod)) == []


def test_a_bad_handle_stays_on_the_chain(load: Load, write: Write) -> None:
    path = write("bad.yaml", _pv("bad", "fs-XYZ"))
    [chain] = _chains(load, path)
    assert chain.handle is None
    assert chain.file_system_id is None
    assert chain.handle_error == (
        "volume ID 'fs-XYZ' is invalid: Expected a file system ID of the form 'fs-[0-9a-f]{8,40}'"
    )


# ---- the node service account -----------------------------------------------------------


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        # the default name in kube-system
        (["kube-system/efs-csi-node-sa"], "kube-system/efs-csi-node-sa"),
        # the default name in another namespace (a custom install)
        (["storage/efs-csi-node-sa"], "storage/efs-csi-node-sa"),
        # nothing to go on
        (["default/web"], None),
    ],
)
def test_node_service_account(
    load: Load, write: Write, documents: list[str], expected: str | None
) -> None:
    accounts = [
        f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {key.split('/')[1]}\n"
        f"  namespace: {key.split('/')[0]}\n"
        for key in documents
    ]
    path = write("sa.yaml", _docs(_pv("pv", FS), *accounts))
    [chain] = _chains(load, path)
    sa = chain.node_service_account
    assert (sa.key if sa is not None else None) == expected


def test_node_service_account_named_by_the_driver_daemonset(load: Load, write: Write) -> None:
    daemonset = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: efs-csi-node
  namespace: kube-system
spec:
  template:
    spec:
      serviceAccountName: custom-node-sa
      hostNetwork: true
      containers:
        - name: efs-plugin
          image: public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v2.1.4
"""
    accounts = [
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: efs-csi-node-sa\n"
        "  namespace: kube-system\n",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: custom-node-sa\n"
        "  namespace: kube-system\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/efs-node\n",
    ]
    path = write("driver.yaml", _docs(_pv("pv", FS), daemonset, *accounts))
    inventory = load(path)
    [deployment] = inventory.driver_deployments
    assert deployment.driver_version == "2.1.4"
    assert deployment.host_network
    [chain] = mount_chains(inventory)
    assert chain.node_service_account is not None
    assert chain.node_service_account.key == "kube-system/custom-node-sa"
    assert chain.node_service_account.irsa_role_arn == "arn:aws:iam::123456789012:role/efs-node"
