"""The drug map: which HCPCS codes are drug lines, and which NDC packages belong to them.

``maps/drugs.xml`` lists each clotting-factor HCPCS code with its descriptor, billing unit,
validity dates, single-dose flag, label limits (minimum age, maximum IU per infusion) and
indications, and under each code the NDC packages billed with it: 11-digit claim NDC, label NDC,
kind (kit to bill, inner vial or diluent not to bill), nominal IU and the actual-potency range
printed per vial. NDCs whose product is known but whose code is not sit in ``<unassigned>``.
A user map may add NDCs to a code of the bundled map in a ``<packages code="...">`` block
without restating the code (see :meth:`DrugCatalog.merged`); that is what
``edi-scrub maps import-crosswalk`` writes.

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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.maps._xml import ElementReader, line_of, load, text
from edi_scrub.maps.hcpcs import HcpcsEntry

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
    family: Family | None  # None: not a clotting-factor code, or unknown (crosswalk imports)
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
    """Drug codes by HCPCS and packages by 11-digit NDC (unassigned NDCs included).

    ``code_dates`` holds the dates of *any* HCPCS code from a user's ``hcpcs.xml`` (CMS HCPCS
    Level II file), drug or not: it travels with the catalog so that every rule reading the maps
    gets it, but it does not make a code a drug line (only ``codes`` does).
    """

    codes: Mapping[str, DrugCode]
    packages: Mapping[str, NdcPackage]
    code_dates: Mapping[str, HcpcsEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", MappingProxyType(dict(self.codes)))
        object.__setattr__(self, "packages", MappingProxyType(dict(self.packages)))
        object.__setattr__(self, "code_dates", MappingProxyType(dict(self.code_dates)))

    def dates(self, hcpcs: str) -> HcpcsEntry | None:
        """What the HCPCS map says about ``hcpcs``'s dates, if it lists the code."""
        return self.code_dates.get(hcpcs)

    def with_code_dates(self, dates: Mapping[str, HcpcsEntry]) -> DrugCatalog:
        """This catalog with ``dates`` laid over its code dates (``dates`` win per code)."""
        return replace(self, code_dates={**self.code_dates, **dates})

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
        dates = {**self.code_dates, **other.code_dates}
        return DrugCatalog(codes=rebuilt, packages=packages, code_dates=dates)


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


def _is_bundled(path: Path) -> bool:
    return path.resolve() == (bundled_maps_dir() / DRUGS_XML).resolve()


# ---------------------------------------------------------------------------- loading


def _load(path: Path) -> DrugCatalog:
    return _Builder(path).build(load(path, DRUGS_XSD))


# ---------------------------------------------------------------------------- building


def _claim_ndc(label_ndc: str) -> str:
    """Hyphenated label NDC -> 11-digit 5-4-2 claim NDC: pad each short segment with a zero."""
    labeler, product, package = label_ndc.split("-")
    return labeler.zfill(5) + product.zfill(4) + package.zfill(2)


class _Builder(ElementReader):
    """Turns a schema-valid tree into a catalog, checking what the schema cannot."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.codes: dict[str, DrugCode] = {}
        self.packages: dict[str, NdcPackage] = {}
        self.lines: dict[str, int] = {}

    def build(self, root: etree._Element) -> DrugCatalog:
        for el in root.iterchildren("code"):
            drug = self.code(el)
            self.codes[drug.code] = drug
        for block in root.iterchildren("packages"):
            self.extra_packages(block)
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
        descriptor = text(descriptor_el)
        product_el = el.find("product")
        product = text(product_el) if product_el is not None else None
        single_dose = self.bool_attr(el, "single-dose")
        packages = tuple(
            self.package(p, code=hcpcs, default_product=product or descriptor)
            for p in el.iterchildren("package")
        )
        billing_unit = self.attr(el, "billing-unit")
        return DrugCode(
            code=hcpcs,
            descriptor=descriptor,
            product=product,
            family=Family(family) if (family := self.attr(el, "family")) is not None else None,
            billing_unit=BillingUnit(billing_unit) if billing_unit is not None else None,
            category=CodeCategory(self.required(el, "category")),
            effective=effective,
            effective_not_before_year=not_before,
            terminated=terminated,
            single_dose=single_dose,
            min_age_years=self.int_attr(el, "min-age-years"),
            max_iu_per_infusion=self.int_attr(el, "max-iu-per-infusion"),
            indicated_dx=indicated,
            not_indicated_dx=not_indicated,
            packages=packages,
            replaces=self.attr(el, "replaces"),
        )

    def extra_packages(self, block: etree._Element) -> None:
        """A ``<packages code>`` block: NDCs under a code of this file or of the bundled map."""
        hcpcs = self.required(block, "code")
        drug = self.codes.get(hcpcs)
        # The bundled map is consulted only from other maps: loading it from its own build
        # would recurse, and the bundled map defines every code it uses.
        if drug is None and not _is_bundled(self.path):
            drug = _bundled_catalog().code(hcpcs)
        if drug is None:
            raise self.fail(
                block, f"packages for {hcpcs}: no such code in this map or the bundled map"
            )
        for el in block.iterchildren("package"):
            self.package(el, code=hcpcs, default_product=drug.product or drug.descriptor)

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
        self.lines[ndc] = line_of(el)
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
