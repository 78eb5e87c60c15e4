"""Reading and validating the transcribed and supplied population data into tidy frames.

A population frame has one row per count: ``edition, municipality, year,
age_group, population`` (人), plus provenance (``input_file``, ``input_line``,
``source_table``, ``source_line``) and ``derived`` (True for values computed
by this project rather than printed: totals, 圏域 sums, interpolations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import vocabulary
from analysis.core.findings import (
    Finding,
    Locator,
    cell_errors,
    errors_in,
    examples,
    raise_on_errors,
)
from analysis.core.paths import DATA_RAW, display_path
from analysis.core.schema import (
    AGE_GROUP_LABELS,
    AGE_GROUPS,
    ALL_AGE_GROUPS,
    FLAG_VOCABULARY,
    REGION,
    YEAR_RANGE,
    find_age_group,
    normalise_age_group,
    parse_flag,
)
from analysis.inputs import agesex
from analysis.inputs.agesex import AgeSexLoaded
from analysis.inputs.cells import (
    MUNICIPALITY,
    Municipalities,
    expand_codes,
    near_name_errors,
    outside_plan_note,
    parse_number,
    plan_municipalities,
    read_municipality_registry,
)
from analysis.inputs.corrections import read_corrections
from analysis.inputs.io import LINE, InputError, missing_record_columns, read_records, read_sheets
from analysis.inputs.layouts import Field, Layout, Table, accepted_layouts, read_table
from analysis.inputs.source_figures import Records, read_facts, read_printed_rates


@dataclass(frozen=True)
class Edition:
    """A named edition of a projection or vision, so every number says where it comes from."""

    edition: str
    kind: str  # "projection" (社人研推計) or "vision" (人口ビジョン)
    label: str
    published: str
    path: Path
    replaces: str = ""
    source: str = ""
    short_label: str = ""
    """A label short enough for a figure title; the full label when not given."""
    age_sex: bool = False
    """The file has counts by sex and five-year age group: the projections may start from it."""
    census_years: tuple[int, ...] = ()
    """Years whose values are census counts, not projected (``census_years`` in the registry,
    e.g. ``2015;2020``): two editions must agree on a census year they share."""
    file: str = ""
    """The file as findings name it (:func:`~analysis.core.paths.display_path` of ``path``),
    so the model names it without seeing the path."""

    def __post_init__(self) -> None:
        if not self.short_label:
            object.__setattr__(self, "short_label", self.label)
        if not self.file:
            object.__setattr__(self, "file", display_path(self.path))


@dataclass
class Loaded:
    """Parsed rows plus every finding met while parsing them."""

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    age_sex: AgeSexLoaded | None = None
    """The counts by sex and five-year age group, when the file has them."""

    @property
    def errors(self) -> list[Finding]:
        return errors_in(self.findings)


def read_editions(path: Path = DATA_RAW / "editions.csv") -> list[Edition]:
    """The edition registry; file paths are relative to the registry's folder."""
    table = read_records(path)
    file = display_path(path)
    required = ("edition", "kind", "label", "published", "file")
    missing = missing_record_columns(file, table, required)
    if missing:
        raise InputError(missing[0])
    return [_edition(row, path, file) for row in table.to_dict("records")]


def _edition(row: dict[Hashable, Any], registry: Path, file: str) -> Edition:
    """One row of the registry at ``registry`` (shown as ``file``) as an :class:`Edition`;
    an :class:`InputError` for an unknown kind or an unreadable age_sex flag."""
    kind = _text(row["kind"])
    if kind not in {"projection", "vision"}:
        raise InputError(
            Finding(
                severity="error",
                file=file,
                line=int(row[LINE]),
                column="kind",
                check="registry-kind",
                params={"value": kind},
            )
        )
    flag = parse_flag(_text(row.get("age_sex")))
    if flag is None:
        raise InputError(
            Finding(
                severity="error",
                file=file,
                line=int(row[LINE]),
                column="age_sex",
                check="registry-flag",
                params={
                    "value": _text(row.get("age_sex")),
                    "column": "age_sex",
                    "accepted": FLAG_VOCABULARY,
                },
            )
        )
    return Edition(
        edition=_text(row["edition"]),
        kind=kind,
        label=_text(row["label"]),
        published=_text(row["published"]),
        path=registry.parent / _text(row["file"]),
        replaces=_text(row.get("replaces")),
        source=_text(row.get("source")),
        short_label=_text(row.get("short_label")),
        age_sex=flag,
        census_years=_census_years(_text(row.get("census_years"))),
    )


def _census_years(text: str) -> tuple[int, ...]:
    """``2015;2020`` → (2015, 2020); anything not a year is left out (the cross-edition check
    then simply has fewer years to compare)."""
    return tuple(int(part) for part in re.split(r"[;；、\s]+", text) if part.isdigit())


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


# ---------------------------------------------------------------- the population layout


def _looks_like_age_group(values: list[str]) -> float:
    return sum(normalise_age_group(v) is not None for v in values) / len(values)


YEAR = Field("year", "年", vocabulary.YEAR)
AGE_GROUP = Field(
    "age_group",
    "年齢区分",
    vocabulary.AGE_GROUP,
    recognise=_looks_like_age_group,
    from_sheet=find_age_group,
)
POPULATION_FIELD = Field(
    "population",
    "人口",
    vocabulary.POPULATION,
)
CODE = Field(
    "code",
    "市町村コード",
    vocabulary.CODE,
)

POPULATION_LAYOUT = Layout(
    title="人口",
    keys=(MUNICIPALITY, YEAR, AGE_GROUP),
    value=POPULATION_FIELD,
    spread="year",
    optional=(
        CODE,
        Field("source_table", "原資料の表", ()),
        Field("source_line", "原資料の行", ()),
    ),
    skip_columns=(
        "増減率",
        "人口比率",
        "構成比",
        "割合",
        "高齢化率",
        "指数",
        "備考",
        "注",
        "都道府県",
        "区分",
        "種別",
        "団体区分",
    ),
    skip_rows=(
        "高齢化率",
        "人口比率",
        "構成比",
        "割合",
        "増減率",
        "指数",
        "うち",
        "再掲",
        "(再掲)",
        "平均年齢",
    ),
    fill_down=("municipality",),
    accepted=accepted_layouts(
        "市町村・年・年齢区分・人口、または municipality, year, age_group, population",
        "市町村・年齢区分・2020・2025・…（「2020年」「令和2年」も可）",
    ),
)


# ---------------------------------------------------------------- parsing


def parse_population(
    table: Table,
    *,
    edition: str,
    municipalities: Municipalities | list[str],
) -> Loaded:
    """Check and convert a population :class:`~analysis.inputs.layouts.Table`; collect every finding.

    Rows of municipalities outside the plan are left out and counted in one note.
    Every municipality the edition covers must have every year and age group.
    """
    registry = (
        municipalities
        if isinstance(municipalities, Municipalities)
        else Municipalities(list(municipalities), {})
    )
    findings: list[Finding] = list(table.findings)
    plan = _plan_rows(table, registry)
    if isinstance(plan, list):
        return Loaded(_empty_population(), [*findings, *plan])
    rows, municipality, kept, notes = plan
    findings += notes

    def at(column: str) -> Locator:
        locate = table.locate(column)
        return lambda positions: locate(kept[positions])

    findings += _missing_cells(rows, municipality, at)
    age_group, bad_age, age_findings = _parse_age_groups(rows["age_group"], at("age_group"))
    year, bad_year, year_findings = _parse_years(rows["year"], at("year"))
    population, bad_population, population_findings = _parse_people(
        rows["population"], at("population")
    )
    findings += [*age_findings, *year_findings, *population_findings]

    frame = pd.DataFrame(
        {
            "edition": edition,
            "municipality": municipality,
            "year": year,
            "age_group": age_group,
            "population": population,
            **_provenance(table, rows, kept),
        }
    )
    usable = frame[["municipality", "year", "age_group", "population"]].notna().all(axis=1)
    usable &= ~np.asarray(bad_age | bad_year | bad_population, dtype=bool)
    keys = ["municipality", "year", "age_group"]
    frame, duplicates = _drop_duplicates(frame[usable.to_numpy()], table, keys)
    findings += duplicates

    frame = frame.drop(columns="position").assign(
        year=frame["year"].astype("int64"),
        population=frame["population"].astype("int64"),
        derived=False,
    )
    if not errors_in(findings):
        findings += completeness(frame, table.where(), keys)
    return Loaded(frame.reset_index(drop=True), findings)


def _provenance(table: Table, rows: pd.DataFrame, kept: np.ndarray) -> dict[str, object]:
    """The provenance columns of ``rows``: input file (sheet), line, position in the table,
    and the source's table and line when the file gives them."""
    return {
        "input_file": [table.sheets[int(s)].where for s in rows["_sheet"]]
        if len(table.sheets) > 1
        else table.where(),
        "input_line": rows[LINE].to_numpy().astype("int64"),
        "position": kept,
        "source_table": rows["source_table"],
        "source_line": pd.to_numeric(rows["source_line"], errors="coerce").astype("Int64"),
    }


def _plan_rows(
    table: Table, registry: Municipalities
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[Finding]] | list[Finding]:
    """The rows of the plan's municipalities: (rows, their municipality, their positions in
    the table, the note on rows left out); or the findings that stop the parse (an empty
    table, a name near a plan municipality's, no plan municipality at all)."""
    raw = table.frame
    if raw.empty:
        return [
            Finding(severity="error", file=table.where(), line=None, column="-", check="empty-file")
        ]
    municipality, outside = plan_municipalities(raw, registry)
    near = near_name_errors(
        table, "municipality", raw["municipality"], outside, [*registry.names, REGION]
    )
    if near:
        return near
    notes = outside_plan_note(table, outside)
    kept = np.flatnonzero(~outside)
    if not len(kept):
        known = "、".join(registry.names)
        return [
            *notes,
            Finding(
                severity="error",
                file=table.where(),
                line=None,
                column="-",
                check="no-plan-municipality",
                params={"known": known},
            ),
        ]
    return raw.iloc[kept].reset_index(drop=True), municipality[kept], kept, notes


def _missing_cells(
    rows: pd.DataFrame, municipality: np.ndarray, at: Callable[[str], Locator]
) -> list[Finding]:
    """An error per blank key or population cell (a municipality given by a code is not blank)."""
    findings: list[Finding] = []
    for column in ("municipality", "year", "age_group", "population"):
        missing = rows[column].isna().to_numpy().copy()
        if column == "municipality":
            missing &= pd.isna(municipality)
        findings += cell_errors(at(column), missing, rows[column], "missing-value", lambda _: {})
    return findings


def _parse_age_groups(
    cells: pd.Series, locate: Locator
) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """The canonical age group of each cell, which cells name none, and an error for each."""
    label_codes, labels = pd.factorize(cells, use_na_sentinel=True)
    canonical = np.array([normalise_age_group(str(label)) for label in labels], dtype=object)
    age_group = expand_codes(label_codes, canonical, None)
    bad_age = (label_codes >= 0) & pd.isna(age_group)
    allowed = "、".join(AGE_GROUP_LABELS[g] for g in ALL_AGE_GROUPS)
    findings = cell_errors(
        locate,
        bad_age,
        cells,
        "unknown-age-group",
        lambda v: {"value": v, "allowed": allowed},
    )
    return age_group, bad_age, findings


def _parse_years(cells: pd.Series, locate: Locator) -> tuple[pd.Series, pd.Series, list[Finding]]:
    """Each cell's year (float, NaN when unreadable), which are unusable (fractional or
    outside :data:`YEAR_RANGE`), and an error for every cell that is not a plausible year."""
    year, year_nan = parse_number(cells)
    fractional_year = year.notna() & (year != np.floor(year))
    low, high = YEAR_RANGE
    implausible = year.notna() & ~fractional_year & ((year < low) | (year > high))
    findings = [
        *cell_errors(locate, year_nan, cells, "not-a-year"),
        *cell_errors(locate, fractional_year, year, "fractional-year"),
        *cell_errors(
            locate,
            implausible,
            year,
            "year-range",
            lambda v: {"year": int(v), "low": low, "high": high},
        ),
    ]
    return year, fractional_year | implausible, findings


def _parse_people(cells: pd.Series, locate: Locator) -> tuple[pd.Series, pd.Series, list[Finding]]:
    """Each cell's count (人, float, NaN when unreadable), which are unusable (negative or
    fractional), an error for each of those, and a warning for each zero."""
    population, population_nan = parse_number(cells)
    negative = population < 0
    fractional = population.notna() & (population != np.floor(population))
    zero = population == 0
    findings = [
        *cell_errors(locate, population_nan, cells, "not-people"),
        *cell_errors(locate, negative, population, "negative-population"),
        *cell_errors(locate, fractional, population, "fractional-people"),
        *cell_errors(locate, zero, population, "zero-population", lambda _: {}, severity="warning"),
    ]
    return population, negative | fractional, findings


def _drop_duplicates(
    frame: pd.DataFrame, table: Table, keys: list[str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """The frame without rows repeating an earlier row's keys, and an error naming each
    repeat and the line of the row it repeats."""
    duplicated = frame.duplicated(keys, keep="first")
    if not duplicated.any():
        return frame, []
    first_line = frame.drop_duplicates(keys).set_index(keys)["input_line"]
    locate = table.locate("population")
    findings = []
    for row in frame[duplicated].itertuples():
        original = first_line.loc[(row.municipality, row.year, row.age_group)]
        files, lines, columns, cells = locate(np.array([row.position]))
        what = f"{row.municipality} {int(row.year)}年 {AGE_GROUP_LABELS[row.age_group]}"
        findings.append(
            Finding(
                severity="error",
                file=files[0],
                line=lines[0],
                column=columns[0],
                check="duplicate",
                params={"what": what, "first": original},
                cell=cells[0],
            )
        )
    return frame[~duplicated], findings


def completeness(frame: pd.DataFrame, where: str, keys: list[str]) -> list[Finding]:
    """Every municipality of an edition must have every year and age group (total optional)."""
    groups = frame[frame["age_group"].isin(AGE_GROUPS)]
    if groups.empty:
        return []
    axes = [pd.unique(groups[k]) for k in keys]
    axes[keys.index("age_group")] = np.array(AGE_GROUPS, dtype=object)
    expected = pd.MultiIndex.from_product(axes, names=keys)
    present = pd.MultiIndex.from_frame(groups[keys])
    missing = expected.difference(present)
    if not len(missing):
        return []
    named = [
        f"{m} {int(y)}年 {AGE_GROUP_LABELS.get(str(a), a)}"
        for m, y, a in missing.to_frame(index=False)[keys].itertuples(index=False)
    ]
    return [
        Finding(
            severity="error",
            file=where,
            line=None,
            column="-",
            check="missing-rows",
            params={"count": len(named), "examples": examples(named)},
        )
    ]


def _empty_population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "edition": pd.Series([], dtype=object),
            "municipality": pd.Series([], dtype=object),
            "year": pd.Series([], dtype="int64"),
            "age_group": pd.Series([], dtype=object),
            "population": pd.Series([], dtype="int64"),
            "derived": pd.Series([], dtype=bool),
        }
    )


def load_population(
    path: Path, *, edition: str, municipalities: Municipalities | list[str]
) -> Loaded:
    """Read and parse one population file (CSV in UTF-8 or Shift_JIS, or .xlsx; long or wide).

    A file by sex and five-year age group (the IPSS municipal workbook, or a tidy
    table with a sex column) is checked as such and summed to the broad groups,
    so it serves wherever a three-group edition does.
    """

    registry = (
        municipalities
        if isinstance(municipalities, Municipalities)
        else Municipalities(list(municipalities), {})
    )
    sheets = read_sheets(path)
    if agesex.is_age_sex(sheets):
        detail = agesex.load(path, edition=edition, registry=registry, sheets=sheets)
        if detail.errors:
            return Loaded(_empty_population(), detail.findings, detail)
        return Loaded(agesex.broad_for_edition(detail, edition), detail.findings, detail)
    return parse_population(
        read_table(path, POPULATION_LAYOUT, sheets), edition=edition, municipalities=registry
    )


@dataclass
class PopulationData:
    """Everything the population report needs: read (:func:`read_population`), then completed,
    checked and corrected (:func:`analysis.model.assembly.assemble`)."""

    editions: list[Edition]
    municipalities: list[str]
    raw: pd.DataFrame
    """Counts as printed (after parsing), with totals and 圏域 derived where absent."""
    corrected: pd.DataFrame
    """``raw`` with the documented corrections applied: the basis of every figure."""
    corrections: pd.DataFrame
    findings: list[Finding]
    age_sex: dict[str, AgeSexLoaded] = field(default_factory=dict)
    """Editions that come by sex and five-year age group: their detailed counts."""

    def edition(self, name: str) -> Edition:
        for edition in self.editions:
            if edition.edition == name:
                return edition
        raise KeyError(name)


def _check_replaces(editions: list[Edition], registry: Path) -> None:
    """An :class:`InputError` when an edition replaces one that is not registered."""
    known = {e.edition for e in editions}
    for edition in editions:
        if edition.replaces and edition.replaces not in known:
            raise InputError(
                Finding(
                    severity="error",
                    file=display_path(registry),
                    line=None,
                    column="replaces",
                    check="registry-replaces",
                    params={"edition": edition.edition, "replaces": edition.replaces},
                )
            )


def _load_editions(
    editions: list[Edition], registry: Municipalities
) -> tuple[list[pd.DataFrame], list[Finding], dict[str, AgeSexLoaded]]:
    """Every edition's file read: its population frame, every finding in file order, and the
    counts by sex and five-year age group of the editions that have them."""
    findings: list[Finding] = []
    frames = []
    detailed = {}
    for edition in editions:
        loaded = load_population(edition.path, edition=edition.edition, municipalities=registry)
        findings += loaded.findings
        frames.append(loaded.frame)
        if loaded.age_sex is not None:
            detailed[edition.edition] = loaded.age_sex
    return frames, findings, detailed


@dataclass
class PopulationInputs:
    """Every population input read and validated: the editions' counts as printed, the
    documented corrections and the source's own figures the model checks them against."""

    editions: list[Edition]
    registry: Municipalities
    frames: list[pd.DataFrame]
    """Each edition's counts as parsed (:func:`load_population`), in registry order."""
    findings: list[Finding]
    """Every finding met while reading, in file order (no errors: those raised)."""
    age_sex: dict[str, AgeSexLoaded]
    corrections: Records
    rates: Records
    """The printed rates (``printed_figures.csv``)."""
    facts: Records
    """The prose's facts (``facts.csv``), as the checks need them."""
    registry_file: str
    """The edition registry, as findings name it (the census disagreements point at it)."""


def supplied_edition(
    path: Path | str,
    kind: str,
    replaces: str = "",
    label: str = "",
    published: str = "",
    source: str = "",
) -> Edition:
    """A revised vision or new projection supplied as a file (CSV or .xlsx)."""
    path = Path(path)
    kind_label = "人口ビジョン" if kind == "vision" else "社人研推計"
    return Edition(
        edition=f"{kind}_supplied",
        kind=kind,
        label=label or f"{kind_label}（提供された新しい版）",
        published=published,
        path=path,
        replaces=replaces,
        source=source or f"提供された{kind_label}の新しい版",
        short_label=label or f"{kind_label}（新しい版）",
    )


def _supplied(
    registered: list[Edition],
    vision: str | Path | None,
    projection: str | Path | None,
    labels: dict[str, str],
) -> list[Edition]:
    """The supplied files as editions: each is the current edition of its kind and *replaces*
    the one that was current until then (the revision report compares the two)."""

    def current(kind: str) -> str:
        candidates = [e.edition for e in registered if e.kind == kind]
        return candidates[-1] if candidates else ""

    extra = []
    if projection:
        extra.append(
            supplied_edition(
                projection, "projection", current("projection"), labels.get("projection", "")
            )
        )
    if vision:
        extra.append(
            supplied_edition(
                vision,
                "vision",
                current("vision"),
                labels.get("vision", ""),
                source=labels.get("vision_source", ""),
            )
        )
    return extra


def read_population(
    raw_dir: Path = DATA_RAW,
    vision: str | Path | None = None,
    projection: str | Path | None = None,
    *,
    vision_label: str = "",
    projection_label: str = "",
    vision_source: str = "",
) -> PopulationInputs:
    """Read and validate the registered editions plus any supplied revised vision or new
    projection, the corrections, the printed rates and the prose's facts.

    Raises :class:`DataError` (every error of every edition file) or :class:`InputError`.
    """
    registry_path = raw_dir / "editions.csv"
    registered = read_editions(registry_path)
    labels = {
        "vision": vision_label,
        "projection": projection_label,
        "vision_source": vision_source,
    }
    editions = registered + _supplied(registered, vision, projection, labels)
    _check_replaces(editions, registry_path)
    registry = read_municipality_registry(raw_dir / "municipalities.csv")
    frames, findings, detailed = _load_editions(editions, registry)
    raise_on_errors(findings)
    corrections_path = raw_dir / "corrections.csv"
    corrections = Records(read_corrections(corrections_path), display_path(corrections_path))
    return PopulationInputs(
        editions,
        registry,
        frames,
        findings,
        detailed,
        corrections,
        read_printed_rates(raw_dir / "printed_figures.csv"),
        read_facts(raw_dir / "facts.csv"),
        display_path(registry_path),
    )
