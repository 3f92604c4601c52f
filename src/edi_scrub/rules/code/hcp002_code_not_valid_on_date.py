"""The HCPCS code was not in effect on the line's date of service.

What it checks
    Drug lines whose date of service (DTP*472) falls before the code took effect or after its
    termination date in maps/drugs.xml: J7207 before 2017-01-01, J7208 before 2019. When the map
    knows only the year a code started, only dates before that year fire (the code may have
    started in a later quarter, so a date inside the year is not accepted either: it is simply
    not judged). Lines without a date of service are left to DOS001.

Why it matters
    A code billed outside its validity period is rejected as invalid for the date of service
    before any coverage decision. Before a product's own code existed it was billed on a
    temporary C code or the unlisted J7199.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ DTP*472*D8*20161215~`` (fires: J7207 starts 2017-01-01;
    Adynovate was C9137 then).

Fix
    None: the right code for an earlier date (a C code, J7199, or a predecessor the map names)
    depends on the payer and the period, and a wrong date of service is as likely as a wrong code.

References
    docs/domain.md §1 (the codes and their start years); CMS HCPCS quarterly update files.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import valid_on


def _start(code: DrugCode) -> str:
    if code.effective is not None:
        return f"took effect {code.effective.isoformat()}"
    return f"took effect during {code.effective_not_before_year}"


@register("HCP002", "code-not-valid-on-date", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines dated outside their code's validity period."""
    for line, code in ctx.drug_lines(claim):
        day = line.date_of_service
        if day is None or valid_on(code, day) is not False:
            continue
        if code.terminated is not None and day > code.terminated:
            why = f"was terminated after {code.terminated.isoformat()}"
        else:
            why = _start(code)
            if code.replaces is not None:
                why += f" (it replaced {code.replaces})"
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{code.code} {why}; the date of service is {day.isoformat()}",
        )
