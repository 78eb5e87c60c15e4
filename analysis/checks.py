"""Consistency checks of the published source: sums, printed rates, prose facts.

These produce *warnings*: the source was flattened from a PDF and is not
perfect, so an inconsistency is reported (where, which numbers, what the other
checks imply) and the run goes on. Each check runs on the data as printed and
again after ``corrections.csv``; a warning the correction removes is marked
as resolved by it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import cohort
from analysis.findings import Finding
from analysis.io import LINE, read_table
from analysis.paths import display_path
from analysis.schema import AGE_GROUPS, REGION, TOTAL

CORRECTIONS_FILE = "data/raw/corrections.csv"


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


_CHECKED_COLUMNS = ("edition", "municipality", "year", "age_group", "population")
_WHERE_COLUMNS = ("input_file", "input_line")


def _printed_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The printed counts and where they came from (other columns are not needed to check)."""
    columns = [c for c in (*_CHECKED_COLUMNS, *_WHERE_COLUMNS) if c in frame]
    return frame.loc[~frame["derived"].astype(bool).to_numpy(), columns]


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as printed, one column per age group; a total that is not printed is NaN."""
    wide = cohort.unstack_age_groups(frame, ["edition", "municipality", "year"])
    return wide.reindex(columns=[*AGE_GROUPS, TOTAL])


class _Lines:
    """Where each printed count came from (file, line), looked up only for flagged cells."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._index: pd.DataFrame | None = None

    def __getitem__(self, key: tuple[str, str, int, str]) -> tuple[str, int]:
        if self._index is None:  # built on first use: most data has nothing to report
            printed = self._frame.dropna(subset=["input_line"])
            self._index = printed.set_index(["edition", "municipality", "year", "age_group"])[
                ["input_file", "input_line"]
            ]
        row = self._index.loc[key]
        return str(row["input_file"]), int(row["input_line"])


def _printed_rates(raw_dir: Path) -> pd.DataFrame:
    table = read_table(raw_dir / "printed_figures.csv").rename(columns={LINE: "file_line"})
    return table.assign(
        year=table["year"].astype("int64"),
        value=table["value"].astype("float64"),
        decimals=table["decimals"].astype("int64"),
        base_year=pd.to_numeric(table["base_year"], errors="coerce"),
    )


def implied_values(
    wide: pd.DataFrame,
    rates: pd.DataFrame,
    municipalities: list[str],
    keys: list[tuple[str, str, int, str]],
) -> dict[tuple[str, str, int, str], list[tuple[str, float]]]:
    """For the given counts, the values the *other* printed numbers imply they should have.

    Three independent routes: the total minus the other age groups; the 圏域
    minus the other municipalities (or the sum of municipalities for 圏域);
    and, for 65+, a printed aging rate times the total. Only the few cells a
    check has flagged are asked about, so this stays cheap on large data.
    """
    aging = rates[rates["measure"] == "aging_rate"].set_index(["edition", "municipality", "year"])
    implied: dict[tuple[str, str, int, str], list[tuple[str, float]]] = {}
    for key in keys:
        edition, municipality, year, age = key
        routes: list[tuple[str, float]] = []
        row_key = (edition, municipality, year)
        if row_key in wide.index:
            row = wide.loc[row_key]
            others = [g for g in AGE_GROUPS if g != age]
            if age in AGE_GROUPS and not row[[TOTAL, *others]].isna().any():
                routes.append(("total − other age groups", float(row[TOTAL] - row[others].sum())))
        if municipality == REGION:
            values = [
                wide.loc[(edition, m, year), age]
                for m in municipalities
                if (edition, m, year) in wide.index
            ]
            if len(values) == len(municipalities) and not np.isnan(values).any():
                routes.append(("sum of municipalities", float(sum(values))))
        elif (edition, REGION, year) in wide.index:
            others_m = [m for m in municipalities if m != municipality]
            values = [
                wide.loc[(edition, m, year), age]
                for m in others_m
                if (edition, m, year) in wide.index
            ]
            region = wide.loc[(edition, REGION, year), age]
            if len(values) == len(others_m) and not np.isnan([region, *values]).any():
                routes.append((f"{REGION} − other municipalities", float(region - sum(values))))
        if age == "65+" and row_key in aging.index and row_key in wide.index:
            printed_rate = float(aging.loc[row_key, "value"])
            total = wide.loc[row_key, TOTAL]
            if not np.isnan(total):
                routes.append(
                    (
                        f"printed aging rate {printed_rate:.2f}% × total",
                        float(round(printed_rate / 100 * total)),
                    )
                )
        implied[key] = routes
    return implied


def _suspects(
    candidates: list[tuple[str, str, int, str]],
    wide: pd.DataFrame,
    implied: dict[tuple[str, str, int, str], list[tuple[str, float]]],
) -> str:
    """Name the cells that at least two other routes agree on, with those routes."""
    notes = []
    for key in candidates:
        edition, municipality, year, age = key
        actual = wide.loc[(edition, municipality, year), age]
        routes = implied.get(key, [])
        values = [v for _, v in routes]
        for value in sorted(set(values)):
            agreeing = [name for name, v in routes if v == value]
            if len(agreeing) >= 2 and value != actual:
                detail = "; ".join(f"{name} = {_fmt(value)}" for name in agreeing)
                notes.append(
                    f"the other printed figures imply {municipality} {year} {age} = "
                    f"{_fmt(value)}, not {_fmt(actual)} ({detail})"
                )
    return ("; " + "; ".join(notes)) if notes else ""


def check_sums(
    frame: pd.DataFrame, rates: pd.DataFrame, municipalities: list[str]
) -> list[Finding]:
    """Age groups must sum to the total; municipalities must sum to the 圏域."""
    findings: list[Finding] = []
    printed = _printed_only(frame)
    wide = _wide(printed)
    lines = _Lines(printed)
    parts = wide.reindex(columns=list(AGE_GROUPS))
    part_sum = parts.sum(axis=1, min_count=len(AGE_GROUPS))
    mismatch = part_sum.notna() & wide[TOTAL].notna() & (part_sum != wide[TOTAL])
    for (edition, municipality, year), row in wide[mismatch].iterrows():
        file, line = lines[(edition, municipality, year, TOTAL)]
        terms = " + ".join(_fmt(row[a]) for a in AGE_GROUPS)
        candidates = [(edition, municipality, year, a) for a in AGE_GROUPS]
        implied = implied_values(wide, rates, municipalities, candidates)
        findings.append(
            Finding(
                "warning",
                file,
                line,
                "population",
                f"{municipality} {year}: 0-14 + 15-64 + 65+ = {terms} = "
                f"{_fmt(part_sum[(edition, municipality, year)])}, but the printed total is "
                f"{_fmt(row[TOTAL])} (difference "
                f"{_fmt(part_sum[(edition, municipality, year)] - row[TOTAL])})"
                + _suspects(candidates, wide, implied),
                "age-groups-sum",
            )
        )

    long = printed[["edition", "municipality", "year", "age_group", "population"]]
    members = long[long["municipality"].isin(municipalities)]
    counts = members.groupby(["edition", "year", "age_group"])["municipality"].nunique()
    sums = members.groupby(["edition", "year", "age_group"])["population"].sum()
    sums = sums[counts == len(municipalities)]
    region = long[long["municipality"] == REGION].set_index(["edition", "year", "age_group"])
    joined = region.join(sums.rename("member_sum"), how="inner")
    for (edition, year, age), row in joined[
        joined["population"] != joined["member_sum"]
    ].iterrows():
        file, line = lines[(edition, REGION, year, age)]
        member_values = [wide.loc[(edition, m, year), age] for m in municipalities]
        terms = " + ".join(_fmt(v) for v in member_values)
        candidates = [(edition, m, year, age) for m in municipalities]
        implied = implied_values(wide, rates, municipalities, candidates)
        findings.append(
            Finding(
                "warning",
                file,
                line,
                "population",
                f"{REGION} {year} {age}: {' + '.join(municipalities)} = {terms} = "
                f"{_fmt(row['member_sum'])}, but the printed {REGION} is {_fmt(row['population'])} "
                f"(difference {_fmt(row['member_sum'] - row['population'])})"
                + _suspects(candidates, wide, implied),
                "municipalities-sum",
            )
        )
    return findings


def recompute_printed(frame: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Each printed rate beside the one recomputed from the counts (%, unrounded)."""
    structure = cohort.age_structure(frame).set_index(["edition", "municipality", "year"])
    recomputed = []
    for row in rates.itertuples():
        key = (row.edition, row.municipality, row.year)
        value = np.nan
        if key in structure.index:
            if row.measure == "aging_rate":
                value = structure.loc[key, "aging_rate_pct"]
            elif row.measure == "share":
                value = structure.loc[key, f"share_{row.age_group}_pct"]
            elif row.measure == "change_rate":
                base = (row.edition, row.municipality, int(row.base_year))
                column = "total" if row.age_group == TOTAL else row.age_group
                if base in structure.index:
                    now, then = structure.loc[key, column], structure.loc[base, column]
                    value = (now - then) / then * 100
        recomputed.append(value)
    result = rates.assign(recomputed=recomputed)
    tolerance = 0.5 * 10.0 ** (-result["decimals"].astype(float)) + 1e-9
    result["matches"] = (result["recomputed"] - result["value"]).abs() <= tolerance
    return result


_MEASURE_NAMES = {"aging_rate": "aging rate", "share": "share", "change_rate": "change rate"}


def check_printed_rates(
    frame: pd.DataFrame, rates: pd.DataFrame, municipalities: list[str], file: str
) -> list[Finding]:
    """Every printed rate must equal the one recomputed from the counts, to its printed digits."""
    findings = []
    result = recompute_printed(frame, rates)
    wide = _wide(_printed_only(frame))
    for row in result[~result["matches"]].itertuples():
        digits = int(row.decimals)
        detail = ""
        if row.measure == "aging_rate":
            key = (row.edition, row.municipality, row.year, "65+")
            implied = implied_values(wide, rates, municipalities, [key])
            routes = [
                f"{name} = {_fmt(v)}"
                for name, v in implied.get(key, [])
                if not name.startswith("printed aging rate")
            ]
            total = wide.loc[key[:3], TOTAL]
            detail = (
                f" (65+ {_fmt(wide.loc[key[:3], '65+'])} / total {_fmt(total)}); "
                f"the printed rate corresponds to 65+ = {_fmt(round(row.value / 100 * total))}"
                + (f"; other routes give {', '.join(routes)}" if routes else "")
            )
        findings.append(
            Finding(
                "warning",
                file,
                int(row.file_line),
                "value",
                f"printed {_MEASURE_NAMES[row.measure]} {row.value:.{digits}f}% for "
                f"{row.municipality} {row.year} {row.age_group} ({row.edition}, source line "
                f"{row.source_line}), but the counts give {row.recomputed:.{digits}f}%" + detail,
                f"printed-{row.measure}",
            )
        )
    return findings


def _facts(raw_dir: Path) -> pd.DataFrame:
    table = read_table(raw_dir / "facts.csv").rename(columns={LINE: "file_line"})
    return table.assign(
        year=table["year"].astype("int64"),
        value=table["value"].astype("float64"),
        rounding=table["rounding"].astype("int64"),
        approximate=table["approximate"].astype("int64").astype(bool),
    )


def check_facts(frame: pd.DataFrame, facts: pd.DataFrame, file: str) -> list[Finding]:
    """Facts stated in prose (census counts, targets, the 13,000 gap) against the tables."""
    structure = cohort.age_structure(frame).set_index(["edition", "municipality", "year"])
    by_id = facts.set_index("fact")
    findings = []
    for row in facts.itertuples():
        if pd.isna(row.check_edition):
            continue
        key = (row.check_edition, row.municipality, row.year)
        if key not in structure.index:
            continue
        column = "total" if row.quantity == "population" else "aging_rate_pct"
        value = float(structure.loc[key, column])
        what = f"{row.check_edition} {row.municipality} {row.year}"
        if not pd.isna(row.minus_fact):
            other = float(by_id.loc[row.minus_fact, "value"])
            what = f"{what} ({_fmt(value)}) − {row.minus_fact} ({_fmt(other)})"
            value -= other
        shown = round(value, int(row.rounding))
        if abs(shown - row.value) > 1e-9:
            unit = "%" if row.quantity == "aging_rate" else " people"
            stated = "about " if row.approximate else ""
            findings.append(
                Finding(
                    "warning",
                    file,
                    int(row.file_line),
                    "value",
                    f"{row.description} is stated as {stated}{row.value:g}{unit} (source line "
                    f"{row.source_line}), but {what} gives {value:,.2f}{unit}, which rounds to "
                    f"{shown:,.{max(int(row.rounding), 0)}f}{unit}",
                    "prose-fact",
                )
            )
    return findings


def check_all(
    raw: pd.DataFrame,
    corrected: pd.DataFrame,
    corrections: pd.DataFrame,
    raw_dir: Path,
    municipalities: list[str],
) -> list[Finding]:
    """Every consistency check, on the data as printed; mark what corrections resolve."""
    rates = _printed_rates(raw_dir)
    rates = rates[rates["edition"].isin(raw["edition"].unique())]
    facts = _facts(raw_dir)
    rates_file = display_path(raw_dir / "printed_figures.csv")
    facts_file = display_path(raw_dir / "facts.csv")

    def run(frame: pd.DataFrame) -> list[Finding]:
        return (
            check_sums(frame, rates, municipalities)
            + check_printed_rates(frame, rates, municipalities, rates_file)
            + check_facts(frame, facts, facts_file)
        )

    as_printed = run(raw)
    if corrections.empty:
        return as_printed
    remaining = {(f.file, f.line, f.check) for f in run(corrected)}
    corrections_file = display_path(raw_dir / "corrections.csv")
    return [
        f
        if (f.file, f.line, f.check) in remaining
        else Finding(f.severity, f.file, f.line, f.column, f.message, f.check, corrections_file)
        for f in as_printed
    ]
