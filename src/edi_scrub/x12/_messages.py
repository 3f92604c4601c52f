"""pyx12's messages without the values they quote, and the 999 codes of pyx12's error codes.

pyx12 quotes element values in its messages ("with a value of (17111)"). Findings end up in
reports and logs, so every message is rewritten from known templates and then scrubbed of the
segment's own values (:func:`scrub`). :func:`element_ack` and :func:`segment_ack` give the
999/TA1 element that would carry each of pyx12's codes (``IK403=7``, ``AK905=6``, ...), for the
``ack_codes`` of each :class:`~edi_scrub.x12._issues.StructuralIssue`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Final

# --------------------------------------------------------------------------------------------
# Messages: pyx12's wording without the values it quotes.

WS_RE: Final = re.compile(r"\s+")
_SEG_ID_RE: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_MAP_PATH_RE: Final = re.compile(r"[A-Za-z0-9_/\[\]]+")


def _not_found(match: re.Match[str]) -> str:
    seg_id = match.group(1).split("*", 1)[0]
    seg_id = seg_id if _SEG_ID_RE.fullmatch(seg_id) else "with an unrecognised identifier"
    path = match.group(2)
    where = f". Started at {path}" if _MAP_PATH_RE.fullmatch(path) else ""
    return f"Segment {seg_id} not found in the map{where}"


_NAME = r'"[^"]*"'
_REF = r"\([A-Z0-9-]+\)"
_TEMPLATES: Final[tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]] = tuple(
    (re.compile(pattern, re.S), replacement)
    for pattern, replacement in (
        # x12file.py (envelope, counting)
        (r'^Segment ".*" is empty$', "Segment is empty"),
        (r'^Segment identifier ".*" is invalid$', "Segment identifier is invalid"),
        (
            r"^(ISA|GS|ST) Interchange Control Number .* not unique within file$",
            r"\1 control number is not unique within the file",
        ),
        (
            r"^My HL count (\d+) does not match your HL count .*$",
            r"HL01 does not match the HL count (expected \1)",
        ),
        (r"^HL parent \(.*\) is not a valid parent$", "HL02 does not name an open parent HL"),
        (
            r"^Your 2400/LX01 Service Line Number .* does not match my count of (\d+)$",
            r"LX01 does not match the service line count (expected \1)",
        ),
        (r"^Unterminated Loop (ISA|GS|ST|LS)$", r"Unterminated loop \1"),
        (r"^Unterminated segment .*$", "Unterminated loop before GE"),
        (r"^IEA id=.* does not match ISA id=.*$", "IEA02 does not match ISA13"),
        (r"^IEA count for IEA02=.* is wrong$", "IEA01 does not match the number of groups"),
        (r"^GE id=.* does not match GS id=.*$", "GE02 does not match GS06"),
        (
            r"^GE count of .* is wrong\. I count (\d+)$",
            r"GE01 does not match the number of transaction sets (counted \1)",
        ),
        (r"^SE id=.* does not match ST id=.*$", "SE02 does not match ST02"),
        (
            r"^SE count of .* is wrong\. I count (\d+)$",
            r"SE01 does not match the number of segments (counted \1)",
        ),
        (
            rf"^Mandatory segment ({_NAME}) \((SE|GE|IEA)=.*\) missing$",
            r"Mandatory segment \1 (\2) missing",
        ),
        # map_walker.py: the segment is quoted with its first element (or whole, for HL)
        (r"^Segment (.*) not found\.\s+Started at (.*)$", _not_found),
        # map_if/_element.py
        (
            rf'^(Data element {_NAME} {_REF}) is too (short|long): len\(".*"\) = (\d+) '
            r"([<>]) (\d+) \((min|max)_len\)$",
            r"\1 is too \2: length \3 \4 \5 (\6_len)",
        ),
        (
            rf"^(Data element {_NAME} {_REF}), contains an invalid control character\(.*\)$",
            r"\1 contains an invalid control character",
        ),
        (
            rf"^(Data element {_NAME} {_REF}) has unnecessary trailing spaces\. \(.*\)$",
            r"\1 has unnecessary trailing spaces",
        ),
        (
            rf"^(Data element {_NAME} {_REF}) contains an invalid (date|time) \(.*\)$",
            r"\1 contains an invalid \2",
        ),
        (
            rf"^(Data element {_NAME} {_REF}) is type (\w+), contains an invalid character\(.*\)$",
            r"\1 is type \2 and contains an invalid character",
        ),
        (
            rf"^(Data element {_NAME}) with a value of \(.*\) failed to match the regular "
            r'expression ("[^"]*")$',
            r"\1 failed to match the regular expression \2",
        ),
        (r"^\(.*\) is not a valid code for (.*) (\([A-Z0-9-]+\))$", r"Not a valid code for \1 \2"),
    )
)
# Values shorter than this are codes/qualifiers ("Y", "D8", "HC") and too likely to appear in
# pyx12's own wording to be scrubbed blindly; PHI values are longer.
_MIN_SCRUB = 4


def scrub(message: str, values: Iterable[str]) -> str:
    """One line of pyx12's message with element values removed (see module docstring)."""
    for pattern, replacement in _TEMPLATES:
        if pattern.match(message):
            message = pattern.sub(replacement, message, count=1)
            break
    # Belt and braces for wordings we do not know: drop any of the segment's own values.
    for value in sorted({v for v in values if len(v) >= _MIN_SCRUB}, key=len, reverse=True):
        if value in message:
            message = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", "(value)", message
            )
    return WS_RE.sub(" ", message).strip()


def segment_values(seg: Any) -> list[str]:
    """Element and component values of a pyx12 segment (for :func:`scrub`)."""
    try:
        text = str(seg.format())
        ele = str(seg.ele_term)
        sub = str(seg.subele_term)
    except Exception:  # pragma: no cover - defensive: scrubbing must never fail
        return []
    values: list[str] = []
    for element in text[:-1].split(ele)[1:]:
        values.append(element.strip())
        if sub and sub in element:
            values.extend(c.strip() for c in element.split(sub))
    return values


# --------------------------------------------------------------------------------------------
# 999 / TA1 codes for pyx12's error codes (after error_999.py / error_handler.py).

_IK3_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"}
)
_IK4_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13"}
    | {"I10", "I11", "I12", "I13", "I6", "I9"}
)
_ISA_ELEMENT_TA1: Final[dict[int, str]] = {
    1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008",
    9: "014", 10: "015", 11: "016", 12: "017", 13: "018", 14: "019", 15: "020", 16: "027",
}  # fmt: skip
_IEA_ELEMENT_TA1: Final[dict[int, str]] = {1: "021", 2: "018"}
_GS_ELEMENT_AK9: Final[dict[int, str]] = {6: "6", 8: "2"}
_GE_ELEMENT_AK9: Final[dict[int, str]] = {2: "6"}
_STSE_ELEMENT_IK5: Final[dict[int, str]] = {1: "6", 2: "7"}


def element_ack(seg_id: str, position: int, code: str) -> str:
    if seg_id == "ISA":
        return f"TA105={_ISA_ELEMENT_TA1.get(position, '')}".rstrip("=")
    if seg_id == "IEA":
        return f"TA105={_IEA_ELEMENT_TA1.get(position, '')}".rstrip("=")
    if seg_id in ("GS", "GE"):
        table = _GS_ELEMENT_AK9 if seg_id == "GS" else _GE_ELEMENT_AK9
        return f"AK905={table.get(position, '1')}"
    if seg_id in ("ST", "SE"):
        mapped = _STSE_ELEMENT_IK5.get(position)
        return f"IK502={mapped}" if mapped else ""
    return f"IK403={code}" if code in _IK4_CODES else ""


def segment_ack(code: str) -> str:
    if code in _IK3_CODES:
        return f"IK304={code}"
    if code == "SEG1":
        return "IK304=8"
    # pyx12's own codes (HL1, HL2, LX) get no IK3; the set is rejected with IK502=5.
    return "IK502=5"
