"""analysis.inputs.data: the population files (visions, projections) read as planners save them; bad
input is one line naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import kpi_plan, population_actuals
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.data import load_population, read_editions, read_population
from analysis.inputs.io import InputError
from analysis.inputs.scenario_specs import read_scenarios
from tests.unit.inputs.test_agesex import VISION_HEADER, refused, rows
from tests.unit.model.test_revision import EXAMPLE

REGISTRY = read_municipality_registry()
HEADER = "municipality,year,age_group,population\n"
GROUPS = ("0-14", "15-64", "65+")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def complete_rows(
    municipalities: tuple[str, ...] = ("一関市",), years: tuple[int, ...] = (2020,)
) -> str:
    return "".join(
        f"{m},{y},{g},{100 + i}\n"
        for m in municipalities
        for y in years
        for i, g in enumerate(GROUPS)
    )


def findings_of(path: Path, severity: str = "error") -> list[str]:
    loaded = load_population(path, edition="test", municipalities=REGISTRY)
    return [str(f) for f in loaded.findings if f.severity == severity]


def only_error(path: Path) -> str:
    errors = findings_of(path)
    assert len(errors) == 1, errors
    return errors[0]


def input_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_population(path, edition="test", municipalities=REGISTRY)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_nonsense_is_refused_naming_the_accepted_layouts(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", "これは,人口の,表では\nありません,,\n")
    message = input_error(path)
    assert "表の形式を読み取れません" in message
    assert "縦長の表（見出し：市町村・年・年齢区分・人口" in message
    assert "年を列にした横長の表" in message
    assert "例は data/raw/examples/ にあります" in message


# ---------------------------------------------------------------- cells


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", "municipality,year,age_group\n一関市,2020,0-14\n")
    message = input_error(path)
    assert message.startswith(
        f"{path}:1: -: 表の形式を読み取れません（見出しに必要な列 「人口」 がありません）"
    )


def test_extra_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv", "municipality,year,age_group,population,memo\n一関市,2020,0-14,5,x\n"
    )
    assert "v.csv:1: memo: 想定していない列です" in findings_of(path)[0]


@pytest.mark.parametrize("cell", ["５４千", "約5万", "abc", "1e3"])
def test_non_numeric_population(tmp_path: Path, cell: str) -> None:
    path = write(
        tmp_path / "v.csv", HEADER + "一関市,2020,0-14,100\n" + f"一関市,2020,15-64,{cell}\n"
    )
    assert only_error(path).endswith(f"v.csv:3: population: 「{cell}」は人数として読めません")


def test_negative_fractional_and_zero_population(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv",
        HEADER + "一関市,2020,0-14,-5\n一関市,2020,15-64,12.5\n一関市,2020,65+,0\n",
    )
    errors = findings_of(path)
    assert any(e.endswith("v.csv:2: population: 人口が負の値（-5）です") for e in errors)
    assert any(
        e.endswith("v.csv:3: population: 12.5 は人数として整数ではありません") for e in errors
    )
    assert findings_of(path, "warning") == [f"{path}:4: population: 警告: 人口が 0 です"]


@pytest.mark.parametrize("year", [1850, 2200])
def test_implausible_years_are_errors(tmp_path: Path, year: int) -> None:
    path = write(
        tmp_path / "v.csv", HEADER + complete_rows(years=(2020,)) + complete_rows(years=(year,))
    )
    errors = findings_of(path)
    assert len(errors) == 3
    assert errors[0].endswith(f"year: {year}年は読み込める年の範囲（1920～2100年）の外です")


def test_unknown_age_group(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,2020,75+,5\n")
    assert "v.csv:2: age_group: 年齢区分「75+」が分かりません" in only_error(path)


def test_duplicate_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + complete_rows() + "\n一関市,2020,0-14,6\n")
    assert only_error(path).endswith(
        "v.csv:6: population: 一関市 2020年 年少人口（0～14歳） の行が重複しています（最初は 2 行目）"
    )


def test_empty_cell_and_bad_year(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,,0-14,5\n一関市,令和2,0-14,5\n")
    errors = findings_of(path)
    assert any(e.endswith("v.csv:2: year: 空欄です") for e in errors)
    assert any(e.endswith("v.csv:3: year: 「令和2」は年として読めません") for e in errors)


def test_all_errors_are_collected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv", HEADER + "一関市,2020,75+,5\n一関市,2020,0-14,-1\n一関市,2020,15-64,x\n"
    )
    assert len(findings_of(path)) == 3


def test_a_deleted_row_is_an_error_naming_what_is_missing(tmp_path: Path) -> None:
    rows = complete_rows(("一関市", "平泉町"), (2020, 2025)).splitlines()
    del rows[8]  # 平泉町 2020 65+
    path = write(tmp_path / "v.csv", HEADER + "\n".join(rows) + "\n")
    assert only_error(path).endswith(
        "v.csv:-: -: 1 件の組み合わせの行がありません：平泉町 2020年 老年人口（65歳以上）"
        "（各市町について、すべての年・年齢区分が必要です）"
    )


def test_a_blank_cell_in_the_shipped_vision_stops_validation(raw_copy: Path) -> None:
    path = raw_copy / "population_vision_2024.csv"
    text = path.read_text(encoding="utf-8").replace("平泉町,2035,65+,2524,", "平泉町,2035,65+,,")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_population(raw_copy)
    assert str(caught.value) == f"{path}:49: population: 空欄です"


def test_a_deleted_row_of_the_shipped_vision_stops_validation(raw_copy: Path) -> None:
    path = raw_copy / "population_vision_2024.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line for line in lines if ",2028,0-14," not in line or "平泉町" not in line)
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        read_population(raw_copy)
    assert "平泉町 2028年 年少人口（0～14歳）" in str(caught.value)


# ---------------------------------------------------------------- layouts


SOURCE_LAYOUT = [
    ["【圏域人口の推移及び推計（国立社会保障・人口問題研究所平成30年3月公表）】"],
    ["年", None, "2020年 (R2年度)", "2025年 (R7年度)", "増減率(%) R2比", "人口比率 R22"],
    ["一関市", "0～14歳", 11563, 10340, "▲ 39.30", "8.19%"],
    [None, "15～64歳", 58370, 54650, "▲ 31.79", "46.43%"],
    [None, "65歳以上", 41999, 42587, "▲ 7.35", "45.38%"],
    [None, "合計", 111932, 107577, "▲ 23.40", None],
    ["高齢化率", None, "37.52%", "39.59%", None, None],
    ["平泉町", "0～14歳", 791, 730, "▲ 33.38", "10.45%"],
    [None, "15～64歳", 3602, 3158, "▲ 38.23", "44.10%"],
    [None, "65歳以上", 2859, 2842, "▲ 19.80", "45.45%"],
    [None, "合計", 7252, 6730, "▲ 30.43", None],
    ["※ 2020年（R2年）の人口は国勢調査の結果による。"],
]


def xlsx(path: Path, rows: list[list[object]], title: str = "Sheet1", cover: bool = False,
         merge: list[str] | None = None) -> Path:  # fmt: skip
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if cover:
        sheet.title = "表紙"
        sheet.append(["一関市・平泉町 人口ビジョン（改訂版）"])
        sheet.append(["令和8年3月"])
        sheet = workbook.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merge or []:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_the_source_table_layout_with_title_merged_cells_and_a_cover_sheet(tmp_path: Path) -> None:
    rows = [list(r) for r in SOURCE_LAYOUT]
    # In Excel the municipality names are merged down their block.
    path = xlsx(tmp_path / "vision.xlsx", rows, title="人口", cover=True, merge=["A3:A6", "A8:A11"])
    loaded = load_population(path, edition="t", municipalities=REGISTRY)
    assert loaded.errors == []
    frame = loaded.frame.set_index(["municipality", "year", "age_group"])["population"]
    assert frame[("平泉町", 2025, "15-64")] == 3158
    assert frame[("一関市", 2020, "total")] == 111932
    assert len(frame) == 2 * 2 * 4
    notes = [str(f) for f in loaded.findings if f.severity == "note"]
    assert any(
        "vision.xlsx[人口]:2: -: 参考: 計算値などの列を読み飛ばしました：増減率(%) R2比、人口比率 R22"
        in n
        for n in notes
    )
    assert any("年齢区分ではない行を読み飛ばしました：高齢化率（1行）" in n for n in notes)
    assert any(
        "vision.xlsx[表紙]" in n and "表として読めないシートを読み飛ばしました" in n for n in notes
    )


def test_the_source_layout_as_csv_with_blank_row_headers(tmp_path: Path) -> None:
    lines = [",".join("" if c is None else f'"{c}"' for c in row) for row in SOURCE_LAYOUT]
    path = write(tmp_path / "vision.csv", "\n".join(lines) + "\n", "cp932")
    loaded = load_population(path, edition="t", municipalities=REGISTRY)
    assert loaded.errors == []
    assert len(loaded.frame) == 16


def test_excel_errors_name_the_sheet_and_cell(tmp_path: Path) -> None:
    rows = [list(r) for r in SOURCE_LAYOUT]
    rows[3][3] = "５４千"  # row 4, column D
    path = xlsx(tmp_path / "vision.xlsx", rows, title="人口")
    errors = findings_of(path)
    assert errors == [f"{path}[人口]!D4: 2025年 (R7年度): 「５４千」は人数として読めません"]


def test_japanese_headers_long_with_a_title_row(tmp_path: Path) -> None:
    text = "将来展望人口（改訂版）\n\n市町村,年,年齢区分,人口（人）\n" + complete_rows()
    loaded = load_population(write(tmp_path / "v.csv", text), edition="t", municipalities=REGISTRY)
    assert loaded.errors == [] and len(loaded.frame) == 3


def test_a_nationwide_table_keeps_the_plan_and_counts_the_rest_in_one_line(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["表1 年少人口（0～14歳）"],
        ["コード", "区分", "都道府県", "市区町村", 2020, 2025],
    ]
    rows += [
        [3000, "a", "岩手県", "岩手県", 130000, 120000],
        [3201, "2", "岩手県", "盛岡市", 35000, 33000],
    ]
    rows += [
        [3209, "2", "岩手県", "一関市", 11563, 10340],
        [3402, "3", "岩手県", "平泉町", 791, 730],
    ]
    rows += [[1100, "1", "北海道", "札幌市", 200000, 190000]]
    workbook = openpyxl.Workbook()
    for index, (title, factor) in enumerate(
        (("年少人口（0～14歳）", 1), ("生産年齢人口（15～64歳）", 5), ("老年人口（65歳以上）", 4))
    ):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        for row in rows:
            sheet.append([v * factor if isinstance(v, int) and v > 9999 else v for v in row])
    path = tmp_path / "ipss_all.xlsx"
    workbook.save(path)
    loaded = load_population(path, edition="t", municipalities=REGISTRY)
    assert loaded.errors == []
    assert set(loaded.frame["municipality"]) == {"一関市", "平泉町"}
    assert len(loaded.frame) == 2 * 2 * 3
    notes = [str(f) for f in loaded.findings if f.check == "outside-plan"]
    assert notes == [
        f"{path}[年少人口（0～14歳）]:-: 市区町村: 参考: 圏域外の市町村 3 件（9 行）を除外しました"
        "（例：岩手県、盛岡市、札幌市）"
    ]


def test_no_plan_municipality_at_all_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "奥州市,2020,0-14,5\n")
    assert "v.csv:-: -: 圏域の市町（一関市、平泉町）の行が1行もありません" in only_error(path)


def test_a_misspelt_municipality_is_refused_not_left_out(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv",
        HEADER + complete_rows(("一関市", "平泉町")).replace("平泉町,2020,65+", "平泉,2020,65+"),
    )
    assert only_error(path) == (
        f"{path}:7: municipality: 「平泉」は圏域の市町の名前と一致しません。平泉町の誤りではありませんか"
        "（圏域外の市町村として除外はしません。正しい名前に直してください）"
    )
    assert findings_of(path, "note") == [], "nothing is left out as outside the plan"


def test_every_example_file_is_a_valid_input() -> None:
    examples = sorted((DATA_RAW / "examples").glob("*"))
    names = {p.name for p in examples}
    assert {
        "vision_revised_example.csv",
        "vision_wide_example.xlsx",
        "kpi_actuals_wide_example.xlsx",
        "scenarios_example.csv",
    } <= names
    for path in examples:
        if path.name.startswith("kpi_actuals"):
            kpi_plan.load_actuals(path, kpi_plan.load().kpis)
        elif path.name.startswith("population_actuals"):
            assert population_actuals.load(path).findings == []
        elif path.name.startswith("scenarios"):
            counts = {"scenarios_example.csv": 5, "scenarios_without_survival_example.csv": 3}
            assert len(read_scenarios(path)) == counts[path.name]
        elif path.suffix in {".csv", ".xlsx"}:
            loaded = load_population(path, edition="x", municipalities=REGISTRY)
            assert loaded.errors == [], path.name


# ---------------------------------------------------------------- the KPI and budget files


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------- names close to the plan's


@pytest.mark.parametrize("typed", ["一関", "一関 市", "一関　市", "一 関 市", "一関町", "一関　"])
def test_a_name_close_to_a_plan_municipality_is_refused_by_the_vision_reader(
    tmp_path: Path, typed: str
) -> None:
    text = VISION_HEADER + rows(typed, 2020, (1, 2, 3)) + rows("平泉町", 2020, (1, 2, 3))
    loaded = load_population(write(tmp_path / "v.csv", text), edition="x", municipalities=REGISTRY)
    errors = [str(f) for f in loaded.findings if f.severity == "error"]
    assert len(errors) == 1, errors
    if typed.strip() == "一関":
        assert errors[0].endswith(
            f"v.csv:2: municipality: 「{typed.strip()}」は圏域の市町の名前と一致しません（この名前の行 3 行）。"
            "一関市の誤りではありませんか（圏域外の市町村として除外はしません。正しい名前に直してください）"
        )
    assert "一関市の誤りではありませんか" in errors[0]
    assert not [f for f in loaded.findings if f.check == "outside-plan"], "never left out"


def test_a_nationwide_table_still_leaves_other_municipalities_out(tmp_path: Path) -> None:
    text = VISION_HEADER + "".join(
        rows(m, 2020, (1, 2, 3)) for m in ("一関市", "平泉町", "関市", "平川市", "一戸町")
    )
    loaded = load_population(write(tmp_path / "v.csv", text), edition="x", municipalities=REGISTRY)
    assert [f for f in loaded.findings if f.severity == "error"] == []
    [note] = [f.message for f in loaded.findings if f.check == "outside-plan"]
    assert note.startswith("圏域外の市町村 3 件（9 行）を除外しました")


def test_the_ipss_workbook_serves_as_a_three_group_projection(
    workbook: Path, edition: dict
) -> None:  # type: ignore[type-arg]
    loaded = load_population(workbook, edition="ipss_2023", municipalities=REGISTRY)
    assert loaded.errors == [] and loaded.age_sex is not None
    broad = loaded.frame.set_index(["municipality", "year", "age_group"])["population"]
    year = edition["一関市"][4]  # 2040
    assert broad[("一関市", 2040, "0-14")] == sum(year[s][g] for s in range(2) for g in range(3))
    assert broad[("一関市", 2040, "65+")] == sum(
        year[s][g] for s in range(2) for g in range(13, 20)
    )
    assert broad[("一関市", 2020, "total")] == sum(map(sum, edition["一関市"][0])) + 37, (
        "総数 as printed"
    )
    assert loaded.frame["derived"].all()


# ---------------------------------------------------------------- the registry and the options


def registry_with_flag(raw_copy: Path, flag: str) -> Path:
    """The registry with ``flag`` in the last edition's age_sex column."""
    path = raw_copy / "editions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    column = lines[0].split(",").index("age_sex")
    cells = lines[-1].split(",")
    assert len(cells) == len(lines[0].split(","))  # no quoted comma in the last row
    cells[column] = flag
    return write(path, "\n".join([*lines[:-1], ",".join(cells)]) + "\n")


def test_registry_flags_use_one_vocabulary(raw_copy: Path) -> None:
    assert read_editions(registry_with_flag(raw_copy, "はい"))[-1].age_sex is True  # once ignored
    assert read_editions(registry_with_flag(raw_copy, "0"))[-1].age_sex is False
    with pytest.raises(InputError) as caught:
        read_editions(registry_with_flag(raw_copy, "maybe"))
    assert "age_sex: 「maybe」は age_sex の値として使えません（1・はい・○（該当）" in str(
        caught.value
    )


def test_a_header_written_twice_is_refused_naming_both_columns(raw_copy: Path) -> None:
    """A table keeps one of two same-named columns: the other's values would vanish silently."""
    path = raw_copy / "editions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    write(path, "\n".join([lines[0] + ",label", *(line + ",x" for line in lines[1:])]) + "\n")
    with pytest.raises(InputError) as caught:
        read_editions(path)
    width = len(lines[0].split(","))
    assert str(caught.value) == (
        f"{path}:1: label: 見出し「label」が2回あります（3列目と{width + 1}列目）。"
        "どちらか一方にしてください"
    )


def test_example_file_is_a_valid_edition_with_2045_and_2050_for_one_municipality() -> None:
    loaded = load_population(EXAMPLE, edition="x", municipalities=["一関市", "平泉町"])
    assert loaded.errors == []
    assert set(loaded.frame["municipality"]) == {"一関市"}
    assert {2045, 2050} <= set(loaded.frame["year"])


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_excel_input_works_like_csv(tmp_path: Path) -> None:
    csv_frame = load_population(EXAMPLE, edition="x", municipalities=["一関市", "平泉町"]).frame
    table = pd.read_csv(EXAMPLE)
    path = write_xlsx(
        tmp_path / "vision.xlsx", [list(table.columns), *table.astype(object).values.tolist()]
    )
    xlsx_frame = load_population(path, edition="x", municipalities=["一関市", "平泉町"]).frame
    columns = ["municipality", "year", "age_group", "population", "input_line"]
    pd.testing.assert_frame_equal(csv_frame[columns], xlsx_frame[columns])


def test_excel_errors_name_the_sheet_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "vision.xlsx",
        [["municipality", "year", "age_group", "population"], ["一関市", 2020, "0-14", "５４千"]],
    )
    errors = [str(f) for f in load_population(path, edition="x", municipalities=["一関市"]).errors]
    assert errors == [f"{path}[Sheet]!D2: population: 「５４千」は人数として読めません"]


def test_the_projection_reader_refuses_a_near_name_too(tmp_path: Path) -> None:
    projection = (DATA_RAW / "ipss_2018_projection.csv").read_text(encoding="utf-8")
    path = write(tmp_path / "p.csv", projection.replace("平泉町,", "平泉,"))
    lines = refused(lambda: read_population(DATA_RAW, None, path))
    assert all("「平泉」は圏域の市町の名前と一致しません" in line for line in lines)
    assert "平泉町の誤りではありませんか" in lines[0]
