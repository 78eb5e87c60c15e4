"""The workbook (``analysis.report.workbook``), written from small tables without a run: the same
bytes every time, text that stays text, numbers formatted by their unit, sheets that print."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.report import dictionary, workbook

TYPED = [
    "=1+1",
    '=HYPERLINK("http://a.example","開く")',
    "http://b.example/?q=1",
    "www.c.example",
    "mailto:d@example.com",
    "+1（前年比）",
    "@SUM(1+1)",
]
"""Text a planner may type that a spreadsheet could take for a formula or a link."""

NUMBER_TEXT = ["11", "1,234", "-3.5", "012", "約5千"]


def tables() -> dict[str, pd.DataFrame]:
    notes = len(TYPED) + len(NUMBER_TEXT)
    return {
        "population_targets": pd.DataFrame(
            {
                "municipality": ["一関市", "一関市"],
                "year": [2028, 2028],
                "quantity": ["population", "aging_rate"],
                "target": [94000.0, 40.5],
                "vision_value": [95123.0, 41.25],
                "difference": [1123.0, 0.75],
                "source_line": [3, 4],
            }
        ),
        "kpi_notes": pd.DataFrame(
            {
                "topic": ["note"] * notes,
                "kpi_id": [f"K{i:02}" for i in range(notes)],
                "note": TYPED + NUMBER_TEXT,
            }
        ),
        "kpi_comments": pd.DataFrame(
            {"kind": ["a", "b", "c"], "count": [1.0, 2.5, None], "source_line": [2, 3, 4]}
        ),
    }


def written(folder: Path, name: str = "tables.xlsx") -> Path:
    frames = tables()
    described = dictionary.entries({n: list(f.columns) for n, f in frames.items()})
    target = folder / name
    workbook.write(frames, target, {}, described)
    return target


def test_the_same_tables_give_the_same_bytes(tmp_path: Path) -> None:
    first = written(tmp_path, "first.xlsx")
    second = written(tmp_path, "second.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-21T00:00:00Z' in core
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["first.xlsx", "second.xlsx"], "no temporary file beside the workbook"


def test_text_a_planner_typed_stays_text_never_a_formula_or_a_link(tmp_path: Path) -> None:
    path = written(tmp_path)
    book = openpyxl.load_workbook(path)
    notes = book[dictionary.sheet_name("kpi_notes")]
    column = [c.value for c in notes[1]].index("備考") + 1
    cells = [notes.cell(row=r, column=column) for r in range(2, 2 + len(TYPED))]
    assert [c.value for c in cells] == TYPED
    assert {c.data_type for c in cells} == {"s"}
    assert not [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.hyperlink]
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not [n for n in sheets if b"<f>" in archive.read(n)]
        assert not [
            n for n in archive.namelist() if "rels" in n and b"hyperlink" in archive.read(n)
        ]


def test_numbers_are_numbers_formatted_by_their_unit(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(written(tmp_path))

    def column(table: str, header: str) -> list[tuple[object, str]]:
        sheet = book[dictionary.sheet_name(table)]
        position = [c.value for c in sheet[1]].index(header) + 1
        return [
            (
                sheet.cell(row=r, column=position).value,
                sheet.cell(row=r, column=position).number_format,
            )
            for r in range(2, sheet.max_row + 1)
        ]

    # The target table's unit depends on the row: people, then an aging rate.
    assert column("population_targets", "目標値") == [(94000, "#,##0"), (40.5, "0.00")]
    assert column("population_targets", "年") == [(2028, "0"), (2028, "0")]
    # A column of fractions: a whole one without ".0"; an empty cell keeps the column's format.
    assert column("kpi_comments", "件数") == [(1, "#,##0"), (2.5, "#,##0.0#"), (None, "#,##0.0#")]
    # Numbers written as text become numbers; a code with a leading zero and words stay text.
    assert column("kpi_notes", "備考")[len(TYPED) :] == [
        (11, "#,##0"),
        (1234, "#,##0"),
        (-3.5, "#,##0.0#"),
        ("012", "General"),
        ("約5千", "General"),
    ]


@pytest.mark.parametrize(
    ("table", "orientation", "last"),
    [("population_targets", "landscape", "G3"), ("kpi_comments", "portrait", "C4")],
)
def test_every_sheet_prints_on_a4_with_its_header_frozen_filtered_and_repeated(
    tmp_path: Path, table: str, orientation: str, last: str
) -> None:
    book = openpyxl.load_workbook(written(tmp_path))
    assert book.sheetnames[0] == workbook.ABOUT_SHEET
    for sheet in (book[workbook.ABOUT_SHEET], book[dictionary.sheet_name(table)]):
        assert sheet.freeze_panes == "A2"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToHeight == 0  # as many pages down as needed
        assert sheet.page_setup.fitToWidth in (None, 1)  # one page wide (1 is the default)
        assert sheet.print_title_rows == "$1:$1"
    sheet = book[dictionary.sheet_name(table)]
    assert sheet.page_setup.orientation == orientation
    assert sheet.auto_filter.ref == f"A1:{last}"


def test_columns_are_as_wide_as_their_longest_value_within_bounds(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(written(tmp_path))

    def widths(sheet: str) -> dict[str, float]:
        found = {}
        for dimension in book[sheet].column_dimensions.values():
            for index in range(dimension.min, dimension.max + 1):
                found[openpyxl.utils.get_column_letter(index)] = round(dimension.width * 7)
        return found

    # Stored widths (in characters) as Excel draws them, 7 pixels each.
    assert widths(workbook.ABOUT_SHEET) == {
        letter: width * 7 for letter, width in zip("ABCDEF", (18, 30, 10, 70, 34, 30), strict=True)
    }
    notes = widths(dictionary.sheet_name("kpi_notes"))
    longest = max(len(t) for t in TYPED)
    assert notes["C"] == round(longest * 1.6 * 7)  # the longest note
    assert notes["B"] == 8 * 7  # 「K00」: the narrowest a column gets
