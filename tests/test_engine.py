"""The fix engine's verification: what counts as "worse" after fixing."""

from __future__ import annotations

import io
from pathlib import Path

from edi_scrub.pipeline import Options, scrub
from tests.builders import ClaimSpec, LineSpec, P, build


def test_inherited_warning_does_not_revert_a_split(tmp_path: Path) -> None:
    """A JW split copies the line's missing-D66 warning; the split still applies."""
    data = build(P, (ClaimSpec(lines=(LineSpec(ctp_qty="1200"),), dx=("D689",)),))
    src = tmp_path / "in.837"
    src.write_bytes(data)
    out = io.BytesIO()
    report = scrub(src, out, Options(structure=False))
    statuses = {(o.finding.rule, o.status.value) for o in report.outcomes}
    assert ("MOD004", "applied") in statuses
    assert sum(1 for o in report.outcomes if o.finding.rule == "DX001") == 2
    assert b"J7207:JW" in out.getvalue()
