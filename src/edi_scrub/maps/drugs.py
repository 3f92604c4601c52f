"""The drug map: which HCPCS codes are drug lines, and which NDC packages belong to them.

``maps/drugs.xml`` lists each clotting-factor HCPCS code with its descriptor, billing unit,
validity dates, single-dose flag, label limits (minimum age, maximum IU per infusion) and
indications, and under each code the NDC packages billed with it: 11-digit claim NDC, label NDC,
kind (kit to bill, inner vial or diluent not to bill), nominal IU and the actual-potency range
printed per vial. NDCs whose product is known but whose code is not sit in ``<unassigned>``.

Why XML and not Python: these are facts with sources, not logic. They change with CMS quarterly
files and manufacturers' labels, users extend them from crosswalks without touching code, and
every entry must be checkable on its own: ``drugs.xsd`` enforces types, formats and uniqueness,
and this loader adds what XSD 1.0 cannot say (``potency-min <= potency-max``, a label NDC that
converts to its claim NDC, an outer kit that is a kit). An absent attribute means *unknown*:
rules check only what the map states.

ICD-10-CM codes are stored without the dot (``D68311``), as the claim's HI segment carries them.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Protocol, cast

from lxml import etree

from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir

DRUGS_XML = "drugs.xml"
DRUGS_XSD = "drugs.xsd"


class PackageKind(StrEnum):
    KIT = "kit"  # outer carton / kit: the NDC to bill
    VIAL = "vial"  # inner vial: bill its outer kit instead
    DILUENT = "diluent"  # never billable


class CodeCategory(StrEnum):
    SPECIFIC = "specific"
    NOS = "nos"  # catch-all of a family (J7192, J7195)
    NOC = "noc"  # not otherwise classified (J7199): drug name + IU in NTE


class Family(StrEnum):
    FACTOR_VIII = "factor-viii"
    FACTOR_IX = "factor-ix"
    CLOTTING_FACTOR = "clotting-factor"  # not tied to one factor (J7199)


class BillingUnit(StrEnum):
    IU = "iu"
    FVIII_IU = "fviii-iu"
    VWF_RCO_IU = "vwf-rco-iu"  # Humate-P (J7187)


@dataclass(frozen=True, slots=True)
class NdcPackage:
    """One NDC package. ``code`` is None for an NDC whose product has no known HCPCS code."""

    ndc: str
    label_ndc: str
    code: str | None
    product: str
    kind: PackageKind
    nominal_iu: int | None
    potency_min: int | None
    potency_max: int | None
    outer_kit: str | None
    source: str


@dataclass(frozen=True, slots=True)
class DrugCode:
    """One HCPCS drug code. ``None`` / empty means the map does not know, not "no limit"."""

    code: str
    descriptor: str
    product: str | None
    family: Family
    billing_unit: BillingUnit | None
    category: CodeCategory
    effective: date | None = None
    effective_not_before_year: int | None = None
    terminated: date | None = None
    single_dose: bool | None = None
    min_age_years: int | None = None
    max_iu_per_infusion: int | None = None
    indicated_dx: tuple[str, ...] = ()
    not_indicated_dx: tuple[str, ...] = ()
    packages: tuple[NdcPackage, ...] = ()
    replaces: str | None = None

    def not_valid_before(self) -> date | None:
        """No date of service before this can validly carry the code (None = unknown).

        The exact ``effective`` date when sourced, else 1 January of the not-before year. In the
        second case the code may have started later in that year, so this is a lower bound only.
        """
        if self.effective is not None:
            return self.effective
        if self.effective_not_before_year is not None:
            return date(self.effective_not_before_year, 1, 1)
        return None


@dataclass(frozen=True, slots=True)
class DrugCatalog:
    """Drug codes by HCPCS and packages by 11-digit NDC (unassigned NDCs included)."""

    codes: Mapping[str, DrugCode]
    packages: Mapping[str, NdcPackage]

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", MappingProxyType(dict(self.codes)))
        object.__setattr__(self, "packages", MappingProxyType(dict(self.packages)))

    def code(self, hcpcs: str) -> DrugCode | None:
        return self.codes.get(hcpcs)

    def package(self, ndc: str) -> NdcPackage | None:
        return self.packages.get(ndc)

    def is_drug_code(self, hcpcs: str) -> bool:
        return hcpcs in self.codes

    def merged(self, other: DrugCatalog) -> DrugCatalog:
        """Layer ``other`` over this catalog: its codes win by HCPCS, its packages by NDC.

        Each code's ``packages`` is rebuilt from the merged packages, so a user map that only
        adds NDCs under a bundled code (say Jivi kits under J7208) extends that code.
        """
        codes = {**self.codes, **other.codes}
        packages = {**self.packages, **other.packages}
        by_code: dict[str, list[NdcPackage]] = {}
        for pkg in packages.values():
            if pkg.code is not None:
                by_code.setdefault(pkg.code, []).append(pkg)
        rebuilt = {
            hcpcs: replace(drug, packages=tuple(by_code.get(hcpcs, ())))
            for hcpcs, drug in codes.items()
        }
        return DrugCatalog(codes=rebuilt, packages=packages)


def load_drug_catalog(path: Path | None = None) -> DrugCatalog:
    """Load and validate a drug map; the bundled ``maps/drugs.xml`` when ``path`` is None.

    ``path`` may be a map file or a maps directory holding ``drugs.xml``. Every map is validated
    against the bundled ``drugs.xsd``. Raises :class:`ConfigError` ("<file>:<line>: <problem>").
    """
    if path is None:
        return _bundled_catalog()
    if path.is_dir():
        path = path / DRUGS_XML
    return _load(path)


@functools.cache
def _bundled_catalog() -> DrugCatalog:
    return _load(bundled_maps_dir() / DRUGS_XML)


# ---------------------------------------------------------------------------- XML and XSD


def _parser() -> etree.XMLParser:
    # No entity expansion, no network, no DTD loading: a map is data, never a fetch.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _LogEntry(Protocol):  # lxml-stubs leave _ErrorLog and its entries untyped
    line: int
    message: str


def _first_error(log: object) -> _LogEntry | None:
    return next(iter(cast("Iterable[_LogEntry]", log)), None)


def _line(el: etree._Element) -> int:
    return cast("int | None", el.sourceline) or 0


def _parse(path: Path) -> etree._ElementTree:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read map: {exc.strerror or exc}") from None
    try:
        tree = etree.parse(io.BytesIO(data), _parser())
    except etree.XMLSyntaxError as exc:
        line, _column = exc.position
        raise ConfigError(f"{path}:{line}: not well-formed XML: {_one_line(exc.msg)}") from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        # Validating a tree with unexpanded entity nodes is undefined in libxml2, and no map
        # needs a DTD: refuse it outright.
        line = data[: max(data.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: a DOCTYPE is not allowed in a map (no entities)")
    return tree


@functools.cache
def _drug_schema() -> etree.XMLSchema:
    xsd = bundled_maps_dir() / DRUGS_XSD
    try:
        return etree.XMLSchema(_parse(xsd))
    except etree.XMLSchemaParseError as exc:
        entry = _first_error(exc.error_log)
        line = entry.line if entry is not None else 0
        raise ConfigError(f"{xsd}:{line}: invalid schema: {_one_line(str(exc))}") from None


def _validate(tree: etree._ElementTree, path: Path) -> None:
    schema = _drug_schema()
    try:
        valid = schema.validate(tree)
    except etree.Error as exc:
        raise ConfigError(f"{path}:0: cannot validate map: {_one_line(str(exc))}") from None
    if not valid:
        entry = _first_error(schema.error_log)
        line, message = (entry.line, entry.message) if entry else (0, "invalid map")
        raise ConfigError(f"{path}:{line}: {_one_line(message)}")


def _load(path: Path) -> DrugCatalog:
    tree = _parse(path)
    _validate(tree, path)
    return _Builder(path).build(tree.getroot())


# ---------------------------------------------------------------------------- building


def _text(el: etree._Element) -> str:
    # Simple content may be split by comments; the schema allows no other children.
    parts = [el.text or ""] + [child.tail or "" for child in el]
    return _one_line("".join(parts))


def _claim_ndc(label_ndc: str) -> str:
    """Hyphenated label NDC -> 11-digit 5-4-2 claim NDC: pad each short segment with a zero."""
    labeler, product, package = label_ndc.split("-")
    return labeler.zfill(5) + product.zfill(4) + package.zfill(2)


class _Builder:
    """Turns a schema-valid tree into a catalog, checking what the schema cannot."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.codes: dict[str, DrugCode] = {}
        self.packages: dict[str, NdcPackage] = {}
        self.lines: dict[str, int] = {}

    def fail(self, el: etree._Element, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}:{_line(el)}: {problem}")

    def attr(self, el: etree._Element, name: str) -> str | None:
        value = el.get(name)
        return None if value is None else _one_line(value)

    def required(self, el: etree._Element, name: str) -> str:
        value = self.attr(el, name)
        if value is None:  # the schema requires it; guards maps built without it
            raise self.fail(el, f"{el.tag}: missing attribute {name}")
        return value

    def int_attr(self, el: etree._Element, name: str) -> int | None:
        value = self.attr(el, name)
        return None if value is None else int(value)

    def date_attr(self, el: etree._Element, name: str) -> date | None:
        value = self.attr(el, name)
        return None if value is None else date.fromisoformat(value)

    def build(self, root: etree._Element) -> DrugCatalog:
        for el in root.iterchildren("code"):
            drug = self.code(el)
            self.codes[drug.code] = drug
        for unassigned in root.iterchildren("unassigned"):
            for el in unassigned.iterchildren("package"):
                self.package(el, code=None, default_product="")
        self.check_outer_kits()
        return DrugCatalog(codes=self.codes, packages=self.packages)

    def code(self, el: etree._Element) -> DrugCode:
        hcpcs = self.required(el, "id")
        effective = self.date_attr(el, "effective")
        not_before = self.int_attr(el, "effective-not-before-year")
        terminated = self.date_attr(el, "terminated")
        if effective is not None and not_before is not None:
            raise self.fail(
                el, f"code {hcpcs}: give effective or effective-not-before-year, not both"
            )
        start = effective or (date(not_before, 1, 1) if not_before is not None else None)
        if terminated is not None and start is not None and terminated < start:
            raise self.fail(el, f"code {hcpcs}: terminated {terminated} is before it took effect")

        indicated = self.dx_list(el, "indicated")
        not_indicated = self.dx_list(el, "not-indicated")
        both = sorted(set(indicated) & set(not_indicated))
        if both:
            raise self.fail(el, f"code {hcpcs}: {both[0]} is both indicated and not indicated")

        descriptor_el = el.find("descriptor")
        if descriptor_el is None:  # the schema requires it; guards maps built without it
            raise self.fail(el, f"code {hcpcs}: no descriptor")
        descriptor = _text(descriptor_el)
        product_el = el.find("product")
        product = _text(product_el) if product_el is not None else None
        single_dose = self.attr(el, "single-dose")
        packages = tuple(
            self.package(p, code=hcpcs, default_product=product or descriptor)
            for p in el.iterchildren("package")
        )
        billing_unit = self.attr(el, "billing-unit")
        return DrugCode(
            code=hcpcs,
            descriptor=descriptor,
            product=product,
            family=Family(self.required(el, "family")),
            billing_unit=BillingUnit(billing_unit) if billing_unit is not None else None,
            category=CodeCategory(self.required(el, "category")),
            effective=effective,
            effective_not_before_year=not_before,
            terminated=terminated,
            single_dose=None if single_dose is None else single_dose in ("true", "1"),
            min_age_years=self.int_attr(el, "min-age-years"),
            max_iu_per_infusion=self.int_attr(el, "max-iu-per-infusion"),
            indicated_dx=indicated,
            not_indicated_dx=not_indicated,
            packages=packages,
            replaces=self.attr(el, "replaces"),
        )

    def dx_list(self, code_el: etree._Element, tag: str) -> tuple[str, ...]:
        found: list[str] = []
        for el in code_el.iterchildren(tag):
            dx = (self.attr(el, "dx") or "").replace(".", "")
            if dx in found:
                raise self.fail(el, f"diagnosis {dx} listed twice")
            found.append(dx)
        return tuple(found)

    def package(self, el: etree._Element, code: str | None, default_product: str) -> NdcPackage:
        ndc = self.required(el, "ndc")
        label = self.required(el, "label-ndc")
        kind = PackageKind(self.required(el, "kind"))
        nominal = self.int_attr(el, "nominal-iu")
        low = self.int_attr(el, "potency-min")
        high = self.int_attr(el, "potency-max")
        outer = self.attr(el, "outer-kit")
        where = f"package {ndc}"
        if _claim_ndc(label) != ndc:
            raise self.fail(
                el, f"{where}: label-ndc {label} converts to {_claim_ndc(label)}, not {ndc}"
            )
        if (low is None) != (high is None):
            raise self.fail(el, f"{where}: give both potency-min and potency-max, or neither")
        if low is not None and high is not None and low > high:
            raise self.fail(el, f"{where}: potency-min {low} is greater than potency-max {high}")
        if kind is PackageKind.DILUENT and (nominal is not None or low is not None):
            raise self.fail(el, f"{where}: a diluent has no nominal-iu or potency")
        if outer is not None and kind is PackageKind.KIT:
            raise self.fail(el, f"{where}: a kit has no outer-kit (only vials and diluents do)")
        pkg = NdcPackage(
            ndc=ndc,
            label_ndc=label,
            code=code,
            product=self.attr(el, "product") or default_product,
            kind=kind,
            nominal_iu=nominal,
            potency_min=low,
            potency_max=high,
            outer_kit=outer,
            source=self.required(el, "source"),
        )
        self.packages[ndc] = pkg
        self.lines[ndc] = _line(el)
        return pkg

    def check_outer_kits(self) -> None:
        # The schema's keyref already ties outer-kit to an NDC of the file; this adds "is a kit
        # of the same code", and guards maps built without the schema.
        for pkg in self.packages.values():
            if pkg.outer_kit is None:
                continue
            line = self.lines[pkg.ndc]
            kit = self.packages.get(pkg.outer_kit)
            if kit is None:
                problem = f"outer-kit {pkg.outer_kit} is not a package of this map"
            elif kit.kind is not PackageKind.KIT:
                problem = f"outer-kit {pkg.outer_kit} is a {kit.kind}, not a kit"
            elif kit.code != pkg.code:
                problem = f"outer-kit {pkg.outer_kit} is billed under {kit.code}, not {pkg.code}"
            else:
                continue
            raise ConfigError(f"{self.path}:{line}: package {pkg.ndc}: {problem}")
