"""analysis.run.results: every result of a run, computed once (here: the plan revision's part)."""

from __future__ import annotations

from analysis.core.paths import DATA_RAW
from analysis.run import results
from analysis.run.options import Options
from tests.unit.inputs.test_plan import EXAMPLE

KPI_ACTUALS_EXAMPLE = DATA_RAW / "examples" / "kpi_actuals_wide_example.xlsx"


def test_a_run_with_a_revision_adds_the_comparison_sheets() -> None:
    from analysis.report import dictionary
    from analysis.run import results
    from analysis.run.options import Options

    built = results.kpi_results(Options(plan=EXAMPLE)).changes
    assert {"plan_changes", "plan_kpi_changes", "plan_budget_changes"} <= set(built)
    assert dictionary.sheet_name("kpi_plan_changes") == "計画の見直し（取組）"
    plain = results.kpi_results(Options()).changes
    assert "plan_changes" not in plain


def test_the_kpi_report_regrades_only_when_its_own_criteria_were_edited() -> None:
    from analysis.model import kpi

    computed = results.kpi_results(Options(actuals=KPI_ACTUALS_EXAMPLE))
    same = computed.tables_with(kpi.GradeThresholds(), 2.0)
    assert same is computed.tables, "the run's grades, not computed again"
    lenient = computed.tables_with(kpi.GradeThresholds(achieved=0.0), 2.0)
    reported = computed.tables["overview"]["grade"]
    assert not (reported == "達成").any(), "no KPI of the example is at its target"
    assert (lenient["overview"]["grade"] == "達成").any(), "graded again under the edited rule"
