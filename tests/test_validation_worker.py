"""pipeline._InputValidation: the input validated in a one-shot forked worker.

The worker ends as soon as its answer is in (it does not hold its memory until the fix pass
asks for the answer); its answer is the in-process validation's; an exception in it is raised
in the main process; if it dies without an answer the main process validates itself; the
objects frozen for the fork are unfrozen once it has ended.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from edi_scrub import pipeline
from edi_scrub.errors import InputError
from tests.generated import generate

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)

OPTIONS = pipeline.Options(parallel_validation=True)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("worker") / "big.837"
    generate(path, "837P", claims=1500, seed=3, defects=0.2)
    assert path.stat().st_size >= pipeline._PARALLEL_MIN_BYTES  # so a worker is forked
    return path


def test_the_worker_ends_once_its_answer_is_in_and_gives_the_in_process_result(
    big: Path,
) -> None:
    validation = pipeline._InputValidation(big, OPTIONS)
    try:
        worker, receiver = validation._worker, validation._receiver
        assert worker is not None and receiver is not None
        receiver.join(timeout=120)  # without result() being called
        assert not receiver.is_alive() and not worker.is_alive()
        assert worker.exitcode == 0
        assert gc.get_freeze_count() == 0
        assert validation.result() == pipeline._validate_path(str(big), False)
    finally:
        validation.close()


def test_an_error_in_the_worker_is_raised_by_result(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: str, ack: bool, validator: str = "compiled") -> object:
        raise InputError(f"{path}: segment 1: not an 837")

    monkeypatch.setattr(pipeline, "_validate_path", broken)  # inherited by the fork
    validation = pipeline._InputValidation(big, OPTIONS)
    try:
        with pytest.raises(InputError, match="not an 837"):
            validation.result()
    finally:
        validation.close()


def _hold_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked worker sleeps for two minutes before validating; this process does not."""
    here, real = os.getpid(), pipeline._validate_path

    def slow_in_worker(path: str, ack: bool, validator: str = "compiled") -> object:
        if os.getpid() != here:
            time.sleep(120)
        return real(path, ack, validator)

    monkeypatch.setattr(pipeline, "_validate_path", slow_in_worker)


def test_a_worker_lost_without_an_answer_is_replaced_by_validating_here(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline._validate_path
    _hold_the_worker(monkeypatch)
    validation = pipeline._InputValidation(big, OPTIONS)
    try:
        worker = validation._worker
        assert worker is not None and worker.pid is not None
        os.kill(worker.pid, 9)  # as the OOM killer would
        assert validation.result() == real(str(big), False)
        assert not worker.is_alive() and gc.get_freeze_count() == 0
    finally:
        validation.close()


def test_close_stops_a_running_worker_at_once(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _hold_the_worker(monkeypatch)
    validation = pipeline._InputValidation(big, OPTIONS)
    worker = validation._worker
    assert worker is not None
    started = time.monotonic()
    validation.close()
    assert time.monotonic() - started < 30
    assert not worker.is_alive() and gc.get_freeze_count() == 0


class _UnpicklableError(Exception):
    def __init__(self) -> None:
        super().__init__("cannot be sent")
        self.hook = lambda: None  # a lambda does not pickle


def test_an_error_that_cannot_be_sent_is_raised_here_without_a_worker_traceback(
    big: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(path: str, ack: bool, validator: str = "compiled") -> object:
        raise _UnpicklableError

    monkeypatch.setattr(pipeline, "_validate_path", broken)
    validation = pipeline._InputValidation(big, OPTIONS)
    try:
        with pytest.raises(_UnpicklableError):
            validation.result()  # no answer came: validated (and failed) here
    finally:
        validation.close()
    assert "Traceback" not in capfd.readouterr().err
