"""Reading ``terraform show -json`` output (plan or state) into a :class:`TfDocument`.

Every structural problem raises :class:`TerraformFormatError` with one line saying what is
wrong; the caller turns it into an input problem. Sources: see ``tf_plan``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.model.source import FieldPath
from efs_doctor.sources.iac.tf_plan import TfDocument, TfResource, module_key_of

SUPPORTED_MAJOR = ("0", "1")


class TerraformFormatError(ValueError):
    """The JSON is Terraform output but not in a shape this reader understands."""


def is_terraform_json(data: Any) -> bool:
    """``terraform show -json`` output: ``format_version`` plus what a plan or state has."""
    if not isinstance(data, Mapping) or "format_version" not in data:
        return False
    return any(
        key in data for key in ("terraform_version", "planned_values", "resource_changes", "values")
    )


def read_document(data: Mapping[str, Any]) -> TfDocument:
    version = data.get("format_version")
    if not isinstance(version, str) or version.split(".", 1)[0] not in SUPPORTED_MAJOR:
        raise TerraformFormatError(
            f"Terraform JSON format_version {version!r} is not supported (efs-doctor reads "
            "0.x and 1.x, what `terraform show -json` has written since Terraform 0.12)"
        )
    terraform_version = data.get("terraform_version")
    is_plan = "planned_values" in data or "resource_changes" in data
    document = TfDocument(
        kind="plan" if is_plan else "state",
        format_version=version,
        terraform_version=terraform_version if isinstance(terraform_version, str) else None,
    )
    configuration = _mapping(data.get("configuration"), "configuration")
    config_index = _index_configuration(configuration, document)
    if is_plan:
        _read_changes(data, document, config_index)
        prior = data.get("prior_state")
        if prior is not None:
            values = _mapping(_mapping(prior, "prior_state").get("values"), "prior_state.values")
            _read_module(
                values.get("root_module"),
                ("prior_state", "values", "root_module"),
                document,
                config_index,
                only_data=True,
            )
    else:
        if data.get("values") is None:
            return document  # an empty state: `terraform show -json` prints no values
        values = _mapping(data.get("values"), "values")
        _read_module(values.get("root_module"), ("values", "root_module"), document, config_index)
    document.region = _provider_region(configuration)
    document.account = _account(document) or _provider_account(configuration)
    return document


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TerraformFormatError(f"Terraform JSON: {what} must be an object")
    return value


ConfigIndex = dict[tuple[str, str], Mapping[str, Any]]  # (module key, address) -> entry


def _index_configuration(configuration: Mapping[str, Any], document: TfDocument) -> ConfigIndex:
    index: ConfigIndex = {}
    stack: list[tuple[str, Any]] = [("", configuration.get("root_module"))]
    while stack:
        key, module = stack.pop()
        if not isinstance(module, Mapping):
            continue
        for entry in module.get("resources") or ():
            if isinstance(entry, Mapping) and isinstance(entry.get("address"), str):
                index[(key, entry["address"])] = entry
        calls = module.get("module_calls")
        if isinstance(calls, Mapping):
            for name, call in calls.items():
                if isinstance(call, Mapping):
                    child = f"{key}.{name}" if key else str(name)
                    document.module_calls[child] = call
                    stack.append((child, call.get("module")))
    return index


def _config_of(
    index: ConfigIndex, module_key: str, mode: str, kind: str, name: str
) -> Mapping[str, Any] | None:
    local = f"data.{kind}.{name}" if mode == "data" else f"{kind}.{name}"
    return index.get((module_key, local))


def _read_changes(data: Mapping[str, Any], document: TfDocument, index: ConfigIndex) -> None:
    changes = data.get("resource_changes")
    if changes is None:
        return
    if not isinstance(changes, list):
        raise TerraformFormatError("Terraform JSON: resource_changes must be a list")
    for position, entry in enumerate(changes):
        if not isinstance(entry, Mapping):
            raise TerraformFormatError(f"Terraform JSON: resource_changes[{position}] malformed")
        change = entry.get("change")
        address, kind, name = entry.get("address"), entry.get("type"), entry.get("name")
        if not (isinstance(change, Mapping) and isinstance(address, str)):
            raise TerraformFormatError(f"Terraform JSON: resource_changes[{position}] malformed")
        if not isinstance(kind, str) or not isinstance(name, str):
            raise TerraformFormatError(f"Terraform JSON: {address} has no type or name")
        actions = change.get("actions")
        after = change.get("after")
        if actions == ["delete"] or after is None or actions == ["forget"]:
            continue  # going away: not part of what will be deployed
        if not isinstance(after, Mapping):
            raise TerraformFormatError(f"Terraform JSON: {address} change.after malformed")
        module = entry.get("module_address")
        module = module if isinstance(module, str) else ""
        mode = entry.get("mode") if entry.get("mode") in ("managed", "data") else "managed"
        key = module_key_of(module)
        document.add(
            TfResource(
                address=address,
                module=module,
                mode=str(mode),
                type=kind,
                name=name,
                values=after,
                unknown=change.get("after_unknown") or False,
                values_path=("resource_changes", position, "change", "after"),
                entry_path=("resource_changes", position, "address"),
                config=_config_of(index, key, str(mode), kind, name),
                module_key=key,
                actions=tuple(str(a) for a in actions) if isinstance(actions, list) else (),
            )
        )


def _walk_modules(module: Any, path: FieldPath) -> Iterator[tuple[Mapping[str, Any], FieldPath]]:
    stack = [(module, path)]
    while stack:
        current, where = stack.pop()
        if current is None:
            continue
        if not isinstance(current, Mapping):
            raise TerraformFormatError("Terraform JSON: a module in values must be an object")
        yield current, where
        children = current.get("child_modules") or []
        if not isinstance(children, list):
            raise TerraformFormatError("Terraform JSON: child_modules must be a list")
        for position, child in reversed(list(enumerate(children))):
            stack.append((child, (*where, "child_modules", position)))


def _read_module(
    module: Any,
    path: FieldPath,
    document: TfDocument,
    index: ConfigIndex,
    *,
    only_data: bool = False,
) -> None:
    for current, where in _walk_modules(module, path):
        resources = current.get("resources") or []
        if not isinstance(resources, list):
            raise TerraformFormatError("Terraform JSON: resources must be a list")
        module_address = current.get("address") if isinstance(current.get("address"), str) else ""
        for position, entry in enumerate(resources):
            if not isinstance(entry, Mapping):
                continue
            address, kind, name = entry.get("address"), entry.get("type"), entry.get("name")
            values = entry.get("values")
            mode = entry.get("mode") if entry.get("mode") in ("managed", "data") else "managed"
            if only_data and mode != "data":
                continue
            if not (isinstance(address, str) and isinstance(kind, str) and isinstance(name, str)):
                raise TerraformFormatError(
                    f"Terraform JSON: resource {position} in {module_address or 'root module'} "
                    "has no address, type or name"
                )
            if not isinstance(values, Mapping):
                continue
            key = module_key_of(str(module_address))
            document.add(
                TfResource(
                    address=address,
                    module=str(module_address),
                    mode=str(mode),
                    type=kind,
                    name=name,
                    values=values,
                    unknown=False,
                    values_path=(*where, "resources", position, "values"),
                    entry_path=(*where, "resources", position, "address"),
                    config=_config_of(index, key, str(mode), kind, name),
                    module_key=key,
                )
            )


def _provider_region(configuration: Mapping[str, Any]) -> str | None:
    providers = configuration.get("provider_config")
    if not isinstance(providers, Mapping):
        return None
    regions = set()
    for provider in providers.values():
        if not isinstance(provider, Mapping) or provider.get("name") != "aws":
            continue
        expressions = provider.get("expressions")
        region = expressions.get("region") if isinstance(expressions, Mapping) else None
        value = region.get("constant_value") if isinstance(region, Mapping) else None
        if isinstance(value, str):
            regions.add(value)
    return regions.pop() if len(regions) == 1 else None


def _provider_account(configuration: Mapping[str, Any]) -> str | None:
    """The one account the AWS provider may act in: ``allowed_account_ids`` (AWS provider
    docs: the provider refuses to run against any other account)."""
    providers = configuration.get("provider_config")
    accounts: set[str] = set()
    for provider in providers.values() if isinstance(providers, Mapping) else ():
        if not isinstance(provider, Mapping) or provider.get("name") != "aws":
            continue
        expressions = provider.get("expressions")
        allowed = (
            expressions.get("allowed_account_ids") if isinstance(expressions, Mapping) else None
        )
        value = allowed.get("constant_value") if isinstance(allowed, Mapping) else None
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            accounts.add(value[0])
    return accounts.pop() if len(accounts) == 1 else None


def _account(document: TfDocument) -> str | None:
    accounts = {
        str(r.values["account_id"])
        for r in document.resources
        if r.type == "aws_caller_identity" and isinstance(r.values.get("account_id"), str)
    }
    return accounts.pop() if len(accounts) == 1 else None
