"""Population actuals (人口の実績): reading and validating the file of counts by municipality
and age group as of a date, into :class:`Actuals`.

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

The computations on the validated counts (against the paths and the plan's targets) are in
:mod:`analysis.model.population_actuals`, which reads no file.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import vocabulary
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
from analysis.inputs.data import AGE_GROUP, CODE, POPULATION_FIELD
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
    """The validated actuals: what :func:`load` returns and the model computes from.

    ``frame`` is long, one row per area, date and age group incl. total, in :data:`COLUMNS`
    (whole people ≥ 0, one kind of count per date, each total the sum of its three groups, the
    圏域 the municipalities' sum); ``findings`` are the warnings and notes met while reading (a
    file with an error is refused with :class:`~analysis.core.findings.DataError`)."""

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
        lambda d: {"date": date_text(d), "today": date_text(today)},
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


def date_text(day: datetime.date) -> str:
    """A date as the messages and the report write it (「2020年10月1日」)."""
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
        what = f"{row.municipality} {date_text(row.date)} {AGE_GROUP_LABELS[row.age_group]}"
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
            "date": date_text(row.date),
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
            params = {"what": f"{place} {date_text(day)}", "groups": "、".join(missing)}
            findings.append(
                _cell_error(
                    table, "age_group", first_position(place, day), "actual-missing-groups", params
                )
            )
    for (place, day), total in sums.items():
        if total == 0:
            params = {"what": f"{place} {date_text(day)}"}
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
        what = f"{row.municipality} {date_text(row.date)}"
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
                "what": f"{date_text(row.date)} {AGE_GROUP_LABELS[row.age_group]}",
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
