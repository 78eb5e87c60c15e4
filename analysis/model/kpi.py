"""KPIs and budgets of the 32 initiatives: plan arithmetic, progress, grades, design flags.

Units: KPI values are in each KPI's own unit (``unit`` column: 人, %, 件 …);
percentages are percentage points. Budgets are 千円 (thousand yen). Fiscal
years (年度) are written as the year they start in (FY2024 = 令和6年度).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import precision, vocabulary
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
from analysis.inputs.cells import normalise_text, parse_number
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


@dataclass(frozen=True)
class GradeThresholds:
    """A municipality's grading rule; every threshold is a parameter.

    - 達成: progress ≥ ``achieved`` (1.0 = the KPI's target is reached)
    - 順調: progress ≥ ``on_track`` × the progress expected by the pro-rata pace
    - やや遅れ: progress ≥ ``slightly_behind`` × the expected progress
    - 遅れ: anything lower, including moving away from the target
    - 未報告: no actual up to the as-of year
    """

    achieved: float = 1.0
    on_track: float = 1.0
    slightly_behind: float = 0.5


GRADES = ("達成", "順調", "やや遅れ", "遅れ", "未報告")


@dataclass
class KpiData:
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


def _numbers(
    table: pd.DataFrame, columns: list[str], file: str
) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    result = table.copy()
    for column in columns:
        values, bad = parse_number(table[column])
        locate = locate_records(file, table, column)
        findings += cell_errors(locate, bad, table[column], "not-a-number")
        findings += cell_errors(
            locate, table[column].isna(), table[column], "missing-value", lambda _: {}
        )
        result[column] = values
    return result, findings


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
    parsed, problems = _numbers(records, numeric, display_path(path))
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


def plan(kpis: pd.DataFrame) -> pd.DataFrame:
    """Direction, required change and yearly pace from each KPI's baseline to its target (years its own)."""
    baseline = kpis["baseline_value"].astype("float64")
    target = kpis["target_value"].astype("float64")
    change = target - baseline
    return kpis.assign(
        direction=np.select([change > 0, change < 0], ["increase", "decrease"], "maintain"),
        required_change=change,
        yearly_pace=change / (kpis["target_fiscal_year"] - kpis["baseline_fiscal_year"]),
        required_change_pct=np.where(
            baseline != 0, change / baseline.where(baseline != 0) * 100, np.nan
        ),
    )


def expected_value(kpis: pd.DataFrame, fiscal_year: int | pd.Series) -> pd.Series:
    """The pro-rata value for a fiscal year: baseline + pace × (year − baseline year)."""
    planned = plan(kpis)
    return planned["baseline_value"] + planned["yearly_pace"] * (
        fiscal_year - planned["baseline_fiscal_year"]
    )


def latest_actuals(actuals: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Each KPI's most recent actual up to and including the as-of fiscal year."""
    upto = actuals[actuals["fiscal_year"] <= as_of].sort_values(["kpi_id", "fiscal_year"])
    return upto.groupby("kpi_id", as_index=False).last()


def progress(
    kpis: pd.DataFrame,
    actuals: pd.DataFrame,
    as_of: int,
    thresholds: GradeThresholds = GradeThresholds(),
) -> pd.DataFrame:
    """Progress and grade of every KPI as of a fiscal year.

    progress = (actual − baseline) ÷ (target − baseline), so 0 = the
    baseline level and 1 = the target, for increasing and decreasing targets
    alike. A *maintain* target (target = baseline) has no distance to cover:
    progress is 1 while the actual is at or above the target, else
    actual ÷ target (the share of the level kept). Cumulative (累計) KPIs are
    entered as cumulative totals and percentage KPIs in percentage points, so
    the same formula applies. expected_progress is the pro-rata share of the
    period elapsed, (as-of − baseline year) ÷ (target year − baseline year), each KPI's own.
    """
    planned = plan(kpis)
    latest = latest_actuals(actuals, as_of).rename(
        columns={"fiscal_year": "actual_fiscal_year", "value": "actual"}
    )
    merged = planned.merge(
        latest[["kpi_id", "actual_fiscal_year", "actual", "note"]], on="kpi_id", how="left"
    )
    actual = merged["actual"]
    baseline = merged["baseline_value"]
    target = merged["target_value"]
    distance = target - baseline
    maintain = distance == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = (actual - baseline) / distance.where(~maintain)
        kept = np.where(actual >= target, 1.0, actual / target.where(target != 0))
    merged["progress"] = np.where(maintain, kept, moving)
    merged.loc[actual.isna(), "progress"] = np.nan
    year = merged["actual_fiscal_year"].fillna(as_of)
    merged["expected_progress"] = np.where(
        maintain,
        1.0,
        (year - merged["baseline_fiscal_year"])
        / (merged["target_fiscal_year"] - merged["baseline_fiscal_year"]),
    )
    merged["expected_value"] = baseline + merged["yearly_pace"] * (
        year - merged["baseline_fiscal_year"]
    )
    merged["grade"] = grade(merged["progress"], merged["expected_progress"], thresholds)
    # The pace still needed: from the latest actual to the target, per remaining year
    # (none once the target year is reached or without an actual).
    remaining = merged["target_fiscal_year"] - merged["actual_fiscal_year"]
    merged["required_pace_from_latest"] = (target - actual) / remaining.where(remaining > 0)
    return merged


def grade(
    progress_: pd.Series, expected: pd.Series, thresholds: GradeThresholds = GradeThresholds()
) -> pd.Series:
    """達成 / 順調 / やや遅れ / 遅れ / 未報告 from progress and the expected progress."""
    p = progress_.astype("float64")
    e = pd.Series(expected, index=p.index).astype("float64")
    labels = np.select(
        [
            p.isna(),
            p >= thresholds.achieved,
            p >= thresholds.on_track * e,
            p >= thresholds.slightly_behind * e,
        ],
        ["未報告", "達成", "順調", "やや遅れ"],
        "遅れ",
    )
    return pd.Series(labels, index=p.index, name="grade")


def design_flags(
    kpis: pd.DataFrame, budgets: pd.DataFrame, jump_ratio: float = 2.0
) -> pd.DataFrame:
    """The design questions the committee raised, one row per finding.

    - ``target_below_baseline``: the target is lower than the baseline (only a
      problem where more is better; listed for review)
    - ``target_equals_baseline``: a maintain target
    - ``zero_budget``: a plan year with a budget of 0 千円
    - ``budget_jump``: a year-over-year change by more than ``jump_ratio`` times (up or down)
    """
    planned = plan(kpis)
    rows = []
    for row in planned[planned["direction"] == "decrease"].itertuples():
        rows.append(
            (
                row.initiative_id,
                row.kpi_id,
                "target_below_baseline",
                None,
                f"{row.baseline_value:,g} → {row.target_value:,g} {row.unit}（{precision.text(row.required_change_pct, 'percent', signed=True)}）",
            )
        )
    for row in planned[planned["direction"] == "maintain"].itertuples():
        rows.append(
            (
                row.initiative_id,
                row.kpi_id,
                "target_equals_baseline",
                None,
                f"{row.baseline_value:,g} → {row.target_value:,g} {row.unit}",
            )
        )
    ordered = budgets.sort_values(["initiative_id", "fiscal_year"])
    for row in ordered[ordered["budget_thousand_yen"] == 0].itertuples():
        rows.append((row.initiative_id, None, "zero_budget", row.fiscal_year, "0千円"))
    previous = ordered.groupby("initiative_id")["budget_thousand_yen"].shift()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ordered["budget_thousand_yen"] / previous
    jumps = ordered[
        (previous > 0)
        & (ordered["budget_thousand_yen"] > 0)
        & ((ratio > jump_ratio) | (ratio < 1 / jump_ratio))
    ]
    for row, before, r in zip(
        jumps.itertuples(), previous[jumps.index], ratio[jumps.index], strict=True
    ):
        rows.append(
            (
                row.initiative_id,
                None,
                "budget_jump",
                row.fiscal_year,
                f"{before:,.0f} → {row.budget_thousand_yen:,.0f}千円（{r:.2f}倍）",
            )
        )
    return pd.DataFrame(
        rows, columns=["initiative_id", "kpi_id", "flag", "fiscal_year", "detail"]
    ).astype({"fiscal_year": "Int64"})


def budgets_by(budgets: pd.DataFrame, initiatives: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Budget (千円) summed by fiscal year and the given initiative columns (e.g. field)."""
    merged = budgets.merge(initiatives, on="initiative_id", how="left")
    return merged.groupby([*by, "fiscal_year"], as_index=False, sort=False)[
        "budget_thousand_yen"
    ].sum()


def budget_per_kpi_change(kpis: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """Indicative only: the five-year budget (千円) per unit of planned KPI increase.

    An initiative's budget serves all its KPIs, so for an initiative with two
    KPIs the whole budget is set against each. Only where the target is above the
    baseline: spending is not a price of a planned decrease (a KPI whose target is
    below its baseline, e.g. fewer events) or of keeping a level; there
    ``per_unit_note`` says why no value is given.
    """
    planned = plan(kpis)
    totals = budgets.groupby("initiative_id", as_index=False)["budget_thousand_yen"].sum()
    merged = planned.merge(
        totals.rename(columns={"budget_thousand_yen": "budget_total_thousand_yen"}),
        on="initiative_id",
    )
    kpis_per_initiative = merged.groupby("initiative_id")["kpi_id"].transform("count")
    change = merged["required_change"]
    merged["budget_per_unit_change_thousand_yen"] = merged[
        "budget_total_thousand_yen"
    ] / change.where(change > 0)
    merged["per_unit_note"] = np.select(
        [change < 0, change == 0],
        [
            "目標値が現状値を下回るため計算しない（事業費は減少の対価ではない）",
            "目標値が現状値と同じため計算しない",
        ],
        "",
    )
    merged["shared_budget"] = kpis_per_initiative > 1
    return merged[
        [
            "initiative_id",
            "kpi_id",
            "kpi_name",
            "unit",
            "required_change",
            "budget_total_thousand_yen",
            "budget_per_unit_change_thousand_yen",
            "per_unit_note",
            "shared_budget",
        ]
    ]


def default_as_of(actuals: pd.DataFrame, years: tuple[int, ...] | None = None) -> int:
    """The latest fiscal year with an actual, or the first plan year when there is none."""
    years = years or plan_editions.current().years
    return int(actuals["fiscal_year"].max()) if len(actuals) else years[0]


OVERVIEW_COLUMNS = [
    "kpi_id",
    "initiative_id",
    "initiative_name",
    "field",
    "kpi_name",
    "unit",
    "cumulative",
    "baseline_fiscal_year",
    "baseline_value",
    "target_fiscal_year",
    "target_value",
    "direction",
    "required_change",
    "yearly_pace",
    "as_of_fiscal_year",
    "expected_value",
    "actual_fiscal_year",
    "actual",
    "progress",
    "expected_progress",
    "required_pace_from_latest",
    "grade",
    "flags",
    "note",
]
"""The columns of the KPI report's overview, in order."""


def _initiative_names(data: KpiData) -> pd.DataFrame:
    """Each initiative's number, 政策分野, 分野, label and policy direction."""
    names = data.initiatives[["initiative_id", "policy_area", "field", "direction"]].assign(
        initiative_name=initiative_labels(data.initiatives)
    )
    return names.rename(columns={"direction": "policy_direction"})


def _flag_texts(flags: pd.DataFrame, overview: pd.DataFrame) -> list[str]:
    """For each overview row, the design flags of its KPI and of its initiative, joined by 「・」."""
    flag_labels = flags.assign(label=flags["flag"].map(FLAG_LABELS))
    per_kpi = flag_labels.dropna(subset=["kpi_id"]).groupby("kpi_id")["label"].agg("・".join)
    per_initiative = (
        flag_labels[flag_labels["kpi_id"].isna()]
        .groupby("initiative_id")["label"]
        .agg(lambda s: "・".join(dict.fromkeys(s)))
    )
    return [
        "・".join(x for x in (per_kpi.get(k, ""), per_initiative.get(i, "")) if x)
        for k, i in zip(overview["kpi_id"], overview["initiative_id"], strict=True)
    ]


def build_tables(
    data: KpiData,
    actuals: pd.DataFrame,
    as_of: int,
    thresholds: GradeThresholds = GradeThresholds(),
    jump_ratio: float = 2.0,
) -> dict[str, pd.DataFrame]:
    """Every processed table of the KPI report (tidy, unrounded; budgets in 千円)."""
    names = _initiative_names(data)
    flags = design_flags(data.kpis, data.budgets, jump_ratio)
    overview = progress(data.kpis, actuals, as_of, thresholds).merge(names, on="initiative_id")
    overview["flags"] = _flag_texts(flags, overview)
    overview = overview.assign(as_of_fiscal_year=as_of)[OVERVIEW_COLUMNS]
    budgets = data.budgets.merge(names, on="initiative_id")
    totals = budgets.groupby(["initiative_id", "initiative_name", "field"], as_index=False)[
        "budget_thousand_yen"
    ].sum()
    return {
        "overview": overview,
        "budgets": budgets[
            [
                "initiative_id",
                "initiative_name",
                "policy_area",
                "field",
                "fiscal_year",
                "budget_thousand_yen",
            ]
        ],
        "budgets_by_field": budgets_by(data.budgets, data.initiatives, ["policy_area", "field"]),
        "budgets_by_area": budgets_by(data.budgets, data.initiatives, ["policy_area"]),
        "budget_totals": totals,
        "budget_per_change": budget_per_kpi_change(data.kpis, data.budgets),
        "flags": flags.merge(names[["initiative_id", "initiative_name"]], on="initiative_id"),
        "changes": data.changes,
        "comments": data.comments,
        "actuals": actuals,
        "notes": notes_table(data),
    }


def initiative_labels(initiatives: pd.DataFrame) -> pd.Series:
    """The 体系図 name, and the name in the initiative's own block where that differs."""
    diagram, block = initiatives["initiative_name"], initiatives["name_in_block"]
    both = diagram + "（取組表では「" + block + "」）"
    return both.where(block.notna() & (block != diagram), diagram)


def notes_table(data: KpiData) -> pd.DataFrame:
    """The source's notes on budgets and KPIs, with what they apply to."""
    labels = dict(
        zip(data.initiatives["initiative_id"], initiative_labels(data.initiatives), strict=True)
    )
    notes = data.notes.assign(
        initiative_name=data.notes["initiative_id"].map(
            lambda i: labels.get(int(i), "") if pd.notna(i) else "すべての取組"
        )
    )
    return notes[["topic", "initiative_id", "initiative_name", "kpi_id", "note", "source_line"]]


def component_share(components: pd.DataFrame) -> pd.DataFrame:
    """A KPI built from parts (K01: days served over days, three services) recomputed (%)."""
    summed = components.groupby("kpi_id", as_index=False)[["days_done", "days_total"]].sum()
    return summed.assign(share_pct=summed["days_done"] / summed["days_total"] * 100)


FLAG_LABELS = {
    "target_below_baseline": "目標値が現状値を下回る",
    "target_equals_baseline": "目標値が現状値と同じ",
    "zero_budget": "事業費0円の年度あり",
    "budget_jump": "事業費の大きな増減",
}
