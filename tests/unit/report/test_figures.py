"""延長 marked wherever extended years appear: a vision made from a scenario runs past the last
year of the data it was projected from (the last period's rates held), and its tables and
figures say so; a vision as published marks no year."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.core.schema import REGION, TOTAL
from analysis.model import cohort, population
from analysis.report import figures

from .conftest import Project, _build_run, _shared_copy
from .test_council import read_report

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


def test_extended_rows_and_sentences() -> None:
    frame = pd.DataFrame({"edition": ["a", "a", "b"], "year": [2050, 2055, 2055]})
    assert population.extended_rows(frame, 2050, "a").tolist() == [False, True, False]
    assert not population.extended_rows(frame, 0, "a").any()
    assert population.extended_note(0) == ""
    assert "2050年より後" in population.extended_note(2050)


@pytest.fixture(scope="session")
def vision_run(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The proof's run with a planner's scenario made the vision (to 2070, data to 2050)."""
    return _shared_copy(tmp_path_factory, "proof-vision", _build_run("vision"))


def _svg_texts(project: Project, prefix: str) -> str:
    """The texts of the report's figures (matplotlib writes each text into its SVG)."""
    folder = project.reports / "figures"
    return " ".join(p.read_text("utf-8") for p in sorted(folder.glob(f"{prefix}*.svg")))


def _extended_tables(path: Path) -> list[str]:
    report = read_report(path)
    return [str(t["caption"]) for t in report.tables if "延長" in t["texts"]]  # type: ignore[operator]


def _unmarked_tables(path: Path, after: int) -> list[str]:
    """Tables showing a year past ``after`` without a 延長 column."""
    report = read_report(path)
    return [
        str(t["caption"])
        for t in report.tables
        if any(re.fullmatch(r"20\d\d", x.strip()) and int(x) > after for x in t["texts"])  # type: ignore[attr-defined]
        and "延長" not in t["texts"]  # type: ignore[operator]
    ]


def test_a_vision_from_a_scenario_marks_its_extended_years(vision_run: Project) -> None:
    last = max(
        int(y) for y in re.findall(r"(20\d\d)年", _svg_texts(vision_run, "population_by_age"))
    )
    assert last == 2070
    for prefix in ("aging_rate", "projection_vs_vision", "revision_vision_supplied"):
        assert "延長（" in _svg_texts(vision_run, prefix), prefix
    assert "年（延長）" in _svg_texts(vision_run, "population_by_age")
    population_tables = _extended_tables(vision_run.reports / "population.html")
    assert any("年齢3区分別人口" in c for c in population_tables), population_tables
    assert any("高齢化率と人口指数" in c for c in population_tables), population_tables
    for name in ("population", "revision"):
        assert _unmarked_tables(vision_run.reports / f"{name}.html", 2050) == [], name
    text = " ".join(read_report(vision_run.reports / "population.html").text)
    assert "延長" in text and "2050年より後" in text


def test_a_published_vision_marks_no_year(full_project: Project) -> None:
    for prefix in ("aging_rate", "projection_vs_vision", "population_by_age", "revision_"):
        assert "延長" not in _svg_texts(full_project, prefix), prefix
    for name in ("population", "revision"):
        assert _extended_tables(full_project.reports / f"{name}.html") == [], name


def test_the_workbook_marks_the_extended_rows_of_a_vision_from_a_scenario() -> None:
    from analysis.run.tables import mark_extended

    frame = pd.DataFrame(
        {"edition": ["vision_supplied", "vision_supplied", "ipss_2018"], "year": [2050, 2055, 2055]}
    )
    tables = {"population_age_structure": frame, "kpi_overview": frame}
    marked = mark_extended(tables, 2050)
    assert marked["population_age_structure"]["extended"].tolist() == [False, True, False]
    assert "extended" not in marked["kpi_overview"]
    assert mark_extended(tables, 0) is tables, "a vision as published: nothing marked"
