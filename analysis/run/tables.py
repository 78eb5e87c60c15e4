"""Processed tables: CSV files for data/processed/ and one Excel workbook for reports/.

:func:`analysis.run.results.compute` validates every input and computes every table in
memory once (with the helpers here: :func:`load_population`, :func:`projections`,
:func:`mark_extended`), into :class:`Built`; :func:`write` puts them into a folder (the
pipeline's staging folder, which it moves into place with everything else only when the
whole run succeeded).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core import precision
from analysis.core.findings import DataError, Finding
from analysis.core.paths import display_path
from analysis.inputs.data import PopulationData
from analysis.inputs.io import atomic_path, write_csv
from analysis.model import population, scenarios
from analysis.report import dictionary
from analysis.report.labels import COLUMN_LABELS, japanese
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


def load_population(options: Options) -> PopulationData:
    """The registered editions plus any supplied one, with the target and base years checked."""
    data = population.load(
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


def projections(options: Options, data: PopulationData) -> scenarios.Projected | None:
    """Every scenario of the run's age × sex data, with the run's inputs (None without data)."""
    return population.projections(
        data,
        age_sex_path=options.age_sex,
        age_sex_label=options.age_sex_label,
        survival_path=options.survival,
        settings_path=options.projection_settings,
        profile_path=options.settler_profile,
        scenarios_path=options.scenarios,
    )


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

EDITION_COLUMNS = ("edition", "baseline", "alternative", "old_edition", "new_edition")


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
    write_workbook(tables, workbook, edition_labels or {}, described)
    return [*written, workbook]


ABOUT_SHEET = "この表について"


def write_workbook(
    tables: dict[str, pd.DataFrame],
    target: Path,
    edition_labels: dict[str, str],
    described: list[dict[str, str]],
) -> None:
    """A first sheet describing every sheet and column (``described``, the data dictionary),
    then one sheet per table: Japanese headers and edition names, numbers as numbers
    formatted by their unit; byte-reproducible.

    No cell is ever a formula: text that begins with ``=`` stays text.
    """
    labels = edition_labels
    with atomic_path(target) as temporary:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            _about_sheet(writer, described)
            for name, frame in tables.items():
                sheet = dictionary.sheet_name(name)
                shown = japanese(frame)
                for edition_column in EDITION_COLUMNS:
                    if edition_column in frame:
                        shown[COLUMN_LABELS.get(edition_column, edition_column)] = frame[
                            edition_column
                        ].map(lambda v: labels.get(v, v))
                shown.to_excel(writer, sheet_name=sheet, index=False)
                worksheet = writer.sheets[sheet]
                worksheet.freeze_panes = "A2"
                _number_formats(worksheet, frame)
                _numbers_as_numbers(worksheet, shown)
                _print_settings(worksheet, len(shown.columns))
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


def _about_sheet(writer: pd.ExcelWriter, described: list[dict[str, str]]) -> None:
    """「この表について」: every sheet with what it holds, then each column's unit and meaning."""
    rows = []
    for index, entry in enumerate(described):
        if index == 0 or described[index - 1]["file"] != entry["file"]:
            rows.append([entry["sheet"], "", "", entry["table"], entry["file"], ""])
        rows.append(["", entry["label"], entry["unit"], entry["description"], "", entry["column"]])
    about = pd.DataFrame(
        rows,
        columns=["シート", "列", "単位", "内容", "CSV ファイル（data/processed）", "CSV の列名"],
    )
    about.to_excel(writer, sheet_name=ABOUT_SHEET, index=False)
    worksheet = writer.sheets[ABOUT_SHEET]
    worksheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (18, 30, 10, 70, 34, 30), strict=True):
        worksheet.column_dimensions[letter].width = width
    _print_settings(worksheet, len(about.columns))


LANDSCAPE_COLUMNS = 6
"""A sheet with more columns than this prints on landscape A4."""


def _print_settings(worksheet: Any, columns: int) -> None:
    """A sheet that prints: A4, landscape when wide, every column on the page's width (as
    many pages down as needed), the header row repeated on every page, and a filter on it."""
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.orientation = "landscape" if columns > LANDSCAPE_COLUMNS else "portrait"
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.print_title_rows = "1:1"
    worksheet.auto_filter.ref = worksheet.dimensions


_NUMBER_TEXT = re.compile(r"[+-]?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?")
"""A number written as text (「11」, 「1,234」, 「-3.5」); not a code with a leading zero."""


def _numbers_as_numbers(worksheet: Any, shown: pd.DataFrame) -> None:
    """Text cells that are whole numbers written as text (a column mixing numbers and words,
    such as 注記 or 意見件数) stored as numbers, so that Excel sums and sorts them."""
    for position, column in enumerate(shown.columns, start=1):
        if pd.api.types.is_numeric_dtype(shown[column]):
            continue
        for row, value in enumerate(shown[column], start=2):
            if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
                number = float(value.strip().replace(",", ""))
                cell = worksheet.cell(row=row, column=position)
                cell.value = int(number) if number.is_integer() else number
                cell.number_format = "#,##0" if number.is_integer() else "#,##0.0#"


def _number_formats(worksheet: Any, frame: pd.DataFrame) -> None:
    """Each numeric column formatted by its unit; a column whose unit depends on the row
    (the 目標 table: people or %) is formatted row by row."""
    by_row = (
        frame["quantity"].map(
            {"population": precision.excel("people"), "aging_rate": precision.excel("percent")}
        )
        if "quantity" in frame
        else None
    )
    for position, column in enumerate(frame.columns, start=1):
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        fixed = dictionary.number_format(str(column))
        finite = values.dropna().astype("float64")
        if fixed == "#,##0.0#" and len(finite) and (finite == finite.round()).all():
            # Whole numbers (取組番号, 件数, 段階, years) never show a decimal point.
            named = f"{column} {COLUMN_LABELS.get(str(column), '')}"
            yearly = ("year" in named or "年" in named) and bool(finite.between(1900, 2200).all())
            fixed = "0" if yearly else "#,##0"
        per_row = by_row is not None and column in {"target", "vision_value", "difference"}
        mixed = fixed == "#,##0.0#"  # some values whole, some not: a whole one shows no ".0"
        for row in range(len(frame)):
            cell = worksheet.cell(row=row + 2, column=position)
            cell.number_format = by_row.iloc[row] if per_row else fixed  # type: ignore[union-attr]
            if mixed and isinstance(cell.value, (int, float)) and float(cell.value).is_integer():
                cell.number_format = "#,##0"


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
