"""The report: counts, exit code and findings of one run, and its JSON form (schema v1).

Reports identify claims by CLM01 and positions only. No value from a name, address, member-id or
birth-date element is ever put into a finding, so none can reach a report.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TypedDict, overload

from edi_scrub import __version__
from edi_scrub.exit_codes import ExitCode
from edi_scrub.fixes.engine import Outcome
from edi_scrub.model.money import to_cents
from edi_scrub.report.spill import OutcomeLog, report_order, row_fields, tally_key
from edi_scrub.rules._base import Severity

SCHEMA = "edi-scrub/report/v1"

#: The longest message, and value (CLM01, a fix's before/after), a report carries. Messages may
#: quote an element of a known segment ("SV102 'x' is not a number"); a 10 MB element must not
#: become a 10 MB report line. CLM01 is at most 38 characters, the values edited are codes.
MAX_MESSAGE = 500
MAX_VALUE = 80


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def _value(text: str | None) -> str | None:
    return None if text is None else bounded(text, MAX_VALUE)


@dataclass(frozen=True, slots=True)
class Summary:
    """The run's figures, as the report's ``summary`` object."""

    claims: int
    drug_lines: int
    errors: int
    warnings: int
    infos: int
    fixed: int
    unfixed_errors: int
    unfixed_warnings: int
    lines_added: int
    charges_added: Decimal
    exit_code: ExitCode
    #: Claims per payer profile id (the profile each claim was scrubbed under).
    payer_profiles: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: Claims no payer profile matched, scrubbed under the default profile.
    unmatched_claims: int = 0
    #: The run's ``--fail-on`` and the unfixed findings at or above it (what the exit code
    #: counts); not in the JSON, whose ``exit_code`` already says whether any remain.
    fail_on: Severity = Severity.ERROR
    failing: int = 0

    @classmethod
    def of(
        cls,
        outcomes: Iterable[Outcome],
        claims: int,
        drug_lines: int,
        lines_added: int,
        charges_added: Decimal,
        fail_on: Severity,
    ) -> Summary:
        """Count ``outcomes`` and decide the exit code (``fail_on`` = lowest failing severity)."""

        # Counted by tally key: an OutcomeLog keeps those counts as outcomes are added, so a
        # spilled log is not read back (and decoded) for the summary.
        if isinstance(outcomes, OutcomeLog):
            tally = outcomes.tally()
        else:
            tally = {}
            for o in outcomes:
                key = tally_key(o)
                tally[key] = tally.get(key, 0) + 1
        by_severity = {sev: 0 for sev in Severity}
        unfixed_by_severity = {sev: 0 for sev in Severity}
        failing = fixed = 0
        for (sev, applied, counts_as_fixed), n in tally.items():
            by_severity[sev] += n
            if not applied:
                unfixed_by_severity[sev] += n
                if sev.fails(fail_on):
                    failing += n
            # A fix without edits only records what another fix did (LX002's renumbering).
            elif counts_as_fixed:
                fixed += n
        return cls(
            claims=claims,
            drug_lines=drug_lines,
            errors=by_severity[Severity.ERROR],
            warnings=by_severity[Severity.WARNING],
            infos=by_severity[Severity.INFO],
            fixed=fixed,
            unfixed_errors=unfixed_by_severity[Severity.ERROR],
            unfixed_warnings=unfixed_by_severity[Severity.WARNING],
            lines_added=lines_added,
            charges_added=charges_added,
            exit_code=ExitCode.FINDINGS if failing else ExitCode.OK,
            fail_on=fail_on,
            failing=failing,
        )


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """A claim named the way reports name claims: CLM01 and the CLM's input position."""

    #: 0-based position among the file's claims (the grouper's ordinal), unique even when
    #: CLM01 repeats.
    ordinal: int
    claim_id: str
    #: 1-based segment position of the claim's CLM in the input file.
    segment: int


class ClaimRefs(Sequence[ClaimRef]):
    """:class:`ClaimRef` values kept compactly: the ints in arrays, the CLM01s in one buffer.

    A run names every claim that keeps a failing finding (``Report.failing_claims``), and the
    report lives while its JSON is written. As a tuple of :class:`ClaimRef` that cost ~180 bytes
    per claim (an object, two ints, a string): 7.4 MiB for the 41,000 failing claims of a
    1,000,000-claim file, on top of the run's peak. Here it is 24 bytes plus CLM01's UTF-8
    bytes. Reads build equal :class:`ClaimRef` values; it compares equal to any sequence of the
    same refs (a tuple too) and pickles as a tuple.
    """

    __slots__ = ("_ends", "_ids", "_ordinals", "_segments")

    def __init__(self, refs: Iterable[ClaimRef] = ()) -> None:
        self._ordinals = array("q")
        self._segments = array("q")
        #: Where each CLM01 ends in ``_ids``.
        self._ends = array("q")
        self._ids = bytearray()
        for ref in refs:
            self.append(ref)

    def append(self, ref: ClaimRef) -> None:
        """Add ``ref`` at the end."""
        self._ordinals.append(ref.ordinal)
        self._segments.append(ref.segment)
        # surrogatepass: any str round-trips, lone surrogates (undecodable input) included.
        self._ids += ref.claim_id.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._ids))

    def __len__(self) -> int:
        return len(self._ordinals)

    @overload
    def __getitem__(self, index: int) -> ClaimRef: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ClaimRef]: ...

    def __getitem__(self, index: int | slice) -> ClaimRef | Sequence[ClaimRef]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(len(self))[index])
        i = range(len(self))[index]  # negative indices, and IndexError when out of range
        start = self._ends[i - 1] if i else 0
        claim_id = self._ids[start : self._ends[i]].decode("utf-8", "surrogatepass")
        return ClaimRef(self._ordinals[i], claim_id, self._segments[i])

    def __iter__(self) -> Iterator[ClaimRef]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ClaimRefs({tuple(self)!r})"

    def __reduce__(self) -> tuple[type[tuple[ClaimRef, ...]], tuple[tuple[ClaimRef, ...]]]:
        return (tuple, (tuple(self),))


class FixJson(TypedDict):
    """JSON shape of a finding's fix."""

    status: str
    applicability: str
    before: str | None
    after: str | None


class FindingJson(TypedDict):
    """JSON shape of a finding."""

    rule: str
    name: str
    severity: str
    claim: str | None
    line: int | None
    segment: int | None
    element: str | None
    message: str
    fix: FixJson


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one scrub produced besides the EDI itself."""

    input: str
    output: str | None
    transaction: str
    implementation: str
    summary: Summary
    #: In the order found; a pipeline run gives an :class:`~edi_scrub.report.spill.OutcomeLog`
    #: (outcomes spilled to a temporary file past a bound), which pickles as a tuple.
    outcomes: Sequence[Outcome]
    changed: bool
    seconds: float
    #: The 999 acknowledging the input's structure when ``Options.ack`` asked for one and it
    #: could be built; an EDI document for the submitter, so never part of the JSON report.
    ack: str | None = None
    #: Claims that still carry a failing finding (at or above ``--fail-on``, not fixed): the
    #: ones ``--rejects`` moves. Not in the JSON unless a split happened (``rejected``).
    failing_claims: Sequence[ClaimRef] = ()
    #: The claims moved to the rejects file, when ``--rejects`` was given (else ``None``).
    rejected: tuple[ClaimRef, ...] | None = None

    def sorted_outcomes(self) -> list[Outcome]:
        """The outcomes in report order (file position, then rule)."""
        return list(self.iter_sorted())

    def iter_sorted(self) -> Iterator[Outcome]:
        """The outcomes in report order, streamed when they were spilled to disk."""
        if isinstance(self.outcomes, OutcomeLog):
            return self.outcomes.merged()
        return iter(sorted(self.outcomes, key=report_order))

    def findings_json(self) -> list[FindingJson]:
        """The findings in report order (file position, then rule)."""
        return [_finding_json(o) for o in self.sorted_outcomes()]

    def json_chunks(self) -> Iterator[str]:
        """The JSON report as text, exactly ``json.dumps(self.to_json(), indent=2) + "\n"``,
        rendered one finding at a time so a large file's report never exists twice in memory.
        """
        head = json.dumps(self.to_json(findings=False), indent=2)
        before, _, after = head.partition(json.dumps(_FINDINGS_SLOT))
        yield before
        if not self.outcomes:
            yield "[]"
        else:
            yield "["
            # One string per 500 findings, each rendered by _finding_text (json.dumps with
            # indent runs json's pure-Python encoder, the report's hot spot on large files).
            # A spilled log's rows are formatted as stored, not rebuilt as outcomes first.
            outcomes = self.outcomes
            rows: Iterable[object] = (
                outcomes.merged_rows()
                if isinstance(outcomes, OutcomeLog) and outcomes.key is report_order
                else self.iter_sorted()
            )
            batch: list[str] = []
            for i, row in enumerate(rows):
                batch.append(("\n    " if i == 0 else ",\n    ") + _finding_text(*row_fields(row)))
                if len(batch) >= 500:
                    yield "".join(batch)
                    batch = []
            if batch:
                yield "".join(batch)
            yield "\n  ]"
        yield after + "\n"

    def to_json(self, findings: bool = True) -> dict[str, object]:
        """The report as JSON-ready data (``schema: edi-scrub/report/v1``).

        With ``findings=False`` the findings list is a placeholder (see :meth:`json_chunks`).
        """
        s = self.summary
        summary: dict[str, object] = {
            "claims": s.claims,
            "drug_lines": s.drug_lines,
            "errors": s.errors,
            "warnings": s.warnings,
            "infos": s.infos,
            "fixed": s.fixed,
            "unfixed_errors": s.unfixed_errors,
            "unfixed_warnings": s.unfixed_warnings,
            "lines_added": s.lines_added,
            "charges_added": f"{to_cents(s.charges_added):f}",
            "exit_code": int(s.exit_code),
            "payer_profiles": dict(s.payer_profiles),
            "unmatched_claims": s.unmatched_claims,
        }
        data: dict[str, object] = {
            "schema": SCHEMA,
            "tool_version": __version__,
            "input": self.input,
            "output": self.output,
            "transaction": self.transaction,
            "implementation": self.implementation,
            "summary": summary,
            "findings": self.findings_json() if findings else _FINDINGS_SLOT,
        }
        if self.rejected is not None:
            # Additive: only runs with --rejects carry these keys, so v1 readers are unaffected.
            summary["rejected_claims"] = len(self.rejected)
            data["rejected"] = [{"claim": c.claim_id, "segment": c.segment} for c in self.rejected]
        return data


#: Stands in for the findings list while the rest of the report is rendered.
_FINDINGS_SLOT = "\u0000findings\u0000"


_ENCODE = json.encoder.encode_basestring_ascii  # C-accelerated, json.dumps's own


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _ENCODE(value)
    return json.dumps(value)


def _indented(data: Mapping[str, object], newline: str) -> str:
    """``json.dumps(data, indent=2)`` with every newline replaced by ``newline`` (which carries
    the enclosing indentation), for flat mappings whose values are scalars or such mappings."""
    if not data:
        return "{}"
    inner = newline + "  "
    items = [
        f"{_ENCODE(key)}: "
        + (_indented(value, inner) if isinstance(value, Mapping) else _scalar(value))
        for key, value in data.items()
    ]
    return "{" + inner + ("," + inner).join(items) + newline + "}"


def _finding_text(
    rule: str,
    name: str,
    severity: str,
    claim: str | None,
    line: int | None,
    segment: int,
    ref: str,
    message: str,
    status: str,
    applicability: str | None,
    before: str | None,
    after: str | None,
) -> str:
    """``_indented(_finding_json(o), "\\n    ")`` for the outcome whose fields these are (see
    :func:`~edi_scrub.report.spill.row_fields`; ``applicability`` ``None``: no fix), formatted
    directly: the report's one loop over every finding (tests/test_report_rows.py holds the
    two equal)."""
    e = _ENCODE
    if applicability is None:
        tail = '"none",\n        "before": null,\n        "after": null'
    else:
        tail = (
            f"{e(applicability)},\n        "
            f'"before": {_scalar(_value(before))},\n        '
            f'"after": {_scalar(_value(after))}'
        )
    claim_text = "null" if claim is None else e(bounded(claim, MAX_VALUE))
    segment_text = _number(segment) if segment > 0 else "null"
    element_text = e(bounded(ref, MAX_VALUE)) if ref else "null"
    return (
        f'{{\n      "rule": {e(rule)},\n      "name": {e(name)},'
        f'\n      "severity": {e(severity)},\n      "claim": {claim_text},'
        f'\n      "line": {_number(line)},\n      "segment": {segment_text},'
        f'\n      "element": {element_text},'
        f'\n      "message": {e(bounded(message, MAX_MESSAGE))},'
        f'\n      "fix": {{\n        "status": {e(status)},\n        "applicability": {tail}'
        "\n      }\n    }"
    )


def _number(value: int | None) -> str:
    """``json.dumps(value)`` for an int or ``None`` (a plain int's repr is what it writes)."""
    if type(value) is int:
        return repr(value)
    return _scalar(value)


def _finding_json(o: Outcome) -> FindingJson:
    f = o.finding
    fix = f.fix
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "claim": _value(f.claim),
        "line": f.line,
        "segment": f.loc.segment if f.loc and f.loc.segment > 0 else None,
        "element": _value(f.loc.ref) if f.loc and f.loc.ref else None,
        "message": bounded(f.message, MAX_MESSAGE),
        "fix": {
            "status": o.status.value,
            "applicability": fix.applicability.value if fix else "none",
            "before": _value(fix.before) if fix else None,
            "after": _value(fix.after) if fix else None,
        },
    }
