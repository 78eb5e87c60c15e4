"""Projections by sex and age: the engine, the readers, the scenarios, the report."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.findings import DataError
from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION
from analysis.inputs import agesex
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.data import load_population
from analysis.model import projection, scenarios

from . import standard_method
from .conftest import TEST_CELL_TIMEOUT, Project, run_notebook
from .workbooks import GROUPS, YEARS, made_up_edition, published_workbook, reference_step, tidy_csv

REGISTRY = read_municipality_registry()
CODES = {"一関市": "3209", "平泉町": "3402"}
SIZES = {"一関市": 4.6, "平泉町": 0.31}

# ---------------------------------------------------------------- Preston, Heuveline & Guillot (2001), Box 6.2

SWEDEN_1993 = [293395, 248369, 240012, 261346, 285209, 314388, 281290, 286923, 304108,
               324946, 247613, 211351, 215140, 221764, 223506, 183654, 141990, 112424]  # fmt: skip
L5 = [497487, 497138, 496901, 496531, 495902, 495168, 494213, 492760, 490447, 486613,
      480665, 471786, 457852, 436153, 402775, 350358, 271512, 0]  # fmt: skip
T85 = 291707
MIGRANTS = [6840, 4150, 3365, 5270, 9240, 8230, 5470, 3155, 1770, 1115, 1075, 845, 645, 530,
            465, 300, 250, 175]  # fmt: skip
EXPECTED_1998 = [302392, 298682, 252007, 244150, 268267, 293515, 320624, 284767, 288031, 303166,
                 322062, 243989, 205841, 205516, 205270, 194771, 142565, 131966]  # fmt: skip
FERTILITY = [0.0120, 0.0908, 0.1499, 0.1125, 0.0441, 0.0074, 0.0003]
EXPECTED_BIRTHS = [15244, 126688, 229354, 170057, 63203, 10971, 472]


def test_preston_box_6_2_is_reproduced_exactly() -> None:
    survival, birth_survival = standard_method.survival_from_life_table(
        100_000, np.array(L5, float), T85
    )
    assert birth_survival == pytest.approx(497487 / 500000)
    women = standard_method.StandardStep(
        np.array(SWEDEN_1993, float), survival, birth_survival, np.array(MIGRANTS, float)
    )
    female, male, births = standard_method.standard_step(women, women, np.array(FERTILITY), 3, 1.05)
    assert np.round(female).astype(int).tolist() == EXPECTED_1998
    assert np.round(births).astype(int).tolist() == EXPECTED_BIRTHS
    # The implementations' test: men equal to women but for the male share of births.
    assert round(male[0]) == 317_340
    assert np.round(male[1:]).astype(int).tolist() == EXPECTED_1998[1:]


# ---------------------------------------------------------------- reading


@pytest.fixture(scope="module")
def edition() -> dict[str, list[list[list[int]]]]:
    return made_up_edition(SIZES)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, edition: dict) -> Path:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("ipss")
    return published_workbook(folder / "03.xlsx", edition, CODES, unknown_age={"一関市": 37})


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


def test_the_ipss_workbook_serves_as_a_three_group_projection(
    workbook: Path, edition: dict
) -> None:  # type: ignore[type-arg]
    loaded = load_population(workbook, edition="ipss_2023", municipalities=REGISTRY)
    assert loaded.errors == [] and loaded.age_sex is not None
    broad = loaded.frame.set_index(["municipality", "year", "age_group"])["population"]
    year = edition["一関市"][4]  # 2040
    assert broad[("一関市", 2040, "0-14")] == sum(year[s][g] for s in range(2) for g in range(3))
    assert broad[("一関市", 2040, "65+")] == sum(
        year[s][g] for s in range(2) for g in range(13, 20)
    )
    assert broad[("一関市", 2020, "total")] == sum(map(sum, edition["一関市"][0])) + 37, (
        "総数 as printed"
    )
    assert loaded.frame["derived"].all()


# ---------------------------------------------------------------- the engine


def as_array(edition: dict) -> np.ndarray:  # type: ignore[type-arg]
    return np.array([edition[m] for m in ("一関市", "平泉町")], dtype=float).transpose(1, 0, 2, 3)


BOUNDS = np.array([int(g.rstrip("+").split("-")[0]) for g in GROUPS])


def test_pattern1_reproduces_the_published_workbook(workbook: Path, edition: dict) -> None:  # type: ignore[type-arg]
    loaded = agesex.load(workbook, edition="x", registry=REGISTRY)
    base = scenarios.Base.from_frame(loaded.frame, loaded.groups, REGISTRY.names)
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    projected = projection.project(base.population[0], implied, base.lower_bounds)
    assert np.abs(projected - as_array(edition)).max() < 0.01


def test_the_engine_agrees_with_a_loop_per_municipality(edition: dict) -> None:  # type: ignore[type-arg]
    population = as_array(edition)
    implied = projection.implied_schedule(population, BOUNDS)
    rng = np.random.default_rng(1)
    cwr = implied.cwr * rng.uniform(0.9, 1.3, implied.cwr.shape)
    settlers = rng.uniform(0, 40, (len(YEARS) - 1, 2, 2, len(GROUPS)))
    engine = projection.project(population[0], implied.with_cwr(cwr), BOUNDS, settlers)
    for m in range(2):
        current = population[0, m].tolist()
        for k in range(len(YEARS) - 1):
            current = reference_step(
                current,
                implied.ratios[k, m].tolist(),
                cwr[k, m],
                implied.sex_ratio[k, m],
                settlers[k, m].tolist(),
            )
            assert np.allclose(engine[k + 1, m], current, rtol=1e-12, atol=1e-9)


populations = st.lists(
    st.floats(min_value=0, max_value=5_000, allow_nan=False),
    min_size=2 * len(GROUPS),
    max_size=2 * len(GROUPS),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(populations, min_size=1, max_size=3))
def test_without_deaths_migration_or_births_cohorts_shift_by_one_group(
    values: list[list[float]],
) -> None:
    start = np.array(values).reshape(len(values), 2, len(GROUPS))
    schedule = projection.Schedule(
        np.ones((1, *start.shape)), np.zeros((1, len(values))), np.full((1, len(values)), 105.0)
    )
    after = projection.project(start, schedule, BOUNDS)[1]
    assert np.allclose(after[..., 0], 0)
    assert np.allclose(after[..., 1:-1], start[..., :-2])
    assert np.allclose(after[..., -1], start[..., -2] + start[..., -1])
    assert np.isclose(after.sum(), start.sum()), "nobody is lost and nobody is born"


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0, max_value=2_000), st.floats(min_value=0, max_value=2_000))
def test_projections_are_linear_in_settlers(first: float, second: float) -> None:
    edition = made_up_edition({"一関市": 1.0, "平泉町": 0.2})
    population = as_array(edition)
    implied = projection.implied_schedule(population, BOUNDS)
    profile = np.zeros((2, len(GROUPS)))
    profile[:, 4:8] = 0.125
    shape = (len(YEARS) - 1, 2, 2, len(GROUPS))

    def run(n: float) -> np.ndarray:
        return projection.project(
            population[0], implied, BOUNDS, np.broadcast_to(n * profile, shape)
        )

    zero = run(0)
    assert np.allclose(
        run(first + second) - zero, (run(first) - zero) + (run(second) - zero), atol=1e-6
    )


# ---------------------------------------------------------------- scenarios


def settings_file(folder: Path, **changes: str) -> Path:
    text = (DATA_RAW / "projection_settings.csv").read_text(encoding="utf-8")
    # The made-up editions' own base rates (the shipped ones belong to the real 2018 edition).
    text = re.sub(r"^tfr_base,一関市,[^,]*,", "tfr_base,一関市,1.45,", text, flags=re.M)
    text = re.sub(r"^tfr_base,平泉町,[^,]*,", "tfr_base,平泉町,1.38,", text, flags=re.M)
    for name, value in changes.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{name},")]
        text = "\n".join([*lines, f"{name},{value}"]) + "\n"
    path = folder / "settings.csv"
    path.write_text(text, encoding="utf-8")
    return path


def survival_file(folder: Path) -> Path:
    labels = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳以上"]
    lines = ["municipality,period,sex,age_group,survival_ratio"]
    for sex in ("男", "女"):
        for i, label in enumerate(labels):
            ratio = max(0.3, 0.997 - 0.0009 * (i + 1) ** 2 / 4)
            ratio = {len(labels) - 1: 0.48, len(labels) - 2: 0.58}.get(i, ratio)
            lines.append(f",,{sex},{label},{ratio:.4f}")
    path = folder / "survival.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def projected(workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> scenarios.Projected:
    folder = tmp_path_factory.mktemp("scenarios")
    loaded = agesex.load(workbook, edition="x", registry=REGISTRY)
    return scenarios.build(
        loaded.frame,
        loaded.groups,
        REGISTRY.names,
        source="test",
        settings_path=settings_file(folder, settler_target_population="圏域,120000"),
        profile_path=DATA_RAW / "settler_profile.csv",
        survival_path=survival_file(folder),
        default_target=(94_000, 2040),
    )


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
    result = scenarios.build(
        loaded.frame, loaded.groups, REGISTRY.names, source="t",
        settings_path=settings_file(tmp_path, settler_target_population="圏域,1000"),
        profile_path=DATA_RAW / "settler_profile.csv", survival_path=None,
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


def test_an_influence_year_outside_the_projection_is_one_line(
    workbook: Path, tmp_path: Path
) -> None:
    loaded = agesex.load(workbook, edition="x", registry=REGISTRY)
    with pytest.raises(DataError) as caught:
        scenarios.build(
            loaded.frame, loaded.groups, REGISTRY.names, source="t",
            settings_path=settings_file(tmp_path, influence_year=",2060"),
            profile_path=DATA_RAW / "settler_profile.csv", survival_path=None,
            default_target=(94_000, 2040),
        )  # fmt: skip
    message = str(caught.value)
    assert "2060年は influence_year に使えません" in message and "\n" not in message


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
    result = scenarios.build(
        loaded.frame, loaded.groups, REGISTRY.names, source="t",
        settings_path=blank,
        profile_path=DATA_RAW / "settler_profile.csv", survival_path=None,
        default_target=(94_000, 2040),
    )  # fmt: skip
    assert "sim1" not in result.results.projections and "sim2" not in result.results.projections
    assert result.notes[0].check == "sim-skipped-tfr"
    assert (
        "基準年の合計特殊出生率（tfr_base）が 一関市、平泉町 について設定されていません"
        in result.notes[0].message
    )


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
        scenarios.read_settings(path, REGISTRY.names)
    assert message in str(caught.value) and str(caught.value).startswith(f"{path}:2: ")


def test_a_profile_must_sum_to_one_and_survival_must_be_complete(tmp_path: Path) -> None:
    profile = tmp_path / "profile.csv"
    profile.write_text("sex,age_group,share\n男,20～24歳,0.5\n女,20～24歳,0.4\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"割合の合計が1ではありません（合計 0\.9）"):
        scenarios.read_profile(profile, GROUPS)
    survival = tmp_path / "survival.csv"
    survival.write_text(
        "municipality,period,sex,age_group,survival_ratio\n,,男,0～4歳,0.99\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="生残率が足りません"):
        scenarios.read_survival(survival, ["一関市"], YEARS, GROUPS)


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
    import openpyxl

    assert {"将来推計（男女・5歳階級）", "影響度", "転入超過の必要数"} <= set(
        openpyxl.load_workbook(project.reports / "tables.xlsx", read_only=True).sheetnames
    )
    # Without age × sex data (the shipped 2018 edition unregistered) the report goes away.
    from .test_projection_inputs import unregister_age_sex

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


def test_a_registered_age_sex_edition_feeds_the_projections(raw_copy: Path, workbook: Path) -> None:
    import shutil

    from analysis.model import population

    shutil.copy(workbook, raw_copy / "ipss_2023_03.xlsx")
    # Registered after the shipped editions (the real 2018 age × sex, the 2023 three groups).
    with (raw_copy / "editions.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "ipss_2023s,projection,社人研推計（令和5年推計・合成）,2023-12,ipss_2023_03.xlsx,"
            "ipss_2023,テスト,社人研推計（2023年12月）,1,2020\n"
        )
    data = population.load(raw_dir=raw_copy)
    assert population.current_edition(data, "projection").edition == "ipss_2023s"
    source = population.age_sex_source(data, None, raw_copy)
    assert source is not None and source.label == "社人研推計（令和5年推計・合成）"
    projected = population.projections(data, raw_dir=raw_copy)
    assert projected is not None and "pattern1" in projected.results.projections


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
    from analysis.model import population

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
    projected = population.projections(population.load(), age_sex_path=path)
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
