"""KPIs and budgets of the 32 initiatives: plan arithmetic, progress, grades, design flags.

Computed from the validated plan edition and actuals (:mod:`analysis.inputs.kpi_plan`
reads and checks them); nothing here opens a file.

Units: KPI values are in each KPI's own unit (``unit`` column: 人, %, 件 …);
percentages are percentage points. Budgets are 千円 (thousand yen). Fiscal
years (年度) are written as the year they start in (FY2024 = 令和6年度).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core import precision
from analysis.inputs.kpi_plan import KpiData


@dataclass(frozen=True)
class GradeThresholds:
    """A municipality's grading rule; every threshold is a parameter.

    - 達成: progress ≥ ``achieved`` (1.0 = the KPI's target is reached)
    - 順調: progress ≥ ``on_track`` × the progress expected by the pro-rata pace
    - やや遅れ: progress ≥ ``slightly_behind`` × the expected progress
    - 遅れ: anything lower, including moving away from the target
    - 未報告: no actual up to the as-of year
    """

    achieved: float = 1.0
    on_track: float = 1.0
    slightly_behind: float = 0.5


GRADES = ("達成", "順調", "やや遅れ", "遅れ", "未報告")


def plan(kpis: pd.DataFrame) -> pd.DataFrame:
    """Direction, required change and yearly pace from each KPI's baseline to its target (years its own)."""
    baseline = kpis["baseline_value"].astype("float64")
    target = kpis["target_value"].astype("float64")
    change = target - baseline
    return kpis.assign(
        direction=np.select([change > 0, change < 0], ["increase", "decrease"], "maintain"),
        required_change=change,
        yearly_pace=change / (kpis["target_fiscal_year"] - kpis["baseline_fiscal_year"]),
        required_change_pct=np.where(
            baseline != 0, change / baseline.where(baseline != 0) * 100, np.nan
        ),
    )


def expected_value(kpis: pd.DataFrame, fiscal_year: int | pd.Series) -> pd.Series:
    """The pro-rata value for a fiscal year: baseline + pace × (year − baseline year)."""
    planned = plan(kpis)
    return planned["baseline_value"] + planned["yearly_pace"] * (
        fiscal_year - planned["baseline_fiscal_year"]
    )


def latest_actuals(actuals: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Each KPI's most recent actual up to and including the as-of fiscal year."""
    upto = actuals[actuals["fiscal_year"] <= as_of].sort_values(["kpi_id", "fiscal_year"])
    return upto.groupby("kpi_id", as_index=False).last()


def progress(
    kpis: pd.DataFrame,
    actuals: pd.DataFrame,
    as_of: int,
    thresholds: GradeThresholds = GradeThresholds(),
) -> pd.DataFrame:
    """Progress and grade of every KPI as of a fiscal year.

    progress = (actual − baseline) ÷ (target − baseline), so 0 = the
    baseline level and 1 = the target, for increasing and decreasing targets
    alike. A *maintain* target (target = baseline) has no distance to cover:
    progress is 1 while the actual is at or above the target, else
    actual ÷ target (the share of the level kept). Cumulative (累計) KPIs are
    entered as cumulative totals and percentage KPIs in percentage points, so
    the same formula applies. expected_progress is the pro-rata share of the
    period elapsed, (as-of − baseline year) ÷ (target year − baseline year), each KPI's own.
    """
    planned = plan(kpis)
    latest = latest_actuals(actuals, as_of).rename(
        columns={"fiscal_year": "actual_fiscal_year", "value": "actual"}
    )
    merged = planned.merge(
        latest[["kpi_id", "actual_fiscal_year", "actual", "note"]], on="kpi_id", how="left"
    )
    actual = merged["actual"]
    baseline = merged["baseline_value"]
    target = merged["target_value"]
    distance = target - baseline
    maintain = distance == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = (actual - baseline) / distance.where(~maintain)
        kept = np.where(actual >= target, 1.0, actual / target.where(target != 0))
    merged["progress"] = np.where(maintain, kept, moving)
    merged.loc[actual.isna(), "progress"] = np.nan
    year = merged["actual_fiscal_year"].fillna(as_of)
    merged["expected_progress"] = np.where(
        maintain,
        1.0,
        (year - merged["baseline_fiscal_year"])
        / (merged["target_fiscal_year"] - merged["baseline_fiscal_year"]),
    )
    merged["expected_value"] = baseline + merged["yearly_pace"] * (
        year - merged["baseline_fiscal_year"]
    )
    merged["grade"] = grade(merged["progress"], merged["expected_progress"], thresholds)
    # The pace still needed: from the latest actual to the target, per remaining year
    # (none once the target year is reached or without an actual).
    remaining = merged["target_fiscal_year"] - merged["actual_fiscal_year"]
    merged["required_pace_from_latest"] = (target - actual) / remaining.where(remaining > 0)
    return merged


def grade(
    progress_: pd.Series, expected: pd.Series, thresholds: GradeThresholds = GradeThresholds()
) -> pd.Series:
    """達成 / 順調 / やや遅れ / 遅れ / 未報告 from progress and the expected progress."""
    p = progress_.astype("float64")
    e = pd.Series(expected, index=p.index).astype("float64")
    labels = np.select(
        [
            p.isna(),
            p >= thresholds.achieved,
            p >= thresholds.on_track * e,
            p >= thresholds.slightly_behind * e,
        ],
        ["未報告", "達成", "順調", "やや遅れ"],
        "遅れ",
    )
    return pd.Series(labels, index=p.index, name="grade")


def design_flags(
    kpis: pd.DataFrame, budgets: pd.DataFrame, jump_ratio: float = 2.0
) -> pd.DataFrame:
    """The design questions the committee raised, one row per finding.

    - ``target_below_baseline``: the target is lower than the baseline (only a
      problem where more is better; listed for review)
    - ``target_equals_baseline``: a maintain target
    - ``zero_budget``: a plan year with a budget of 0 千円
    - ``budget_jump``: a year-over-year change by more than ``jump_ratio`` times (up or down)
    """
    planned = plan(kpis)
    rows = []
    for row in planned[planned["direction"] == "decrease"].itertuples():
        rows.append(
            (
                row.initiative_id,
                row.kpi_id,
                "target_below_baseline",
                None,
                f"{row.baseline_value:,g} → {row.target_value:,g} {row.unit}（{precision.text(row.required_change_pct, 'percent', signed=True)}）",
            )
        )
    for row in planned[planned["direction"] == "maintain"].itertuples():
        rows.append(
            (
                row.initiative_id,
                row.kpi_id,
                "target_equals_baseline",
                None,
                f"{row.baseline_value:,g} → {row.target_value:,g} {row.unit}",
            )
        )
    ordered = budgets.sort_values(["initiative_id", "fiscal_year"])
    for row in ordered[ordered["budget_thousand_yen"] == 0].itertuples():
        rows.append((row.initiative_id, None, "zero_budget", row.fiscal_year, "0千円"))
    previous = ordered.groupby("initiative_id")["budget_thousand_yen"].shift()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ordered["budget_thousand_yen"] / previous
    jumps = ordered[
        (previous > 0)
        & (ordered["budget_thousand_yen"] > 0)
        & ((ratio > jump_ratio) | (ratio < 1 / jump_ratio))
    ]
    for row, before, r in zip(
        jumps.itertuples(), previous[jumps.index], ratio[jumps.index], strict=True
    ):
        rows.append(
            (
                row.initiative_id,
                None,
                "budget_jump",
                row.fiscal_year,
                f"{before:,.0f} → {row.budget_thousand_yen:,.0f}千円（{r:.2f}倍）",
            )
        )
    return pd.DataFrame(
        rows, columns=["initiative_id", "kpi_id", "flag", "fiscal_year", "detail"]
    ).astype({"fiscal_year": "Int64"})


def budgets_by(budgets: pd.DataFrame, initiatives: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Budget (千円) summed by fiscal year and the given initiative columns (e.g. field)."""
    merged = budgets.merge(initiatives, on="initiative_id", how="left")
    return merged.groupby([*by, "fiscal_year"], as_index=False, sort=False)[
        "budget_thousand_yen"
    ].sum()


def budget_per_kpi_change(kpis: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """Indicative only: the five-year budget (千円) per unit of planned KPI increase.

    An initiative's budget serves all its KPIs, so for an initiative with two
    KPIs the whole budget is set against each. Only where the target is above the
    baseline: spending is not a price of a planned decrease (a KPI whose target is
    below its baseline, e.g. fewer events) or of keeping a level; there
    ``per_unit_note`` says why no value is given.
    """
    planned = plan(kpis)
    totals = budgets.groupby("initiative_id", as_index=False)["budget_thousand_yen"].sum()
    merged = planned.merge(
        totals.rename(columns={"budget_thousand_yen": "budget_total_thousand_yen"}),
        on="initiative_id",
    )
    kpis_per_initiative = merged.groupby("initiative_id")["kpi_id"].transform("count")
    change = merged["required_change"]
    merged["budget_per_unit_change_thousand_yen"] = merged[
        "budget_total_thousand_yen"
    ] / change.where(change > 0)
    merged["per_unit_note"] = np.select(
        [change < 0, change == 0],
        [
            "目標値が現状値を下回るため計算しない（事業費は減少の対価ではない）",
            "目標値が現状値と同じため計算しない",
        ],
        "",
    )
    merged["shared_budget"] = kpis_per_initiative > 1
    return merged[
        [
            "initiative_id",
            "kpi_id",
            "kpi_name",
            "unit",
            "required_change",
            "budget_total_thousand_yen",
            "budget_per_unit_change_thousand_yen",
            "per_unit_note",
            "shared_budget",
        ]
    ]


def default_as_of(actuals: pd.DataFrame, years: tuple[int, ...]) -> int:
    """The latest fiscal year with an actual, or the first plan year (of ``years``, the
    edition's period) when there is none."""
    return int(actuals["fiscal_year"].max()) if len(actuals) else years[0]


OVERVIEW_COLUMNS = [
    "kpi_id",
    "initiative_id",
    "initiative_name",
    "field",
    "kpi_name",
    "unit",
    "cumulative",
    "baseline_fiscal_year",
    "baseline_value",
    "target_fiscal_year",
    "target_value",
    "direction",
    "required_change",
    "yearly_pace",
    "as_of_fiscal_year",
    "expected_value",
    "actual_fiscal_year",
    "actual",
    "progress",
    "expected_progress",
    "required_pace_from_latest",
    "grade",
    "flags",
    "note",
]
"""The columns of the KPI report's overview, in order."""


def _initiative_names(data: KpiData) -> pd.DataFrame:
    """Each initiative's number, 政策分野, 分野, label and policy direction."""
    names = data.initiatives[["initiative_id", "policy_area", "field", "direction"]].assign(
        initiative_name=initiative_labels(data.initiatives)
    )
    return names.rename(columns={"direction": "policy_direction"})


def _flag_texts(flags: pd.DataFrame, overview: pd.DataFrame) -> list[str]:
    """For each overview row, the design flags of its KPI and of its initiative, joined by 「・」."""
    flag_labels = flags.assign(label=flags["flag"].map(FLAG_LABELS))
    per_kpi = flag_labels.dropna(subset=["kpi_id"]).groupby("kpi_id")["label"].agg("・".join)
    per_initiative = (
        flag_labels[flag_labels["kpi_id"].isna()]
        .groupby("initiative_id")["label"]
        .agg(lambda s: "・".join(dict.fromkeys(s)))
    )
    return [
        "・".join(x for x in (per_kpi.get(k, ""), per_initiative.get(i, "")) if x)
        for k, i in zip(overview["kpi_id"], overview["initiative_id"], strict=True)
    ]


def build_tables(
    data: KpiData,
    actuals: pd.DataFrame,
    as_of: int,
    thresholds: GradeThresholds = GradeThresholds(),
    jump_ratio: float = 2.0,
) -> dict[str, pd.DataFrame]:
    """Every processed table of the KPI report (tidy, unrounded; budgets in 千円)."""
    names = _initiative_names(data)
    flags = design_flags(data.kpis, data.budgets, jump_ratio)
    overview = progress(data.kpis, actuals, as_of, thresholds).merge(names, on="initiative_id")
    overview["flags"] = _flag_texts(flags, overview)
    overview = overview.assign(as_of_fiscal_year=as_of)[OVERVIEW_COLUMNS]
    budgets = data.budgets.merge(names, on="initiative_id")
    totals = budgets.groupby(["initiative_id", "initiative_name", "field"], as_index=False)[
        "budget_thousand_yen"
    ].sum()
    return {
        "overview": overview,
        "budgets": budgets[
            [
                "initiative_id",
                "initiative_name",
                "policy_area",
                "field",
                "fiscal_year",
                "budget_thousand_yen",
            ]
        ],
        "budgets_by_field": budgets_by(data.budgets, data.initiatives, ["policy_area", "field"]),
        "budgets_by_area": budgets_by(data.budgets, data.initiatives, ["policy_area"]),
        "budget_totals": totals,
        "budget_per_change": budget_per_kpi_change(data.kpis, data.budgets),
        "flags": flags.merge(names[["initiative_id", "initiative_name"]], on="initiative_id"),
        "changes": data.changes,
        "comments": data.comments,
        "actuals": actuals,
        "notes": notes_table(data),
    }


def initiative_labels(initiatives: pd.DataFrame) -> pd.Series:
    """The 体系図 name, and the name in the initiative's own block where that differs."""
    diagram, block = initiatives["initiative_name"], initiatives["name_in_block"]
    both = diagram + "（取組表では「" + block + "」）"
    return both.where(block.notna() & (block != diagram), diagram)


def notes_table(data: KpiData) -> pd.DataFrame:
    """The source's notes on budgets and KPIs, with what they apply to."""
    labels = dict(
        zip(data.initiatives["initiative_id"], initiative_labels(data.initiatives), strict=True)
    )
    notes = data.notes.assign(
        initiative_name=data.notes["initiative_id"].map(
            lambda i: labels.get(int(i), "") if pd.notna(i) else "すべての取組"
        )
    )
    return notes[["topic", "initiative_id", "initiative_name", "kpi_id", "note", "source_line"]]


def component_share(components: pd.DataFrame) -> pd.DataFrame:
    """A KPI built from parts (K01: days served over days, three services) recomputed (%)."""
    summed = components.groupby("kpi_id", as_index=False)[["days_done", "days_total"]].sum()
    return summed.assign(share_pct=summed["days_done"] / summed["days_total"] * 100)


FLAG_LABELS = {
    "target_below_baseline": "目標値が現状値を下回る",
    "target_equals_baseline": "目標値が現状値と同じ",
    "zero_budget": "事業費0円の年度あり",
    "budget_jump": "事業費の大きな増減",
}
