"""Reading one kustomization file for what it refers to: bases, local files, remote bases.

Only the references matter here; kustomize itself does the rendering. Field names are
kustomize's (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import Location
from efs_doctor.sources.documents import parse_yaml
from efs_doctor.sources.files import read_input

# The file names kustomize looks for in a directory, in its order
# (sigs.k8s.io/kustomize/api/konfig RecognizedKustomizationFileNames).
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Fields whose entries are other kustomizations or resource files (or remote ones).
_RESOURCE_FIELDS = ("resources", "bases", "components")
# Fields naming patch files (a patch touching volumes makes a unit worth rendering).
_PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902")

# A reference kustomize fetches: a URL, an scp-like git address, or host/path with a
# query such as ?ref= (kustomize's api/internal/git/repospec.go forms).
_REMOTE = re.compile(
    r"^([a-z][a-z0-9+.-]*://|git@|[\w-]+(\.[\w-]+)+(:\d+)?/)|[?&](ref|version|submodules|timeout)="
)


@dataclass(frozen=True, slots=True)
class Kustomization:
    """One kustomization file and the local paths and remote bases it names.

    Paths are joined to the kustomization's directory and normalised; ``bases`` are the
    directories among ``resources``/``bases``/``components`` (each holding a
    kustomization, or kustomize fails on it), ``files`` every existing local file named
    anywhere in it (resources, patches, generator sources, replacements), ``folders``
    other local directories it names (a chart home)."""

    path: str
    directory: str
    bases: tuple[str, ...]
    files: tuple[str, ...]
    patches: tuple[str, ...]
    folders: tuple[str, ...]
    remote: tuple[str, ...]
    helm_charts: bool
    readable: bool
    text: str = ""


# What a path was when the planner looked: its kind (below), then, for one that exists,
# its mode, size, inode, modification and change times (os.stat's); a path that cannot
# be stat'ed is (NOTHING,). A remembered plan is trusted while its paths' signatures are
# the same (plan_cache.py).
Signature = tuple[int, ...]
NOTHING, FILE, DIRECTORY, OTHER = range(4)


def signature(path: str) -> Signature:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return (NOTHING,)
    mode = info.st_mode
    kind = FILE if stat.S_ISREG(mode) else DIRECTORY if stat.S_ISDIR(mode) else OTHER
    return (kind, mode, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


class PathKinds:
    """Whether a path is a file, a directory or nothing, asked of the system once per path
    (``os.path.isfile`` and friends each ``stat`` it): a monorepo's kustomizations name the
    same bases again and again, and a planner asked ~20,000 times (issue 22). What each
    path was is kept (``signatures``), for the plan cache to check later."""

    def __init__(self) -> None:
        self.signatures: dict[str, Signature] = {}

    def signature(self, path: str) -> Signature:
        found = self.signatures.get(path)
        if found is None:
            found = self.signatures[path] = signature(path)
        return found

    def exists(self, path: str) -> bool:
        return self.signature(path)[0] != NOTHING

    def isfile(self, path: str) -> bool:
        return self.signature(path)[0] == FILE

    def isdir(self, path: str) -> bool:
        return self.signature(path)[0] == DIRECTORY


def kustomization_file(directory: str, paths: PathKinds | None = None) -> str | None:
    """The kustomization file of ``directory``, or None."""
    paths = paths or PathKinds()
    for name in KUSTOMIZATION_NAMES:
        path = os.path.join(directory, name)
        if paths.isfile(path):
            return path
    return None


def read_kustomization(
    path: str, all_problems: list[InputProblem], paths: PathKinds | None = None
) -> Kustomization:
    """What the kustomization at ``path`` refers to; a file that does not read or parse
    refers to nothing and is not ``readable`` (kustomize reports it when rendering).
    ``paths``: what is known of the paths it names (a planner's, shared by its reads)."""
    paths = paths or PathKinds()
    directory = os.path.dirname(path) or "."
    problems: list[InputProblem] = []
    loaded = read_input(path, problems)
    data: Any = None
    if loaded is not None:
        for document in parse_yaml(path, loaded.text, problems, positions=False):
            data = document.data
            break
    if data is not None and not isinstance(data, Mapping):
        problems.append(InputProblem(Location(path, 1, 1), "a kustomization must be a mapping"))
        data = None
    all_problems.extend(problems)
    if not data:
        return Kustomization(path, directory, (), (), (), (), (), False, readable=not problems)
    bases: list[str] = []
    remote: list[str] = []
    for field in _RESOURCE_FIELDS:
        for entry in _strings(data.get(field)):
            local = _local(directory, entry, paths)
            if local is None:
                if _REMOTE.search(entry):
                    remote.append(entry)
            elif paths.isdir(local):
                bases.append(local)
    files: list[str] = []
    folders: list[str] = []
    for entry in _path_strings(data):
        local = _local(directory, entry, paths)
        if local is None or local in bases:
            continue
        (folders if paths.isdir(local) else files).append(local)
    patches = [
        local
        for field in _PATCH_FIELDS
        for entry in _path_strings(data.get(field))
        if (local := _local(directory, entry, paths)) is not None and paths.isfile(local)
    ]
    charts = data.get("helmCharts")
    return Kustomization(
        path,
        directory,
        tuple(dict.fromkeys(bases)),
        tuple(dict.fromkeys(files)),
        tuple(dict.fromkeys(patches)),
        tuple(dict.fromkeys(folders)),
        tuple(dict.fromkeys(remote)),
        bool(charts),
        readable=True,
        text=loaded.text if loaded is not None else "",
    )


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item


def _path_strings(value: object) -> Iterator[str]:
    """Every string in ``value`` that may be a path: generator sources are written
    ``key=path``, so the part after ``=`` is tried as well."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, Mapping):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, str) and "\n" not in current and 0 < len(current) < 4096:
            yield current
            if "=" in current:
                yield current.split("=", 1)[1]


def _local(directory: str, entry: str, paths: PathKinds) -> str | None:
    """``entry`` as an existing local path under ``directory`` (normalised), or None.
    Kustomize refuses absolute paths, and ``.`` is the kustomization itself."""
    entry = entry.strip()
    if not entry or os.path.isabs(entry) or entry in (".", "./"):
        return None
    path = os.path.normpath(os.path.join(directory, entry))
    return path if paths.exists(path) else None
