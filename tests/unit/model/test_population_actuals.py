"""analysis.model.population_actuals: the interpolation, the gaps to the paths and the targets,
the closest edition, the processed tables and the report's sentences, computed from the
validated actuals (the reader is tested in tests/unit/inputs/test_population_actuals.py)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.inputs.data import Edition
from analysis.inputs.population_actuals import COLUMNS, DEFAULT, load
from analysis.inputs.source_figures import read_stated_facts
from analysis.model import population_actuals
from analysis.model.population_actuals import against_paths, closest, interpolate, target_gaps
from analysis.run.tables import population_data
from tests.unit.inputs.test_population_actuals import GOOD, HEADER, TODAY, block, write


def points(values: dict[int, float]) -> pd.Series:
    return pd.Series(values, dtype="float64")


def test_interpolation_is_linear_in_days_between_first_octobers() -> None:
    path = points({2020: 119184.0, 2025: 112074.0})
    assert interpolate(path, datetime.date(2020, 10, 1)) == 119184.0
    assert interpolate(path, datetime.date(2025, 10, 1)) == 112074.0
    days = (datetime.date(2025, 10, 1) - datetime.date(2020, 10, 1)).days
    share = (datetime.date(2023, 1, 1) - datetime.date(2020, 10, 1)).days / days
    assert interpolate(path, datetime.date(2023, 1, 1)) == pytest.approx(
        119184 + (112074 - 119184) * share
    )
    assert interpolate(path, datetime.date(2020, 9, 30)) is None  # no extrapolation
    assert interpolate(path, datetime.date(2025, 10, 2)) is None


@given(
    st.lists(st.integers(0, 300_000), min_size=2, max_size=6),
    st.integers(0, 10_000),
)
def test_an_interpolated_value_lies_between_its_two_points(values: list[int], offset: int) -> None:
    years = [2015 + 5 * i for i in range(len(values))]
    path = points(dict(zip(years, map(float, values), strict=True)))
    day = datetime.date(2015, 10, 1) + datetime.timedelta(days=offset)
    value = interpolate(path, day)
    if day > datetime.date(years[-1], 10, 1):
        assert value is None
        return
    assert value is not None
    before = max(y for y in years if datetime.date(y, 10, 1) <= day)
    after = min(y for y in years if datetime.date(y, 10, 1) >= day)
    low, high = sorted((path.loc[before], path.loc[after]))
    assert low - 1e-6 <= value <= high + 1e-6


def edition(name: str, kind: str, census: tuple[int, ...] = ()) -> Edition:
    return Edition(name, kind, name, "", Path(name), census_years=census, short_label=name)


def paths_frame(series: dict[str, dict[int, tuple[int, int]]]) -> pd.DataFrame:
    """Editions' 圏域 paths: edition → year → (total, 65+)."""
    rows = []
    for name, years in series.items():
        for year, (total, old) in years.items():
            rows.append(("圏域", name, year, "total", total))
            rows.append(("圏域", name, year, "65+", old))
    return pd.DataFrame(
        rows, columns=["municipality", "edition", "year", "age_group", "population"]
    )


def census_2025(tmp_path: Path, total: tuple[int, int, int]) -> pd.DataFrame:
    text = HEADER + GOOD + block("一関市", "2025-10-01", "国勢調査", total)
    text += block("平泉町", "2025-10-01", "国勢調査", (700, 3300, 2800))
    return load(write(tmp_path / "c.csv", text), today=TODAY).frame


def test_gaps_to_paths_and_the_closest_edition(tmp_path: Path) -> None:
    actuals = census_2025(tmp_path, (10000, 54000, 41000))  # 圏域 2025: 111,800, 65+ 43,800
    editions = [
        edition("vision", "vision", (2020,)),
        edition("old", "projection", (2015, 2020)),
        edition("new", "projection", (2020,)),
    ]
    corrected = paths_frame(
        {
            "vision": {2020: (119184, 44858), 2025: (112074, 43886)},
            "old": {2015: (129451, 43333), 2020: (119184, 44858), 2025: (114307, 45429)},
            "new": {2020: (119184, 44858), 2025: (110000, 44000)},
        }
    )
    against = against_paths(actuals, corrected, editions)
    row = against[(against["date"] == "2025-10-01") & (against["edition"] == "vision")].iloc[0]
    assert row["actual_population"] == 111800
    assert row["gap_people"] == 111800 - 112074
    assert row["gap_aging_points"] == pytest.approx(43800 / 111800 * 100 - 43886 / 112074 * 100)
    assert bool(row["on_point"])
    ranked = closest(against, actuals, editions, corrected)
    assert set(ranked["date"]) == {"2025-10-01"}  # 2020 was each edition's own census
    assert ranked.sort_values("rank")["edition"].tolist() == ["vision", "new", "old"]
    assert ranked["rank"].tolist() == [1, 2, 3]


@given(st.lists(st.integers(90_000, 130_000), min_size=1, max_size=5), st.integers(90_000, 130_000))
def test_rank_one_has_the_smallest_gap(path_values: list[int], actual: int) -> None:
    editions = [edition(f"e{i}", "projection", (2020,)) for i in range(len(path_values))]
    corrected = paths_frame(
        {f"e{i}": {2020: (119184, 44858), 2030: (v, v // 3)} for i, v in enumerate(path_values)}
    )
    actuals = pd.DataFrame(
        [
            ("圏域", "2025-10-01", 2025, "census", "国勢調査", group, value, True, "f", 1)
            for group, value in (("0-14", actual // 10), ("15-64", actual // 2),
                                 ("65+", actual - actual // 10 - actual // 2), ("total", actual))
        ],
        columns=COLUMNS,
    )  # fmt: skip
    against = against_paths(actuals, corrected, editions)
    ranked = closest(against, actuals, editions, corrected)
    assert len(ranked) == len(path_values)
    best = ranked[ranked["rank"] == 1].iloc[0]
    assert best["abs_gap_people"] == ranked["abs_gap_people"].min()
    assert (ranked["gap_people"] == ranked["actual_population"] - ranked["path_population"]).all()


def test_gaps_to_the_targets_are_actual_minus_target() -> None:
    actuals = load(DEFAULT).frame
    gaps = target_gaps(actuals, read_stated_facts()).set_index(["date", "target_year"])
    latest = gaps.loc[("2023-01-01", 2028)]
    assert latest["target_population"] == 107400
    assert latest["gap_to_target_people"] == 116684 - 107400
    assert latest["gap_to_target_aging_points"] == pytest.approx(44389 / 116684 * 100 - 39.5)
    years = (datetime.date(2028, 10, 1) - datetime.date(2023, 1, 1)).days / 365.25
    assert latest["needed_change_per_year_people"] == pytest.approx((107400 - 116684) / years)
    assert gaps.loc[("2023-01-01", 2040), "target_aging_rate_pct"] == 40
    assert not gaps.isna().any().any()


def test_the_processed_tables_have_no_missing_or_infinite_numbers() -> None:
    data = population_data()
    built = population_actuals.build_tables(load(DEFAULT), data, read_stated_facts())
    for name, frame in built.items():
        numbers = frame.select_dtypes("number")
        assert not numbers.isna().any().any(), name
        assert numbers.abs().le(1e12).all().all(), name
    lines = population_actuals.key_points(built, data)
    assert any(
        "住民基本台帳の人口で、10月1日の国勢調査・推計の人口ではありません" in x for x in lines
    )
    assert any("-623人の差" in x for x in lines)  # the vision's 2023 value against a 1 October path
    assert any("まだ入力されていません" in x for x in lines)


def test_a_gap_on_an_editions_own_census_year_is_explained_as_a_disagreement_of_sources() -> None:
    """The vision takes 2020 from the plan, whose 一関市 age groups differ from the census (same
    total): the 2020 census sentence says the 高齢化率 gap is not a change of population."""
    data = population_data()
    built = population_actuals.build_tables(load(DEFAULT), data, read_stated_facts())
    census = next(x for x in population_actuals.key_points(built, data) if "国勢調査の人口" in x)
    assert "実績−展望は0人、高齢化率の差は-0.46ポイントです。" in census
    assert "年齢3区分の人数が国勢調査と合っていません" in census
    resident = next(
        x for x in population_actuals.key_points(built, data) if "住民基本台帳の人口（" in x
    )
    assert "国勢調査と合っていません" not in resident
    # 平泉町's print agrees with the census: nothing to explain there.
    town = population_actuals.key_points(built, data, "平泉町")
    assert not any("合っていません" in x for x in town)


def test_the_report_measures_the_pace_to_a_target_from_the_latest_count_of_each_kind() -> None:
    data = population_data()
    built = population_actuals.build_tables(load(DEFAULT), data, read_stated_facts())
    every = built["actual_targets"]
    latest = population_actuals.latest_of_each_kind(every)
    assert set(every["date"]) == {"2015-10-01", "2020-10-01", "2023-01-01"}  # history kept
    assert set(zip(latest["date"], latest["kind_label"], strict=True)) == {
        ("2020-10-01", "国勢調査"),
        ("2023-01-01", "住民基本台帳"),
    }
    assert len(latest) == 4  # two kinds × the 2028 and 2040 targets
    assert list(latest["date"]) == sorted(latest["date"])
