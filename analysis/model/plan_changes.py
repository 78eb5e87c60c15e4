"""What changed between two plan editions: the committee's 比較表 of initiatives, KPIs and budgets.

Initiatives are matched by name first (a renumbered initiative is the same
initiative), then by number (the same number under a new name is a rename);
what is left is added or removed. KPIs are matched the same way (name, then
number). Budgets are 千円; an initiative absent from an edition has no budget
there (0 千円), so totals and differences never hold a missing value. The editions come
read and validated (:func:`analysis.inputs.kpi_plan.previous` finds the one replaced).
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.kpi_plan import KpiData
from analysis.model.kpi import initiative_labels


def _newer(before: pd.Series | None, after: pd.Series | None) -> pd.Series:
    """The row of a matched pair to show: the new one, else the old (a pair has at least one)."""
    if after is not None:
        return after
    if before is None:
        raise ValueError("a matched pair of plan rows has neither an old nor a new row")
    return before


CONTINUED, ADDED, REMOVED = "継続", "追加", "削除"
RENAMED, MOVED, KPI_CHANGED, BUDGET_CHANGED = "名称変更", "分野の移動", "KPIの変更", "事業費の変更"
MARK = "○"
"""What the 変更 column says on a changed row (the rows printed with 網掛)."""


def _match(
    old: pd.DataFrame, new: pd.DataFrame, name: str, key: str
) -> list[tuple[object | None, object | None]]:
    """Pairs of ``key`` values (old, new): same name first, then same key; else one side only."""
    pairs: list[tuple[object | None, object | None]] = []
    old_left = dict(zip(old[key], old[name], strict=True))
    new_left = dict(zip(new[key], new[name], strict=True))
    by_name = {n: k for k, n in new_left.items()}
    for k, n in list(old_left.items()):
        if n in by_name and by_name[n] in new_left:
            pairs.append((k, by_name[n]))
            del new_left[by_name[n]], old_left[k]
    for k in list(old_left):
        if k in new_left:
            pairs.append((k, k))
            del new_left[k], old_left[k]
    pairs += [(k, None) for k in old_left]
    pairs += [(None, k) for k in new_left]
    return pairs


def _budget_by_year(data: KpiData) -> dict[tuple[int, int], float]:
    return {
        (int(i), int(y)): float(v)
        for i, y, v in zip(
            data.budgets["initiative_id"],
            data.budgets["fiscal_year"],
            data.budgets["budget_thousand_yen"],
            strict=True,
        )
    }


Pair = tuple[object | None, object | None]
"""The (old, new) key of a matched row; None on the side that lacks it."""
Row = dict[str, object]


def compare(old: KpiData, new: KpiData) -> dict[str, pd.DataFrame]:
    """The 比較表 of two editions: ``plan_changes`` (per initiative), ``plan_kpi_changes``
    (per KPI) and ``plan_budget_changes`` (per initiative and fiscal year, then 合計)."""
    kpi_rows, touched = _kpi_changes(old, new)
    initiative_rows, budget_rows = _initiative_changes(old, new, touched)
    initiatives = pd.DataFrame(initiative_rows).astype(
        {"old_initiative_id": "Int64", "new_initiative_id": "Int64"}
    )
    kpis = pd.DataFrame(kpi_rows).astype(
        {"old_target_fiscal_year": "Int64", "new_target_fiscal_year": "Int64"}
    )
    return {
        "plan_changes": initiatives.assign(
            old_edition=old.edition.edition, new_edition=new.edition.edition
        ),
        "plan_kpi_changes": kpis,
        "plan_budget_changes": _with_totals(pd.DataFrame(budget_rows)),
    }


def _kpi_changes(old: KpiData, new: KpiData) -> tuple[list[Row], set[Pair]]:
    """One row per matched KPI, and the (old, new) initiative numbers whose KPIs changed."""
    kpi_rows = []
    kpi_changed_initiatives: set[Pair] = set()
    old_k, new_k = old.kpis.set_index("kpi_id"), new.kpis.set_index("kpi_id")
    for o, n in _match(old.kpis, new.kpis, "kpi_name", "kpi_id"):
        before = old_k.loc[o] if o is not None else None
        after = new_k.loc[n] if n is not None else None
        kind = ADDED if before is None else REMOVED if after is None else CONTINUED
        details = _kpi_details(before, after) if kind == CONTINUED else []
        changed = kind != CONTINUED or bool(details)
        if changed:
            kpi_changed_initiatives.add(
                (
                    int(before["initiative_id"]) if before is not None else None,
                    int(after["initiative_id"]) if after is not None else None,
                )
            )
        kpi_rows.append(_kpi_row((o, n), before, after, kind, details))
    return kpi_rows, kpi_changed_initiatives


def _kpi_details(before: pd.Series, after: pd.Series) -> list[str]:
    """What changed in a continued KPI: its name, its 現状値 or 目標値 (value and 年度)."""
    details = []
    if before["kpi_name"] != after["kpi_name"]:
        details.append("指標名")
    for part, label in (("baseline", "現状値"), ("target", "目標値")):
        b = (before[f"{part}_value"], before[f"{part}_fiscal_year"])
        a = (after[f"{part}_value"], after[f"{part}_fiscal_year"])
        if b != a:
            details.append(f"{label} {b[0]:,g}（{b[1]}年度）→ {a[0]:,g}（{a[1]}年度）")
    return details


def _kpi_row(
    pair: Pair, before: pd.Series | None, after: pd.Series | None, kind: str, details: list[str]
) -> Row:
    """The 比較表 row of one KPI: both editions' baseline, target and 目標年度, and the change."""
    o, n = pair
    shown = _newer(before, after)
    return {
        "old_kpi_id": o or "",
        "new_kpi_id": n or "",
        "kpi_name": shown["kpi_name"],
        "unit": shown["unit"],
        "old_baseline_value": before["baseline_value"] if before is not None else None,
        "old_target_value": before["target_value"] if before is not None else None,
        "old_target_fiscal_year": before["target_fiscal_year"] if before is not None else None,
        "new_baseline_value": after["baseline_value"] if after is not None else None,
        "new_target_value": after["target_value"] if after is not None else None,
        "new_target_fiscal_year": after["target_fiscal_year"] if after is not None else None,
        "plan_change": kind,
        "change_detail": "・".join(details),
        "changed": MARK if kind != CONTINUED or bool(details) else "",
    }


def _initiative_changes(
    old: KpiData, new: KpiData, touched: set[Pair]
) -> tuple[list[Row], list[Row]]:
    """One row per matched initiative, and its budget (千円) in every fiscal year of either
    edition; ``touched`` holds the initiative numbers whose KPIs changed."""
    old_i = old.initiatives.assign(label=initiative_labels(old.initiatives))
    new_i = new.initiatives.assign(label=initiative_labels(new.initiatives))
    old_rows = old_i.set_index("initiative_id")
    new_rows = new_i.set_index("initiative_id")
    old_budget, new_budget = _budget_by_year(old), _budget_by_year(new)
    years = sorted({y for _, y in old_budget} | {y for _, y in new_budget})
    initiative_rows, budget_rows = [], []
    touched_old = {o for o, _ in touched}
    touched_new = {n for _, n in touched}
    for o, n in _match(old_i, new_i, "initiative_name", "initiative_id"):
        before = old_rows.loc[o] if o is not None else None
        after = new_rows.loc[n] if n is not None else None
        by_year: list[tuple[int, float, float]] = []
        for year in years:
            was = old_budget.get((int(str(o)), year), 0.0) if o is not None else 0.0
            now = new_budget.get((int(str(n)), year), 0.0) if n is not None else 0.0
            by_year.append((year, was, now))
        details = []
        if before is not None and after is not None:
            details = _initiative_details(before, after, o in touched_old or n in touched_new)
            if any(was != now for _, was, now in by_year):
                details.append(BUDGET_CHANGED)
        initiative_rows.append(_initiative_row((o, n), before, after, details, by_year))
        budget_rows += _budget_rows(_newer(before, after), by_year)
    return initiative_rows, budget_rows


def _initiative_details(before: pd.Series, after: pd.Series, kpi_changed: bool) -> list[str]:
    """What changed in a continued initiative apart from its budget: name, 分野, its KPIs."""
    details = []
    if before["initiative_name"] != after["initiative_name"]:
        details.append(RENAMED)
    if (before["policy_area"], before["field"]) != (after["policy_area"], after["field"]):
        details.append(MOVED)
    if kpi_changed:
        details.append(KPI_CHANGED)
    return details


def _initiative_row(
    pair: Pair,
    before: pd.Series | None,
    after: pd.Series | None,
    details: list[str],
    by_year: list[tuple[int, float, float]],
) -> Row:
    """The 比較表 row of one initiative: both editions' name and 分野, budget totals (千円)."""
    o, n = pair
    kind = ADDED if before is None else REMOVED if after is None else CONTINUED
    total_before = sum(was for _, was, _ in by_year)
    total_after = sum(now for _, _, now in by_year)
    return {
        "old_initiative_id": o,
        "old_initiative_name": before["label"] if before is not None else "",
        "old_field": before["field"] if before is not None else "",
        "new_initiative_id": n,
        "new_initiative_name": after["label"] if after is not None else "",
        "new_field": after["field"] if after is not None else "",
        "plan_change": kind,
        "change_detail": "・".join(details),
        "old_budget_total_thousand_yen": total_before,
        "new_budget_total_thousand_yen": total_after,
        "budget_change_thousand_yen": total_after - total_before,
        "changed": MARK if kind != CONTINUED or bool(details) else "",
    }


def _budget_rows(shown: pd.Series, by_year: list[tuple[int, float, float]]) -> list[Row]:
    """One row per fiscal year of an initiative's (year, old, new) budgets in 千円."""
    return [
        {
            "initiative_name": str(shown["label"]),
            "field": shown["field"],
            "fiscal_year": year,
            "old_budget_thousand_yen": was,
            "new_budget_thousand_yen": now,
            "budget_change_thousand_yen": now - was,
            "changed": MARK if now != was else "",
        }
        for year, was, now in by_year
    ]


def _with_totals(budgets: pd.DataFrame) -> pd.DataFrame:
    """The budget rows followed by one 合計 row per fiscal year (千円)."""
    totals = budgets.groupby("fiscal_year", as_index=False)[
        ["old_budget_thousand_yen", "new_budget_thousand_yen", "budget_change_thousand_yen"]
    ].sum()
    totals = totals.assign(
        initiative_name="合計",
        field="",
        changed=[MARK if c != 0 else "" for c in totals["budget_change_thousand_yen"]],
    )
    return pd.concat([budgets, totals[budgets.columns]], ignore_index=True)
