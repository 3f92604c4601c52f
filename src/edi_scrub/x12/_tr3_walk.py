"""The map walk of the compiled validator: pyx12's ``walk_tree`` as memoised programs.

pyx12's walker re-scans the map from the current node for every segment. Which nodes it tries
and which one matches depend only on (start node, segment id, the values at the segment's
qualifier positions); the loop and segment *counts* only decide which of the errors met on the
way are reported. So the scan is done once per distinct key and recorded as a small program of
counter operations (:func:`plan`); :class:`Walker` replays the program against integer-keyed
counters for every segment. The op sequence and the error wording are those of
``pyx12.map_walker.walk_tree`` (4.0), step for step.
"""

from __future__ import annotations

import threading
from typing import Final

from edi_scrub.x12._tr3_compile import LOOP, MAXINT, ROOT, SEGMENT, CMap, CNode

# Program ops.
MISS_SEG: Final = 0  # (op, seg): a required segment skipped, if not yet counted
MISS_LOOP: Final = 1  # (op, loop, first child): a required loop skipped, if not yet entered
LOOP_USAGE: Final = 2  # (op, loop): loop entered: usage, reset, count, repeat
INCR: Final = 3  # (op, seg)
SEG_USAGE: Final = 4  # (op, seg): usage N / repeat count
REMOVE_MISSING: Final = 5  # (op, seg)
FLUSH: Final = 6  # (op, pos or -1 for all)
NOT_FOUND: Final = 7  # (op, orig node)

Op = tuple[int, int, int]
#: A program's outcome when the counters give no error, for :meth:`Walker.replay` (and the
#: validator's loop) to check without stepping through the ops, in counter keys: (the keys
#: whose count must be >= 1 -- skipped required segments and loops that would be reported
#: missing otherwise --, the loop entered or -1, its max repeat, the keys below it (reset on
#: entry), the segment counted, its max repeat).
Quick = tuple[frozenset[int], int, int, frozenset[int] | set[int], int, int]
#: (ops, result node id or -1, the quick form or None when the ops always give an error or do
#: more than the quick form can say)
Program = tuple[tuple[Op, ...], int, Quick | None]


class _Planner:
    """Runs pyx12's scan over the compiled tree for one key, recording the ops."""

    def __init__(self, cmap: CMap, seg_id: str, values: dict[tuple[int, int], str | None]):
        self.nodes = cmap.nodes
        self.seg_id = seg_id
        self.values = values
        self.ops: list[Op] = []

    def is_match(self, node: CNode) -> bool:
        if node.xid != self.seg_id:
            return False
        if node.key is None:
            return True
        return self.values.get(node.key) in node.key_codes

    def parent_loop(self, node: CNode) -> CNode:
        if node.kind == ROOT:
            return node
        parent = self.nodes[node.parent]
        while parent.kind not in (LOOP, ROOT):
            parent = self.nodes[parent.parent]
        return parent

    def run(self, orig: CNode) -> int:
        node = orig
        node_pos = node.pos
        if node.kind == SEGMENT:
            node = self.parent_loop(node)
        while True:
            found = self.scan(node, node_pos, orig)
            if found is not None:
                return found
            if node.kind == ROOT:
                self.ops.append((NOT_FOUND, orig.nid, 0))
                return -1
            node_pos = node.pos
            node = self.parent_loop(node)

    def scan(self, node: CNode, node_pos: int, orig: CNode) -> int | None:
        for ord1, ids in node.pos_map:
            if ord1 < node_pos:
                continue
            for cid in ids:
                child = self.nodes[cid]
                if child.kind == SEGMENT:
                    found = self.try_segment(node, child, orig)
                else:
                    found = self.try_loop(child)
                if found is not None:
                    return found
        return None

    def try_segment(self, node: CNode, child: CNode, orig: CNode) -> int | None:
        if self.is_match(child):
            if node.kind == LOOP and self.loop_match(node):
                return self.goto(node)
            self.ops.append((INCR, child.nid, 0))
            self.ops.append((SEG_USAGE, child.nid, 0))
            self.ops.append((REMOVE_MISSING, child.nid, 0))
            self.ops.append((FLUSH, child.pos, 0))
            return child.nid
        if child.usage == "R":
            self.ops.append((MISS_SEG, child.nid, 0))
        return None

    def try_loop(self, child: CNode) -> int | None:
        if not self.loop_match(child):
            return None
        return self.goto(child)

    def loop_match(self, loop: CNode) -> bool:
        if loop.first_node < 0:
            return False
        first = self.nodes[loop.first_node]
        if first.kind == LOOP:
            return any(
                self.loop_match(self.nodes[cid])
                for _, ids in loop.pos_map
                for cid in ids
                if self.nodes[cid].kind == LOOP
            )
        if first.kind == SEGMENT and self.is_match(first):
            return True
        if loop.usage == "R":
            self.ops.append((MISS_LOOP, loop.nid, first.nid))
        return False

    def goto(self, loop: CNode) -> int:
        """``_goto_seg_match``: the segment node entered (or -1)."""
        first = self.nodes[loop.first_node] if loop.first_node >= 0 else None
        if first is not None and first.kind == SEGMENT and self.is_match(first):
            self.ops.append((LOOP_USAGE, loop.nid, 0))
            self.ops.append((INCR, first.nid, 0))
            self.ops.append((FLUSH, -1, 0))
            return first.nid
        for _, ids in loop.pos_map:
            for cid in ids:
                child = self.nodes[cid]
                if child.kind != LOOP:
                    continue
                found = self.goto(child)
                if found >= 0:
                    return found
        return -1


def plan(cmap: CMap, start: int, seg_id: str, values: dict[tuple[int, int], str | None]) -> Program:
    planner = _Planner(cmap, seg_id, values)
    result = planner.run(cmap.nodes[start])
    ops = tuple(planner.ops)
    return ops, result, quick(cmap, ops)


def quick(cmap: CMap, ops: tuple[Op, ...]) -> Quick | None:
    """The checks and counts a program comes to when it gives no error.

    The planner's programs are: missing checks (MISS_SEG/MISS_LOOP, each reading a count
    before anything is counted), then either a segment match (INCR, SEG_USAGE,
    REMOVE_MISSING, FLUSH at the segment's position) or a loop entry (LOOP_USAGE, INCR of its
    first segment, FLUSH of everything), or NOT_FOUND. A missing check can only become an
    error when the match does not drop it (same ``eq_key``) or keep it past the flush (same
    position); those are the checks kept."""
    nodes = cmap.nodes
    i = 0
    misses: list[tuple[int, int]] = []  # (node counted, node the error is filed under)
    while i < len(ops) and ops[i][0] in (MISS_SEG, MISS_LOOP):
        op, a, b = ops[i]
        misses.append((a, a if op == MISS_SEG else b))
        i += 1
    tail = tuple(op[0] for op in ops[i:])
    if tail == (INCR, SEG_USAGE, REMOVE_MISSING, FLUSH):
        seg = nodes[ops[i][1]]
        if seg.usage == "N" or ops[i + 1][1] != seg.nid or ops[i + 2][1] != seg.nid:
            return None
        pos = ops[i + 3][1]
        live = tuple(
            a
            for a, filed in misses
            if nodes[filed].eq_key != seg.eq_key and not (pos >= 0 and nodes[filed].pos == pos)
        )
        keys = map_keys(cmap)
        needed = frozenset(keys[a] for a in live)
        return needed, -1, 0, frozenset(), keys[seg.nid], seg.max_repeat
    if tail == (LOOP_USAGE, INCR, FLUSH) and ops[i + 2][1] == -1:
        loop = nodes[ops[i][1]]
        if loop.usage == "N":
            return None
        keys = map_keys(cmap)
        needed = frozenset(keys[a] for a, _ in misses)
        loop_key = keys[loop.nid]
        return needed, loop_key, loop.max_repeat, _BELOW[loop_key], keys[ops[i + 1][1]], MAXINT
    return None


# --------------------------------------------------------------------------------------------
# Counters: pyx12's NodeCounter keyed by path strings, here by interned integers.


#: Counter keys: node paths interned once per process (so programs can carry them), and per
#: key the keys of every path strictly below it (for ``reset_to``; a set, as paths of maps
#: loaded later are added to it).
_IDS: dict[str, int] = {}
_BELOW: list[set[int]] = []
_MAP_KEYS: dict[str, list[int]] = {}
_INTERN: Final = threading.Lock()


def _intern(path: str) -> int:
    found = _IDS.get(path)
    if found is not None:
        return found
    parts = path.split("/")
    ancestors = [_intern("/".join(parts[:i])) for i in range(2, len(parts))]
    found = len(_BELOW)
    _BELOW.append(set())
    for a in ancestors:
        _BELOW[a].add(found)
    _IDS[path] = found  # last: a reader of _IDS without the lock sees a complete entry
    return found


def path_key(path: str) -> int:
    found = _IDS.get(path)
    if found is not None:
        return found
    with _INTERN:
        return _intern(path)


def map_keys(cmap: CMap) -> list[int]:
    """The counter key of every node of ``cmap``, by node id."""
    found = _MAP_KEYS.get(cmap.name)
    if found is None:
        with _INTERN:
            found = [_intern(n.path) for n in cmap.nodes]
        _MAP_KEYS[cmap.name] = found
    return found


class Counters:
    """Loop and segment counts keyed by node path (nodes with one path share a count)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    def key(self, path: str) -> int:
        return path_key(path)

    def reset_to(self, key: int) -> None:
        """Forget the counts of every path below ``key`` (not ``key`` itself)."""
        counts = self.counts
        # In C, over the smaller side: the live counts (a few dozen) or the subtree (a few keys
        # for a LIN or NM1 loop, about a hundred for a 2300 or 2400).
        for k in counts.keys() & _BELOW[key]:
            del counts[k]

    def increment(self, key: int) -> int:
        value = self.counts.get(key, 0) + 1
        self.counts[key] = value
        return value

    def get(self, key: int) -> int:
        return self.counts.get(key, 0)


def quick_step(counts: dict[int, int], fast: Quick) -> bool:
    """Apply a program's quick form when the counts give no error (True); else change
    nothing (False: the caller steps through the ops). Counts are never 0 (a reset deletes
    them), so "count >= 1" is "has a count"."""
    needed, loop, loop_max, below, seg, seg_max = fast
    if needed and not counts.keys() >= needed:
        return False  # a skipped required segment or loop would be reported missing
    if loop >= 0:
        found = counts.get(loop, 0) + 1
        if found > loop_max:
            return False
        for k in counts.keys() & below:  # reset_to (see there)
            del counts[k]
        counts[loop] = found
        counts[seg] = counts.get(seg, 0) + 1
        return True
    found = counts.get(seg, 0) + 1
    if found > seg_max:
        return False
    counts[seg] = found
    return True


#: A walk error: (code, message, map node id the error is filed under or -1).
WalkError = tuple[str, str, int]


class Walker:
    """Replays walk programs against the counters, giving pyx12's errors."""

    __slots__ = ("counters",)

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    def keys_of(self, cmap: CMap) -> list[int]:
        return map_keys(cmap)

    def force(self, loop_path: str, seg_path: str) -> None:
        """``forceWalkCounterToLoopStart`` (ISA and GS)."""
        counters = self.counters
        loop = counters.key(loop_path)
        counters.reset_to(loop)
        counters.increment(loop)
        counters.increment(counters.key(seg_path))

    def replay(self, cmap: CMap, program: Program, seg_id: str) -> list[WalkError]:
        ops, _, fast = program
        counters = self.counters
        if fast is not None and quick_step(counters.counts, fast):
            return []
        nodes = cmap.nodes
        keys = map_keys(cmap)
        errors: list[WalkError] = []
        missing: list[tuple[int, str]] = []  # (seg node filed under, message)
        for op, a, b in ops:
            if op == INCR:
                counters.increment(keys[a])
            elif op == FLUSH:
                if missing:
                    keep: list[tuple[int, str]] = []
                    for m in missing:
                        if a >= 0 and nodes[m[0]].pos == a:
                            keep.append(m)
                        else:
                            errors.append(("3", m[1], m[0]))
                    missing = keep
            elif op == SEG_USAGE:
                node = nodes[a]
                if node.usage == "N":
                    errors.append(("2", f"Segment {node.xid} found but marked as not used", -1))
                else:
                    found = counters.get(keys[a])
                    if found > node.max_repeat:
                        errors.append(
                            (
                                "5",
                                f"Segment {seg_id} exceeded max count.  Found {found}, "
                                f"should have {node.max_repeat}",
                                a,
                            )
                        )
            elif op == REMOVE_MISSING:
                eq = nodes[a].eq_key
                if missing:
                    missing = [m for m in missing if nodes[m[0]].eq_key != eq]
            elif op == MISS_SEG:
                node = nodes[a]
                if counters.get(keys[a]) < 1:
                    missing.append((a, f'Mandatory segment "{node.name}" ({node.xid}) missing'))
            elif op == MISS_LOOP:
                node = nodes[a]
                if counters.get(keys[a]) < 1:
                    missing.append((b, f'Mandatory loop "{node.name}" ({node.xid}) missing'))
            elif op == LOOP_USAGE:
                node = nodes[a]
                if node.usage == "N":
                    errors.append(("2", f"Loop {node.xid} found but marked as not used", -1))
                else:
                    key = keys[a]
                    counters.reset_to(key)
                    found = counters.increment(key)
                    if found > node.max_repeat:
                        errors.append(
                            (
                                "4",
                                f"Loop {node.xid} exceeded max count.  Found {found}, "
                                f"should have {node.max_repeat}",
                                a,
                            )
                        )
            elif op == NOT_FOUND:
                errors.append(("1", "", a))  # message built by the caller (needs the data)
        return errors
