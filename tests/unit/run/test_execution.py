"""The report's contents list, read from the page by an HTML parser."""

from __future__ import annotations

import pytest

from analysis.run import execution, interrupts
from analysis.run.execution import add_table_of_contents

CELL = '<div class="jp-Cell jp-MarkdownCell">'

TITLE = f'<main>{CELL}<h1 id="t">報告書<a class="anchor-link" href="#t">¶</a></h1></div>'


def contents(page: str) -> str:
    """The inserted list alone."""
    built = add_table_of_contents(page)
    start = built.index('<nav class="report-toc">')
    return built[start : built.index("</nav>", start) + len("</nav>")]


def test_headings_with_nested_tags_entities_and_odd_attributes() -> None:
    page = (
        TITLE + CELL
        + "<h2 data-x='a>b' id=\"%E8%A6%81\" class=\"x\">要点 <em>(R&amp;D <code>&lt;b&gt;</code>)</em>"
        + '<a class="anchor-link" href="#%E8%A6%81">¶<span>hidden</span></a></h2>'
        + "<h2>no id: not listed</h2>"
        + "<h2 id='a&quot;b'>A &#x3042; &nbsp;B\n  C<a class='anchor-link x' href='#'>¶</a></h2></div></main>"
    )  # fmt: skip
    assert contents(page) == (
        '<nav class="report-toc"><h2 class="toc-title">目次</h2><ol>'
        '<li><a href="#%E8%A6%81">要点 (R&amp;D &lt;b&gt;)</a></li>'
        '<li><a href="#a&quot;b">A あ B C</a></li>'  # whitespace, nbsp too, collapsed
        "</ol></nav>"
    )


def test_the_list_goes_between_the_title_cell_and_the_next_cell() -> None:
    page = TITLE + CELL + '<h2 id="s">節<a class="anchor-link" href="#s">¶</a></h2></div></main>'
    built = add_table_of_contents(page)
    assert built.index("</h1></div>") < built.index("report-toc") < built.index(CELL + '<h2 id="s"')
    assert built.replace(contents(page), "") == page


def test_without_a_title_the_list_opens_main_and_without_headings_nothing_changes() -> None:
    page = '<body>\n<main class="m">\n<div class="jp-Cell"><h2 id="s">節</h2></div></main>'
    built = add_table_of_contents(page)
    assert built.startswith('<body>\n<main class="m"><nav class="report-toc">')
    assert add_table_of_contents("<main><p>本文</p></main>") == "<main><p>本文</p></main>"


def test_a_title_inside_text_or_a_comment_is_not_a_title() -> None:
    page = (
        '<main><!-- </h1> <div class="jp-Cell "> --><p>&lt;/h1&gt;</p>'
        '<div class="jp-Cell"><h2 id="s">節</h2></div></main>'
    )
    assert add_table_of_contents(page).startswith('<main><nav class="report-toc">')


def test_no_kernel_starts_once_the_kernels_were_killed() -> None:
    execution.kill_kernels()
    try:
        with pytest.raises(interrupts.Stopped):
            execution.start_kernel(execution.ensure_kernel())
    finally:
        execution.reopen_kernels()
