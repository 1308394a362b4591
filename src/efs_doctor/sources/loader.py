"""Turning input paths into one :class:`Inventory`: read, parse, recognise, add."""

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
from efs_doctor.sources.documents import Document, parse_text
from efs_doctor.sources.file_system_policies import settle_policies
from efs_doctor.sources.files import InputText, debug, read_input
from efs_doctor.sources.iac.dispatch import add_iac_document, parse_iac_text
from efs_doctor.sources.manifests import (
    add_kubernetes_document,
    drop_replaced_workloads,
    ignored_kind,
    is_kubernetes,
)

# From this many files on, the loaded objects are frozen out of garbage collection.
FREEZE_FILES = 200


# Work the caller has the loader do while worker processes parse: (what, its seconds).
Meanwhile = tuple[Callable[[], object], float]


def load_paths(
    paths: Sequence[str], inventory: Inventory | None = None, meanwhile: Meanwhile | None = None
) -> Inventory:
    """Load every file under ``paths`` (``-`` is stdin). Never raises for bad input.

    ``meanwhile`` is work of the caller's (importing what comes after loading) that the
    loader does while workers parse a large tree, so that it costs no wall time; it is not
    done when the load has no workers."""
    inventory = inventory if inventory is not None else Inventory()
    # Loading makes hundreds of thousands of long-lived objects and no garbage cycles: the
    # cyclic collector's repeated passes over them cost about a tenth of a large load.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _load_files(paths, inventory, meanwhile)
        drop_replaced_workloads(inventory)
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


def _load_files(paths: Sequence[str], inventory: Inventory, meanwhile: Meanwhile | None) -> None:
    """Every file, in order; a large tree is read and parsed on all cores (the problems
    keep the order a file-by-file load gives them, walk problems included)."""
    problems = inventory.problems
    load = parallel.start(paths, meanwhile[1] if meanwhile else 0.0)
    walked, results = load.walked, load.results
    try:
        if meanwhile and load.workers:
            meanwhile[0]()
        shown = 0
        for index, (path, walk_problems) in enumerate(load.files):
            problems.extend(walked[shown:walk_problems])
            shown = walk_problems
            parsed = next(results) if results is not None and index >= load.own else None
            if parsed is not None:
                _add_parsed(parsed, inventory)
                continue
            loaded = read_input(path, problems)
            if loaded is not None:
                _add_text(loaded, inventory)
        problems.extend(walked[shown:])
    finally:
        load.close()


def _add_text(loaded: InputText, inventory: Inventory) -> None:
    problems = inventory.problems
    inventory.files.append(loaded.path)
    documents = parse_iac_text(loaded.path, loaded.text, problems)  # YAML templates
    if documents is None:
        documents = parse_text(loaded.path, loaded.text, problems, ignored_kind)
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
    if is_kubernetes(data):
        add_kubernetes_document(document, inventory, problems)
    elif add_iac_document(document, inventory) or add_aws_document(document, inventory, problems):
        pass  # a Terraform plan/state or CloudFormation template, or an AWS CLI answer
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
        problems.append(
            debug(document.source.path or "<input>", "not a Kubernetes or AWS document; skipped")
        )


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
