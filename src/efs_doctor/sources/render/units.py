"""Finding the Kustomize and Helm units among the walked files, and what they own.

A directory holding a kustomization file is a Kustomize unit; one holding ``Chart.yaml``
is a Helm chart (its subcharts under ``charts/`` belong to it). A kustomization that
another scanned kustomization includes (``resources``, ``bases``, ``components``) is
rendered through it, not on its own: the roots are the others.

Owned files are never loaded as plain objects: every kustomization file, every file
directly in a scanned kustomization's directory, every local file a kustomization in a
root's tree names (patches and generator sources included, wherever they are), and
every file of a chart. Files in sub-directories of a kustomization's directory that no
kustomization names are not owned: kustomize ignores them, so they are scanned as
plain files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import Location
from efs_doctor.sources.files import STDIN, read_input
from efs_doctor.sources.render.kustomization import (
    Kustomization,
    PathKinds,
    Signature,
    kustomization_file,
    read_kustomization,
    signature,
)
from efs_doctor.sources.render.model import Unit, UnitKind, UnitPlan
from efs_doctor.sources.render.plan_cache import Evidence, PlanCache
from efs_doctor.sources.render.relevance import Relevance

CHART_FILE = "Chart.yaml"


def plan_units(files: Sequence[str], cache_dir: str | None = "") -> UnitPlan:
    """The units among ``files`` (the walked input paths), the files they own, and the
    roots worth rendering (others get a debug line).

    ``cache_dir``: the render cache's directory (None: the default one; "": none), under
    which the plan of the same walked files is remembered while every path the planner
    looked at is unchanged (plan_cache.py)."""
    walked = [path for path in files if path != STDIN]
    cache = PlanCache(cache_dir, walked)
    remembered = cache.get()
    if remembered is not None:
        return remembered
    started = time.time_ns()
    planner = _Planner(walked)
    plan = planner.plan()
    cache.put(plan, Evidence(planner.paths.signatures, planner.read, planner.listed), started)
    return plan


@dataclass
class _Planner:
    files: list[str]
    problems: list[InputProblem] = field(default_factory=list)
    kustomizations: dict[str, Kustomization] = field(default_factory=dict)  # by directory
    texts: dict[str, str] = field(default_factory=dict)
    paths: PathKinds = field(default_factory=PathKinds)
    read: list[str] = field(default_factory=list)  # files whose text the plan depends on
    listed: dict[str, Signature] = field(default_factory=dict)  # directories walked
    relevant: Relevance = field(init=False)

    def __post_init__(self) -> None:
        self.relevant = Relevance(self._text)

    def plan(self) -> UnitPlan:
        walked = {os.path.normpath(path): path for path in self.files}
        by_directory: dict[str, list[str]] = {}
        for path in walked:
            by_directory.setdefault(os.path.dirname(path) or ".", []).append(path)
        charts = self._charts(walked)
        in_chart = {d for d in by_directory if _inside(d, charts)}
        scanned = [
            directory
            for directory in by_directory
            if directory not in in_chart and self._kustomization(directory) is not None
        ]
        included = {base for directory in scanned for base in self._tree(directory)[1:]}
        roots = [directory for directory in scanned if directory not in included]
        reached = {base for root in roots for base in self._tree(root)}
        roots += [d for d in scanned if d not in reached]  # a cycle: kustomize will say so

        owned: set[str] = set()
        units: list[Unit] = []
        for directory in roots:
            unit, patches, readable = self._kustomize_unit(directory)
            owned.update(unit.inputs)
            # one that cannot be read is rendered all the same: kustomize says what is wrong
            self._keep(units, unit, patches, always=not readable)
        for directory in scanned:  # a base of a root, or a root: its own files
            owned.update(by_directory[directory])
        for directory in in_chart:
            owned.update(by_directory[directory])
        for directory in charts:
            unit = self._chart_unit(directory)
            self._keep(units, unit, (), always=False)
        return UnitPlan(
            tuple(units),
            frozenset(walked[path] for path in owned if path in walked),
            tuple(self.problems),
        )

    def _charts(self, walked: dict[str, str]) -> list[str]:
        """Chart directories, outermost only (a subchart belongs to its parent)."""
        found = sorted(
            os.path.dirname(path) or "." for path in walked if os.path.basename(path) == CHART_FILE
        )
        outermost: list[str] = []
        for directory in found:
            if not _inside(directory, outermost):
                outermost.append(directory)
        return outermost

    def _kustomization(self, directory: str) -> Kustomization | None:
        if directory not in self.kustomizations:
            path = kustomization_file(directory, self.paths)
            if path is None:
                return None
            self.read.append(path)
            kustomization = read_kustomization(path, self.problems, self.paths)
            self.kustomizations[directory] = kustomization
            self.texts[kustomization.path] = kustomization.text
        return self.kustomizations[directory]

    def _tree(self, directory: str) -> list[str]:
        """``directory`` and every kustomization directory it includes, depth first,
        each once (a cycle stops there)."""
        order: list[str] = []
        stack = [directory]
        while stack:
            current = stack.pop()
            if current in order:
                continue
            kustomization = self._kustomization(current)
            if kustomization is None:
                continue
            order.append(current)
            stack.extend(reversed(kustomization.bases))
        return order

    def _kustomize_unit(self, directory: str) -> tuple[Unit, list[str], bool]:
        """The unit of root ``directory``, its patches, and whether every kustomization
        of its tree could be read."""
        readable = True
        inputs: list[str] = []
        patches: list[str] = []
        remote: list[str] = []
        for current in self._tree(directory):
            kustomization = self.kustomizations[current]
            inputs.append(kustomization.path)
            inputs.extend(kustomization.files)
            for folder in kustomization.folders:
                inputs.extend(self._files_under(folder))
            patches.append(kustomization.path)  # inline patches
            readable = readable and kustomization.readable
            patches.extend(kustomization.patches)
            remote.extend(kustomization.remote)
            if kustomization.helm_charts:
                remote.append("helmCharts")
        unit = Unit(
            UnitKind.KUSTOMIZE,
            directory,
            tuple(dict.fromkeys(inputs)),
            tuple(dict.fromkeys(remote)),
        )
        return unit, patches, readable

    def _chart_unit(self, directory: str) -> Unit:
        return Unit(UnitKind.HELM, directory, tuple(self._files_under(directory)))

    def _files_under(self, directory: str) -> list[str]:
        """Every regular file under ``directory`` (any suffix: a chart's ``.tpl`` helpers
        and packaged subcharts count), hidden directories skipped, in a stable order;
        each directory listed is remembered as it was before the listing."""
        found: list[str] = []
        self._list(directory)
        for root, dirs, names in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in dirs:  # os.walk lists them after this step
                self._list(os.path.join(root, name))
            found.extend(os.path.join(root, name) for name in sorted(names))
        return found

    def _list(self, directory: str) -> None:
        if directory not in self.listed:
            self.listed[directory] = signature(directory)

    def _text(self, path: str) -> str:
        text = self.texts.get(path)
        if text is None:
            loaded = None
            if self.paths.isfile(path):
                self.read.append(path)
                loaded = read_input(path, [])
            text = self.texts[path] = loaded.text if loaded is not None else ""
        return text

    def _keep(self, units: list[Unit], unit: Unit, patches: Sequence[str], always: bool) -> None:
        """Keep ``unit`` to render if it is worth it, else say why not (debug)."""
        if always or unit.remote or self.relevant(unit.inputs, patches):
            units.append(unit)
            return
        self.problems.append(
            InputProblem(
                Location(unit.directory),
                f"{unit.kind.value} unit not rendered: none of its files mentions "
                "EFS storage (a volume, claim, StorageClass, nfs volume or volumes patch)",
                ProblemLevel.DEBUG,
            )
        )


def _inside(path: str, directories: Sequence[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in directories)
