"""Bad input: one clear line naming file, row and column; nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.data import load_all, load_population
from analysis.findings import DataError
from analysis.io import InputError, read_table
from analysis.paths import REPORTS

from .conftest import run_cli, snapshot

MUNICIPALITIES = ["一関市", "平泉町"]
HEADER = "municipality,year,age_group,population\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(path: Path) -> list[str]:
    loaded = load_population(path, edition="test", municipalities=MUNICIPALITIES)
    return [str(f) for f in loaded.errors]


def only_error(path: Path) -> str:
    errors = errors_of(path)
    assert len(errors) == 1, errors
    return errors[0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "vision.csv")
    assert str(caught.value).endswith("vision.csv:-: -: file not found（ファイルがありません）")


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", "municipality,year,age_group\n一関市,2020,0-14\n")
    assert only_error(path).endswith(
        "v.csv:1: population: missing column (expected municipality, year, age_group, population)"
        "（列の構成が違います）"
    )


def test_extra_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv", "municipality,year,age_group,population,memo\n一関市,2020,0-14,5,x\n"
    )
    assert "v.csv:1: memo: unexpected column" in only_error(path)


@pytest.mark.parametrize("cell", ["５４千", "約5万", "abc", "1e3"])
def test_non_numeric_population(tmp_path: Path, cell: str) -> None:
    path = write(
        tmp_path / "v.csv", HEADER + "一関市,2020,0-14,100\n" + f"一関市,2020,15-64,{cell}\n"
    )
    assert only_error(path).endswith(
        f"v.csv:3: population: {cell!r} is not a number of people（数値として読めません）"
    )


def test_negative_population(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,2020,0-14,-5\n")
    assert only_error(path).endswith("v.csv:2: population: negative population -5（負の値です）")


def test_fractional_population(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,2020,0-14,12.5\n")
    assert only_error(path).endswith(
        "v.csv:2: population: 12.5 is not a whole number of people（整数ではありません）"
    )


def test_unknown_municipality(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "奥州市,2020,0-14,5\n")
    assert "v.csv:2: municipality: unknown municipality '奥州市'" in only_error(path)


def test_unknown_age_group(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,2020,75+,5\n")
    assert "v.csv:2: age_group: unknown age group '75+'" in only_error(path)


def test_duplicate_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,2020,0-14,5\n\n一関市,2020,0-14,6\n")
    assert only_error(path).endswith(
        "v.csv:4: population: duplicate row for 一関市 2020 0-14 (first given on line 2)"
        "（同じ行が重複しています）"
    )


def test_empty_cell_and_bad_year(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,,0-14,5\n一関市,令和2,0-14,5\n")
    errors = errors_of(path)
    assert any(e.endswith("v.csv:2: year: empty cell（空欄です）") for e in errors)
    assert any(
        e.endswith("v.csv:3: year: '令和2' is not a year（数値として読めません）") for e in errors
    )


def test_all_errors_are_collected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv", HEADER + "奥州市,2020,0-14,5\n一関市,2020,0-14,-1\n一関市,2020,0-14,x\n"
    )
    assert len(errors_of(path)) == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_office_encodings_full_width_digits_and_separators(tmp_path: Path, encoding: str) -> None:
    text = HEADER + '一関市,２０２０,0～14歳,"１１,５６３"\n平泉町,2020,65歳以上,"2,859"\n'
    loaded = load_population(
        write(tmp_path / "v.csv", text, encoding),
        edition="test",
        municipalities=MUNICIPALITIES,
    )
    assert loaded.errors == []
    assert loaded.frame[["year", "age_group", "population"]].values.tolist() == [
        [2020, "0-14", 11563],
        [2020, "65+", 2859],
    ]


def test_errors_in_raw_data_stop_validation(raw_copy: Path) -> None:
    path = raw_copy / "ipss_2018_projection.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",9179,", ",9179.5,")  # line 5 of the file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_all(raw_copy)
    assert str(caught.value) == (
        "data/raw/ipss_2018_projection.csv:5: population: 9179.5 is not a whole number of people"
        "（整数ではありません）"
    ).replace("data/raw", str(raw_copy))


def test_validate_command_exit_codes(raw_copy: Path) -> None:
    good = run_cli("validate")
    assert good.returncode == 0
    assert "0 error(s), 4 warning(s)" in good.stdout
    path = raw_copy / "population_vision_2024.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("一関市,2020,0-14", "一関,2020,0-14"),
        encoding="utf-8",
    )
    bad = run_cli("validate", "--raw-dir", str(raw_copy))
    assert bad.returncode == 1
    assert (
        f"{raw_copy}/population_vision_2024.csv:2: municipality: unknown municipality '一関'"
        in bad.stdout
    )


def test_bad_supplied_file_and_target_year_leave_outputs_intact(
    built_reports: Path, tmp_path: Path
) -> None:
    before = snapshot()
    assert any(name.endswith("population.html") for name in before)

    bad = write(tmp_path / "vision.csv", HEADER + "一関市,2020,0-14,約5万\n")
    result = run_cli("reports", "--vision", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2: population: '約5万' is not a number of people" in result.stdout
    assert "nothing in reports/ or data/processed/ was changed" in result.stdout

    result = run_cli("reports", "--target-year", "2050")
    assert result.returncode == 1
    assert (
        "data/raw/ipss_2018_projection.csv:-: year: target year 2050 is outside the published "
        "years 2015–2040" in result.stdout
    )
    assert snapshot() == before
    assert not [p for p in REPORTS.rglob(".*.tmp")]


def test_a_missing_supplied_file_is_one_clear_line(built_reports: Path, tmp_path: Path) -> None:
    before = snapshot()
    result = run_cli("reports", "--vision", str(tmp_path / "改訂版.xlsx"))
    assert result.returncode == 1
    assert f"{tmp_path}/改訂版.xlsx:-: -: file not found（ファイルがありません）" in result.stdout
    assert "Traceback" not in result.stderr
    assert snapshot() == before
