"""Budgets spent (決算): the file read and validated against the plan edition.

The file has one row per initiative and fiscal year: ``initiative_id, fiscal_year,
spent_thousand_yen`` (or 取組番号・年度・決算額), in 千円 like the budgets. A year it
reports needs a row for every initiative of the edition; the comparison with the
budgets is :mod:`analysis.model.spending`'s.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.core.findings import DataError, Finding, cell_errors, examples
from analysis.core.paths import DATA_RAW, display_path
from analysis.inputs.cells import number_columns
from analysis.inputs.io import locate_records, read_records
from analysis.inputs.kpi_plan import KpiData
from analysis.inputs.plan import missing_columns

DEFAULT = DATA_RAW / "kpi_spending.csv"
"""The registered spending (決算); header only until the first 決算 is entered."""
ALIASES = {
    "取組番号": "initiative_id",
    "取組": "initiative_id",
    "年度": "fiscal_year",
    "決算額": "spent_thousand_yen",
    "決算": "spent_thousand_yen",
    "支出額": "spent_thousand_yen",
}
COLUMNS = ("initiative_id", "fiscal_year", "spent_thousand_yen")


def load(path: Path, data: KpiData) -> pd.DataFrame:
    """The spending per initiative and fiscal year (千円); DataError naming file, row and column."""
    file = display_path(path)
    table, written = _read(path)
    _require_columns(file, table)
    findings, (initiative, year, spent) = _parsed(file, table)
    findings += _doubtful(file, table, data, initiative, year, spent)
    if not findings:
        findings += _incomplete(file, data, initiative, year)
    if findings:
        # Each cell named by the header as the file writes it (決算額, not spent_thousand_yen).
        named = [replace(f, column=written.get(f.column, f.column)) for f in findings]
        raise DataError(sorted(named, key=lambda f: (f.line or 0, f.column)))
    return pd.DataFrame(
        {
            "initiative_id": initiative.astype("int64"),
            "fiscal_year": year.astype("int64"),
            "spent_thousand_yen": spent.astype("float64"),
        }
    )


def _read(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The file's rows with the accepted headers renamed, and each new name's header as written."""
    table = read_records(path)
    renamed = {c: ALIASES.get(str(c).strip(), c) for c in table.columns}
    written = {new: str(old) for old, new in renamed.items()}
    return table.rename(columns=renamed), written


def _require_columns(file: str, table: pd.DataFrame) -> None:
    """DataError naming every column of :data:`COLUMNS` the file lacks."""
    missing = missing_columns(file, table.columns, COLUMNS)
    if missing:
        raise DataError(missing)


def _parsed(file: str, table: pd.DataFrame) -> tuple[list[Finding], list[pd.Series]]:
    """Each column of :data:`COLUMNS` as numbers, and a finding per cell that is none or empty."""
    parsed, findings = number_columns(table, COLUMNS, file)
    return findings, [parsed[column] for column in COLUMNS]


def _doubtful(
    file: str,
    table: pd.DataFrame,
    data: KpiData,
    initiative: pd.Series,
    year: pd.Series,
    spent: pd.Series,
) -> list[Finding]:
    """Rows for an initiative or fiscal year the edition lacks, negative amounts, repeated rows."""
    findings = cell_errors(
        locate_records(file, table, "initiative_id"),
        initiative.notna() & ~initiative.isin(set(data.initiatives["initiative_id"])),
        initiative.map(lambda v: f"{v:g}"),
        "budget-unknown-initiative",
    )
    findings += cell_errors(
        locate_records(file, table, "fiscal_year"),
        year.notna() & ~year.isin(data.years),
        year,
        "budget-outside-period",
        lambda v: {"value": v, "first": data.years[0], "last": data.years[-1]},
    )
    findings += cell_errors(
        locate_records(file, table, "spent_thousand_yen"),
        spent.lt(0),
        spent,
        "negative-budget",
    )
    pairs = pd.DataFrame({"i": initiative, "y": year})
    findings += cell_errors(
        locate_records(file, table, "fiscal_year"),
        pairs.duplicated() & pairs.notna().all(axis=1),
        list(zip(initiative, year, strict=True)),
        "duplicate-budget",
        lambda v: {"initiative": f"{v[0]:g}", "year": f"{v[1]:g}"},
    )
    return findings


def _incomplete(file: str, data: KpiData, initiative: pd.Series, year: pd.Series) -> list[Finding]:
    """A finding when an initiative of the edition lacks a year the file reports."""
    # Every initiative of the edition for every year the file reports: a row left out
    # must not read as nothing spent.
    have = set(zip(initiative.astype("int64"), year.astype("int64"), strict=True))
    wanted = [
        f"取組{i} {y}年度"
        for y in sorted(set(year.astype("int64")))
        for i in sorted(set(data.initiatives["initiative_id"]))
        if (i, y) not in have
    ]
    if not wanted:
        return []
    return [
        Finding(
            severity="error",
            file=file,
            line=None,
            column="initiative_id",
            check="spending-incomplete",
            params={"missing": examples(wanted)},
        )
    ]
