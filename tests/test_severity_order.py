"""Issue 8, item 2: one severity order (``--fail-on info`` ⊇ ``warning`` ⊇ ``error``) for the
exit code, ``--rejects``, the summary and batch — checked over every combination.

One claim carries a finding whose severity a payer profile's override sets (AUTH001, which has
no fix, so it always stays unfixed); a second claim is clean. For each ``--fail-on`` and each
severity, the claim fails exactly when the severity is at or above ``--fail-on``, and then every
consumer of the order agrees: exit 1, the claim moved by ``--rejects``, the summary counting it,
and the batch exiting 1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.report.model import Summary
from edi_scrub.rules._base import Finding, Severity
from tests.builders import ClaimSpec, LineSpec, P, build

LEVELS = ("error", "warning", "info")
COMBINATIONS = [(fail_on, level) for fail_on in LEVELS for level in LEVELS]


def _fails(level: str, fail_on: str) -> bool:
    return LEVELS.index(level) <= LEVELS.index(fail_on)  # error < warning < info in the list


def _maps(folder: Path, level: str) -> Path:
    payers = folder / "payers"
    payers.mkdir(parents=True)
    (payers / "clean-plan.xml").write_text(
        '<payer-profile version="1" id="clean-plan" name="Clean">'
        '<match><payer-id value="SYNPLAN02" source="t"/></match></payer-profile>\n'
    )
    (payers / "override-plan.xml").write_text(
        '<payer-profile version="1" id="override-plan" name="Override">'
        '<match><payer-id value="SYNPLAN01" source="t"/></match>'
        '<prior-auth code="J7207" source="t"/>'
        f'<severity rule="AUTH001" level="{level}" source="t"/></payer-profile>\n'
    )
    return folder


DATA = build(
    P,
    (
        ClaimSpec(sbr09="CI", payer_id="SYNPLAN02", lines=(LineSpec(modifiers=("JZ",)),)),
        # Not the first claim's line again (that would be DUP001's duplicate claim).
        ClaimSpec(
            sbr09="CI",
            payer_id="SYNPLAN01",
            lines=(LineSpec(modifiers=("JZ",), units="1100", charge="2200", ctp_qty="1100"),),
        ),
    ),
)


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("fail_on", "level"), COMBINATIONS)
def test_fail_on_info_no_longer_passes_unfixed_warnings(
    tmp_path: Path, fail_on: str, level: str
) -> None:
    """Exit code, rejects split, JSON summary and stderr summary agree for every combination."""
    maps = _maps(tmp_path / "maps", level)
    src = tmp_path / "in.837"
    src.write_bytes(DATA)
    out, rejects, report = tmp_path / "out.837", tmp_path / "rej.837", tmp_path / "r.json"
    code, err = _cli(
        [
            *(str(src), str(out), "--no-config", "--maps", str(maps), "--fail-on", fail_on),
            *("--no-structure", "--rejects", str(rejects), "--report", str(report)),
        ]
    )
    data = json.loads(report.read_text())
    findings = [(f["rule"], f["severity"]) for f in data["findings"]]
    assert findings == [("AUTH001", level)]  # the clean claim has none, so only this counts
    failing = _fails(level, fail_on)
    assert code == data["summary"]["exit_code"] == (1 if failing else 0)
    assert data["summary"]["rejected_claims"] == (1 if failing else 0)
    assert rejects.read_bytes().count(b"CLM*") == (1 if failing else 0)
    assert out.read_bytes().count(b"CLM*") == (1 if failing else 2)
    if fail_on != "error":
        assert f"{'1 finding' if failing else '0 findings'} at --fail-on {fail_on} remain" in err
    assert err.rstrip().endswith(f"exit {code}")


@pytest.mark.parametrize("fail_on", LEVELS)
def test_batch_fail_on_info_no_longer_passes_unfixed_warnings(tmp_path: Path, fail_on: str) -> None:
    """Batch exits with the same code as the single run, for each severity at this --fail-on."""
    indir = tmp_path / "in"
    indir.mkdir()
    codes = {}
    for level in LEVELS:
        maps = _maps(tmp_path / f"maps-{level}", level)
        (indir / "a.837").write_bytes(DATA)
        outdir = tmp_path / f"out-{level}"
        code, err = _cli(
            [
                *("batch", str(indir), str(outdir), "--no-config", "--maps", str(maps)),
                *("--fail-on", fail_on, "--no-structure", "--workers", "1", "-q"),
            ]
        )
        codes[level] = code
        report = json.loads((outdir / "a.837.report.json").read_text())
        assert report["summary"]["exit_code"] == code, err
    assert codes == {level: (1 if _fails(level, fail_on) else 0) for level in LEVELS}


@pytest.mark.parametrize(("fail_on", "level"), COMBINATIONS)
@pytest.mark.parametrize("status", [FixStatus.APPLIED, FixStatus.SUGGESTED, FixStatus.NONE])
def test_summary_counts_by_the_one_order(fail_on: str, level: str, status: FixStatus) -> None:
    finding = Finding("AUTH001", "missing-prior-auth", Severity(level), "C1", 1, None, "m")
    summary = Summary.of([Outcome(finding, status)], 1, 1, 0, Decimal(0), Severity(fail_on))
    failing = status is not FixStatus.APPLIED and _fails(level, fail_on)
    assert summary.failing == (1 if failing else 0)
    assert int(summary.exit_code) == (1 if failing else 0)
    assert Severity(level).fails(Severity(fail_on)) == _fails(level, fail_on)
