"""Fixes as patches: unified diffs of the rules' declarative edits, and applying them.

This is the one place besides ``sources`` that touches files: it reads the inputs a fix
edits and, for ``--fix``, writes them back. YAML edits go through a ruamel round trip of the
one document concerned (``yaml_edit``); new files (a corrected file system policy) are
written next to the original and never over an existing file.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from efs_doctor.findings import Finding, Fix, FixSafety, NewFile, Report, YamlEdit
from efs_doctor.fixes.yaml_edit import EditError, apply_edits


@dataclass
class FixPlan:
    """What applying a set of fixes does: new text per edited file, new files, problems."""

    changed: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old, new)
    created: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)

    def diff(self) -> str:
        parts = [unified_diff(path, old, new) for path, (old, new) in sorted(self.changed.items())]
        parts += [unified_diff(path, None, text) for path, text in sorted(self.created.items())]
        return "".join(parts)


def unified_diff(path: str, old: str | None, new: str) -> str:
    before = (old or "").splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    for lines in (before, after):
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n\\ No newline at end of file\n"
    absolute = os.path.isabs(path)
    old_label = "/dev/null" if old is None else (path if absolute else f"a/{path}")
    new_label = path if absolute else f"b/{path}"
    return "".join(difflib.unified_diff(before, after, old_label, new_label))


def _read(path: str, cache: dict[str, str]) -> str:
    if path not in cache:
        with open(path, encoding="utf-8") as handle:
            cache[path] = handle.read()
    return cache[path]


def plan(fixes: Iterable[tuple[Finding, Fix]], cache: dict[str, str] | None = None) -> FixPlan:
    """The combined effect of ``fixes``; a fix that cannot be made is a problem, not an error."""
    texts = cache if cache is not None else {}
    result = FixPlan()
    yaml_edits: dict[str, list[tuple[Finding, YamlEdit]]] = {}
    for finding, fix in fixes:
        for edit in fix.edits:
            if isinstance(edit, YamlEdit):
                yaml_edits.setdefault(edit.path, []).append((finding, edit))
            elif isinstance(edit, NewFile):
                if os.path.exists(edit.path):
                    result.problems.append(
                        f"{edit.path} exists; not overwritten ({finding.code}: {fix.title})"
                    )
                    continue
                result.created[edit.path] = edit.content
        if finding not in result.fixed:
            result.fixed.append(finding)
    for path, items in yaml_edits.items():
        try:
            old = _read(path, texts)
            new = apply_edits(old, [edit for _, edit in items])
        except (OSError, UnicodeDecodeError, EditError) as error:
            result.problems.append(f"{path}: {error}; fix not made")
            for finding, _ in items:
                if finding in result.fixed:
                    result.fixed.remove(finding)
            continue
        if new != old:
            result.changed[path] = (old, new)
    return result


def render_patches(report: Report) -> Report:
    """The report with each applicable fix's ``patch`` filled in (its own diff)."""
    cache: dict[str, str] = {}
    findings: list[Finding] = []
    for finding in report.findings:
        fix = finding.fix
        if fix is not None and fix.applicable:
            patch = plan([(finding, fix)], cache).diff() or None
            findings.append(replace(finding, fix=replace(fix, patch=patch)))
        else:
            findings.append(finding)
    return replace(report, findings=tuple(findings))


def selected_fixes(report: Report, *, unsafe: bool) -> list[tuple[Finding, Fix]]:
    return [
        (f, f.fix)
        for f in report.findings
        if f.fix is not None and f.fix.applicable and (unsafe or f.fix.safety is FixSafety.SAFE)
    ]


def write(fix_plan: FixPlan) -> list[str]:
    """Write the plan's files; returns the paths written."""
    written: list[str] = []
    for path, (_, new) in sorted(fix_plan.changed.items()):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(new)
        written.append(path)
    for path, text in sorted(fix_plan.created.items()):
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written
