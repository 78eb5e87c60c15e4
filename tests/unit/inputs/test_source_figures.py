"""analysis.inputs.source_figures: the printed rates and the prose's facts, typed, with the
file's name and each row's line for the findings that point at them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.core.paths import DATA_RAW
from analysis.inputs.io import InputError
from analysis.inputs.source_figures import read_facts, read_printed_rates, read_stated_facts


def test_printed_rates_are_typed_and_keep_their_line() -> None:
    rates = read_printed_rates()
    assert rates.file == "data/raw/printed_figures.csv"
    frame = rates.frame
    assert str(frame["year"].dtype) == "int64" and str(frame["decimals"].dtype) == "int64"
    assert frame["value"].dtype == float and frame["base_year"].isna().any()
    first = frame.iloc[0]
    assert (first["edition"], first["municipality"], int(first["year"])) == (
        "ipss_2018",
        "一関市",
        2040,
    )
    assert int(first["file_line"]) == 2 and first["value"] == pytest.approx(-39.30)


def test_facts_for_the_checks_and_for_the_report() -> None:
    checked = read_facts()
    assert checked.file == "data/raw/facts.csv"
    row = checked.frame.set_index("fact").loc["census_2020"]
    assert (int(row["year"]), row["value"], int(row["rounding"])) == (2020, 119_184.0, 0)
    assert row["approximate"] is False or not row["approximate"]
    assert int(row["file_line"]) == 4
    stated = read_stated_facts()
    assert "_line" not in stated and "file_line" not in stated
    assert list(stated["fact"]) == list(checked.frame["fact"])
    assert stated.set_index("fact").loc["target_2040", "value"] == 94_000.0


def test_a_row_is_named_by_file_and_line(raw_copy: Path) -> None:
    from analysis.inputs.corrections import read_corrections
    from analysis.inputs.source_figures import Records

    corrections = Records(read_corrections(raw_copy / "corrections.csv"), "corrections.csv")
    assert corrections.at(corrections.frame.index[0]) == "corrections.csv:2"


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    shutil.copy(DATA_RAW / "facts.csv", tmp_path / "facts.csv")
    assert len(read_stated_facts(tmp_path / "facts.csv")) == len(read_stated_facts())
    with pytest.raises(InputError):
        read_printed_rates(tmp_path / "printed_figures.csv")
