"""The HTML report: one self-contained file a billing specialist can open in a browser.

Built element by element with lxml, never by pasting markup together, so every value from the
input (claim numbers, messages, before/after values) is escaped by the serializer. The page loads
nothing: the stylesheet is inline, there is no script, and a Content-Security-Policy forbids any
fetch, so the report opens the same offline, from an e-mail attachment or from a ticket.

The figures come from :meth:`Report.to_json`, the same data as the JSON report, and each carries
``data-figure``/``data-value`` so tests (and scripts) can read them back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import cast

from lxml import etree

from edi_scrub.errors import ConfigError
from edi_scrub.report._html_css import CSS
from edi_scrub.report.model import FindingJson, Report
from edi_scrub.rules import DOC_HEADINGS, get_rule

# (key in the JSON summary, label) in reading order.
FIGURES: tuple[tuple[str, str], ...] = (
    ("claims", "claims checked"),
    ("drug_lines", "drug lines"),
    ("errors", "errors found"),
    ("warnings", "warnings found"),
    ("infos", "notes (info)"),
    ("fixed", "fixed automatically"),
    ("unfixed_errors", "errors remaining"),
    ("unfixed_warnings", "warnings remaining"),
    ("lines_added", "lines added"),
    ("charges_added", "charges added"),
    ("exit_code", "exit code"),
    ("unmatched_claims", "claims with no payer profile"),
)

SEVERITIES: tuple[tuple[str, str], ...] = (
    ("error", "The payer or clearinghouse will reject the claim as it stands."),
    ("warning", "Likely to be denied or reduced, or depends on the payer's policy."),
    ("info", "For information; nothing needs to change."),
)

STATUSES: tuple[tuple[str, str], ...] = (
    ("applied", "Corrected in the output file; before → after shows what changed."),
    (
        "available",
        "A correction exists but changes what is billed, so it was not made. Check the claim; "
        "re-run with ``--unsafe-fixes`` to apply it, or correct it by hand.",
    ),
    ("suggested", "A suggestion only, never made automatically. Check and correct by hand."),
    ("none", "No automatic correction; the claim has to be corrected at the source."),
    (
        "reverted",
        "A correction was tried but made the claim worse, so the claim was left exactly as it "
        "was. Correct it by hand.",
    ),
)

# A rule's fix applicability, in the words of the fix-status legend.
_FIX_KINDS = {
    "safe": "safe, made automatically",
    "unsafe": "changes what is billed, made only with --unsafe-fixes",
    "suggestion": "a suggestion, never made automatically",
    "none": "none, the claim has to be corrected at the source",
}

# (heading, tooltip) of the findings table.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Line", "Service line number (LX01); a dash means the whole claim"),
    ("Segment", "Position of the segment in the input file (1 = ISA)"),
    ("Element", "The X12 element, e.g. LIN03 = the NDC, SV101-2 = the procedure code"),
    ("Rule", "The rule that found it; follow the link for its documentation"),
    ("Severity", "How serious it is (see How to read this report)"),
    ("Problem", "What is wrong"),
    ("Fix", "What edi-scrub did about it (see How to read this report)"),
    ("Before → after", "The value before and after the correction (dashed: proposed only)"),
)
# Characters XML (and so lxml) refuses; input bytes can carry them, a report must not crash.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _clean(text: object) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _add(
    parent: etree._Element,
    tag: str,
    text: object = None,
    attrs: Mapping[str, str] | None = None,
) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: _clean(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _figure_value(key: str, value: object) -> str:
    if key == "charges_added":
        return f"${value}"
    return str(value)


def _header(body: etree._Element, report: Report, data: Mapping[str, object]) -> None:
    _add(body, "h1", "Claim scrub report")
    meta = _add(body, "dl", attrs={"class": "meta"})
    rows = (
        ("Input file", report.input),
        ("Output file", report.output or "none (check only, no file written)"),
        ("Transaction", f"{report.transaction} ({report.implementation})"),
        ("Checked by", f"edi-scrub {data['tool_version']}"),
    )
    for label, value in rows:
        _add(meta, "dt", label)
        _add(meta, "dd", value)
    summary = data["summary"]
    for key, counts in summary.items() if isinstance(summary, Mapping) else ():
        # Breakdowns (claims per payer profile) read better as a line than as a card.
        if isinstance(counts, Mapping):
            _add(meta, "dt", key.replace("_", " ").capitalize())
            text = "; ".join(f"{name}: {n} claim(s)" for name, n in sorted(counts.items()))
            attrs = {"data-figure": key, "data-value": json.dumps(counts, sort_keys=True)}
            _add(meta, "dd", text or "none", attrs)


def _summary(body: etree._Element, report: Report, summary: Mapping[str, object]) -> None:
    s = report.summary
    failing = int(s.exit_code) != 0
    if failing:
        left = [
            f"{n} {what}(s)"
            for n, what in ((s.unfixed_errors, "error"), (s.unfixed_warnings, "warning"))
            if n
        ]
        verdict = (
            f"Needs attention: {' and '.join(left) or 'findings'} remain after "
            f"{s.fixed} automatic correction(s)."
        )
    else:
        verdict = f"Ready: no failing findings remain; {s.fixed} corrected automatically."
        if s.unfixed_warnings:
            verdict += f" {s.unfixed_warnings} warning(s) are left to review."
    _add(body, "p", verdict, {"class": f"verdict {'fail' if failing else 'ok'}", "id": "verdict"})
    _add(body, "h2", "Summary")
    grid = _add(body, "div", attrs={"class": "figures"})
    labels = dict(FIGURES)
    # Known figures in reading order, then any scalar the JSON summary gained since, so the
    # page never silently drops a figure the JSON report has.
    keys = [k for k in labels if k in summary]
    keys += [k for k, v in summary.items() if k not in labels and not isinstance(v, Mapping)]
    for key in keys:
        value, label = summary[key], labels.get(key, key.replace("_", " "))
        tone = ""
        if key in ("unfixed_errors", "exit_code") and value not in (0, "0"):
            tone = " bad"
        elif key == "fixed" and value:
            tone = " good"
        box = _add(
            grid,
            "div",
            attrs={
                "class": f"figure{tone}",
                "id": f"figure-{key}",
                "data-figure": key,
                "data-value": str(value),
            },
        )
        _add(box, "span", _figure_value(key, value), {"class": "value"})
        _add(box, "span", label, {"class": "label"})


def _change(cell: etree._Element, row: FindingJson) -> None:
    fix = row["fix"]
    if fix["before"] is None and fix["after"] is None:
        _add(cell, "span", "—", {"class": "empty"})
        return
    _add(cell, "code", fix["before"] or "(nothing)", {"class": "before"})
    _add(cell, "span", "→", {"class": "arrow"})
    proposed = "" if fix["status"] == "applied" else " proposed"
    _add(cell, "code", fix["after"] or "(removed)", {"class": f"after{proposed}"})


def _finding_row(tbody: etree._Element, row: FindingJson, index: int) -> None:
    sev, status = row["severity"], row["fix"]["status"]
    tr = _add(
        tbody,
        "tr",
        attrs={
            "class": f"finding sev-{sev}",
            "id": f"finding-{index}",
            "data-rule": row["rule"],
            "data-severity": sev,
            "data-status": status,
            "data-claim": row["claim"] or "",
        },
    )
    _add(tr, "td", row["line"] if row["line"] is not None else "—", {"class": "num"})
    _add(tr, "td", row["segment"] if row["segment"] is not None else "—", {"class": "num"})
    _add(tr, "td", row["element"] or "—", {"class": "mono"})
    rule = _add(tr, "td")
    _add(rule, "a", row["rule"], {"href": f"#rule-{row['rule']}", "class": "rule-link"})
    _add(rule, "span", row["name"], {"class": "rule-name"})
    _add(_add(tr, "td"), "span", sev, {"class": f"badge sev-{sev}"})
    _add(tr, "td", row["message"], {"class": "message"})
    fix_cell = _add(tr, "td")
    _add(fix_cell, "span", status, {"class": f"badge st-{status}"})
    _change(_add(tr, "td", attrs={"class": "change"}), row)


def _findings(body: etree._Element, rows: list[FindingJson]) -> None:
    _add(body, "h2", "Findings by claim")
    if not rows:
        _add(body, "p", "No findings: every claim passed every rule.", {"class": "empty"})
        return
    _add(body, "p", "Claims are listed by claim number (CLM01); claims without findings are not.")
    claims: dict[str | None, list[FindingJson]] = {}
    for row in rows:
        claims.setdefault(row["claim"], []).append(row)
    table = _add(body, "table", attrs={"class": "findings", "id": "findings"})
    head = _add(_add(table, "thead"), "tr")
    for column, tip in _COLUMNS:
        _add(head, "th", column, {"scope": "col", "title": tip})
    index = 0
    for claim, group in claims.items():
        tbody = _add(table, "tbody", attrs={"class": "claim", "data-claim": claim or ""})
        th = _add(_add(tbody, "tr", attrs={"class": "claim-head"}), "th", attrs={"colspan": "8"})
        th.text = f"Claim {_clean(claim)}" if claim else "Whole file (envelope)"
        fixed = sum(1 for r in group if r["fix"]["status"] == "applied")
        _add(th, "span", f"{len(group)} finding(s), {fixed} fixed", {"class": "count"})
        for row in group:
            index += 1
            _finding_row(tbody, row, index)


def _legend(body: etree._Element) -> None:
    _add(body, "h2", "How to read this report")
    grid = _add(body, "div", attrs={"class": "legends"})
    for title, entries, prefix in (
        ("Severity", SEVERITIES, "sev"),
        ("Fix status", STATUSES, "st"),
    ):
        part = _add(grid, "div")
        _add(part, "h3", title)
        legend = _add(part, "dl", attrs={"class": "legend"})
        for name, meaning in entries:
            _add(_add(legend, "dt"), "span", name, {"class": f"badge {prefix}-{name}"})
            _rich(_add(legend, "dd"), meaning)


def _rich(element: etree._Element, text: str) -> None:
    # Rule docs (and the legend) mark code with ``double backticks`` (reST); show it as <code>.
    parts = text.split("``")
    element.text = _clean(parts[0])
    for i in range(1, len(parts), 2):
        code = _add(element, "code", parts[i])
        code.tail = _clean(parts[i + 1]) if i + 1 < len(parts) else None


def _doc_paragraph(parent: etree._Element, text: str) -> None:
    _rich(_add(parent, "p"), text)


def _rule_doc(section: etree._Element, doc: str) -> None:
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            _doc_paragraph(section, " ".join(paragraph))
            paragraph.clear()

    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in DOC_HEADINGS and not line.startswith(" "):
            flush()
            _add(section, "h4", stripped)
        elif not stripped:
            flush()
        else:
            paragraph.append(stripped)
    flush()


def _rules(body: etree._Element, rows: list[FindingJson]) -> None:
    ids = sorted({row["rule"] for row in rows})
    if not ids:
        return
    _add(body, "h2", "The rules in this report")
    for rule_id in ids:
        section = _add(body, "section", attrs={"class": "rule", "id": f"rule-{rule_id}"})
        try:
            meta = get_rule(rule_id).meta
        except ConfigError:
            _add(section, "h3", rule_id)
            _add(section, "p", "No documentation is available for this rule.", {"class": "empty"})
            continue
        _add(section, "h3", f"{meta.id} — {meta.name}")
        fix = _FIX_KINDS.get(meta.fix.value, meta.fix.value)
        _add(section, "p", f"Severity: {meta.severity.value}. Fix: {fix}.", {"class": "rule-meta"})
        _rule_doc(section, meta.doc)


def render_html(report: Report) -> bytes:
    """The report as a complete, self-contained HTML5 document (UTF-8 bytes)."""
    data = report.to_json()
    summary = cast(Mapping[str, object], data["summary"])
    rows = report.findings_json()
    html = etree.Element("html", lang="en")
    head = _add(html, "head")
    _add(head, "meta", attrs={"charset": "utf-8"})
    _add(head, "meta", attrs={"http-equiv": "Content-Security-Policy", "content": _CSP})
    _add(head, "meta", attrs={"name": "viewport", "content": "width=device-width"})
    _add(head, "title", f"edi-scrub report — {report.input}")
    _add(head, "style", CSS)
    body = _add(html, "body")
    _header(body, report, data)
    _summary(body, report, summary)
    _findings(body, rows)
    _legend(body)
    _rules(body, rows)
    footer = _add(body, "footer")
    footer.text = (
        f"Generated by edi-scrub {data['tool_version']}, report schema {data['schema']}. "
        "Claims are identified by claim number (CLM01) and segment position only; "
        "no patient names, member ids, addresses or birth dates appear in this report."
    )
    return etree.tostring(html, method="html", encoding="utf-8", doctype="<!DOCTYPE html>")
