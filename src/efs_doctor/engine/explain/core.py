"""``explain(text, signals)``: from pasted error text to ranked root causes. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable

from efs_doctor.engine.explain.adjust import fact_adjustments, word_adjustments
from efs_doctor.engine.explain.catalogue import Catalogue, load_catalogue
from efs_doctor.engine.explain.facts import extract_facts
from efs_doctor.engine.explain.intake import normalise, split_blocks
from efs_doctor.engine.explain.matching import match_block
from efs_doctor.engine.explain.model import (
    Check,
    ContextSignal,
    ExplainedError,
    Explanation,
    Facts,
    Match,
)
from efs_doctor.engine.explain.placeholders import fill
from efs_doctor.engine.explain.ranking import Located, rank

# Pipeline order, used to show where an error came from (outermost first).
_ORIGIN_ORDER = (
    "kubelet",
    "kubernetes",
    "external-provisioner",
    "csi-controller",
    "csi-node",
    "csi-driver",
    "aws-sdk",
    "aws-api",
    "efs-utils",
    "stunnel",
    "mount.nfs4",
    "kernel",
)
# Without a specific message, the wrappers and the report's own wording (keyword signatures) are
# what there is to go on.
_CAUSAL = ("specific", "wrapper", "keyword")


def _origin_chain(matches: Iterable[Match], catalogue: Catalogue) -> str:
    origins = {catalogue.signature(m.signature).origin for m in matches}
    ordered = [o for o in _ORIGIN_ORDER if o in origins]
    ordered += sorted(origins - set(_ORIGIN_ORDER))
    return " → ".join(ordered)


def _notes(matches: Iterable[Match], catalogue: Catalogue) -> list[str]:
    notes = []
    seen: set[str] = set()
    for match in matches:
        signature = catalogue.signature(match.signature)
        if signature.note and signature.note not in seen:  # one note, however many words
            seen.add(signature.note)
            notes.append(f"{signature.note} «{match.excerpt}»")
        if match.truncated:
            notes.append(f"the message looks cut off; matched its beginning «{match.excerpt}»")
    return notes


def _global_notes(facts: Facts) -> list[str]:
    notes = []
    if facts.redacted and not facts.file_system_ids:
        notes.append(
            f"file system id looks redacted ({', '.join(facts.redacted)}); the checks keep <fs>"
        )
    if len(facts.file_system_ids) > 1:
        notes.append(f"several file systems in the text: {', '.join(facts.file_system_ids)}")
    return notes


def explain(
    text: str,
    signals: Iterable[ContextSignal] = (),
    *,
    catalogue: Catalogue | None = None,
) -> Explanation:
    """Explain every distinct error in ``text``; ``signals`` (from context) confirm or rule out."""
    catalogue = catalogue or load_catalogue()
    signals = tuple(signals)
    clean = normalise(text)
    facts = extract_facts(clean)
    adjustments = fact_adjustments(facts, catalogue)

    # One entry per distinct message; repeats of the same event are folded.
    per_block: dict[tuple[str, ...], tuple[list[Located], int]] = {}
    texts: dict[tuple[str, ...], str] = {}
    # A message repeated verbatim (a pasted event stream) matches the same signatures: look
    # them up once.
    keys_of: dict[str, tuple[str, ...]] = {}
    for block in split_blocks(clean):
        known = keys_of.get(block.flat)
        if known is not None:
            if known in per_block:
                located, repeats = per_block[known]
                per_block[known] = (located, repeats + 1)
            continue
        matches = match_block(block, catalogue, clean)
        key = tuple(sorted(m.signature for m in matches))
        keys_of[block.flat] = key
        if not matches:
            continue
        if key in per_block:
            located, repeats = per_block[key]
            per_block[key] = (located, repeats + 1)
            continue
        per_block[key] = ([Located(m, f"line {m.line or block.start_line}") for m in matches], 1)
        texts[key] = block.flat[:600]

    def kind(item: Located) -> str:
        return catalogue.signature(item.match.signature).kind

    all_located = [item for located, _ in per_block.values() for item in located]
    has_specific = any(kind(item) == "specific" for item in all_located)
    causal_kinds = ("specific",) if has_specific else _CAUSAL
    if has_specific:
        adjustments = adjustments + word_adjustments(
            (item.match for item in all_located if kind(item) == "keyword"), catalogue
        )

    errors: list[ExplainedError] = []
    notes: list[str] = []
    for key, (located, repeats) in per_block.items():
        matches = [item.match for item in located]
        causal = [item for item in located if kind(item) in causal_kinds]
        if not causal:
            notes.extend(_notes(matches, catalogue))
            continue
        errors.append(
            ExplainedError(
                text=texts[key],
                origin=_origin_chain((m.match for m in located), catalogue),
                matches=tuple(matches),
                notes=tuple(_notes(matches, catalogue)),
                causes=rank(causal, adjustments, signals, facts, catalogue),
                repeats=repeats,
                causal=tuple(item.match.signature for item in causal),
            )
        )
    pooled = [item for item in all_located if kind(item) in causal_kinds]
    causes = rank(pooled, adjustments, signals, facts, catalogue) if pooled else ()
    if not pooled and (signals or any(a.brings for a in adjustments)):
        causes = rank((), adjustments, signals, facts, catalogue)
    generic = tuple(Check(fill(c.command, facts), c.look_for) for c in catalogue.generic_checks)
    return Explanation(
        facts=facts,
        errors=tuple(errors),
        causes=causes,
        notes=tuple(_global_notes(facts) + notes),
        generic_checks=generic,
    )
