"""The human summary (stderr) and the ``text`` report format (findings grouped by claim)."""

from __future__ import annotations

import re

from edi_scrub import __version__
from edi_scrub._shown import shown
from edi_scrub.report.model import FindingJson, Report, Summary
from edi_scrub.rules._base import Severity

#: C0/C1 controls, DEL, and the invisible format characters that reorder or hide text (bidi
#: overrides): input bytes can carry them in CLM01 or a quoted value, and a terminal would obey
#: an escape sequence (colours, cursor moves, a changed window title) instead of showing it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` / ``\\uNNNN`` escapes."""
    # shown(): the bytes of a file name that is not UTF-8 as \xNN, like everywhere else.
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), shown(text))


_HEAD = ("line", "segment", "element", "rule", "severity", "fix", "message")
_INDENT = "  "


def summary_line(report: Report) -> str:
    """The one-line account of the run that goes to stderr."""
    s = report.summary
    return (
        f"{printable(report.input)}: {plural(s.claims, 'claim')}, "
        f"{plural(s.drug_lines, 'drug line')}; {plural(s.errors, 'error')}, "
        f"{plural(s.warnings, 'warning')}, {plural(s.infos, 'info')}; {s.fixed} fixed "
        f"({plural(s.lines_added, 'line')} added, {s.charges_added:f} charges added); "
        f"{_remaining(s)}{_rejects_note(report)} → exit {int(s.exit_code)}"
    )


def plural(count: int, noun: str) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _remaining(s: Summary) -> str:
    # What the exit code counts: with --fail-on warning or info that is more than errors.
    errors = f"{plural(s.unfixed_errors, 'error')} remain{'s' if s.unfixed_errors == 1 else ''}"
    if s.fail_on is Severity.ERROR:
        return errors
    return (
        f"{plural(s.unfixed_errors, 'error')} and {plural(s.failing, 'finding')} at --fail-on "
        f"{s.fail_on} remain"
    )


def _rejects_note(report: Report) -> str:
    """What ``--rejects`` did, said plainly (both files are written in every case)."""
    if report.rejected is None:
        return ""
    moved, claims = len(report.rejected), report.summary.claims
    if not moved:
        return "; no claim rejected (rejects file empty)"
    if moved == claims:
        every = "the only claim" if claims == 1 else f"all {claims} claims"
        return f"; {every} rejected, none left in the output file"
    return f"; {plural(moved, 'claim')} moved to the rejects file, {claims - moved} kept"


def _cells(row: FindingJson) -> tuple[str, ...]:
    return (
        str(row["line"]) if row["line"] is not None else "-",
        str(row["segment"]) if row["segment"] is not None else "-",
        printable(row["element"] or "-"),
        row["rule"],
        row["severity"],
        row["fix"]["status"],
        printable(row["message"]),
    )


def _change(row: FindingJson) -> str | None:
    fix = row["fix"]
    if fix["before"] is None and fix["after"] is None:
        return None
    verb = "changed" if fix["status"] == "applied" else "proposed"
    before, after = fix["before"] or "(nothing)", fix["after"] or "(removed)"
    return f"{verb}: {printable(before)} → {printable(after)}"


def _findings(report: Report) -> list[str]:
    rows = report.findings_json()
    if not rows:
        return ["no findings", ""]
    cells = [_cells(row) for row in rows]
    # The message is last and unpadded, so long messages do not push the other columns.
    widths = [max(len(c[i]) for c in [_HEAD, *cells]) for i in range(len(_HEAD) - 1)]

    def fmt(values: tuple[str, ...]) -> str:
        padded = [v.ljust(w) for v, w in zip(values, widths, strict=False)]
        return _INDENT + "  ".join([*padded, values[-1]]).rstrip()

    message_column = len(_INDENT) + sum(w + 2 for w in widths)
    lines = [fmt(_HEAD)]
    claims: dict[str | None, list[tuple[FindingJson, tuple[str, ...]]]] = {}
    for row, c in zip(rows, cells, strict=True):
        claims.setdefault(row["claim"], []).append((row, c))
    for claim, group in claims.items():
        fixed = sum(1 for row, _ in group if row["fix"]["status"] == "applied")
        title = f"claim {printable(claim)}" if claim else "whole file (envelope)"
        lines.append(f"{title}: {len(group)} finding(s), {fixed} fixed")
        for row, c in group:
            lines.append(fmt(c))
            change = _change(row)
            if change:
                lines.append(" " * message_column + change)
    lines.append("")
    return lines


def render_text(report: Report, findings: bool = True) -> str:
    """The run's summary line; with ``findings``, a terminal report grouped by claim before it."""
    lines: list[str] = []
    if findings:
        target = f" → {report.output}" if report.output and report.output != "-" else ""
        lines.append(
            f"edi-scrub {__version__} report: {printable(report.input + target)} "
            f"({report.transaction} {report.implementation})"
        )
        lines.append("")
        lines.extend(_findings(report))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
