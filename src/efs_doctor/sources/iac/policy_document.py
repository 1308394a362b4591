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

Linker = Callable[[int, str, int], Any]
"""(statement index, attribute, item index) -> the linked value, or UNKNOWN."""


class NotRenderable(ValueError):
    """The document depends on a value that is not known and could not be linked."""


def _one_or_many(values: Sequence[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _strings(
    statement: Mapping[str, Any], attribute: str, index: int, link: Linker | None
) -> list[Any] | None:
    raw = statement.get(attribute)
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise NotRenderable(f"statement {index + 1}: {attribute} is not a list")
    out: list[Any] = []
    for position, item in enumerate(raw):
        value = item
        if value is None or value is UNKNOWN:
            value = link(index, attribute, position) if link is not None else UNKNOWN
            if value is UNKNOWN:
                raise NotRenderable(
                    f"statement {index + 1}: {attribute}[{position}] is known only after apply"
                )
        out.append(value)
    return out


def _principals(blocks: Any, index: int, attribute: str) -> Any:
    if not isinstance(blocks, list) or not blocks:
        return None
    merged: dict[str, list[str]] = {}
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        identifiers = block.get("identifiers")
        if not isinstance(kind, str) or not isinstance(identifiers, list):
            raise NotRenderable(f"statement {index + 1}: {attribute} is known only after apply")
        if any(not isinstance(i, str) for i in identifiers):
            raise NotRenderable(f"statement {index + 1}: {attribute} identifiers not known")
        if kind == "*":
            return "*"
        merged.setdefault(kind, []).extend(identifiers)
    return {kind: _one_or_many(ids) for kind, ids in merged.items()}


def _conditions(blocks: Any, index: int) -> dict[str, dict[str, Any]] | None:
    if not isinstance(blocks, list) or not blocks:
        return None
    out: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
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
        principal = _principals(statement.get(attribute), index, attribute)
        if principal is not None:
            out[key] = principal
    conditions = _conditions(statement.get("condition"), index)
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
