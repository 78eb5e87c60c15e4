"""analysis.inputs.projection_inputs: every projection setting, survival ratio and profile refused
when it cannot be right, each failure one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import agesex, projection_inputs
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.io import InputError
from analysis.inputs.projection_inputs import check_settings
from analysis.model import scenarios
from tests.unit.inputs.test_agesex import refused
from tests.workbooks import GROUPS, YEARS

REGISTRY = read_municipality_registry()
SETTINGS_HEADER = "setting,municipality,value\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def settings_error(tmp_path: Path, rows: str) -> str:
    """The one line read_settings refuses ``rows`` with."""
    path = write(tmp_path / "settings.csv", SETTINGS_HEADER + rows)
    with pytest.raises((DataError, InputError)) as caught:
        projection_inputs.read_settings(path, REGISTRY.names)
    message = str(caught.value)
    assert "\n" not in message
    return message


def checked_settings_error(tmp_path: Path, rows: str) -> str:
    """The one line check_settings refuses ``rows`` with, against 2020–2050 data."""
    path = write(tmp_path / "settings.csv", SETTINGS_HEADER + rows)
    settings = projection_inputs.read_settings(path, REGISTRY.names)
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
    assert projection_inputs.read_settings(path, REGISTRY.names).targets() == [
        ("圏域", 94000.0, None)
    ]


def test_a_tfr_target_of_zero_is_refused_not_replaced_by_the_default(tmp_path: Path) -> None:
    assert "「0」は tfr_target に使えません" in settings_error(tmp_path, "tfr_target,,0\n")


def test_a_blank_setting_takes_its_documented_default(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", SETTINGS_HEADER + "tfr_target,,\ninfluence_year,,\n")
    settings = projection_inputs.read_settings(path, REGISTRY.names)
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
        settings = projection_inputs.read_settings(path, REGISTRY.names)
        assert (settings.number("tfr_base", "一関市"), settings.number("tfr_base", "平泉町")) == (
            1.4,
            1.3,
        )


def test_an_unknown_header_is_refused_naming_the_accepted_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "setting,place,value\ntfr_base,一関市,1.4\n")
    with pytest.raises(InputError) as caught:
        projection_inputs.read_settings(path, REGISTRY.names)
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
    settings = projection_inputs.read_settings(path, REGISTRY.names)
    notes = [str(f) for f in check_settings(settings, YEARS, tuple(REGISTRY.names))]
    assert notes == [
        f"{path}:2: municipality: 参考: 設定「tfr_base」のこの行は使われません（すべての市町に個別の値があります）",
        f"{path}:5: municipality: 参考: 設定「settler_target_year」のこの行は使われません（一関市 の settler_target_population がありません）",
    ]


def test_a_profile_given_as_the_settings_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="「sex」は使える列ではありません"):
        projection_inputs.read_settings(DATA_RAW / "settler_profile.csv", REGISTRY.names)


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
    return projection_inputs.read_survival(path, REGISTRY.names, YEARS, GROUPS)


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
        projection_inputs.read_profile(path, GROUPS)


def test_a_profile_row_given_twice_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "profile.csv", "sex,age_group,share\n男,20～24歳,0.5\n男,20～24歳,0.5\n"
    )
    with pytest.raises(DataError, match="男 20-24 の行が重複しています"):
        projection_inputs.read_profile(path, GROUPS)


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
        "settings": lambda p: projection_inputs.read_settings(p, REGISTRY.names),
        "profile": lambda p: projection_inputs.read_profile(p, GROUPS),
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


@pytest.mark.parametrize("typed", ["一関", "一関 市"])
def test_the_settings_and_survival_readers_ask_the_same(tmp_path: Path, typed: str) -> None:
    settings = write(tmp_path / "s.csv", f"setting,municipality,value\ntfr_base,{typed},1.4\n")
    [line] = refused(lambda: projection_inputs.read_settings(settings, REGISTRY.names))
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
    [line] = refused(
        lambda: projection_inputs.read_survival(survival, REGISTRY.names, YEARS, GROUPS)
    )
    assert f"「{typed}」は圏域の市町の名前と一致しません。一関市の誤りではありませんか" in line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("setting,municipality,value\ntfr_goal,,2.1\n", "設定「tfr_goal」はありません"),
        ("setting,municipality,value\ntfr_target,,二\n", "「二」は数値として読めません"),
        (
            "setting,municipality,value\ntfr_base,奥州市,1.5\n",
            "「奥州市」は圏域の市町ではありません",
        ),
    ],
)
def test_bad_settings_are_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "settings.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        projection_inputs.read_settings(path, REGISTRY.names)
    assert message in str(caught.value) and str(caught.value).startswith(f"{path}:2: ")


@pytest.mark.parametrize("left_out", [1, 4, 9])
def test_a_missing_survival_ratio_is_named_by_the_start_age_as_the_file_writes_it(
    tmp_path: Path, left_out: int
) -> None:
    """Rows are labelled by start age (x → x+5): the one row left out is the one named."""
    rows = ["municipality,period,sex,age_group,survival_ratio"]
    for sex in "男女":
        for index, group in enumerate(GROUPS):
            if not (sex == "女" and index == left_out):
                rows.append(f",,{sex},{agesex.AGE_LABELS[group]},0.99")
    survival = tmp_path / "survival.csv"
    survival.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        projection_inputs.read_survival(survival, ["一関市"], YEARS, GROUPS)
    periods = len(YEARS) - 1
    assert (
        f"生残率が足りません：一関市 {YEARS[0]}→{YEARS[1]}年 女 "
        f"{agesex.AGE_LABELS[GROUPS[left_out]]} など {periods} 件"
    ) in str(caught.value)


def test_a_profile_must_sum_to_one_and_survival_must_be_complete(tmp_path: Path) -> None:
    profile = tmp_path / "profile.csv"
    profile.write_text("sex,age_group,share\n男,20～24歳,0.5\n女,20～24歳,0.4\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"割合の合計が1ではありません（合計 0\.9）"):
        projection_inputs.read_profile(profile, GROUPS)
    survival = tmp_path / "survival.csv"
    survival.write_text(
        "municipality,period,sex,age_group,survival_ratio\n,,男,0～4歳,0.99\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="生残率が足りません"):
        projection_inputs.read_survival(survival, ["一関市"], YEARS, GROUPS)


def test_a_survival_file_labelled_by_destination_age_is_refused(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    lines = inputs["survival"].read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    # Labelled by destination age: the 0–4 row's ratio is printed on 5–9, and so on up.
    labels = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳以上"]
    shifted = []
    for row in rows:
        *start, label, ratio = row.split(",")
        index = labels.index(label)
        if index < len(labels) - 2:
            shifted.append(",".join([*start, labels[index + 1], ratio]))
        elif index == len(labels) - 1:
            shifted.append(row)
    only_first_missing = write(
        tmp_path / "dest0.csv",
        "\n".join([header, *[r for r in rows if ",0～4歳," not in r]]) + "\n",
    )
    with pytest.raises(DataError) as caught:
        projection_inputs.read_survival(only_first_missing, REGISTRY.names, YEARS, GROUPS)
    assert "0～4歳の行がありません。生残率は出発年齢で書きます" in str(caught.value)
    destination = write(tmp_path / "dest.csv", "\n".join([header, *shifted]) + "\n")
    with pytest.raises(DataError) as caught:
        projection_inputs.read_survival(destination, REGISTRY.names, YEARS, GROUPS)
    text = str(caught.value)
    assert "到達年齢で書かれた表" in text and "\n" not in text
    with_birth = write(
        tmp_path / "dest2.csv",
        "\n".join([header, ",,男,0～4歳,0.998", ",,女,0～4歳,0.998", *shifted]) + "\n",
    )
    with pytest.raises(DataError) as caught:
        projection_inputs.read_survival(with_birth, REGISTRY.names, YEARS, GROUPS)
    text = str(caught.value)
    assert (
        "dest2.csv:" in text
        and "90～94歳の行の生残率" in text
        and "到達年齢で書かれた表ではありませんか" in text
    )
