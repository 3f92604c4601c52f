"""Secondary (COB) claims for the balancing rules: loops 2320/2330 and per line 2430."""

from __future__ import annotations

from tests.builders import ClaimSpec, LineSpec


def other_payer(payer_id: str, paid: str | None, *cas: str) -> tuple[tuple[str, ...], ...]:
    """A 2320 loop (SBR, claim-level CAS*CO*45, AMT*D) with its 2330A/2330B."""
    segs: list[tuple[str, ...]] = [("SBR", "P", "18", "", "", "", "", "", "", "CI")]
    segs += [("CAS", "CO", "45", amount) for amount in cas]
    if paid is not None:
        segs.append(("AMT", "D", paid))
    segs += [
        ("OI", "", "", "Y", "", "", "Y"),
        ("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "SYN000000002"),
        ("NM1", "PR", "2", "PRIOR PAYER", "", "", "", "", "PI", payer_id),
    ]
    return tuple(segs)


def adjudication(payer_id: str, paid: str, *cas: str) -> tuple[tuple[str, ...], ...]:
    """A 2430 loop: SVD, one CAS with the given amounts (group CO, reason 45), DTP*573."""
    segs: list[tuple[str, ...]] = [("SVD", payer_id, paid, "HC:J7207", "", "1000")]
    if cas:
        triples = [part for amount in cas for part in ("45", amount, "")]
        segs.append(("CAS", "CO", *triples[:-1]))
    segs.append(("DTP", "573", "D8", "20240201"))
    return tuple(segs)


def cob_claim(
    payers: tuple[tuple[str, ...], ...],
    *lines: tuple[tuple[str, ...], ...],
    charge: str = "2000",
    clm02: str | None = None,
) -> ClaimSpec:
    """A claim with the 2320 loops ``payers`` and one J7207 line per 2430 group in ``lines``."""
    specs = tuple(LineSpec(modifiers=("JZ",), charge=charge, loops=loops) for loops in lines)
    return ClaimSpec(lines=specs, loops=payers, sbr09="CI", clm02=clm02)
