"""analysis.inputs.scenario_inputs: every input of the scenarios read and checked against the
base data once, in the order a run reports them, into the object the model computes from."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import agesex, scenario_inputs
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.projection_inputs import read_profile, read_survival
from analysis.inputs.scenario_inputs import BaseAxes
from analysis.inputs.scenario_specs import read_scenarios
from tests.unit.inputs.test_agesex import write
from tests.workbooks import GROUPS, YEARS, settings_file, tidy_csv

REGISTRY = read_municipality_registry()
HEADER = "scenario,label,assumption,year,value\n"
PROFILE = DATA_RAW / "settler_profile.csv"
AXES = BaseAxes(tuple(REGISTRY.names), tuple(REGISTRY.names), YEARS, GROUPS)
"""The made-up editions' axes (both municipalities, 2020–2050, 0–4 … 95+)."""


def test_the_axes_are_the_plans_municipalities_with_data_and_the_sorted_years() -> None:
    frame = pd.DataFrame(
        {"municipality": ["平泉町", "平泉町", "外の町"], "year": [2030, 2020, 2020]}
    )
    axes = BaseAxes.of(frame, GROUPS, REGISTRY.names)
    assert axes.municipalities == ("平泉町",) and axes.registry == tuple(REGISTRY.names)
    assert axes.years == (2020, 2030) and axes.groups == GROUPS


def test_every_input_is_read_as_its_own_reader_reads_it(inputs: dict[str, Path]) -> None:
    scenario_file = write(inputs["folder"] / "own.csv", HEADER + "a,A,migration,2025,0.5\n")
    read = scenario_inputs.read(
        AXES,
        settings=inputs["settings"],
        profile=PROFILE,
        survival=inputs["survival"],
        scenarios=scenario_file,
    )
    assert read.axes == AXES and read.notes == ()
    assert read.settings.number("tfr_base", "一関市") == 1.45
    assert np.array_equal(read.profile, read_profile(PROFILE, GROUPS))
    assert read.survival is not None
    assert np.array_equal(
        read.survival, read_survival(inputs["survival"], REGISTRY.names, YEARS, GROUPS)
    )
    assert read.specs == tuple(read_scenarios(scenario_file))
    without = scenario_inputs.read(AXES, settings=inputs["settings"], profile=PROFILE)
    assert without.survival is None and without.specs == ()


def test_a_setting_without_effect_is_a_note_of_the_inputs(tmp_path: Path) -> None:
    settings = settings_file(tmp_path)
    with settings.open("a", encoding="utf-8") as handle:
        handle.write("tfr_base,,1.4\n")  # every municipality has its own
    read = scenario_inputs.read(AXES, settings=settings, profile=PROFILE)
    assert [n.check for n in read.notes] == ["setting-unused"]
    assert "設定「tfr_base」のこの行は使われません（すべての市町に個別の値があります）" in (
        read.notes[0].message
    )


def test_the_first_input_that_fails_is_the_one_reported_in_the_runs_order(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """Settings checked against the data before the profile is read, as the run always did."""
    broken_profile = write(tmp_path / "profile.csv", "sex,age_group,share\n男,20～24歳,0.5\n")
    late = settings_file(tmp_path, influence_year=",2060")
    with pytest.raises(DataError) as caught:
        scenario_inputs.read(AXES, settings=late, profile=broken_profile)
    assert "2060年は influence_year に使えません" in str(caught.value)
    with pytest.raises(DataError, match="割合の合計が1ではありません"):
        scenario_inputs.read(AXES, settings=inputs["settings"], profile=broken_profile)


@pytest.mark.parametrize(
    ("rows", "survival", "message"),
    [
        ("a,A,horizon,,2072\n", True, "「2072」は使えません（推計の最終年は2050年"),
        ("a,A,horizon,,2040\n", True, "「2040」は使えません（推計の最終年は2050年"),
        (
            "a,A,migration,2027,0.5\n",
            True,
            "シナリオ「a」の migration の2027年は使えません（期間の始まりの年：2020、2025",
        ),
        ("a,A,settlers_target,2042,90000\n", True, "settlers_target の2042年は使えません"),
        ("a,A,settlers_target,2060,90000\n", True, "settlers_target の2060年は使えません"),
        ("a,A,tfr,2020,1.8\n", True, "tfr の2020年は使えません"),
        ("a,A,migration,2025,0.5\n", False, "生残率（--survival ファイル）が必要です"),
    ],
)
def test_rows_the_edition_cannot_serve_are_one_line(
    inputs: dict[str, Path], tmp_path: Path, rows: str, survival: bool, message: str
) -> None:
    path = write(tmp_path / "scen.csv", HEADER + rows)
    with pytest.raises(DataError) as caught:
        scenario_inputs.read(
            AXES,
            settings=inputs["settings"],
            profile=PROFILE,
            survival=inputs["survival"] if survival else None,
            scenarios=path,
        )
    text = str(caught.value)
    assert message in text and re.search(r"scen\.csv:2: (year|value): ", text), text
    assert "\n" not in text


def test_a_scenario_with_fertility_needs_tfr_base(tmp_path: Path) -> None:
    blank = write(tmp_path / "settings.csv", "setting,municipality,value\ntfr_base,一関市,\n")
    with pytest.raises(DataError) as caught:
        scenario_inputs.read(
            AXES,
            settings=blank,
            profile=PROFILE,
            scenarios=write(tmp_path / "s.csv", HEADER + "a,A,tfr,2030,1.8\n"),
        )
    assert "基準年の合計特殊出生率（tfr_base）が必要です：一関市、平泉町" in str(caught.value)


def test_an_influence_year_outside_the_projection_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        scenario_inputs.read(
            AXES, settings=settings_file(tmp_path, influence_year=",2060"), profile=PROFILE
        )
    message = str(caught.value)
    assert "2060年は influence_year に使えません" in message and "\n" not in message


def test_a_supplied_age_sex_file_with_errors_is_refused_and_a_clean_one_kept(
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    clean = tidy_csv(tmp_path / "agesex.csv", edition)
    read = scenario_inputs.read_age_sex(clean, REGISTRY)
    assert read.errors == [] and read.groups == GROUPS
    expected = agesex.load(clean, edition="age_sex_supplied", registry=REGISTRY)
    assert read.frame.equals(expected.frame)
    text = clean.read_text(encoding="utf-8").splitlines()
    text[1] = ",".join([*text[1].split(",")[:-1], "abc"])
    broken = write(tmp_path / "broken.csv", "\n".join(text) + "\n")
    with pytest.raises(DataError) as caught:
        scenario_inputs.read_age_sex(broken, REGISTRY)
    assert f"{broken}:2:" in str(caught.value)
