"""Rendering ``data.aws_iam_policy_document`` the way the AWS provider does, for plans in which
its ``json`` is known only after apply (a statement names a resource not created yet).

Mapping (AWS provider docs, data source ``aws_iam_policy_document``,
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):
``sid`` -> Sid, ``effect`` -> Effect (default Allow), ``actions``/``not_actions`` ->
Action/NotAction, ``resources``/``not_resources`` -> Resource/NotResource, ``principals`` /
``not_principals`` blocks ``{type, identifiers}`` -> Principal/NotPrincipal ``{type: ids}``
(type ``*`` renders ``"*"``), ``condition`` blocks ``{test, variable, values}`` ->
Condition ``{test: {variable: values}}``; ``version`` defaults to 2012-10-17, ``policy_id`` is
Id. ``source_policy_documents`` come first and ``override_policy_documents`` replace statements
with the same Sid. A list of one renders as a plain string, as the provider prints it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

UNKNOWN = object()
"""A value known only after apply, where the caller could not link it."""

Linker = Callable[[tuple[str | int, ...]], Any]
"""Path of a list attribute, e.g. ("statement", 0, "resources") -> what the configuration
links it to: the whole list, one value, or UNKNOWN."""


class NotRenderable(ValueError):
    """The document depends on a value that is not known and could not be linked."""


def _one_or_many(values: Sequence[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _linked_list(
    raw: Any, path: tuple[str | int, ...], what: str, link: Linker | None
) -> list[Any] | None:
    """A list of strings whose unknown items are linked (or NotRenderable)."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise NotRenderable(f"{what} is not a list")
    known = [item for item in raw if item is not None and item is not UNKNOWN]
    missing = len(raw) - len(known)
    if missing == 0:
        return list(raw)
    linked = link(path) if link is not None else UNKNOWN
    if linked is UNKNOWN or linked is None:
        raise NotRenderable(f"{what} is known only after apply")
    # A set of strings keeps no source order: the linked values are the ones not known yet.
    extra = [v for v in (linked if isinstance(linked, list) else [linked]) if v not in known]
    if len(extra) != missing:
        raise NotRenderable(f"{what} is known only after apply")
    return [*known, *extra]


def _strings(
    statement: Mapping[str, Any], attribute: str, index: int, link: Linker | None
) -> list[Any] | None:
    what = f"statement {index + 1}: {attribute}"
    return _linked_list(statement.get(attribute), ("statement", index, attribute), what, link)


def _principals(blocks: Any, index: int, attribute: str, link: Linker | None) -> Any:
    if not isinstance(blocks, list) or not blocks:
        return None
    merged: dict[str, list[str]] = {}
    for position, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        what = f"statement {index + 1}: {attribute}"
        path = ("statement", index, attribute, position, "identifiers")
        identifiers = _linked_list(block.get("identifiers"), path, f"{what} identifiers", link)
        if not isinstance(kind, str) or identifiers is None:
            raise NotRenderable(f"{what} is known only after apply")
        if any(not isinstance(i, str) for i in identifiers):
            raise NotRenderable(f"{what} identifiers must be strings")
        if kind == "*":
            return "*"
        merged.setdefault(kind, []).extend(identifiers)
    return {kind: _one_or_many(ids) for kind, ids in merged.items()}


def _conditions(blocks: Any, index: int, link: Linker | None) -> dict[str, dict[str, Any]] | None:
    if not isinstance(blocks, list) or not blocks:
        return None
    out: dict[str, dict[str, Any]] = {}
    for position, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            continue
        test, variable = block.get("test"), block.get("variable")
        path = ("statement", index, "condition", position, "values")
        what = f"statement {index + 1}: condition {test} {variable} values"
        values = _linked_list(block.get("values"), path, what, link)
        if not isinstance(test, str) or not isinstance(variable, str):
            raise NotRenderable(f"statement {index + 1}: a condition is known only after apply")
        if not isinstance(values, list) or any(not isinstance(v, str) for v in values):
            raise NotRenderable(
                f"statement {index + 1}: condition {test} {variable} values are known only "
                "after apply"
            )
        out.setdefault(test, {})[variable] = _one_or_many(values)
    return out


def render_statement(
    statement: Mapping[str, Any], index: int, link: Linker | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sid = statement.get("sid")
    if isinstance(sid, str) and sid:
        out["Sid"] = sid
    effect = statement.get("effect")
    out["Effect"] = effect if isinstance(effect, str) and effect else "Allow"
    for attribute, key in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        values = _strings(statement, attribute, index, link)
        if values:
            out[key] = _one_or_many(values)
    for attribute, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principal = _principals(statement.get(attribute), index, attribute, link)
        if principal is not None:
            out[key] = principal
    conditions = _conditions(statement.get("condition"), index, link)
    if conditions:
        out["Condition"] = conditions
    return out


def _statements_of(text: Any, label: str) -> list[dict[str, Any]]:
    if not isinstance(text, str):
        raise NotRenderable(f"{label} is known only after apply")
    try:
        document = json.loads(text)
    except ValueError as error:
        raise NotRenderable(f"{label} is not valid JSON: {error}") from error
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    if isinstance(statements, Mapping):
        return [dict(statements)]
    if isinstance(statements, list):
        return [dict(s) for s in statements if isinstance(s, Mapping)]
    return []


def _merge(base: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements of ``extra`` replace those of ``base`` with the same Sid, else are added."""
    out = list(base)
    for statement in extra:
        sid = statement.get("Sid")
        replaced = False
        if sid:
            for position, existing in enumerate(out):
                if existing.get("Sid") == sid:
                    out[position] = statement
                    replaced = True
                    break
        if not replaced:
            out.append(statement)
    return out


def render_policy_document(values: Mapping[str, Any], link: Linker | None = None) -> str:
    """The JSON text the data source would produce from its arguments ``values``."""
    statements: list[dict[str, Any]] = []
    for position, text in enumerate(values.get("source_policy_documents") or ()):
        statements = _merge(statements, _statements_of(text, f"source document {position + 1}"))
    for legacy in ("source_json",):
        if isinstance(values.get(legacy), str):
            statements = _merge(statements, _statements_of(values[legacy], legacy))
    own = values.get("statement") or []
    if not isinstance(own, list):
        raise NotRenderable("statement blocks are known only after apply")
    rendered = [
        render_statement(s, index, link) for index, s in enumerate(own) if isinstance(s, Mapping)
    ]
    statements = _merge(statements, rendered)
    for position, text in enumerate(values.get("override_policy_documents") or ()):
        statements = _merge(statements, _statements_of(text, f"override document {position + 1}"))
    if isinstance(values.get("override_json"), str):
        statements = _merge(statements, _statements_of(values["override_json"], "override_json"))
    document: dict[str, Any] = {"Version": values.get("version") or "2012-10-17"}
    if isinstance(values.get("policy_id"), str) and values["policy_id"]:
        document["Id"] = values["policy_id"]
    document["Statement"] = statements
    return json.dumps(document, indent=2)
