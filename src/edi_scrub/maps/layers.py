"""Maps layering and payer-profile choice: the bundled maps, then a user's ``--maps DIR``.

:func:`load_maps` reads the bundled ``maps/`` and then, when given, a user's directory laid out the
same way; the user's entries win:

- ``drugs.xml``: merged with :meth:`DrugCatalog.merged` (user codes win by HCPCS, packages by NDC);
- ``payers/*.xml``: a user profile with a bundled profile's id replaces it, others are added;
  exactly one default must remain;
- ``mue.xml``: user values win per CMS setting and code;
- ``hcpcs.xml`` (user maps only, from ``maps import-hcpcs``): the dates of every HCPCS code,
  carried by the catalog as :attr:`DrugCatalog.code_dates` for rule HCP002.

So a clearinghouse adds its payers and NDCs without forking edi-scrub. Every file is validated
against the bundled schemas; any problem is a :class:`ConfigError` ("file:line: problem").

:class:`PolicyChooser` gives each claim its :class:`PayerPolicy`: the forced profile, or the most
specific match (payer id + filing indicator, then payer id, then filing indicator), else the
default. The chooser keeps no per-run state, so one chooser may serve many files; the pipeline
counts which profile each claim got (see :meth:`PolicyChooser.fell_back`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import structlog

from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.maps._user import ENV_VAR, default_user_maps_dir
from edi_scrub.maps._xml import map_present
from edi_scrub.maps.drugs import DRUGS_XML, DrugCatalog, load_drug_catalog
from edi_scrub.maps.hcpcs import HCPCS_XML, load_code_dates
from edi_scrub.maps.mue import MUE_XML, MueSetting, load_mue_entries, setting_for
from edi_scrub.maps.payers import PAYERS_DIR, load_payer_profiles, with_mue_table
from edi_scrub.model.claim import Claim
from edi_scrub.policy import Mue, PayerPolicy

log = structlog.get_logger(__name__)

#: ``--payer-profile`` value that matches each claim instead of forcing one profile.
AUTO = "auto"

MueTables = Mapping[MueSetting, Mapping[str, Mue]]


@dataclass(frozen=True, slots=True)
class MapSet:
    """Everything in the maps a run uses, bundled and user layers merged."""

    catalog: DrugCatalog
    #: Sorted by id; exactly one is the default.
    profiles: tuple[PayerPolicy, ...]
    #: Imported MUE values per CMS setting (practitioner for 837P, outpatient hospital for 837I).
    mue: MueTables
    #: The directories layered, bundled first.
    layers: tuple[Path, ...]

    @property
    def default(self) -> PayerPolicy:
        """The profile a claim gets when no other matches."""
        return next(p for p in self.profiles if p.default)

    def profile(self, profile_id: str) -> PayerPolicy:
        """The profile ``profile_id``; :class:`ConfigError` naming the known ids otherwise."""
        for p in self.profiles:
            if p.id == profile_id:
                return p
        known = ", ".join(p.id for p in self.profiles)
        raise ConfigError(f"unknown payer profile {profile_id!r} (known: {AUTO}, {known})")

    def counted_codes(self) -> frozenset[str]:
        """Codes a run-wide count can matter for: any profile's quantity limits or MUE values."""
        codes = {q.code for p in self.profiles for q in p.quantity_limits}
        codes.update(code for p in self.profiles for code in p.mue)
        codes.update(code for table in self.mue.values() for code in table)
        return frozenset(codes)

    def chooser(self, payer_profile: str = AUTO) -> PolicyChooser:
        """A chooser forcing ``payer_profile``, or matching each claim when it is ``auto``."""
        forced = None if payer_profile == AUTO else self.profile(payer_profile)
        return PolicyChooser(self.profiles, self.mue, forced)


def user_maps_dir(given: Path | None) -> Path | None:
    """The user layer a run uses: ``--maps DIR`` when given, else the user maps directory
    (``$EDI_SCRUB_MAPS``, else the XDG default) when it exists, where the importers write.
    """
    if given is not None:
        return given
    user = default_user_maps_dir()
    if not user.is_dir() and os.environ.get(ENV_VAR):
        # Set on purpose and missing: a typo would scrub with the bundled maps only. A warning,
        # not an error: the importers create the folder, so it may legitimately not exist yet.
        log.warning(
            "user_maps_not_found",
            path=str(user),
            variable=ENV_VAR,
            reason="not a directory; scrubbing with the bundled maps only",
        )
    return user if user.is_dir() else None


def load_maps(user_dir: Path | None = None) -> MapSet:
    """The bundled maps with ``user_dir`` (when given) layered over them.

    Raises :class:`ConfigError` when ``user_dir`` is not a directory or any map in it is bad.
    A user directory is read again only when one of its map files changed (batch runs scrub
    many files with the same maps, and an imported MUE table can be large).
    """
    if user_dir is None:
        return _bundled()
    if not user_dir.is_dir():
        raise ConfigError(f"{user_dir}: maps directory not found (--maps DIR)")
    return _layered(user_dir, maps_signature(user_dir))


def maps_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Path, mtime (ns) and size of each map file in ``folder``: it changes when a map does."""
    files = [
        folder / DRUGS_XML,
        folder / MUE_XML,
        folder / HCPCS_XML,
        *sorted((folder / PAYERS_DIR).glob("*.xml")),
    ]
    stats = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue  # absent: that layer is simply not there
        stats.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stats)


@functools.lru_cache(maxsize=8)
def _layered(user_dir: Path, signature: tuple[tuple[str, int, int], ...]) -> MapSet:
    del signature  # part of the cache key only
    base = _bundled()
    catalog = base.catalog
    if map_present(user_dir / DRUGS_XML):
        catalog = catalog.merged(load_drug_catalog(user_dir / DRUGS_XML))
    if (user_dir / HCPCS_XML).is_file():
        catalog = catalog.with_code_dates(load_code_dates(user_dir / HCPCS_XML))
    bundled = bundled_maps_dir()
    profiles = load_payer_profiles(bundled, user_dir)
    mue = _merge_mue(base.mue, _load_mue(user_dir))
    return MapSet(catalog, profiles, mue, (*base.layers, user_dir))


@functools.cache
def _bundled() -> MapSet:
    # Cached: batch runs and tests scrub many files with the same bundled maps.
    bundled = bundled_maps_dir()
    return MapSet(
        load_drug_catalog(),
        load_payer_profiles(bundled),
        _load_mue(bundled),
        (bundled,),
    )


def _load_mue(folder: Path) -> MueTables:
    if not map_present(folder / MUE_XML):
        return MappingProxyType({})
    tables: dict[MueSetting, dict[str, Mue]] = {}
    for entry in load_mue_entries(folder / MUE_XML):
        tables.setdefault(entry.setting, {})[entry.code] = entry.as_mue()
    return MappingProxyType({s: MappingProxyType(t) for s, t in tables.items()})


def _merge_mue(base: MueTables, over: MueTables) -> MueTables:
    merged = {
        setting: MappingProxyType({**base.get(setting, {}), **over.get(setting, {})})
        for setting in {*base, *over}
    }
    return MappingProxyType(merged)


class PolicyChooser:
    """Gives each claim its payer policy; use it as ``RuleContext.policy``.

    A profile's own MUE values win over the imported table; the table used is the one for the
    claim's transaction (CMS publishes practitioner and outpatient-hospital values separately),
    so each profile is prepared once per setting.
    """

    def __init__(
        self,
        profiles: Sequence[PayerPolicy],
        mue: MueTables | None = None,
        forced: PayerPolicy | None = None,
    ) -> None:
        defaults = [p for p in profiles if p.default]
        if len(defaults) != 1:
            raise ConfigError(f"payer profiles need exactly one default, got {len(defaults)}")
        tables = mue or {}
        self._variants: dict[tuple[str, MueSetting], PayerPolicy] = {
            (p.id, setting): with_mue_table(p, tables.get(setting, {}))
            for p in profiles
            for setting in MueSetting
        }
        self.default = defaults[0]
        self.forced = forced
        # (payer id, filing indicator) → profile; "" stands for "any". Loading guarantees no
        # two profiles share a key, so the lookup order below alone decides specificity.
        self._by_key: dict[tuple[str, str], PayerPolicy] = {}
        for p in profiles:
            if not p.payer_ids and not p.filing_indicators:
                continue  # applies only when forced, or as the default
            for payer in p.payer_ids or ("",):
                for indicator in p.filing_indicators or ("",):
                    self._by_key[(payer, indicator)] = p

    def matched(self, claim: Claim) -> PayerPolicy | None:
        """The profile matching ``claim`` by its payer id and filing indicator, if any."""
        pid, sbr09 = claim.payer_id, claim.filing_indicator
        # An empty payer id or SBR09 on the claim folds into the "any" key, which is exactly
        # the less specific lookup; ("", "") is never a key.
        for key in ((pid, sbr09), (pid, ""), ("", sbr09)):
            found = self._by_key.get(key)
            if found is not None:
                return found
        return None

    def fell_back(self, claim: Claim) -> bool:
        """True when ``claim`` gets the default only because no profile matched it."""
        return self.forced is None and self.matched(claim) is None

    def choose(self, claim: Claim) -> PayerPolicy:
        """The policy for ``claim``: forced, else most specific match, else the default."""
        base = self.forced or self.matched(claim) or self.default
        return self._variants[(base.id, setting_for(claim.transaction.value))]

    __call__ = choose
