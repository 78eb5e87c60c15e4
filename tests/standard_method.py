"""The textbook cohort-component method, as the tests' reference.

Preston, Heuveline & Guillot (2001), *Demography*, Box 6.2 (Sweden 1993 → 1998):
survival ratios from a life table, migrants joining half at the start and half at the
end of the step, births from age-specific fertility rates and the mean number of women
exposed. The project's engine (:mod:`analysis.model.projection`) follows the national guide's
worksheet instead (child–woman ratios); this method is kept here, reproduced exactly by
``tests/unit/model/test_projection.py``, for comparisons and for the ASFR-based variants a later
edition of the guide may ask for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StandardStep:
    """One 5-year step of the standard cohort-component method (one or many populations).

    Arrays have a trailing age axis of A five-year groups (the last open); leading
    axes (municipalities, …) broadcast.
    """

    population: np.ndarray
    """Population at the start, by age (人)."""
    survival: np.ndarray
    """S(x → x+5) by starting group x (0 … A−2), and at A−1 the open group's ratio applied
    to (P(A−2) + P(A−1)) (the group A−2's own ratio is not used)."""
    birth_survival: float | np.ndarray
    """S(birth → 0–4): 5L0 ÷ (5 × l0)."""
    net_migrants: np.ndarray
    """Net migrants of the step by age group (人), half joining at the start, half at the end."""


def survival_from_life_table(l0: float, nLx: np.ndarray, open_T: float) -> tuple[np.ndarray, float]:
    """Survival ratios from a life table's 5Lx (last element unused) and T of the open age.

    S(x → x+5) = 5L(x+5) ÷ 5Lx; the open group: T(open) ÷ (5L(open − 5) + T(open));
    S(birth → 0–4) = 5L0 ÷ (5 × l0). Returned by starting group as :class:`StandardStep` wants.
    """
    groups = len(nLx)
    survival = np.empty(groups)
    survival[: groups - 2] = nLx[1 : groups - 1] / nLx[: groups - 2]
    survival[groups - 2] = np.nan  # not used: the open group takes (P(A−2) + P(A−1))
    survival[groups - 1] = open_T / (nLx[groups - 2] + open_T)
    return survival, float(nLx[0] / (5 * l0))


def standard_step(
    female: StandardStep,
    male: StandardStep,
    fertility: np.ndarray,
    first_fertile: int,
    sex_ratio_at_birth: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project one step; returns (female, male, births by mother's age group).

    Migrants join half at the start (exposed to death and to giving birth) and half
    at the end. Births = 5 × Σ ASFR(x) × mean women exposed, the mean of the
    women at the start (with half the migrants) and at the end (with all of them).
    ``fertility`` holds the age-specific rates from group ``first_fertile`` on.
    """
    projected = []
    for sex in (female, male):
        exposed = sex.population + sex.net_migrants / 2
        following = np.empty_like(sex.population)
        following[..., 1:-1] = exposed[..., :-2] * sex.survival[..., :-2]
        following[..., -1] = (exposed[..., -2] + exposed[..., -1]) * sex.survival[..., -1]
        following[..., 1:] += sex.net_migrants[..., 1:] / 2
        projected.append(following)
    end_female = projected[0]
    ages = slice(first_fertile, first_fertile + fertility.shape[-1])
    start_exposed = female.population[..., ages] + female.net_migrants[..., ages] / 2
    births = 5 * fertility * (start_exposed + end_female[..., ages]) / 2
    total = births.sum(axis=-1)
    female_births = total / (1 + sex_ratio_at_birth)
    male_births = total * sex_ratio_at_birth / (1 + sex_ratio_at_birth)
    projected[0][..., 0] = female_births * female.birth_survival + female.net_migrants[..., 0] / 2
    projected[1][..., 0] = male_births * male.birth_survival + male.net_migrants[..., 0] / 2
    return projected[0], projected[1], births
