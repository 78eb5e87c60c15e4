"""Every derived figure the source prints, recomputed from the transcribed counts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION, TOTAL
from analysis.inputs.data import PopulationData
from analysis.model import checks, cohort, population

INCONSISTENT_CELL = ("vision_2024", "平泉町", 2035)


def printed(data: PopulationData, frame: pd.DataFrame) -> pd.DataFrame:
    rates = checks.printed_rates(DATA_RAW)
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


@pytest.mark.parametrize(
    ("municipality", "rates"),
    [
        ("一関市", [37.52, 37.88, 39.05, 39.66, 39.93, 39.53, 39.68]),
        ("平泉町", [39.42, 40.63, 40.81, 41.89, 42.35, 41.66, 47.59]),
        (REGION, [37.64, 38.04, 39.16, 39.80, 40.07, 39.65, 40.13]),
    ],
)
def test_vision_aging_rates_to_a_hundredth_of_a_point(
    data: PopulationData, municipality: str, rates: list[float]
) -> None:
    structure = cohort.age_structure(data.corrected)
    rows = structure[
        (structure["edition"] == "vision_2024") & (structure["municipality"] == municipality)
    ].sort_values("year")
    assert list(rows["year"]) == [2020, 2023, 2025, 2028, 2030, 2035, 2040]
    assert list(rows["aging_rate_pct"].round(2)) == rates


def test_ipss_change_rates_and_2040_shares(data: PopulationData) -> None:
    change = cohort.change_from_base(data.corrected, 2020)
    region = change[
        (change["edition"] == "ipss_2018")
        & (change["municipality"] == REGION)
        & (change["year"] == 2040)
    ].set_index("age_group")
    assert region["change_rate_pct"].round(2).to_dict() == {
        "0-14": -38.92,
        "15-64": -32.17,
        "65+": -8.14,
        "total": -23.82,
    }
    structure = cohort.age_structure(data.corrected).set_index(["edition", "municipality", "year"])
    shares = structure.loc[("ipss_2018", "一関市", 2040)]
    assert round(shares["share_0-14_pct"], 2) == 8.19
    assert round(shares["share_15-64_pct"], 2) == 46.43
    assert round(shares["share_65+_pct"], 2) == 45.38


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


def test_the_correction_is_applied_only_to_the_processed_data(data: PopulationData) -> None:
    def value(frame: pd.DataFrame) -> float:
        row = frame[
            (frame["edition"] == "vision_2024")
            & (frame["municipality"] == "平泉町")
            & (frame["year"] == 2035)
            & (frame["age_group"] == "65+")
        ]
        return float(row["population"].iloc[0])

    assert value(data.raw) == 2_524
    assert value(data.corrected) == 2_383
    raw_file = (DATA_RAW / "population_vision_2024.csv").read_text(encoding="utf-8")
    assert "平泉町,2035,65+,2524," in raw_file


def test_2028_projection_is_interpolated_from_the_2025_2030_decline(data: PopulationData) -> None:
    frame = cohort.interpolate(data.corrected[data.corrected["edition"] == "ipss_2018"], [2028])
    # 114,307 + (106,481 − 114,307) × 3/5
    assert total(frame, "ipss_2018", REGION, 2028) == pytest.approx(109_611.4)
    assert total(frame, "ipss_2018", "一関市", 2028) == pytest.approx(103_224.0)
    assert total(frame, "ipss_2018", "平泉町", 2028) == pytest.approx(6_387.4)
    assert frame["derived"].all()


def test_the_roughly_13000_gap_in_2040(data: PopulationData) -> None:
    facts = population.facts().set_index("fact")
    vision_2040 = total(data.corrected, "vision_2024", REGION, 2040)
    gap = vision_2040 - facts.loc["ipss_2023_2040", "value"]
    assert gap == 13_289
    assert round(gap, -3) == facts.loc["gap_2040", "value"] == 13_000


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


def test_targets_beside_the_vision(data: PopulationData) -> None:
    tables = population.build_tables(data, base_year=2020, target_year=2028)
    targets = tables["targets"].set_index(["year", "quantity"])
    assert targets.loc[(2028, "population"), "vision_value"] == 107_447
    assert round(targets.loc[(2028, "aging_rate"), "vision_value"], 2) == 39.80
    assert targets.loc[(2040, "population"), "vision_value"] == 94_326
    assert round(targets.loc[(2040, "aging_rate"), "vision_value"], 2) == 40.13


def test_census_prose_shares(data: PopulationData) -> None:
    structure = cohort.age_structure(data.corrected).set_index(["edition", "municipality", "year"])
    y2020 = structure.loc[("ipss_2018", REGION, 2020)]
    assert [round(y2020[f"share_{g}_pct"], 1) for g in ("0-14", "15-64", "65+")] == [
        10.4,
        52.0,
        37.6,
    ]
    y2040 = structure.loc[("ipss_2018", REGION, 2040)]
    assert [round(y2040[f"share_{g}_pct"], 1) for g in ("0-14", "15-64", "65+")] == [
        8.3,
        46.3,
        45.4,
    ]


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
