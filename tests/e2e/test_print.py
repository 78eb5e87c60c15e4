"""The reports printed to A4 PDF and read back: page counts, table cells, headings."""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Project

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium here to print with (.ci/run installs Debian's chromium package)",
)

PAGES = {"population": (4, 14), "kpi": (6, 22), "revision": (2, 6), "projection": (6, 24)}
"""Page count bounds per report: fewer means content went missing, more means pages of
almost nothing (or a table cut into strips)."""
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
FOOTER = re.compile(r"^\d+ / \d+$")


@dataclass
class Line:
    page: int
    top: float
    """Distance from the top of the page (pt)."""
    text: str


@dataclass
class Block:
    page: int
    top: float


@functools.cache
def read_pdf(path: Path) -> tuple[list[Line], list[Block], int]:
    """Every text line and every picture of the PDF, with its page and position (read once
    per test process: the three checks of a report share it)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTFigure, LTImage, LTTextBox, LTTextLine

    lines: list[Line] = []
    pictures: list[Block] = []
    pages = 0
    for number, page in enumerate(extract_pages(str(path)), start=1):
        pages = number
        height = page.height

        def walk(item: object, page_number: int = number, page_height: float = height) -> None:
            if isinstance(item, LTTextLine):
                text = item.get_text().strip()
                if text and not FOOTER.match(text):
                    lines.append(Line(page_number, page_height - item.y1, text))
                return
            if isinstance(item, (LTFigure, LTImage)):
                pictures.append(Block(page_number, page_height - item.y1))
            if isinstance(item, (LTTextBox, LTFigure)) or hasattr(item, "__iter__"):
                for child in item:  # type: ignore[attr-defined]
                    walk(child)

        walk(page)
    return lines, pictures, pages


class _Structure(HTMLParser):
    """The headings of a report and the whole texts of its table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.cells: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "td", "th"):
            self._in = tag
            (self.cells if tag in ("td", "th") else self.headings).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in in ("td", "th"):
            self.cells[-1] += data
        elif self._in:
            self.headings[-1] += data


def structure(html: Path) -> _Structure:
    parser = _Structure()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser


def headings(html: Path) -> list[str]:
    return [h.replace("¶", "").strip() for h in structure(html).headings if h.strip()]


@pytest.fixture
def printed(full_project: Project) -> Project:
    """Every report (a revised vision, age × sex data and own scenarios), printed."""
    return full_project


@pytest.mark.parametrize("name", list(PAGES))
def test_each_report_prints_to_a4_within_its_page_bounds(printed: Project, name: str) -> None:
    _, _, pages = read_pdf(printed.reports / "pdf" / f"{name}.pdf")
    low, high = PAGES[name]
    if name == "revision":  # the bound is per comparison: this run compares three pairs
        compared = [h for h in headings(printed.reports / f"{name}.html") if h.endswith("の比較")]
        assert len(compared) >= 1
        high *= len(compared)
    assert low <= pages <= high, f"{name}.pdf has {pages} pages"


@pytest.mark.parametrize("name", list(PAGES))
def test_no_printed_line_is_a_lone_japanese_character(printed: Project, name: str) -> None:
    """A word split one character per line (検/査, 一関/市) is a column too narrow."""
    lines, _, _ = read_pdf(printed.reports / "pdf" / f"{name}.pdf")
    whole = {c.strip() for c in structure(printed.reports / f"{name}.html").cells}
    lone = [
        f"p.{line.page}: {line.text}"
        for line in lines
        if len(line.text) == 1 and JAPANESE.match(line.text) and line.text not in whole
    ]
    assert lone == []


@pytest.mark.parametrize("name", list(PAGES))
def test_every_heading_is_followed_on_its_page_by_content(printed: Project, name: str) -> None:
    lines, pictures, _ = read_pdf(printed.reports / "pdf" / f"{name}.pdf")
    orphans = []
    for heading in headings(printed.reports / f"{name}.html"):
        found = [line for line in lines if line.text.replace(" ", "") == heading.replace(" ", "")]
        for line in found:
            below = [o for o in lines if o.page == line.page and o.top > line.top + 1]
            below += [p for p in pictures if p.page == line.page and p.top > line.top + 1]
            if not below:
                orphans.append(f"p.{line.page}: {heading}")
    assert orphans == []


@pytest.fixture(scope="module")
def measured(full_project: Project) -> dict[str, list[tuple[int, bool, str]]]:
    """Every report table's right edge at the A4 portrait width (print media), and whether
    it is marked wide; one browser for all reports."""
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 680, "height": 1000})
            for name in PAGES:
                page.goto((full_project.reports / f"{name}.html").as_uri(), wait_until="load")
                page.emulate_media(media="print")
                found[name] = page.evaluate(
                    "() => [...document.querySelectorAll('table.report-table')].map(e => ["
                    "Math.round(e.getBoundingClientRect().right), e.classList.contains('report-wide'),"
                    "(e.querySelector('caption') || {}).textContent])"
                )
        finally:
            browser.close()
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_a_table_prints_landscape_exactly_when_it_is_too_wide_for_portrait(
    measured: dict[str, list[tuple[int, bool, str]]], name: str
) -> None:
    """Measured in Chromium at the A4 portrait width: a table marked wide that would fit
    makes a landscape page of almost nothing; one too wide but not marked is cut off."""
    wrong = [
        (caption, right, wide) for right, wide, caption in measured[name] if wide != (right > 682)
    ]
    assert wrong == []


QUARTER = 0.25
"""A page less full than this (of the height between the margins) is a page of almost nothing."""


def _extent(item: object, height: float, tops: list[float], bottoms: list[float]) -> None:
    """Collect the tops and bottoms (pt from the page's top) of ``item``'s content."""
    from pdfminer.layout import LTCurve, LTFigure, LTImage, LTTextLine

    if isinstance(item, LTTextLine):
        text = item.get_text().strip()
        if text and not FOOTER.match(text):
            tops.append(height - item.y1)
            bottoms.append(height - item.y0)
        return
    if isinstance(item, LTCurve) and item.height > 0.8 * height:
        return  # the page's background (a filled rectangle over the whole content area)
    if isinstance(item, (LTFigure, LTImage, LTCurve)):
        tops.append(height - item.y1)
        bottoms.append(height - item.y0)
        if not isinstance(item, LTFigure):
            return
    if hasattr(item, "__iter__"):
        for child in item:  # type: ignore[attr-defined]
            _extent(child, height, tops, bottoms)


@functools.cache
def page_extents(path: Path) -> list[tuple[float, float, float]]:
    """Per page: (top of its content, bottom of its content, page height), in pt from the top;
    the footer (「n / m」) is not content. Text lines, pictures and drawn rules (table borders,
    shaded rows) all count."""
    from pdfminer.high_level import extract_pages

    found = []
    for page in extract_pages(str(path)):
        tops: list[float] = []
        bottoms: list[float] = []
        _extent(page, page.height, tops, bottoms)
        found.append((min(tops, default=0.0), max(bottoms, default=0.0), page.height))
    return found


def fullness(path: Path) -> list[float]:
    """How full each page is: its content's extent over the height between the margins (the
    margins taken from the document itself: its highest content top on any page)."""
    extents = page_extents(path)
    margin = min((top for top, bottom, _ in extents if bottom > top), default=0.0)
    return [
        max(0.0, bottom - margin) / (height - 2 * margin) if height > 2 * margin else 1.0
        for _, bottom, height in extents
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_is_less_than_a_quarter_full_except_the_last(printed: Project, name: str) -> None:
    """A page of a heading and a few lines before a landscape page, or after an orphaned
    heading, reads as a mistake: every page but the last of a report is at least a quarter
    full (the content's lowest point, measured in the PDF)."""
    shares = fullness(printed.reports / "pdf" / f"{name}.pdf")
    thin = [
        f"p.{n}: {share:.0%}" for n, share in enumerate(shares[:-1], start=1) if share < QUARTER
    ]
    assert thin == []


def test_no_page_of_the_four_proof_runs_is_less_than_a_quarter_full(proof_run: Project) -> None:
    """The same in the four runs of the proof (the default; a scenario made the vision; a
    partial revision; example KPI actuals): every report, every page but its last."""
    thin = []
    for pdf in sorted((proof_run.reports / "pdf").glob("*.pdf")):
        shares = fullness(pdf)
        thin += [f"{pdf.stem} p.{n}: {s:.0%}" for n, s in enumerate(shares[:-1], 1) if s < QUARTER]
    assert thin == []
