"""What rendering takes and gives: units found in the walked files, options, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from efs_doctor.model.problems import InputProblem
from efs_doctor.sources.documents import Document


class UnitKind(Enum):
    KUSTOMIZE = "kustomize"
    HELM = "helm"


@dataclass(frozen=True, slots=True)
class Unit:
    """A directory a renderer turns into objects: a Kustomize root or a Helm chart.

    ``directory`` is the path as the user gave it (a walked path's directory), which is
    also the unit's display name. ``inputs`` are the files the render reads (every file
    of the kustomizations it includes and every local path they name; every file of a
    chart), used for the relevance test and the cache key. ``remote`` lists references
    to remote bases or charts (URLs, git repositories)."""

    kind: UnitKind
    directory: str
    inputs: tuple[str, ...]
    remote: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.directory


@dataclass(frozen=True, slots=True)
class UnitPlan:
    """The units among the walked files.

    ``roots``: the units to render (a Kustomize base used by a scanned overlay is not
    one: it is rendered through the overlay). ``owned``: walked files that belong to a
    unit and must not be loaded as plain objects (kustomizations, their resources,
    patches and generator files, everything in a chart). ``problems``: what was found
    wrong with a unit's files while planning (a kustomization that does not parse).
    ``cached``: the plan was remembered from an earlier scan (render/plan_cache.py); two
    plans are equal whatever their origin."""

    roots: tuple[Unit, ...] = ()
    owned: frozenset[str] = frozenset()
    problems: tuple[InputProblem, ...] = ()
    cached: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """``enabled``: False for ``--no-render`` (units are then neither rendered nor
    owned). ``allow_network``: remote bases and charts may be fetched by the renderer.
    ``helm_values``: values files for every chart, in order (``helm template -f``);
    ``helm_set``: ``key=value`` overrides after them (``--set``). ``cache_dir``: where
    renders are cached (None: ``$XDG_CACHE_HOME/efs-doctor`` or ``~/.cache/efs-doctor``;
    "" disables the cache). ``helm_release``: the release name templates see
    (``helm template``'s own default). ``timeout``: seconds one renderer process may
    run."""

    enabled: bool = True
    allow_network: bool = False
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()
    cache_dir: str | None = None
    helm_release: str = "release-name"
    timeout: float = 120.0


@dataclass(frozen=True, slots=True)
class RenderedUnit:
    """One unit after rendering: its objects (each document's source map points at the
    original file to edit), the problems met, and whether every object of the unit is
    among ``documents`` (False when no renderer is installed, the renderer failed, a
    remote base was not fetched or a chart dependency is not vendored)."""

    unit: Unit
    documents: tuple[Document, ...] = ()
    problems: tuple[InputProblem, ...] = ()
    complete: bool = False
    renderer: str | None = None
    cached: bool = False
    values_files: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def kind(self) -> UnitKind:
        return self.unit.kind
