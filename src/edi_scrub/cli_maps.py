"""``edi-scrub maps``: check maps directories; import the CMS crosswalk, MUE and HCPCS files.

Imports write into a user maps directory (``--maps DIR``, default :func:`default_user_maps_dir`),
never into the installed package. Every failure is one line on stderr naming the file and line,
and exit 2 with nothing written; nothing here prints a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from edi_scrub.errors import ConfigError, EdiScrubError
from edi_scrub.exit_codes import ExitCode
from edi_scrub.maps._codes import parse_codes
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.maps._user import ENV_VAR, default_user_maps_dir, writable_maps_dir
from edi_scrub.maps._xml import map_present
from edi_scrub.maps.drugs import DRUGS_XML, load_drug_catalog
from edi_scrub.maps.hcpcs import HCPCS_XML, load_hcpcs_entries
from edi_scrub.maps.importers import ImportResult, import_crosswalk, import_hcpcs, import_mue
from edi_scrub.maps.mue import MUE_XML, MueSetting, load_mue_entries
from edi_scrub.maps.payers import PAYERS_DIR, load_payer_profile, load_payer_profiles


def _guarded(action: Callable[[], None]) -> None:
    """Run ``action``, turning every failure into one stderr line and its exit code."""
    ctx = click.get_current_context()
    try:
        action()
    except EdiScrubError as exc:
        click.echo(f"edi-scrub: error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    except Exception as exc:  # the CLI promises no tracebacks
        click.echo(f"edi-scrub: internal error: {type(exc).__name__}: {exc}", err=True)
        ctx.exit(int(ExitCode.INTERNAL))


def _target_dir(maps_dir: Path | None) -> Path:
    return writable_maps_dir(maps_dir if maps_dir is not None else default_user_maps_dir())


def _existing_file(path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    return path


def _report(result: ImportResult) -> None:
    for note in result.warnings:
        click.echo(f"edi-scrub: warning: {note}", err=True)
    click.echo(result.summary())


_MAPS_OPTION = click.option(
    "--maps",
    "maps_dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help=f"User maps directory to write (default: ${ENV_VAR}, else "
    "$XDG_DATA_HOME/edi-scrub/maps or ~/.local/share/edi-scrub/maps).",
)


@click.group("maps")
def maps_group() -> None:
    """Check maps directories; import the CMS crosswalk, MUE tables and HCPCS file."""


@maps_group.command("import-crosswalk")
@click.argument("csv_file", metavar="FILE", type=click.Path(path_type=Path))
@_MAPS_OPTION
@click.option(
    "--codes",
    metavar="CODES|all",
    help="Import only these HCPCS codes and prefixes, comma-separated (J7207,J7208 or J72); "
    "'all' imports every code, each of which then counts as a drug line. Default: the "
    "clotting-factor codes of the maps.",
)
def import_crosswalk_command(csv_file: Path, maps_dir: Path | None, codes: str | None) -> None:
    """Merge the NDCs of a CMS ASP NDC-HCPCS crosswalk CSV into DIR/drugs.xml."""

    def action() -> None:
        selection = parse_codes(codes) if codes is not None else None
        target = _target_dir(maps_dir)
        _report(import_crosswalk(_existing_file(csv_file), target, selection))

    _guarded(action)


@maps_group.command("import-hcpcs")
@click.argument("hcpcs_file", metavar="FILE", type=click.Path(path_type=Path))
@_MAPS_OPTION
def import_hcpcs_command(hcpcs_file: Path, maps_dir: Path | None) -> None:
    """Merge the CMS HCPCS Level II alpha-numeric file's code dates into DIR/hcpcs.xml."""
    _guarded(lambda: _report(import_hcpcs(_existing_file(hcpcs_file), _target_dir(maps_dir))))


@maps_group.command("import-mue")
@click.argument("csv_file", metavar="FILE", type=click.Path(path_type=Path))
@_MAPS_OPTION
@click.option(
    "--setting",
    type=click.Choice([s.value for s in MueSetting]),
    help="Which CMS MUE table FILE is, when its 'MUE Values' column does not say.",
)
def import_mue_command(csv_file: Path, maps_dir: Path | None, setting: str | None) -> None:
    """Merge a CMS MUE table CSV (code, MUE value, MAI) into DIR/mue.xml."""
    chosen = MueSetting(setting) if setting is not None else None
    _guarded(lambda: _report(import_mue(_existing_file(csv_file), _target_dir(maps_dir), chosen)))


def _check_dir(folder: Path, bundled: Path) -> int:
    """Validate every map of ``folder``, one stdout line per file; returns files checked."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such directory")
    checked = 0
    drugs = folder / DRUGS_XML
    if map_present(drugs):
        catalog = load_drug_catalog(drugs)
        click.echo(f"ok  {drugs} ({len(catalog.codes)} codes, {len(catalog.packages)} NDCs)")
        checked += 1
    mue = folder / MUE_XML
    if map_present(mue):
        click.echo(f"ok  {mue} ({len(load_mue_entries(mue))} MUE values)")
        checked += 1
    hcpcs = folder / HCPCS_XML
    if hcpcs.is_file():
        click.echo(f"ok  {hcpcs} ({len(load_hcpcs_entries(hcpcs))} HCPCS codes and modifiers)")
        checked += 1
    profiles = sorted((folder / PAYERS_DIR).glob("*.xml"))
    for path in profiles:
        policy = load_payer_profile(path)
        click.echo(f"ok  {path} (payer profile {policy.id!r})")
        checked += 1
    if profiles:
        # Ids, the one default and overlaps are checked across the layered set, as a run sees it.
        layers = (bundled,) if folder.resolve() == bundled.resolve() else (bundled, folder)
        load_payer_profiles(*layers)
    return checked


@maps_group.command("check")
@click.argument("folder", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
def check_command(folder: Path | None) -> None:
    """Validate DIR's drugs.xml, mue.xml, hcpcs.xml and payers/*.xml (default: bundled + user)."""

    def action() -> None:
        bundled = bundled_maps_dir()
        if folder is not None:
            if not _check_dir(folder, bundled):
                raise ConfigError(
                    f"{folder}: no {DRUGS_XML}, {MUE_XML}, {HCPCS_XML} or {PAYERS_DIR}/*.xml"
                )
            return
        _check_dir(bundled, bundled)
        user = default_user_maps_dir()
        if user.is_dir():
            _check_dir(user, bundled)
        else:
            click.echo(f"--  {user} (no user maps)")

    _guarded(action)
