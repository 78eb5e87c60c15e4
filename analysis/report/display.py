"""Tables for the HTML reports: formatted numbers, Japanese headers, stable HTML."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from pandas.io.formats.style import Styler

from analysis.core import precision
from analysis.report.labels import japanese

PEOPLE = precision.style("people")
PERCENT = precision.style("percent")
RATIO = precision.style("ratio")
POINTS_SIGNED = precision.style("points", signed=True)
PERCENT_SIGNED = precision.style("percent", signed=True)
PEOPLE_SIGNED = precision.style("people", signed=True)


def table(
    frame: pd.DataFrame,
    formats: dict[str, str] | None = None,
    caption: str = "",
    one_line: dict[str, int] | None = None,
) -> Styler:
    """A Styler with Japanese headers, thousands separators, and a fixed id.

    ``formats`` maps *original* column names to format strings. The HTML id is a
    hash of the content, so two runs give identical HTML. ``one_line`` maps original text
    columns to the characters they keep on one line when printed (a label repeated on every
    row, such as a scenario's name, that would double each row's height if it wrapped).
    """
    shown = japanese(frame)
    renamed = dict(zip(frame.columns, shown.columns, strict=True))
    format_map = {renamed[c]: f for c, f in (formats or {}).items() if c in renamed}
    styler = _escaped(shown, format_map, _content_id(frame, caption))
    text_columns = [
        renamed[c] for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
    ]
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
    short = [renamed[c] for c in short_text_columns(shown, frame.columns, renamed)]
    long_text = [c for c in text_columns if c not in short]
    wrapped, wide = _print_layout(shown, format_map)
    styler = _readable_widths(styler, shown, long_text, wrapped)
    kept = [(renamed[o], characters) for o, characters in (one_line or {}).items() if o in renamed]
    styler = _one_line_widths(styler, shown, kept)
    if short:
        # Short labels (検査, 区分, 評価, 市町) are never wrapped: a narrow printed column
        # would otherwise stack them one character per line.
        styler = styler.set_properties(subset=short, **{"white-space": "nowrap"})
    if caption:
        styler = styler.set_caption(html.escape(caption))
    classes = "report-table" + (" report-wide" if wide else "")
    if not wide and print_lines(shown, long_text, wrapped) <= WHOLE_LINES:
        classes += " report-whole"  # printed whole on one page (see WHOLE_ROWS)
    return styler.set_table_attributes(f'class="{classes}"')


def _content_id(frame: pd.DataFrame, caption: str) -> str:
    """The table's HTML id: a hash of its caption and content, the same in every run."""
    return hashlib.sha1(
        (caption + frame.to_csv(index=False)).encode("utf-8"), usedforsecurity=False
    ).hexdigest()[:10]


def _escaped(shown: pd.DataFrame, format_map: dict[object, str], uuid: str) -> Styler:
    """The shown frame's Styler: cells formatted by ``format_map``, no index, all text escaped."""
    # Cells may hold text from input files (labels, notes, cell values quoted in
    # findings): escaped, so nothing typed into a file becomes markup or a script.
    return (
        shown.style.set_uuid(uuid)
        .format({c: unsigned_zero(f) for c, f in format_map.items()}, na_rep="–", escape="html")
        .format_index(escape="html", axis=1)
        .hide(axis="index")
    )


def _print_layout(shown: pd.DataFrame, format_map: dict[object, str]) -> tuple[int, bool]:
    """(characters a long text wraps at, whether the table needs a landscape page)."""
    wrapped = WRAPPED_TEXT
    wide = print_width(shown, format_map) > PORTRAIT_WIDTH
    if (
        wide
        and len(shown) <= FEW_ROWS
        and print_width(shown, format_map, NARROW_TEXT) <= PORTRAIT_WIDTH
    ):
        # A table of a row or two on a landscape page of its own leaves the page empty:
        # its long texts wrap narrower instead, so that it prints on the portrait page.
        wrapped, wide = NARROW_TEXT, False
    return wrapped, wide


def _longest_text(shown: pd.DataFrame, column: str) -> int:
    """Characters of the column's longest text; 0 when it has none."""
    longest = shown[column].dropna().astype(str).str.len().max()
    return int(longest) if pd.notna(longest) and longest > 0 else 0


def _readable_widths(
    styler: Styler, shown: pd.DataFrame, long_text: list[str], wrapped: int
) -> Styler:
    """Each long text column keeps a readable printed width (em), up to ``wrapped`` characters."""
    for column in long_text:
        longest = _longest_text(shown, column)
        if longest:
            styler = styler.set_properties(
                subset=[column], **{"min-width": f"{min(longest, wrapped) * 0.7:.1f}em"}
            )
    return styler


def _one_line_widths(styler: Styler, shown: pd.DataFrame, kept: list[tuple[str, int]]) -> Styler:
    """Each (column, characters) of ``kept`` is wide enough (em) to keep up to that many
    characters on one line."""
    for column, characters in kept:
        longest = _longest_text(shown, column)
        if longest:
            styler = styler.set_properties(
                subset=[column], **{"min-width": f"{min(longest, characters) + 0.5:.1f}em"}
            )
    return styler


def unsigned_zero(style: str) -> Callable[[object], str]:
    """A cell formatter that writes ``style`` but shows a number that rounds to zero without a
    sign (「0」, not 「+0」 or 「-0」): a difference of nothing has no direction."""

    def formatted(value: object) -> str:
        return precision.without_sign_of_zero(style.format(value))

    return formatted


PORTRAIT_WIDTH = 63
"""Estimated width (full-width characters, :func:`print_width`) above which a table prints on
a landscape page. Calibrated on the reports' tables printed by Chromium at 6.5 pt on A4
portrait (680 px between the margins): 60.8 measured 665 px (fits), 65.4 measured 730 px
(does not); the browser test checks every table of the reports against the page width."""
WRAPPED_TEXT = 14
"""A long text column is given about this many characters a line when printed."""
NARROW_TEXT = 7
"""The characters a line of a long text column in a short table made to fit portrait."""
WHOLE_LINES = 48
"""A portrait table of at most this many printed lines (:func:`print_lines`; about 80 fit an A4
page at the printed size) is never split: the tail of a split one was left alone on a page
before a landscape page, a page a fifth full. Moved whole to the next page, it leaves the page
before at least about 40% full; a longer one breaks between rows."""


def print_lines(shown: pd.DataFrame, long_text: list[object], wrapped: int = WRAPPED_TEXT) -> int:
    """The printed lines of a table's rows, an estimate (each row as many lines as its longest
    wrapped text needs at ``wrapped`` characters a line; the header counts two)."""
    lines = 2
    for _, row in shown.iterrows():
        longest = max((len(str(row[c])) for c in long_text if pd.notna(row[c])), default=0)
        lines += max(1, -(-longest // wrapped))
    return lines


FEW_ROWS = 1
"""A table of at most this many rows is made to fit portrait rather than printed landscape
(more rows move their heading onto the landscape page with them, see the report template)."""


HALF_WIDTH = 0.55
"""A half-width character's printed width, in full-width characters (the report's font)."""


def character_width(character: str) -> float:
    """Printed width of one character in full-width characters: 1 for Unicode's East Asian
    Wide and Fullwidth characters (kanji, kana, 全角 forms), :data:`HALF_WIDTH` for the others
    (ASCII, half-width ｶﾅ, and the ambiguous ones such as ○ and →, counted narrow as before:
    the estimate only chooses between a portrait and a landscape page)."""
    return 1.0 if unicodedata.east_asian_width(character) in ("W", "F") else HALF_WIDTH


def print_width(
    shown: pd.DataFrame, formats: dict[object, str], wrapped: int = WRAPPED_TEXT
) -> float:
    """The printed width of a table in full-width characters (an estimate: half-width
    characters count one half, each column adds one for its padding)."""

    def width(value: str) -> float:
        return sum(map(character_width, value))

    total = 0.0
    for column in shown.columns:
        header = width(str(column))
        values = shown[column].dropna()
        fmt = formats.get(column, "{}")
        if pd.api.types.is_numeric_dtype(values):
            cells = [width(fmt.format(v)) for v in values] if len(values) else [0.0]
            content = max(cells)
        else:
            content = min(max((width(str(v)) for v in values), default=0.0), wrapped)
        # Headers wrap only between words (word-break: keep-all): their longest piece
        # between spaces and punctuation is as wide as the column can get.
        pieces = [width(piece) for piece in _HEADER_BREAKS.split(str(column)) if piece]
        total += max(content, max(pieces, default=header)) + 1
    return total


_HEADER_BREAKS = re.compile(r"[\s、。，,・/（）()「」]")


SHORT_TEXT = 6
"""Text columns whose longest value has at most this many characters are kept on one line."""


def short_text_columns(
    shown: pd.DataFrame, columns: pd.Index, renamed: dict[object, object]
) -> list[object]:
    """The original names of the text columns whose values are all short."""
    found = []
    for column in columns:
        values = shown[renamed[column]]
        if pd.api.types.is_numeric_dtype(values):
            continue
        lengths = values.dropna().astype(str).str.len()
        if len(lengths) and lengths.max() <= SHORT_TEXT:
            found.append(column)
    return found


class Html(str):
    """Markup the project wrote itself: kept as it is by :func:`html_text` (anything else is escaped)."""


def html_text(*parts: object) -> Html:
    """The parts as HTML: each one escaped unless it is :class:`Html` or a :class:`Block`
    the project wrote.

    Text from an input file or the command line (labels, names, notes, file and
    sheet names) never passes through Markdown in a report: Markdown turns a URL into
    a link, ``**`` into bold and ``\\`` into nothing, whatever is escaped around it.
    Here it is escaped for HTML only, so it reads exactly as typed and is never an
    element, a link or a script.
    """
    return Html("".join(_markup(p) for p in parts))


def _markup(part: object) -> str:
    if isinstance(part, Html):
        return part
    if isinstance(part, Block):
        return part.html
    return html.escape(str(part))


def strong(*parts: object) -> Html:
    """Bold text (user text in it escaped)."""
    return Html(f"<strong>{html_text(*parts)}</strong>")


def heading(level: int, anchor: str, *parts: object) -> Html:
    """A heading with the id ``anchor`` (the project's, never user text) and its anchor link,
    as nbconvert writes Markdown headings, so the contents list picks it up."""
    name = html.escape(anchor)
    link = f'<a class="anchor-link" href="#{name}">¶</a>'
    return Html(f'<h{level} id="{name}">{html_text(*parts)}{link}</h{level}>')


@dataclass(frozen=True)
class Block:
    """A piece of a report for ``display`` (IPython shows it by :meth:`_repr_html_`)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


def paragraph(*parts: object) -> Block:
    """One paragraph for ``display`` (user text in it escaped)."""
    return Block(f"<p>{html_text(*parts)}</p>")


def bullets(lines: Iterable[object], before: object = "") -> Block:
    """A bulleted list for ``display``, each line a string (escaped) or :class:`Html`;
    ``before``: a heading or paragraph above the list."""
    items = "".join(f"<li>{html_text(line)}</li>" for line in lines)
    return Block(f"{html_text(before)}<ul>{items}</ul>")


SHADE = "background-color: #d9d9d9"
"""網掛: the grey of a changed row, as the source's own comparison table prints it."""


def shade_rows(styler: Styler, marked: pd.Series) -> Styler:
    """The rows where ``marked`` is true printed with 網掛 (``marked`` aligned with the rows)."""
    flags = list(marked.astype(bool))

    def row_style(row: pd.Series) -> list[str]:
        return [SHADE if flags[int(row.name)] else ""] * len(row)

    return styler.apply(row_style, axis=1)
