"""Processed tables: CSV files in data/processed/ and one Excel workbook in reports/."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis import kpi, population, revision
from analysis.data import PopulationData
from analysis.findings import DataError, Finding
from analysis.io import atomic_path, write_csv
from analysis.labels import SHEET_NAMES, japanese
from analysis.paths import DATA_PROCESSED, DATA_RAW, REPORTS, display_path
from analysis.pipeline import comparison_years

if TYPE_CHECKING:
    from analysis.pipeline import Options

WORKBOOK = REPORTS / "tables.xlsx"


def check_target_year(data: PopulationData, year: int) -> list[Finding]:
    """A target year must lie within the published years of the editions reported on."""
    findings = []
    for edition in (population.current_edition(data, k) for k in ("projection", "vision")):
        years = data.raw.loc[data.raw["edition"] == edition.edition, "year"]
        if years.empty:
            continue
        if not years.min() <= year <= years.max():
            findings.append(
                Finding(
                    "error",
                    display_path(edition.path),
                    None,
                    "year",
                    f"target year {year} is outside the published years "
                    f"{years.min()}–{years.max()} of {edition.label}; choose a year in that range "
                    "(years in between are interpolated, never extrapolated)",
                    "target-year",
                )
            )
    return findings


def load_population(options: Options) -> PopulationData:
    """The registered editions plus any supplied one, with the target and base years checked."""
    data = population.load(
        options.vision,
        options.projection,
        vision_label=options.vision_label,
        projection_label=options.projection_label,
    )
    problems = check_target_year(data, options.target_year) + check_target_year(
        data, options.base_year
    )
    if problems:
        raise DataError(problems)
    return data


def population_tables(data: PopulationData, options: Options) -> dict[str, pd.DataFrame]:
    return population.build_tables(
        data,
        base_year=options.base_year,
        target_year=options.target_year,
        method=options.method,  # type: ignore[arg-type]
    )


def kpi_tables(options: Options) -> dict[str, pd.DataFrame]:
    data = kpi.load()
    actuals = kpi.load_actuals(options.actuals or DATA_RAW / "kpi_actuals.csv", data.kpis)
    as_of = options.as_of or kpi.default_as_of(actuals)
    return kpi.build_tables(data, actuals, as_of)


def revision_tables(data: PopulationData, options: Options) -> dict[str, pd.DataFrame]:
    """Differences between each edition and the one it replaces (empty when there is none)."""
    years = comparison_years(options.target_year)
    frames: dict[str, list[pd.DataFrame]] = {"differences": [], "aging": []}
    for old, new in revision.pairs(data):
        frames["differences"].append(
            revision.differences(data.corrected, old.edition, new.edition, years)
        )
        frames["aging"].append(
            revision.aging_differences(data.corrected, old.edition, new.edition, years).assign(
                old_edition=old.edition, new_edition=new.edition
            )
        )
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items() if parts}


def write_all(options: Options) -> list[Path]:
    """Compute every table first, then write them; an error leaves the old files in place."""
    data = load_population(options)
    tables = {
        f"population_{name}": frame for name, frame in population_tables(data, options).items()
    }
    tables |= {f"kpi_{name}": frame for name, frame in kpi_tables(options).items()}
    tables |= {f"revision_{name}": frame for name, frame in revision_tables(data, options).items()}
    written = []
    for name, frame in tables.items():
        target = DATA_PROCESSED / f"{name}.csv"
        write_csv(frame, target)
        written.append(target)
    write_workbook(tables, WORKBOOK)
    written.append(WORKBOOK)
    # data/processed/ holds exactly the current tables: drop ones no longer produced
    # (e.g. revision tables once the supplied edition is gone).
    for stale in DATA_PROCESSED.glob("*.csv"):
        if stale not in written:
            stale.unlink()
    return written


def write_workbook(tables: dict[str, pd.DataFrame], target: Path) -> None:
    """One sheet per table, Japanese headers, numbers as numbers; byte-reproducible."""
    with atomic_path(target) as temporary:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for name, frame in tables.items():
                short = name.split("_", 1)[1] if "_" in name else name
                sheet = SHEET_NAMES.get(short, short)[:31]
                japanese(frame).to_excel(writer, sheet_name=sheet, index=False)
                worksheet = writer.sheets[sheet]
                worksheet.freeze_panes = "A2"
                for column in worksheet.columns:
                    width = max(len(str(c.value or "")) for c in column[:50])
                    worksheet.column_dimensions[column[0].column_letter].width = min(
                        60, max(8, width * 1.6)
                    )
            properties = writer.book.properties
            fixed = pd.Timestamp("2024-03-21").to_pydatetime()
            properties.created = fixed
            properties.modified = fixed
            properties.creator = "ichinoseki-hiraizumi-analysis"
        _normalise_zip(temporary)


def _normalise_zip(path: Path) -> None:
    """Give every zip member a fixed timestamp so identical tables give identical bytes."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_core_dates(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 3, 21, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())


def _fixed_core_dates(xml: bytes) -> bytes:
    import re

    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>2024-03-21T00:00:00Z\g<2>",
        xml,
    )
