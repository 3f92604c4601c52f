"""Payer profile maps: the shipped profiles, the loader's checks, layering and profile choice."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.maps.layers import MapSet, PolicyChooser, load_maps, user_maps_dir
from edi_scrub.maps.mue import MueSetting
from edi_scrub.maps.payers import load_payer_profile, load_payer_profiles
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.pipeline import Options, scrub
from edi_scrub.policy import JwPolicy, LimitPeriod, Mue, PayerPolicy
from edi_scrub.x12.lexer import iter_segments
from tests.builders import ClaimSpec, I, P, build

BUNDLED = bundled_maps_dir()


def _claims(data: bytes) -> list[Claim]:
    units = group(iter_segments(io.BytesIO(data)), "test")
    return [
        build_claim(u.segments, u.context, u.ordinal) for u in units if isinstance(u, ClaimUnit)
    ]


def _claim(kind: str = P, sbr09: str = "MB", payer_id: str = "SYNMCR01") -> Claim:
    return _claims(build(kind, (ClaimSpec(sbr09=sbr09, payer_id=payer_id),)))[0]


def _profile(folder: Path, name: str, body: str = "", **attrs: str) -> Path:
    (folder / "payers").mkdir(parents=True, exist_ok=True)
    attributes = {"version": "1", "id": name, "name": name.title(), **attrs}
    head = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    path = folder / "payers" / f"{name}.xml"
    path.write_text(f"<payer-profile {head}>\n{body}\n</payer-profile>\n")
    return path


def _match(payer: str = "", sbr09: str = "") -> str:
    parts = [f'<payer-id value="{payer}" source="t"/>' if payer else ""]
    parts.append(f'<filing-indicator value="{sbr09}" source="t"/>' if sbr09 else "")
    return f"<match>{''.join(parts)}</match>"


# ---------------------------------------------------------------------------- shipped profiles


@pytest.fixture(scope="module")
def maps() -> MapSet:
    return load_maps()


def test_shipped_profiles(maps: MapSet) -> None:
    """The issue's four profiles (plus UHC Maryland), one default, every value as sourced."""
    ids = [p.id for p in maps.profiles]
    assert ids == [
        "commercial-default",
        "medicare-outpatient-institutional",
        "medicare-part-b",
        "uhc-md-medicaid",
        "uhc-nj-medicaid",
    ]
    assert maps.default.id == "commercial-default"
    part_b = maps.profile("medicare-part-b")
    assert part_b.filing_indicators == ("MB",) and part_b.payer_ids == ()
    assert part_b.jw is JwPolicy.REQUIRED and part_b.jw_from == date(2017, 1, 1)
    assert part_b.jz_required_from == date(2023, 7, 1)
    assert part_b.jz_accepted_from == date(2023, 1, 1)
    assert part_b.ndc_required
    institutional = maps.profile("medicare-outpatient-institutional")
    assert institutional.filing_indicators == ("MA",)
    assert institutional.jz_required_from == date(2023, 7, 1)
    nj = maps.profile("uhc-nj-medicaid")
    assert nj.payer_ids == () and nj.filing_indicators == ()  # payer id not sourced
    assert nj.denies_jw(date(2021, 5, 1)) and not nj.denies_jw(date(2021, 4, 30))
    md = maps.profile("uhc-md-medicaid")
    assert not md.accepts_jz(date(2025, 4, 30)) and md.accepts_jz(date(2025, 5, 1))
    commercial = maps.default
    assert commercial.prior_auth_codes == frozenset({"J7207", "J7208"})
    (limit,) = commercial.quantity_limits
    assert (limit.code, limit.units, limit.period, limit.days) == (
        "J7208",
        41400,
        LimitPeriod.ROLLING,
        30,
    )
    assert "2024" in limit.source


def test_no_unsourced_values_are_shipped(maps: MapSet) -> None:
    """No MUE, unit, precision, KX, date-span or override is sourced, so none is shipped."""
    for p in maps.profiles:
        assert not p.mue and not p.severity_overrides and not p.kx_required_codes
        assert p.preferred_ctp_unit is None and p.ctp_precision is None
        assert not p.single_date_lines and not p.dose_per_kg_range
    assert all(p.quantity_limits == () for p in maps.profiles if not p.default)


def test_every_shipped_value_has_a_source() -> None:
    """Each element carrying a value in maps/payers/*.xml has a non-empty source attribute."""
    from lxml import etree

    for path in sorted((BUNDLED / "payers").glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("payer-profile", "match"):
                continue
            assert (el.get("source") or "").strip(), f"{path.name}:{el.sourceline} {el.tag}"


# ---------------------------------------------------------------------------- choosing


@pytest.mark.parametrize(
    ("kind", "sbr09", "expected", "fell_back"),
    [
        (P, "MB", "medicare-part-b", False),
        (I, "MA", "medicare-outpatient-institutional", False),
        (P, "MC", "commercial-default", True),
        (P, "CI", "commercial-default", True),
    ],
)
def test_auto_matching(maps: MapSet, kind: str, sbr09: str, expected: str, fell_back: bool) -> None:
    chooser = maps.chooser()
    claim = _claim(kind, sbr09)
    assert chooser.choose(claim).id == expected
    assert chooser(claim).id == expected
    assert chooser.fell_back(claim) is fell_back


def test_forced_profile_applies_to_every_claim(maps: MapSet) -> None:
    chooser = maps.chooser("uhc-nj-medicaid")
    for sbr09 in ("MB", "CI"):
        claim = _claim(sbr09=sbr09)
        assert chooser.choose(claim).id == "uhc-nj-medicaid"
        assert not chooser.fell_back(claim)


def test_unknown_forced_profile(maps: MapSet) -> None:
    with pytest.raises(ConfigError, match=r"unknown payer profile 'nope' \(known: auto, comm"):
        maps.chooser("nope")


def test_most_specific_match_wins(tmp_path: Path) -> None:
    """payer id + filing indicator > payer id > filing indicator > default."""
    _profile(tmp_path, "both", _match("SYNP1", "CI"))
    _profile(tmp_path, "payer", _match("SYNP1"))
    _profile(tmp_path, "filing", _match(sbr09="CI"))
    chooser = load_maps(tmp_path).chooser()
    assert chooser.choose(_claim(sbr09="CI", payer_id="SYNP1")).id == "both"
    assert chooser.choose(_claim(sbr09="MC", payer_id="SYNP1")).id == "payer"
    assert chooser.choose(_claim(sbr09="CI", payer_id="SYNP2")).id == "filing"
    assert chooser.choose(_claim(sbr09="MC", payer_id="SYNP2")).id == "commercial-default"
    # A payer-id profile outranks the bundled filing-indicator Medicare profile.
    assert chooser.choose(_claim(sbr09="MB", payer_id="SYNP1")).id == "payer"


def test_policy_chooser_needs_one_default() -> None:
    with pytest.raises(ConfigError, match="exactly one default"):
        PolicyChooser([PayerPolicy("a", "A")])


# ---------------------------------------------------------------------------- layering


def test_user_profile_replaces_bundled_and_adds(tmp_path: Path) -> None:
    """Same id replaces the bundled profile (whole); a new id is added."""
    _profile(tmp_path, "uhc-nj-medicaid", _match("SYNNJMCD01"))
    _profile(tmp_path, "synthetic-plan", _match("SYNPLAN01", "CI"))
    maps = load_maps(tmp_path)
    nj = maps.profile("uhc-nj-medicaid")
    assert nj.payer_ids == ("SYNNJMCD01",)
    assert nj.jw is JwPolicy.ALLOWED  # replaced whole: the copy said nothing about JW
    assert maps.profile("synthetic-plan").filing_indicators == ("CI",)
    assert maps.layers == (BUNDLED, tmp_path)
    assert load_maps().profile("uhc-nj-medicaid").payer_ids == ()  # bundled cache untouched


def test_user_drug_map_is_merged(tmp_path: Path) -> None:
    (tmp_path / "drugs.xml").write_text(
        '<drug-map version="1"><code id="J7999" family="factor-viii" category="specific">'
        "<descriptor>Test code</descriptor></code></drug-map>\n"
    )
    maps = load_maps(tmp_path)
    assert maps.catalog.is_drug_code("J7999") and maps.catalog.is_drug_code("J7207")


def test_user_default_may_replace_the_commercial_default(tmp_path: Path) -> None:
    _profile(tmp_path, "commercial-default", default="true")
    assert load_maps(tmp_path).default.prior_auth_codes == frozenset()


def test_profile_mue_wins_over_imported_table(tmp_path: Path) -> None:
    """The imported table applies per CMS setting; a profile's own MUE value wins."""
    (tmp_path / "mue.xml").write_text(
        '<mue-map version="1">'
        '<mue code="J7207" setting="practitioner" value="9000" mai="3" source="CMS MUE table t"/>'
        '<mue code="J7208" setting="practitioner" value="8000" mai="3" source="CMS MUE table t"/>'
        '<mue code="J7207" setting="outpatient-hospital" value="7000" mai="2" source="t"/>'
        "</mue-map>\n"
    )
    _profile(
        tmp_path,
        "synthetic-plan",
        _match("SYNPLAN01") + '<mue code="J7207" value="5000" mai="1" source="contract"/>',
    )
    maps = load_maps(tmp_path)
    assert maps.mue[MueSetting.PRACTITIONER]["J7208"] == Mue("J7208", 8000, 3)
    chooser = maps.chooser()
    plan = chooser.choose(_claim(P, "CI", "SYNPLAN01"))
    assert plan.mue["J7207"] == Mue("J7207", 5000, 1)
    assert plan.mue["J7208"] == Mue("J7208", 8000, 3)
    medicare_i = chooser.choose(_claim(I, "MA"))
    assert medicare_i.mue["J7207"] == Mue("J7207", 7000, 2)
    assert "J7208" not in medicare_i.mue


def test_severity_override_changes_and_drops_findings(tmp_path: Path) -> None:
    """A profile's severity overrides apply to its claims' findings; off drops them."""
    data = build(P, (ClaimSpec(sbr09="CI", payer_id="SYNPLAN01"),))  # no REF*G1
    src = tmp_path / "in.837"
    src.write_bytes(data)
    maps_dir = tmp_path / "maps"

    def run(level: str) -> list[tuple[str, str]]:
        _profile(
            maps_dir,
            "synthetic-plan",
            _match("SYNPLAN01")
            + '<prior-auth code="J7207" source="t"/>'
            + f'<severity rule="AUTH001" level="{level}" source="t"/>',
        )
        report = scrub(src, io.BytesIO(), Options(maps_dir=maps_dir, structure=False))
        return [(o.finding.rule, o.finding.severity.value) for o in report.outcomes]

    assert ("AUTH001", "error") in run("error")
    assert ("AUTH001", "info") in run("info")
    assert all(rule != "AUTH001" for rule, _ in run("off"))


# ---------------------------------------------------------------------------- loader checks


@pytest.mark.parametrize(
    ("body", "attrs", "problem"),
    [
        ('<jw policy="allowed" from="2020-01-01" source="s"/>', {}, "from date goes with"),
        ('<jz source="s"/>', {}, "give required-from, accepted-from or both"),
        (
            '<jz required-from="2023-01-01" accepted-from="2024-01-01" source="s"/>',
            {},
            "accepted-from 2024-01-01 is after required-from 2023-01-01",
        ),
        ('<drug-quantity source="s"/>', {}, "give preferred-unit, precision or both"),
        (
            '<quantity-limit code="J7208" units="10" per="rolling" source="s"/>',
            {},
            'per="rolling" needs days',
        ),
        (
            '<quantity-limit code="J7208" units="10" per="line" days="3" source="s"/>',
            {},
            'days goes only with per="rolling"',
        ),
        (
            '<quantity-limit code="J7208" units="10" per="day" source="s"/>'
            '<quantity-limit code="J7208" units="20" per="day" source="s"/>',
            {},
            "listed twice",
        ),
        ('<dose-per-kg code="J7208" min="90" max="30" source="s"/>', {}, "min 90 is greater"),
        ('<severity rule="ZZZ999" level="off" source="s"/>', {}, "ZZZ999 is not a claim rule"),
        ('<severity rule="X12001" level="off" source="s"/>', {}, "X12001 is not a claim rule"),
        ('<prior-auth code="J7207"/>', {}, "source"),  # XSD: every value is sourced
        ('<prior-auth code="7207" source="s"/>', {}, "7207"),
        ("", {"id": "Bad_Id"}, "Bad_Id"),
    ],
)
def test_loader_rejects(tmp_path: Path, body: str, attrs: dict[str, str], problem: str) -> None:
    path = _profile(tmp_path, "plan", body, **attrs)
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: .*") as err:
        load_payer_profile(path)
    assert problem in str(err.value)


def test_duplicate_ids_in_one_directory(tmp_path: Path) -> None:
    first = _profile(tmp_path, "plan")
    (tmp_path / "payers" / "copy.xml").write_text(first.read_text())
    with pytest.raises(
        ConfigError,
        match=r"plan\.xml:1: duplicate payer profile id 'plan' \(also in .*copy\.xml:1\)",
    ):
        load_payer_profiles(tmp_path)


def test_two_defaults_and_no_default(tmp_path: Path) -> None:
    path = _profile(tmp_path, "other-default", default="true")
    with pytest.raises(ConfigError, match=rf"^{path}:1: .* second default"):
        load_maps(tmp_path)
    path.unlink()
    _profile(tmp_path, "commercial-default")  # replaces the default without default="true"
    with pytest.raises(ConfigError, match="no default payer profile"):
        load_maps(tmp_path)


def test_ambiguous_match(tmp_path: Path) -> None:
    """Two profiles claiming SBR09 MB equally: refused rather than chosen by file order."""
    path = _profile(tmp_path, "my-medicare", _match(sbr09="MB"))
    with pytest.raises(ConfigError, match=rf"^{path}:1: .*both match filing indicator MB"):
        load_maps(tmp_path)


def test_doctype_is_refused(tmp_path: Path) -> None:
    (tmp_path / "payers").mkdir()
    path = tmp_path / "payers" / "x.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY e "entity">]>\n'
        '<payer-profile version="1" id="x" name="x"/>\n'
    )
    with pytest.raises(ConfigError, match=rf"^{path}:2: a DOCTYPE is not allowed"):
        load_payer_profile(path)


def test_maps_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="maps directory not found"):
        load_maps(tmp_path / "nope")


def test_empty_user_dir_is_the_bundled_maps(tmp_path: Path) -> None:
    maps = load_maps(tmp_path)
    assert [p.id for p in maps.profiles] == [p.id for p in load_maps().profiles]


def test_user_maps_are_cached_until_a_file_changes(tmp_path: Path) -> None:
    """Batch runs reuse a loaded user layer; editing a map file is seen on the next load."""
    _profile(tmp_path, "plan", _match("SYNP1"))
    first = load_maps(tmp_path)
    assert load_maps(tmp_path) is first
    _profile(tmp_path, "plan", _match("SYNP1", "CI"))
    assert load_maps(tmp_path).profile("plan").filing_indicators == ("CI",)


def test_user_maps_dir_defaults_to_the_user_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(tmp_path / "absent"))
    assert user_maps_dir(None) is None
    assert user_maps_dir(tmp_path) == tmp_path
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(tmp_path))
    assert user_maps_dir(None) == tmp_path
