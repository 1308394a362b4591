"""Settling the contexts of a load: which objects may refer to which (docs/contracts.md,
"Contexts").

The loader reads each PATH argument (and each rendered unit) into an inventory of its own
made by :meth:`Inventory.new_context`, so a project's objects never meet another's while
AWS answers and cluster objects land in the shared fields. Here the contexts are settled:
replaced workloads dropped, the driver's service accounts given to every context, duplicates
counted in one line per context, and a single context folded into the top inventory.
"""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.model.chain import CONTROLLER_SERVICE_ACCOUNT, NODE_SERVICE_ACCOUNT
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import ServiceAccount, StorageClass
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import Location
from efs_doctor.sources.manifests import drop_replaced_workloads

DRIVER_SERVICE_ACCOUNTS = frozenset({NODE_SERVICE_ACCOUNT, CONTROLLER_SERVICE_ACCOUNT})


def settle_contexts(top: Inventory, contexts: Sequence[Inventory]) -> None:
    """Make ``top`` the whole load: ``top.contexts`` the contexts that hold a project's
    objects, or, with one, its objects in ``top`` itself (``top.contexts`` empty)."""
    drop_replaced_workloads([top, *contexts])
    for context in contexts:
        if context.caller is not None and top.caller is None:
            top.caller = context.caller
    _summarise_duplicates(top, [top, *contexts])
    driver_sources = {id(d.source) for d in top.driver_deployments}
    projects = [c for c in contexts if _ships_objects(c, driver_sources)]
    driver = _driver_accounts([top, *contexts])
    if len(projects) == 1:
        only = projects[0]
        top.persistent_volumes = only.persistent_volumes
        top.claims = only.claims
        top.storage_classes = only.storage_classes
        top.workloads = only.workloads
        top.service_accounts = {**top.service_accounts, **driver, **only.service_accounts}
        top.config_maps = {**top.config_maps, **only.config_maps}
        top.context = only.context
    elif projects:
        top.contexts = projects
        for project in projects:
            project.service_accounts = {**driver, **project.service_accounts}
        _share_storage_classes(projects)
    else:  # nothing links: every service account is shown where the inventory lists them
        for context in contexts:
            top.service_accounts.update(context.service_accounts)
            top.config_maps.update(context.config_maps)
        if contexts and not top.context:
            top.context = contexts[0].context


def _ships_objects(context: Inventory, driver_sources: set[int]) -> bool:
    """Whether a project ships anything that mounts or is mounted (the EFS CSI driver's
    own deployments are the cluster's, not a project's)."""
    return bool(
        context.persistent_volumes
        or context.claims
        or context.storage_classes
        or any(id(w.source) not in driver_sources for w in context.workloads)
    )


def _share_storage_classes(projects: Sequence[Inventory]) -> None:
    """StorageClasses are cluster-scoped, and a repository defines them once, often in a
    platform folder rendered on its own: a class defined by one object among the contexts
    of one PATH argument is seen by all of them (a context's own definition stands).
    Contexts of different arguments, different projects, never share one; nor does a
    repository that defines a name twice (which one applies cannot be told)."""
    by_argument: dict[str, list[Inventory]] = {}
    for project in projects:
        by_argument.setdefault(project.argument, []).append(project)
    for group in by_argument.values():
        if len(group) < 2:
            continue
        defined: dict[str, dict[tuple[str | None, int | None], StorageClass]] = {}
        for project in group:
            for name, storage_class in project.storage_classes.items():
                origin = (storage_class.source.path, storage_class.source.line)
                defined.setdefault(name, {})[origin] = storage_class
        for name, origins in defined.items():
            if len(origins) != 1:
                continue
            [storage_class] = origins.values()
            for project in group:
                project.storage_classes.setdefault(name, storage_class)


def _driver_accounts(loaded: Sequence[Inventory]) -> dict[str, ServiceAccount]:
    """The EFS CSI driver's service accounts are the cluster's, whichever input defined
    them: every context sees them (a context's own definition stands)."""
    driver: dict[str, ServiceAccount] = {}
    for inventory in loaded:
        for key, account in inventory.service_accounts.items():
            if account.name in DRIVER_SERVICE_ACCOUNTS:
                driver[key] = account
    return driver


def _summarise_duplicates(top: Inventory, loaded: Sequence[Inventory]) -> None:
    """One line per context for its objects defined more than once (each is a debug line,
    shown with -v): a monorepo has hundreds, and one line each buried everything else."""
    for inventory in loaded:
        if inventory.duplicates:
            count = inventory.duplicates
            name = inventory.context or "the inputs"
            top.problems.append(
                InputProblem(
                    Location(name),
                    f"{count} object{'s' if count != 1 else ''} defined more than once; the "
                    "last definition of each is used (-v lists them)",
                    ProblemLevel.WARNING,
                )
            )
