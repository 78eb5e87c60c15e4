"""analysis.inputs.spending: the spending file (決算) read, its cells checked against the plan
edition, each finding named by the header as the file writes it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analysis.core.findings import DataError
from analysis.inputs import kpi_plan, spending


def spending_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "spending.csv"
    path.write_text("取組番号,年度,決算額\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def data() -> kpi_plan.KpiData:
    return kpi_plan.load()


def test_spending_is_read_typed_whatever_the_header_says(
    data: kpi_plan.KpiData, tmp_path: Path
) -> None:
    # The printed plan cut to its first initiative, so that a year needs one row.
    first = replace(data, initiatives=data.initiatives[data.initiatives["initiative_id"] == 1])
    spent = spending.load(spending_file(tmp_path, ["1,2024,5", "1,2025,6"]), first)
    assert spent.to_dict("list") == {
        "initiative_id": [1, 1],
        "fiscal_year": [2024, 2025],
        "spent_thousand_yen": [5.0, 6.0],
    }
    assert [str(t) for t in spent.dtypes] == ["int64", "int64", "float64"]
    assert spending.load(spending.DEFAULT, data).empty  # header only until the first 決算


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
def test_bad_spending_is_named(
    data: kpi_plan.KpiData, tmp_path: Path, row: str, message: str
) -> None:
    with pytest.raises(DataError) as caught:
        spending.load(spending_file(tmp_path, [row]), data)
    assert any(message in str(f) for f in caught.value.findings), caught.value.findings


def test_spending_without_a_required_column_names_it_on_its_header_line(
    data: kpi_plan.KpiData, tmp_path: Path
) -> None:
    path = tmp_path / "kpi_spending.csv"
    path.write_text("initiative_id,fiscal_year,spent\n1,2024,100\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        spending.load(path, data)
    assert [str(f).split(": ", 2)[1] for f in caught.value.findings] == ["spent_thousand_yen"]
    assert "列「spent_thousand_yen」がありません" in str(caught.value)
