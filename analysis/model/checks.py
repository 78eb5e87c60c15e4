"""Consistency checks of the published source: sums, printed rates, prose facts.

These produce *warnings*: the source was flattened from a PDF and is not
perfect, so an inconsistency is reported (where, which numbers, what the other
checks imply) and the run goes on. Each check runs on the data as printed and
again with each correction of ``corrections.csv`` applied; a warning that a
correction removes is marked as resolved by that correction's line, so the
reports can count *problems* (one wrong cell caught by three checks is one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.core import messages, precision
from analysis.core.findings import Finding
from analysis.core.schema import AGE_GROUP_LABELS, AGE_GROUPS, REGION, TOTAL
from analysis.inputs.corrections import apply_corrections
from analysis.inputs.source_figures import Records
from analysis.model import cohort

Key = tuple[str, str, int, str]
Route = tuple[str, dict[str, object], float]
"""An independent way to a count: route code (messages.ROUTE_NAMES), its parameters, value."""


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def _age(age: str) -> str:
    return AGE_GROUP_LABELS.get(age, age)


_CHECKED_COLUMNS = ("edition", "municipality", "year", "age_group", "population")
_WHERE_COLUMNS = ("input_file", "input_line")


def _printed_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The printed counts and where they came from (other columns are not needed to check)."""
    columns = [c for c in (*_CHECKED_COLUMNS, *_WHERE_COLUMNS) if c in frame]
    return frame.loc[~frame["derived"].astype(bool).to_numpy(), columns]


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as printed, one column per age group; a total that is not printed is NaN."""
    wide = cohort.unstack_age_groups(frame, ["edition", "municipality", "year"])
    return wide.reindex(columns=[*AGE_GROUPS, TOTAL])


class _Lines:
    """Where each printed count came from (file, line), looked up only for flagged cells."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._index: pd.DataFrame | None = None

    def __getitem__(self, key: Key) -> tuple[str, int]:
        if self._index is None:  # built on first use: most data has nothing to report
            printed = self._frame.dropna(subset=["input_line"])
            self._index = printed.set_index(["edition", "municipality", "year", "age_group"])[
                ["input_file", "input_line"]
            ]
        row = self._index.loc[key]
        return str(row["input_file"]), int(row["input_line"])


def implied_values(
    wide: pd.DataFrame,
    rates: pd.DataFrame,
    municipalities: list[str],
    keys: list[Key],
) -> dict[Key, list[Route]]:
    """For the given counts, the values the *other* printed numbers imply they should have.

    Three independent routes: the total minus the other age groups; the 圏域
    minus the other municipalities (or the sum of municipalities for 圏域);
    and, for 65+, a printed aging rate times the total. Only the few cells a
    check has flagged are asked about, so this stays cheap on large data.
    """
    aging = rates[rates["measure"] == "aging_rate"].set_index(["edition", "municipality", "year"])
    implied: dict[Key, list[Route]] = {}
    for key in keys:
        edition, municipality, year, age = key
        routes: list[Route] = []
        row_key = (edition, municipality, year)
        if row_key in wide.index:
            row = wide.loc[row_key]
            others = [g for g in AGE_GROUPS if g != age]
            if age in AGE_GROUPS and not row[[TOTAL, *others]].isna().any():
                routes.append(("total-others", {}, float(row[TOTAL] - row[others].sum())))
        if municipality == REGION:
            values = [
                wide.loc[(edition, m, year), age]
                for m in municipalities
                if (edition, m, year) in wide.index
            ]
            if len(values) == len(municipalities) and not np.isnan(values).any():
                routes.append(("sum-municipalities", {}, float(sum(values))))
        elif (edition, REGION, year) in wide.index:
            others_m = [m for m in municipalities if m != municipality]
            values = [
                wide.loc[(edition, m, year), age]
                for m in others_m
                if (edition, m, year) in wide.index
            ]
            region = wide.loc[(edition, REGION, year), age]
            if len(values) == len(others_m) and not np.isnan([region, *values]).any():
                routes.append(("region-others", {}, float(region - sum(values))))
        if age == "65+" and row_key in aging.index and row_key in wide.index:
            printed_rate = float(aging.loc[row_key, "value"])
            total = wide.loc[row_key, TOTAL]
            if not np.isnan(total):
                routes.append(
                    (
                        "aging-rate",
                        {"rate": f"{printed_rate:.2f}"},
                        float(round(printed_rate / 100 * total)),
                    )
                )
        implied[key] = routes
    return implied


def _routes_text(routes: list[Route], language: str) -> str:
    separator = "、" if language == "ja" else "; "
    return separator.join(
        f"{messages.route_name(code, language, **params)} = {_fmt(value)}"
        for code, params, value in routes
    )


def _suspects(
    candidates: list[Key], wide: pd.DataFrame, implied: dict[Key, list[Route]]
) -> tuple[str, str]:
    """Name the cells that at least two other routes agree on, with those routes (ja, en)."""
    notes: dict[str, list[str]] = {"ja": [], "en": []}
    for key in candidates:
        edition, municipality, year, age = key
        actual = wide.loc[(edition, municipality, year), age]
        routes = implied.get(key, [])
        for value in sorted({v for _, _, v in routes}):
            agreeing = [r for r in routes if r[2] == value]
            if len(agreeing) >= 2 and value != actual:
                for language in ("ja", "en"):
                    notes[language].append(
                        messages.render(
                            "implied",
                            {
                                "municipality": municipality,
                                "year": year,
                                "age": _age(age) if language == "ja" else age,
                                "value": _fmt(value),
                                "actual": _fmt(actual),
                                "routes": _routes_text(agreeing, language),
                            },
                            language,
                        )
                    )
    return "".join(notes["ja"]), "".join(notes["en"])


def check_sums(
    frame: pd.DataFrame, rates: pd.DataFrame, municipalities: list[str]
) -> list[Finding]:
    """Age groups must sum to the total; municipalities must sum to the 圏域."""
    printed = _printed_only(frame)
    wide = _wide(printed)
    lines = _Lines(printed)
    return [
        *_age_groups_sum_warnings(wide, lines, rates, municipalities),
        *_municipalities_sum_warnings(printed, wide, lines, rates, municipalities),
    ]


def _age_groups_sum_warnings(
    wide: pd.DataFrame, lines: _Lines, rates: pd.DataFrame, municipalities: list[str]
) -> list[Finding]:
    """A warning per printed total that is not the sum of its three age groups, naming the
    group the printed rates suggest is wrong."""
    findings: list[Finding] = []
    parts = wide.reindex(columns=list(AGE_GROUPS))
    part_sum = parts.sum(axis=1, min_count=len(AGE_GROUPS))
    mismatch = part_sum.notna() & wide[TOTAL].notna() & (part_sum != wide[TOTAL])
    for (edition, municipality, year), row in wide[mismatch].iterrows():
        file, line = lines[(edition, municipality, year, TOTAL)]
        candidates = [(edition, municipality, year, a) for a in AGE_GROUPS]
        implied, implied_en = _suspects(
            candidates, wide, implied_values(wide, rates, municipalities, candidates)
        )
        parts_value = part_sum[(edition, municipality, year)]
        findings.append(
            Finding(
                severity="warning",
                file=file,
                line=line,
                column="population",
                check="age-groups-sum",
                params={
                    "municipality": municipality,
                    "year": year,
                    "terms": " + ".join(_fmt(row[a]) for a in AGE_GROUPS),
                    "parts": _fmt(parts_value),
                    "total": _fmt(row[TOTAL]),
                    "difference": _fmt(parts_value - row[TOTAL]),
                    "implied": implied,
                    "implied_en": implied_en,
                },
            )
        )
    return findings


def _municipalities_sum_warnings(
    printed: pd.DataFrame,
    wide: pd.DataFrame,
    lines: _Lines,
    rates: pd.DataFrame,
    municipalities: list[str],
) -> list[Finding]:
    """A warning per printed 圏域 count that is not the sum of the municipalities' counts,
    naming the municipality the printed rates suggest is wrong."""
    findings: list[Finding] = []
    long = printed[["edition", "municipality", "year", "age_group", "population"]]
    members = long[long["municipality"].isin(municipalities)]
    counts = members.groupby(["edition", "year", "age_group"])["municipality"].nunique()
    sums = members.groupby(["edition", "year", "age_group"])["population"].sum()
    sums = sums[counts == len(municipalities)]
    region = long[long["municipality"] == REGION].set_index(["edition", "year", "age_group"])
    joined = region.join(sums.rename("member_sum"), how="inner")
    for (edition, year, age), row in joined[
        joined["population"] != joined["member_sum"]
    ].iterrows():
        file, line = lines[(edition, REGION, year, age)]
        member_values = [wide.loc[(edition, m, year), age] for m in municipalities]
        candidates = [(edition, m, year, age) for m in municipalities]
        implied, implied_en = _suspects(
            candidates, wide, implied_values(wide, rates, municipalities, candidates)
        )
        findings.append(
            Finding(
                severity="warning",
                file=file,
                line=line,
                column="population",
                check="municipalities-sum",
                params={
                    "year": year,
                    "age": _age(age),
                    "members": "＋".join(municipalities),
                    "terms": " + ".join(_fmt(v) for v in member_values),
                    "parts": _fmt(row["member_sum"]),
                    "region": _fmt(row["population"]),
                    "difference": _fmt(row["member_sum"] - row["population"]),
                    "implied": implied,
                    "implied_en": implied_en,
                },
            )
        )
    return findings


def recompute_printed(frame: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Each printed rate beside the one recomputed from the counts (%, unrounded)."""
    structure = cohort.age_structure(frame).set_index(["edition", "municipality", "year"])
    recomputed = []
    for row in rates.itertuples():
        key = (row.edition, row.municipality, row.year)
        value = np.nan
        if key in structure.index:
            if row.measure == "aging_rate":
                value = structure.loc[key, "aging_rate_pct"]
            elif row.measure == "share":
                value = structure.loc[key, f"share_{row.age_group}_pct"]
            elif row.measure == "change_rate":
                base = (row.edition, row.municipality, int(row.base_year))
                column = "total" if row.age_group == TOTAL else row.age_group
                if base in structure.index:
                    now, then = structure.loc[key, column], structure.loc[base, column]
                    value = (now - then) / then * 100
        recomputed.append(value)
    result = rates.assign(recomputed=recomputed)
    tolerance = 0.5 * 10.0 ** (-result["decimals"].astype(float)) + 1e-9
    result["matches"] = (result["recomputed"] - result["value"]).abs() <= tolerance
    return result


def check_printed_rates(
    frame: pd.DataFrame,
    rates: pd.DataFrame,
    municipalities: list[str],
    file: str,
    labels: dict[str, str],
) -> list[Finding]:
    """Every printed rate must equal the one recomputed from the counts, to its printed digits."""
    findings = []
    result = recompute_printed(frame, rates)
    wide = _wide(_printed_only(frame))
    for row in result[~result["matches"]].itertuples():
        digits = int(row.decimals)
        detail = detail_en = ""
        if row.measure == "aging_rate":
            key = (row.edition, row.municipality, row.year, "65+")
            routes = [
                r
                for r in implied_values(wide, rates, municipalities, [key]).get(key, [])
                if r[0] != "aging-rate"
            ]
            total = wide.loc[key[:3], TOTAL]
            params = {
                "old": _fmt(wide.loc[key[:3], "65+"]),
                "total": _fmt(total),
                "implied_old": _fmt(round(row.value / 100 * total)),
                "routes": f"。他の経路：{_routes_text(routes, 'ja')}" if routes else "",
                "routes_en": f"; other routes give {_routes_text(routes, 'en')}" if routes else "",
            }
            detail = messages.render("printed-aging-detail", params, "ja")
            detail_en = messages.render("printed-aging-detail", params, "en")
        measure, measure_en = messages.MEASURE_NAMES[row.measure]
        findings.append(
            Finding(
                severity="warning",
                file=file,
                line=int(row.file_line),
                column="value",
                check="printed-rate",
                params={
                    "edition": labels.get(row.edition, row.edition),
                    "municipality": row.municipality,
                    "year": row.year,
                    "age": "" if row.measure == "aging_rate" else f" {_age(row.age_group)}",
                    "measure": measure,
                    "measure_en": measure_en,
                    "printed": f"{row.value:.{digits}f}",
                    "recomputed": f"{row.recomputed:.{digits}f}",
                    "source_line": row.source_line,
                    "detail": detail,
                    "detail_en": detail_en,
                },
            )
        )
    return findings


def check_facts(
    frame: pd.DataFrame, facts: pd.DataFrame, file: str, labels: dict[str, str]
) -> list[Finding]:
    """Facts stated in prose (census counts, targets, the 13,000 gap) against the tables."""
    structure = cohort.age_structure(frame).set_index(["edition", "municipality", "year"])
    by_id = facts.set_index("fact")
    findings = []
    for row in facts.itertuples():
        if pd.isna(row.check_edition):
            continue
        key = (row.check_edition, row.municipality, row.year)
        if key not in structure.index:
            continue
        column = "total" if row.quantity == "population" else "aging_rate_pct"
        value = float(structure.loc[key, column])
        label = labels.get(str(row.check_edition), str(row.check_edition))
        what = f"{label}の{row.municipality} {row.year}年"
        if not pd.isna(row.minus_fact):
            other = float(by_id.loc[row.minus_fact, "value"])
            what = f"{what}（{_fmt(value)}）−{by_id.loc[row.minus_fact, 'description']}（{_fmt(other)}）"
            value -= other
        shown = round(value, int(row.rounding))
        if abs(shown - row.value) > 1e-9:
            percent = row.quantity == "aging_rate"
            findings.append(
                Finding(
                    severity="warning",
                    file=file,
                    line=int(row.file_line),
                    column="value",
                    check="prose-fact",
                    params={
                        "description": row.description,
                        "stated": "約" if row.approximate else "",
                        "stated_en": "about " if row.approximate else "",
                        "value": f"{row.value:g}",
                        "unit": "%" if percent else "人",
                        "unit_en": "%" if percent else " people",
                        "source_line": row.source_line,
                        "what": what,
                        "computed": f"{value:,.2f}",
                        "shown": f"{shown:,.{max(int(row.rounding), 0)}f}",
                    },
                )
            )
    return findings


def check_all(
    raw: pd.DataFrame,
    corrections: Records,
    rates: Records,
    facts: Records,
    municipalities: list[str],
    labels: dict[str, str] | None = None,
) -> list[Finding]:
    """Every consistency check, on the data as printed; mark what each correction resolves."""
    labels = labels or {}
    printed = rates.frame[rates.frame["edition"].isin(raw["edition"].unique())]

    def run(frame: pd.DataFrame) -> list[Finding]:
        return (
            check_sums(frame, printed, municipalities)
            + check_printed_rates(frame, printed, municipalities, rates.file, labels)
            + check_facts(frame, facts.frame, facts.file, labels)
        )

    findings = run(raw)
    for _, correction in corrections.frame.iterrows():
        corrected, applied = apply_corrections(raw, corrections.frame.loc[[correction.name]])
        if applied.empty:
            continue
        remaining = {(f.file, f.line, f.check) for f in run(corrected)}
        by = corrections.at(correction.name)
        findings = [
            f.resolved(by)
            if not f.resolved_by and (f.file, f.line, f.check) not in remaining
            else f
            for f in findings
        ]
    return findings


# ---------------------------------------------------------------- editions that share a census


def _edition_census_years(edition: Any, frame: pd.DataFrame) -> tuple[int, ...]:
    """The registry's census years; a supplied projection without them starts from the
    census (IPSS editions do: the base year's column is the census)."""
    if edition.census_years:
        return tuple(edition.census_years)
    years = frame.loc[frame["edition"] == edition.edition, "year"]
    if edition.kind == "projection" and edition.edition.endswith("_supplied") and len(years):
        return (int(years.min()),)
    return ()


def check_shared_census(
    frame: pd.DataFrame, editions: list[Any], facts: pd.DataFrame, file: str
) -> list[Finding]:
    """Values two editions both take from the same census must agree.

    For every pair of editions with a census year in common (``census_years`` in the
    registry), each municipality's printed age groups are compared; a difference is one
    warning per municipality and year naming the numbers, the difference, and what follows:
    the 圏域's aging rate under each, the prose's figure for that year recomputed on the
    later edition's census (``facts``: the prose's facts), and that a revision report's
    difference there is no revision. The warnings name ``file``, the edition registry.
    """
    # Sums this project made (an age × sex edition's broad groups) are compared too: they are
    # the edition's census counts all the same.
    values = frame.set_index(["edition", "municipality", "year", "age_group"])["population"]
    findings: list[Finding] = []
    ordered = list(editions)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            shared = sorted(
                set(_edition_census_years(first, frame)) & set(_edition_census_years(second, frame))
            )
            for year in shared:
                findings += _census_pair(values, first, second, year, facts, file)
    return findings


def _census_pair(
    values: pd.Series, first: Any, second: Any, year: int, facts: pd.DataFrame, file: str
) -> list[Finding]:
    """A warning per municipality whose census counts in ``year`` differ between two editions,
    with what that does to the 圏域's 高齢化率."""
    differing, region = _census_differences(values, first, second, year)
    findings = []
    for municipality, pairs in differing:
        parts = [
            f"{AGE_GROUP_LABELS.get(g, '総数') if g != TOTAL else '総数'} {_fmt(a)}人"
            + (f" → {_fmt(b)}人（{b - a:+,.0f}人）" if a != b else "は同じ")
            for g, a, b in pairs
        ]
        follows = _census_consequences(region, first, second, year, facts)
        findings.append(
            Finding(
                severity="warning",
                file=file,
                line=None,
                column="-",
                check="census-disagreement",
                params={
                    "year": year,
                    "municipality": municipality,
                    "old": first.short_label,
                    "new": second.short_label,
                    "differences": "、".join(parts),
                    "follows": follows,
                    "editions": f"{first.edition} {second.edition}",
                },
            )
        )
    return findings


def _census_differences(
    values: pd.Series, first: Any, second: Any, year: int
) -> tuple[list[tuple[str, list[tuple[str, float, float]]]], dict[str, list[float]]]:
    """The municipalities whose counts differ, each with its (group, first, second) counts
    (人), and per edition the municipalities' summed [65+, total] (人)."""
    groups = [*AGE_GROUPS, TOTAL]
    areas = sorted(
        {m for (e, m, y, _) in values.index if e == first.edition and y == year and m != REGION}
    )
    region: dict[str, list[float]] = {first.edition: [0.0, 0.0], second.edition: [0.0, 0.0]}
    differing = []
    for municipality in areas:
        pairs = []
        for group in groups:
            a = values.get((first.edition, municipality, year, group))
            b = values.get((second.edition, municipality, year, group))
            if a is None or b is None or pd.isna(a) or pd.isna(b):
                continue
            pairs.append((group, float(a), float(b)))
        for group, a, b in pairs:
            slot = {"65+": 0, TOTAL: 1}.get(group)
            if slot is not None:
                region[first.edition][slot] += a
                region[second.edition][slot] += b
        if any(a != b for _, a, b in pairs):
            differing.append((municipality, pairs))
    return differing, region


def _census_consequences(
    region: dict[str, list[float]], first: Any, second: Any, year: int, facts: pd.DataFrame
) -> str:
    """The sentences that follow: the 圏域's 高齢化率 (%) in each edition, a rate the source's
    text states otherwise, and, for a revision, that the difference is not a revision."""
    follows = ""
    old_old, old_total = region[first.edition]
    new_old, new_total = region[second.edition]
    if old_total and new_total:
        old_rate, new_rate = old_old / old_total * 100, new_old / new_total * 100
        follows = (
            f"このため{year}年の圏域の高齢化率は、{first.short_label}では"
            f"{precision.text(old_rate, 'percent')}、{second.short_label}では"
            f"{precision.text(new_rate, 'percent')}（基準年は国勢調査の値）です。"
        )
        stated = facts[
            (facts["year"] == year)
            & (facts["quantity"] == "aging_rate")
            & (facts["municipality"] == REGION)
        ]
        for fact in stated.itertuples():
            if round(new_rate, int(fact.rounding)) != fact.value:
                follows += (
                    f"原資料の本文の「{fact.description} {fact.value:g}%」は、"
                    f"国勢調査の値では{precision.text(new_rate, 'percent')}です。"
                )
    if second.replaces == first.edition or first.replaces == second.edition:
        follows += (
            "新旧比較でのこの年の差は、推計の改訂ではなく、基準とした国勢調査の数値の違いです。"
        )
    return follows
