"""Loading the transcribed and supplied population data into tidy frames.

A population frame has one row per count: ``edition, municipality, year,
age_group, population`` (人), plus provenance (``input_file``, ``input_line``,
``source_table``, ``source_line``) and ``derived`` (True for values computed
by this project rather than printed: totals, 圏域 sums, interpolations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import vocabulary
from analysis.core.findings import (
    Finding,
    Locator,
    cell_errors,
    errors_in,
    examples,
    raise_on_errors,
)
from analysis.core.paths import DATA_RAW, display_path
from analysis.core.schema import (
    AGE_GROUP_LABELS,
    AGE_GROUPS,
    ALL_AGE_GROUPS,
    FLAG_VOCABULARY,
    REGION,
    TOTAL,
    YEAR_RANGE,
    find_age_group,
    normalise_age_group,
    parse_flag,
)
from analysis.inputs import agesex
from analysis.inputs.agesex import AgeSexLoaded
from analysis.inputs.cells import (
    MUNICIPALITY,
    Municipalities,
    expand_codes,
    near_name_errors,
    outside_plan_note,
    parse_number,
    plan_municipalities,
    read_municipality_registry,
)
from analysis.inputs.corrections import apply_corrections, read_corrections
from analysis.inputs.io import LINE, InputError, read_records, read_sheets
from analysis.inputs.layouts import Field, Layout, Table, accepted_layouts, read_table
from analysis.model import checks, cohort
from analysis.model.cohort import derived_by, unstack_age_groups


@dataclass(frozen=True)
class Edition:
    """A named edition of a projection or vision, so every number says where it comes from."""

    edition: str
    kind: str  # "projection" (社人研推計) or "vision" (人口ビジョン)
    label: str
    published: str
    path: Path
    replaces: str = ""
    source: str = ""
    short_label: str = ""
    """A label short enough for a figure title; the full label when not given."""
    age_sex: bool = False
    """The file has counts by sex and five-year age group: the projections may start from it."""
    census_years: tuple[int, ...] = ()
    """Years whose values are census counts, not projected (``census_years`` in the registry,
    e.g. ``2015;2020``): two editions must agree on a census year they share."""

    def __post_init__(self) -> None:
        if not self.short_label:
            object.__setattr__(self, "short_label", self.label)


@dataclass
class Loaded:
    """Parsed rows plus every finding met while parsing them."""

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    age_sex: AgeSexLoaded | None = None
    """The counts by sex and five-year age group, when the file has them."""

    @property
    def errors(self) -> list[Finding]:
        return errors_in(self.findings)


def read_editions(path: Path = DATA_RAW / "editions.csv") -> list[Edition]:
    """The edition registry; file paths are relative to the registry's folder."""
    table = read_records(path)
    file = display_path(path)
    required = ("edition", "kind", "label", "published", "file")
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(
            Finding(
                severity="error",
                file=file,
                line=1,
                column=missing[0],
                check="schema-missing",
                params={"column": missing[0], "required": "、".join(required)},
            )
        )
    return [_edition(row, path, file) for row in table.to_dict("records")]


def _edition(row: dict[Hashable, Any], registry: Path, file: str) -> Edition:
    """One row of the registry at ``registry`` (shown as ``file``) as an :class:`Edition`;
    an :class:`InputError` for an unknown kind or an unreadable age_sex flag."""
    kind = _text(row["kind"])
    if kind not in {"projection", "vision"}:
        raise InputError(
            Finding(
                severity="error",
                file=file,
                line=int(row[LINE]),
                column="kind",
                check="registry-kind",
                params={"value": kind},
            )
        )
    flag = parse_flag(_text(row.get("age_sex")))
    if flag is None:
        raise InputError(
            Finding(
                severity="error",
                file=file,
                line=int(row[LINE]),
                column="age_sex",
                check="registry-flag",
                params={
                    "value": _text(row.get("age_sex")),
                    "column": "age_sex",
                    "accepted": FLAG_VOCABULARY,
                },
            )
        )
    return Edition(
        edition=_text(row["edition"]),
        kind=kind,
        label=_text(row["label"]),
        published=_text(row["published"]),
        path=registry.parent / _text(row["file"]),
        replaces=_text(row.get("replaces")),
        source=_text(row.get("source")),
        short_label=_text(row.get("short_label")),
        age_sex=flag,
        census_years=_census_years(_text(row.get("census_years"))),
    )


def _census_years(text: str) -> tuple[int, ...]:
    """``2015;2020`` → (2015, 2020); anything not a year is left out (the cross-edition check
    then simply has fewer years to compare)."""
    return tuple(int(part) for part in re.split(r"[;；、\s]+", text) if part.isdigit())


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


# ---------------------------------------------------------------- the population layout


def _looks_like_age_group(values: list[str]) -> float:
    return sum(normalise_age_group(v) is not None for v in values) / len(values)


YEAR = Field("year", "年", vocabulary.YEAR)
AGE_GROUP = Field(
    "age_group",
    "年齢区分",
    vocabulary.AGE_GROUP,
    recognise=_looks_like_age_group,
    from_sheet=find_age_group,
)
POPULATION_FIELD = Field(
    "population",
    "人口",
    vocabulary.POPULATION,
)
CODE = Field(
    "code",
    "市町村コード",
    vocabulary.CODE,
)

POPULATION_LAYOUT = Layout(
    title="人口",
    keys=(MUNICIPALITY, YEAR, AGE_GROUP),
    value=POPULATION_FIELD,
    spread="year",
    optional=(
        CODE,
        Field("source_table", "原資料の表", ()),
        Field("source_line", "原資料の行", ()),
    ),
    skip_columns=(
        "増減率",
        "人口比率",
        "構成比",
        "割合",
        "高齢化率",
        "指数",
        "備考",
        "注",
        "都道府県",
        "区分",
        "種別",
        "団体区分",
    ),
    skip_rows=(
        "高齢化率",
        "人口比率",
        "構成比",
        "割合",
        "増減率",
        "指数",
        "うち",
        "再掲",
        "(再掲)",
        "平均年齢",
    ),
    fill_down=("municipality",),
    accepted=accepted_layouts(
        "市町村・年・年齢区分・人口、または municipality, year, age_group, population",
        "市町村・年齢区分・2020・2025・…（「2020年」「令和2年」も可）",
    ),
)


# ---------------------------------------------------------------- parsing


def parse_population(
    table: Table,
    *,
    edition: str,
    municipalities: Municipalities | list[str],
) -> Loaded:
    """Check and convert a population :class:`~analysis.inputs.layouts.Table`; collect every finding.

    Rows of municipalities outside the plan are left out and counted in one note.
    Every municipality the edition covers must have every year and age group.
    """
    registry = (
        municipalities
        if isinstance(municipalities, Municipalities)
        else Municipalities(list(municipalities), {})
    )
    findings: list[Finding] = list(table.findings)
    plan = _plan_rows(table, registry)
    if isinstance(plan, list):
        return Loaded(_empty_population(), [*findings, *plan])
    rows, municipality, kept, notes = plan
    findings += notes

    def at(column: str) -> Locator:
        locate = table.locate(column)
        return lambda positions: locate(kept[positions])

    findings += _missing_cells(rows, municipality, at)
    age_group, bad_age, age_findings = _parse_age_groups(rows["age_group"], at("age_group"))
    year, bad_year, year_findings = _parse_years(rows["year"], at("year"))
    population, bad_population, population_findings = _parse_people(
        rows["population"], at("population")
    )
    findings += [*age_findings, *year_findings, *population_findings]

    frame = pd.DataFrame(
        {
            "edition": edition,
            "municipality": municipality,
            "year": year,
            "age_group": age_group,
            "population": population,
            **_provenance(table, rows, kept),
        }
    )
    usable = frame[["municipality", "year", "age_group", "population"]].notna().all(axis=1)
    usable &= ~np.asarray(bad_age | bad_year | bad_population, dtype=bool)
    keys = ["municipality", "year", "age_group"]
    frame, duplicates = _drop_duplicates(frame[usable.to_numpy()], table, keys)
    findings += duplicates

    frame = frame.drop(columns="position").assign(
        year=frame["year"].astype("int64"),
        population=frame["population"].astype("int64"),
        derived=False,
    )
    if not errors_in(findings):
        findings += completeness(frame, table.where(), keys)
    return Loaded(frame.reset_index(drop=True), findings)


def _provenance(table: Table, rows: pd.DataFrame, kept: np.ndarray) -> dict[str, object]:
    """The provenance columns of ``rows``: input file (sheet), line, position in the table,
    and the source's table and line when the file gives them."""
    return {
        "input_file": [table.sheets[int(s)].where for s in rows["_sheet"]]
        if len(table.sheets) > 1
        else table.where(),
        "input_line": rows[LINE].to_numpy().astype("int64"),
        "position": kept,
        "source_table": rows["source_table"],
        "source_line": pd.to_numeric(rows["source_line"], errors="coerce").astype("Int64"),
    }


def _plan_rows(
    table: Table, registry: Municipalities
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[Finding]] | list[Finding]:
    """The rows of the plan's municipalities: (rows, their municipality, their positions in
    the table, the note on rows left out); or the findings that stop the parse (an empty
    table, a name near a plan municipality's, no plan municipality at all)."""
    raw = table.frame
    if raw.empty:
        return [
            Finding(severity="error", file=table.where(), line=None, column="-", check="empty-file")
        ]
    municipality, outside = plan_municipalities(raw, registry)
    near = near_name_errors(
        table, "municipality", raw["municipality"], outside, [*registry.names, REGION]
    )
    if near:
        return near
    notes = outside_plan_note(table, outside)
    kept = np.flatnonzero(~outside)
    if not len(kept):
        known = "、".join(registry.names)
        return [
            *notes,
            Finding(
                severity="error",
                file=table.where(),
                line=None,
                column="-",
                check="no-plan-municipality",
                params={"known": known},
            ),
        ]
    return raw.iloc[kept].reset_index(drop=True), municipality[kept], kept, notes


def _missing_cells(
    rows: pd.DataFrame, municipality: np.ndarray, at: Callable[[str], Locator]
) -> list[Finding]:
    """An error per blank key or population cell (a municipality given by a code is not blank)."""
    findings: list[Finding] = []
    for column in ("municipality", "year", "age_group", "population"):
        missing = rows[column].isna().to_numpy().copy()
        if column == "municipality":
            missing &= pd.isna(municipality)
        findings += cell_errors(at(column), missing, rows[column], "missing-value", lambda _: {})
    return findings


def _parse_age_groups(
    cells: pd.Series, locate: Locator
) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """The canonical age group of each cell, which cells name none, and an error for each."""
    label_codes, labels = pd.factorize(cells, use_na_sentinel=True)
    canonical = np.array([normalise_age_group(str(label)) for label in labels], dtype=object)
    age_group = expand_codes(label_codes, canonical, None)
    bad_age = (label_codes >= 0) & pd.isna(age_group)
    allowed = "、".join(AGE_GROUP_LABELS[g] for g in ALL_AGE_GROUPS)
    findings = cell_errors(
        locate,
        bad_age,
        cells,
        "unknown-age-group",
        lambda v: {"value": v, "allowed": allowed},
    )
    return age_group, bad_age, findings


def _parse_years(cells: pd.Series, locate: Locator) -> tuple[pd.Series, pd.Series, list[Finding]]:
    """Each cell's year (float, NaN when unreadable), which are unusable (fractional or
    outside :data:`YEAR_RANGE`), and an error for every cell that is not a plausible year."""
    year, year_nan = parse_number(cells)
    fractional_year = year.notna() & (year != np.floor(year))
    low, high = YEAR_RANGE
    implausible = year.notna() & ~fractional_year & ((year < low) | (year > high))
    findings = [
        *cell_errors(locate, year_nan, cells, "not-a-year"),
        *cell_errors(locate, fractional_year, year, "fractional-year"),
        *cell_errors(
            locate,
            implausible,
            year,
            "year-range",
            lambda v: {"year": int(v), "low": low, "high": high},
        ),
    ]
    return year, fractional_year | implausible, findings


def _parse_people(cells: pd.Series, locate: Locator) -> tuple[pd.Series, pd.Series, list[Finding]]:
    """Each cell's count (人, float, NaN when unreadable), which are unusable (negative or
    fractional), an error for each of those, and a warning for each zero."""
    population, population_nan = parse_number(cells)
    negative = population < 0
    fractional = population.notna() & (population != np.floor(population))
    zero = population == 0
    findings = [
        *cell_errors(locate, population_nan, cells, "not-people"),
        *cell_errors(locate, negative, population, "negative-population"),
        *cell_errors(locate, fractional, population, "fractional-people"),
        *cell_errors(locate, zero, population, "zero-population", lambda _: {}, severity="warning"),
    ]
    return population, negative | fractional, findings


def _drop_duplicates(
    frame: pd.DataFrame, table: Table, keys: list[str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """The frame without rows repeating an earlier row's keys, and an error naming each
    repeat and the line of the row it repeats."""
    duplicated = frame.duplicated(keys, keep="first")
    if not duplicated.any():
        return frame, []
    first_line = frame.drop_duplicates(keys).set_index(keys)["input_line"]
    locate = table.locate("population")
    findings = []
    for row in frame[duplicated].itertuples():
        original = first_line.loc[(row.municipality, row.year, row.age_group)]
        files, lines, columns, cells = locate(np.array([row.position]))
        what = f"{row.municipality} {int(row.year)}年 {AGE_GROUP_LABELS[row.age_group]}"
        findings.append(
            Finding(
                severity="error",
                file=files[0],
                line=lines[0],
                column=columns[0],
                check="duplicate",
                params={"what": what, "first": original},
                cell=cells[0],
            )
        )
    return frame[~duplicated], findings


def completeness(frame: pd.DataFrame, where: str, keys: list[str]) -> list[Finding]:
    """Every municipality of an edition must have every year and age group (total optional)."""
    groups = frame[frame["age_group"].isin(AGE_GROUPS)]
    if groups.empty:
        return []
    axes = [pd.unique(groups[k]) for k in keys]
    axes[keys.index("age_group")] = np.array(AGE_GROUPS, dtype=object)
    expected = pd.MultiIndex.from_product(axes, names=keys)
    present = pd.MultiIndex.from_frame(groups[keys])
    missing = expected.difference(present)
    if not len(missing):
        return []
    named = [
        f"{m} {int(y)}年 {AGE_GROUP_LABELS.get(str(a), a)}"
        for m, y, a in missing.to_frame(index=False)[keys].itertuples(index=False)
    ]
    return [
        Finding(
            severity="error",
            file=where,
            line=None,
            column="-",
            check="missing-rows",
            params={"count": len(named), "examples": examples(named)},
        )
    ]


def _empty_population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "edition": pd.Series([], dtype=object),
            "municipality": pd.Series([], dtype=object),
            "year": pd.Series([], dtype="int64"),
            "age_group": pd.Series([], dtype=object),
            "population": pd.Series([], dtype="int64"),
            "derived": pd.Series([], dtype=bool),
        }
    )


def load_population(
    path: Path, *, edition: str, municipalities: Municipalities | list[str]
) -> Loaded:
    """Read and parse one population file (CSV in UTF-8 or Shift_JIS, or .xlsx; long or wide).

    A file by sex and five-year age group (the IPSS municipal workbook, or a tidy
    table with a sex column) is checked as such and summed to the broad groups,
    so it serves wherever a three-group edition does.
    """

    registry = (
        municipalities
        if isinstance(municipalities, Municipalities)
        else Municipalities(list(municipalities), {})
    )
    sheets = read_sheets(path)
    if agesex.is_age_sex(sheets):
        detail = agesex.load(path, edition=edition, registry=registry, sheets=sheets)
        if detail.errors:
            return Loaded(_empty_population(), detail.findings, detail)
        return Loaded(agesex.broad_for_edition(detail, edition), detail.findings, detail)
    return parse_population(
        read_table(path, POPULATION_LAYOUT, sheets), edition=edition, municipalities=registry
    )


BORROWED = "以前の版の値"
"""The start of the ``derivation`` of rows taken from the edition a partial one replaces."""


def is_borrowed(frame: pd.DataFrame) -> pd.Series:
    """Rows a partial edition took from the edition it replaces (by their ``derivation``)."""
    return derived_by(frame, BORROWED)


def borrow_missing(
    frame: pd.DataFrame, editions: list[Edition], municipalities: list[str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """A revised edition without some municipality takes that municipality from the edition
    it replaces (a real partial revision: one municipality revises its vision, the other's
    stands), so that the 圏域 can still be summed.

    Borrowed rows are ``derived`` with the derivation 「以前の版の値（…）」 and a note
    names each; a municipality neither edition has stays out. Years and age groups are
    never borrowed: a year the revised edition lacks is interpolated where it lies between
    its years, else left out.
    """
    by_id = {e.edition: e for e in editions}
    parts = [frame]
    notes = []
    for edition in editions:
        old = by_id.get(edition.replaces)
        if old is None:
            continue
        present = set(frame.loc[frame["edition"] == edition.edition, "municipality"])
        if not present:
            continue
        for municipality in municipalities:
            if municipality in present:
                continue
            rows = frame[
                (frame["edition"] == old.edition) & (frame["municipality"] == municipality)
            ]
            if rows.empty:
                continue
            parts.append(
                rows.assign(
                    edition=edition.edition,
                    derived=True,
                    derivation=f"{BORROWED}（{old.short_label}）",
                )
            )
            notes.append(
                Finding(
                    severity="note",
                    file=display_path(edition.path),
                    line=None,
                    column="municipality",
                    check="borrowed-municipality",
                    params={
                        "edition": edition.short_label,
                        "municipality": municipality,
                        "old": old.short_label,
                        "edition_id": edition.edition,
                        "years": "",
                        "region": "",
                        "region_en": "",
                    },
                )
            )
    return pd.concat(parts, ignore_index=True), notes


def _years(years: object) -> str:
    return "・".join(str(int(y)) for y in sorted(set(years)))  # type: ignore[call-overload]


def region_sum_errors(
    frame: pd.DataFrame, editions: list[Edition], municipalities: list[str]
) -> list[Finding]:
    """A revised edition's 圏域 rows that are not the sum of the municipalities it ends up
    with (its own rows and those borrowed from the edition it replaces): one error per
    edition, naming the years and the differences.

    Without it a hand-edited file mixes figures silently: 平泉町's rows removed but the 圏域
    rows kept give 一関市 + 平泉町 (borrowed) ≠ 圏域 inside one edition. Only editions that
    replace another are held to it; the transcribed source's own inconsistencies are
    reported as warnings by :mod:`analysis.model.checks` and corrected there.
    """
    findings = []
    revised = {e.edition: e for e in editions if e.replaces}
    rows = frame[frame["edition"].isin(list(revised))]
    # The 圏域 as the file gives it: its rows, and their total where only the groups are given.
    given = ~rows["derived"].astype(bool) | derived_by(rows, "年齢3区分の合計")
    region = rows[(rows["municipality"] == REGION) & given]
    members = rows[rows["municipality"].isin(municipalities)]
    sums = members.groupby(["edition", "year", "age_group"])["population"].agg(["sum", "count"])
    for edition_id, printed in region.groupby("edition", sort=False):
        edition = revised[str(edition_id)]
        joined = printed.join(sums, on=["edition", "year", "age_group"], how="inner")
        joined = joined[joined["count"] == len(municipalities)]
        wrong = joined[joined["population"] != joined["sum"]].sort_values(["year", "age_group"])
        if wrong.empty:
            continue
        own = members[members["edition"] == edition_id]
        borrowed = sorted(set(own.loc[is_borrowed(own), "municipality"]))
        shown = wrong[wrong["age_group"] == TOTAL]
        shown = shown if len(shown) else wrong.drop_duplicates("year")
        mine = own.set_index(["year", "age_group", "municipality"])["population"]
        details = _region_sum_details(shown.head(3), mine, borrowed, municipalities)
        first = wrong.iloc[0]
        line = first.get("input_line")
        findings.append(
            Finding(
                severity="error",
                file=str(first.get("input_file") or display_path(edition.path)),
                line=None if pd.isna(line) else int(line),
                column="population",
                check="region-sum-mismatch",
                params={
                    "edition": edition.short_label,
                    "years": _years(wrong["year"]),
                    "details": "；".join(details),
                    "borrowed": (f"（{'・'.join(borrowed)}は以前の版の値）" if borrowed else ""),
                    "borrowed_en": (
                        f" ({', '.join(borrowed)} from the replaced edition)" if borrowed else ""
                    ),
                },
            )
        )
    return findings


def _region_sum_details(
    shown: pd.DataFrame, mine: pd.Series, borrowed: list[str], municipalities: list[str]
) -> list[str]:
    """For each 圏域 row ``shown`` (with its members' ``sum``), the sentence 「2020年 総数：
    一関市 …人＋平泉町 …人＝…人、圏域 …人（差 …人）」 from the members' counts ``mine`` (人),
    marking the counts borrowed from the replaced edition."""
    details = []
    for r in shown.itertuples():
        terms = "＋".join(
            f"{m} {mine.loc[(r.year, r.age_group, m)]:,.0f}人"
            + ("（以前の版の値）" if m in borrowed else "")
            for m in municipalities
        )
        gap = int(r.sum - r.population)
        details.append(
            f"{int(r.year)}年 {AGE_GROUP_LABELS.get(str(r.age_group), r.age_group)}：{terms}＝{r.sum:,.0f}人、"
            f"圏域 {r.population:,.0f}人（差 {abs(gap):,}人）"
        )
    return details


def describe_borrowing(
    frame: pd.DataFrame, notes: list[Finding], municipalities: list[str]
) -> list[Finding]:
    """The notes of :func:`borrow_missing` saying exactly what was borrowed (which years)
    and what the 圏域 is in each year: the edition's own printed value (checked against the
    sum by :func:`region_sum_errors`), the sum, or absent."""
    described = []
    for note in notes:
        params = dict(note.params)
        edition = str(params["edition_id"])
        municipality = str(params["municipality"])
        rows = frame[frame["edition"] == edition]
        taken = rows[(rows["municipality"] == municipality) & is_borrowed(rows)]
        region = rows[(rows["municipality"] == REGION) & (rows["age_group"] == TOTAL)]
        summed = region.loc[derived_by(region, "市町の合計"), "year"]
        given = ~region["derived"].astype(bool) | derived_by(region, "年齢3区分の合計")
        printed = region.loc[given, "year"]
        own_years = set(rows.loc[~rows["municipality"].isin([REGION, municipality]), "year"])
        missing = sorted(own_years - set(region["year"]))
        others = "・".join(m for m in municipalities if m != municipality)
        parts, parts_en = [], []
        if len(summed):
            parts.append(
                f"圏域は{others}（{params['edition']}）と{municipality}（以前の版の値）の合計です"
                f"（{_years(summed)}年）"
            )
            parts_en.append(f"the 圏域 is their sum in {_years(summed)}")
        if len(printed):
            parts.append(
                f"圏域は{params['edition']}に書かれた値で、市町の合計と一致します（{_years(printed)}年）"
            )
            parts_en.append(
                f"the 圏域 is the edition's own, equal to the sum, in {_years(printed)}"
            )
        if missing:
            parts.append(
                f"{_years(missing)}年は以前の版に{municipality}の値がないため、圏域を示しません"
            )
            parts_en.append(
                f"no 圏域 in {_years(missing)} (the replaced edition lacks those years)"
            )
        params |= {
            "years": _years(taken["year"]),
            "region": "。".join(parts),
            "region_en": "; ".join(parts_en),
        }
        described.append(
            Finding(
                severity=note.severity,
                file=note.file,
                line=note.line,
                column=note.column,
                check=note.check,
                params=params,
            )
        )
    return described


def fill_missing_years(frame: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """A year missing from an edition's own series (a partial revision that skips 2035 while
    the municipality it borrows has 2035) is interpolated linearly between its nearest years
    (marked 線形補間), so that every year the edition shows has every municipality and the
    圏域 is their sum. Only years on the edition's own grid (its first year plus multiples of
    its step) inside its own range are added; nothing is extrapolated.
    """
    members = frame[frame["municipality"].isin(municipalities)]
    extras = []
    for _, rows in members.groupby("edition", sort=False):
        own = sorted(set(rows.loc[~is_borrowed(rows), "year"]))
        if len(own) < 2:
            continue
        step = int(np.gcd.reduce(np.diff(own)))
        grid = {y for y in set(rows["year"]) | set(own) if own[0] <= y <= own[-1]}
        years = {y for y in grid if (y - own[0]) % step == 0}
        have = rows.groupby(["municipality", "age_group"], observed=True)["year"].agg(set)
        lacking = {year for years_of in have for year in years - years_of}
        if not lacking:
            continue
        added = cohort.with_years(rows, sorted(lacking))
        new = added.merge(rows[[*cohort.SERIES, "year"]], how="left", indicator=True)
        extras.append(new[new["_merge"] == "left_only"].drop(columns="_merge"))
    if not extras:
        return frame
    return pd.concat([frame, *extras], ignore_index=True)


def complete_population(frame: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Add what an edition may leave out: totals and the 圏域 (marked ``derived``).

    A total is derived from the three age groups where it is absent; the 圏域 is
    the sum of the municipalities where the edition does not print it and every
    member municipality is present for that year. Rows keep their order; new
    rows come last (sort with :func:`sort_population`).
    """
    keys = ["edition", "municipality", "year"]

    wide = unstack_age_groups(frame, keys).reindex(columns=list(ALL_AGE_GROUPS))
    complete = wide[list(AGE_GROUPS)].notna().all(axis=1) & wide[TOTAL].isna()
    new_totals = (
        wide.loc[complete, list(AGE_GROUPS)]
        .sum(axis=1)
        .rename("population")
        .reset_index()
        .assign(age_group=TOTAL, derived=True, derivation="年齢3区分の合計")
    )
    frame = pd.concat([frame, new_totals], ignore_index=True)

    if municipalities:
        members = frame[frame["municipality"].isin(municipalities)]
        by_region = members.pivot_table(
            index=["edition", "year", "age_group"],
            columns="municipality",
            values="population",
            aggfunc="sum",
            observed=True,
        ).reindex(columns=municipalities)
        printed = frame.loc[frame["municipality"] == REGION, ["edition", "year", "age_group"]]
        printed_index = pd.MultiIndex.from_frame(printed)
        wanted = by_region.notna().all(axis=1) & ~by_region.index.isin(printed_index)
        interpolated = (
            members.assign(flag=cohort.is_interpolated(members))
            .groupby(["edition", "year", "age_group"], observed=True)["flag"]
            .any()
        )
        region = (
            by_region[wanted]
            .sum(axis=1)
            .rename("population")
            .reset_index()
            .assign(municipality=REGION, derived=True)
        )
        region["derivation"] = cohort.region_derivation(
            interpolated.reindex(pd.MultiIndex.from_frame(region[["edition", "year", "age_group"]]))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        frame = pd.concat([frame, region], ignore_index=True)
    frame["derived"] = frame["derived"].astype(bool)
    frame["population"] = frame["population"].astype("int64")
    return frame


def sort_population(frame: pd.DataFrame, municipalities: list[str] | None = None) -> pd.DataFrame:
    """Sort rows by edition, municipality (registry order, 圏域 last), year, age group."""
    rank = {name: i for i, name in enumerate(municipalities or [])}
    rank[REGION] = 10_000
    age_rank = {g: i for i, g in enumerate(ALL_AGE_GROUPS)}
    keys = pd.DataFrame(
        {
            "edition": frame["edition"].astype("category").cat.codes,
            "rank": frame["municipality"].map(rank).fillna(5_000).to_numpy(),
            "municipality": frame["municipality"].astype("category").cat.codes,
            "year": frame["year"].to_numpy(),
            "age": frame["age_group"].map(age_rank).to_numpy(),
        }
    )
    order = np.lexsort([keys[c].to_numpy() for c in reversed(keys.columns)])
    return frame.iloc[order].reset_index(drop=True)


@dataclass
class PopulationData:
    """Everything the population report needs, loaded and checked."""

    editions: list[Edition]
    municipalities: list[str]
    raw: pd.DataFrame
    """Counts as printed (after parsing), with totals and 圏域 derived where absent."""
    corrected: pd.DataFrame
    """``raw`` with the documented corrections applied: the basis of every figure."""
    corrections: pd.DataFrame
    findings: list[Finding]
    age_sex: dict[str, AgeSexLoaded] = field(default_factory=dict)
    """Editions that come by sex and five-year age group: their detailed counts."""

    def edition(self, name: str) -> Edition:
        for edition in self.editions:
            if edition.edition == name:
                return edition
        raise KeyError(name)


def _check_replaces(editions: list[Edition], registry: Path) -> None:
    """An :class:`InputError` when an edition replaces one that is not registered."""
    known = {e.edition for e in editions}
    for edition in editions:
        if edition.replaces and edition.replaces not in known:
            raise InputError(
                Finding(
                    severity="error",
                    file=display_path(registry),
                    line=None,
                    column="replaces",
                    check="registry-replaces",
                    params={"edition": edition.edition, "replaces": edition.replaces},
                )
            )


def _load_editions(
    editions: list[Edition], registry: Municipalities
) -> tuple[list[pd.DataFrame], list[Finding], dict[str, AgeSexLoaded]]:
    """Every edition's file read: its population frame, every finding in file order, and the
    counts by sex and five-year age group of the editions that have them."""
    findings: list[Finding] = []
    frames = []
    detailed = {}
    for edition in editions:
        loaded = load_population(edition.path, edition=edition.edition, municipalities=registry)
        findings += loaded.findings
        frames.append(loaded.frame)
        if loaded.age_sex is not None:
            detailed[edition.edition] = loaded.age_sex
    return frames, findings, detailed


def load_all(
    raw_dir: Path = DATA_RAW,
    *,
    extra_editions: list[Edition] | None = None,
    check: bool = True,
) -> PopulationData:
    """Load every registered edition (plus supplied ones), validate, and correct.

    Raises :class:`DataError` when any input has errors; inconsistencies inside
    the published source come back as warnings in ``findings``.
    """

    editions = read_editions(raw_dir / "editions.csv") + list(extra_editions or [])
    _check_replaces(editions, raw_dir / "editions.csv")
    registry = read_municipality_registry(raw_dir / "municipalities.csv")
    frames, findings, detailed = _load_editions(editions, registry)
    raise_on_errors(findings)
    municipalities = registry.names
    printed = sort_population(
        complete_population(pd.concat(frames, ignore_index=True), municipalities), municipalities
    )
    corrections = read_corrections(raw_dir / "corrections.csv")
    corrected, applied = apply_corrections(printed, corrections)
    if check:
        labels = {e.edition: e.short_label for e in editions}
        findings += checks.check_all(printed, corrections, raw_dir, municipalities, labels)
        findings += checks.check_shared_census(printed, editions, raw_dir)
    # A partial revision borrows from the edition it replaces only now: the copies are not
    # checked again, and the corrected frame borrows corrected values.
    raw, borrowed = borrow_missing(printed, editions, municipalities)
    corrected, _ = borrow_missing(corrected, editions, municipalities)
    raise_on_errors(region_sum_errors(corrected, editions, municipalities))
    raw = sort_population(
        complete_population(fill_missing_years(raw, municipalities), municipalities),
        municipalities,
    )
    corrected = sort_population(
        complete_population(fill_missing_years(corrected, municipalities), municipalities),
        municipalities,
    )
    findings += describe_borrowing(corrected, borrowed, municipalities)
    corrected["corrected"] = corrected["corrected"].fillna(False).astype(bool)
    return PopulationData(editions, municipalities, raw, corrected, applied, findings, detailed)
