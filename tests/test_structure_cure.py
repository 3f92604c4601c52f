"""A structural (X12001) finding whose cause a fix removed is fixed, judged on the output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edi_scrub.fixes.engine import FixStatus
from edi_scrub.pipeline import Options, scrub
from edi_scrub.x12.validate import validate_bytes
from tests.builders import ClaimSpec, LineSpec, P, build

CLEAN = ClaimSpec(clm01="CLEAN1", lines=(LineSpec(modifiers=("JZ",)),))


def _wrong_se01(data: bytes) -> bytes:
    text = data.decode("latin-1")
    start = text.index("\nSE*") + 4
    end = text.index("*", start)
    return (text[:start] + str(int(text[start:end]) + 5) + text[end:]).encode("latin-1")


@pytest.mark.parametrize("validator", ["compiled", "pyx12"])
def test_wrong_se01_is_fixed_and_exits_0(tmp_path: Path, validator: str) -> None:
    data = _wrong_se01(build(P, (CLEAN,)))
    codes = [i.code for i in validate_bytes(data).issues]
    assert codes == ["4"]  # SE01 wrong, nothing else
    path = tmp_path / "in.837"
    path.write_bytes(data)
    report = scrub(path, io.BytesIO(), Options(validator=validator))
    x12 = {o.finding.rule: o.status for o in report.outcomes}
    assert x12 == {"X12001": FixStatus.APPLIED, "X12003": FixStatus.APPLIED}
    assert report.summary.exit_code == 0
    assert report.failing_claims == ()


def test_not_fixed_without_fixes(tmp_path: Path) -> None:
    """Report-only: nothing was written, so nothing is cured; the SE01 error fails the run."""
    path = tmp_path / "in.837"
    path.write_bytes(_wrong_se01(build(P, (CLEAN,))))
    report = scrub(path, io.BytesIO(), Options(fix=False))
    statuses = [o.status for o in report.outcomes if o.finding.rule == "X12001"]
    assert statuses == [FixStatus.NONE]
    assert report.summary.exit_code == 1


def test_error_a_fix_does_not_touch_stays(tmp_path: Path) -> None:
    """A structural error the fixes leave in place is still reported unfixed (exit 1)."""
    text = _wrong_se01(build(P, (CLEAN,))).decode("latin-1")
    # A bad code in the billing provider's REF qualifier: no fix touches it.
    text = text.replace("REF*EI*074391500", "REF*QQ*074391500")
    path = tmp_path / "in.837"
    path.write_bytes(text.encode("latin-1"))
    report = scrub(path, io.BytesIO(), Options())
    statuses = sorted(
        (o.finding.message[:20], o.status.value)
        for o in report.outcomes
        if o.finding.rule == "X12001"
    )
    assert any(status == "none" for _, status in statuses)
    assert any(status == "applied" for _, status in statuses)
    assert report.summary.exit_code == 1
