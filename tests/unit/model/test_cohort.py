"""Cohort arithmetic: worked examples and property-based invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.schema import AGE_GROUPS, REGION, TOTAL
from analysis.inputs.data import PopulationData
from analysis.model import cohort
from tests.unit.model.test_checks import total


def frame_from(
    counts: dict[tuple[str, int], tuple[int, int, int]], edition: str = "e"
) -> pd.DataFrame:
    """Long frame from {(municipality, year): (0-14, 15-64, 65+)} with printed totals."""
    rows = []
    for (municipality, year), groups in counts.items():
        for group, value in zip(AGE_GROUPS, groups, strict=True):
            rows.append((edition, municipality, year, group, value))
        rows.append((edition, municipality, year, TOTAL, sum(groups)))
    frame = pd.DataFrame(
        rows, columns=["edition", "municipality", "year", "age_group", "population"]
    )
    return frame.assign(derived=False)


def test_age_structure_worked_example() -> None:
    structure = cohort.age_structure(frame_from({("A", 2020): (100, 500, 400)})).iloc[0]
    assert structure["total"] == 1000
    assert structure["aging_rate_pct"] == 40.0
    assert structure["share_0-14_pct"] == 10.0
    assert structure["youth_dependency_pct"] == 20.0
    assert structure["old_age_dependency_pct"] == 80.0
    assert structure["dependency_pct"] == 100.0
    assert structure["ageing_index_pct"] == 400.0


def test_total_is_derived_when_absent() -> None:
    frame = frame_from({("A", 2020): (1, 2, 3)})
    frame = frame[frame["age_group"] != TOTAL]
    structure = cohort.age_structure(frame)
    assert structure[TOTAL].iloc[0] == 6
    assert structure["aging_rate_pct"].iloc[0] == 50.0


def test_change_from_base_and_index() -> None:
    frame = frame_from({("A", 2020): (100, 500, 400), ("A", 2030): (50, 400, 450)})
    change = cohort.change_from_base(frame, 2020).set_index(["year", "age_group"])
    assert change.loc[(2030, "0-14"), "change"] == -50
    assert change.loc[(2030, "0-14"), "change_rate_pct"] == -50.0
    assert change.loc[(2020, TOTAL), "index"] == 1.0
    assert change.loc[(2030, "65+"), "index"] == pytest.approx(1.125)


def test_change_needs_the_base_year() -> None:
    with pytest.raises(cohort.ExtrapolationError, match="base year 2015 is not available"):
        cohort.change_from_base(frame_from({("A", 2020): (1, 2, 3)}), 2015)


def test_linear_and_geometric_interpolation_worked_example() -> None:
    frame = frame_from({("A", 2025): (100, 100, 100), ("A", 2030): (50, 200, 100)})
    linear = cohort.interpolate(frame, [2028]).set_index("age_group")["population"]
    assert linear["0-14"] == pytest.approx(70.0)
    assert linear["15-64"] == pytest.approx(160.0)
    assert linear[TOTAL] == pytest.approx(330.0)
    geometric = cohort.interpolate(frame, [2028], "geometric").set_index("age_group")
    assert geometric.loc["0-14", "population"] == pytest.approx(100 * 0.5**0.6)
    assert geometric.loc[TOTAL, "population"] == pytest.approx(
        geometric.loc[list(AGE_GROUPS), "population"].sum()
    )
    assert geometric.loc["0-14", "derivation"] == "幾何補間（2025–2030年）"


def test_published_years_are_returned_unchanged_and_not_marked_derived() -> None:
    frame = frame_from({("A", 2025): (1, 2, 3), ("A", 2030): (4, 5, 6)})
    result = cohort.interpolate(frame, [2025])
    assert not result["derived"].any()
    assert list(result["population"]) == list(frame[frame["year"] == 2025]["population"])


def test_extrapolation_is_refused() -> None:
    frame = frame_from({("A", 2025): (1, 2, 3), ("A", 2030): (4, 5, 6)})
    with pytest.raises(
        cohort.ExtrapolationError,
        match=r"year 2035 is outside the published years 2025–2030 of e A 0-14",
    ):
        cohort.interpolate(frame, [2035])


def test_compare_gap_and_ratio() -> None:
    a = frame_from({("A", 2040): (10, 50, 40)}, "projection")
    b = frame_from({("A", 2040): (20, 60, 40)}, "vision")
    result = cohort.compare(pd.concat([a, b]), "projection", "vision").set_index("age_group")
    assert result.loc[TOTAL, "gap"] == 20
    assert result.loc[TOTAL, "ratio"] == pytest.approx(1.2)


# ------------------------------------------------------------------ properties

counts = st.integers(min_value=0, max_value=2_000_000)
positive = st.integers(min_value=1, max_value=2_000_000)


@st.composite
def two_year_frames(draw: st.DrawFn, minimum: int = 0) -> tuple[pd.DataFrame, int, int]:
    value = st.integers(min_value=max(minimum, 0), max_value=2_000_000)
    municipalities = draw(
        st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True)
    )
    start = draw(st.integers(min_value=1950, max_value=2090))
    end = start + draw(st.integers(min_value=1, max_value=20))
    data = {}
    for municipality in municipalities:
        for year in (start, end):
            data[(municipality, year)] = (draw(value), draw(value), draw(value))
    return frame_from(data), start, end


@given(st.lists(st.tuples(counts, counts, counts), min_size=1, max_size=20))
def test_shares_sum_to_100(groups: list[tuple[int, int, int]]) -> None:
    frame = frame_from({("A", 2000 + i): g for i, g in enumerate(groups)})
    structure = cohort.age_structure(frame)
    nonzero = structure[structure[TOTAL] > 0]
    sums = nonzero[[f"share_{g}_pct" for g in AGE_GROUPS]].sum(axis=1)
    assert np.allclose(sums, 100.0)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["linear", "geometric"]), st.data())
def test_interpolation_meets_both_endpoints_and_stays_between(
    method: str, data: st.DataObject
) -> None:
    # Geometric interpolation is defined for positive populations.
    frame, start, end = data.draw(two_year_frames(minimum=1 if method == "geometric" else 0))
    target = data.draw(st.integers(min_value=start, max_value=end))
    result = cohort.interpolate(frame, [start, target, end], method)  # type: ignore[arg-type]
    keyed = result.set_index(["municipality", "age_group", "year"])["population"]
    original = frame.set_index(["municipality", "age_group", "year"])["population"]
    # Under geometric interpolation the total is the sum of the interpolated groups, which
    # can dip below both endpoint totals; each age group itself must stay between.
    checked = frame if method == "linear" else frame[frame["age_group"] != TOTAL]
    for (municipality, group), series in checked.groupby(["municipality", "age_group"]):
        low, high = series["population"].min(), series["population"].max()
        value = keyed[(municipality, group, target)]
        assert low - 1e-6 <= value <= high + 1e-6
        assert keyed[(municipality, group, start)] == original[(municipality, group, start)]
        assert keyed[(municipality, group, end)] == original[(municipality, group, end)]


def summed(frame: pd.DataFrame, municipalities: list[str], name: str = REGION) -> pd.DataFrame:
    """The municipalities summed into one area per edition, year and age group (人)."""
    members = frame[frame["municipality"].isin(municipalities)]
    total = members.groupby(["edition", "year", "age_group"], as_index=False).agg(
        population=("population", "sum"), derived=("derived", "any")
    )
    return total.assign(municipality=name)[
        ["edition", "municipality", "year", "age_group", "population", "derived"]
    ]


@settings(max_examples=40, deadline=None)
@given(two_year_frames(), st.data())
def test_aggregation_and_linear_interpolation_commute(
    case: tuple[pd.DataFrame, int, int], data: st.DataObject
) -> None:
    frame, start, end = case
    target = data.draw(st.integers(min_value=start, max_value=end))
    municipalities = sorted(frame["municipality"].unique())
    then_sum = summed(cohort.interpolate(frame, [target]), municipalities)
    sum_then = cohort.interpolate(summed(frame, municipalities), [target])
    left = then_sum.set_index("age_group")["population"].sort_index()
    right = sum_then.set_index("age_group")["population"].sort_index()
    assert np.allclose(left.to_numpy(), right.to_numpy(), rtol=1e-12, atol=1e-6)
    assert set(then_sum["municipality"]) == {REGION}


@given(st.lists(st.tuples(positive, positive, positive), min_size=2, max_size=8))
def test_change_rate_and_index_agree(groups: list[tuple[int, int, int]]) -> None:
    frame = frame_from({("A", 2000 + 5 * i): g for i, g in enumerate(groups)})
    change = cohort.change_from_base(frame, 2000)
    assert np.allclose(change["index"] - 1, change["change_rate_pct"] / 100)


long_rows = st.lists(
    st.tuples(
        st.sampled_from(["ipss_2018", "vision_2024", "v"]),
        st.sampled_from(["一関市", "平泉町", REGION, "A"]),
        st.integers(min_value=2015, max_value=2045),
        st.sampled_from([*AGE_GROUPS, TOTAL]),
        st.integers(min_value=0, max_value=200_000),
        st.booleans(),
    ),
    max_size=40,
)


@given(long_rows)
def test_unstack_keeps_the_first_of_repeated_keys_and_structure_marks_derived_rows(
    rows: list[tuple],
) -> None:
    frame = pd.DataFrame(
        rows, columns=["edition", "municipality", "year", "age_group", "population", "derived"]
    )
    keys = ["edition", "municipality", "year"]
    ours = cohort.unstack_age_groups(frame, keys)
    for (edition, municipality, year, group), value in (
        frame.drop_duplicates([*keys, "age_group"])
        .set_index([*keys, "age_group"])["population"]
        .items()
    ):
        assert ours.loc[(edition, municipality, year), group] == value
    assert ours.index.is_monotonic_increasing
    if len(frame):
        derived = cohort.age_structure(frame).set_index(keys)["derived"]
        assert derived.equals(frame.groupby(keys)["derived"].any().reindex(derived.index))


@pytest.mark.parametrize(
    ("municipality", "rates"),
    [
        ("一関市", [37.52, 37.88, 39.05, 39.66, 39.93, 39.53, 39.68]),
        ("平泉町", [39.42, 40.63, 40.81, 41.89, 42.35, 41.66, 47.59]),
        (REGION, [37.64, 38.04, 39.16, 39.80, 40.07, 39.65, 40.13]),
    ],
)
def test_vision_aging_rates_to_a_hundredth_of_a_point(
    data: PopulationData, municipality: str, rates: list[float]
) -> None:
    structure = cohort.age_structure(data.corrected)
    rows = structure[
        (structure["edition"] == "vision_2024") & (structure["municipality"] == municipality)
    ].sort_values("year")
    assert list(rows["year"]) == [2020, 2023, 2025, 2028, 2030, 2035, 2040]
    assert list(rows["aging_rate_pct"].round(2)) == rates


def test_ipss_change_rates_and_2040_shares(data: PopulationData) -> None:
    change = cohort.change_from_base(data.corrected, 2020)
    region = change[
        (change["edition"] == "ipss_2018")
        & (change["municipality"] == REGION)
        & (change["year"] == 2040)
    ].set_index("age_group")
    assert region["change_rate_pct"].round(2).to_dict() == {
        "0-14": -38.92,
        "15-64": -32.17,
        "65+": -8.14,
        "total": -23.82,
    }
    structure = cohort.age_structure(data.corrected).set_index(["edition", "municipality", "year"])
    shares = structure.loc[("ipss_2018", "一関市", 2040)]
    assert round(shares["share_0-14_pct"], 2) == 8.19
    assert round(shares["share_15-64_pct"], 2) == 46.43
    assert round(shares["share_65+_pct"], 2) == 45.38


def test_2028_projection_is_interpolated_from_the_2025_2030_decline(data: PopulationData) -> None:
    frame = cohort.interpolate(data.corrected[data.corrected["edition"] == "ipss_2018"], [2028])
    # 114,307 + (106,481 − 114,307) × 3/5
    assert total(frame, "ipss_2018", REGION, 2028) == pytest.approx(109_611.4)
    assert total(frame, "ipss_2018", "一関市", 2028) == pytest.approx(103_224.0)
    assert total(frame, "ipss_2018", "平泉町", 2028) == pytest.approx(6_387.4)
    assert frame["derived"].all()


def test_census_prose_shares(data: PopulationData) -> None:
    structure = cohort.age_structure(data.corrected).set_index(["edition", "municipality", "year"])
    y2020 = structure.loc[("ipss_2018", REGION, 2020)]
    assert [round(y2020[f"share_{g}_pct"], 1) for g in ("0-14", "15-64", "65+")] == [
        10.4,
        52.0,
        37.6,
    ]
    y2040 = structure.loc[("ipss_2018", REGION, 2040)]
    assert [round(y2040[f"share_{g}_pct"], 1) for g in ("0-14", "15-64", "65+")] == [
        8.3,
        46.3,
        45.4,
    ]
