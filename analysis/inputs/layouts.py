"""Finding the table in a sheet as planners lay it out, and turning it into one long table.

Accepted, for every kind of input (:class:`Layout`):

- **long**: one value per row (``市町村, 年, 年齢区分, 人口``, or the English names);
- **wide**: one row per key, one column per year (``2020``, ``2020年``, ``2020年 (R2年)``,
  ``令和2年``, ``2024年度``) — the layout of the source's own tables, with their derived
  columns (増減率, 人口比率) and rows (高齢化率) skipped and named in a note;
- title rows above the header, a cover sheet (a sheet without a table is skipped
  with a note), merged cells (filled by :mod:`analysis.inputs.io`), and in wide tables a
  row header written only on the first row of its block;
- a key that is constant for a sheet may stand in the sheet name or a title row
  instead of a column (e.g. a sheet ``年少人口（0～14歳）`` or ``3209_一関市``).

The result is a :class:`Table`: text cells under canonical column names plus, for
each row, where its cells stand in the file, so that every later error names the
file, the row (sheet and cell for Excel) and the column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.findings import Finding, Locator, examples
from analysis.core.paths import display_path
from analysis.inputs.io import (
    LINE,
    InputError,
    Sheet,
    check_widths,
    excel_cell,
    read_sheets,
    used_width,
)

HEADER_SEARCH_ROWS = 30
"""How far down a sheet the header row is looked for (title rows above it are skipped)."""

_BRACKETED_UNIT = re.compile(r"[\(（\[［【][^\(（\[［【]*[\)）\]］】]$")
_LEADING_CODE = re.compile(r"^(\d{4,6})[_\s-]*(.+)$")
_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
_WESTERN_YEAR = re.compile(r"^(?:fy)?((?:1[89]|2[0-2])\d\d)(?:年度?|fy)?(?![\d.])")
_ERA_YEAR = re.compile(r"^(令和|平成|昭和|r|h|s)(\d{1,2}|元)年度?(?!\d)")


def simplify(text: object) -> str:
    """NFKC, lower case, no white space: how labels are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).lower())


def normalise_header(text: object) -> str:
    """:func:`simplify`, without a trailing unit in brackets: ``人口（人）`` → ``人口``."""
    key = simplify(text)
    previous = None
    while previous != key:
        previous, key = key, _BRACKETED_UNIT.sub("", key)
    return key


def header_year(text: object) -> int | None:
    """The year a column header names (``2020``, ``2020年 (R2年)``, ``令和6年度``, ``FY2024``)."""
    if text is None:
        return None
    key = normalise_header(text)
    western = _WESTERN_YEAR.match(key)
    if western:
        return int(western.group(1))
    era = _ERA_YEAR.match(key)
    if era:
        number = 1 if era.group(2) == "元" else int(era.group(2))
        return _ERAS[era.group(1)] + number
    return None


@dataclass(frozen=True)
class Field:
    """A column of a layout: its canonical name, Japanese label and accepted header spellings."""

    name: str
    label: str
    aliases: tuple[str, ...]
    recognise: Callable[[list[str]], float] | None = None
    """For a key: the share of a column's values that look like this key (for unlabelled columns)."""
    from_sheet: Callable[[str], str | None] | None = None
    """For a key: its value when a sheet name or title row gives it for the whole sheet."""

    def matches(self, header: str) -> bool:
        return header in {normalise_header(a) for a in (self.name, *self.aliases)}


@dataclass(frozen=True)
class Layout:
    """What a kind of input table holds; :func:`read_table` accepts it long or wide."""

    title: str
    keys: tuple[Field, ...]
    value: Field
    spread: str
    """The key whose values may be spread over the columns (a year or fiscal year)."""
    optional: tuple[Field, ...] = ()
    skip_columns: tuple[str, ...] = ()
    """Headers (normalised prefixes) of derived or descriptive columns, skipped with a note."""
    skip_rows: tuple[str, ...] = ()
    """Row labels (normalised prefixes) of derived rows in wide tables (高齢化率), skipped with a note."""
    fill_down: tuple[str, ...] = ()
    """Keys written only on the first row of their block in wide tables (filled downwards)."""
    blank_means_absent: bool = False
    """In wide tables, an empty year cell means "no value yet" (KPI actuals), not a blank cell."""
    accepted: str = ""

    @property
    def fields(self) -> tuple[Field, ...]:
        return (*self.keys, self.value, *self.optional)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def match(self, header: str) -> Field | None:
        return next((f for f in self.fields if f.matches(header)), None)

    def skipped(self, label: str, prefixes: Sequence[str]) -> bool:
        """True when ``label`` (a header or a row label) begins with one of ``prefixes``."""
        key = simplify(label)
        return any(key.startswith(simplify(p)) for p in prefixes)


@dataclass
class Table:
    """A long table of text cells (canonical columns) and where each row's cells stand."""

    frame: pd.DataFrame
    """Canonical columns (text), ``_line``, ``_sheet`` (index into ``sheets``) and ``_col_<field>``."""
    file: str
    sheets: list[Sheet]
    headers: list[dict[int, str]]
    """Per sheet: the header text of each grid column."""
    labels: dict[str, str]
    """A label per canonical column for messages."""
    findings: list[Finding] = field(default_factory=list)
    """Notes (skipped sheets, columns, rows) and errors about the layout itself."""

    def locate(self, column: str) -> Locator:
        """Where the cells of ``column`` stand: file or sheet, line, column label, Excel cell."""

        def locator(
            positions: np.ndarray,
        ) -> tuple[list[str], list[int | None], list[str], list[str]]:
            sheet_ids = self.frame["_sheet"].to_numpy()[positions]
            lines = self.frame[LINE].to_numpy()[positions]
            columns = self.frame[f"_col_{column}"].to_numpy()[positions]
            files, labels, cells = [], [], []
            for sheet_id, line, grid_column in zip(sheet_ids, lines, columns, strict=True):
                sheet = self.sheets[int(sheet_id)]
                files.append(sheet.where)
                labels.append(
                    self.headers[int(sheet_id)].get(int(grid_column)) or self.labels[column]
                    if grid_column >= 0
                    else self.labels[column]
                )
                cells.append(
                    excel_cell(int(grid_column), int(line))
                    if sheet.excel and grid_column >= 0
                    else ""
                )
            return files, [int(x) for x in lines], labels, cells

        return locator

    def where(self) -> str:
        """How messages name the whole table (the first sheet read)."""
        return self.sheets[0].where if self.sheets else self.file


# ---------------------------------------------------------------- reading


def read_table(path: Path | str, layout: Layout, sheets: list[Sheet] | None = None) -> Table:
    """Read a CSV or .xlsx file of ``layout`` into a :class:`Table` (see the module docstring).

    ``sheets`` are the file's sheets when the caller has read them already.
    Raises :class:`~analysis.inputs.io.InputError` (one line) when no sheet holds a table
    of this layout, naming the layouts that are accepted.
    """
    path = Path(path)
    sheets = read_sheets(path) if sheets is None else sheets
    parts: list[pd.DataFrame] = []
    used: list[Sheet] = []
    headers: list[dict[int, str]] = []
    labels: dict[str, str] = {}
    notes: list[Finding] = []
    refusals: list[tuple[Sheet, _NotATable]] = []
    for sheet in sheets:
        try:
            found = _read_sheet(sheet, layout, len(used))
        except _NotATable as reason:
            refusals.append((sheet, reason))
            continue
        frame, sheet_headers, sheet_labels, sheet_notes = found
        parts.append(frame)
        used.append(sheet)
        headers.append(sheet_headers)
        for name, label in sheet_labels.items():
            labels.setdefault(name, label)
        notes += sheet_notes
    file = display_path(path)
    if not parts:
        raise _no_table(sheets, refusals, file, layout)
    notes += [
        Finding(
            severity="note",
            file=skipped.where,
            line=None,
            column="-",
            check="layout-sheet-skipped",
            params={"reason": str(why)},
        )
        for skipped, why in refusals
        if skipped.rows
    ]
    for f in layout.fields:
        labels.setdefault(f.name, f.label)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return Table(frame, file, used, headers, labels, notes)


def _no_table(
    sheets: list[Sheet], refusals: list[tuple[Sheet, _NotATable]], file: str, layout: Layout
) -> InputError:
    """The error when no sheet holds a table of ``layout``: an empty file, or why the first
    sheet with rows is not one (with the accepted layouts)."""
    if not any(sheet.rows for sheet in sheets):
        return InputError(
            Finding(severity="error", file=file, line=None, column="-", check="empty-file")
        )
    first, why = next((s, r) for s, r in refusals if s.rows)
    return InputError(
        Finding(
            severity="error",
            file=first.where,
            line=why.line,
            column="-",
            check="layout",
            params={"reason": str(why), "layouts": layout.accepted},
        )
    )


class _NotATable(Exception):
    """This sheet holds no table of the layout (a cover sheet, notes, another table)."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line


def _read_sheet(
    sheet: Sheet, layout: Layout, sheet_id: int
) -> tuple[pd.DataFrame, dict[int, str], dict[str, str], list[Finding]]:
    if not sheet.rows:
        raise _NotATable("データがありません")
    reason = ""
    for header_index, mapping, years, wide in _header_candidates(sheet, layout):
        if wide:
            mapping = _infer_keys(sheet, layout, header_index, mapping, set(years))
        try:
            constants = _sheet_constants(sheet, layout, header_index, mapping)
        except _NotATable as missing:
            reason = reason or str(missing)
            continue
        return _read_body(sheet, layout, sheet_id, header_index, mapping, years, wide, constants)
    if reason:
        raise _NotATable(reason)
    raise _closest_header(sheet, layout)


def _closest_header(sheet: Sheet, layout: Layout) -> _NotATable:
    """Why no row is the header: the required columns missing from the likeliest row."""
    required = (*layout.keys, layout.value)
    best: tuple[int, int, list[Field]] | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        headers = [normalise_header(c) for c in row if c is not None]
        missing = [f for f in required if not any(f.matches(h) for h in headers)]
        found = len(required) - len(missing)
        if found >= 2 and (best is None or found > best[0]):
            best = (found, index, missing)
    if best is not None:
        names = "、".join(f"「{f.label}」" for f in best[2])
        return _NotATable(f"見出しに必要な列 {names} がありません", sheet.lines[best[1]])
    names = "・".join(f.label for f in required)
    return _NotATable(f"見出しの行（{names}、または年ごとの列）が見つかりません")


def _read_body(
    sheet: Sheet,
    layout: Layout,
    sheet_id: int,
    header_index: int,
    mapping: dict[str, int],
    years: dict[int, int],
    wide: bool,
    constants: dict[str, str],
) -> tuple[pd.DataFrame, dict[int, str], dict[str, str], list[Finding]]:
    header_row = sheet.rows[header_index]
    headers = {i: str(c) for i, c in enumerate(header_row) if c is not None}
    body = sheet.rows[header_index + 1 :]
    body_lines = sheet.lines[header_index + 1 :]
    width = used_width(header_row)
    check_widths(sheet, header_index + 1, width)
    used = {*mapping.values(), *years}
    findings = _other_columns(sheet, layout, sheet.lines[header_index], headers, used, wide, width)
    grid = _grid(body, width)
    lines = np.asarray(body_lines, dtype="int64")
    labels = {name: headers.get(index, layout.field(name).label) for name, index in mapping.items()}
    if wide:
        frame, skipped_rows = _melt(grid, lines, layout, mapping, years, constants)
    else:
        frame, skipped_rows = _long(grid, lines, mapping, constants), {}
    if skipped_rows:
        findings.append(
            Finding(
                severity="note",
                file=sheet.where,
                line=None,
                column="-",
                check="skipped-rows",
                params={
                    "labels": examples(list(skipped_rows)),
                    "count": sum(skipped_rows.values()),
                },
            )
        )
    frame["_sheet"] = sheet_id
    for f in layout.fields:
        if f.name not in frame:
            frame[f.name] = pd.array([None] * len(frame), dtype="string")
            frame[f"_col_{f.name}"] = -1
    for name, value in constants.items():
        labels.setdefault(name, f"{layout.field(name).label}（{value}）")
    return frame, headers, labels, findings


def _other_columns(
    sheet: Sheet,
    layout: Layout,
    header_line: int,
    headers: dict[int, str],
    used: set[int],
    wide: bool,
    width: int,
) -> list[Finding]:
    """The columns the layout does not read (``used`` are read): an error per column it does
    not know, and one note naming those it knowingly skips (増減率, 備考, …)."""
    findings: list[Finding] = []
    skipped, unexpected = [], []
    for i in range(width):
        if i not in headers or i in used:
            continue
        header = normalise_header(headers[i])
        if wide and (layout.field(layout.spread).matches(header) or layout.value.matches(header)):
            continue  # the source's 「年」 above its row header column
        if layout.skipped(header, layout.skip_columns):
            skipped.append(headers[i])
        else:
            unexpected.append(i)
    allowed = "、".join(f.label for f in layout.fields)
    findings += [
        Finding(
            severity="error",
            file=sheet.where,
            line=header_line,
            column=headers[i],
            check="schema-unexpected",
            params={"allowed": allowed},
            cell=excel_cell(i, header_line) if sheet.excel else "",
        )
        for i in unexpected
    ]
    if skipped:
        findings.append(
            Finding(
                severity="note",
                file=sheet.where,
                line=header_line,
                column="-",
                check="skipped-columns",
                params={"columns": "、".join(skipped)},
            )
        )
    return findings


def _long(
    grid: np.ndarray, lines: np.ndarray, mapping: dict[str, int], constants: dict[str, str]
) -> pd.DataFrame:
    """A long table's rows: each field's column as text (with the column it came from) and
    the values the sheet gives once (``constants``, from no column)."""
    frame = pd.DataFrame({LINE: lines})
    for name, index in mapping.items():
        frame[name] = pd.array(grid[:, index], dtype="string")
        frame[f"_col_{name}"] = index
    for name, value in constants.items():
        frame[name] = pd.array([value] * len(frame), dtype="string")
        frame[f"_col_{name}"] = -1
    return frame


def _grid(rows: list[list[str | None]], width: int) -> np.ndarray:
    grid = np.full((len(rows), max(width, 1)), None, dtype=object)
    for i, row in enumerate(rows):
        cells = row[:width]
        grid[i, : len(cells)] = cells
    return grid


def _header_candidates(
    sheet: Sheet, layout: Layout
) -> Iterator[tuple[int, dict[str, int], dict[int, int], bool]]:
    """Rows that may be the header: (index, canonical column → grid column, year columns, wide?).

    Long: the value and the spread key are named by headers. Wide: two or more
    year columns, or one whose header says 年 (``2024年度``), so that a data row
    holding a year is not taken for a header.
    """
    spread = layout.field(layout.spread)
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        normalised = [normalise_header(c) if c is not None else "" for c in row]
        years = {i: y for i, c in enumerate(row) if (y := header_year(c)) is not None}
        mapping: dict[str, int] = {}
        for i, header in enumerate(normalised):
            if not header or i in years:
                continue
            matched = layout.match(header)
            if matched is not None and matched.name not in mapping:
                mapping[matched.name] = i
        if {spread.name, layout.value.name} <= set(mapping) and not years:
            yield index, mapping, {}, False
            continue
        says_year = any("年" in normalised[i] or "fy" in normalised[i] for i in years)
        if len(years) >= 2 or (years and says_year):
            mapping.pop(spread.name, None)
            mapping.pop(layout.value.name, None)
            yield index, mapping, years, True


def _infer_keys(
    sheet: Sheet, layout: Layout, header_index: int, mapping: dict[str, int], years: set[int]
) -> dict[str, int]:
    """Assign unlabelled (or 「年」-labelled) columns to the keys a wide header does not name.

    The source's own tables label their row header columns 「年」 or nothing, so
    a column is recognised by its content (age groups, names, KPI numbers).
    """
    header = sheet.rows[header_index]
    body = sheet.rows[header_index + 1 : header_index + 1 + 200]
    spread = layout.field(layout.spread)
    mapping = dict(mapping)
    free = [
        i
        for i in range(max((len(r) for r in body), default=0))
        if i not in years
        and i not in mapping.values()
        and (
            i >= len(header)
            or header[i] is None
            or spread.matches(normalise_header(header[i]))
            or layout.value.matches(normalise_header(header[i]))
        )
    ]
    for key in layout.keys:
        if key.name in mapping or key.name == layout.spread or key.recognise is None:
            continue
        best, best_score = None, 0.5
        for i in free:
            values = [str(r[i]) for r in body if i < len(r) and r[i] is not None]
            score = key.recognise(values) if values else 0.0
            if score > best_score:
                best, best_score = i, score
        if best is not None:
            mapping[key.name] = best
            free.remove(best)
    return mapping


def _sheet_constants(
    sheet: Sheet, layout: Layout, header_index: int, mapping: dict[str, int]
) -> dict[str, str]:
    """Keys missing from the columns, given by the sheet name or a title row; else refuse."""
    constants: dict[str, str] = {}
    titles = [str(c) for row in sheet.rows[:header_index] for c in row if c is not None]
    for key in layout.keys:
        if key.name in mapping or key.name == layout.spread:
            continue
        value = None
        if key.from_sheet is not None:
            for text in [sheet.name, *titles]:
                value = key.from_sheet(text) if text else None
                if value is not None:
                    break
        if value is None:
            raise _NotATable(f"「{key.label}」の列が見つかりません")
        constants[key.name] = value
    return constants


def _melt(
    grid: np.ndarray,
    lines: np.ndarray,
    layout: Layout,
    mapping: dict[str, int],
    years: dict[int, int],
    constants: dict[str, str],
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per (row, year column) with a value; derived rows skipped and counted."""
    keys = {name: grid[:, index].copy() for name, index in mapping.items()}
    for name in layout.fill_down:
        if name in keys:
            keys[name] = pd.Series(keys[name], dtype=object).ffill().to_numpy()
    skipped: dict[str, int] = {}
    keep = np.ones(len(grid), dtype=bool)
    for name, values in keys.items():
        if name not in {k.name for k in layout.keys}:
            continue
        codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        derived = np.array([layout.skipped(v, layout.skip_rows) for v in distinct], dtype=bool)
        if derived.any():
            hit = (codes >= 0) & derived[np.maximum(codes, 0)]
            keep &= ~hit
            for label, count in pd.Series(values[hit]).value_counts(sort=False).items():
                skipped[str(label)] = skipped.get(str(label), 0) + int(count)
    year_columns = sorted(years)
    values = grid[:, year_columns] if year_columns else np.empty((len(grid), 0), dtype=object)
    present = pd.DataFrame(values).notna().to_numpy()
    # A row whose year cells are all empty is not data (a footnote, a spacer); a missing
    # row of data is caught by the completeness checks, which name it.
    keep &= present.any(axis=1)
    rows = np.flatnonzero(keep)
    repeat = len(year_columns)
    frame = pd.DataFrame({LINE: np.repeat(lines[rows], repeat)})
    for name, column in keys.items():
        frame[name] = pd.array(np.repeat(column[rows], repeat), dtype="string")
        frame[f"_col_{name}"] = mapping[name]
    frame[layout.spread] = pd.array(
        np.tile([str(years[c]) for c in year_columns], len(rows)), dtype="string"
    )
    frame[f"_col_{layout.spread}"] = np.tile(year_columns, len(rows))
    frame[layout.value.name] = pd.array(values[rows].reshape(-1), dtype="string")
    frame[f"_col_{layout.value.name}"] = np.tile(year_columns, len(rows))
    for name, value in constants.items():
        frame[name] = pd.array([value] * len(frame), dtype="string")
        frame[f"_col_{name}"] = -1
    if layout.blank_means_absent:
        frame = frame[present[rows].reshape(-1)].reset_index(drop=True)
    return frame, skipped


# ---------------------------------------------------------------- recognisers


def share_matching(
    pattern: re.Pattern[str] | Callable[[str], bool],
) -> Callable[[list[str]], float]:
    def score(values: list[str]) -> float:
        test = pattern.fullmatch if isinstance(pattern, re.Pattern) else pattern
        hits = sum(1 for v in values if test(normalise_header(v)))
        return hits / len(values)

    return score


def code_and_name(text: str) -> tuple[str, str]:
    """``3209_一関市`` → (``3209``, ``一関市``); a text without a code → ('', text)."""
    key = unicodedata.normalize("NFKC", text).strip()
    match = _LEADING_CODE.match(key)
    return (match.group(1), match.group(2).strip()) if match else ("", key)


def accepted_layouts(long_header: str, wide_header: str) -> str:
    return (
        f"縦長の表（見出し：{long_header}）、"
        f"年を列にした横長の表（見出し：{wide_header}）。"
        "見出しの上のタイトル行、表紙のシート、結合セルはかまいません"
    )
