"""analysis.report.figures: no empty panel, scales and titles a council member can read, and 延長
marked wherever a vision made from a scenario runs past its data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION, TOTAL
from analysis.model import cohort, population
from analysis.report import figures
from analysis.run.tables import population_data

MARK = "延長（2050年より後）"


@pytest.fixture(autouse=True, scope="module")
def japanese_font() -> None:
    figures.setup()


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
    data = population_data()
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


def test_a_panel_with_nothing_drawn_or_a_legend_without_a_line_is_refused() -> None:
    figure, axes = plt.subplots(1, 2)
    axes[0].plot([2020, 2025], [1, 2], label="推計")
    with pytest.raises(figures.EmptyPanel, match="空のパネル"):
        figures.check_drawn(figure, "test")
    axes[1].bar([0], [3])
    figures.check_drawn(figure, "test")
    axes[1].plot([], [], label="展望")
    with pytest.raises(figures.EmptyPanel, match="線のない凡例「展望」"):
        figures.check_drawn(figure, "test")
    plt.close(figure)


def test_budgets_are_linear_in_thousand_yen_with_the_small_ones_on_their_own_scale() -> None:
    import pandas as pd

    totals = pd.DataFrame(
        {"label": ["大", "中", "小"], "budget_thousand_yen": [5_985_040, 846_000, 1_925]}
    )
    made = figures.budget_by_initiative(totals, (2024, 2028))
    axes = [figure.axes[0] for figure in made]
    assert [axis.get_xscale() for axis in axes] == ["linear", "linear"]
    assert all(axis.get_xlabel() == "2024～2028年度の事業費合計（千円）" for axis in axes)
    assert "（2024～2028年度、すべての取組）" in axes[0].get_title(loc="left")
    assert [t.get_text() for t in axes[1].get_yticklabels()] == ["小"]
    for figure in made:
        plt.close(figure)


def test_quantities_start_from_zero_and_titles_are_whole() -> None:
    import pandas as pd

    from analysis.inputs import kpi_plan
    from analysis.model import kpi

    data = kpi_plan.load()
    overview = kpi.build_tables(
        data, kpi_plan.load_actuals(DATA_RAW / "kpi_actuals.csv", data.kpis), 2024
    )["overview"]
    nothing = pd.DataFrame({"kpi_id": [], "fiscal_year": [], "value": []})
    figure = figures.kpi_progress_grid(overview.iloc[:12], nothing)
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert len(visible) == 12
    assert all(axis.get_ylim()[0] == 0 for axis in visible)
    titles = " ".join(axis.get_title(loc="left") for axis in visible).replace("\n", "")
    assert "…" not in titles
    assert "休日及び夜間等に対して診療を実施した割合" in titles
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["計画（按分）"], "no 実績 in the legend when nothing was reported"
    plt.close(figure)
