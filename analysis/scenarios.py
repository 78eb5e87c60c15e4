"""The national guidance's scenarios from an age × sex edition, and what planners read off them.

Scenario ids (in every output):

- ``pattern1`` (パターン1, 社人研準拠): the edition's own cohort change ratios,
  child–woman ratios and 0–4 sex ratios, recovered from its counts; projecting
  its first year reproduces it;
- ``sim1`` (シミュレーション1): pattern1 with CWR(y) × TFR(y) ÷ tfr_base, the total
  fertility rate rising linearly from ``tfr_base`` in the base year to
  ``tfr_target`` in ``tfr_target_year`` and staying there;
- ``sim2`` (シミュレーション2): sim1 with zero migration: R = S, the survival ratios
  supplied with ``--survival``;
- ``settlers``: pattern1 plus N net settlers per 5-year period, distributed by
  the settler profile and added after the 0–4 step, with N solved so that the
  target population is reached in the target year (the projection is linear in
  N, so two runs give N exactly).

``圏域`` is the sum of the municipalities in every scenario. Counts are 人, rates %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import projection
from analysis.agesex import SEXES, age_lower
from analysis.findings import Finding
from analysis.projection_inputs import (
    SETTINGS,
    Settings,
    check_settings,
    read_profile,
    read_settings,
    read_survival,
)
from analysis.schema import REGION

__all__ = ["SETTINGS", "Settings", "read_profile", "read_settings", "read_survival"]

SCENARIOS = ("pattern1", "sim1", "sim2", "settlers")
SCENARIO_LABELS = {
    "pattern1": "パターン1（社人研準拠）",
    "sim1": "シミュレーション1（出生率上昇）",
    "sim2": "シミュレーション2（出生率上昇・移動ゼロ）",
    "settlers": "転入超過を加えた推計",
}

# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class Base:
    """An age × sex edition as arrays: (Y, M, 2, A) counts for the plan's municipalities."""

    municipalities: tuple[str, ...]
    groups: tuple[str, ...]
    years: tuple[int, ...]
    population: np.ndarray

    @property
    def lower_bounds(self) -> np.ndarray:
        return np.array([age_lower(g) for g in self.groups])

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, groups: tuple[str, ...], municipalities: list[str]
    ) -> Base:
        present = [m for m in municipalities if m in set(frame["municipality"])]
        years = tuple(sorted(int(y) for y in frame["year"].unique()))
        index = pd.MultiIndex.from_product([years, present, SEXES, groups])
        values = (
            frame.set_index(["year", "municipality", "sex", "age_group"])["population"]
            .reindex(index)
            .to_numpy(dtype="float64")
        )
        shape = (len(years), len(present), 2, len(groups))
        return cls(tuple(present), groups, years, values.reshape(shape))


@dataclass
class Results:
    """Every scenario's (Y, M, 2, A) projection, and what was skipped or solved."""

    base: Base
    projections: dict[str, np.ndarray]
    cwr: dict[str, np.ndarray]
    tfr: dict[str, np.ndarray]
    """Per scenario, (K, M) TFR assumed at the end of each step (sim1, sim2)."""
    settlers: pd.DataFrame
    notes: list[Finding] = field(default_factory=list)


def tfr_path(
    years: tuple[int, ...], base: float | np.ndarray, target: float, target_year: int
) -> np.ndarray:
    """TFR for each projected year: linear from ``base`` (first year) to ``target``, then flat.

    ``base`` may be one value per municipality: the result is then (K, M).
    """
    first = years[0]
    ahead = np.asarray(years[1:], dtype="float64")
    fraction = (
        np.ones(len(ahead))
        if target_year <= first
        else np.clip((ahead - first) / (target_year - first), 0, 1)
    )
    bases = np.asarray(base, dtype="float64")
    path: np.ndarray = bases + (target - bases) * fraction.reshape(-1, *[1] * bases.ndim)
    return path


def run(
    base: Base,
    settings: Settings,
    profile: np.ndarray,
    survival: np.ndarray | None,
    default_target: tuple[float, int],
) -> Results:
    """Every scenario the inputs allow; a skipped one gets a one-line note saying why."""
    bounds = base.lower_bounds
    implied = projection.implied_schedule(base.population, bounds)
    start = base.population[0]
    projections = {"pattern1": projection.project(start, implied, bounds)}
    cwr = {"pattern1": implied.cwr}
    tfr: dict[str, np.ndarray] = {}
    notes: list[Finding] = []
    tfr_bases = [settings.number("tfr_base", m) for m in base.municipalities]
    if any(t is None for t in tfr_bases):
        missing = [m for m, t in zip(base.municipalities, tfr_bases, strict=True) if t is None]
        notes.append(Finding("note", settings.source, None, "tfr_base", "sim-skipped-tfr",
                             {"municipalities": "、".join(missing)}))  # fmt: skip
    else:
        target = float(settings.number("tfr_target") or 0)  # a default exists; checked > 0.5
        target_year = int(settings.year("tfr_target_year") or 0)
        known = [b for b in tfr_bases if b is not None]  # every one, in this branch
        paths = tfr_path(base.years, np.asarray(known), target, target_year)
        sim1 = with_fertility(implied, paths, known)
        raised = sim1.cwr
        projections["sim1"] = projection.project(start, sim1, bounds)
        cwr["sim1"], tfr["sim1"] = raised, paths
        if survival is None:
            notes.append(Finding("note", "", None, "-", "sim2-skipped"))
        else:
            projections["sim2"] = projection.project(start, sim1.with_ratios(survival), bounds)
            cwr["sim2"], tfr["sim2"] = raised, paths
    targets = settler_targets(base, settings, default_target)
    responses = {area: settler_response(base, implied, profile, area) for area, _, _ in targets}
    solved = solve_settlers(base, targets, projections["pattern1"], responses)
    for row in solved[solved["settlers_per_period"] < 0].itertuples():
        notes.append(Finding("note", settings.source, None, "settler_target_population",
                             "settlers-not-needed",
                             {"area": row.area, "year": row.target_year,
                              "target": f"{row.target_population:,.0f}",
                              "projected": f"{row.projected_without:,.0f}"}))  # fmt: skip
    chosen = solved[solved["area"] == REGION] if (solved["area"] == REGION).any() else solved
    if not chosen.empty and (chosen["settlers_per_period"] >= 0).all():
        projections["settlers"] = projections["pattern1"] + sum(
            row.settlers_per_period * responses[row.area] for row in chosen.itertuples()
        )
        cwr["settlers"] = implied.cwr
    return Results(base, projections, cwr, tfr, solved, notes)


def with_fertility(
    implied: projection.Schedule, paths: np.ndarray, tfr_bases: list[float]
) -> projection.Schedule:
    """The schedule with CWR(y) × TFR(y) ÷ tfr_base (シミュレーション1's births)."""
    return implied.with_cwr(implied.cwr * paths / np.asarray(tfr_bases, dtype="float64"))


def explore(
    base: Base,
    implied: projection.Schedule,
    profile: np.ndarray,
    survival: np.ndarray | None,
    *,
    tfr_bases: list[float] | None,
    tfr_target: float,
    tfr_target_year: int,
    migration_scale: float,
    settlers_per_year: float,
) -> np.ndarray:
    """One what-if projection (Y, M, 2, A) for the exploration notebook's sliders.

    CWR as in sim1 (when every ``tfr_bases`` is known; else pattern1's), ratios
    S + scale × (R − S) (scale 1 = pattern1's migration, 0 = none; needs the
    survival ratios, else pattern1's ratios), and settlers per year for the 圏域,
    shared by base-year population, by the profile.
    """
    schedule = implied
    if tfr_bases:
        paths = tfr_path(base.years, np.asarray(tfr_bases), tfr_target, tfr_target_year)
        schedule = with_fertility(implied, paths, tfr_bases)
    if survival is not None:
        schedule = schedule.with_ratios(survival + migration_scale * (implied.ratios - survival))
    settlers = settler_array(base, profile, REGION, settlers_per_year * 5)
    return projection.project(base.population[0], schedule, base.lower_bounds, settlers)


def settler_array(base: Base, profile: np.ndarray, area: str, per_period: float) -> np.ndarray:
    """(M, 2, A) settlers of every step: ``per_period`` for ``area``, by the profile.

    For the 圏域 they are shared among the municipalities by their base-year population.
    """
    if area == REGION:
        totals = base.population[0].sum(axis=(1, 2))
        weights = totals / totals.sum()
    else:
        weights = np.array([m == area for m in base.municipalities], dtype="float64")
    settlers: np.ndarray = per_period * weights[:, None, None] * profile[None]
    return settlers


def settler_response(
    base: Base, implied: projection.Schedule, profile: np.ndarray, area: str
) -> np.ndarray:
    """(Y, M, 2, A): what one net settler per period for ``area`` adds to the projection.

    Every step is linear in the population, so settlers add their own projection
    (from an empty start) to パターン1: N settlers per period add N times this.
    """
    empty = np.zeros_like(base.population[0])
    return projection.project(
        empty, implied, base.lower_bounds, settler_array(base, profile, area, 1.0)
    )


def settler_targets(
    base: Base, settings: Settings, default_target: tuple[float, int]
) -> list[tuple[str, float, int]]:
    """(area, target population, year) from the settings (else the plan's 2040 target),
    for target years inside the projection."""
    given = settings.targets()
    if not given:
        target = (REGION, *default_target)
        return [target] if target[2] in base.years[1:] else []
    # check_settings made sure that every given target has a projected year.
    return [(area, population, int(year or 0)) for area, population, year in given]


def solve_settlers(
    base: Base,
    targets: list[tuple[str, float, int]],
    pattern1: np.ndarray,
    responses: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Net settlers per period that bring each target area to its target population.

    The projection is linear in the settlers: the total at the target year is
    T(N) = T(0) + N × (T(1) − T(0)), so N = (target − T(0)) ÷ (T(1) − T(0)), where
    T(0) is パターン1 and T(1) − T(0) is the area's :func:`settler_response`.
    """
    rows = []
    for area, population, year in targets:
        k = base.years.index(year)
        members = (
            slice(None)
            if area == REGION
            else slice(base.municipalities.index(area), base.municipalities.index(area) + 1)
        )
        without = float(pattern1[k, members].sum())
        per_period = (population - without) / float(responses[area][k, members].sum())
        rows.append(
            {
                "area": area,
                "target_year": year,
                "target_population": population,
                "projected_without": without,
                "settlers_per_period": per_period,
                "settlers_per_year": per_period / 5,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["area", "target_year", "target_population", "projected_without",
                 "settlers_per_period", "settlers_per_year"],
    )  # fmt: skip


# ---------------------------------------------------------------- tables


def long_table(results: Results) -> pd.DataFrame:
    """``scenario, municipality, year, sex, age_group, population`` with the 圏域 summed.

    Rows run by scenario, municipality (registry order, 圏域 last), year, sex, age.
    """
    base = results.base
    frames = []
    for scenario, values in results.projections.items():
        region = values.sum(axis=1, keepdims=True)
        both = np.concatenate([values, region], axis=1).transpose(1, 0, 2, 3)
        index = pd.MultiIndex.from_product(
            [[*base.municipalities, REGION], base.years, SEXES, base.groups],
            names=["municipality", "year", "sex", "age_group"],
        )
        frame = pd.DataFrame({"population": both.reshape(-1)}, index=index).reset_index()
        frames.append(frame.assign(scenario=scenario))
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario", "municipality", "year", "sex", "age_group", "population"]]


def indicators(results: Results, long: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per scenario, area and year: broad groups, shares, indices, women 20–39, CWR, TFR.

    Columns (unrounded): ``0-14``, ``15-64``, ``65+``, ``75+``, ``total`` (人);
    ``share_*_pct`` and ``aging_rate_pct`` (%); ``youth_dependency_pct``,
    ``old_age_dependency_pct``, ``dependency_pct``; ``women_20_39`` (人) and
    ``women_20_39_change_pct`` (from the base year); ``cwr`` (children 0–4 per
    woman 15–49); ``tfr`` (assumed, sim1/sim2 only).
    """
    long = long_table(results) if long is None else long
    lower = long["age_group"].map(age_lower)
    bands = {
        "0-14": lower < 15,
        "15-64": (lower >= 15) & (lower < 65),
        "65+": lower >= 65,
        "75+": lower >= 75,
        "women_20_39": (long["sex"] == "female") & (lower >= 20) & (lower < 40),
        "women_15_49": (long["sex"] == "female") & (lower >= 15) & (lower < 50),
        "children_0_4": lower == 0,
    }
    keys = ["scenario", "municipality", "year"]
    wide = pd.DataFrame({name: long["population"].where(mask, 0.0) for name, mask in bands.items()})
    wide[keys] = long[keys]
    wide["total"] = long["population"]
    table = wide.groupby(keys, sort=False).sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        for group in ("0-14", "15-64", "65+", "75+"):
            table[f"share_{group}_pct"] = table[group] / table["total"] * 100
        table["aging_rate_pct"] = table["65+"] / table["total"] * 100
        table["youth_dependency_pct"] = table["0-14"] / table["15-64"] * 100
        table["old_age_dependency_pct"] = table["65+"] / table["15-64"] * 100
        table["dependency_pct"] = (table["0-14"] + table["65+"]) / table["15-64"] * 100
        base_women = table.groupby(["scenario", "municipality"])["women_20_39"].transform("first")
        table["women_20_39_change_pct"] = (table["women_20_39"] / base_women - 1) * 100
        table["cwr"] = table["children_0_4"] / table["women_15_49"]
    base = results.base
    assumed = [
        pd.DataFrame(
            {
                "scenario": scenario,
                "municipality": np.tile(base.municipalities, len(base.years) - 1),
                "year": np.repeat(base.years[1:], len(base.municipalities)),
                "tfr": paths.reshape(-1),
            }
        )
        for scenario, paths in results.tfr.items()
    ]
    if assumed:
        table = table.merge(pd.concat(assumed), on=keys, how="left")
    else:
        table["tfr"] = np.nan
    return table.drop(columns=["women_15_49", "children_0_4"])


def level(values: pd.Series, thresholds: tuple[float, ...]) -> pd.Series:
    """1 below the first threshold, +1 for each threshold reached (the guidance's 5 levels)."""
    counts = sum((values >= t).astype(int) for t in thresholds)
    return (1 + counts).where(values.notna()).astype("Int64")


def influence(table: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """影響度 at ``influence_year``: natural = sim1 ÷ pattern1 × 100, social = sim2 ÷ sim1 × 100."""
    year = settings.year("influence_year")
    totals = table[table["year"] == year].pivot_table(
        index="municipality", columns="scenario", values="total", aggfunc="first", sort=False
    )
    natural = totals["sim1"] / totals["pattern1"] * 100 if "sim1" in totals else np.nan
    social = totals["sim2"] / totals["sim1"] * 100 if {"sim1", "sim2"} <= set(totals) else np.nan
    result = pd.DataFrame(
        {
            "municipality": totals.index,
            "year": year,
            "natural_pct": pd.Series(natural, index=totals.index, dtype="float64").to_numpy(),
            "social_pct": pd.Series(social, index=totals.index, dtype="float64").to_numpy(),
        }
    )
    result["natural_level"] = level(
        result["natural_pct"], settings.thresholds("natural_thresholds")
    )
    result["social_level"] = level(result["social_pct"], settings.thresholds("social_thresholds"))
    columns = ["municipality", "year", "natural_pct", "natural_level", "social_pct", "social_level"]
    return result[columns] if len(totals) else pd.DataFrame(columns=columns)


def decline_stages(table: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """人口減少段階 per scenario, area and year, from the change of 65+ and of 0–64 (%).

    Stage 1: 65+ increasing; stage 2: 65+ down by less than 10%; stage 3: down 10%
    or more (the thresholds are settings). The base year itself has no stage.
    """
    first, second = settings.thresholds("stage_thresholds")[:2]
    keys = ["scenario", "municipality"]
    frame = table[[*keys, "year", "total", "65+"]].assign(young=table["total"] - table["65+"])
    base = frame.groupby(keys)[["65+", "young"]].transform("first")
    with np.errstate(divide="ignore", invalid="ignore"):
        old_change = (frame["65+"] / base["65+"] - 1) * 100
        young_change = (frame["young"] / base["young"] - 1) * 100
    stage = pd.Series(np.select([old_change > first, old_change > second], [1, 2], default=3))
    stage = stage.where(frame["year"].to_numpy() != frame["year"].min()).astype("Int64")
    return pd.DataFrame(
        {
            "scenario": frame["scenario"],
            "municipality": frame["municipality"],
            "year": frame["year"],
            "old_change_pct": old_change,
            "young_change_pct": young_change,
            "stage": stage,
        }
    )


def settlers_table(results: Results) -> pd.DataFrame:
    """``municipality, target_year, target_population, projected_without, surplus_people,
    settlers_per_period, settlers_per_year`` (人).

    A target that パターン1 already reaches needs no settlers: 0, never a negative count
    (which would mean people leaving, not a need); ``surplus_people`` says by how many
    people パターン1 is above the target.
    """
    solved = results.settlers.rename(columns={"area": "municipality"})
    surplus = (solved["projected_without"] - solved["target_population"]).clip(lower=0)
    table = solved.assign(
        surplus_people=surplus,
        settlers_per_period=solved["settlers_per_period"].clip(lower=0),
        settlers_per_year=solved["settlers_per_year"].clip(lower=0),
    )
    return table[["municipality", "target_year", "target_population", "projected_without",
                  "surplus_people", "settlers_per_period", "settlers_per_year"]]  # fmt: skip


def summary_sentence(row: pd.Series) -> str:
    """「2040年に圏域94,000人とするには、5年ごとに約N人（年あたり約N/5人）の転入超過が必要」"""
    per_period, per_year = row["settlers_per_period"], row["settlers_per_year"]
    if row["surplus_people"] > 0 or per_period <= 0:
        return (
            f"{row['target_year']}年の{row['municipality']}は、パターン1の推計で"
            f"{row['projected_without']:,.0f}人と、すでに目標{row['target_population']:,.0f}人を"
            f"{row['surplus_people']:,.0f}人上回るため、転入超過を加える必要はありません。"
        )
    return (
        f"{row['target_year']}年に{row['municipality']}{row['target_population']:,.0f}人とするには、"
        f"5年ごとに約{per_period:,.0f}人（年あたり約{per_year:,.0f}人）の転入超過が必要です。"
    )


# ---------------------------------------------------------------- everything for a report


@dataclass
class Projected:
    """The scenarios of one age × sex edition and every table the report and workbook show."""

    source: str
    """What the base data is (file or edition label), for the report's 出典."""
    results: Results
    settings: Settings
    profile: np.ndarray
    long: pd.DataFrame
    indicators: pd.DataFrame
    influence: pd.DataFrame
    stages: pd.DataFrame
    settlers: pd.DataFrame
    notes: list[Finding]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The processed tables (data/processed/projection*.csv and workbook sheets)."""
        return {
            "projection": self.long,
            "projection_influence": self.influence,
            "projection_settlers": self.settlers,
            "projection_indicators": self.indicators,
            "projection_stages": self.stages,
        }


def build(
    frame: pd.DataFrame,
    groups: tuple[str, ...],
    municipalities: list[str],
    *,
    source: str,
    settings_path: Path,
    profile_path: Path,
    survival_path: Path | None,
    default_target: tuple[float, int],
) -> Projected:
    """Read the settings, profile and survival ratios, run every scenario, derive the tables."""
    base = Base.from_frame(frame, groups, municipalities)
    settings = read_settings(settings_path, municipalities)
    unused = check_settings(settings, base.years, base.municipalities)
    profile = read_profile(profile_path, groups)
    survival = (
        read_survival(survival_path, list(base.municipalities), base.years, groups)
        if survival_path
        else None
    )
    results = run(base, settings, profile, survival, default_target)
    results.notes[:0] = unused
    long = long_table(results)
    table = indicators(results, long)
    return Projected(
        source,
        results,
        settings,
        profile,
        long,
        table,
        influence(table, settings),
        decline_stages(table, settings),
        settlers_table(results),
        results.notes,
    )
