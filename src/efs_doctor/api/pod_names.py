"""Which loaded workloads a pod name on the command line means (``simulate --pod``,
``diagnose NS/POD``).

A pod named by the user is often one its controller made (``web-7c9d8b6f5d-x2k4q``), and the
inputs often hold only the Deployment that made it. When the pod object itself is not loaded,
the name is matched to the workload templates whose controller would give a pod that name:

- Deployment: the ReplicaSet is ``<deployment>-<pod-template-hash>`` and its pods carry a
  further random suffix (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/,
  "the name of the ReplicaSet is always formatted as [DEPLOYMENT-NAME]-[HASH]"). The hash is
  ``rand.SafeEncodeString`` of a 32-bit number: at most 10 characters of the same alphabet.
- ReplicaSet, DaemonSet, Job: ``<owner>-<random>`` (the controllers create pods with
  ``generateName: <owner>-``).
- Indexed Job: ``<job>-<index>-<random>``
  (https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode).
- CronJob: its Jobs are ``<cronjob>-<scheduled time in minutes>``, up to 11 characters
  appended (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/), and their
  pods ``<job>-<random>`` or, indexed, ``<job>-<index>-<random>``.
- StatefulSet: ``<statefulset>-<ordinal>``
  (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-identity).

The random suffix is 5 characters of ``bcdfghjklmnpqrstvwxz2456789`` (no vowels, so no
words), appended to ``generateName`` cut to 58 characters so the name stays within 63
(k8s.io/apimachinery pkg/util/rand/rand.go; k8s.io/apiserver pkg/storage/names/generate.go).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from efs_doctor.model.kubernetes import Workload

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
RANDOM_LENGTH = 5
MAX_GENERATE_NAME = 63 - RANDOM_LENGTH
_RANDOM = re.compile(f"[{ALPHANUMS}]{{{RANDOM_LENGTH}}}")
_HASH = f"[{ALPHANUMS}]{{1,10}}"
_NUMBER = r"(?:0|[1-9][0-9]*)"
# What comes between "<owner>-" and the random suffix, per kind of owner: the forms it
# takes, and what can be left of it when generateName was cut to 58 characters.
_BEFORE_RANDOM: dict[str, tuple[tuple[str, ...], str]] = {
    "Deployment": ((f"{_HASH}-",), f"[{ALPHANUMS}]{{0,10}}-?"),
    "ReplicaSet": (("",), ""),
    "DaemonSet": (("",), ""),
    "Job": (("", f"{_NUMBER}-"), "[0-9]*-?"),
    "CronJob": ((f"{_NUMBER}-", f"{_NUMBER}-{_NUMBER}-"), "[0-9]*(?:-[0-9]*)?-?"),
}

_KINDS = {kind.lower(): kind for kind in (*_BEFORE_RANDOM, "StatefulSet")}


def split_pod(wanted: str, namespace: str) -> tuple[str, str]:
    """(namespace, name) of ``NAMESPACE/NAME``, or of ``NAME`` in ``namespace``."""
    pod_namespace, _, name = wanted.rpartition("/")
    return pod_namespace or namespace, name


def named_workloads(workloads: Iterable[Workload], wanted: str, namespace: str) -> list[str]:
    """The keys of the loaded workloads ``wanted`` names as they are: a template's key
    ``NAMESPACE/KIND/NAME`` (kind in any case), or ``NAMESPACE/NAME`` (``NAME`` in
    ``namespace``), which names the pod and any workload template of that name."""
    if wanted.count("/") == 2:
        pod_namespace, kind, name = wanted.split("/")
        key = f"{pod_namespace}/{kind.lower()}/{name}"
        return [w.key for w in workloads if w.key == key]
    pod_namespace, name = split_pod(wanted, namespace)
    return [w.key for w in workloads if w.namespace == pod_namespace and w.name == name]


def owners_of_pod(workloads: Iterable[Workload], wanted: str, namespace: str) -> list[str]:
    """The keys of the loaded workload templates whose controller would give a pod the name
    ``wanted`` (``NAMESPACE/NAME``, or ``NAME`` in ``namespace``); empty when none does."""
    if wanted.count("/") > 1:
        return []
    pod_namespace, name = split_pod(wanted, namespace)
    owners = [
        w
        for w in workloads
        if w.kind != "Pod" and w.namespace == pod_namespace and could_name_pod(w.kind, w.name, name)
    ]
    if not owners:
        return []
    # "web-api-x2k4q" is a pod name of a DaemonSet web-api and of a Deployment web with the
    # hash "api" (impossible: the alphabet has no vowels, but other names can collide): the
    # longer owner name explains more of the pod's name.
    longest = max(len(w.name) for w in owners)
    return [w.key for w in owners if len(w.name) == longest]


def made_by(pod_key: str, workload_key: str) -> bool:
    """Whether the pod ``NAMESPACE/NAME`` can be one the template ``NAMESPACE/kind/NAME``
    made (an event of a pod that is not loaded belongs to its workload's mounts)."""
    parts = workload_key.split("/")
    if len(parts) != 3:
        return False
    namespace, kind, owner = parts
    pod_namespace, _, pod = pod_key.partition("/")
    kind = _KINDS.get(kind, "")
    return pod_namespace == namespace and could_name_pod(kind, owner, pod)


def could_name_pod(kind: str, owner: str, pod: str) -> bool:
    """Whether a ``kind`` controller named ``owner`` can create a pod named ``pod``."""
    if kind == "StatefulSet":
        return re.fullmatch(re.escape(owner) + "-" + _NUMBER, pod) is not None
    forms = _BEFORE_RANDOM.get(kind)
    if forms is None or len(pod) <= RANDOM_LENGTH:
        return False
    middles, cut = forms
    stem, suffix = pod[:-RANDOM_LENGTH], pod[-RANDOM_LENGTH:]
    if _RANDOM.fullmatch(suffix) is None:
        return False
    prefix = owner + "-"
    if any(re.fullmatch(re.escape(prefix) + middle, stem) for middle in middles):
        return True
    # generateName cut to 58 characters: the owner's name (or as much of it as fits), then
    # what is left of the generated part
    if len(stem) != MAX_GENERATE_NAME:
        return False
    if len(prefix) >= MAX_GENERATE_NAME:
        return stem == prefix[:MAX_GENERATE_NAME]
    return stem.startswith(prefix) and re.fullmatch(cut, stem[len(prefix) :]) is not None
