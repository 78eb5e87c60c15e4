"""The council's proof, run by run (issue 22): every number of every table in the printed
PDF, every table within its page's width, the 圏域 the sum of its municipalities in every
table, one number for one quantity across the reports, and a proof sheet of every page.

The four runs (``proof_run`` in conftest): the default; age × sex data with the guidance's
scenarios and a planner's own scenario made the vision; a partial revision (一関市 only,
2035 missing); the README's example KPI actuals.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Project

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
printing = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium here to print with (.ci/run installs Debian's chromium package)",
)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
MUNICIPALITIES = ("一関市", "平泉町")
REGION = "圏域"
PORTRAIT_PX = 680
"""Content width of an A4 portrait page between the reports' 15 mm margins (CSS px)."""
LANDSCAPE_PX = 1032
"""Content width of an A4 landscape page (297 mm − 2 × 12 mm) in CSS px."""


@dataclass
class Table:
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [cell.strip() for cell in self.rows[0]] if self.rows else []

    @property
    def body(self) -> list[list[str]]:
        return [[cell.strip() for cell in row] for row in self.rows[1:]]


class _Tables(HTMLParser):
    """Every report table (class report-table): its caption and its rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._in: str | None = None
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "report-table" in (dict(attrs).get("class") or ""):
            self.tables.append(Table())
            self._open = True
        elif self._open and tag == "caption":
            self._in = "caption"
        elif self._open and tag == "tr":
            self.tables[-1].rows.append([])
        elif self._open and tag in ("td", "th"):
            self.tables[-1].rows[-1].append("")
            self._in = "cell"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "caption"):
            self._in = None
        elif tag == "table":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.tables[-1].caption += data
        elif self._in == "cell":
            self.tables[-1].rows[-1][-1] += data


def tables(html: Path) -> list[Table]:
    parser = _Tables()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser.tables


def pdf_text(pdf: Path) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(str(pdf)))


def number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("−", "-").rstrip("人%")
    try:
        return float(cleaned)
    except ValueError:
        return None


def reports(run: Project) -> list[Path]:
    found = sorted(run.reports.glob("*.html"))
    assert found, "the run made no report"
    return found


# ---------------------------------------------------------------- 1. nothing cut off


@printing
def test_every_number_of_every_table_is_in_the_printed_pdf(proof_run: Project) -> None:
    """A number cut off at the page edge (a column lost on a landscape page) is not in the
    PDF's text: every number of every HTML table must be there as often as the tables hold it."""
    missing = {}
    for html in reports(proof_run):
        wanted = Counter(
            n
            for table in tables(html)
            for row in table.rows
            for cell in row
            for n in NUMBER.findall(cell)
        )
        printed = Counter(NUMBER.findall(pdf_text(proof_run.reports / "pdf" / f"{html.stem}.pdf")))
        lost = {n: k - printed[n] for n, k in wanted.items() if printed[n] < k}
        if lost:
            missing[html.stem] = lost
    assert missing == {}


@printing
def test_every_table_fits_the_width_of_its_page(proof_run: Project) -> None:
    """Measured in Chromium with print styles: a table on a portrait page within 680 px, one
    marked wide (printed on a landscape page) within the landscape width."""
    from playwright.sync_api import sync_playwright

    script = (
        "() => [...document.querySelectorAll('table.report-table')].map(e => ["
        "e.getBoundingClientRect().right - document.body.getBoundingClientRect().left,"
        "e.classList.contains('report-wide'), (e.querySelector('caption') || {}).textContent])"
    )
    too_wide = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        try:
            for width in (PORTRAIT_PX, LANDSCAPE_PX):
                page = browser.new_page(viewport={"width": width, "height": 1000})
                page.emulate_media(media="print")
                for html in reports(proof_run):
                    page.goto(html.as_uri(), wait_until="load")
                    for right, wide, caption in page.evaluate(script):
                        if wide == (width == LANDSCAPE_PX) and right > width + 1:
                            too_wide.append(f"{html.stem}: {caption} {right:.0f} px > {width}")
                page.close()
        finally:
            browser.close()
    assert too_wide == []


@printing
def test_the_proof_sheet_shows_every_page_of_every_report(proof_run: Project) -> None:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    from PIL import Image

    from analysis.run.proof import GAP, LABEL, PAGE_HEIGHT, PER_ROW

    rows = 0
    for html in reports(proof_run):
        document = pdfium.PdfDocument(str(proof_run.reports / "pdf" / f"{html.stem}.pdf"))
        rows += -(-len(document) // PER_ROW)
        document.close()
    with Image.open(proof_run.reports / "pdf" / "proof.png") as sheet:
        bands = len(reports(proof_run))
        assert sheet.height == GAP + bands * (LABEL + GAP) + rows * (PAGE_HEIGHT + LABEL)
        # Not blank: the pages are drawn (white paper with dark text on a grey ground).
        colours = sheet.convert("L").getextrema()
        assert colours[0] < 80 and colours[1] == 255


# ---------------------------------------------------------------- 3. one number everywhere


def _key_columns(table: Table, municipality: int) -> list[int]:
    """The columns that say what a row is (text, years), besides the municipality."""
    keys = []
    for i, name in enumerate(table.header):
        if i == municipality:
            continue
        values = [row[i] for row in table.body if i < len(row)]
        if name in ("年", "年度") or any(number(v) is None for v in values):
            keys.append(i)
    return keys


def region_mismatches(table: Table) -> list[str]:
    """Rows of ``table`` where the 圏域's count of people differs from the sum of its
    municipalities' (rows matched on every other key column). In a year interpolated
    between published years (marked ○ in 補間値) each count is rounded on its own, so
    there the sum may differ by one person; anywhere else it must be exact."""
    header = table.header
    columns = [
        i
        for i in range(len(header))
        if {row[i] for row in table.body if i < len(row)} & {REGION, *MUNICIPALITIES}
    ]
    if not columns:
        return []
    municipality = columns[0]
    keys = _key_columns(table, municipality)
    groups: dict[tuple[str, ...], dict[str, list[str]]] = {}
    for row in table.body:
        if len(row) == len(header):
            groups.setdefault(tuple(row[k] for k in keys), {})[row[municipality]] = row
    wrong = []
    for key, rows in groups.items():
        if not {REGION, *MUNICIPALITIES} <= set(rows):
            continue
        for i, name in enumerate(header):
            if i in keys or i == municipality or not re.search(r"[（(]人[）)]|人）", name):
                continue
            values = [number(rows[m][i]) for m in (REGION, *MUNICIPALITIES)]
            if None in values:
                continue
            region, *members = values
            marked = "補間値" in header and rows[REGION][header.index("補間値")] == "○"
            rounding = 1 if marked else 0
            if abs(region - sum(members)) > rounding:  # type: ignore[arg-type,operator]
                wrong.append(
                    f"{table.caption} {key} {name}: {region} ≠ {' + '.join(map(str, members))}"
                )
    return wrong


def test_the_region_is_the_sum_of_its_municipalities_in_every_table(proof_run: Project) -> None:
    wrong = [
        f"{html.stem}: {line}"
        for html in reports(proof_run)
        for table in tables(html)
        for line in region_mismatches(table)
    ]
    assert wrong == []


def test_region_check_finds_a_wrong_sum() -> None:
    """The check above can fail: a 圏域 one person off is found."""
    table = Table("t", [["市町", "年", "総人口（人）"], ["一関市", "2028", "101,380"],
                        ["平泉町", "2028", "6,482"], ["圏域", "2028", "107,868"]])  # fmt: skip
    assert len(region_mismatches(table)) == 1
    table.rows[3][2] = "107,862"
    assert region_mismatches(table) == []


def _region_totals(html: Path, caption: str, column: str) -> dict[int, float]:
    """Year → the 圏域's value of ``column`` in the table whose caption starts with
    ``caption`` (rows by 年)."""
    for table in tables(html):
        if table.caption.startswith(caption) and column in table.header:
            year = table.header.index("年")
            value = table.header.index(column)
            return {int(row[year]): number(row[value]) for row in table.body}  # type: ignore[misc]
    raise AssertionError(f"no table {caption} with {column} in {html.name}")


def test_a_scenario_made_the_vision_shows_the_same_numbers_in_every_report(
    proof_run: Project,
) -> None:
    if (
        not (proof_run.reports / "projection.html").exists()
        or not (proof_run.processed / "vision_from_scenario.csv").exists()
    ):
        pytest.skip("this run makes no vision from a scenario")
    import pandas as pd

    written = pd.read_csv(proof_run.processed / "vision_from_scenario.csv", encoding="utf-8-sig")
    region = written[(written["municipality"] == REGION) & (written["age_group"] == "total")]
    expected = dict(
        zip(region["year"].astype(int), region["population"].astype(float), strict=True)
    )
    population = _region_totals(
        proof_run.reports / "population.html", "圏域の年齢3区分別人口（将来展望", "総人口（人）"
    )
    projection_table = next(
        t
        for t in tables(proof_run.reports / "projection.html")
        if t.caption.startswith("圏域の総人口")
    )
    label = next(name for name in projection_table.header if name in _vision_label(proof_run))
    column = projection_table.header.index(label)
    projection = {
        int(row[0]): number(row[column]) for row in projection_table.body if number(row[column])
    }
    # Every year of the vision file, the same integers (the report adds interpolated years).
    assert {y: population.get(y) for y in expected} == expected
    assert projection == {y: expected[y] for y in projection}


def _vision_label(run: Project) -> str:
    text = (run.reports / "population.html").read_text(encoding="utf-8")
    found = re.search(r"圏域の年齢3区分別人口（将来展望（(.+?)））", text)
    assert found, "population.html names no vision made from a scenario"
    return found.group(1)


# ---------------------------------------------------------------- 2. figures readable on paper


def test_the_legibility_check_finds_small_and_overlapping_text() -> None:
    """Every figure a report shows passes :func:`figures.check_legible` (the runs above would
    fail otherwise); here the check itself is shown to fail where it must."""
    import matplotlib.pyplot as plt

    from analysis.report import figures

    figures.setup()
    figure, axis = plt.subplots(figsize=(16, 4))  # printed at 45 %: 8 pt becomes 3.6 pt
    axis.plot([2020, 2070], [1, 2])
    axis.text(2030, 1.5, "目標 107,400人程度", fontsize=8)
    axis.text(2030.2, 1.5, "102,804", fontsize=8)
    problems = figures.legibility(figure)
    assert any("目標 107,400人程度" in p and "pt" in p for p in problems)
    assert any("重なっています" in p and "102,804" in p for p in problems)
    with pytest.raises(figures.Unreadable):
        figures.check_legible(figure, "test")
    figures.enlarge_small_text(figure)
    assert not any("pt（" in p for p in figures.legibility(figure))
    plt.close(figure)


def test_a_tick_label_outside_the_axis_is_not_counted() -> None:
    """matplotlib keeps tick labels beyond the limits without drawing them."""
    import matplotlib.pyplot as plt

    from analysis.report import figures

    figures.setup()
    figure, axes = plt.subplots(1, 2, figsize=(7, 3))
    for axis in axes:
        axis.plot([2020, 2070], [1, 2])
        figures.year_axis(axis)
    figure.tight_layout()
    assert figures.legibility(figure) == []
    plt.close(figure)


# ---------------------------------------------------------------- 5. Excel that prints


def test_the_workbook_prints_and_shows_numbers_as_numbers(proof_run: Project) -> None:
    import openpyxl

    book = openpyxl.load_workbook(proof_run.reports / "tables.xlsx")
    wrong = []
    for sheet in book.worksheets:
        setup = sheet.page_setup
        if not (
            sheet.print_title_rows in ("1:1", "$1:$1")
            and sheet.auto_filter.ref
            and sheet.sheet_properties.pageSetUpPr.fitToPage
            and setup.fitToWidth in (None, 1)  # absent: 1, the file format's default
            and setup.orientation in ("portrait", "landscape")
        ):
            wrong.append(f"{sheet.title}: print settings")
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                value = cell.value
                whole = isinstance(value, (int, float)) and float(value).is_integer()
                if whole and cell.number_format == "#,##0.0#":  # would show 「11.0」
                    wrong.append(
                        f"{sheet.title}!{cell.coordinate}: {value} as {cell.number_format}"
                    )
                if isinstance(value, str) and NUMBER.fullmatch(value) and not value.startswith("0"):
                    wrong.append(f"{sheet.title}!{cell.coordinate}: number as text {value!r}")
    assert wrong[:10] == []
