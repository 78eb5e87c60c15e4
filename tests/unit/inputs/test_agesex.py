"""Edited inputs are consistent or refused (issue 21): a supplied edition whose 圏域 is not
the sum of the municipalities it ends up with, a plan municipality typed close to its name,
scenario names and labels that clash, implausible cells and settlers, waypoints that are never
reached, an empty scenario name, duplicate rows. Every refusal is one Japanese line.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION, TOTAL
from analysis.inputs import agesex
from analysis.inputs.cells import near_plan_name, read_municipality_registry
from analysis.inputs.data import load_population
from analysis.inputs.io import InputError
from analysis.inputs.scenario_specs import check_scenarios, read_scenarios
from analysis.model import population, scenarios
from analysis.run.options import Options, option_problems

from .conftest import Project
from .workbooks import GROUPS, YEARS, made_up_edition, published_workbook, tidy_csv

REGISTRY = read_municipality_registry()
SIZES = {"一関市": 4.6, "平泉町": 0.31}
CODES = {"一関市": "3209", "平泉町": "3402"}
VISION_HEADER = "municipality,year,age_group,population\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def refused(call: object) -> list[str]:
    """The one-line messages a reader refuses with (DataError or InputError)."""
    with pytest.raises((DataError, InputError)) as caught:
        call()  # type: ignore[operator]
    error = caught.value
    findings = getattr(error, "all_findings", None) or [error.finding]  # type: ignore[attr-defined]
    lines = [str(f) for f in findings if f.severity == "error"]
    assert lines and all("\n" not in line for line in lines)
    return lines


# ---------------------------------------------------------------- an edited edition


def rows(municipality: str, year: int, groups: tuple[int, int, int]) -> str:
    return "".join(
        f"{municipality},{year},{g},{v}\n"
        for g, v in zip(("0-14", "15-64", "65+"), groups, strict=True)
    )


def test_a_kept_region_beside_a_borrowed_municipality_must_be_their_sum(tmp_path: Path) -> None:
    """平泉町's rows removed, the 圏域 kept: 2040 一関市 77,924 + 平泉町 5,304 (borrowed from the
    2024 vision) ≠ the file's 圏域 82,822 — once shown with 「圏域はその合計としました」."""
    path = write(
        tmp_path / "vision.csv",
        VISION_HEADER
        + rows("一関市", 2040, (8_000, 38_000, 31_924))
        + rows(REGION, 2040, (8_500, 40_000, 34_322)),
    )
    [line] = refused(lambda: population.load(path))
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
    [line] = refused(lambda: population.load(path))
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
    data = population.load(path)
    [note] = [f.message for f in data.findings if f.check == "borrowed-municipality"]
    assert note == (
        "人口ビジョン（新しい版）には平泉町の値がないため、平泉町は以前の版（人口ビジョン（2024年3月））の"
        "2020・2023・2025・2028・2030・2035・2040年の値を使いました。"
        "圏域は人口ビジョン（新しい版）に書かれた値で、市町の合計と一致します（2040年）"
    )
    without_region = write(
        tmp_path / "only.csv", VISION_HEADER + rows("一関市", 2040, (8_000, 38_000, 31_924))
    )
    data = population.load(without_region)
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
    [line] = refused(lambda: population.load(write(tmp_path / "vision.csv", text)))
    assert (
        "市町の合計と合いません（2040年）：2040年 総人口：一関市 79,000人＋平泉町 5,200人＝84,200人、圏域 84,300人（差 100人）"
        in line
    )


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


def test_near_names_and_names_elsewhere() -> None:
    names = [*REGISTRY.names, REGION]
    for typed, meant in [("一関", "一関市"), ("平泉", "平泉町"), ("一関 市", "一関市"), ("一関　市", "一関市"),
                         ("平泉　町", "平泉町"), ("一関町", "一関市"), ("平泉村", "平泉町"), ("圏 域", REGION)]:  # fmt: skip
        assert near_plan_name(typed, names) == meant, typed
    for elsewhere in ("関市", "平川市", "一戸町", "奥州市", "盛岡市", "", "   "):
        assert near_plan_name(elsewhere, names) is None, elsewhere


def test_a_nationwide_table_still_leaves_other_municipalities_out(tmp_path: Path) -> None:
    text = VISION_HEADER + "".join(
        rows(m, 2020, (1, 2, 3)) for m in ("一関市", "平泉町", "関市", "平川市", "一戸町")
    )
    loaded = load_population(write(tmp_path / "v.csv", text), edition="x", municipalities=REGISTRY)
    assert [f for f in loaded.findings if f.severity == "error"] == []
    [note] = [f.message for f in loaded.findings if f.check == "outside-plan"]
    assert note.startswith("圏域外の市町村 3 件（9 行）を除外しました")


def test_the_projection_reader_refuses_a_near_name_too(tmp_path: Path) -> None:
    projection = (DATA_RAW / "ipss_2018_projection.csv").read_text(encoding="utf-8")
    path = write(tmp_path / "p.csv", projection.replace("平泉町,", "平泉,"))
    lines = refused(lambda: population.load(None, path))
    assert all("「平泉」は圏域の市町の名前と一致しません" in line for line in lines)
    assert "平泉町の誤りではありませんか" in lines[0]


@pytest.fixture(scope="module")
def edition() -> dict[str, list[list[list[int]]]]:
    return made_up_edition(SIZES)


@pytest.fixture(scope="module")
def tidy(tmp_path_factory: pytest.TempPathFactory, edition: dict) -> Path:  # type: ignore[type-arg]
    return tidy_csv(tmp_path_factory.mktemp("tidy") / "agesex.csv", edition)


def test_the_age_sex_reader_refuses_a_near_name(tidy: Path, tmp_path: Path) -> None:
    text = tidy.read_text(encoding="utf-8").replace("\n一関市,", "\n一関 市,")
    loaded = agesex.load(write(tmp_path / "a.csv", text), edition="x", registry=REGISTRY)
    [line] = [str(f) for f in loaded.errors]
    assert ":2: " in line
    assert "「一関 市」は圏域の市町の名前と一致しません（この名前の行" in line
    assert "一関市の誤りではありませんか" in line


@pytest.mark.parametrize(("title", "cell"), [("平泉", "平泉"), ("シート3", "平泉　町")])
def test_the_published_workbook_refuses_a_sheet_named_close_to_a_plan_municipality(
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
    title: str,
    cell: str,
) -> None:
    path = published_workbook(tmp_path / "03.xlsx", edition, CODES)
    book = openpyxl.load_workbook(path)
    sheet = book["3402_平泉町"]
    sheet.title = title
    sheet["A2"], sheet["B2"] = None, cell  # no code, the name mistyped
    book.save(path)
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    errors = [str(f) for f in loaded.errors]
    assert any(
        f"「{title if title == '平泉' else cell}」は圏域の市町の名前と一致しません。平泉町の誤りではありませんか"
        in e
        for e in errors
    ), errors
    skipped = [f.message for f in loaded.findings if f.check == "sheets-left-out"]
    assert skipped and not any(title in m for m in skipped), "never skipped as a sheet elsewhere"


@pytest.mark.parametrize("typed", ["一関", "一関 市"])
def test_the_settings_and_survival_readers_ask_the_same(tmp_path: Path, typed: str) -> None:
    settings = write(tmp_path / "s.csv", f"setting,municipality,value\ntfr_base,{typed},1.4\n")
    [line] = refused(lambda: scenarios.read_settings(settings, REGISTRY.names))
    assert line.endswith(f"s.csv:2: municipality: 「{typed}」は圏域の市町の名前と一致しません。一関市の誤りではありませんか"
                         "（圏域外の市町村として除外はしません。正しい名前に直してください）")  # fmt: skip
    labels = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳以上"]
    survival_rows = [f",,{sex},{label},0.98" for sex in ("男", "女") for label in labels]
    survival = write(
        tmp_path / "v.csv",
        "\n".join(
            [
                "municipality,period,sex,age_group,survival_ratio",
                *survival_rows,
                f"{typed},,男,20～24歳,0.9",
            ]
        )
        + "\n",
    )
    [line] = refused(lambda: scenarios.read_survival(survival, REGISTRY.names, YEARS, GROUPS))
    assert f"「{typed}」は圏域の市町の名前と一致しません。一関市の誤りではありませんか" in line


# ---------------------------------------------------------------- scenario names and labels

SCENARIO_HEADER = "scenario,label,assumption,year,value\n"


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


# ---------------------------------------------------------------- plausibility


def cell_changed(
    tidy: Path, target: Path, municipality: str, year: int, sex: str, age: str, times: float
) -> Path:
    lines = tidy.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        if fields[:4] == [municipality, str(year), sex, age]:
            fields[4] = str(round(int(fields[4]) * times))
        out.append(",".join(fields))
    return write(target, "\n".join(out) + "\n")


def warnings(path: Path, check: str) -> list[str]:
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    assert loaded.errors == []
    return [str(f) for f in loaded.findings if f.check == check]


def test_the_made_up_edition_raises_no_cohort_warning(tidy: Path) -> None:
    assert warnings(tidy, "cohort-ratio") == [] and warnings(tidy, "cohort-jump") == []


def test_a_cell_ten_times_too_large_at_70_74_is_found(tidy: Path, tmp_path: Path) -> None:
    """237 → 2,370 at 70–74 once passed: the check stopped at 70."""
    path = cell_changed(tidy, tmp_path / "a.csv", "平泉町", 2030, "男", "70～74歳", 10)
    found = warnings(path, "cohort-ratio")
    assert any(
        "平泉町 男 70～74歳（2030年）は5年前の65～69歳（2025年）の" in w
        and "（通常は 0.6～1.3 倍）" in w
        for w in found
    ), found
    assert any("平泉町 男 75～79歳（2035年）" in w for w in found), (
        "and its cohort five years later"
    )


@pytest.mark.parametrize(("age", "band"), [("85～89歳", "0.4～1.3"), ("90～94歳", "0.2～1.2")])
def test_old_ages_have_bounds_of_their_own(tidy: Path, tmp_path: Path, age: str, band: str) -> None:
    path = cell_changed(tidy, tmp_path / "a.csv", "一関市", 2035, "女", age, 0.1)
    found = warnings(path, "cohort-ratio")
    assert any(f"一関市 女 {age}（2035年）" in w and f"（通常は {band} 倍）" in w for w in found), (
        found
    )


def test_the_open_group_is_checked(tidy: Path, tmp_path: Path) -> None:
    path = cell_changed(tidy, tmp_path / "a.csv", "一関市", 2040, "男", "95歳～", 5)
    found = warnings(path, "cohort-ratio")
    assert any(
        "一関市 男 95歳以上（2040年）は5年前の90歳以上（2035年）の" in w
        and "（通常は 0.1～1.0 倍）" in w
        for w in found
    ), found


def test_a_doubled_cell_under_the_ratio_bound_is_found_by_its_neighbours(
    tidy: Path, tmp_path: Path
) -> None:
    """A cell doubled: its cohort ratio (about 1.95) is under the 2.0 bound, but the same age's
    ratio in the cohorts before and after is about 1."""
    path = cell_changed(tidy, tmp_path / "a.csv", "一関市", 2035, "女", "30～34歳", 1.95)
    assert warnings(path, "cohort-ratio") == []
    [found] = warnings(path, "cohort-jump")
    assert "一関市 女 30～34歳（2035年）は5年前の25～29歳（2030年）の 1.9" in found
    assert "前後の世代の同じ年齢の変化（" in found and "大きく違います" in found


REAL = Path(__file__).parent / "reference" / "ipss2018_agesex_ichinoseki_hiraizumi.csv"
"""IPSS 平成30年推計 by sex and five-year age for both municipalities (provenance in its folder)."""


def test_real_ipss_data_raises_no_cohort_warning_and_the_bounds_leave_room() -> None:
    loaded = agesex.load(REAL, edition="x", registry=REGISTRY)
    assert [str(f) for f in loaded.findings] == []
    counts = loaded.frame[loaded.frame["sex"].isin(agesex.SEXES)]
    ratios = agesex.cohort_ratios(counts)
    assert not ratios["jump"].any()
    for (lower, is_open), group in ratios.groupby(["lower", "open"]):
        low, high = group["ratio"].min(), group["ratio"].max()
        bottom, top = agesex.OPEN_GROUP_BAND if is_open else agesex.cohort_band(int(lower))
        # At least 40% below the lowest real ratio and 10% above the highest.
        assert bottom < low / 1.4 and high * 1.1 < top, (lower, low, high)
    old = ratios[(ratios["lower"] >= 70) & ~ratios["open"]]
    assert old["ratio"].max() < 1, "survival at old ages is well below 1"


def test_solved_settlers_outside_the_typed_range_are_a_finding(tidy: Path, tmp_path: Path) -> None:
    """A settlers_target of 10,000,000 solved to about 419,000 settlers a year without a word,
    while settlers_per_year over 100,000 is refused."""
    loaded = agesex.load(tidy, edition="x", registry=REGISTRY)
    path = write(
        tmp_path / "s.csv", SCENARIO_HEADER + "big,大きな目標,settlers_target,2040,10000000\n"
    )
    projected = scenarios.build(
        loaded.frame, loaded.groups, REGISTRY.names, source="test",
        settings_path=settings_with_tfr(tmp_path), profile_path=DATA_RAW / "settler_profile.csv",
        survival_path=None, default_target=(94_000, 2040), scenarios_path=path,
    )  # fmt: skip
    found = [f for f in projected.notes if f.check == "settlers-implausible"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert str(found[0]).startswith(
        f"{path}:2: value: 警告: 「大きな目標」の目標人口 10,000,000人（2040年）には毎年約 "
    )
    assert "入力できる転入超過の範囲（0～100,000人／年）を超えるため" in str(found[0])
    typed = write(tmp_path / "t.csv", SCENARIO_HEADER + "big,x,settlers_per_year,2025,100001\n")
    assert "年間の転入超過は0以上100,000人以下" in refused(lambda: read_scenarios(typed))[0]


def settings_with_tfr(folder: Path) -> Path:
    text = (DATA_RAW / "projection_settings.csv").read_text(encoding="utf-8")
    text = text.replace("tfr_base,一関市,,", "tfr_base,一関市,1.45,").replace(
        "tfr_base,平泉町,,", "tfr_base,平泉町,1.38,"
    )
    return write(folder / "settings.csv", text)


def test_a_waypoint_past_the_last_year_needs_a_horizon(tmp_path: Path) -> None:
    settings = scenarios.read_settings(settings_with_tfr(tmp_path), REGISTRY.names)
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


@pytest.mark.parametrize("typed", ["", "  ", "\u3000"])
def test_an_empty_vision_from_scenario_is_refused(typed: str) -> None:
    [problem] = option_problems(Options(vision_from_scenario=typed.strip()))
    assert str(problem) == (
        "--vision-from-scenario：シナリオ名が空です。将来展望にするシナリオの名前（シナリオのファイルの scenario 欄）を指定してください"
    )
    assert option_problems(Options()) == []


def test_an_empty_vision_from_scenario_is_refused_on_the_command_line(
    fresh_project: Project,
) -> None:
    result = fresh_project.cli("reports", "--vision-from-scenario", "　")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        "--vision-from-scenario：シナリオ名が空です。将来展望にするシナリオの名前（シナリオのファイルの scenario 欄）を指定してください"
    )
    assert not (fresh_project.reports / ".manifest.json").exists(), "nothing was run"


# ---------------------------------------------------------------- duplicates


def test_a_duplicate_age_sex_row_names_the_first_row_in_japanese(
    tidy: Path, tmp_path: Path
) -> None:
    lines = tidy.read_text(encoding="utf-8").splitlines()
    first = next(
        i for i, line in enumerate(lines, start=1) if line.startswith("一関市,2025,女,30～34歳,")
    )
    path = write(tmp_path / "a.csv", "\n".join([*lines, lines[first - 1]]) + "\n")
    [line] = [str(f) for f in agesex.load(path, edition="x", registry=REGISTRY).errors]
    assert line.endswith(f"一関市 2025年 女 30～34歳 の行が重複しています（最初は {first} 行目）")
    assert "- 行目" not in line


def test_a_duplicate_total_row_is_named_in_japanese(tmp_path: Path, edition: dict) -> None:  # type: ignore[type-arg]
    path = tidy_csv(tmp_path / "t.csv", edition)
    lines = path.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    total = "一関市,2020,男,総数,100"
    path = write(tmp_path / "t2.csv", "\n".join([header, *body, total, total]) + "\n")
    errors = [f.message for f in agesex.load(path, edition="x", registry=REGISTRY).errors]
    duplicate = [e for e in errors if "重複" in e]
    assert duplicate and "一関市 2020年 男 総数 の行が重複しています（最初は" in duplicate[0], (
        errors
    )
    assert not any("total" in e or "unknown" in e for e in errors), errors
