"""A One Zone file system is mounted from nodes in other availability zones without naming
its zone: the mount fails there.

What it checks
--------------
EFS volumes on a One Zone file system (``AvailabilityZoneName`` set in
``describe-file-systems``) whose pods may run on nodes outside that zone, when neither an
``az=`` mount option nor ``mounttargetip`` points them at the file system's only mount
target.

Why it breaks mounts
--------------------
A One Zone file system has a single mount target in its zone. From any other zone the
regional DNS name does not resolve and efs-utils' fallback reports ``No matching mount target
in the az <zone>`` (efs-semantics.md §2.7, §6). The EFS User Guide asks clients in other zones
to pass ``az=<file system zone>``; on EKS the usual answer is to schedule the pods in that zone.

Example
-------
A One Zone file system (``"AvailabilityZoneName": "us-east-1a"`` in
``describe-file-systems``) and a Deployment free to run on nodes in three zones::

    kind: Deployment
    spec:
      template:
        spec:                               # no zone affinity
          volumes:
            - name: data
              persistentVolumeClaim: {claimName: shared-data}

Use instead
-----------
Node affinity on ``topology.kubernetes.io/zone: <fs zone>`` for the workload (or
``enforceZoneAffinity: "true"`` in a dynamic-provisioning StorageClass), or ``az=<fs zone>``
in ``mountOptions`` (cross-zone traffic is billed)::

    spec:
      template:
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - {key: topology.kubernetes.io/zone, operator: In, values: [us-east-1a]}

Limits
------
Needs ``describe-file-systems`` and the nodes.

Fix safety
----------
Safe when offered: adding ``az=<fs zone>`` makes the mount reach the only mount target;
it grants nothing.

References
----------
- efs-semantics.md §6 (One Zone), §2.7
- https://docs.aws.amazon.com/efs/latest/ug/efs-mount-helper.html
- kubernetes-sigs/aws-efs-csi-driver ``docs/parameters.md`` (``enforceZoneAffinity``)
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_option_fix, mount_options_location
from efs_doctor.rules.network_kit import chain_option
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="NET007",
    slug="one-zone-other-zone",
    summary="One Zone file system used from nodes in other zones",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("file-systems", "nodes"),
    cause="no-mount-target-in-az",
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains_with_volume():
        fs = chain.file_system
        if fs is None and chain.file_system_id:
            yield META.inconclusive(
                chain.file_system_id,
                "the file system is not among the inputs (describe-file-systems)",
            )
        if fs is None or not fs.availability_zone_name:
            continue
        if any(chain_option(context, chain, n) is not None for n in ("az", "mounttargetip")):
            continue
        zone = fs.availability_zone_name
        others = sorted(n.name for n in context.candidate_nodes(chain) if n.zone != zone)
        if not others:
            continue
        yield META.finding(
            f"{volume_phrase(chain)}: {fs.id} is a One Zone file system in {zone}, but its pods "
            f"may run on {len(others)} node(s) in other zones ({', '.join(others[:3])}), where "
            "the mount fails",
            mount_options_location(chain),
            related=[Related(at(fs, "AvailabilityZoneName"), f"{fs.id} lives in {zone}")],
            expected_error=f"No matching mount target in the az <node zone>. ... Available "
            f"mount target(s) are in az ['{zone}']",
            fix=mount_option_fix(chain, f"az={zone}", f"add `az={zone}` to mountOptions"),
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
