"""analysis.model.population: editions beside each other, borrowed and summed municipalities, the
tables and their key points."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION, TOTAL
from analysis.inputs import scenario_inputs
from analysis.inputs.data import PopulationData
from analysis.inputs.io import InputError
from analysis.model import population
from tests.unit.inputs.test_agesex import VISION_HEADER, refused, rows, write
from tests.unit.model.test_checks import total


def test_a_kept_region_beside_a_borrowed_municipality_must_be_their_sum(tmp_path: Path) -> None:
    """平泉町's rows removed, the 圏域 kept: 2040 一関市 77,924 + 平泉町 5,304 (borrowed from the
    2024 vision) ≠ the file's 圏域 82,822 — once shown with 「圏域はその合計としました」."""
    path = write(
        tmp_path / "vision.csv",
        VISION_HEADER
        + rows("一関市", 2040, (8_000, 38_000, 31_924))
        + rows(REGION, 2040, (8_500, 40_000, 34_322)),
    )
    [line] = refused(lambda: population.load(path))
    assert line == (
        f"{path}:5: population: 人口ビジョン（新しい版）の圏域が、市町の合計（平泉町は以前の版の値）と合いません"
        "（2040年）：2040年 総人口：一関市 77,924人＋平泉町 5,304人（以前の版の値）＝83,228人、圏域 82,822人"
        "（差 406人）。圏域の行を市町の合計に直すか、圏域の行を削除してください（削除すると市町の合計を使います）"
    )


def test_a_region_only_edition_is_refused_beside_the_old_municipalities(tmp_path: Path) -> None:
    """Only 圏域 rows: both municipalities would come from the old edition (94,326 in 2040)
    beside the file's 82,822 — 11,504 people apart inside one edition."""
    path = write(
        tmp_path / "vision.csv", VISION_HEADER + rows(REGION, 2040, (8_500, 40_000, 34_322))
    )
    [line] = refused(lambda: population.load(path))
    assert "市町の合計（一関市・平泉町は以前の版の値）と合いません（2040年）" in line
    assert (
        "一関市 89,022人（以前の版の値）＋平泉町 5,304人（以前の版の値）＝94,326人、圏域 82,822人（差 11,504人）"
        in line
    )


def test_a_consistent_edition_says_exactly_what_was_borrowed_and_summed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "vision.csv",
        VISION_HEADER
        + rows("一関市", 2040, (8_000, 38_000, 31_924))
        + rows(REGION, 2040, (8_000 + 608, 38_000 + 2_172, 31_924 + 2_524)),
    )
    data = population.load(path)
    [note] = [f.message for f in data.findings if f.check == "borrowed-municipality"]
    assert note == (
        "人口ビジョン（新しい版）には平泉町の値がないため、平泉町は以前の版（人口ビジョン（2024年3月））の"
        "2020・2023・2025・2028・2030・2035・2040年の値を使いました。"
        "圏域は人口ビジョン（新しい版）に書かれた値で、市町の合計と一致します（2040年）"
    )
    without_region = write(
        tmp_path / "only.csv", VISION_HEADER + rows("一関市", 2040, (8_000, 38_000, 31_924))
    )
    data = population.load(without_region)
    [note] = [f.message for f in data.findings if f.check == "borrowed-municipality"]
    assert note.endswith(
        "圏域は一関市（人口ビジョン（新しい版））と平泉町（以前の版の値）の合計です（2040年）"
    )
    region = data.corrected[
        (data.corrected["edition"] == "vision_supplied")
        & (data.corrected["municipality"] == REGION)
        & (data.corrected["age_group"] == TOTAL)
    ]
    assert region.set_index("year")["population"].to_dict() == {2040: 77_924 + 5_304}


def test_an_edition_of_its_own_municipalities_is_held_to_its_region_too(tmp_path: Path) -> None:
    text = VISION_HEADER + "".join(
        rows(m, 2040, v)
        for m, v in (
            ("一関市", (9_000, 40_000, 30_000)),
            ("平泉町", (600, 2_100, 2_500)),
            (REGION, (9_600, 42_100, 32_600)),
        )
    )
    [line] = refused(lambda: population.load(write(tmp_path / "vision.csv", text)))
    assert (
        "市町の合計と合いません（2040年）：2040年 総人口：一関市 79,000人＋平泉町 5,200人＝84,200人、圏域 84,300人（差 100人）"
        in line
    )


def test_the_projection_reader_refuses_a_near_name_too(tmp_path: Path) -> None:
    projection = (DATA_RAW / "ipss_2018_projection.csv").read_text(encoding="utf-8")
    path = write(tmp_path / "p.csv", projection.replace("平泉町,", "平泉,"))
    lines = refused(lambda: population.load(None, path))
    assert all("「平泉」は圏域の市町の名前と一致しません" in line for line in lines)
    assert "平泉町の誤りではありませんか" in lines[0]


def test_a_registered_age_sex_edition_feeds_the_projections(raw_copy: Path, workbook: Path) -> None:

    from analysis.model import population

    shutil.copy(workbook, raw_copy / "ipss_2023_03.xlsx")
    # Registered after the shipped editions (the real 2018 age × sex, the 2023 three groups).
    with (raw_copy / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "ipss_2023s,projection,社人研推計（令和5年推計・合成）,2023-12,ipss_2023_03.xlsx,"
            "ipss_2023,テスト,社人研推計（2023年12月）,1,2020\n"
        )
    data = population.load(raw_dir=raw_copy)
    assert population.current_edition(data, "projection").edition == "ipss_2023s"
    source = population.age_sex_source(data)
    assert source is not None and source.label == "社人研推計（令和5年推計・合成）"
    inputs = scenario_inputs.read(
        scenario_inputs.BaseAxes.of(source.detail.frame, source.detail.groups, data.municipalities),
        settings=raw_copy / "projection_settings.csv",
        profile=raw_copy / "settler_profile.csv",
    )
    target = population.default_settler_target(population.facts(raw_copy))
    projected = population.projections(data, source, inputs, target)
    assert "pattern1" in projected.results.projections


def test_the_roughly_13000_gap_in_2040(data: PopulationData) -> None:
    facts = population.facts().set_index("fact")
    vision_2040 = total(data.corrected, "vision_2024", REGION, 2040)
    gap = vision_2040 - facts.loc["ipss_2023_2040", "value"]
    assert gap == 13_289
    assert round(gap, -3) == facts.loc["gap_2040", "value"] == 13_000


def test_targets_beside_the_vision(data: PopulationData) -> None:
    tables = population.build_tables(data, base_year=2020, target_year=2028)
    targets = tables["targets"].set_index(["year", "quantity"])
    assert targets.loc[(2028, "population"), "vision_value"] == 107_447
    assert round(targets.loc[(2028, "aging_rate"), "vision_value"], 2) == 39.80
    assert targets.loc[(2040, "population"), "vision_value"] == 94_326
    assert round(targets.loc[(2040, "aging_rate"), "vision_value"], 2) == 40.13


def test_key_points_state_the_headline_numbers(data: PopulationData) -> None:
    tables = population.build_tables(data, base_year=2020, target_year=2028)
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
        population.load(raw_dir=raw_copy)


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
    facts = population.facts()
    sentence = population.base_year_check(projected, facts)
    assert "原資料の国勢調査人口119,184人より500人少なく、その差は年齢不詳の人数" in sentence
    projected.printed_totals = totals.iloc[0:0]
    no_totals = population.base_year_check(projected, facts)
    assert "基準のデータに総数がないため" in no_totals


def test_targets_have_one_precision_and_rate_differences_in_points() -> None:
    from analysis.model import population

    data = population.load()
    tables = population.build_tables(data, base_year=2020, target_year=2028)
    shown = population.targets_for_display(tables["targets"])
    rates = shown[shown["quantity"] == "aging_rate"]
    assert rates["target"].tolist()[0] == "39.50%"
    assert rates["vision_value"].tolist()[0] == "39.80%"
    assert rates["difference"].str.endswith("ポイント").all()
    people = shown[shown["quantity"] == "population"]
    assert people["vision_value"].str.fullmatch(r"[\d,]+人").all()
