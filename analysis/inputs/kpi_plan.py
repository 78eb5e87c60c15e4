"""The KPI plan as read: a plan edition's initiatives, KPIs and budgets, the source's notes,
and the planners' KPI actuals, validated into :class:`KpiData` and a tidy actuals frame.

Every check that names a file, row and column is here: bad or missing cells, a
duplicated initiative or KPI, budgets outside the period or missing, the
transcription against the printed plan, actuals that are impossible for their KPI.
The arithmetic on what is read (progress, grades, design flags, tables) is
:mod:`analysis.model.kpi`'s, which never opens a file.

Units: KPI values are in each KPI's own unit (``unit`` column: 人, %, 件 …);
budgets are 千円 (thousand yen). Fiscal years (年度) are written as the year they
start in (FY2024 = 令和6年度).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import vocabulary
from analysis.core.findings import (
    DataError,
    Finding,
    Locator,
    cell_errors,
    examples,
    raise_on_errors,
    value_param,
)
from analysis.core.paths import DATA_RAW, display_path
from analysis.inputs import plan as plan_editions
from analysis.inputs.cells import normalise_text, number_columns, parse_number
from analysis.inputs.io import LINE, locate_records, read_records
from analysis.inputs.layouts import (
    Field,
    Layout,
    Table,
    accepted_layouts,
    read_table,
    share_matching,
)
from analysis.inputs.plan import PlanEdition, missing_columns

INITIATIVE_COUNT = 32
"""The printed plan's 32 具体的な取組 (numbered 1–32 in the 体系図); checked only for the
transcription in data/raw/ itself, never for a revised edition."""

ACTUALS_LAYOUT = Layout(
    title="KPI実績",
    keys=(
        Field(
            "kpi_id",
            "KPI番号",
            vocabulary.KPI_ID,
            recognise=share_matching(re.compile(r"k\d{2}[a-z]?")),
        ),
        Field("fiscal_year", "年度", vocabulary.FISCAL_YEAR),
    ),
    value=Field("value", "値", vocabulary.ACTUAL),
    spread="fiscal_year",
    optional=(Field("note", "備考", vocabulary.NOTE),),
    skip_columns=("成果指標", "kpi名", "指標", "単位", "現状値", "目標値", "取組", "具体的な取組"),
    blank_means_absent=True,
    accepted=accepted_layouts(
        "KPI番号・年度・値・備考、または kpi_id, fiscal_year, value, note",
        "KPI番号・2024年度・2025年度・…（「令和6年度」も可）",
    ),
)


@dataclass
class KpiData:
    """A plan edition as validated: its initiatives, KPIs and budgets (typed, without the
    files' line numbers) and the source's vision changes, comment counts, notes and KPI
    components; the model computes from it."""

    initiatives: pd.DataFrame
    kpis: pd.DataFrame
    budgets: pd.DataFrame
    changes: pd.DataFrame
    comments: pd.DataFrame
    comment_totals: pd.DataFrame
    notes: pd.DataFrame
    components: pd.DataFrame
    edition: PlanEdition
    """The plan edition the initiatives, KPIs and budgets come from (its period)."""

    @property
    def years(self) -> tuple[int, ...]:
        """The plan period's fiscal years."""
        return self.edition.years


KPI_COLUMNS = {
    "baseline_value": vocabulary.KPI_BASELINE,
    "baseline_fiscal_year": vocabulary.KPI_BASELINE_YEAR,
    "target_value": vocabulary.KPI_TARGET,
    "target_fiscal_year": vocabulary.KPI_TARGET_YEAR,
}
"""The KPI columns that say where a KPI starts and where it should arrive."""


def _header_key(text: str) -> str:
    return str(normalise_text(pd.Series([text])).iloc[0]).lower().replace(" ", "")


def kpi_columns(kpis: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """KPIs with ``baseline_value, baseline_fiscal_year, target_value, target_fiscal_year``
    whatever the header says.

    The transcription writes the year into the header (``baseline_fy2022``,
    ``target_fy2028``); a revised edition may give the years as columns
    (``現状値の年度``, ``目標年度``). Returns the table and, for messages, the
    header each canonical column was read from.
    """
    renamed: dict[str, str] = {}
    origin: dict[str, str] = {}
    years: dict[str, int] = {}
    for column in kpis.columns:
        key = _header_key(str(column))
        legacy = re.fullmatch(vocabulary.KPI_VALUE_WITH_YEAR, key)
        if legacy:
            role = legacy.group(1)
            renamed[column] = f"{role}_value"
            origin[f"{role}_value"] = origin[f"{role}_fiscal_year"] = str(column)
            years[f"{role}_fiscal_year"] = int(legacy.group(2))
            continue
        for canonical, spellings in KPI_COLUMNS.items():
            if key in {_header_key(w) for w in spellings}:
                renamed[column] = canonical
                origin[canonical] = str(column)
    table = kpis.rename(columns=renamed)
    for column, year in years.items():
        if column not in table.columns:
            table[column] = str(year)
    return table, origin


def load_plan(folder: Path, raw_dir: Path = DATA_RAW) -> KpiData:
    """A revised plan edition given for one run (``--plan``); see :mod:`analysis.inputs.plan`."""
    return load(raw_dir, plan_editions.supplied(folder))


def load(raw_dir: Path = DATA_RAW, edition: PlanEdition | None = None) -> KpiData:
    """Read a plan edition (default: the registered one in force) and the source's notes.

    Raise DataError naming file, row and column on bad or missing rows.
    """
    edition = edition or plan_editions.current(raw_dir)
    folder = edition.folder
    (initiatives, kpis, budgets), origin, findings = _read_edition(folder)
    source, source_findings = _read_source(raw_dir)
    findings += source_findings
    if not findings:
        findings += edition_checks(edition, initiatives, kpis, budgets, origin)
        if folder == raw_dir.resolve() and not any(
            f.check == "plan-column-missing" for f in findings
        ):
            # The transcription of the printed plan is also checked against the print.
            findings += completeness(initiatives, kpis, budgets, folder, edition.years)
    if findings:
        raise DataError(sorted(findings, key=lambda f: (f.file, f.line or 0, f.column)))
    changes, comments, totals, notes, components = source
    return KpiData(
        _typed_initiatives(initiatives).drop(columns=LINE),
        kpis.assign(
            initiative_id=kpis["initiative_id"].astype("int64"),
            baseline_fiscal_year=kpis["baseline_fiscal_year"].astype("int64"),
            target_fiscal_year=kpis["target_fiscal_year"].astype("int64"),
            cumulative=kpis["cumulative"].astype(bool),
        ).drop(columns=LINE),
        budgets.assign(
            initiative_id=budgets["initiative_id"].astype("int64"),
            fiscal_year=budgets["fiscal_year"].astype("int64"),
        ).drop(columns=LINE),
        changes.drop(columns=LINE),
        comments.drop(columns=LINE),
        totals.drop(columns=LINE),
        notes.assign(initiative_id=pd.to_numeric(notes["initiative_id"]).astype("Int64")).drop(
            columns=LINE
        ),
        components.drop(columns=LINE),
        edition,
    )


def previous(data: KpiData, raw_dir: Path = DATA_RAW) -> KpiData | None:
    """The registered edition the run's edition replaces (None when it replaces none)."""
    replaces = data.edition.replaces
    if not replaces:
        return None
    for edition in plan_editions.registered(raw_dir):
        if edition.edition == replaces and edition.folder != data.edition.folder:
            return load(raw_dir, edition)
    where = display_path(data.edition.folder / plan_editions.META)
    raise DataError(
        [
            Finding(
                severity="error",
                file=where,
                line=2,
                column="replaces",
                check="plan-replaces-unknown",
                params={"edition": data.edition.edition, "replaces": replaces},
            )
        ]
    )


def _read_numbers(
    path: Path,
    numeric: list[str],
    origin: Mapping[str, str] | None = None,
    table: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """The file's rows (or ``table``, read from it) with the ``numeric`` columns parsed, and a
    finding per missing column or bad cell, named by its header as written (``origin``)."""
    records = read_records(path) if table is None else table
    missing = missing_columns(display_path(path), records.columns, numeric, origin)
    if missing:
        return records, missing
    parsed, problems = number_columns(records, numeric, display_path(path))
    return parsed, [replace(p, column=(origin or {}).get(p.column, p.column)) for p in problems]


EditionTables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
"""An edition's initiatives, KPIs and budgets."""


def _read_edition(folder: Path) -> tuple[EditionTables, Mapping[str, str], list[Finding]]:
    """The edition's initiatives, KPIs and budgets; the KPI headers as written; the findings."""
    initiatives, findings = _read_numbers(folder / "initiatives.csv", ["initiative_id"])
    kpi_path = folder / "kpis.csv"
    kpi_table, origin = kpi_columns(read_records(kpi_path))
    if "cumulative" not in kpi_table.columns:
        kpi_table["cumulative"] = "0"
    kpi_table["cumulative"] = kpi_table["cumulative"].fillna("0")
    numeric = [
        "initiative_id",
        "baseline_value",
        "baseline_fiscal_year",
        "target_value",
        "target_fiscal_year",
        "cumulative",
    ]
    kpis, kpi_findings = _read_numbers(kpi_path, numeric, origin, kpi_table)
    budgets, budget_findings = _read_numbers(
        folder / "budgets.csv", ["initiative_id", "fiscal_year", "budget_thousand_yen"]
    )
    return (initiatives, kpis, budgets), origin, findings + kpi_findings + budget_findings


def _read_source(raw_dir: Path) -> tuple[tuple[pd.DataFrame, ...], list[Finding]]:
    """The source's vision changes, comment counts and totals, KPI notes and components."""
    changes = read_records(raw_dir / "vision_changes.csv")
    comments, findings = _read_numbers(raw_dir / "comment_counts.csv", ["count"])
    totals, total_findings = _read_numbers(raw_dir / "comment_totals.csv", ["count", "people"])
    notes = read_records(raw_dir / "kpi_notes.csv")
    components, component_findings = _read_numbers(
        raw_dir / "kpi_components.csv", ["days_done", "days_total"]
    )
    tables = (changes, comments, totals, notes, components)
    return tables, findings + total_findings + component_findings


def _typed_initiatives(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Initiatives with integer numbers, and the optional block name and direction filled in."""
    initiatives["initiative_id"] = initiatives["initiative_id"].astype("int64")
    for column in ("name_in_block", "direction"):
        if column not in initiatives.columns:
            initiatives[column] = (
                initiatives["initiative_name"] if column == "name_in_block" else ""
            )
    return initiatives


def edition_checks(
    edition: PlanEdition,
    initiatives: pd.DataFrame,
    kpis: pd.DataFrame,
    budgets: pd.DataFrame,
    origin: Mapping[str, str],
) -> list[Finding]:
    """What makes any plan edition unusable, one finding per cell.

    A duplicated initiative or KPI, a KPI whose initiative is not in the edition,
    a target year not after the baseline year, a budget for an initiative not in
    the edition or for a year outside the period (or twice), a budget missing for
    an initiative and a year of the period.
    """
    folder = edition.folder
    files = {
        name: display_path(folder / f"{name}.csv") for name in ("initiatives", "kpis", "budgets")
    }
    findings = _missing_plan_columns(files, initiatives, kpis)
    if findings:
        return findings
    known = set(initiatives["initiative_id"])
    return [
        *_initiative_and_kpi_problems(files, initiatives, kpis, origin),
        *_budget_problems(files["budgets"], budgets, edition, known),
        *_incomplete_budgets(files["budgets"], budgets, edition, known),
    ]


def _missing_plan_columns(
    files: Mapping[str, str], initiatives: pd.DataFrame, kpis: pd.DataFrame
) -> list[Finding]:
    """A finding per text column the initiatives or KPIs lack (named in ``files``)."""
    return [
        *missing_columns(
            files["initiatives"], initiatives.columns, ("initiative_name", "policy_area", "field")
        ),
        *missing_columns(files["kpis"], kpis.columns, ("kpi_id", "kpi_name", "unit")),
    ]


def _initiative_and_kpi_problems(
    files: Mapping[str, str],
    initiatives: pd.DataFrame,
    kpis: pd.DataFrame,
    origin: Mapping[str, str],
) -> list[Finding]:
    """Repeated initiatives or KPIs, KPIs of no initiative, targets not after the baseline."""
    ids = initiatives["initiative_id"]
    known = set(ids)
    findings = cell_errors(
        locate_records(files["initiatives"], initiatives, "initiative_id"),
        ids.duplicated(),
        ids.map(lambda v: f"{v:g}"),
        "duplicate-initiative",
    )
    kpi_ids = kpis["kpi_id"]
    findings += cell_errors(
        locate_records(files["kpis"], kpis, "kpi_id"),
        kpi_ids.duplicated(),
        kpi_ids,
        "duplicate-kpi",
    )
    findings += cell_errors(
        locate_records(files["kpis"], kpis, "initiative_id"),
        ~kpis["initiative_id"].isin(known),
        kpis["initiative_id"].map(lambda v: f"{v:g}"),
        "kpi-without-initiative",
    )
    reversed_ = kpis["target_fiscal_year"] <= kpis["baseline_fiscal_year"]
    findings += cell_errors(
        locate_records(files["kpis"], kpis, origin.get("target_fiscal_year", "target_fiscal_year")),
        reversed_,
        list(zip(kpis["target_fiscal_year"], kpis["baseline_fiscal_year"], strict=True)),
        "target-before-baseline",
        lambda v: {"target": f"{v[0]:g}", "baseline": f"{v[1]:g}"},
    )
    return findings


def _budget_problems(
    file: str, budgets: pd.DataFrame, edition: PlanEdition, known: set[Any]
) -> list[Finding]:
    """Budgets outside the period, of an unknown initiative, given twice, or negative (千円)."""
    locate = locate_records(file, budgets, "fiscal_year")
    year = budgets["fiscal_year"]
    findings = cell_errors(
        locate,
        ~year.isin(edition.years),
        year,
        "budget-outside-period",
        lambda v: {"value": v, "first": edition.first_year, "last": edition.last_year},
    )
    findings += cell_errors(
        locate_records(file, budgets, "initiative_id"),
        ~budgets["initiative_id"].isin(known),
        budgets["initiative_id"].map(lambda v: f"{v:g}"),
        "budget-unknown-initiative",
    )
    findings += cell_errors(
        locate,
        budgets.duplicated(["initiative_id", "fiscal_year"]),
        list(zip(budgets["initiative_id"], year, strict=True)),
        "duplicate-budget",
        lambda v: {"initiative": f"{v[0]:g}", "year": f"{v[1]:g}"},
    )
    findings += cell_errors(
        locate_records(file, budgets, "budget_thousand_yen"),
        budgets["budget_thousand_yen"] < 0,
        budgets["budget_thousand_yen"],
        "negative-budget",
    )
    return findings


def _incomplete_budgets(
    file: str, budgets: pd.DataFrame, edition: PlanEdition, known: set[Any]
) -> list[Finding]:
    """A finding when an initiative has no budget row for a year of the period."""
    findings: list[Finding] = []
    have = set(zip(budgets["initiative_id"], budgets["fiscal_year"], strict=True))
    wanted = [(int(i), y) for i in sorted(known) for y in edition.years if (i, y) not in have]
    if wanted:
        findings.append(
            Finding(
                severity="error",
                file=file,
                line=None,
                column="fiscal_year",
                check="budgets-incomplete",
                params={
                    "missing": examples([f"取組{i} {y}年度" for i, y in wanted]),
                    "first": edition.first_year,
                    "last": edition.last_year,
                },
            )
        )
    return findings


def completeness(
    initiatives: pd.DataFrame,
    kpis: pd.DataFrame,
    budgets: pd.DataFrame,
    raw_dir: Path,
    years: tuple[int, ...],
) -> list[Finding]:
    """The transcription against the printed plan: every initiative, every KPI its block names.

    A deleted row must not pass: the 32 initiatives are numbered 1–32, each
    initiative lists its KPIs (``kpi_ids``, from its block), and each budget must
    equal the budget row the block prints (``budget_as_printed``, one value per
    year of the period). Every initiative × year budget is checked for any
    edition by :func:`edition_checks`.
    """
    files = {
        name: display_path(raw_dir / f"{name}.csv") for name in ("initiatives", "kpis", "budgets")
    }
    return [
        *_missing_initiatives(files["initiatives"], initiatives),
        *_unlisted_kpis(files["kpis"], initiatives, kpis),
        *_budgets_unlike_print(files["budgets"], initiatives, budgets, years),
    ]


def _missing_initiatives(file: str, initiatives: pd.DataFrame) -> list[Finding]:
    """A finding when a number of 1…:data:`INITIATIVE_COUNT` has no initiative row."""
    findings: list[Finding] = []
    ids = set(initiatives["initiative_id"].astype("int64"))
    missing = sorted(set(range(1, INITIATIVE_COUNT + 1)) - ids)
    if missing:
        findings.append(
            Finding(
                severity="error",
                file=file,
                line=None,
                column="initiative_id",
                check="initiatives-incomplete",
                params={"missing": examples([str(m) for m in missing]), "count": INITIATIVE_COUNT},
            )
        )
    return findings


def _unlisted_kpis(file: str, initiatives: pd.DataFrame, kpis: pd.DataFrame) -> list[Finding]:
    """KPIs an initiative's block names but the KPI table lacks, and KPI rows no block names."""
    findings: list[Finding] = []
    listed = {
        str(k).strip(): int(i)
        for i, ks in zip(initiatives["initiative_id"], initiatives["kpi_ids"], strict=True)
        for k in str(ks or "").split(";")
        if str(k).strip()
    }
    present = dict(zip(kpis["kpi_id"].astype(str), kpis[LINE], strict=True))
    absent = [k for k in listed if k not in present]
    if absent:
        findings.append(
            Finding(
                severity="error",
                file=file,
                line=None,
                column="kpi_id",
                check="kpis-incomplete",
                params={"missing": examples(absent)},
            )
        )
    for kpi_id, line in present.items():
        if kpi_id not in listed:
            initiative = kpis.loc[kpis["kpi_id"] == kpi_id, "initiative_id"].iloc[0]
            findings.append(
                Finding(
                    severity="error",
                    file=file,
                    line=int(line),
                    column="kpi_id",
                    check="kpi-not-listed",
                    params={"kpi": kpi_id, "initiative": f"{initiative:g}"},
                )
            )
    return findings


def _budgets_unlike_print(
    file: str, initiatives: pd.DataFrame, budgets: pd.DataFrame, years: tuple[int, ...]
) -> list[Finding]:
    """Budgets (千円) that differ from the budget row the initiative's block prints."""
    findings: list[Finding] = []
    printed = {
        int(i): [float(v.replace(",", "")) for v in str(text).split()]
        for i, text in zip(
            initiatives["initiative_id"], initiatives["budget_as_printed"], strict=True
        )
    }
    for initiative, year, value, line in zip(
        budgets["initiative_id"],
        budgets["fiscal_year"],
        budgets["budget_thousand_yen"],
        budgets[LINE],
        strict=True,
    ):
        values = printed.get(int(initiative), [])
        position = int(year) - years[0]
        if 0 <= position < len(values) and values[position] != value:
            findings.append(
                Finding(
                    severity="error",
                    file=file,
                    line=int(line),
                    column="budget_thousand_yen",
                    check="budget-vs-printed",
                    params={
                        "initiative": int(initiative),
                        "year": int(year),
                        "value": value,
                        "printed": " ".join(f"{v:,.0f}" for v in values),
                    },
                )
            )
    return findings


def canonical_kpi_id(text: pd.Series) -> pd.Series:
    """``K01``, ``K23a`` from what a planner types (``k1``, ``Ｋ０１``, ``K23A``)."""
    normalised = normalise_text(text)
    parts = normalised.str.extract(r"^[kK]\s*0*(\d{1,2})([a-zA-Z]?)$")
    canonical = "K" + parts[0].str.zfill(2) + parts[1].str.lower()
    return canonical.where(parts[0].notna(), normalised)


def load_actuals(
    path: Path,
    kpis: pd.DataFrame,
    notes: list[Finding] | None = None,
    years: tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """Read the planners' actuals (KPI実績), long or wide; raise DataError naming the cells.

    Columns: ``kpi_id, fiscal_year, value, note`` (or KPI番号・年度・値・備考), or one
    column per fiscal year. An empty file (header only) is valid. A value must be
    possible for its KPI: never negative, and a share (%) at most 100 unless the
    KPI's own baseline or target is above 100 (K25, riders per inhabitant).
    ``years`` is the plan period (default: the registered edition in force).
    """
    years = years or plan_editions.current().years
    table = read_table(path, ACTUALS_LAYOUT)
    problems = list(table.findings)
    frame = table.frame
    if frame.empty:
        raise_on_errors(problems)
        if notes is not None:
            notes += problems
        return _no_actuals()
    kpi_id = canonical_kpi_id(frame["kpi_id"])
    year, bad_year = parse_number(frame["fiscal_year"])
    value, bad_value = parse_number(frame["value"])
    problems += _actual_cell_problems(
        table, kpis.set_index("kpi_id"), kpi_id, (year, bad_year), (value, bad_value), years
    )
    actuals = pd.DataFrame(
        {
            "kpi_id": kpi_id,
            "fiscal_year": year,
            "value": value,
            "note": frame["note"],
            "position": np.arange(len(frame)),
        }
    )
    problems += _duplicate_actuals(actuals, table.locate("fiscal_year"))
    raise_on_errors(sorted(problems, key=lambda f: (f.file, f.line or 0, f.column)))
    if notes is not None:
        notes += problems
    return (
        actuals.drop(columns="position")
        .assign(fiscal_year=year.astype("int64"))
        .reset_index(drop=True)
    )


def _no_actuals() -> pd.DataFrame:
    """The actuals of a file with a header only: no rows, the columns typed."""
    return pd.DataFrame(
        {
            "kpi_id": pd.Series([], dtype=object),
            "fiscal_year": pd.Series([], dtype="int64"),
            "value": pd.Series([], dtype="float64"),
            "note": pd.Series([], dtype=object),
        }
    )


def _actual_cell_problems(
    table: Table,
    known: pd.DataFrame,
    kpi_id: pd.Series,
    years_parsed: tuple[pd.Series, pd.Series],
    values_parsed: tuple[pd.Series, pd.Series],
    years: tuple[int, ...],
) -> list[Finding]:
    """A finding per actual's cell that is empty, unreadable, of an unknown KPI, outside the
    plan period, or impossible for its KPI (negative; a share over 100 %).

    ``known`` is the edition's KPIs by number; ``years_parsed`` and ``values_parsed`` are
    each (parsed column, cells that are no number).
    """
    frame = table.frame
    (year, bad_year), (value, bad_value) = years_parsed, values_parsed
    is_known = kpi_id.isin(known.index).to_numpy()
    share = (known["unit"] == "%") & (known[["baseline_value", "target_value"]].max(axis=1) <= 100)
    bounded = kpi_id.map(share).fillna(False).astype(bool).to_numpy()
    first, last = years[0], years[-1]
    rows = np.arange(len(frame))

    def about(i: Any) -> Mapping[str, object]:
        kpi = kpi_id.iloc[int(i)]
        return {
            "value": value.iloc[int(i)],
            "kpi": kpi,
            "name": known.loc[kpi, "kpi_name"],
            "unit": known.loc[kpi, "unit"],
        }

    checks: list[tuple[str, Any, Any, str, Callable[[Any], Mapping[str, object]]]] = [
        ("kpi_id", ~is_known & kpi_id.notna(), kpi_id, "unknown-kpi", value_param),
        ("kpi_id", kpi_id.isna(), kpi_id, "missing-value", lambda _: {}),
        (
            "fiscal_year",
            bad_year | frame["fiscal_year"].isna(),
            frame["fiscal_year"],
            "not-a-year",
            value_param,
        ),
        (
            "fiscal_year",
            year.notna() & ~year.isin(years),
            year,
            "outside-plan-year",
            lambda v: {"value": v, "first": first, "last": last},
        ),
        ("value", bad_value, frame["value"], "not-a-number", value_param),
        ("value", frame["value"].isna(), frame["value"], "missing-actual", lambda _: {}),
        ("value", value.lt(0) & is_known, rows, "actual-negative", about),
        ("value", value.gt(100) & bounded, rows, "actual-above-100", about),
    ]
    return [
        finding
        for column, flagged, values, check, params in checks
        for finding in cell_errors(table.locate(column), flagged, values, check, params)
    ]


def _duplicate_actuals(actuals: pd.DataFrame, locate: Locator) -> list[Finding]:
    """A finding per actual given again for its KPI and fiscal year, naming the first row."""
    duplicated = (
        actuals.duplicated(["kpi_id", "fiscal_year"], keep="first") & actuals["fiscal_year"].notna()
    )
    first_position = actuals.drop_duplicates(["kpi_id", "fiscal_year"]).set_index(
        ["kpi_id", "fiscal_year"]
    )["position"]
    problems = []
    for row in actuals[duplicated].itertuples():
        files, lines, columns, cells = locate(np.array([row.position]))
        first_files, first_lines, _, _ = locate(
            np.array([first_position.loc[(row.kpi_id, row.fiscal_year)]])
        )
        first_row: object = (
            first_lines[0]
            if first_files[0] == files[0]
            else f"{first_files[0]} の {first_lines[0]}"
        )
        problems.append(
            Finding(
                severity="error",
                file=files[0],
                line=lines[0],
                column=columns[0],
                check="duplicate-actual",
                params={"kpi": row.kpi_id, "year": f"{row.fiscal_year:g}", "first": first_row},
                cell=cells[0],
            )
        )
    return problems
