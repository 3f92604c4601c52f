"""A set of ICD-10-CM codes in a tenth of a ``frozenset``'s memory.

A release has about 98,000 codes. As a ``frozenset`` of ``str`` they hold ~9.4 MiB for the whole
run, a tenth of the run's memory budget, for two lookups per claim. Here codes are grouped by
their first three characters (the ICD-10-CM category): each group is one string of the codes'
remaining characters between ``|`` separators, so a lookup is a dict get and a substring search
in C over a few dozen short suffixes (``"|311|" in "|1|11|311|..."``). About 0.9 MiB in all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set

__all__ = ["CodeSet"]

#: Separates suffixes inside a group; never part of a code.
_SEP = "|"


class CodeSet(Set[str]):
    """An immutable set of codes (``in``, iteration, ``len``, and the ``Set`` operators)."""

    __slots__ = ("_groups", "_size")

    def __init__(self, codes: Iterable[str] = ()) -> None:
        groups: dict[str, set[str]] = {}
        for code in codes:
            if _SEP in code:
                raise ValueError(f"not a code: {code!r}")
            groups.setdefault(code[:3], set()).add(code[3:])
        self._groups = {
            prefix: _SEP + _SEP.join(sorted(rest)) + _SEP for prefix, rest in groups.items()
        }
        self._size = sum(len(rest) for rest in groups.values())

    @classmethod
    def from_groups(cls, groups: Mapping[str, str]) -> CodeSet:
        """A set from :attr:`groups` as stored (the user cache keeps them as they are)."""
        new = cls.__new__(cls)
        new._groups = dict(groups)
        new._size = sum(group.count(_SEP) - 1 for group in new._groups.values())
        return new

    @property
    def groups(self) -> dict[str, str]:
        """Category -> ``|suffix|suffix|`` (a copy)."""
        return dict(self._groups)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str) or _SEP in code:
            return False
        group = self._groups.get(code[:3])
        return group is not None and f"{_SEP}{code[3:]}{_SEP}" in group

    def __iter__(self) -> Iterator[str]:
        for prefix in sorted(self._groups):
            for rest in self._groups[prefix][1:-1].split(_SEP):
                yield prefix + rest

    def __len__(self) -> int:
        return self._size

    def __hash__(self) -> int:
        return self._hash()

    def __repr__(self) -> str:
        return f"CodeSet(<{self._size} codes>)"
