"""analysis.model.scenarios: the planners' own scenarios (将来展望), the primitives, the presets, the
vision made from one."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION
from analysis.inputs import agesex, scenario_inputs, scenario_specs
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.projection_inputs import read_profile, read_survival
from analysis.inputs.scenario_specs import read_scenarios
from analysis.model import population, projection, scenarios
from analysis.run.tables import population_data
from tests.conftest import build_scenarios
from tests.unit.inputs.test_agesex import SCENARIO_HEADER, refused, settings_with_tfr
from tests.unit.inputs.test_projection_inputs import SETTINGS_HEADER
from tests.workbooks import (
    CODES,
    GROUPS,
    SIZES,
    YEARS,
    made_up_edition,
    published_workbook,
    reference_step,
    settings_file,
)

REGISTRY = read_municipality_registry()
HEADER = "scenario,label,assumption,year,value\n"
EXAMPLE = DATA_RAW / "examples" / "scenarios_example.csv"


def build(
    inputs: dict[str, Path], scenario_file: Path | None, survival: bool = True
) -> scenarios.Projected:
    loaded = agesex.load(inputs["workbook"], edition="x", registry=REGISTRY)
    return build_scenarios(
        loaded, REGISTRY.names, source="test",
        settings=inputs["settings"], profile=DATA_RAW / "settler_profile.csv",
        survival=inputs["survival"] if survival else None,
        default_target=(94_000, 2040), scenarios_file=scenario_file,
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
    survival = read_survival(inputs["survival"], list(base.municipalities), base.years, base.groups)
    assert built.survival is not None and np.array_equal(built.survival, survival), "for explore"
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
    survival = read_survival(inputs["survival"], list(base.municipalities), base.years, base.groups)
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
    data = population_data(path)
    assert not [f for f in data.findings if f.severity == "error"]
    assert population.current_edition(data, "vision").edition == "vision_supplied"


def test_the_inputs_must_be_those_checked_against_the_same_base(inputs: dict[str, Path]) -> None:
    """The model trusts the inputs' checks only for the base data they were checked against."""
    loaded = agesex.load(inputs["workbook"], edition="x", registry=REGISTRY)
    axes = scenario_inputs.BaseAxes.of(loaded.frame, loaded.groups, REGISTRY.names)
    other = scenario_inputs.read(
        replace(axes, years=axes.years[:-1]),
        settings=inputs["settings"],
        profile=DATA_RAW / "settler_profile.csv",
    )
    with pytest.raises(ValueError, match="checked against other base data"):
        scenarios.build(
            loaded.frame, loaded.groups, REGISTRY.names, source="t", inputs=other,
            default_target=(94_000, 2040),
        )  # fmt: skip


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
    built = build_scenarios(
        loaded, REGISTRY.names, source="h30",
        settings=settings_file(tmp_path), profile=DATA_RAW / "settler_profile.csv",
        survival=write(tmp_path, "s.csv", survival), default_target=(94_000, 2040),
        scenarios_file=write(tmp_path, "sc.csv", HEADER + "h,半減,migration,2025,0.5\nh,半減,horizon,,2060\n"),
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
    survival = read_survival(inputs["survival"], list(base.municipalities), base.years, base.groups)
    years, shown = scenarios.explore(base, implied, spec, [1.45, 1.38], built.profile, survival)
    assert years == built.results.years["mine"]
    assert np.array_equal(shown, built.results.projections["mine"])
    with pytest.raises(ValueError, match="シナリオ名「=cmd」は使えません"):
        scenario_specs.save(replace(spec, name="=cmd"), path)
    broken = write(tmp_path, "broken.csv", HEADER + "x,X,tfrr,2030,1.8\n")
    with pytest.raises(DataError):
        scenario_specs.save(spec, broken)
    assert "tfrr" in broken.read_text(encoding="utf-8"), "a file with errors is never rewritten"


"""The files of issue 23, each with the one line that refuses it."""


# ---------------------------------------------------------------- conventions (settings)


def build_with(
    inputs: dict[str, Path], folder: Path, scenario_file: Path | None = None, **changes: str
) -> scenarios.Projected:
    folder.mkdir(parents=True, exist_ok=True)
    loaded = agesex.load(inputs["workbook"], edition="x", registry=REGISTRY)
    return build_scenarios(
        loaded, REGISTRY.names, source="test",
        settings=settings_file(folder, **changes), profile=DATA_RAW / "settler_profile.csv",
        survival=inputs["survival"], default_target=(94_000, 2040), scenarios_file=scenario_file,
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
        np.asarray(read_profile(DATA_RAW / "settler_profile.csv", base.groups)),
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


def test_solved_settlers_outside_the_typed_range_are_a_finding(tidy: Path, tmp_path: Path) -> None:
    """A settlers_target of 10,000,000 solved to about 419,000 settlers a year without a word,
    while settlers_per_year over 100,000 is refused."""
    loaded = agesex.load(tidy, edition="x", registry=REGISTRY)
    path = write(
        tmp_path, "s.csv", SCENARIO_HEADER + "big,大きな目標,settlers_target,2040,10000000\n"
    )
    projected = build_scenarios(
        loaded, REGISTRY.names, source="test",
        settings=settings_with_tfr(tmp_path), profile=DATA_RAW / "settler_profile.csv",
        survival=None, default_target=(94_000, 2040), scenarios_file=path,
    )  # fmt: skip
    found = [f for f in projected.notes if f.check == "settlers-implausible"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert str(found[0]).startswith(
        f"{path}:2: value: 警告: 「大きな目標」の目標人口 10,000,000人（2040年）には毎年約 "
    )
    assert "入力できる転入超過の範囲（0～100,000人／年）を超えるため" in str(found[0])
    typed = write(tmp_path, "t.csv", SCENARIO_HEADER + "big,x,settlers_per_year,2025,100001\n")
    assert "年間の転入超過は0以上100,000人以下" in refused(lambda: read_scenarios(typed))[0]


def test_every_scenario_is_computed_and_the_region_is_the_sum(
    projected: scenarios.Projected,
) -> None:
    assert set(projected.results.projections) == set(scenarios.SCENARIOS)
    long = projected.long
    members = (
        long[long["municipality"] != REGION]
        .groupby(["scenario", "year", "sex", "age_group"])["population"]
        .sum()
    )
    region = long[long["municipality"] == REGION].set_index(
        ["scenario", "year", "sex", "age_group"]
    )["population"]
    assert np.allclose(members.sort_index(), region.sort_index())
    table = projected.indicators
    totals = long.groupby(["scenario", "municipality", "year"])["population"].sum()
    shown = table.set_index(["scenario", "municipality", "year"])
    # Whole people: each municipality's three groups are rounded (at most 0.5 each), the
    # 圏域 is the sum of its rounded municipalities, and every total is its groups' sum.
    assert (shown["total"] == shown["0-14"] + shown["15-64"] + shown["65+"]).all()
    assert (shown["total"] == shown["total"].round()).all()
    members_shown = shown.drop(index=REGION, level="municipality")
    assert ((members_shown["total"] - totals.reindex(members_shown.index)).abs() <= 1.5).all()
    region_shown = shown.xs(REGION, level="municipality")["total"]
    region_of_members = members_shown.groupby(["scenario", "year"])["total"].sum()
    assert (
        region_shown.sort_index() == region_of_members.reindex(region_shown.index).sort_index()
    ).all()
    male_female = long.pivot_table(
        index=["scenario", "municipality", "year"],
        columns="sex",
        values="population",
        aggfunc="sum",
    )
    assert np.allclose(male_female["male"] + male_female["female"], totals.sort_index())


def test_sim1_raises_cwr_by_the_tfr_ratio(projected: scenarios.Projected) -> None:
    results = projected.results
    # 2025 is 5/10 of the way from 2020 to 2030: TFR 1.45 + (2.1 − 1.45) × 0.5 for 一関市.
    assert results.tfr["sim1"][0, 0] == pytest.approx(1.775)
    assert results.tfr["sim1"][1:, 0] == pytest.approx(2.1)
    assert np.allclose(
        results.cwr["sim1"][:, 1], results.cwr["pattern1"][:, 1] * results.tfr["sim1"][:, 1] / 1.38
    )
    table = projected.indicators
    sim1 = table[
        (table["scenario"] == "sim1")
        & (table["municipality"] == "一関市")
        & (table["year"] == 2030)
    ]
    assert sim1["tfr"].iloc[0] == pytest.approx(2.1)


def test_settlers_reach_the_target_exactly(projected: scenarios.Projected) -> None:
    solved = projected.settlers.iloc[0]
    assert (solved["municipality"], solved["target_year"], solved["target_population"]) == (
        REGION,
        2040,
        120_000,
    )
    table = projected.indicators
    at = table[
        (table["scenario"] == "settlers")
        & (table["municipality"] == REGION)
        & (table["year"] == 2040)
    ]
    assert at["total"].iloc[0] == pytest.approx(120_000)
    assert solved["settlers_per_year"] == pytest.approx(solved["settlers_per_period"] / 5)
    sentence = scenarios.summary_sentence(solved)
    assert sentence.startswith(
        "2040年に圏域120,000人とするには、パターン1の純移動（社人研の推計が見込む転出入）に加えて、5年ごとに約"
    )
    assert "（年あたり約" in sentence
    assert solved["surplus_people"] == 0


def test_a_target_pattern1_already_reaches_needs_no_settlers_and_no_negative_count(
    workbook: Path, tmp_path: Path
) -> None:
    loaded = agesex.load(workbook, edition="x", registry=REGISTRY)
    result = build_scenarios(
        loaded, REGISTRY.names, source="t",
        settings=settings_file(tmp_path, settler_target_population="圏域,1000"),
        profile=DATA_RAW / "settler_profile.csv", survival=None,
        default_target=(94_000, 2040),
    )  # fmt: skip
    row = result.settlers.iloc[0]
    assert "settlers" not in result.results.projections
    assert row["settlers_per_period"] == 0 and row["settlers_per_year"] == 0
    assert row["surplus_people"] == pytest.approx(row["projected_without"] - 1000)
    numbers = result.settlers.select_dtypes("number")
    assert (numbers >= 0).all().all(), "no negative count anywhere"
    sentence = scenarios.summary_sentence(row)
    assert sentence.startswith(
        f"2040年の圏域は、パターン1の推計で{row['projected_without']:,.0f}人と、"
    )
    assert (
        f"すでに目標1,000人を{row['surplus_people']:,.0f}人上回るため、転入超過を加える必要はありません。"
        in sentence
    )
    assert "転出超過" not in sentence


def test_influence_and_its_levels(projected: scenarios.Projected) -> None:
    influence = projected.influence.set_index(["municipality", "year"])
    table = projected.indicators.set_index(["scenario", "municipality", "year"])["total"]
    assert sorted(set(projected.influence["year"])) == list(YEARS[1:]), "every projected year"
    for year in YEARS[1:]:
        natural = table[("sim1", REGION, year)] / table[("pattern1", REGION, year)] * 100
        assert influence.loc[(REGION, year), "natural_pct"] == pytest.approx(natural)
        social = table[("sim2", REGION, year)] / table[("sim1", REGION, year)] * 100
        assert influence.loc[(REGION, year), "social_pct"] == pytest.approx(social)
    chosen = projected.influence[projected.influence["chosen"]]
    assert set(chosen["year"]) == {YEARS[-1]}, "by default the edition's last projected year"
    levels = scenarios.level(
        pd.Series([99.99, 100.0, 104.9, 105.0, 114.99, 115.0, np.nan]), (100, 105, 110, 115)
    )
    assert levels.tolist()[:6] == [1, 2, 2, 3, 4, 5] and pd.isna(levels.iloc[6])


def test_the_influence_in_words(projected: scenarios.Projected) -> None:
    influence = projected.influence
    row = influence[(influence["municipality"] == REGION) & (influence["year"] == 2050)].iloc[0]
    sentence = scenarios.influence_sentence(row, projected.settings)  # 2.1 by 2030
    assert sentence.startswith(
        f"合計特殊出生率が2030年に2.1まで上がると、2050年の圏域の人口はパターン1より"
        f"{abs(row['natural_pct'] - 100):.2f}%"
    )
    assert f"（自然増減の影響度 段階{row['natural_level']}）" in sentence
    assert f"（社会増減の影響度 段階{row['social_level']}）" in sentence


def test_decline_stages(projected: scenarios.Projected) -> None:
    stages = projected.stages
    assert stages.loc[stages["year"] == 2020, "stage"].isna().all(), "the base year has no stage"
    row = stages[(stages["scenario"] == "pattern1") & (stages["year"] == 2050)].iloc[0]
    expected = 1 if row["old_change_pct"] > 0 else (2 if row["old_change_pct"] > -10 else 3)
    assert row["stage"] == expected


def test_without_tfr_base_sim1_and_sim2_are_skipped_with_a_note(
    workbook: Path, tmp_path: Path
) -> None:
    loaded = agesex.load(workbook, edition="x", registry=REGISTRY)
    blank = tmp_path / "settings.csv"
    blank.write_text(
        "setting,municipality,value\ntfr_base,一関市,\ntfr_base,平泉町,\n", encoding="utf-8"
    )
    result = build_scenarios(
        loaded, REGISTRY.names, source="t",
        settings=blank,
        profile=DATA_RAW / "settler_profile.csv", survival=None,
        default_target=(94_000, 2040),
    )  # fmt: skip
    assert "sim1" not in result.results.projections and "sim2" not in result.results.projections
    assert result.notes[0].check == "sim-skipped-tfr"
    assert (
        "基準年の合計特殊出生率（tfr_base）が 一関市、平泉町 について設定されていません"
        in result.notes[0].message
    )


def test_a_per_municipality_settler_target_is_solved(
    tmp_path: Path,
    tidy: Path,
    edition: dict,  # type: ignore[type-arg]
) -> None:
    rows = "settler_target_population,平泉町,20000\nsettler_target_year,平泉町,2040\n"
    projected = build_with_settings(tidy, tmp_path, settings=rows)
    solved = projected.settlers.set_index("municipality")
    assert list(solved.index) == ["平泉町"]
    assert solved.loc["平泉町", "target_population"] == 20000
    settled = projected.long[(projected.long["scenario"] == "settlers")]
    total = settled[(settled["municipality"] == "平泉町") & (settled["year"] == 2040)][
        "population"
    ].sum()
    assert total == pytest.approx(20000)


# ---------------------------------------------------------------- helpers


def build_with_settings(age_sex: Path, tmp_path: Path, settings: str = "") -> scenarios.Projected:
    loaded = agesex.load(age_sex, edition="x", registry=REGISTRY)
    assert loaded.errors == []
    return build_scenarios(
        loaded,
        REGISTRY.names,
        source="test",
        settings=write(tmp_path, "settings.csv", SETTINGS_HEADER + settings),
        profile=DATA_RAW / "settler_profile.csv",
        survival=None,
        default_target=(94_000, 2040),
    )
