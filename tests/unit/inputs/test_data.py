"""Bad input: one clear line naming file, row (sheet, cell) and column; layouts planners use."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.data import load_all, load_population
from analysis.inputs.io import InputError, read_sheets
from analysis.inputs.scenario_specs import read_scenarios
from analysis.model import kpi, population_actuals

from .conftest import Project

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


# ---------------------------------------------------------------- files that cannot be read


def test_missing_file(tmp_path: Path) -> None:
    assert input_error(tmp_path / "vision.csv").endswith("vision.csv:-: -: ファイルがありません")


def test_a_directory_given_as_a_file(tmp_path: Path) -> None:
    (tmp_path / "vision.csv").mkdir()
    assert input_error(tmp_path / "vision.csv").endswith(
        "vision.csv:-: -: ファイルではなくフォルダです"
    )


def test_a_file_without_read_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    path = write(tmp_path / "vision.csv", HEADER)
    # chmod does not stop root (CI runs as root), so the permission check itself is faked.
    monkeypatch.setattr(os, "access", lambda *_: False)
    assert input_error(path).endswith("vision.csv:-: -: 読み取りの権限がありません")


def test_unsupported_type_and_old_excel(tmp_path: Path) -> None:
    assert "拡張子 .pdf のファイルは読めません" in input_error(write(tmp_path / "v.pdf", "x"))
    assert "古い Excel 形式（.xls）は読めません" in input_error(write(tmp_path / "v.xls", "x"))


def test_a_fake_or_truncated_workbook(tmp_path: Path) -> None:
    fake = write(tmp_path / "fake.xlsx", HEADER + complete_rows())
    assert "fake.xlsx:-: -: Excel ファイル（.xlsx）として読めません" in input_error(fake)
    good = xlsx(tmp_path / "good.xlsx", [["municipality", "year", "age_group", "population"]])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "truncated.xlsx:-: -: Excel ファイル（.xlsx）として読めません" in input_error(truncated)


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes(b"municipality\n\x81\x7f" * 10)
    assert input_error(path).endswith(
        "v.csv:1: -: 文字コードを UTF-8 または Shift_JIS として読めません。Excel で「CSV UTF-8」として保存してください"
    )
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "文字の CSV ファイルではありません" in input_error(path)


def test_unbalanced_quote_names_the_line_it_opens_on(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv",
        HEADER + '一関市,2020,0-14,100\n一関市,2020,"15-64,200\n平泉町,2020,65+,5\n',
    )
    assert input_error(path).endswith('v.csv:3: -: この行で始まる引用符（"）が閉じられていません')


def test_a_row_with_an_extra_field_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", HEADER + "一関市,2020,0-14,100\n一関市,2020,15-64,1,200\n")
    assert input_error(path).endswith(
        "v.csv:3: -: この行には 5 個の値があります（見出しは 4 列）。余分なカンマや引用符がないか確認してください"
    )


def test_an_empty_file(tmp_path: Path) -> None:
    assert input_error(write(tmp_path / "v.csv", "")).endswith(
        "v.csv:-: -: データがありません（空のファイルです）"
    )


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
        load_all(raw_copy)
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
        load_all(raw_copy)
    assert "平泉町 2028年 年少人口（0～14歳）" in str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_office_encodings_full_width_digits_and_separators(tmp_path: Path, encoding: str) -> None:
    text = (
        HEADER
        + '一関市,２０２０,0～14歳,"１１,５６３"\n一関市,2020,15〜64歳,"58,370"\n一関市,2020,65歳以上,"41,999"\n'
    )
    loaded = load_population(
        write(tmp_path / "v.csv", text, encoding), edition="t", municipalities=REGISTRY
    )
    assert loaded.errors == []
    assert loaded.frame[["year", "age_group", "population"]].values.tolist() == [
        [2020, "0-14", 11563],
        [2020, "15-64", 58370],
        [2020, "65+", 41999],
    ]


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
            kpi.load_actuals(path, kpi.load().kpis)
        elif path.name.startswith("population_actuals"):
            assert population_actuals.load(path).findings == []
        elif path.name.startswith("scenarios"):
            counts = {"scenarios_example.csv": 5, "scenarios_without_survival_example.csv": 3}
            assert len(read_scenarios(path)) == counts[path.name]
        elif path.suffix in {".csv", ".xlsx"}:
            loaded = load_population(path, edition="x", municipalities=REGISTRY)
            assert loaded.errors == [], path.name


def test_wide_actuals_with_japanese_headers(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "actuals.xlsx",
        [["KPI実績（令和7年度報告）"], ["KPI番号", "成果指標", "2024年度", "令和7年度", "備考"],
         ["K02", "市内就職者数", 11, 12, "速報値"], ["k8", "外国人観光入込客数", "20,000", None, None]],
    )  # fmt: skip
    actuals = kpi.load_actuals(path, kpi.load().kpis)
    assert actuals[["kpi_id", "fiscal_year", "value"]].values.tolist() == [
        ["K02", 2024, 11.0],
        ["K02", 2025, 12.0],
        ["K08", 2024, 20000.0],
    ]


def test_sheets_keep_their_row_numbers() -> None:
    sheet = read_sheets(DATA_RAW / "kpi_actuals.csv")[0]
    assert sheet.lines == [1] and sheet.rows == [["kpi_id", "fiscal_year", "value", "note"]]


# ---------------------------------------------------------------- the KPI and budget files


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def kpi_errors(raw_dir: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        kpi.load(raw_dir)
    return [str(f) for f in caught.value.findings]


def test_a_deleted_budget_row_is_an_error(raw_copy: Path) -> None:
    edit(raw_copy / "budgets.csv", "5,2026,1000,652\n", "")
    assert any("事業費の行がありません：取組5 2026年度" in e for e in kpi_errors(raw_copy))


def test_a_negative_budget_is_an_error(raw_copy: Path) -> None:
    edit(raw_copy / "budgets.csv", "5,2026,1000,652", "5,2026,-1000,649")
    errors = kpi_errors(raw_copy)
    assert (
        f"{raw_copy}/budgets.csv:24: budget_thousand_yen: 事業費が負の値（-1,000千円）です"
        in errors
    )


def test_a_budget_that_differs_from_the_printed_row_is_an_error(raw_copy: Path) -> None:
    edit(raw_copy / "budgets.csv", "5,2026,1000,652", "5,2026,10000,649")
    assert any(
        "取組 5 の 2026年度の事業費 10,000千円が、取組表の事業費の行" in e
        for e in kpi_errors(raw_copy)
    )


def test_a_deleted_kpi_is_an_error(raw_copy: Path) -> None:
    path = raw_copy / "kpis.csv"
    path.write_text(
        "".join(line for line in path.open(encoding="utf-8") if not line.startswith("K23b")),
        encoding="utf-8",
    )
    assert any("成果指標（KPI）K23b の行がありません" in e for e in kpi_errors(raw_copy))


def test_a_deleted_initiative_is_an_error(raw_copy: Path) -> None:
    path = raw_copy / "initiatives.csv"
    path.write_text(
        "".join(line for line in path.open(encoding="utf-8") if not line.startswith("7,")),
        encoding="utf-8",
    )
    assert any(
        "具体的な取組の番号がそろっていません：7 がありません" in e for e in kpi_errors(raw_copy)
    )


# ---------------------------------------------------------------- the command line


def test_validate_command_exit_codes(fresh_project: Project, raw_copy: Path) -> None:
    project = fresh_project
    good = project.cli("validate")
    assert good.returncode == 0
    # Besides the source's own two, the plan's 一関市 2020 is not the 2023 edition's census (twice).
    assert "検証結果：エラー 0 件、警告 6 件（不整合 4 件、うち 1 件は補正済み）" in good.stdout
    path = raw_copy / "population_vision_2024.csv"
    edit(path, "一関市,2020,0-14", "一関,2020,0-14")
    bad = project.cli("validate", "--raw-dir", str(raw_copy))
    assert bad.returncode == 1
    assert (
        f"{path}:2: municipality: 「一関」は圏域の市町の名前と一致しません。一関市の誤りではありませんか"
        in bad.stdout
    )
    assert "除外しました" not in bad.stdout


def test_validate_answers_from_its_cache_without_pandas(
    fresh_project: Project, raw_copy: Path
) -> None:
    project = fresh_project
    first = project.cli("validate", "--raw-dir", str(raw_copy))
    code = (
        "import sys; from analysis.__main__ import main; c = main(['validate', '--raw-dir', sys.argv[1]]); "
        "assert 'pandas' not in sys.modules, 'pandas imported'; sys.exit(c)"
    )
    again = project.python(code.replace("sys.argv[1]", repr(str(raw_copy))))
    assert again.returncode == first.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    edit(raw_copy / "budgets.csv", "1,2024,48221,560", "1,2024,-1,560")
    changed = project.cli("validate", "--raw-dir", str(raw_copy))
    assert changed.returncode == 1, "a changed file is validated again"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--as-of", "1999"], "--as-of：1999年度は計画期間（2024～2028年度）の外です"),
        (["--jobs", "0"], "--jobs：0 は指定できません（1 以上）"),
        (["--target-year", "1850"], "--target-year：1850年は指定できません（1920～2100年）"),
        (
            ["--target-year", "abc"],
            "コマンドの指定が正しくありません：argument --target-year: invalid int value: 'abc'",
        ),
    ],
)
def test_impossible_options_are_one_line_before_any_work(
    fresh_project: Project, arguments: list[str], message: str
) -> None:
    project = fresh_project
    before = project.snapshot()
    result = project.cli("reports", *arguments)
    assert result.returncode == 2
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert project.snapshot() == before


def test_bad_supplied_file_and_years_leave_outputs_intact(project: Project, tmp_path: Path) -> None:
    before = project.snapshot()
    assert any(name.endswith("population.html") for name in before)

    bad = write(tmp_path / "vision.csv", HEADER + "一関市,2020,0-14,約5万\n")
    result = project.cli("reports", "--vision", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2: population: 「約5万」は人数として読めません" in result.stdout
    assert "reports/ と data/processed/ は変更していません" in result.stdout

    result = project.cli("reports", "--target-year", "2050")
    assert result.returncode == 1
    # The current projection (the 2023 edition, shipped) reaches 2050; the vision does not.
    assert (
        "data/raw/population_vision_2024.csv:-: year: 目標年2050年は一関市・平泉町 人口ビジョン "
        "将来展望人口（第3次共生ビジョン掲載）の公表年（2020～2040年）の範囲外です" in result.stdout
    )
    result = project.cli("reports", "--base-year", "2010")
    assert result.returncode == 1
    assert "year: 基準年2010年は" in result.stdout
    assert project.snapshot() == before
    assert not list(project.reports.rglob(".*.tmp"))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir(), "ファイルではなくフォルダです"),
        (
            lambda p: p.write_bytes(b"PK\x03\x04 not really a workbook"),
            "Excel ファイル（.xlsx）として読めません",
        ),
        (lambda p: None, "ファイルがありません"),
    ],
)
def test_unreadable_supplied_files_are_one_line_through_the_command(
    project: Project, tmp_path: Path, make: object, expected: str
) -> None:
    before = project.snapshot()
    path = tmp_path / "改訂版.xlsx"
    make(path)  # type: ignore[operator]
    result = project.cli("reports", "--vision", str(path))
    assert result.returncode == 1
    assert f"{path}:-: -: {expected}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert project.snapshot() == before


def test_findings_about_a_supplied_file_reach_the_console(project: Project, tmp_path: Path) -> None:
    rows = complete_rows(("一関市", "平泉町"), (2020, 2030)) + "奥州市,2020,0-14,5\n"
    path = write(
        tmp_path / "vision.csv", HEADER + rows.replace("一関市,2030,65+,102", "一関市,2030,65+,0")
    )
    result = project.cli("reports", "--vision", str(path))
    assert result.returncode == 0, result.stdout
    assert f"{path}:7: population: 警告: 人口が 0 です" in result.stdout
    assert "参考: 圏域外の市町村 1 件（1 行）を除外しました（例：奥州市）" in result.stdout


def test_zip_bomb_like_garbage_in_a_workbook_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "v.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
    assert "Excel ファイル（.xlsx）として読めません" in input_error(path)


# ---------------------------------------------------------------- bounded reading


def with_merged_range(path: Path, reference: str) -> Path:
    """The workbook with one more merged range written straight into its XML (openpyxl
    itself would create every cell of a sheet-sized range)."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(
        b"</sheetData>",
        f'</sheetData><mergeCells count="1"><mergeCell ref="{reference}"/></mergeCells>'.encode(),
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    return path


def test_a_merge_over_the_whole_sheet_reads_only_the_cells_with_data(tmp_path: Path) -> None:
    """A 5 KB workbook merging A1:XFD1048576 once took all the memory; it is now one cell's worth.

    Run in a child process with a timeout, so that a regression fails instead of hanging."""
    rows = [["人口ビジョン 改訂案"], ["municipality", "year", "age_group", "population"]]
    rows += [["一関市", 2020, g, 100 + i] for i, g in enumerate(GROUPS)]
    path = with_merged_range(xlsx(tmp_path / "v.xlsx", rows), "A1:XFD1048576")
    assert path.stat().st_size < 10_000
    code = (
        "import sys; from analysis.inputs.io import read_sheets; s = read_sheets(sys.argv[1])[0]; "
        "print(len(s.rows), max(len(r) for r in s.rows), s.rows[0][:2])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # Every cell of the sheet is in the merge, so every data cell shows the title's value:
    # the data is gone, but nothing beyond the 4 used columns and 5 used rows was made.
    assert result.stdout.split() == [
        "5",
        "4",
        "['人口ビジョン",
        "改訂案',",
        "'人口ビジョン",
        "改訂案']",
    ]


def test_a_title_merged_over_a_whole_row_fills_only_the_used_columns(tmp_path: Path) -> None:
    rows = [["人口ビジョン 改訂案"], ["municipality", "year", "age_group", "population"]]
    rows += [["一関市", 2020, g, 100 + i] for i, g in enumerate(GROUPS)]
    path = with_merged_range(xlsx(tmp_path / "v.xlsx", rows), "A1:XFD1")
    sheet = read_sheets(path)[0]
    assert sheet.rows[0] == ["人口ビジョン 改訂案"] * 4
    assert sheet.rows[1] == ["municipality", "year", "age_group", "population"]


POSIX_FIFO = pytest.mark.skipif(
    not hasattr(os, "mkfifo"),
    reason="no FIFOs on Windows: the device test (os.devnull, NUL there) is its counterpart",
)


@POSIX_FIFO
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "vision.csv"
    os.mkfifo(fifo)
    assert input_error(fifo).endswith(
        "vision.csv:-: -: 通常のファイルではありません（パイプや装置などは読みません）"
    )


def test_a_device_a_symlink_loop_and_a_broken_link_are_refused(tmp_path: Path) -> None:
    assert "通常のファイルではありません" in input_error(Path(os.devnull))  # NUL on Windows
    loop = tmp_path / "loop.csv"
    broken = tmp_path / "broken.csv"
    try:
        loop.symlink_to(tmp_path / "loop2.csv")
        (tmp_path / "loop2.csv").symlink_to(loop)
        broken.symlink_to(tmp_path / "nowhere.csv")
    except OSError:  # Windows without the privilege: a planner's links are shortcuts (.lnk)
        pytest.skip("symbolic links need a privilege here; see the shortcut test")
    assert input_error(loop).endswith(
        "loop.csv:-: -: シンボリックリンクが循環していて、ファイルにたどり着けません"
    )
    assert input_error(broken).endswith(
        "broken.csv:-: -: リンク（ショートカット）の先のファイルがありません"
    )


def test_a_file_above_the_size_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.inputs import io

    path = write(tmp_path / "vision.csv", HEADER + complete_rows() * 50)
    monkeypatch.setattr(io, "MAX_INPUT_BYTES", 1024)
    assert "vision.csv:-: -: ファイルが大きすぎます" in input_error(path)


def test_rows_spread_over_too_many_cells_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.inputs import io

    rows = [["municipality", "year", "age_group", "population"]]
    rows += [["一関市", 2020, g, 100 + i] for i, g in enumerate(GROUPS)]
    path = xlsx(tmp_path / "v.xlsx", rows)
    monkeypatch.setattr(io, "MAX_SHEET_CELLS", 10)
    assert "ブックの表が大きすぎます（シート「Sheet1」までで 10 セルを超えます）" in input_error(
        path
    )


def test_a_windows_shortcut_is_named_as_one(tmp_path: Path) -> None:
    """Windows' links are shortcuts: ``推計.csv - ショートカット.lnk`` dragged in by mistake."""
    shortcut = tmp_path / "推計.csv - ショートカット.lnk"
    shortcut.write_bytes(b"L\x00\x00\x00\x01\x14\x02\x00")  # a shell link's header
    assert input_error(shortcut).endswith(
        "推計.csv - ショートカット.lnk:-: -: ショートカットです。ショートカットの元のファイルを指定してください"
    )


def test_a_device_through_the_command_is_one_line_and_releases_the_lock(
    fresh_project: Project,
) -> None:
    """The Windows counterpart of the FIFO case: a device name (NUL there)."""
    result = fresh_project.cli("reports", "--vision", os.devnull, timeout=120)
    assert result.returncode == 1
    assert "通常のファイルではありません" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    again = fresh_project.cli("reports", "--vision", os.devnull, timeout=120)
    assert again.returncode == 1, again.stdout  # not 75: the first run released its lock


@POSIX_FIFO
def test_a_fifo_through_the_command_is_one_line_and_releases_the_lock(
    fresh_project: Project, tmp_path: Path
) -> None:
    fifo = tmp_path / "vision.csv"
    os.mkfifo(fifo)
    result = fresh_project.cli("reports", "--vision", str(fifo), timeout=120)
    assert result.returncode == 1
    assert "通常のファイルではありません" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_newline_in_a_file_name_keeps_the_error_on_one_line(tmp_path: Path) -> None:
    message = input_error(tmp_path / "改訂\n版.csv")
    assert message.endswith("改訂\\n版.csv:-: -: ファイルがありません")


def test_the_cell_budget_covers_all_sheets_of_a_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.inputs import io

    book = openpyxl.Workbook()
    for index in range(3):
        sheet = book.create_sheet(f"S{index}")
        for row in range(4):
            sheet.append(["一関市", 2020, "0-14", 100 + row])
    book.save(tmp_path / "many.xlsx")
    monkeypatch.setattr(io, "MAX_SHEET_CELLS", 30)  # each sheet fits, the three together do not
    assert "ブックの表が大きすぎます（シート「S1」までで 30 セルを超えます）" in input_error(
        tmp_path / "many.xlsx"
    )


@pytest.mark.parametrize(
    ("column", "line", "cell"),
    [(0, 1, "A1"), (25, 9, "Z9"), (26, 7, "AA7"), (701, 3, "ZZ3"), (702, 2, "AAA2")],
)
def test_a_cell_is_named_as_excel_names_it(column: int, line: int, cell: str) -> None:
    from analysis.inputs.io import excel_cell

    assert excel_cell(column, line) == cell
