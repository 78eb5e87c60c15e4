"""analysis.inputs.agesex: the age × sex reader (the IPSS workbook, tidy files, census series), its
refusals and its cohort checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import agesex
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.io import InputError
from analysis.run import tables
from analysis.run.options import Options
from tests.workbooks import (
    CODES,
    GROUPS,
    YEARS,
    published_workbook,
    tidy_csv,
)

REGISTRY = read_municipality_registry()
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


# ---------------------------------------------------------------- scenario names and labels

SCENARIO_HEADER = "scenario,label,assumption,year,value\n"


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


REAL = (
    Path(__file__).resolve().parents[2] / "reference" / "ipss2018_agesex_ichinoseki_hiraizumi.csv"
)
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


def settings_with_tfr(folder: Path) -> Path:
    text = (DATA_RAW / "projection_settings.csv").read_text(encoding="utf-8")
    text = text.replace("tfr_base,一関市,,", "tfr_base,一関市,1.45,").replace(
        "tfr_base,平泉町,,", "tfr_base,平泉町,1.38,"
    )
    return write(folder / "settings.csv", text)


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


def test_the_published_workbook_is_read_by_labels_with_decoys_and_repeated_rows(
    workbook: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    loaded = agesex.load(workbook, edition="ipss", registry=REGISTRY)
    assert loaded.errors == []
    assert loaded.groups == GROUPS
    assert set(loaded.frame["municipality"]) == {"一関市", "平泉町"}
    assert len(loaded.frame) == 2 * len(YEARS) * 2 * len(GROUPS)
    frame = loaded.frame.set_index(["municipality", "year", "sex", "age_group"])["population"]
    assert frame[("平泉町", 2035, "female", "90-94")] == edition["平泉町"][3][1][18]
    assert frame[("一関市", 2050, "male", "95+")] == edition["一関市"][6][0][19]
    notes = [str(f) for f in loaded.findings if f.severity == "note"]
    assert notes == [
        f"{workbook}:-: -: 参考: 圏域外の市町村などのシート 2 枚を読み飛ばしました（例：3000_岩手県、3201_盛岡市）"
    ]
    warnings = [str(f) for f in loaded.findings if f.severity == "warning"]
    assert warnings[0].startswith(
        f"{workbook}[3209_一関市]!B6: 男女計 2020: 警告: 一関市 2020年 男女計："
    )
    assert "37人少なく、年齢不詳と考えられます" in warnings[0]


def test_the_tidy_layout_reads_the_same_numbers(
    tmp_path: Path, workbook: Path, edition: dict
) -> None:  # type: ignore[type-arg]
    published = agesex.load(workbook, edition="x", registry=REGISTRY)
    tidy = agesex.load(tidy_csv(tmp_path / "tidy.csv", edition), edition="x", registry=REGISTRY)
    assert tidy.errors == []
    assert tidy.frame["population"].tolist() == published.frame["population"].tolist()


def test_a_bad_cell_names_file_sheet_and_cell(tmp_path: Path, edition: dict) -> None:  # type: ignore[type-arg]
    path = published_workbook(
        tmp_path / "03.xlsx", edition, CODES, edit={("3402_平泉町", "C9"): "約5千"}
    )
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    assert [str(f) for f in loaded.errors] == [
        f"{path}[3402_平泉町]!C9: 男女計 2025: 「約5千」は人数として読めません"
    ]


def test_a_missing_sheet_is_an_error(tmp_path: Path, edition: dict) -> None:  # type: ignore[type-arg]
    only = {"一関市": edition["一関市"]}
    path = published_workbook(tmp_path / "03.xlsx", only, CODES)
    errors = [str(f) for f in agesex.load(path, edition="x", registry=REGISTRY).errors]
    assert errors == [
        f"{path}:-: -: 圏域の市町のデータがありません：平泉町（03402）（市町村コードまたは名称のシートか行が必要です）"
    ]


def test_sexes_that_do_not_add_up(tmp_path: Path, edition: dict) -> None:  # type: ignore[type-arg]
    # K8 is 男 2020 5～9歳 of 一関市: the 男女計 block no longer equals 男 + 女.
    path = published_workbook(tmp_path / "03.xlsx", edition, CODES, edit={("3209_一関市", "K8"): 1})
    errors = [str(f) for f in agesex.load(path, edition="x", registry=REGISTRY).errors]
    assert any(
        e.startswith(f"{path}[3209_一関市]!B8: 男女計 2020: 一関市 2020年 5～9歳：男＋女＝")
        and "ですが、男女計は" in e
        for e in errors
    ), errors
    # In the census year a sum below 総数 is read as people of unknown age: a warning.
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    assert any(f.check == "unknown-age-gap" and "男" in f.message for f in loaded.findings)


def test_a_missing_age_row_is_named(tmp_path: Path, edition: dict) -> None:  # type: ignore[type-arg]
    path = tidy_csv(tmp_path / "tidy.csv", edition)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line for line in lines if not line.startswith("平泉町,2040,女,50～54歳")) + "\n",
        encoding="utf-8",
    )
    errors = [str(f) for f in agesex.load(path, edition="x", registry=REGISTRY).errors]
    assert errors == [
        f"{path}:-: -: 1 件の組み合わせの値がありません：平泉町 2040年 女 50～54歳（市町・年・男女・年齢階級のすべてが必要です）"
    ]


# ---------------------------------------------------------------- census files with 年齢不詳


def census_series(
    path: Path, edition: dict, unknown: dict[str, int], total_offset: int = 0
) -> Path:  # type: ignore[type-arg]
    """A census series as a statistics office gives it: every year with 総数 and 年齢不詳 rows
    by sex (``unknown`` people of unknown age per municipality and sex, every year)."""
    tidy_csv(path, edition)
    lines = path.read_text(encoding="utf-8").splitlines()
    for municipality, years in edition.items():
        for year, values in zip(YEARS, years, strict=True):
            for sex, label in enumerate(("男", "女")):
                count = unknown.get(municipality, 0)
                total = sum(values[sex]) + count + (total_offset if year == 2030 else 0)
                lines.append(f"{municipality},{year},{label},年齢不詳,{count}")
                lines.append(f"{municipality},{year},{label},総数,{total}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_census_series_with_unknown_age_rows_is_read_naming_the_gap(
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    path = census_series(tmp_path / "census.csv", edition, {"一関市": 120, "平泉町": 7})
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    assert loaded.errors == [], loaded.errors
    assert not [f for f in loaded.findings if f.severity == "warning"]
    named = [f.message for f in loaded.findings if f.check == "unknown-age-rows"]
    assert len(named) == 2 * len(YEARS) * 2  # every municipality, year and sex
    assert any(
        m.startswith("一関市 2045年 女：年齢階級の合計")
        and "差は、ファイルの年齢不詳の行の120人です" in m
        for m in named
    ), named
    off = census_series(tmp_path / "off.csv", edition, {"一関市": 120}, total_offset=5)
    errors = [f.message for f in agesex.load(off, edition="x", registry=REGISTRY).errors]
    assert any("年齢不詳120人の和は" in e and "2030年" in e for e in errors), errors


def test_unknown_age_is_distributed_in_proportion_when_the_file_is_a_base(
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:

    path = census_series(tmp_path / "census.csv", edition, {"一関市": 120, "平泉町": 7})
    loaded = agesex.load(path, edition="x", registry=REGISTRY)
    spread, notes = agesex.distribute_unknown(loaded)
    keys = ["municipality", "year", "sex"]
    totals = loaded.totals.set_index(keys)["population"]
    summed = spread.groupby(keys)["population"].sum()
    assert np.allclose(summed.to_numpy(), totals.reindex(summed.index).to_numpy())
    ratio = spread["population"] / loaded.frame["population"]
    by_group = ratio.groupby([loaded.frame[k] for k in keys]).agg(["min", "max"]).dropna()
    assert np.allclose(by_group["min"], by_group["max"]), "the same factor for every age"
    assert len(notes) == 2 * len(YEARS)
    projected = tables.projections(Options(age_sex=path), tables.population_data())
    assert projected is not None
    said = [f.message for f in projected.notes if f.check == "unknown-age-distributed"]
    assert said[0] == (
        "一関市の2020年の年齢不詳240人を、社人研が基準人口を作るときと同じく、"
        "年齢別の人数に比例して男女・年齢階級に配分しました"
    )
    start = projected.results.base.population[0].sum(axis=(1, 2))
    assert np.allclose(
        start, [sum(map(sum, edition[m][0])) + 2 * u for m, u in (("一関市", 120), ("平泉町", 7))]
    )


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
