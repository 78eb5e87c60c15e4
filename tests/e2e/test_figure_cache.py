"""A run draws again exactly the figures whose content changed: the rest come from the
figure cache (analysis.report.figure_cache), byte for byte what drawing them gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Project, _build_run, _shared_copy

ACTUALS = ("--actuals", "data/raw/examples/kpi_actuals_wide_example.xlsx", "--as-of", "2025")
"""The README's example KPI actuals: they change the KPI figures and no other."""


@pytest.fixture(scope="module")
def drawn_afresh(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The run with the example actuals, in a copy that never had a cache (every figure
    drawn): the proof's own build, shared with its tests."""
    return _shared_copy(tmp_path_factory, "proof-actuals", _build_run("actuals"))


def figures_of(project: Project) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project.reports / "figures").iterdir())}


def entries(project: Project) -> set[str]:
    return {p.stem for p in (project.root / ".cache" / "figures").glob("*.json")}


def test_changed_actuals_redraw_the_kpi_figures_only_and_as_drawing_them_afresh_does(
    project: Project, drawn_afresh: Project
) -> None:
    default = figures_of(project)
    kept = entries(project)
    assert len(kept) == len(default) / 2  # the default run kept each figure (PNG and SVG)
    # Nothing changed: every figure is found, though this run's kernels are new processes
    # (their own string hashes and addresses) and found the figures the others drew.
    result = project.cli("reports", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    assert entries(project) == kept
    assert figures_of(project) == default

    result = project.cli("reports", *ACTUALS)
    assert result.returncode == 0, result.stdout + result.stderr
    with_actuals = figures_of(project)
    # The same files as a run that drew every figure: nothing stale came from the cache.
    assert with_actuals == figures_of(drawn_afresh)
    changed = sorted({Path(n).stem for n in with_actuals if with_actuals[n] != default.get(n)})
    assert changed and all(name.startswith("kpi_progress_") for name in changed), changed
    # The population figures were found, not drawn: new entries are the KPI report's only
    # (a KPI page whose picture did not change may still hold other data, so be drawn).
    drawn = entries(project) - kept
    kpi_figures = [n for n in default if n.startswith(("kpi_", "budget_")) and n.endswith(".png")]
    assert len(changed) <= len(drawn) <= len(kpi_figures)

    # Back to the registered actuals: every figure is found in the cache again.
    result = project.cli("reports", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    assert figures_of(project) == default
    assert entries(project) - kept == drawn
