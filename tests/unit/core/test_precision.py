"""One display precision per quantity: tables, sentences and the workbook agree."""

from __future__ import annotations

import re

import pytest

from analysis.core import precision
from analysis.inputs.source_figures import read_stated_facts
from analysis.report import dictionary
from analysis.report.display import PEOPLE, PERCENT, RATIO
from analysis.run.tables import population_data


@pytest.mark.parametrize(
    ("quantity", "value", "style", "text", "excel"),
    [
        ("people", 107862.4, "{:,.0f}", "107,862人", "#,##0"),
        ("percent", 39.8, "{:.2f}", "39.80%", "0.00"),
        ("points", 0.5, "{:.2f}", "0.50ポイント", "0.00"),
        ("ratio", 1.0412, "{:.3f}", "1.041", "0.000"),
        ("tfr", 1.4, "{:.2f}", "1.40", "0.00"),
        ("yen", 1234.4, "{:,.0f}", "1,234千円", "#,##0"),
    ],
)
def test_each_quantity_has_one_precision_in_tables_sentences_and_the_workbook(
    quantity: str, value: float, style: str, text: str, excel: str
) -> None:
    assert precision.style(quantity) == style
    assert precision.text(value, quantity) == text
    assert precision.excel(quantity) == excel
    # The same number of decimals in all three forms.
    places = precision.decimals(quantity)
    assert len(precision.number(value, quantity).partition(".")[2]) == places
    assert len(excel.partition(".")[2]) == places


def test_signed_values_and_missing_values() -> None:
    assert precision.text(3.0, "points", signed=True) == "+3.00ポイント"
    assert precision.text(-1148, "people", signed=True) == "-1,148人"
    assert precision.number(float("nan"), "percent") == "–"


def test_the_report_formats_are_the_precision_module_s() -> None:
    assert (PEOPLE, PERCENT, RATIO) == ("{:,.0f}", "{:.2f}", "{:.3f}")


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("aging_rate_pct", "0.00"),
        ("aging_rate_difference_points", "0.00"),
        ("difference_pct", "0.00"),
        ("natural_pct", "0.00"),
        ("execution_rate_pct", "0.00"),
        ("difference_people", "#,##0"),
        ("total", "#,##0"),
        ("budget_change_thousand_yen", "#,##0"),
        ("ratio", "0.000"),
        ("tfr", "0.00"),
        ("year", "0"),
    ],
)
def test_the_workbook_formats_each_column_at_its_quantity_s_precision(
    column: str, expected: str
) -> None:
    assert dictionary.number_format(column) == expected


def test_the_key_points_give_every_rate_at_two_decimals() -> None:
    from analysis.model import population

    data = population_data()
    tables = population.build_tables(data, read_stated_facts(), base_year=2020, target_year=2028)
    points = population.key_points(
        tables,
        "圏域",
        2028,
        population.current_edition(data, "projection"),
        population.current_edition(data, "vision"),
    )
    rates = re.findall(r"(\d+(?:\.\d+)?)%", " ".join(points))
    assert rates, points
    assert all(re.fullmatch(r"\d+\.\d\d", r) for r in rates), rates
