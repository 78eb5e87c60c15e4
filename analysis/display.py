"""Tables for the HTML reports: formatted numbers, Japanese headers, stable HTML."""

from __future__ import annotations

import hashlib

import pandas as pd
from pandas.io.formats.style import Styler

from analysis.labels import japanese

PEOPLE = "{:,.0f}"
PERCENT = "{:.2f}"
RATIO = "{:.3f}"


def table(
    frame: pd.DataFrame,
    formats: dict[str, str] | None = None,
    caption: str = "",
) -> Styler:
    """A Styler with Japanese headers, thousands separators, and a fixed id.

    ``formats`` maps *original* column names to format strings. The HTML id is a
    hash of the content, so two runs give identical HTML.
    """
    shown = japanese(frame)
    renamed = dict(zip(frame.columns, shown.columns, strict=True))
    format_map = {renamed[c]: f for c, f in (formats or {}).items() if c in renamed}
    uuid = hashlib.sha1(
        (caption + frame.to_csv(index=False)).encode("utf-8"), usedforsecurity=False
    ).hexdigest()[:10]
    styler = shown.style.set_uuid(uuid).format(format_map, na_rep="–").hide(axis="index")
    text_columns = [
        renamed[c] for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
    ]
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
    if caption:
        styler = styler.set_caption(caption)
    return styler.set_table_attributes('class="report-table"')
