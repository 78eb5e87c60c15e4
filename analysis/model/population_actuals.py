"""Population actuals (人口の実績) against the paths and the targets: arithmetic and tables.

The counts come validated from :func:`analysis.inputs.population_actuals.load` (an
:class:`~analysis.inputs.population_actuals.Actuals`, one row per area, date and age group incl.
total; the 圏域 is the municipalities' sum); this module reads no file.

The computations set the actuals against paths (the vision and the projection editions),
interpolated linearly in time between the paths' 5-year points, each point taken as of
1 October of its year; and against the plan's targets (data/raw/facts.csv).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import precision
from analysis.core.schema import AGE_GROUPS, REGION, TOTAL
from analysis.inputs.data import Edition, PopulationData
from analysis.inputs.population_actuals import CENSUS, KIND_LABELS, RESIDENT, Actuals, date_text
from analysis.model.population import report_name

PATH_MONTH_DAY = (10, 1)
"""The date a path's yearly value stands for (month, day): the census and the IPSS
projections count as of 1 October."""


def by_date(actuals: pd.DataFrame) -> pd.DataFrame:
    """One row per area and date: the three groups and total (人) and 高齢化率 (%)."""
    wide = actuals.pivot_table(
        index=["municipality", "date", "year", "kind", "kind_label"],
        columns="age_group",
        values="population",
        aggfunc="sum",
        sort=False,
    ).reset_index()
    wide.columns.name = None
    wide = wide.assign(aging_rate_pct=wide["65+"] / wide[TOTAL] * 100)
    return wide[
        ["municipality", "date", "year", "kind", "kind_label", *AGE_GROUPS, TOTAL, "aging_rate_pct"]
    ].reset_index(drop=True)


def path_date(year: int) -> datetime.date:
    """The date a path's value for ``year`` stands for (1 October, :data:`PATH_MONTH_DAY`)."""
    return datetime.date(int(year), *PATH_MONTH_DAY)


def interpolate(points: pd.Series, day: datetime.date) -> float | None:
    """A path's value on ``day``: linear in days between the two points around it.

    ``points`` are values indexed by year, each standing for 1 October of its year. On a
    point's own date the point itself; before the first or after the last point, None
    (no extrapolation).
    """
    years = sorted(int(y) for y in points.index)
    if not years:
        return None
    dates = [path_date(y) for y in years]
    if day < dates[0] or day > dates[-1]:
        return None
    for index in range(len(years) - 1):
        d0, d1 = dates[index], dates[index + 1]
        if d0 <= day <= d1:
            y0, y1 = years[index], years[index + 1]
            share = (day - d0).days / (d1 - d0).days
            return float(points.loc[y0] + (points.loc[y1] - points.loc[y0]) * share)
    return float(points.loc[years[0]])  # a single point, on its own date


def compared_editions(editions: Sequence[Edition]) -> list[Edition]:
    """The paths the actuals are set against: the vision in force, then every projection
    edition in three age groups (an age × sex edition repeats its three-group twin)."""
    visions = [e for e in editions if e.kind == "vision"]
    projections = [e for e in editions if e.kind == "projection" and not e.age_sex]
    return [*visions[-1:], *projections]


def against_paths(
    actuals: pd.DataFrame, corrected: pd.DataFrame, editions: Sequence[Edition]
) -> pd.DataFrame:
    """Each actual (area, date) beside each edition's path on that date.

    Columns: municipality, date, kind_label, edition, actual_population and
    path_population (人), gap_people (実績−経路, 人), actual_aging_rate_pct and
    path_aging_rate_pct (%), gap_aging_points (実績−経路, ポイント), on_point (the date
    is one of the path's own points, 1 October of a published year). An actual outside
    an edition's years has no row for it.
    """
    wide = by_date(actuals)
    rows = []
    for edition in editions:
        own = corrected[corrected["edition"] == edition.edition]
        for actual in wide.itertuples():
            series = own[own["municipality"] == actual.municipality]
            total = series[series["age_group"] == TOTAL].set_index("year")["population"]
            old = series[series["age_group"] == "65+"].set_index("year")["population"]
            day = datetime.date.fromisoformat(actual.date)
            path_total = interpolate(total.astype("float64"), day)
            path_old = interpolate(old.astype("float64"), day)
            if path_total is None or path_old is None or path_total <= 0:
                continue
            actual_total = float(getattr(actual, TOTAL))
            actual_rate = float(actual.aging_rate_pct)
            path_rate = path_old / path_total * 100
            rows.append(
                {
                    "municipality": actual.municipality,
                    "date": actual.date,
                    "kind_label": actual.kind_label,
                    "edition": edition.edition,
                    "actual_population": actual_total,
                    "path_population": path_total,
                    "gap_people": actual_total - path_total,
                    "actual_aging_rate_pct": actual_rate,
                    "path_aging_rate_pct": path_rate,
                    "gap_aging_points": actual_rate - path_rate,
                    "on_point": day in {path_date(int(y)) for y in total.index},
                }
            )
    columns = [
        "municipality",
        "date",
        "kind_label",
        "edition",
        "actual_population",
        "path_population",
        "gap_people",
        "actual_aging_rate_pct",
        "path_aging_rate_pct",
        "gap_aging_points",
        "on_point",
    ]
    return pd.DataFrame(rows, columns=columns)


def closest(
    against: pd.DataFrame,
    actuals: pd.DataFrame,
    editions: Sequence[Edition],
    corrected: pd.DataFrame,
) -> pd.DataFrame:
    """For each census after an edition's own census years: the editions that projected it,
    ranked by the size of their gap in people (rank 1 came closest).

    An edition whose census years include the census's year, or whose first year is not
    before it (its base), holds the count itself and is not ranked for it. Columns: municipality, date, edition, path_population,
    gap_people (実績−推計, 人), abs_gap_people (人), rank.
    """
    census_dates = set(actuals.loc[actuals["kind"] == CENSUS, "date"])
    own = {e.edition: set(e.census_years) for e in editions}
    first = corrected.groupby("edition")["year"].min()
    rows = against[against["date"].isin(census_dates)]
    year = rows["date"].str.slice(0, 4).astype("int64")
    projected = [
        y not in own.get(e, set()) and y > first.get(e, y)
        for e, y in zip(rows["edition"], year, strict=True)
    ]
    rows = rows[np.asarray(projected, dtype=bool)]
    rows = rows.assign(abs_gap_people=rows["gap_people"].abs())
    rows = rows.sort_values(["municipality", "date", "abs_gap_people", "edition"])
    rows = rows.assign(rank=rows.groupby(["municipality", "date"]).cumcount() + 1)
    return rows[
        [
            "municipality",
            "date",
            "edition",
            "actual_population",
            "path_population",
            "gap_people",
            "abs_gap_people",
            "rank",
        ]
    ].reset_index(drop=True)


def latest_of_each_kind(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest date of each kind of count (国勢調査, 住民基本台帳) per area, in
    date order: what a pace to a target is measured from (an older count's pace is history,
    kept in the workbook)."""
    latest = frame.groupby(["municipality", "kind_label"])["date"].transform("max")
    return frame[frame["date"] == latest].sort_values(["date", "target_year"], kind="stable")


def target_gaps(actuals: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Each actual of an area with targets beside each target (data/raw/facts.csv).

    Columns: municipality, date, kind_label, target_year, target_population (人),
    actual_population (人), gap_to_target_people (実績−目標, 人), target_aging_rate_pct (%),
    actual_aging_rate_pct (%), gap_to_target_aging_points (実績−目標, ポイント), years_to_target
    (年, from the actual's date to 1 October of the target year) and
    needed_change_per_year_people (人／年, (目標−実績) ÷ 年数; none once the target
    year's 1 October is reached: 0 on that date). An actual after that date has no row.
    """
    wide = by_date(actuals)
    targets = facts[facts["fact"].str.startswith("target_")]
    rows = []
    for (place, year), group in targets.groupby(["municipality", "year"], sort=True):
        people = group[group["quantity"] == "population"]["value"]
        rate = group[group["quantity"] == "aging_rate"]["value"]
        for actual in wide[wide["municipality"] == place].itertuples():
            day = datetime.date.fromisoformat(actual.date)
            years = (path_date(int(year)) - day).days / 365.25
            total = float(getattr(actual, TOTAL))
            row: dict[str, object] = {
                "municipality": place,
                "date": actual.date,
                "kind_label": actual.kind_label,
                "target_year": int(year),
                "actual_population": total,
                "actual_aging_rate_pct": float(actual.aging_rate_pct),
                "years_to_target": years,
            }
            if years < 0:
                continue  # an actual after the target's date is not measured against it
            if len(people):
                target = float(people.iloc[0])
                row |= {
                    "target_population": target,
                    "gap_to_target_people": total - target,
                    "needed_change_per_year_people": (target - total) / years if years else 0.0,
                }
            if len(rate):
                target_rate = float(rate.iloc[0])
                row |= {
                    "target_aging_rate_pct": target_rate,
                    "gap_to_target_aging_points": float(actual.aging_rate_pct) - target_rate,
                }
            rows.append(row)
    columns = [
        "municipality",
        "date",
        "kind_label",
        "target_year",
        "target_population",
        "actual_population",
        "gap_to_target_people",
        "target_aging_rate_pct",
        "actual_aging_rate_pct",
        "gap_to_target_aging_points",
        "years_to_target",
        "needed_change_per_year_people",
    ]
    return pd.DataFrame(rows, columns=columns)


def resident_point(
    against: pd.DataFrame, corrected: pd.DataFrame, vision: Edition
) -> dict[str, Any] | None:
    """When the vision's own value for a year is a 住民基本台帳 count (its source says so)
    and a 住民基本台帳 actual of the 圏域 falls in that year: the vision's value, the path's
    value on the actual's date (the value taken as of 1 October) and the gaps (人)."""
    if "住民基本台帳" not in vision.source:
        return None
    rows = against[
        (against["edition"] == vision.edition)
        & (against["municipality"] == REGION)
        & (against["kind_label"] == KIND_LABELS[RESIDENT])
    ]
    points = corrected[
        (corrected["edition"] == vision.edition)
        & (corrected["municipality"] == REGION)
        & (corrected["age_group"] == TOTAL)
    ].set_index("year")["population"]
    for row in rows.itertuples():
        year = int(row.date[:4])
        if year in points.index and not row.on_point:
            return {
                "year": year,
                "date": row.date,
                "vision_value": float(points.loc[year]),
                "actual": float(row.actual_population),
                "path_value": float(row.path_population),
                "gap_to_path": float(row.gap_people),
                "gap_to_value": float(row.actual_population) - float(points.loc[year]),
            }
    return None


def build_tables(
    counted: Actuals, data: PopulationData, facts: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The processed tables of the validated actuals (tidy, unrounded, no missing values)."""
    actuals = counted.frame
    editions = compared_editions(data.editions)
    against = against_paths(actuals, data.corrected, editions)
    shown = actuals.assign(input_file=actuals["input_file"].map(report_name))
    return {
        "actual_counts": shown.drop(columns=["kind"]),
        "actual_by_date": by_date(actuals).drop(columns=["kind"]),
        "actual_vs_paths": against,
        "actual_closest": closest(against, actuals, editions, data.corrected),
        "actual_targets": target_gaps(actuals, facts),
    }


# ---------------------------------------------------------------- for the report


def decimal_year(date: str) -> float:
    """``2023-01-01`` → 2023.0, ``2020-10-01`` → 2020.75 (for a time axis)."""
    day = datetime.date.fromisoformat(date)
    start = datetime.date(day.year, 1, 1)
    length = (datetime.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def figure_inputs(
    built: dict[str, pd.DataFrame],
    data: PopulationData,
    facts: pd.DataFrame,
    area: str = REGION,
) -> dict[str, pd.DataFrame]:
    """The frames :func:`analysis.report.figures.actuals_vs_paths` draws, for one area: the paths
    up to the last target year, the actuals, their gaps and the area's population targets."""
    editions = compared_editions(data.editions)
    names = {e.edition: e.short_label for e in editions}
    targets = facts[
        facts["fact"].str.startswith("target_")
        & (facts["quantity"] == "population")
        & (facts["municipality"] == area)
    ]
    last = int(targets["year"].max()) if len(targets) else int(data.corrected["year"].max())
    actual = built["actual_by_date"]
    actual = actual[actual["municipality"] == area]
    gaps = built["actual_vs_paths"]
    gaps = gaps[gaps["municipality"] == area]
    return {
        "paths": _paths(data.corrected, editions, area, last),
        "actuals": pd.DataFrame(
            {
                "when": actual["date"].map(decimal_year).to_numpy(),
                "population": actual[TOTAL].to_numpy(),
                "kind_label": actual["kind_label"].to_numpy(),
            }
        ),
        "gaps": pd.DataFrame(
            {
                "label": gaps["edition"].map(names).to_numpy(),
                "when": gaps["date"].map(decimal_year).to_numpy(),
                "gap_people": gaps["gap_people"].to_numpy(),
                "kind_label": gaps["kind_label"].to_numpy(),
            }
        ),
        "targets": pd.DataFrame(
            {
                "year": targets["year"].to_numpy(),
                "population": targets["value"].to_numpy(),
                "label": [f"目標 {v:,.0f}人程度" for v in targets["value"]],
            }
        ),
    }


def _paths(corrected: pd.DataFrame, editions: list[Edition], area: str, last: int) -> pd.DataFrame:
    """Each compared edition's total (人) for ``area`` up to the year ``last``, in the editions'
    order, with its short label and kind."""
    names = {e.edition: e.short_label for e in editions}
    paths = corrected[
        corrected["edition"].isin(names)
        & (corrected["municipality"] == area)
        & (corrected["age_group"] == TOTAL)
        & (corrected["year"] <= last)
    ]
    order = {e.edition: i for i, e in enumerate(editions)}
    paths = paths.assign(_o=paths["edition"].map(order)).sort_values(["_o", "year"])
    kinds = {e.edition: e.kind for e in editions}
    return pd.DataFrame(
        {
            "label": paths["edition"].map(names).to_numpy(),
            "kind": paths["edition"].map(kinds).to_numpy(),
            "year": paths["year"].to_numpy(),
            "population": paths["population"].to_numpy(),
        }
    )


POINTS = precision.decimals("points")
"""Decimals of a 高齢化率 difference in ポイント (one precision per quantity)."""


def signed(value: float, unit: str, digits: int = 0) -> str:
    """A difference with its sign (「+9,284人」「-1.5ポイント」), and 「0人」 when it rounds to 0."""
    return precision.without_sign_of_zero(f"{value:+,.{digits}f}") + unit


def _own_census_note(gap: pd.Series, edition: Edition, kind: str) -> str:
    """A clause for a census actual that an edition took as its own base (a census year of
    the edition): the totals agree, so an age-group gap there is a disagreement of sources
    (the plan prints 一関市's 2020 age groups unlike the census), not a change of population."""
    year = int(str(gap["date"])[:4])
    same_total = round(float(gap["gap_people"])) == 0
    differs = round(abs(float(gap["gap_aging_points"])), POINTS) > 0
    if kind != KIND_LABELS[CENSUS] or year not in edition.census_years or not same_total:
        return ""
    if not differs:
        return ""
    return (
        f"この年は{edition.short_label}自身が国勢調査の値としている年で、総人口は同じですが、"
        "年齢3区分の人数が国勢調査と合っていません（高齢化率の差はそのためで、人口の動きの差"
        "ではありません）。"
    )


def _day(date: str) -> str:
    return date_text(datetime.date.fromisoformat(date))


def key_points(
    built: dict[str, pd.DataFrame],
    data: PopulationData,
    area: str = REGION,
) -> list[str]:
    """Sentences for the report: the latest actual of each kind, its gap to the vision's
    path and to each target (実績−目標), the vision's own 住民基本台帳 value, and which
    edition came closest to a census they projected."""
    editions = compared_editions(data.editions)
    names = {e.edition: e.short_label for e in editions}
    vision = editions[0] if editions and editions[0].kind == "vision" else None
    wide = built["actual_by_date"]
    wide = wide[wide["municipality"] == area]
    against = built["actual_vs_paths"]
    lines = _latest_sentences(wide, against, vision, names, area)
    targets = built["actual_targets"]
    lines += _target_sentences(targets[targets["municipality"] == area])
    if vision is not None:
        point = resident_point(against, data.corrected, vision)
        if point is not None and area == REGION:
            lines.append(_resident_sentence(point, names[vision.edition]))
    ranked = built["actual_closest"]
    lines += _closest_sentences(ranked[ranked["municipality"] == area], names)
    return lines


def _latest_sentences(
    wide: pd.DataFrame,
    against: pd.DataFrame,
    vision: Edition | None,
    names: dict[str, str],
    area: str,
) -> list[str]:
    """For each kind of count, the latest count (人, 高齢化率) and its gap to the vision's
    path on the same day."""
    lines = []
    for kind in (KIND_LABELS[CENSUS], KIND_LABELS[RESIDENT]):
        rows = wide[wide["kind_label"] == kind]
        if rows.empty:
            continue
        latest = rows.sort_values("date").iloc[-1]
        text = (
            f"最新の{kind}の人口（{_day(latest['date'])}現在）は{area}で"
            f"{latest[TOTAL]:,.0f}人、高齢化率は{precision.text(latest['aging_rate_pct'], 'percent')}です。"
        )
        if vision is not None:
            match = against[
                (against["municipality"] == area)
                & (against["date"] == latest["date"])
                & (against["edition"] == vision.edition)
            ]
            if len(match):
                gap = match.iloc[0]
                text += (
                    f"同じ日の{names[vision.edition]}の値"
                    f"{'' if gap['on_point'] else '（前後の年から補間）'}は"
                    f"{gap['path_population']:,.0f}人で、実績−展望は{signed(gap['gap_people'], '人')}、"
                    f"高齢化率の差は{signed(gap['gap_aging_points'], 'ポイント', POINTS)}です。"
                )
                text += _own_census_note(gap, vision, kind)
        lines.append(text)
    return lines


def _target_sentences(targets: pd.DataFrame) -> list[str]:
    """For each target, the latest count's gap to it (実績−目標) and the change per year
    (人) still allowed or needed."""
    if not len(targets):
        return []
    latest_date = targets["date"].max()
    return [
        f"{row.target_year}年の目標（{row.target_population:,.0f}人程度、高齢化率"
        f"{precision.text(row.target_aging_rate_pct, 'percent')}程度）に対し、{_day(row.date)}の実績（{row.kind_label}）は"
        f"実績−目標で{signed(row.gap_to_target_people, '人')}、高齢化率"
        f"{signed(row.gap_to_target_aging_points, 'ポイント', POINTS)}です"
        + (
            f"。目標の人口を下回らないためには、減少を年{-row.needed_change_per_year_people:,.0f}人"
            "以内にとどめる必要があります。"
            if row.needed_change_per_year_people < 0
            else f"。目標の人口に届くには、年{row.needed_change_per_year_people:,.0f}人の"
            "増加が必要です。"
        )
        for row in targets[targets["date"] == latest_date].itertuples()
    ]


def _resident_sentence(point: Mapping[str, Any], vision: str) -> str:
    """Why the vision's 住民基本台帳 value differs from the path drawn through it (the
    counting and the date, not the population's course)."""
    return (
        f"{vision}の{point['year']}年の値（{point['vision_value']:,.0f}人）は、"
        f"原資料の注のとおり住民基本台帳の人口で、10月1日の国勢調査・推計の人口ではありません。"
        f"ここでは展望の各年の値を10月1日の人口として結んでいるため、{_day(str(point['date']))}の"
        f"住民基本台帳の実績（{point['actual']:,.0f}人）は、展望の{point['year']}年の値とは"
        f"{signed(float(point['gap_to_value']), '人')}の差ですが、同じ日に補間した展望の値"
        f"（{point['path_value']:,.0f}人）とは{signed(float(point['gap_to_path']), '人')}の差になります。"
        f"この差は数え方と日付の違いによるもので、人口の動きの差ではありません。"
    )


def _closest_sentences(ranked: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """For each census the editions projected, the edition closest to it and the others' gaps;
    or a sentence saying no such census is given yet."""
    lines = []
    if ranked.empty:
        lines.append(
            "推計・展望が推計した年の国勢調査（2025年など）の人口は、まだ入力されていません。"
            "入力すると、どの推計・展望が最も近かったかを示します。"
        )
    for date, group in ranked.groupby("date", sort=True):
        best = group.sort_values("rank").iloc[0]
        others = "、".join(
            f"{names.get(r.edition, r.edition)} {signed(r.gap_people, '人')}"
            for r in group.sort_values("rank").iloc[1:].itertuples()
        )
        lines.append(
            f"{_day(str(date))}の国勢調査の人口（{best['actual_population']:,.0f}人）に最も近かったのは"
            f"{names.get(best['edition'], best['edition'])}（実績−推計・展望 {signed(best['gap_people'], '人')}）です"
            + (f"（ほかは {others}）。" if others else "。")
        )
    return lines
