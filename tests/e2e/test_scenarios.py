"""Scenarios through whole runs and the exploration notebook: a vision made from one, bad files
refused with nothing changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.paths import NOTEBOOKS
from analysis.inputs.scenario_specs import read_scenarios
from analysis.run import tables
from analysis.run.options import Options
from tests.conftest import Project
from tests.e2e.test_projection import unregister_age_sex
from tests.unit.model.test_scenarios import EXAMPLE, HEADER, register_two_age_sex_editions, write
from tests.workbooks import settings_file

# ---------------------------------------------------------------- the run


def test_a_run_with_scenarios_and_a_vision_made_from_one(
    project: Project, inputs: dict[str, Path]
) -> None:
    arguments = (
        "reports", "--age-sex", str(inputs["workbook"]), "--survival", str(inputs["survival"]),
        "--projection-settings", str(inputs["settings"]), "--scenarios", str(EXAMPLE),
        "--vision-from-scenario", "national",
    )  # fmt: skip
    result = project.cli(*arguments)
    assert result.returncode == 0, result.stdout
    assert project.non_finite() == []
    frame = pd.read_csv(project.processed / "projection.csv")
    assert {"national", "halved", "balanced", "programme", "target"} <= set(frame["scenario"])
    national = frame[frame["scenario"] == "national"]
    assert national["year"].max() == 2070
    assert set(national.loc[national["extended"], "year"]) == {2055, 2060, 2065, 2070}
    vision = pd.read_csv(project.processed / "vision_from_scenario.csv", encoding="utf-8-sig")
    assert list(vision.columns) == ["municipality", "year", "age_group", "population"]
    population_html = (project.reports / "population.html").read_text(encoding="utf-8")
    assert "展望：<strong>将来展望（国の長期ビジョンの出生率）</strong>" in population_html
    assert (
        "市町独自のシナリオ「国の長期ビジョンの出生率」の推計（男女・5歳階級別）から作成"
        in population_html
    )
    projection_html = (project.reports / "projection.html").read_text(encoding="utf-8")
    assert "将来展望（市町独自のシナリオ）" in projection_html
    assert "「国の長期ビジョンの出生率」：2040年の圏域の人口は" in projection_html
    assert (project.reports / "figures" / "projection_vision_paths.svg").exists()
    again = project.cli(*arguments)
    assert again.returncode == 0 and "すべての報告書は最新です" in again.stdout, again.stdout
    # Registering it is one copy (README's last step): the written file, as it is, becomes
    # the registered vision, and every report uses it.
    shutil.copy(
        project.processed / "vision_from_scenario.csv", project.raw / "population_vision_2025.csv"
    )
    with (project.raw / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "vision_2025,vision,一関市・平泉町 人口ビジョン 将来展望人口（2025年改訂）,2026-03,"
            "population_vision_2025.csv,vision_2024,出典,人口ビジョン（2026年3月）\n"
        )
    registered = project.cli("reports")
    assert registered.returncode == 0, registered.stdout
    html = (project.reports / "population.html").read_text(encoding="utf-8")
    assert "展望：<strong>一関市・平泉町 人口ビジョン 将来展望人口（2025年改訂）</strong>" in html


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (
            ("--vision-from-scenario", "nope"),
            1,
            "シナリオ「nope」はありません（計算したシナリオ：pattern1、",
        ),
        (
            ("--vision-from-scenario", "national", "--vision", str(EXAMPLE)),
            2,
            "--vision と同時には使えません",
        ),
    ],
)
def test_vision_from_scenario_mistakes_are_one_line(
    project: Project, inputs: dict[str, Path], extra: tuple[str, ...], code: int, message: str
) -> None:
    before = project.snapshot()
    result = project.cli(
        "reports", "--age-sex", str(inputs["workbook"]), "--survival", str(inputs["survival"]),
        "--projection-settings", str(inputs["settings"]), "--scenarios", str(EXAMPLE), *extra,
    )  # fmt: skip
    assert result.returncode == code, result.stdout
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert project.snapshot() == before


def test_a_bad_scenario_file_stops_the_run_and_changes_nothing(
    project: Project, inputs: dict[str, Path], tmp_path: Path
) -> None:
    before = project.snapshot()
    bad = write(tmp_path, "scen.csv", HEADER + "a,A,tfr,2030,9\n")
    result = project.cli(
        "reports", "--age-sex", str(inputs["workbook"]), "--projection-settings",
        str(inputs["settings"]), "--scenarios", str(bad),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert (
        "scen.csv:2: value: 「9」は使えません（合計特殊出生率は0.5より大きく5以下）"
        in result.stdout
    )
    assert result.stderr == "", "nothing but the one line: no note from the stopped notebooks"
    assert project.snapshot() == before
    wrong_kind = project.cli(
        "reports", "--age-sex", str(inputs["workbook"]), "--scenarios", str(inputs["settings"]),
    )  # fmt: skip
    assert wrong_kind.returncode == 1 and "「setting」は使える列ではありません" in wrong_kind.stdout
    # The shipped age × sex edition has no survival ratios: the example's migration rows need them.
    shipped = project.cli("reports", "--scenarios", str(EXAMPLE))
    assert shipped.returncode == 1 and "生残率（--survival ファイル）が必要です" in shipped.stdout

    unregister_age_sex(project.raw)
    without = project.cli("reports", "--scenarios", str(EXAMPLE))
    assert without.returncode == 2 and "--scenarios" in without.stdout


def test_the_revision_report_shows_both_pyramids(project: Project, tmp_path: Path) -> None:
    register_two_age_sex_editions(project.raw, tmp_path)
    result = project.cli("reports")
    assert result.returncode == 0, result.stdout
    html = (project.reports / "revision.html").read_text(encoding="utf-8")
    assert "男女・5歳階級別の比較" in html
    assert "最後の年齢階級が違うため（90歳以上と95歳以上）、90歳以上にまとめて比べます。" in html
    assert (project.reports / "figures" / "revision_pyramid_ipss_r5_圏域.svg").exists()
    assert (project.processed / "revision_age_sex.csv").exists()
    assert project.non_finite() == []


# ---------------------------------------------------------------- the exploration notebook's own code


def run_exploration_notebook(**parameters: object) -> dict[str, object]:
    """Execute notebooks/explore/scenarios.py's own cells as papermill would: its parameters cell, then
    the given values, then every other cell (in this process, with a non-interactive backend)."""
    import matplotlib

    matplotlib.use("module://matplotlib_inline.backend_inline")  # as in a kernel
    source = (NOTEBOOKS / "explore" / "scenarios.py").read_text(encoding="utf-8")
    _, rest = source.split('# %% tags=["parameters"]', 1)
    parameters_cell, cells = rest.split("\n# %%", 1)
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    exec(compile(parameters_cell, "notebooks/explore/scenarios.py", "exec"), namespace)
    namespace.update(parameters)
    exec(compile("# %%" + cells, "notebooks/explore/scenarios.py", "exec"), namespace)
    return namespace


def test_the_notebook_draws_what_a_run_of_its_saved_rows_computes(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """The issue's case: settings other than the shipped ones (as the README's
    --projection-settings), conventions that move numbers, sliders saved as rows."""
    import json

    settings = settings_file(tmp_path, settler_timing=",half", assumptions_from=",2025")
    common = {"age_sex_path": str(inputs["workbook"]), "settings_path": str(settings),
              "survival_path": str(inputs["survival"])}  # fmt: skip
    sliders = {"tfr_1": 1.9, "tfr_2": 2.1, "migration_1": 0.5, "settlers_per_year": 300,
               "horizon": 2060}  # fmt: skip
    saved = tmp_path / "saved.csv"
    notebook = run_exploration_notebook(**common, scenario_file=str(saved),
                                        slider_values=json.dumps(sliders))  # fmt: skip
    notebook["save_rows"](None)  # type: ignore[operator]
    drawn = notebook["drawn"]
    assert isinstance(drawn, pd.DataFrame)
    run = tables.projections(
        Options(age_sex=inputs["workbook"], projection_settings=settings,
                survival=inputs["survival"], scenarios=saved),
        tables.population_data(),
    )  # fmt: skip
    assert run is not None
    computed = run.indicators[run.indicators["scenario"] == "mine"]
    shown = drawn[drawn["scenario"] == "explore"]
    keys = ["municipality", "year"]
    both = shown.merge(computed, on=keys, suffixes=("_drawn", "_run"))
    assert (
        len(both) == len(shown) == len(computed) == 3 * 9
    )  # 2 municipalities and the 圏域, 2020–2060
    assert (both["total_drawn"].round() == both["total_run"].round()).all()
    assert {a.kind for a in run.results.specs["mine"].assumptions} == {
        "tfr",
        "migration",
        "settlers_per_year",
        "horizon",
    }


def test_sliders_without_effect_are_disabled_and_write_no_rows(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    settings = tmp_path / "settings.csv"
    settings.write_text("setting,municipality,value\ntfr_base,一関市,1.45\n", encoding="utf-8")
    saved = tmp_path / "saved.csv"
    notebook = run_exploration_notebook(
        age_sex_path=str(inputs["workbook"]), settings_path=str(settings), scenario_file=str(saved),
        slider_values='{"tfr_1": 1.9, "migration_1": 0.5, "settlers_per_year": 100}',
    )  # fmt: skip
    controls = notebook["controls"]
    assert isinstance(controls, dict)
    assert all(
        controls[k].disabled for k in ("tfr_1", "tfr_year_2", "migration_1", "migration_year_2")
    )
    assert not controls["settlers_per_year"].disabled
    reasons = notebook["disabled"]
    assert isinstance(reasons, dict)
    assert "tfr_base" in reasons["tfr"] and "生残率" in reasons["migration"]
    notebook["save_rows"](None)  # type: ignore[operator]
    assert {a.kind for a in read_scenarios(saved)[0].assumptions} == {"settlers_per_year"}
