"""Processed tables: CSV files for data/processed/ and one Excel workbook for reports/.

:func:`analysis.run.results.compute` validates every input and computes every table in
memory once (with the helpers here: :func:`load_population`, :func:`projections`,
:func:`mark_extended`), into :class:`Built`; :func:`write` puts them into a folder (the
pipeline's staging folder, which it moves into place with everything else only when the
whole run succeeded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.findings import DataError, Finding
from analysis.core.paths import DATA_RAW, display_path
from analysis.inputs import scenario_inputs
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.data import PopulationData, read_population
from analysis.inputs.io import write_csv
from analysis.inputs.source_figures import read_stated_facts
from analysis.model import (
    assembly,
    population,
    scenarios,
)
from analysis.report import dictionary
from analysis.report import workbook as excel
from analysis.run.options import Options


def check_year(data: PopulationData, year: int, role: str) -> list[Finding]:
    """A target or base year must lie within the published years of the editions reported on."""
    findings = []
    names = {"target": ("目標年", "target year"), "base": ("基準年", "base year")}[role]
    for edition in (population.current_edition(data, k) for k in ("projection", "vision")):
        years = data.raw.loc[data.raw["edition"] == edition.edition, "year"]
        if years.empty:
            continue
        if not years.min() <= year <= years.max():
            findings.append(
                Finding(
                    severity="error",
                    file=display_path(edition.path),
                    line=None,
                    column="year",
                    check="target-year",
                    params={
                        "role": names[0],
                        "role_en": names[1],
                        "year": year,
                        "label": edition.label,
                        "first": int(years.min()),
                        "last": int(years.max()),
                    },
                )
            )
    return findings


def population_data(
    vision_path: str | Path | None = None,
    projection_path: str | Path | None = None,
    raw_dir: Path = DATA_RAW,
    *,
    vision_label: str = "",
    projection_label: str = "",
    vision_source: str = "",
) -> PopulationData:
    """The registered editions plus any supplied revised vision or new projection: read and
    validated (:func:`~analysis.inputs.data.read_population`), then completed, checked and
    corrected (:func:`~analysis.model.assembly.assemble`).

    A supplied file becomes the current edition of its kind and *replaces* the edition that
    was current until then (the revision report compares the two).
    """
    return assembly.assemble(
        read_population(
            raw_dir,
            vision_path,
            projection_path,
            vision_label=vision_label,
            projection_label=projection_label,
            vision_source=vision_source,
        )
    )


def load_population(options: Options) -> PopulationData:
    """The registered editions plus any supplied one, with the target and base years checked."""
    data = population_data(
        options.vision,
        options.projection,
        vision_label=options.vision_label,
        vision_source=options.vision_source,
        projection_label=options.projection_label,
    )
    problems = check_year(data, options.target_year, "target") + check_year(
        data, options.base_year, "base"
    )
    if problems:
        raise DataError([*problems, *data.findings])
    return data


def projections(
    options: Options, data: PopulationData, facts: pd.DataFrame | None = None
) -> scenarios.Projected | None:
    """Every scenario of the run's age × sex data, with the run's inputs read and checked
    (None without age × sex data).

    ``facts``: the source's prose facts (:func:`~analysis.inputs.source_figures.read_stated_facts`)
    when the run has read them already; else read here, for the default settler target."""
    supplied = (
        scenario_inputs.read_age_sex(Path(options.age_sex), read_municipality_registry())
        if options.age_sex
        else None
    )
    source = population.age_sex_source(data, supplied, options.age_sex_label)
    if source is None:
        return None
    target = population.default_settler_target(read_stated_facts() if facts is None else facts)
    axes = scenario_inputs.BaseAxes.of(
        source.detail.frame, source.detail.groups, data.municipalities
    )
    inputs = scenario_inputs.read(
        axes,
        settings=Path(options.projection_settings or DATA_RAW / "projection_settings.csv"),
        profile=Path(options.settler_profile or DATA_RAW / "settler_profile.csv"),
        survival=Path(options.survival) if options.survival else None,
        scenarios=Path(options.scenarios) if options.scenarios else None,
    )
    return population.projections(data, source, inputs, target)


@dataclass
class Built:
    """Every processed table of a run, and every finding met while validating its inputs."""

    tables: dict[str, pd.DataFrame]
    findings: list[Finding]
    edition_labels: dict[str, str] = field(default_factory=dict)
    """Edition id → its name, shown in the workbook instead of the id (the CSVs keep ids)."""


SUPPLIED_VISION = "vision_supplied"


def mark_extended(tables: dict[str, pd.DataFrame], after: int) -> dict[str, pd.DataFrame]:
    """The population and revision tables with an ``extended`` column (延長) where a vision made
    from a scenario shows years past its data's last year ``after`` (unchanged when 0)."""
    if not after:
        return tables
    marked = dict(tables)
    for name, frame in tables.items():
        if not name.startswith(("population_", "revision_")) or "year" not in frame:
            continue
        column = next((c for c in ("edition", "new_edition", "alternative") if c in frame), None)
        if column is None:
            continue
        later = (frame[column] == SUPPLIED_VISION) & (frame["year"] > after)
        if later.any():
            marked[name] = frame.assign(extended=later)
    return marked


DICTIONARY = "data_dictionary"
"""``data/processed/data_dictionary.csv``: every CSV column's label, unit and meaning."""


def write(
    tables: dict[str, pd.DataFrame],
    processed: Path,
    workbook: Path,
    edition_labels: dict[str, str] | None = None,
) -> list[Path]:
    """Write each table as ``processed/<name>.csv``, the data dictionary, and the workbook."""
    written = []
    for name, frame in tables.items():
        target = processed / f"{name}.csv"
        write_csv(frame, target)
        written.append(target)
    described = dictionary.entries({name: list(frame.columns) for name, frame in tables.items()})
    write_csv(pd.DataFrame(described), processed / f"{DICTIONARY}.csv")
    written.append(processed / f"{DICTIONARY}.csv")
    excel.write(tables, workbook, edition_labels or {}, described)
    return [*written, workbook]
