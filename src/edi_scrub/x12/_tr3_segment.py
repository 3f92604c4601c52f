"""Segment and element validation of the compiled validator (pyx12's ``is_valid_errors``).

A parsed segment is a plain list of element strings. Each element is checked the way pyx12's
``element_if`` / ``composite_if`` / ``segment_if`` check it, with the same codes and wording,
but: only positions present in the data are visited one by one (the required positions after
the last present one come from a precomputed list), control characters are looked for once per
segment, and values already found clean at an element are not validated again.
"""

from __future__ import annotations

import re
from typing import Final, cast

from pyx12 import validation as _v

from edi_scrub.x12._tr3_compile import CComposite, CElement, CNode

#: pyx12's "invalid control character" names, in the order pyx12 looks for them.
_CONTROL: Final = (
    ("\x07", "BEL"), ("\x09", "HT"), ("\x0a", "LF"), ("\x0b", "VT"), ("\x0c", "FF"),
    ("\x0d", "CR"), ("\x1c", "FS"), ("\x1d", "GS"), ("\x1e", "RS"), ("\x1f", "US"),
    ("\x01", "SOH"), ("\x02", "STX"), ("\x03", "ETX"), ("\x04", "EOT"), ("\x05", "ENQ"),
    ("\x06", "ACK"), ("\x11", "DC1"), ("\x12", "DC2"), ("\x13", "DC3"), ("\x14", "DC4"),
    ("\x15", "NAK"), ("\x16", "SYN"), ("\x17", "ETB"),
)  # fmt: skip
CONTROL_RE: Final = re.compile("[" + "".join(re.escape(c) for c, _ in _CONTROL) + "]")
_DATE_TYPES: Final = ("RD8", "DT", "D8", "D6")
_DTP_TYPES: Final = ("RD8", "D8", "D6", "DT", "TM")
_CLEAN_MAX: Final = 4096
_CHARSET: Final = "E"  # pyx12.params default


class EngineFailure(Exception):  # noqa: N818 - pyx12 raising EngineError mid-segment
    pass


#: (code, message, bad value, element or None for a segment-level error)
EleError = tuple[str, str, str | None, CElement | None]

_regex_cache: dict[str, re.Pattern[str]] = {}
_clean: dict[int, set[object]] = {}


def _regex(res: str) -> re.Pattern[str]:
    found = _regex_cache.get(res)
    if found is None:
        found = _regex_cache[res] = re.compile(res, re.S)
    return found


def _control(value: str) -> str | None:
    for c, name in _CONTROL:
        if c in value:
            return f"<{name}>"
    return None


def _head(el: CElement) -> str:
    # Built only when an element has an error (most values have none).
    return f'Data element "{el.name}" ({el.refdes})'


def element_errors(
    el: CElement, value: str, type_list: tuple[str | None, ...], icvn: str, ctrl: bool
) -> list[EleError]:
    """``element_if.is_valid_errors`` for a non-empty simple value."""
    if el.usage == "N":
        return [("10", f'Data element "{el.name}" ({el.refdes}) is marked as Not Used', None, el)]
    cache_key: object = (value, type_list) if type_list else value
    clean = _clean.get(id(el))
    if clean is not None and cache_key in clean and not ctrl:
        return []
    errors: list[EleError] = []
    dt = el.data_type
    numeric = bool(dt) and (dt == "R" or dt[0] == "N")
    measured = value.replace("-", "").replace(".", "") if numeric else value
    n = len(measured)
    if n < el.min_len:
        errors.append(
            (
                "4",
                f'{_head(el)} is too short: len("{value}") = {n} < {el.min_len} (min_len)',
                value,
                el,
            )
        )
    if n > el.max_len:
        errors.append(
            (
                "5",
                f'{_head(el)} is too long: len("{value}") = {n} > {el.max_len} (max_len)',
                value,
                el,
            )
        )
    if ctrl:
        bad = _control(value)
        if bad is not None:
            errors.append(
                ("6", f"{_head(el)}, contains an invalid control character({bad})", bad, el)
            )
            return errors
    if dt in ("AN", "ID") and value[-1] == " " and len(value.rstrip()) >= el.min_len:
        errors.append(("6", f"{_head(el)} has unnecessary trailing spaces. ({value})", value, el))
    if (el.codes or el.external is not None) and value not in el.codes:
        ok = False
        if el.external is not None:
            if el.external_missing:
                raise EngineFailure
            ok = el.external_codes is None or value in el.external_codes
        if not ok:
            errors.append(
                ("7", f"({value}) is not a valid code for {el.name} ({el.refdes})", value, el)
            )
    if dt in ("AN", "ID"):
        # IsValidDataType for these types is one search with pyx12's own character class
        # pattern (charset "E"); called directly, without its two layers of calls.
        bad_chars = (_v.rec_ID_E5 if icvn == "00501" else _v.rec_ID_E).search(value) is not None
    else:
        bad_chars = bool(dt) and not _v.IsValidDataType(value, dt, _CHARSET, icvn)
    if bad_chars:
        if dt in _DATE_TYPES:
            errors.append(("8", f"{_head(el)} contains an invalid date ({value})", value, el))
        elif dt == "TM":
            errors.append(("9", f"{_head(el)} contains an invalid time ({value})", value, el))
        else:
            errors.append(
                (
                    "6",
                    f"{_head(el)} is type {dt}, contains an invalid character({value})",
                    value,
                    el,
                )
            )
    if type_list:
        valid = False
        for t in type_list:
            if t is not None:
                valid |= _v.IsValidDataType(value, t, _CHARSET)
        if not valid:
            if "TM" in type_list:
                errors.append(("9", f"{_head(el)} contains an invalid time ({value})", value, el))
            elif any(t in type_list for t in _DATE_TYPES):
                errors.append(("8", f"{_head(el)} contains an invalid date ({value})", value, el))
    if el.regex is not None and not _regex(el.regex).search(value):
        errors.append(
            (
                "7",
                f'Data element "{el.name}" with a value of ({value}) failed to match the '
                f'regular expression "{el.regex}"',
                value,
                el,
            )
        )
    if not errors and not ctrl:
        if clean is None:
            clean = _clean[id(el)] = set()
        if len(clean) < _CLEAN_MAX:
            clean.add(cache_key)
    return errors


def _empty(el: CElement) -> list[EleError]:
    """``_validate_when_empty``."""
    if el.usage == "R" and (el.seq != 1 or not el.in_composite or el.composite_usage == "R"):
        return [("1", f'Mandatory data element "{el.name}" ({el.refdes}) is missing', None, el)]
    return []


def _simple(
    el: CElement,
    raw: str,
    sub: str | None,
    type_list: tuple[str | None, ...],
    icvn: str,
    ctrl: bool,
) -> list[EleError]:
    if sub is not None and sub in raw:
        # More than one component where a simple element is expected.
        shown = raw.rstrip(sub)
        return [("6", f'Data element "{el.name}" ({el.refdes}) is an invalid composite', shown, el)]
    if raw == "":
        return _empty(el)
    return element_errors(el, raw, type_list, icvn, ctrl)


def _composite(
    comp: CComposite, raw: str | None, sub: str | None, icvn: str, ctrl: bool
) -> list[EleError]:
    parts = (raw.split(sub) if sub is not None else [raw]) if raw is not None else None
    empty = parts is None or all(p == "" for p in parts)
    if empty and comp.usage in ("N", "S"):
        return []
    if comp.usage == "R" and empty:
        return [("1", f'Mandatory composite "{comp.name}" ({comp.refdes}) is missing', None, None)]
    assert parts is not None
    if comp.usage == "N" and not empty:
        return [("5", f'Composite "{comp.name}" ({comp.refdes}) is marked as Not Used', None, None)]
    errors: list[EleError] = []
    children = comp.children
    count = len(children)
    if len(parts) > count:
        errors.append(
            ("3", f'Too many sub-elements in composite "{comp.name}" ({comp.refdes})', None, None)
        )
    for i in range(min(len(parts), count)):
        value = parts[i]
        if value == "":
            errors += _empty(children[i])
        else:
            errors += element_errors(children[i], value, (), icvn, ctrl)
    for i in range(min(len(parts), count), count):
        errors += _empty(children[i])
    return errors


def overfull(node: CNode, elements: list[str], sub: str | None) -> list[tuple[int, int, int]]:
    """(position, allowed, found) of composites with more components than the map defines
    (pyx12 crashes with IndexError on these; see ``_pyx12._validate_segment``)."""
    out: list[tuple[int, int, int]] = []
    if sub is None:
        return out
    children = node.children
    for i in range(min(len(elements), len(children))):
        child = children[i]
        if isinstance(child, CComposite) and child.usage != "N":
            found = elements[i].count(sub) + 1
            if found > len(child.children):
                out.append((i + 1, len(child.children), found))
    return out


def value(elements: list[str], sub: str | None, pos: int, comp: int = 0) -> str | None:
    """``Segment.get_value``: ``pos`` 1-based, ``comp`` 1-based or 0 for the whole element."""
    if pos > len(elements):
        return None
    raw = elements[pos - 1]
    if comp == 0:
        return raw.rstrip(sub) if sub is not None else raw
    parts = raw.split(sub) if sub is not None else [raw]
    return parts[comp - 1] if comp <= len(parts) else None


def _syntax(seg_id: str, elements: list[str], sub: str | None, syn: list[object]) -> str | None:
    """``pyx12.syntax.is_syntax_valid``: the error text, or None."""
    from pyx12.syntax import syntax_ele_id_str, syntax_str  # noqa: PLC0415 - cheap, cached

    code = syn[0]
    idx = [int(str(s)) for s in syn[1:]]
    n = len(elements)

    def present(s: int) -> bool:
        return n >= s and value(elements, sub, s) != ""

    if len(syn) < 3:
        return f"Syntax string must have at least two comparators {syntax_str(syn)}"
    if code == "P":
        count = sum(1 for s in idx if present(s))
        if count not in (0, len(idx)):
            return (
                f"Syntax Error ({syntax_str(syn)}): If any of "
                f"{syntax_ele_id_str(seg_id, idx)} is present, then all are required"
            )
        return None
    if code == "R":
        if not any(present(s) for s in idx):
            return f"Syntax Error ({syntax_str(syn)}): At least one element is required"
        return None
    if code == "E":
        if sum(1 for s in idx if present(s)) > 1:
            return (
                f"Syntax Error ({syntax_str(syn)}): At most one of "
                f"{syntax_ele_id_str(seg_id, idx)} may be present"
            )
        return None
    if code == "C":
        if present(idx[0]):
            count = sum(1 for s in idx[1:] if present(s))
            if count != len(idx) - 1:
                verb = "are" if len(idx[1:]) > 1 else "is"
                return (
                    f"Syntax Error ({syntax_str(syn)}): If {seg_id}{idx[0]:02d} is present, "
                    f"then {syntax_ele_id_str(seg_id, idx[1:])} {verb} required"
                )
        return None
    if code == "L":
        if (
            n > idx[0] - 1
            and value(elements, sub, idx[0]) != ""
            and not any(present(s) for s in idx[1:])
        ):
            return (
                f"Syntax Error ({syntax_str(syn)}): If {seg_id}{idx[0]:02d} is present, "
                f"then at least one of {syntax_ele_id_str(seg_id, idx[1:])} is required"
            )
        return None
    return f"Syntax Type {syntax_str(syn)} Not Found"


def segment_errors(
    node: CNode, seg_id: str, elements: list[str], sub: str | None, icvn: str, ctrl: bool
) -> list[EleError]:
    """``segment_if.is_valid_errors`` (no overfull composites: see :func:`overfull`)."""
    errors: list[EleError] = []
    children = node.children
    count = len(children)
    n = len(elements)
    if n > count:
        errors.append(
            (
                "3",
                f'Too many elements in segment "{node.name}" ({seg_id}). Has {n}, '
                f"should have {count}",
                value(elements, sub, count + 1),
                None,
            )
        )
    dtype: tuple[str | None, ...] = ()
    type_list: list[str | None] = []
    is_dtp = seg_id == "DTP"
    for i in range(min(n, count)):
        child = children[i]
        raw = elements[i]
        if isinstance(child, CComposite):
            errors += _composite(child, raw, sub, icvn, ctrl)
            continue
        if i == 1 and is_dtp:
            v2 = value(elements, sub, 2)
            if v2 in _DTP_TYPES:
                dtype = (v2,)
        if child.data_ele == "1250":
            type_list.extend(child.code_list)
        if i == 2 and is_dtp:
            errors += _simple(child, raw, sub, dtype, icvn, ctrl)
        elif child.data_ele == "1251" and type_list:
            errors += _simple(child, raw, sub, tuple(type_list), icvn, ctrl)
        else:
            errors += _simple(child, raw, sub, (), icvn, ctrl)
    for i in range(min(n, count), count):
        child = children[i]
        if isinstance(child, CComposite):
            errors += _composite(child, None, sub, icvn, ctrl)
        else:
            errors += _empty(child)
    for syn in node.syntax:
        text = _syntax(seg_id, elements, sub, syn)
        if text is not None:
            errors.append(("10" if syn[0] == "E" else "2", text, None, None))
    return errors


# --------------------------------------------------------------------------------------------
# The fast path: a segment whose shape is known clean and whose values are all clean.

#: A value to check: (element index, component index or -1, element, type-list kind, the
#: element's set of values already found clean, quick check, its pattern) where the kind is ()
#: for none, a tuple of types (1251 after 1250) or _DTP for DTP03 (from DTP02); the quick check
#: is one of _GENERAL, _TEXT, _NUMBER (see :func:`_quick_check`).
Slot = tuple[int, int, CElement, object, set[object], int, "re.Pattern[str] | None"]
_DTP: Final = "DTP"
#: Quick checks of a value not yet in the element's clean set, for the elements most unique
#: values go to (ids, names, addresses, amounts). Each says "no error" exactly when
#: :func:`element_errors` would find none, without its calls and message building; anything
#: else (codes, regexes, dates, type lists, Not Used) takes the general path.
_GENERAL, _TEXT, _NUMBER = 0, 1, 2


def _quick_check(el: CElement, icvn: str) -> tuple[int, re.Pattern[str] | None]:
    """The quick check for ``el`` (in a map of version ``icvn``) and the pattern it uses."""
    if el.usage == "N" or el.codes or el.external is not None or el.regex is not None:
        return _GENERAL, None
    dt = el.data_type
    if dt in ("AN", "ID"):
        # element_errors' character check for these types (the same pattern object).
        return _TEXT, _v.rec_ID_E5 if icvn == "00501" else _v.rec_ID_E
    if dt == "R":
        return _NUMBER, _v.rec_R  # IsValidDataType -> match_re("R")
    if dt and dt[0] == "N":
        return _NUMBER, _v.rec_N  # IsValidDataType -> match_re("N")
    return _GENERAL, None


def _quick_ok(el: CElement, value: str, check: int, pattern: re.Pattern[str] | None) -> bool:
    """True only when :func:`element_errors` (no type list, no control character) finds no
    error in the non-empty ``value``: its length, trailing-space and character checks,
    spelled out for the two kinds of :func:`_quick_check`."""
    if pattern is None:
        return False
    if check == _TEXT:
        n = len(value)
        return (
            el.min_len <= n <= el.max_len
            and (value[-1] != " " or len(value.rstrip()) < el.min_len)
            and pattern.search(value) is None
        )
    if check == _NUMBER:
        n = len(value.replace("-", "").replace(".", ""))
        if not el.min_len <= n <= el.max_len:
            return False
        m = pattern.search(value)
        return m is not None and m.group(0) == value
    return False


#: Per (segment node, shape key): the shape key is the skeleton text, or for a segment without
#: components the tuple of which elements are present (the same information).
_SHAPES: dict[tuple[int, object], tuple[Slot, ...] | None] = {}
_SHAPES_MAX: Final = 50000
#: "Shape not seen yet" for ``_SHAPES.get`` (a unique object, compared by identity).
_UNKNOWN: Final = cast("tuple[Slot, ...]", (object(),))
_SKELETONS: dict[tuple[str, str | None], re.Pattern[str]] = {}


def skeleton_re(ele: str, sub: str | None) -> re.Pattern[str]:
    """Matches runs of data: ``NM1*85*2*X****XX*1`` -> ``x*x*x*x****x*x``."""
    found = _SKELETONS.get((ele, sub))
    if found is None:
        chars = re.escape(ele) + (re.escape(sub) if sub else "")
        found = _SKELETONS[(ele, sub)] = re.compile(f"[^{chars}]+")
    return found


def _shape(
    node: CNode, seg_id: str, elements: list[str], sub: str | None, icvn: str
) -> tuple[Slot, ...] | None:
    """The values a segment of this shape needs checked, or None if its shape has errors.

    Everything but the values themselves (element count, which elements and components are
    present, syntax rules) depends only on the shape, i.e. on the segment's skeleton."""
    children = node.children
    count = len(children)
    n = len(elements)
    if n > count or overfull(node, elements, sub):
        return None
    slots: list[Slot] = []
    type_list: list[str | None] = []
    for i in range(n):
        child = children[i]
        raw = elements[i]
        if isinstance(child, CComposite):
            parts = raw.split(sub) if sub is not None else [raw]
            empty = all(p == "" for p in parts)
            if empty and child.usage in ("N", "S"):
                continue
            if empty or child.usage == "N" or len(parts) > len(child.children):
                return None
            for j, part in enumerate(parts):
                if part == "":
                    if _empty(child.children[j]):
                        return None
                else:
                    comp = child.children[j]
                    clean = _clean.setdefault(id(comp), set())
                    slots.append((i, j, comp, (), clean, *_quick_check(comp, icvn)))
            for j in range(len(parts), len(child.children)):
                if _empty(child.children[j]):
                    return None
            continue
        if child.data_ele == "1250":
            type_list.extend(child.code_list)
        if sub is not None and sub in raw:
            return None
        if raw == "":
            if _empty(child):
                return None
            continue
        if i == 2 and seg_id == "DTP":
            kind: object = _DTP
        elif child.data_ele == "1251" and type_list:
            kind = tuple(type_list)
        else:
            kind = ()
        clean = _clean.setdefault(id(child), set())
        slots.append((i, -1, child, kind, clean, *_quick_check(child, icvn)))
    for i in range(n, count):
        child = children[i]
        if isinstance(child, CComposite):
            if _composite(child, None, sub, "", False):
                return None
        elif _empty(child):
            return None
    for syn in node.syntax:
        if _syntax(seg_id, elements, sub, syn) is not None:
            return None
    return tuple(slots)


def clean_fast(
    node: CNode, seg_id: str, skeleton: object, elements: list[str], sub: str | None, icvn: str
) -> bool:
    """True when the segment certainly has no element or segment errors (no control
    characters: the caller checks those first). False means: validate it the full way."""
    key = (id(node), skeleton)
    slots = _SHAPES.get(key, _UNKNOWN)
    if slots is _UNKNOWN:
        slots = _shape(node, seg_id, elements, sub, icvn)
        if len(_SHAPES) < _SHAPES_MAX:
            _SHAPES[key] = slots
    if slots is None:
        return False
    for i, j, el, kind, found, check, pattern in slots:
        raw = elements[i]
        v = raw if j < 0 or sub is None else raw.split(sub)[j]
        type_list: tuple[str | None, ...] = ()
        if kind == ():
            if v in found:
                continue
            if check and _quick_ok(el, v, check, pattern):
                if len(found) < _CLEAN_MAX:
                    found.add(v)  # as element_errors does with a clean value
                continue
        elif kind is _DTP:
            dtp02 = value(elements, sub, 2)
            type_list = (dtp02,) if dtp02 in _DTP_TYPES else ()
        elif isinstance(kind, tuple):
            type_list = kind
        if element_errors(el, v, type_list, icvn, False):
            return False
    return True
