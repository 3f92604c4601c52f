"""A map whose memory stays flat: recent entries in a dict, the rest in an unnamed SQLite file.

The run-wide usage history (:mod:`edi_scrub.history`) gains entries with every claim; held as
dicts it grew by some 300 bytes per claim (30 MiB at 100,000 claims, 300 MiB at a million).
:class:`SpillMap` keeps at most ``limit`` entries in a dict and, when it is full, moves all of
them into a SQLite table in one sorted batch and starts an empty dict. A lookup tries the dict,
then the table. An entry read back from the table and changed is stored in the dict again and
replaces the table's copy at the next move, so every answer is exactly what one dict would give.

Privacy: no key reaches the disk as it is. A key is written as a BLAKE2b digest keyed with a
secret drawn per map (never stored), so the file holds no patient key or claim hash another
run could match. The values are encoded by the caller (see its ``encode``). The database is
SQLite's private temporary database (``ATTACH ''``): SQLite unlinks its file as soon as it is
created, so it has no name in any folder, no other process can open it, and it vanishes when
the connection closes or the process dies (even by ``kill -9``), with nothing to clean up after
a signal. Its page cache is bounded (``_CACHE_KIB``); the rest stays in the OS's file cache.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import secrets
import sqlite3
from array import array
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: SQLite page cache of the spilled table (KiB): the hot pages of a multi-million-row index
#: (4 MiB per map until round 3; 1 MiB keeps the process tree under 100 MB, see history.py).
_CACHE_KIB = 1024
#: Bits of the Bloom filter of the keys on disk (2 MiB): most lookups are of keys never seen
#: (a new claim's lines), and the filter answers them without a query. Three bits per key, in
#: one 64-bit word (a blocked filter: one word read or written per key, where three separate
#: bits cost three; measured 0.8% false positives at 1,000,000 keys, 12% at 3,600,000, a
#: million claims' lines, against 0.4% and 12% for three separate bits), each false positive
#: costing one query; never a false negative, so answers do not change.
_BLOOM_BITS = 1 << 24
#: The filter's word index is the top bits of the mixed hash: 2**18 words of 64 bits.
_WORD_SHIFT = 64 - (_BLOOM_BITS // 64).bit_length() + 1
_M64 = (1 << 64) - 1
#: An empty filter (before the first spill and after close; never read then).
_NO_FILTER = array("Q")


class SpillMap(Generic[K, V]):
    """``key -> value`` with at most ``limit`` entries in memory and the rest on disk.

    ``key_bytes`` turns a key into the bytes to digest (equal keys, equal bytes); ``encode`` and
    ``decode`` turn a value into text and back exactly (``decode(encode(v)) == v``). Values are
    never ``None`` (``get`` answers ``None`` for a missing key).
    """

    def __init__(
        self,
        limit: int,
        key_bytes: Callable[[K], bytes],
        encode: Callable[[V], str],
        decode: Callable[[str], V],
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._key_bytes = key_bytes
        self._encode = encode
        self._decode = decode
        self._memory: dict[K, V] = {}
        self._db: sqlite3.Connection | None = None
        #: The Bloom filter (2 MiB once spilled), as 64-bit words. An array, not a memoryview:
        #: the map stays copyable (``copy.deepcopy``) until it spills, as it was.
        self._words = _NO_FILTER
        #: The filter's positions come from the key's Python ``hash`` times this secret odd
        #: number (multiply-shift hashing): no digest for the keys the filter rules out. The
        #: filter is in memory only; what reaches the disk is still the keyed digest.
        self._mix = secrets.randbits(64) | 1
        self._salt = secrets.token_bytes(16)
        # The keyed hash's state after its key block: a copy of it digests a key with one
        # compression instead of two (keying a BLAKE2b compresses a whole block), same digest.
        # Made on first use (after a spill): a hash object cannot be copied with the map.
        self._keyed: hashlib.blake2b | None = None

    @property
    def spilled(self) -> bool:
        """Whether some entries live on disk."""
        return self._db is not None

    def get(self, key: K) -> V | None:
        """The value for ``key``, or ``None``."""
        value = self._memory.get(key)
        if value is not None or self._db is None:
            return value
        # :meth:`_maybe_on_disk`, inlined: asked of most keys once spilled.
        x = ((hash(key) & _M64) * self._mix) & _M64
        bits = (1 << ((x >> 40) & 63)) | (1 << ((x >> 34) & 63)) | (1 << ((x >> 28) & 63))
        if self._words[x >> _WORD_SHIFT] & bits != bits:
            return None
        digest = self._digest(key)
        try:
            row = self._db.execute("SELECT v FROM h.m WHERE k = ?", (digest,)).fetchone()
        except sqlite3.Error as exc:
            raise _environment(exc) from None
        return None if row is None else self._decode(row[0])

    def __setitem__(self, key: K, value: V) -> None:
        self._memory[key] = value
        if len(self._memory) >= self._limit:
            self._spill()

    def _digest(self, key: K) -> bytes:
        """``blake2b(key_bytes(key), key=salt, digest_size=16).digest()``."""
        keyed = self._keyed
        if keyed is None:
            keyed = self._keyed = hashlib.blake2b(key=self._salt, digest_size=16)
        hasher = keyed.copy()
        hasher.update(self._key_bytes(key))
        return hasher.digest()

    def _probe(self, key: K) -> tuple[int, int]:
        """The filter's word for ``key`` and the three bits of it that stand for the key."""
        # Multiply-shift: the product's top bits depend on every bit of the hash; the word is
        # the top 18, the bits three 6-bit slices below them.
        x = ((hash(key) & _M64) * self._mix) & _M64
        bits = (1 << ((x >> 40) & 63)) | (1 << ((x >> 34) & 63)) | (1 << ((x >> 28) & 63))
        return x >> _WORD_SHIFT, bits

    def _maybe_on_disk(self, key: K) -> bool:
        word, bits = self._probe(key)
        return self._words[word] & bits == bits

    def _spill(self) -> None:
        db = self._db if self._db is not None else self._open()
        # Sorted by digest: the batch goes into the index in order, page after page.
        memory = self._memory
        rows = sorted([(self._digest(k), self._encode(v)) for k, v in memory.items()])
        words, mix = self._words, self._mix
        # _probe inlined (a spill sets the bits of thousands of keys).
        for key in memory:
            x = ((hash(key) & _M64) * mix) & _M64
            bits = (1 << ((x >> 40) & 63)) | (1 << ((x >> 34) & 63)) | (1 << ((x >> 28) & 63))
            words[x >> _WORD_SHIFT] |= bits
        memory.clear()
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO h.m (k, v) VALUES (?, ?)", rows)
        except sqlite3.Error as exc:
            raise _environment(exc) from None

    def _open(self) -> sqlite3.Connection:
        # check_same_thread off: one run uses the map from one thread at a time, but a library
        # caller's garbage collector may finalise it (and close the connection) in another.
        db = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            # ATTACH '' after temp_store=FILE: a private on-disk database, whatever the
            # library's compiled-in default (the main ":memory:" database stays empty).
            db.execute("PRAGMA temp_store = FILE")
            db.execute("ATTACH DATABASE '' AS h")
            db.execute(f"PRAGMA h.cache_size = -{_CACHE_KIB}")
            # Nothing to recover after a crash: the file is gone with the process anyway.
            db.execute("PRAGMA h.journal_mode = OFF")
            db.execute("PRAGMA h.synchronous = OFF")
            db.execute("CREATE TABLE h.m (k BLOB PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID")
        except sqlite3.Error as exc:
            db.close()
            raise _environment(exc) from None
        except BaseException:
            db.close()
            raise
        self._db = db
        self._words = array("Q", bytes(_BLOOM_BITS // 8))
        return db

    def close(self) -> None:
        """Drop the disk part (its file goes with it) and the memory part."""
        self._memory.clear()
        self._words = _NO_FILTER
        self._keyed = None
        if self._db is not None:
            self._db.close()
            self._db = None

    def __del__(self) -> None:
        # The connection would be closed when collected anyway; closing here says so.
        db = getattr(self, "_db", None)
        if db is not None:
            # A finaliser must not raise: Python would print "Exception ignored" on stderr.
            with contextlib.suppress(sqlite3.Error):
                db.close()


def _environment(exc: sqlite3.Error) -> OSError:
    """A failure of the temporary database is the environment's (a full disk, an unwritable
    temp folder), not a bug: an :class:`OSError`, which the CLI reports as exit 2 in one line.
    SQLite's message names no value (only its own state), so it can be shown."""
    text = str(exc)
    code = errno.ENOSPC if "full" in text else errno.EIO
    return OSError(code, f"temporary usage-history database: {text}")
