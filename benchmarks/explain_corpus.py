"""How often ``explain`` ranks the confirmed cause first (top-1) and in its first three (top-3)
on real reports of EFS mount failures (``tests/data/explain_corpus``, see its README).

The corpus is split once, by a hash of each case's citation, into a half that explain may be
tuned on and a half that is only scored. ``tests/unit/engine/explain/test_real_reports.py``
guards the tuning half; this script prints the tuning half by default and the scored half
only when asked by name, in aggregate (one line per case is refused for it: reading the
scored half's misses would be tuning on it).

    .venv/bin/python benchmarks/explain_corpus.py [--cases] [--half tune|score]
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "explain_corpus"
HALVES = ("tune", "score")


@dataclass(frozen=True, slots=True)
class Case:
    """One report: the text as posted, the files the reporter gave, the confirmed cause."""

    slug: str
    citation: str
    cause: str
    error: str
    context: Path | None

    @property
    def half(self) -> str:
        """``tune`` or ``score``, fixed by the citation alone (so adding cases moves none)."""
        digest = hashlib.sha256(self.citation.encode("utf-8")).digest()
        return HALVES[digest[-1] % 2]


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    ranked: tuple[str, ...]

    @property
    def rank(self) -> int | None:
        """1-based position of the confirmed cause, None when explain does not name it."""
        if self.case.cause in self.ranked:
            return self.ranked.index(self.case.cause) + 1
        return None


@dataclass(frozen=True, slots=True)
class Score:
    half: str
    outcomes: tuple[Outcome, ...]

    def share(self, within: int) -> float:
        if not self.outcomes:
            return 0.0
        hits = sum(1 for o in self.outcomes if o.rank is not None and o.rank <= within)
        return hits / len(self.outcomes)

    @property
    def top1(self) -> float:
        return self.share(1)

    @property
    def top3(self) -> float:
        return self.share(3)

    def line(self) -> str:
        return (
            f"explain on real reports, {self.half} half ({len(self.outcomes)} cases): "
            f"top-1 {self.top1:.0%}, top-3 {self.top3:.0%}"
        )


def load_cases(root: Path = CORPUS) -> list[Case]:
    """Every case under ``root`` (one directory each), sorted by slug."""
    cases = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        meta = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        context = folder / "context"
        cases.append(
            Case(
                slug=folder.name,
                citation=str(meta["citation"]),
                cause=str(meta["cause"]),
                error=(folder / "error.txt").read_text(encoding="utf-8"),
                context=context if context.is_dir() else None,
            )
        )
    return cases


def run(case: Case) -> Outcome:
    """explain the case's text, with its context files loaded as `efs-doctor explain` does."""
    from efs_doctor.api import load_inventory
    from efs_doctor.api.explain import explain_error

    inventory = load_inventory([str(case.context)]) if case.context is not None else None
    explanation, _ = explain_error(case.error, inventory)
    return Outcome(case, tuple(cause.id for cause in explanation.causes))


def score(cases: Iterable[Case], half: str) -> Score:
    return Score(half, tuple(run(case) for case in cases if case.half == half))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=HALVES, action="append", help="default: tune")
    parser.add_argument("--cases", action="store_true", help="one line per case (tune only)")
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="a corpus directory (default: tests/data/explain_corpus); repeat to score several",
    )
    args = parser.parse_args(argv)
    halves = args.half or ["tune"]
    if args.cases and "score" in halves:
        parser.error("--cases is for the tuning half only; the score half is scored in aggregate")
    for root in args.corpus or [CORPUS]:
        cases = load_cases(root)
        for half in halves:
            result = score(cases, half)
            print(result.line() + ("" if args.corpus is None else f" [{root}]"))
            if args.cases:
                for outcome in result.outcomes:
                    rank = "-" if outcome.rank is None else str(outcome.rank)
                    top = ", ".join(outcome.ranked[:3]) or "(nothing)"
                    print(f"  {rank:>2}  {outcome.case.slug:<45} {outcome.case.cause:<34} {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
