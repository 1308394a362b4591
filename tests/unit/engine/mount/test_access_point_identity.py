"""The identity an access point puts on every file operation, as simulate reports it
(efs-semantics.md §5: "client uids ignored"; the PosixUser of an access point, or the uid/gid
a StorageClass gives the access points it creates, §3.7;
https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html)."""

from __future__ import annotations

from pathlib import Path

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.mount import Simulator
from efs_doctor.model.aws import PosixUser

INPUTS = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: efs-sc}
provisioner: efs.csi.aws.com
parameters: {directoryPerms: '700', gid: '100', uid: '%s', fileSystemId: fs-0123456789abcdef0,
             provisioningMode: efs-ap}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ns}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 5Gi}}
  storageClassName: efs-sc
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: ns}
spec:
  securityContext: {runAsUser: 0, fsGroup: 2000}
  containers:
  - name: app
    image: busybox
    volumeMounts: [{name: d, mountPath: /data}]
  volumes:
  - name: d
    persistentVolumeClaim: {claimName: data}
"""


def _simulated(tmp_path: Path, uid: str) -> tuple[Simulator, list[object]]:
    path = tmp_path / "inputs.yaml"
    path.write_text(INPUTS % uid)
    inventory = load_inventory([str(path)])
    simulator = Simulator(inventory)
    chain = mount_chains(inventory)[0]
    return simulator, [simulator.enforced_user(chain), *simulator.simulate(chain)]


def test_a_root_pod_writes_as_the_access_point_user(tmp_path: Path) -> None:
    _, (user, outcome) = _simulated(tmp_path, "1000")
    assert user == PosixUser(1000, 100)
    assert outcome.enforced_user == PosixUser(1000, 100)  # type: ignore[attr-defined]
    notes = " ".join(outcome.notes)  # type: ignore[attr-defined]
    assert "enforces uid 1000 gid 100" in notes
    assert "not as the pod's uid 0" in notes
    assert "chown to another owner fails with 'Operation not permitted'" in notes
    assert "fsGroup changes nothing" in notes


def test_an_access_point_of_root_leaves_root_alone(tmp_path: Path) -> None:
    _, (user, outcome) = _simulated(tmp_path, "0")
    assert user == PosixUser(0, 100)
    assert "chown to another owner fails" not in " ".join(outcome.notes)  # type: ignore[attr-defined]
