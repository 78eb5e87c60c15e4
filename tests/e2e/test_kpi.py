"""KPI actuals through the command: the report built from them, bad ones refused with the previous
reports kept."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Project
from tests.unit.inputs.test_kpi_plan import write


def test_bad_actuals_through_the_command_keep_the_previous_reports(
    project: Project, tmp_path: Path
) -> None:
    before = project.snapshot()
    path = write(tmp_path / "actuals.csv", "kpi_id,fiscal_year,value,note\nK02,2024,x,\n")
    result = project.cli("reports", "--actuals", str(path))
    assert result.returncode == 1
    assert f"{path}:2: value: 「x」は数値として読めません" in result.stdout
    assert project.snapshot() == before


def test_the_kpi_report_is_built_from_supplied_actuals(project: Project, tmp_path: Path) -> None:
    path = write(
        tmp_path / "actuals.csv", "kpi_id,fiscal_year,value,note\nK02,2024,11,\nK03,2025,540,\n"
    )
    result = project.cli("reports", "--actuals", str(path))
    assert result.returncode == 0, result.stdout
    html = (project.reports / "kpi.html").read_text(encoding="utf-8")
    assert "評価年度：<strong>2025年度</strong>" in html
    for heading in (
        "KPI一覧",
        "KPIごとの進捗",
        "事業費",
        "設計上の確認事項",
        "第2次ビジョンからの変更",
        "算出方法",
    ):
        assert heading in html
    assert (project.reports / "figures" / "kpi_progress_1.svg").exists()
    overview = (project.processed / "kpi_overview.csv").read_text(encoding="utf-8-sig")
    assert ",540," in overview or ",540.0," in overview, "the supplied actual is in the table"


def test_validate_checks_the_kpi_files_and_actuals_too(
    fresh_project: Project, raw_copy: Path
) -> None:
    project = fresh_project
    budgets = raw_copy / "budgets.csv"
    budgets.write_text(
        budgets.read_text(encoding="utf-8").replace("1,2024,48221,560", "1,2024,48千,560"),
        encoding="utf-8",
    )
    write(raw_copy / "kpi_actuals.csv", "kpi_id,fiscal_year,value,note\nK77,2024,1,\n")
    result = project.cli("validate", "--raw-dir", str(raw_copy))
    assert result.returncode == 1
    assert (
        f"{raw_copy}/budgets.csv:2: budget_thousand_yen: 「48千」は数値として読めません"
        in result.stdout
    )
    assert "エラー 1 件" in result.stdout
