"""analysis.inputs.scenario_specs: the planners' scenario files, read and refused row by row."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import ROOT
from analysis.inputs import scenario_specs
from analysis.inputs.io import InputError
from analysis.inputs.projection_inputs import read_settings
from analysis.inputs.scenario_specs import check_scenarios, read_scenarios
from tests.unit.inputs.test_agesex import (
    REGISTRY,
    SCENARIO_HEADER,
    refused,
    settings_with_tfr,
    write,
)
from tests.unit.model.test_scenarios import HEADER
from tests.workbooks import (
    YEARS,
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,展望,tfr,2030,1.8\nb,展望,tfr,2030,1.9\n",
         "s.csv:3: label: シナリオ「b」の名称「展望」（3行目）は、2行目のシナリオ「a」の名称「展望」と同じです"),
        ("a,展望,tfr,2030,1.8\nb,展望 ,tfr,2030,1.9\n", "シナリオ「b」の名称「展望」（3行目）は、2行目"),
        ("a,展望 A,tfr,2030,1.8\nb,展望　Ａ,tfr,2030,1.9\n", "シナリオ「b」の名称「展望　Ａ」（3行目）は、2行目のシナリオ「a」の名称「展望 A」と同じです"),
        ("a,Vision,tfr,2030,1.8\nb,vision,tfr,2030,1.9\n", "は、2行目のシナリオ「a」の名称「Vision」と同じです"),
        ("a,パターン1（社人研準拠）,tfr,2030,1.8\n",
         "s.csv:2: label: シナリオ「a」の名称「パターン1（社人研準拠）」は国の手引きのシナリオ「パターン1（社人研準拠）」の名称と同じです"),
        ("a,シミュレーション1（出生率上昇）,tfr,2030,1.8\n", "国の手引きのシナリオ「シミュレーション1（出生率上昇）」の名称と同じです"),
        ("a,年,tfr,2030,1.8\n", "報告書の表の見出し「年」と同じです"),
        ("Vision,,tfr,2030,1.8\nvision,,tfr,2030,1.9\n",
         "s.csv:3: scenario: シナリオ「vision」と2行目のシナリオ「Vision」は、大文字・小文字や全角・半角だけが違う名前です"),
        ("vision,,tfr,2030,1.8\nｖｉｓｉｏｎ,,tfr,2030,1.9\n",
         "s.csv:3: scenario: シナリオ「ｖｉｓｉｏｎ」と2行目のシナリオ「vision」は、大文字・小文字や全角・半角だけが違う名前です"),
        ("Pattern1,x,tfr,2030,1.8\n", "シナリオ名「Pattern1」は国の手引きのシナリオに使われています"),
    ],
)  # fmt: skip
def test_clashing_scenario_names_and_labels_are_one_line_naming_both_rows(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path / "s.csv", SCENARIO_HEADER + content)
    [line] = refused(lambda: read_scenarios(path))
    assert message in line


def test_a_scenario_without_a_label_clashes_by_its_name(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv", SCENARIO_HEADER + "plan,Plan,tfr,2030,1.8\nPLAN2,plan,tfr,2030,1.9\n"
    )
    [line] = refused(lambda: read_scenarios(path))
    assert "名称「plan」（3行目）は、2行目のシナリオ「plan」の名称「Plan」と同じです" in line


def test_a_waypoint_past_the_last_year_needs_a_horizon(tmp_path: Path) -> None:
    settings = read_settings(settings_with_tfr(tmp_path), REGISTRY.names)
    path = write(
        tmp_path / "s.csv",
        SCENARIO_HEADER + "late,遅い経由点,tfr,2030,1.8\nlate,遅い経由点,tfr,2060,2.07\n",
    )
    [line] = refused(
        lambda: check_scenarios(read_scenarios(path), YEARS, tuple(REGISTRY.names), settings, False)
    )
    assert line.endswith(
        "s.csv:3: year: シナリオ「late」の tfr の2060年は使えません（推計の期間内の年。"
        "これより後の経由点には horizon（推計の最終年）の行が必要：2020年より後、2050年まで）"
    )
    with_horizon = write(
        tmp_path / "h.csv", SCENARIO_HEADER + "late,x,tfr,2060,2.07\nlate,x,horizon,,2070\n"
    )
    check_scenarios(read_scenarios(with_horizon), YEARS, tuple(REGISTRY.names), settings, False)


# ---------------------------------------------------------------- bad rows


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("a,A,tfrr,2030,1.8\n", "仮定「tfrr」はありません"),
        ("a,A,tfr,1900,1.8\n", "「1900」は使えません（1920～2100年の西暦）"),
        ("a,A,tfr,2030,0\n", "「0」は使えません（合計特殊出生率は0.5より大きく5以下）"),
        ("a,A,tfr,2030,5.5\n", "「5.5」は使えません（合計特殊出生率は0.5より大きく5以下）"),
        ("a,A,migration,2025,-0.5\n", "「-0.5」は使えません（純移動の倍率は0以上5以下"),
        (
            "a,A,tfr,2040,2.0\na,A,tfr,2030,1.8\n",
            "シナリオ「a」の tfr の年が前の行（2040年）より後になっていません",
        ),
        (
            "a,A,tfr,2030,1.8\na,A,tfr,2030,1.9\n",
            "a tfr 2030 が2行目と違う値「1.9」で重ねて指定されています",
        ),
        (
            "a,A,tfr,2030,1.8\na,B,tfr,2040,2\n",
            "シナリオ「a」の名称が「B」と、2行目の「A」で違います",
        ),
        ("a,A,tfr,2030,1.8\na,A,tfr,2030,1.8\n", "の行が重複しています（最初は 2 行目）"),
        ("sim1,A,tfr,2030,1.8\n", "シナリオ名「sim1」は国の手引きのシナリオに使われています"),
        (",A,tfr,2030,1.8\n", "scenario"),
        ("=1+1,A,tfr,2030,1.8\n", "シナリオは文字・数字・「_」・「-」だけの40文字までの名前で"),
        ("a/b,A,tfr,2030,1.8\n", "シナリオは文字・数字"),
        ("a,A,tfr,2030,\n", "value"),
        ("a,A,horizon,2070,2070\n", "horizon の年の欄は空欄にし"),
        ("a,A,settlers_per_year,2025,-10\n", "年間の転入超過は0以上"),
        ("a,A,settlers_target,2040,0\n", "目標人口は1～10,000,000人の整数"),
        (
            "a,A,settlers_target,2040,90000\na,A,settlers_per_year,2025,10\n",
            "同じシナリオに書けません",
        ),
    ],
)
def test_a_bad_scenario_row_is_one_line_naming_file_row_and_column(
    tmp_path: Path, rows: str, message: str
) -> None:
    path = write(tmp_path / "scen.csv", HEADER + rows)
    with pytest.raises((DataError, InputError)) as caught:
        read_scenarios(path)
    text = str(caught.value)
    assert message in text
    assert re.search(r"scen\.csv:\d+: (scenario|label|assumption|year|value): ", text), text
    assert "\n" not in text


def test_japanese_headers_and_primitive_names_are_read(tmp_path: Path) -> None:
    text = "シナリオ,シナリオ名,仮定,年,値\na,A,出生率,2030,1.8\na,A,最終年,,2060\n"
    specs = read_scenarios(write(tmp_path / "ja.csv", text))
    assert [(a.kind, a.year, a.value) for a in specs[0].assumptions] == [
        ("tfr", 2030, 1.8),
        ("horizon", None, 2060.0),
    ]


# ---------------------------------------------------------------- oversized scenario files


def _inflated_workbook(path: Path) -> Path:
    """A scenario workbook of two rows whose shared strings are inflated to about 60 MB (they
    compress to a few hundred KB), written part by part as Excel writes a workbook (openpyxl
    writes inline strings, so it cannot make one)."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    words = ["scenario", "label", "assumption", "year", "value", "a", "A", "tfr"]
    strings = "".join(f"<si><t>{w}</t></si>" for w in words) + "<si><t>padding</t></si>" * 2_600_000
    cells = [[0, 1, 2, 3, 4], [5, 6, 7]]
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{"ABCDE"[c]}{r}" t="s"><v>{i}</v></c>' for c, i in enumerate(row))
        + (f'<c r="D{r}"><v>2030</v></c><c r="E{r}"><v>1.8</v></c>' if r == 2 else "")
        + "</row>"
        for r, row in enumerate(cells, start=1)
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{relations}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relations}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{relations}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relations}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}">{strings}</sst>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in parts.items():
            out.writestr(name, text)
    return path


OVERSIZED = {
    "identical-300k": (
        lambda folder: write(folder / "scen.csv", HEADER + "a,A,tfr,2030,1.8\n" * 300_000),
        "scen.csv:2002: -: シナリオのファイルの行が多すぎます（300,001行、上限は見出しのほかに2,000行）",
    ),
    "million-rows": (
        lambda folder: write(
            folder / "scen.csv", HEADER + "".join(f"s{i},A,tfr,2030,1.8\n" for i in range(10**6))
        ),
        "シナリオのファイルの行が多すぎます（1,000,001行",
    ),
    "inflated-shared-strings": (
        lambda folder: _inflated_workbook(folder / "scen.xlsx"),
        "scen.xlsx:-: -: ブックの文字列が大きすぎます（共有文字列が 20 MB を超えます）",
    ),
    "200-scenarios-to-2100": (
        lambda folder: write(
            folder / "scen.csv",
            HEADER + "".join(f"s{i},A,tfr,2030,1.8\ns{i},A,horizon,,2100\n" for i in range(200)),
        ),
        "scen.csv:42: scenario: シナリオ「s20」で、シナリオが20を超えます（1つのファイルは20シナリオまで",
    ),
}

_MEASURE = """
import sys, time
from pathlib import Path
from analysis.inputs.scenario_specs import read_scenarios
started = time.perf_counter()
try:
    read_scenarios(Path(sys.argv[1]))
    message = "read"
except ValueError as error:
    message = str(error)
seconds = time.perf_counter() - started
try:
    import resource  # not on Windows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
except ImportError:
    peak = -1
print(f"{seconds:.3f}\\t{peak}\\t{message}")
"""


@pytest.mark.parametrize("case", list(OVERSIZED))
def test_an_oversized_scenario_file_is_refused_in_one_line_within_seconds(
    tmp_path: Path, case: str
) -> None:
    """Read in a process of its own, so its peak memory is its own (ru_maxrss; Windows has no
    ``resource`` module, and there only the time and the message are checked)."""
    import os
    import subprocess
    import sys

    make, message = OVERSIZED[case]
    path = make(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True, text=True, check=False, timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seconds, peak, text = result.stdout.rstrip("\n").split("\t", 2)
    assert message in text, text
    assert "\n" not in text
    assert float(seconds) < 10, f"{case}: {seconds} s"
    assert int(peak) < 1024**3, f"{case}: peak memory {int(peak) / 1024**2:.0f} MB"


def test_a_repeated_row_is_refused_at_the_first_repeat_naming_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "scen.csv", HEADER + "a,A,tfr,2030,1.8\n" * 1_500)
    with pytest.raises(DataError) as caught:
        read_scenarios(path)
    text = str(caught.value)
    assert text.endswith("scen.csv:3: value: a tfr 2030 の行が重複しています（最初は 2 行目）"), (
        text
    )


def test_a_workbook_with_too_many_rows_is_refused_before_it_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("シナリオ")
    sheet.append(["scenario", "label", "assumption", "year", "value"])
    for i in range(2_500):
        sheet.append([f"s{i % 5}", "A", "tfr", 2030 + i, 1.8])
    book.save(tmp_path / "scen.xlsx")
    with pytest.raises(InputError) as caught:
        read_scenarios(tmp_path / "scen.xlsx")
    assert "行が多すぎます（2,501行、上限は見出しのほかに2,000行）" in str(caught.value)


def test_twenty_scenarios_are_read(tmp_path: Path) -> None:
    rows = "".join(f"s{i},A{i},tfr,2030,1.8\ns{i},A{i},horizon,,2100\n" for i in range(20))
    specs = read_scenarios(write(tmp_path / "scen.csv", HEADER + rows))
    assert len(specs) == scenario_specs.MAX_SCENARIOS == 20
