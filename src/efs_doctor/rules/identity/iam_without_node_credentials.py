"""The volume mounts with ``iam`` but the node plugin has no AWS credentials to sign with:
efs-utils fails before connecting.

What it checks
--------------
For EFS volumes whose ``mountOptions`` contain ``iam``: the credential chain efs-utils walks
inside the node plugin (efs-semantics.md §2.8) -- EKS Pod Identity association or IRSA
annotation on ``efs-csi-node-sa``, else the node's instance profile through IMDS. Reported
when neither service-account credential exists and the nodes' instances (among the inputs)
have no instance profile, or have the instance metadata endpoint disabled.

Why it breaks mounts
--------------------
With nothing to sign the TLS client certificate with, ``mount.efs`` exits 1 with ``AWS
Access Key ID and Secret Access Key are not found in AWS credentials file
(/root/.aws/credentials), config file (/root/.aws/config), from ECS credentials relative
uri, or from the instance security credentials service`` (§2.8 step 8, error catalogue
row 9). The node plugin runs on the host network, so an IMDSv2 hop limit of 1 does not
matter; a disabled endpoint does (§3.1).

Example
-------
::

    # PersistentVolume
    mountOptions: [iam]
    # ServiceAccount kube-system/efs-csi-node-sa: no eks.amazonaws.com/role-arn annotation
    # aws ec2 describe-instances, every node: no "IamInstanceProfile", or
    "MetadataOptions": {"HttpEndpoint": "disabled"}

Use instead
-----------
Give ``efs-csi-node-sa`` a role (IRSA annotation or Pod Identity association; restart the
node DaemonSet) or the nodes an instance profile, and grant that role ``ClientMount`` in the
file system policy::

    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: efs-csi-node-sa
      namespace: kube-system
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/efs-csi-node

    kubectl -n kube-system rollout restart daemonset efs-csi-node

Limits
------
Needs the nodes' instances (``describe-instances``); credentials on the node's file system
(``/root/.aws``) are not visible and not expected on EKS.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §2.8, §3.1, §3.5; causes.md ``imds-unavailable``
- aws/efs-utils ``src/efs_utils_common/aws_credentials.py``
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="IDN001",
    slug="iam-without-node-credentials",
    summary="`iam` mount on nodes whose plugin has no AWS credentials",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests", "instances", "service-accounts"),
    cause="no-iam-credentials",
    causes=("imds-unavailable",),
)

ERROR = (
    "AWS Access Key ID and Secret Access Key are not found in AWS credentials file "
    "(/root/.aws/credentials), config file (/root/.aws/config), from ECS credentials relative "
    "uri, or from the instance security credentials service"
)


def check(context: Context) -> Iterator[Result]:
    inv = context.inventory
    for chain in context.chains_with_volume():
        if not context.uses_iam(chain):
            continue
        # The engine's credential chain decides (efs-semantics.md §2.8): a node whose plugin
        # has no credentials fails there, or earlier at the region when IMDS is off (§2.6).
        failed = context.failed_with(chain, META.all_causes)
        if failed is None:
            continue
        for node in context.candidate_nodes(chain):
            instance = inv.instance_of_node(node)
            if instance is None:
                yield META.inconclusive(node.name, "the node's instance is not among the inputs")
                continue
            why = None
            if not instance.instance_profile_arn:
                why = f"instance {instance.id} has no instance profile"
            elif (instance.http_endpoint or "").lower() == "disabled":
                why = f"instance {instance.id} has its instance metadata endpoint disabled"
            if why is None:
                continue
            sa = context.node_service_account()
            related = [Related(at(instance), why)]
            if sa is not None:
                related.append(
                    Related(at(sa, "metadata"), f"ServiceAccount {sa.key} has no IRSA role")
                )
            yield META.finding(
                f"{volume_phrase(chain)} mounts with `iam` on node {node.name}, but the node "
                f"plugin has no credentials: no Pod Identity or IRSA role on efs-csi-node-sa and "
                f"{why}",
                mount_options_location(chain),
                related=related,
                expected_error=context.simulated_error(chain, [failed.cause or ""]) or ERROR,
                cause=failed.cause,
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
