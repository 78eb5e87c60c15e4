"""The figures the source states beside its tables, read into typed frames.

``printed_figures.csv``: the rates the source prints (高齢化率, shares, change rates), which
:mod:`analysis.model.checks` recomputes from the counts. ``facts.csv``: figures stated in its
prose (census counts, the plan's targets, the 13,000 gap), checked by the same module and
shown by the population report. The model receives these frames; it never opens the files.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.findings import cell_errors, raise_on_errors
from analysis.core.paths import DATA_RAW, display_path
from analysis.inputs.cells import number_columns
from analysis.inputs.io import LINE, locate_records, missing_record_columns, read_records

PRINTED_COLUMNS = (
    "edition",
    "municipality",
    "year",
    "age_group",
    "measure",
    "value",
    "decimals",
    "base_year",
)
"""The columns of ``printed_figures.csv`` the checks read (the rest is provenance)."""
FACT_COLUMNS = (
    "fact",
    "description",
    "municipality",
    "year",
    "quantity",
    "value",
    "unit",
    "rounding",
    "approximate",
    "check_edition",
    "minus_fact",
)
"""The columns of ``facts.csv`` the checks and the report read."""


@dataclass(frozen=True)
class Records:
    """One of the project's small tables, typed, with the file's name as findings show it."""

    frame: pd.DataFrame
    file: str

    def at(self, label: Hashable) -> str:
        """``file:line`` of the row ``label`` (its line in the file, column ``_line``)."""
        return f"{self.file}:{self.frame.loc[label, LINE]}"


def _checked(
    path: Path, required: tuple[str, ...], numbers: tuple[str, ...], whole: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file's rows as text and its ``numbers`` columns parsed (``whole`` among them:
    integers); or DataError naming the header's missing columns, else every empty or
    unreadable cell."""
    table = read_records(path)
    file = display_path(path)
    raise_on_errors(missing_record_columns(file, table, required))
    parsed, findings = number_columns(table, numbers, file)
    for column in whole:  # a year or a count of decimals with a fraction is no number here
        fraction = parsed[column].notna() & (parsed[column] % 1 != 0)
        findings += cell_errors(
            locate_records(file, table, column), fraction, table[column], "not-a-number"
        )
    raise_on_errors(findings)
    return table, parsed


def read_printed_rates(path: Path = DATA_RAW / "printed_figures.csv") -> Records:
    """The printed rates: one row per rate, its line in the file as ``file_line``."""
    table, parsed = _checked(
        path, PRINTED_COLUMNS, ("year", "value", "decimals"), ("year", "decimals")
    )
    frame = table.rename(columns={LINE: "file_line"}).assign(
        year=parsed["year"].astype("int64"),
        value=parsed["value"].astype("float64"),
        decimals=parsed["decimals"].astype("int64"),
        base_year=pd.to_numeric(table["base_year"], errors="coerce"),
    )
    return Records(frame, display_path(path))


FACT_NUMBERS = ("year", "value", "rounding", "approximate")
FACT_WHOLE = ("year", "rounding", "approximate")


def read_facts(path: Path = DATA_RAW / "facts.csv") -> Records:
    """The prose's facts as the checks need them: line (``file_line``), rounding, 約."""
    table, parsed = _checked(path, FACT_COLUMNS, FACT_NUMBERS, FACT_WHOLE)
    frame = table.rename(columns={LINE: "file_line"}).assign(
        year=parsed["year"].astype("int64"),
        value=parsed["value"].astype("float64"),
        rounding=parsed["rounding"].astype("int64"),
        approximate=parsed["approximate"].astype("int64").astype(bool),
    )
    return Records(frame, display_path(path))


def read_stated_facts(path: Path = DATA_RAW / "facts.csv") -> pd.DataFrame:
    """The prose's facts as the report shows them (targets, the newer projection's 2040
    figure): the file's columns with year and value as numbers."""
    table, parsed = _checked(path, FACT_COLUMNS, FACT_NUMBERS, FACT_WHOLE)
    return table.drop(columns=LINE).assign(
        year=parsed["year"].astype("int64"),
        value=parsed["value"].astype("float64"),
    )
