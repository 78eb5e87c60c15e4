"""analysis.report.dictionary: every column's Japanese label, unit and Excel number format."""

from __future__ import annotations

import pytest

from analysis.report import dictionary


@pytest.mark.parametrize(
    ("column", "unit", "number_format"),
    [
        ("population", "人", "#,##0"),
        ("aging_rate_pct", "%", "0.00"),  # one precision per quantity (analysis/core/precision.py)
        ("budget_thousand_yen", "千円", "#,##0"),
        ("year", "年", "0"),
        ("target_fiscal_year", "年度", "0"),
        ("progress", "割合（1＝100%）", "0%"),
        ("ratio", "", "0.000"),
        ("tfr", "", "0.00"),
        ("an_unknown_column", "", "#,##0.0#"),
    ],
)
def test_unit_and_number_format_follow_the_label(
    column: str, unit: str, number_format: str
) -> None:
    assert dictionary.unit(column) == unit
    assert dictionary.number_format(column) == number_format


def test_a_label_is_japanese_and_an_unknown_column_keeps_its_name() -> None:
    assert dictionary.label("aging_rate_pct") == "高齢化率（%）"
    assert dictionary.label("an_unknown_column") == "an_unknown_column"


def test_sheet_names_drop_the_file_prefix_and_fit_excel() -> None:
    assert dictionary.sheet_name("population_findings") == "検証結果"
    assert dictionary.sheet_name("kpi_plan_changes") == "計画の見直し（取組）"
    assert dictionary.sheet_name("x_" + "長" * 40) == "長" * 31  # Excel's limit: 31 characters
    assert dictionary.table_note("population_findings").startswith("データ検証の結果")
    assert dictionary.table_note("population_nothing") == ""


def test_every_column_entry_names_file_sheet_label_unit_and_meaning() -> None:
    entries = dictionary.entries({"population_population": ["year", "population", "mystery"]})
    assert [e["column"] for e in entries] == ["year", "population", "mystery"]
    assert {e["file"] for e in entries} == {"population_population.csv"}
    year, population, mystery = entries
    assert (year["unit"], population["unit"]) == ("年", "人")
    assert population["label"] == "人口（人）"
    assert population["description"], "a documented column is explained"
    assert mystery["description"] == "" and mystery["label"] == "mystery"


def test_every_labelled_column_with_a_unit_in_its_label_gets_that_unit() -> None:
    for column, label in dictionary.COLUMN_LABELS.items():
        for written in ("（人）", "（%）", "（千円）"):
            if label.endswith(written):
                assert dictionary.unit(column) == written[1:-1], column
