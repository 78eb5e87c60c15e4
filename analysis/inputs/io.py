"""Reading input files as planners save them, and writing outputs safely.

:func:`read_sheets` turns a CSV file or an Excel workbook into grids of text
cells, one per sheet, with the row numbers a person sees in their editor, so
that every error can name ``file:line`` or ``file.xlsx[sheet]!C9``. Finding
the table inside a grid (title rows, wide or long layouts, Japanese headers)
is :mod:`analysis.inputs.layouts`' job.

Writers never leave a half-written file and never write anything a
spreadsheet would execute: CSV text cells that begin with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) get a leading apostrophe, as the OWASP
guidance on CSV injection advises.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import errno
import io
import os
import re
import stat
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from analysis.core.findings import Finding, Locator
from analysis.core.paths import display_path

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
    return InputError(
        Finding(
            severity="error",
            file=display_path(path),
            line=line,
            column="-",
            check=check,
            params=params,
        )
    )


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


MAX_INPUT_BYTES = 200 * 1024 * 1024
"""The largest input file read (200 MB). A nationwide IPSS workbook is about 10 MB."""

MAX_SHEET_CELLS = 30_000_000
"""The most cell positions a workbook may spread its rows over (all sheets together).

A nationwide workbook (1,741 municipalities) holds about 4 million; a file whose
rows reach further is refused before it exhausts the memory."""


def check_readable(path: Path) -> None:
    """Raise the one-line error for a path that cannot be an input file.

    Only a regular file is read: a folder, a FIFO or a device (which could block
    the run for ever), a symbolic-link loop, a file without read permission, and
    a file above :data:`MAX_INPUT_BYTES` are each refused with their reason.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise file_error(path, "broken-link") from None
        raise file_error(path, "file-not-found") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise file_error(path, "symlink-loop") from None
        raise file_error(
            path, "read-failed", detail=error.strerror or type(error).__name__
        ) from None
    if stat.S_ISDIR(status.st_mode):
        raise file_error(path, "is-directory")
    if not stat.S_ISREG(status.st_mode):
        raise file_error(path, "not-a-regular-file")
    if not os.access(path, os.R_OK):
        raise file_error(path, "no-permission")
    if status.st_size > MAX_INPUT_BYTES:
        raise file_error(
            path,
            "too-large",
            size=f"{status.st_size / 1024 / 1024:,.0f}",
            limit=f"{MAX_INPUT_BYTES // 1024 // 1024}",
        )


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
    if suffix == ".lnk":  # Windows' links are shortcut files, which Python does not follow
        raise file_error(path, "shortcut")
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
    """Every worksheet as text cells, reading only the cells that hold something.

    Read-only mode: openpyxl's normal mode creates an object for every cell of a
    merged range and trusts the declared sheet size, so a 5 KB file merging
    A1:XFD1048576 would take all the memory. Here a sheet's rows are those in the
    file, trailing empty cells dropped, and a merged range is filled only over
    the rows and columns that hold data.
    """
    import warnings
    import zipfile

    import openpyxl

    check_workbook_budget(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation and styles it does not use.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise
    except Exception as error:  # openpyxl raises many types on a damaged or fake file
        raise file_error(path, "bad-xlsx", detail=type(error).__name__) from None
    try:
        budget = [MAX_SHEET_CELLS]  # shared by every sheet of the workbook
        with zipfile.ZipFile(path) as archive:
            parts = {title: part for part, title in _sheet_titles(archive).items()}
            return [
                _read_worksheet(
                    path, worksheet, budget, _merged_ranges(archive, parts.get(worksheet.title))
                )
                for worksheet in workbook.worksheets
            ]
    except InputError:
        raise
    except PermissionError:
        raise
    except Exception as error:  # damage found only when the sheet is read
        raise file_error(path, "bad-xlsx", detail=type(error).__name__) from None
    finally:
        workbook.close()


def _read_worksheet(
    path: Path, worksheet: Any, budget: list[int], merged: list[tuple[int, int, int, int]]
) -> Sheet:
    """One sheet's cells, each ``merged`` range filled with its first cell's value; ``budget``
    holds the cell positions the workbook may still spread over."""
    worksheet.reset_dimensions()  # the declared size may be anything: read what is there
    grid: list[list[Cell]] = []
    for row in worksheet.iter_rows(values_only=True):
        cells = [_cell_text(v) for v in row]
        del cells[used_width(cells) :]
        grid.append(cells)
        budget[0] -= max(len(row), 1)
        if budget[0] < 0:
            raise file_error(
                path, "sheet-too-large", sheet=worksheet.title, limit=f"{MAX_SHEET_CELLS:,}"
            )
    width = max((len(cells) for cells in grid), default=0)
    for min_col, min_row, max_col, max_row in merged:
        # Clipped to the cells that hold data: a merge over the whole sheet is one cell's worth.
        if min_row > len(grid) or min_col > width:
            continue
        value = grid[min_row - 1][min_col - 1] if min_col <= len(grid[min_row - 1]) else None
        last_col = min(max_col, width)
        for cells in grid[min_row - 1 : min(max_row, len(grid))]:
            cells.extend([None] * (last_col - len(cells)))
            cells[min_col - 1 : last_col] = [value] * (last_col - min_col + 1)
    kept = [(number, row) for number, row in enumerate(grid, start=1) if any(row)]
    return Sheet(
        f"{display_path(path)}[{worksheet.title}]",
        worksheet.title,
        [row for _, row in kept],
        [number for number, _ in kept],
        excel=True,
    )


MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
"""The most bytes a workbook's shared strings (``xl/sharedStrings.xml``, uncompressed) may
hold. openpyxl reads them all before the first cell; a nationwide IPSS workbook has well
under 1 MB of them, while a file inflated to hundreds of MB (it compresses to almost
nothing) would take minutes and gigabytes of memory."""

_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _tag_counts(archive: Any, name: str, tag: re.Pattern[bytes]) -> Iterator[int]:
    """How many ``tag`` elements each block of a workbook part's uncompressed bytes adds.

    The tail of the previous block is kept in front, so a tag split between two blocks is
    counted once (in the block where it ends)."""
    carry = b""
    with archive.open(name) as source:
        while block := source.read(1 << 20):
            text = carry + block
            yield sum(1 for match in tag.finditer(text) if match.end() > len(carry))
            carry = text[-32:]


def _parts(archive: Any, prefix: str) -> list[str]:
    return sorted(n for n in archive.namelist() if n.startswith(prefix) and n.endswith(".xml"))


def _sheet_titles(archive: Any) -> dict[str, str]:
    """Worksheet part (``xl/worksheets/sheet1.xml``) → the sheet's title, from the workbook's
    XML (small parts; a part whose title cannot be found keeps its file name)."""
    import html

    try:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        links = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}

    def elements(tag: str, text: str) -> list[dict[str, str]]:
        found = re.finditer(rf"<(?:\w+:)?{tag}\b([^>]*)>", text)
        return [dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1))) for m in found]

    targets = {e.get("Id", ""): e.get("Target", "") for e in elements("Relationship", links)}
    titles = {}
    for sheet in elements("sheet", book):
        target = targets.get(sheet.get("r:id", ""), "").lstrip("/")
        titles[target if target.startswith("xl/") else f"xl/{target}"] = html.unescape(
            sheet.get("name", "")
        )
    return titles


def check_workbook_budget(path: Path) -> None:
    """Refuse a workbook whose shared strings or cells exceed the budget, before openpyxl
    reads any of it (:data:`MAX_SHARED_STRINGS_BYTES`, :data:`MAX_SHEET_CELLS`).

    The parts are decompressed in blocks and only counted, never held, and counting
    stops at the budget: the declared sizes in the archive are not trusted.
    """
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip archive: openpyxl names the damage
    with archive:
        try:
            size = 0
            for name in _parts(archive, "xl/sharedStrings"):
                with archive.open(name) as source:
                    while block := source.read(1 << 20):
                        size += len(block)
                        if size > MAX_SHARED_STRINGS_BYTES:
                            limit = f"{MAX_SHARED_STRINGS_BYTES // 1024 // 1024}"
                            raise file_error(path, "shared-strings-too-large", limit=limit)
            cells = 0
            titles = _sheet_titles(archive)
            for name in _parts(archive, "xl/worksheets/sheet"):
                for count in _tag_counts(archive, name, _CELL_TAG):
                    cells += count
                    if cells > MAX_SHEET_CELLS:
                        sheet = titles.get(name, name.rsplit("/", 1)[-1])
                        raise file_error(
                            path, "sheet-too-large", sheet=sheet, limit=f"{MAX_SHEET_CELLS:,}"
                        )
        except InputError:
            raise
        except Exception:  # damaged parts: openpyxl names the damage
            return


def counted_rows(path: Path, most: int) -> tuple[int, int] | None:
    """None when the file holds at most ``most`` rows (the header included), else
    (rows counted, the line or sheet row of the first one past ``most``).

    Counted on the raw bytes without parsing: a CSV file's line ends, a workbook's ``<row>``
    elements over all its sheets. A quoted line break counts as a line, so the count is an
    upper bound; it stops early once well past ``most``.
    """
    import zipfile

    if path.suffix.lower() in {".csv", ".txt"}:
        raw = path.read_bytes()
        lines = raw.count(b"\n") + (not raw.endswith(b"\n") and bool(raw))
        return (lines, most + 1) if lines > most else None
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    rows = 0
    with archive:
        try:
            for name in _parts(archive, "xl/worksheets/sheet"):
                for count in _tag_counts(archive, name, _ROW_TAG):
                    rows += count
                    if rows > most:
                        return rows, most + 1
        except Exception:  # damaged parts: the reader names the damage
            return None
    return None


_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?[\"']"
)


def _merged_ranges(archive: Any, part: str | None) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range of the worksheet stored as
    ``part`` in the workbook's zip ``archive`` (none when the part is unknown).

    openpyxl's read-only worksheets do not parse merged ranges, and its normal mode makes an
    object for every cell of each range (a 5 KB file merging A1:XFD1048576 would take all the
    memory) and a model of every cell: on the largest test workbook (benchmarks' nationwide
    table, 6 sheets × 1,900 rows, a read of 14 s on a loaded 2-core machine) normal mode took
    6.4 s more, parsing the part with ElementTree 3.5 s more, and this scan of the part's
    bytes for ``<mergeCell ref="A1:C3"/>`` (they follow the cells, at the end) 0.17 s.
    """
    from openpyxl.utils import column_index_from_string

    if part is None:
        return []
    found = []
    carry = b""
    with archive.open(part) as source:
        while block := source.read(1 << 20):
            text = carry + block
            last = 0
            for match in _MERGE.finditer(text):
                first_col, first_row, last_col, last_row = match.groups()
                found.append(
                    (
                        column_index_from_string(first_col.decode()),
                        int(first_row),
                        column_index_from_string((last_col or first_col).decode()),
                        int(last_row or first_row),
                    )
                )
                last = match.end()
            carry = text[max(last, len(text) - 200) :]
    return found


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
                Finding(
                    severity="error",
                    file=sheet.where,
                    line=line,
                    column="-",
                    check="csv-fields",
                    params={"found": used, "expected": width},
                )
            )


def refuse_repeated_headers(where: str, line: int, header: list[str], excel: bool) -> None:
    """One line for a header written twice: a table keeps only one of two same-named
    columns, so the other's values would be dropped without a word."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        name = name.strip()
        if not name:
            continue
        if name in seen:
            cell = excel_cell(position - 1, line) if excel else ""
            raise InputError(
                Finding(
                    severity="error",
                    file=where,
                    line=line,
                    column=name,
                    check="header-repeated",
                    params={"column": name, "first": seen[name], "second": position},
                    cell=cell,
                )
            )
        seen[name] = position


def read_records(path: Path | str) -> pd.DataFrame:
    """A plain table whose first row is the header (the project's own files in data/raw/).

    Every cell is text (``None`` when empty) and ``_line`` holds the line number
    (the sheet row in a workbook). ``attrs`` says how to name its cells:
    ``where`` (``file`` or ``book.xlsx[sheet]``), ``excel`` and ``header_line``.
    """
    import pandas as pd

    path = Path(path)
    sheet = read_sheets(path)[0]
    attrs = {"where": sheet.where, "excel": sheet.excel, "header_line": 1}
    if not sheet.rows:
        frame = pd.DataFrame({LINE: pd.Series([], dtype="int64")})
        frame.attrs.update(attrs)
        return frame
    header = [str(c) if c is not None else "" for c in sheet.rows[0]]
    del header[used_width(sheet.rows[0]) :]
    check_widths(sheet, 1, len(header))
    refuse_repeated_headers(sheet.where, sheet.lines[0], header, sheet.excel)
    body = [
        row[: len(header)] + [None] * (len(header) - min(len(row), len(header)))
        for row in sheet.rows[1:]
    ]
    frame = pd.DataFrame(body, columns=header, dtype="string")
    frame.insert(0, LINE, pd.Series(sheet.lines[1:], dtype="int64"))
    frame.attrs.update(attrs | {"header_line": sheet.lines[0]})
    return frame


def missing_record_columns(
    file: str, frame: pd.DataFrame, required: Sequence[str]
) -> list[Finding]:
    """An error on the header line of a :func:`read_records` table per ``required`` column it
    lacks, in the order required (``schema-missing``, the required columns listed)."""
    return [
        Finding(
            severity="error",
            file=file,
            line=int(frame.attrs.get("header_line", 1)),
            column=column,
            check="schema-missing",
            params={"column": column, "required": "、".join(required)},
        )
        for column in required
        if column not in frame.columns
    ]


def locate_records(file: str, frame: pd.DataFrame, column: str) -> Locator:
    """Where the cells of ``column`` of a :func:`read_records` table stand (file, line)."""

    def locator(positions: Any) -> tuple[list[str], list[int | None], list[str], list[str]]:
        lines = frame[LINE].to_numpy()[positions]
        count = len(lines)
        return [file] * count, [int(x) for x in lines], [column] * count, [""] * count

    return locator


def excel_cell(column: int, line: int | str) -> str:
    """Excel's name of a cell from a 0-based column index and the line (0, 5 → A5; 26, 7 → AA7).

    openpyxl is imported here, not at the top: only messages about a workbook name a cell,
    and a run that reads CSV files alone need not load it.
    """
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{line}"


# ---------------------------------------------------------------- writing


def sync_file(path: Path) -> None:
    """Flush a file's content to the disk (before a rename makes it the real one).

    Opened for writing (without truncating): on Windows ``os.fsync`` calls
    ``_commit``/FlushFileBuffers, which needs a handle with GENERIC_WRITE access and
    fails with EBADF on a read-only one (Microsoft Learn, FlushFileBuffers). Only
    files are synced: Windows cannot open a folder as a file descriptor, and its
    renames need no folder sync.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
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
    """Open a temporary text file beside ``target``; replace ``target`` on success.

    Lines end with LF on every OS (text mode would write CRLF on Windows), so that an
    output's bytes, and the hashes in the manifest, are the same everywhere.
    """
    with (
        atomic_path(target) as temporary,
        temporary.open("w", encoding=encoding, newline="\n") as handle,
    ):
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
