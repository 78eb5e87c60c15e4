"""The cohort-component engine: arrays of municipality × sex × age group, 5-year steps.

Populations are float arrays of shape ``(M, 2, A)`` (municipalities, sex with 0 =
male and 1 = female, five-year age groups with the last one open), or
``(Y, M, 2, A)`` over years. Nothing is rounded. Every step is a handful of
array operations for all municipalities at once.

The worksheet conventions (the national guidance's Excel worksheet), written out
in the report's 算出方法:

- ages 5–9 … up to the group below the open one:
  ``P(s, x+5, t+5) = P(s, x, t) × R(s, x, t)``, where ``R`` is the survival ratio
  times one plus the net migration rate, ``S × (1 + m)``, or the cohort change
  ratio itself (コーホート変化率法);
- the open group: ``P(s, 95+, t+5) = (P(s, 90–94, t) + P(s, 95+, t)) × R(s, 95+, t)``
  (the 90–94 row's own ratio is not used);
- 0–4: ``CWR(t+5) × Σ women 15–49 at t+5``, split by the 0–4 sex ratio ``SR``
  (males per 100 females); net settlers of the period join before this step, so
  women among them count (the worksheet's convention: migrants included).

Ratios are stored by the group they produce (index ``a`` holds the ratio that
makes group ``a`` from group ``a − 1``; the open group's from both), which is the
starting-age convention of the worksheet shifted by one row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

MALE, FEMALE = 0, 1
CHILDBEARING = (15, 50)
"""Women 15–49: the denominator of the child–woman ratio."""


@dataclass(frozen=True)
class Schedule:
    """What drives each 5-year step ``k`` (from ``years[k]`` to ``years[k + 1]``)."""

    ratios: np.ndarray
    """(K, M, 2, A): the ratio producing each group from the one below (index 0 unused)."""
    cwr: np.ndarray
    """(K, M): children 0–4 (both sexes) per woman 15–49 at the end of the step."""
    sex_ratio: np.ndarray
    """(K, M): males per 100 females among children 0–4 at the end of the step."""

    def with_cwr(self, cwr: np.ndarray) -> Schedule:
        return replace(self, cwr=cwr)

    def with_ratios(self, ratios: np.ndarray) -> Schedule:
        return replace(self, ratios=ratios)


def childbearing(lower_bounds: np.ndarray) -> np.ndarray:
    """Which age groups are women 15–49 (by their lower bounds, in years)."""
    return (lower_bounds >= CHILDBEARING[0]) & (lower_bounds < CHILDBEARING[1])


def implied_schedule(population: np.ndarray, lower_bounds: np.ndarray) -> Schedule:
    """The ratios, CWR and sex ratio that turn each year of ``population`` into the next.

    ``population`` is (Y, M, 2, A). Projecting its first year with the result
    reproduces every later year (パターン1, 社人研準拠): this is how an edition's own
    assumptions are recovered from its published counts. A ratio whose starting
    group is empty is 0 (nothing to carry forward).
    """
    start, end = population[:-1], population[1:]
    ratios = np.zeros_like(end)
    _divide(end[..., 1:-1], start[..., :-2], ratios[..., 1:-1])
    _divide(end[..., -1], start[..., -2] + start[..., -1], ratios[..., -1])
    women = end[:, :, FEMALE, childbearing_slice(lower_bounds)].sum(axis=-1)
    children = end[:, :, MALE, 0] + end[:, :, FEMALE, 0]
    cwr = _divide(children, women, np.zeros_like(children))
    sex_ratio = _divide(
        100 * end[:, :, MALE, 0], end[:, :, FEMALE, 0], np.full_like(children, 100.0)
    )
    return Schedule(ratios, cwr, sex_ratio)


def _divide(numerator: np.ndarray, denominator: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``numerator ÷ denominator`` into ``out``, leaving ``out`` as it is where the denominator is 0."""
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def childbearing_slice(lower_bounds: np.ndarray) -> slice:
    """The age groups of women 15–49 as a slice (they are consecutive)."""
    indices = np.flatnonzero(childbearing(lower_bounds))
    return slice(int(indices[0]), int(indices[-1]) + 1)


def step(
    population: np.ndarray,
    ratios: np.ndarray,
    cwr: np.ndarray,
    sex_ratio: np.ndarray,
    women: slice,
    out: np.ndarray | None = None,
    settlers: np.ndarray | None = None,
    settler_birth_weight: float = 1.0,
) -> np.ndarray:
    """One 5-year step of (M, 2, A) populations (see the module docstring for the formulas).

    ``women`` is :func:`childbearing_slice` of the age groups; the result goes to
    ``out`` when given. ``settlers`` (M, 2, A), the net settlers of the step counted
    at its end, join *before* the 0–4 step, as in the worksheet (0–4 = CWR × women
    15–49 at the end of the period, migrants included): women among them count for
    the period's births, and settlers aged 0–4 are added to the children born.
    """
    following = np.empty_like(population) if out is None else out
    np.multiply(population[..., :-2], ratios[..., 1:-1], out=following[..., 1:-1])
    np.add(population[..., -2], population[..., -1], out=following[..., -1])
    following[..., -1] *= ratios[..., -1]
    if settlers is not None:
        following[..., 1:] += settlers[..., 1:]
    mothers = following[:, FEMALE, women].sum(axis=-1)
    if settlers is not None and settler_birth_weight != 1.0:
        # Settlers arriving through the period are exposed for part of it (``settler_timing``).
        mothers = mothers - (1.0 - settler_birth_weight) * settlers[:, FEMALE, women].sum(axis=-1)
    children = cwr * mothers
    following[:, MALE, 0] = children * (sex_ratio / (100 + sex_ratio))
    following[:, FEMALE, 0] = children - following[:, MALE, 0]
    if settlers is not None:
        following[..., 0] += settlers[..., 0]
    return following


def project(
    start: np.ndarray,
    schedule: Schedule,
    lower_bounds: np.ndarray,
    settlers: np.ndarray | None = None,
    settler_birth_weight: float = 1.0,
) -> np.ndarray:
    """Project (M, 2, A) ``start`` over the schedule's steps; returns (K + 1, M, 2, A).

    ``settlers`` (M, 2, A), the net settlers of every step (or (K, M, 2, A), of each
    step), join before the 0–4 step (see :func:`step`).
    """
    steps = schedule.cwr.shape[0]
    women = childbearing_slice(lower_bounds)
    result = np.empty((steps + 1, *start.shape))
    result[0] = start
    for k in range(steps):
        step(
            result[k],
            schedule.ratios[k],
            schedule.cwr[k],
            schedule.sex_ratio[k],
            women,
            result[k + 1],
            None
            if settlers is None
            else (settlers if settlers.ndim == start.ndim else settlers[k]),
            settler_birth_weight,
        )
    return result


def extended(schedule: Schedule, steps: int) -> Schedule:
    """The schedule with ``steps`` more steps, each holding the last one's ratios, CWR and
    sex ratio (the worksheet's way of running past the edition's last year)."""
    if steps <= 0:
        return schedule

    def hold(values: np.ndarray) -> np.ndarray:
        return np.concatenate([values, np.repeat(values[-1:], steps, axis=0)])

    return Schedule(hold(schedule.ratios), hold(schedule.cwr), hold(schedule.sex_ratio))
