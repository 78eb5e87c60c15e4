"""Population by sex and five-year age group: reading, checking, and the broad groups.

One tidy table: ``edition, municipality, year, sex (male/female), age_group
("0-4" … "90-94", open group "95+" or "90+"), population`` (人).

Two layouts are read:

- the municipal workbook IPSS (社人研) publishes per prefecture: one sheet per
  municipality (prefecture total first), the code and name near the top, three
  blocks side by side (男女計, 男, 女) of a label column and the years, rows 総数,
  ``0～4歳`` … ``95歳～``, then （再掲） rows, which are not read. Blocks, years and
  rows are found by their labels, not by cell positions; sheets are chosen by the
  plan's codes (03209, 03402) or names;
- a tidy table (CSV or .xlsx, long or wide by year) with municipality, year, sex,
  age group and population (Japanese headers, 男/女, ``0～4歳``, ``95歳以上`` accepted).

Checks: 男 + 女 = 男女計 and the age groups add up to 総数 (in the first year, the
census, 総数 may also hold people of unknown age: that gap is a warning);
every municipality of the plan × year × sex × age group present; no negative,
fractional or non-numeric cell. A bad cell is one line naming file, sheet and cell.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import vocabulary
from analysis.core.findings import Finding, Locator, cell_errors, errors_in, examples
from analysis.core.paths import display_path
from analysis.core.schema import AGE_GROUPS, TOTAL, YEAR_RANGE
from analysis.inputs.cells import (
    Municipalities,
    near_name_errors,
    near_plan_name,
    outside_plan_note,
    parse_number,
    plan_municipalities,
)
from analysis.inputs.io import LINE, Sheet, excel_cell, read_sheets
from analysis.inputs.layouts import (
    Field,
    Layout,
    Table,
    accepted_layouts,
    code_and_name,
    header_year,
    read_table,
    share_matching,
    simplify,
)

SEXES = ("male", "female")
BOTH = "both"
SEX_LABELS = {"male": "男", "female": "女", BOTH: "男女計"}
UNKNOWN_AGE = "unknown"

_SEX_ALIASES = {
    "男": "male",
    "男性": "male",
    "male": "male",
    "m": "male",
    "男子": "male",
    "女": "female",
    "女性": "female",
    "female": "female",
    "f": "female",
    "女子": "female",
    "男女計": BOTH,
    "総数": BOTH,
    "計": BOTH,
    "男女": BOTH,
    "合計": BOTH,
    "both": BOTH,
    "total": BOTH,
}
_RANGE = re.compile(r"^(\d{1,3})歳?[~\-〜－](\d{1,3})歳?$")
_OPEN = re.compile(r"^(\d{1,3})歳?(?:~|〜|以上|\+|-|－)$")
_TOTALS = {"総数", "合計", "計", "総人口", "total", "all"}
_UNKNOWN = {"年齢不詳", "不詳", "unknown"}
_REPEATED = ("(再掲)", "再掲", "(うち)", "うち")


def parse_sex(label: object) -> str | None:
    key = simplify(label)
    key = re.sub(r"^[(\[]|[)\]]$", "", key)
    return _SEX_ALIASES.get(key)


def parse_age(label: object) -> str | None:
    """``0～4歳`` → ``0-4``; ``95歳～``/``95歳以上``/``95+`` → ``95+``; 総数 → total; else None."""
    key = simplify(label).replace("〜", "~")
    if key in _TOTALS:
        return TOTAL
    if key in _UNKNOWN:
        return UNKNOWN_AGE
    ranged = _RANGE.match(key)
    if ranged:
        low, high = int(ranged.group(1)), int(ranged.group(2))
        return f"{low}-{high}" if low % 5 == 0 and high == low + 4 else None
    opened = _OPEN.match(key)
    if opened and int(opened.group(1)) % 5 == 0 and int(opened.group(1)) >= 80:
        return f"{int(opened.group(1))}+"
    return None


def age_lower(group: str) -> int:
    return int(group.rstrip("+").split("-")[0])


def standard_groups(open_group: str) -> tuple[str, ...]:
    """The five-year groups from 0-4 up to the open group (``95+`` → 0-4 … 90-94, 95+)."""
    top = age_lower(open_group)
    return (*(f"{a}-{a + 4}" for a in range(0, top, 5)), open_group)


AGE_LABELS = {
    **{f"{a}-{a + 4}": f"{a}～{a + 4}歳" for a in range(0, 100, 5)},
    **{f"{a}+": f"{a}歳以上" for a in range(80, 105, 5)},
}


# ---------------------------------------------------------------- the tidy layout

AGE_SEX_LAYOUT = Layout(
    title="男女・5歳階級別人口",
    keys=(
        Field(
            "municipality",
            "市町村",
            vocabulary.MUNICIPALITY,
            from_sheet=lambda text: code_and_name(text)[1] or None,
        ),
        Field("year", "年", vocabulary.YEAR),
        Field(
            "sex",
            "男女",
            vocabulary.SEX,
            recognise=share_matching(lambda v: parse_sex(v) is not None),
            from_sheet=parse_sex,
        ),
        Field(
            "age_group",
            "年齢階級",
            vocabulary.AGE_CLASS,
            recognise=share_matching(lambda v: parse_age(v) is not None),
        ),
    ),
    value=Field("population", "人口", vocabulary.POPULATION),
    spread="year",
    optional=(
        Field(
            "code",
            "市町村コード",
            vocabulary.CODE,
        ),
    ),
    skip_columns=("備考", "注", "都道府県", "区分", "種別", "構成比", "割合"),
    skip_rows=_REPEATED,
    fill_down=("municipality", "sex"),
    accepted=accepted_layouts(
        "市町村・年・男女・年齢階級・人口（男/女、0～4歳 … 95歳以上）",
        "市町村・男女・年齢階級・2020・2025・…",
    )
    + "。社人研の市区町村別の表（市区町村ごとのシート、男女計・男・女の3つの表が横に並ぶ形）も読めます",
)


# ---------------------------------------------------------------- the published workbook


@dataclass
class _Block:
    sex: str
    label_column: int
    years: dict[int, int]
    """Grid column → year."""
    header: int
    """The row index of the block's year header."""
    end: int | None = None
    """The row index where the block's body ends (the next block's header), or None."""


HEADER_SCAN_ROWS = 400
"""Rows searched for year headers: the stacked layout's three blocks of about 25 rows each."""


def _year_runs(row: list[str | None]) -> list[dict[int, int]]:
    """Runs of adjacent header cells naming years 5 apart (a population that happens to lie
    between 1920 and 2100 is never taken for a year: published years are 5 apart)."""
    years = {i: y for i, c in enumerate(row) if (y := header_year(c)) is not None}
    runs: list[dict[int, int]] = []
    for column in sorted(years):
        if runs and column - 1 in runs[-1] and years[column] - runs[-1][column - 1] == 5:
            runs[-1][column] = years[column]
        else:
            runs.append({column: years[column]})
    return [run for run in runs if len(run) >= 2]


def _published_blocks(sheet: Sheet) -> tuple[int, list[_Block]] | None:
    """The first header row and the 男女計/男/女 blocks of a published sheet, or None.

    Two layouts: the blocks side by side under one header row (令和5年推計), or one under
    the other, each with its title and header row (平成25年・平成30年推計).
    """
    found: list[_Block] = []
    previous = -1
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        runs = _year_runs(row)
        if not runs:
            continue
        body = sheet.rows[index + 1 : index + 30]
        titles = [
            (c, sex)
            for cells in sheet.rows[previous + 1 : index + 1]
            for c, cell in enumerate(cells)
            if cell is not None
            and header_year(cell) is None
            and (sex := parse_sex(cell)) is not None
        ]
        blocks = []
        previous_end = -1
        for run in runs:
            label_column = min(run) - 1
            labels = [r[label_column] for r in body if label_column < len(r) and r[label_column]]
            if label_column < 0 or not any(parse_age(v) == "0-4" for v in labels):
                previous_end = max(run)
                continue
            near = [t for t in titles if previous_end < t[0] <= max(run)]
            blocks.append(_Block(near[-1][1] if near else "", label_column, run, index))
            previous_end = max(run)
        if not blocks:
            continue
        if found:
            for block in found:
                block.end = block.end if block.end is not None else index
        found += blocks
        previous = index
        if {b.sex for b in found} >= set(SEXES):
            return found[0].header, [b for b in found if b.sex]
        if len(blocks) >= 2 and any(not b.sex for b in blocks):
            # Blocks without a 男女計/男/女 title are never guessed by their position
            # (the order differs between publications): read_published refuses them.
            return found[0].header, found
    if len(found) >= 2 and any(not b.sex for b in found):
        return found[0].header, found
    return None


def _sheet_municipality(
    sheet: Sheet, header: int, registry: Municipalities
) -> tuple[str | None, str]:
    """(the plan's name for this sheet or None, how to name it in a note)."""
    code, name = code_and_name(sheet.name)
    if code and registry.by_code(code):
        return registry.by_code(code), sheet.name
    if name in registry.names:
        return name, sheet.name
    for row in sheet.rows[:header]:
        for cell in row:
            if cell is None:
                continue
            text = unicodedata.normalize("NFKC", cell).strip()
            cell_code, cell_name = code_and_name(text)
            found = registry.by_code(cell_code or text) or (
                cell_name if cell_name in registry.names else None
            )
            if found:
                return found, sheet.name
    return None, sheet.name


def _near_sheet_name(sheet: Sheet, header: int, registry: Municipalities) -> tuple[str, str] | None:
    """(what the sheet says, the plan's name it is close to) when the sheet's name or a cell
    above its table names a plan municipality slightly wrong (「一関」, 「平泉　町」)."""
    texts = [sheet.name, *(c for row in sheet.rows[:header] for c in row if isinstance(c, str))]
    for text in texts:
        name = code_and_name(unicodedata.normalize("NFKC", text).strip())[1]
        meant = near_plan_name(name, registry.names)
        if meant:
            return text.strip(), meant
    return None


def read_published(
    sheets: list[Sheet], file: str, registry: Municipalities
) -> tuple[Table, list[str], list[str]] | None:
    """The published layout's plan sheets as a :class:`Table`, the sheets left out, and
    the plan municipalities found; None when no sheet has that layout."""
    parts = []
    used: list[Sheet] = []
    headers: list[dict[int, str]] = []
    left_out: list[str] = []
    found: list[str] = []
    findings: list[Finding] = []
    for sheet in sheets:
        layout = _published_blocks(sheet)
        if layout is None:
            continue
        header, blocks = layout
        municipality, name = _sheet_municipality(sheet, header, registry)
        if municipality is None:
            near = _near_sheet_name(sheet, header, registry)
            if near:  # 「一関」: refused as a probable typo, never left out as a sheet elsewhere
                findings.append(_near_sheet_error(sheet, near))
            else:
                left_out.append(name)
            continue
        untitled = [b for b in blocks if not b.sex]
        if untitled:
            findings.append(_untitled_error(sheet, header, len(blocks), min(untitled[0].years)))
            continue
        found.append(municipality)
        parts.append(_sheet_frame(sheet, blocks, municipality, sheet_id=len(used)))
        used.append(sheet)
        headers.append(
            {
                column: f"{SEX_LABELS.get(block.sex, block.sex)} {year}"
                for block in blocks
                for column, year in block.years.items()
            }
        )
    if not parts and not left_out and not findings:
        return None
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    labels_by_field = {f.name: f.label for f in AGE_SEX_LAYOUT.fields}
    return Table(frame, file, used, headers, labels_by_field, findings), left_out, found


def _near_sheet_error(sheet: Sheet, near: tuple[str, str]) -> Finding:
    """The error for a sheet naming a plan municipality slightly wrong: (what it says, the name)."""
    return Finding(
        severity="error",
        file=sheet.where,
        line=None,
        column="-",
        check="near-municipality",
        params={"value": near[0], "name": near[1], "rows": "", "rows_en": ""},
    )


def _untitled_error(sheet: Sheet, header: int, blocks: int, column: int) -> Finding:
    """The error for a sheet whose ``blocks`` side-by-side blocks are not all titled 男女計/男/女;
    ``column`` is the first year column of the first untitled block."""
    return Finding(
        severity="error",
        file=sheet.where,
        line=sheet.lines[header],
        column="-",
        check="untitled-blocks",
        params={"count": blocks},
        cell=excel_cell(column, sheet.lines[header]),
    )


def _block_records(
    sheet: Sheet, block: _Block, municipality: str
) -> list[tuple[int, str, str, str, str, str | None, int, int]]:
    """One record per age row and year column of a block: (line, municipality, year, sex,
    age label, cell value, label column, value column); rows that name no age are skipped and
    the （再掲） rows end the block."""
    records = []
    body = slice(block.header + 1, block.end)
    for row, line in zip(sheet.rows[body], sheet.lines[body], strict=True):
        label = row[block.label_column] if block.label_column < len(row) else None
        if label is None:
            continue
        if any(simplify(label).startswith(simplify(p)) for p in _REPEATED):
            break  # （再掲） rows repeat broad groups: not read
        if parse_age(label) is None:
            continue
        for column, year in block.years.items():
            value = row[column] if column < len(row) else None
            records.append(
                (line, municipality, str(year), block.sex, label, value, block.label_column, column)
            )
    return records


def _sheet_frame(
    sheet: Sheet, blocks: list[_Block], municipality: str, *, sheet_id: int
) -> pd.DataFrame:
    """A published sheet's blocks as the long layout's raw rows (text cells, with the columns
    each value came from), tagged as the table's sheet ``sheet_id``."""
    records = [record for block in blocks for record in _block_records(sheet, block, municipality)]
    frame = pd.DataFrame(
        records,
        columns=[
            LINE,
            "municipality",
            "year",
            "sex",
            "age_group",
            "population",
            "_col_age_group",
            "_col_population",
        ],
    )
    for name in ("municipality", "year", "sex", "age_group", "population"):
        frame[name] = frame[name].astype("string")
    frame["_sheet"] = sheet_id
    frame["code"] = pd.array([None] * len(frame), dtype="string")
    frame["_col_year"] = frame["_col_population"]
    for name in ("municipality", "sex", "code"):
        frame[f"_col_{name}"] = -1
    return frame


# ---------------------------------------------------------------- checking


@dataclass
class AgeSexLoaded:
    """Checked counts by sex and age group, the printed totals, and what was found."""

    frame: pd.DataFrame
    """``edition, municipality, year, sex, age_group, population`` for male/female × groups."""
    totals: pd.DataFrame
    """Printed 総数 by municipality, year and sex (male, female, both) where given."""
    groups: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)
    unknown: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The file's own 年齢不詳 rows (a census series): municipality, year, sex (male, female
    or both), population (人)."""

    @property
    def errors(self) -> list[Finding]:
        return errors_in(self.findings)


def load(
    path: Path, *, edition: str, registry: Municipalities, sheets: list[Sheet] | None = None
) -> AgeSexLoaded:
    """Read and check an age × sex file of either layout (raises InputError if it is neither)."""
    sheets = read_sheets(path) if sheets is None else sheets
    file = display_path(path)
    published = read_published(sheets, file, registry)
    notes: list[Finding] = []
    if published is not None:
        table, left_out, _ = published
        if left_out:
            notes.append(
                Finding(
                    severity="note",
                    file=file,
                    line=None,
                    column="-",
                    check="sheets-left-out",
                    params={"count": len(left_out), "examples": examples(left_out, 3)},
                )
            )
    else:
        table = read_table(path, AGE_SEX_LAYOUT, sheets)
    return check(table, edition=edition, registry=registry, notes=notes)


def is_age_sex(sheets: list[Sheet]) -> bool:
    """True when a file holds counts by sex and five-year age group (either layout)."""
    for sheet in sheets:
        if _published_blocks(sheet) is not None:
            return True
        for row in sheet.rows[:30]:
            texts = [c for c in row if c is not None]
            if any(AGE_SEX_LAYOUT.field("sex").matches(simplify(c)) for c in texts) and any(
                AGE_SEX_LAYOUT.field("age_group").matches(simplify(c)) for c in texts
            ):
                return True
        if parse_sex(sheet.name) in SEXES and any(
            parse_age(c) == "0-4" for row in sheet.rows[:60] for c in row if c is not None
        ):
            return True
    return False


def check(
    table: Table, *, edition: str, registry: Municipalities, notes: list[Finding] | None = None
) -> AgeSexLoaded:
    """Parse and check a table of counts by sex and age; every finding is collected."""
    findings = [*table.findings, *(notes or [])]
    raw = table.frame
    empty = pd.DataFrame(
        columns=["edition", "municipality", "year", "sex", "age_group", "population"]
    )
    if raw.empty:
        return AgeSexLoaded(
            empty, empty, (), [*findings, *_nothing_read(table, registry, findings)]
        )
    municipality, outside = plan_municipalities(raw, registry)
    near = near_name_errors(table, "municipality", raw["municipality"], outside, registry.names)
    if near:
        return AgeSexLoaded(empty, empty, (), [*findings, *near])
    findings += outside_plan_note(table, outside)
    kept = np.flatnonzero(~outside)
    rows = raw.iloc[kept].reset_index(drop=True)
    municipality = municipality[kept]

    def at(column: str) -> Locator:
        locate = table.locate(column)
        return lambda positions: locate(kept[positions])

    findings += _missing_plan_error(municipality, registry, table.file)
    parsed, cell_findings = _parse_cells(rows, at)
    findings += cell_findings
    frame = _usable_counts(
        pd.DataFrame({"edition": edition, "municipality": municipality, **parsed, "position": kept})
    )
    frame, duplicates = _drop_duplicates(frame, table)
    findings += duplicates
    if errors_in(findings):
        return AgeSexLoaded(empty, empty, (), findings)

    counts = frame[frame["sex"].isin(SEXES) & ~frame["age_group"].isin([TOTAL, UNKNOWN_AGE])]
    totals = frame[frame["age_group"] == TOTAL]
    groups, group_findings = _age_groups(counts, table.file)
    findings += group_findings
    if groups:
        findings += _completeness(counts, groups, table.file)
        findings += _years_and_births(counts, table.file)
    if errors_in(findings):
        return AgeSexLoaded(empty, empty, groups, findings)
    unknown = frame[frame["age_group"] == UNKNOWN_AGE]
    findings += _sums(frame, counts, table, unknown)
    findings += _cohort_ratios(counts, table)
    tidy = counts.drop(columns="position").assign(population=counts["population"].astype("float64"))
    return AgeSexLoaded(
        order(tidy, groups).reset_index(drop=True),
        totals.drop(columns=["position", "age_group"]).reset_index(drop=True),
        groups,
        findings,
        unknown[["municipality", "year", "sex", "population"]].reset_index(drop=True),
    )


def _nothing_read(table: Table, registry: Municipalities, findings: list[Finding]) -> list[Finding]:
    """The errors for a table without a row: an empty file (unless sheets were left out,
    which already says why) and no plan municipality."""
    errors = []
    if not any(f.check == "sheets-left-out" for f in findings):
        errors.append(
            Finding(severity="error", file=table.where(), line=None, column="-", check="empty-file")
        )
    errors.append(
        Finding(
            severity="error",
            file=table.file,
            line=None,
            column="-",
            check="no-plan-municipality",
            params={"known": "、".join(registry.names)},
        )
    )
    return errors


def _missing_plan_error(
    municipality: np.ndarray, registry: Municipalities, file: str
) -> list[Finding]:
    """An error naming (with their codes) the plan municipalities the table has no row for."""
    missing_plan = [m for m in registry.names if m not in set(municipality)]
    if not missing_plan:
        return []
    codes = {name: code for code, name in registry.codes.items()}
    return [
        Finding(
            severity="error",
            file=file,
            line=None,
            column="-",
            check="municipality-missing",
            params={"missing": "、".join(f"{m}（{codes.get(m, '')}）" for m in missing_plan)},
        )
    ]


def _parse_cells(
    rows: pd.DataFrame, at: Callable[[str], Locator]
) -> tuple[dict[str, pd.Series], list[Finding]]:
    """Each row's year, sex, age group and count (人) as read (NaN where unreadable), and an
    error per unreadable, implausible or blank cell."""
    sex = rows["sex"].map(parse_sex, na_action="ignore")
    age = rows["age_group"].map(parse_age, na_action="ignore")
    year, bad_year = parse_number(rows["year"])
    population, bad_population = parse_number(rows["population"])
    low, high = YEAR_RANGE
    checks = (
        ("sex", rows["sex"].notna() & sex.isna(), rows["sex"], "unknown-sex"),
        (
            "age_group",
            rows["age_group"].notna() & age.isna(),
            rows["age_group"],
            "unknown-age-class",
        ),
        ("year", bad_year, rows["year"], "not-a-year"),
        (
            "year",
            year.notna() & ((year < low) | (year > high) | (year % 1 != 0)),
            year,
            "year-range-simple",
        ),
        ("population", bad_population, rows["population"], "not-people"),
        ("population", population < 0, population, "negative-population"),
        ("population", population.notna() & (population % 1 != 0), population, "fractional-people"),
    )
    findings: list[Finding] = []
    for column, flagged, values, check_code in checks:
        params = (
            (lambda v: {"year": v, "low": low, "high": high})
            if check_code == "year-range-simple"
            else (lambda v: {"value": v})
        )
        findings += cell_errors(at(column), flagged, values, check_code, params)
    for column in ("sex", "age_group", "year", "population"):
        findings += cell_errors(
            at(column), rows[column].isna(), rows[column], "missing-value", lambda _: {}
        )
    parsed = {"year": year, "sex": sex, "age_group": age, "population": population}
    return parsed, findings


def _usable_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with every key and a count that is a whole number of people ≥ 0, in a
    whole year (as int)."""
    frame = frame.dropna(subset=["municipality", "year", "sex", "age_group", "population"])
    frame = frame[
        (frame["population"] >= 0) & (frame["population"] % 1 == 0) & (frame["year"] % 1 == 0)
    ]
    return frame.assign(year=frame["year"].astype("int64"))


def _drop_duplicates(frame: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, list[Finding]]:
    """The counts without rows repeating an earlier row's municipality, year, sex and age, and
    an error for each of the first 50 repeats naming the line (and sheet) it repeats."""
    keys = ["municipality", "year", "sex", "age_group"]
    duplicated = frame.duplicated(keys, keep="first")
    if not duplicated.any():
        return frame, []
    locate = table.locate("population")
    first_position = frame.drop_duplicates(keys).set_index(keys)["position"]
    findings = []
    for row in frame[duplicated].head(50).itertuples():
        files, lines, columns, cells = locate(np.array([row.position]))
        key = (row.municipality, row.year, row.sex, row.age_group)
        first_files, first_lines, _, _ = locate(np.array([first_position.loc[key]]))
        # The first row's line, with its sheet when that is another one.
        first = (
            first_lines[0]
            if first_files[0] == files[0]
            else f"{first_files[0]} の {first_lines[0]}"
        )
        age = {TOTAL: "総数", UNKNOWN_AGE: "年齢不詳"}.get(row.age_group) or AGE_LABELS.get(
            row.age_group, row.age_group
        )
        what = f"{row.municipality} {row.year}年 {SEX_LABELS[row.sex]} {age}"
        findings.append(
            Finding(
                severity="error",
                file=files[0],
                line=lines[0],
                column=columns[0],
                check="duplicate",
                params={"what": what, "first": first},
                cell=cells[0],
            )
        )
    return frame[~duplicated], findings


def _age_groups(counts: pd.DataFrame, file: str) -> tuple[tuple[str, ...], list[Finding]]:
    """The standard five-year groups up to the file's one open group (``85+``), and an error
    when there is no single open group or a group lies beyond it; () with an error."""
    opens = sorted({g for g in counts["age_group"] if g.endswith("+")})
    if len(opens) != 1:
        found = "、".join(AGE_LABELS.get(g, g) for g in opens) or "なし"
        return (), [
            Finding(
                severity="error",
                file=file,
                line=None,
                column="-",
                check="open-group",
                params={"found": found},
            )
        ]
    groups = standard_groups(opens[0])
    extra = sorted(set(counts["age_group"]) - set(groups), key=age_lower)
    if not extra:
        return groups, []
    return groups, [
        Finding(
            severity="error",
            file=file,
            line=None,
            column="-",
            check="age-beyond-open",
            params={
                "groups": "、".join(AGE_LABELS.get(g, g) for g in extra),
                "open": AGE_LABELS.get(opens[0], opens[0]),
            },
        )
    ]


def order(frame: pd.DataFrame, groups: tuple[str, ...]) -> pd.DataFrame:
    """Rows by municipality, year, sex (male first) and age group (youngest first)."""
    rank = {g: i for i, g in enumerate(groups)}
    keys = frame.assign(
        _sex=frame["sex"].map({"male": 0, "female": 1}), _age=frame["age_group"].map(rank)
    )
    return keys.sort_values(["municipality", "year", "_sex", "_age"]).drop(columns=["_sex", "_age"])


def _completeness(counts: pd.DataFrame, groups: tuple[str, ...], file: str) -> list[Finding]:
    keys = ["municipality", "year", "sex", "age_group"]
    expected = pd.MultiIndex.from_product(
        [pd.unique(counts["municipality"]), pd.unique(counts["year"]), list(SEXES), list(groups)],
        names=keys,
    )
    missing = expected.difference(pd.MultiIndex.from_frame(counts[keys]))
    if not len(missing):
        return []
    named = [f"{m} {y}年 {SEX_LABELS[s]} {AGE_LABELS.get(a, a)}" for m, y, s, a in missing.tolist()]
    return [
        Finding(
            severity="error",
            file=file,
            line=None,
            column="-",
            check="missing-rows-agesex",
            params={"count": len(named), "examples": examples(named)},
        )
    ]


STEP_YEARS = 5
"""The projection steps: five years, as the five-year age groups (the cohort-component method)."""

COHORT_RATIO_BANDS = ((70, (0.3, 2.0)), (80, (0.6, 1.3)), (90, (0.4, 1.3)), (200, (0.2, 1.2)))
"""(below this age, (low, high)): the range of a cohort's five-year change ratio
P(age, t) ÷ P(age − 5, t − 5) outside which a cell is almost surely mistyped (×10, ÷10) and
reported as a warning, by the age reached.

Calibrated on IPSS's 平成30年推計 for 一関市 and 平泉町 (2015–2045, both sexes; the ratios
include migration): below 70 the ratio lies within 0.63 (20–24, young people leaving) and
1.16 (25–29, returning), so 0.3–2.0 leaves room for any municipality's migration; at old
ages it is survival and little migration — 70–74: 0.94–0.98, 75–79: 0.88–0.96, 80–84:
0.80–0.92, 85–89: 0.63–0.86 — so 0.6 (70–79), 0.4 (80–89) and 0.2 (90–94) are far below
any plausible survival and 1.3 (1.2 from 90) allows a sizeable move into care homes, while a
cell ×10 (237 → 2,370 at 70–74) gives about 10 and ÷10 about 0.1. Survival at old ages is
well below 1: the bounds of younger ages would let such a typo pass."""

OPEN_GROUP_BAND = (0.1, 1.0)
"""The open age group's ratio P(open, t) ÷ (P(open − 5, t − 5) + P(open, t − 5)): 0.38–0.55
for 90歳以上 in the same IPSS data, lower for 95歳以上 (about 0.3); above 1 the oldest group
would have grown without births, which only a mistyped cell does."""

COHORT_JUMP = 1.3
"""A cell whose cohort ratio is this many times (or 1 / this) the same age's ratio in each
neighbouring cohort (five years before and after) is a single-cell jump, even
inside the bands (a doubled cell: ratio 1.95 where the neighbours have 0.98). In the IPSS data
above, the neighbouring cohorts' ratios at the same age differ by at most 4.4%."""

COHORT_JUMP_MIN_PEOPLE = 30
"""Cells and cohorts smaller than this are not compared with their neighbours (a few people
more or less make large ratios there)."""


def cohort_band(lower: int) -> tuple[float, float]:
    """The plausible range of the cohort ratio into the closed group starting at ``lower``."""
    return next(band for below, band in COHORT_RATIO_BANDS if lower < below)


def _years_and_births(counts: pd.DataFrame, file: str) -> list[Finding]:
    """At least two years, five years apart; people in every municipality; women 15–49 > 0
    wherever births must be derived (every year after the first)."""
    years = sorted(int(y) for y in pd.unique(counts["year"]))
    shown = "、".join(map(str, years))
    if len(years) < 2:
        return [
            Finding(
                severity="error",
                file=file,
                line=None,
                column="year",
                check="agesex-years",
                params={"years": shown, "reason": "推計には2つ以上の年が必要です"},
            )
        ]
    steps = {b - a for a, b in itertools.pairwise(years)}
    if steps != {STEP_YEARS}:
        return [
            Finding(
                severity="error",
                file=file,
                line=None,
                column="year",
                check="agesex-years",
                params={"years": shown, "reason": f"年は基準年 {years[0]}年から5年ごとに必要です"},
            )
        ]
    findings: list[Finding] = []
    totals = counts.groupby(["municipality", "year"])["population"].sum()
    empty = sorted({m for (m, _), total in totals.items() if total == 0})
    for municipality in empty:
        zero_years = [str(y) for (m, y), t in totals.items() if m == municipality and t == 0]
        findings.append(
            Finding(
                severity="error",
                file=file,
                line=None,
                column="population",
                check="zero-municipality",
                params={"municipality": municipality, "years": "、".join(zero_years)},
            )
        )
    lower = counts["age_group"].map(age_lower)
    women = counts[(counts["sex"] == "female") & (lower >= 15) & (lower < 50)]
    by_year = women.groupby(["municipality", "year"])["population"].sum()
    for (municipality, year), count in by_year.items():
        if count == 0 and year != years[0] and municipality not in empty:
            findings.append(
                Finding(
                    severity="error",
                    file=file,
                    line=None,
                    column="population",
                    check="no-women",
                    params={"municipality": municipality, "year": year},
                )
            )
    return findings


def _cohort_ratios(counts: pd.DataFrame, table: Table) -> list[Finding]:
    """Warnings for cells whose cohort's five-year change ratio is outside its band
    (:data:`COHORT_RATIO_BANDS`, :data:`OPEN_GROUP_BAND` for the open group), or jumps
    away from the same age's ratio in the neighbouring cohorts (:data:`COHORT_JUMP`)."""
    ratios = cohort_ratios(counts)
    findings = []
    locate = table.locate("population")
    for row in ratios.itertuples():
        out_of_band = not row.low <= row.ratio <= row.high
        if not out_of_band and not row.jump:
            continue
        files, lines, columns, cells = locate(np.array([int(row.position)]))
        lower = int(row.lower)
        before = (
            f"{lower - STEP_YEARS}歳以上" if row.open else f"{lower - STEP_YEARS}～{lower - 1}歳"
        )
        what = f"{row.municipality} {SEX_LABELS[str(row.sex)]} {AGE_LABELS.get(str(row.age_group), row.age_group)}"
        common = {
            "what": what,
            "year": int(row.year),
            "before": before,
            "earlier": int(row.year) - STEP_YEARS,
            "ratio": f"{row.ratio:.2f}",
        }
        if out_of_band:
            findings.append(
                Finding(
                    severity="warning",
                    file=files[0],
                    line=lines[0],
                    column=columns[0],
                    check="cohort-ratio",
                    params={**common, "low": row.low, "high": row.high},
                    cell=cells[0],
                )
            )
        else:
            findings.append(
                Finding(
                    severity="warning",
                    file=files[0],
                    line=lines[0],
                    column=columns[0],
                    check="cohort-jump",
                    params={**common, "neighbours": row.neighbours},
                    cell=cells[0],
                )
            )
    return findings


def cohort_ratios(counts: pd.DataFrame) -> pd.DataFrame:
    """Each cell's cohort ratio P(age, t) ÷ P(age − 5, t − 5) (for the open group, ÷ the two
    oldest groups five years before), its band, and whether it jumps away from the same age's
    ratio in the neighbouring cohorts (``jump``, with their ratios in ``neighbours``).

    A wrong cell also makes the ratio of its own cohort five years later look wrong; that
    one is not reported as a jump when the cell before it already is.
    """
    ordered = _jumps(_ratios(counts).sort_values(["municipality", "sex", "lower", "year"]))
    ordered["jump"] = ordered["jump"] & ~_after_flagged(ordered)
    return ordered.sort_values(["municipality", "sex", "year", "lower"])


def _ratios(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts with their cohort ratio (``ratio``, from ``population_before`` 人 five years
    earlier), their band (``low``, ``high``), ``lower`` (the group's first age) and ``open``;
    cells without people five years before are left out."""
    keys = ["municipality", "sex", "year", "lower"]
    frame = counts.assign(lower=counts["age_group"].map(age_lower).astype("int64"))
    frame = frame.assign(open=frame["age_group"].str.endswith("+"))
    earlier = frame[[*keys, "population"]].assign(
        year=frame["year"] + STEP_YEARS, lower=frame["lower"] + STEP_YEARS
    )
    joined = frame.merge(earlier, on=keys, how="left", suffixes=("", "_before"))
    # The open group is made of the group below it and itself, five years before.
    open_before = frame.loc[frame["open"], [*keys, "population"]].assign(
        year=lambda d: d["year"] + STEP_YEARS
    )
    joined = joined.merge(open_before, on=keys, how="left", suffixes=("", "_open"))
    joined["population_before"] = joined["population_before"] + joined["population_open"].where(
        joined["open"], 0
    ).fillna(0)
    joined = joined[joined["population_before"].notna() & (joined["population_before"] > 0)]
    joined = joined.assign(ratio=joined["population"] / joined["population_before"])
    bands = [
        OPEN_GROUP_BAND if o else cohort_band(int(a))
        for o, a in zip(joined["open"], joined["lower"], strict=True)
    ]
    joined["low"] = [b[0] for b in bands]
    joined["high"] = [b[1] for b in bands]
    return joined


def _jumps(ordered: pd.DataFrame) -> pd.DataFrame:
    """The ratios (sorted by age, then year) with ``jump``: within its band but far from the
    same age's ratio in every neighbouring cohort there is, counting enough people; and
    ``neighbours``, those ratios as text."""
    same_age = ordered.groupby(["municipality", "sex", "lower"])["ratio"]
    previous, following = same_age.shift(1), same_age.shift(-1)
    large = (ordered["population"] >= COHORT_JUMP_MIN_PEOPLE) & (
        ordered["population_before"] >= COHORT_JUMP_MIN_PEOPLE
    )

    def far_from(neighbour: pd.Series) -> pd.Series:
        """Far from this neighbour, or without one (the first and last ratios of an age)."""
        factor = ordered["ratio"] / neighbour
        return neighbour.isna() | (factor > COHORT_JUMP) | (factor < 1 / COHORT_JUMP)

    # Far from every neighbour there is: a neighbour that is itself the wrong one (the
    # cohort after a mistyped cell) does not make its correct neighbours look wrong.
    jump = large & (previous.notna() | following.notna()) & far_from(previous) & far_from(following)
    jump &= (ordered["ratio"] >= ordered["low"]) & (ordered["ratio"] <= ordered["high"])
    return ordered.assign(
        jump=jump.to_numpy(),
        neighbours=[
            "・".join(f"{v:.2f}" for v in (p, f) if pd.notna(v))
            for p, f in zip(previous, following, strict=True)
        ],
    )


def _after_flagged(ordered: pd.DataFrame) -> np.ndarray:
    """Whether each ratio is the next one (five years on, five years older) of a ratio that is
    flagged itself, as a jump or out of its band."""
    # A jump explained by the cell before it in the same cohort (which is the wrong one).
    flagged = ordered[
        ordered["jump"] | (ordered["ratio"] < ordered["low"]) | (ordered["ratio"] > ordered["high"])
    ]
    explained = set(
        zip(
            flagged["municipality"],
            flagged["sex"],
            flagged["year"] + STEP_YEARS,
            flagged["lower"] + STEP_YEARS,
            strict=True,
        )
    )
    follows = [
        (m, s, int(y), int(a)) in explained
        for m, s, y, a in zip(
            ordered["municipality"], ordered["sex"], ordered["year"], ordered["lower"], strict=True
        )
    ]
    return np.array(follows, dtype=bool)


def _sums(
    frame: pd.DataFrame, counts: pd.DataFrame, table: Table, unknown: pd.DataFrame
) -> list[Finding]:
    """男 + 女 = 男女計 for every age group and total; age groups (and the file's own
    年齢不詳 rows, in any year) add up to 総数."""
    return [*_sexes_sum_errors(frame, table), *_ages_sum_findings(frame, counts, table, unknown)]


def _sexes_sum_errors(frame: pd.DataFrame, table: Table) -> list[Finding]:
    """An error for each of the first 30 男女計 counts that are not 男 + 女."""
    findings: list[Finding] = []
    keys = ["municipality", "year", "age_group"]
    both = frame[frame["sex"] == BOTH].set_index(keys)
    if len(both):
        sexes = frame[frame["sex"].isin(SEXES)].groupby(keys)["population"].sum()
        joined = both.join(sexes.rename("sum"), how="inner")
        wrong = joined[joined["population"] != joined["sum"]]
        locate = table.locate("population")
        for (municipality, year, age), row in wrong.head(30).iterrows():
            files, lines, columns, cells = locate(np.array([int(row["position"])]))
            findings.append(
                Finding(
                    severity="error",
                    file=files[0],
                    line=lines[0],
                    column=columns[0],
                    check="sexes-sum",
                    params={
                        "what": f"{municipality} {year}年 {AGE_LABELS.get(age, '総数') if age != TOTAL else '総数'}",
                        "sum": f"{row['sum']:,.0f}",
                        "both": f"{row['population']:,.0f}",
                    },
                    cell=cells[0],
                )
            )
    return findings


def _ages_sum_findings(
    frame: pd.DataFrame, counts: pd.DataFrame, table: Table, unknown: pd.DataFrame
) -> list[Finding]:
    """For each printed 総数 that is not the sum of its age groups: a note or error against the
    file's 年齢不詳 row when it has one; else a warning when the first year's total exceeds
    the sum (people of unknown age), an error otherwise."""
    findings: list[Finding] = []
    first_year = int(frame["year"].min())
    summed = counts.groupby(["municipality", "year", "sex"])["population"].sum()
    totals = frame[frame["age_group"] == TOTAL].set_index(["municipality", "year", "sex"])
    both_sum = summed.groupby(level=["municipality", "year"]).sum()
    for (municipality, year, sex), row in totals.iterrows():
        parts = (
            both_sum.get((municipality, year))
            if sex == BOTH
            else summed.get((municipality, year, sex))
        )
        if parts is None or parts == row["population"]:
            continue
        gap = row["population"] - parts
        what = f"{municipality} {year}年 {SEX_LABELS[sex]}"
        files, lines, columns, cells = table.locate("population")(np.array([int(row["position"])]))
        stated = _unknown_count(unknown, municipality, year, sex)
        if stated is not None:
            findings.append(
                _unknown_finding(
                    what,
                    parts,
                    stated,
                    row["population"],
                    (files[0], lines[0], columns[0], cells[0]),
                )
            )
            continue
        params = {"what": what, "parts": f"{parts:,.0f}", "total": f"{row['population']:,.0f}"}
        gap_only = year == first_year and gap > 0
        findings.append(
            Finding(
                severity="warning" if gap_only else "error",
                file=files[0],
                line=lines[0],
                column=columns[0],
                check="unknown-age-gap" if gap_only else "ages-sum",
                params={**params, "gap": f"{gap:,.0f}"} if gap_only else params,
                cell=cells[0],
            )
        )
    return findings


def _unknown_count(unknown: pd.DataFrame, municipality: str, year: int, sex: str) -> float | None:
    """The file's 年齢不詳 count for a municipality, year and sex (男女計: its own row, else
    男 + 女), or None when the file has no such row."""
    rows = unknown[(unknown["municipality"] == municipality) & (unknown["year"] == year)]
    own = rows[rows["sex"] == sex]
    if len(own):
        return float(own["population"].sum())
    if sex == BOTH and set(rows["sex"]) >= set(SEXES):
        return float(rows[rows["sex"].isin(SEXES)]["population"].sum())
    return None


def _unknown_finding(
    what: str, parts: float, stated: float, total: float, place: tuple[str, int | None, str, str]
) -> Finding:
    """A total against the age groups and the file's own 年齢不詳 row: a note naming the
    count as the gap when they add up, else an error saying what is off."""
    file, line, column, cell = place
    params = {
        "what": what,
        "parts": f"{parts:,.0f}",
        "unknown": f"{stated:,.0f}",
        "total": f"{total:,.0f}",
        "sum": f"{parts + stated:,.0f}",
    }
    if parts + stated == total:
        return Finding(
            severity="note",
            file=file,
            line=line,
            column=column,
            check="unknown-age-rows",
            params=params,
            cell=cell,
        )
    return Finding(
        severity="error",
        file=file,
        line=line,
        column=column,
        check="ages-sum-unknown",
        params=params,
        cell=cell,
    )


def distribute_unknown(loaded: AgeSexLoaded) -> tuple[pd.DataFrame, list[Finding]]:
    """The counts with the file's 年齢不詳 people spread over the age groups in proportion
    (as IPSS builds its base population from the census), per municipality, year and sex;
    and a note for each municipality and year saying how many were spread.

    A 男女計 row without rows by sex is spread over both sexes' age groups together. A file
    without 年齢不詳 rows is returned as it is (population in 人, not rounded).
    """
    frame = loaded.frame
    unknown = loaded.unknown
    if unknown.empty or not unknown["population"].gt(0).any():
        return frame, []
    keys = ["municipality", "year"]
    by_sex = unknown[unknown["sex"].isin(SEXES)].groupby([*keys, "sex"])["population"].sum()
    both = unknown[unknown["sex"] == BOTH].set_index(keys)["population"]
    known_by_sex = frame.groupby([*keys, "sex"])["population"].transform("sum")
    known_both = frame.groupby(keys)["population"].transform("sum")
    index_sex = pd.MultiIndex.from_frame(frame[[*keys, "sex"]])
    index_both = pd.MultiIndex.from_frame(frame[keys])
    sex_share = pd.Series(by_sex.reindex(index_sex).to_numpy(), index=frame.index)
    both_share = pd.Series(both.reindex(index_both).to_numpy(), index=frame.index)
    has_sex = sex_share.notna()
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(
            has_sex,
            1 + sex_share.fillna(0) / known_by_sex,
            1 + both_share.fillna(0) / known_both,
        )
    factor = np.where(np.isfinite(factor), factor, 1.0)
    spread = frame.assign(population=frame["population"] * factor)
    added = (spread["population"] - frame["population"]).groupby([frame[k] for k in keys]).sum()
    notes = [
        Finding(
            severity="note",
            file="",
            line=None,
            column="-",
            check="unknown-age-distributed",
            params={"municipality": m, "year": int(y), "count": f"{count:,.0f}"},
        )
        for (m, y), count in added.items()
        if round(count) > 0
    ]
    return spread, notes


# ---------------------------------------------------------------- broad groups


def broad_bands(lower: Any, include_75: bool = False) -> dict[str, Any]:
    """The three broad groups (and 75+) as masks over five-year groups' lower bounds (years):
    0–14, 15–64, 65+; ``lower`` a Series or an array, the masks of the same kind."""
    bands = {"0-14": lower < 15, "15-64": (lower >= 15) & (lower < 65), "65+": lower >= 65}
    if include_75:
        bands["75+"] = lower >= 75
    return bands


def broad_groups(loaded: AgeSexLoaded, edition: str, include_75: bool = False) -> pd.DataFrame:
    """The three broad groups (and 75+) and the total, both sexes, in the population schema.

    The total is the printed 総数 where there is one (it may include people of
    unknown age in the census year), else the sum of the age groups. Every row is
    ``derived`` (summed by this project from the age × sex counts).
    """
    frame = loaded.frame
    bands = broad_bands(frame["age_group"].map(age_lower), include_75)
    parts = []
    for name, mask in bands.items():
        summed = frame[mask].groupby(["municipality", "year"], as_index=False)["population"].sum()
        parts.append(summed.assign(age_group=name))
    groups = pd.concat(parts, ignore_index=True)
    summed_total = frame.groupby(["municipality", "year"], as_index=False)["population"].sum()
    printed = loaded.totals[loaded.totals["sex"] == BOTH][["municipality", "year", "population"]]
    total = summed_total.merge(
        printed, on=["municipality", "year"], how="left", suffixes=("", "_printed")
    )
    total["population"] = total["population_printed"].fillna(total["population"])
    total = total.drop(columns="population_printed").assign(age_group=TOTAL)
    result = pd.concat([groups, total], ignore_index=True)
    return result.assign(
        edition=edition,
        population=result["population"].round().astype("int64"),
        derived=True,
        derivation="男女・5歳階級別人口の合計",
    )


def broad_for_edition(loaded: AgeSexLoaded, edition: str) -> pd.DataFrame:
    """:func:`broad_groups` without 75+, for use as a three-group edition."""
    frame = broad_groups(loaded, edition)
    return frame[frame["age_group"].isin([*AGE_GROUPS, TOTAL])].reset_index(drop=True)
