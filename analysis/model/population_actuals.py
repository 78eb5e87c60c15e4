"""Population actuals (人口の実績): counts by municipality and age group as of a date.

The planners' actuals are the census (国勢調査, as of 1 October) and the 住民基本台帳 counts
(as of a 基準日, e.g. 総務省's 1 January). Each row is one count: ``市町村, 基準日, 種別,
年齢区分, 人口`` (or ``municipality, date, kind, age_group, population``), long or wide
(one column per date, ``2020年10月1日``, ``2023-01-01``; a census column may give the year
alone, taken as 1 October). A file names 一関市 and 平泉町; a 圏域 row is accepted only when
it equals their sum, and the 圏域 is always computed as that sum.

Refused, one line each naming file, row (or sheet and cell) and column: a negative or
non-integer count, a total that is not the sum of the three groups, a municipality × date ×
age group given twice, a municipality outside the plan, a date in the future, census and
住民基本台帳 rows on one date, a missing age group.

The computations set the actuals against paths (the vision and the projection editions),
interpolated linearly in time between the paths' 5-year points, each point taken as of
1 October of its year; and against the plan's targets (data/raw/facts.csv).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import precision, vocabulary
from analysis.core.findings import DataError, Finding, cell_errors, errors_in
from analysis.core.paths import DATA_RAW
from analysis.core.schema import AGE_GROUP_LABELS, AGE_GROUPS, REGION, TOTAL, normalise_age_group
from analysis.inputs.cells import (
    MUNICIPALITY,
    Municipalities,
    near_name_errors,
    near_plan_name,
    parse_number,
    plan_municipalities,
    read_municipality_registry,
)
from analysis.inputs.data import AGE_GROUP, CODE, POPULATION_FIELD, Edition, PopulationData
from analysis.inputs.io import LINE
from analysis.inputs.layouts import (
    Field,
    Layout,
    Table,
    accepted_layouts,
    header_year,
    normalise_header,
    read_table,
)
from analysis.model.population import report_name

DEFAULT = DATA_RAW / "population_actuals.csv"
"""The registered actuals: the counts the source document prints (see data/raw/README.md)."""

CENSUS = "census"
RESIDENT = "resident"
KIND_LABELS = {CENSUS: "国勢調査", RESIDENT: "住民基本台帳"}
"""The two kinds of count, which are different counts and never mixed on one date."""
_KIND_ALIASES = {
    "国勢調査": CENSUS,
    "国調": CENSUS,
    "census": CENSUS,
    "国勢調査人口": CENSUS,
    "住民基本台帳": RESIDENT,
    "住基": RESIDENT,
    "住民基本台帳人口": RESIDENT,
    "住民基本台帳に基づく人口": RESIDENT,
    "住民登録": RESIDENT,
    "resident": RESIDENT,
    "residentregister": RESIDENT,
    "residents": RESIDENT,
}

PATH_MONTH_DAY = (10, 1)
"""The date a path's yearly value stands for (month, day): the census and the IPSS
projections count as of 1 October."""
CENSUS_MONTH_DAY = (10, 1)
"""The census date (国勢調査は10月1日現在); a census given by its year alone is this date."""


def parse_kind(text: object) -> str | None:
    """``census`` or ``resident`` for a kind as planners write it, else None."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).lower())
    key = re.sub(r"[(（].*?[)）]", "", key)
    return _KIND_ALIASES.get(key)


def _kind_of_sheet(text: str) -> str | None:
    """The kind a sheet name or title row names (「住民基本台帳人口（各年1月1日現在）」)."""
    key = unicodedata.normalize("NFKC", str(text))
    found = {code for word, code in _KIND_ALIASES.items() if len(word) >= 2 and word in key.lower()}
    return KIND_LABELS[found.pop()] if len(found) == 1 else None


def _looks_like_kind(values: list[str]) -> float:
    return sum(parse_kind(v) is not None for v in values) / len(values)


_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
_WESTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:t?00:00(?::00)?)?$")
_ERA = re.compile(r"^(令和|平成|昭和|r|h|s)(\d{1,2}|元)[年.](\d{1,2})[月.](\d{1,2})日?$")
_YEAR_ONLY = re.compile(r"^(\d{4})年?$")
_ERA_YEAR_ONLY = re.compile(r"^(令和|平成|昭和|r|h|s)(\d{1,2}|元)年$")


def parse_date(text: object) -> tuple[datetime.date | None, int | None]:
    """(date, None) for a full date; (None, year) for a year alone; (None, None) otherwise.

    Accepted: ``2020-10-01``, ``2020/10/1``, ``2020年10月1日``, ``令和2年10月1日``,
    ``R2.10.1`` (an Excel date cell reads as ``2020-10-01``); ``現在`` and a bracketed
    remark are ignored (``2023年1月1日現在``, ``2020年10月1日（国勢調査）``).
    """
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).lower())
    key = re.sub(r"[(\[【].*?[)\]】]", "", key).removesuffix("現在")
    western = _WESTERN.match(key)
    era = _ERA.match(key)
    try:
        if western:
            year, month, day = (int(g) for g in western.groups())
            return datetime.date(year, month, day), None
        if era:
            number = 1 if era.group(2) == "元" else int(era.group(2))
            year = _ERAS[era.group(1)] + number
            return datetime.date(year, int(era.group(3)), int(era.group(4))), None
    except ValueError:
        return None, None  # 2月30日
    alone = _YEAR_ONLY.match(key)
    if alone:
        return None, int(alone.group(1))
    era_alone = _ERA_YEAR_ONLY.match(key)
    if era_alone:
        number = 1 if era_alone.group(2) == "元" else int(era_alone.group(2))
        return None, _ERAS[era_alone.group(1)] + number
    return None, None


DATE = Field(
    "date", "基準日", ("基準日", "年月日", "日付", "調査日", "時点", "date", "asof", "as_of")
)
KIND = Field(
    "kind",
    "種別",
    ("種別", "種類", "人口の種類", "調査", "区分", "出典", "kind", "source"),
    recognise=_looks_like_kind,
    from_sheet=_kind_of_sheet,
)
LAYOUT = Layout(
    title="人口の実績",
    keys=(MUNICIPALITY, DATE, KIND, AGE_GROUP),
    value=POPULATION_FIELD,
    spread="date",
    optional=(CODE, Field("note", "備考", vocabulary.NOTE)),
    skip_columns=("高齢化率", "人口比率", "構成比", "割合", "増減率", "注"),
    skip_rows=("高齢化率", "人口比率", "構成比", "割合", "増減率", "うち", "再掲", "(再掲)"),
    fill_down=("municipality", "kind"),
    blank_means_absent=True,
    accepted=accepted_layouts(
        "市町村・基準日・種別・年齢区分・人口、または municipality, date, kind, age_group, population",
        "市町村・種別・年齢区分・2020年10月1日・2023年1月1日・…（国勢調査は「2020年」だけでも可）",
    ),
)


@dataclass
class Actuals:
    """The actuals (long, one row per area, date and age group incl. total) and the findings."""

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)


COLUMNS = [
    "municipality",
    "date",
    "year",
    "kind",
    "kind_label",
    "age_group",
    "population",
    "derived",
    "input_file",
    "input_line",
]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "municipality": pd.Series([], dtype=object),
            "date": pd.Series([], dtype=object),
            "year": pd.Series([], dtype="int64"),
            "kind": pd.Series([], dtype=object),
            "kind_label": pd.Series([], dtype=object),
            "age_group": pd.Series([], dtype=object),
            "population": pd.Series([], dtype="int64"),
            "derived": pd.Series([], dtype=bool),
            "input_file": pd.Series([], dtype=object),
            "input_line": pd.Series([], dtype="int64"),
        }
    )


def _date_texts(table: Table) -> pd.Series:
    """Each row's date as written: the cell (long) or the year column's header (wide)."""
    frame = table.frame
    texts = frame["date"].astype(object).to_numpy().copy()
    for position, (sheet, column) in enumerate(
        zip(frame["_sheet"].to_numpy(), frame["_col_date"].to_numpy(), strict=True)
    ):
        if column < 0:
            continue
        header = table.headers[int(sheet)].get(int(column))
        if (
            header is not None
            and header_year(header) is not None
            and not DATE.matches(normalise_header(header))
        ):
            texts[position] = header
    return pd.Series(texts, index=frame.index, dtype=object)


def load(
    path: Path | str,
    *,
    today: datetime.date | None = None,
    municipalities: Municipalities | None = None,
) -> Actuals:
    """Read and check an actuals file; raise DataError (every error, one line each).

    ``today`` is the date after which a count cannot have been taken (default: today).
    """
    today = today or datetime.date.today()
    registry = municipalities or read_municipality_registry()
    table = read_table(path, LAYOUT)
    findings: list[Finding] = list(table.findings)
    raw = table.frame
    if raw.empty:
        findings.append(
            Finding(severity="error", file=table.where(), line=None, column="-", check="empty-file")
        )
        raise DataError(findings)
    municipality, outside = plan_municipalities(raw, registry)
    findings += _municipality_errors(table, outside, registry)
    findings += _missing_cells(table, municipality)
    kinds, kind_errors = _parse_kinds(table)
    ages, age_errors = _parse_ages(table)
    dates, date_errors = _parse_dates(table, kinds, today)
    counts, count_errors = _parse_counts(table)
    findings += [*kind_errors, *age_errors, *date_errors, *count_errors]
    if errors_in(findings):
        raise DataError(_sorted(findings))

    frame = pd.DataFrame(
        {
            "municipality": municipality,
            "date": dates,
            "kind": kinds,
            "age_group": ages,
            "population": counts.astype("int64").to_numpy(),
            "position": np.arange(len(raw)),
            "input_line": raw[LINE].to_numpy().astype("int64"),
        }
    )
    findings += _consistency(frame, table)
    if errors_in(findings):
        raise DataError(_sorted(findings))
    return Actuals(_complete(frame, table, registry), findings)


def _municipality_errors(
    table: Table, outside: np.ndarray, registry: Municipalities
) -> list[Finding]:
    """Names near a plan municipality's (「一関」), then names of no plan municipality: an
    actuals file has no rows to leave out, so both are errors."""
    raw = table.frame
    plan = [*registry.names, REGION]
    near = near_name_errors(table, "municipality", raw["municipality"], outside, plan)
    close = np.array(
        [pd.notna(v) and near_plan_name(v, plan) is not None for v in raw["municipality"]],
        dtype=bool,
    )
    unknown = outside & ~close
    known = "、".join(plan)
    return [
        *near,
        *cell_errors(
            table.locate("municipality"),
            unknown & raw["municipality"].notna().to_numpy(),
            raw["municipality"],
            "actual-unknown-municipality",
            lambda v: {"value": str(v).strip(), "known": known},
        ),
    ]


def _missing_cells(table: Table, municipality: np.ndarray) -> list[Finding]:
    """An error per blank cell (a municipality given by its code is not blank)."""
    raw = table.frame
    findings: list[Finding] = []
    for column in ("municipality", "date", "kind", "age_group", "population"):
        missing = raw[column].isna().to_numpy().copy()
        if column == "municipality":
            missing &= pd.isna(municipality)
        findings += cell_errors(
            table.locate(column), missing, raw[column], "missing-value", lambda _: {}
        )
    return findings


def _parse_kinds(table: Table) -> tuple[np.ndarray, list[Finding]]:
    """Each row's kind of count (census or register; None where unreadable), and an error per
    unreadable cell."""
    raw = table.frame
    kinds = np.array([parse_kind(v) if pd.notna(v) else None for v in raw["kind"]], dtype=object)
    errors = cell_errors(
        table.locate("kind"),
        raw["kind"].notna().to_numpy() & pd.isna(kinds),
        raw["kind"],
        "actual-unknown-kind",
    )
    return kinds, errors


def _parse_ages(table: Table) -> tuple[np.ndarray, list[Finding]]:
    """Each row's age group (one of the three or the total; None where unreadable), and an
    error per unreadable cell."""
    raw = table.frame
    ages = np.array(
        [normalise_age_group(str(v)) if pd.notna(v) else None for v in raw["age_group"]],
        dtype=object,
    )
    allowed = "、".join(AGE_GROUP_LABELS[g] for g in (*AGE_GROUPS, TOTAL))
    errors = cell_errors(
        table.locate("age_group"),
        raw["age_group"].notna().to_numpy() & pd.isna(ages),
        raw["age_group"],
        "unknown-age-group",
        lambda v: {"value": v, "allowed": allowed},
    )
    return ages, errors


def _parse_dates(
    table: Table, kinds: np.ndarray, today: datetime.date
) -> tuple[np.ndarray, list[Finding]]:
    """Each row's date of count (a census given by its year only is on 1 October; None where
    unreadable), and an error per unreadable or future date."""
    texts = _date_texts(table)
    dates = np.empty(len(texts), dtype=object)
    findings = []
    for position, text in enumerate(texts):
        if pd.isna(text):
            continue
        day, year = parse_date(text)
        if day is None and year is not None and kinds[position] == CENSUS:
            day = datetime.date(year, *CENSUS_MONTH_DAY)
        if day is None:
            check = "actual-date-needs-day" if year is not None else "actual-not-a-date"
            findings.append(
                _cell_error(table, "date", position, check, {"value": str(text).strip()})
            )
            continue
        dates[position] = day
    future = np.array([d is not None and d > today for d in dates], dtype=bool)
    findings += cell_errors(
        table.locate("date"),
        future,
        dates,
        "actual-future-date",
        lambda d: {"date": _date_text(d), "today": _date_text(today)},
    )
    return dates, findings


def _parse_counts(table: Table) -> tuple[pd.Series, list[Finding]]:
    """Each row's count (人, float; NaN where unreadable), and an error per cell that is not a
    whole number of people ≥ 0."""
    raw = table.frame
    counts, not_number = parse_number(raw["population"])
    negative = counts.lt(0).to_numpy()
    fractional = (counts.notna() & (counts != np.floor(counts))).to_numpy()
    locate = table.locate("population")
    findings = [
        *cell_errors(locate, not_number, raw["population"], "not-people"),
        *cell_errors(locate, negative, counts, "negative-population"),
        *cell_errors(locate, fractional & ~negative, counts, "fractional-people"),
    ]
    return counts, findings


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file, f.line or 0, f.cell, f.column))


def _date_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _at(table: Table, column: str, position: int) -> tuple[str, int | None, str, str]:
    files, lines, columns, cells = table.locate(column)(np.array([position]))
    return files[0], lines[0], columns[0], cells[0]


def _cell_error(
    table: Table, column: str, position: int, check: str, params: Mapping[str, object]
) -> Finding:
    """An error at the cell of ``column`` in the table's row ``position``."""
    file, line, label, cell = _at(table, column, position)
    return Finding(
        severity="error",
        file=file,
        line=line,
        column=label,
        check=check,
        params=params,
        cell=cell,
    )


def _first_row(table: Table, column: str, first: int, here: str) -> object:
    file, line, _, _ = _at(table, column, first)
    return line if file == here else f"{file} の {line}"


def _consistency(frame: pd.DataFrame, table: Table) -> list[Finding]:
    """Duplicates, kinds mixed on a date, totals and 圏域 rows that are not the sum."""
    findings = [*_duplicate_errors(frame, table), *_mixed_kind_errors(frame, table)]
    if findings:
        return findings
    frame = frame[frame["municipality"] != REGION]  # the 圏域 is checked against the sum
    groups = frame[frame["age_group"].isin(AGE_GROUPS)]
    return [*_group_errors(groups, table), *_total_errors(frame, groups, table)]


def _duplicate_errors(frame: pd.DataFrame, table: Table) -> list[Finding]:
    """An error per row repeating an earlier row's municipality, date and age group."""
    findings = []
    keys = ["municipality", "date", "age_group"]
    firsts = frame.drop_duplicates(keys).set_index(keys)["position"]
    for row in frame[frame.duplicated(keys)].itertuples():
        file = _at(table, "population", row.position)[0]
        first = int(firsts.loc[(row.municipality, row.date, row.age_group)])
        what = f"{row.municipality} {_date_text(row.date)} {AGE_GROUP_LABELS[row.age_group]}"
        params = {"what": what, "first": _first_row(table, "population", first, file)}
        findings.append(_cell_error(table, "population", row.position, "duplicate", params))
    return findings


def _mixed_kind_errors(frame: pd.DataFrame, table: Table) -> list[Finding]:
    """An error per row whose kind of count differs from the first row of its date."""
    findings = []
    by_date = frame.drop_duplicates("date").set_index("date")
    for row in frame[frame["kind"] != frame["date"].map(by_date["kind"])].itertuples():
        first = int(by_date.loc[row.date, "position"])
        file = _at(table, "kind", row.position)[0]
        params = {
            "date": _date_text(row.date),
            "kind": KIND_LABELS[row.kind],
            "first_kind": KIND_LABELS[str(by_date.loc[row.date, "kind"])],
            "first": _first_row(table, "kind", first, file),
        }
        findings.append(_cell_error(table, "kind", row.position, "actual-mixed-kinds", params))
    return findings


def _group_errors(groups: pd.DataFrame, table: Table) -> list[Finding]:
    """An error per municipality and date missing one of the three age groups, then one per
    municipality and date whose groups add up to nobody."""
    findings = []
    sums = groups.groupby(["municipality", "date"])["population"].sum()
    present = groups.groupby(["municipality", "date"])["age_group"].agg(set)

    def first_position(place: str, day: datetime.date) -> int:
        rows = groups[(groups["municipality"] == place) & (groups["date"] == day)]
        return int(rows["position"].iloc[0])

    for (place, day), have in present.items():
        missing = [AGE_GROUP_LABELS[g] for g in AGE_GROUPS if g not in have]
        if missing:
            params = {"what": f"{place} {_date_text(day)}", "groups": "、".join(missing)}
            findings.append(
                _cell_error(
                    table, "age_group", first_position(place, day), "actual-missing-groups", params
                )
            )
    for (place, day), total in sums.items():
        if total == 0:
            params = {"what": f"{place} {_date_text(day)}"}
            findings.append(
                _cell_error(
                    table, "population", first_position(place, day), "actual-zero-total", params
                )
            )
    return findings


def _total_errors(frame: pd.DataFrame, groups: pd.DataFrame, table: Table) -> list[Finding]:
    """An error per written total without its age groups, or that is not their sum."""
    findings = []
    sums = groups.groupby(["municipality", "date"])["population"].sum()
    for row in frame[frame["age_group"] == TOTAL].itertuples():
        key = (row.municipality, row.date)
        what = f"{row.municipality} {_date_text(row.date)}"
        if key not in sums.index:
            params = {"what": what, "groups": "、".join(AGE_GROUP_LABELS[g] for g in AGE_GROUPS)}
            findings.append(
                _cell_error(table, "age_group", row.position, "actual-missing-groups", params)
            )
            continue
        if row.population != sums.loc[key]:
            mismatch: dict[str, object] = {
                "what": what,
                "total": int(row.population),
                "sum": int(sums.loc[key]),
                "difference": int(row.population - sums.loc[key]),
            }
            findings.append(
                _cell_error(table, "population", row.position, "actual-total-mismatch", mismatch)
            )
    return findings


def _complete(frame: pd.DataFrame, table: Table, registry: Municipalities) -> pd.DataFrame:
    """Totals where not given, the 圏域 as the sum of the municipalities (checked against a
    圏域 row given in the file), as one long table."""
    given = frame[frame["municipality"] != REGION]
    groups = given[given["age_group"].isin(AGE_GROUPS)]
    rows = pd.concat([groups.assign(derived=False), _totals(given, groups)], ignore_index=True)
    rows = rows.drop(columns="position")
    region = _region(rows, registry)
    problems = _region_errors(frame[frame["municipality"] == REGION], region, table)
    if problems:
        raise DataError(_sorted(problems))
    return _long_table(pd.concat([rows, region], ignore_index=True), table, registry)


def _totals(given: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Each municipality's total (人) on each date as the sum of its groups, ``derived``
    unless the file writes it (whose line it then keeps)."""
    totals = groups.groupby(["municipality", "date", "kind"], as_index=False).agg(
        population=("population", "sum"), input_line=("input_line", "min")
    )
    written_totals = given[given["age_group"] == TOTAL].set_index(["municipality", "date"])
    keys = list(zip(totals["municipality"], totals["date"], strict=True))
    return totals.assign(
        age_group=TOTAL,
        derived=[k not in written_totals.index for k in keys],
        input_line=[
            int(written_totals.loc[k, "input_line"]) if k in written_totals.index else line
            for k, line in zip(keys, totals["input_line"], strict=True)
        ],
    )


def _region(rows: pd.DataFrame, registry: Municipalities) -> pd.DataFrame:
    """The 圏域 (人) by date and age group, on dates every plan municipality was counted."""
    complete = rows.groupby("date")["municipality"].agg(set)
    whole = [d for d, places in complete.items() if set(registry.names) <= places]
    return (
        rows[rows["date"].isin(whole)]
        .groupby(["date", "kind", "age_group"], as_index=False)
        .agg(population=("population", "sum"), input_line=("input_line", "min"))
        .assign(municipality=REGION, derived=True)
    )


def _region_errors(written: pd.DataFrame, region: pd.DataFrame, table: Table) -> list[Finding]:
    """An error per 圏域 row of the file that is not the municipalities' sum (or has none)."""
    problems = []
    for row in written.itertuples():
        match = region[(region["date"] == row.date) & (region["age_group"] == row.age_group)]
        computed = int(match["population"].iloc[0]) if len(match) else None
        if computed is None or computed != row.population:
            params = {
                "what": f"{_date_text(row.date)} {AGE_GROUP_LABELS[row.age_group]}",
                "value": int(row.population),
                "sum": "（市町の行がそろっていません）" if computed is None else f"{computed:,}人",
            }
            problems.append(
                _cell_error(table, "population", row.position, "actual-region-mismatch", params)
            )
    return problems


def _long_table(out: pd.DataFrame, table: Table, registry: Municipalities) -> pd.DataFrame:
    """The counts in :data:`COLUMNS`, by date, municipality (plan order, 圏域 last) and age."""
    order = {name: i for i, name in enumerate([*registry.names, REGION])}
    ages = {g: i for i, g in enumerate((*AGE_GROUPS, TOTAL))}
    out = out.assign(_m=out["municipality"].map(order), _a=out["age_group"].map(ages)).sort_values(
        ["date", "_m", "_a"]
    )
    return pd.DataFrame(
        {
            "municipality": out["municipality"].to_numpy(),
            "date": [d.isoformat() for d in out["date"]],
            "year": [d.year for d in out["date"]],
            "kind": out["kind"].to_numpy(),
            "kind_label": out["kind"].map(KIND_LABELS).to_numpy(),
            "age_group": out["age_group"].to_numpy(),
            "population": out["population"].astype("int64").to_numpy(),
            "derived": out["derived"].astype(bool).to_numpy(),
            "input_file": table.where(),
            "input_line": out["input_line"].astype("int64").to_numpy(),
        }
    )[COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- computations


def by_date(actuals: pd.DataFrame) -> pd.DataFrame:
    """One row per area and date: the three groups and total (人) and 高齢化率 (%)."""
    wide = actuals.pivot_table(
        index=["municipality", "date", "year", "kind", "kind_label"],
        columns="age_group",
        values="population",
        aggfunc="sum",
        sort=False,
    ).reset_index()
    wide.columns.name = None
    wide = wide.assign(aging_rate_pct=wide["65+"] / wide[TOTAL] * 100)
    return wide[
        ["municipality", "date", "year", "kind", "kind_label", *AGE_GROUPS, TOTAL, "aging_rate_pct"]
    ].reset_index(drop=True)


def path_date(year: int) -> datetime.date:
    """The date a path's value for ``year`` stands for (1 October, :data:`PATH_MONTH_DAY`)."""
    return datetime.date(int(year), *PATH_MONTH_DAY)


def interpolate(points: pd.Series, day: datetime.date) -> float | None:
    """A path's value on ``day``: linear in days between the two points around it.

    ``points`` are values indexed by year, each standing for 1 October of its year. On a
    point's own date the point itself; before the first or after the last point, None
    (no extrapolation).
    """
    years = sorted(int(y) for y in points.index)
    if not years:
        return None
    dates = [path_date(y) for y in years]
    if day < dates[0] or day > dates[-1]:
        return None
    for index in range(len(years) - 1):
        d0, d1 = dates[index], dates[index + 1]
        if d0 <= day <= d1:
            y0, y1 = years[index], years[index + 1]
            share = (day - d0).days / (d1 - d0).days
            return float(points.loc[y0] + (points.loc[y1] - points.loc[y0]) * share)
    return float(points.loc[years[0]])  # a single point, on its own date


def compared_editions(editions: Sequence[Edition]) -> list[Edition]:
    """The paths the actuals are set against: the vision in force, then every projection
    edition in three age groups (an age × sex edition repeats its three-group twin)."""
    visions = [e for e in editions if e.kind == "vision"]
    projections = [e for e in editions if e.kind == "projection" and not e.age_sex]
    return [*visions[-1:], *projections]


def against_paths(
    actuals: pd.DataFrame, corrected: pd.DataFrame, editions: Sequence[Edition]
) -> pd.DataFrame:
    """Each actual (area, date) beside each edition's path on that date.

    Columns: municipality, date, kind_label, edition, actual_population and
    path_population (人), gap_people (実績−経路, 人), actual_aging_rate_pct and
    path_aging_rate_pct (%), gap_aging_points (実績−経路, ポイント), on_point (the date
    is one of the path's own points, 1 October of a published year). An actual outside
    an edition's years has no row for it.
    """
    wide = by_date(actuals)
    rows = []
    for edition in editions:
        own = corrected[corrected["edition"] == edition.edition]
        for actual in wide.itertuples():
            series = own[own["municipality"] == actual.municipality]
            total = series[series["age_group"] == TOTAL].set_index("year")["population"]
            old = series[series["age_group"] == "65+"].set_index("year")["population"]
            day = datetime.date.fromisoformat(actual.date)
            path_total = interpolate(total.astype("float64"), day)
            path_old = interpolate(old.astype("float64"), day)
            if path_total is None or path_old is None or path_total <= 0:
                continue
            actual_total = float(getattr(actual, TOTAL))
            actual_rate = float(actual.aging_rate_pct)
            path_rate = path_old / path_total * 100
            rows.append(
                {
                    "municipality": actual.municipality,
                    "date": actual.date,
                    "kind_label": actual.kind_label,
                    "edition": edition.edition,
                    "actual_population": actual_total,
                    "path_population": path_total,
                    "gap_people": actual_total - path_total,
                    "actual_aging_rate_pct": actual_rate,
                    "path_aging_rate_pct": path_rate,
                    "gap_aging_points": actual_rate - path_rate,
                    "on_point": day in {path_date(int(y)) for y in total.index},
                }
            )
    columns = [
        "municipality",
        "date",
        "kind_label",
        "edition",
        "actual_population",
        "path_population",
        "gap_people",
        "actual_aging_rate_pct",
        "path_aging_rate_pct",
        "gap_aging_points",
        "on_point",
    ]
    return pd.DataFrame(rows, columns=columns)


def closest(
    against: pd.DataFrame,
    actuals: pd.DataFrame,
    editions: Sequence[Edition],
    corrected: pd.DataFrame,
) -> pd.DataFrame:
    """For each census after an edition's own census years: the editions that projected it,
    ranked by the size of their gap in people (rank 1 came closest).

    An edition whose census years include the census's year, or whose first year is not
    before it (its base), holds the count itself and is not ranked for it. Columns: municipality, date, edition, path_population,
    gap_people (実績−推計, 人), abs_gap_people (人), rank.
    """
    census_dates = set(actuals.loc[actuals["kind"] == CENSUS, "date"])
    own = {e.edition: set(e.census_years) for e in editions}
    first = corrected.groupby("edition")["year"].min()
    rows = against[against["date"].isin(census_dates)]
    year = rows["date"].str.slice(0, 4).astype("int64")
    projected = [
        y not in own.get(e, set()) and y > first.get(e, y)
        for e, y in zip(rows["edition"], year, strict=True)
    ]
    rows = rows[np.asarray(projected, dtype=bool)]
    rows = rows.assign(abs_gap_people=rows["gap_people"].abs())
    rows = rows.sort_values(["municipality", "date", "abs_gap_people", "edition"])
    rows = rows.assign(rank=rows.groupby(["municipality", "date"]).cumcount() + 1)
    return rows[
        [
            "municipality",
            "date",
            "edition",
            "actual_population",
            "path_population",
            "gap_people",
            "abs_gap_people",
            "rank",
        ]
    ].reset_index(drop=True)


def latest_of_each_kind(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest date of each kind of count (国勢調査, 住民基本台帳) per area, in
    date order: what a pace to a target is measured from (an older count's pace is history,
    kept in the workbook)."""
    latest = frame.groupby(["municipality", "kind_label"])["date"].transform("max")
    return frame[frame["date"] == latest].sort_values(["date", "target_year"], kind="stable")


def target_gaps(actuals: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Each actual of an area with targets beside each target (data/raw/facts.csv).

    Columns: municipality, date, kind_label, target_year, target_population (人),
    actual_population (人), gap_to_target_people (実績−目標, 人), target_aging_rate_pct (%),
    actual_aging_rate_pct (%), gap_to_target_aging_points (実績−目標, ポイント), years_to_target
    (年, from the actual's date to 1 October of the target year) and
    needed_change_per_year_people (人／年, (目標−実績) ÷ 年数; none once the target
    year's 1 October is reached: 0 on that date). An actual after that date has no row.
    """
    wide = by_date(actuals)
    targets = facts[facts["fact"].str.startswith("target_")]
    rows = []
    for (place, year), group in targets.groupby(["municipality", "year"], sort=True):
        people = group[group["quantity"] == "population"]["value"]
        rate = group[group["quantity"] == "aging_rate"]["value"]
        for actual in wide[wide["municipality"] == place].itertuples():
            day = datetime.date.fromisoformat(actual.date)
            years = (path_date(int(year)) - day).days / 365.25
            total = float(getattr(actual, TOTAL))
            row: dict[str, object] = {
                "municipality": place,
                "date": actual.date,
                "kind_label": actual.kind_label,
                "target_year": int(year),
                "actual_population": total,
                "actual_aging_rate_pct": float(actual.aging_rate_pct),
                "years_to_target": years,
            }
            if years < 0:
                continue  # an actual after the target's date is not measured against it
            if len(people):
                target = float(people.iloc[0])
                row |= {
                    "target_population": target,
                    "gap_to_target_people": total - target,
                    "needed_change_per_year_people": (target - total) / years if years else 0.0,
                }
            if len(rate):
                target_rate = float(rate.iloc[0])
                row |= {
                    "target_aging_rate_pct": target_rate,
                    "gap_to_target_aging_points": float(actual.aging_rate_pct) - target_rate,
                }
            rows.append(row)
    columns = [
        "municipality",
        "date",
        "kind_label",
        "target_year",
        "target_population",
        "actual_population",
        "gap_to_target_people",
        "target_aging_rate_pct",
        "actual_aging_rate_pct",
        "gap_to_target_aging_points",
        "years_to_target",
        "needed_change_per_year_people",
    ]
    return pd.DataFrame(rows, columns=columns)


def resident_point(
    against: pd.DataFrame, corrected: pd.DataFrame, vision: Edition
) -> dict[str, Any] | None:
    """When the vision's own value for a year is a 住民基本台帳 count (its source says so)
    and a 住民基本台帳 actual of the 圏域 falls in that year: the vision's value, the path's
    value on the actual's date (the value taken as of 1 October) and the gaps (人)."""
    if "住民基本台帳" not in vision.source:
        return None
    rows = against[
        (against["edition"] == vision.edition)
        & (against["municipality"] == REGION)
        & (against["kind_label"] == KIND_LABELS[RESIDENT])
    ]
    points = corrected[
        (corrected["edition"] == vision.edition)
        & (corrected["municipality"] == REGION)
        & (corrected["age_group"] == TOTAL)
    ].set_index("year")["population"]
    for row in rows.itertuples():
        year = int(row.date[:4])
        if year in points.index and not row.on_point:
            return {
                "year": year,
                "date": row.date,
                "vision_value": float(points.loc[year]),
                "actual": float(row.actual_population),
                "path_value": float(row.path_population),
                "gap_to_path": float(row.gap_people),
                "gap_to_value": float(row.actual_population) - float(points.loc[year]),
            }
    return None


def build_tables(
    actuals: pd.DataFrame, data: PopulationData, facts: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The processed tables of the actuals (tidy, unrounded, no missing values)."""
    editions = compared_editions(data.editions)
    against = against_paths(actuals, data.corrected, editions)
    shown = actuals.assign(input_file=actuals["input_file"].map(report_name))
    return {
        "actual_counts": shown.drop(columns=["kind"]),
        "actual_by_date": by_date(actuals).drop(columns=["kind"]),
        "actual_vs_paths": against,
        "actual_closest": closest(against, actuals, editions, data.corrected),
        "actual_targets": target_gaps(actuals, facts),
    }


# ---------------------------------------------------------------- for the report


def decimal_year(date: str) -> float:
    """``2023-01-01`` → 2023.0, ``2020-10-01`` → 2020.75 (for a time axis)."""
    day = datetime.date.fromisoformat(date)
    start = datetime.date(day.year, 1, 1)
    length = (datetime.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def figure_inputs(
    built: dict[str, pd.DataFrame],
    data: PopulationData,
    facts: pd.DataFrame,
    area: str = REGION,
) -> dict[str, pd.DataFrame]:
    """The frames :func:`analysis.report.figures.actuals_vs_paths` draws, for one area: the paths
    up to the last target year, the actuals, their gaps and the area's population targets."""
    editions = compared_editions(data.editions)
    names = {e.edition: e.short_label for e in editions}
    targets = facts[
        facts["fact"].str.startswith("target_")
        & (facts["quantity"] == "population")
        & (facts["municipality"] == area)
    ]
    last = int(targets["year"].max()) if len(targets) else int(data.corrected["year"].max())
    actual = built["actual_by_date"]
    actual = actual[actual["municipality"] == area]
    gaps = built["actual_vs_paths"]
    gaps = gaps[gaps["municipality"] == area]
    return {
        "paths": _paths(data.corrected, editions, area, last),
        "actuals": pd.DataFrame(
            {
                "when": actual["date"].map(decimal_year).to_numpy(),
                "population": actual[TOTAL].to_numpy(),
                "kind_label": actual["kind_label"].to_numpy(),
            }
        ),
        "gaps": pd.DataFrame(
            {
                "label": gaps["edition"].map(names).to_numpy(),
                "when": gaps["date"].map(decimal_year).to_numpy(),
                "gap_people": gaps["gap_people"].to_numpy(),
                "kind_label": gaps["kind_label"].to_numpy(),
            }
        ),
        "targets": pd.DataFrame(
            {
                "year": targets["year"].to_numpy(),
                "population": targets["value"].to_numpy(),
                "label": [f"目標 {v:,.0f}人程度" for v in targets["value"]],
            }
        ),
    }


def _paths(corrected: pd.DataFrame, editions: list[Edition], area: str, last: int) -> pd.DataFrame:
    """Each compared edition's total (人) for ``area`` up to the year ``last``, in the editions'
    order, with its short label and kind."""
    names = {e.edition: e.short_label for e in editions}
    paths = corrected[
        corrected["edition"].isin(names)
        & (corrected["municipality"] == area)
        & (corrected["age_group"] == TOTAL)
        & (corrected["year"] <= last)
    ]
    order = {e.edition: i for i, e in enumerate(editions)}
    paths = paths.assign(_o=paths["edition"].map(order)).sort_values(["_o", "year"])
    kinds = {e.edition: e.kind for e in editions}
    return pd.DataFrame(
        {
            "label": paths["edition"].map(names).to_numpy(),
            "kind": paths["edition"].map(kinds).to_numpy(),
            "year": paths["year"].to_numpy(),
            "population": paths["population"].to_numpy(),
        }
    )


POINTS = precision.decimals("points")
"""Decimals of a 高齢化率 difference in ポイント (one precision per quantity)."""


def signed(value: float, unit: str, digits: int = 0) -> str:
    """A difference with its sign (「+9,284人」「-1.5ポイント」), and 「0人」 when it rounds to 0."""
    return precision.without_sign_of_zero(f"{value:+,.{digits}f}") + unit


def _own_census_note(gap: pd.Series, edition: Edition, kind: str) -> str:
    """A clause for a census actual that an edition took as its own base (a census year of
    the edition): the totals agree, so an age-group gap there is a disagreement of sources
    (the plan prints 一関市's 2020 age groups unlike the census), not a change of population."""
    year = int(str(gap["date"])[:4])
    same_total = round(float(gap["gap_people"])) == 0
    differs = round(abs(float(gap["gap_aging_points"])), POINTS) > 0
    if kind != KIND_LABELS[CENSUS] or year not in edition.census_years or not same_total:
        return ""
    if not differs:
        return ""
    return (
        f"この年は{edition.short_label}自身が国勢調査の値としている年で、総人口は同じですが、"
        "年齢3区分の人数が国勢調査と合っていません（高齢化率の差はそのためで、人口の動きの差"
        "ではありません）。"
    )


def _day(date: str) -> str:
    return _date_text(datetime.date.fromisoformat(date))


def key_points(
    built: dict[str, pd.DataFrame],
    data: PopulationData,
    area: str = REGION,
) -> list[str]:
    """Sentences for the report: the latest actual of each kind, its gap to the vision's
    path and to each target (実績−目標), the vision's own 住民基本台帳 value, and which
    edition came closest to a census they projected."""
    editions = compared_editions(data.editions)
    names = {e.edition: e.short_label for e in editions}
    vision = editions[0] if editions and editions[0].kind == "vision" else None
    wide = built["actual_by_date"]
    wide = wide[wide["municipality"] == area]
    against = built["actual_vs_paths"]
    lines = _latest_sentences(wide, against, vision, names, area)
    targets = built["actual_targets"]
    lines += _target_sentences(targets[targets["municipality"] == area])
    if vision is not None:
        point = resident_point(against, data.corrected, vision)
        if point is not None and area == REGION:
            lines.append(_resident_sentence(point, names[vision.edition]))
    ranked = built["actual_closest"]
    lines += _closest_sentences(ranked[ranked["municipality"] == area], names)
    return lines


def _latest_sentences(
    wide: pd.DataFrame,
    against: pd.DataFrame,
    vision: Edition | None,
    names: dict[str, str],
    area: str,
) -> list[str]:
    """For each kind of count, the latest count (人, 高齢化率) and its gap to the vision's
    path on the same day."""
    lines = []
    for kind in (KIND_LABELS[CENSUS], KIND_LABELS[RESIDENT]):
        rows = wide[wide["kind_label"] == kind]
        if rows.empty:
            continue
        latest = rows.sort_values("date").iloc[-1]
        text = (
            f"最新の{kind}の人口（{_day(latest['date'])}現在）は{area}で"
            f"{latest[TOTAL]:,.0f}人、高齢化率は{precision.text(latest['aging_rate_pct'], 'percent')}です。"
        )
        if vision is not None:
            match = against[
                (against["municipality"] == area)
                & (against["date"] == latest["date"])
                & (against["edition"] == vision.edition)
            ]
            if len(match):
                gap = match.iloc[0]
                text += (
                    f"同じ日の{names[vision.edition]}の値"
                    f"{'' if gap['on_point'] else '（前後の年から補間）'}は"
                    f"{gap['path_population']:,.0f}人で、実績−展望は{signed(gap['gap_people'], '人')}、"
                    f"高齢化率の差は{signed(gap['gap_aging_points'], 'ポイント', POINTS)}です。"
                )
                text += _own_census_note(gap, vision, kind)
        lines.append(text)
    return lines


def _target_sentences(targets: pd.DataFrame) -> list[str]:
    """For each target, the latest count's gap to it (実績−目標) and the change per year
    (人) still allowed or needed."""
    if not len(targets):
        return []
    latest_date = targets["date"].max()
    return [
        f"{row.target_year}年の目標（{row.target_population:,.0f}人程度、高齢化率"
        f"{precision.text(row.target_aging_rate_pct, 'percent')}程度）に対し、{_day(row.date)}の実績（{row.kind_label}）は"
        f"実績−目標で{signed(row.gap_to_target_people, '人')}、高齢化率"
        f"{signed(row.gap_to_target_aging_points, 'ポイント', POINTS)}です"
        + (
            f"。目標の人口を下回らないためには、減少を年{-row.needed_change_per_year_people:,.0f}人"
            "以内にとどめる必要があります。"
            if row.needed_change_per_year_people < 0
            else f"。目標の人口に届くには、年{row.needed_change_per_year_people:,.0f}人の"
            "増加が必要です。"
        )
        for row in targets[targets["date"] == latest_date].itertuples()
    ]


def _resident_sentence(point: Mapping[str, Any], vision: str) -> str:
    """Why the vision's 住民基本台帳 value differs from the path drawn through it (the
    counting and the date, not the population's course)."""
    return (
        f"{vision}の{point['year']}年の値（{point['vision_value']:,.0f}人）は、"
        f"原資料の注のとおり住民基本台帳の人口で、10月1日の国勢調査・推計の人口ではありません。"
        f"ここでは展望の各年の値を10月1日の人口として結んでいるため、{_day(str(point['date']))}の"
        f"住民基本台帳の実績（{point['actual']:,.0f}人）は、展望の{point['year']}年の値とは"
        f"{signed(float(point['gap_to_value']), '人')}の差ですが、同じ日に補間した展望の値"
        f"（{point['path_value']:,.0f}人）とは{signed(float(point['gap_to_path']), '人')}の差になります。"
        f"この差は数え方と日付の違いによるもので、人口の動きの差ではありません。"
    )


def _closest_sentences(ranked: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """For each census the editions projected, the edition closest to it and the others' gaps;
    or a sentence saying no such census is given yet."""
    lines = []
    if ranked.empty:
        lines.append(
            "推計・展望が推計した年の国勢調査（2025年など）の人口は、まだ入力されていません。"
            "入力すると、どの推計・展望が最も近かったかを示します。"
        )
    for date, group in ranked.groupby("date", sort=True):
        best = group.sort_values("rank").iloc[0]
        others = "、".join(
            f"{names.get(r.edition, r.edition)} {signed(r.gap_people, '人')}"
            for r in group.sort_values("rank").iloc[1:].itertuples()
        )
        lines.append(
            f"{_day(str(date))}の国勢調査の人口（{best['actual_population']:,.0f}人）に最も近かったのは"
            f"{names.get(best['edition'], best['edition'])}（実績−推計・展望 {signed(best['gap_people'], '人')}）です"
            + (f"（ほかは {others}）。" if others else "。")
        )
    return lines
