"""What changed between an edition and the one it replaces (人口ビジョン改訂, new 社人研推計)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import cohort
from analysis.data import Edition, PopulationData
from analysis.schema import TOTAL


def pairs(data: PopulationData) -> list[tuple[Edition, Edition]]:
    """(old, new) for every edition that replaces another one."""
    by_id = {e.edition: e for e in data.editions}
    return [(by_id[e.replaces], e) for e in data.editions if e.replaces]


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
    pair = frame[frame["edition"].isin([old, new])]
    years = common_years(pair, old, new, target_years)
    pair = cohort.with_years(pair, target_years)
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
    return compared.drop(columns=["ratio"]).rename(
        columns={"baseline": "old_edition", "alternative": "new_edition"}
    )


def aging_differences(
    frame: pd.DataFrame, old: str, new: str, target_years: list[int]
) -> pd.DataFrame:
    """Aging rate (%) in both editions and the difference in points (new − old)."""
    pair = frame[frame["edition"].isin([old, new])]
    years = common_years(pair, old, new, target_years)
    structure = cohort.age_structure(cohort.with_years(pair, target_years))
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
    return result


def target_year_summary(differences_: pd.DataFrame, target_years: list[int]) -> pd.DataFrame:
    """Total population in both editions at the target years."""
    rows = differences_[
        (differences_["age_group"] == TOTAL) & differences_["year"].isin(target_years)
    ]
    return rows.reset_index(drop=True)
