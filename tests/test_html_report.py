"""The HTML and text reports: figures equal the JSON, every finding shown, values escaped, no
external references; the CLI's ``--report-format html`` and ``--html``."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from edi_scrub.cli import main
from edi_scrub.exit_codes import ExitCode
from edi_scrub.fixes.edits import Applicability, Fix
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.model.claim import Loc
from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.html import FIGURES, render_html
from edi_scrub.report.model import Report, Summary
from edi_scrub.report.text import render_text
from edi_scrub.rules._base import Finding, Severity
from tests.conftest import SAMPLES

SAMPLE_NAMES = ("p_waste_jw_split", "p_missing_jz_no_proof", "i_sv2_0636", "p_clean_j7207")
HOSTILE = "<script>alert('x')</script> & \"quoted\" </td>"


def _report(name: str) -> Report:
    return scrub(SAMPLES / f"{name}.837", io.BytesIO(), Options())


def _parse(data: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(data)


def _figures(doc: lxml_html.HtmlElement) -> dict[str, str]:
    return {
        str(e.get("data-figure")): str(e.get("data-value")) for e in doc.xpath("//*[@data-figure]")
    }


def _expected(summary: object) -> dict[str, str]:
    """The JSON summary as the page's data-value strings (breakdowns as sorted JSON)."""
    assert isinstance(summary, dict)
    return {
        key: json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)
        for key, value in summary.items()
    }


def _hostile_report() -> Report:
    finding = Finding(
        rule="NDC003",
        name="ndc-not-11-digits",
        severity=Severity.ERROR,
        claim="PCN<b>&1",
        line=1,
        loc=Loc(3, 25, "LIN03"),
        message=HOSTILE + " \x01 control",
        fix=Fix(Applicability.SAFE, "normalise", "<i>before</i>", "after&amp;"),
    )
    summary = Summary(1, 1, 1, 0, 0, 1, 0, 0, 0, Decimal("0"), ExitCode.OK)
    return Report(
        input="in<script>.837",
        output=None,
        transaction="837P",
        implementation="005010X222A1",
        summary=summary,
        outcomes=(Outcome(finding, FixStatus.APPLIED),),
        changed=True,
        seconds=0.0,
    )


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_figures_match_json(name: str) -> None:
    """Every summary figure is in the page, with the JSON report's value."""
    report = _report(name)
    summary = report.to_json()["summary"]
    figures = _figures(_parse(render_html(report)))
    assert figures == _expected(summary)
    assert {key for key, _ in FIGURES} - {"unmatched_claims"} <= set(figures)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_finding_shown_with_its_rule_docs(name: str) -> None:
    """One row per finding, grouped by claim, each linking to its rule's documentation."""
    report = _report(name)
    doc = _parse(render_html(report))
    rows = doc.xpath("//tr[contains(@class, 'finding')]")
    findings = report.findings_json()
    assert len(rows) == len(findings)
    for row, finding in zip(rows, findings, strict=True):
        assert row.get("data-rule") == finding["rule"]
        assert row.get("data-status") == finding["fix"]["status"]
        assert row.getparent().get("data-claim") == (finding["claim"] or "")
        assert finding["message"] in row.text_content()
        (link,) = row.xpath(".//a[@class='rule-link']")
        target = doc.get_element_by_id(link.get("href").removeprefix("#"))
        assert finding["name"] in target.text_content()
        assert "What it checks" in target.text_content()
    if not findings:
        assert "No findings" in doc.text_content()


def test_values_are_escaped() -> None:
    """Markup in a message, claim id, file name or fix value renders as text, never as markup."""
    data = render_html(_hostile_report())
    doc = _parse(data)
    assert doc.xpath("//script") == []
    assert doc.xpath("//body//b") == []
    assert HOSTILE in doc.xpath("//td[@class='message']")[0].text_content()
    assert "\\x01 control" in data.decode()  # XML-illegal characters are shown, not fatal
    assert doc.xpath("//tbody/@data-claim") == ["PCN<b>&1"]
    assert "<i>before</i>" in doc.xpath("//code[@class='before']")[0].text_content()
    assert b"<script>alert" not in data


@pytest.mark.parametrize("name", SAMPLE_NAMES[:2])
def test_self_contained(name: str) -> None:
    """Nothing is loaded from anywhere: no src, no external href, no <link>, no url()."""
    doc = _parse(render_html(_report(name)))
    assert doc.xpath("//*[@src]") == []
    assert doc.xpath("//link") == []
    assert all(href.startswith("#") for href in doc.xpath("//@href"))
    style = "".join(doc.xpath("//style/text()"))
    assert "url(" not in style
    assert "@import" not in style
    assert doc.xpath("//script") == []


def test_text_report_groups_by_claim() -> None:
    """The text format: a header, findings grouped by claim, then the one-line summary."""
    report = _report("i_sv2_0636")
    text = render_text(report)
    lines = text.splitlines()
    assert lines[0].startswith("edi-scrub ")
    assert "claim PCN0801: 1 finding(s), 1 fixed" in lines
    assert any("changed: 0944-4625-01 → 00944462501" in line for line in lines)
    assert lines[-1] == render_text(report, findings=False).rstrip("\n")
    assert render_text(report, findings=False).count("\n") == 1


def _invoke(args: list[str]) -> int:
    result = CliRunner().invoke(main, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code


def test_cli_report_format_html_and_html_beside_json(tmp_path: Path) -> None:
    """--report-format html writes HTML; --html writes an extra HTML beside the JSON report."""
    src = SAMPLES / "p_waste_jw_split.837"
    out, rep, page = tmp_path / "out.837", tmp_path / "r.json", tmp_path / "r.html"
    assert _invoke([str(src), str(out), "--report", str(rep), "--html", str(page), "-q"]) == 0
    summary = json.loads(rep.read_text())["summary"]
    assert _figures(_parse(page.read_bytes())) == _expected(summary)

    only = tmp_path / "only.html"
    args = [str(src), str(out), "--report", str(only), "--report-format", "html", "-q"]
    assert _invoke(args) == 0
    assert only.read_bytes().startswith(b"<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "only.html",
        "out.837",
        "r.html",
        "r.json",
    ]


def test_cli_check_html_and_missing_folder(tmp_path: Path) -> None:
    """`check --html` works; a report folder that does not exist is exit 2 with no output."""
    src = SAMPLES / "p_missing_jz_no_proof.837"
    page = tmp_path / "c.html"
    assert (
        _invoke(
            ["check", str(src), "--report", str(tmp_path / "c.json"), "--html", str(page), "-q"]
        )
        == 1
    )
    assert _figures(_parse(page.read_bytes()))["unfixed_errors"] == "1"
    out = tmp_path / "out.837"
    code = _invoke([str(src), str(out), "--html", str(tmp_path / "nope" / "r.html"), "-q"])
    assert code == 2
    assert not out.exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_chromium_renders_report(tmp_path: Path) -> None:
    """Headless Chromium loads the page and its DOM holds the figures (manual check in CI-less
    environments; skipped where Chromium is absent)."""
    page = tmp_path / "r.html"
    page.write_bytes(render_html(_report("i_sv2_0636")))
    proc = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # Page errors and blocked loads (CSP) reach stderr as CONSOLE lines; there must be none.
    assert b"CONSOLE" not in proc.stderr, proc.stderr[-2000:]
    figures = _figures(_parse(proc.stdout))
    assert figures["claims"] == "2"
    assert figures["charges_added"] == "400.00"
