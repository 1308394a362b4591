"""What the API server accepts (engine/api_server.py). Message shapes as the API server
prints them: decoding errors as in https://github.com/kubernetes/website/pull/31219 and
https://github.com/kubernetes-sigs/aws-efs-csi-driver/pull/1220; field errors as
k8s.io/apimachinery pkg/util/validation/field words them, with the enum values of
pkg/apis/core/validation and pkg/apis/storage/validation."""

from __future__ import annotations

from typing import Any

from efs_doctor.engine.api_server import check_object

PV: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "PersistentVolume",
    "metadata": {"name": "efs-pv"},
    "spec": {
        "capacity": {"storage": "5Gi"},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "csi": {"driver": "efs.csi.aws.com", "volumeHandle": "fs-0123456789abcdef0"},
    },
}
SC: dict[str, Any] = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {"name": "efs-sc"},
    "provisioner": "efs.csi.aws.com",
    "parameters": {"provisioningMode": "efs-ap", "directoryPerms": "700"},
}


def with_spec(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, "spec": {**base["spec"], **changes}}


def test_valid_objects_pass() -> None:
    assert check_object("PersistentVolume", PV) is None
    assert check_object("StorageClass", SC) is None


def test_unquoted_boolean_parameter_is_a_decoding_error() -> None:
    sc = {**SC, "parameters": {**SC["parameters"], "ensureUniqueDirectory": True}}
    rejection = check_object("StorageClass", sc)
    assert rejection is not None
    assert rejection.message == (
        'StorageClass in version "v1" cannot be handled as a StorageClass: json: cannot '
        "unmarshal bool into Go struct field StorageClass.parameters of type string"
    )
    assert rejection.path == ("parameters", "ensureUniqueDirectory")


def test_number_parameter_is_refused_too() -> None:
    sc = {**SC, "parameters": {"directoryPerms": 700}}
    rejection = check_object("StorageClass", sc)
    assert rejection is not None
    assert "cannot unmarshal number into Go struct field StorageClass.parameters" in (
        rejection.message
    )


def test_nested_field_names_its_struct_and_full_path() -> None:
    # as in "cannot unmarshal string into Go struct field PersistentVolumeSpec.spec.accessModes
    # of type []v1.PersistentVolumeAccessMode" (Kubernetes names the named string type)
    rejection = check_object("PersistentVolume", with_spec(PV, accessModes="ReadWriteMany"))
    assert rejection is not None
    assert rejection.message.startswith(
        'PersistentVolume in version "v1" cannot be handled as a PersistentVolume: json: '
        "cannot unmarshal string into Go struct field PersistentVolumeSpec.spec.accessModes "
        "of type []"
    )


def test_missing_volume_handle_is_required() -> None:
    pv = with_spec(PV, csi={"driver": "efs.csi.aws.com", "volumeHandle": None})
    rejection = check_object("PersistentVolume", pv)
    assert rejection is not None
    assert rejection.message == (
        'PersistentVolume "efs-pv" is invalid: spec.csi.volumeHandle: Required value'
    )
    assert rejection.path == ("spec", "csi", "volumeHandle")


def test_unknown_enum_values_list_the_supported_ones_sorted() -> None:
    pv = with_spec(PV, accessModes=["ReadWriteAll"], persistentVolumeReclaimPolicy="Keep")
    rejection = check_object("PersistentVolume", pv)
    assert rejection is not None
    assert rejection.message == (
        'PersistentVolume "efs-pv" is invalid: [spec.accessModes: Unsupported value: '
        '"ReadWriteAll": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", '
        '"ReadWriteOncePod", spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": '
        'supported values: "Delete", "Recycle", "Retain"]'
    )


def test_storage_class_enums_carry_the_group() -> None:
    sc = {**SC, "volumeBindingMode": "Later", "reclaimPolicy": "Recycle"}
    rejection = check_object("StorageClass", sc)
    assert rejection is not None
    assert rejection.message.startswith('StorageClass.storage.k8s.io "efs-sc" is invalid: [')
    assert 'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"' in (
        rejection.message
    )
    assert 'supported values: "Immediate", "WaitForFirstConsumer"' in rejection.message


def test_what_only_the_validation_code_requires_is_not_checked() -> None:
    # validation.go also requires a PV's capacity; hand-written inputs often omit it
    spec = {k: v for k, v in PV["spec"].items() if k != "capacity"}
    assert check_object("PersistentVolume", {**PV, "spec": spec}) is None


def test_bad_quantity_is_a_decoding_error() -> None:
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "c"},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "5GB"}}},
    }
    rejection = check_object("PersistentVolumeClaim", pvc)
    assert rejection is not None
    assert rejection.message.startswith(
        'PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: '
        "quantities must match the regular expression"
    )


def test_other_kinds_are_not_checked() -> None:
    assert check_object("ConfigMap", {"kind": "ConfigMap", "data": {"a": True}}) is None
