"""analysis.inputs.layouts: headers as planners write them, and one layout read long or wide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.inputs.io import InputError
from analysis.inputs.layouts import (
    Field,
    Layout,
    code_and_name,
    header_year,
    normalise_header,
    read_table,
    share_matching,
    simplify,
)

COUNTS = Layout(
    title="人口のテスト",
    keys=(Field("place", "地域", ("地域名",)), Field("year", "年", ("年次",))),
    value=Field("count", "人口", ("人口",)),
    spread="year",
    accepted="縦長（place,year,count）か横長",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("人口（人）", "人口"), ("Population (persons)", "population"), ("人 口［人］（千）", "人口")],
)
def test_a_header_is_compared_without_spaces_case_or_a_trailing_unit(
    text: str, expected: str
) -> None:
    assert normalise_header(text) == expected


def test_simplify_folds_full_width_letters_and_spaces() -> None:
    assert simplify("ＡＢＣ　１２３ x") == "abc123x"


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2020", 2020),
        ("2020年 (R2年)", 2020),
        ("令和6年度", 2024),
        ("令和元年", 2019),
        ("平成27年", 2015),
        ("FY2024", 2024),
        ("２０３０年", 2030),
        ("人口", None),
        ("20201", None),
        (None, None),
    ],
)
def test_the_year_a_header_names(text: str | None, year: int | None) -> None:
    assert header_year(text) == year


def test_a_code_is_split_from_the_name_it_leads() -> None:
    assert code_and_name("3209_一関市") == ("3209", "一関市")
    assert code_and_name("０３４０２ 平泉町") == ("03402", "平泉町")
    assert code_and_name("一関市") == ("", "一関市")


def test_share_matching_is_the_fraction_of_values_that_match() -> None:
    score = share_matching(re.compile(r"\d+"))
    assert score(["1", "２", "x", "y"]) == 0.5
    assert share_matching(lambda v: v.endswith("市"))(["一関市", "平泉町"]) == 0.5


def test_a_field_matches_its_name_and_aliases_as_normalised() -> None:
    assert COUNTS.match(normalise_header("地域名（市町村）")) is COUNTS.field("place")
    assert COUNTS.match("count") is COUNTS.value
    assert COUNTS.match("人数") is None
    assert COUNTS.skipped("高齢化率（％）", ["高齢化率"])
    assert not COUNTS.skipped("人口", ["高齢化率"])


def test_the_same_counts_long_and_wide_read_the_same(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text(
        "地域名,年次,人口\n一関市,2020,110\n一関市,2025,100\n平泉町,2020,7\n平泉町,2025,6\n",
        encoding="utf-8",
    )
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "人口の推移\n地域名,2020年,令和7年\n一関市,110,100\n平泉町,7,6\n", encoding="utf-8"
    )

    def counts(path: Path) -> list[tuple[str, str, str]]:
        frame = read_table(path, COUNTS).frame
        rows = frame[["place", "year", "count"]].astype(str).itertuples(index=False)
        return sorted((str(p), str(y), str(c)) for p, y, c in rows)

    expected = [
        ("一関市", "2020", "110"),
        ("一関市", "2025", "100"),
        ("平泉町", "2020", "7"),
        ("平泉町", "2025", "6"),
    ]
    assert counts(long) == expected
    assert counts(wide) == expected


def test_a_file_holding_no_table_of_the_layout_is_one_line_naming_what_is_accepted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.csv"
    path.write_text("氏名,住所\n山田,一関\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, COUNTS)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    assert "縦長（place,year,count）か横長" in message
