"""The human summary (stderr) and the ``text`` report format."""

from __future__ import annotations

from edi_scrub.report.model import Report


def render_text(report: Report, findings: bool = True) -> str:
    """A short, readable account of the run; with ``findings``, one line per finding."""
    s = report.summary
    lines: list[str] = []
    if findings:
        for row in report.findings_json():
            where = f"segment {row['segment']}" if row["segment"] else "file"
            claim = f" claim {row['claim']}" if row["claim"] else ""
            line = f" line {row['line']}" if row["line"] is not None else ""
            status = row["fix"]["status"]
            lines.append(
                f"{report.input}:{where}{claim}{line}: {row['rule']} {row['severity']} "
                f"[{status}] {row['message']}"
            )
    lines.append(
        f"{report.input}: {s.claims} claims, {s.drug_lines} drug lines; "
        f"{s.errors} errors, {s.warnings} warnings, {s.infos} infos; {s.fixed} fixed "
        f"({s.lines_added} lines added, {s.charges_added:f} charges added); "
        f"{s.unfixed_errors} errors remain → exit {int(s.exit_code)}"
    )
    return "\n".join(lines) + "\n"
