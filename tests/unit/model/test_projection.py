"""analysis.model.projection: the engine against the textbook (Preston, Box 6.2), a loop per
municipality and its invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.inputs import agesex
from analysis.inputs.cells import read_municipality_registry
from analysis.model import projection, scenarios
from tests import standard_method
from tests.workbooks import (
    GROUPS,
    YEARS,
    made_up_edition,
    reference_step,
)

REGISTRY = read_municipality_registry()

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
