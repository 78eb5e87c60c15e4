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

from analysis.core.paths import DATA_RAW, display_path
from analysis.inputs.io import LINE, read_records


@dataclass(frozen=True)
class Records:
    """One of the project's small tables, typed, with the file's name as findings show it."""

    frame: pd.DataFrame
    file: str

    def at(self, label: Hashable) -> str:
        """``file:line`` of the row ``label`` (its line in the file, column ``_line``)."""
        return f"{self.file}:{self.frame.loc[label, LINE]}"


def read_printed_rates(path: Path = DATA_RAW / "printed_figures.csv") -> Records:
    """The printed rates: one row per rate, its line in the file as ``file_line``."""
    table = read_records(path).rename(columns={LINE: "file_line"})
    frame = table.assign(
        year=table["year"].astype("int64"),
        value=table["value"].astype("float64"),
        decimals=table["decimals"].astype("int64"),
        base_year=pd.to_numeric(table["base_year"], errors="coerce"),
    )
    return Records(frame, display_path(path))


def read_facts(path: Path = DATA_RAW / "facts.csv") -> Records:
    """The prose's facts as the checks need them: line (``file_line``), rounding, 約."""
    table = read_records(path).rename(columns={LINE: "file_line"})
    frame = table.assign(
        year=table["year"].astype("int64"),
        value=table["value"].astype("float64"),
        rounding=table["rounding"].astype("int64"),
        approximate=table["approximate"].astype("int64").astype(bool),
    )
    return Records(frame, display_path(path))


def read_stated_facts(path: Path = DATA_RAW / "facts.csv") -> pd.DataFrame:
    """The prose's facts as the report shows them (targets, the newer projection's 2040
    figure): the file's columns with year and value as numbers."""
    table = read_records(path).drop(columns=LINE)
    return table.assign(
        year=table["year"].astype("int64"),
        value=table["value"].astype("float64"),
    )
