"""Helpers the quantity rules share (UNT005 MUE, UNT006 payer limits): units per period.

A period's usage is what this claim bills for a code in it plus, from the run's
:class:`~edi_scrub.history.UsageHistory`, what earlier claims of the same patient billed. The
history never holds the current claim, so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import format_quantity
from edi_scrub.policy import rolling_window
from edi_scrub.rules._base import RuleContext, line_number
from edi_scrub.rules._facts import billed_units


@dataclass(frozen=True, slots=True)
class Usage:
    """Units of one code in one period: this claim's lines and earlier claims' total.

    ``anchor`` is the line the period belongs to (the first line on the period's last date),
    where a finding is reported.
    """

    anchor: ServiceLine
    lines: tuple[ServiceLine, ...]
    claim_units: Decimal
    earlier: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        """This claim's units plus earlier claims' units."""
        return self.claim_units + self.earlier

    def describe(self, code: str, period: str) -> str:
        """``J7207 lines 1, 2 bill 7000 units <period> (…)``: line numbers, no dates or PHI."""
        if len(self.lines) == 1:
            what = f"{code} line bills"
        else:
            numbers = ", ".join(str(line_number(line) or "?") for line in self.lines)
            what = f"{code} lines {numbers} bill"
        text = f"{what} {format_quantity(self.claim_units)} units{period}"
        if self.earlier:
            text += (
                f", plus {format_quantity(self.earlier)} on earlier claims of this file for "
                f"the same patient ({format_quantity(self.total)} in all)"
            )
        return text


def code_lines(claim: Claim, code: str) -> list[tuple[ServiceLine, Decimal]]:
    """The claim's HCPCS lines billing ``code`` with a positive quantity, and that quantity."""
    out: list[tuple[ServiceLine, Decimal]] = []
    for line in claim.lines:
        if line.qualifier.value not in ("HC", "") or line.code.value != code:
            continue
        units = billed_units(line)
        if units is not None:
            out.append((line, units))
    return out


def per_line(claim: Claim, code: str) -> Iterator[Usage]:
    """Each line of ``code`` on its own."""
    for line, units in code_lines(claim, code):
        yield Usage(line, (line,), units)


def per_window(claim: Claim, ctx: RuleContext, code: str, days: int = 1) -> Iterator[Usage]:
    """For each date of service of ``code``, the ``days``-long window ending on it.

    ``days=1`` is one date of service. A line dated with a span (RD8) counts on its first date
    (DOS002 reports spans). A line without a date cannot be placed in a window: it is counted
    on its own.
    """
    lines = code_lines(claim, code)
    dates = sorted({d for line, _ in lines if (d := line.date_of_service) is not None})
    for day in dates:
        start, end = rolling_window(day, days)
        inside = [(line, u) for line, u in lines if _within(line.date_of_service, start, end)]
        earlier = ctx.history.units_between(claim.patient_key, code, start, end)
        total = sum((u for _, u in inside), Decimal(0))
        anchor = next(line for line, _ in inside if line.date_of_service == day)
        yield Usage(anchor, tuple(line for line, _ in inside), total, earlier)
    for line, units in lines:
        if line.date_of_service is None:
            yield Usage(line, (line,), units)


def _within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end
