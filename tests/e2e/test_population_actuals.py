"""Population actuals through a whole run: the report's section and the workbook's sheets."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.conftest import Project
from tests.unit.inputs.test_population_actuals import GOOD, HEADER, write
from tests.workbooks import population_actuals_workbook

# ---------------------------------------------------------------- end to end


def test_a_run_shows_the_section_and_the_sheets(fresh_project: Project, tmp_path: Path) -> None:
    supplied = tmp_path / "実績 2025.xlsx"
    population_actuals_workbook(supplied)
    book = openpyxl.load_workbook(supplied)
    sheet = book["国勢調査"]
    sheet["E2"] = "2025年10月1日"
    for row, value in zip(range(3, 9), (10200, 54500, 41700, 720, 3250, 2800), strict=True):
        sheet.cell(row=row, column=5, value=value)
    book.save(supplied)
    result = fresh_project.cli("reports", "--population-actuals", str(supplied), "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (fresh_project.reports / "population.html").read_text(encoding="utf-8")
    assert "人口の実績" in page
    assert "2025年10月1日の国勢調査の人口（113,170人）に最も近かったのは" in page
    assert "国勢調査と住民基本台帳は数え方の違う別の人口" in page
    assert "<td>国勢調査に最も近い推計・展望</td>" in page  # a row of the 算出方法 table
    assert "actuals_vs_paths.png" in " ".join(
        p.name for p in (fresh_project.reports / "figures").iterdir()
    )
    workbook = openpyxl.load_workbook(fresh_project.reports / "tables.xlsx", read_only=True)
    assert {"人口の実績", "実績と推計・展望", "実績と目標", "国勢調査に近かった推計"} <= set(
        workbook.sheetnames
    )
    workbook.close()
    assert fresh_project.non_finite() == []
    before = fresh_project.snapshot()
    bad = write(tmp_path / "bad.csv", (HEADER + GOOD).replace(",0-14,11563", ",0-14,-1", 1))
    failed = fresh_project.cli("reports", "--population-actuals", str(bad))
    assert failed.returncode == 1
    assert f"{bad}:2: population: 人口が負の値（-1）です" in failed.stdout
    assert fresh_project.snapshot() == before
