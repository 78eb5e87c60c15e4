"""analysis.model.spending: budgets spent (決算) against the plan's budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.findings import DataError
from analysis.model import kpi, spending

# ---------------------------------------------------------------- budgets spent (決算)


def spending_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "spending.csv"
    path.write_text("取組番号,年度,決算額\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_spending_against_budget_by_year_initiative_and_field(tmp_path: Path) -> None:
    from analysis.model import spending

    data = kpi.load()
    budget_2024 = data.budgets[data.budgets["fiscal_year"] == 2024].set_index("initiative_id")
    rows = [f"{i},2024,{v / 2:.0f}" for i, v in budget_2024["budget_thousand_yen"].items()]
    spent = spending.load(spending_file(tmp_path, rows), data)
    tables = spending.execution(data, spent)
    year = tables["execution_by_year"].iloc[0]
    assert year["fiscal_year"] == 2024
    assert year["budget_thousand_yen"] == budget_2024["budget_thousand_yen"].sum()
    assert year["execution_rate_pct"] == pytest.approx(
        100 * year["spent_thousand_yen"] / year["budget_thousand_yen"]
    )
    by_field = tables["execution_by_field"]
    assert by_field["spent_thousand_yen"].sum() == spent["spent_thousand_yen"].sum()
    one = tables["execution"].set_index("initiative_id").loc[1]
    assert (one["budget_thousand_yen"], one["spent_thousand_yen"]) == (48_221, 24_110)
    assert spending.execution(data, spending.load(spending.DEFAULT, data)) == {}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("99,2024,5", "spending.csv:2: 取組番号: 事業費の取組番号 99 が、この計画の取組"),
        ("1,2030,5", "spending.csv:2: 年度: 事業費の年度 2030年度は計画期間（2024～2028年度）の外です"),
        ("1,2024,-5", "spending.csv:2: 決算額: 事業費が負の値（-5千円）です"),
        ("1,2024,五", "spending.csv:2: 決算額: 「五」は数値として読めません"),
        ("1,2024,5", "決算の行がありません：取組2 2024年度"),
    ],
)  # fmt: skip
def test_bad_spending_is_named(tmp_path: Path, row: str, message: str) -> None:
    from analysis.model import spending

    with pytest.raises(DataError) as caught:
        spending.load(spending_file(tmp_path, [row]), kpi.load())
    assert any(message in str(f) for f in caught.value.findings), caught.value.findings


def test_spending_without_a_required_column_names_it_on_its_header_line(tmp_path: Path) -> None:
    path = tmp_path / "kpi_spending.csv"
    path.write_text("initiative_id,fiscal_year,spent\n1,2024,100\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        spending.load(path, kpi.load())
    assert [str(f).split(": ", 2)[1] for f in caught.value.findings] == ["spent_thousand_yen"]
    assert "列「spent_thousand_yen」がありません" in str(caught.value)
