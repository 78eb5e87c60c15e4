"""Council-ready outputs: partial editions without holes, reports a council member can read."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from analysis import figures
from analysis.paths import DATA_RAW

from .conftest import Project

EXAMPLE = DATA_RAW / "examples" / "vision_revised_example.csv"


class _Reader(HTMLParser):
    """The visible text of a report and the rows of each of its tables."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tables: list[dict[str, object]] = []
        self._skip = 0
        self._caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "table":
            self.tables.append({"cells": 0, "caption": ""})
        if tag == "td" and self.tables:
            self.tables[-1]["cells"] = int(self.tables[-1]["cells"]) + 1  # type: ignore[call-overload]
        if tag == "caption":
            self._caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "caption":
            self._caption = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._caption and self.tables:
            self.tables[-1]["caption"] = str(self.tables[-1]["caption"]) + data


def read_report(path: Path) -> _Reader:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def partial_vision(folder: Path) -> Path:
    """The shipped example of a revision (一関市 only) without its 2030 rows."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if ",2030," not in line]
    path = folder / "partial.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_a_partial_edition_leaves_no_hole_in_any_report(project: Project, tmp_path: Path) -> None:
    result = project.cli("reports", "--vision", str(partial_vision(tmp_path)))
    assert result.returncode == 0, result.stdout
    assert project.non_finite() == []
    for name in ("population", "revision", "kpi"):
        report = read_report(project.reports / f"{name}.html")
        text = " ".join(report.text)
        assert not re.search(r"(?<![A-Za-z])(nan|NaN|inf)(?![A-Za-z])", text), name
        empty = [t["caption"] for t in report.tables if not t["cells"]]
        assert empty == [], f"{name}: tables with headers only: {empty}"
    population = " ".join(read_report(project.reports / "population.html").text)
    assert (
        "平泉町は以前の版（人口ビジョン（2024年3月））の値を使い、圏域はその合計としました"
        in population
    )
    revision = " ".join(read_report(project.reports / "revision.html").text)
    assert "新しい版には平泉町の値がないため、平泉町は比較していません" in revision


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


MACHINE_WORDS = re.compile(
    r"(?:[A-Za-z0-9_.\-]+[/\\])+[A-Za-z0-9_.\-]+"  # a path
    r"|\.(?:csv|xlsx|py)[:\[]"  # a file with its line or cell
    r"|\d+行(?!目)|原資料\d+|\d+行目"  # line numbers of the transcription
    r"|README|analysis\.|--[a-z][a-z-]+"  # the manual and code names
    r"|\b[a-z]+_[a-z_]+\b"  # an identifier (tfr_base, vision_2024)
)


@pytest.mark.parametrize("name", ["population", "kpi", "revision", "projection"])
def test_report_prose_has_no_path_line_number_or_code_name(
    full_project: Project, name: str
) -> None:
    """Files, lines and identifiers stay in the CSV/xlsx provenance columns and README."""
    text = "\n".join(read_report(full_project.reports / f"{name}.html").text)
    # A file the planner supplied is named as such (its name is how they know it).
    text = re.sub(r"提供ファイル \S+", "提供ファイル", text)
    found = sorted({m.group(0) for m in MACHINE_WORDS.finditer(text)})
    assert found == [], name


def test_the_projection_states_its_inputs_and_checks_its_base_year(full_project: Project) -> None:
    text = " ".join(read_report(full_project.reports / "projection.html").text)
    assert "基準年（2020年）の圏域の人口は、年齢別の人数の合計で" in text
    assert "原資料の国勢調査人口119,184人" in text
    assert "生残率（シミュレーション2・移動の倍率に使用）：提供ファイル survival.csv" in text
    assert "基準年（2020年）の合計特殊出生率（入力値）：一関市 1.45、平泉町 1.38" in text
    assert "圏域の転入超過は基準年（2020年）の人口の比で市町に分けます（一関市" in text
    assert "男20～24歳 12.5%" in text


def test_the_base_year_gap_is_explained_by_unknown_age(tmp_path: Path) -> None:
    """The census total includes people of unknown age; the age groups do not."""
    import numpy as np
    import pandas as pd

    from analysis import population, scenarios

    census = 119_184
    population_array = np.full((2, 2, 2, 20), 1.0)
    population_array[0] *= (census - 500) / population_array[0].sum()
    base = scenarios.Base(("一関市", "平泉町"), tuple(f"g{i}" for i in range(20)), (2020, 2025),
                          population_array)  # fmt: skip
    projected = scenarios.Projected.__new__(scenarios.Projected)
    projected.results = scenarios.Results(base, {}, {}, {}, pd.DataFrame())
    totals = pd.DataFrame({"municipality": ["一関市", "平泉町"], "year": [2020, 2020],
                           "sex": ["both", "both"],
                           "population": [population_array[0, 0].sum() + 500,
                                          population_array[0, 1].sum()]})  # fmt: skip
    sentence = population.base_year_check(projected, totals)
    assert "原資料の国勢調査人口119,184人との差は+500人で、年齢不詳の人数" in sentence
    no_totals = population.base_year_check(projected, totals.iloc[0:0])
    assert "基準のデータに総数がないため" in no_totals
