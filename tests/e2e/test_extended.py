"""延長 marked wherever extended years appear in a whole run: a vision made from a scenario runs past
the last year of its data; a vision as published marks no year."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")


import re
from pathlib import Path

import pytest

from tests.conftest import Project, _build_run, _shared_copy
from tests.e2e.test_council import read_report

# the proof's vision run, built here when the proof tests are not run
pytestmark = pytest.mark.own_run


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
