"""Rendering one Kustomize root with the real kustomize, objects mapped back to files.

The root is built through a wrapper kustomization in a temporary directory, never written
into the user's tree: ``resources`` names the root by a relative path (kustomize refuses
absolute ones) and ``buildMetadata`` asks for origin annotations, from which each object's
file and line are found (origins.py); the annotations are removed before analysis.

Remote bases are fetched by kustomize itself, so a root whose tree names one is not
rendered at all unless the network is allowed: one line per remote base, and the unit
is incomplete. ``helmCharts`` needs ``--enable-helm``, which is never passed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import Location
from efs_doctor.sources.documents import Document, parse_yaml
from efs_doctor.sources.render.cache import RenderCache, comes_back_from_json
from efs_doctor.sources.render.kustomization import kustomization_file
from efs_doctor.sources.render.model import RenderedUnit, RenderOptions, Unit
from efs_doctor.sources.render.origins import Origin, OriginFinder, strip_build_annotations
from efs_doctor.sources.render.process import ProcessResult, run_renderer
from efs_doctor.sources.render.renderers import KUSTOMIZE_HINT, Renderers, binary_identity

HELM_CHARTS = "helmCharts"


def render_kustomization(
    unit: Unit,
    renderers: Renderers,
    options: RenderOptions,
    cache: RenderCache,
    shown: Mapping[str, str],
    *,
    cached_only: bool = False,
) -> RenderedUnit | None:
    """``unit`` rendered, its objects pointing at their origin files. With
    ``cached_only``, None when that needs a kustomize process (the render is not cached):
    the caller runs those on threads and the rest, pure Python, without them."""
    where = Location(kustomization_file(unit.directory) or unit.directory)
    refused = _refused(unit, options, where)
    if refused:
        return RenderedUnit(unit, problems=tuple(refused))
    command = renderers.kustomize
    if command is None:
        message = (
            f"Kustomize unit {unit.name} not rendered, its files not scanned: {KUSTOMIZE_HINT}"
        )
        return RenderedUnit(unit, problems=(InputProblem(where, message),))
    renderer = " ".join(os.path.basename(part) for part in command)
    key = cache.key(
        (
            "kustomize",
            binary_identity(command[0]),
            os.path.abspath(unit.directory),
            str(options.allow_network),
        ),
        unit.inputs,
    )
    finder = OriginFinder(
        "", shown, where.path or unit.directory, not os.path.isabs(unit.directory)
    )
    problems: list[InputProblem] = []
    cached = _cached(cache.get(key), unit, problems)
    if cached is not None:
        documents = [Document(data, finder.source(origin)) for data, origin in cached]
    elif cached_only:
        return None
    else:
        import shutil
        import tempfile

        wrapper = tempfile.mkdtemp(prefix="efs-doctor-kustomize-")
        try:
            result = _build(unit, command, wrapper, options.timeout)
        finally:
            shutil.rmtree(wrapper, ignore_errors=True)
        if result.output is None:
            message = f"{renderer} failed on {unit.name}: {_unwrapped(result.error, wrapper)}"
            return RenderedUnit(unit, problems=(InputProblem(where, message),), renderer=renderer)
        finder.base = wrapper
        objects = _objects(unit, result.output, problems)
        documents, origins = [], []
        for data in objects:
            origin = finder.origin_of(data, strip_build_annotations(data))
            origins.append(origin.as_json())
            documents.append(Document(data, finder.source(origin)))
        entry: dict[str, Any] = {"origins": origins}
        if not problems and all(comes_back_from_json(data) for data in objects):
            entry["objects"] = objects  # read back without parsing YAML again
        else:  # parsed again when read back, so that its problems are reported again
            entry["output"] = result.output
        cache.put(key, entry)
    return RenderedUnit(
        unit,
        tuple(documents),
        tuple(problems),
        complete=not problems,
        renderer=renderer,
        cached=cached is not None,
    )


def _objects(unit: Unit, output: str, problems: list[InputProblem]) -> list[Any]:
    """The objects of a render's output (the rendered text's own positions are never
    shown: objects point at their origins)."""
    rendered = parse_yaml(f"{unit.name} (rendered)", output, problems, positions=False)
    return [document.data for document in rendered]


def _cached(
    value: dict[str, Any] | None, unit: Unit, problems: list[InputProblem]
) -> list[tuple[Any, Origin]] | None:
    """The objects of a cached render, each with its origin, if the entry has the shape of
    one (anything else is a miss: rendered again)."""
    if value is None:
        return None
    stored = value.get("origins")
    origins = [Origin.from_json(item) for item in stored] if isinstance(stored, list) else []
    found: list[InputProblem] = []
    objects = value.get("objects")
    if isinstance(value.get("output"), str):
        objects = _objects(unit, value["output"], found)
        for data in objects:
            strip_build_annotations(data)
    if not isinstance(objects, list) or len(objects) != len(origins) or None in origins:
        return None
    problems.extend(found)
    return [(data, origin) for data, origin in zip(objects, origins, strict=True) if origin]


def _refused(unit: Unit, options: RenderOptions, where: Location) -> list[InputProblem]:
    refused: list[InputProblem] = []
    for reference in unit.remote:
        if reference == HELM_CHARTS:
            message = (
                f"Kustomize unit {unit.name} not rendered: it inflates Helm charts "
                "(helmCharts), which needs kustomize --enable-helm; render it yourself and "
                "scan the output (kubectl kustomize --enable-helm DIR | efs-doctor scan -)"
            )
        elif options.allow_network:
            continue
        else:
            message = (
                f"Kustomize unit {unit.name} not rendered: remote base {reference} is not "
                "fetched without --allow-network"
            )
        refused.append(InputProblem(where, message))
    return refused


def _build(unit: Unit, command: tuple[str, ...], wrapper: str, timeout: float) -> ProcessResult:
    try:
        target = os.path.relpath(os.path.abspath(unit.directory), wrapper)
    except ValueError:  # Windows: another drive than the temporary directory's
        return ProcessResult(None, f"cannot reach {unit.directory} from {wrapper}")
    with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
        handle.write(
            "apiVersion: kustomize.config.k8s.io/v1beta1\n"
            "kind: Kustomization\n"
            f"resources:\n  - {_quoted(target)}\n"
            "buildMetadata: [originAnnotations, transformerAnnotations]\n"
        )
    return run_renderer([*command, wrapper], timeout)


def _quoted(path: str) -> str:
    """``path`` as a YAML double-quoted scalar (a directory name may hold ``:`` or ``#``)."""
    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# kustomize first tries a directory resource as a file, and says so before the reason it
# failed as a directory: "... must resolve to a file': recursed accumulation of path 'D': ".
_RECURSED = re.compile(r"recursed accumulation of path '[^']*': ")


def _unwrapped(error: str | None, wrapper: str) -> str:
    """kustomize's message, from its innermost reason, without the wrapper's path."""
    text = _RECURSED.split(error or "no message")[-1]
    return text.replace(wrapper + os.sep, "").replace(wrapper, "<wrapper>")
