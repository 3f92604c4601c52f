"""The drug map: the bundled data says only what domain.md sources, and bad maps fail cleanly."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.maps.drugs import (
    BillingUnit,
    CodeCategory,
    DrugCatalog,
    DrugCode,
    Family,
    NdcPackage,
    PackageKind,
    load_drug_catalog,
)

FACTOR_VIII = {
    "J7182", "J7185", "J7186", "J7187", "J7188", "J7190", "J7191", "J7192", "J7199",
    "J7204", "J7205", "J7207", "J7208", "J7209", "J7210", "J7211", "J7214",
}  # fmt: skip
FACTOR_IX = {"J7193", "J7194", "J7195", "J7200", "J7201", "J7202", "J7203", "J7213"}

ADYNOVATE_KITS = {
    # claim NDC: (label NDC, nominal IU, actual-potency min, max)  [MFR 2017 coding sheet]
    "00944462201": ("0944-4622-01", 250, 200, 400),
    "00944462301": ("0944-4623-01", 500, 401, 800),
    "00944462601": ("0944-4626-01", 750, 600, 940),
    "00944462401": ("0944-4624-01", 1000, 801, 1250),
    "00944462701": ("0944-4627-01", 1500, 1200, 1875),
    "00944462501": ("0944-4625-01", 2000, 1251, 2500),
}


@pytest.fixture(scope="module")
def catalog() -> DrugCatalog:
    return load_drug_catalog()


# ---------------------------------------------------------------------------- bundled data


def test_bundled_map_loads_and_is_cached(catalog: DrugCatalog) -> None:
    assert set(catalog.codes) == FACTOR_VIII | FACTOR_IX
    assert load_drug_catalog() is catalog
    assert (bundled_maps_dir() / "drugs.xml").is_file()
    assert (bundled_maps_dir() / "drugs.xsd").is_file()


def test_loading_a_maps_directory_reads_its_drugs_xml() -> None:
    assert set(load_drug_catalog(bundled_maps_dir()).codes) == FACTOR_VIII | FACTOR_IX


def test_lookups(catalog: DrugCatalog) -> None:
    assert catalog.is_drug_code("J7207")
    assert not catalog.is_drug_code("J3490")
    assert catalog.code("J3490") is None
    assert catalog.package("00000000000") is None
    j7207 = catalog.code("J7207")
    assert j7207 is not None
    assert j7207.product == "Adynovate"  # not Jivi
    assert j7207.descriptor.endswith("PEGylated, 1 I.U.")
    j7208 = catalog.code("J7208")
    assert j7208 is not None
    assert j7208.product == "Jivi"


def test_families_categories_and_units(catalog: DrugCatalog) -> None:
    assert {c for c, d in catalog.codes.items() if d.family is Family.FACTOR_IX} == FACTOR_IX
    assert catalog.codes["J7199"].family is Family.CLOTTING_FACTOR
    assert {c for c, d in catalog.codes.items() if d.category is CodeCategory.NOS} == {
        "J7192",
        "J7195",
    }
    assert {c for c, d in catalog.codes.items() if d.category is CodeCategory.NOC} == {"J7199"}
    assert catalog.codes["J7187"].billing_unit is BillingUnit.VWF_RCO_IU
    assert catalog.codes["J7207"].billing_unit is BillingUnit.IU
    # domain.md gives no billing unit for Factor IX codes.
    assert all(catalog.codes[c].billing_unit is None for c in FACTOR_IX)


def test_adynovate_kits_have_the_exact_potency_ranges(catalog: DrugCatalog) -> None:
    kits = {p.ndc: p for p in catalog.codes["J7207"].packages if p.kind is PackageKind.KIT}
    assert {
        ndc: (p.label_ndc, p.nominal_iu, p.potency_min, p.potency_max) for ndc, p in kits.items()
    } == ADYNOVATE_KITS
    for ndc in ADYNOVATE_KITS:
        assert catalog.package(ndc) is kits[ndc]
        assert kits[ndc].code == "J7207"
        assert kits[ndc].source == "MFR 2017 coding sheet"


def test_inner_vial_and_diluent_point_to_what_to_bill(catalog: DrugCatalog) -> None:
    vial = catalog.package("00944425701")
    assert vial is not None
    assert vial.kind is PackageKind.VIAL
    assert vial.label_ndc == "0944-4257-01"
    assert vial.outer_kit == "00944462501"
    kit = catalog.package(vial.outer_kit)
    assert kit is not None
    assert kit.kind is PackageKind.KIT
    assert kit.nominal_iu == 2000

    diluent = catalog.package("64764051550")
    assert diluent is not None
    assert diluent.kind is PackageKind.DILUENT
    assert diluent.code == "J7207"
    assert diluent.outer_kit is None  # domain.md does not say which kit


def test_jivi_limits_and_no_invented_ndc(catalog: DrugCatalog) -> None:
    jivi = catalog.codes["J7208"]
    assert jivi.min_age_years == 12
    assert jivi.max_iu_per_infusion == 6000
    assert jivi.single_dose is True
    assert jivi.packages == ()
    assert not [p for p in catalog.packages.values() if p.code == "J7208"]
    assert jivi.effective is None  # only the year is sourced
    assert jivi.effective_not_before_year == 2019
    assert jivi.not_valid_before() == date(2019, 1, 1)


def test_only_sourced_dates(catalog: DrugCatalog) -> None:
    exact = {c: d.effective for c, d in catalog.codes.items() if d.effective is not None}
    assert exact == {"J7207": date(2017, 1, 1)}
    years = {
        c: d.effective_not_before_year
        for c, d in catalog.codes.items()
        if d.effective_not_before_year is not None
    }
    assert years == {
        "J7182": 2015,
        "J7185": 2010,
        "J7188": 2016,
        "J7205": 2016,
        "J7208": 2019,
        "J7209": 2017,
        "J7210": 2018,
        "J7211": 2018,
        "J7214": 2023,
    }
    # Esperoct's "~2021" is UNVERIFIED: no date of either kind.
    assert catalog.codes["J7204"].not_valid_before() is None
    assert all(d.terminated is None for d in catalog.codes.values())
    assert catalog.codes["J7207"].replaces == "C9137"


def test_only_sourced_label_facts(catalog: DrugCatalog) -> None:
    codes = catalog.codes.values()
    assert {d.code for d in codes if d.single_dose is not None} == {"J7207", "J7208"}
    assert {d.code for d in codes if d.min_age_years is not None} == {"J7208"}
    assert {d.code for d in codes if d.max_iu_per_infusion is not None} == {"J7208"}
    indicated = {d.code: d.indicated_dx for d in codes if d.indicated_dx}
    assert indicated == {"J7188": ("D68311",), "J7207": ("D66",), "J7208": ("D66",)}
    not_indicated = {d.code: d.not_indicated_dx for d in codes if d.not_indicated_dx}
    assert not_indicated == {"J7207": ("D680",), "J7208": ("D680",)}


def test_other_kits_and_the_unassigned_advate(catalog: DrugCatalog) -> None:
    expected = {
        "71104080901": "J7205",
        "71104098201": "J7214",
        "00026382125": "J7211",
        "69911047502": "J7210",
        "58394001603": "J7185",
    }
    for ndc, code in expected.items():
        pkg = catalog.package(ndc)
        assert pkg is not None
        assert (pkg.code, pkg.kind, pkg.nominal_iu) == (code, PackageKind.KIT, None)
        assert pkg in catalog.codes[code].packages
    advate = catalog.package("00944305302")
    assert advate is not None
    assert (advate.code, advate.product, advate.label_ndc) == (None, "Advate", "00944-3053-02")


def test_every_package_is_indexed_with_an_11_digit_ndc(catalog: DrugCatalog) -> None:
    in_codes = [p for d in catalog.codes.values() for p in d.packages]
    assert len(catalog.packages) == len(in_codes) + 1  # + Advate
    for ndc, pkg in catalog.packages.items():
        assert re.fullmatch(r"[0-9]{11}", ndc)
        assert ndc == pkg.ndc
        assert pkg.source


def test_catalog_mappings_are_read_only(catalog: DrugCatalog) -> None:
    with pytest.raises(TypeError):
        catalog.codes["J9999"] = catalog.codes["J7207"]  # type: ignore[index]


# ---------------------------------------------------------------------------- merged()


def _pkg(ndc: str, code: str | None, product: str) -> NdcPackage:
    return NdcPackage(
        ndc=ndc,
        label_ndc=f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}",
        code=code,
        product=product,
        kind=PackageKind.KIT,
        nominal_iu=None,
        potency_min=None,
        potency_max=None,
        outer_kit=None,
        source="test",
    )


def test_merged_lets_the_other_catalog_win(catalog: DrugCatalog) -> None:
    user_kit = _pkg("11111222233", "J7208", "Jivi")
    moved = _pkg("00944462201", "J7207", "Adynovate (user)")
    user_jivi = DrugCode(
        code="J7208",
        descriptor="user descriptor",
        product="Jivi",
        family=Family.FACTOR_VIII,
        billing_unit=BillingUnit.IU,
        category=CodeCategory.SPECIFIC,
        max_iu_per_infusion=5000,
        packages=(user_kit,),
    )
    user = DrugCatalog(
        codes={"J7208": user_jivi},
        packages={user_kit.ndc: user_kit, moved.ndc: moved},
    )
    merged = catalog.merged(user)

    jivi = merged.codes["J7208"]
    assert jivi.max_iu_per_infusion == 5000
    assert jivi.min_age_years is None  # the whole code entry is the user's
    assert jivi.packages == (user_kit,)
    assert merged.package("00944462201") is moved
    j7207 = merged.codes["J7207"]
    assert moved in j7207.packages
    assert len(j7207.packages) == len(catalog.codes["J7207"].packages)
    assert merged.codes["J7185"] == catalog.codes["J7185"]
    # The original catalog is untouched.
    assert catalog.codes["J7208"].max_iu_per_infusion == 6000
    assert catalog.package("00944462201") is not moved


def test_merged_packages_extend_a_bundled_code(catalog: DrugCatalog) -> None:
    extra = _pkg("11111222233", "J7208", "Jivi")
    merged = catalog.merged(DrugCatalog(codes={}, packages={extra.ndc: extra}))
    assert merged.codes["J7208"].packages == (extra,)
    assert merged.codes["J7208"].min_age_years == 12


# ---------------------------------------------------------------------------- bad maps

_CODE_OPEN = '  <code id="J7207" family="factor-viii" category="specific">'


def _write_map(tmp_path: Path, *body: str, prolog: str = "") -> Path:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        *([prolog] if prolog else []),
        '<drug-map version="1">',
        *body,
        "</drug-map>",
    ]
    path = tmp_path / "drugs.xml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_drug_catalog(path)
    message = str(info.value)
    assert "\n" not in message
    assert info.value.exit_code == 2
    return message


def _kit(ndc: str = "00944462201", label: str = "0944-4622-01", extra: str = "") -> str:
    return f'    <package ndc="{ndc}" label-ndc="{label}" kind="kit" source="t"{extra}/>'


def test_minimal_valid_map(tmp_path: Path) -> None:
    path = _write_map(tmp_path, _CODE_OPEN, "    <descriptor>x</descriptor>", _kit(), "  </code>")
    loaded = load_drug_catalog(path)
    assert set(loaded.codes) == {"J7207"}
    pkg = loaded.package("00944462201")
    assert pkg is not None
    assert pkg.product == "x"  # no product: the descriptor names it


def test_malformed_xml(tmp_path: Path) -> None:
    path = _write_map(tmp_path, _CODE_OPEN, "    <descriptor>x</code>")
    message = _load_error(path)
    assert re.match(rf"{re.escape(str(path))}:[1-9][0-9]*: not well-formed XML", message)


def test_xsd_violation_bad_ndc(tmp_path: Path) -> None:
    path = _write_map(
        tmp_path, _CODE_OPEN, "    <descriptor>x</descriptor>", _kit("1234"), "  </code>"
    )
    message = _load_error(path)
    line = _line_of(path, 'ndc="1234"')
    assert message.startswith(f"{path}:{line}: ")
    assert "1234" in message


def test_xsd_violation_duplicate_code(tmp_path: Path) -> None:
    code = [_CODE_OPEN, "    <descriptor>x</descriptor>", "  </code>"]
    path = _write_map(tmp_path, *code, *code)
    message = _load_error(path)
    assert re.match(rf"{re.escape(str(path))}:[1-9][0-9]*: .*J7207", message)


def test_xsd_violation_outer_kit_to_nowhere(tmp_path: Path) -> None:
    vial = (
        '    <package ndc="00944425701" label-ndc="0944-4257-01" kind="vial"'
        ' outer-kit="00944462599" source="t"/>'
    )
    path = _write_map(tmp_path, _CODE_OPEN, "    <descriptor>x</descriptor>", vial, "  </code>")
    message = _load_error(path)
    assert message.startswith(f"{path}:{_line_of(path, '00944462599')}: ")
    assert "00944462599" in message


def test_potency_min_above_max(tmp_path: Path) -> None:
    kit = _kit(extra=' potency-min="500" potency-max="400"')
    path = _write_map(tmp_path, _CODE_OPEN, "    <descriptor>x</descriptor>", kit, "  </code>")
    message = _load_error(path)
    assert message == (
        f"{path}:{_line_of(path, 'potency-min')}: package 00944462201: "
        "potency-min 500 is greater than potency-max 400"
    )


@pytest.mark.parametrize(
    ("code_attrs", "package", "problem"),
    [
        ("", _kit(label="0944-4622-02"), "converts to 00944462202"),
        ("", _kit(extra=' potency-min="500"'), "both potency-min and potency-max"),
        ("", _kit(extra=' outer-kit="00944462201"'), "a kit has no outer-kit"),
        (' effective="2017-01-01" effective-not-before-year="2017"', "", "not both"),
        (' effective="2017-01-01" terminated="2016-12-31"', "", "before it took effect"),
    ],
)
def test_loader_checks(tmp_path: Path, code_attrs: str, package: str, problem: str) -> None:
    code_open = _CODE_OPEN.replace('category="specific"', f'category="specific"{code_attrs}')
    body = [code_open, "    <descriptor>x</descriptor>", package, "  </code>"]
    path = _write_map(tmp_path, *[line for line in body if line])
    message = _load_error(path)
    assert re.match(rf"{re.escape(str(path))}:[1-9][0-9]*: ", message)
    assert problem in message


def test_dx_listed_as_indicated_and_not(tmp_path: Path) -> None:
    body = [_CODE_OPEN, "    <descriptor>x</descriptor>"]
    body += ['    <indicated dx="D68.0"/>', '    <not-indicated dx="D680"/>', "  </code>"]
    path = _write_map(tmp_path, *body)
    assert "D680 is both indicated and not indicated" in _load_error(path)


def test_unreadable_map(tmp_path: Path) -> None:
    path = tmp_path / "missing.xml"
    assert _load_error(path).startswith(f"{path}: cannot read map")


def test_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    prolog = (
        f'<!DOCTYPE drug-map [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
        '<!ENTITY big "TOP-SECRET-CONTENT">]>'
    )
    path = _write_map(
        tmp_path,
        _CODE_OPEN,
        "    <descriptor>&xxe;&big;</descriptor>",
        "  </code>",
        prolog=prolog,
    )
    message = _load_error(path)
    assert message.startswith(f"{path}:2: ")
    assert "DOCTYPE" in message
    assert "TOP-SECRET" not in message


def test_network_entities_are_never_fetched(tmp_path: Path) -> None:
    prolog = '<!DOCTYPE drug-map SYSTEM "http://127.0.0.1:9/drugs.dtd">'
    path = _write_map(
        tmp_path, _CODE_OPEN, "    <descriptor>x</descriptor>", "  </code>", prolog=prolog
    )
    assert "DOCTYPE" in _load_error(path)
