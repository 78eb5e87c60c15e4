"""Every input of the scenarios besides the counts, read and checked once into one typed
object (:class:`ScenarioInputs`) that :func:`analysis.model.scenarios.build` computes from.

The readers are those of :mod:`analysis.inputs.projection_inputs` (settings, settler
profile, survival ratios) and :mod:`analysis.inputs.scenario_specs` (the planners'
scenario file); the checks against the base data (its municipalities, years and age
groups: :class:`BaseAxes`) run here too, in the order a run has always reported them, so
that the model receives only inputs it can serve and never sees a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.findings import Finding, raise_on_errors
from analysis.inputs import agesex
from analysis.inputs.agesex import AgeSexLoaded
from analysis.inputs.cells import Municipalities
from analysis.inputs.projection_inputs import (
    Settings,
    check_settings,
    read_profile,
    read_settings,
    read_survival,
)
from analysis.inputs.scenario_specs import ScenarioSpec, check_scenarios, read_scenarios


@dataclass(frozen=True)
class BaseAxes:
    """What the age × sex base data has, which the scenario inputs are checked against."""

    registry: tuple[str, ...]
    """Every municipality of the plan (a setting may name any of them)."""
    municipalities: tuple[str, ...]
    """The plan's municipalities that have data, in the plan's order."""
    years: tuple[int, ...]
    groups: tuple[str, ...]

    @classmethod
    def of(cls, frame: pd.DataFrame, groups: tuple[str, ...], registry: list[str]) -> BaseAxes:
        """The axes of counts ``municipality, year, sex, age_group, population``."""
        present = tuple(m for m in registry if m in set(frame["municipality"]))
        years = tuple(sorted(int(y) for y in frame["year"].unique()))
        return cls(tuple(registry), present, years, groups)


@dataclass(frozen=True)
class ScenarioInputs:
    """The scenarios' settings, settler profile, survival ratios and scenario specs, each
    read and checked against the base data of :attr:`axes`."""

    axes: BaseAxes
    settings: Settings
    profile: np.ndarray
    """(2, A) shares of the net settlers by sex and age group, summing to 1."""
    survival: np.ndarray | None
    """(K, M, 2, A) survival ratios without migration, or None when none was supplied."""
    specs: tuple[ScenarioSpec, ...] = ()
    """The planners' own scenarios (将来展望), in file order."""
    notes: tuple[Finding, ...] = ()
    """The settings' rows that are valid but have no effect (:func:`check_settings`)."""


def read(
    axes: BaseAxes,
    *,
    settings: Path,
    profile: Path,
    survival: Path | None = None,
    scenarios: Path | None = None,
) -> ScenarioInputs:
    """Read and check every scenario input for base data with ``axes``.

    Raises DataError (or InputError) naming file, row and column at the first input that
    fails, in this order: settings, their check against the data, profile, survival
    ratios, scenario file, its check against the data and the other inputs.
    """
    given = read_settings(settings, list(axes.registry))
    unused = check_settings(given, axes.years, axes.municipalities)
    shares = read_profile(profile, axes.groups)
    ratios = (
        read_survival(survival, list(axes.municipalities), axes.years, axes.groups)
        if survival
        else None
    )
    specs = read_scenarios(scenarios) if scenarios else []
    check_scenarios(specs, axes.years, axes.municipalities, given, ratios is not None)
    return ScenarioInputs(axes, given, shares, ratios, tuple(specs), tuple(unused))


def read_age_sex(path: Path, registry: Municipalities) -> AgeSexLoaded:
    """The age × sex file supplied as the scenarios' base data (``--age-sex``).

    Raises DataError when the file has errors (its notes and warnings are kept in
    :attr:`AgeSexLoaded.findings`, for the run's notes).
    """
    detail = agesex.load(path, edition="age_sex_supplied", registry=registry)
    raise_on_errors(detail.findings)
    return detail
