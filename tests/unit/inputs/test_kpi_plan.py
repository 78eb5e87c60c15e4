"""analysis.inputs.kpi_plan: the plan edition and the source's notes read against the source,
the KPI actuals as input, the transcription checked against the print, the edition replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.inputs import kpi_plan
from analysis.inputs.kpi_plan import KpiData
from analysis.model import kpi
from tests.unit.inputs.test_data import edit, xlsx
from tests.unit.inputs.test_plan import EXAMPLE, fourth_vision, replace_in


@pytest.fixture(scope="module")
def data() -> KpiData:
    return kpi_plan.load()


def test_32_initiatives_and_33_kpis(data: KpiData) -> None:
    assert list(data.initiatives["initiative_id"]) == list(range(1, 33))
    assert len(data.kpis) == 33
    assert data.kpis["kpi_id"].is_unique
    two = data.kpis.groupby("initiative_id").size()
    assert two[two > 1].to_dict() == {23: 2}
    assert sorted(data.kpis.loc[data.kpis["cumulative"], "kpi_id"]) == [
        "K10",
        "K13",
        "K15",
        "K17",
        "K21",
        "K31",
    ]


def test_each_initiatives_five_budgets_match_the_row_the_source_prints(data: KpiData) -> None:
    printed = data.initiatives.set_index("initiative_id")["budget_as_printed"]
    tidy = data.budgets.pivot(
        index="initiative_id", columns="fiscal_year", values="budget_thousand_yen"
    )
    assert list(tidy.columns) == [2024, 2025, 2026, 2027, 2028]
    for initiative, row in tidy.iterrows():
        as_printed = [float(v.replace(",", "")) for v in printed[initiative].split()]
        assert list(row) == as_printed, initiative
        assert row.sum() == sum(as_printed)


@pytest.mark.parametrize(
    ("kpi_id", "baseline", "target", "unit"),
    [
        ("K01", 84, 84, "%"),
        ("K02", 10, 15, "人"),
        ("K03", 563, 511, "人"),
        ("K04", 10_778, 10_162, "人"),
        ("K05", 373, 400, "人"),
        ("K06", 59, 79, "人"),
        ("K07", 0, 500, "人"),
        ("K08", 13_981, 121_700, "人回"),
        ("K09", 1_130, 2_000, "人"),
        ("K10", 170, 260, "人"),
        ("K11", 85_000, 120_000, "人"),
        ("K12", 446, 630, "人"),
        ("K13", 42, 77, "社"),
        ("K14", 0, 40, "%"),
        ("K15", 18, 38, "件"),
        ("K16", 82, 96, "%"),
        ("K17", 36, 55, "人"),
        ("K18", 42, 37, "回"),
        ("K19", 79, 88, "%"),
        ("K20", 67.1, 70.1, "%"),
        ("K21", 4, 34, "回"),
        ("K22", 95, 100, "%"),
        ("K23a", 28_108, 29_000, "人/年"),
        ("K23b", 10, 15, "%"),
        ("K24", 5_035, 12_000, "人"),
        ("K25", 102.9, 108, "%"),
        ("K26", 600, 1_110, "台"),
        ("K27", 57.4, 58.1, "%"),
        ("K28", 368, 384, "事業"),
        ("K29", 62, 80, "人"),
        ("K30", 207, 210, "人"),
        ("K31", 15, 39, "組"),
        ("K32", 47, 100, "人"),
    ],
)
def test_every_baseline_and_target_equals_the_source(
    data: KpiData, kpi_id: str, baseline: float, target: float, unit: str
) -> None:
    row = data.kpis.set_index("kpi_id").loc[kpi_id]
    assert (row["baseline_value"], row["target_value"], row["unit"]) == (baseline, target, unit)


def test_names_that_differ_between_diagram_and_block_are_both_kept(data: KpiData) -> None:
    differ = data.initiatives[
        data.initiatives["initiative_name"] != data.initiatives["name_in_block"]
    ]
    assert dict(zip(differ["initiative_id"], differ["name_in_block"], strict=True)) == {
        17: "起業・創業支援事業",
        20: "地元学学習事業",
        26: "主要幹線道路等整備促進事業",
    }


# ------------------------------------------------------------ actuals input


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_actuals_template_is_valid_and_empty(data: KpiData) -> None:
    template = DATA_RAW / "kpi_actuals.csv"
    assert template.read_text(encoding="utf-8").splitlines()[0] == "kpi_id,fiscal_year,value,note"
    assert kpi_plan.load_actuals(template, data.kpis).empty


def test_partly_and_fully_filled_actuals(data: KpiData, tmp_path: Path) -> None:
    lines = ["kpi_id,fiscal_year,value,note", "K02,2024,11,", 'K08,2024,"20,000",速報値']
    partial = kpi_plan.load_actuals(write(tmp_path / "a.csv", "\n".join(lines) + "\n"), data.kpis)
    tables = kpi.build_tables(data, partial, 2024)
    grades = tables["overview"].set_index("kpi_id")["grade"]
    assert (grades == "未報告").sum() == 31
    full = "\n".join(
        ["kpi_id,fiscal_year,value,note"]
        + [
            f"{k},2024,{b},"
            for k, b in zip(data.kpis["kpi_id"], data.kpis["target_value"], strict=True)
        ]
    )
    everything = kpi_plan.load_actuals(write(tmp_path / "b.csv", full + "\n"), data.kpis)
    grades = kpi.build_tables(data, everything, 2024)["overview"]["grade"]
    assert (grades == "達成").all()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("K99,2024,5,", "a.csv:3: kpi_id: KPI番号「K99」は登録されていません"),
        ("K02,2030,5,", "a.csv:3: fiscal_year: 2030年度は計画期間（2024～2028年度）の外です"),
        ("K02,2022,5,", "a.csv:3: fiscal_year: 2022年度は計画期間（2024～2028年度）の外です"),
        ("K02,2025,十一,", "a.csv:3: value: 「十一」は数値として読めません"),
        (
            "K02,2024,12,",
            "a.csv:3: fiscal_year: K02 の 2024年度の実績が2回あります（最初は 2 行目）",
        ),
        # Values the unit does not allow: a share above 100%, a negative count.
        (
            "K16,2025,850,",
            "a.csv:3: value: 850% は割合として 100% を超えています（K16：高校生を対象とした",
        ),
        ("K02,2025,-3,", "a.csv:3: value: -3人 は負の値です（K02：医師・医療介護従事者"),
    ],
)
def test_bad_actuals_name_file_line_and_column(
    data: KpiData, tmp_path: Path, row: str, message: str
) -> None:
    path = write(tmp_path / "a.csv", f"kpi_id,fiscal_year,value,note\nK02,2024,11,\n{row}\n")
    with pytest.raises(DataError) as caught:
        kpi_plan.load_actuals(path, data.kpis)
    assert message in str(caught.value)


def test_wide_actuals_with_japanese_headers(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "actuals.xlsx",
        [["KPI実績（令和7年度報告）"], ["KPI番号", "成果指標", "2024年度", "令和7年度", "備考"],
         ["K02", "市内就職者数", 11, 12, "速報値"], ["k8", "外国人観光入込客数", "20,000", None, None]],
    )  # fmt: skip
    actuals = kpi_plan.load_actuals(path, kpi_plan.load().kpis)
    assert actuals[["kpi_id", "fiscal_year", "value"]].values.tolist() == [
        ["K02", 2024, 11.0],
        ["K02", 2025, 12.0],
        ["K08", 2024, 20000.0],
    ]


def kpi_errors(raw_dir: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        kpi_plan.load(raw_dir)
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


# ---------------------------------------------------------------- the edition replaced


def test_the_edition_replaced_is_read_from_the_register(data: KpiData) -> None:
    older = kpi_plan.previous(kpi_plan.load_plan(EXAMPLE))
    assert older is not None and older.edition.edition == "vision3_2024"
    assert older.years == (2024, 2025, 2026, 2027, 2028) and len(older.initiatives) == 32
    assert kpi_plan.previous(data) is None  # the printed plan replaces none


def test_an_edition_replacing_an_unregistered_one_is_named_on_its_plan_file(tmp_path: Path) -> None:
    folder = fourth_vision(tmp_path / "fourth")
    replace_in(folder / "plan.csv", ",2029-03,,", ",2029-03,vision_9,")
    with pytest.raises(DataError) as caught:
        kpi_plan.previous(kpi_plan.load_plan(folder))
    assert [str(f) for f in caught.value.findings] == [
        f"{folder}/plan.csv:2: replaces: vision4_2029 が置き換える計画の版「vision_9」は登録されていません"
    ]
