"""All or nothing: a run replaces every output together or none, whatever interrupts it.

The builds are byte-reproducible, so after any interruption and the next plain run
the outputs must be exactly the set they were before: never a mix of two runs.
Each test works in a built copy of the project of its own (see ``conftest``).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from analysis.run import outputs
from tests.conftest import Project, assert_complete, interrupt, wait_for_checkpoint


def test_the_manifest_covers_every_output(project: Project) -> None:
    listed = set(project.manifest()["files"])  # type: ignore[call-overload]
    on_disk = {
        p.relative_to(project.root).as_posix()
        for folder in (project.reports, project.processed)
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert listed == on_disk
    assert "reports/tables.xlsx" in listed and "reports/population.html" in listed


def test_every_number_in_every_output_is_finite(built_project: Project) -> None:
    assert built_project.non_finite() == []


@pytest.mark.parametrize("move", [7])  # move 0 is interrupted in test_stopping
def test_a_commit_killed_at_any_move_is_finished_by_the_next_run(
    project: Project, move: int
) -> None:
    before = project.snapshot()
    with project.started("reports", "--force", at=f"move:{move}:hold") as process:
        wait_for_checkpoint(process, f"move:{move}")
        process.kill()
        process.wait(timeout=30)
    assert (project.staging / outputs.JOURNAL_NAME).exists(), "the commit was decided"
    repaired = project.cli("reports")
    assert repaired.returncode == 0, repaired.stdout
    assert "前回中断された出力の置き換えを完了しました" in repaired.stdout
    assert "すべての報告書は最新です" in repaired.stdout
    assert_complete(project, before)


FULL_DISK = """
import errno, itertools, sys
from analysis.run import pipeline, tables
from analysis.run.options import Options
calls, real = itertools.count(), tables.write_csv
def fills_the_disk(frame, target):
    if next(calls) == 3:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))
    real(frame, target)
tables.write_csv = fills_the_disk
sys.exit(pipeline.run(Options(force=True)))
"""


def test_a_full_disk_while_building_replaces_nothing(project: Project) -> None:
    before = project.snapshot()
    result = project.python(FULL_DISK)
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("出力を書き込めません：reports/.staging")
    assert "ディスクの空き容量が足りません）。前回の出力はそのまま残っています" in last
    assert_complete(project, before)


READ_ONLY = """
import errno, sys
from analysis.run import outputs, pipeline
from analysis.run.options import Options
from analysis.core.paths import DATA_PROCESSED
def read_only(folders):
    raise outputs.OutputError(DATA_PROCESSED, PermissionError(errno.EACCES, "denied"))
outputs.preflight = read_only
sys.exit(pipeline.run(Options(force=True)))
"""


def test_a_destination_that_cannot_be_written_is_found_before_anything_moves(
    project: Project,
) -> None:
    with pytest.raises(outputs.OutputError, match="出力を書き込めません"):
        outputs.preflight([Path("/proc/analysis-cannot-write-here")])
    before = project.snapshot()
    result = project.python(READ_ONLY)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "出力を書き込めません：data/processed（書き込みの権限がありません）。"
        "前回の出力はそのまま残っています"
    )
    assert_complete(project, before)


def test_a_damaged_output_set_is_detected_and_rebuilt(project: Project) -> None:
    before = project.snapshot()
    (project.reports / "figures" / "aging_rate.svg").unlink()
    workbook = openpyxl.load_workbook(project.reports / "tables.xlsx")
    workbook.active["A1"] = "edited by hand"  # type: ignore[index]
    workbook.save(project.reports / "tables.xlsx")
    result = project.cli("reports")
    assert result.returncode == 0
    assert "前回の出力の一部が欠けているか変更されているため、すべて作り直します" in result.stdout
    assert_complete(project, before)


def test_a_second_run_at_the_same_time_exits_with_a_clear_message(project: Project) -> None:
    before = project.snapshot()
    with project.started("reports", "--force", at="tables-built:hold") as first:
        wait_for_checkpoint(first, "tables-built")
        # as started by `py tasks.py reports` on Windows: the message names that, never make
        result = project.cli("reports", "--force", env={"ANALYSIS_FRONT_DOOR": "py tasks.py"})
        interrupt(first)
        first.wait(timeout=30)
    assert result.returncode == 75
    assert (
        "別の実行（py tasks.py reports）がこのフォルダで進行中です。終わってからもう一度実行してください"
        in result.stdout
    )
    assert first.returncode == 130
    assert project.cli("reports").returncode == 0
    assert_complete(project, before)


@pytest.mark.parametrize("moment", ["fingerprinted", "cell:kpi:3"])
def test_kill_9_at_any_moment_is_repaired_by_the_next_plain_run(
    project: Project, moment: str
) -> None:
    before = project.snapshot()
    with project.started("reports", "--force", at=f"{moment}:hold") as process:
        wait_for_checkpoint(process, moment)
        process.kill()
        process.wait(timeout=30)
    repaired = project.cli("reports")
    assert repaired.returncode == 0, repaired.stdout
    assert_complete(project, before)


def test_nothing_typed_by_a_user_becomes_a_script_or_a_formula(
    project: Project, tmp_path: Path
) -> None:
    label = '<script>alert("x")</script>=HYPERLINK("http://example.com","開く")'
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        'kpi_id,fiscal_year,value,note\nK02,2024,11,"=HYPERLINK(""http://example.com"",""x"")"\n'
        "K03,2024,540,@SUM(1+1)\n",
        encoding="utf-8",
    )
    example = project.raw / "examples" / "vision_revised_example.csv"
    result = project.cli(
        "reports", "--vision", str(example), "--vision-label", label, "--actuals", str(actuals)
    )
    assert result.returncode == 0, result.stdout
    for name in ("population", "revision", "kpi"):
        html = (project.reports / f"{name}.html").read_text(encoding="utf-8")
        assert "<script>alert" not in html, name
    revision = (project.reports / "revision.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in revision
    workbook = openpyxl.load_workbook(project.reports / "tables.xlsx")
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no formula anywhere"
    assert any(c.value == label for c in cells), "the label is kept as text"
    overview = (project.processed / "kpi_overview.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in overview and "'@SUM(1+1)" in overview
    population = (project.processed / "population_population.csv").read_text(encoding="utf-8-sig")
    assert '"<script>alert(""x"")</script>=HYPERLINK(' in population  # does not start with =


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
    built_project: Project, fresh_project: Project
) -> None:
    """Two copies in different folders build the same bytes, and no page names a machine path."""
    result = fresh_project.cli("reports")
    assert result.returncode == 0, result.stdout + result.stderr
    pages = sorted(built_project.reports.glob("*.html"))
    assert pages
    for html in pages:
        text = html.read_text(encoding="utf-8")
        assert not [t for t in MACHINE_TRACES if t in text], html.name
        assert (fresh_project.reports / html.name).read_bytes() == html.read_bytes(), html.name


def test_the_finiteness_check_finds_nan_and_inf_in_each_kind_of_output(tmp_path: Path) -> None:
    import openpyxl

    project = Project(tmp_path)
    project.processed.mkdir(parents=True)
    (project.reports).mkdir()
    (project.processed / "t.csv").write_text("a,b\n1,nan\n2,\n", encoding="utf-8-sig")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([1.0, float("inf")])
    book.save(project.reports / "tables.xlsx")
    (project.reports / "r.html").write_text("<td>+nan %</td><td>12.3</td>", encoding="utf-8")
    assert project.non_finite() == [
        "t.csv:2: nan",
        "tables.xlsx xl/worksheets/sheet1.xml: B1",
        "r.html: +nan %",
    ]
