"""analysis.run.results: every result of a run, computed once (here: the plan revision's part)."""

from __future__ import annotations

from tests.unit.inputs.test_plan import EXAMPLE


def test_a_run_with_a_revision_adds_the_comparison_sheets() -> None:
    from analysis.report import dictionary
    from analysis.run import results
    from analysis.run.options import Options

    built = results.kpi_results(Options(plan=EXAMPLE)).changes
    assert {"plan_changes", "plan_kpi_changes", "plan_budget_changes"} <= set(built)
    assert dictionary.sheet_name("kpi_plan_changes") == "計画の見直し（取組）"
    plain = results.kpi_results(Options()).changes
    assert "plan_changes" not in plain
