"""Which HCPCS codes of a CMS crosswalk to import: ``maps import-crosswalk --codes``.

Every code the user drug map lists becomes a *drug line* for the rules: NDC required in loop
2410, JW/JZ on single-dose drugs, units read per IU, NDC-to-code checks. The CMS ASP crosswalk
lists ~800 codes (antibiotics, vaccines, immunosuppressants, inhalation solutions, ...) for which
those rules would be wrong or meaningless, so importing all of them is never the default:

- no ``--codes``: the clotting-factor family, i.e. the codes the bundled map (or the user map)
  gives a ``family`` (Factor VIII/IX: J7182 ... J7214), the codes edi-scrub's rules are about;
- ``--codes J7207,J7208``: exact codes (five characters); ``--codes J72``: every code starting
  with ``J72``; both may be mixed;
- ``--codes all``: every code of the file; codes the maps do not know get a minimal entry and
  become drug lines, which the user then asked for explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from edi_scrub.errors import ConfigError

ALL = "all"
_TOKEN = re.compile(r"[A-Z0-9]{1,5}")


@dataclass(frozen=True, slots=True)
class CodeSelection:
    """A set of codes to import: exact codes and prefixes, or every code (``everything``)."""

    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    everything: bool = False
    #: How the selection was given, for messages: "--codes J7207,J72" or the family default.
    described: str = ""
    #: Given by the user: a code of it that the file lacks is worth a warning (a typo?). The
    #: default family always has codes no crosswalk lists (J7199 is NOC).
    explicit: bool = True

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        return self.everything or code in self.exact or code.startswith(self.prefixes)

    def unmatched(self, codes: Iterable[str]) -> tuple[str, ...]:
        """The exact codes and prefixes the user gave that match none of ``codes`` (typos?)."""
        if self.everything or not self.explicit:
            return ()
        seen = set(codes)
        missing = [c for c in sorted(self.exact) if c not in seen]
        missing += [p for p in self.prefixes if not any(c.startswith(p) for c in seen)]
        return tuple(missing)


def family_codes(codes: Iterable[str]) -> CodeSelection:
    """The default selection: exactly ``codes`` (the maps' clotting-factor codes)."""
    return CodeSelection(
        exact=frozenset(codes), described="the clotting-factor codes of the maps", explicit=False
    )


def parse_codes(spec: str) -> CodeSelection:
    """``--codes`` text (``all``, or comma-separated codes and prefixes) as a selection.

    Raises :class:`ConfigError` for an empty list or a token that cannot start a HCPCS code.
    """
    tokens = [t.strip().upper() for t in spec.split(",")]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise ConfigError("--codes: give codes or prefixes (J7207,J72) or 'all'")
    if tokens == [ALL.upper()]:
        return CodeSelection(everything=True, described="--codes all")
    exact: set[str] = set()
    prefixes: list[str] = []
    for token in tokens:
        if token == ALL.upper():
            raise ConfigError("--codes: 'all' cannot be combined with codes")
        if not _TOKEN.fullmatch(token):
            raise ConfigError(
                f"--codes: {token!r} is not a HCPCS code or code prefix (letters and digits, "
                "at most 5)"
            )
        if len(token) == 5:
            exact.add(token)
        elif token not in prefixes:
            prefixes.append(token)
    return CodeSelection(frozenset(exact), tuple(prefixes), described=f"--codes {spec.strip()}")
