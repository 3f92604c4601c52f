"""The patient is younger than the product's labelled minimum age on the date of service.

What it checks
    Drug lines whose code has a minimum age in maps/drugs.xml (J7208, Jivi: 12 years). The age is
    whole years from the patient's birth date (DMG in 2010CA, else 2010BA) to the line's date of
    service. Lines without a date of service, claims without a birth date, and dates of service
    before the birth date (a data error, not an age) are not checked.

Why it matters
    Payers that apply FDA labelling deny a product given outside its labelled population, or
    send the claim to medical review. Jivi is labelled only for patients 12 and older.

Example
    A J7208 line dated 2024-01-15 for a patient born in 2015 (fires: 8 years old, Jivi's label
    minimum is 12).

Fix
    None: the product, the patient and the date are all facts. If the product is right, expect
    review and keep the clinical justification at hand; if not, correct the code. The message
    gives the age in whole years, never the birth date.

References
    docs/domain.md §5 (age: Jivi only for ages 12 and over; age = date of service minus DMG birth
    date); the product's FDA label.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


def age_in_years(born: date, on: date) -> int:
    """Whole years completed on ``on`` (a 29 February birthday falls on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@register("AGE001", "below-label-age", Severity.WARNING, Applicability.NONE, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines for patients below the product's labelled minimum age."""
    born = claim.birth_date
    if born is None:
        return
    for line, code in ctx.drug_lines(claim):
        day = line.date_of_service
        if code.min_age_years is None or day is None or day < born:
            continue
        age = age_in_years(born, day)
        if age >= code.min_age_years:
            continue
        product = code.product or code.code
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"patient is {age} year(s) old on the date of service; {product} ({code.code}) is "
            f"labelled for ages {code.min_age_years} and over",
        )
