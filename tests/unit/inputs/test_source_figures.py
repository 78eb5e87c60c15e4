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


@pytest.mark.parametrize(
    ("name", "line", "edit", "message"),
    [
        (
            "facts.csv", 1, ("value", "valeu"),
            "facts.csv:1: value: 必要な列「value」がありません（必要な列：fact、description、",
        ),
        ("facts.csv", 3, (",129451,", ",12945l,"), "facts.csv:3: value: 「12945l」は数値として読めません"),
        ("facts.csv", 3, (",2015,", ",,"), "facts.csv:3: year: 空欄です"),
        (
            "printed_figures.csv", 2, (",2040,", ",2040.5,"),
            "printed_figures.csv:2: year: 「2040.5」は数値として読めません",
        ),
        (
            "printed_figures.csv", 1, ("decimals", "digits"),
            "printed_figures.csv:1: decimals: 必要な列「decimals」がありません",
        ),
    ],
)  # fmt: skip
def test_a_broken_source_table_is_one_line_per_cell_naming_file_line_and_column(
    tmp_path: Path, name: str, line: int, edit: tuple[str, str], message: str
) -> None:
    """A misspelt header or an unreadable cell is the planner's error, never an internal one."""
    from analysis.core.findings import DataError, console_lines

    path = tmp_path / name
    lines = (DATA_RAW / name).read_text(encoding="utf-8").splitlines(keepends=True)
    assert edit[0] in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(edit[0], edit[1], 1)
    path.write_text("".join(lines), encoding="utf-8")
    reader = read_facts if name == "facts.csv" else read_printed_rates
    with pytest.raises(DataError) as raised:
        reader(path)
    shown = console_lines(raised.value.all_findings, False)
    assert len(shown) == 1 and message in shown[0].replace(str(tmp_path) + "/", ""), shown
    if name == "facts.csv":
        with pytest.raises(DataError):
            read_stated_facts(path)
