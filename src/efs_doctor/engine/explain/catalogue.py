"""The signature catalogue (``efs_doctor/data/signatures.yaml``), loaded once and validated."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal, cast, get_args

from efs_doctor.engine.explain.model import Check
from efs_doctor.engine.explain.prefilter import required_runs
from efs_doctor.engine.mount.model import Layer

SignatureKind = Literal["specific", "wrapper", "keyword", "benign", "info"]
_KINDS = ("specific", "wrapper", "keyword", "benign", "info")
_LAYERS = get_args(Layer)  # the mount simulation's layers (contracts.md)


class CatalogueError(ValueError):
    """signatures.yaml does not have the shape this module expects (a packaging bug)."""


@dataclass(frozen=True, slots=True)
class CauseInfo:
    id: str
    title: str
    layer: str
    checks: tuple[Check, ...]
    rules_out: tuple[str, ...]
    fix: str
    new: bool


@dataclass(frozen=True, slots=True)
class Signature:
    id: str
    pattern: re.Pattern[str]
    literal: str | None
    unless: re.Pattern[str] | None
    requires: re.Pattern[str] | None
    origin: str
    layer: str
    kind: SignatureKind
    specificity: float
    causes: Mapping[str, float]
    source: str
    note: str | None
    runs: tuple[str, ...] | None = None
    """Lower-case strings of which any match contains one (see prefilter.py)."""
    phrase: str | None = None
    """The message's core words, lower case, single-spaced (the literal, or ``phrase:``): what
    matching.py looks for when the message was cut short or quoted without its first words."""
    family: str | None = None
    """Messages ambiguous between the same causes (timeouts, access denied...): calibration.py
    counts their confirmed causes together."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    signatures: tuple[Signature, ...]
    causes: Mapping[str, CauseInfo]
    generic_checks: tuple[Check, ...]

    def signature(self, signature_id: str) -> Signature:
        for signature in self.signatures:
            if signature.id == signature_id:
                return signature
        raise KeyError(signature_id)


def literal_pattern(literal: str) -> re.Pattern[str]:
    """A literal as a pattern in which any run of spaces matches any whitespace."""
    parts = [re.escape(part) for part in literal.split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _checks(raw: object, where: str) -> tuple[Check, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"{where}: checks must be a list")
    checks = []
    for item in raw:
        if not isinstance(item, dict):
            raise CatalogueError(f"{where}: each check needs 'run' and 'look_for'")
        checks.append(Check(_text(item, "run", where), _text(item, "look_for", where)))
    return tuple(checks)


def _cause(cause_id: str, raw: object) -> CauseInfo:
    where = f"cause {cause_id}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: must be a mapping")
    layer = _text(raw, "layer", where)
    if layer not in _LAYERS:
        raise CatalogueError(f"{where}: unknown layer {layer!r}")
    rules_out = raw.get("rules_out")
    if not isinstance(rules_out, list) or not all(isinstance(x, str) for x in rules_out):
        raise CatalogueError(f"{where}: rules_out must be a list of strings")
    return CauseInfo(
        id=cause_id,
        title=_text(raw, "title", where),
        layer=layer,
        checks=_checks(raw.get("checks"), where),
        rules_out=tuple(x.strip() for x in rules_out),
        fix=_text(raw, "fix", where),
        new=bool(raw.get("new", False)),
    )


def _optional_pattern(raw: object) -> re.Pattern[str] | None:
    return None if raw is None else re.compile(str(raw).strip(), re.IGNORECASE)


def _signature(raw: object, causes: Mapping[str, CauseInfo]) -> Signature:
    if not isinstance(raw, dict):
        raise CatalogueError("each signature must be a mapping")
    signature_id = _text(raw, "id", "signature")
    where = f"signature {signature_id}"
    literal = raw.get("literal")
    regex = raw.get("regex")
    if (literal is None) == (regex is None):
        raise CatalogueError(f"{where}: exactly one of 'literal' and 'regex'")
    try:
        if isinstance(literal, str):
            pattern = literal_pattern(literal)
        else:
            pattern = re.compile(_text(raw, "regex", where), re.IGNORECASE)
        unless = _optional_pattern(raw.get("unless"))
        requires = _optional_pattern(raw.get("requires"))
    except re.error as exc:
        raise CatalogueError(f"{where}: bad pattern: {exc}") from exc
    kind = _text(raw, "kind", where)
    if kind not in _KINDS:
        raise CatalogueError(f"{where}: unknown kind {kind!r}")
    layer = _text(raw, "layer", where)
    if layer not in _LAYERS:
        raise CatalogueError(f"{where}: unknown layer {layer!r}")
    weights = raw.get("causes") or {}
    if not isinstance(weights, dict):
        raise CatalogueError(f"{where}: causes must be a mapping")
    for cause_id, weight in weights.items():
        if cause_id not in causes:
            raise CatalogueError(f"{where}: unknown cause {cause_id!r}")
        if not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise CatalogueError(f"{where}: weight of {cause_id} must be in (0, 1]")
    specificity = raw.get("specificity")
    if not isinstance(specificity, int | float) or not 0 <= specificity <= 1:
        raise CatalogueError(f"{where}: specificity must be in [0, 1]")
    note = raw.get("note")
    family = raw.get("family")
    if family is not None and (not isinstance(family, str) or not family.strip()):
        raise CatalogueError(f"{where}: 'family' must be a non-empty string")
    phrase = raw.get("phrase", literal)
    if phrase is not None and (not isinstance(phrase, str) or not phrase.strip()):
        raise CatalogueError(f"{where}: 'phrase' must be a non-empty string")
    return Signature(
        id=signature_id,
        pattern=pattern,
        literal=literal.strip() if isinstance(literal, str) else None,
        unless=unless,
        requires=requires,
        origin=_text(raw, "origin", where),
        layer=layer,
        kind=cast(SignatureKind, kind),
        specificity=float(specificity),
        causes={str(k): float(v) for k, v in weights.items()},
        source=_text(raw, "source", where),
        note=note.strip() if isinstance(note, str) else None,
        runs=required_runs(pattern.pattern),
        phrase=" ".join(phrase.lower().split()) if isinstance(phrase, str) else None,
        family=family.strip() if isinstance(family, str) else None,
    )


def parse_catalogue(data: object) -> Catalogue:
    """Validate the loaded YAML document and build the catalogue."""
    if not isinstance(data, dict):
        raise CatalogueError("the catalogue must be a mapping")
    raw_causes = data.get("causes")
    raw_signatures = data.get("signatures")
    if not isinstance(raw_causes, dict) or not isinstance(raw_signatures, list):
        raise CatalogueError("the catalogue needs 'causes' (mapping) and 'signatures' (list)")
    causes = {str(cause_id): _cause(str(cause_id), raw) for cause_id, raw in raw_causes.items()}
    signatures = tuple(_signature(raw, causes) for raw in raw_signatures)
    seen: set[str] = set()
    for signature in signatures:
        if signature.id in seen:
            raise CatalogueError(f"signature id {signature.id!r} repeats")
        seen.add(signature.id)
    return Catalogue(signatures, causes, _checks(data.get("generic_checks"), "generic_checks"))


def with_weights(catalogue: Catalogue, weights: Mapping[str, Mapping[str, float]]) -> Catalogue:
    """``catalogue`` with the cause weights of the signatures ``weights`` names replaced."""
    for signature_id, causes in weights.items():
        where = f"weights of {signature_id}"
        catalogue.signature(signature_id)  # KeyError for an unknown signature
        for cause_id, weight in causes.items():
            if cause_id not in catalogue.causes:
                raise CatalogueError(f"{where}: unknown cause {cause_id!r}")
            if not 0 < weight <= 1:
                raise CatalogueError(f"{where}: weight of {cause_id} must be in (0, 1]")
    signatures = tuple(
        replace(s, causes=dict(weights[s.id])) if s.id in weights else s
        for s in catalogue.signatures
    )
    return replace(catalogue, signatures=signatures)


def fitted_weights(data: object) -> dict[str, dict[str, float]]:
    """The ``weights`` of the generated file signature_weights.yaml (calibration.py)."""
    if not isinstance(data, dict) or not isinstance(data.get("weights") or {}, dict):
        raise CatalogueError("signature_weights.yaml: 'weights' must be a mapping")
    weights: dict[str, dict[str, float]] = {}
    for signature_id, causes in (data.get("weights") or {}).items():
        if not isinstance(causes, dict):
            raise CatalogueError(f"signature_weights.yaml: {signature_id} must be a mapping")
        weights[str(signature_id)] = {str(c): float(w) for c, w in causes.items()}
    return weights


# A catalogue that load_catalogue returns instead of the shipped one (benchmarks that refit the
# weights per held-out case, tests).
_ACTIVE: ContextVar[Catalogue | None] = ContextVar("explain_catalogue", default=None)


@contextmanager
def using_catalogue(catalogue: Catalogue) -> Iterator[Catalogue]:
    """Within the block, ``load_catalogue()`` is ``catalogue``."""
    token = _ACTIVE.set(catalogue)
    try:
        yield catalogue
    finally:
        _ACTIVE.reset(token)


def load_catalogue() -> Catalogue:
    """The shipped catalogue with its fitted weights (or the one ``using_catalogue`` set)."""
    return _ACTIVE.get() or shipped_catalogue()


def hand_catalogue() -> Catalogue:
    """signatures.yaml as written, before the fitted weights (calibration.py fits from it)."""
    return _parsed("signatures.yaml")


@cache
def shipped_catalogue() -> Catalogue:
    """signatures.yaml with the weights of signature_weights.yaml; parsed once per process."""
    return with_weights(hand_catalogue(), fitted_weights(_yaml("signature_weights.yaml")))


@cache
def _parsed(name: str) -> Catalogue:
    return parse_catalogue(_yaml(name))


def _yaml(name: str) -> object:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    from efs_doctor import data

    return yaml.load(data.read_text(name), Loader=loader)
