"""Which PersistentVolume a claim binds to, decided as the PV controller decides it.

Sources (kubernetes/kubernetes, read at commit 109698ca78298c4d29da70cfde7bed802d28738a):

- pkg/controller/volume/persistentvolume/pv_controller.go, ``syncUnboundClaim``: a claim
  naming ``spec.volumeName`` binds only to that volume, after ``checkVolumeSatisfyClaim``
  (capacity, then storageClassName, then volumeMode, then access modes; the first failing
  check is the ``VolumeMismatch`` event "Cannot bind to requested volume ...: <reason>"); a
  volume already bound to another claim gives "volume ... already bound to a different
  claim."; a claim whose class is "" and that no volume satisfies gets "no persistent volumes
  available for this claim and no storage class is set"; a claim with a class goes to
  dynamic provisioning instead.
- pkg/controller/volume/persistentvolume/index.go, ``findByClaim``: volumes are searched by
  sets of access modes that contain the claim's, the sets with the fewest modes first.
- staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go, ``FindMatchingVolume``:
  a volume pre-bound to the claim (``claimRef``) is taken when big enough and of the same
  volumeMode; otherwise an unbound volume of the same class whose labels match the claim's
  selector, the smallest that is big enough.
- Class names: ``GetPersistentVolumeClaimClass`` / ``GetPersistentVolumeClass`` read the beta
  annotation ``volume.beta.kubernetes.io/storage-class`` first, then ``storageClassName``;
  unset is "". A claim created without ``storageClassName`` gets the default class, when
  there is one (DefaultStorageClass admission, and retroactively since Kubernetes 1.28:
  https://kubernetes.io/docs/concepts/storage/persistent-volumes/#retroactive-default-storageclass-assignment).
- volumeMode unset is Filesystem on both sides (``CheckVolumeModeMismatches``).

What is not modelled: a volume's phase (files carry no status; volumes in the inputs are
taken as Available), deletion timestamps, node affinity (the scheduler's path) and the
order in which the controller meets claims (claims are bound in input order, each taking
the smallest volume left).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from efs_doctor.model.kubernetes import (
    LabelSelector,
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
)
from efs_doctor.model.quantity import quantity_or_none

BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
NO_CLASS_EVENT = "no persistent volumes available for this claim and no storage class is set"
REFERENCE = (
    "https://github.com/kubernetes/kubernetes/blob/109698ca78298c4d29da70cfde7bed802d28738a/"
    "pkg/controller/volume/persistentvolume/pv_controller.go"
)


def claim_class(claim: PersistentVolumeClaim, default: StorageClass | None) -> str:
    """The class the controller matches volumes by: "" for none."""
    annotated = claim.meta.annotations.get(BETA_CLASS_ANNOTATION)
    if annotated is not None:
        return annotated
    if claim.storage_class is None:
        return default.name if default is not None else ""
    return claim.storage_class


def volume_class(volume: PersistentVolume) -> str:
    annotated = volume.meta.annotations.get(BETA_CLASS_ANNOTATION)
    if annotated is not None:
        return annotated
    return volume.storage_class or ""


def selector_matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """``metav1.LabelSelectorAsSelector(...).Matches(labels)``: all terms must hold."""
    if any(labels.get(key) != value for key, value in selector.match_labels.items()):
        return False
    for requirement in selector.match_expressions:
        present = requirement.key in labels
        value = labels.get(requirement.key)
        operator = requirement.operator
        if operator == "In" and not (present and value in requirement.values):
            return False
        if operator == "NotIn" and present and value in requirement.values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _shown(class_name: str) -> str:
    return class_name or '""'


def _size(text: str | None) -> Fraction:
    """A missing or unreadable size is zero, as an absent map entry is to the controller."""
    value = quantity_or_none(text)
    return value if value is not None else Fraction(0)


def satisfy_problems(
    claim: PersistentVolumeClaim, volume: PersistentVolume, requested_class: str
) -> list[str]:
    """Why ``volume`` cannot satisfy ``claim``, in ``checkVolumeSatisfyClaim``'s order, then
    the selector (``FindMatchingVolume``). Empty: it can."""
    problems: list[str] = []
    if _size(volume.capacity) < _size(claim.request):
        problems.append(
            f"requested PV is too small (capacity {volume.capacity or 'unset'} < request "
            f"{claim.request})"
        )
    if volume_class(volume) != requested_class:
        problems.append(
            f"storageClassName does not match (PV {_shown(volume_class(volume))}, claim "
            f"{_shown(requested_class)})"
        )
    if (claim.volume_mode or "Filesystem") != (volume.volume_mode or "Filesystem"):
        problems.append(
            f"incompatible volumeMode (PV {volume.volume_mode or 'Filesystem'}, claim "
            f"{claim.volume_mode or 'Filesystem'})"
        )
    missing = [mode for mode in claim.access_modes if mode not in volume.access_modes]
    if missing:
        problems.append(
            f"incompatible accessMode (the claim asks for {', '.join(missing)}; the PV offers "
            f"{', '.join(volume.access_modes) or 'none'})"
        )
    if claim.selector is not None and not selector_matches(claim.selector, volume.meta.labels):
        problems.append("the PV's labels do not match the claim's selector")
    return problems


def _controller_reason(problem: str) -> str:
    """The controller's own words: the text before our parenthesised detail."""
    return problem.split(" (", 1)[0]


@dataclass(frozen=True, slots=True)
class Binding:
    """The answer for one claim. ``volume`` set: bound (or will be). Otherwise ``event`` is
    what the controller records on the claim while it stays Pending (None when the claim
    waits for dynamic provisioning or for a volume not among the inputs), ``closest`` the
    volume nearest to satisfying it and ``problems`` why it does not."""

    volume: PersistentVolume | None
    requested_class: str
    event: str | None = None
    closest: PersistentVolume | None = None
    problems: tuple[str, ...] = ()
    ties: tuple[str, ...] = ()  # other volumes that satisfy the claim equally well
    missing_volume: str | None = None  # spec.volumeName names a volume not loaded

    @property
    def pending(self) -> bool:
        """The claim stays Pending for a reason the inputs settle."""
        return self.volume is None and self.event is not None

    @property
    def explanation(self) -> str:
        if self.closest is None:
            return f"no PersistentVolume of class {_shown(self.requested_class)} is loaded"
        return f"the closest volume, PV {self.closest.name}: " + "; ".join(self.problems)


def _closest(
    claim: PersistentVolumeClaim, volumes: Iterable[PersistentVolume], requested_class: str
) -> tuple[PersistentVolume | None, tuple[str, ...]]:
    ranked = sorted(
        (
            (len(problems), volume.name, volume, problems)
            for volume in volumes
            if (problems := satisfy_problems(claim, volume, requested_class))
        ),
        key=lambda entry: (entry[0], entry[1]),
    )
    if not ranked:
        return None, ()
    _, _, volume, problems = ranked[0]
    return volume, tuple(problems)


def bind(
    claim: PersistentVolumeClaim,
    volumes: Mapping[str, PersistentVolume],
    default_class: StorageClass | None,
    *,
    prebound: PersistentVolume | None,
    available: Sequence[PersistentVolume],
    others: Callable[[], Iterable[PersistentVolume]] = lambda: (),
) -> Binding:
    """Bind ``claim``. ``prebound``: a volume whose claimRef names this claim; ``available``:
    the volumes of the claim's class with no claimRef that no earlier claim took; ``others``:
    every such volume of any class, asked only to name the closest when nothing fits."""
    requested = claim_class(claim, default_class)
    if claim.volume_name:
        volume = volumes.get(claim.volume_name)
        if volume is None:
            return Binding(None, requested, missing_volume=claim.volume_name)
        ref = volume.claim_ref
        if ref is not None and ref != (claim.namespace, claim.name):
            return Binding(
                None,
                requested,
                event=f'volume "{volume.name}" already bound to a different claim.',
                closest=volume,
                problems=(f"claimRef names {ref[0]}/{ref[1]}",),
            )
        if ref is not None:
            return Binding(volume, requested)  # pre-bound both ways: the bind completes
        problems = [p for p in satisfy_problems(claim, volume, requested) if "selector" not in p]
        if problems:
            return Binding(
                None,
                requested,
                event=f'Cannot bind to requested volume "{volume.name}": '
                + _controller_reason(problems[0]),
                closest=volume,
                problems=tuple(problems),
            )
        return Binding(volume, requested)
    if prebound is not None and not [
        p
        for p in satisfy_problems(claim, prebound, volume_class(prebound))
        if p.startswith(("requested PV is too small", "incompatible"))
    ]:
        return Binding(prebound, requested)  # FindMatchingVolume: pre-bound wins
    fitting = [v for v in available if not satisfy_problems(claim, v, requested)]
    if fitting:
        # index.go: the sets with fewest access modes first; pv_helpers: then the smallest
        best = min(fitting, key=lambda v: (len(set(v.access_modes)), _size(v.capacity), v.name))
        key = (len(set(best.access_modes)), _size(best.capacity))
        ties = tuple(
            v.name
            for v in fitting
            if v is not best and (len(set(v.access_modes)), _size(v.capacity)) == key
        )
        return Binding(best, requested, ties=ties)
    candidates = [*([prebound] if prebound is not None else []), *available]
    candidates.extend(v for v in others() if v not in candidates)
    closest, near = _closest(claim, candidates, requested)
    event = NO_CLASS_EVENT if requested == "" else None
    return Binding(None, requested, event=event, closest=closest, problems=near)
