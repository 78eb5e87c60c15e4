"""Projections by sex and age through whole runs: the reports, the notebooks, the shipped editions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION
from analysis.inputs import agesex
from analysis.model import scenarios
from tests.conftest import TEST_CELL_TIMEOUT, Project, run_notebook
from tests.unit.inputs.test_projection_inputs import SETTINGS_HEADER, write
from tests.workbooks import CODES, published_workbook, settings_file, survival_file

# ---------------------------------------------------------------- the report and the outputs


def test_reports_with_age_sex_data_then_without(
    project: Project,
    workbook: Path,
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    settings_path = settings_file(tmp_path, settler_target_population="圏域,120000")
    result = project.cli(
        "reports", "--age-sex", str(workbook), "--survival", str(survival_file(tmp_path)),
        "--projection-settings", str(settings_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert project.non_finite() == [], "every number in every output is finite"
    html = (project.reports / "projection.html").read_text(encoding="utf-8")
    for heading in ("人口ピラミッド", "総人口と年齢3区分の推移", "自然増減・社会増減の影響度", "人口減少段階",
                    "目標人口に必要な転入超過", "算出方法"):  # fmt: skip
        assert heading in html
    assert (
        "2040年に圏域120,000人とするには、パターン1の純移動（社人研の推計が見込む転出入）に加えて、5年ごとに約"
        in html
    )
    assert (project.reports / "figures" / "projection_pyramid_圏域.svg").exists()
    columns = {
        "projection": "scenario,municipality,year,sex,age_group,population",
        "projection_influence": "municipality,year,natural_pct,natural_level,social_pct,social_level",
        "projection_settlers": (
            "municipality,target_year,target_population,projected_without,surplus_people,"
            "settlers_per_period,settlers_per_year"
        ),
    }
    for name, header in columns.items():
        raw = (project.processed / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf" + header.encode()), name
    frame = pd.read_csv(project.processed / "projection.csv")
    assert set(frame["scenario"]) == set(scenarios.SCENARIOS)
    # パターン1 in the published CSV agrees with the independent loops that made the workbook.
    pattern1 = frame[(frame["scenario"] == "pattern1") & (frame["municipality"] == "平泉町")]
    expected = [value for year in edition["平泉町"] for sex in year for value in sex]
    assert np.abs(pattern1["population"].to_numpy() - np.array(expected)).max() < 0.01
    assert "男女・5歳階級別データ：提供された男女・5歳階級別データによる将来推計" in (
        project.reports / "population.html"
    ).read_text(encoding="utf-8")

    assert {"将来推計（男女・5歳階級）", "影響度", "転入超過の必要数"} <= set(
        openpyxl.load_workbook(project.reports / "tables.xlsx", read_only=True).sheetnames
    )
    # Without age × sex data (the shipped 2018 edition unregistered) the report goes away.
    unregister_age_sex(project.raw)
    restored = project.cli("reports")
    assert restored.returncode == 0
    assert "reports/projection.html とその図を削除しました" in restored.stdout
    assert not (project.reports / "projection.html").exists()
    assert not list((project.reports / "figures").glob("projection_pyramid_*"))
    assert not list((project.reports / "figures").glob("projection_paths_*"))
    assert not (project.processed / "projection.csv").exists()
    assert "男女・5歳階級別データ：ありません" in (project.reports / "population.html").read_text(
        encoding="utf-8"
    )


def test_a_bad_age_sex_file_stops_the_run_and_changes_nothing(
    project: Project,
    tmp_path: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    before = project.snapshot()
    path = published_workbook(
        tmp_path / "03.xlsx", edition, CODES, edit={("3402_平泉町", "C9"): "約5千"}
    )
    result = project.cli("reports", "--age-sex", str(path))
    assert result.returncode == 1
    assert f"{path}[3402_平泉町]!C9: 男女計 2025: 「約5千」は人数として読めません" in result.stdout
    assert project.snapshot() == before


def test_the_exploration_notebook_runs_with_age_sex_data(workbook: Path, tmp_path: Path) -> None:
    from analysis.core.paths import NOTEBOOKS
    from analysis.run import execution

    report = execution.Report(
        "scenarios",
        NOTEBOOKS / "explore" / "scenarios.py",
        {
            "age_sex_path": str(workbook),
            "survival_path": str(survival_file(tmp_path)),
            "area": "平泉町",
            "scenario_file": str(tmp_path / "mine.csv"),
        },
    )
    executed = run_notebook(report, tmp_path, TEST_CELL_TIMEOUT)
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the pyramid and the totals are drawn"
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) >= 2, "the sliders and the button that writes the scenario rows"


# ---------------------------------------------------------------- the shipped real editions


def test_make_reports_writes_all_four_reports_from_the_shipped_real_editions(
    built_project: Project,
) -> None:
    """`make reports` on a clean copy: projection.html from the registered IPSS 2018 age × sex
    figures, パターン1 equal to them in every cell; revision.html comparing 2018 → 2023."""
    for name in ("population", "kpi", "revision", "projection"):
        assert (built_project.reports / f"{name}.html").exists(), name
    shipped = pd.read_csv(DATA_RAW / "ipss_2018_agesex.csv")
    assert len(shipped) == 532
    frame = pd.read_csv(built_project.processed / "projection.csv")
    pattern1 = frame[(frame["scenario"] == "pattern1") & (frame["municipality"] != REGION)]
    sexes = {"男": "male", "女": "female"}
    ages = {label: group for group, label in agesex.AGE_LABELS.items()}
    expected = shipped.assign(
        sex=shipped["男女"].map(sexes), age_group=shipped["年齢階級"].map(ages)
    ).rename(columns={"市町村": "municipality", "年": "year", "人口": "expected"})
    joined = pattern1.merge(expected, on=["municipality", "year", "sex", "age_group"])
    assert len(joined) == len(pattern1) == 532
    assert (joined["population"] - joined["expected"]).abs().max() < 1e-6
    assert {"sim1", "settlers"} <= set(frame["scenario"]), "tfr_base is shipped with its source"
    html = (built_project.reports / "projection.html").read_text(encoding="utf-8")
    assert (
        "シミュレーション2は計算していません（移動がない場合の生残率が与えられていないため）"
        in html
    )
    # the council's words: no option, column or setting names in the report
    assert not [w for w in ("--survival", "survival_ratio", "tfr_base") if w in html]
    revision = (built_project.reports / "revision.html").read_text(encoding="utf-8")
    assert "社人研推計（2023年12月公表）" in revision and "社人研推計（2018年3月公表）" in revision
    assert "国勢調査の年の違い" in revision
    assert "推計の改訂ではなく、基準とした国勢調査の数値の違いです" in revision


def test_the_plans_2020_figures_are_checked_against_the_census_of_the_2023_edition(
    built_project: Project,
) -> None:
    findings = pd.read_csv(built_project.processed / "population_findings.csv")
    census = findings[findings["check"] == "census-disagreement"]["message"].tolist()
    assert any(
        "2020年はどちらも国勢調査の値ですが、一関市の値が社人研推計（2018年3月公表）と社人研推計（2023年12月公表）で違います"
        in m
        and "年少人口（0～14歳） 11,563人 → 11,600人（+37人）" in m
        and "生産年齢人口（15～64歳） 58,370人 → 58,884人（+514人）" in m
        and "老年人口（65歳以上） 41,999人 → 41,448人（-551人）" in m
        and "「国勢調査による高齢化率（2020年） 37.6%」は、国勢調査の値では37.18%です" in m
        for m in census
    ), census
    assert not any("平泉町" in m.split("：")[0] for m in census), "平泉町 agrees exactly"
    html = (built_project.reports / "population.html").read_text(encoding="utf-8")
    assert "国勢調査の値では37.18%です" in html
    # The text's figures about the 2023 edition (81,037; 46.7%) are checked against it: they agree.
    assert not findings["message"].str.contains("社人研推計（2023年12月公表）2040年").any()


def test_the_readmes_vision_procedure_works_on_the_shipped_data(project: Project) -> None:
    """README 「将来展望を作る」 as written, on the shipped data: scenarios, a vision from one,
    compared with the パターン1 of its own data, then registered with one editions.csv row."""
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    example = "data\\raw\\examples\\scenarios_without_survival_example.csv"
    assert f"py tasks.py reports --scenarios {example} --vision-from-scenario national" in readme
    scenarios_file = example.replace("\\", "/")
    first = project.cli("reports", "--scenarios", scenarios_file)
    assert first.returncode == 0, first.stdout
    made = project.cli(
        "reports", "--scenarios", scenarios_file, "--vision-from-scenario", "national"
    )
    assert made.returncode == 0, made.stdout
    comparison = pd.read_csv(project.processed / "population_comparison.csv")
    region = comparison[(comparison["municipality"] == REGION) & (comparison["year"] == 2028)
                        & (comparison["age_group"] == "total")].iloc[0]  # fmt: skip
    assert region["baseline"] == "projection_supplied"
    assert 1.0 < region["ratio"] < 1.02, "the vision beside its own パターン1, not the 2023 edition"
    html = (project.reports / "population.html").read_text(encoding="utf-8")
    assert (
        "パターン1（社人研 日本の地域別将来推計人口（平成30(2018)年推計）男女・5歳階級別から再計算）"
        in html
    )
    line = next(
        text
        for text in readme.splitlines()
        if text.strip().startswith("（例：`vision_2025,vision,") and "将来展望人口" in text
    )
    row = line.split("`")[1]
    (project.raw / "population_vision_2025.csv").write_bytes(
        (project.processed / "vision_from_scenario.csv").read_bytes()
    )
    with (project.raw / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    registered = project.cli("reports")
    assert registered.returncode == 0, registered.stdout
    html = (project.reports / "population.html").read_text(encoding="utf-8")
    assert "一関市・平泉町 人口ビジョン 将来展望人口（2025年改訂）" in html


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
