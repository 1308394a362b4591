"""Rendering one Helm chart: ``helm template`` when the binary is installed, else the Helm
library of the ``helm-python-sdk`` wheel (Helm's own Go code, offline: no cluster, and
``lookup`` returns nothing). Templates are never read as YAML.

The chart's default values apply, then the user's values files in order, then the
``--set`` values, as ``helm template -f F --set k=v`` does. Dependencies declared in
``Chart.yaml`` but not vendored under ``charts/`` are reported, never downloaded: the
binary refuses to render such a chart, the library renders the rest of it; either way the
unit is incomplete. Each object points at its template file (``# Source:`` of
``helm template``, the template name of the library), at the line of its ``kind:``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import Location, SourceMap
from efs_doctor.sources.documents import Document, parse_yaml
from efs_doctor.sources.files import read_input
from efs_doctor.sources.render.cache import RenderCache
from efs_doctor.sources.render.model import RenderedUnit, RenderOptions, Unit
from efs_doctor.sources.render.process import run_renderer
from efs_doctor.sources.render.renderers import HELM_HINT, Renderers, binary_identity

CHART_FILE = "Chart.yaml"
_SOURCE = re.compile(r"^# Source: (.+?)\s*$")
# What ``helm template`` leaves out of its output (helm's releaseutil: notes, partials).
_NOT_MANIFESTS = ("NOTES.txt",)


def render_chart(
    unit: Unit,
    renderers: Renderers,
    options: RenderOptions,
    cache: RenderCache,
    *,
    cached_only: bool = False,
) -> RenderedUnit | None:
    """``unit`` rendered by helm or the Helm library. With ``cached_only``, None when that
    needs a render (it is not cached): the caller runs those on threads."""
    where = Location(os.path.join(unit.directory, CHART_FILE))
    problems: list[InputProblem] = []
    missing = _missing_dependencies(unit.directory, problems)
    if missing:
        names = ", ".join(missing)
        problems.append(
            InputProblem(
                where,
                f"Helm chart {unit.name}: dependencies not vendored under charts/ are not "
                f"downloaded, their objects not checked: {names} "
                f"(run `helm dependency build {unit.directory}` to vendor them)",
            )
        )
    values = tuple(options.helm_values)
    if renderers.helm is not None and not missing:
        renderer = "helm"
        identity = binary_identity(renderers.helm)
    elif renderers.helm_library:
        renderer = "helm library"
        identity = _library_version()
    else:
        if renderers.helm is None:
            message = f"Helm chart {unit.name} not rendered, its files not scanned: {HELM_HINT}"
            problems.append(InputProblem(where, message))
        return RenderedUnit(unit, problems=tuple(problems), values_files=values)
    key = cache.key(
        (
            renderer,
            identity,
            os.path.abspath(unit.directory),
            options.helm_release,
            *(f"set:{item}" for item in options.helm_set),
        ),
        (*unit.inputs, *values),
    )
    cached = cache.get(key)
    manifests = _manifests(cached.get("manifests")) if cached is not None else None
    if manifests is None:
        if cached_only:
            return None
        cached = None
        if renderer == "helm":
            manifests, error = _with_binary(unit, renderers.helm or "helm", options)
        else:
            manifests, error = _with_library(unit, options)
        if manifests is None:
            problems.append(InputProblem(where, f"{renderer} failed on {unit.name}: {error}"))
            return RenderedUnit(
                unit, problems=tuple(problems), renderer=renderer, values_files=values
            )
        cache.put(key, {"manifests": manifests})
    documents = list(_documents(unit, manifests, problems))
    return RenderedUnit(
        unit,
        tuple(documents),
        tuple(problems),
        complete=not problems,
        renderer=renderer,
        cached=cached is not None,
        values_files=values,
    )


def _manifests(value: object) -> dict[str, str] | None:
    """A cached render, if it has the shape of one."""
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return value
    return None


def _missing_dependencies(directory: str, problems: list[InputProblem]) -> list[str]:
    """Dependencies named in Chart.yaml (or a v1 chart's requirements.yaml) with no
    ``charts/<name>/`` directory nor ``charts/<name>-<version>.tgz`` archive."""
    declared: list[str] = []
    for name in (CHART_FILE, "requirements.yaml"):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        loaded = read_input(path, problems)
        if loaded is None:
            continue
        for document in parse_yaml(path, loaded.text, problems):
            data = document.data
            dependencies = data.get("dependencies") if isinstance(data, Mapping) else None
            for dependency in dependencies if isinstance(dependencies, list) else ():
                if isinstance(dependency, Mapping) and isinstance(dependency.get("name"), str):
                    repository = dependency.get("repository")
                    declared.append(dependency["name"] + (f" ({repository})" if repository else ""))
    charts = os.path.join(directory, "charts")
    try:
        vendored = os.listdir(charts)
    except OSError:
        vendored = []
    return [
        item
        for item in declared
        if not any(
            entry == item.split(" ")[0] or entry.startswith(item.split(" ")[0] + "-")
            for entry in vendored
        )
    ]


def _with_binary(
    unit: Unit, helm: str, options: RenderOptions
) -> tuple[dict[str, str] | None, str | None]:
    command = [helm, "template", options.helm_release, unit.directory]
    for path in options.helm_values:
        command += ["--values", path]
    for item in options.helm_set:
        command += ["--set", item]
    result = run_renderer(command, options.timeout)
    if result.output is None:
        return None, result.error
    return split_sources(result.output), None


def split_sources(output: str) -> dict[str, str]:
    """``helm template`` output as {template name: its rendered documents}, by the
    ``# Source:`` comment heading each document."""
    manifests: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines(keepends=True):
        source = _SOURCE.match(line)
        if source is not None:
            current = manifests.setdefault(source.group(1), [])
            if current:
                current.append("---\n")
            continue
        if line.rstrip() == "---":
            continue
        if current is not None:
            current.append(line)
    return {name: "".join(lines) for name, lines in manifests.items()}


def _with_library(unit: Unit, options: RenderOptions) -> tuple[dict[str, str] | None, str | None]:
    import helm_python

    try:
        values: dict[str, Any] = {}
        for path in options.helm_values:
            with open(path, encoding="utf-8") as handle:
                _merge(values, helm_python.values_from_yaml(handle.read()))
        for item in options.helm_set:
            _merge(values, helm_python.parse_set_string(item))
        with helm_python.Chart.load(unit.directory) as chart:
            rendered = chart.render(values or None, name=options.helm_release)
    except helm_python.HelmError as error:
        return None, _one_line(str(error))
    except OSError as error:
        return None, f"cannot read {error.filename}: {error.strerror}"
    return {
        name: text
        for name, text in rendered.items()
        if not name.endswith(_NOT_MANIFESTS) and not os.path.basename(name).startswith("_")
    }, None


def _merge(into: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Later values files win, key by key in nested maps (helm's mergeMaps,
    helm.sh/helm/v4 pkg/cli/values/options.go)."""
    for key, value in values.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge(current, value)
        else:
            into[key] = value


def _library_version() -> str:
    import helm_python

    return f"helm-python {helm_python.__version__}"


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _documents(
    unit: Unit, manifests: Mapping[str, str], problems: list[InputProblem]
) -> Iterator[Document]:
    for name in sorted(manifests):
        template = _template_path(unit.directory, name)
        kind_lines = _kind_lines(template)
        seen: dict[str, int] = {}
        for document in parse_yaml(f"{template} (rendered)", manifests[name], problems):
            data = document.data
            if data is None:
                continue
            kind = str(data.get("kind", "")) if isinstance(data, Mapping) else ""
            index = seen.get(kind, 0)
            seen[kind] = index + 1
            lines = kind_lines.get(kind, [])
            line = lines[index] if index < len(lines) else 1
            yield Document(data, SourceMap(template, line, 1))


def _template_path(directory: str, name: str) -> str:
    """The file of template ``name`` (``<chart>/templates/x.yaml``, or deeper for a
    subchart's) under the chart directory."""
    parts = name.split("/")[1:]
    path = os.path.join(directory, *parts) if parts else directory
    return path if os.path.isfile(path) else directory


_KIND = re.compile(r"^kind:\s*[\"']?([A-Za-z0-9]+)", re.MULTILINE)


def _kind_lines(template: str) -> dict[str, list[int]]:
    """The lines of the template's top-level ``kind:`` fields, by kind."""
    loaded = read_input(template, []) if os.path.isfile(template) else None
    if loaded is None:
        return {}
    found: dict[str, list[int]] = {}
    for match in _KIND.finditer(loaded.text):
        line = loaded.text.count("\n", 0, match.start()) + 1
        found.setdefault(match.group(1), []).append(line)
    return found
