"""The population data the run reports on, from the editions as read: completed, checked,
corrected and, for a partial revision, borrowed.

:func:`analysis.inputs.data.read_population` reads and validates every population input into
:class:`~analysis.inputs.data.PopulationInputs`; :func:`assemble` derives what an edition
leaves out (totals, the 圏域), runs the checks of the published source
(:mod:`analysis.model.checks`), applies the documented corrections, lets a partial revision
borrow from the edition it replaces and interpolates the years it skips.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.findings import Finding, raise_on_errors
from analysis.core.schema import AGE_GROUP_LABELS, AGE_GROUPS, ALL_AGE_GROUPS, REGION, TOTAL
from analysis.inputs.corrections import apply_corrections
from analysis.inputs.data import Edition, PopulationData, PopulationInputs
from analysis.model import checks, cohort
from analysis.model.cohort import derived_by, unstack_age_groups

BORROWED = "以前の版の値"
"""The start of the ``derivation`` of rows taken from the edition a partial one replaces."""


def is_borrowed(frame: pd.DataFrame) -> pd.Series:
    """Rows a partial edition took from the edition it replaces (by their ``derivation``)."""
    return derived_by(frame, BORROWED)


def borrow_missing(
    frame: pd.DataFrame, editions: list[Edition], municipalities: list[str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """A revised edition without some municipality takes that municipality from the edition
    it replaces (a real partial revision: one municipality revises its vision, the other's
    stands), so that the 圏域 can still be summed.

    Borrowed rows are ``derived`` with the derivation 「以前の版の値（…）」 and a note
    names each; a municipality neither edition has stays out. Years and age groups are
    never borrowed: a year the revised edition lacks is interpolated where it lies between
    its years, else left out.
    """
    by_id = {e.edition: e for e in editions}
    parts = [frame]
    notes = []
    for edition in editions:
        old = by_id.get(edition.replaces)
        if old is None:
            continue
        present = set(frame.loc[frame["edition"] == edition.edition, "municipality"])
        if not present:
            continue
        for municipality in municipalities:
            if municipality in present:
                continue
            rows = frame[
                (frame["edition"] == old.edition) & (frame["municipality"] == municipality)
            ]
            if rows.empty:
                continue
            parts.append(
                rows.assign(
                    edition=edition.edition,
                    derived=True,
                    derivation=f"{BORROWED}（{old.short_label}）",
                )
            )
            notes.append(
                Finding(
                    severity="note",
                    file=edition.file,
                    line=None,
                    column="municipality",
                    check="borrowed-municipality",
                    params={
                        "edition": edition.short_label,
                        "municipality": municipality,
                        "old": old.short_label,
                        "edition_id": edition.edition,
                        "years": "",
                        "region": "",
                        "region_en": "",
                    },
                )
            )
    return pd.concat(parts, ignore_index=True), notes


def _years(years: object) -> str:
    return "・".join(str(int(y)) for y in sorted(set(years)))  # type: ignore[call-overload]


def region_sum_errors(
    frame: pd.DataFrame, editions: list[Edition], municipalities: list[str]
) -> list[Finding]:
    """A revised edition's 圏域 rows that are not the sum of the municipalities it ends up
    with (its own rows and those borrowed from the edition it replaces): one error per
    edition, naming the years and the differences.

    Without it a hand-edited file mixes figures silently: 平泉町's rows removed but the 圏域
    rows kept give 一関市 + 平泉町 (borrowed) ≠ 圏域 inside one edition. Only editions that
    replace another are held to it; the transcribed source's own inconsistencies are
    reported as warnings by :mod:`analysis.model.checks` and corrected there.
    """
    findings = []
    revised = {e.edition: e for e in editions if e.replaces}
    rows = frame[frame["edition"].isin(list(revised))]
    # The 圏域 as the file gives it: its rows, and their total where only the groups are given.
    given = ~rows["derived"].astype(bool) | derived_by(rows, "年齢3区分の合計")
    region = rows[(rows["municipality"] == REGION) & given]
    members = rows[rows["municipality"].isin(municipalities)]
    sums = members.groupby(["edition", "year", "age_group"])["population"].agg(["sum", "count"])
    for edition_id, printed in region.groupby("edition", sort=False):
        edition = revised[str(edition_id)]
        joined = printed.join(sums, on=["edition", "year", "age_group"], how="inner")
        joined = joined[joined["count"] == len(municipalities)]
        wrong = joined[joined["population"] != joined["sum"]].sort_values(["year", "age_group"])
        if wrong.empty:
            continue
        own = members[members["edition"] == edition_id]
        borrowed = sorted(set(own.loc[is_borrowed(own), "municipality"]))
        shown = wrong[wrong["age_group"] == TOTAL]
        shown = shown if len(shown) else wrong.drop_duplicates("year")
        mine = own.set_index(["year", "age_group", "municipality"])["population"]
        details = _region_sum_details(shown.head(3), mine, borrowed, municipalities)
        first = wrong.iloc[0]
        line = first.get("input_line")
        findings.append(
            Finding(
                severity="error",
                file=str(first.get("input_file") or edition.file),
                line=None if pd.isna(line) else int(line),
                column="population",
                check="region-sum-mismatch",
                params={
                    "edition": edition.short_label,
                    "years": _years(wrong["year"]),
                    "details": "；".join(details),
                    "borrowed": (f"（{'・'.join(borrowed)}は以前の版の値）" if borrowed else ""),
                    "borrowed_en": (
                        f" ({', '.join(borrowed)} from the replaced edition)" if borrowed else ""
                    ),
                },
            )
        )
    return findings


def _region_sum_details(
    shown: pd.DataFrame, mine: pd.Series, borrowed: list[str], municipalities: list[str]
) -> list[str]:
    """For each 圏域 row ``shown`` (with its members' ``sum``), the sentence 「2020年 総数：
    一関市 …人＋平泉町 …人＝…人、圏域 …人（差 …人）」 from the members' counts ``mine`` (人),
    marking the counts borrowed from the replaced edition."""
    details = []
    for r in shown.itertuples():
        terms = "＋".join(
            f"{m} {mine.loc[(r.year, r.age_group, m)]:,.0f}人"
            + ("（以前の版の値）" if m in borrowed else "")
            for m in municipalities
        )
        gap = int(r.sum - r.population)
        details.append(
            f"{int(r.year)}年 {AGE_GROUP_LABELS.get(str(r.age_group), r.age_group)}：{terms}＝{r.sum:,.0f}人、"
            f"圏域 {r.population:,.0f}人（差 {abs(gap):,}人）"
        )
    return details


def describe_borrowing(
    frame: pd.DataFrame, notes: list[Finding], municipalities: list[str]
) -> list[Finding]:
    """The notes of :func:`borrow_missing` saying exactly what was borrowed (which years)
    and what the 圏域 is in each year: the edition's own printed value (checked against the
    sum by :func:`region_sum_errors`), the sum, or absent."""
    described = []
    for note in notes:
        params = dict(note.params)
        edition = str(params["edition_id"])
        municipality = str(params["municipality"])
        rows = frame[frame["edition"] == edition]
        taken = rows[(rows["municipality"] == municipality) & is_borrowed(rows)]
        region = rows[(rows["municipality"] == REGION) & (rows["age_group"] == TOTAL)]
        summed = region.loc[derived_by(region, "市町の合計"), "year"]
        given = ~region["derived"].astype(bool) | derived_by(region, "年齢3区分の合計")
        printed = region.loc[given, "year"]
        own_years = set(rows.loc[~rows["municipality"].isin([REGION, municipality]), "year"])
        missing = sorted(own_years - set(region["year"]))
        others = "・".join(m for m in municipalities if m != municipality)
        parts, parts_en = [], []
        if len(summed):
            parts.append(
                f"圏域は{others}（{params['edition']}）と{municipality}（以前の版の値）の合計です"
                f"（{_years(summed)}年）"
            )
            parts_en.append(f"the 圏域 is their sum in {_years(summed)}")
        if len(printed):
            parts.append(
                f"圏域は{params['edition']}に書かれた値で、市町の合計と一致します（{_years(printed)}年）"
            )
            parts_en.append(
                f"the 圏域 is the edition's own, equal to the sum, in {_years(printed)}"
            )
        if missing:
            parts.append(
                f"{_years(missing)}年は以前の版に{municipality}の値がないため、圏域を示しません"
            )
            parts_en.append(
                f"no 圏域 in {_years(missing)} (the replaced edition lacks those years)"
            )
        params |= {
            "years": _years(taken["year"]),
            "region": "。".join(parts),
            "region_en": "; ".join(parts_en),
        }
        described.append(
            Finding(
                severity=note.severity,
                file=note.file,
                line=note.line,
                column=note.column,
                check=note.check,
                params=params,
            )
        )
    return described


def fill_missing_years(frame: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """A year missing from an edition's own series (a partial revision that skips 2035 while
    the municipality it borrows has 2035) is interpolated linearly between its nearest years
    (marked 線形補間), so that every year the edition shows has every municipality and the
    圏域 is their sum. Only years on the edition's own grid (its first year plus multiples of
    its step) inside its own range are added; nothing is extrapolated.
    """
    members = frame[frame["municipality"].isin(municipalities)]
    extras = []
    for _, rows in members.groupby("edition", sort=False):
        own = sorted(set(rows.loc[~is_borrowed(rows), "year"]))
        if len(own) < 2:
            continue
        step = int(np.gcd.reduce(np.diff(own)))
        grid = {y for y in set(rows["year"]) | set(own) if own[0] <= y <= own[-1]}
        years = {y for y in grid if (y - own[0]) % step == 0}
        have = rows.groupby(["municipality", "age_group"], observed=True)["year"].agg(set)
        lacking = {year for years_of in have for year in years - years_of}
        if not lacking:
            continue
        added = cohort.with_years(rows, sorted(lacking))
        new = added.merge(rows[[*cohort.SERIES, "year"]], how="left", indicator=True)
        extras.append(new[new["_merge"] == "left_only"].drop(columns="_merge"))
    if not extras:
        return frame
    return pd.concat([frame, *extras], ignore_index=True)


def complete_population(frame: pd.DataFrame, municipalities: list[str]) -> pd.DataFrame:
    """Add what an edition may leave out: totals and the 圏域 (marked ``derived``).

    A total is derived from the three age groups where it is absent; the 圏域 is
    the sum of the municipalities where the edition does not print it and every
    member municipality is present for that year. Rows keep their order; new
    rows come last (sort with :func:`sort_population`).
    """
    keys = ["edition", "municipality", "year"]

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
        interpolated = (
            members.assign(flag=cohort.is_interpolated(members))
            .groupby(["edition", "year", "age_group"], observed=True)["flag"]
            .any()
        )
        region = (
            by_region[wanted]
            .sum(axis=1)
            .rename("population")
            .reset_index()
            .assign(municipality=REGION, derived=True)
        )
        region["derivation"] = cohort.region_derivation(
            interpolated.reindex(pd.MultiIndex.from_frame(region[["edition", "year", "age_group"]]))
            .fillna(False)
            .to_numpy(dtype=bool)
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


def assemble(inputs: PopulationInputs) -> PopulationData:
    """Every edition read, completed, checked against the source's own figures, and corrected.

    Raises :class:`DataError` when a revised edition's 圏域 is not the sum of its
    municipalities; inconsistencies inside the published source come back as warnings in
    ``findings``.
    """
    editions, municipalities = inputs.editions, inputs.registry.names
    findings = list(inputs.findings)
    printed = sort_population(
        complete_population(pd.concat(inputs.frames, ignore_index=True), municipalities),
        municipalities,
    )
    corrected, applied = apply_corrections(printed, inputs.corrections.frame)
    labels = {e.edition: e.short_label for e in editions}
    findings += checks.check_all(
        printed, inputs.corrections, inputs.rates, inputs.facts, municipalities, labels
    )
    findings += checks.check_shared_census(
        printed, editions, inputs.facts.frame, inputs.registry_file
    )
    # A partial revision borrows from the edition it replaces only now: the copies are not
    # checked again, and the corrected frame borrows corrected values.
    raw, borrowed = borrow_missing(printed, editions, municipalities)
    corrected, _ = borrow_missing(corrected, editions, municipalities)
    raise_on_errors(region_sum_errors(corrected, editions, municipalities))
    raw = sort_population(
        complete_population(fill_missing_years(raw, municipalities), municipalities),
        municipalities,
    )
    corrected = sort_population(
        complete_population(fill_missing_years(corrected, municipalities), municipalities),
        municipalities,
    )
    findings += describe_borrowing(corrected, borrowed, municipalities)
    corrected["corrected"] = corrected["corrected"].fillna(False).astype(bool)
    return PopulationData(
        editions, municipalities, raw, corrected, applied, findings, inputs.age_sex
    )
