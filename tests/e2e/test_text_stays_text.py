"""Text stays text: whatever a planner types (labels, names, notes, file and sheet names)
reaches every report as the characters typed — never an element, a link, a script or
a formula (issue 21).

Two runs with every option and file field that takes text: one with plain words, one
with URLs, Markdown, HTML and formula-like text in each place. The HTML of the two must
hold the same elements and the same links (parsed, not searched), and the hostile text
must read as typed.
"""

from __future__ import annotations

import ast
import csv
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from analysis.core.paths import ROOT
from tests.conftest import Project, copy_checkout
from tests.workbooks import (
    CODES,
    SIZES,
    made_up_edition,
    published_workbook,
    settings_file,
    survival_file,
)

# four whole runs of their own (a plain and a hostile project, twice)
pytestmark = pytest.mark.own_run

HOSTILE = {
    "vision_label": "**太字** [a](http://a.example) \\ _x_ <script>alert(1)</script> http://b.example/?q=1",
    "projection_label": '=HYPERLINK("http://c.example","開く") <img src=x onerror=alert(1)> &amp;',
    "scenario_a": "+1 www.d.example `code` # 見出し",
    "scenario_b": "@x [リンク](http://e.example) <a href=http://f.example>f</a>",
    "scenario_c": '=HYPERLINK("http://g.example") **x** $y$ ~~z~~',
    "note": "[n](http://n.example) <i>注</i> =1+1",
    "file": "版 [a](http:__h.example) _x_ &amp; <b>",
    "sheet": "<b>シート _y_ &amp; =1+1 `c` ~~z~~",
    "age_sex_label": "-2 <u>社人研</u> [z](http://z.example) *男女*",
}
PLAIN = {
    "vision_label": "人口ビジョン（改訂）",
    "projection_label": "社人研推計（提供）",
    "scenario_a": "展望A",
    "scenario_b": "展望B",
    "scenario_c": "展望C",
    "note": "注記",
    "file": "版",
    "sheet": "別のシート",
    "age_sex_label": "男女別の推計（提供）",
}


class _Elements(HTMLParser):
    """Every element and every link target (href, src, action) of a page, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                self.links.append("data:…" if value.startswith("data:") else value)
            assert not name.startswith("on"), f"<{tag} {name}=…>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _build(project: Project, words: dict[str, str], inputs: Path, from_scenario: bool) -> None:
    """A run with every text-taking option and field set to ``words``; ``from_scenario``:
    the vision is scenario b (its label, the scenario file's name) instead of a file."""
    inputs.mkdir()
    examples = project.raw / "examples"
    vision = inputs / f"{words['file']} vision.csv"
    vision.write_bytes((examples / "vision_revised_example.csv").read_bytes())
    projection_file = inputs / f"{words['file']} projection.csv"
    projection_file.write_bytes((project.raw / "ipss_2018_projection.csv").read_bytes())
    workbook = published_workbook(
        inputs / f"{words['file']} 03.xlsx", made_up_edition(SIZES), CODES
    )
    book = openpyxl.load_workbook(workbook)
    book.create_sheet(words["sheet"][:31]).append(["メモ", words["note"]])
    book.save(workbook)
    settings = settings_file(inputs)
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "tfr_target,,2.1,", f"tfr_target,,2.1,{words['note']}"
        ),
        encoding="utf-8",
    )
    rows = [["scenario", "label", "assumption", "year", "value", "note"]]
    for name, key, assumption, year, value in (
        ("a", "scenario_a", "tfr", "2030", "1.8"),
        ("b", "scenario_b", "migration", "2025", "0.5"),
        ("c", "scenario_c", "settlers_per_year", "2025", "100"),
    ):
        rows.append([name, words[key], assumption, year, value, words["note"]])
    scenario_file = inputs / f"{words['file']} scenarios.csv"
    with scenario_file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    actuals = inputs / f"{words['file']} actuals.csv"
    with actuals.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["kpi_id", "fiscal_year", "value", "note"], ["K02", "2024", "11", words["note"]]]
        )
    vision_options = (
        ["--vision-from-scenario", "b"]
        if from_scenario
        else ["--vision", str(vision), "--vision-label", words["vision_label"]]
    )
    result = project.cli(
        "reports", *vision_options,
        "--projection", str(projection_file), "--projection-label", words["projection_label"],
        "--age-sex", str(workbook), "--age-sex-label", words["age_sex_label"], "--survival", str(survival_file(inputs)),
        "--projection-settings", str(settings), "--scenarios", str(scenario_file),
        "--actuals", str(actuals),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _pair(factory: pytest.TempPathFactory, from_scenario: bool) -> tuple[Project, Project]:
    built = []
    for name, words in (("plain", PLAIN), ("hostile", HOSTILE)):
        folder = factory.mktemp(name)
        project = copy_checkout(folder / "人口 分析")
        _build(project, words, folder / "inputs", from_scenario)
        built.append(project)
    return built[0], built[1]


@pytest.fixture(scope="module", params=["vision file", "vision from a scenario"])
def runs(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Project, Project]:
    return _pair(tmp_path_factory, request.param == "vision from a scenario")


def test_no_report_has_an_element_or_link_the_project_did_not_write(
    runs: tuple[Project, Project],
) -> None:
    plain, hostile = runs
    pages = sorted(p.name for p in plain.reports.glob("*.html"))
    assert pages == sorted(p.name for p in hostile.reports.glob("*.html"))
    assert {"population.html", "revision.html", "projection.html", "kpi.html"} <= set(pages)
    for name in pages:
        expected, found = elements(plain.reports / name), elements(hostile.reports / name)
        assert found.tags == expected.tags, name
        assert found.links == expected.links, name


def test_the_text_reads_as_typed(runs: tuple[Project, Project]) -> None:
    _, hostile = runs
    text = {
        p.name: re.sub(r"\s+", " ", "".join(elements(p).text))
        for p in hostile.reports.glob("*.html")
    }
    from_scenario = "将来展望（" in text["population.html"]
    vision = f"将来展望（{HOSTILE['scenario_b']}）" if from_scenario else HOSTILE["vision_label"]
    assert vision in text["population.html"]
    assert vision in text["revision.html"]
    assert HOSTILE["projection_label"] in text["population.html"]
    for key in ("scenario_a", "scenario_b", "scenario_c"):
        assert HOSTILE[key] in text["projection.html"], key
    assert f"{HOSTILE['age_sex_label']}による将来推計" in text["population.html"]
    # No stray escapes: a backslash only where one was typed.
    for name, page in text.items():
        assert "\\*" not in page and "\\_" not in page and "\\." not in page, name


def test_no_workbook_cell_is_a_formula_and_no_csv_cell_starts_one(
    runs: tuple[Project, Project],
) -> None:
    _, hostile = runs
    book = openpyxl.load_workbook(hostile.reports / "tables.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    for key in (
        "projection_label",
        "scenario_a",
        "scenario_b",
        "scenario_c",
        "note",
    ):
        assert HOSTILE[key] in values, key
    for path in hostile.processed.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                assert not [c for c in row if c[:1] in ("=", "+", "@")], path


def test_notebooks_pass_no_text_of_their_own_making_through_markdown() -> None:
    """A report notebook may show Markdown only for a literal written in it: anything
    computed (and so possibly holding user text) goes through display.paragraph/bullets."""
    notebooks = sorted((ROOT / "notebooks").rglob("*.py"))
    assert len(notebooks) >= 6, (
        notebooks
    )  # reports/ and explore/: a glob that finds none proves nothing
    for notebook in notebooks:
        tree = ast.parse(notebook.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Markdown":
                literals = [
                    a for a in ast.walk(node.args[0]) if isinstance(a, ast.Constant)
                ]  # fmt: skip
                computed = [
                    a
                    for a in ast.walk(node.args[0])
                    if isinstance(
                        a, ast.JoinedStr | ast.Name | ast.Call | ast.BinOp | ast.Attribute
                    )
                ]
                assert literals and not computed, f"{notebook.name}:{node.lineno}"
