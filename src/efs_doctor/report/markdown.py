"""``efs-doctor scan --format markdown``: a pull-request comment. A summary line, a table of
findings worst first, then one collapsible section per finding with the error a mount will
show, related locations and the fix as a diff."""

from __future__ import annotations

from efs_doctor.findings import Finding, Location, Report

ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _where(location: Location) -> str:
    text = str(location)
    if location.path and location.object:
        text += f" ({location.object})"
    return f"`{_cell(text)}`"


def _fence(body: str, language: str = "") -> str:
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{language}\n{body.rstrip()}\n{fence}"


def _details(finding: Finding) -> list[str]:
    out = [
        "<details>",
        f"<summary>{finding.code} {finding.slug} at {_where(finding.location)}</summary>",
        "",
        finding.message,
        "",
    ]
    if finding.expected_error:
        out += ["Expected error:", "", _fence(finding.expected_error), ""]
    if finding.related:
        out += [f"- {_where(r.location)}: {r.note}" for r in finding.related]
        out.append("")
    if finding.fix is not None:
        out.append(f"Fix ({finding.fix.safety.value}): {finding.fix.title}")
        out.append("")
        if finding.fix.patch:
            out += [_fence(finding.fix.patch, "diff"), ""]
    out += [f"Rule documentation: `{finding.docs}`", "", "</details>", ""]
    return out


def render(report: Report) -> str:
    summary = report.summary
    counts = ", ".join(f"{n} {name}" for name, n in summary.by_severity.items() if n)
    out = ["## efs-doctor scan", ""]
    if not report.findings:
        out.append("No findings.")
    else:
        out.append(f"**{summary.findings} finding(s)**: {counts}.")
    out.append("")
    out.append(
        f"{summary.files} files, {summary.objects} objects, {summary.chains} mount chains; "
        f"{summary.inconclusive} checks inconclusive, {summary.suppressed} suppressed, "
        f"{summary.below_threshold} below the threshold."
    )
    out.append("")
    if report.findings:
        out += ["| | Severity | Rule | Location | Finding |", "|---|---|---|---|---|"]
        for f in report.findings:
            first = f.message.split(". ")[0].rstrip(".") + "."
            out.append(
                f"| {ICONS[f.severity.value]} | {f.severity.value} | {f.code} "
                f"| {_where(f.location)} | {_cell(first)} |"
            )
        out.append("")
        for finding in report.findings:
            out += _details(finding)
    if report.inconclusive:
        out += ["### Could not check", ""]
        out += [f"- **{i.code}** `{i.object}`: {_cell(i.reason)}" for i in report.inconclusive]
        out.append("")
    if report.suppressed:
        out += ["### Suppressed", ""]
        out += [f"- **{s.finding.code}** by `{s.by}`: {_cell(s.reason)}" for s in report.suppressed]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
