"""Council-ready outputs: partial editions without holes, reports a council member can read."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pytest

from analysis.core.paths import DATA_RAW
from analysis.inputs.source_figures import read_stated_facts
from analysis.report import figures
from analysis.run.tables import population_data
from tests.conftest import Project

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
            self.tables.append({"cells": 0, "caption": "", "texts": []})
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
        if self.tables:
            self.tables[-1]["texts"].append(data)  # type: ignore[attr-defined]
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
        "平泉町は以前の版（人口ビジョン（2024年3月））の2020・2023・2025・2028・2030・2035・2040年の値を使いました。"
        "圏域は一関市（人口ビジョン（新しい版））と平泉町（以前の版の値）の合計です（2020・2025・2035・2040年）。"
        "2045・2050年は以前の版に平泉町の値がないため、圏域を示しません" in population
    )
    revision = " ".join(read_report(project.reports / "revision.html").text)
    assert "新しい版には平泉町の値がないため、平泉町は比較していません" in revision


@pytest.fixture(autouse=True, scope="module")
def japanese_font() -> None:
    figures.setup()


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
    # A file the planner supplied is described in words, never by its name.
    assert not re.search(r"\.(csv|xlsx|xls)\b", text), name
    found = sorted({m.group(0) for m in MACHINE_WORDS.finditer(text)})
    assert found == [], name


def test_the_projection_states_its_inputs_and_checks_its_base_year(full_project: Project) -> None:
    text = " ".join(read_report(full_project.reports / "projection.html").text)
    assert "基準年（2020年）の圏域の人口は、年齢別の人数の合計で" in text
    assert "原資料の国勢調査人口119,184人" in text
    assert "生残率（シミュレーション2・移動の倍率に使用）：提供された生残率" in text
    assert "基準年（2020年）の合計特殊出生率（入力値）：一関市 1.45、平泉町 1.38" in text
    assert "圏域の転入超過は基準年（2020年）の人口の比で市町に分けます（一関市" in text
    assert "男20～24歳 12.50%" in text


def test_council_reports_read_right(full_project: Project) -> None:
    kpi_text = " ".join(read_report(full_project.reports / "kpi.html").text)
    assert "実績はまだ報告されていないため、計画の線だけを示します。" in kpi_text
    assert "青線は実績" not in kpi_text
    for name in ("population", "kpi", "revision", "projection"):
        text = " ".join(read_report(full_project.reports / f"{name}.html").text)
        assert "考え方" in text and "ことばで" not in text, name
        for developer_words in (
            "Preston",
            "Box 6.2",
            "素朴",
            "テスト",
            "登録すると",
            "公表時期不明",
        ):
            assert developer_words not in text, (name, developer_words)
        assert "公表）（" not in text and "（将来展望（将来展望" not in text, name
        assert not re.search(r"\d\.\d+\s*人(?![口回])", text), f"{name}: people with decimals"
    population = " ".join(read_report(full_project.reports / "population.html").text)
    assert "2018年3月公表" in population and "2018-03" not in population
    assert "社人研 地域別将来推計人口（2018年（平成30年）3月公表）" in population


def test_only_interpolated_years_are_marked_and_tables_use_the_editions_named(
    full_project: Project,
) -> None:
    from analysis.model import population

    data = population_data(EXAMPLE)
    structure = population.build_tables(
        data, read_stated_facts(), base_year=2020, target_year=2028
    )["age_structure"]
    rows = structure[
        (structure["edition"] == "vision_supplied") & (structure["municipality"] == "一関市")
    ]
    marks = dict(zip(rows["year"], rows["interpolated"], strict=True))
    assert marks[2028] and not marks[2040] and not marks[2025], "supplied years are never 補間"
    assert rows.loc[rows["year"] == 2040, "derived"].all(), "a total summed from groups is derived"
    report = read_report(full_project.reports / "population.html")
    indices = next(
        t for t in report.tables if str(t["caption"]).startswith("圏域の高齢化率と人口指数")
    )
    assert "人口ビジョン（2024年3月）" not in " ".join(indices["texts"])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["population", "kpi", "revision", "projection"])
def test_no_report_shows_an_empty_table(full_project: Project, name: str) -> None:
    """A table of headers without a single row says nothing: a report leaves it out (or says in
    words that there is nothing to show)."""
    report = read_report(full_project.reports / f"{name}.html")
    assert report.tables, name
    empty = [t["caption"] or "(no caption)" for t in report.tables if not t["cells"]]
    assert empty == []
