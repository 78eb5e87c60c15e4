"""The run's Excel workbook (``reports/tables.xlsx``), written with XlsxWriter.

A first sheet 「この表について」 describes every sheet and column (the data dictionary),
then one sheet per table: Japanese headers and edition names, numbers as numbers
formatted by their unit, the header row frozen and filtered, ready to print on A4.

Two properties come from XlsxWriter's options rather than from code of our own:

- No cell is ever a formula or a link: with ``strings_to_formulas`` and ``strings_to_urls``
  off, text a planner typed (「=HYPERLINK(…)」, 「http://…」) is written as text.
- The same tables give the same bytes: XlsxWriter dates every part of the zip 1980-01-01,
  and the document's creation date (``docProps/core.xml``) is fixed here.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core import precision
from analysis.inputs.io import atomic_path
from analysis.report import dictionary
from analysis.report.labels import COLUMN_LABELS, japanese

ABOUT_SHEET = "この表について"

EDITION_COLUMNS = ("edition", "baseline", "alternative", "old_edition", "new_edition")

CREATED = datetime.datetime(2024, 3, 21, tzinfo=datetime.UTC)
"""The creation date every workbook states (a real one would change the bytes each run)."""

OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Parts are assembled in memory: no temporary files, whose modes and times could differ.
    "in_memory": True,
}
"""XlsxWriter's workbook options: text stays text, and nothing depends on the machine."""

LANDSCAPE_COLUMNS = 6
"""A sheet with more columns than this prints on landscape A4."""

A4 = 9
"""Excel's paper size code for A4."""

WIDTH_ROWS = 50
"""Column widths follow the longest value among the first rows (the header included)."""


def write(
    tables: dict[str, pd.DataFrame],
    target: Path,
    edition_labels: dict[str, str],
    described: list[dict[str, str]],
) -> None:
    """The workbook of ``tables`` at ``target``, written atomically; ``described`` is the data
    dictionary (one entry per column) and ``edition_labels`` the editions' names by id."""
    with (
        atomic_path(target) as temporary,
        pd.ExcelWriter(
            temporary, engine="xlsxwriter", engine_kwargs={"options": OPTIONS}
        ) as writer,
    ):
        writer.book.set_properties({"author": "ichinoseki-hiraizumi-analysis", "created": CREATED})
        _about_sheet(writer, described)
        formats = _Formats(writer.book)
        for name, frame in tables.items():
            _table_sheet(writer, dictionary.sheet_name(name), frame, edition_labels, formats)


class _Formats:
    """One XlsxWriter format per number format (a workbook keeps a list of distinct ones)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[str, Any] = {}

    def __call__(self, number_format: str) -> Any:
        if number_format not in self.made:
            self.made[number_format] = self.book.add_format({"num_format": number_format})
        return self.made[number_format]


def _about_sheet(writer: pd.ExcelWriter, described: list[dict[str, str]]) -> None:
    """「この表について」: every sheet with what it holds, then each column's unit and meaning."""
    rows = []
    for index, entry in enumerate(described):
        if index == 0 or described[index - 1]["file"] != entry["file"]:
            rows.append([entry["sheet"], "", "", entry["table"], entry["file"], ""])
        rows.append(["", entry["label"], entry["unit"], entry["description"], "", entry["column"]])
    about = pd.DataFrame(
        rows,
        columns=["シート", "列", "単位", "内容", "CSV ファイル（data/processed）", "CSV の列名"],
    )
    about.to_excel(writer, sheet_name=ABOUT_SHEET, index=False)
    worksheet = writer.sheets[ABOUT_SHEET]
    for column, width in enumerate((18, 30, 10, 70, 34, 30)):
        _set_width(worksheet, column, width)
    _sheet_settings(worksheet, len(about), len(about.columns))


def _table_sheet(
    writer: pd.ExcelWriter,
    sheet: str,
    frame: pd.DataFrame,
    edition_labels: dict[str, str],
    formats: _Formats,
) -> None:
    """One table: pandas writes headers and values, then the cells that need a number format
    (or hold a number written as text) are written again with it."""
    shown = japanese(frame)
    for name in EDITION_COLUMNS:
        if name in frame:
            shown[COLUMN_LABELS.get(name, name)] = frame[name].map(
                lambda v: edition_labels.get(v, v)
            )
    shown.to_excel(writer, sheet_name=sheet, index=False)
    worksheet = writer.sheets[sheet]
    cells = _cell_values(shown)
    columns = [cells.iloc[:, position].to_list() for position in range(len(cells.columns))]
    for row, position, number_format in _number_formats(frame, shown, cells):
        worksheet.write(row + 1, position, columns[position][row], formats(number_format))
    for position, width in enumerate(_column_widths(shown, cells)):
        _set_width(worksheet, position, width)
    _sheet_settings(worksheet, len(shown), len(shown.columns))


DIGIT_PIXELS = 7
"""How wide Excel draws a digit of the default font (Calibri 11), in pixels."""


def _set_width(worksheet: Any, column: int, width: float) -> None:
    """A column as wide as Excel draws a stored width of ``width`` characters (width × 7
    pixels), the widths this workbook has always had. XlsxWriter's ``set_column`` takes the
    width Excel's dialog shows, which it stores 5 pixels of padding wider."""
    worksheet.set_column_pixels(column, column, round(width * DIGIT_PIXELS))


def _sheet_settings(worksheet: Any, rows: int, columns: int) -> None:
    """The header row frozen and filtered; a sheet that prints: A4, landscape when wide, every
    column on the page's width (as many pages down as needed), the header row on every page."""
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, rows, max(columns - 1, 0))
    worksheet.set_paper(A4)
    if columns > LANDSCAPE_COLUMNS:
        worksheet.set_landscape()
    else:
        worksheet.set_portrait()
    worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(0)


_NUMBER_TEXT = re.compile(r"[+-]?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?")
"""A number written as text (「11」, 「1,234」, 「-3.5」); not a code with a leading zero."""


def _cell_values(shown: pd.DataFrame) -> pd.DataFrame:
    """Each body cell's value as the workbook holds it: None when empty, ±inf as the text
    pandas writes for it, and text that is a number (a column mixing numbers and words, such
    as 注記 or 意見件数) as that number, so that Excel sums and sorts it."""
    values = shown.astype(object).where(shown.notna(), None)
    for column in range(len(shown.columns)):
        numeric = pd.api.types.is_numeric_dtype(shown.iloc[:, column])
        converted = [_cell_value(v, numeric) for v in values.iloc[:, column].to_list()]
        values.isetitem(column, pd.Series(converted, index=values.index, dtype=object))
    return values


def _cell_value(value: object, numeric: bool) -> object:
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if not numeric and isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        number = float(value.strip().replace(",", ""))
        return int(number) if number.is_integer() else number
    return value


def _number_formats(
    frame: pd.DataFrame, shown: pd.DataFrame, cells: pd.DataFrame
) -> Iterator[tuple[int, int, str]]:
    """(row, column, number format) of each body cell that has one (0-based, header excluded).

    Each numeric column is formatted by its unit (see :func:`_column_format`), a whole number
    in a column of fractions without a decimal point; a column whose unit depends on the row
    (the 目標 table: people or %) row by row; a number written as text 「#,##0」 or 「#,##0.0#」.
    """
    by_row = (
        frame["quantity"]
        .map({"population": precision.excel("people"), "aging_rate": precision.excel("percent")})
        .to_list()
        if "quantity" in frame
        else None
    )
    for position, column in enumerate(frame.columns):
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        fixed = _column_format(str(column), values) if numeric else ""
        per_row = by_row is not None and column in {"target", "vision_value", "difference"}
        text = not pd.api.types.is_numeric_dtype(shown.iloc[:, position])
        written = shown.iloc[:, position].to_list()  # lists: cell by cell, .iat is slow
        for row, value in enumerate(cells.iloc[:, position].to_list()):
            chosen = by_row[row] if by_row is not None and numeric and per_row else fixed
            if fixed == "#,##0.0#" and _whole(value):
                chosen = "#,##0"  # some values whole, some not: a whole one shows no ".0"
            if text and isinstance(written[row], str) and _number(value):
                chosen = "#,##0" if _whole(value) else "#,##0.0#"
            if chosen:
                yield row, position, chosen


def _column_format(column: str, values: pd.Series) -> str:
    """A numeric column's format by its unit; whole numbers (取組番号, 件数, 段階, years)
    never show a decimal point, and a year shows no thousands separator."""
    fixed = dictionary.number_format(column)
    finite = values.dropna().astype("float64")
    if fixed == "#,##0.0#" and len(finite) and (finite == finite.round()).all():
        named = f"{column} {COLUMN_LABELS.get(column, '')}"
        yearly = ("year" in named or "年" in named) and bool(finite.between(1900, 2200).all())
        return "0" if yearly else "#,##0"
    return fixed


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: object) -> bool:
    return _number(value) and math.isfinite(value) and float(value).is_integer()  # type: ignore[arg-type]


def _column_widths(shown: pd.DataFrame, cells: pd.DataFrame) -> list[float]:
    """Each column's width: its longest value among the first :data:`WIDTH_ROWS` rows (the
    header included; an empty cell, 0 and FALSE count as nothing) × 1.6, between 8 and 60."""
    widths = []
    for position, header in enumerate(shown.columns):
        values = [header, *cells.iloc[: WIDTH_ROWS - 1, position]]
        longest = max(len(str(value or "")) for value in values)
        widths.append(min(60, max(8, longest * 1.6)))
    return widths
