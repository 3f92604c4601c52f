"""The test builders' options produce what they claim, and pyx12 finds the result TR3-valid.

Every option of :mod:`tests.builders` that the fix-safety tests (issue 7) use is built for both
transactions and validated with the same pyx12 adapter the pipeline uses; an option that is
invalid on one transaction on purpose is listed in ``TR3_INVALID`` with the reason.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from edi_scrub.x12.validate import validate_bytes
from tests.builders import (
    AdjudicationSpec,
    CasSpec,
    ClaimSpec,
    I,
    LineSpec,
    OtherPayerSpec,
    P,
    ProviderSpec,
    build,
    with_cob,
)

JW = LineSpec(modifiers=("JW",), charge="400", units="200", ctp_qty="200")
DRUG = LineSpec(units="1000", charge="2000", ctp_qty="1200")

RENDERING = ProviderSpec("82", "ROE", "RILEY", "1631706698")
ORDERING = ProviderSpec("DK", "POE", "PAT", "1631706706")
OPERATING = ProviderSpec("72", "POE", "PAT", "1631706706")
REFERRING = ProviderSpec("DN", "LOE", "LEE", "1741234565")

#: name -> (claims, transactions it applies to)
CASES: dict[str, tuple[ClaimSpec, tuple[str, ...]]] = {
    "cob-line-level": (with_cob(ClaimSpec(lines=(DRUG, JW))), (P, I)),
    "cob-claim-level": (with_cob(ClaimSpec(lines=(DRUG, JW)), line_level=False), (P, I)),
    "cob-no-amt-d-no-date": (
        ClaimSpec(
            sbr01="S",
            other_payers=(OtherPayerSpec(paid=None, adjudicated=None),),
        ),
        (P, I),
    ),
    "cob-two-payers": (
        ClaimSpec(
            sbr01="T",
            other_payers=(
                OtherPayerSpec(
                    responsibility="P", paid="1000", cas=(CasSpec("CO", (("45", "1000"),)),)
                ),
                OtherPayerSpec(
                    responsibility="S",
                    paid="0",
                    payer_id="SYNSEC02",
                    payer_name="SYNTHETIC SECONDARY",
                    subscriber_id="SYN000000003",
                    cas=(CasSpec("PR", (("1", "500"), ("2", "500"))),),
                ),
            ),
        ),
        (P, I),
    ),
    "svd-explicit": (
        ClaimSpec(
            sbr01="S",
            other_payers=(OtherPayerSpec(paid="1500"),),
            lines=(
                LineSpec(
                    adjudications=(
                        AdjudicationSpec(
                            paid="1500",
                            procedure="HC:J7207",
                            units="1000",
                            revenue="0636",
                            cas=(CasSpec("CO", (("45", "300"),)), CasSpec("PR", (("2", "200"),))),
                            date="20240210",
                        ),
                    )
                ),
            ),
        ),
        (P, I),
    ),
    "replacement": (ClaimSpec(frequency="7", original_ref="SYNORIG0001"), (P, I)),
    "void": (ClaimSpec(frequency="8", original_ref="SYNORIG0001"), (P, I)),
    "statement-period": (ClaimSpec(statement="20240110-20240120", lines=(DRUG,)), (I,)),
    "sv207": (ClaimSpec(lines=(LineSpec(non_covered="500"),)), (I,)),
    "rendering-ordering": (
        ClaimSpec(lines=(LineSpec(providers=(ORDERING, RENDERING)),)),
        (P,),
    ),
    "operating-rendering-referring": (
        ClaimSpec(lines=(LineSpec(providers=(REFERRING, RENDERING, OPERATING)),)),
        (I,),
    ),
    "rx-number": (ClaimSpec(lines=(LineSpec(drug_ref=("XZ", "RX0000001")),)), (P, I)),
    "link-sequence": (ClaimSpec(lines=(LineSpec(drug_ref=("VY", "1")),)), (P, I)),
    "jw-no-date": (ClaimSpec(lines=(DRUG, replace(JW, dos=None))), (P, I)),
    "jw-rd8": (
        ClaimSpec(
            lines=(DRUG, LineSpec(modifiers=("JW",), dos_qualifier="RD8", dos="20240115-20240115"))
        ),
        (P, I),
    ),
    "jw-bare-10-digit": (
        ClaimSpec(lines=(DRUG, LineSpec(modifiers=("JW",), ndc="0944462401"))),
        (P, I),
    ),
    "jw-hyphenated": (
        ClaimSpec(lines=(DRUG, LineSpec(modifiers=("JW",), ndc="0944-4624-01"))),
        (P, I),
    ),
    "jw-inner-vial": (
        ClaimSpec(lines=(DRUG, LineSpec(modifiers=("JW",), ndc="00944425701"))),
        (P, I),
    ),
    "jz-kx-ga": (ClaimSpec(lines=(LineSpec(modifiers=("JZ", "KX", "GA")),)), (P, I)),
}

#: (case, transaction) -> pyx12's message for a case that is TR3-invalid on purpose. The 837P
#: requires DTP*472 on every line, so a JW line without one is a defective input there (issue 7
#: still wants it matched as the administered line's sibling); on the 837I it is valid.
TR3_INVALID: dict[tuple[str, str], str] = {
    ("jw-no-date", P): 'Mandatory segment "Date - Service Date" (DTP) missing',
}


def _params() -> list[object]:
    out: list[object] = []
    for name, (_claim, kinds) in CASES.items():
        out += [pytest.param(name, kind, id=f"{name}-{kind}") for kind in kinds]
    return out


@pytest.mark.parametrize(("name", "kind"), _params())
def test_builder_option_is_tr3_valid(name: str, kind: str) -> None:
    claim = CASES[name][0]
    result = validate_bytes(build(kind, (claim,)), f"<{name}>")
    assert result.validated
    expected = [TR3_INVALID[name, kind]] if (name, kind) in TR3_INVALID else []
    assert [i.message for i in result.issues] == expected


def _segments(kind: str, claim: ClaimSpec) -> list[str]:
    text = build(kind, (claim,)).decode("latin-1")
    return [s.strip() for s in text.split("~") if s.strip()]


@pytest.mark.parametrize("kind", [P, I])
def test_cob_loops_in_tr3_order_and_balanced(kind: str) -> None:
    claim = with_cob(ClaimSpec(lines=(LineSpec(charge="2000"), LineSpec(charge="333.33"))))
    segs = _segments(kind, claim)
    ids = [
        s.split("*")[0] + ("*" + s.split("*")[1] if s.startswith(("NM1", "AMT", "DTP")) else "")
        for s in segs
    ]
    first_lx = ids.index("LX")
    assert ids.index("SBR") < ids.index("CLM") < ids.index("NM1*IL", ids.index("CLM"))
    other = [
        i
        for i in ids[ids.index("CLM") : first_lx]
        if i in {"SBR", "AMT*D", "OI", "NM1*IL", "NM1*PR"}
    ]
    assert other == ["SBR", "AMT*D", "OI", "NM1*IL", "NM1*PR"]
    assert next(s for s in segs if s.startswith("SBR")).startswith("SBR*S*")
    clm02 = next(s for s in segs if s.startswith("CLM")).split("*")[2]
    amt_d = next(s for s in segs if s.startswith("AMT*D")).split("*")[2]
    svd = [s.split("*") for s in segs if s.startswith("SVD")]
    cas = [s.split("*") for s in segs[first_lx:] if s.startswith("CAS")]
    assert clm02 == "2333.33"
    assert sum(float(x[2]) for x in svd) == pytest.approx(float(amt_d))
    assert [x[2] for x in svd] == ["1600", "266.66"]
    assert [x[3] for x in cas] == ["400", "66.67"]
    assert float(amt_d) + sum(float(x[3]) for x in cas) == pytest.approx(float(clm02))
    assert svd[0][3] == "HC:J7207" and svd[0][5] == "1000"
    assert svd[0][4] == ("" if kind == P else "0636")
    assert [s for s in segs if s.startswith("DTP*573")] == ["DTP*573*D8*20240201"] * 3


@pytest.mark.parametrize(("kind", "clm05"), [(P, "11:B:8"), (I, "13:A:8")])
def test_frequency_and_original_reference(kind: str, clm05: str) -> None:
    segs = _segments(kind, ClaimSpec(frequency="8", original_ref="SYNORIG0001"))
    clm = next(s for s in segs if s.startswith("CLM"))
    assert clm.split("*")[5] == clm05
    assert "REF*F8*SYNORIG0001" in segs


def test_837i_statement_period_and_sv207() -> None:
    claim = ClaimSpec(statement="20240110-20240120", lines=(LineSpec(non_covered="500"),))
    segs = _segments(I, claim)
    assert "DTP*434*RD8*20240110-20240120" in segs
    assert "SV2*0636*HC:J7207*2000*UN*1000**500" in segs
    # SV207 has no 837P counterpart: the professional line is unchanged.
    assert "SV1*HC:J7207*2000*UN*1000***1" in _segments(P, claim)


def test_line_providers_and_drug_ref_order() -> None:
    line = LineSpec(providers=(ORDERING, RENDERING), drug_ref=("XZ", "RX0000001"))
    segs = _segments(P, ClaimSpec(lines=(line,)))
    tail = segs[segs.index("LIN**N4*00944462401") :]
    assert tail[:5] == [
        "LIN**N4*00944462401",
        "CTP****1000*F2",
        "REF*XZ*RX0000001",
        "NM1*82*1*ROE*RILEY****XX*1631706698",
        "NM1*DK*1*POE*PAT****XX*1631706706",
    ]


def test_unknown_provider_role_for_transaction_is_refused() -> None:
    # The 837I has no line-level ordering provider; the builder must not invent a loop.
    with pytest.raises(ValueError):
        build(I, (ClaimSpec(lines=(LineSpec(providers=(ORDERING,)),)),))
