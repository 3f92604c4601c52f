"""Helpers the diagnosis rules share: reading SV107 pointers and matching indications."""

from __future__ import annotations

from functools import lru_cache

from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim, Diagnosis, Field, ServiceLine, Transaction
from edi_scrub.rules._base import RuleContext

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL


@lru_cache(maxsize=4096)  # a pure function of the text; a file repeats its diagnosis codes
def normalize_dx(code: str) -> str:
    """An ICD-10-CM code as maps/ stores it: upper case, no dot."""
    return code.replace(".", "").strip().upper()


def is_indicated(drug: DrugCode, dx: str) -> bool:
    """Whether ``dx`` is, or falls under, one of the code's indicated diagnoses.

    A listed category covers its subcodes (ICD-10-CM is hierarchical), so a map may list
    ``D68.31`` and a claim bill ``D68.311``.
    """
    code = normalize_dx(dx)
    return bool(code) and any(code.startswith(listed) for listed in drug.indicated_dx)


def is_not_indicated(drug: DrugCode, dx: str) -> bool:
    """Whether ``dx`` is, or falls under, a diagnosis the map says the product is not for."""
    code = normalize_dx(dx)
    return bool(code) and any(code.startswith(listed) for listed in drug.not_indicated_dx)


def line_diagnoses(ctx: RuleContext, claim: Claim, line: ServiceLine) -> tuple[Diagnosis, ...]:
    """The diagnoses a line is billed for: its SV107 pointers' (837P), the claim's (837I)."""
    # DX001 and DX002 both ask this of every drug line.
    return ctx.facts(claim).derived("line_diagnoses", line, lambda: _line_diagnoses(claim, line))


def _line_diagnoses(claim: Claim, line: ServiceLine) -> tuple[Diagnosis, ...]:
    if claim.transaction is not _PROFESSIONAL:
        return claim.diagnoses
    return tuple(d for p in line.dx_pointers if (d := pointed(claim, p)) is not None)


def pointed(claim: Claim, pointer: Field) -> Diagnosis | None:
    """The HI diagnosis an SV107 pointer selects, or ``None`` when it selects nothing."""
    # ASCII only: str.isdigit() accepts '²', which int() then refuses (found by fuzzing).
    if not (pointer.value.isascii() and pointer.value.isdigit()):
        return None
    return _by_position(claim.diagnoses).get(int(pointer.value))


#: The last claim's diagnoses by pointer position. One entry is enough (rules look at one claim
#: at a time) and keeps every SV107 lookup O(1): a scan per pointer made a hostile line with
#: 40k pointers into a 40k-diagnosis HI quadratic. The tuple is held, so its id is not reused.
_LAST: list[tuple[tuple[Diagnosis, ...], dict[int, Diagnosis], frozenset[str]]] = [
    ((), {}, frozenset())
]


def _by_position(diagnoses: tuple[Diagnosis, ...]) -> dict[int, Diagnosis]:
    cached, index, _ = _LAST[0]
    if cached is not diagnoses:
        index = _remember(diagnoses)[1]
    return index


def pointer_texts(claim: Claim) -> frozenset[str]:
    """SV107 texts that surely select a diagnosis: each pointable position written plainly.

    ``pointed(claim, p)`` is not ``None`` for every ``p`` whose value is in this set (other
    texts, such as ``01``, may select one too: ask :func:`pointed`). A set look-up per pointer
    instead of a parse: DX003 asks about every pointer of every line.
    """
    cached, _, texts = _LAST[0]
    if cached is not claim.diagnoses:
        texts = _remember(claim.diagnoses)[2]
    return texts


def _remember(
    diagnoses: tuple[Diagnosis, ...],
) -> tuple[tuple[Diagnosis, ...], dict[int, Diagnosis], frozenset[str]]:
    index: dict[int, Diagnosis] = {}
    for d in diagnoses:
        if d.position > 0:
            index.setdefault(d.position, d)
    entry = _LAST[0] = (diagnoses, index, frozenset([str(position) for position in index]))
    return entry
