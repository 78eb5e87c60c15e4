"""analysis.inputs.io: files that cannot be read, encodings, workbooks and their cells, each refused
in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analysis.core.paths import DATA_RAW
from analysis.inputs.data import load_population
from analysis.inputs.io import read_sheets
from tests.unit.inputs.test_data import (
    GROUPS,
    HEADER,
    REGISTRY,
    complete_rows,
    input_error,
    write,
    xlsx,
)

# ---------------------------------------------------------------- files that cannot be read

# Defined in each module that uses it: the portability check reads a module's own marks.
POSIX_FIFO = pytest.mark.skipif(
    not hasattr(os, "mkfifo"),
    reason="no FIFOs on Windows: the device test (os.devnull, NUL there) is its counterpart",
)


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


def test_sheets_keep_their_row_numbers() -> None:
    sheet = read_sheets(DATA_RAW / "kpi_actuals.csv")[0]
    assert sheet.lines == [1] and sheet.rows == [["kpi_id", "fiscal_year", "value", "note"]]


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


def test_each_sheet_is_filled_by_its_own_merged_ranges_however_they_are_quoted(
    tmp_path: Path,
) -> None:
    """Merged ranges are read from the sheet's own part of the zip (found by its title, which
    may hold characters XML escapes), in either quote XML allows."""
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "表紙 & <注>"
    cover.append(["人口ビジョン"])
    cover.append(["a", None, "b"])
    data = book.create_sheet("データ")
    data.append(["表1 人口"])
    data.append(["一関市", 2020, 100])
    data.merge_cells("A1:C1")
    path = tmp_path / "v.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    part = "xl/worksheets/sheet2.xml"
    assert b'ref="A1:C1"' in members[part]
    members[part] = members[part].replace(b'ref="A1:C1"', b"ref='A1:C1'")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    first, second = read_sheets(path)
    assert first.name == "表紙 & <注>"
    assert first.rows == [["人口ビジョン"], ["a", None, "b"]]
    assert second.rows == [["表1 人口"] * 3, ["一関市", "2020", "100"]]


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


def test_missing_record_columns_names_each_on_the_header_line(tmp_path: Path) -> None:
    from analysis.inputs.io import missing_record_columns, read_records

    path = tmp_path / "t.csv"
    path.write_text("\nb,x\n1,2\n", encoding="utf-8")  # the header is on line 2
    found = missing_record_columns("t.csv", read_records(path), ("a", "b", "c"))
    assert [(f.line, f.column, f.check) for f in found] == [
        (2, "a", "schema-missing"),
        (2, "c", "schema-missing"),
    ]
    assert found[0].params == {"column": "a", "required": "a、b、c"}
