"""analysis.model.kpi: KPIs and budgets against the source, the arithmetic's edge cases, actuals as
input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.model import kpi
from tests.unit.inputs.test_data import edit, xlsx
from tests.unit.inputs.test_plan import fourth_vision


@pytest.fixture(scope="module")
def data() -> kpi.KpiData:
    return kpi.load()


def test_32_initiatives_and_33_kpis(data: kpi.KpiData) -> None:
    assert list(data.initiatives["initiative_id"]) == list(range(1, 33))
    assert len(data.kpis) == 33
    assert data.kpis["kpi_id"].is_unique
    two = data.kpis.groupby("initiative_id").size()
    assert two[two > 1].to_dict() == {23: 2}
    assert sorted(data.kpis.loc[data.kpis["cumulative"], "kpi_id"]) == [
        "K10",
        "K13",
        "K15",
        "K17",
        "K21",
        "K31",
    ]


def test_each_initiatives_five_budgets_match_the_row_the_source_prints(data: kpi.KpiData) -> None:
    printed = data.initiatives.set_index("initiative_id")["budget_as_printed"]
    tidy = data.budgets.pivot(
        index="initiative_id", columns="fiscal_year", values="budget_thousand_yen"
    )
    assert list(tidy.columns) == [2024, 2025, 2026, 2027, 2028]
    for initiative, row in tidy.iterrows():
        as_printed = [float(v.replace(",", "")) for v in printed[initiative].split()]
        assert list(row) == as_printed, initiative
        assert row.sum() == sum(as_printed)


def test_yearly_budget_totals_equal_the_sums_over_the_source_blocks(data: kpi.KpiData) -> None:
    # Summed independently over the 32 "事業費(千円)" rows of the source text (awk).
    expected = {2024: 4_292_261, 2025: 5_029_899, 2026: 4_272_403, 2027: 4_300_832, 2028: 4_295_113}
    totals = data.budgets.groupby("fiscal_year")["budget_thousand_yen"].sum()
    assert totals.to_dict() == expected
    by_field = kpi.budgets_by(data.budgets, data.initiatives, ["field"])
    assert by_field.groupby("fiscal_year")["budget_thousand_yen"].sum().to_dict() == expected
    by_area = kpi.budgets_by(data.budgets, data.initiatives, ["policy_area"])
    assert by_area.groupby("fiscal_year")["budget_thousand_yen"].sum().to_dict() == expected


@pytest.mark.parametrize(
    ("kpi_id", "baseline", "target", "unit"),
    [
        ("K01", 84, 84, "%"),
        ("K02", 10, 15, "人"),
        ("K03", 563, 511, "人"),
        ("K04", 10_778, 10_162, "人"),
        ("K05", 373, 400, "人"),
        ("K06", 59, 79, "人"),
        ("K07", 0, 500, "人"),
        ("K08", 13_981, 121_700, "人回"),
        ("K09", 1_130, 2_000, "人"),
        ("K10", 170, 260, "人"),
        ("K11", 85_000, 120_000, "人"),
        ("K12", 446, 630, "人"),
        ("K13", 42, 77, "社"),
        ("K14", 0, 40, "%"),
        ("K15", 18, 38, "件"),
        ("K16", 82, 96, "%"),
        ("K17", 36, 55, "人"),
        ("K18", 42, 37, "回"),
        ("K19", 79, 88, "%"),
        ("K20", 67.1, 70.1, "%"),
        ("K21", 4, 34, "回"),
        ("K22", 95, 100, "%"),
        ("K23a", 28_108, 29_000, "人/年"),
        ("K23b", 10, 15, "%"),
        ("K24", 5_035, 12_000, "人"),
        ("K25", 102.9, 108, "%"),
        ("K26", 600, 1_110, "台"),
        ("K27", 57.4, 58.1, "%"),
        ("K28", 368, 384, "事業"),
        ("K29", 62, 80, "人"),
        ("K30", 207, 210, "人"),
        ("K31", 15, 39, "組"),
        ("K32", 47, 100, "人"),
    ],
)
def test_every_baseline_and_target_equals_the_source(
    data: kpi.KpiData, kpi_id: str, baseline: float, target: float, unit: str
) -> None:
    row = data.kpis.set_index("kpi_id").loc[kpi_id]
    assert (row["baseline_value"], row["target_value"], row["unit"]) == (baseline, target, unit)


def test_names_that_differ_between_diagram_and_block_are_both_kept(data: kpi.KpiData) -> None:
    differ = data.initiatives[
        data.initiatives["initiative_name"] != data.initiatives["name_in_block"]
    ]
    assert dict(zip(differ["initiative_id"], differ["name_in_block"], strict=True)) == {
        17: "起業・創業支援事業",
        20: "地元学学習事業",
        26: "主要幹線道路等整備促進事業",
    }


def test_plan_direction_change_and_pace(data: kpi.KpiData) -> None:
    planned = kpi.plan(data.kpis).set_index("kpi_id")
    assert planned.loc["K01", "direction"] == "maintain"
    assert planned.loc["K03", "direction"] == "decrease"
    assert planned.loc["K08", "required_change"] == 107_719
    assert planned.loc["K08", "yearly_pace"] == pytest.approx(107_719 / 6)
    expected = kpi.expected_value(data.kpis, 2025)
    assert expected[planned.index.get_loc("K02")] == pytest.approx(12.5)


def test_design_flags_are_the_ones_the_committee_raised(data: kpi.KpiData) -> None:
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


# ------------------------------------------------------------ actuals input


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_actuals_template_is_valid_and_empty(data: kpi.KpiData) -> None:
    template = DATA_RAW / "kpi_actuals.csv"
    assert template.read_text(encoding="utf-8").splitlines()[0] == "kpi_id,fiscal_year,value,note"
    assert kpi.load_actuals(template, data.kpis).empty


def test_partly_and_fully_filled_actuals(data: kpi.KpiData, tmp_path: Path) -> None:
    lines = ["kpi_id,fiscal_year,value,note", "K02,2024,11,", 'K08,2024,"20,000",速報値']
    partial = kpi.load_actuals(write(tmp_path / "a.csv", "\n".join(lines) + "\n"), data.kpis)
    tables = kpi.build_tables(data, partial, 2024)
    grades = tables["overview"].set_index("kpi_id")["grade"]
    assert (grades == "未報告").sum() == 31
    full = "\n".join(
        ["kpi_id,fiscal_year,value,note"]
        + [
            f"{k},2024,{b},"
            for k, b in zip(data.kpis["kpi_id"], data.kpis["target_value"], strict=True)
        ]
    )
    everything = kpi.load_actuals(write(tmp_path / "b.csv", full + "\n"), data.kpis)
    grades = kpi.build_tables(data, everything, 2024)["overview"]["grade"]
    assert (grades == "達成").all()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("K99,2024,5,", "a.csv:3: kpi_id: KPI番号「K99」は登録されていません"),
        ("K02,2030,5,", "a.csv:3: fiscal_year: 2030年度は計画期間（2024～2028年度）の外です"),
        ("K02,2022,5,", "a.csv:3: fiscal_year: 2022年度は計画期間（2024～2028年度）の外です"),
        ("K02,2025,十一,", "a.csv:3: value: 「十一」は数値として読めません"),
        (
            "K02,2024,12,",
            "a.csv:3: fiscal_year: K02 の 2024年度の実績が2回あります（最初は 2 行目）",
        ),
        # Values the unit does not allow: a share above 100%, a negative count.
        (
            "K16,2025,850,",
            "a.csv:3: value: 850% は割合として 100% を超えています（K16：高校生を対象とした",
        ),
        ("K02,2025,-3,", "a.csv:3: value: -3人 は負の値です（K02：医師・医療介護従事者"),
    ],
)
def test_bad_actuals_name_file_line_and_column(
    data: kpi.KpiData, tmp_path: Path, row: str, message: str
) -> None:
    path = write(tmp_path / "a.csv", f"kpi_id,fiscal_year,value,note\nK02,2024,11,\n{row}\n")
    with pytest.raises(DataError) as caught:
        kpi.load_actuals(path, data.kpis)
    assert message in str(caught.value)


def test_wide_actuals_with_japanese_headers(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "actuals.xlsx",
        [["KPI実績（令和7年度報告）"], ["KPI番号", "成果指標", "2024年度", "令和7年度", "備考"],
         ["K02", "市内就職者数", 11, 12, "速報値"], ["k8", "外国人観光入込客数", "20,000", None, None]],
    )  # fmt: skip
    actuals = kpi.load_actuals(path, kpi.load().kpis)
    assert actuals[["kpi_id", "fiscal_year", "value"]].values.tolist() == [
        ["K02", 2024, 11.0],
        ["K02", 2025, 12.0],
        ["K08", 2024, 20000.0],
    ]


def kpi_errors(raw_dir: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        kpi.load(raw_dir)
    return [str(f) for f in caught.value.findings]


def test_a_deleted_budget_row_is_an_error(raw_copy: Path) -> None:
    edit(raw_copy / "budgets.csv", "5,2026,1000,652\n", "")
    assert any("事業費の行がありません：取組5 2026年度" in e for e in kpi_errors(raw_copy))


def test_a_negative_budget_is_an_error(raw_copy: Path) -> None:
    edit(raw_copy / "budgets.csv", "5,2026,1000,652", "5,2026,-1000,649")
    errors = kpi_errors(raw_copy)
    assert (
        f"{raw_copy}/budgets.csv:24: budget_thousand_yen: 事業費が負の値（-1,000千円）です"
        in errors
    )


def test_a_budget_that_differs_from_the_printed_row_is_an_error(raw_copy: Path) -> None:
    edit(raw_copy / "budgets.csv", "5,2026,1000,652", "5,2026,10000,649")
    assert any(
        "取組 5 の 2026年度の事業費 10,000千円が、取組表の事業費の行" in e
        for e in kpi_errors(raw_copy)
    )


def test_a_deleted_kpi_is_an_error(raw_copy: Path) -> None:
    path = raw_copy / "kpis.csv"
    path.write_text(
        "".join(line for line in path.open(encoding="utf-8") if not line.startswith("K23b")),
        encoding="utf-8",
    )
    assert any("成果指標（KPI）K23b の行がありません" in e for e in kpi_errors(raw_copy))


def test_a_deleted_initiative_is_an_error(raw_copy: Path) -> None:
    path = raw_copy / "initiatives.csv"
    path.write_text(
        "".join(line for line in path.open(encoding="utf-8") if not line.startswith("7,")),
        encoding="utf-8",
    )
    assert any(
        "具体的な取組の番号がそろっていません：7 がありません" in e for e in kpi_errors(raw_copy)
    )


# ---------------------------------------------------------------- KPI history


def test_the_pace_needed_from_the_latest_actual(tmp_path: Path) -> None:
    data = kpi.load_plan(fourth_vision(tmp_path / "fourth"))
    path = tmp_path / "history.csv"
    path.write_text(
        "KPI番号,2029年度,2030年度,2031年度\nK01,85,85,86\nK02,10100,,10200\n", encoding="utf-8"
    )
    actuals = kpi.load_actuals(path, data.kpis, years=data.years)
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

    data = kpi.load()
    table = kpi.budget_per_kpi_change(data.kpis, data.budgets).set_index("kpi_id")
    decreases = table[table["required_change"] < 0]
    assert {"K03", "K04", "K18"} <= set(decreases.index)
    assert decreases["budget_per_unit_change_thousand_yen"].isna().all()
    assert decreases["per_unit_note"].str.startswith("目標値が現状値を下回るため計算しない").all()
    increase = table.loc["K08"]
    assert increase["budget_per_unit_change_thousand_yen"] == pytest.approx(
        increase["budget_total_thousand_yen"] / increase["required_change"]
    )
