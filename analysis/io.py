"""Reading input files as planners save them, and writing outputs safely.

:func:`read_sheets` turns a CSV file or an Excel workbook into grids of text
cells, one per sheet, with the row numbers a person sees in their editor, so
that every error can name ``file:line`` or ``file.xlsx[sheet]!C9``. Finding
the table inside a grid (title rows, wide or long layouts, Japanese headers)
is :mod:`analysis.layouts`' job.

Writers never leave a half-written file and never write anything a
spreadsheet would execute: CSV text cells that begin with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) get a leading apostrophe, as the OWASP
guidance on CSV injection advises.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from analysis.findings import Finding, Locator
from analysis.paths import display_path

if TYPE_CHECKING:
    import pandas as pd

LINE = "_line"
"""Column added by the readers: the line in the file (CSV) or the sheet row (Excel)."""

_ENCODINGS = ("utf-8-sig", "cp932")
"""UTF-8 (with or without BOM) first, then Shift_JIS as Japanese Excel saves it."""

Cell = str | None


class InputError(ValueError):
    """An input file that cannot be used at all; its message is one line naming the place."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))


def file_error(
    path: Path | str, check: str, line: int | None = None, **params: object
) -> InputError:
    return InputError(Finding("error", display_path(path), line, "-", check, params))


@dataclass
class Sheet:
    """The cells of one CSV file or one worksheet, as text (``None`` for an empty cell)."""

    where: str
    """How messages name it: ``data/raw/x.csv`` or ``x.xlsx[Sheet1]``."""
    name: str
    """The worksheet name ('' for a CSV file)."""
    rows: list[list[Cell]]
    lines: list[int]
    """The line (CSV) or row (Excel) number of each row in ``rows``."""
    excel: bool


def check_readable(path: Path) -> None:
    """Raise the one-line error for a path that is missing, a folder, or not readable."""
    if not path.exists():
        raise file_error(path, "file-not-found")
    if path.is_dir():
        raise file_error(path, "is-directory")
    if not os.access(path, os.R_OK):
        raise file_error(path, "no-permission")


def read_sheets(path: Path | str) -> list[Sheet]:
    """Every sheet of an .xlsx workbook, or the one sheet of a CSV file."""
    path = Path(path)
    check_readable(path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            return _read_workbook(path)
        if suffix in {".csv", ".txt"}:
            return [_read_csv(path)]
    except PermissionError:
        raise file_error(path, "no-permission") from None
    except OSError as error:
        raise file_error(
            path, "read-failed", detail=error.strerror or type(error).__name__
        ) from None
    if suffix == ".xls":
        raise file_error(path, "xls-format")
    raise file_error(path, "unsupported-type", suffix=suffix or "（なし）")


def decode_text(raw: bytes, path: Path) -> str:
    """Decode a CSV file in UTF-8 (BOM optional) or Shift_JIS (cp932)."""
    if b"\x00" in raw[:8192]:  # a workbook, a PDF or an image saved as .csv
        raise file_error(path, "binary")
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error(path, "decode", line=1)


def _read_csv(path: Path) -> Sheet:
    text = decode_text(path.read_bytes(), path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[Cell]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append([cell.strip() or None for cell in record])
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        if "end of data" in str(error) or "EOF" in str(error):
            raise file_error(path, "csv-quote", line=start) from None
        raise file_error(path, "read-failed", line=start, detail=str(error)) from None
    return Sheet(display_path(path), "", rows, lines, excel=False)


def _read_workbook(path: Path) -> list[Sheet]:
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation and styles it does not use.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, data_only=True)
    except PermissionError:
        raise
    except Exception as error:  # openpyxl raises many types on a damaged or fake file
        raise file_error(path, "bad-xlsx", detail=type(error).__name__) from None
    sheets = []
    for worksheet in workbook.worksheets:
        grid = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        for merged in worksheet.merged_cells.ranges:
            # openpyxl keeps a merged block's value in its top-left cell only.
            value = (
                grid[merged.min_row - 1][merged.min_col - 1]
                if merged.min_row <= len(grid)
                else None
            )
            for row in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                cells = grid[row]
                cells.extend([None] * (merged.max_col - len(cells)))
                for column in range(merged.min_col - 1, merged.max_col):
                    cells[column] = value
        kept = [(number, row) for number, row in enumerate(grid, start=1) if any(row)]
        sheets.append(
            Sheet(
                f"{display_path(path)}[{worksheet.title}]",
                worksheet.title,
                [row for _, row in kept],
                [number for number, _ in kept],
                excel=True,
            )
        )
    workbook.close()
    return sheets


def _cell_text(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    return str(value)


def used_width(cells: list[Cell]) -> int:
    """How many cells a row uses (trailing empty cells do not count)."""
    used = len(cells)
    while used and cells[used - 1] is None:
        used -= 1
    return used


def check_widths(sheet: Sheet, first: int, width: int) -> None:
    """In a CSV file, a row with more values than the header has columns is an error.

    (A stray comma or quote shifts every value after it.) Rows from ``first`` on
    are checked; a workbook may have notes beside its table, so it is not.
    """
    if sheet.excel:
        return
    for row, line in zip(sheet.rows[first:], sheet.lines[first:], strict=True):
        used = used_width(row)
        if used > width:
            raise InputError(
                Finding("error", sheet.where, line, "-", "csv-fields",
                        {"found": used, "expected": width})
            )  # fmt: skip


def read_records(path: Path | str) -> pd.DataFrame:
    """A plain table whose first row is the header (the project's own files in data/raw/).

    Every cell is text (``None`` when empty) and ``_line`` holds the line number.
    """
    import pandas as pd

    path = Path(path)
    sheet = read_sheets(path)[0]
    if not sheet.rows:
        return pd.DataFrame({LINE: pd.Series([], dtype="int64")})
    header = [str(c) if c is not None else "" for c in sheet.rows[0]]
    del header[used_width(sheet.rows[0]) :]
    check_widths(sheet, 1, len(header))
    body = [
        row[: len(header)] + [None] * (len(header) - min(len(row), len(header)))
        for row in sheet.rows[1:]
    ]
    frame = pd.DataFrame(body, columns=header, dtype="string")
    frame.insert(0, LINE, pd.Series(sheet.lines[1:], dtype="int64"))
    return frame


def locate_records(file: str, frame: pd.DataFrame, column: str) -> Locator:
    """Where the cells of ``column`` of a :func:`read_records` table stand (file, line)."""

    def locator(positions: Any) -> tuple[list[str], list[int | None], list[str], list[str]]:
        lines = frame[LINE].to_numpy()[positions]
        count = len(lines)
        return [file] * count, [int(x) for x in lines], [column] * count, [""] * count

    return locator


def column_letter(index: int) -> str:
    """Excel's name of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# ---------------------------------------------------------------- writing


def sync_file(path: Path) -> None:
    """Flush a file's content to the disk (before a rename makes it the real one)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return  # a file that is gone is reported by whoever moves it
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only on success.

    A failure or Ctrl-C leaves the previous ``target`` untouched and no partial
    file: the temporary file is created by the writer inside the ``with`` block
    and removed on the way out unless it was moved into place.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        yield temporary
        sync_file(temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def atomic_open(target: Path | str, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temporary text file beside ``target``; replace ``target`` on success."""
    with atomic_path(target) as temporary, temporary.open("w", encoding=encoding) as handle:
        yield handle


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet treat a text cell as a formula (OWASP, CSV injection)."""


def neutralise_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with an apostrophe.

    Only text columns are touched: a negative number stays a number.
    """
    import pandas as pd

    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        text = series.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
        if risky.any():
            result[column] = series.astype(object).where(~risky, "'" + text.astype(object))
    return result


def write_csv(frame: pd.DataFrame, target: Path | str) -> None:
    """Write a UTF-8 CSV with BOM (so Excel opens the Japanese text), formula-safe, atomically."""
    with atomic_path(target) as temporary:
        neutralise_text(frame).to_csv(
            temporary, index=False, encoding="utf-8-sig", lineterminator="\n"
        )
