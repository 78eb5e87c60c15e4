"""The planners' own scenarios (将来展望): the file, the primitives, the presets, the vision."""

from __future__ import annotations

import itertools
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION
from analysis.inputs import agesex, scenario_specs
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.io import InputError
from analysis.inputs.scenario_specs import read_scenarios
from analysis.model import population, projection, revision, scenarios

from .conftest import Project
from .test_projection import CODES, SIZES, settings_file, survival_file
from .workbooks import GROUPS, YEARS, made_up_edition, published_workbook, reference_step

REGISTRY = read_municipality_registry()
HEADER = "scenario,label,assumption,year,value\n"
EXAMPLE = DATA_RAW / "examples" / "scenarios_example.csv"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenario-inputs")
    workbook = published_workbook(folder / "03.xlsx", made_up_edition(SIZES), CODES)
    return {
        "workbook": workbook,
        "settings": settings_file(folder),
        "survival": survival_file(folder),
        "folder": folder,
    }


def build(
    inputs: dict[str, Path], scenario_file: Path | None, survival: bool = True
) -> scenarios.Projected:
    loaded = agesex.load(inputs["workbook"], edition="x", registry=REGISTRY)
    return scenarios.build(
        loaded.frame, loaded.groups, REGISTRY.names, source="test",
        settings_path=inputs["settings"], profile_path=DATA_RAW / "settler_profile.csv",
        survival_path=inputs["survival"] if survival else None,
        default_target=(94_000, 2040), scenarios_path=scenario_file,
    )  # fmt: skip


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example(inputs: dict[str, Path]) -> scenarios.Projected:
    return build(inputs, EXAMPLE)


# ---------------------------------------------------------------- presets


def test_sim1_and_sim2_written_in_a_scenario_file_are_the_presets_exactly(
    inputs: dict[str, Path],
) -> None:
    text = HEADER + (
        "mine1,出生率上昇,tfr,2030,2.1\n"
        "mine2,出生率上昇・移動ゼロ,tfr,2030,2.1\n"
        "mine2,出生率上昇・移動ゼロ,migration,2020,0\n"
    )
    built = build(inputs, write(inputs["folder"], "presets.csv", text))
    projections = built.results.projections
    assert np.array_equal(projections["mine1"], projections["sim1"])
    assert np.array_equal(projections["mine2"], projections["sim2"])
    assert built.own == ("mine1", "mine2")


def test_the_presets_follow_the_guidance(inputs: dict[str, Path]) -> None:
    """sim1: CWR × TFR ÷ tfr_base with TFR linear to 2.1 in 2030; sim2: R = S."""
    built = build(inputs, None)
    results = built.results
    base = results.base
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    tfr = np.array([[1.45, 1.38]]) + (2.1 - np.array([[1.45, 1.38]])) * np.clip(
        (np.array(YEARS[1:])[:, None] - 2020) / 10, 0, 1
    )
    assert np.allclose(results.tfr["sim1"], tfr, rtol=1e-14)
    assert np.allclose(results.cwr["sim1"], implied.cwr * tfr / np.array([1.45, 1.38]), rtol=1e-14)
    survival = scenarios.read_survival(
        inputs["survival"], list(base.municipalities), base.years, base.groups
    )
    sim2 = projection.project(base.population[0], implied.with_cwr(results.cwr["sim1"]).with_ratios(survival),
                              base.lower_bounds)  # fmt: skip
    assert np.allclose(results.projections["sim2"], sim2, rtol=1e-13)


# ---------------------------------------------------------------- every primitive against a loop


def reference_projection(
    base: scenarios.Base,
    survival: np.ndarray,
    profile: np.ndarray,
    *,
    waypoints: list[tuple[int, float]],
    tfr_bases: list[float],
    migration: dict[int, float],
    settlers_per_year: dict[int, float],
    horizon: int,
) -> np.ndarray:
    """The scenario by plain loops per municipality, from the published counts alone."""
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    years = list(range(YEARS[0], horizon + 1, 5))
    totals = base.population[0].sum(axis=(1, 2))
    result = np.zeros((len(years), *base.population.shape[1:]))
    for m in range(len(base.municipalities)):
        current = base.population[0, m].tolist()
        result[0, m] = current
        scale, per_year = 1.0, 0.0
        for k in range(len(years) - 1):
            held = min(k, len(YEARS) - 2)  # past 2050: the last period's rates
            scale = migration.get(years[k], scale)
            per_year = settlers_per_year.get(years[k], per_year)
            end = years[k + 1]
            points = [(YEARS[0], tfr_bases[m]), *waypoints]
            tfr = points[-1][1]
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                if x0 < end <= x1:
                    tfr = y0 + (y1 - y0) * (end - x0) / (x1 - x0)
                    break
            cwr = implied.cwr[held, m] * tfr / tfr_bases[m]
            ratios = [
                [
                    survival[held, m, s, a]
                    + scale * (implied.ratios[held, m, s, a] - survival[held, m, s, a])
                    if a > 0 and scale != 1
                    else implied.ratios[held, m, s, a]
                    for a in range(len(GROUPS))
                ]
                for s in range(2)
            ]
            share = totals[m] / totals.sum()
            arriving = [
                [5 * per_year * share * profile[s, a] for a in range(len(GROUPS))] for s in range(2)
            ]
            current = reference_step(current, ratios, cwr, implied.sex_ratio[held, m], arriving)
            result[k + 1, m] = current
    return result


def test_every_primitive_agrees_with_a_loop_per_municipality(inputs: dict[str, Path]) -> None:
    text = HEADER + (
        "mix,全部,tfr,2030,1.8\n"
        "mix,全部,tfr,2042,2.07\n"
        "mix,全部,migration,2025,0.5\n"
        "mix,全部,migration,2040,0\n"
        "mix,全部,migration,2055,1.5\n"
        "mix,全部,settlers_per_year,2030,120\n"
        "mix,全部,settlers_per_year,2050,40\n"
        "mix,全部,horizon,,2070\n"
    )
    built = build(inputs, write(inputs["folder"], "mix.csv", text))
    base = built.results.base
    survival = scenarios.read_survival(
        inputs["survival"], list(base.municipalities), base.years, base.groups
    )
    expected = reference_projection(
        base, survival, built.profile,
        waypoints=[(2030, 1.8), (2042, 2.07)], tfr_bases=[1.45, 1.38],
        migration={2025: 0.5, 2040: 0.0, 2055: 1.5}, settlers_per_year={2030: 120, 2050: 40},
        horizon=2070,
    )  # fmt: skip
    engine = built.results.projections["mix"]
    assert built.results.years["mix"] == tuple(range(2020, 2071, 5))
    assert np.allclose(engine, expected, rtol=1e-12, atol=1e-9)
    assert np.array_equal(built.results.settlers_per_period["mix"][:2], [0, 0])
    assert built.results.settlers_per_period["mix"][2] == 600


def test_the_extension_holds_the_last_periods_rates(inputs: dict[str, Path]) -> None:
    only_horizon = write(inputs["folder"], "long.csv", HEADER + "long,2070年まで,horizon,,2070\n")
    built = build(inputs, only_horizon)
    base = built.results.base
    extended = built.results.projections["long"]
    assert extended.shape[0] == len(range(2020, 2071, 5))
    assert np.array_equal(extended[: len(YEARS)], built.results.projections["pattern1"])
    pattern1 = projection.implied_schedule(base.population, base.lower_bounds)
    recovered = projection.implied_schedule(extended, base.lower_bounds)
    last = len(YEARS) - 2
    for k in range(last + 1, extended.shape[0] - 1):
        assert np.allclose(recovered.ratios[k][..., 1:], pattern1.ratios[last][..., 1:], rtol=1e-12)
        assert np.allclose(recovered.cwr[k], pattern1.cwr[last], rtol=1e-12)
        assert np.allclose(recovered.sex_ratio[k], pattern1.sex_ratio[last], rtol=1e-12)
    table = built.long
    assert set(table.loc[table["extended"], "year"]) == set(range(2055, 2071, 5))
    assert not table.loc[table["scenario"] == "pattern1", "extended"].any()
    assert built.indicators.loc[built.indicators["extended"], "scenario"].eq("long").all()


def test_a_settlers_target_is_reached_exactly_and_never_negative(inputs: dict[str, Path]) -> None:
    text = HEADER + (
        "up,目標,tfr,2030,1.8\n"
        "up,目標,settlers_target,2060,150000\n"
        "up,目標,horizon,,2070\n"
        "low,低い目標,settlers_target,2040,1000\n"
    )
    built = build(inputs, write(inputs["folder"], "targets.csv", text))
    up = built.results.projections["up"]
    assert up[built.results.years["up"].index(2060)].sum() == pytest.approx(150_000, rel=1e-12)
    assert built.results.settlers_per_period["up"][0] > 0
    assert np.array_equal(built.results.projections["low"], built.results.projections["pattern1"])
    note = next(n for n in built.notes if n.check == "scenario-target-reached")
    # named as the planner labelled it (低い目標), not by its key
    assert "シナリオ「低い目標」の目標1,000人（2040年）は、転入超過を加えなくても" in note.message
    assert (built.long["population"] >= 0).all()


def test_settlers_join_before_the_0_4_step(inputs: dict[str, Path]) -> None:
    """Women among the settlers have children in the period they arrive."""
    arriving_file = write(
        inputs["folder"], "in.csv", HEADER + "in,転入,settlers_per_year,2020,200\n"
    )
    built = build(inputs, arriving_file)
    base = built.results.base
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    added = built.results.projections["in"][1] - built.results.projections["pattern1"][1]
    arriving = scenarios.settler_array(base, built.profile, REGION, 1000.0)
    women = projection.childbearing_slice(base.lower_bounds)
    born = implied.cwr[0] * arriving[:, 1, women].sum(axis=-1)
    assert np.allclose(added[:, :, 0].sum(axis=1), born + arriving[:, :, 0].sum(axis=1))
    assert np.allclose(added[:, :, 1:], arriving[:, :, 1:])


# ---------------------------------------------------------------- the vision from a scenario


def test_a_scenario_as_a_vision_file_is_read_back_as_a_vision(
    example: scenarios.Projected, tmp_path: Path
) -> None:
    table = scenarios.vision_table(example.results, "national")
    assert (table["population"] % 1 == 0).all()
    wide = table.pivot_table(
        index=["municipality", "year"], columns="age_group", values="population"
    )
    assert (wide[["0-14", "15-64", "65+"]].sum(axis=1) == wide["total"]).all()
    region = wide.loc[REGION]
    members = wide.drop(index=REGION, level=0).groupby(level=1).sum()
    assert (region == members).all().all()
    exact = example.indicators.set_index(["scenario", "municipality", "year"])
    assert abs(region.loc[2070, "total"] - exact.loc[("national", REGION, 2070), "total"]) <= 2
    path = tmp_path / "vision.csv"
    table.to_csv(path, index=False)
    data = population.load(path)
    assert not [f for f in data.findings if f.severity == "error"]
    assert population.current_edition(data, "vision").edition == "vision_supplied"


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
    path = write(tmp_path, "scen.csv", HEADER + rows)
    with pytest.raises((DataError, InputError)) as caught:
        read_scenarios(path)
    text = str(caught.value)
    assert message in text
    assert re.search(r"scen\.csv:\d+: (scenario|label|assumption|year|value): ", text), text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("rows", "survival", "message"),
    [
        ("a,A,horizon,,2072\n", True, "「2072」は使えません（推計の最終年は2050年"),
        ("a,A,horizon,,2040\n", True, "「2040」は使えません（推計の最終年は2050年"),
        (
            "a,A,migration,2027,0.5\n",
            True,
            "シナリオ「a」の migration の2027年は使えません（期間の始まりの年：2020、2025",
        ),
        ("a,A,settlers_target,2042,90000\n", True, "settlers_target の2042年は使えません"),
        ("a,A,settlers_target,2060,90000\n", True, "settlers_target の2060年は使えません"),
        ("a,A,tfr,2020,1.8\n", True, "tfr の2020年は使えません"),
        ("a,A,migration,2025,0.5\n", False, "生残率（--survival ファイル）が必要です"),
    ],
)
def test_rows_the_edition_cannot_serve_are_one_line(
    inputs: dict[str, Path], tmp_path: Path, rows: str, survival: bool, message: str
) -> None:
    path = write(tmp_path, "scen.csv", HEADER + rows)
    with pytest.raises(DataError) as caught:
        build(inputs, path, survival=survival)
    text = str(caught.value)
    assert message in text and re.search(r"scen\.csv:2: (year|value): ", text), text
    assert "\n" not in text


def test_a_multiple_that_makes_a_cohort_negative_is_refused(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """With no deaths (S = 1), five times パターン1's net migration empties the old ages."""
    text = inputs["survival"].read_text(encoding="utf-8")
    no_deaths = re.sub(r",0\.\d+$", ",1", text, flags=re.MULTILINE)
    survival = write(tmp_path, "s1.csv", no_deaths)
    with pytest.raises(DataError) as caught:
        build(
            {**inputs, "survival": survival},
            write(tmp_path, "scen.csv", HEADER + "a,A,migration,2025,5\n"),
        )
    text = str(caught.value)
    assert "scen.csv:2: value: シナリオ「a」の純移動の倍率5では" in text
    assert "の人口が負になります" in text


def test_a_scenario_with_fertility_needs_tfr_base(inputs: dict[str, Path], tmp_path: Path) -> None:
    loaded = agesex.load(inputs["workbook"], edition="x", registry=REGISTRY)
    blank = write(tmp_path, "settings.csv", "setting,municipality,value\ntfr_base,一関市,\n")
    with pytest.raises(DataError) as caught:
        scenarios.build(
            loaded.frame, loaded.groups, REGISTRY.names, source="t",
            settings_path=blank,
            profile_path=DATA_RAW / "settler_profile.csv", survival_path=None,
            default_target=(94_000, 2040),
            scenarios_path=write(tmp_path, "s.csv", HEADER + "a,A,tfr,2030,1.8\n"),
        )  # fmt: skip
    assert "基準年の合計特殊出生率（tfr_base）が必要です：一関市、平泉町" in str(caught.value)


def test_japanese_headers_and_primitive_names_are_read(tmp_path: Path) -> None:
    text = "シナリオ,シナリオ名,仮定,年,値\na,A,出生率,2030,1.8\na,A,最終年,,2060\n"
    specs = read_scenarios(write(tmp_path, "ja.csv", text))
    assert [(a.kind, a.year, a.value) for a in specs[0].assumptions] == [
        ("tfr", 2030, 1.8),
        ("horizon", None, 2060.0),
    ]


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
    from .test_projection_inputs import unregister_age_sex

    unregister_age_sex(project.raw)
    without = project.cli("reports", "--scenarios", str(EXAMPLE))
    assert without.returncode == 2 and "--scenarios" in without.stdout


# ---------------------------------------------------------------- survival ratios by starting age


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
        tmp_path, "dest0.csv", "\n".join([header, *[r for r in rows if ",0～4歳," not in r]]) + "\n"
    )
    base = build(inputs, None).results.base
    with pytest.raises(DataError) as caught:
        scenarios.read_survival(
            only_first_missing, list(base.municipalities), base.years, base.groups
        )
    assert "0～4歳の行がありません。生残率は出発年齢で書きます" in str(caught.value)
    destination = write(tmp_path, "dest.csv", "\n".join([header, *shifted]) + "\n")
    base = build(inputs, None).results.base
    with pytest.raises(DataError) as caught:
        scenarios.read_survival(destination, list(base.municipalities), base.years, base.groups)
    text = str(caught.value)
    assert "到達年齢で書かれた表" in text and "\n" not in text
    with_birth = write(
        tmp_path,
        "dest2.csv",
        "\n".join([header, ",,男,0～4歳,0.998", ",,女,0～4歳,0.998", *shifted]) + "\n",
    )
    with pytest.raises(DataError) as caught:
        scenarios.read_survival(with_birth, list(base.municipalities), base.years, base.groups)
    text = str(caught.value)
    assert (
        "dest2.csv:" in text
        and "90～94歳の行の生残率" in text
        and "到達年齢で書かれた表ではありませんか" in text
    )


# ---------------------------------------------------------------- earlier IPSS layouts


def test_the_stacked_layout_with_90_and_over_reproduces_its_own_pattern1(tmp_path: Path) -> None:
    edition = made_up_edition(SIZES, groups=19)
    workbook = published_workbook(tmp_path / "h30.xlsx", edition, CODES, stacked=True)
    loaded = agesex.load(workbook, edition="h30", registry=REGISTRY)
    assert not loaded.errors, [str(f) for f in loaded.errors]
    assert loaded.groups[-1] == "90+" and len(loaded.groups) == 19
    assert any(f.check == "sheets-left-out" for f in loaded.findings), "the decoy sheet is left out"
    base = scenarios.Base.from_frame(loaded.frame, loaded.groups, REGISTRY.names)
    expected = np.array([edition[m] for m in ("一関市", "平泉町")], dtype=float).transpose(
        1, 0, 2, 3
    )
    assert np.array_equal(base.population, expected), "every block read from its own rows"
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    projected = projection.project(base.population[0], implied, base.lower_bounds)
    assert np.abs(projected - expected).max() < 0.01
    agesex_sheets = openpyxl.load_workbook(workbook)["3209_一関市"]
    assert agesex_sheets["A4"].value == "男女計" and agesex_sheets["A31"].value == "男"


def test_every_scenario_runs_with_a_90_and_over_open_group(tmp_path: Path) -> None:
    edition = made_up_edition(SIZES, groups=19)
    workbook = published_workbook(tmp_path / "h30.xlsx", edition, CODES, stacked=True)
    loaded = agesex.load(workbook, edition="h30", registry=REGISTRY)
    labels = [f"{a}～{a + 4}歳" for a in range(0, 90, 5)] + ["90歳以上"]
    survival = "municipality,period,sex,age_group,survival_ratio\n" + "".join(
        f",,{sex},{label},{0.45 if label == '90歳以上' else 0.97}\n"
        for sex in ("男", "女")
        for label in labels
        if label != "85～89歳"
    )
    built = scenarios.build(
        loaded.frame, loaded.groups, REGISTRY.names, source="h30",
        settings_path=settings_file(tmp_path), profile_path=DATA_RAW / "settler_profile.csv",
        survival_path=write(tmp_path, "s.csv", survival), default_target=(94_000, 2040),
        scenarios_path=write(tmp_path, "sc.csv", HEADER + "h,半減,migration,2025,0.5\nh,半減,horizon,,2060\n"),
    )  # fmt: skip
    assert {"pattern1", "sim1", "sim2", "h"} <= set(built.results.projections)
    assert set(built.long["age_group"]) == set(loaded.groups)
    assert (built.long["population"] >= 0).all()


def register_two_age_sex_editions(raw: Path, tmp_path: Path) -> None:
    """A 平成30年推計-like edition (stacked, 90歳以上) replaced by a 令和5年推計-like one."""
    published_workbook(raw / "h30_03.xlsx", made_up_edition(SIZES, groups=19), CODES, stacked=True)
    newer = made_up_edition({"一関市": 4.4, "平泉町": 0.3})
    published_workbook(raw / "r5_03.xlsx", newer, CODES)
    text = (raw / "editions.csv").read_text(encoding="utf-8")
    text = text.replace("replaces,source,short_label\n", "replaces,source,short_label,age_sex\n")
    text += (
        "ipss_h30,projection,社人研推計（平成30年推計・合成）,2018-03,h30_03.xlsx,,テスト,平成30年推計,1\n"
        "ipss_r5,projection,社人研推計（令和5年推計・合成）,2023-12,r5_03.xlsx,ipss_h30,テスト,令和5年推計,1\n"
    )
    (raw / "editions.csv").write_text(text, encoding="utf-8")


def test_two_age_sex_editions_are_compared_by_sex_and_age(raw_copy: Path, tmp_path: Path) -> None:
    register_two_age_sex_editions(raw_copy, tmp_path)
    data = population.load(raw_dir=raw_copy)
    old, new = data.age_sex["ipss_h30"], data.age_sex["ipss_r5"]
    assert (old.groups[-1], new.groups[-1]) == ("90+", "95+")
    table = revision.age_sex_differences(old, new, data.municipalities)
    assert table["age_group"].iloc[-1] == "90+" and "95+" not in set(table["age_group"])
    for loaded, column in ((old, "old_population"), (new, "new_population")):
        members = table[table["municipality"] != REGION]
        assert members[column].sum() == loaded.frame["population"].sum(), (
            "nobody lost on regrouping"
        )
    region = table[table["municipality"] == REGION].set_index(["year", "sex", "age_group"])
    summed = (
        table[table["municipality"] != REGION]
        .groupby(["year", "sex", "age_group"])
        .sum(numeric_only=True)
    )
    assert np.allclose(region["new_population"], summed.loc[region.index, "new_population"])
    row = table.iloc[0]
    assert row["difference_people"] == row["new_population"] - row["old_population"]


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


# ---------------------------------------------------------------- the exploration notebook's rows


def test_the_sliders_saved_as_rows_run_as_the_notebook_showed(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    spec = scenario_specs.from_choices(
        "mine", "試算", waypoints=[(2030, 1.8), (2040, 2.07)], migration=[(2025, 0.5), (2035, 1.0)],
        settlers_per_year=(2020, 150.0), horizon=2060,
    )  # fmt: skip
    path = tmp_path / "mine.csv"
    write(tmp_path, "mine.csv", HEADER + "other,別の,tfr,2030,1.6\nmine,古い,tfr,2030,1.5\n")
    held = scenario_specs.save(spec, path)
    assert [s.name for s in held] == ["other", "mine"], "the same name is replaced, others kept"
    assert held[1].assumptions == tuple(
        replace(a, where=b.where)
        for a, b in zip(spec.assumptions, held[1].assumptions, strict=True)
    )
    built = build(inputs, path)
    base = built.results.base
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    survival = scenarios.read_survival(
        inputs["survival"], list(base.municipalities), base.years, base.groups
    )
    years, shown = scenarios.explore(base, implied, spec, [1.45, 1.38], built.profile, survival)
    assert years == built.results.years["mine"]
    assert np.array_equal(shown, built.results.projections["mine"])
    with pytest.raises(ValueError, match="シナリオ名「=cmd」は使えません"):
        scenario_specs.save(replace(spec, name="=cmd"), path)
    broken = write(tmp_path, "broken.csv", HEADER + "x,X,tfrr,2030,1.8\n")
    with pytest.raises(DataError):
        scenario_specs.save(spec, broken)
    assert "tfrr" in broken.read_text(encoding="utf-8"), "a file with errors is never rewritten"


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
        lambda folder: write(folder, "scen.csv", HEADER + "a,A,tfr,2030,1.8\n" * 300_000),
        "scen.csv:2002: -: シナリオのファイルの行が多すぎます（300,001行、上限は見出しのほかに2,000行）",
    ),
    "million-rows": (
        lambda folder: write(
            folder, "scen.csv", HEADER + "".join(f"s{i},A,tfr,2030,1.8\n" for i in range(10**6))
        ),
        "シナリオのファイルの行が多すぎます（1,000,001行",
    ),
    "inflated-shared-strings": (
        lambda folder: _inflated_workbook(folder / "scen.xlsx"),
        "scen.xlsx:-: -: ブックの文字列が大きすぎます（共有文字列が 20 MB を超えます）",
    ),
    "200-scenarios-to-2100": (
        lambda folder: write(
            folder,
            "scen.csv",
            HEADER + "".join(f"s{i},A,tfr,2030,1.8\ns{i},A,horizon,,2100\n" for i in range(200)),
        ),
        "scen.csv:42: scenario: シナリオ「s20」で、シナリオが20を超えます（1つのファイルは20シナリオまで",
    ),
}
"""The files of issue 23, each with the one line that refuses it."""

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
        cwd=Path(scenario_specs.__file__).parent.parent,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seconds, peak, text = result.stdout.rstrip("\n").split("\t", 2)
    assert message in text, text
    assert "\n" not in text
    assert float(seconds) < 10, f"{case}: {seconds} s"
    assert int(peak) < 1024**3, f"{case}: peak memory {int(peak) / 1024**2:.0f} MB"


def test_a_repeated_row_is_refused_at_the_first_repeat_naming_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "scen.csv", HEADER + "a,A,tfr,2030,1.8\n" * 1_500)
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
    specs = read_scenarios(write(tmp_path, "scen.csv", HEADER + rows))
    assert len(specs) == scenario_specs.MAX_SCENARIOS == 20


# ---------------------------------------------------------------- conventions (settings)


def build_with(
    inputs: dict[str, Path], folder: Path, scenario_file: Path | None = None, **changes: str
) -> scenarios.Projected:
    folder.mkdir(parents=True, exist_ok=True)
    loaded = agesex.load(inputs["workbook"], edition="x", registry=REGISTRY)
    return scenarios.build(
        loaded.frame, loaded.groups, REGISTRY.names, source="test",
        settings_path=settings_file(folder, **changes), profile_path=DATA_RAW / "settler_profile.csv",
        survival_path=inputs["survival"], default_target=(94_000, 2040), scenarios_path=scenario_file,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "cwr_scaling",
            ",first",
            "「first」は cwr_scaling に使えません（period、base のいずれか）",
        ),
        (
            "settler_timing",
            ",middle",
            "「middle」は settler_timing に使えません（start、half のいずれか）",
        ),
        (
            "zero_migration_children",
            ",yes",
            "zero_migration_children に使えません（keep、close のいずれか）",
        ),
        (
            "assumptions_from",
            ",2027",
            "2027年は assumptions_from に使えません（推計の年：2020、2025",
        ),
        ("assumptions_from", ",2050", "2050年は assumptions_from に使えません"),
    ],
)
def test_a_convention_setting_is_validated(
    inputs: dict[str, Path], tmp_path: Path, setting: str, value: str, message: str
) -> None:
    with pytest.raises(DataError) as caught:
        build_with(inputs, tmp_path, **{setting: value})
    text = str(caught.value)
    assert message in text and re.search(r"settings\.csv:\d+: value: ", text), text
    assert "\n" not in text


def test_the_child_woman_ratio_convention_scales_pattern1_or_the_base_year(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    default = build_with(inputs, tmp_path / "a")
    based = build_with(inputs, tmp_path / "b", cwr_scaling=",base")
    results = default.results
    tfr = results.tfr["sim1"]
    bases = np.array([1.45, 1.38])
    assert np.allclose(results.cwr["sim1"], results.cwr["pattern1"] * tfr / bases)
    observed = scenarios.base_cwr(results.base)
    assert np.allclose(based.results.cwr["sim1"], observed[None, :] * tfr / bases)
    # Each report states the 影響度 under the other convention: the same numbers as a run with it.
    mine = based.influence.set_index(["municipality", "year"])["natural_pct"]
    other = default.other_cwr_influence.set_index(["municipality", "year"])["natural_pct"]
    assert np.allclose(mine.sort_index(), other.reindex(mine.index).sort_index())
    sentences = scenarios.convention_sentences(default)
    assert sentences[0].startswith(
        "子ども女性比（シミュレーション1と出生率の仮定）：パターン1の各期間"
    )
    chosen = default.influence[default.influence["chosen"]].merge(
        default.other_cwr_influence, on=["municipality", "year"], suffixes=("", "_other")
    )
    differing = (chosen["natural_level"] != chosen["natural_level_other"]).sum()
    assert len(sentences) == 4 + differing
    assert all("段階が変わります" in s for s in sentences[4:])


def test_assumptions_start_in_the_period_the_setting_names(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    rows = HEADER + "a,A,tfr,2030,2.0\na,A,migration,2020,0.5\na,A,settlers_per_year,2020,100\n"
    path = write(tmp_path, "scen.csv", rows)
    late = build_with(inputs, tmp_path / "late", path, assumptions_from=",2025").results
    early = build_with(inputs, tmp_path / "early", path).results
    pattern1 = late.projections["pattern1"]
    for scenario in ("sim1", "sim2", "a"):
        assert np.allclose(late.projections[scenario][1], pattern1[1]), scenario
        assert not np.allclose(late.projections[scenario][2], pattern1[2]), scenario
        assert not np.allclose(early.projections[scenario][1], pattern1[1]), scenario
    assert np.allclose(late.tfr["sim1"][0], [1.45, 1.38]), "TFR stays at the base until 2025"
    assert late.settlers_per_period["a"][0] == 0 and late.settlers_per_period["a"][1] == 500


def test_settlers_count_for_half_the_periods_births_when_set(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    path = write(tmp_path, "scen.csv", HEADER + "a,A,settlers_per_year,2020,1000\n")
    full = build_with(inputs, tmp_path / "full", path).results
    half = build_with(inputs, tmp_path / "half", path, settler_timing=",half").results
    base = full.base
    unit = scenarios.settler_array(
        base,
        np.asarray(scenarios.read_profile(DATA_RAW / "settler_profile.csv", base.groups)),
        REGION,
        5000.0,
    )
    women = unit[:, 1, projection.childbearing_slice(base.lower_bounds)].sum(axis=-1)
    cwr = full.cwr["a"][0]
    children = lambda r: r.projections["a"][1][:, :, 0].sum(axis=-1)  # noqa: E731
    assert np.allclose(children(full) - children(half), cwr * women / 2)


def test_zero_migration_can_close_childrens_migration(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    kept = build_with(inputs, tmp_path / "keep").results
    closed = build_with(inputs, tmp_path / "close", zero_migration_children=",close").results
    assert np.allclose(kept.cwr["sim2"], kept.cwr["sim1"])
    # Children's migration removed as the 0–4 → 5–9 cohort's: both sexes' ratio R becomes S
    # (the survival file's 0～4歳 row, 0.9968 for every period and municipality).
    ratios = projection.implied_schedule(kept.base.population, kept.base.lower_bounds).ratios
    expected = 2 * 0.9968 / ratios[..., 1].sum(axis=-1)
    assert np.allclose(closed.cwr["sim2"] / closed.cwr["sim1"], expected)


# ---------------------------------------------------------------- the exploration notebook's own code


def run_exploration_notebook(**parameters: object) -> dict[str, object]:
    """Execute notebooks/explore/scenarios.py's own cells as papermill would: its parameters cell, then
    the given values, then every other cell (in this process, with a non-interactive backend)."""
    import matplotlib

    matplotlib.use("module://matplotlib_inline.backend_inline")  # as in a kernel
    source = (Path(scenario_specs.__file__).parent.parent / "notebooks" / "scenarios.py").read_text(
        encoding="utf-8"
    )
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

    from analysis.model import population

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
    run = population.projections(
        population.load(), age_sex_path=inputs["workbook"], settings_path=settings,
        survival_path=inputs["survival"], scenarios_path=saved,
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
