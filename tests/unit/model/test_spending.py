"""analysis.model.spending: budgets spent (決算) against the plan's budgets (the file's reading
and checks: tests/unit/inputs/test_spending.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.inputs import kpi_plan
from analysis.inputs import spending as spending_input
from analysis.model import spending
from tests.unit.inputs.test_spending import spending_file

# ---------------------------------------------------------------- budgets spent (決算)


def test_spending_against_budget_by_year_initiative_and_field(tmp_path: Path) -> None:
    data = kpi_plan.load()
    budget_2024 = data.budgets[data.budgets["fiscal_year"] == 2024].set_index("initiative_id")
    rows = [f"{i},2024,{v / 2:.0f}" for i, v in budget_2024["budget_thousand_yen"].items()]
    spent = spending_input.load(spending_file(tmp_path, rows), data)
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
    assert spending.execution(data, spending_input.load(spending_input.DEFAULT, data)) == {}
