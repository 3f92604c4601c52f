"""Payer profiles: ``maps/payers/*.xml`` loaded into :class:`~edi_scrub.policy.PayerPolicy` objects.

One profile per file, validated against the bundled ``payers.xsd``; this loader adds what XSD 1.0
cannot say (a JW date only with ``required``/``denied``, JZ accepted no later than it is required,
a rolling limit with its window, overrides that name a known claim rule) and what needs every
profile at once: unique ids within a maps directory, exactly one default, and no two profiles
claiming the same payer id / filing indicator at the same specificity (which would make the
choice depend on file order).

Layering: :func:`load_payer_profiles` reads the directories in order and a later directory's
profile replaces an earlier one with the same id, so a user's ``--maps DIR`` wins over the bundled
maps. A replacement replaces the whole profile: copy the bundled file and edit the copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from edi_scrub.errors import ConfigError
from edi_scrub.maps._xml import ElementReader, line_of, load
from edi_scrub.policy import JwPolicy, LimitPeriod, Mue, PayerPolicy, QuantityLimit

PAYERS_DIR = "payers"
PAYERS_XSD = "payers.xsd"


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A profile and where it was read, for errors that only layering can find."""

    policy: PayerPolicy
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def load_payer_profile(path: Path) -> PayerPolicy:
    """Load and validate one profile file. Raises :class:`ConfigError` ("file:line: problem")."""
    return _load(path).policy


def load_payer_profiles(*maps_dirs: Path) -> tuple[PayerPolicy, ...]:
    """Profiles of ``maps_dirs``' ``payers/*.xml``, later directories replacing earlier ids.

    A directory without ``payers/`` contributes nothing. After layering exactly one profile must
    be the default and no two may match the same claims equally well. Profiles come back sorted
    by id (the default included).
    """
    layered: dict[str, _Loaded] = {}
    for folder in maps_dirs:
        for loaded in _load_dir(folder / PAYERS_DIR):
            layered[loaded.policy.id] = loaded
    profiles = sorted(layered.values(), key=lambda p: p.policy.id)
    _check_default(profiles, maps_dirs)
    _check_unambiguous(profiles)
    return tuple(p.policy for p in profiles)


def with_mue_table(policy: PayerPolicy, table: Mapping[str, Mue]) -> PayerPolicy:
    """``policy`` with the imported MUE ``table`` under its own MUE values (the profile's win)."""
    if not table:
        return policy
    return replace(policy, mue=MappingProxyType({**table, **policy.mue}))


# ---------------------------------------------------------------------------- files


def _load_dir(folder: Path) -> list[_Loaded]:
    if not folder.is_dir():
        return []
    seen: dict[str, _Loaded] = {}
    for path in sorted(folder.glob("*.xml")):
        loaded = _load(path)
        first = seen.get(loaded.policy.id)
        if first is not None:
            raise ConfigError(
                f"{loaded.where}: duplicate payer profile id {loaded.policy.id!r} "
                f"(also in {first.where})"
            )
        seen[loaded.policy.id] = loaded
    return list(seen.values())


def _load(path: Path) -> _Loaded:
    root = load(path, PAYERS_XSD)
    return _Loaded(_Builder(path).build(root), path, line_of(root))


# ---------------------------------------------------------------------------- whole-set checks


def _check_default(profiles: Sequence[_Loaded], maps_dirs: Sequence[Path]) -> None:
    defaults = [p for p in profiles if p.policy.default]
    if len(defaults) > 1:
        first, second = defaults[0], defaults[1]
        raise ConfigError(
            f"{second.where}: payer profile {second.policy.id!r} is a second default "
            f'(so is {first.policy.id!r} in {first.where}); exactly one may say default="true"'
        )
    if not defaults:
        where = profiles[-1].path.parent if profiles else (maps_dirs[-1] if maps_dirs else "")
        raise ConfigError(
            f'{where}: no default payer profile: exactly one profile must say default="true" '
            "(a user profile replacing commercial-default must keep it)"
        )


def _match_keys(policy: PayerPolicy) -> set[tuple[str, str]]:
    """What the profile claims, as (payer id, filing indicator); "" = any."""
    payers = policy.payer_ids or ("",)
    indicators = policy.filing_indicators or ("",)
    if not policy.payer_ids and not policy.filing_indicators:
        return set()
    return {(p, f) for p in payers for f in indicators}


def _check_unambiguous(profiles: Sequence[_Loaded]) -> None:
    owner: dict[tuple[str, str], _Loaded] = {}
    for loaded in profiles:
        for key in sorted(_match_keys(loaded.policy)):
            other = owner.get(key)
            if other is not None:
                what = " and ".join(
                    part
                    for part in (
                        f"payer id {key[0]}" if key[0] else "",
                        f"filing indicator {key[1]}" if key[1] else "",
                    )
                    if part
                )
                raise ConfigError(
                    f"{loaded.where}: payer profiles {other.policy.id!r} ({other.where}) and "
                    f"{loaded.policy.id!r} both match {what}; make one of them more specific"
                )
            owner[key] = loaded


# ---------------------------------------------------------------------------- building


def _known_claim_rules() -> frozenset[str]:
    # Imported late: the rule modules import the drug map, and loading maps must not depend
    # on import order.
    from edi_scrub.rules import all_rules  # noqa: PLC0415

    return frozenset(r.meta.id for r in all_rules() if r.check is not None)


class _Builder(ElementReader):
    """Turns a schema-valid profile into a :class:`PayerPolicy`, checking what XSD cannot."""

    def build(self, root: etree._Element) -> PayerPolicy:
        payer_ids, indicators = self.match(root.find("match"))
        jw, jw_from = self.jw(root.find("jw"))
        jz_required, jz_accepted = self.jz(root.find("jz"))
        ndc = root.find("ndc")
        unit, precision = self.drug_quantity(root.find("drug-quantity"))
        date_span = root.find("date-span")
        return PayerPolicy(
            id=self.required(root, "id"),
            name=self.required(root, "name"),
            payer_ids=payer_ids,
            filing_indicators=indicators,
            jw=jw,
            jw_from=jw_from,
            jz_required_from=jz_required,
            jz_accepted_from=jz_accepted,
            ndc_required=bool(ndc is not None and self.bool_attr(ndc, "required")),
            preferred_ctp_unit=unit,
            ctp_precision=precision,
            prior_auth_codes=self.codes(root.iterchildren("prior-auth")),
            quantity_limits=self.limits(root.iterchildren("quantity-limit")),
            kx_required_codes=self.codes(root.iterchildren("kx")),
            single_date_lines=bool(
                date_span is not None and self.bool_attr(date_span, "single-date")
            ),
            mue=self.mue(root.iterchildren("mue")),
            dose_per_kg_range=self.dose_per_kg(root.iterchildren("dose-per-kg")),
            severity_overrides=self.severities(root.iterchildren("severity")),
            default=bool(self.bool_attr(root, "default")),
        )

    def match(self, el: etree._Element | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if el is None:
            return (), ()
        payers = tuple(self.required(p, "value") for p in el.iterchildren("payer-id"))
        indicators = tuple(self.required(f, "value") for f in el.iterchildren("filing-indicator"))
        return payers, indicators

    def jw(self, el: etree._Element | None) -> tuple[JwPolicy, date | None]:
        if el is None:
            return JwPolicy.ALLOWED, None
        policy = JwPolicy(self.required(el, "policy"))
        start = self.date_attr(el, "from")
        if start is not None and policy is JwPolicy.ALLOWED:
            raise self.fail(el, "jw: a from date goes with policy required or denied, not allowed")
        return policy, start

    def jz(self, el: etree._Element | None) -> tuple[date | None, date | None]:
        if el is None:
            return None, None
        required = self.date_attr(el, "required-from")
        accepted = self.date_attr(el, "accepted-from")
        if required is None and accepted is None:
            raise self.fail(el, "jz: give required-from, accepted-from or both")
        if required is not None and accepted is not None and accepted > required:
            raise self.fail(el, f"jz: accepted-from {accepted} is after required-from {required}")
        return required, accepted

    def drug_quantity(self, el: etree._Element | None) -> tuple[str | None, int | None]:
        if el is None:
            return None, None
        unit, precision = self.attr(el, "preferred-unit"), self.int_attr(el, "precision")
        if unit is None and precision is None:
            raise self.fail(el, "drug-quantity: give preferred-unit, precision or both")
        return unit, precision

    def codes(self, elements: Iterable[etree._Element]) -> frozenset[str]:
        return frozenset(self.required(el, "code") for el in elements)

    def limits(self, elements: Iterable[etree._Element]) -> tuple[QuantityLimit, ...]:
        found: dict[tuple[str, LimitPeriod, int], QuantityLimit] = {}
        for el in elements:
            code = self.required(el, "code")
            period = LimitPeriod(self.required(el, "per"))
            days = self.int_attr(el, "days")
            if period is LimitPeriod.ROLLING and days is None:
                raise self.fail(el, f'quantity-limit {code}: per="rolling" needs days')
            if period is not LimitPeriod.ROLLING and days is not None:
                raise self.fail(el, f'quantity-limit {code}: days goes only with per="rolling"')
            limit = QuantityLimit(
                code=code,
                units=int(self.required(el, "units")),
                period=period,
                days=days or 1,
                source=self.required(el, "source"),
            )
            key = (code, period, limit.days)
            if key in found:
                raise self.fail(el, f"quantity-limit {code} per {period} listed twice")
            found[key] = limit
        return tuple(found.values())

    def mue(self, elements: Iterable[etree._Element]) -> Mapping[str, Mue]:
        table = {
            (code := self.required(el, "code")): Mue(
                code, int(self.required(el, "value")), int(self.required(el, "mai"))
            )
            for el in elements
        }
        return MappingProxyType(table)

    def dose_per_kg(
        self, elements: Iterable[etree._Element]
    ) -> Mapping[str, tuple[Decimal, Decimal]]:
        ranges: dict[str, tuple[Decimal, Decimal]] = {}
        for el in elements:
            code = self.required(el, "code")
            low, high = Decimal(self.required(el, "min")), Decimal(self.required(el, "max"))
            if low > high:
                raise self.fail(el, f"dose-per-kg {code}: min {low} is greater than max {high}")
            ranges[code] = (low, high)
        return MappingProxyType(ranges)

    def severities(self, elements: Iterable[etree._Element]) -> Mapping[str, str]:
        overrides: dict[str, str] = {}
        for el in elements:
            rule = self.required(el, "rule")
            if rule not in _known_claim_rules():
                raise self.fail(
                    el,
                    f"severity: {rule} is not a claim rule (see `edi-scrub rules`; the X12 "
                    "rules are file-level and cannot be overridden per payer)",
                )
            overrides[rule] = self.required(el, "level")
        return MappingProxyType(overrides)
