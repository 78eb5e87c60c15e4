"""Every result of a run, computed once: the one API of the run and of the notebooks.

:func:`compute` reads and validates every input and computes every result in one
process: the processed tables (:attr:`Results.built`, written by
:mod:`analysis.run.tables`) and the typed objects the report notebooks narrate (the
editions and their tables, the population actuals, the KPI plan with its grades,
budgets spent and plan changes, each pair of editions compared, the projected
scenarios). The report notebooks never read an input or recompute: a run passes
them the path of the file :func:`save` wrote (parameter ``results_path``) and they
:func:`load` it; opened by hand in JupyterLab (no path) they call :func:`compute`
themselves, the same function the run calls, with the options their parameters
name. ``notebooks/explore/explore.py`` and ``notebooks/explore/scenarios.py`` start from it too.

The hand-over format is a pickle, written and read only by the same run:

- The results are rich typed objects (dataclasses holding frames, numpy arrays,
  findings, the scenario engine's settings and specs), not only frames. Parquet and
  JSON would need a hand-written schema for each of them, kept in step with every
  change of the model, and could not round-trip them exactly (categoricals, nullable
  dtypes, column order, the objects' own types); a pickle round-trips them exactly,
  which is what "the same numbers, the same words" needs. It is also the fastest to
  write and read (tens of milliseconds for a run's results).
- A pickle may execute code when it is loaded, and depends on the code that wrote
  it. Neither matters here: the file is made by this run's own process in its
  staging folder (``reports/.staging/``, deleted when the run ends, never moved into
  ``reports/`` or ``data/processed/``), and read only by that run's kernels, which
  run the same interpreter and the same package (the kernelspec runs
  ``sys.executable``; the kernel's working folder is the project). It is never kept,
  shared or read from anywhere else; it is not a file format of the project.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.findings import Finding
from analysis.core.paths import DATA_RAW
from analysis.inputs import kpi_plan
from analysis.inputs import population_actuals as actuals_input
from analysis.inputs import spending as spending_input
from analysis.inputs.data import Edition, PopulationData
from analysis.inputs.source_figures import read_stated_facts
from analysis.model import (
    kpi,
    plan_changes,
    population,
    population_actuals,
    revision,
    scenarios,
    spending,
)
from analysis.run.options import Options, comparison_years
from analysis.run.tables import Built, load_population, mark_extended, projections

RESULTS_FILE = "results.pickle"
"""The file's name in a run's staging folder (inside a folder named by the run's process)."""


@dataclass
class PopulationResults:
    """The editions in three age groups, their tables, the source's stated facts, the actuals."""

    data: PopulationData
    tables: dict[str, pd.DataFrame]
    """:func:`analysis.model.population.build_tables` (structure, change, comparison, targets, …)."""
    facts: pd.DataFrame
    """Figures stated in the source's prose (:func:`analysis.inputs.source_figures.read_stated_facts`)."""
    actuals: pd.DataFrame
    """Population actuals (国勢調査・住民基本台帳), one row per area, date and age group."""
    actual_tables: dict[str, pd.DataFrame]
    """:func:`analysis.model.population_actuals.build_tables`."""
    actual_findings: list[Finding] = field(default_factory=list)
    vision_points: list[str] = field(default_factory=list)
    """The 要点's sentences on the vision in use against the plan's targets
    (:func:`analysis.model.population.vision_points`, against the target the source's prose states)."""


@dataclass
class KpiResults:
    """The plan edition, its KPI actuals and every KPI and budget table."""

    data: kpi_plan.KpiData
    actuals: pd.DataFrame
    as_of: int
    tables: dict[str, pd.DataFrame]
    """:func:`analysis.model.kpi.build_tables` with :attr:`thresholds` and :attr:`jump_ratio`."""
    execution: dict[str, pd.DataFrame]
    """Budgets against spending (決算) (empty when none was entered)."""
    previous: kpi_plan.KpiData | None
    """The edition this one replaces (None: it replaces none)."""
    changes: dict[str, pd.DataFrame]
    """The plan's changes against :attr:`previous` (empty without one)."""
    notes: list[Finding] = field(default_factory=list)
    thresholds: kpi.GradeThresholds = field(default_factory=kpi.GradeThresholds)
    jump_ratio: float = 2.0

    def tables_with(
        self, thresholds: kpi.GradeThresholds, jump_ratio: float
    ) -> dict[str, pd.DataFrame]:
        """The KPI tables under a grading rule: those computed, unless the report's own
        parameters were edited to another rule (the notebook's 評価の基準); then the grades and
        design flags under that rule, from the computed plan and actuals (no input is read)."""
        if thresholds == self.thresholds and jump_ratio == self.jump_ratio:
            return self.tables
        return kpi.build_tables(self.data, self.actuals, self.as_of, thresholds, jump_ratio)


@dataclass
class Revision:
    """One edition against the edition it replaces: the differences the revision report shows."""

    old: Edition
    new: Edition
    differences: pd.DataFrame
    """:func:`analysis.model.revision.differences` (by area, year and age group; new − old)."""
    aging: pd.DataFrame
    """:func:`analysis.model.revision.aging_differences`."""
    age_sex: pd.DataFrame | None
    """:func:`analysis.model.revision.age_sex_differences` when both editions are by sex and age."""


@dataclass
class Results:
    """Everything a run computed, for the tables and for the notebooks to narrate."""

    options: Options
    population: PopulationResults
    kpi: KpiResults
    revisions: list[Revision]
    projected: scenarios.Projected | None
    projection_check: str
    """The projection's base-year total against the census (empty without a projection)."""
    settler_target: tuple[float, int]
    """The plan's 2040 圏域 target (people, year), from the source's prose."""
    built: Built


def compute(
    options: Options | None = None, projected: scenarios.Projected | None = None
) -> Results:
    """Read and validate every input of ``options`` and compute every result, once.

    ``projected``: the projections of ``options``, when the run already computed them to
    derive its options (``--age-sex``, ``--vision-from-scenario``); else computed here.
    Raises DataError or InputError (every finding) when an input is invalid.
    """
    options = options or Options()
    data = load_population(options)
    facts = read_stated_facts()
    population_tables = population.build_tables(
        data,
        facts,
        base_year=options.base_year,
        target_year=options.target_year,
        method=options.method,  # type: ignore[arg-type]
    )
    actuals = actuals_input.load(options.population_actuals or actuals_input.DEFAULT)
    settler_target = population.default_settler_target(facts)
    people = PopulationResults(
        data,
        population_tables,
        facts,
        actuals.frame,
        population_actuals.build_tables(actuals, data, facts),
        actuals.findings,
        population.vision_points(
            population_tables,
            population.current_edition(data, "vision"),
            settler_target,
            options.vision_extended_after,
        ),
    )
    plan = kpi_results(options)
    pairs = revisions(data, options.target_year)
    projected = projected if projected is not None else projections(options, data, facts)
    results = Results(
        options,
        people,
        plan,
        pairs,
        projected,
        population.base_year_check(projected, facts) if projected else "",
        settler_target,
        Built({}, []),
    )
    results.built = _built(results)
    return results


def kpi_results(options: Options) -> KpiResults:
    """The plan edition of ``options`` (else the one in force), its actuals and its tables."""
    data = kpi_plan.load_plan(options.plan) if options.plan else kpi_plan.load()
    notes: list[Finding] = []
    actuals = kpi_plan.load_actuals(
        options.actuals or DATA_RAW / "kpi_actuals.csv", data.kpis, notes, data.years
    )
    as_of = options.as_of or kpi.default_as_of(actuals, data.years)
    older = kpi_plan.previous(data)
    spent = spending_input.load(options.spending or spending_input.DEFAULT, data)
    return KpiResults(
        data,
        actuals,
        as_of,
        kpi.build_tables(data, actuals, as_of),
        spending.execution(data, spent),
        older,
        plan_changes.compare(older, data) if older is not None else {},
        notes,
    )


def revisions(data: PopulationData, target_year: int) -> list[Revision]:
    """Each edition against the one it replaces (none when no edition replaces another)."""
    years = comparison_years(target_year)
    found = []
    for old, new in revision.pairs(data):
        by_age = None
        if old.edition in data.age_sex and new.edition in data.age_sex:
            by_age = revision.age_sex_differences(
                data.age_sex[old.edition], data.age_sex[new.edition], data.municipalities
            )
        found.append(
            Revision(
                old,
                new,
                revision.differences(data.corrected, old.edition, new.edition, years),
                revision.aging_differences(data.corrected, old.edition, new.edition, years),
                by_age,
            )
        )
    return found


def _revision_tables(pairs: list[Revision]) -> dict[str, pd.DataFrame]:
    """The comparisons as the processed tables (all pairs in one table each)."""
    frames: dict[str, list[pd.DataFrame]] = {"differences": [], "aging": [], "age_sex": []}
    for pair in pairs:
        editions = {"old_edition": pair.old.edition, "new_edition": pair.new.edition}
        if pair.age_sex is not None:
            frames["age_sex"].append(pair.age_sex.assign(**editions))
        frames["differences"].append(pair.differences)
        frames["aging"].append(pair.aging.assign(**editions))
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items() if parts}


def _built(results: Results) -> Built:
    """Every processed table of the run and every finding met while validating its inputs."""
    options, people, plan = results.options, results.population, results.kpi
    tables = {f"population_{name}": frame for name, frame in people.tables.items()}
    tables |= {f"population_{name}": frame for name, frame in people.actual_tables.items()}
    kpi_part = plan.tables | plan.execution | plan.changes
    tables |= {f"kpi_{name}": frame for name, frame in kpi_part.items()}
    tables |= {
        f"revision_{name}": frame for name, frame in _revision_tables(results.revisions).items()
    }
    projected = results.projected
    if projected:
        tables |= projected.tables()
    if options.vision_from_scenario:
        tables["vision_from_scenario"] = population.scenario_vision(
            projected, options.vision_from_scenario
        )[0]
    return Built(
        mark_extended(tables, options.vision_extended_after),
        [
            *people.data.findings,
            *people.actual_findings,
            *plan.notes,
            *(projected.notes if projected else []),
        ],
        {e.edition: e.label for e in people.data.editions},
    )


def save(results: Results, path: Path) -> Path:
    """Write ``results`` for the kernels of the same run (see the module's docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load(path: str | Path) -> Results:
    """The results :func:`save` wrote in this run's staging folder (never another file)."""
    with Path(path).open("rb") as handle:
        loaded = pickle.load(handle)
    if not isinstance(loaded, Results):
        raise TypeError(f"{path} holds no results of a run")
    return loaded


NOTEBOOK_PATHS = {
    "vision_path": "vision",
    "projection_path": "projection",
    "actuals_path": "actuals",
    "plan_path": "plan",
    "spending_path": "spending",
    "population_actuals_path": "population_actuals",
    "age_sex_path": "age_sex",
    "survival_path": "survival",
    "settings_path": "projection_settings",
    "profile_path": "settler_profile",
    "scenarios_path": "scenarios",
}
"""A notebook's parameter naming a file (empty: the registered data) → the run's option."""

NOTEBOOK_VALUES = {
    "target_year": "target_year",
    "base_year": "base_year",
    "method": "method",
    "as_of_fiscal_year": "as_of",
    "vision_label": "vision_label",
    "projection_label": "projection_label",
    "vision_source": "vision_source",
    "age_sex_label": "age_sex_label",
    "vision_extended_after": "vision_extended_after",
}
"""A notebook's other parameters that are options of the run, by the option's name."""


def options_from(parameters: dict[str, object]) -> Options:
    """The run's options a notebook's parameters stand for (the inverse of what
    :func:`analysis.run.pipeline.reports_for` passes); parameters of the narration are ignored."""
    chosen: dict[str, object] = {}
    for name, value in parameters.items():
        if name in NOTEBOOK_PATHS and value:
            chosen[NOTEBOOK_PATHS[name]] = Path(str(value))
        elif name in NOTEBOOK_VALUES:
            option = NOTEBOOK_VALUES[name]
            chosen[option] = value if isinstance(value, str) else int(value)  # type: ignore[call-overload]
    return Options(**chosen)  # type: ignore[arg-type]


def obtain(results_path: str | Path = "", **parameters: object) -> Results:
    """A notebook's results: those its run saved at ``results_path``; opened by hand (no
    path), computed now by :func:`compute` from the options its ``parameters`` name."""
    if results_path:
        return load(results_path)
    return compute(options_from(parameters))
