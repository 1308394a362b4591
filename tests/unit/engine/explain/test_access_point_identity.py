"""explain with an access point that enforces a POSIX user in the context: a chown that is
"Operation not permitted" is that access point's doing (efs-semantics.md §5; an access point
replaces the caller's uid/gid on every request,
https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html). The inputs are
Kubeflow's dynamic StorageClass and set-permission Job (awslabs/kubeflow-manifests@9a6b9e8,
../shared/corpus/realworld/05-kubeflow-manifests-efs/rendered)."""

from __future__ import annotations

from pathlib import Path

from efs_doctor.api import load_inventory
from efs_doctor.api.explain import explain_error

CHOWN = "chown: changing ownership of '/data': Operation not permitted"

CLASS = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: efs-sc}
provisioner: efs.csi.aws.com
parameters: {directoryPerms: '700', gid: '100', uid: '%s', fileSystemId: fs-0123456789abcdef0,
             provisioningMode: efs-ap}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: efs-claim, namespace: kubeflow-user-example-com}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 5Gi}}
  storageClassName: efs-sc
---
apiVersion: batch/v1
kind: Job
metadata: {name: efs-claim, namespace: kubeflow-user-example-com}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: centos
        command: ["/bin/sh"]
        args: ["-c", "chmod 2775 /data && chown root:users /data"]
        volumeMounts: [{name: persistent-storage, mountPath: /data}]
      volumes:
      - name: persistent-storage
        persistentVolumeClaim: {claimName: efs-claim}
"""


def _ranked(tmp_path: Path, uid: str) -> list[tuple[str, str]]:
    path = tmp_path / "kubeflow.yaml"
    path.write_text(CLASS % uid)
    explanation, _ = explain_error(CHOWN, load_inventory([str(path)]))
    return [(c.id, c.status) for c in explanation.causes]


def test_an_enforcing_access_point_is_ranked_first_and_confirmed(tmp_path: Path) -> None:
    ranked = _ranked(tmp_path, "1000")
    assert ranked[0] == ("access-point-posix-user-enforced", "confirmed")


def test_an_access_point_of_root_confirms_nothing(tmp_path: Path) -> None:
    ranked = dict(_ranked(tmp_path, "0"))
    assert ranked["access-point-posix-user-enforced"] != "confirmed"


def test_text_alone_prefers_the_access_point_and_keeps_root_squashing_second() -> None:
    # Root squashing needs a user policy without ClientRootAccess: the default policy grants root
    # access (efs-semantics.md §4.2). An access point replaces root whatever the policy (§5), and
    # every dynamically provisioned volume is one (§3.7). The text cannot decide: both stay on top.
    explanation, _ = explain_error(CHOWN)
    assert [c.id for c in explanation.causes[:2]] == [
        "access-point-posix-user-enforced",
        "root-squash-no-clientrootaccess",
    ]


def test_chown_is_counted_once_not_also_as_a_bare_operation_not_permitted() -> None:
    explanation, _ = explain_error(CHOWN)
    (error,) = explanation.errors
    assert "app-operation-not-permitted" not in [m.signature for m in error.matches]
    bare, _ = explain_error("touch: cannot touch '/data/x': Operation not permitted")
    assert "app-operation-not-permitted" in [m.signature for e in bare.errors for m in e.matches]
