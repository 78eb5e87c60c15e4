"""Reading cells as planners type them: numbers, texts, municipality names and codes.

Shared by every reader (population, age × sex, KPIs, projection settings), so that
a value reads the same wherever it is typed. Nothing here imports a reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.core import vocabulary
from analysis.core.findings import Finding, cell_errors, examples
from analysis.core.paths import DATA_RAW
from analysis.core.schema import REGION, normalise_age_group
from analysis.inputs.io import LINE, locate_records, read_records
from analysis.inputs.layouts import Field, Table, code_and_name

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
REGION_NAMES = {"圏域": REGION, "圏域合計": REGION, "圏域計": REGION}


@dataclass(frozen=True)
class Municipalities:
    """The municipalities that form the 圏域: names in registry order and their codes."""

    names: list[str]
    codes: dict[str, str]
    """Five-digit local government code (``03209``) → name."""

    def by_code(self, code: str) -> str | None:
        """The name for a code written as ``3209``, ``03209`` or ``032093`` (with check digit)."""
        digits = unicodedata.normalize("NFKC", code).strip().split(".")[0]
        if not digits.isdigit():
            return None
        if len(digits) == 6:
            digits = digits[:5]
        return self.codes.get(digits.zfill(5))


def read_municipality_registry(path: Path = DATA_RAW / "municipalities.csv") -> Municipalities:
    table = read_records(path)
    names = [str(name) for name in table["municipality"]]
    codes = {str(code).zfill(5): str(name) for code, name in zip(table["code"], names, strict=True)}
    return Municipalities(names, codes)


# ---------------------------------------------------------------- text and numbers


def normalised_codes(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
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


def expand_codes(codes: np.ndarray, distinct: np.ndarray, missing: object) -> np.ndarray:
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
    codes, distinct = normalised_codes(text)
    values = distinct.to_numpy(dtype=object, na_value=None)
    return pd.Series(expand_codes(codes, values, None), index=text.index, dtype="string")


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers as a Japanese office PC writes them.

    Full-width digits and thousands separators are accepted; anything else
    (``５４千``, ``約5万``, ``1e3``) is not a number. Returns the values (float)
    and a mask of the cells that are present but not numbers. Each distinct
    text is parsed once (years and repeated counts cost nothing extra).
    """
    codes, distinct = normalised_codes(text)
    normalised = distinct.str.replace(",", "", regex=False).str.replace("−", "-", regex=False)
    looks_numeric = normalised.str.fullmatch(_NUMBER.pattern).fillna(False).astype(bool)
    # Only texts that match the pattern reach the (strict) arrow cast, so it cannot fail.
    checked = pa.array(normalised.where(looks_numeric), type=pa.string())
    parsed = pc.cast(checked, pa.float64()).to_numpy(zero_copy_only=False)
    values = expand_codes(codes, parsed.astype("float64"), np.nan)
    bad = expand_codes(codes, ~looks_numeric.to_numpy(), False)
    return pd.Series(values, index=text.index), pd.Series(bad, index=text.index)


# ---------------------------------------------------------------- municipalities


def number_columns(
    table: pd.DataFrame, columns: Iterable[str], file: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """``table`` with ``columns`` parsed by :func:`parse_number`, and a finding naming file,
    line and column for every cell of them that is not a number, then every empty one."""
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


def looks_like_a_name(values: list[str]) -> float:
    """Text that is neither a number nor an age group: municipality names (and 高齢化率 rows)."""
    names = [v for v in values if normalise_age_group(v) is None and not _NUMBER.match(v)]
    return len(names) / len(values)


def municipality_of_sheet(text: str) -> str | None:
    _, name = code_and_name(text)
    return name if name.endswith(("市", "町", "村", "区")) or name in REGION_NAMES else None


MUNICIPALITY = Field(
    "municipality",
    "市町村",
    vocabulary.MUNICIPALITY,
    recognise=looks_like_a_name,
    from_sheet=municipality_of_sheet,
)


def outside_plan_note(table: Table, outside: np.ndarray) -> list[Finding]:
    """One note counting the municipalities (and rows) left out as outside the plan."""
    if not outside.any():
        return []
    raw = table.frame
    names = raw.loc[outside, "municipality"].fillna(raw.loc[outside, "code"]).astype(str)
    distinct = list(dict.fromkeys(names))
    source_rows = len(raw.loc[outside, ["_sheet", LINE]].drop_duplicates())
    params = {"count": len(distinct), "rows": source_rows, "examples": examples(distinct, 3)}
    return [
        Finding(
            severity="note",
            file=table.where(),
            line=None,
            column=table.labels["municipality"],
            check="outside-plan",
            params=params,
        )
    ]


_SUFFIXES = ("市", "町", "村", "区")


def near_plan_name(text: object, names: list[str]) -> str | None:
    """The plan's name a name outside the plan was most likely meant to be, or None.

    Close means: the same once NFKC (full-width letters, the ideographic space) and every
    space are set aside (「一関 市」「一関　市」), or the same without the suffix 市・町・村
    or with another one (「一関」「平泉」「一関町」). A municipality elsewhere that merely
    shares characters (岐阜県の関市, 青森県の平川市, 一戸町) is not close: a nationwide table
    keeps its other municipalities out, while a typo of the plan's own is never taken for one.
    """
    squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    if not squeezed:
        return None
    for name in names:
        stem = name[:-1] if name.endswith(_SUFFIXES) else name
        if squeezed in (name, stem) or (squeezed[:-1] == stem and squeezed.endswith(_SUFFIXES)):
            return name
    return None


def near_name_errors(
    table: Table, column: str, texts: pd.Series, candidates: np.ndarray, names: list[str]
) -> list[Finding]:
    """One error per cell among ``candidates`` (rows about to be left out as outside the
    plan) whose text is close to a plan name: 「一関」 is refused as a probable 一関市, never
    dropped as a municipality elsewhere."""
    codes, distinct = pd.factorize(texts.astype("string"), use_na_sentinel=True)
    suggestions = np.array([near_plan_name(v, names) for v in distinct], dtype=object)
    near = expand_codes(codes, suggestions, None)
    flagged = np.asarray(candidates, dtype=bool) & pd.notna(near)
    # The first row of each such name only, with how many rows have it.
    first = np.zeros(len(near), dtype=bool)
    first[np.unique(codes, return_index=True)[1]] = True
    counts = np.bincount(np.maximum(codes, 0)[flagged], minlength=len(distinct))
    reported = flagged & first
    values = np.empty(len(near), dtype=object)  # only the reported cells are filled in
    for position in np.flatnonzero(reported):
        values[position] = (texts.iloc[position], near[position], counts[codes[position]])
    return cell_errors(table.locate(column), reported, values, "near-municipality", _near_params)


def _near_params(row: tuple[object, str, int]) -> dict[str, object]:
    """A near-name error's parameters from (text, plan name, rows with that text)."""
    text, name, count = row
    rows = int(count)
    return {
        "value": str(text).strip(),
        "name": name,
        "rows": f"（この名前の行 {rows:,} 行）" if rows > 1 else "",
        "rows_en": f" ({rows:,} rows)" if rows > 1 else "",
    }


def plan_municipalities(
    raw: pd.DataFrame, registry: Municipalities
) -> tuple[np.ndarray, np.ndarray]:
    """The plan's name for each row (None when blank) and which rows lie outside the plan.

    A row is matched by its local government code when the table has one, else by
    its name (``圏域合計`` is the 圏域). Blank names stay in, to be reported as blank.
    """
    codes, names = normalised_codes(raw["municipality"])
    names = names.replace(REGION_NAMES)
    distinct = names.to_numpy(dtype=object, na_value=None)
    known = {*registry.names, REGION}
    municipality = expand_codes(codes, distinct, None)
    outside = expand_codes(codes, np.array([n not in known for n in distinct], dtype=bool), False)
    if raw["code"].notna().any():
        code_ids, code_texts = pd.factorize(raw["code"], use_na_sentinel=True)
        by_code = np.array([registry.by_code(str(c)) for c in code_texts], dtype=object)
        matched = expand_codes(code_ids, by_code, None)
        has_code = code_ids >= 0
        municipality = np.where(has_code, matched, municipality)
        outside = np.where(has_code, pd.isna(matched), outside)
    return municipality, np.asarray(outside, dtype=bool)
