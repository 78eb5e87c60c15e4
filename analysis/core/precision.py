"""One display precision per quantity, for every report, table and workbook.

A quantity is shown with the same number of decimals wherever it appears, so that one list
never mixes 39.8% and 39.80%: people and money whole, rates in % (高齢化率, 影響度, 増減率,
割合) and their differences in ポイント to two decimals, ratios and indices (展望÷推計, 指数)
to three, the total fertility rate (合計特殊出生率) to two, the child–woman ratio to three.

Three forms of the same rule: :func:`style` for a table's format string (``"{:,.2f}"``),
:func:`text` for a number in a sentence (``"39.80%"``), :func:`excel` for the workbook's
number format (``"0.00"``).
"""

from __future__ import annotations

import math

DECIMALS = {
    "people": 0,
    "yen": 0,
    "percent": 2,
    "points": 2,
    "ratio": 3,
    "index": 3,
    "tfr": 2,
    "cwr": 3,
}
"""Decimals shown for each quantity."""

UNITS = {"people": "人", "yen": "千円", "percent": "%", "points": "ポイント"}
"""The unit written after a number in a sentence (none for ratios, indices and rates of birth)."""


def decimals(quantity: str) -> int:
    """The decimals of ``quantity`` (a key of :data:`DECIMALS`)."""
    return DECIMALS[quantity]


def style(quantity: str, *, signed: bool = False) -> str:
    """A format string for a table cell: ``"{:,.0f}"`` for people, ``"{:+.2f}"`` for a
    signed rate difference."""
    sign = "+" if signed else ""
    grouping = "," if DECIMALS[quantity] == 0 else ""
    return f"{{:{sign}{grouping}.{DECIMALS[quantity]}f}}"


def number(value: float, quantity: str, *, signed: bool = False) -> str:
    """``value`` at the quantity's precision, without its unit (「39.80」, 「+1,234」)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return style(quantity, signed=signed).format(float(value))


def without_sign_of_zero(shown: str) -> str:
    """A formatted number that rounds to zero without its sign (「+0」, 「-0.00」 → 「0」,
    「0.00」): a difference of nothing has no direction."""
    if shown[:1] in "+-" and not any(ch in "123456789" for ch in shown):
        return shown[1:]
    return shown


def text(value: float, quantity: str, *, signed: bool = False) -> str:
    """``value`` at the quantity's precision with its unit, for a sentence
    (「39.80%」, 「1,234人」, 「+0.52ポイント」, 「1.44」)."""
    return number(value, quantity, signed=signed) + UNITS.get(quantity, "")


def excel(quantity: str) -> str:
    """The workbook's number format for ``quantity`` (「#,##0」, 「0.00」, 「0.000」)."""
    places = DECIMALS[quantity]
    if places == 0:
        return "#,##0"
    return "0." + "0" * places


def of_column(column: str, unit: str = "") -> str | None:
    """The quantity of a table column by its name and unit, or None when it is none of them
    (counts, ids, years keep their own formats)."""
    if column in {"ratio", "index"}:
        return "ratio" if column == "ratio" else "index"
    if column == "tfr" or column.startswith("tfr_"):
        return "tfr"
    if column == "cwr":
        return "cwr"
    if unit in {"人", "人／5年", "人／年"} or column in {"gap", "difference_people"}:
        return "people"
    if unit == "千円":
        return "yen"
    if unit == "ポイント" or column.endswith("_points"):
        return "points"
    if unit == "%" or column.endswith("_pct"):
        return "percent"
    return None
