"""AUTH001 missing-prior-auth."""

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case

_PA = PayerPolicy("t", "Test payer", prior_auth_codes=frozenset({"J7207"}))


def _claim(claim_auth: str | None = None, line_auth: str | None = None) -> ClaimSpec:
    line = LineSpec(prior_auth=line_auth, modifiers=("JZ",))
    return ClaimSpec(lines=(line,), prior_auth=claim_auth)


CASES = [
    Case("no prior-auth policy", _claim(), 0),
    Case("claim-level REF*G1", _claim(claim_auth="PA12345"), 0, policy=_PA),
    Case("no REF*G1 anywhere", _claim(), 1, None, "none", policy=_PA),
    Case("837P: line-level REF*G1", _claim(line_auth="PA12345"), 0, kinds=(P,), policy=_PA),
    Case(
        "837I: only the claim level counts",
        _claim(line_auth="PA12345"),
        1,
        None,
        "none",
        kinds=(I,),
        policy=_PA,
    ),
    Case(
        "each line of the code is reported",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), LineSpec(units="500", charge="1000"))),
        2,
        None,
        "none",
        policy=_PA,
    ),
    Case(
        "other codes need none",
        ClaimSpec(lines=(LineSpec(code="J7208", ndc=None, modifiers=("JZ",)),)),
        0,
        policy=_PA,
    ),
]
