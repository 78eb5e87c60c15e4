"""analysis.model.revision: supplied editions (a revised vision, a new projection) compared with the
ones they replace."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.core.paths import DATA_RAW, NOTEBOOKS
from analysis.core.schema import REGION, TOTAL
from analysis.inputs.source_figures import read_stated_facts
from analysis.model import population, revision
from analysis.run.tables import population_data
from tests.unit.model.test_scenarios import register_two_age_sex_editions

EXAMPLE = DATA_RAW / "examples" / "vision_revised_example.csv"


@pytest.fixture(scope="module")
def supplied() -> population.PopulationData:
    return population_data(vision_path=EXAMPLE)


def test_supplied_vision_becomes_current_and_replaces_the_shipped_one(
    supplied: population.PopulationData,
) -> None:
    current = population.current_edition(supplied, "vision")
    assert current.edition == "vision_supplied"
    assert current.replaces == "vision_2024"
    assert current.label == "人口ビジョン（提供された新しい版）"
    assert current.source == "提供された人口ビジョンの新しい版"
    rows = supplied.corrected[supplied.corrected["edition"] == "vision_supplied"]
    # Totals are derived from the age groups.
    assert rows.loc[rows["age_group"] == TOTAL, "derived"].all()
    # 平泉町 is missing: taken from the edition it replaces, labelled, and the 圏域 sums them
    # for the years both have.
    hiraizumi = rows[rows["municipality"] == "平泉町"]
    assert hiraizumi["derivation"].str.startswith("以前の版の値（人口ビジョン（2024年3月））").all()
    old = supplied.corrected[
        (supplied.corrected["edition"] == "vision_2024")
        & (supplied.corrected["municipality"] == "平泉町")
    ]
    assert hiraizumi["population"].tolist() == old["population"].tolist(), "the corrected values"
    region = rows[(rows["municipality"] == REGION) & (rows["age_group"] == TOTAL)].set_index("year")
    ichinoseki = rows[(rows["municipality"] == "一関市") & (rows["age_group"] == TOTAL)].set_index(
        "year"
    )
    hiraizumi_total = hiraizumi[hiraizumi["age_group"] == TOTAL].set_index("year")
    assert sorted(region.index) == [2020, 2025, 2030, 2035, 2040]
    for year in region.index:
        expected = ichinoseki.loc[year, "population"] + hiraizumi_total.loc[year, "population"]
        assert region.loc[year, "population"] == expected
    note = next(f for f in supplied.findings if f.check == "borrowed-municipality")
    assert (
        "平泉町は以前の版（人口ビジョン（2024年3月））の2020・2023・2025・2028・2030・2035・2040年の値を使いました。"
        "圏域は一関市（人口ビジョン（新しい版））と平泉町（以前の版の値）の合計です（2020・2025・2030・2035・2040年）。"
        "2045・2050年は以前の版に平泉町の値がないため、圏域を示しません" in note.message
    )
    diff = revision.differences(supplied.corrected, "vision_2024", "vision_supplied", [2028])
    assert "平泉町" not in set(diff["municipality"]), (
        "borrowed rows are not compared with themselves"
    )
    assert revision.borrowed_municipalities(supplied.corrected, "vision_supplied") == ["平泉町"]


def test_revision_differences_against_hand_computed_values(
    supplied: population.PopulationData,
) -> None:
    diff = revision.differences(supplied.corrected, "vision_2024", "vision_supplied", [2028, 2040])
    row = diff[
        (diff["municipality"] == "一関市") & (diff["year"] == 2040) & (diff["age_group"] == TOTAL)
    ].iloc[0]
    # 9,700 + 43,800 + 35,300 = 88,800 against the printed 89,022
    assert row["new_population"] == 88_800
    assert row["difference_people"] == -222
    assert row["difference_pct"] == pytest.approx(-222 / 89_022 * 100)
    interpolated = diff[(diff["year"] == 2028) & (diff["age_group"] == "0-14")].iloc[0]
    # 9,900 + (9,100 − 9,900) × 3/5 = 9,420 against the published 9,281
    assert interpolated["new_population"] == pytest.approx(9_420)
    assert interpolated["difference_people"] == pytest.approx(139)
    assert interpolated["derived"] and interpolated["interpolated"]
    published = diff[(diff["year"] == 2040) & (diff["municipality"] == "一関市")]
    assert not published["interpolated"].any(), "supplied years are never marked 補間"
    assert 2045 not in set(diff["year"]), "only years both editions cover"
    aging = revision.aging_differences(supplied.corrected, "vision_2024", "vision_supplied", [2040])
    a2040 = aging[aging["year"] == 2040].iloc[0]
    assert a2040["new_aging_rate_pct"] == pytest.approx(35_300 / 88_800 * 100)
    assert a2040["aging_rate_difference_points"] == pytest.approx(
        35_300 / 88_800 * 100 - 35_326 / 89_022 * 100
    )


def test_a_registered_edition_with_replaces_forms_a_revision_pair(raw_copy: Path) -> None:

    shutil.copy(EXAMPLE, raw_copy / "population_vision_2025.csv")
    with (raw_copy / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "vision_2025,vision,人口ビジョン（2025年改訂・例）,2026-03,population_vision_2025.csv,"
            "vision_2024,例,人口ビジョン（2025年改訂）\n"
        )
    data = population_data(raw_dir=raw_copy)
    assert population.current_edition(data, "vision").edition == "vision_2025"
    assert [(old.edition, new.edition) for old, new in revision.pairs(data)] == [
        ("vision_2024", "vision_2025"),  # 2026-03: the newest comparison first
        ("ipss_2018", "ipss_2023"),  # shipped, 2023-12
    ]


def test_comparisons_newest_first_and_places_in_reading_order(
    supplied: population.PopulationData,
) -> None:
    """revision.html reads newest comparison first (a supplied edition is the newest), and
    each table lists 一関市, 平泉町, then 圏域."""
    assert [new.edition for _, new in revision.pairs(supplied)] == ["vision_supplied", "ipss_2023"]
    frame = supplied.corrected
    for table in (
        revision.differences(frame, "ipss_2018", "ipss_2023", [2028, 2040]),
        revision.aging_differences(frame, "ipss_2018", "ipss_2023", [2028, 2040]),
        revision.differences(frame, "vision_2024", "vision_supplied", [2028]),
        revision.aging_differences(frame, "vision_2024", "vision_supplied", [2028]),
    ):
        order = list(dict.fromkeys(table["municipality"]))
        assert order == [m for m in ("一関市", "平泉町", REGION) if m in order], order


def test_revision_headers_and_method_say_new_minus_old() -> None:
    from analysis.report.labels import COLUMN_LABELS

    for column in ("difference_people", "difference_pct", "aging_rate_difference_points",
                   "budget_change_thousand_yen"):  # fmt: skip
        assert "新−旧" in COLUMN_LABELS[column], column
    notebook = (NOTEBOOKS / "reports" / "revision.py").read_text("utf-8")
    method = notebook.split("## 算出方法", 1)[1]
    assert "差（新−旧、人） | 新しい版の人口 − 以前の版の人口" in method
    assert "高齢化率の差（新−旧、ポイント） | 新しい版の高齢化率 − 以前の版の高齢化率" in method


def test_a_new_projection_to_2050_for_both_municipalities(tmp_path: Path) -> None:
    rows = ["municipality,year,age_group,population"]
    for municipality, base in (("一関市", 100_000), ("平泉町", 6_000)):
        for step, year in enumerate(range(2020, 2051, 5)):
            scale = 0.95**step
            for group, share in (("0-14", 0.10), ("15-64", 0.52), ("65+", 0.38)):
                rows.append(f"{municipality},{year},{group},{round(base * share * scale)}")
    path = tmp_path / "ipss_2023.csv"
    path.write_text("\n".join(rows) + "\n", encoding="cp932")
    data = population_data(projection_path=path, projection_label="社人研推計（2023年12月公表）")
    assert population.current_edition(data, "projection").edition == "projection_supplied"
    tables = population.build_tables(data, read_stated_facts(), base_year=2020, target_year=2028)
    comparison = tables["comparison"]
    region = comparison[comparison["municipality"] == REGION]
    assert set(region["baseline"]) == {"projection_supplied"}
    assert 2028 in set(region["year"])  # interpolated in the new projection
    diff = revision.differences(data.corrected, "ipss_2018", "projection_supplied", [2028, 2040])
    assert set(diff["municipality"]) == {"一関市", "平泉町", REGION}
    assert max(diff["year"]) == 2040  # the old edition ends there


def test_two_age_sex_editions_are_compared_by_sex_and_age(raw_copy: Path, tmp_path: Path) -> None:
    register_two_age_sex_editions(raw_copy, tmp_path)
    data = population_data(raw_dir=raw_copy)
    old, new = data.age_sex["ipss_h30"], data.age_sex["ipss_r5"]
    assert (old.groups[-1], new.groups[-1]) == ("90+", "95+")
    table = revision.age_sex_differences(old, new, data.municipalities)
    assert table["age_group"].iloc[-1] == "90+" and "95+" not in set(table["age_group"])
    for loaded, column in ((old, "old_population"), (new, "new_population")):
        members = table[table["municipality"] != REGION]
        assert members[column].sum() == loaded.frame["population"].sum(), (
            "nobody lost on regrouping"
        )
    region = table[table["municipality"] == REGION].set_index(["year", "sex", "age_group"])
    summed = (
        table[table["municipality"] != REGION]
        .groupby(["year", "sex", "age_group"])
        .sum(numeric_only=True)
    )
    assert np.allclose(region["new_population"], summed.loc[region.index, "new_population"])
    row = table.iloc[0]
    assert row["difference_people"] == row["new_population"] - row["old_population"]
