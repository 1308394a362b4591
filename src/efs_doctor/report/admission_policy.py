"""``export admission-policy``: admission policies that refuse (by default: warn about and
audit) an EFS volume that will not mount under its file system's policy.

Two policies, for PersistentVolumes and for access point StorageClasses, as native
``ValidatingAdmissionPolicy`` + ``ValidatingAdmissionPolicyBinding``
(``admissionregistration.k8s.io/v1``, GA since Kubernetes 1.30:
https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/) or as
Kyverno ``ValidatingPolicy`` (``policies.kyverno.io/v1``,
https://kyverno.io/docs/policy-types/validating-policy/), which carries its own actions.

Which file systems need ``iam`` or TLS is the IAM engine's answer (``api.admission``). The
CEL restates only what the API server must check on the object, in core CEL (``has``,
``exists``, ``in``, ``matches``, ``+``, ternaries) so that any CEL implementation evaluates
it the same way; tests/unit/report/test_admission_policy.py evaluates it with cel-python and
checks that it agrees with the engine's reading of the same objects:

- the handle grammar (``model/volume_handle.py``, efs-semantics.md §3.2): ``[efs:]<fsid>
  [:<path>[:<apid>]]``; an ``s3files:`` handle is not an EFS file system; the access point is
  the third field when it is not empty;
- the node plugin's option merge (``engine/mount/options.py`` ``build_csi_mount``,
  efs-semantics.md §3.4): mount options are lower-cased; an access point in the handle forces
  ``tls``; otherwise ``tls`` is on unless ``encryptInTransit`` (key matched case-insensitively)
  is a Go false (``strconv.ParseBool``); efs-utils reads ``iam`` with or without a value
  (``parse_efs_options``);
- a dynamically provisioned volume of an ``efs-ap`` class always has an access point
  (efs-semantics.md §3.7), so TLS is always on there and only ``iam`` is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from efs_doctor.api.admission import AdmissionFacts, Requirement
from efs_doctor.engine.mount.golang import GO_FALSE
from efs_doctor.model.kubernetes import EFS_DRIVER
from efs_doctor.model.volume_handle import FILE_SYSTEM_ID

PV_POLICY = "efs-doctor-pv-mount-options"
STORAGE_CLASS_POLICY = "efs-doctor-storageclass-mount-options"
VAP_API = "admissionregistration.k8s.io/v1"
KYVERNO_API = "policies.kyverno.io/v1"
LABELS = {"app.kubernetes.io/managed-by": "efs-doctor"}
WARN = ("Warn", "Audit")
DENY = ("Deny", "Audit")

# The handle type (model/volume_handle.py HANDLE_TYPES) whose file system is EFS's; the other,
# s3files, names an S3 Files file system.
EFS_TYPE = "efs"
# The file system id field of a handle, as the grammar's own pattern says (anchors dropped).
FILE_SYSTEM_FIELD = FILE_SYSTEM_ID.pattern.removeprefix("^").removesuffix("\\Z")


def _cel_string(text: str) -> str:
    """A CEL single-quoted string literal (the texts here are ids and fixed words)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _cel_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_cel_string(i) for i in items) + "]"


def _names(variable: str, file_systems: Sequence[str]) -> str:
    """Whether the handle in ``variables.<variable>`` names one of ``file_systems``."""
    prefix = f"({EFS_TYPE}:)?"
    return (
        f"{_cel_list(file_systems)}.exists(fs, variables.{variable}.matches("
        f"{_cel_string('^' + prefix)} + fs + '(:|$)'))"
    )


def _iam_option(field: str) -> str:
    return f"has({field}) && {field}.exists(o, o.matches('(?i)^iam(=[^=]*)?$'))"


def pv_variables(facts: AdmissionFacts) -> list[dict[str, str]]:
    csi = "object.spec.csi"
    attributes = f"{csi}.volumeAttributes"
    prefix = f"({EFS_TYPE}:)?"
    return [
        {
            "name": "handle",
            "expression": f"has({csi}) && {csi}.driver == {_cel_string(EFS_DRIVER)}"
            f" ? {csi}.volumeHandle : ''",
        },
        {"name": "iam", "expression": _iam_option("object.spec.mountOptions")},
        {
            "name": "accessPoint",
            "expression": "variables.handle.matches("
            + _cel_string(f"^{prefix}{FILE_SYSTEM_FIELD}:[^:]*:[^:]+$")
            + ")",
        },
        {
            "name": "encryptionOff",
            "expression": f"has({csi}) && has({attributes}) && {attributes}.exists(k, "
            f"k.matches('(?i)^encryptintransit$') && {attributes}[k] in "
            f"{_cel_list(sorted(GO_FALSE))})",
        },
        {"name": "tls", "expression": "variables.accessPoint || !variables.encryptionOff"},
        {"name": "needsIam", "expression": _names("handle", facts.iam_file_systems)},
        {"name": "needsTls", "expression": _names("handle", facts.tls_file_systems)},
    ]


def pv_validations() -> list[dict[str, str]]:
    who = "'PersistentVolume ' + object.metadata.name + ' (volumeHandle ' + variables.handle + ')"
    return [
        {
            "expression": "!variables.needsIam || variables.iam",
            "messageExpression": who + " mounts without the iam option, and the file system "
            "policy admits only IAM principals (efs-doctor AUTH001): add iam to "
            "spec.mountOptions'",
            "reason": "Invalid",
        },
        {
            "expression": "!variables.needsTls || variables.tls",
            "messageExpression": who + " mounts without TLS, and the file system policy denies "
            "clients without TLS (efs-doctor AUTH004): remove encryptInTransit false from "
            "spec.csi.volumeAttributes'",
            "reason": "Invalid",
        },
    ]


def storage_class_variables(facts: AdmissionFacts) -> list[dict[str, str]]:
    parameters = "object.parameters"
    return [
        {
            "name": "fileSystem",
            "expression": f"object.provisioner == {_cel_string(EFS_DRIVER)} && has({parameters})"
            f" && 'provisioningMode' in {parameters} && {parameters}.provisioningMode == "
            f"'efs-ap' && 'fileSystemId' in {parameters} ? {parameters}.fileSystemId : ''",
        },
        {"name": "iam", "expression": _iam_option("object.mountOptions")},
        {
            "name": "needsIam",
            "expression": f"variables.fileSystem in {_cel_list(facts.iam_file_systems)}",
        },
    ]


def storage_class_validations() -> list[dict[str, str]]:
    return [
        {
            "expression": "!variables.needsIam || variables.iam",
            "messageExpression": "'StorageClass ' + object.metadata.name + ' provisions access "
            "points on EFS file system ' + variables.fileSystem + ' without the iam mount "
            "option, and the file system policy admits only IAM principals (efs-doctor "
            "AUTH001): add iam to mountOptions'",
            "reason": "Invalid",
        }
    ]


def _match(resource: str, group: str) -> dict[str, Any]:
    return {
        "resourceRules": [
            {
                "apiGroups": [group],
                "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"],
                "resources": [resource],
            }
        ]
    }


# An object being deleted is let through: finalizers are removed by updates, and a volume
# refused then could never go away.
MATCH_CONDITIONS = [
    {"name": "not-being-deleted", "expression": "!has(object.metadata.deletionTimestamp)"}
]


def _specs(facts: AdmissionFacts) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            PV_POLICY,
            {
                "matchConstraints": _match("persistentvolumes", ""),
                "matchConditions": MATCH_CONDITIONS,
                "variables": pv_variables(facts),
                "validations": pv_validations(),
            },
        ),
        (
            STORAGE_CLASS_POLICY,
            {
                "matchConstraints": _match("storageclasses", "storage.k8s.io"),
                "matchConditions": MATCH_CONDITIONS,
                "variables": storage_class_variables(facts),
                "validations": storage_class_validations(),
            },
        ),
    ]


def _metadata(name: str) -> dict[str, Any]:
    return {"name": name, "labels": dict(LABELS)}


def _failure_policy(deny: bool) -> str:
    # An expression that cannot be evaluated refuses the object only when refusing is asked
    # for; warnings never block a volume.
    return "Fail" if deny else "Ignore"


def admission_documents(facts: AdmissionFacts, *, deny: bool) -> list[dict[str, Any]]:
    """Each ValidatingAdmissionPolicy followed by its binding."""
    documents: list[dict[str, Any]] = []
    for name, spec in _specs(facts):
        documents.append(
            {
                "apiVersion": VAP_API,
                "kind": "ValidatingAdmissionPolicy",
                "metadata": _metadata(name),
                "spec": {"failurePolicy": _failure_policy(deny), **spec},
            }
        )
        documents.append(
            {
                "apiVersion": VAP_API,
                "kind": "ValidatingAdmissionPolicyBinding",
                "metadata": _metadata(name),
                "spec": {"policyName": name, "validationActions": list(DENY if deny else WARN)},
            }
        )
    return documents


def kyverno_documents(facts: AdmissionFacts, *, deny: bool) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": KYVERNO_API,
            "kind": "ValidatingPolicy",
            "metadata": _metadata(name),
            "spec": {
                "validationActions": list(DENY if deny else WARN),
                "failurePolicy": _failure_policy(deny),
                **spec,
            },
        }
        for name, spec in _specs(facts)
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _requirement_lines(title: str, items: Sequence[tuple[Requirement, str]]) -> list[str]:
    lines = [f"# {title}:" if items else f"# {title}: none"]
    lines.extend(f"#   {r.file_system_id}: {_one_line(why)}" for r, why in items)
    return lines


def header(facts: AdmissionFacts, inputs: Sequence[str], version: str) -> str:
    """YAML comments naming the guarded file systems, why, and the inputs they came from."""
    lines = [
        f"# efs-doctor {version} export admission-policy, from: {' '.join(inputs)}",
        "# Regenerate when a file system policy changes: the file systems are listed inline.",
        *_requirement_lines(
            "PVs and StorageClasses must mount with iam",
            [(r, r.iam.reason) for r in facts.requirements if r.iam.needed],
        ),
        *_requirement_lines(
            "PVs must keep TLS on",
            [(r, r.tls.reason) for r in facts.requirements if r.tls.needed],
        ),
    ]
    undecided = facts.undecided
    if undecided:
        lines.append("# Not guarded, undecided:")
        for r in undecided:
            why = r.iam.reason if r.iam.needed is None else r.tls.reason
            lines.append(f"#   {r.file_system_id}: {_one_line(why)}")
    return "\n".join(lines) + "\n"


def _yaml(documents: Sequence[dict[str, Any]]) -> str:
    """YAML with every CEL expression as a literal block, as written (no quote doubling)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "'" in value or len(value) > 60 else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump_all(
        documents, Dumper=Dumper, sort_keys=False, explicit_start=True, allow_unicode=True
    )


def render(
    facts: AdmissionFacts, inputs: Sequence[str], version: str, *, kyverno: bool, deny: bool
) -> str:
    documents = (
        kyverno_documents(facts, deny=deny) if kyverno else admission_documents(facts, deny=deny)
    )
    return header(facts, inputs, version) + _yaml(documents)
