"""MOD008 kx-required."""

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_KX = PayerPolicy("t", "Test payer", kx_required_codes=frozenset({"J7208"}))


def _line(*mods: str, code: str = "J7208", units: str = "2000") -> LineSpec:
    ndc = "00944462401" if code == "J7207" else None
    return LineSpec(code=code, ndc=ndc, units=units, charge="1000", modifiers=mods)


CASES = [
    Case("no KX policy", ClaimSpec(lines=(_line("JZ"),)), 0),
    Case("KX present", ClaimSpec(lines=(_line("KX", "JZ"),)), 0, policy=_KX),
    Case("KX missing", ClaimSpec(lines=(_line("JZ"),)), 1, None, "none", policy=_KX),
    Case("no modifiers at all", ClaimSpec(lines=(_line(),)), 1, None, "none", policy=_KX),
    Case(
        "the JW line needs it too",
        ClaimSpec(lines=(_line("KX"), _line("JW", units="500"))),
        1,
        None,
        "none",
        policy=_KX,
    ),
    Case("other codes are not required", ClaimSpec(lines=(_line(code="J7207"),)), 0, policy=_KX),
]
