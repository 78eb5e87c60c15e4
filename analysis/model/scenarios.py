"""The national guidance's scenarios from an age × sex edition, the planners' own, and what
planners read off them.

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
  the settler profile and joining before the 0–4 step, with N solved so that the
  target population is reached in the target year (the projection is linear in
  N, so two runs give N exactly);
- any name of a scenario file (:mod:`analysis.inputs.scenario_specs`): the planners'
  将来展望, built from the same primitives as sim1 and sim2 (which are presets of
  them), possibly run past the edition's last year (``extended`` years).

``圏域`` is the sum of the municipalities in every scenario. Counts are 人, rates %.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis.core import precision
from analysis.core.findings import DataError, Finding
from analysis.core.schema import REGION
from analysis.inputs.agesex import AGE_LABELS as AGE_WORDS
from analysis.inputs.agesex import SEXES, age_lower, broad_bands
from analysis.inputs.projection_inputs import SETTINGS, Settings
from analysis.inputs.scenario_inputs import BaseAxes, ScenarioInputs
from analysis.inputs.scenario_specs import (
    PRESET_LABELS,
    SETTLERS_PER_YEAR_RANGE,
    Assumption,
    ScenarioSpec,
    presets,
)
from analysis.model import projection

__all__ = ["SETTINGS", "Settings"]

SCENARIOS = ("pattern1", "sim1", "sim2", "settlers")
SCENARIO_LABELS = PRESET_LABELS

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

    @property
    def axes(self) -> tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...]]:
        """(municipalities, years, groups), as :class:`BaseAxes` names them."""
        return self.municipalities, self.years, self.groups

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, groups: tuple[str, ...], municipalities: list[str]
    ) -> Base:
        axes = BaseAxes.of(frame, groups, municipalities)
        present, years = axes.municipalities, axes.years
        index = pd.MultiIndex.from_product([years, present, SEXES, groups])
        values = (
            frame.set_index(["year", "municipality", "sex", "age_group"])["population"]
            .reindex(index)
            .to_numpy(dtype="float64")
        )
        shape = (len(years), len(present), 2, len(groups))
        return cls(present, groups, years, values.reshape(shape))


@dataclass
class Results:
    """Every scenario's (Y, M, 2, A) projection, and what was skipped or solved."""

    base: Base
    projections: dict[str, np.ndarray]
    cwr: dict[str, np.ndarray]
    """Per scenario, (K, M) child–woman ratio of each step."""
    tfr: dict[str, np.ndarray]
    """Per scenario, (K, M) TFR assumed at the end of each step (scenarios that set it)."""
    settlers: pd.DataFrame
    notes: list[Finding] = field(default_factory=list)
    years: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Per scenario, its years (past the edition's last one when it has a horizon)."""
    specs: dict[str, ScenarioSpec] = field(default_factory=dict)
    """The assumptions of every scenario computed (presets included)."""
    settlers_per_period: dict[str, np.ndarray] = field(default_factory=dict)
    """Per scenario with settlers, (K,) 圏域 net settlers of each step (人)."""

    def years_of(self, scenario: str) -> tuple[int, ...]:
        return self.years.get(scenario, self.base.years)

    def label(self, scenario: str) -> str:
        spec = self.specs.get(scenario)
        return spec.label if spec else SCENARIO_LABELS.get(scenario, scenario)


@dataclass(frozen=True)
class Run:
    """One scenario's projection and what drove it."""

    years: tuple[int, ...]
    population: np.ndarray
    """(Y, M, 2, A) 人."""
    schedule: projection.Schedule
    tfr: np.ndarray | None
    """(K, M) assumed TFR, or None when the scenario keeps パターン1's births."""
    settlers_per_period: np.ndarray | None
    """(K,) 圏域 net settlers of each step (人), or None."""
    notes: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Conventions:
    """The conventions that move a published level (settings, see
    :mod:`analysis.inputs.projection_inputs`); the defaults are the guidance's worksheet."""

    cwr_scaling: str = "period"
    assumptions_from: int | None = None
    settler_timing: str = "start"
    zero_migration_children: str = "keep"

    @classmethod
    def of(cls, settings: Settings) -> Conventions:
        return cls(
            str(settings.get("cwr_scaling")),
            settings.year("assumptions_from"),
            str(settings.get("settler_timing")),
            str(settings.get("zero_migration_children")),
        )

    @property
    def settler_birth_weight(self) -> float:
        return 0.5 if self.settler_timing == "half" else 1.0

    def active(self, starts: tuple[int, ...] | list[int]) -> np.ndarray:
        """(K,) True for the steps an assumption applies to (from ``assumptions_from``)."""
        return np.asarray(starts) >= (self.assumptions_from or starts[0])


def tfr_path(
    years: tuple[int, ...],
    bases: np.ndarray,
    waypoints: list[tuple[int, float]],
    start: int | None = None,
) -> np.ndarray:
    """(K, M) TFR at the end of each step: ``bases`` until ``start`` (the first year, unless
    assumptions start later), then linear from (start, ``bases``) through the waypoints
    (year, TFR), then flat at the last one."""
    ahead = np.asarray(years[1:], dtype="float64")[:, None]
    bases = np.asarray(bases, dtype="float64")[None, :]
    (first_year, first_value), first = waypoints[0], float(start or years[0])
    if first_year <= first:  # the first waypoint is reached before assumptions start
        first = float(years[0])
    rising = bases + (first_value - bases) * (np.maximum(ahead - first, 0) / (first_year - first))
    later = np.interp(ahead, [y for y, _ in waypoints], [v for _, v in waypoints])
    path: np.ndarray = np.where(ahead <= first_year, rising, later)
    return path


def base_cwr(base: Base) -> np.ndarray:
    """(M,) the base year's observed child–woman ratio (0–4 per woman 15–49)."""
    first = base.population[0]
    women = first[:, projection.FEMALE, projection.childbearing_slice(base.lower_bounds)].sum(-1)
    children = first[:, :, 0].sum(axis=-1)
    ratio: np.ndarray = np.divide(children, women, out=np.zeros_like(children), where=women > 0)
    return ratio


def scenario_years(base: Base, spec: ScenarioSpec) -> tuple[int, ...]:
    """The edition's years, then every 5 years to the scenario's horizon."""
    last = base.years[-1]
    return base.years + tuple(range(last + 5, (spec.horizon or last) + 1, 5))


def _from_period(starts: tuple[int, ...], rows: list[Assumption], default: float) -> np.ndarray:
    """(K,) the value of the last row whose year is at or before each step's first year."""
    values = np.full(len(starts), default)
    for row in rows:  # in year order (checked when read)
        values[np.asarray(starts) >= (row.year or 0)] = row.value
    return values


def run_spec(
    base: Base,
    implied: projection.Schedule,
    spec: ScenarioSpec,
    tfr_bases: list[float | None],
    profile: np.ndarray,
    survival: np.ndarray | None,
    conventions: Conventions = Conventions(),
) -> Run:
    """One scenario from its assumptions (checked by
    :func:`analysis.inputs.scenario_specs.check_scenarios` first), with the
    ``conventions`` in force (the settings')."""
    years = scenario_years(base, spec)
    extra = len(years) - len(base.years)
    active = conventions.active(years[:-1])
    schedule, tfr = _with_fertility(
        base, projection.extended(implied, extra), spec, years, tfr_bases, conventions, active
    )
    schedule = _with_migration(base, schedule, spec, years, survival, conventions, active)
    population, per_period, notes = _projected(base, schedule, spec, years, profile, conventions)
    has_settlers = bool(spec.of("settlers_target") or spec.of("settlers_per_year"))
    return Run(years, population, schedule, tfr, per_period if has_settlers else None, tuple(notes))


def _with_fertility(
    base: Base,
    schedule: projection.Schedule,
    spec: ScenarioSpec,
    years: tuple[int, ...],
    tfr_bases: list[float | None],
    conventions: Conventions,
    active: np.ndarray,
) -> tuple[projection.Schedule, np.ndarray | None]:
    """The schedule with the child–woman ratios the scenario's TFR path implies in the
    ``active`` steps, and that (K, M) path; the schedule as it is when it sets no TFR."""
    if not spec.of("tfr"):
        return schedule, None
    bases = np.asarray(tfr_bases, dtype="float64")
    tfr = tfr_path(
        years,
        bases,
        [(a.year or 0, a.value) for a in spec.of("tfr")],
        conventions.assumptions_from,
    )
    level = base_cwr(base)[None, :] if conventions.cwr_scaling == "base" else schedule.cwr
    scaled = np.where(active[:, None], level * tfr / bases, schedule.cwr)
    return schedule.with_cwr(scaled), tfr


def _with_migration(
    base: Base,
    schedule: projection.Schedule,
    spec: ScenarioSpec,
    years: tuple[int, ...],
    survival: np.ndarray | None,
    conventions: Conventions,
    active: np.ndarray,
) -> projection.Schedule:
    """The schedule with net migration scaled by the scenario's multiples in the ``active``
    steps (between the survival ratios without migration and the implied ones)."""
    scale = np.where(active, _from_period(years[:-1], spec.of("migration"), 1.0), 1.0)
    if not (scale != 1).any():
        return schedule
    if survival is None:  # check_scenarios refuses such a scenario first
        raise ValueError(f"scenario {spec.name!r} scales migration without survival ratios")
    extra = len(years) - len(base.years)
    held = np.concatenate([survival, np.repeat(survival[-1:], extra, axis=0)])
    k = scale[:, None, None, None]
    ratios = np.where(k == 1, schedule.ratios, held + k * (schedule.ratios - held))
    ratios[..., 0] = 0.0  # unused (the 0–4 group is born, not carried)
    _refuse_negative(base, spec, years, ratios, scale)
    if conventions.zero_migration_children == "close":
        schedule = schedule.with_cwr(schedule.cwr * _child_migration_factor(schedule, ratios))
    return schedule.with_ratios(ratios)


def _projected(
    base: Base,
    schedule: projection.Schedule,
    spec: ScenarioSpec,
    years: tuple[int, ...],
    profile: np.ndarray,
    conventions: Conventions,
) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """The (Y, M, 2, A) projection with the scenario's net settlers (typed per year, or solved
    for its target population), the settlers of each step (people per period), the notes."""
    if spec.of("settlers_target"):
        return _projected_to_target(base, schedule, spec, years, profile, conventions)
    start = base.population[0]
    active = conventions.active(years[:-1])
    per_period = 5 * _from_period(years[:-1], spec.of("settlers_per_year"), 0.0) * active
    if per_period.any():
        unit = settler_array(base, profile, REGION, 1.0)
        settlers = per_period[:, None, None, None] * unit[None]
        weight = conventions.settler_birth_weight
        population = projection.project(start, schedule, base.lower_bounds, settlers, weight)
        return population, per_period, []
    return projection.project(start, schedule, base.lower_bounds), per_period, []


def _projected_to_target(
    base: Base,
    schedule: projection.Schedule,
    spec: ScenarioSpec,
    years: tuple[int, ...],
    profile: np.ndarray,
    conventions: Conventions,
) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """The projection with the net settlers (people per period, the same in every active
    step) that reach the scenario's target population; a note when none are needed."""
    target = spec.of("settlers_target")[0]
    without = projection.project(base.population[0], schedule, base.lower_bounds)
    response = settler_response(base, schedule, profile, REGION, conventions)
    solved = solve_settlers(
        base, [(REGION, target.value, target.year or 0)], without, {REGION: response}, years
    ).iloc[0]
    reached, needed = float(solved["projected_without"]), float(solved["settlers_per_period"])
    notes: list[Finding] = []
    if needed <= 0:
        notes.append(_target_reached(spec, target, reached))
        needed = 0.0
    notes += implausible_settlers(
        spec.label, target.value, target.year or 0, needed / 5, target.where
    )
    per_period = np.full(len(years) - 1, needed) * conventions.active(years[:-1])
    return without + needed * response, per_period, notes


def _target_reached(spec: ScenarioSpec, target: Assumption, reached: float) -> Finding:
    """The note of a target population reached without settlers (``reached`` people)."""
    file, line, cell = target.where
    return Finding(
        severity="note",
        file=file,
        line=line,
        column="value",
        check="scenario-target-reached",
        params={
            "scenario": spec.label or spec.name,
            "target": f"{target.value:,.0f}",
            "year": target.year,
            "projected": f"{reached:,.0f}",
            "surplus": f"{reached - target.value:,.0f}",
        },
        cell=cell,
    )


def implausible_settlers(
    label: str, target: float, year: int, per_year: float, where: tuple[str, int | None, str]
) -> list[Finding]:
    """A warning when a target population needs more net settlers a year than may be typed
    (:data:`SETTLERS_PER_YEAR_RANGE`): the same range whether typed or solved."""
    low, high = SETTLERS_PER_YEAR_RANGE
    if per_year <= high:
        return []
    file, line, cell = where
    return [
        Finding(
            severity="warning",
            file=file,
            line=line,
            column="value",
            check="settlers-implausible",
            params={
                "scenario": label,
                "target": f"{target:,.0f}",
                "year": year,
                "per_year": f"{per_year:,.0f}",
                "low": f"{low:,.0f}",
                "high": f"{high:,.0f}",
            },
            cell=cell,
        )
    ]


def _child_migration_factor(schedule: projection.Schedule, ratios: np.ndarray) -> np.ndarray:
    """(K, M): how a migration assumption changes the 0–4 → 5–9 cohort's ratio (both sexes),
    applied to the child–woman ratio to change children's migration alike
    (``zero_migration_children`` = ``close``)."""
    before, after = schedule.ratios[..., 1].sum(axis=-1), ratios[..., 1].sum(axis=-1)
    factor: np.ndarray = np.divide(after, before, out=np.ones_like(after), where=before > 0)
    return factor


def _refuse_negative(
    base: Base, spec: ScenarioSpec, years: tuple[int, ...], ratios: np.ndarray, scale: np.ndarray
) -> None:
    """A multiple of net migration that would make a cohort negative is a one-line error."""
    negative = ratios[..., 1:] < 0
    if not negative.any():
        return
    k, m, s, a = (int(i) for i in np.argwhere(negative)[0])
    row = [r for r in spec.of("migration") if (r.year or 0) <= years[k]][-1]
    file, line, cell = row.where
    what = (
        f"{base.municipalities[m]} {'男女'[s]} {base.groups[a + 1]}（{years[k]}→{years[k + 1]}年）"
    )
    raise DataError(
        [
            Finding(
                severity="error",
                file=file,
                line=line,
                column="value",
                check="scenario-negative-ratio",
                params={"scenario": spec.name, "value": f"{scale[k]:g}", "what": what},
                cell=cell,
            )
        ]
    )


def run(
    base: Base,
    settings: Settings,
    profile: np.ndarray,
    survival: np.ndarray | None,
    default_target: tuple[float, int],
    specs: list[ScenarioSpec] | None = None,
) -> Results:
    """The guidance's scenarios the inputs allow (a skipped one gets a one-line note saying
    why), then every scenario of ``specs`` (already checked by
    :func:`analysis.inputs.scenario_specs.check_scenarios`)."""
    conventions = Conventions.of(settings)
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    tfr_bases = [settings.number("tfr_base", m) for m in base.municipalities]
    wanted, notes = _allowed_presets(base, settings, survival, tfr_bases)
    results = Results(base, {}, {}, {}, pd.DataFrame(), notes)
    for spec in wanted:
        _record(
            results, spec, run_spec(base, implied, spec, tfr_bases, profile, survival, conventions)
        )
    targets = settler_targets(base, settings, default_target)
    responses = {
        area: settler_response(base, implied, profile, area, conventions) for area, _, _ in targets
    }
    solved = solve_settlers(base, targets, results.projections["pattern1"], responses)
    notes += _settler_notes(settings, solved)
    _record_settlers(results, implied, solved, responses)
    results.settlers = solved
    for spec in specs or []:
        _record(
            results, spec, run_spec(base, implied, spec, tfr_bases, profile, survival, conventions)
        )
    return results


def _allowed_presets(
    base: Base, settings: Settings, survival: np.ndarray | None, tfr_bases: list[float | None]
) -> tuple[list[ScenarioSpec], list[Finding]]:
    """The guidance's scenarios the inputs allow, and a note for those left out: fertility
    scenarios need every municipality's ``tfr_base``, シミュレーション2 the survival ratios."""
    notes: list[Finding] = []
    wanted = presets(settings, base.years[0])
    if any(t is None for t in tfr_bases):
        missing = [m for m, t in zip(base.municipalities, tfr_bases, strict=True) if t is None]
        notes.append(
            Finding(
                severity="note",
                file=settings.source,
                line=None,
                column="tfr_base",
                check="sim-skipped-tfr",
                params={"municipalities": "、".join(missing)},
            )
        )
        wanted = wanted[:1]
    elif survival is None:
        notes.append(Finding(severity="note", file="", line=None, column="-", check="sim2-skipped"))
        wanted = wanted[:2]
    return wanted, notes


def _settler_notes(settings: Settings, solved: pd.DataFrame) -> list[Finding]:
    """Notes on the settler targets already reached without settlers, and warnings on those
    that need an implausible number of settlers a year."""
    notes = []
    for row in solved[solved["settlers_per_period"] < 0].itertuples():
        notes.append(
            Finding(
                severity="note",
                file=settings.source,
                line=None,
                column="settler_target_population",
                check="settlers-not-needed",
                params={
                    "area": row.area,
                    "year": row.target_year,
                    "target": f"{row.target_population:,.0f}",
                    "projected": f"{row.projected_without:,.0f}",
                },
            )
        )
    for row in solved.itertuples():
        notes += implausible_settlers(
            f"{SCENARIO_LABELS['settlers']}（{row.area}）",
            row.target_population,
            row.target_year,
            row.settlers_per_year,
            settings.where("settler_target_population", row.area),
        )
    return notes


def _record_settlers(
    results: Results,
    implied: projection.Schedule,
    solved: pd.DataFrame,
    responses: dict[str, np.ndarray],
) -> None:
    """Record the settlers scenario (パターン1 plus the solved settlers of the region, or of
    each municipality) when every target needs settlers."""
    chosen = solved[solved["area"] == REGION] if (solved["area"] == REGION).any() else solved
    if chosen.empty or not (chosen["settlers_per_period"] >= 0).all():
        return
    results.projections["settlers"] = results.projections["pattern1"] + sum(
        row.settlers_per_period * responses[row.area] for row in chosen.itertuples()
    )
    results.cwr["settlers"] = implied.cwr
    results.specs["settlers"] = ScenarioSpec("settlers", SCENARIO_LABELS["settlers"], (), True)
    if len(chosen) == 1 and chosen["area"].iloc[0] == REGION:
        results.settlers_per_period["settlers"] = np.full(
            len(results.base.years) - 1, float(chosen["settlers_per_period"].iloc[0])
        )


def _record(results: Results, spec: ScenarioSpec, run: Run) -> None:
    results.projections[spec.name] = run.population
    results.cwr[spec.name] = run.schedule.cwr
    results.years[spec.name] = run.years
    results.specs[spec.name] = spec
    if run.tfr is not None:
        results.tfr[spec.name] = run.tfr
    if run.settlers_per_period is not None:
        results.settlers_per_period[spec.name] = run.settlers_per_period
    results.notes.extend(run.notes)


def explore(
    base: Base,
    implied: projection.Schedule,
    spec: ScenarioSpec,
    tfr_bases: list[float] | None,
    profile: np.ndarray,
    survival: np.ndarray | None,
    conventions: Conventions = Conventions(),
) -> tuple[tuple[int, ...], np.ndarray]:
    """One what-if projection (years, (Y, M, 2, A)) for the exploration notebook: the
    scenario's assumptions with the run's ``conventions``, leaving out what the inputs cannot
    serve (fertility without every ``tfr_bases``, a migration multiple without survival
    ratios; the notebook disables those sliders and writes no such row)."""
    usable = tuple(
        a
        for a in spec.assumptions
        if not (a.kind == "tfr" and not tfr_bases)
        and not (a.kind == "migration" and survival is None)
    )
    result = run_spec(
        base,
        implied,
        replace(spec, assumptions=usable),
        list(tfr_bases or []),
        profile,
        survival,
        conventions,
    )
    return result.years, result.population


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
    base: Base,
    schedule: projection.Schedule,
    profile: np.ndarray,
    area: str,
    conventions: Conventions = Conventions(),
) -> np.ndarray:
    """(Y, M, 2, A): what one net settler per period for ``area`` adds to a projection
    with ``schedule`` (パターン1's, or a scenario's), from ``assumptions_from`` on.

    Every step is linear in the population, so settlers add their own projection
    (from an empty start) to パターン1: N settlers per period add N times this.
    """
    empty = np.zeros_like(base.population[0])
    steps = schedule.cwr.shape[0]
    starts = [base.years[0] + 5 * k for k in range(steps)]
    unit = settler_array(base, profile, area, 1.0)
    settlers = conventions.active(starts)[:, None, None, None] * unit[None]
    return projection.project(
        empty, schedule, base.lower_bounds, settlers, conventions.settler_birth_weight
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
    without_settlers: np.ndarray,
    responses: dict[str, np.ndarray],
    years: tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """Net settlers per period that bring each target area to its target population.

    The projection is linear in the settlers: the total at the target year is
    T(N) = T(0) + N × (T(1) − T(0)), so N = (target − T(0)) ÷ (T(1) − T(0)), where
    T(0) is the projection without settlers (パターン1, or a scenario's) and
    T(1) − T(0) the area's :func:`settler_response`. ``years`` are the projection's
    (the edition's unless it runs past them).
    """
    rows = []
    for area, population, year in targets:
        k = (years or base.years).index(year)
        members = (
            slice(None)
            if area == REGION
            else slice(base.municipalities.index(area), base.municipalities.index(area) + 1)
        )
        without = float(without_settlers[k, members].sum())
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
        columns=[
            "area",
            "target_year",
            "target_population",
            "projected_without",
            "settlers_per_period",
            "settlers_per_year",
        ],
    )


# ---------------------------------------------------------------- tables


def long_table(results: Results) -> pd.DataFrame:
    """``scenario, municipality, year, sex, age_group, population, extended`` with the 圏域 summed.

    Rows run by scenario, municipality (registry order, 圏域 last), year, sex, age.
    ``extended`` marks the years past the edition's last one (延長: its last period's
    ratios held).
    """
    base = results.base
    areas = np.array([*base.municipalities, REGION], dtype=object)
    sexes, groups = np.array(SEXES, dtype=object), np.array(base.groups, dtype=object)
    cells = len(SEXES) * len(base.groups)
    # One set of columns for all scenarios (built per scenario, the frame took per-scenario
    # index work: 200 scenarios cost 40 times 6, not 33).
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in ("scenario", "municipality", "year", "population")
    }
    for scenario, values in results.projections.items():
        years = np.asarray(results.years_of(scenario))
        region = values.sum(axis=1, keepdims=True)
        both = np.concatenate([values, region], axis=1).transpose(1, 0, 2, 3).reshape(-1)
        columns["population"].append(both)
        columns["scenario"].append(np.full(len(both), scenario, dtype=object))
        columns["municipality"].append(np.repeat(areas, len(years) * cells))
        columns["year"].append(np.tile(np.repeat(years, cells), len(areas)))
    count = sum(len(p) for p in columns["population"])
    table = pd.DataFrame(
        {
            "scenario": np.concatenate(columns["scenario"]),
            "municipality": np.concatenate(columns["municipality"]),
            "year": np.concatenate(columns["year"]).astype("int64"),
            "sex": np.tile(np.repeat(sexes, len(groups)), count // cells),
            "age_group": np.tile(groups, count // len(groups)),
            "population": np.concatenate(columns["population"]),
        }
    )
    table["extended"] = table["year"] > base.years[-1]
    return table


COUNTS = ("0-14", "15-64", "65+", "75+", "women_20_39", "women_15_49", "children_0_4")
"""The people counted by :func:`indicators` (人)."""


def whole_people(table: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole people, the way :func:`vision_table` writes a scenario as a vision:
    each municipality's counts rounded, ``total`` the sum of its three rounded groups and the
    圏域 the sum of its rounded municipalities, so a scenario made the vision shows the same
    integers in every report, and every sum a reader checks holds. Rates are computed after."""
    counts = [c for c in COUNTS if c in table]
    members = table["municipality"] != REGION
    table.loc[members, counts] = np.rint(table.loc[members, counts].to_numpy(dtype="float64"))
    keys = ["scenario", "year"]
    sums = table[members].groupby(keys, sort=False)[counts].sum()
    region = table.loc[~members, keys]
    table.loc[~members, counts] = sums.reindex(pd.MultiIndex.from_frame(region)).to_numpy()
    table["total"] = table["0-14"] + table["15-64"] + table["65+"]
    return table


def whole_people_totals(population: np.ndarray, lower_bounds: np.ndarray) -> np.ndarray:
    """Totals (人) by year and area, municipalities then the 圏域, as :func:`whole_people`
    makes them: each municipality's three broad groups rounded and summed, the 圏域 the sum
    of its municipalities. ``population`` is (year, municipality, sex, age group)."""
    values = population.sum(axis=2)
    groups = broad_bands(lower_bounds)
    totals = sum(np.rint(values[..., mask].sum(axis=-1)) for mask in groups.values())
    totals = np.asarray(totals, dtype="float64")
    return np.concatenate([totals, totals.sum(axis=1, keepdims=True)], axis=1)


def indicators(results: Results, long: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per scenario, area and year: broad groups, shares, indices, women 20–39, CWR, TFR.

    Columns: ``0-14``, ``15-64``, ``65+``, ``75+``, ``total`` (whole people, :func:`whole_people`);
    ``share_*_pct`` and ``aging_rate_pct`` (%); ``youth_dependency_pct``,
    ``old_age_dependency_pct``, ``dependency_pct``; ``women_20_39`` (人) and
    ``women_20_39_change_pct`` (from the base year); ``cwr`` (children 0–4 per
    woman 15–49); ``tfr`` (assumed, sim1/sim2 only).
    """
    long = long_table(results) if long is None else long
    lower = long["age_group"].map({g: age_lower(g) for g in results.base.groups})
    bands = {
        **broad_bands(lower, include_75=True),
        "women_20_39": (long["sex"] == "female") & (lower >= 20) & (lower < 40),
        "women_15_49": (long["sex"] == "female") & (lower >= 15) & (lower < 50),
        "children_0_4": lower == 0,
    }
    keys = ["scenario", "municipality", "year"]
    wide = pd.DataFrame({name: long["population"].where(mask, 0.0) for name, mask in bands.items()})
    wide[keys] = long[keys]
    wide["total"] = long["population"]
    table = whole_people(wide.groupby(keys, sort=False).sum().reset_index())
    table["extended"] = table["year"] > results.base.years[-1]
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
                "municipality": np.tile(base.municipalities, len(results.years_of(scenario)) - 1),
                "year": np.repeat(results.years_of(scenario)[1:], len(base.municipalities)),
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


def influence_year(settings: Settings, years: tuple[int, ...]) -> int:
    """The year whose 影響度 the report states: ``influence_year`` when set, else the
    edition's last projected year (the guidance compares the simulations at the end of
    the projection; for the 令和5年推計 that is 2050)."""
    return settings.year("influence_year") or years[-1]


def influence(table: pd.DataFrame, settings: Settings, years: tuple[int, ...]) -> pd.DataFrame:
    """影響度 for every projected year of the edition (%): natural = sim1 ÷ pattern1 × 100,
    social = sim2 ÷ sim1 × 100, with the guidance's levels; ``chosen`` marks the year the
    report states (:func:`influence_year`)."""
    columns = [
        "municipality",
        "year",
        "natural_pct",
        "natural_level",
        "social_pct",
        "social_level",
        "chosen",
    ]
    rows = table[
        table["scenario"].isin(["pattern1", "sim1", "sim2"]) & table["year"].isin(years[1:])
    ]
    totals = rows.pivot_table(
        index=["municipality", "year"],
        columns="scenario",
        values="total",
        aggfunc="first",
        sort=False,
    )
    if "sim1" not in totals or totals.empty:
        return pd.DataFrame(columns=columns)
    social = totals["sim2"] / totals["sim1"] * 100 if "sim2" in totals else np.nan
    result = pd.DataFrame(
        {
            "natural_pct": totals["sim1"] / totals["pattern1"] * 100,
            "social_pct": pd.Series(social, index=totals.index, dtype="float64"),
        }
    ).reset_index()
    result["natural_level"] = level(
        result["natural_pct"], settings.thresholds("natural_thresholds")
    )
    result["social_level"] = level(result["social_pct"], settings.thresholds("social_thresholds"))
    result["chosen"] = result["year"] == influence_year(settings, years)
    return result[columns]


def influence_sentence(row: pd.Series, settings: Settings) -> str:
    """The 影響度 of one area and year in words a council member can follow (the fertility
    assumed is シミュレーション1's, from the settings)."""
    tfr_target = float(settings.number("tfr_target") or 0)  # a default exists
    tfr_target_year = int(settings.year("tfr_target_year") or 0)
    natural = row["natural_pct"] - 100
    sentence = (
        f"合計特殊出生率が{tfr_target_year}年に{tfr_target:g}まで上がると、{row['year']}年の"
        f"{row['municipality']}の人口はパターン1より{precision.text(abs(natural), 'percent')}"
        f"{'多く' if natural >= 0 else '少なく'}なります（自然増減の影響度 段階{row['natural_level']}）。"
    )
    if pd.notna(row["social_pct"]):
        social = row["social_pct"] - 100
        sentence += (
            f"さらに転入と転出が均衡すると（移動ゼロ）、{precision.text(abs(social), 'percent')}"
            f"{'多く' if social >= 0 else '少なく'}なります（社会増減の影響度 段階{row['social_level']}）。"
        )
    return sentence


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
    return table[
        [
            "municipality",
            "target_year",
            "target_population",
            "projected_without",
            "surplus_people",
            "settlers_per_period",
            "settlers_per_year",
        ]
    ]


def settler_details(base: Base, profile: np.ndarray) -> str:
    """Who the settlers are assumed to be and how the 圏域's are shared, in words."""
    ages = [
        f"{'男' if s == 0 else '女'}{AGE_WORDS.get(base.groups[a], base.groups[a])} {precision.text(profile[s, a] * 100, 'percent')}"
        for s in range(2)
        for a in range(len(base.groups))
        if profile[s, a] > 0
    ]
    totals = base.population[0].sum(axis=(1, 2))
    shares = "、".join(
        f"{m} {precision.text(t / totals.sum() * 100, 'percent')}"
        for m, t in zip(base.municipalities, totals, strict=True)
    )
    return (
        f"転入超過の男女・年齢構成は設定の仮定（{'、'.join(ages)}）で、圏域の転入超過は"
        f"基準年（{base.years[0]}年）の人口の比で市町に分けます（{shares}）。"
    )


def summary_sentence(row: pd.Series) -> str:
    """「2040年に圏域94,000人とするには、パターン1の純移動に加えて、5年ごとに約N人
    （年あたり約N/5人）の転入超過が必要」"""
    per_period, per_year = row["settlers_per_period"], row["settlers_per_year"]
    if row["surplus_people"] > 0 or per_period <= 0:
        return (
            f"{row['target_year']}年の{row['municipality']}は、パターン1の推計で"
            f"{row['projected_without']:,.0f}人と、すでに目標{row['target_population']:,.0f}人を"
            f"{row['surplus_people']:,.0f}人上回るため、転入超過を加える必要はありません。"
        )
    return (
        f"{row['target_year']}年に{row['municipality']}{row['target_population']:,.0f}人とするには、"
        f"パターン1の純移動（社人研の推計が見込む転出入）に加えて、"
        f"5年ごとに約{per_period:,.0f}人（年あたり約{per_year:,.0f}人）の転入超過が必要です。"
    )


# ---------------------------------------------------------------- a scenario in words and as tables


def describe(spec: ScenarioSpec, settlers_per_period: np.ndarray | None = None) -> dict[str, str]:
    """A scenario's assumptions in words: fertility, migration, settlers, horizon."""
    tfr = spec.of("tfr")
    fertility = (
        "基準年の値から"
        + "→".join(f"{a.year}年{precision.number(a.value, 'tfr')}" for a in tfr)
        + "（直線で変化し、その後は一定）"
        if tfr
        else "パターン1と同じ"
    )
    migration_rows = spec.of("migration")
    migration = (
        "、".join(f"{a.year}年から{_migration_words(a.value)}" for a in migration_rows)
        if migration_rows
        else "パターン1と同じ"
    )
    if spec.of("settlers_target"):
        target = spec.of("settlers_target")[0]
        per_year = (
            "" if settlers_per_period is None else f"年あたり約{settlers_per_period[0] / 5:,.0f}人"
        )
        settlers = f"{target.year}年に圏域{target.value:,.0f}人とする転入超過（{per_year}）"
    elif spec.of("settlers_per_year"):
        settlers = "、".join(
            f"{a.year}年から年{a.value:,.0f}人" for a in spec.of("settlers_per_year")
        )
    elif spec.name == "settlers" and settlers_per_period is not None:
        settlers = f"目標人口に必要な転入超過（年あたり約{settlers_per_period[0] / 5:,.0f}人）"
    else:
        settlers = "なし"
    return {"fertility": fertility, "migration": migration, "settlers": settlers}


def _migration_words(scale: float) -> str:
    if scale == 0:
        return "転入と転出が均衡（純移動ゼロ）"
    if scale == 1:
        return "パターン1と同じ純移動"
    return f"パターン1の純移動の{scale:g}倍"


def assumptions_table(results: Results) -> pd.DataFrame:
    """``scenario, label, assumption, year, value``: every scenario's assumptions as rows
    (the scenario file's layout, presets included), for the workbook and the report."""
    rows = [
        {
            "scenario": name,
            "label": spec.label,
            "assumption": a.kind,
            "year": a.year,
            "value": a.value,
        }
        for name, spec in results.specs.items()
        for a in spec.assumptions
    ]
    table = pd.DataFrame(rows, columns=["scenario", "label", "assumption", "year", "value"])
    return table.astype({"year": "Int64", "value": "float64"})


def vision_table(results: Results, scenario: str) -> pd.DataFrame:
    """A scenario as a three-group vision edition (``municipality,year,age_group,population``),
    the layout ``--vision`` and ``editions.csv`` read.

    Whole people, as a published vision: each municipality's three groups rounded,
    ``total`` their sum, the 圏域 the sum of the municipalities (so every sum the
    reader checks holds exactly).
    """
    base = results.base
    values = results.projections[scenario].sum(axis=2)  # (Y, M, A) both sexes
    groups = broad_bands(base.lower_bounds)
    broad = np.stack([values[..., mask].sum(axis=-1) for mask in groups.values()], axis=-1)
    rounded = np.rint(broad)
    with_total = np.concatenate([rounded, rounded.sum(axis=-1, keepdims=True)], axis=-1)
    with_region = np.concatenate([with_total, with_total.sum(axis=1, keepdims=True)], axis=1)
    index = pd.MultiIndex.from_product(
        [results.years_of(scenario), [*base.municipalities, REGION], [*groups, "total"]],
        names=["year", "municipality", "age_group"],
    )
    frame = pd.DataFrame({"population": with_region.reshape(-1).astype("int64")}, index=index)
    table = frame.reset_index()[["municipality", "year", "age_group", "population"]]
    order = {m: i for i, m in enumerate([*base.municipalities, REGION])}
    return table.sort_values(
        ["municipality", "year"],
        key=lambda c: c.map(order) if c.name == "municipality" else c,
        kind="stable",
    ).reset_index(drop=True)


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
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    own: tuple[str, ...] = ()
    """The scenarios of the planners' scenario file (将来展望), in file order."""
    printed_totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The base data's printed 総数 (with 年齢不詳) by municipality, year and sex, if any."""
    other_cwr_influence: pd.DataFrame = field(default_factory=pd.DataFrame)
    """自然増減の影響度 (%, level) of every area and projected year under the other
    ``cwr_scaling`` than the one in force (empty without シミュレーション1)."""
    survival: np.ndarray | None = None
    """(K, M, 2, A) survival ratios without migration the run was given (None: none), for
    the exploration notebook's migration multiples."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """The processed tables (data/processed/projection*.csv and workbook sheets)."""
        return {
            "projection": self.long,
            "projection_influence": self.influence,
            "projection_settlers": self.settlers,
            "projection_indicators": self.indicators,
            "projection_stages": self.stages,
            "projection_assumptions": self.assumptions,
        }


def build(
    frame: pd.DataFrame,
    groups: tuple[str, ...],
    municipalities: list[str],
    *,
    source: str,
    inputs: ScenarioInputs,
    default_target: tuple[float, int],
) -> Projected:
    """Run every scenario from the counts and the ``inputs`` read and checked against them
    (:func:`analysis.inputs.scenario_inputs.read`), derive the tables."""
    base = Base.from_frame(frame, groups, municipalities)
    given = inputs.axes
    if base.axes != (given.municipalities, given.years, given.groups):
        raise ValueError("the scenario inputs were checked against other base data")
    settings, profile, survival = inputs.settings, inputs.profile, inputs.survival
    specs = list(inputs.specs)
    results = run(base, settings, profile, survival, default_target, specs)
    results.notes[:0] = inputs.notes
    long = long_table(results)
    table = indicators(results, long)
    other = _other_cwr_influence(results, settings, profile, survival)
    return Projected(
        source,
        results,
        settings,
        profile,
        long,
        table,
        influence(table, settings, base.years),
        decline_stages(table, settings),
        settlers_table(results),
        results.notes,
        assumptions_table(results),
        tuple(s.name for s in specs),
        other_cwr_influence=other,
        survival=survival,
    )


def _other_cwr_influence(
    results: Results, settings: Settings, profile: np.ndarray, survival: np.ndarray | None
) -> pd.DataFrame:
    """自然増減の影響度 under the ``cwr_scaling`` not in force: シミュレーション1 again with the
    other convention, against the same パターン1 (for 算出方法, when the level differs)."""
    columns = ["municipality", "year", "natural_pct", "natural_level"]
    if "sim1" not in results.projections:
        return pd.DataFrame(columns=columns)
    base = results.base
    conventions = Conventions.of(settings)
    other = replace(
        conventions, cwr_scaling="base" if conventions.cwr_scaling == "period" else "period"
    )
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    tfr_bases = [settings.number("tfr_base", m) for m in base.municipalities]
    again = run_spec(base, implied, results.specs["sim1"], tfr_bases, profile, survival, other)
    # Whole people, as the 影響度 in force is computed from :func:`indicators`: the same
    # rounding, so a run with the other convention states the same numbers.
    totals = {
        name: whole_people_totals(values, base.lower_bounds)
        for name, values in (
            ("sim1", again.population),
            ("pattern1", results.projections["pattern1"]),
        )
    }
    ratio = totals["sim1"] / totals["pattern1"] * 100
    areas = [*base.municipalities, REGION]
    frame = pd.DataFrame(
        [
            (area, year, ratio[k, m])
            for k, year in enumerate(base.years)
            if k
            for m, area in enumerate(areas)
        ],
        columns=columns[:3],
    )
    frame["natural_level"] = level(frame["natural_pct"], settings.thresholds("natural_thresholds"))
    return frame


def convention_sentences(projected: Projected) -> list[str]:
    """Each convention in force, in words with its source, and the 影響度 under the other
    child–woman ratio convention where its level differs (for 算出方法)."""
    from analysis.inputs.projection_inputs import CHOICE_WORDS, CONVENTION_SOURCES

    settings, base = projected.settings, projected.results.base
    conventions = Conventions.of(settings)
    other = "base" if conventions.cwr_scaling == "period" else "period"
    start = conventions.assumptions_from or base.years[0]

    def chosen_words(name: str, value: object) -> str:
        # In words, never the setting's code name (the report is for a council).
        default = SETTINGS[name].default
        return "既定" if value == default or (value is None and default is None) else "設定で変更"

    sources = {k: v.split("：", 1)[-1] for k, v in CONVENTION_SOURCES.items()}
    sentences = [
        f"子ども女性比（シミュレーション1と出生率の仮定）：{CHOICE_WORDS['cwr_scaling'][conventions.cwr_scaling]}"
        f"（{chosen_words('cwr_scaling', conventions.cwr_scaling)}。{sources['cwr_scaling']}）。",
        f"仮定を当てはめる期間：{start}年に始まる期間から"
        + ("（基準年から。" if start == base.years[0] else "（それより前の期間はパターン1のまま。")
        + f"{chosen_words('assumptions_from', conventions.assumptions_from)}。{sources['assumptions_from']}）。",
        f"転入超過の時点：{CHOICE_WORDS['settler_timing'][conventions.settler_timing]}"
        f"（{chosen_words('settler_timing', conventions.settler_timing)}。{sources['settler_timing']}）。",
        f"移動の仮定と0～4歳：{CHOICE_WORDS['zero_migration_children'][conventions.zero_migration_children]}"
        f"（{chosen_words('zero_migration_children', conventions.zero_migration_children)}。"
        f"{sources['zero_migration_children']}）。",
    ]
    chosen = projected.influence[projected.influence["chosen"]]
    alternative = projected.other_cwr_influence
    if chosen.empty or alternative.empty:
        return sentences
    joined = chosen.merge(alternative, on=["municipality", "year"], suffixes=("", "_other"))
    differing = joined[joined["natural_level"] != joined["natural_level_other"]]
    for row in differing.itertuples():
        sentences.append(
            f"{row.year}年の{row.municipality}の自然増減の影響度は、この求め方で{precision.text(row.natural_pct, 'percent')}"
            f"（段階{row.natural_level}）、もう一方の求め方（{CHOICE_WORDS['cwr_scaling'][other]}）では"
            f"{precision.text(row.natural_pct_other, 'percent')}（段階{row.natural_level_other}）で、段階が変わります。"
        )
    return sentences


def note_for_report(note: Finding) -> str:
    """A note of the run in the report's words: the console's version names the option and
    the file's columns for the person who runs it; a council reads what was not computed
    and why, without file names or setting codes."""
    if note.check == "sim-skipped-tfr":
        return (
            "シミュレーション1・2は計算していません（"
            f"{note.params.get('municipalities', '')}の基準年の合計特殊出生率が設定されていないため）。"
        )
    if note.check == "sim2-skipped":
        return (
            "シミュレーション2は計算していません（移動がない場合の生残率が与えられていないため）。"
        )
    return note.message
