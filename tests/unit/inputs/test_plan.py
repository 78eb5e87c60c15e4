"""analysis.inputs.plan: the plan as editions, the register, a revised edition for one run, its
period and checks."""

from __future__ import annotations

import shutil
import tokenize
from pathlib import Path

import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import kpi_plan, plan
from analysis.model import kpi

PLAN_HEADER = "edition,label,published,replaces,first_year,last_year\n"


def edition_folder(
    target: Path, first: int = 2024, last: int = 2028, edition: str = "vision3_2025"
) -> Path:
    """A copy of the printed plan as a supplied edition folder (plan.csv and the three tables)."""
    target.mkdir(parents=True)
    for name in plan.FILES:
        shutil.copy(DATA_RAW / name, target / name)
    (target / plan.META).write_text(
        PLAN_HEADER
        + f"{edition},第3次共生ビジョン（見直し）,2025-03,vision3_2024,{first},{last}\n",
        encoding="utf-8",
    )
    return target


def errors(folder: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        kpi_plan.load_plan(folder)
    return [str(f) for f in caught.value.findings]


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- the register


def test_the_printed_plan_is_the_registered_edition_in_force() -> None:
    data = kpi_plan.load()
    assert data.edition.edition == "vision3_2024"
    assert data.years == (2024, 2025, 2026, 2027, 2028)
    # Each KPI's years are read from the transcription's headers, not from code.
    assert set(data.kpis["baseline_fiscal_year"]) == {2022}
    assert set(data.kpis["target_fiscal_year"]) == {2028}
    assert data.kpis.set_index("kpi_id").loc[
        "K02", ["baseline_value", "target_value"]
    ].tolist() == [
        10,
        15,
    ]


def test_a_later_registered_edition_is_used_by_default(raw_copy: Path) -> None:
    folder = edition_folder(raw_copy / "plan_2025", 2024, 2029)
    for line in (DATA_RAW / "budgets.csv").read_text(encoding="utf-8").splitlines():
        if ",2028," in line:
            append(folder / "budgets.csv", line.replace(",2028,", ",2029,") + "\n")
    append(
        raw_copy / plan.REGISTER,
        "vision3_2025,第3次共生ビジョン（期間延長）,2026-03,vision3_2024,2024,2029,plan_2025,\n",
    )
    data = kpi_plan.load(raw_copy)
    assert data.edition.edition == "vision3_2025"
    assert data.years[-1] == 2029


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "vision3_2025,x,2025-03,vision_9,2024,2028,.,\n",
            "plan_editions.csv:3: replaces: vision3_2025 が置き換える計画の版「vision_9」は登録されていません",
        ),
        (
            "vision3_2024,x,2025-03,,2024,2028,.,\n",
            "plan_editions.csv:3: edition: 計画の版「vision3_2024」が2回登録されています",
        ),
        (
            "vision3_2025,x,2025-03,vision3_2024,2029,2024,.,\n",
            "plan_editions.csv:3: last_year: 計画期間の最終年度（2024年度）が初年度（2029年度）より前です",
        ),
    ],
)
def test_a_bad_register_row_is_named(raw_copy: Path, row: str, message: str) -> None:
    append(raw_copy / plan.REGISTER, row)
    with pytest.raises(DataError) as caught:
        kpi_plan.load(raw_copy)
    found = [str(f) for f in caught.value.findings]
    assert any(f.endswith(message) or message in f for f in found), found


# ---------------------------------------------------------------- periods without code changes


def test_an_extension_of_the_period_to_fy2029_runs_without_code_change(tmp_path: Path) -> None:
    folder = edition_folder(tmp_path / "extended", 2024, 2029)
    rows = [
        line.replace(",2028,", ",2029,")
        for line in (DATA_RAW / "budgets.csv").read_text(encoding="utf-8").splitlines()
        if ",2028," in line
    ]
    append(folder / "budgets.csv", "\n".join(rows) + "\n")
    replace_in(folder / "kpis.csv", "target_fy2028", "target_fy2029")
    data = kpi_plan.load_plan(folder)
    assert data.years == (2024, 2025, 2026, 2027, 2028, 2029)
    assert set(data.kpis["target_fiscal_year"]) == {2029}
    actuals_file = tmp_path / "actuals.csv"
    actuals_file.write_text("kpi_id,fiscal_year,value,note\nK02,2029,15,\n", encoding="utf-8")
    actuals = kpi_plan.load_actuals(actuals_file, data.kpis, years=data.years)
    assert kpi.default_as_of(actuals, data.years) == 2029
    tables = kpi.build_tables(data, actuals, 2029)
    k02 = tables["overview"].set_index("kpi_id").loc["K02"]
    assert (k02["progress"], k02["expected_progress"], k02["grade"]) == (1.0, 1.0, "達成")
    assert sorted(tables["budgets"]["fiscal_year"].unique())[-1] == 2029
    # The printed plan still refuses FY2029.
    with pytest.raises(DataError, match="2029年度は計画期間（2024～2028年度）の外です"):
        kpi_plan.load_actuals(actuals_file, kpi_plan.load().kpis)


FOURTH_INITIATIVES = """initiative_id,policy_area,field,direction,initiative_name
1,生活機能の強化,医療,地域保健医療体制の充実,休日・夜間診療体制確保事業
2,生活機能の強化,福祉,総合的な子育て支援,子育て環境整備事業
3,結びつきやネットワークの強化,交通,地域公共交通の確保,広域バス運行事業
"""
FOURTH_KPIS = """kpi_id,initiative_id,kpi_name,unit,現状値の年度,現状値,目標年度,目標値
K01,1,休日及び夜間等に対して診療を実施した割合,%,2027,84,2033,90
K02,2,地域子育て支援拠点事業の利用者数,人,2027,10000,2033,10600
K03,3,広域バスの利用者数,人,2026,50000,2033,50000
"""


def fourth_vision(target: Path) -> Path:
    target.mkdir()
    (target / "initiatives.csv").write_text(FOURTH_INITIATIVES, encoding="utf-8")
    (target / "kpis.csv").write_text(FOURTH_KPIS, encoding="utf-8")
    budgets = ["initiative_id,fiscal_year,budget_thousand_yen"] + [
        f"{i},{y},{1000 * i + y - 2029}" for i in (1, 2, 3) for y in range(2029, 2034)
    ]
    (target / "budgets.csv").write_text("\n".join(budgets) + "\n", encoding="utf-8")
    (target / plan.META).write_text(
        PLAN_HEADER + "vision4_2029,第4次一関・平泉定住自立圏共生ビジョン,2029-03,,2029,2033\n",
        encoding="utf-8",
    )
    return target


def test_a_fourth_vision_fy2029_2033_runs_without_code_change(tmp_path: Path) -> None:
    data = kpi_plan.load_plan(fourth_vision(tmp_path / "fourth"))
    assert data.years == tuple(range(2029, 2034))
    assert data.edition.label == "第4次一関・平泉定住自立圏共生ビジョン"
    actuals_file = tmp_path / "actuals.csv"
    actuals_file.write_text(
        "KPI番号,年度,値\nK01,2031,86\nK02,2031,10200\nK03,2031,45000\n", encoding="utf-8"
    )
    actuals = kpi_plan.load_actuals(actuals_file, data.kpis, years=data.years)
    overview = kpi.build_tables(data, actuals, 2031)["overview"].set_index("kpi_id")
    # K01: 84 → 90 from FY2027 to FY2033; 86 in FY2031 is 2/6 of the way, 4/6 expected.
    assert overview.loc["K01", "progress"] == pytest.approx(2 / 6)
    assert overview.loc["K01", "expected_progress"] == pytest.approx(4 / 6)
    assert overview.loc["K01", "expected_value"] == pytest.approx(88)
    assert overview.loc["K01", "grade"] == "やや遅れ"
    assert overview.loc["K03", "direction"] == "maintain"
    assert overview.loc["K03", "progress"] == pytest.approx(0.9)
    # Outside the 4th vision's period, actuals are refused with its own years.
    actuals_file.write_text("kpi_id,fiscal_year,value\nK01,2028,85\n", encoding="utf-8")
    with pytest.raises(DataError, match="2028年度は計画期間（2029～2033年度）の外です"):
        kpi_plan.load_actuals(actuals_file, data.kpis, years=data.years)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # A KPI whose initiative is not in the edition.
        ("kpis.csv", "K03,3,", "K03,9,",
         "kpis.csv:4: initiative_id: 成果指標の取組番号 9 が、この計画の取組（initiatives.csv）にありません"),
        # A budget year outside the period.
        ("budgets.csv", "3,2033,", "3,2034,",
         "budgets.csv:16: fiscal_year: 事業費の年度 2034年度は計画期間（2029～2033年度）の外です"),
        # A duplicated initiative.
        ("initiatives.csv", "3,結びつき", "2,結びつき",
         "initiatives.csv:4: initiative_id: 取組番号 2 が2回あります（取組は1行に1つ）"),
        # A target year before the baseline.
        ("kpis.csv", "2027,10000,2033", "2027,10000,2026",
         "kpis.csv:3: 目標年度: 目標年度（2026年度）が現状値の年度（2027年度）より後ではありません"),
        ("kpis.csv", "K03,3,", "K02,3,", "kpis.csv:4: kpi_id: KPI番号 K02 が2回あります"),
        ("budgets.csv", "3,2033,", "4,2033,",
         "budgets.csv:16: initiative_id: 事業費の取組番号 4 が、この計画の取組（initiatives.csv）にありません"),
        ("budgets.csv", "3,2033,", "3,2032,",
         "budgets.csv:16: fiscal_year: 取組3 の 2032年度の事業費が2回あります"),
        ("kpis.csv", "2027,84,", "2027,八十四,", "kpis.csv:2: 現状値: 「八十四」は数値として読めません"),
    ],
)  # fmt: skip
def test_a_bad_edition_gets_one_line_naming_file_row_and_column(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = fourth_vision(tmp_path / "fourth")
    replace_in(folder / file, old, new)
    found = errors(folder)
    assert any(line.endswith(message) for line in found), found
    assert all("\n" not in line for line in found)


def test_the_transcription_headers_name_the_cell_as_written(tmp_path: Path) -> None:
    folder = edition_folder(tmp_path / "revised")
    replace_in(folder / "kpis.csv", "K02,2,医師・医療介護従事者修学資金貸付修学者のうち、市内就職者数,人,10,15",
               "K02,2,医師・医療介護従事者修学資金貸付修学者のうち、市内就職者数,人,十,15")  # fmt: skip
    assert any(
        "kpis.csv:3: baseline_fy2022: 「十」は数値として読めません" in line
        for line in errors(folder)
    )


def test_a_supplied_edition_needs_its_files(tmp_path: Path) -> None:
    folder = edition_folder(tmp_path / "revised")
    (folder / "budgets.csv").unlink()
    assert any("budgets.csv: -: 計画の版に budgets.csv がありません" in e or
               "計画の版に budgets.csv がありません" in e for e in errors(folder))  # fmt: skip
    file = tmp_path / "plan.csv"
    file.write_text(PLAN_HEADER, encoding="utf-8")
    assert any("計画の版はフォルダーで指定してください" in e for e in errors(file))


def test_actuals_for_an_unknown_kpi_of_the_edition_are_refused(tmp_path: Path) -> None:
    data = kpi_plan.load_plan(fourth_vision(tmp_path / "fourth"))
    actuals_file = tmp_path / "a.csv"
    actuals_file.write_text("kpi_id,fiscal_year,value\nK04,2030,1\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        kpi_plan.load_actuals(actuals_file, data.kpis, years=data.years)
    assert [str(f) for f in caught.value.findings] == [
        f"{actuals_file}:2: kpi_id: KPI番号「K04」は登録されていません（計画の kpis.csv の成果指標にありません）"
    ]


def test_no_plan_year_is_written_in_the_plan_code() -> None:
    """No number literal that could be a fiscal year in the KPI and plan modules."""
    for module in (kpi, kpi_plan, plan):
        with open(str(module.__file__), "rb") as source:
            numbers = [
                token.string
                for token in tokenize.tokenize(source.readline)
                if token.type == tokenize.NUMBER
            ]
        assert [n for n in numbers if 1990 <= float(n) <= 2100] == [], module.__name__


# ---------------------------------------------------------------- what changed (比較表)

EXAMPLE = DATA_RAW / "examples" / "plan_revised_example"


def test_missing_columns_are_named_in_the_order_required_as_the_header_writes_them() -> None:
    found = plan.missing_columns(
        "kpis.csv", ["kpi_id"], ("kpi_id", "unit", "baseline_fy2022"), {"baseline_fy2022": "現状値"}
    )
    assert [str(f) for f in found] == [
        "kpis.csv:1: unit: 列「unit」がありません（計画の版の表に必要な列です）",
        "kpis.csv:1: 現状値: 列「現状値」がありません（計画の版の表に必要な列です）",
    ]
    assert plan.missing_columns("kpis.csv", ["kpi_id", "unit"], ("kpi_id", "unit")) == []


@pytest.mark.parametrize(
    ("file", "header", "renamed"),
    [
        ("initiatives.csv", "initiative_id,policy_area,field,", "initiative_id,policy_area,area,"),
        ("kpis.csv", "kpi_name,unit,", "kpi_name,tani,"),
        ("budgets.csv", ",budget_thousand_yen,", ",budget,"),
    ],
)
def test_an_edition_table_without_a_required_column_names_it_on_its_header_line(
    tmp_path: Path, file: str, header: str, renamed: str
) -> None:
    folder = edition_folder(tmp_path / "revised")
    replace_in(folder / file, header, renamed)
    column = {"initiatives.csv": "field", "kpis.csv": "unit", "budgets.csv": "budget_thousand_yen"}
    expected = f"{file}:1: {column[file]}: 列「{column[file]}」がありません"
    assert any(expected in line for line in errors(folder)), errors(folder)
