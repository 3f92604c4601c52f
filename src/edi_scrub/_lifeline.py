"""Child processes die with their parent.

A pool worker busy in pyx12 would otherwise run on for as long as its validation takes after
its parent was killed (``kill -9`` runs no cleanup), holding claim data in memory and finally
printing a BrokenPipeError. On Linux the kernel kills it the moment its parent dies
(``PR_SET_PDEATHSIG``); elsewhere a daemon thread notices the parent is gone within a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Arrange for this (child) process to end when its parent does; a pool initializer."""
    parent = os.getppid()
    if sys.platform.startswith("linux") and _pdeathsig():
        # The parent may have died before the call: then the kernel sends nothing.
        if os.getppid() != parent:
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="lifeline").start()


def _pdeathsig() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
