"""Signals end a run cleanly: SIGTERM, SIGINT and SIGHUP remove every temporary file the run
created (outputs not yet renamed, the stdin spool) and exit ``128 + n``, the shell's convention
(143 for ``timeout``'s SIGTERM, 130 for Ctrl-C), leaving each output absent or as it was.

The handler removes the files itself, before anything else runs, so the cleanup does not depend
on how far the unwinding gets; then it raises :class:`Interrupted` (a ``BaseException``, so no
``except Exception`` swallows it) to stop the run. Renames are held until all are done (see
:class:`~edi_scrub.atomic.Publication`), so a signal never publishes half a run. A forked child
(the validation worker) inherits the handler but takes the default action: it just dies.

The batch command uses the same handler with ``once=True``: its cleanup (removing every file
with the batch's token) takes a while, and a second signal must not cut it short.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from edi_scrub.atomic import remove_live_temps

HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Interrupted(BaseException):
    """The run was stopped by a signal; ``exit_code`` is ``128 + signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum
        self.exit_code = 128 + signum


@contextlib.contextmanager
def cleanup_on_signals(once: bool = False) -> Iterator[None]:
    """Handle SIGTERM/SIGINT/SIGHUP for the duration of a run (main thread only).

    ``once``: after the first signal, ignore the others until the run has unwound.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:
            # A forked worker: its parent cleans up; the worker only has to go.
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if once:
            for other in HANDLED:
                signal.signal(other, signal.SIG_IGN)
        remove_live_temps()
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in HANDLED}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
