"""A run computes once: the report notebooks narrate the run's results and read no input.

The whole run's kernels record every file they open (:mod:`tests.e2e.audit`, an audit hook
installed in each kernel through ``sitecustomize.py``): none may be under ``data/raw/``
or be a file the run was given. A static check adds that no report notebook calls a
loader or recomputes what :func:`analysis.run.results.compute` computed.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from analysis.core.paths import NOTEBOOKS
from analysis.run import results
from analysis.run.options import Options
from tests.conftest import Project
from tests.workbooks import (
    CODES,
    SIZES,
    made_up_edition,
    published_workbook,
    settings_file,
    survival_file,
)

from .audit import opened, recording_opens

REPORT_NOTEBOOKS = ("population", "kpi", "revision", "projection")

LOADERS_AND_MODEL = {
    "open", "facts", "build_tables", "projections", "compute", "default_settler_target",
    "base_year_check", "execution", "compare", "previous", "pairs", "differences",
    "aging_differences", "age_sex_differences", "scenario_vision", "population_data", "assemble",
}  # fmt: skip
"""Called names that read an input or compute what the run computed (besides ``load*``,
``read*``): a report notebook gets their results from :mod:`analysis.run.results`."""


def _called_names(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute):
                names.append(function.attr)
            elif isinstance(function, ast.Name):
                names.append(function.id)
    return names


def _forbidden(name: str) -> bool:
    return name.startswith(("load", "read")) or name in LOADERS_AND_MODEL


def test_no_report_notebook_calls_a_loader_or_the_model() -> None:
    for report in REPORT_NOTEBOOKS:
        called = _called_names((NOTEBOOKS / "reports" / f"{report}.py").read_text(encoding="utf-8"))
        assert "obtain" in called and "display" in called, f"{report}: the check sees its calls"
        assert [n for n in called if _forbidden(n)] == [], report


def test_the_static_check_finds_a_loader() -> None:
    """What the notebooks did before the run computed once is caught."""
    before = "data = population.load(vision_path)\ntables = population.build_tables(data)\n"
    assert [n for n in _called_names(before) if _forbidden(n)] == ["load", "build_tables"]


def test_results_round_trip_through_the_file_the_run_hands_over(tmp_path: Path) -> None:
    computed = results.compute(Options())
    loaded = results.load(results.save(computed, tmp_path / "run" / results.RESULTS_FILE))
    assert sorted(loaded.built.tables) == sorted(computed.built.tables)
    for name, frame in computed.built.tables.items():
        assert loaded.built.tables[name].equals(frame), name
        assert list(loaded.built.tables[name].dtypes) == list(frame.dtypes), name
    assert loaded.projected is not None and computed.projected is not None
    assert loaded.projected.results.label("pattern1") == computed.projected.results.label(
        "pattern1"
    )
    assert [e.edition for e in loaded.population.data.editions] == [
        e.edition for e in computed.population.data.editions
    ]
    assert loaded.kpi.as_of == computed.kpi.as_of


def test_the_notebooks_parameters_name_the_runs_options() -> None:
    chosen = results.options_from(
        {"vision_path": "v.csv", "projection_path": "", "target_year": 2030,
         "as_of_fiscal_year": 2025, "method": "geometric", "municipality": "一関市",
         "settings_path": "s.csv"}
    )  # fmt: skip
    assert chosen == Options(
        vision=Path("v.csv"),
        target_year=2030,
        as_of=2025,
        method="geometric",
        projection_settings=Path("s.csv"),
        jobs=chosen.jobs,
    )


def test_no_report_notebook_reads_raw_data_or_a_supplied_file(
    fresh_project: Project, tmp_path: Path
) -> None:
    # Not under the Windows simulation: its sitecustomize would shadow the recorder's.
    project = Project(fresh_project.root, windows=False)
    supplied = tmp_path / "supplied"
    supplied.mkdir()
    examples = project.raw / "examples"
    vision = shutil.copy(examples / "vision_revised_example.csv", supplied / "vision.csv")
    actuals = shutil.copy(examples / "kpi_actuals_wide_example.xlsx", supplied / "kpi.xlsx")
    counted = shutil.copy(
        examples / "population_actuals_wide_example.xlsx", supplied / "counted.xlsx"
    )
    plan = Path(shutil.copytree(examples / "plan_revised_example", supplied / "plan"))
    scenario_file = shutil.copy(examples / "scenarios_example.csv", supplied / "scenarios.csv")
    age_sex = published_workbook(supplied / "03.xlsx", made_up_edition(SIZES), CODES)
    survival = survival_file(supplied)
    settings = settings_file(supplied)
    given = [
        Path(p) for p in (vision, actuals, counted, scenario_file, age_sex, survival, settings)
    ]
    given += sorted(plan.iterdir())
    log = tmp_path / "opened"
    log.mkdir()
    result = project.cli(
        "reports", "--vision", str(vision), "--actuals", str(actuals),
        "--population-actuals", str(counted), "--plan", str(plan), "--age-sex", str(age_sex),
        "--survival", str(survival), "--projection-settings", str(settings),
        "--scenarios", str(scenario_file),
        env=recording_opens(log),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "projection：完了" in result.stdout and "revision：完了" in result.stdout
    files = opened(log)
    # A kernel runs several reports in turn (one kernel per core), each recording what it opened.
    assert list(log.glob("kernel-*.txt")), "the kernels recorded what they opened"
    # The recorder sees the kernels' reads: each of the four reports read the results the
    # run handed over.
    handed_over = [p for p in files if p.name == results.RESULTS_FILE]
    assert len(handed_over) >= 4, files[:50]
    raw = project.raw.resolve()
    read_inputs = sorted(
        {
            str(p)
            for p in files
            if p.resolve().is_relative_to(raw) or any(p.resolve() == g.resolve() for g in given)
        }
    )
    assert read_inputs == []
