"""Issue 8, item 6: 999 interchange control numbers are unique per run, never the clock's.

pyx12 derives ISA13 from the minute, so every 999 of a minute carried the same number. Now a
run uses ``--ack-control-number N`` or the next number of the counter file in the maps folder.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_scrub
from edi_scrub._control_numbers import COUNTER_FILE, next_control_number
from edi_scrub.cli import main
from edi_scrub.x12._ack import set_control_number
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "p_multi_st.837"


def _numbers(ack: bytes) -> tuple[str, str]:
    segments = ack.decode("ascii").split("~")
    isa = next(s for s in segments if s.lstrip().startswith("ISA*")).split("*")
    iea = next(s for s in segments if s.lstrip().startswith("IEA*")).split("*")
    return isa[13], iea[2]


def _run(tmp_path: Path, name: str, *extra: str) -> tuple[int, str]:
    args = [str(SAMPLE), str(tmp_path / f"{name}.837"), "--ack", str(tmp_path / f"{name}.999")]
    result = CliRunner().invoke(main, [*args, "--maps", str(tmp_path / "maps"), *extra, "-q"])
    return result.exit_code, result.stderr


def test_999s_made_in_the_same_minute_no_longer_share_isa13(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    for name in ("a", "b", "c"):
        assert _run(tmp_path, name)[0] == 0
    numbers = [_numbers((tmp_path / f"{n}.999").read_bytes()) for n in ("a", "b", "c")]
    assert numbers == [
        ("000000001", "000000001"),
        ("000000002", "000000002"),
        ("000000003", "000000003"),
    ]
    assert (tmp_path / "maps" / COUNTER_FILE).read_text() == "3\n"


def test_ack_control_number_option_is_used_and_the_counter_left_alone(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    assert _run(tmp_path, "a", "--ack-control-number", "4242")[0] == 0
    assert _numbers((tmp_path / "a.999").read_bytes()) == ("000004242", "000004242")
    assert not (tmp_path / "maps" / COUNTER_FILE).exists()
    code, err = _run(tmp_path, "b", "--ack-control-number", "1000000000")
    assert code == 2 and "1000000000" in err
    assert not (tmp_path / "b.837").exists()


def test_api_takes_the_number_and_checks_it(tmp_path: Path) -> None:
    ack = edi_scrub.scrub(
        SAMPLE, ack=tmp_path / "x.999", options=edi_scrub.Options(ack_control_number=7)
    ).ack
    assert ack is not None and _numbers(ack) == ("000000007", "000000007")
    assert (tmp_path / "x.999").read_bytes() == ack
    for bad in (0, 1_000_000_000, True):
        with pytest.raises(edi_scrub.ConfigError, match="ack_control_number"):
            edi_scrub.Options(ack_control_number=bad)


def test_a_damaged_counter_is_refused_not_reset(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / COUNTER_FILE).write_text("twelve\n")
    code, err = _run(tmp_path, "a")
    assert code == 2 and COUNTER_FILE in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps"]
    assert (tmp_path / "maps" / COUNTER_FILE).read_text() == "twelve\n"


def test_counter_wraps_after_nine_digits(tmp_path: Path) -> None:
    counter = tmp_path / COUNTER_FILE
    counter.write_text("999999998\n")
    assert [next_control_number(counter) for _ in range(3)] == [999_999_999, 1, 2]


def _take(counter: str, n: int) -> list[int]:
    return [next_control_number(Path(counter)) for _ in range(n)]


def test_concurrent_runs_never_get_the_same_number(tmp_path: Path) -> None:
    counter = str(tmp_path / "maps" / COUNTER_FILE)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        taken = [x for part in pool.starmap(_take, [(counter, 25)] * 4) for x in part]
    assert sorted(taken) == list(range(1, 101))


def test_set_control_number_touches_only_isa13_and_iea02() -> None:
    ack = "ISA*00*          *00*          *ZZ*R *ZZ*S *261130*0537*^*00501*611300537*0*T*:~\nGS*FA*R*S*20261130*053700*617131227*X*005010X231~\nST*999*0001*005010X231~\nIEA*1*611300537~\n"
    assert set_control_number(ack, 12) == ack.replace("611300537", "000000012")
