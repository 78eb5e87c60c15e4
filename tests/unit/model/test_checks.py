"""analysis.model.checks: every figure the source prints, recomputed from the transcribed counts."""

from __future__ import annotations

import pandas as pd

from analysis.core.schema import REGION, TOTAL
from analysis.inputs.data import PopulationData
from analysis.inputs.source_figures import read_printed_rates
from analysis.model import checks

INCONSISTENT_CELL = ("vision_2024", "平泉町", 2035)


def printed(data: PopulationData, frame: pd.DataFrame) -> pd.DataFrame:
    rates = read_printed_rates().frame
    return checks.recompute_printed(frame, rates)


def total(frame: pd.DataFrame, edition: str, municipality: str, year: int) -> float:
    row = frame[
        (frame["edition"] == edition)
        & (frame["municipality"] == municipality)
        & (frame["year"] == year)
        & (frame["age_group"] == TOTAL)
    ]
    assert len(row) == 1
    return float(row["population"].iloc[0])


def test_transcription_spot_checks(data: PopulationData) -> None:
    raw = data.raw
    assert total(raw, "ipss_2018", REGION, 2015) == 129_451
    assert total(raw, "ipss_2018", REGION, 2040) == 90_789
    assert total(raw, "ipss_2018", "一関市", 2030) == 100_322
    assert total(raw, "vision_2024", REGION, 2028) == 107_447
    assert total(raw, "vision_2024", "平泉町", 2040) == 5_304
    assert len(raw[raw["edition"] == "ipss_2018"]) == 3 * 6 * 4
    assert len(raw[raw["edition"] == "vision_2024"]) == 3 * 7 * 4
    source = raw[raw["edition"].isin(["ipss_2018", "vision_2024"])]
    assert not source["derived"].any(), "both source tables print totals and the 圏域"
    # The real IPSS editions shipped beside them (data/raw/README.md).
    assert total(raw, "ipss_2023", REGION, 2040) == 81_037  # the text's figure (line 202)
    assert total(raw, "ipss_2023", "一関市", 2020) == 111_932
    assert total(raw, "ipss_2018s", "一関市", 2015) == 121_583
    assert total(raw, "ipss_2018s", REGION, 2045) == 78_013 + 4_483


def test_every_printed_rate_matches_except_the_inconsistent_cell(data: PopulationData) -> None:
    result = printed(data, data.raw)
    assert len(result) == 69
    mismatches = result[~result["matches"]]
    assert [(r.edition, r.municipality, r.year, r.measure) for r in mismatches.itertuples()] == [
        (*INCONSISTENT_CELL, "aging_rate")
    ]


def test_every_printed_rate_matches_after_the_documented_correction(data: PopulationData) -> None:
    result = printed(data, data.corrected)
    assert result["matches"].all(), result[~result["matches"]]


def test_region_totals_are_the_sum_of_municipalities_except_the_flagged_cell(
    data: PopulationData,
) -> None:
    raw = data.raw
    members = raw[raw["municipality"].isin(data.municipalities)]
    summed = members.groupby(["edition", "year", "age_group"])["population"].sum()
    region = raw[raw["municipality"] == REGION].set_index(["edition", "year", "age_group"])[
        "population"
    ]
    differences = (summed - region)[lambda s: s != 0]
    assert differences.to_dict() == {("vision_2024", 2035, "65+"): 141}


def test_the_inconsistency_is_reported_with_what_the_other_checks_imply(
    data: PopulationData,
) -> None:
    messages = [str(f) for f in data.findings]
    age_sum = [m for m in messages if "0～14歳＋15～64歳＋65歳以上" in m]
    assert age_sum == [
        "data/raw/population_vision_2024.csv:56: population: 警告: 平泉町 2035年："
        "0～14歳＋15～64歳＋65歳以上＝618 + 2,719 + 2,524＝5,861人ですが、印刷された合計は5,720人です"
        "（差141人）。他の印刷値からは 平泉町 2035年 老年人口（65歳以上） ＝2,383人となり、2,524人では"
        "ありません（合計−他の年齢区分 = 2,383、圏域−他の市町 = 2,383、印刷された高齢化率41.66%×合計 = "
        "2,383）（data/raw/corrections.csv:2 で補正済み）"
    ]
    assert any(
        m.startswith(
            "data/raw/population_vision_2024.csv:77: population: 警告: 圏域 2035年 老年人口"
        )
        for m in messages
    )
    assert any(
        m.startswith(
            "data/raw/printed_figures.csv:55: value: 警告: 人口ビジョン（2024年3月）の平泉町 2035年の高齢化率は41.66%"
        )
        and "人数から計算すると44.13%" in m
        for m in messages
    )
    assert all(f.severity == "warning" for f in data.findings)
    # The English text stays available for logs.
    english = next(f.english() for f in data.findings if f.check == "age-groups-sum")
    assert (
        "0-14 + 15-64 + 65+ = 618 + 2,719 + 2,524 = 5,861, but the printed total is 5,720"
        in english
    )
    assert "imply 平泉町 2035 65+ = 2,383, not 2,524" in english


def test_three_findings_about_one_cell_are_one_problem(data: PopulationData) -> None:
    from analysis.core.findings import problem_count

    resolved = {f.resolved_by for f in data.findings if f.resolved_by}
    assert resolved == {"data/raw/corrections.csv:2"}
    assert sum(bool(f.resolved_by) for f in data.findings) == 3
    # The two of the source (平泉町 2035, the 2028 aging target) and the plan's two tables whose
    # 一関市 2020 is not the census of the 2023 IPSS edition (the projection's and the vision's).
    assert problem_count(data.findings) == (4, 1)
    assert sum(f.check == "census-disagreement" for f in data.findings) == 2


def test_prose_facts_match_the_tables_except_the_2028_aging_target(
    data: PopulationData,
) -> None:
    prose = [f for f in data.findings if f.check == "prose-fact"]
    assert len(prose) == 1
    assert prose[0].line == 13
    assert "約39.5%とあります" in prose[0].message
    assert "2028年は39.80%で、四捨五入すると39.8%です" in prose[0].message
    assert "stated as about 39.5%" in prose[0].message_en
    assert prose[0].resolved_by == ""
