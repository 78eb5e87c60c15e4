"""analysis.model.assembly: the editions as read, completed, checked and corrected; a partial
revision's borrowed municipalities and its 圏域 held to their sum."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.schema import REGION, TOTAL
from analysis.inputs.data import PopulationData, read_population
from analysis.model import assembly
from analysis.run.tables import population_data
from tests.unit.inputs.test_agesex import VISION_HEADER, refused, rows, write


def test_a_kept_region_beside_a_borrowed_municipality_must_be_their_sum(tmp_path: Path) -> None:
    """平泉町's rows removed, the 圏域 kept: 2040 一関市 77,924 + 平泉町 5,304 (borrowed from the
    2024 vision) ≠ the file's 圏域 82,822 — once shown with 「圏域はその合計としました」."""
    path = write(
        tmp_path / "vision.csv",
        VISION_HEADER
        + rows("一関市", 2040, (8_000, 38_000, 31_924))
        + rows(REGION, 2040, (8_500, 40_000, 34_322)),
    )
    [line] = refused(lambda: population_data(path))
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
    [line] = refused(lambda: population_data(path))
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
    data = population_data(path)
    [note] = [f.message for f in data.findings if f.check == "borrowed-municipality"]
    assert note == (
        "人口ビジョン（新しい版）には平泉町の値がないため、平泉町は以前の版（人口ビジョン（2024年3月））の"
        "2020・2023・2025・2028・2030・2035・2040年の値を使いました。"
        "圏域は人口ビジョン（新しい版）に書かれた値で、市町の合計と一致します（2040年）"
    )
    without_region = write(
        tmp_path / "only.csv", VISION_HEADER + rows("一関市", 2040, (8_000, 38_000, 31_924))
    )
    data = population_data(without_region)
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
    [line] = refused(lambda: population_data(write(tmp_path / "vision.csv", text)))
    assert (
        "市町の合計と合いません（2040年）：2040年 総人口：一関市 79,000人＋平泉町 5,200人＝84,200人、圏域 84,300人（差 100人）"
        in line
    )


def test_assemble_keeps_the_reading_findings_first_and_marks_corrections(
    data: PopulationData,
) -> None:
    """The reader's findings come first, then the source checks; the documented correction
    resolves the warnings on the cell it corrects and is the only one applied."""
    inputs = read_population()
    assembled = assembly.assemble(inputs)
    assert [f.message for f in assembled.findings] == [f.message for f in data.findings]
    assert assembled.findings[: len(inputs.findings)] == inputs.findings
    resolved = [f for f in assembled.findings if f.resolved_by]
    assert resolved and all(f.resolved_by.endswith("corrections.csv:2") for f in resolved)
    assert len(assembled.corrections) == 1
    pd.testing.assert_frame_equal(assembled.corrected, data.corrected)


def test_a_total_and_the_region_are_derived_where_an_edition_leaves_them_out() -> None:
    frame = pd.DataFrame(
        {
            "edition": "e",
            "municipality": ["a", "a", "a", "b", "b", "b"],
            "year": 2020,
            "age_group": ["0-14", "15-64", "65+"] * 2,
            "population": [1, 2, 3, 10, 20, 30],
            "derived": False,
        }
    )
    completed = assembly.sort_population(
        assembly.complete_population(frame, ["a", "b"]), ["a", "b"]
    )
    totals = completed[completed["age_group"] == TOTAL].set_index("municipality")
    assert totals["population"].to_dict() == {"a": 6, "b": 60, REGION: 66}
    assert totals["derived"].all()
    assert list(completed["municipality"].drop_duplicates()) == ["a", "b", REGION]
