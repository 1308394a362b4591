"""Turning input paths into one :class:`Inventory`: read, parse, recognise, add, each
PATH argument into a context of its own (sources/contexts.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import SourceMap
from efs_doctor.sources import parallel
from efs_doctor.sources.aws_snapshot import (
    add_aws_document,
    add_policy_document,
    is_policy_document,
)
from efs_doctor.sources.contexts import settle_contexts
from efs_doctor.sources.documents import NOT_READ, Document, parse_text
from efs_doctor.sources.file_system_policies import settle_policies
from efs_doctor.sources.files import STDIN, InputText, debug, iter_input_files, read_input
from efs_doctor.sources.iac.dispatch import add_iac_document, parse_iac_text
from efs_doctor.sources.manifests import (
    add_kubernetes_document,
    ignored_kind,
    is_kubernetes,
)
from efs_doctor.sources.render.model import RenderedUnit, RenderOptions, Unit, UnitPlan
from efs_doctor.sources.taken import untaken_key

# From this many files on, the loaded objects are frozen out of garbage collection.
FREEZE_FILES = 200


# Work the caller has the loader do while worker processes parse: (what, its seconds).
Meanwhile = tuple[Callable[[], object], float]


def load_paths(
    paths: Sequence[str],
    inventory: Inventory | None = None,
    meanwhile: Meanwhile | None = None,
    *,
    one_context: bool = False,
    render: RenderOptions | None = None,
) -> Inventory:
    """Load every file under ``paths`` (``-`` is stdin). Never raises for bad input.

    Each PATH argument is a context of its own (docs/contracts.md, "Contexts"); with
    ``one_context`` (explain's context files, files added to a live cluster's inventory)
    they all join ``inventory``'s.

    Kustomize roots and Helm charts among the files are rendered (``render``; the
    defaults when None), each a context of its own, and their files are not read as
    objects; ``RenderOptions(enabled=False)`` reads them as plain files.

    ``meanwhile`` is work of the caller's (importing what comes after loading) that the
    loader does while workers parse a large tree, so that it costs no wall time; it is not
    done when the load has no workers."""
    one_context = one_context or inventory is not None
    inventory = inventory if inventory is not None else Inventory()
    # Loading makes hundreds of thousands of long-lived objects and no garbage cycles: the
    # cyclic collector's repeated passes over them cost about a tenth of a large load.
    collecting = gc.isenabled()
    gc.disable()
    try:
        contexts = _load_files(paths, inventory, meanwhile, one_context, render or RenderOptions())
        settle_contexts(inventory, contexts)
        settle_policies(inventory)
    finally:
        if collecting:
            if len(inventory.files) >= FREEZE_FILES:
                # What was loaded lives as long as the command and holds no cycles (dropping
                # an inventory frees it by reference counting): keep it out of every later
                # collection, the first of which would walk all of it (0.34 s of a
                # 5,000-file scan).
                gc.freeze()
            gc.enable()
    return inventory


def _load_files(
    paths: Sequence[str],
    inventory: Inventory,
    meanwhile: Meanwhile | None,
    one_context: bool,
    render: RenderOptions,
) -> list[Inventory]:
    """Every file, in order, into the context of its argument, then the rendered units
    each into its own; a large tree is read and parsed on all cores (the problems keep the
    order a file-by-file load gives them, walk problems included). Returns the contexts
    made."""
    problems = inventory.problems
    walked: list[InputProblem] = []
    files: list[tuple[str, int]] = []
    argument_of: dict[str, str] = {}
    for argument, path in iter_input_files(paths, walked):
        files.append((path, len(walked)))
        argument_of[path] = argument
    every_file = [path for path, _ in files]
    plan, rendered, done_meanwhile = _plan_units(every_file, render, meanwhile)
    if done_meanwhile:
        meanwhile = None  # done while a forked process planned and rendered the units
    if plan is not None:
        problems.extend(plan.problems)
        if plan.owned:
            files = [entry for entry in files if entry[0] not in plan.owned]
    named = files_context_name(paths)
    contexts: dict[str, Inventory] = {}

    def context_of(path: str) -> Inventory:
        if one_context:
            return inventory
        argument = argument_of[path]
        name = named if argument == path != STDIN else context_name(argument)
        found = contexts.get(name)
        if found is None:
            found = contexts[name] = inventory.new_context(name, name)
        return found

    load = parallel.start(files, walked, meanwhile[1] if meanwhile else 0.0)
    results = load.results
    try:
        if meanwhile and load.workers:
            meanwhile[0]()
        shown = 0
        for index, (path, walk_problems) in enumerate(load.files):
            problems.extend(walked[shown:walk_problems])
            shown = walk_problems
            parsed = next(results) if results is not None and index >= load.own else None
            if parsed is not None:
                _add_parsed(parsed, context_of(path))
                continue
            loaded = read_input(path, problems)
            if loaded is not None:
                _add_text(loaded, context_of(path))
        problems.extend(walked[shown:])
    finally:
        load.close()
    if plan is not None and plan.roots:
        # after the parse workers are done: a renderer may start threads (the Helm
        # library's Go runtime), and forking a process with threads is unsafe
        _add_rendered(
            rendered if rendered is not None else _render(plan.roots, render, every_file),
            inventory,
            contexts=contexts,
            one_context=one_context,
            arguments=paths,
        )
    return list(contexts.values())


def _plan_units(
    files: Sequence[str], render: RenderOptions, meanwhile: Meanwhile | None
) -> tuple[UnitPlan | None, list[RenderedUnit] | None, bool]:
    """The units among ``files``; when a forked process planned and rendered them while
    this one did the caller's ``meanwhile`` work (the engines' imports, a tenth of a second
    the planner and the render cache would otherwise wait for: issue 22), the rendered
    units too (None: render them after the parse); and whether ``meanwhile`` was done."""
    if not render.enabled:
        return None, None, False
    from efs_doctor.sources.render import plan_units

    if meanwhile is not None and len(files) >= parallel.MIN_FILES:
        forked = parallel.fork_call(lambda: _planned_and_rendered(files, render))
        if forked is not None:
            meanwhile[0]()
            answer = forked.result()
            if answer is not None:
                plan, rendered = answer
                return plan, rendered, True
            # the forked planner failed: plan here, render after the parse as without it
            # (rendering may start threads, which must not exist when parse workers fork)
            return plan_units(files, render.cache_dir), None, True
    return plan_units(files, render.cache_dir), None, False


def _planned_and_rendered(
    files: Sequence[str], render: RenderOptions
) -> tuple[UnitPlan, list[RenderedUnit]]:
    from efs_doctor.sources.render import plan_units

    plan = plan_units(files, render.cache_dir)
    return plan, _render(plan.roots, render, files)


def _render(
    units: Sequence[Unit], render: RenderOptions, files: Sequence[str]
) -> list[RenderedUnit]:
    from efs_doctor.sources.render import render_units

    return render_units(units, render, files)


def _add_rendered(
    rendered: Sequence[RenderedUnit],
    inventory: Inventory,
    *,
    contexts: dict[str, Inventory],
    one_context: bool,
    arguments: Sequence[str],
) -> None:
    """Each rendered unit into a context of its own, named by its path; a unit not
    rendered whole leaves the scan incomplete (``Inventory.unrendered``)."""
    for unit in rendered:
        inventory.files.extend(unit.unit.inputs)
        inventory.problems.extend(unit.problems)
        if one_context:
            context = inventory
        else:
            context = contexts.get(unit.name) or inventory.new_context(
                unit.name, _argument_holding(unit.unit.directory, arguments)
            )
            contexts[unit.name] = context
        for document in unit.documents:
            add_document(document, "", context)
        if not unit.complete:
            inventory.unrendered[unit.name] = _why_incomplete(unit.problems)


def _argument_holding(directory: str, arguments: Sequence[str]) -> str:
    """The directory argument a unit was found under (its own path when named itself)."""
    import os

    where = os.path.normpath(directory)
    for argument in arguments:
        if argument == STDIN:
            continue
        root = os.path.normpath(argument)
        if where == root or where.startswith(root.rstrip(os.sep) + os.sep) or root == ".":
            return context_name(argument)
    return directory


def _why_incomplete(problems: Sequence[InputProblem]) -> str:
    worst = next((p for p in problems if p.level is ProblemLevel.ERROR), None)
    worst = worst or next(iter(problems), None)
    if worst is None:
        return "not rendered whole"
    return f"not rendered whole: {worst.message}"


def files_context_name(paths: Sequence[str]) -> str:
    """The one context of the files named as arguments (not directories, not stdin): a
    user who names ``pv.yaml pod.yaml`` means them together, as ``kubectl apply -f`` does;
    each directory is a project of its own."""
    import os

    files = [p for p in paths if p != STDIN and not os.path.isdir(p)]
    if len(files) <= 3:
        return ", ".join(files)
    return f"{files[0]}, ... ({len(files)} files)"


def context_name(argument: str) -> str:
    """A PATH argument as a context's name: as the user typed it, without a trailing
    slash (``-`` is stdin)."""
    if argument == STDIN:
        return STDIN
    return argument.rstrip("/") or argument


def _add_text(loaded: InputText, inventory: Inventory) -> None:
    problems = inventory.problems
    inventory.files.append(loaded.path)
    documents = parse_iac_text(loaded.path, loaded.text, problems)  # YAML templates
    if documents is None:
        documents = parse_text(loaded.path, loaded.text, problems, ignored_kind, untaken_key)
    for document in documents:
        add_document(document, loaded.text, inventory)


def _add_parsed(parsed: parallel.ParsedFile, inventory: Inventory) -> None:
    """Add what a worker read, as if it had been read here."""
    problems = inventory.problems
    loaded = parsed.loaded
    if loaded is None or parsed.documents is None:
        problems.extend(parsed.problems)
        if loaded is not None:
            _add_text(loaded, inventory)
        return
    inventory.files.append(loaded.path)
    shown = 0
    for document, before in zip(parsed.documents, parsed.before, strict=True):
        problems.extend(parsed.problems[shown:before])
        shown = before
        source = SourceMap(loaded.path, document.line, document.column, document.marks)
        add_document(Document(document.data, source), loaded.text, inventory)
    problems.extend(parsed.problems[shown:])


def add_document(document: Document, text: str, inventory: Inventory) -> None:
    data = document.data
    problems = inventory.problems
    if data is None:
        return
    if add_iac_document(document, inventory):
        pass  # a Terraform plan/state, CloudFormation template or eksctl ClusterConfig
    elif is_kubernetes(data):
        add_kubernetes_document(document, inventory, problems)
    elif add_aws_document(document, inventory, problems):
        pass  # an AWS CLI answer
    elif is_policy_document(data):
        add_policy_document(document, text, inventory, problems)
    elif isinstance(data, Mapping) and not isinstance(data.get("Statement", []), list | Mapping):
        problems.append(
            InputProblem(
                document.source.location("Statement"),
                "IAM policy document: field Statement must be a list of statements or one "
                f"statement, got {_kind(data['Statement'])}; the policy is not read",
                ProblemLevel.WARNING,
            )
        )
    elif isinstance(data, Mapping) and "Statement" in data:
        problems.append(
            InputProblem(
                document.source.location(),
                "IAM policy document that is not a file system policy (no statement with a "
                "Principal and an elasticfilesystem action); identity and trust policies are "
                "read from get-account-authorization-details or get-role; skipped",
                ProblemLevel.WARNING,
            )
        )
    elif isinstance(data, Mapping) and document.source.path and _looks_like_json(text):
        keys = ", ".join(sorted(str(k) for k in data)[:6])
        problems.append(
            InputProblem(
                document.source.location(),
                f"JSON not recognised as Kubernetes objects, AWS CLI output or an IAM policy "
                f"(top-level keys: {keys or 'none'}); skipped",
                ProblemLevel.WARNING,
            )
        )
    else:
        problems.append(debug(document.source.path or "<input>", NOT_READ))


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else type(value).__name__


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")
