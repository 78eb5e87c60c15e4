"""analysis.model.population: editions beside each other, the tables and their key points."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.schema import REGION
from analysis.inputs import scenario_inputs
from analysis.inputs.data import PopulationData
from analysis.inputs.io import InputError
from analysis.inputs.source_figures import read_stated_facts
from analysis.model import population
from analysis.run.tables import population_data
from tests.unit.model.test_checks import total


def test_a_registered_age_sex_edition_feeds_the_projections(raw_copy: Path, workbook: Path) -> None:

    from analysis.model import population

    shutil.copy(workbook, raw_copy / "ipss_2023_03.xlsx")
    # Registered after the shipped editions (the real 2018 age × sex, the 2023 three groups).
    with (raw_copy / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "ipss_2023s,projection,社人研推計（令和5年推計・合成）,2023-12,ipss_2023_03.xlsx,"
            "ipss_2023,テスト,社人研推計（2023年12月）,1,2020\n"
        )
    data = population_data(raw_dir=raw_copy)
    assert population.current_edition(data, "projection").edition == "ipss_2023s"
    source = population.age_sex_source(data)
    assert source is not None and source.label == "社人研推計（令和5年推計・合成）"
    inputs = scenario_inputs.read(
        scenario_inputs.BaseAxes.of(source.detail.frame, source.detail.groups, data.municipalities),
        settings=raw_copy / "projection_settings.csv",
        profile=raw_copy / "settler_profile.csv",
    )
    target = population.default_settler_target(read_stated_facts(raw_copy / "facts.csv"))
    projected = population.projections(data, source, inputs, target)
    assert "pattern1" in projected.results.projections


def test_the_roughly_13000_gap_in_2040(data: PopulationData) -> None:
    facts = read_stated_facts().set_index("fact")
    vision_2040 = total(data.corrected, "vision_2024", REGION, 2040)
    gap = vision_2040 - facts.loc["ipss_2023_2040", "value"]
    assert gap == 13_289
    assert round(gap, -3) == facts.loc["gap_2040", "value"] == 13_000


def test_targets_beside_the_vision(data: PopulationData) -> None:
    tables = population.build_tables(data, read_stated_facts(), base_year=2020, target_year=2028)
    targets = tables["targets"].set_index(["year", "quantity"])
    assert targets.loc[(2028, "population"), "vision_value"] == 107_447
    assert round(targets.loc[(2028, "aging_rate"), "vision_value"], 2) == 39.80
    assert targets.loc[(2040, "population"), "vision_value"] == 94_326
    assert round(targets.loc[(2040, "aging_rate"), "vision_value"], 2) == 40.13


def test_key_points_state_the_headline_numbers(data: PopulationData) -> None:
    tables = population.build_tables(data, read_stated_facts(), base_year=2020, target_year=2028)
    # The current projection is the registered 2023 IPSS edition (it replaces the plan's 2018).
    points = population.key_points(
        tables, REGION, 2028, data.edition("ipss_2023"), data.edition("vision_2024"), data.findings
    )
    text = "\n".join(points)
    assert "推計人口は102,101人（前後の公表年から補間）" in text
    assert "圏域の展望人口は107,447人" in text
    assert "推計人口より5,346人多く" in text
    assert "影響度" not in text, "the national guidance's word means something else"
    assert "人口目標107,400人程度に対し、人口ビジョンの値は107,447人" in text
    assert "高齢化率目標39.50%程度に対し、人口ビジョンの値は39.80%" in text
    assert "4件の不整合" in text and "うち1件は補正済み" in text and "検査結果は6件" in text


def test_replacing_an_unknown_edition_is_an_error(raw_copy: Path) -> None:

    with (raw_copy / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write("x,vision,x,2026,population_vision_2024.csv,vision_1999,x,x\n")
    with pytest.raises(InputError, match="x が置き換える版「vision_1999」は登録されていません"):
        population_data(raw_dir=raw_copy)


def test_extended_rows_and_sentences() -> None:
    frame = pd.DataFrame({"edition": ["a", "a", "b"], "year": [2050, 2055, 2055]})
    assert population.extended_rows(frame, 2050, "a").tolist() == [False, True, False]
    assert not population.extended_rows(frame, 0, "a").any()
    assert population.extended_note(0) == ""
    assert "2050年より後" in population.extended_note(2050)


def test_the_base_year_gap_is_explained_by_unknown_age(tmp_path: Path) -> None:
    """The census total includes people of unknown age; the age groups do not."""
    import numpy as np
    import pandas as pd

    from analysis.model import population, scenarios

    census = 119_184
    population_array = np.full((2, 2, 2, 20), 1.0)
    population_array[0] *= (census - 500) / population_array[0].sum()
    base = scenarios.Base(("一関市", "平泉町"), tuple(f"g{i}" for i in range(20)), (2020, 2025),
                          population_array)  # fmt: skip
    projected = scenarios.Projected.__new__(scenarios.Projected)
    projected.results = scenarios.Results(base, {}, {}, {}, pd.DataFrame())
    totals = pd.DataFrame({"municipality": ["一関市", "平泉町"], "year": [2020, 2020],
                           "sex": ["both", "both"],
                           "population": [population_array[0, 0].sum() + 500,
                                          population_array[0, 1].sum()]})  # fmt: skip
    projected.printed_totals = totals
    projected.notes = []  # nothing of unknown age spread over the ages
    facts = read_stated_facts()
    sentence = population.base_year_check(projected, facts)
    assert "原資料の国勢調査人口119,184人より500人少なく、その差は年齢不詳の人数" in sentence
    projected.printed_totals = totals.iloc[0:0]
    no_totals = population.base_year_check(projected, facts)
    assert "基準のデータに総数がないため" in no_totals


def test_targets_have_one_precision_and_rate_differences_in_points() -> None:
    from analysis.model import population

    data = population_data()
    tables = population.build_tables(data, read_stated_facts(), base_year=2020, target_year=2028)
    shown = population.targets_for_display(tables["targets"])
    rates = shown[shown["quantity"] == "aging_rate"]
    assert rates["target"].tolist()[0] == "39.50%"
    assert rates["vision_value"].tolist()[0] == "39.80%"
    assert rates["difference"].str.endswith("ポイント").all()
    people = shown[shown["quantity"] == "population"]
    assert people["vision_value"].str.fullmatch(r"[\d,]+人").all()


# ------------------------------------------------ file names in report text (no pathlib)


def report_name_before(file: str, flavour: type[PurePath]) -> str:
    """:func:`population.report_name` as it was, with pathlib, on the OS of ``flavour``."""
    path, bracket, rest = file.partition("[")
    if flavour(path).is_absolute():
        path = flavour(path).name
    return path + bracket + rest


WINDOWS, POSIX = PureWindowsPath, PurePosixPath


@pytest.mark.parametrize(
    ("file", "shown", "os_of_the_path"),
    [
        ("C:\\Users\\x\\入力.csv", "入力.csv", WINDOWS),
        ("C:/Users/x/入力.csv", "入力.csv", WINDOWS),
        ("\\\\server\\share\\人口\\入力.csv", "入力.csv", WINDOWS),
        ("C:\\Users\\x\\入力.xlsx[人口]", "入力.xlsx[人口]", WINDOWS),
        ("/home/x/入力.csv", "入力.csv", POSIX),
        ("/home/x/入力.xlsx[国勢調査]", "入力.xlsx[国勢調査]", POSIX),
        ("/tmp/a\\nb.csv", "a\\nb.csv", POSIX),  # a control character as display_path shows it
        ("data/raw/facts.csv", "data/raw/facts.csv", POSIX),
        ("data/raw/examples/book.xlsx[Sheet1]", "data/raw/examples/book.xlsx[Sheet1]", POSIX),
        ("../elsewhere/入力.csv", "../elsewhere/入力.csv", POSIX),
        ("入力.csv", "入力.csv", WINDOWS),
        ("", "", POSIX),
    ],
)
def test_a_file_outside_the_project_is_named_by_its_file_name(
    file: str, shown: str, os_of_the_path: type[PurePath]
) -> None:
    """Without pathlib, and as pathlib named it on the OS that writes such a path."""
    assert population.report_name(file) == shown == report_name_before(file, os_of_the_path)


_NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\:[\x00"), min_size=1
).filter(lambda n: n not in (".", ".."))


@given(st.lists(_NAME, min_size=1, max_size=4), st.sampled_from([".csv", ".xlsx"]))
def test_report_name_agrees_with_pathlib_on_each_os(parts: list[str], suffix: str) -> None:
    """The same file names as pathlib gave: POSIX paths on Linux and macOS, Windows paths on
    Windows (drive or share, ``\\`` or ``/``), the relative ones kept."""
    *folders, name = parts
    posix = "/" + "/".join([*folders, name + suffix])
    windows = "C:\\" + "\\".join([*folders, name + suffix])
    share = "\\\\server\\share\\" + "/".join([*folders, name + suffix])
    relative = "/".join([*folders, name + suffix])
    assert population.report_name(posix) == report_name_before(posix, PurePosixPath)
    for file in (windows, share):
        assert population.report_name(file) == report_name_before(file, PureWindowsPath)
    assert population.report_name(relative) == relative


def council_text_before(message: str) -> str:
    """:func:`population.council_text` as it was, with pathlib."""
    text = population._FILE_REFERENCE.sub("（補正済み）", message)
    text = population._SOURCE_LINES.sub("", text)
    return population._PATH.sub(
        lambda m: PurePath(m.group(0).split(":")[0].split("[")[0]).name, text
    )


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("data/raw/facts.csv:3 の値が合いません", "facts.csv の値が合いません"),
        ("data/raw/examples/book.xlsx[人口]!B4 の人数", "book.xlsx の人数"),
        ("（data/raw/corrections.csv:2 で補正済み）差は5人", "（補正済み）差は5人"),
        ("総数が違います（原資料12行）", "総数が違います"),
        ("/home/x/入力.csv:3: 人数", "/入力.csv: 人数"),  # as before: the leading / stays
        ("C:\\Users\\x\\入力.csv:3: 人数", "C:\\Users\\x\\入力.csv:3: 人数"),  # as before: kept
        ("ファイル名のない文", "ファイル名のない文"),
    ],
)
def test_council_text_drops_folders_and_line_references(message: str, said: str) -> None:
    assert population.council_text(message) == said == council_text_before(message)
