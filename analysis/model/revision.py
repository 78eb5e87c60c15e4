"""What changed between an edition and the one it replaces (人口ビジョン改訂, new 社人研推計)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.core.schema import REGION, TOTAL
from analysis.inputs.agesex import SEXES, AgeSexLoaded, age_lower, standard_groups
from analysis.inputs.data import Edition, PopulationData
from analysis.model import cohort
from analysis.model.assembly import is_borrowed


def pairs(data: PopulationData) -> list[tuple[Edition, Edition]]:
    """(old, new) for every edition that replaces another one, the newest comparison first
    (by the new edition's publication; an edition supplied for this run, undated or not yet
    registered, is the newest)."""
    by_id = {e.edition: e for e in data.editions}
    found = [(by_id[e.replaces], e) for e in data.editions if e.replaces]
    # Registry order is oldest first and supplied editions come last: reversed, then by date.
    newest_first = list(reversed(found))
    return sorted(
        newest_first,
        key=lambda pair: (
            0 if pair[1].edition.endswith("_supplied") else 1,
            _date_key(pair[1].published),
        ),
    )


def _date_key(published: str) -> tuple[int, int]:
    """Sort key putting later publication dates first (an unknown date first of all)."""
    found = re.fullmatch(r"\s*(\d{4})-(\d{1,2}).*", published or "")
    if not found:
        return (-10_000, 0)
    return (-int(found.group(1)), -int(found.group(2)))


def reading_order(frame: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Rows in the reports' reading order of places: the municipalities as the data lists them
    (一関市, 平泉町), then 圏域; the other columns' order kept within a place (stable)."""
    places = [m for m in municipalities if m != REGION] + [REGION]
    rank = {m: i for i, m in enumerate(places)}
    order = frame["municipality"].map(lambda m: rank.get(m, len(rank)))
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def own_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Without the rows a partial edition borrowed from the one it replaces (comparing them
    with themselves says nothing); the 圏域 summed from them stays."""
    return frame[~is_borrowed(frame)]


def borrowed_municipalities(frame: pd.DataFrame, edition: str) -> list[str]:
    """The municipalities ``edition`` took from the edition it replaces."""
    rows = frame[frame["edition"] == edition]
    return list(dict.fromkeys(rows.loc[is_borrowed(rows), "municipality"]))


def places(frame: pd.DataFrame) -> list[str]:
    """The municipalities in the order the data lists them (一関市, 平泉町), 圏域 last."""
    found = list(dict.fromkeys(frame["municipality"]))
    return [m for m in found if m != REGION] + [REGION]


def common_years(frame: pd.DataFrame, old: str, new: str, extra: list[int]) -> list[int]:
    """Years both editions publish, plus ``extra`` (target years) inside both ranges."""
    years_old = set(frame.loc[frame["edition"] == old, "year"])
    years_new = set(frame.loc[frame["edition"] == new, "year"])
    inside = [
        y
        for y in extra
        if min(years_old) <= y <= max(years_old) and min(years_new) <= y <= max(years_new)
    ]
    return sorted((years_old & years_new) | set(inside))


def differences(frame: pd.DataFrame, old: str, new: str, target_years: list[int]) -> pd.DataFrame:
    """By municipality, year and age group: old, new, difference (人) and difference (%).

    difference_people = new − old; difference_pct = (new − old) ÷ old × 100. Target
    years that an edition does not publish are interpolated (marked derived).
    """
    both = frame[frame["edition"].isin([old, new])]
    years = common_years(own_rows(both), old, new, target_years)
    # Interpolated with the borrowed rows (a summed 圏域 stays the sum), compared without.
    pair = own_rows(cohort.with_years(both, target_years))
    pair = pair[pair["year"].isin(years)]
    compared = cohort.compare(pair, old, new).rename(
        columns={
            "population_baseline": "old_population",
            "population_alternative": "new_population",
            "gap": "difference_people",
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        compared["difference_pct"] = (compared["ratio"] - 1) * 100
    compared = compared.drop(columns=["ratio"]).rename(
        columns={"baseline": "old_edition", "alternative": "new_edition"}
    )
    return reading_order(compared, places(frame))


def aging_differences(
    frame: pd.DataFrame, old: str, new: str, target_years: list[int]
) -> pd.DataFrame:
    """Aging rate (%) in both editions and the difference in points (new − old)."""
    both = frame[frame["edition"].isin([old, new])]
    years = common_years(own_rows(both), old, new, target_years)
    structure = cohort.age_structure(own_rows(cohort.with_years(both, target_years)))
    structure = structure[structure["year"].isin(years)]
    wide = structure.pivot_table(
        index=["municipality", "year"], columns="edition", values="aging_rate_pct", aggfunc="first"
    ).dropna()
    result = pd.DataFrame(
        {
            "old_aging_rate_pct": wide[old],
            "new_aging_rate_pct": wide[new],
            "aging_rate_difference_points": wide[new] - wide[old],
        }
    ).reset_index()
    return reading_order(result, places(frame))


def target_year_summary(differences_: pd.DataFrame, target_years: list[int]) -> pd.DataFrame:
    """Total population in both editions at the target years."""
    rows = differences_[
        (differences_["age_group"] == TOTAL) & differences_["year"].isin(target_years)
    ]
    return rows.reset_index(drop=True)


def harmonised_groups(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """The five-year groups both editions can show: up to the lower of their open groups
    (90歳以上 for a 平成30年推計 against a 令和5年推計's 95歳以上)."""
    top = min(age_lower(old[-1]), age_lower(new[-1]))
    return standard_groups(f"{top}+")


def _to_groups(frame: pd.DataFrame, groups: tuple[str, ...]) -> pd.DataFrame:
    """Counts by ``groups``: every group at or above the open one summed into it."""
    top = age_lower(groups[-1])
    lower = frame["age_group"].map(age_lower)
    regrouped = frame.assign(age_group=frame["age_group"].where(lower < top, groups[-1]))
    keys = ["municipality", "year", "sex", "age_group"]
    return regrouped.groupby(keys, as_index=False, sort=False)["population"].sum()


def age_sex_differences(
    old: AgeSexLoaded, new: AgeSexLoaded, municipalities: list[str]
) -> pd.DataFrame:
    """Two age × sex editions by municipality (and 圏域), common year, sex and age group:
    ``old_population, new_population, difference_people`` (人) and ``difference_pct`` (%).

    Both are put on the groups they share (:func:`harmonised_groups`); the 圏域 is the
    sum of the municipalities both editions have.
    """
    groups = harmonised_groups(old.groups, new.groups)
    both = [
        m
        for m in municipalities
        if m in set(old.frame["municipality"]) & set(new.frame["municipality"])
    ]
    years = sorted(set(old.frame["year"]) & set(new.frame["year"]))
    parts = []
    for loaded in (old, new):
        frame = loaded.frame[
            loaded.frame["municipality"].isin(both) & loaded.frame["year"].isin(years)
        ]
        frame = _to_groups(
            frame[["municipality", "year", "sex", "age_group", "population"]], groups
        )
        region = frame.groupby(["year", "sex", "age_group"], as_index=False, sort=False)[
            "population"
        ].sum()
        parts.append(pd.concat([frame, region.assign(municipality=REGION)], ignore_index=True))
    keys = ["municipality", "year", "sex", "age_group"]
    table = parts[0].merge(parts[1], on=keys, suffixes=("_old", "_new"), validate="one_to_one")
    table = table.rename(
        columns={"population_old": "old_population", "population_new": "new_population"}
    )
    table["difference_people"] = table["new_population"] - table["old_population"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["difference_pct"] = (
            table["difference_people"] / table["old_population"] * 100
        ).where(table["old_population"] > 0)
    order = {m: i for i, m in enumerate([*both, REGION])}
    table = table.assign(
        _m=table["municipality"].map(order),
        _s=table["sex"].map({s: i for i, s in enumerate(SEXES)}),
        _a=table["age_group"].map({g: i for i, g in enumerate(groups)}),
    )
    table = table.sort_values(["_m", "year", "_s", "_a"]).drop(columns=["_m", "_s", "_a"])
    return table.reset_index(drop=True)[
        [*keys, "old_population", "new_population", "difference_people", "difference_pct"]
    ]
