"""analysis.report.figures: 延長 marked on the figures wherever a vision made from a scenario runs
past its data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.core.schema import REGION, TOTAL
from analysis.model import cohort, population
from analysis.report import figures

MARK = "延長（2050年より後）"


def _texts(figure: plt.Figure) -> str:
    found = []
    for axis in figure.axes:
        found += [t.get_text() for t in axis.get_xticklabels()]
        legend = axis.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    for legend in figure.legends:
        found += [t.get_text() for t in legend.get_texts()]
    return " ".join(found)


@pytest.fixture(scope="module")
def extended_structure() -> tuple[pd.DataFrame, str, str]:
    """The shipped projection and a vision to 2070 (the shipped vision's 2040 held on)."""
    figures.setup()
    data = population.load()
    projection = population.current_edition(data, "projection").edition
    vision = population.current_edition(data, "vision").edition
    rows = data.corrected[data.corrected["edition"] == vision]
    later = [
        rows[rows["year"] == 2040].assign(year=year, derived=False) for year in range(2045, 2071, 5)
    ]
    frame = pd.concat([data.corrected, *later], ignore_index=True)
    return cohort.age_structure(frame), projection, vision


def test_shade_extended_draws_the_span_with_its_legend_entry() -> None:
    figure, axis = plt.subplots()
    axis.plot([2020, 2050, 2070], [1, 2, 3])
    figures.shade_extended(axis, 2050)
    axis.legend()
    assert MARK in _texts(figure)
    figures.shade_extended(axis, None)  # nothing to shade: no second entry
    figures.shade_extended(axis, 2080)  # the axis ends before: nothing
    assert _texts(figure).count("延長") == 1
    plt.close(figure)


def test_trajectory_figures_shade_extended_years_only_when_asked(
    extended_structure: tuple[pd.DataFrame, str, str],
) -> None:
    structure, projection, vision = extended_structure
    editions = [(projection, "推計", "projection"), (vision, "展望", "vision")]
    areas = ["一関市", "平泉町", REGION]
    marked = figures.aging_rate_trajectories(structure, editions, areas, extended_after=2050)
    plain = figures.aging_rate_trajectories(structure, editions, areas)
    assert MARK in _texts(marked) and "延長" not in _texts(plain)
    totals = structure[structure["municipality"] == REGION].rename(columns={TOTAL: "population"})
    totals = totals.assign(derived=totals["interpolated"])
    empty = pd.DataFrame({"year": [], "population": [], "label": []})
    labels = {"projection": "推計", "vision": "展望"}
    args = (totals[totals["edition"] == projection], totals[totals["edition"] == vision])
    marked = figures.projection_vs_vision(*args, empty, empty, labels, extended_after=2050)
    plain = figures.projection_vs_vision(*args, empty, empty, labels)
    assert MARK in _texts(marked) and "延長" not in _texts(plain)
    plt.close("all")


def test_bar_charts_label_extended_years(extended_structure: tuple[pd.DataFrame, str, str]) -> None:
    structure, projection, vision = extended_structure
    editions = [(projection, "推計"), (vision, "展望")]
    marked = _texts(
        figures.population_by_age(structure, REGION, editions, extended_after={vision: 2050})
    )
    assert "2055年（延長）" in marked and "2070年（延長）" in marked
    assert "2050年（延長）" not in marked
    assert "延長" not in _texts(figures.population_by_age(structure, REGION, editions))
    plt.close("all")
