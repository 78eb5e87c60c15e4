"""Processed tables: CSV files for data/processed/ and one Excel workbook for reports/.

:func:`build` validates every input and computes every table in memory;
:func:`write` puts them into a folder (the pipeline's staging folder, which it
moves into place with everything else only when the whole run succeeded).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import kpi, population, revision
from analysis.data import PopulationData
from analysis.findings import DataError, Finding
from analysis.io import atomic_path, write_csv
from analysis.labels import SHEET_NAMES, japanese
from analysis.options import Options, comparison_years
from analysis.paths import DATA_RAW, display_path


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
                    "error",
                    display_path(edition.path),
                    None,
                    "year",
                    "target-year",
                    {
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


def load_population(options: Options) -> PopulationData:
    """The registered editions plus any supplied one, with the target and base years checked."""
    data = population.load(
        options.vision,
        options.projection,
        vision_label=options.vision_label,
        projection_label=options.projection_label,
    )
    problems = check_year(data, options.target_year, "target") + check_year(
        data, options.base_year, "base"
    )
    if problems:
        raise DataError([*problems, *data.findings])
    return data


def kpi_tables(options: Options) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    data = kpi.load()
    notes: list[Finding] = []
    actuals = kpi.load_actuals(options.actuals or DATA_RAW / "kpi_actuals.csv", data.kpis, notes)
    as_of = options.as_of or kpi.default_as_of(actuals)
    return kpi.build_tables(data, actuals, as_of), notes


def revision_tables(data: PopulationData, target_year: int) -> dict[str, pd.DataFrame]:
    """Differences between each edition and the one it replaces (empty when there is none)."""
    years = comparison_years(target_year)
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


@dataclass
class Built:
    """Every processed table of a run, and every finding met while validating its inputs."""

    tables: dict[str, pd.DataFrame]
    findings: list[Finding]


def build(options: Options) -> Built:
    """Validate every input and compute every table (raises DataError or InputError)."""
    data = load_population(options)
    tables = {
        f"population_{name}": frame
        for name, frame in population.build_tables(
            data,
            base_year=options.base_year,
            target_year=options.target_year,
            method=options.method,  # type: ignore[arg-type]
        ).items()
    }
    kpi_part, kpi_findings = kpi_tables(options)
    tables |= {f"kpi_{name}": frame for name, frame in kpi_part.items()}
    tables |= {
        f"revision_{name}": frame
        for name, frame in revision_tables(data, options.target_year).items()
    }
    projected = population.projections(
        data,
        age_sex_path=options.age_sex,
        survival_path=options.survival,
        settings_path=options.projection_settings,
        profile_path=options.settler_profile,
    )
    notes = projected.notes if projected else []
    if projected:
        tables |= projected.tables()
    return Built(tables, [*data.findings, *kpi_findings, *notes])


def write(tables: dict[str, pd.DataFrame], processed: Path, workbook: Path) -> list[Path]:
    """Write each table as ``processed/<name>.csv`` and all of them into ``workbook``."""
    written = []
    for name, frame in tables.items():
        target = processed / f"{name}.csv"
        write_csv(frame, target)
        written.append(target)
    write_workbook(tables, workbook)
    return [*written, workbook]


def write_workbook(tables: dict[str, pd.DataFrame], target: Path) -> None:
    """One sheet per table, Japanese headers, numbers as numbers; byte-reproducible.

    No cell is ever a formula: text that begins with ``=`` stays text.
    """
    with atomic_path(target) as temporary:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for name, frame in tables.items():
                short = name.split("_", 1)[1] if "_" in name else name
                sheet = SHEET_NAMES.get(short, short)[:31]
                shown = japanese(frame)
                shown.to_excel(writer, sheet_name=sheet, index=False)
                worksheet = writer.sheets[sheet]
                worksheet.freeze_panes = "A2"
                for row, column in _formula_like(shown):
                    # openpyxl takes text beginning with "=" for a formula: keep it text.
                    worksheet.cell(row=row + 2, column=column + 1).data_type = "s"
                for column in worksheet.iter_cols(max_row=50):
                    width = max(len(str(c.value or "")) for c in column)
                    worksheet.column_dimensions[column[0].column_letter].width = min(
                        60, max(8, width * 1.6)
                    )
            properties = writer.book.properties
            fixed = pd.Timestamp("2024-03-21").to_pydatetime()
            properties.created = fixed
            properties.modified = fixed
            properties.creator = "ichinoseki-hiraizumi-analysis"
        _normalise_zip(temporary)


def _formula_like(frame: pd.DataFrame) -> list[tuple[int, int]]:
    """(row, column) positions of text cells that begin with "=" (0-based, header excluded)."""
    found = []
    for column, name in enumerate(frame.columns):
        if pd.api.types.is_numeric_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name]):
            continue
        starts = frame[name].astype("string").str.startswith("=").fillna(False).to_numpy(bool)
        found += [(int(row), column) for row in starts.nonzero()[0]]
    return found


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
    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>2024-03-21T00:00:00Z\g<2>",
        xml,
    )
