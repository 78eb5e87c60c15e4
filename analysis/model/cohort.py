"""Arithmetic on age cohorts over tidy frames, vectorised over municipalities, years and editions.

Inputs are long frames with ``edition, municipality, year, age_group,
population`` (人). Nothing is rounded here; round only for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from analysis.core.schema import AGE_GROUPS, REGION, TOTAL

KEYS = ["edition", "municipality", "year"]
SERIES = ["edition", "municipality", "age_group"]
Method = Literal["linear", "geometric"]


class ExtrapolationError(ValueError):
    """A year outside the published years was asked for: we interpolate, never extrapolate."""


def unstack_age_groups(
    frame: pd.DataFrame, keys: list[str], value: str = "population"
) -> pd.DataFrame:
    """``value`` (人, float) with one column per age group; rows are ``keys``, sorted.

    Keys are unique after validation; a duplicate (e.g. from a careless concat)
    falls back to the first value, as ``drop_duplicates`` would.
    """
    unique = frame.dropna(subset=["age_group"]).drop_duplicates([*keys, "age_group"])
    wide = unique.pivot(index=keys, columns="age_group", values=value).astype("float64")
    wide.columns = pd.Index(list(wide.columns), dtype=object)
    return wide


def _with_total(wide: pd.DataFrame) -> pd.DataFrame:
    """The age groups and ``total``: the printed total, else the sum of the three groups."""
    wide = wide.reindex(columns=[*AGE_GROUPS, TOTAL])
    summed = wide[list(AGE_GROUPS)].sum(axis=1, min_count=len(AGE_GROUPS))
    wide[TOTAL] = wide[TOTAL].fillna(summed)
    return wide


def age_structure(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts, shares and the standard indices per edition, municipality and year.

    Columns (all unrounded):

    - ``0-14``, ``15-64``, ``65+``, ``total``: 人
    - ``share_<group>_pct``: group ÷ total × 100 (人口比率, %)
    - ``aging_rate_pct``: 65+ ÷ total × 100 (高齢化率, %)
    - ``youth_dependency_pct``: 0-14 ÷ 15-64 × 100 (年少人口指数)
    - ``old_age_dependency_pct``: 65+ ÷ 15-64 × 100 (老年人口指数)
    - ``dependency_pct``: (0-14 + 65+) ÷ 15-64 × 100 (従属人口指数)
    - ``ageing_index_pct``: 65+ ÷ 0-14 × 100 (老年化指数)
    - ``derived``: True when any count of the row was derived (interpolated or summed)
    - ``interpolated``: True when any count of the row was interpolated between published
      years (the 補間 mark of tables and figures; a sum of printed counts is not)
    """
    wide = _with_total(unstack_age_groups(frame, KEYS))
    young, working, old, total = (wide[c].to_numpy() for c in (*AGE_GROUPS, TOTAL))
    columns: dict[str, object] = {key: wide.index.get_level_values(key) for key in KEYS}
    columns.update({c: wide[c].to_numpy() for c in (*AGE_GROUPS, TOTAL)})
    with np.errstate(divide="ignore", invalid="ignore"):
        for group, counts in zip(AGE_GROUPS, (young, working, old), strict=True):
            columns[f"share_{group}_pct"] = counts / total * 100
        columns["aging_rate_pct"] = old / total * 100
        columns["youth_dependency_pct"] = young / working * 100
        columns["old_age_dependency_pct"] = old / working * 100
        columns["dependency_pct"] = (young + old) / working * 100
        columns["ageing_index_pct"] = old / young * 100
    derived = (
        frame.assign(derived=frame["derived"].astype(bool))
        if "derived" in frame
        else frame.assign(derived=False)
    )
    columns["derived"] = derived.groupby(KEYS)["derived"].any().reindex(wide.index).to_numpy()
    flagged = frame.assign(interpolated=is_interpolated(frame))
    columns["interpolated"] = (
        flagged.groupby(KEYS)["interpolated"].any().reindex(wide.index).fillna(False).to_numpy()
    )
    return pd.DataFrame(columns)


INTERPOLATION_LABELS = ("線形補間", "幾何補間")


def derived_by(frame: pd.DataFrame, prefixes: str | tuple[str, ...]) -> pd.Series:
    """Rows whose ``derivation`` starts with one of ``prefixes``, as booleans."""
    if "derivation" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["derivation"].astype("string").fillna("").str.startswith(prefixes).astype(bool)


def is_interpolated(frame: pd.DataFrame) -> pd.Series:
    """Rows interpolated between published years (by their ``derivation``), as booleans."""
    return derived_by(frame, INTERPOLATION_LABELS)


def change_from_base(frame: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Change since ``base_year`` for every series.

    Adds ``base_population`` (人), ``change`` (人), ``change_rate_pct``
    ((value − base) ÷ base × 100, 増減率) and ``index`` (value ÷ base; base year = 1.0).
    Series without the base year raise ``ExtrapolationError`` — interpolate first.
    """
    base = frame.loc[frame["year"] == base_year, [*SERIES, "population"]]
    base = base.rename(columns={"population": "base_population"})
    merged = frame.merge(base, on=SERIES, how="left")
    missing = merged["base_population"].isna()
    if missing.any():
        first = merged[missing].iloc[0]
        raise ExtrapolationError(
            f"base year {base_year} is not available for {first['edition']} "
            f"{first['municipality']} {first['age_group']}"
        )
    population = merged["population"].astype("float64")
    base_population = merged["base_population"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["change"] = population - base_population
        merged["change_rate_pct"] = merged["change"] / base_population * 100
        merged["index"] = population / base_population
    return merged


def interpolate(
    frame: pd.DataFrame, years: Iterable[int], method: Method = "linear"
) -> pd.DataFrame:
    """Rows for ``years``, taken as published or interpolated between the two nearest years.

    ``linear`` follows the source's method for its 2028 figure: the change over
    the bracketing period (e.g. 2025–2030) spread evenly over its years.
    ``geometric`` applies a constant yearly rate instead. Interpolated rows have
    ``derived=True`` and a ``derivation`` text. A year outside the published
    range of a series raises :class:`ExtrapolationError`.
    """
    if method not in ("linear", "geometric"):
        raise ValueError(f"unknown interpolation method {method!r} (use 'linear' or 'geometric')")
    targets = sorted(set(int(y) for y in years))
    # Integer series codes and one sort, then pure numpy per target year: every
    # series' bracketing published years are found by counting, not by group-bys.
    codes_all = frame.groupby(SERIES, sort=False).ngroup().to_numpy()
    year_all = frame["year"].to_numpy()
    order = np.lexsort((year_all, codes_all))
    codes = codes_all[order]
    year = year_all[order]
    population = frame["population"].to_numpy(dtype="float64")[order]
    groups = int(codes.max()) + 1 if len(codes) else 0
    counts = np.bincount(codes, minlength=groups)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
    identity = frame[SERIES].iloc[order[start]].reset_index(drop=True) if groups else frame[SERIES]
    label = INTERPOLATION_LABELS[0] if method == "linear" else INTERPOLATION_LABELS[1]
    published_parts = []
    interpolated_parts = []
    for target in targets:
        at_or_before = np.bincount(codes, weights=year <= target, minlength=groups).astype(int)
        before = np.bincount(codes, weights=year < target, minlength=groups).astype(int)
        outside = (at_or_before == 0) | (before == counts)
        if outside.any():
            g = int(np.argmax(outside))
            span = (year[start[g]], year[start[g] + counts[g] - 1])
            raise _extrapolation(target, span, tuple(identity.iloc[g]))
        lo = start + at_or_before - 1
        hi = start + before
        published = lo == hi
        published_parts.append(order[lo[published]])
        y0, y1 = year[lo].astype("float64"), year[hi].astype("float64")
        p0, p1 = population[lo], population[hi]
        inside = ~published
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = (target - y0[inside]) / (y1[inside] - y0[inside])
        value = _between(p0[inside], p1[inside], fraction, method)
        spans = _derivations(y0[inside], y1[inside], label)
        interpolated_parts.append(
            identity[inside]
            .reset_index(drop=True)
            .assign(year=target, population=value, derived=True, derivation=spans)
        )
    return _combined(frame, published_parts, interpolated_parts, method)


def _combined(
    frame: pd.DataFrame,
    published_parts: list[np.ndarray],
    interpolated_parts: list[pd.DataFrame],
    method: Method,
) -> pd.DataFrame:
    """The published rows (by their positions in ``frame``, each once) and the interpolated
    ones (totals re-summed from the groups when geometric), sorted by series and year."""
    published_rows = (
        frame.iloc[np.unique(np.concatenate(published_parts))]
        if published_parts
        else frame.iloc[0:0]
    )
    interpolated = (
        pd.concat(interpolated_parts, ignore_index=True) if interpolated_parts else frame.iloc[0:0]
    )
    if method == "geometric" and len(interpolated):
        interpolated = _totals_from_groups(interpolated)
    combined = pd.concat([published_rows, interpolated], ignore_index=True)
    combined["derived"] = combined["derived"].astype(bool)
    return combined.sort_values([*SERIES, "year"]).reset_index(drop=True)


def _extrapolation(
    target: int, span: tuple[int, int], series: tuple[object, ...]
) -> ExtrapolationError:
    """The error for a target year outside a series' published years ``span`` (first, last)."""
    edition, municipality, age = series
    first, last = span
    return ExtrapolationError(
        f"year {target} is outside the published years {first}–{last} of "
        f"{edition} {municipality} {age}; only interpolation is done, never extrapolation"
    )


def _between(a: np.ndarray, b: np.ndarray, fraction: np.ndarray, method: Method) -> np.ndarray:
    """The people (人) at ``fraction`` of the way from ``a`` to ``b``: a straight line, or a
    constant yearly rate (``geometric``, which needs positive counts unless they are equal)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "linear":
            value: np.ndarray = a + (b - a) * fraction
            return value
        if (((a <= 0) | (b <= 0)) & (a != b)).any():
            raise ValueError("geometric interpolation needs positive populations")
        value = np.where(a > 0, a * (b / np.where(a > 0, a, 1.0)) ** fraction, a)
        return value


def _derivations(y0: np.ndarray, y1: np.ndarray, label: str) -> pd.Series:
    """The derivation text of each interpolated row: the method and its bracketing years."""
    span_codes, span_pairs = pd.factorize(
        pd.MultiIndex.from_arrays([y0.astype(int), y1.astype(int)])
    )
    span_texts = np.array([f"{label}（{s0}–{s1}年）" for s0, s1 in span_pairs], dtype=object)
    return pd.Series(span_texts[span_codes], dtype=object)


def _totals_from_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace interpolated totals by the sum of the interpolated groups (keeps tables additive)."""
    keys = ["edition", "municipality", "year"]
    groups = frame[frame["age_group"].isin(AGE_GROUPS) & frame["derived"]]
    complete = groups.groupby(keys)["age_group"].transform("nunique") == len(AGE_GROUPS)
    sums = groups[complete].groupby(keys)["population"].sum().rename("group_sum")
    merged = frame.merge(sums, on=keys, how="left")
    replace = (merged["age_group"] == TOTAL) & merged["derived"] & merged["group_sum"].notna()
    merged.loc[replace, "population"] = merged.loc[replace, "group_sum"]
    return merged.drop(columns="group_sum")


REGION_SUM = "市町の合計"
"""The ``derivation`` of a 圏域 summed from its municipalities; one that includes an
interpolated municipality starts with the interpolation's label (so it is marked 補間)."""


def region_derivation(interpolated: np.ndarray) -> np.ndarray:
    """The derivation of summed 圏域 rows, given whether any of their municipalities was
    interpolated."""
    return np.where(interpolated, f"{INTERPOLATION_LABELS[0]}を含む{REGION_SUM}", REGION_SUM)


def _summed_regions(frame: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """``added`` with the 圏域 rows of an edition whose 圏域 is the sum of its municipalities
    (a partial or unprinted 圏域) summed again from the municipalities in the same year,
    instead of interpolated on their own: the 圏域 stays the sum of what the tables show."""
    regions = frame[frame["municipality"] == REGION]
    if regions.empty or "derivation" not in frame:
        return added
    summed = regions.groupby("edition")["derivation"].agg(
        lambda d: d.astype(str).str.endswith(REGION_SUM).all()
    )
    editions = set(summed[summed].index)
    redo = (added["municipality"] == REGION) & added["edition"].isin(editions)
    if not redo.any():
        return added
    keys = ["edition", "year", "age_group"]
    wanted = added.loc[redo, keys]
    everything = pd.concat([frame, added[~redo]], ignore_index=True)
    members = everything[
        (everything["municipality"] != REGION) & everything["edition"].isin(editions)
    ].assign(flag=lambda f: is_interpolated(f))
    count = members.groupby("edition")["municipality"].nunique()
    sums = members.groupby(keys, observed=True).agg(
        population=("population", "sum"), flag=("flag", "any"), n=("municipality", "nunique")
    )
    rows = wanted.merge(sums.reset_index(), on=keys, how="inner")
    rows = rows[rows["n"].to_numpy() == count.reindex(rows["edition"]).to_numpy()]
    rebuilt = added[redo].merge(
        rows[[*keys, "population", "flag"]], on=keys, how="left", suffixes=("", "_sum")
    )
    found = rebuilt["population_sum"].notna()  # a 圏域 without all its municipalities here
    rebuilt.loc[found, "population"] = rebuilt.loc[found, "population_sum"]  # stays as it was
    rebuilt.loc[found, "derivation"] = region_derivation(
        rebuilt.loc[found, "flag"].to_numpy(dtype=bool)
    )
    rebuilt = rebuilt.drop(columns=["population_sum", "flag"])
    return pd.concat([added[~redo], rebuilt], ignore_index=True)


def with_years(
    frame: pd.DataFrame, years: Iterable[int], method: Method = "linear"
) -> pd.DataFrame:
    """``frame`` plus interpolated rows for any of ``years`` a series does not publish.

    Unlike :func:`interpolate`, a series whose published range does not cover a
    year simply gets no row for it (e.g. 2045 for an edition that ends in 2040):
    nothing is extrapolated and nothing is refused.
    """
    span = frame.groupby(SERIES)["year"].agg(["min", "max"])
    extras = []
    for year in sorted(set(int(y) for y in years)):
        covered = span[(span["min"] <= year) & (year <= span["max"])].index
        inside = frame.set_index(SERIES).index.isin(covered)
        if not inside.any():
            continue
        rows = interpolate(frame[inside], [year], method)
        extras.append(rows[rows["derived"].astype(bool)])
    if not extras:
        return frame.sort_values([*SERIES, "year"]).reset_index(drop=True)
    extra = pd.concat(extras, ignore_index=True)
    extra = extra.merge(frame[[*SERIES, "year"]], on=[*SERIES, "year"], how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    extra = _summed_regions(frame, extra)
    combined = pd.concat([frame, extra], ignore_index=True)
    combined["derived"] = combined["derived"].astype(bool)
    return combined.sort_values([*SERIES, "year"]).reset_index(drop=True)


def compare(frame: pd.DataFrame, baseline: str, alternative: str) -> pd.DataFrame:
    """The gap and ratio between two editions on their common rows.

    ``gap`` = alternative − baseline (人); ``ratio`` = alternative ÷ baseline
    (影響度 when baseline is the 社人研推計 and alternative the 人口ビジョン).
    """
    keys = ["municipality", "year", "age_group"]
    flagged = frame.assign(interpolated=is_interpolated(frame))
    columns = [*keys, "population", "derived", "interpolated"]
    left = flagged.loc[flagged["edition"] == baseline, columns]
    right = flagged.loc[flagged["edition"] == alternative, columns]
    merged = left.merge(right, on=keys, suffixes=("_baseline", "_alternative"))
    merged["gap"] = merged["population_alternative"] - merged["population_baseline"]
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["ratio"] = merged["population_alternative"] / merged["population_baseline"]
    merged["derived"] = merged["derived_baseline"] | merged["derived_alternative"]
    merged["interpolated"] = merged["interpolated_baseline"] | merged["interpolated_alternative"]
    dropped = [
        "derived_baseline",
        "derived_alternative",
        "interpolated_baseline",
        "interpolated_alternative",
    ]
    return merged.drop(columns=dropped).assign(baseline=baseline, alternative=alternative)
