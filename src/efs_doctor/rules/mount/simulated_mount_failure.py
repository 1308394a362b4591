"""The simulated mount fails for a reason no other rule reports: the mount engine's verdict,
with its cause, its layer and the exact error, so that ``scan`` never says less than
``simulate`` on the same files.

What it checks
--------------
Every mount chain as the mount simulator runs it (efs-semantics.md §10: admission, region,
mount target, credentials, options, network, access point, authorization, sub-path) on each
node group or zone the pod can use. When a run fails and none of the rules before this one
reported a finding with the same cause on that chain, this rule reports the failure. A cause
owned by a rule that ``--ignore``/``--select`` turned off is not reported here either.

Why it breaks mounts
--------------------
The failure is the one the simulation found; the finding carries the step that failed, its
cause id (causes.md) and the text kubelet would show in the ``FailedMount`` event. A typical
example is a node whose instance metadata service is disabled: efs-utils cannot learn its
region and stops before it connects (efs-semantics.md §2.6).

Example
-------
::

    # describe-instances: MetadataOptions.HttpEndpoint = disabled on the node
    # and no `region` mount option: efs-utils cannot read the region

Use instead
-----------
Follow the reason in the finding; ``efs-doctor simulate --pv NAME`` shows the whole mount path
and ``efs-doctor explain --error TEXT`` ranks the causes of the quoted error.

Limits
------
It reports only what the simulator decides with certainty; undecided steps are left to the
rules that own them (as inconclusive checks). It runs after every other rule.

Fix safety
----------
No fix is offered: the remedy depends on the cause.

References
----------
- efs-semantics.md §10 (the decision procedure the simulator follows)
- https://docs.aws.amazon.com/efs/latest/ug/troubleshooting-efs-mounting.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="MNT001",
    slug="simulated-mount-failure",
    summary="the simulated mount fails for a reason no other rule reports",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
)


def check(context: Context) -> Iterator[Result]:
    covered = {
        (finding.chain, finding.cause)
        for finding in context.reported
        if finding.severity in (Severity.CRITICAL, Severity.HIGH)
    }
    for chain in context.chains_with_volume():
        # a cause whose rule the configuration turned off stays off here too
        seen: set[str | None] = set(context.ignored_causes)
        for outcome in context.outcomes(chain):
            if outcome.outcome != "failed" or outcome.cause in seen:
                continue
            seen.add(outcome.cause)
            if (chain.label, outcome.cause) in covered:
                continue
            if (
                chain.planned is not None
                and (
                    f"StorageClass {chain.planned.storage_class.name}",
                    outcome.cause,
                )
                in covered
            ):
                continue  # reported for the class: every claim of it meets that failure
            step = outcome.failed_step
            where = f" ({step.step} step, {step.source})" if step is not None else ""
            yield META.finding(
                f"{volume_phrase(chain)}: the mount fails at the {outcome.layer} layer on "
                f"{outcome.node_or_zone}{where}: {outcome.reason}",
                mount_options_location(chain),
                expected_error=outcome.error,
                chain=chain.label,
                subjects=chain_subjects(chain),
                cause=outcome.cause,
            )
