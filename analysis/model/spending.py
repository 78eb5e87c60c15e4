"""Budgets spent (決算) set against the plan's budgets, with the rate of execution.

The spending comes read and validated by :mod:`analysis.inputs.spending`: one row per
initiative and fiscal year, in 千円 like the budgets. Only the years it reports are
compared (spending is known a year after the budget).
execution_rate_pct = spent ÷ budget × 100; none where the budget is 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.inputs.kpi_plan import KpiData
from analysis.model.kpi import initiative_labels


def _rate(frame: pd.DataFrame) -> pd.DataFrame:
    budget = frame["budget_thousand_yen"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = frame["spent_thousand_yen"] / budget.where(budget > 0) * 100
    return frame.assign(
        unspent_thousand_yen=budget - frame["spent_thousand_yen"], execution_rate_pct=rate
    )


def execution(data: KpiData, spent: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Budget against spending (千円) and the execution rate (%), for the years reported:
    by initiative and year, by 政策分野 and year, and by year."""
    if spent.empty:
        return {}
    years = sorted(spent["fiscal_year"].unique())
    names = data.initiatives[["initiative_id", "policy_area", "field"]].assign(
        initiative_name=initiative_labels(data.initiatives)
    )
    merged = (
        data.budgets[data.budgets["fiscal_year"].isin(years)]
        .merge(spent, on=["initiative_id", "fiscal_year"], how="inner")
        .merge(names, on="initiative_id")
    )
    sums = ["budget_thousand_yen", "spent_thousand_yen"]
    by_initiative = _rate(
        merged[["initiative_id", "initiative_name", "policy_area", "field", "fiscal_year", *sums]]
    )
    by_field = _rate(
        merged.groupby(["policy_area", "field", "fiscal_year"], as_index=False, sort=False)[
            sums
        ].sum()
    )
    by_year = _rate(merged.groupby("fiscal_year", as_index=False)[sums].sum())
    return {
        "execution": by_initiative,
        "execution_by_field": by_field,
        "execution_by_year": by_year,
    }
