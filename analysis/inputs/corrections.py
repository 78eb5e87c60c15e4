"""The documented corrections of printed population counts (data/raw/corrections.csv).

A correction replaces a printed count only while the count still equals the
printed value it corrects, so a revised edition is never silently changed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.paths import DATA_RAW
from analysis.core.schema import normalise_age_group
from analysis.inputs.cells import parse_number
from analysis.inputs.io import LINE, read_records


def read_corrections(path: Path = DATA_RAW / "corrections.csv") -> pd.DataFrame:
    """The documented corrections (``edition, municipality, year, age_group, printed → corrected``)."""
    corrections = read_records(path)
    if corrections.empty:
        return corrections
    printed, _ = parse_number(corrections["printed_population"])
    corrected, _ = parse_number(corrections["corrected_population"])
    year, _ = parse_number(corrections["year"])
    return corrections.assign(
        year=year.astype("int64"),
        printed_population=printed.astype("int64"),
        corrected_population=corrected.astype("int64"),
        age_group=corrections["age_group"].map(lambda g: normalise_age_group(str(g))),
    )


CORRECTION_KEYS = ["edition", "municipality", "year", "age_group"]


def apply_corrections(
    frame: pd.DataFrame, corrections: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the documented corrections; return the corrected frame and the corrections applied.

    A correction applies only while the value still equals the printed value it
    corrects, so a revised edition is never silently changed.
    """
    if corrections.empty:
        return frame.assign(corrected=False), corrections
    keys = CORRECTION_KEYS
    merged = frame.merge(
        corrections[[*keys, "printed_population", "corrected_population"]], on=keys, how="left"
    )
    applies = merged["printed_population"].notna() & (
        merged["population"] == merged["printed_population"]
    )
    merged["corrected"] = applies.to_numpy()
    merged.loc[applies, "population"] = merged.loc[applies, "corrected_population"]
    merged["population"] = merged["population"].astype("int64")
    applied = corrections.merge(frame[keys].drop_duplicates(), on=keys, how="inner")
    applied = applied.merge(merged.loc[applies, keys], on=keys, how="inner").drop(columns=[LINE])
    return merged.drop(columns=["printed_population", "corrected_population"]), applied
