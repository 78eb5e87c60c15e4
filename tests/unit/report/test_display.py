"""analysis.report.display: report tables, their printed width, and HTML that keeps user text as text."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.report import display
from analysis.report.display import HALF_WIDTH, character_width, print_width


@pytest.mark.parametrize(
    ("character", "width"),
    [
        ("漢", 1.0), ("あ", 1.0), ("ア", 1.0), ("％", 1.0), ("（", 1.0), ("〜", 1.0), ("・", 1.0),
        ("A", HALF_WIDTH), ("1", HALF_WIDTH), ("ｱ", HALF_WIDTH), ("○", HALF_WIDTH),
        ("\u2e80", 1.0),  # a CJK radical: wide, though below the old 0x2E7F cut
        ("\ue000", HALF_WIDTH),  # private use: ambiguous, though above the old cut
    ],
)  # fmt: skip
def test_a_character_is_wide_when_unicode_says_wide_or_fullwidth(
    character: str, width: float
) -> None:
    assert character_width(character) == width


def test_printed_width_adds_each_column_and_its_padding() -> None:
    frame = pd.DataFrame({"市町": ["一関市", "平泉町"], "population": [111932, 7001]})
    # 市町: 3 full-width; population "111,932": 7 half-width (the header's 10 narrower pieces
    # do not count: headers wrap); one of padding each.
    expected = (3 + 1) + (max(7 * HALF_WIDTH, 10 * HALF_WIDTH) + 1)
    assert print_width(frame, {"population": "{:,.0f}"}) == pytest.approx(expected)


def test_long_text_counts_at_most_the_wrapped_width() -> None:
    frame = pd.DataFrame({"note": ["あ" * 40]})
    assert print_width(frame, {}, wrapped=14) == pytest.approx(14 + 1)
    assert print_width(frame, {}, wrapped=7) == pytest.approx(7 + 1)


def test_a_header_is_as_wide_as_its_longest_piece_between_breaks() -> None:
    frame = pd.DataFrame({"人口（人）・割合": [1]})
    assert print_width(frame, {}) == pytest.approx(2 + 1)  # 人口 / 人 / 割合


def test_a_table_has_japanese_headers_a_content_id_and_escaped_cells() -> None:
    frame = pd.DataFrame({"municipality": ["<b>一関市</b>"], "population": [111932.0]})
    first = display.table(frame, {"population": display.PEOPLE}, caption="人口 & 割合").to_html()
    again = display.table(frame, {"population": display.PEOPLE}, caption="人口 & 割合").to_html()
    other = display.table(frame.assign(population=1.0), {"population": display.PEOPLE}).to_html()
    assert first == again, "the same table gives the same HTML"
    assert first != other
    assert "市町" in first and "人口（人）" in first
    assert "111,932" in first
    assert "&lt;b&gt;一関市&lt;/b&gt;" in first and "<b>" not in first
    assert "人口 &amp; 割合" in first
    assert 'class="report-table' in first  # plus report-whole or report-wide for print


def test_a_wide_table_prints_landscape_and_short_labels_never_wrap() -> None:
    wide = pd.DataFrame({f"列{i}": ["あ" * 14, "い"] for i in range(5)})
    assert 'class="report-table report-wide"' in display.table(wide).to_html()
    short = display.table(pd.DataFrame({"区分": ["達成", "遅れ"], "note": ["あ" * 20] * 2}))
    html = short.to_html()
    assert "white-space: nowrap" in html
    assert "min-width: 9.8em" in html  # 14 characters × 0.7 em


def test_user_text_is_escaped_and_the_projects_markup_kept() -> None:
    text = display.html_text("**太字** <script>", display.strong("a<b"), display.paragraph("&"))
    assert text == "**太字** &lt;script&gt;<strong>a&lt;b</strong><p>&amp;</p>"
    assert isinstance(text, display.Html)


def test_a_heading_carries_the_anchor_link_the_contents_list_reads() -> None:
    assert display.heading(2, "a&b", "節 <1>") == (
        '<h2 id="a&amp;b">節 &lt;1&gt;<a class="anchor-link" href="#a&amp;b">¶</a></h2>'
    )


def test_bullets_escape_each_line_and_keep_what_comes_before() -> None:
    block = display.bullets(["<1>", display.Html("<em>2</em>")], before=display.strong("見出し"))
    assert block.html == "<strong>見出し</strong><ul><li>&lt;1&gt;</li><li><em>2</em></li></ul>"
    assert block._repr_html_() == block.html


def test_marked_rows_are_shaded_and_others_not() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3]})
    styled = display.shade_rows(frame.style, pd.Series([False, True, False]))
    styles = styled._compute().ctx
    assert styles[(1, 0)] == [("background-color", "#d9d9d9")]
    assert (0, 0) not in styles and (2, 0) not in styles


def test_a_difference_that_rounds_to_nothing_has_no_sign() -> None:
    frame = pd.DataFrame(
        {"gap": [0.0, -0.3, 0.4, 12.0, -7.0], "rate": [0.001, -0.004, 0.5, -1.25, 0.0]}
    )
    html = display.table(
        frame, {"gap": display.PEOPLE_SIGNED, "rate": display.POINTS_SIGNED}
    ).to_html()
    cells = re.findall(r'class="data row\d+ col\d+" >([^<]*)<', html)
    assert cells == ["0", "0.00", "0", "0.00", "0", "+0.50", "+12", "-1.25", "-7", "0.00"]
    assert display.unsigned_zero("{:,.0f}")(-0.2) == "0"  # an unsigned style's 「-0」 too
