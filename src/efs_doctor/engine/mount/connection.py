"""The connection efs-utils opens: the mount target it selects (efs-semantics.md §2.7) and
TCP 2049 from the node to it (§6); steps 4 and 7 of §10.

A block found by efs-utils' own probe (``mounttargetip``, the botocore fallback) fails fast
with its explicit message (exit 1); on the DNS path nothing probes first, so a block is a hang
that ends in kubelet's ``DeadlineExceeded`` (§6, §7 rows 25-26).
"""

from __future__ import annotations

from efs_doctor.data.references import section_url
from efs_doctor.engine import network as net
from efs_doctor.engine.mount import kubelet
from efs_doctor.engine.mount.admission import MountRequest
from efs_doctor.engine.mount.dns import Target
from efs_doctor.engine.mount.model import Layer, Step, step, where

SECTION = section_url("6")
# The causes.md id for each hop that can block, in the order a packet meets them.
NETWORK_CAUSES = {
    net.MT_SG_IN: "sg-missing-2049",
    net.NODE_SG_OUT: "node-sg-egress-blocked",
    net.NODE_ACL_OUT: "node-sg-egress-blocked",
    net.NODE_ACL_IN: "node-sg-egress-blocked",
    net.MT_ACL_IN: "mount-target-nacl-blocked",
    net.MT_ACL_OUT: "mount-target-nacl-blocked",
}


def _hops(reach: net.Reachability) -> list[str]:
    return [f"{h.check}: {h.verdict}: {h.detail}" for h in reach.hops]


def reach_step(reach: net.Reachability, lead: str) -> Step:
    """A reachable or undetermined connection (a blocked one is built by the callers)."""
    evidence = [lead, *_hops(reach)]
    if reach.verdict == "reachable":
        return step("network", "ok", evidence, SECTION)
    unknown = "; ".join(f"{h.check}: {h.detail}" for h in reach.unknown)
    return step(
        "network",
        "indeterminate",
        evidence,
        SECTION,
        reason=f"TCP 2049 reachability not known: {unknown}",
    )


def target_steps(target: Target, request: MountRequest) -> list[Step]:
    mt = target.mount_target
    source = where(mt.source if mt else None, section_url("2.7"))
    error = request.efs_utils_error(target.error) if target.error else None
    reach = target.probe
    if target.layer == "network" and target.status == "failed" and reach is not None:
        hop = reach.blocking
        assert hop is not None
        return [
            step("target", "ok", target.evidence, source),
            step(
                "network",
                "failed",
                _hops(reach),
                hop.location or SECTION,
                cause=NETWORK_CAUSES.get(hop.check),
                error=error,
                reason=f"efs-utils probes {target.ip}:2049 and times out: {hop.check}: "
                f"{hop.detail}",
            ),
        ]
    layer: Layer = "efs-utils" if target.layer == "efs-utils" else "dns"
    steps = [
        step(
            "target",
            target.status,
            target.evidence,
            source,
            cause=target.cause,
            error=error,
            reason=target.reason,
            layer=layer,
        )
    ]
    if reach is not None:
        steps.append(reach_step(reach, "efs-utils probed TCP 2049 during target selection"))
    return steps


def network_step(target: Target, reach: net.Reachability | None, request: MountRequest) -> Step:
    """TCP 2049 on the DNS path (no probe before mount.nfs4)."""
    mt = target.mount_target
    if mt is None or reach is None:
        return step(
            "network",
            "indeterminate",
            ["no mount target selected"],
            SECTION,
            reason="the mount target is not known, so reachability cannot be checked",
        )
    lead = f"node -> {mt.id} {mt.ip_address}:2049"
    if reach.verdict != "blocked":
        return reach_step(reach, lead)
    hop = reach.blocking
    assert hop is not None
    return step(
        "network",
        "failed",
        [lead, *_hops(reach)],
        hop.location or SECTION,
        cause=NETWORK_CAUSES.get(hop.check),
        error=kubelet.deadline_exceeded(request.pv_name),
        reason=(
            f"TCP 2049 to {mt.id} is blocked ({hop.check}: {hop.detail}); on the DNS path "
            "nothing probes first, so mount.nfs4 hangs ('Mount attempt 1/3 failed due to "
            "timeout after 15 sec') until kubelet gives up"
        ),  # efs-semantics.md §6, §7 rows 25-26
    )
