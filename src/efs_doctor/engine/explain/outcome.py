"""One simulated mount (``efs_doctor.engine.mount``'s :class:`MountOutcome`) as context
signals: the step that failed confirms its cause, a step left open with a named risk raises
it, and the causes the run rules out (``engine.mount.causes``: every step that checks them
passed) are ruled out. A mount that succeeds read-write, or as root, rules out the causes that
only limit what a mounted volume may do.
"""

from __future__ import annotations

from efs_doctor.engine.explain.model import ContextSignal
from efs_doctor.engine.mount import MountOutcome, Step
from efs_doctor.engine.mount.causes import ruled_out_causes

ORIGIN = "simulate"


def _subject(outcome: MountOutcome) -> str:
    volume = outcome.pv or outcome.pvc or outcome.pod or "the volume"
    return f"simulated mount of {volume} on {outcome.node_or_zone}"


def _location(step: Step) -> str | None:
    return step.source or None


def _options_source(outcome: MountOutcome) -> str | None:
    """Where the CSI step read the volume (the PV, or the class of a planned volume)."""
    csi = next((s for s in outcome.steps if s.step == "csi"), None)
    return _location(csi) if csi is not None else None


def signals_from_outcome(outcome: MountOutcome) -> list[ContextSignal]:
    subject = _subject(outcome)
    signals: list[ContextSignal] = []
    for step in outcome.steps:
        if step.cause is None or step.status not in ("failed", "indeterminate"):
            continue
        why = step.reason or step.error or step.status
        if step.evidence and step.source not in step.evidence[0]:
            why += f" ({step.evidence[0]})"
        if step.status == "failed":
            text = f"{subject} fails at {step.step}: {why}"
            signals.append(ContextSignal(step.cause, "confirms", text, _location(step), ORIGIN))
            if outcome.mount_command is not None:
                # The options of the failing mount, cited where they come from (PV or class).
                text = f"{subject} runs {outcome.mount_command}"
                signals.append(
                    ContextSignal(step.cause, "confirms", text, _options_source(outcome), ORIGIN)
                )
        else:
            text = f"{subject} leaves {step.step} undecided: {why}"
            signals.append(ContextSignal(step.cause, "raises", text, _location(step), ORIGIN))
    for cause, step in ruled_out_causes(outcome.steps).items():
        shown = f" ({step.evidence[0]})" if step.evidence else ""
        text = f"{subject} passes {step.step}{shown}"
        signals.append(ContextSignal(cause, "rules_out", text, _location(step), ORIGIN))
    user = outcome.enforced_user
    if user is not None and user.uid != 0:
        # Every operation runs as this user (efs-semantics.md §5): root in the pod is not root.
        text = f"{subject} runs every file operation as the access point user {user.uid}:{user.gid}"
        signals.append(
            ContextSignal("access-point-posix-user-enforced", "confirms", text, None, ORIGIN)
        )
    elif outcome.access is not None and outcome.access_point_id is None and user is None:
        text = f"{subject} has no access point: the pod's own uid reaches EFS"
        signals.append(
            ContextSignal("access-point-posix-user-enforced", "rules_out", text, None, ORIGIN)
        )
    access = outcome.access
    if outcome.outcome == "mounted" and access is not None:
        if access.write:
            text = f"{subject} is read-write"
            signals.append(
                ContextSignal("read-only-no-clientwrite", "rules_out", text, None, ORIGIN)
            )
        if access.root:
            text = f"{subject} may act as root"
            signals.append(
                ContextSignal("root-squash-no-clientrootaccess", "rules_out", text, None, ORIGIN)
            )
    return signals
