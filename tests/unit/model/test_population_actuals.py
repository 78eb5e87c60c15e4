"""analysis.model.population_actuals: the reader, its refusals, the interpolation and the gaps to
the paths."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs.data import Edition
from analysis.inputs.io import read_records
from analysis.model import population, population_actuals
from analysis.model.population_actuals import (
    against_paths,
    closest,
    interpolate,
    load,
    parse_date,
    target_gaps,
)
from analysis.run.tables import population_data
from tests.workbooks import population_actuals_workbook

TODAY = datetime.date(2026, 12, 7)
HEADER = "municipality,date,kind,age_group,population\n"


def block(place: str, date: str, kind: str, counts: tuple[int, int, int]) -> str:
    groups = ("0-14", "15-64", "65+")
    return "".join(f"{place},{date},{kind},{g},{c}\n" for g, c in zip(groups, counts, strict=True))


GOOD = (
    block("一関市", "2020-10-01", "国勢調査", (11563, 58370, 41999))
    + block("平泉町", "2020-10-01", "国勢調査", (791, 3602, 2859))
    + block("一関市", "2023-01-01", "住民基本台帳", (10685, 57462, 41550))
    + block("平泉町", "2023-01-01", "住民基本台帳", (699, 3449, 2839))
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def totals(path: Path) -> dict[tuple[str, str], int]:
    frame = load(path, today=TODAY).frame
    rows = frame[frame["age_group"] == "total"]
    return {
        (m, d): int(p)
        for m, d, p in zip(rows["municipality"], rows["date"], rows["population"], strict=True)
    }


EXPECTED = {
    ("一関市", "2020-10-01"): 111932,
    ("平泉町", "2020-10-01"): 7252,
    ("圏域", "2020-10-01"): 119184,
    ("一関市", "2023-01-01"): 109697,
    ("平泉町", "2023-01-01"): 6987,
    ("圏域", "2023-01-01"): 116684,
}


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_long_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "実績.csv", HEADER + GOOD, encoding)
    assert totals(path) == EXPECTED


def test_japanese_headers_wave_dashes_era_dates_and_a_census_year(tmp_path: Path) -> None:
    text = (
        "市町村,基準日,種別,年齢区分,人口（人）\n"
        + block("一関市", "2020", "国勢調査", (11563, 58370, 41999))
        .replace(",0-14,", ",0～14歳,")  # U+FF5E
        .replace(",15-64,", ",15〜64歳,")  # U+301C
        .replace(",65+,", ",65歳以上,")
        + block("平泉町", "令和2年10月1日", "国調", (791, 3602, 2859))
        + block("一関市", "2023/1/1", "住基", (10685, 57462, 41550))
        + block("平泉町", "R5.1.1", "住民基本台帳", (699, 3449, 2839))
    )
    assert totals(write(tmp_path / "a.csv", text)) == EXPECTED


def test_wide_workbook_a_sheet_per_kind(tmp_path: Path) -> None:
    path = population_actuals_workbook(tmp_path / "wide.xlsx")
    frame = load(path, today=TODAY).frame
    census = frame[(frame["kind_label"] == "国勢調査") & (frame["age_group"] == "total")]
    assert census.set_index(["municipality", "date"])["population"].to_dict() == {
        ("一関市", "2015-10-01"): 121583,
        ("平泉町", "2015-10-01"): 7868,
        ("圏域", "2015-10-01"): 129451,
        ("一関市", "2020-10-01"): 111932,
        ("平泉町", "2020-10-01"): 7252,
        ("圏域", "2020-10-01"): 119184,
    }
    assert set(frame.loc[frame["kind_label"] == "住民基本台帳", "date"]) == {"2023-01-01"}


def test_long_workbook_with_a_title_row_and_excel_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["人口の実績（令和5年まで）"])
    sheet.append(["市町村", "基準日", "種別", "年齢区分", "人口"])
    for line in GOOD.splitlines():
        place, date, kind, group, count = line.split(",")
        sheet.append([place, datetime.datetime.fromisoformat(date), kind, group, int(count)])
    book.save(tmp_path / "long.xlsx")
    assert totals(tmp_path / "long.xlsx") == EXPECTED


def test_wide_csv_with_a_kind_column_and_a_total_row(tmp_path: Path) -> None:
    text = (
        "市町村,種別,年齢区分,2020年10月1日,2023年1月1日\n"
        "一関市,国勢調査,0～14歳,11563,\n,,15～64歳,58370,\n,,65歳以上,41999,\n,,総数,111932,\n"
        "平泉町,国勢調査,0～14歳,791,\n,,15～64歳,3602,\n,,65歳以上,2859,\n"
        "一関市,住民基本台帳,0～14歳,,10685\n,,15～64歳,,57462\n,,65歳以上,,41550\n"
        "平泉町,住民基本台帳,0～14歳,,699\n,,15～64歳,,3449\n,,65歳以上,,2839\n"
        ",,高齢化率,,\n"
    )
    assert totals(write(tmp_path / "w.csv", text)) == EXPECTED


def test_a_region_row_equal_to_the_sum_is_accepted(tmp_path: Path) -> None:
    text = HEADER + GOOD + "圏域,2020-10-01,国勢調査,total,119184\n"
    assert totals(write(tmp_path / "r.csv", text)) == EXPECTED


def test_the_registered_file_is_what_the_source_prints_and_the_census_counted() -> None:
    """2015 census from the plan's IPSS table, 2020 census as the 2023 IPSS edition takes it
    (the plan prints other age groups for 一関市 2020: known inconsistency 3), 2023 住民基本台帳
    from the vision's table."""
    frame = load(population_actuals.DEFAULT).frame
    plan_ipss = read_records(DATA_RAW / "ipss_2018_projection.csv")
    census_2020 = read_records(DATA_RAW / "ipss_2023_projection.csv")
    vision = read_records(DATA_RAW / "population_vision_2024.csv")
    for kind, source, year in (
        ("国勢調査", plan_ipss, 2015),
        ("国勢調査", census_2020, 2020),
        ("住民基本台帳", vision, 2023),
    ):
        printed = source[source["year"].astype(int) == year]
        mine = frame[(frame["year"] == year) & (frame["kind_label"] == kind)]
        assert len(mine) == 12
        for row in mine.itertuples():
            places = [row.municipality] if row.municipality != "圏域" else ["一関市", "平泉町"]
            if row.municipality == "圏域" and "圏域" in set(printed["municipality"]):
                places = ["圏域"]  # the plan's tables print the 圏域 itself
            match = printed[
                printed["municipality"].isin(places) & (printed["age_group"] == row.age_group)
            ]
            assert len(match) == len(places), row
            assert match["population"].astype(int).sum() == row.population, row
    census = frame[frame["kind_label"] == "国勢調査"]["date"]
    assert set(census) == {"2015-10-01", "2020-10-01"}
    # The plan's own print of 一関市 2020 differs by age group but not in total.
    printed = plan_ipss[
        (plan_ipss["year"].astype(int) == 2020) & (plan_ipss["municipality"] == "一関市")
    ]
    mine = frame[(frame["year"] == 2020) & (frame["municipality"] == "一関市")]
    by_group = dict(zip(printed["age_group"], printed["population"].astype(int), strict=True))
    differences = {r.age_group: r.population - by_group[r.age_group] for r in mine.itertuples()}
    assert differences == {"0-14": 37, "15-64": 514, "65+": -551, "total": 0}


def test_the_example_workbook_is_the_one_the_generator_makes(tmp_path: Path) -> None:
    def cells(path: Path) -> list[list[list[object]]]:
        book = openpyxl.load_workbook(path)
        return [[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book]

    shipped = DATA_RAW / "examples" / "population_actuals_wide_example.xlsx"
    assert cells(shipped) == cells(population_actuals_workbook(tmp_path / "made.xlsx"))
    assert totals(shipped)[("圏域", "2023-01-01")] == 116684

    # The example holds the registered counts, age group by age group.
    def counts(path: Path) -> set[tuple[str, str, str, int]]:
        frame = load(path, today=TODAY).frame
        return set(
            zip(
                frame["municipality"],
                frame["date"],
                frame["age_group"],
                frame["population"].astype(int),
                strict=True,
            )
        )

    assert counts(shipped) == counts(population_actuals.DEFAULT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-01", (datetime.date(2025, 10, 1), None)),
        ("2025/10/1", (datetime.date(2025, 10, 1), None)),
        ("２０２５年１０月１日現在", (datetime.date(2025, 10, 1), None)),
        ("令和7年10月1日", (datetime.date(2025, 10, 1), None)),
        ("令和元年10月1日", (datetime.date(2019, 10, 1), None)),
        ("2024-01-01 00:00:00", (datetime.date(2024, 1, 1), None)),
        ("2025年10月1日（国勢調査）", (datetime.date(2025, 10, 1), None)),
        ("2025", (None, 2025)),
        ("令和7年", (None, 2025)),
        ("2025年2月30日", (None, None)),
        ("10月1日", (None, None)),
    ],
)
def test_dates_as_planners_write_them(
    text: str, expected: tuple[datetime.date | None, int | None]
) -> None:
    assert parse_date(text) == expected


# ---------------------------------------------------------------- refusals


def only_error(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        load(path, today=TODAY)
    assert len(caught.value.findings) == 1, [str(f) for f in caught.value.findings]
    return str(caught.value.findings[0])


def edited(tmp_path: Path, old: str, new: str, name: str = "bad.csv") -> Path:
    assert old in HEADER + GOOD
    return write(tmp_path / name, (HEADER + GOOD).replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2020-10-01,国勢調査,0-14,-5",
         ":2: population: 人口が負の値（-5）です"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2020-10-01,国勢調査,0-14,11563.5",
         ":2: population: 11563.5 は人数として整数ではありません"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2020-10-01,国勢調査,0-14,約1万",
         ":2: population: 「約1万」は人数として読めません"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "奥州市,2020-10-01,国勢調査,0-14,11563",
         ":2: municipality: 「奥州市」は圏域の市町ではありません（使える名前：一関市、平泉町、圏域）"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関,2020-10-01,国勢調査,0-14,11563",
         ":2: municipality: 「一関」は圏域の市町の名前と一致しません。一関市の誤りではありませんか"
         "（圏域外の市町村として除外はしません。正しい名前に直してください）"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2090-10-01,国勢調査,0-14,11563",
         ":2: date: 基準日 2090年10月1日 は今日（2026年12月7日）より後です"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,十月,国勢調査,0-14,11563",
         ":2: date: 「十月」は基準日として読めません（例：2025-10-01、2025年10月1日、令和7年10月1日）"),
        ("一関市,2023-01-01,住民基本台帳,0-14,10685", "一関市,2023,住民基本台帳,0-14,10685",
         ":8: date: 「2023」は年だけです。住民基本台帳の人口は基準日を年月日で書いてください"
         "（年だけで書けるのは国勢調査（10月1日）だけです）"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2020-10-01,推計,0-14,11563",
         ":2: kind: 人口の種別「推計」が分かりません（国勢調査・住民基本台帳）"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2020-10-01,国勢調査,0-19,11563",
         ":2: age_group: 年齢区分「0-19」が分かりません（使える区分：年少人口（0～14歳）、"
         "生産年齢人口（15～64歳）、老年人口（65歳以上）、総人口）"),
        ("平泉町,2020-10-01,国勢調査,0-14,791", "平泉町,2020-10-01,住民基本台帳,0-14,791",
         ":5: kind: 2020年10月1日 の行に住民基本台帳と国勢調査（2 行目）が混在しています。"
         "国勢調査と住民基本台帳は別の人口なので、1つの基準日にはどちらか一方だけを書いてください"),
        ("平泉町,2020-10-01,国勢調査,65+,2859", "平泉町,2020-10-01,国勢調査,0-14,2859",
         ":7: population: 平泉町 2020年10月1日 年少人口（0～14歳） の行が重複しています（最初は 5 行目）"),
        ("平泉町,2020-10-01,国勢調査,65+,2859\n", "",
         ":5: age_group: 平泉町 2020年10月1日 の老年人口（65歳以上）の行がありません（年齢3区分がすべて必要です）"),
        ("平泉町,2020-10-01,国勢調査,65+,2859\n", "平泉町,2020-10-01,国勢調査,65+,2859\n"
         "平泉町,2020-10-01,国勢調査,総数,7000\n",
         ":8: population: 平泉町 2020年10月1日 の総数 7,000人が年齢3区分の和 7,252人と一致しません（差 -252人）"),
        ("一関市,2020-10-01,国勢調査,0-14,11563", "一関市,2020-10-01,国勢調査,0-14,",
         ":2: population: 空欄です"),
    ],
)  # fmt: skip
def test_each_refusal_is_one_line_naming_file_row_and_column(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = edited(tmp_path, old, new)
    assert only_error(path) == f"{path}{message}"


def test_a_region_row_that_is_not_the_sum_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", HEADER + GOOD + "圏域,2020-10-01,国勢調査,total,119000\n")
    assert only_error(path) == (
        f"{path}:14: population: 圏域 2020年10月1日 総人口 の 119,000人が一関市と平泉町の和119,184人と"
        "一致しません（圏域は市町の和から計算します。圏域の行は消してもかまいません）"
    )


def test_a_workbook_error_names_sheet_and_cell(tmp_path: Path) -> None:
    path = population_actuals_workbook(tmp_path / "wide.xlsx")
    book = openpyxl.load_workbook(path)
    book["住民基本台帳"]["C4"] = -3  # 一関市 15～64歳, 2023年1月1日
    book.save(path)
    assert only_error(path) == f"{path}[住民基本台帳]!C4: 2023年1月1日: 人口が負の値（-3）です"


def test_nothing_but_a_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", HEADER)
    assert only_error(path) == f"{path}:-: -: データがありません（空のファイルです）"


def test_all_groups_zero_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, "平泉町,2020-10-01,国勢調査,0-14,791\n平泉町,2020-10-01,国勢調査,15-64,3602\n"
                  "平泉町,2020-10-01,国勢調査,65+,2859",
                  "平泉町,2020-10-01,国勢調査,0-14,0\n平泉町,2020-10-01,国勢調査,15-64,0\n"
                  "平泉町,2020-10-01,国勢調査,65+,0")  # fmt: skip
    assert only_error(path) == (
        f"{path}:5: population: 平泉町 2020年10月1日 の人口が年齢3区分とも 0 です（高齢化率を計算できません）"
    )


# ---------------------------------------------------------------- arithmetic


def points(values: dict[int, float]) -> pd.Series:
    return pd.Series(values, dtype="float64")


def test_interpolation_is_linear_in_days_between_first_octobers() -> None:
    path = points({2020: 119184.0, 2025: 112074.0})
    assert interpolate(path, datetime.date(2020, 10, 1)) == 119184.0
    assert interpolate(path, datetime.date(2025, 10, 1)) == 112074.0
    days = (datetime.date(2025, 10, 1) - datetime.date(2020, 10, 1)).days
    share = (datetime.date(2023, 1, 1) - datetime.date(2020, 10, 1)).days / days
    assert interpolate(path, datetime.date(2023, 1, 1)) == pytest.approx(
        119184 + (112074 - 119184) * share
    )
    assert interpolate(path, datetime.date(2020, 9, 30)) is None  # no extrapolation
    assert interpolate(path, datetime.date(2025, 10, 2)) is None


@given(
    st.lists(st.integers(0, 300_000), min_size=2, max_size=6),
    st.integers(0, 10_000),
)
def test_an_interpolated_value_lies_between_its_two_points(values: list[int], offset: int) -> None:
    years = [2015 + 5 * i for i in range(len(values))]
    path = points(dict(zip(years, map(float, values), strict=True)))
    day = datetime.date(2015, 10, 1) + datetime.timedelta(days=offset)
    value = interpolate(path, day)
    if day > datetime.date(years[-1], 10, 1):
        assert value is None
        return
    assert value is not None
    before = max(y for y in years if datetime.date(y, 10, 1) <= day)
    after = min(y for y in years if datetime.date(y, 10, 1) >= day)
    low, high = sorted((path.loc[before], path.loc[after]))
    assert low - 1e-6 <= value <= high + 1e-6


def edition(name: str, kind: str, census: tuple[int, ...] = ()) -> Edition:
    return Edition(name, kind, name, "", Path(name), census_years=census, short_label=name)


def paths_frame(series: dict[str, dict[int, tuple[int, int]]]) -> pd.DataFrame:
    """Editions' 圏域 paths: edition → year → (total, 65+)."""
    rows = []
    for name, years in series.items():
        for year, (total, old) in years.items():
            rows.append(("圏域", name, year, "total", total))
            rows.append(("圏域", name, year, "65+", old))
    return pd.DataFrame(
        rows, columns=["municipality", "edition", "year", "age_group", "population"]
    )


def census_2025(tmp_path: Path, total: tuple[int, int, int]) -> pd.DataFrame:
    text = HEADER + GOOD + block("一関市", "2025-10-01", "国勢調査", total)
    text += block("平泉町", "2025-10-01", "国勢調査", (700, 3300, 2800))
    return load(write(tmp_path / "c.csv", text), today=TODAY).frame


def test_gaps_to_paths_and_the_closest_edition(tmp_path: Path) -> None:
    actuals = census_2025(tmp_path, (10000, 54000, 41000))  # 圏域 2025: 111,800, 65+ 43,800
    editions = [
        edition("vision", "vision", (2020,)),
        edition("old", "projection", (2015, 2020)),
        edition("new", "projection", (2020,)),
    ]
    corrected = paths_frame(
        {
            "vision": {2020: (119184, 44858), 2025: (112074, 43886)},
            "old": {2015: (129451, 43333), 2020: (119184, 44858), 2025: (114307, 45429)},
            "new": {2020: (119184, 44858), 2025: (110000, 44000)},
        }
    )
    against = against_paths(actuals, corrected, editions)
    row = against[(against["date"] == "2025-10-01") & (against["edition"] == "vision")].iloc[0]
    assert row["actual_population"] == 111800
    assert row["gap_people"] == 111800 - 112074
    assert row["gap_aging_points"] == pytest.approx(43800 / 111800 * 100 - 43886 / 112074 * 100)
    assert bool(row["on_point"])
    ranked = closest(against, actuals, editions, corrected)
    assert set(ranked["date"]) == {"2025-10-01"}  # 2020 was each edition's own census
    assert ranked.sort_values("rank")["edition"].tolist() == ["vision", "new", "old"]
    assert ranked["rank"].tolist() == [1, 2, 3]


@given(st.lists(st.integers(90_000, 130_000), min_size=1, max_size=5), st.integers(90_000, 130_000))
def test_rank_one_has_the_smallest_gap(path_values: list[int], actual: int) -> None:
    editions = [edition(f"e{i}", "projection", (2020,)) for i in range(len(path_values))]
    corrected = paths_frame(
        {f"e{i}": {2020: (119184, 44858), 2030: (v, v // 3)} for i, v in enumerate(path_values)}
    )
    actuals = pd.DataFrame(
        [
            ("圏域", "2025-10-01", 2025, "census", "国勢調査", group, value, True, "f", 1)
            for group, value in (("0-14", actual // 10), ("15-64", actual // 2),
                                 ("65+", actual - actual // 10 - actual // 2), ("total", actual))
        ],
        columns=population_actuals.COLUMNS,
    )  # fmt: skip
    against = against_paths(actuals, corrected, editions)
    ranked = closest(against, actuals, editions, corrected)
    assert len(ranked) == len(path_values)
    best = ranked[ranked["rank"] == 1].iloc[0]
    assert best["abs_gap_people"] == ranked["abs_gap_people"].min()
    assert (ranked["gap_people"] == ranked["actual_population"] - ranked["path_population"]).all()


def test_gaps_to_the_targets_are_actual_minus_target() -> None:
    actuals = load(population_actuals.DEFAULT).frame
    gaps = target_gaps(actuals, population.facts()).set_index(["date", "target_year"])
    latest = gaps.loc[("2023-01-01", 2028)]
    assert latest["target_population"] == 107400
    assert latest["gap_to_target_people"] == 116684 - 107400
    assert latest["gap_to_target_aging_points"] == pytest.approx(44389 / 116684 * 100 - 39.5)
    years = (datetime.date(2028, 10, 1) - datetime.date(2023, 1, 1)).days / 365.25
    assert latest["needed_change_per_year_people"] == pytest.approx((107400 - 116684) / years)
    assert gaps.loc[("2023-01-01", 2040), "target_aging_rate_pct"] == 40
    assert not gaps.isna().any().any()


def test_the_processed_tables_have_no_missing_or_infinite_numbers() -> None:
    data = population_data()
    built = population_actuals.build_tables(
        load(population_actuals.DEFAULT).frame, data, population.facts()
    )
    for name, frame in built.items():
        numbers = frame.select_dtypes("number")
        assert not numbers.isna().any().any(), name
        assert numbers.abs().le(1e12).all().all(), name
    lines = population_actuals.key_points(built, data)
    assert any(
        "住民基本台帳の人口で、10月1日の国勢調査・推計の人口ではありません" in x for x in lines
    )
    assert any("-623人の差" in x for x in lines)  # the vision's 2023 value against a 1 October path
    assert any("まだ入力されていません" in x for x in lines)


def test_a_gap_on_an_editions_own_census_year_is_explained_as_a_disagreement_of_sources() -> None:
    """The vision takes 2020 from the plan, whose 一関市 age groups differ from the census (same
    total): the 2020 census sentence says the 高齢化率 gap is not a change of population."""
    data = population_data()
    built = population_actuals.build_tables(
        load(population_actuals.DEFAULT).frame, data, population.facts()
    )
    census = next(x for x in population_actuals.key_points(built, data) if "国勢調査の人口" in x)
    assert "実績−展望は0人、高齢化率の差は-0.46ポイントです。" in census
    assert "年齢3区分の人数が国勢調査と合っていません" in census
    resident = next(
        x for x in population_actuals.key_points(built, data) if "住民基本台帳の人口（" in x
    )
    assert "国勢調査と合っていません" not in resident
    # 平泉町's print agrees with the census: nothing to explain there.
    town = population_actuals.key_points(built, data, "平泉町")
    assert not any("合っていません" in x for x in town)


def test_the_report_measures_the_pace_to_a_target_from_the_latest_count_of_each_kind() -> None:
    data = population_data()
    built = population_actuals.build_tables(
        load(population_actuals.DEFAULT).frame, data, population.facts()
    )
    every = built["actual_targets"]
    latest = population_actuals.latest_of_each_kind(every)
    assert set(every["date"]) == {"2015-10-01", "2020-10-01", "2023-01-01"}  # history kept
    assert set(zip(latest["date"], latest["kind_label"], strict=True)) == {
        ("2020-10-01", "国勢調査"),
        ("2023-01-01", "住民基本台帳"),
    }
    assert len(latest) == 4  # two kinds × the 2028 and 2040 targets
    assert list(latest["date"]) == sorted(latest["date"])
