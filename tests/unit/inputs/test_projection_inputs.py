"""Every projection input refused when it cannot be right, each failure one line.

One test per case a careless or unlucky planner produced (issue: the projection path
as trustworthy as the rest): the settings, the survival ratios, the settler profile,
the age × sex data, the registry's flags and the options that need age × sex data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import agesex
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.data import read_editions
from analysis.inputs.io import InputError
from analysis.inputs.projection_inputs import check_settings
from analysis.model import scenarios

from .conftest import Project
from .workbooks import GROUPS, YEARS, made_up_edition, published_workbook, tidy_csv

REGISTRY = read_municipality_registry()
CODES = {"一関市": "3209", "平泉町": "3402"}
SETTINGS_HEADER = "setting,municipality,value\n"


@pytest.fixture(scope="module")
def edition() -> dict[str, list[list[list[int]]]]:
    return made_up_edition({"一関市": 4.6, "平泉町": 0.31})


@pytest.fixture(scope="module")
def tidy(tmp_path_factory: pytest.TempPathFactory, edition: dict) -> Path:  # type: ignore[type-arg]
    return tidy_csv(tmp_path_factory.mktemp("tidy") / "agesex.csv", edition)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def settings_error(tmp_path: Path, rows: str) -> str:
    """The one line read_settings refuses ``rows`` with."""
    path = write(tmp_path / "settings.csv", SETTINGS_HEADER + rows)
    with pytest.raises((DataError, InputError)) as caught:
        scenarios.read_settings(path, REGISTRY.names)
    message = str(caught.value)
    assert "\n" not in message
    return message


def checked_settings_error(tmp_path: Path, rows: str) -> str:
    """The one line check_settings refuses ``rows`` with, against 2020–2050 data."""
    path = write(tmp_path / "settings.csv", SETTINGS_HEADER + rows)
    settings = scenarios.read_settings(path, REGISTRY.names)
    with pytest.raises(DataError) as caught:
        check_settings(settings, YEARS, tuple(REGISTRY.names))
    return str(caught.value)


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0", "0.5より大きく5以下"),  # once: 「シミュレーション1でinf人」 and stage 5
        ("-1.4", "0.5より大きく5以下"),  # once: negative people
        ("99", "0.5より大きく5以下"),  # once: the 「出生率上昇」 scenario shrank
    ],
)
def test_an_impossible_tfr_base_is_refused(tmp_path: Path, value: str, reason: str) -> None:
    message = settings_error(tmp_path, f"tfr_base,一関市,{value}\n")
    assert message.startswith(f"{tmp_path / 'settings.csv'}:2: value: ")
    assert f"「{value}」は tfr_base に使えません（{reason}）" in message


def test_a_decimal_comma_is_refused_as_ambiguous(tmp_path: Path) -> None:
    message = settings_error(tmp_path, 'tfr_base,一関市,"1,45"\n')  # once read as 145
    assert message.endswith(
        "「1,45」の「,」が小数点か桁区切りか分かりません。小数点は「.」で入力してください"
    )


def test_a_thousands_separator_in_a_population_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", SETTINGS_HEADER + 'settler_target_population,圏域,"94,000"\n')
    assert scenarios.read_settings(path, REGISTRY.names).targets() == [("圏域", 94000.0, None)]


def test_a_tfr_target_of_zero_is_refused_not_replaced_by_the_default(tmp_path: Path) -> None:
    assert "「0」は tfr_target に使えません" in settings_error(tmp_path, "tfr_target,,0\n")


def test_a_blank_setting_takes_its_documented_default(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", SETTINGS_HEADER + "tfr_target,,\ninfluence_year,,\n")
    settings = scenarios.read_settings(path, REGISTRY.names)
    assert settings.number("tfr_target") == 2.1
    assert settings.year("influence_year") is None, "blank: the edition's last projected year"
    assert scenarios.influence_year(settings, (2020, 2025, 2050)) == 2050


def test_tfr_target_year_before_the_base_year_or_absurd_is_refused(tmp_path: Path) -> None:
    assert "（基準年（2020年）より後の年）" in checked_settings_error(
        tmp_path, "tfr_base,,1.4\ntfr_target_year,,2010\n"
    )
    assert "「99999」は tfr_target_year に使えません（1920～2100年の西暦）" in settings_error(
        tmp_path, "tfr_target_year,,99999\n"
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "stage_thresholds,,-10;0\n",
            "stage_thresholds の値は大きい順（重複なし）に並べてください",
        ),
        ("stage_thresholds,,0\n", "stage_thresholds には値が 2 個必要です（「0」は 1 個"),
        ("natural_thresholds,,100;105\n", "natural_thresholds には値が 4 個必要です"),
        ("social_thresholds,,100;130;120;110\n", "social_thresholds の値は小さい順（重複なし）に"),
        ("social_thresholds,,100;110;110;130\n", "social_thresholds の値は小さい順（重複なし）に"),
    ],
)
def test_thresholds_need_their_count_and_order(tmp_path: Path, row: str, message: str) -> None:
    assert message in settings_error(tmp_path, row)


def test_a_setting_given_twice_for_one_municipality_is_refused(tmp_path: Path) -> None:
    message = settings_error(tmp_path, "tfr_base,一関市,1.4\ntfr_base,一関市,1.5\n")
    assert message.startswith(f"{tmp_path / 'settings.csv'}:3: setting: ")
    assert "tfr_base（一関市） の行が重複しています（最初は 2 行目）" in message


def test_the_municipality_column_is_read_under_any_name_of_the_vocabulary(tmp_path: Path) -> None:
    for header in ("area", "市町名", "市町村"):
        path = write(
            tmp_path / "s.csv",
            f"setting,{header},value\ntfr_base,一関市,1.4\ntfr_base,平泉町,1.3\n",
        )
        settings = scenarios.read_settings(path, REGISTRY.names)
        assert (settings.number("tfr_base", "一関市"), settings.number("tfr_base", "平泉町")) == (
            1.4,
            1.3,
        )


def test_an_unknown_header_is_refused_naming_the_accepted_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "setting,place,value\ntfr_base,一関市,1.4\n")
    with pytest.raises(InputError) as caught:
        scenarios.read_settings(path, REGISTRY.names)
    assert str(caught.value).startswith(
        f"{path}:1: place: 「place」は使える列ではありません（使える列：setting（設定）"
    )


def test_a_typo_in_a_setting_name_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    message = settings_error(tmp_path, "tfr_bse,一関市,1.4\n")
    assert (
        "設定「tfr_bse」はありません" in message and "「tfr_base」の誤りではありませんか" in message
    )


def test_a_common_only_setting_given_for_a_municipality_is_refused(tmp_path: Path) -> None:
    message = settings_error(tmp_path, "tfr_target,一関市,2.0\n")  # once silently unused
    assert "設定「tfr_target」は「一関市」について指定できません" in message
    assert "設定「tfr_base」は「圏域」について指定できません" in settings_error(
        tmp_path, "tfr_base,圏域,1.4\n"
    )


def test_a_row_without_effect_is_reported_as_unused(tmp_path: Path) -> None:
    rows = (
        "tfr_base,,1.4\ntfr_base,一関市,1.3\ntfr_base,平泉町,1.5\nsettler_target_year,一関市,2040\n"
    )
    path = write(tmp_path / "settings.csv", SETTINGS_HEADER + rows)
    settings = scenarios.read_settings(path, REGISTRY.names)
    notes = [str(f) for f in check_settings(settings, YEARS, tuple(REGISTRY.names))]
    assert notes == [
        f"{path}:2: municipality: 参考: 設定「tfr_base」のこの行は使われません（すべての市町に個別の値があります）",
        f"{path}:5: municipality: 参考: 設定「settler_target_year」のこの行は使われません（一関市 の settler_target_population がありません）",
    ]


def test_a_profile_given_as_the_settings_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="「sex」は使える列ではありません"):
        scenarios.read_settings(DATA_RAW / "settler_profile.csv", REGISTRY.names)


@pytest.mark.parametrize("name", ["pyramid_year", "influence_year"])
def test_a_year_that_is_not_projected_is_refused(tmp_path: Path, name: str) -> None:
    # pyramid_year 2042 once drew 2050 silently; influence_year 2043 gave an empty table.
    message = checked_settings_error(tmp_path, f"{name},,2042\n")
    assert (
        f"2042年は {name} に使えません（推計の年：2025、2030、2035、2040、2045、2050）" in message
    )


def test_a_settler_target_year_that_is_not_projected_is_refused(tmp_path: Path) -> None:
    rows = "settler_target_population,一関市,90000\nsettler_target_year,一関市,2042\n"
    assert "2042年は settler_target_year に使えません" in checked_settings_error(tmp_path, rows)


def test_a_settler_target_without_a_year_is_refused(tmp_path: Path) -> None:
    message = checked_settings_error(tmp_path, "settler_target_population,一関市,90000\n")
    assert "settler_target_population を使うには settler_target_year も必要です" in message


def test_a_per_municipality_settler_target_is_solved(
    tmp_path: Path,
    tidy: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    rows = "settler_target_population,平泉町,20000\nsettler_target_year,平泉町,2040\n"
    projected = build(tidy, tmp_path, settings=rows)
    solved = projected.settlers.set_index("municipality")
    assert list(solved.index) == ["平泉町"]
    assert solved.loc["平泉町", "target_population"] == 20000
    settled = projected.long[(projected.long["scenario"] == "settlers")]
    total = settled[(settled["municipality"] == "平泉町") & (settled["year"] == 2040)][
        "population"
    ].sum()
    assert total == pytest.approx(20000)


# ---------------------------------------------------------------- survival ratios


def survival_rows(ratio: float = 0.98) -> list[str]:
    labels = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳以上"]
    return [f",,{sex},{label},{ratio}" for sex in ("男", "女") for label in labels]


def survival(
    tmp_path: Path,
    rows: list[str],
    header: str = "municipality,period,sex,age_group,survival_ratio",
) -> Path:
    return write(tmp_path / "survival.csv", "\n".join([header, *rows]) + "\n")


def read(path: Path) -> np.ndarray:
    return scenarios.read_survival(path, REGISTRY.names, YEARS, GROUPS)


@pytest.mark.parametrize("value", ["0", "1.2", "-0.5"])
def test_a_survival_ratio_outside_0_1_is_refused(tmp_path: Path, value: str) -> None:
    rows = survival_rows()
    rows[3] = rows[3].rsplit(",", 1)[0] + f",{value}"
    with pytest.raises(DataError) as caught:
        read(survival(tmp_path, rows))
    assert str(caught.value).endswith(
        f"「{value}」は生残率（0より大きく1以下の数）として使えません"
    )
    assert ":5: survival_ratio: " in str(caught.value)


def test_a_misspelt_municipality_in_the_survival_file_is_refused(tmp_path: Path) -> None:
    rows = [*survival_rows(), "一関,,男,20～24歳,0.9"]  # once skipped without a word
    with pytest.raises(DataError) as caught:
        read(survival(tmp_path, rows))
    assert "「一関」は圏域の市町の名前と一致しません。一関市の誤りではありませんか" in str(
        caught.value
    )


def test_specific_rows_win_over_common_rows_whatever_their_order(tmp_path: Path) -> None:
    specific = "平泉町,2025-2030,女,20～24歳,0.5"
    before = read(survival(tmp_path, [specific, *survival_rows()]))
    after = read(survival(tmp_path, [*survival_rows(), specific]))
    assert np.array_equal(before, after)
    female, produced = 1, GROUPS.index("25-29")
    assert before[1, REGISTRY.names.index("平泉町"), female, produced] == 0.5
    assert before[0, REGISTRY.names.index("平泉町"), female, produced] == 0.98
    assert before[1, REGISTRY.names.index("一関市"), female, produced] == 0.98


def test_a_survival_ratio_given_twice_is_refused(tmp_path: Path) -> None:
    rows = [*survival_rows(), ",,男,20～24歳,0.97"]
    with pytest.raises(DataError) as caught:
        read(survival(tmp_path, rows))
    assert "共通 全期間 男 20-24 の行が重複しています（最初は 6 行目）" in str(caught.value)


def test_the_settings_file_given_as_survival_ratios_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read(DATA_RAW / "projection_settings.csv")
    assert "「setting」は使える列ではありません" in str(caught.value)
    assert "別の種類のファイルではないか確認してください" in str(caught.value)


def test_a_workbook_with_other_columns_given_as_survival_ratios_is_an_input_error(
    tmp_path: Path,
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["municipality", "year", "age_group", "population"])
    sheet.append(["一関市", 2020, "0-14", 100])
    book.save(tmp_path / "vision.xlsx")
    with pytest.raises(InputError) as caught:
        read(tmp_path / "vision.xlsx")
    assert str(caught.value).startswith(
        f"{tmp_path / 'vision.xlsx'}[Sheet]!B1: year: 「year」は使える列ではありません"
    )


# ---------------------------------------------------------------- the settler profile


def test_a_profile_with_the_wrong_columns_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path / "profile.csv", "sex,age,proportion\n男,20～24歳,1\n")
    with pytest.raises(InputError, match="「proportion」は使える列ではありません"):
        scenarios.read_profile(path, GROUPS)


def test_a_profile_row_given_twice_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "profile.csv", "sex,age_group,share\n男,20～24歳,0.5\n男,20～24歳,0.5\n"
    )
    with pytest.raises(DataError, match="男 20-24 の行が重複しています"):
        scenarios.read_profile(path, GROUPS)


# ---------------------------------------------------------------- age × sex data


def agesex_errors(path: Path) -> list[str]:
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    return [str(f) for f in loaded.errors]


def edited_csv(tidy: Path, target: Path, keep: object = None, change: object = None) -> Path:
    lines = tidy.read_text(encoding="utf-8").splitlines()
    rows = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        if keep is not None and not keep(fields):  # type: ignore[operator]
            continue
        rows.append(",".join(change(fields) if change else fields))  # type: ignore[operator]
    return write(target, "\n".join(rows) + "\n")


def test_a_file_with_one_year_is_refused(tidy: Path, tmp_path: Path) -> None:
    path = edited_csv(tidy, tmp_path / "a.csv", keep=lambda f: f[1] == "2020")
    assert agesex_errors(path) == [
        f"{path}:-: year: 男女・5歳階級別データの年（2020）では推計できません：推計には2つ以上の年が必要です"
    ]


@pytest.mark.parametrize(
    ("years", "shown"),
    [
        ({"2020", "2025", "2030", "2035"}, "2020、2025、2030、2033"),
        ({"2020", "2030", "2040", "2050"}, "2020、2030、2040、2050"),
    ],
)
def test_years_that_are_not_5_apart_are_refused(
    tidy: Path, tmp_path: Path, years: set[str], shown: str
) -> None:
    def rename(fields: list[str]) -> list[str]:
        return [fields[0], "2033" if fields[1] == "2035" else fields[1], *fields[2:]]

    path = edited_csv(tidy, tmp_path / "a.csv", keep=lambda f: f[1] in years, change=rename)
    assert agesex_errors(path) == [
        f"{path}:-: year: 男女・5歳階級別データの年（{shown}）では推計できません：年は基準年 2020年から5年ごとに必要です"
    ]


def test_no_women_of_childbearing_age_is_refused(tidy: Path, tmp_path: Path) -> None:
    childbearing = {f"{a}～{a + 4}歳" for a in range(15, 50, 5)}

    def no_women(fields: list[str]) -> list[str]:
        if (
            fields[0] == "平泉町"
            and fields[1] == "2030"
            and fields[2] == "女"
            and fields[3] in childbearing
        ):
            return [*fields[:4], "0"]
        return fields

    path = edited_csv(tidy, tmp_path / "a.csv", change=no_women)
    assert agesex_errors(path) == [
        f"{path}:-: population: 平泉町 の 2030年の15～49歳の女性が 0 人のため、出生を推計できません"
    ]


def test_a_municipality_of_zeros_is_refused(tidy: Path, tmp_path: Path) -> None:
    def zero(fields: list[str]) -> list[str]:
        return [*fields[:4], "0"] if fields[0] == "平泉町" else fields

    path = edited_csv(tidy, tmp_path / "a.csv", change=zero)
    errors = agesex_errors(path)
    assert len(errors) == 1 and "平泉町 の人口がすべて 0 です（2020、2025" in errors[0]


def test_untitled_blocks_are_refused_never_guessed_by_their_order(
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    blank_titles = {
        (f"{code}_{name}", cell): None
        for name, code in CODES.items()
        for cell in ("A4", "J4", "S4")
    }
    path = published_workbook(tmp_path / "03.xlsx", edition, CODES, edit=blank_titles, decoy=False)
    errors = agesex_errors(path)
    assert errors[0] == (
        f"{path}[3209_一関市]!B5: -: 年の列が 3 つの表に分かれていますが、表の上に「男女計」「男」「女」の見出しがありません"
        "（並び順から男女を推測することはしません）"
    )


def test_one_cell_typed_ten_times_too_large_is_warned_naming_the_cell(
    tidy: Path, tmp_path: Path
) -> None:
    def typo(fields: list[str]) -> list[str]:
        if fields[:4] == ["一関市", "2030", "男", "40～44歳"]:
            return [*fields[:4], str(int(fields[4]) * 10)]
        return fields

    path = edited_csv(tidy, tmp_path / "a.csv", change=typo)
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    assert loaded.errors == []
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(
        i for i, text in enumerate(lines, start=1) if text.startswith("一関市,2030,男,40～44歳,")
    )
    warnings = [str(f) for f in loaded.findings if f.check == "cohort-ratio"]
    assert warnings[0].startswith(
        f"{path}:{line}: 人口: 警告: 一関市 男 40～44歳（2030年）は5年前の35～39歳（2025年）の "
    )
    assert "（通常は 0.3～2.0 倍）" in warnings[0]
    assert len(warnings) == 2, "the cell itself, and the same cohort five years later"


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


def unregister_age_sex(raw: Path) -> None:
    """The registry without its age × sex edition (the real 2018 figures are shipped)."""
    registry = raw / "editions.csv"
    lines = registry.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("ipss_2018s,")]
    assert len(kept) == len(lines) - 1
    registry.write_text("\n".join(kept) + "\n", encoding="utf-8")


def test_projection_options_without_age_sex_data_are_refused(
    fresh_project: Project, tmp_path: Path
) -> None:
    unregister_age_sex(fresh_project.raw)
    for option in ("--survival", "--projection-settings", "--settler-profile"):
        result = fresh_project.cli("reports", option, str(tmp_path / "x.csv"))
        assert result.returncode == 2
        assert result.stdout.strip() == (
            f"{option}：男女・5歳階級別のデータ（--age-sex、または editions.csv に登録した版）があるときだけ使えます"
        ), result.stdout


def test_a_bad_setting_through_the_command_is_one_line_and_changes_nothing(
    project: Project,
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    before = project.snapshot()
    workbook = published_workbook(tmp_path / "03.xlsx", edition, CODES)
    settings = write(tmp_path / "settings.csv", SETTINGS_HEADER + "tfr_base,一関市,0\n")
    result = project.cli(
        "reports", "--age-sex", str(workbook), "--projection-settings", str(settings)
    )
    assert result.returncode == 1, result.stdout
    assert (
        f"{settings}:2: value: 「0」は tfr_base に使えません（0.5より大きく5以下）" in result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert project.snapshot() == before


# ---------------------------------------------------------------- helpers


def build(age_sex: Path, tmp_path: Path, settings: str = "") -> scenarios.Projected:
    loaded = agesex.load(age_sex, edition="x", registry=REGISTRY)
    assert loaded.errors == []
    return scenarios.build(
        loaded.frame,
        loaded.groups,
        REGISTRY.names,
        source="test",
        settings_path=write(tmp_path / "settings.csv", SETTINGS_HEADER + settings),
        profile_path=DATA_RAW / "settler_profile.csv",
        survival_path=None,
        default_target=(94_000, 2040),
    )


KINDS = ("settings", "profile", "survival", "vision_xlsx")
OPTIONS = ("settings", "profile", "survival", "age_sex")


@pytest.mark.parametrize(("kind", "given_as"), [(k, o) for k in KINDS for o in OPTIONS if k != o])
def test_another_options_file_is_a_one_line_input_error(
    tmp_path: Path, kind: str, given_as: str
) -> None:
    files = {
        "settings": DATA_RAW / "projection_settings.csv",
        "profile": DATA_RAW / "settler_profile.csv",
        "survival": survival(tmp_path, survival_rows()),
        "vision_xlsx": DATA_RAW / "examples" / "vision_wide_example.xlsx",
    }
    readers = {
        "settings": lambda p: scenarios.read_settings(p, REGISTRY.names),
        "profile": lambda p: scenarios.read_profile(p, GROUPS),
        "survival": read,
        "age_sex": lambda p: agesex.load(p, edition="x", registry=REGISTRY),
    }
    try:
        loaded = readers[given_as](files[kind])
    except (InputError, DataError) as error:
        message = str(error)
    else:  # the age × sex reader returns its findings
        assert given_as == "age_sex"
        assert loaded.errors, f"{kind} read as age × sex data"
        message = str(loaded.errors[0])
    assert "\n" not in message and message


def test_a_header_written_twice_in_a_workbook_names_the_second_cell(tmp_path: Path) -> None:
    import openpyxl

    from analysis.inputs.io import read_records

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "表"
    sheet.append(["a", "b", "a"])
    sheet.append([1, 2, 3])
    book.save(tmp_path / "b.xlsx")
    with pytest.raises(InputError) as caught:
        read_records(tmp_path / "b.xlsx")
    assert str(caught.value).endswith(
        "b.xlsx[表]!C1: a: 見出し「a」が2回あります（1列目と3列目）。どちらか一方にしてください"
    )
