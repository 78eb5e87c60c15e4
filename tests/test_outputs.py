"""All or nothing: a run replaces every output together or none, whatever interrupts it.

The builds are byte-reproducible, so after any interruption and the next plain run
the outputs must be exactly the set they were before: never a mix of two runs.
"""

from __future__ import annotations

import errno
import itertools
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from analysis import outputs, pipeline, tables
from analysis.options import Options
from analysis.paths import DATA_PROCESSED, DATA_RAW, REPORTS, ROOT

from .conftest import run_cli, snapshot, start_forced_run


def quiet(_: str) -> None:
    pass


def assert_complete(before: dict[str, str]) -> None:
    """The outputs are the complete set they were, the manifest vouches for it, no leftovers."""
    assert snapshot() == before
    assert outputs.consistent(outputs.read_manifest())
    assert not outputs.STAGING.exists()
    assert not [p for p in (*REPORTS.rglob(".*.tmp"), *DATA_PROCESSED.rglob(".*.tmp"))]


def test_the_manifest_covers_every_output(built_reports: Path) -> None:
    manifest = outputs.read_manifest()
    listed = set(manifest["files"])
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for folder in (REPORTS, DATA_PROCESSED)
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert listed == on_disk
    assert "reports/tables.xlsx" in listed and "reports/population.html" in listed


@pytest.mark.parametrize("moves_before_death", [0, 7])
def test_a_commit_cut_off_at_any_move_is_finished_by_the_next_run(
    built_reports: Path, monkeypatch: pytest.MonkeyPatch, moves_before_death: int
) -> None:
    before = snapshot()
    counter = itertools.count()
    real = outputs._replace

    def dies_midway(source: Path, target: Path) -> None:
        if next(counter) == moves_before_death:
            raise SystemExit("killed")  # the process dies here: nothing after runs
        real(source, target)

    monkeypatch.setattr(outputs, "_replace", dies_midway)
    with pytest.raises(SystemExit):
        pipeline.run(Options(force=True), echo=quiet)
    monkeypatch.undo()
    assert (outputs.STAGING / outputs.JOURNAL_NAME).exists(), "the commit was decided"
    repaired = run_cli("reports")
    assert repaired.returncode == 0, repaired.stdout
    assert "前回中断された出力の置き換えを完了しました" in repaired.stdout
    assert "すべての報告書は最新です" in repaired.stdout
    assert_complete(before)


def test_a_full_disk_while_building_replaces_nothing(
    built_reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot()
    lines: list[str] = []
    calls = itertools.count()
    real = tables.write_csv

    def fills_the_disk(frame: object, target: Path) -> None:
        if next(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        real(frame, target)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "write_csv", fills_the_disk)
    assert pipeline.run(Options(force=True), echo=lines.append) == 1
    assert lines[-1].startswith("出力を書き込めません：reports/.staging")
    assert "ディスクの空き容量が足りません）。前回の出力はそのまま残っています" in lines[-1]
    assert_complete(before)


def test_a_destination_that_cannot_be_written_is_found_before_anything_moves(
    built_reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(outputs.OutputError, match="出力を書き込めません"):
        outputs.preflight([Path("/proc/analysis-cannot-write-here")])
    before = snapshot()
    lines: list[str] = []

    def read_only(folders: object) -> None:
        raise outputs.OutputError(DATA_PROCESSED, PermissionError(errno.EACCES, "denied"))

    monkeypatch.setattr(outputs, "preflight", read_only)
    assert pipeline.run(Options(force=True), echo=lines.append) == 1
    assert lines[-1] == (
        "出力を書き込めません：data/processed（書き込みの権限がありません）。"
        "前回の出力はそのまま残っています"
    )
    assert_complete(before)


def test_a_damaged_output_set_is_detected_and_rebuilt(built_reports: Path) -> None:
    before = snapshot()
    (REPORTS / "figures" / "aging_rate.svg").unlink()
    workbook = openpyxl.load_workbook(REPORTS / "tables.xlsx")
    workbook.active["A1"] = "edited by hand"  # type: ignore[index]
    workbook.save(REPORTS / "tables.xlsx")
    result = run_cli("reports")
    assert result.returncode == 0
    assert "前回の出力の一部が欠けているか変更されているため、すべて作り直します" in result.stdout
    assert_complete(before)


def test_a_second_run_at_the_same_time_exits_with_a_clear_message(built_reports: Path) -> None:
    before = snapshot()
    with outputs.run_lock():
        result = run_cli("reports", "--force")
    assert result.returncode == 75
    assert (
        "別の実行（make reports）がこのフォルダで進行中です。終わってからもう一度実行してください"
        in result.stdout
    )
    assert snapshot() == before


def test_sigterm_cleans_up_like_ctrl_c(built_reports: Path) -> None:
    before = snapshot()
    process = start_forced_run()
    time.sleep(2)
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 130, output
    assert "中断しました" in output
    assert_complete(before)


@pytest.mark.parametrize("seconds", [0.5, 4.0, 9.0])
def test_kill_9_at_any_moment_is_repaired_by_the_next_plain_run(
    built_reports: Path, seconds: float
) -> None:
    before = snapshot()
    process = start_forced_run()
    time.sleep(seconds)
    process.kill()
    process.communicate(timeout=60)
    repaired = run_cli("reports")
    assert repaired.returncode == 0, repaired.stdout
    assert_complete(before)


def test_nothing_typed_by_a_user_becomes_a_script_or_a_formula(
    built_reports: Path, tmp_path: Path
) -> None:
    label = '<script>alert("x")</script>=HYPERLINK("http://example.com","開く")'
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        'kpi_id,fiscal_year,value,note\nK02,2024,11,"=HYPERLINK(""http://example.com"",""x"")"\n'
        "K03,2024,540,@SUM(1+1)\n",
        encoding="utf-8",
    )
    example = DATA_RAW / "examples" / "vision_revised_example.csv"
    try:
        result = run_cli(
            "reports", "--vision", str(example), "--vision-label", label, "--actuals", str(actuals)
        )
        assert result.returncode == 0, result.stdout
        for name in ("population", "revision", "kpi"):
            html = (REPORTS / f"{name}.html").read_text(encoding="utf-8")
            assert "<script>alert" not in html, name
        assert "&lt;script&gt;alert" in (REPORTS / "revision.html").read_text(encoding="utf-8")
        workbook = openpyxl.load_workbook(REPORTS / "tables.xlsx")
        cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], "no formula anywhere"
        assert any(c.value == label for c in cells), "the label is kept as text"
        overview = (DATA_PROCESSED / "kpi_overview.csv").read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK(" in overview and "'@SUM(1+1)" in overview
        population = (DATA_PROCESSED / "population_population.csv").read_text(encoding="utf-8-sig")
        assert '"<script>alert(""x"")</script>=HYPERLINK(' in population  # does not start with =
    finally:
        assert run_cli("reports").returncode == 0


MACHINE_TRACES = (
    "PosixPath",
    "WindowsPath",
    "/work/",
    "/tmp/",
    "/home/",
    "/root/",
    " object at 0x",
)


def test_reports_are_identical_when_built_in_another_folder(
    built_reports: Path, tmp_path: Path
) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    copy = tmp_path / "elsewhere" / "project"
    for name in filter(None, tracked):
        source = ROOT / name.decode()
        if source.is_file():
            (copy / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name.decode())
    for name in ("analysis", "notebooks", "data"):  # files not yet committed while developing
        shutil.copytree(ROOT / name, copy / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "processed"))  # fmt: skip
    (copy / "data" / "processed").mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "reports"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for html in sorted(REPORTS.glob("*.html")):
        text = html.read_text(encoding="utf-8")
        assert not [t for t in MACHINE_TRACES if t in text], html.name
        assert (copy / "reports" / html.name).read_bytes() == html.read_bytes(), html.name
