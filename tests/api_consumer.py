"""A small program written against edi-scrub's public API only (what ``__all__`` lists).

``.ci/run`` type-checks it with ``mypy --strict``, and ``tests/test_api.py`` runs it and checks
that it imports nothing else, so the public API stays typed and complete enough to use.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import edi_scrub


def scrub_bytes(data: bytes, fail_on: str = "error") -> tuple[bytes, int, list[str]]:
    """Fixed EDI, exit code and the rule ids of the unfixed findings."""
    result: edi_scrub.Result = edi_scrub.scrub(data, options=edi_scrub.Options(fail_on=fail_on))
    output: bytes | None = result.output
    assert output is not None
    unfixed = [
        o.finding.rule for o in result.findings if o.status is not edi_scrub.FixStatus.APPLIED
    ]
    return output, int(result.exit_code), unfixed


def scrub_stream(path: Path) -> dict[str, object]:
    """Scrub a file into a stream; the JSON report, with the rejects split and the 999."""
    out, rejects, ack = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with path.open("rb") as source:
        result = edi_scrub.scrub(source, out, rejects=rejects, ack=ack)
    summary: edi_scrub.Summary = result.summary
    code: edi_scrub.ExitCode = summary.exit_code
    rejected: tuple[edi_scrub.ClaimRef, ...] = result.rejected or ()
    report: dict[str, object] = json.loads(result.to_json())
    report["consumer"] = {
        "exit": int(code),
        "rejected": [c.claim_id for c in rejected],
        "ack_bytes": len(ack.getvalue()),
        "out_bytes": len(out.getvalue()),
    }
    return report


def check_file(path: Path) -> edi_scrub.Report:
    report = edi_scrub.check(path, options=edi_scrub.Options(select=["NDC", "MOD"]))
    severities: list[edi_scrub.Severity] = [o.finding.severity for o in report.outcomes]
    findings: list[edi_scrub.Finding] = [o.finding for o in report.outcomes]
    outcomes: list[edi_scrub.Outcome] = list(report.outcomes)
    assert len(severities) == len(findings) == len(outcomes)
    return report


def refused(data: bytes) -> str | None:
    """The CLI's one-line message for input edi-scrub refuses, else None."""
    try:
        edi_scrub.scrub(data)
    except edi_scrub.InputError as exc:
        return str(exc)
    except edi_scrub.ConfigError as exc:
        return f"config: {exc}"
    except edi_scrub.EdiScrubError as exc:
        return f"other: {exc}"
    return None


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    _, code, _ = scrub_bytes(path.read_bytes())
    scrub_stream(path)
    check_file(path)
    print(edi_scrub.__version__, code, refused(b"not an 837"))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
