"""Which causes (``../shared/docs/causes.md`` ids) each step of the simulation checks, and so
which causes a run rules out: those whose every checking step passed.

A step that passed has seen the inputs that decide its causes and found none of them, so a
mount error that one of those causes would print has another explanation (or the inputs are
not what runs). A step that is ``skipped`` because it does not apply (no ``iam``: no
credentials are looked up; no access point) counts as passed when a later step ran; steps
not reached after a failure, and undetermined steps, rule out nothing. Causes no step checks
(a leaked proxy port, OCSP reachability, an OOM-killed node plugin...) are never ruled out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from efs_doctor.engine.mount.model import Step

# Step id -> the causes that step reports when it fails (or, undetermined, names as the
# risk). Kept whole: tests/unit/engine/explain/test_simulated.py checks every cause any
# scenario's step reports against it.
STEP_CAUSES: Mapping[str, frozenset[str]] = {
    "api": frozenset({"api-object-invalid"}),
    "kubernetes": frozenset({"unsupported-access-mode", "claim-unbound"}),
    "provisioning": frozenset(
        {
            "storageclass-parameters-invalid",
            "storageclass-basepath-invalid",
            "csi-controller-permissions",
            "cross-account-assume-role",
            "file-system-not-found",
            "gid-range-exhausted",
            "access-point-limit",
        }
    ),
    "csi": frozenset({"volume-attributes-invalid", "volume-handle-format", "invalid-mount-option"}),
    "efs-utils": frozenset({"invalid-mount-option", "volume-handle-format", "iam-without-tls"}),
    "region": frozenset({"invalid-mount-option", "imds-unavailable"}),
    "target": frozenset(
        {
            "no-mount-target-in-az",
            "vpc-dns-disabled",
            "dns-resolution-outside-vpc",
            "mount-target-lookup-permissions",
            "file-system-not-found",
            "invalid-mount-option",
        }
    ),
    "port": frozenset(),
    "credentials": frozenset({"no-iam-credentials", "irsa-trust-policy", "imds-unavailable"}),
    "nfs-options": frozenset({"invalid-mount-option"}),
    "network": frozenset(
        {"sg-missing-2049", "node-sg-egress-blocked", "mount-target-nacl-blocked"}
    ),
    "access-point": frozenset({"access-point-not-found", "access-point-root-dir-missing"}),
    "authorization": frozenset(
        {
            "iam-option-missing",
            "identity-policy-missing-client-actions",
            "policy-missing-clientmount",
            "policy-unsupported-condition-key",
            "policy-secure-transport-no-tls",
            "policy-denies-principal",
            "policy-condition-not-met",
            "nfs-client-without-efs-utils",
        }
    ),
    "sub-path": frozenset({"subpath-missing"}),
    "result": frozenset(),
}


def passed_steps(steps: Iterable[Step]) -> list[Step]:
    """The steps that passed: ``ok``, or ``skipped`` as not applicable before a later step
    ran (steps come in run order; those never reached are all after the last that ran)."""
    ordered = list(steps)
    ran = [i for i, s in enumerate(ordered) if s.status != "skipped"]
    last_ran = ran[-1] if ran else -1
    return [
        s
        for i, s in enumerate(ordered)
        if s.status == "ok" or (s.status == "skipped" and i < last_ran)
    ]


def ruled_out_causes(steps: Iterable[Step]) -> dict[str, Step]:
    """Cause -> the last passed step that checks it, for every cause whose checking steps
    all passed (a cause another step failed or left open is not ruled out)."""
    ordered = list(steps)
    passed = {id(s) for s in passed_steps(ordered)}
    open_causes = {
        cause
        for s in ordered
        if id(s) not in passed
        for cause in (*STEP_CAUSES.get(s.step, ()), *((s.cause,) if s.cause else ()))
    }
    found: dict[str, Step] = {}
    for s in ordered:
        if id(s) in passed:
            for cause in STEP_CAUSES.get(s.step, frozenset()) - s.unchecked:
                if cause not in open_causes:
                    found[cause] = s
    return found
