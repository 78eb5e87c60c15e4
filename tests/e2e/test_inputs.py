"""Bad input through the command: one line, exit codes, and the previous outputs left intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Project
from tests.unit.inputs.test_data import HEADER, complete_rows, edit, write

# ---------------------------------------------------------------- the command line

# Defined in each module that uses it: the portability check reads a module's own marks.
POSIX_FIFO = pytest.mark.skipif(
    not hasattr(os, "mkfifo"),
    reason="no FIFOs on Windows: the device test (os.devnull, NUL there) is its counterpart",
)


def test_validate_command_exit_codes(fresh_project: Project, raw_copy: Path) -> None:
    project = fresh_project
    good = project.cli("validate")
    assert good.returncode == 0
    # Besides the source's own two, the plan's 一関市 2020 is not the 2023 edition's census (twice).
    assert "検証結果：エラー 0 件、警告 6 件（不整合 4 件、うち 1 件は補正済み）" in good.stdout
    path = raw_copy / "population_vision_2024.csv"
    edit(path, "一関市,2020,0-14", "一関,2020,0-14")
    bad = project.cli("validate", "--raw-dir", str(raw_copy))
    assert bad.returncode == 1
    assert (
        f"{path}:2: municipality: 「一関」は圏域の市町の名前と一致しません。一関市の誤りではありませんか"
        in bad.stdout
    )
    assert "除外しました" not in bad.stdout


def test_validate_answers_from_its_cache_without_pandas(
    fresh_project: Project, raw_copy: Path
) -> None:
    project = fresh_project
    first = project.cli("validate", "--raw-dir", str(raw_copy))
    code = (
        "import sys; from analysis.__main__ import main; c = main(['validate', '--raw-dir', sys.argv[1]]); "
        "assert 'pandas' not in sys.modules, 'pandas imported'; sys.exit(c)"
    )
    again = project.python(code.replace("sys.argv[1]", repr(str(raw_copy))))
    assert again.returncode == first.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    edit(raw_copy / "budgets.csv", "1,2024,48221,560", "1,2024,-1,560")
    changed = project.cli("validate", "--raw-dir", str(raw_copy))
    assert changed.returncode == 1, "a changed file is validated again"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--as-of", "1999"], "--as-of：1999年度は計画期間（2024～2028年度）の外です"),
        (["--jobs", "0"], "--jobs：0 は指定できません（1 以上）"),
        (["--target-year", "1850"], "--target-year：1850年は指定できません（1920～2100年）"),
        (
            ["--target-year", "abc"],
            "コマンドの指定が正しくありません：argument --target-year: invalid int value: 'abc'",
        ),
    ],
)
def test_impossible_options_are_one_line_before_any_work(
    fresh_project: Project, arguments: list[str], message: str
) -> None:
    project = fresh_project
    before = project.snapshot()
    result = project.cli("reports", *arguments)
    assert result.returncode == 2
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert project.snapshot() == before


def test_bad_supplied_file_and_years_leave_outputs_intact(project: Project, tmp_path: Path) -> None:
    before = project.snapshot()
    assert any(name.endswith("population.html") for name in before)

    bad = write(tmp_path / "vision.csv", HEADER + "一関市,2020,0-14,約5万\n")
    result = project.cli("reports", "--vision", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2: population: 「約5万」は人数として読めません" in result.stdout
    assert "reports/ と data/processed/ は変更していません" in result.stdout

    result = project.cli("reports", "--target-year", "2050")
    assert result.returncode == 1
    # The current projection (the 2023 edition, shipped) reaches 2050; the vision does not.
    assert (
        "data/raw/population_vision_2024.csv:-: year: 目標年2050年は一関市・平泉町 人口ビジョン "
        "将来展望人口（第3次共生ビジョン掲載）の公表年（2020～2040年）の範囲外です" in result.stdout
    )
    result = project.cli("reports", "--base-year", "2010")
    assert result.returncode == 1
    assert "year: 基準年2010年は" in result.stdout
    assert project.snapshot() == before
    assert not list(project.reports.rglob(".*.tmp"))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir(), "ファイルではなくフォルダです"),
        (
            lambda p: p.write_bytes(b"PK\x03\x04 not really a workbook"),
            "Excel ファイル（.xlsx）として読めません",
        ),
        (lambda p: None, "ファイルがありません"),
    ],
)
def test_unreadable_supplied_files_are_one_line_through_the_command(
    project: Project, tmp_path: Path, make: object, expected: str
) -> None:
    before = project.snapshot()
    path = tmp_path / "改訂版.xlsx"
    make(path)  # type: ignore[operator]
    result = project.cli("reports", "--vision", str(path))
    assert result.returncode == 1
    assert f"{path}:-: -: {expected}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert project.snapshot() == before


def test_findings_about_a_supplied_file_reach_the_console(project: Project, tmp_path: Path) -> None:
    rows = complete_rows(("一関市", "平泉町"), (2020, 2030)) + "奥州市,2020,0-14,5\n"
    path = write(
        tmp_path / "vision.csv", HEADER + rows.replace("一関市,2030,65+,102", "一関市,2030,65+,0")
    )
    result = project.cli("reports", "--vision", str(path))
    assert result.returncode == 0, result.stdout
    assert f"{path}:7: population: 警告: 人口が 0 です" in result.stdout
    assert "参考: 圏域外の市町村 1 件（1 行）を除外しました（例：奥州市）" in result.stdout


def test_a_device_through_the_command_is_one_line_and_releases_the_lock(
    fresh_project: Project,
) -> None:
    """The Windows counterpart of the FIFO case: a device name (NUL there)."""
    result = fresh_project.cli("reports", "--vision", os.devnull, timeout=120)
    assert result.returncode == 1
    assert "通常のファイルではありません" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    again = fresh_project.cli("reports", "--vision", os.devnull, timeout=120)
    assert again.returncode == 1, again.stdout  # not 75: the first run released its lock


@POSIX_FIFO
def test_a_fifo_through_the_command_is_one_line_and_releases_the_lock(
    fresh_project: Project, tmp_path: Path
) -> None:
    fifo = tmp_path / "vision.csv"
    os.mkfifo(fifo)
    result = fresh_project.cli("reports", "--vision", str(fifo), timeout=120)
    assert result.returncode == 1
    assert "通常のファイルではありません" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_empty_vision_from_scenario_is_refused_on_the_command_line(
    fresh_project: Project,
) -> None:
    result = fresh_project.cli("reports", "--vision-from-scenario", "　")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        "--vision-from-scenario：シナリオ名が空です。将来展望にするシナリオの名前（シナリオのファイルの scenario 欄）を指定してください"
    )
    assert not (fresh_project.reports / ".manifest.json").exists(), "nothing was run"
