"""``edi-scrub batch``: a 200-file tree on the process pool and on a real Dask LocalCluster.

The big tree is built once per module (varied 837P/837I claims and defects in sub-folders, one
corrupt file and one 835) and scrubbed with pyx12 on; the expensive runs are module fixtures that
several tests read.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from edi_scrub import batch
from edi_scrub.batch import FileJob, FileResult, Settings, Status, scrub_one
from edi_scrub.batch_run import BATCH_REPORT, Engine, discover, plan, run, worst_exit_code
from edi_scrub.cli import main
from tests.builders import ClaimSpec, I, LineSpec, P, build

CLEAN = ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),))
HYPHEN_NDC = ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),))
UNPROVEN = ClaimSpec(lines=(LineSpec(ctp_qty="1", ctp_unit="UN"),))
WASTE = ClaimSpec(lines=(LineSpec(ctp_qty="1200"),))
WRONG_TOTAL = ClaimSpec(clm02="999", lines=(LineSpec(modifiers=("JZ",)),))
VARIANTS = (CLEAN, HYPHEN_NDC, UNPROVEN, WASTE, WRONG_TOTAL)
SUFFIXES = (".837", ".edi", ".x12", ".EDI")

CORRUPT = "broken/garbage.837"
NOT_837 = "other/remit.edi"
REMIT = (
    b"ISA*00*          *00*          *ZZ*SYNSUBMIT      *ZZ*SYNRECEIVE     *240201*1200*^*00501"
    b"*000000001*0*T*:~GS*HP*A*B*20240201*1200*1*X*005010X221A1~ST*835*0001~SE*2*0001~GE*1*1~"
    b"IEA*1*000000001~"
)
FILES = 200


def _file(i: int) -> bytes:
    """Claims for file ``i``: 1-3 claims, a mix of variants, 837P or 837I."""
    count = 1 + i % 3
    claims = tuple(
        ClaimSpec(
            clm01=f"PCN{i:03d}{n}",
            lines=VARIANTS[(i + n) % len(VARIANTS)].lines,
            clm02=VARIANTS[(i + n) % len(VARIANTS)].clm02,
        )
        for n in range(count)
    )
    return build(I if i % 4 == 3 else P, claims)


def make_tree(root: Path, files: int = FILES) -> list[str]:
    """``files`` inputs under ``root`` (837s plus one corrupt file and one 835), and decoys."""
    names: list[str] = []
    for i in range(files - 2):
        name = f"site{i % 5}/day{i % 3}/claims{i:03d}{SUFFIXES[i % len(SUFFIXES)]}"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(_file(i))
        names.append(name)
    for name, data in ((CORRUPT, b"this is not X12 at all\n"), (NOT_837, REMIT)):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        names.append(name)
    # Not an 837 by content, or hidden: never scrubbed (but listed in the batch report).
    (root / "README.txt").write_text("notes\n")
    (root / ".hidden.837").write_bytes(_file(0))
    (root / ".git").mkdir()
    (root / ".git" / "x.837").write_bytes(_file(0))
    return sorted(names)


def _invoke(args: list[str]) -> Result:
    result = CliRunner().invoke(main, ["batch", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _tree_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != BATCH_REPORT
    }


def _report(outdir: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((outdir / BATCH_REPORT).read_text())
    return data


def _codes(outdir: Path) -> dict[str, tuple[str, int]]:
    files = _report(outdir)["files"]
    assert isinstance(files, list)
    return {f["name"]: (f["status"], f["exit_code"]) for f in files}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("in")
    return root, make_tree(root)


@pytest.fixture(scope="module")
def process_run(
    tree: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Result, float]:
    out = tmp_path_factory.mktemp("out") / "process"
    started = time.perf_counter()
    result = _invoke([str(tree[0]), str(out), "--workers", "2"])
    return out, result, time.perf_counter() - started


def test_process_pool_scrubs_every_file_and_refuses_the_bad_ones(
    tree: tuple[Path, list[str]], process_run: tuple[Path, Result, float]
) -> None:
    """All 200 files are accounted for; corrupt and non-837 files are refused; the rest done."""
    indir, names = tree
    out, result, _ = process_run
    assert result.exit_code == 2
    report = _report(out)
    assert report["schema"] == "edi-scrub/batch/v1"
    assert report["exit_code"] == 2
    assert report["engine"] == "process"
    assert report["workers"] == 2
    codes = _codes(out)
    assert sorted(n for n, (s, _) in codes.items() if s not in ("excluded", "not-837")) == names
    # Every other file under INDIR is accounted for too, with the reason it was left alone.
    assert codes[".hidden.837"] == codes[".git/x.837"] == ("excluded", 0)
    assert codes["README.txt"] == ("not-837", 0)
    assert len(codes) == FILES + 3
    codes = {n: c for n, c in codes.items() if n in names}
    assert codes[CORRUPT] == ("refused", 2)
    assert codes[NOT_837] == ("refused", 2)
    rest = {n: c for n, c in codes.items() if n not in (CORRUPT, NOT_837)}
    assert {s for s, _ in rest.values()} == {"clean", "findings"}
    assert all(code == (0 if s == "clean" else 1) for s, code in rest.values())
    assert report["exit_code"] == max(code for _, code in codes.values())
    totals = report["totals"]
    assert isinstance(totals, dict)
    assert totals["files"] == FILES + 3
    assert totals["scrubbed"] == FILES
    assert (totals["excluded"], totals["not-837"], totals["skipped"]) == (2, 1, 0)
    assert totals["refused"] == 2
    assert totals["clean"] + totals["findings"] == FILES - 2
    # Outputs mirror the tree, each with its report; refused files leave nothing behind.
    written = _tree_files(out)
    expected = {n for n in rest} | {n + ".report.json" for n in rest}
    assert set(written) == expected
    assert not any(p.name.startswith(".edi-scrub-") for p in out.rglob("*"))
    # One status line per file plus the summary line.
    lines = [line for line in result.output.splitlines() if line]
    assert len([line for line in lines if line.split(":")[0] in codes]) == FILES
    assert "README.txt: not-837 exit 0 (no ISA header: not an X12 interchange)" in lines
    assert f"{CORRUPT}: refused exit 2 (byte 0: not X12" in result.output
    assert "\r" not in result.output  # no progress bar when stderr is not a terminal
    # A fixed file really changed; a clean one is byte-identical to its input.
    fixed = [n for n in rest if json.loads(written[n + ".report.json"])["summary"]["fixed"]]
    assert fixed
    assert written[fixed[0]] != (indir / fixed[0]).read_bytes()
    clean = next(
        n for n in rest if json.loads(written[n + ".report.json"])["summary"]["errors"] == 0
    )
    assert written[clean] == (indir / clean).read_bytes()


def test_rerun_skips_up_to_date_files_and_force_redoes_them(
    tree: tuple[Path, list[str]], process_run: tuple[Path, Result, float]
) -> None:
    """A second run skips every written file, keeps the exit code; --force scrubs again."""
    indir, _ = tree
    out, _, _ = process_run
    before = _tree_files(out)
    first_codes = _codes(out)
    again = _invoke([str(indir), str(out), "--workers", "2"])
    assert again.exit_code == 2
    codes = _codes(out)
    for name, (status, code) in codes.items():
        assert code == first_codes[name][1]
        # Refused files have no output, so they are tried again (their input may be fixed).
        if name in (CORRUPT, NOT_837):
            assert status == "refused"
        elif first_codes[name][0] not in ("excluded", "not-837"):
            assert status == "skipped"
        else:
            assert status == first_codes[name][0]
    assert _tree_files(out) == before

    forced = _invoke([str(indir), str(out), "--workers", "2", "--force", "-q"])
    assert forced.exit_code == 2
    assert _codes(out) == first_codes
    assert _tree_files(out) == before
    assert "skipped" not in forced.output


@pytest.fixture(scope="module")
def dask_run(
    tree: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Result, float]:
    pytest.importorskip("distributed")
    out = tmp_path_factory.mktemp("out") / "dask"
    started = time.perf_counter()
    result = _invoke([str(tree[0]), str(out), "--engine", "dask", "--workers", "2", "-q"])
    return out, result, time.perf_counter() - started


def test_dask_local_cluster_gives_byte_identical_outputs(
    process_run: tuple[Path, Result, float], dask_run: tuple[Path, Result, float]
) -> None:
    """The same batch on a local Dask cluster: same files, same bytes, same exit codes."""
    p_out, _, p_seconds = process_run
    d_out, d_result, d_seconds = dask_run
    print(f"200-file batch: process pool {p_seconds:.1f}s, dask local cluster {d_seconds:.1f}s")
    assert d_result.exit_code == 2, d_result.output
    assert _report(d_out)["engine"] == "dask"
    assert _codes(d_out) == _codes(p_out)
    p_files, d_files = _tree_files(p_out), _tree_files(d_out)
    assert p_files.keys() == d_files.keys()
    for name, data in p_files.items():
        if not name.endswith(".report.json"):
            assert d_files[name] == data, name
            continue
        # Reports name their own output path; everything else must match exactly.
        p_report, d_report = json.loads(data), json.loads(d_files[name])
        assert p_report.pop("output") != d_report.pop("output")
        assert p_report == d_report, name


def test_dask_with_scheduler_address(tmp_path: Path) -> None:
    """--scheduler ADDR sends the same per-file function to an existing cluster."""
    distributed = pytest.importorskip("distributed")
    indir = tmp_path / "in"
    (indir / "a").mkdir(parents=True)
    (indir / "a" / "x.837").write_bytes(build(P, (HYPHEN_NDC,)))
    (indir / "y.837").write_bytes(build(P, (UNPROVEN,)))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = _invoke(
            [
                str(indir),
                str(tmp_path / "out"),
                "--engine",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    assert result.exit_code == 1, result.output
    assert _codes(tmp_path / "out") == {"a/x.837": ("clean", 0), "y.837": ("findings", 1)}
    assert _report(tmp_path / "out")["scheduler"] == cluster.scheduler_address


def test_cli_small_tree_status_lines_and_report(tmp_path: Path) -> None:
    """Status lines name each file; --glob filters; settings changes re-run; exit = worst."""
    indir, out = tmp_path / "in", tmp_path / "out"
    (indir / "sub").mkdir(parents=True)
    (indir / "a.837").write_bytes(build(P, (HYPHEN_NDC,)))
    (indir / "sub" / "b.edi").write_bytes(build(I, (UNPROVEN,)))
    (indir / "sub" / "c.dat").write_bytes(build(P, (CLEAN,)))
    result = _invoke([str(indir), str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "a.837: clean exit 0 (1 claim, 1 error, 1 fixed, " in result.output
    assert "sub/b.edi: findings exit 1 (1 claim, 1 error, 0 fixed, " in result.output
    assert "batch: 3 files (2 clean, 1 findings), exit 1" in result.output
    assert sorted(_codes(out)) == ["a.837", "sub/b.edi", "sub/c.dat"]
    per_file = json.loads((out / "a.837.report.json").read_text())
    assert per_file["schema"] == "edi-scrub/report/v1"
    assert per_file["batch"]["settings"] == Settings().digest()

    only_dat = _invoke([str(indir), str(tmp_path / "dat"), "--glob", "*.DAT", "--workers", "1"])
    assert only_dat.exit_code == 0
    assert _codes(tmp_path / "dat") == {
        "a.837": ("excluded", 0),
        "sub/b.edi": ("excluded", 0),
        "sub/c.dat": ("clean", 0),
    }

    # Other settings make the outputs stale: the ignored rule's file is scrubbed again.
    rerun = _invoke([str(indir), str(out), "--ignore", "MOD001", "--workers", "1"])
    assert rerun.exit_code == 0
    assert _codes(out) == {
        "a.837": ("clean", 0),
        "sub/b.edi": ("clean", 0),
        "sub/c.dat": ("clean", 0),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "NOPE999"], "unknown rule selector"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    ],
)
def test_batch_configuration_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    """Bad options are the batch's error (exit 2, one line), not every file's."""
    (tmp_path / "in").mkdir()
    result = _invoke([str(tmp_path / "in"), str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_output_folder_must_not_hold_the_input(tmp_path: Path) -> None:
    """OUTDIR = INDIR (or INDIR inside OUTDIR) would overwrite inputs: refused, exit 2."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.837").write_bytes(build(P, (CLEAN,)))
    assert _invoke([str(tmp_path / "in"), str(tmp_path / "in")]).exit_code == 2
    assert _invoke([str(tmp_path / "in"), str(tmp_path)]).exit_code == 2
    assert (tmp_path / "in" / "a.837").read_bytes() == build(P, (CLEAN,))


def test_output_folder_inside_input_is_not_scrubbed_again(tmp_path: Path) -> None:
    """OUTDIR under INDIR is fine: its outputs are not picked up as inputs on the next run."""
    (tmp_path / "a.837").write_bytes(build(P, (CLEAN,)))
    out = tmp_path / "scrubbed"
    assert _invoke([str(tmp_path), str(out), "--workers", "1"]).exit_code == 0
    assert discover(tmp_path, ("*.837",), out.resolve()) == ["a.837"]
    assert _invoke([str(tmp_path), str(out), "--workers", "1"]).exit_code == 0
    # OUTDIR's files are listed (every file under INDIR is), never opened.
    assert _codes(out) == {
        "a.837": ("skipped", 0),
        "scrubbed/a.837": ("excluded", 0),
        "scrubbed/a.837.report.json": ("excluded", 0),
        "scrubbed/batch-report.json": ("excluded", 0),
    }
    files = _report(out)["files"]
    assert isinstance(files, list)
    assert files[1]["message"] == "inside the output folder"


@pytest.fixture
def job(tmp_path: Path) -> Iterator[FileJob]:
    src = tmp_path / "in.837"
    src.write_bytes(build(P, (HYPHEN_NDC,)))
    out = tmp_path / "out" / "in.837"
    yield FileJob(
        "in.837", src, out, out.with_name("in.837.report.json"), Settings(structure=False)
    )


def test_scrub_one_writes_then_skips_until_input_changes(job: FileJob) -> None:
    """Up to date = same input stat, same settings, output present; otherwise scrub again."""
    assert scrub_one(job).status is Status.CLEAN
    assert scrub_one(job).status is Status.SKIPPED
    os.utime(job.input, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert scrub_one(job).status is Status.CLEAN
    job.output.unlink()
    assert scrub_one(job).status is Status.CLEAN
    with job.output.open("ab") as handle:
        handle.write(b"tampered")
    assert scrub_one(job).status is Status.CLEAN


def test_scrub_one_never_raises_and_writes_nothing_on_failure(
    job: FileJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the scrub is an ``internal`` result (exit 3), with no output and no temp files."""

    def boom(*_: object) -> None:
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(batch, "scrub", boom)
    result = scrub_one(job)
    assert (result.status, result.exit_code) == (Status.INTERNAL, 3)
    # Type and place, never the message (it could quote input: see test_adversarial_3).
    assert result.message == "internal error: RuntimeError at test_batch.py:366"
    assert list(job.output.parent.iterdir()) == []

    monkeypatch.undo()
    missing = FileJob(
        "gone.837", job.input.with_name("gone.837"), job.output, job.report, job.settings
    )
    assert scrub_one(missing).status is Status.REFUSED


def test_jobs_and_results_pickle(job: FileJob) -> None:
    """Both cross process boundaries (process pool, Dask) as plain data."""
    assert pickle.loads(pickle.dumps(job)) == job
    result = FileResult("a.837", Status.FINDINGS, 1, claims=2)
    assert pickle.loads(pickle.dumps(result)) == result


def test_worst_exit_code_and_library_run(tmp_path: Path) -> None:
    """The batch exit code is the highest file code; the library API streams results."""
    assert worst_exit_code([]) == 0
    codes = [FileResult(str(c), Status.CLEAN, c) for c in (0, 3, 1)]
    assert worst_exit_code(codes) == 3
    indir = tmp_path / "in"
    indir.mkdir()
    (indir / "a.837").write_bytes(build(P, (UNPROVEN,)))
    seen: list[FileResult] = []
    jobs = plan(indir, tmp_path / "out", Settings(structure=False))
    results = run(jobs, Engine("process", 1), seen.append)
    assert results == seen
    assert [(r.name, r.exit_code) for r in results] == [("a.837", 1)]
