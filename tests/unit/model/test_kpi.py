"""analysis.model.kpi: the plan's arithmetic (pace, design flags, budgets by field), progress and
grades and their edge cases, the pace still needed (the reading and its checks:
tests/unit/inputs/test_kpi_plan.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.inputs import kpi_plan
from analysis.inputs.kpi_plan import KpiData
from analysis.model import kpi
from tests.unit.inputs.test_plan import fourth_vision


@pytest.fixture(scope="module")
def data() -> KpiData:
    return kpi_plan.load()


def test_yearly_budget_totals_equal_the_sums_over_the_source_blocks(data: KpiData) -> None:
    # Summed independently over the 32 "事業費(千円)" rows of the source text (awk).
    expected = {2024: 4_292_261, 2025: 5_029_899, 2026: 4_272_403, 2027: 4_300_832, 2028: 4_295_113}
    totals = data.budgets.groupby("fiscal_year")["budget_thousand_yen"].sum()
    assert totals.to_dict() == expected
    by_field = kpi.budgets_by(data.budgets, data.initiatives, ["field"])
    assert by_field.groupby("fiscal_year")["budget_thousand_yen"].sum().to_dict() == expected
    by_area = kpi.budgets_by(data.budgets, data.initiatives, ["policy_area"])
    assert by_area.groupby("fiscal_year")["budget_thousand_yen"].sum().to_dict() == expected


def test_plan_direction_change_and_pace(data: KpiData) -> None:
    planned = kpi.plan(data.kpis).set_index("kpi_id")
    assert planned.loc["K01", "direction"] == "maintain"
    assert planned.loc["K03", "direction"] == "decrease"
    assert planned.loc["K08", "required_change"] == 107_719
    assert planned.loc["K08", "yearly_pace"] == pytest.approx(107_719 / 6)
    expected = kpi.expected_value(data.kpis, 2025)
    assert expected[planned.index.get_loc("K02")] == pytest.approx(12.5)


def test_design_flags_are_the_ones_the_committee_raised(data: KpiData) -> None:
    flags = kpi.design_flags(data.kpis, data.budgets, jump_ratio=2.0)
    by_flag = flags.groupby("flag")
    assert sorted(by_flag.get_group("target_below_baseline")["kpi_id"]) == ["K03", "K04", "K18"]
    assert list(by_flag.get_group("target_equals_baseline")["kpi_id"]) == ["K01"]
    zero = by_flag.get_group("zero_budget")
    assert set(zero["initiative_id"]) == {32} and list(zero["fiscal_year"]) == [2026, 2027, 2028]
    jumps = by_flag.get_group("budget_jump")
    assert sorted(zip(jumps["initiative_id"], jumps["fiscal_year"], strict=True)) == [
        (15, 2026),
        (24, 2025),
        (24, 2026),
    ]


# ------------------------------------------------------------ progress and grades


def one_kpi(baseline: float, target: float, kpi_id: str = "K99") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi_id": [kpi_id],
            "initiative_id": [1],
            "kpi_name": ["x"],
            "unit": ["人"],
            "baseline_value": [baseline],
            "baseline_fiscal_year": [2022],
            "target_value": [target],
            "target_fiscal_year": [2028],
            "cumulative": [False],
        }
    )


def actual(value: float, year: int = 2025, kpi_id: str = "K99") -> pd.DataFrame:
    return pd.DataFrame(
        {"kpi_id": [kpi_id], "fiscal_year": [year], "value": [value], "note": [None]}
    )


@pytest.mark.parametrize(
    ("baseline", "target", "value", "expected", "grade"),
    [
        (100, 160, 130, 0.5, "順調"),  # half way in year 3 of 6: exactly on pace
        (100, 160, 160, 1.0, "達成"),
        (100, 160, 170, 7 / 6, "達成"),
        (100, 160, 110, 1 / 6, "遅れ"),  # below half the expected 0.5
        (100, 160, 90, -1 / 6, "遅れ"),  # moving away from the target
        (563, 511, 537, 0.5, "順調"),  # decreasing target
        (563, 511, 580, -17 / 52, "遅れ"),
        (0, 40, 10, 0.25, "やや遅れ"),  # baseline 0 (percentage KPI)
        (84, 84, 84, 1.0, "達成"),  # maintain, kept
        (84, 84, 90, 1.0, "達成"),  # maintain, exceeded
        (84, 84, 63, 0.75, "やや遅れ"),  # maintain, 75% of the level kept
    ],
)
def test_progress_and_grade_edge_cases(
    baseline: float, target: float, value: float, expected: float, grade: str
) -> None:
    result = kpi.progress(one_kpi(baseline, target), actual(value), as_of=2025).iloc[0]
    assert result["progress"] == pytest.approx(expected)
    assert result["grade"] == grade


def test_no_actual_is_not_reported_and_the_latest_actual_up_to_as_of_counts() -> None:
    kpis = one_kpi(0, 60)
    none = kpi.progress(kpis, actual(10).iloc[0:0], as_of=2025).iloc[0]
    assert np.isnan(none["progress"]) and none["grade"] == "未報告"
    two_years = pd.concat([actual(10, 2024), actual(40, 2026)])
    assert kpi.progress(kpis, two_years, as_of=2025).iloc[0]["actual"] == 10
    assert kpi.progress(kpis, two_years, as_of=2026).iloc[0]["actual"] == 40


def test_grade_thresholds_are_parameters() -> None:
    strict = kpi.GradeThresholds(achieved=1.0, on_track=1.2, slightly_behind=0.9)
    result = kpi.progress(one_kpi(100, 160), actual(130), as_of=2025, thresholds=strict).iloc[0]
    assert result["grade"] == "やや遅れ"


@given(
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(min_value=0, max_value=1),
)
def test_progress_is_the_fraction_of_the_distance_covered(
    baseline: float, target: float, fraction: float
) -> None:
    if abs(target - baseline) < 1e-3:
        return
    value = baseline + fraction * (target - baseline)
    result = kpi.progress(one_kpi(baseline, target), actual(value), as_of=2025).iloc[0]
    assert result["progress"] == pytest.approx(fraction, abs=1e-6)


# ---------------------------------------------------------------- KPI history


def test_the_pace_needed_from_the_latest_actual(tmp_path: Path) -> None:
    data = kpi_plan.load_plan(fourth_vision(tmp_path / "fourth"))
    path = tmp_path / "history.csv"
    path.write_text(
        "KPI番号,2029年度,2030年度,2031年度\nK01,85,85,86\nK02,10100,,10200\n", encoding="utf-8"
    )
    actuals = kpi_plan.load_actuals(path, data.kpis, years=data.years)
    assert len(actuals) == 5  # several years per KPI: the path, not one evaluation year
    overview = kpi.progress(data.kpis, actuals, as_of=2031).set_index("kpi_id")
    # K01: 86 in FY2031, target 90 in FY2033: 2 points a year still needed.
    assert overview.loc["K01", "required_pace_from_latest"] == pytest.approx(2.0)
    assert overview.loc["K02", "required_pace_from_latest"] == pytest.approx(200.0)
    assert overview.loc["K01", "yearly_pace"] == pytest.approx(1.0)
    assert pd_isna(overview.loc["K03", "required_pace_from_latest"])  # no actual


def pd_isna(value: object) -> bool:
    return value != value


# ---------------------------------------------------------------- numbers that read right


def test_cost_per_unit_only_where_the_target_is_an_increase() -> None:
    from analysis.model import kpi

    data = kpi_plan.load()
    table = kpi.budget_per_kpi_change(data.kpis, data.budgets).set_index("kpi_id")
    decreases = table[table["required_change"] < 0]
    assert {"K03", "K04", "K18"} <= set(decreases.index)
    assert decreases["budget_per_unit_change_thousand_yen"].isna().all()
    assert decreases["per_unit_note"].str.startswith("目標値が現状値を下回るため計算しない").all()
    increase = table.loc["K08"]
    assert increase["budget_per_unit_change_thousand_yen"] == pytest.approx(
        increase["budget_total_thousand_yen"] / increase["required_change"]
    )
