"""``efs-doctor scan`` for people: findings grouped by mount chain, worst first, each with
where, why, the error a mount will show, related locations and the fix as a diff.

Colour (plain ANSI escapes) only when asked for, i.e. when writing to a terminal and
``NO_COLOR`` is unset; the command decides.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

from efs_doctor.findings import Finding, Report, Severity, chain_heading

WIDTH = 100
OTHER = "not on a mount chain"

_COLOURS = {
    Severity.CRITICAL: "1;31",
    Severity.HIGH: "31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
    Severity.INFO: "2",
}


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color and code else text

    return paint


def _wrap(text: str, indent: str, subsequent: str | None = None) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(
                paragraph,
                WIDTH,
                initial_indent=indent,
                subsequent_indent=indent if subsequent is None else subsequent,
                break_on_hyphens=False,
                break_long_words=False,
            )
            or [indent]
        )
    return lines


def _finding(finding: Finding, paint: Callable[[str, str], str]) -> list[str]:
    severity = paint(finding.severity.value, _COLOURS[finding.severity])
    head = (
        f"{finding.location}: {paint(finding.code, '1')} {severity} "
        f"[{finding.slug}] (confidence {finding.confidence.value})"
    )
    if finding.location.path and finding.location.object:
        head += f" {finding.location.object}"
    out = [head, *_wrap(finding.message, "  ")]
    if finding.expected_error:
        out.append(f"  expected error: {paint(finding.expected_error, '1')}")
    for related in finding.related:
        out.extend(_wrap(f"{related.location}: {related.note}", "  related: ", "    "))
    fix = finding.fix
    if fix is not None:
        out.append(f"  fix ({fix.safety.value}): {fix.title}")
        if fix.patch:
            for line in fix.patch.rstrip("\n").splitlines():
                code = "32" if line.startswith("+") else "31" if line.startswith("-") else ""
                if line.startswith(("+++", "---", "@@")):
                    code = "2"
                out.append("    " + paint(line, code))
    out.append(f"  docs: {finding.docs}")
    return out


def _groups(findings: Iterable[Finding], several: bool) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        heading = chain_heading(finding.chain, finding.context, several) if finding.chain else OTHER
        groups.setdefault(heading, []).append(finding)
    return list(groups.items())  # findings arrive worst first, so groups do too


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def render(report: Report, *, color: bool = False) -> str:
    paint = _painter(color)
    out: list[str] = []
    several = len(report.contexts) > 1
    for label, findings in _groups(report.findings, several):
        out.append(paint(f"== {label}", "1"))
        for finding in findings:
            out.extend(_finding(finding, paint))
            out.append("")
        diagram = report.mount_paths.get(label)
        if diagram:
            out.append(paint("  simulated mount path:", "1"))
            out.extend("  " + line if line else "" for line in diagram.rstrip().splitlines())
            out.append("")
    if report.inconclusive:
        out.append(paint("== could not check (inputs missing)", "1"))
        for item in report.inconclusive:
            out.extend(_wrap(f"{item.code} {item.object}: {item.reason}", "  "))
        out.append("")
    if report.suppressed:
        out.append(paint("== suppressed by annotation", "1"))
        for quiet in report.suppressed:
            where = quiet.finding.location.object or str(quiet.finding.location)
            out.extend(_wrap(f"{quiet.finding.code} {where} (by {quiet.by}): {quiet.reason}", "  "))
        out.append("")
    for note in report.notes:
        out.extend(_wrap(f"note: {note}", ""))
    summary = report.summary
    counts = ", ".join(f"{n} {name}" for name, n in summary.by_severity.items() if n)
    line = _plural(summary.findings, "finding") + (f" ({counts})" if counts else "")
    line += (
        f"; {summary.inconclusive} inconclusive, {summary.suppressed} suppressed"
        f", {summary.below_threshold} below the threshold"
        f" -- {_plural(summary.files, 'file')}, {_plural(summary.objects, 'object')}"
        f", {_plural(summary.chains, 'mount chain')}"
    )
    if several:
        line += f" in {len(report.contexts)} contexts"
    out.append(paint(line, "1"))
    return "\n".join(out) + "\n"
