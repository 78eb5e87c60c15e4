"""Loading the transcribed and supplied population data into tidy frames.

A population frame has one row per count: ``edition, municipality, year,
age_group, population`` (人), plus provenance (``input_file``, ``input_line``,
``source_table``, ``source_line``) and ``derived`` (True for values computed
by this project rather than printed: totals, 圏域 sums, interpolations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.findings import DataError, Finding, cell_errors, schema_errors
from analysis.io import LINE, InputError, read_table
from analysis.paths import DATA_RAW, display_path
from analysis.schema import (
    AGE_GROUPS,
    ALL_AGE_GROUPS,
    POPULATION_COLUMNS,
    PROVENANCE_COLUMNS,
    REGION,
    TOTAL,
    normalise_age_group,
)

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


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

    def __post_init__(self) -> None:
        if not self.short_label:
            object.__setattr__(self, "short_label", self.label)


@dataclass
class Loaded:
    """Parsed rows plus every finding met while parsing them."""

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def read_editions(path: Path = DATA_RAW / "editions.csv") -> list[Edition]:
    """The edition registry; file paths are relative to the registry's folder."""
    table = read_table(path)
    required = {"edition", "kind", "label", "published", "file"}
    missing = required - set(table.columns)
    if missing:
        raise InputError(f"{display_path(path)}:1: {sorted(missing)[0]}: missing column")
    editions = []
    for row in table.to_dict("records"):
        kind = str(row["kind"])
        if kind not in {"projection", "vision"}:
            raise InputError(
                f"{display_path(path)}:{row[LINE]}: kind: {kind!r} must be 'projection' or 'vision'"
            )
        editions.append(
            Edition(
                edition=str(row["edition"]),
                kind=kind,
                label=str(row["label"]),
                published=str(row["published"]),
                path=path.parent / str(row["file"]),
                replaces=_text(row.get("replaces")),
                source=_text(row.get("source")),
                short_label=_text(row.get("short_label")),
            )
        )
    return editions


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def read_municipalities(path: Path = DATA_RAW / "municipalities.csv") -> list[str]:
    """Names of the municipalities that make up the 圏域, in the registry's order."""
    return [str(name) for name in read_table(path)["municipality"]]


def _distinct_normalised(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Integer codes per cell (-1 for a missing cell) and the distinct texts, NFKC-normalised and stripped.

    Most cells repeat (municipality names, years, age groups) or are already
    ASCII, so normalising each distinct value once keeps large files cheap.
    """
    codes, uniques = pd.factorize(text.astype("string"), use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="string")
    ascii_only = distinct.str.isascii().fillna(True).astype(bool)
    if not ascii_only.all():
        distinct = distinct.where(ascii_only, distinct.str.normalize("NFKC"))
    return codes, distinct.str.strip()


def _expand(codes: np.ndarray, distinct: np.ndarray, missing: object) -> np.ndarray:
    """Per-cell values from per-distinct values (``missing`` where the code is -1)."""
    if not len(distinct):
        return np.full(len(codes), missing, dtype=distinct.dtype)
    values: np.ndarray = distinct[np.maximum(codes, 0)]
    if (codes < 0).any():
        values = values.copy()
        values[codes < 0] = missing
    return values


def normalise_text(text: pd.Series) -> pd.Series:
    """NFKC-normalise and strip: full-width digits and letters become ASCII."""
    codes, distinct = _distinct_normalised(text)
    values = distinct.to_numpy(dtype=object, na_value=None)
    return pd.Series(_expand(codes, values, None), index=text.index, dtype="string")


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers as a Japanese office PC writes them.

    Full-width digits and thousands separators are accepted; anything else
    (``５４千``, ``約5万``, ``1e3``) is not a number. Returns the values (float)
    and a mask of the cells that are present but not numbers. Each distinct
    text is parsed once (years and repeated counts cost nothing extra).
    """
    codes, distinct = _distinct_normalised(text)
    normalised = distinct.str.replace(",", "", regex=False).str.replace("−", "-", regex=False)
    looks_numeric = normalised.str.fullmatch(_NUMBER.pattern).fillna(False).astype(bool)
    # Only texts that match the pattern reach the (strict) arrow cast, so it cannot fail.
    checked = pa.array(normalised.where(looks_numeric), type=pa.string())
    parsed = pc.cast(checked, pa.float64()).to_numpy(zero_copy_only=False)
    values = _expand(codes, parsed.astype("float64"), np.nan)
    bad = _expand(codes, ~looks_numeric.to_numpy(), False)
    return pd.Series(values, index=text.index), pd.Series(bad, index=text.index)


def parse_population(
    raw: pd.DataFrame,
    *,
    file: str,
    edition: str,
    municipalities: list[str],
) -> Loaded:
    """Check and convert a raw population table; collect every finding.

    ``raw`` is what :func:`analysis.io.read_table` returns (text cells and a
    ``_line`` column).
    """
    findings: list[Finding] = []

    def error(line: int | None, column: str, message: str, check: str) -> None:
        findings.append(Finding("error", file, line, column, message, check))

    present = [c for c in raw.columns if c != LINE]
    allowed = sorted({*POPULATION_COLUMNS, *PROVENANCE_COLUMNS})
    findings += schema_errors(file, present, POPULATION_COLUMNS, allowed)
    if findings:
        return Loaded(_empty_population(), findings)
    if raw.empty:
        error(2, "population", "the file has no data rows", "schema")
        return Loaded(_empty_population(), findings)

    lines = raw[LINE].to_numpy()
    for column in POPULATION_COLUMNS:
        findings += cell_errors(
            file,
            column,
            lines,
            raw[column].isna(),
            raw[column],
            lambda _: "empty cell",
            "missing-value",
        )

    codes, names = _distinct_normalised(raw["municipality"])
    names = names.replace({"圏域合計": REGION, "圏域計": REGION})
    known = [*municipalities, REGION]
    distinct_names = names.to_numpy(dtype=object, na_value=None)
    known_set = set(known)
    is_known = np.array([name in known_set for name in distinct_names], dtype=bool)
    municipality = pd.Series(_expand(codes, distinct_names, None), index=raw.index)
    unknown = _expand(codes, ~is_known, False)
    findings += cell_errors(
        file,
        "municipality",
        lines,
        unknown,
        municipality,
        lambda name: (
            f"unknown municipality {name!r} (known: {', '.join(known)}; "
            "add new ones to data/raw/municipalities.csv)"
        ),
        "unknown-municipality",
    )

    label_codes, labels = pd.factorize(raw["age_group"], use_na_sentinel=True)
    canonical = np.array([normalise_age_group(str(label)) for label in labels], dtype=object)
    age_group = pd.Series(_expand(label_codes, canonical, None), index=raw.index)
    bad_age = (label_codes >= 0) & age_group.isna().to_numpy()
    findings += cell_errors(
        file,
        "age_group",
        lines,
        bad_age,
        raw["age_group"],
        lambda label: f"unknown age group {label!r} (use {', '.join(ALL_AGE_GROUPS)})",
        "unknown-age-group",
    )

    year, year_nan = parse_number(raw["year"])
    fractional_year = year.notna() & (year != np.floor(year))
    findings += cell_errors(
        file, "year", lines, year_nan, raw["year"], lambda t: f"{t!r} is not a year", "not-a-number"
    )
    findings += cell_errors(
        file,
        "year",
        lines,
        fractional_year,
        year,
        lambda v: f"{v:g} is not a whole year",
        "fractional",
    )

    population, population_nan = parse_number(raw["population"])
    negative = population < 0
    fractional = population.notna() & (population != np.floor(population))
    findings += cell_errors(
        file,
        "population",
        lines,
        population_nan,
        raw["population"],
        lambda t: f"{t!r} is not a number of people",
        "not-a-number",
    )
    findings += cell_errors(
        file,
        "population",
        lines,
        negative,
        population,
        lambda v: f"negative population {v:g}",
        "negative",
    )
    findings += cell_errors(
        file,
        "population",
        lines,
        fractional,
        population,
        lambda v: f"{v:g} is not a whole number of people",
        "fractional",
    )

    frame = pd.DataFrame(
        {
            "edition": edition,
            "municipality": municipality,
            "year": year,
            "age_group": age_group,
            "population": population,
            "input_file": file,
            "input_line": lines.astype("int64"),
            "source_table": raw.get("source_table"),
            "source_line": (
                pd.to_numeric(raw["source_line"], errors="coerce").astype("Int64")
                if "source_line" in raw
                else pd.Series(pd.NA, index=raw.index, dtype="Int64")
            ),
        }
    )
    usable = frame[["municipality", "year", "age_group", "population"]].notna().all(axis=1)
    usable &= ~np.asarray(unknown | bad_age | fractional_year | negative | fractional, dtype=bool)
    frame = frame[usable.to_numpy()]

    keys = ["municipality", "year", "age_group"]
    duplicated = frame.duplicated(keys, keep="first")
    if duplicated.any():
        first_line = frame.drop_duplicates(keys).set_index(keys)["input_line"]
        for row in frame[duplicated].itertuples():
            original = first_line.loc[(row.municipality, row.year, row.age_group)]
            error(
                int(row.input_line),
                "population",
                f"duplicate row for {row.municipality} {int(row.year)} {row.age_group} "
                f"(first given on line {original})",
                "duplicate",
            )
        frame = frame[~duplicated]

    frame = frame.assign(
        year=frame["year"].astype("int64"),
        population=frame["population"].astype("int64"),
        derived=False,
    )
    return Loaded(frame.reset_index(drop=True), findings)


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


def load_population(path: Path, *, edition: str, municipalities: list[str]) -> Loaded:
    """Read and parse one population file (CSV in UTF-8 or Shift_JIS, or .xlsx)."""
    return parse_population(
        read_table(path), file=display_path(path), edition=edition, municipalities=municipalities
    )


def complete_population(frame: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Add what an edition may leave out: totals and the 圏域 (marked ``derived``).

    A total is derived from the three age groups where it is absent; the 圏域 is
    the sum of the municipalities where the edition does not print it and every
    member municipality is present for that year. Rows keep their order; new
    rows come last (sort with :func:`sort_population`).
    """
    keys = ["edition", "municipality", "year"]
    from analysis.cohort import unstack_age_groups

    wide = unstack_age_groups(frame, keys).reindex(columns=list(ALL_AGE_GROUPS))
    complete = wide[list(AGE_GROUPS)].notna().all(axis=1) & wide[TOTAL].isna()
    new_totals = (
        wide.loc[complete, list(AGE_GROUPS)]
        .sum(axis=1)
        .rename("population")
        .reset_index()
        .assign(age_group=TOTAL, derived=True, derivation="年齢3区分の合計")
    )
    frame = pd.concat([frame, new_totals], ignore_index=True)

    if municipalities:
        members = frame[frame["municipality"].isin(municipalities)]
        by_region = members.pivot_table(
            index=["edition", "year", "age_group"],
            columns="municipality",
            values="population",
            aggfunc="sum",
            observed=True,
        ).reindex(columns=municipalities)
        printed = frame.loc[frame["municipality"] == REGION, ["edition", "year", "age_group"]]
        printed_index = pd.MultiIndex.from_frame(printed)
        wanted = by_region.notna().all(axis=1) & ~by_region.index.isin(printed_index)
        region = (
            by_region[wanted]
            .sum(axis=1)
            .rename("population")
            .reset_index()
            .assign(municipality=REGION, derived=True, derivation="市町の合計")
        )
        frame = pd.concat([frame, region], ignore_index=True)
    frame["derived"] = frame["derived"].astype(bool)
    frame["population"] = frame["population"].astype("int64")
    return frame


def sort_population(frame: pd.DataFrame, municipalities: list[str] | None = None) -> pd.DataFrame:
    """Sort rows by edition, municipality (registry order, 圏域 last), year, age group."""
    rank = {name: i for i, name in enumerate(municipalities or [])}
    rank[REGION] = 10_000
    age_rank = {g: i for i, g in enumerate(ALL_AGE_GROUPS)}
    keys = pd.DataFrame(
        {
            "edition": frame["edition"].astype("category").cat.codes,
            "rank": frame["municipality"].map(rank).fillna(5_000).to_numpy(),
            "municipality": frame["municipality"].astype("category").cat.codes,
            "year": frame["year"].to_numpy(),
            "age": frame["age_group"].map(age_rank).to_numpy(),
        }
    )
    order = np.lexsort([keys[c].to_numpy() for c in reversed(keys.columns)])
    return frame.iloc[order].reset_index(drop=True)


def apply_corrections(
    frame: pd.DataFrame, corrections_path: Path = DATA_RAW / "corrections.csv"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the documented corrections; return the corrected frame and the corrections applied.

    A correction applies only while the value still equals the printed value it
    corrects, so a revised edition is never silently changed.
    """
    corrections = read_table(corrections_path)
    if corrections.empty:
        return frame.assign(corrected=False), corrections
    printed, _ = parse_number(corrections["printed_population"])
    corrected, _ = parse_number(corrections["corrected_population"])
    year, _ = parse_number(corrections["year"])
    table = corrections.assign(
        year=year.astype("int64"),
        printed_population=printed.astype("int64"),
        corrected_population=corrected.astype("int64"),
        age_group=corrections["age_group"].map(lambda g: normalise_age_group(str(g))),
    )
    keys = ["edition", "municipality", "year", "age_group"]
    merged = frame.merge(
        table[[*keys, "printed_population", "corrected_population"]], on=keys, how="left"
    )
    applies = merged["printed_population"].notna() & (
        merged["population"] == merged["printed_population"]
    )
    merged["corrected"] = applies.to_numpy()
    merged.loc[applies, "population"] = merged.loc[applies, "corrected_population"]
    merged["population"] = merged["population"].astype("int64")
    applied = table.merge(frame[keys].drop_duplicates(), on=keys, how="inner")
    applied = applied.merge(merged.loc[applies, keys], on=keys, how="inner").drop(columns=[LINE])
    return merged.drop(columns=["printed_population", "corrected_population"]), applied


@dataclass
class PopulationData:
    """Everything the population report needs, loaded and checked."""

    editions: list[Edition]
    municipalities: list[str]
    raw: pd.DataFrame
    """Counts as printed (after parsing), with totals and 圏域 derived where absent."""
    corrected: pd.DataFrame
    """``raw`` with the documented corrections applied: the basis of every figure."""
    corrections: pd.DataFrame
    findings: list[Finding]

    def edition(self, name: str) -> Edition:
        for edition in self.editions:
            if edition.edition == name:
                return edition
        raise KeyError(name)


def load_all(
    raw_dir: Path = DATA_RAW,
    *,
    extra_editions: list[Edition] | None = None,
    check: bool = True,
) -> PopulationData:
    """Load every registered edition (plus supplied ones), validate, and correct.

    Raises :class:`DataError` when any input has errors; inconsistencies inside
    the published source come back as warnings in ``findings``.
    """
    from analysis import checks

    editions = read_editions(raw_dir / "editions.csv") + list(extra_editions or [])
    known = {e.edition for e in editions}
    for edition in editions:
        if edition.replaces and edition.replaces not in known:
            raise InputError(
                f"{display_path(raw_dir / 'editions.csv')}:-: replaces: {edition.edition} replaces "
                f"{edition.replaces!r}, which is not a registered edition"
            )
    municipalities = read_municipalities(raw_dir / "municipalities.csv")
    findings: list[Finding] = []
    frames = []
    for edition in editions:
        loaded = load_population(
            edition.path, edition=edition.edition, municipalities=municipalities
        )
        findings += loaded.findings
        frames.append(loaded.frame)
    if any(f.severity == "error" for f in findings):
        raise DataError(findings)
    raw = complete_population(pd.concat(frames, ignore_index=True), municipalities)
    raw = sort_population(raw, municipalities)
    corrected, corrections = apply_corrections(raw, raw_dir / "corrections.csv")
    if check:
        findings += checks.check_all(raw, corrected, corrections, raw_dir, municipalities)
    return PopulationData(editions, municipalities, raw, corrected, corrections, findings)
