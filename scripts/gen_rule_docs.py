"""Write docs/rules/<CODE>.md and docs/rules/README.md from the rule docstrings.

Usage: python scripts/gen_rule_docs.py [--check]
``--check`` writes nothing and exits 1 when a page is missing, stale or left over
(tests/rules/test_docs.py runs the same comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path

from efs_doctor.rules import REGISTRY
from efs_doctor.rules.docs import index_markdown, rule_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def expected_pages() -> dict[str, str]:
    pages = {f"{rule.code}.md": rule_markdown(rule) for rule in REGISTRY}
    pages["README.md"] = index_markdown(REGISTRY)
    return pages


def drift() -> list[str]:
    """Pages that differ from the docstrings: missing, stale, or for no rule."""
    pages = expected_pages()
    problems = []
    for name, text in pages.items():
        path = DOCS / name
        if not path.is_file():
            problems.append(f"missing: {path}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale: {path}")
    for path in sorted(DOCS.glob("*.md")):
        if path.name not in pages:
            problems.append(f"not a rule: {path}")
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = drift()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run: python scripts/gen_rule_docs.py", file=sys.stderr)
        return 1 if problems else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    pages = expected_pages()
    for path in DOCS.glob("*.md"):
        if path.name not in pages:
            path.unlink()
    for name, text in pages.items():
        (DOCS / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
