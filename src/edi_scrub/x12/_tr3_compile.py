"""pyx12's TR3 maps compiled into plain lookup structures, cached on disk.

The compiled validator (:mod:`._tr3_validate`) needs, for each map, the loop/segment tree with
integer node ids, each segment's element table (types, lengths, code sets, regexes, syntax
rules) and the counter key of every node. Loading a map through pyx12 takes ~0.3 s and builds
thousands of heavy objects; the compiled form is a few plain classes, pickled once per
(pyx12 version, compiler version, map file) into the user cache directory
(``$XDG_CACHE_HOME/edi-scrub`` or ``~/.cache/edi-scrub``) and loaded from there in a few
milliseconds. When that directory is not writable the compiled map lives in memory only.

The tree is read through pyx12's own map loader (which parses the XML, ``dataele.xml`` and
``codes.xml``) rather than a second XML reader of ours: the validator must reproduce pyx12's
findings exactly, and pyx12's loader *is* the definition of how its maps are read (which
``pos`` orders siblings, which element carries a segment's qualifier, which code lists are
external). Only this module imports pyx12, and only on a cache miss.
"""

from __future__ import annotations

import contextlib
import importlib.util
import pickle
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from edi_scrub._cache import cache_dir, mark_used, write_atomic

#: Bump when the compiled structures or their meaning change: old cache files are ignored.
COMPILER_VERSION: Final = 2
MAXINT: Final = 2147483647

ROOT, LOOP, SEGMENT = 0, 1, 2


@dataclass(slots=True)
class CElement:
    """One simple element of a segment (or component of a composite), as pyx12 validates it."""

    name: str
    refdes: str
    usage: str
    seq: int
    data_ele: str
    data_type: str
    min_len: int
    max_len: int
    codes: frozenset[str | None]
    #: The element's own code list as pyx12 lists it (1250 types feed the 1251 check).
    code_list: tuple[str | None, ...]
    external: str | None
    #: None when the external code list is excluded; a frozenset of valid codes otherwise.
    external_codes: frozenset[str | None] | None
    external_missing: bool
    regex: str | None
    #: "NN" or "NN-M": the element's position as the collector names it (after the seg id).
    ref_suffix: str
    #: The segment position of the element (of its composite, for a component).
    ele_pos: int
    in_composite: bool
    composite_usage: str


@dataclass(slots=True)
class CComposite:
    name: str
    data_ele: str
    refdes: str
    usage: str
    seq: int
    children: list[CElement]


@dataclass(slots=True)
class CNode:
    """A loop, segment or the map root, with everything the walker asks of it."""

    nid: int
    kind: int
    xid: str
    name: str
    usage: str
    pos: int
    max_repeat: int
    parent: int  # -1 for the root
    path: str
    #: (xid, parent xid): pyx12 compares map nodes by these two (``x12_node.__eq__``).
    eq_key: tuple[str, str]
    # loops and the root
    pos_map: list[tuple[int, list[int]]]
    first_node: int  # -1 if none
    # segments
    key: tuple[int, int] | None  # (ele_idx, subele_idx or 0) of the qualifier, for is_match
    key_codes: frozenset[str | None]
    children: list[CElement | CComposite]
    syntax: list[list[Any]]


@dataclass(slots=True)
class CMap:
    name: str
    icvn: str
    nodes: list[CNode]
    by_path: dict[str, int]


_LOCK = threading.Lock()
_MEMORY: dict[str, CMap] = {}
#: Every map ever loaded, kept alive: the validator's caches key some entries by ``id()`` of
#: map nodes and elements, which must not be reused by a map loaded again (tests reset
#: ``_MEMORY``). A few maps per process.
_LOADED: list[CMap] = []


def _pyx12_version() -> str:
    try:
        return metadata.version("pyx12")
    except metadata.PackageNotFoundError:  # pragma: no cover - pyx12 is a dependency
        return "unknown"


def _sources_stamp(name: str) -> str:
    """Size and mtime of the map and the code/data-element lists it is compiled from, so a
    pyx12 install whose maps changed without a version bump is compiled again."""
    spec = importlib.util.find_spec("pyx12")  # locates the package without importing it
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return "0"
    base = Path(next(iter(folders))) / "map"
    parts: list[str] = []
    for file in (name, "codes.xml", "dataele.xml"):
        try:
            st = (base / file).stat()
        except OSError:
            parts.append("x")
            continue
        parts.append(f"{st.st_size:x}{int(st.st_mtime):x}")
    return "-".join(parts)


def cache_path(name: str) -> Path:
    stamp = _sources_stamp(name)
    return cache_dir() / f"tr3-{_pyx12_version()}-c{COMPILER_VERSION}-{stamp}-{name}.pickle"


def load(name: str) -> CMap:
    """The compiled map for pyx12's map file ``name`` (compiled and cached on first use)."""
    with _LOCK:
        found = _MEMORY.get(name)
        if found is not None:
            return found
        path = cache_path(name)
        cmap: CMap | None = None
        with contextlib.suppress(Exception):
            # A stale or corrupt cache file is simply recompiled.
            with path.open("rb") as stream:
                loaded = pickle.load(stream)
            if isinstance(loaded, CMap) and loaded.name == name:
                cmap = loaded
                mark_used(path)
        if cmap is None:
            cmap = compile_map(name)
            _store(path, cmap)
        _MEMORY[name] = cmap
        _LOADED.append(cmap)
        return cmap


def _store(path: Path, cmap: CMap) -> None:
    write_atomic(
        path,
        lambda stream: pickle.dump(cmap, stream, protocol=pickle.HIGHEST_PROTOCOL),
        family="tr3-",
    )


# --------------------------------------------------------------------------------------------
# Compilation from pyx12's loaded map (cache miss only).


def compile_map(name: str) -> CMap:
    import pyx12.map_if  # noqa: PLC0415 - only on a cache miss
    import pyx12.params  # noqa: PLC0415

    root = pyx12.map_if.load_map_file(name, pyx12.params.params())
    nodes: list[CNode] = []
    by_path: dict[str, int] = {}
    ext = root.ext_codes

    def element(e: Any, comp: Any | None) -> CElement:
        data = e._resolve_data_ele()
        external = e.external_codes
        external_codes: frozenset[str | None] | None = None
        missing = False
        if external is not None:
            if external in ext.exclude_list:
                external_codes = None
            elif external not in ext.codes:
                missing = True
            else:
                external_codes = frozenset(ext.codes[external]["codes"])
        if comp is not None:
            suffix, pos = f"{int(comp.seq):02d}-{int(e.seq)}", int(comp.seq)
        else:
            suffix, pos = f"{int(e.seq):02d}", int(e.seq)
        return CElement(
            name=str(e.name),
            refdes=str(e.refdes),
            usage=str(e.usage),
            seq=int(e.seq),
            data_ele=str(e.data_ele or ""),
            data_type=data["data_type"] or "",
            min_len=int(data["min_len"]),
            max_len=int(data["max_len"]),
            codes=frozenset(e.valid_codes),
            code_list=tuple(e.valid_codes),
            external=external,
            external_codes=external_codes,
            external_missing=missing,
            regex=e.res if e.res else None,
            ref_suffix=suffix,
            ele_pos=pos,
            in_composite=comp is not None,
            composite_usage=str(comp.usage) if comp is not None else "",
        )

    def visit(node: Any, parent: int) -> int:
        nid = len(nodes)
        if node.is_map_root():
            kind = ROOT
        elif node.is_loop():
            kind = LOOP
        else:
            kind = SEGMENT
        path = str(node.get_path())
        cnode = CNode(
            nid=nid,
            kind=kind,
            xid=str(node.id),
            name=str(node.name),
            usage=str(node.usage or ""),
            pos=int(node.pos) if kind != ROOT else 0,
            max_repeat=int(node.get_max_repeat()) if kind != ROOT else MAXINT,
            parent=parent,
            path=path,
            eq_key=(str(node.id), str(node.parent.id) if node.parent is not None else ""),
            pos_map=[],
            first_node=-1,
            key=None,
            key_codes=frozenset(),
            children=[],
            syntax=[],
        )
        nodes.append(cnode)
        by_path.setdefault(path, nid)
        if kind == SEGMENT:
            for child in node.children:
                if child.is_composite():
                    cnode.children.append(
                        CComposite(
                            name=str(child.name),
                            data_ele=str(child.data_ele or ""),
                            refdes=str(child.refdes),
                            usage=str(child.usage),
                            seq=int(child.seq),
                            children=[element(c, child) for c in child.children],
                        )
                    )
                else:
                    cnode.children.append(element(child, None))
            cnode.syntax = [list(s) for s in node.syntax]
            found = node._resolve_unique_key_field(node.id, with_qual=False)
            if found is not None:
                child, ele_idx, subele_idx = found
                cnode.key = (int(ele_idx), int(subele_idx or 0))
                cnode.key_codes = frozenset(child._valid_codes_set)
            return nid
        for ord1 in sorted(node.pos_map):
            ids = [visit(child, nid) for child in node.pos_map[ord1]]
            cnode.pos_map.append((int(ord1), ids))
        if cnode.pos_map:
            cnode.first_node = cnode.pos_map[0][1][0]
        return nid

    visit(root, -1)
    return CMap(name=name, icvn=str(root.icvn or "00401"), nodes=nodes, by_path=by_path)
