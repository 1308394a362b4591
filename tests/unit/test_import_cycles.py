"""No import cycle among efs_doctor's modules: data flows one way (docs/architecture.md).

Every import counts: at module level, inside functions (an import deferred for start-up
speed is still a dependency) and under ``if TYPE_CHECKING:`` (a type named against the flow
is a layer named against the flow: ``engine/analysis`` <-> ``rules/base`` and
``sources/aws_live`` <-> ``sources/aws_live_iam`` were cycles with one side type-only). An
import depends on the module it names, not on the packages around it, so a package's
``__init__`` re-exporting its own modules is no cycle with them.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under ``root`` (packages by name)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(tree: ast.Module, name: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """(module, names taken from it) for every import statement anywhere in ``tree``."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            out.append((module, [alias.name for alias in node.names]))
    return out


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of ``root`` it imports."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for module, names in _imported(
            ast.parse(path.read_text(encoding="utf-8")), name, is_package
        ):
            targets = [f"{module}.{n}" if f"{module}.{n}" in modules else module for n in names]
            for imported in targets or [module]:
                target = imported
                while target not in modules and "." in target:  # a name inside a module
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_efs_doctor_has_no_import_cycle() -> None:
    graph = import_graph(SRC)
    assert len(graph) > 150  # the whole package was read
    assert "efs_doctor.engine.analysis" in graph["efs_doctor.rules.runner"]
    found = cycles(graph)
    assert not found, "import cycles (each line one set of modules importing each other):\n" + (
        "\n".join(" <-> ".join(c) for c in found)
    )


def test_the_engine_imports_no_rule() -> None:
    graph = import_graph(SRC)
    backwards = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("efs_doctor.engine")
        for target in targets
        if target.startswith("efs_doctor.rules")
    }
    assert not backwards


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_through_a_lazy_or_type_only_import_is_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "from pkg.low import thing\n",
            "low.py": "thing = 1\n",
            "engine/__init__.py": "",
            "engine/context.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.rules.base import Rule\n"
            ),
            "rules/__init__.py": "",
            "rules/base.py": "from pkg.engine.context import Context\n",
            "a.py": "def f():\n    from . import b\n",
            "b.py": "from pkg import a\n",
        },
    )
    assert cycles(import_graph(root)) == [
        ["pkg.a", "pkg.b"],
        ["pkg.engine.context", "pkg.rules.base"],
    ]


def test_a_package_reexporting_its_modules_is_no_cycle(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "from pkg.low import thing\nfrom pkg.high import other\n",
            "low.py": "thing = 1\n",
            "high.py": "from pkg.low import thing\nother = thing\n",
        },
    )
    assert import_graph(root)["pkg"] == {"pkg.low", "pkg.high"}
    assert cycles(import_graph(root)) == []
