"""Figures for council documents: Japanese text that renders, saved reproducibly.

Call :func:`setup` once before drawing. It selects IPAexGothic (shipped by the
matplotlib-fontja package, so no system font is needed), turns a missing-glyph
warning into an error (a tofu box must never reach a report), and fixes what
would otherwise make two runs differ (SVG ids, dates, software versions).
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.core.schema import AGE_GROUP_LABELS, AGE_GROUPS, FIGURE_PATH_KEY, REGION
from analysis.inputs.io import atomic_path
from analysis.report import figure_cache

AGE_COLOURS = {"0-14": "#7fb77e", "15-64": "#5b8cc0", "65+": "#e08a4b"}
EDITION_STYLES = {
    "projection": {"linestyle": "--", "marker": "o"},
    "vision": {"linestyle": "-", "marker": "s"},
}
MUNICIPALITY_COLOURS = ["#1f5fa8", "#c0504d", "#4f9a4f", "#8064a2", "#f79646", "#4bacc6"]


_CACHE: dict[str, Path] = {}
"""The folder of drawn figures (:mod:`analysis.report.figure_cache`), when :func:`setup` got one."""


def setup(cache: str | Path = "") -> None:
    """Japanese font, reproducible output, and missing glyphs as errors.

    ``cache``: a folder where :func:`show` keeps what it drew and finds a figure drawn
    before (a run passes its own; empty, every figure is drawn).
    """
    import matplotlib_fontja

    _CACHE.clear()
    if cache:
        _CACHE["folder"] = Path(cache)

    matplotlib_fontja.japanize()
    warnings.filterwarnings("error", message=r"Glyph .* missing from", category=UserWarning)
    plt.rcParams.update(
        {
            # A fixed title height: matplotlib otherwise measures every axis's tick labels
            # to lift titles clear of top-side labels, which our charts never have (this was
            # about 40% of drawing the 33-panel KPI chart).
            "axes.titley": 1.0,
            # Labels may carry text from input files: "$" must not start mathtext.
            "text.parse_math": False,
            "svg.hashsalt": "ichinoseki-hiraizumi",
            "svg.fonttype": "path",
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 13,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "legend.frameon": False,
        }
    )


def save(figure: Figure, name: str, folder: Path, *, dpi: int = 150) -> Path:
    """Write ``name``.png and ``name``.svg atomically with no dates or versions inside.

    The tight bounding box is measured once and used for both files (``savefig``
    would measure it again for each). Figures laid out by hand (the
    ``fixed_layout`` attribute set) keep their full canvas. PNGs use zlib's
    fastest level: on these flat-colour charts it costs far less time for
    about the same size. Returns the PNG path. The figure is closed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    complete_layout(figure)  # a figure built while a cache was set up and saved directly
    bbox = None
    if not getattr(figure, "fixed_layout", False):
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        bbox = figure.get_tightbbox(renderer).padded(plt.rcParams["savefig.pad_inches"])
    png = folder / f"{name}.png"
    with atomic_path(png) as temporary:
        figure.savefig(
            temporary,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            bbox_inches=bbox,
            pil_kwargs={"compress_level": 1},
        )
    # Through a binary handle: given a path, matplotlib writes SVG in text mode,
    # which is CRLF on Windows; every output has LF on every OS.
    with atomic_path(folder / f"{name}.svg") as temporary, temporary.open("wb") as handle:
        figure.savefig(
            handle,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            bbox_inches=bbox,
        )
    plt.close(figure)
    return png


"""Display metadata naming the saved figure, so the pipeline can list a report's outputs."""


def show(figure: Figure, name: str, folder: Path, *, dpi: int = 150) -> None:
    """Save the figure (PNG and SVG) and display the PNG in the notebook.

    Returns nothing, so that a report cell ending with it shows no path.
    """
    from IPython.display import Image, display

    check_drawn(figure, name)
    png, description = draw(figure, name, folder, dpi=dpi)
    image = Image(filename=str(png))  # type: ignore[no-untyped-call]
    metadata = {
        FIGURE_PATH_KEY: [str(png), str(png.with_suffix(".svg"))],
        "image/png": {"alt": description},
    }
    display(image, metadata=metadata)  # type: ignore[no-untyped-call]


def lay_out(figure: Figure, rect: tuple[float, float, float, float] | None = None) -> None:
    """Fit the panels and their text into the figure (``tight_layout``, within ``rect`` of
    it, which :func:`enlarge_small_text` keeps to): the last step of building a figure.

    With a figure cache (:func:`setup`), the layout waits for :func:`draw`, which does it
    only for a figure the cache does not hold: it measures every text of every panel and
    is the largest part of building a figure (1.7 s of the 4 s the KPI report takes when
    all its figures are in the cache). The figure's content, and so its key in the cache,
    is what it holds before the layout; the layout depends on nothing else."""
    if rect is not None:
        figure.layout_rect = rect  # type: ignore[attr-defined]
    if _CACHE:
        figure.layout_pending = True  # type: ignore[attr-defined]
    else:
        figure.tight_layout(rect=rect)


def complete_layout(figure: Figure) -> None:
    """Do the layout :func:`lay_out` left for later, if it did."""
    if getattr(figure, "layout_pending", False):
        figure.layout_pending = False  # type: ignore[attr-defined]
        figure.tight_layout(rect=getattr(figure, "layout_rect", None))


def draw(figure: Figure, name: str, folder: Path, *, dpi: int = 150) -> tuple[Path, str]:
    """Lay the figure out for print, refuse it if unreadable, and save it (:func:`save`);
    or, when :func:`setup` named a cache that holds this very figure, write what was drawn
    then. Returns the PNG path and the figure's alternative text. The figure is closed."""
    folder.mkdir(parents=True, exist_ok=True)
    cache = _CACHE.get("folder")
    key = figure_cache.content_key(figure, dpi) if cache else None
    drawn = figure_cache.lookup(cache, key) if cache and key else None
    png = folder / f"{name}.png"
    if drawn is None:
        complete_layout(figure)
        enlarge_small_text(figure, dpi)
        separate_labels(figure)
        check_legible(figure, name)
        description = describe(figure)
        save(figure, name, folder, dpi=dpi)
        if cache and key:
            svg = png.with_suffix(".svg")
            drawn = figure_cache.Drawn(png.read_bytes(), svg.read_bytes(), description)
            figure_cache.store(cache, key, drawn)
        return png, description
    plt.close(figure)
    for suffix, data in ((".png", drawn.png), (".svg", drawn.svg)):
        with atomic_path(png.with_suffix(suffix)) as temporary:
            temporary.write_bytes(data)
    return png, drawn.description


class EmptyPanel(ValueError):
    """A figure would show an empty panel or a legend entry with nothing drawn."""


def check_drawn(figure: Figure, name: str) -> None:
    """Refuse a figure a planner would find broken: a visible panel with nothing drawn in
    it, or a labelled line without data (a legend entry for a line that is not there)."""
    for axis in figure.axes:
        if not axis.get_visible() or not axis.axison:
            continue
        drawn = [
            artist
            for artist in (*axis.lines, *axis.patches, *axis.collections, *axis.images)
            if _has_data(artist)
        ]
        if not drawn:
            raise EmptyPanel(f"{name}: 空のパネル「{axis.get_title() or '無題'}」")
        for line in axis.lines:
            label = str(line.get_label())
            if not label.startswith("_") and not _has_data(line):
                raise EmptyPanel(f"{name}: 線のない凡例「{label}」")


PRINT_WIDTH_IN = 180 / 25.4
"""The width a figure prints at most: an A4 portrait page between the reports' 15 mm margins."""
PRINT_HEIGHT_IN = 165 / 25.4
"""The height a figure prints at most (the reports' print style: never taller than a page)."""
SMALLEST_PRINTED_PT = 7.0
"""No text of a figure prints smaller than this (7 pt is the usual floor for print)."""


class Unreadable(ValueError):
    """A figure whose text would print too small or on top of other text."""


def printed_scale(figure: Figure, dpi: int = 150) -> float:
    """How much the figure is scaled when printed: its saved size (the tight box, as
    :func:`save` writes it) shrunk to the page (``PRINT_WIDTH_IN`` × ``PRINT_HEIGHT_IN``);
    a smaller image prints at its own size (one pixel per CSS pixel, 96 to the inch)."""
    if getattr(figure, "fixed_layout", False):
        width, height = figure.get_size_inches()
    else:
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        box = figure.get_tightbbox(renderer).padded(plt.rcParams["savefig.pad_inches"])
        width, height = box.width, box.height
    return float(min(PRINT_WIDTH_IN / width, PRINT_HEIGHT_IN / height, dpi / 96))


def legibility(figure: Figure, dpi: int = 150) -> list[str]:
    """Every text of ``figure`` that prints below ``SMALLEST_PRINTED_PT`` and every pair of
    texts that overlap, measured by matplotlib's renderer at the size the figure prints."""
    figure.draw_without_rendering()  # legends and tick labels are placed when drawn
    scale = printed_scale(figure, dpi)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = _texts(figure)
    problems = []
    boxes = []
    for text in texts:
        size = float(text.get_fontsize()) * scale
        if size < SMALLEST_PRINTED_PT - 0.05:
            problems.append(
                f"「{text.get_text()}」は印刷で{size:.1f}pt（{SMALLEST_PRINTED_PT:g}pt未満）"
            )
        boxes.append(text.get_window_extent(renderer).shrunk(0.97, 0.9))
    for i, first in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            if first.overlaps(boxes[j]):
                problems.append(
                    f"「{texts[i].get_text()}」と「{texts[j].get_text()}」が重なっています"
                )
    return problems


def _texts(figure: Figure) -> list[Text]:
    """The texts of ``figure`` that are drawn: visible, not empty, not in a hidden panel, and
    no tick label outside its axis's limits (matplotlib keeps those but does not draw them)."""
    hidden: set[int] = set()
    for axis in figure.axes:
        if not axis.get_visible():
            hidden.update(id(t) for t in axis.findobj(Text))
            continue
        for labels, limits, index in (
            (axis.get_xticklabels(), axis.get_xlim(), 0),
            (axis.get_yticklabels(), axis.get_ylim(), 1),
        ):
            low, high = sorted(limits)
            hidden.update(
                id(t) for t in labels if not low - 1e-9 <= t.get_position()[index] <= high + 1e-9
            )
    return [
        t
        for t in figure.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]


UNSEEN_PT = 1e-3
"""A change of font size no output shows (a thousandth of a point is 0.35 µm on paper and
moves no pixel of a 150 dpi image)."""


def enlarge_small_text(figure: Figure, dpi: int = 150) -> None:
    """Set every text that would print below ``SMALLEST_PRINTED_PT`` to that size. Larger
    text makes the figure larger and so printed smaller: measured again, five times at most,
    and no more once the next enlargement would be smaller than ``UNSEEN_PT`` (it converges
    geometrically: the last rounds of a 33-panel chart changed sizes by 6e-5 and 8e-7 pt,
    each costing a full layout)."""
    for _ in range(5):
        figure.draw_without_rendering()
        smallest = SMALLEST_PRINTED_PT / printed_scale(figure, dpi) * 1.04
        small = [t for t in _texts(figure) if float(t.get_fontsize()) < smallest - UNSEEN_PT]
        if not small:
            return
        for text in small:
            text.set_fontsize(smallest)
        if not getattr(figure, "fixed_layout", False):  # room between panels for larger text
            figure.tight_layout(rect=getattr(figure, "layout_rect", (0, 0, 1, 1)))


LABEL_PLACES: tuple[tuple[int, int, Literal["left", "center", "right"]], ...] = (
    (0, 9, "center"),
    (0, -15, "center"),
    (10, -3, "left"),
    (-10, -3, "right"),
    (10, 8, "left"),
    (-10, 8, "right"),
    (10, -14, "left"),
    (-10, -14, "right"),
    (0, 20, "center"),
    (0, -26, "center"),
    (-14, -26, "right"),
    (14, -26, "left"),
)
"""Offsets (points) and alignments tried, nearest first, for a value label that overlaps
other text: above, below, right, left of its point, then further out."""


def separate_labels(figure: Figure) -> None:
    """Move each value label (text annotated beside its point) that overlaps another text to
    the first place of :data:`LABEL_PLACES` where it overlaps none.

    The figures place labels by rules (the higher series above, the lower below), but which
    labels meet depends on the data: a revised edition or a planner's scenario brings a line
    next to a target's label. Labels that overlap nothing stay where their rule put them; a
    label with no free place is left as it was, for :func:`check_legible` to refuse."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = _texts(figure)

    def clashes(text: Text) -> bool:
        box = text.get_window_extent(renderer).shrunk(0.97, 0.9)
        return any(
            box.overlaps(other.get_window_extent(renderer).shrunk(0.97, 0.9))
            for other in texts
            if other is not text
        )

    for text in texts:
        if not isinstance(text, Annotation) or text.anncoords != "offset points":
            continue
        if not clashes(text):
            continue
        before = (text.xyann, text.get_horizontalalignment(), text.get_verticalalignment())
        for dx, dy, align in LABEL_PLACES:
            text.xyann = (dx, dy)
            text.set_horizontalalignment(align)
            text.set_verticalalignment("baseline")
            if not clashes(text):
                break
        else:
            text.xyann = before[0]
            text.set_horizontalalignment(before[1])
            text.set_verticalalignment(before[2])


def check_legible(figure: Figure, name: str) -> None:
    """Refuse a figure a council member could not read on paper (see :func:`legibility`)."""
    problems = legibility(figure)
    if problems:
        raise Unreadable(f"{name}: " + "；".join(problems[:5]))


def _has_data(artist: object) -> bool:
    if isinstance(artist, Line2D):
        values = np.asarray(artist.get_ydata(), dtype="float64")
        return bool(values.size) and bool(np.isfinite(values).any())
    if isinstance(artist, Rectangle):
        return bool(artist.get_height() or artist.get_width()) and artist.get_visible()
    if isinstance(artist, Collection):
        return bool(np.asarray(artist.get_offsets()).size) or bool(artist.get_paths())
    return True


def describe(figure: Figure) -> str:
    """The figure's title (or its panels' titles) as alternative text."""
    title = figure._suptitle.get_text() if figure._suptitle is not None else ""  # type: ignore[attr-defined]
    panels = [a.get_title() for a in figure.axes if a.get_title()]
    return title or "、".join(panels[:3]) or "図"


def _people() -> FuncFormatter:
    """Whole people with thousands separators. A new formatter for each axis: matplotlib
    keeps in a formatter the axis it serves and the last ticks it formatted, so one shared by
    every chart would carry one chart's state into the next (and into its key in the figure
    cache, :mod:`analysis.report.figure_cache`)."""
    return FuncFormatter(lambda value, _: f"{value:,.0f}")


def year_axis(axis: Axes) -> None:
    """Years on a time axis as they are spaced, few enough that their labels never touch."""
    axis.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))


def from_zero(axis: Axes) -> None:
    """Quantities (people, rates) on an axis from zero: a fall from 120,000 to 90,000
    must not look like a fall to nothing."""
    top = axis.get_ylim()[1]
    axis.set_ylim(0, top * 1.05 if top > 0 else 1)


EXTENDED_SHADE = "#e6e6e6"


def extended_label(after_year: int) -> str:
    """The legend entry of the shaded 延長 span: 「延長（2050年より後）」."""
    return f"延長（{after_year}年より後）"


def shade_extended(axis: Axes, after_year: int | None, *, legend: bool = True) -> None:
    """Years past ``after_year`` (the edition's own last year) shaded as 延長, behind the data,
    with a legend entry 「延長（2050年より後）」; nothing when ``after_year`` is None or the
    axis ends before it. Call after the data are drawn (the span runs to the axis's end)."""
    if after_year is None:
        return
    left, right = axis.get_xlim()
    if right <= after_year:
        return
    axis.axvspan(
        after_year,
        right,
        color=EXTENDED_SHADE,
        zorder=0,
        label=extended_label(after_year) if legend else "_nolegend_",
    )
    axis.set_xlim(left, right)


def year_tick(
    year: int, *, interpolated: bool = False, extended: bool = False, crowded: bool = False
) -> str:
    """A year's tick label on a bar chart: 「2028年（補間）」, 「2055年（延長）」."""
    mark = "補間" if interpolated else ("延長" if extended else "")
    if not mark:
        return f"{year}年"
    return f"{year}年（{mark}）" if crowded else f"{year}年\n({mark})"


def population_by_age(
    structure: pd.DataFrame,
    municipality: str,
    editions: Sequence[tuple[str, str]],
    extended_after: dict[str, int] | None = None,
) -> Figure:
    """Stacked bars of the three age groups per year, one panel per edition, side by side.

    ``structure`` is :func:`analysis.model.cohort.age_structure` output; ``editions`` are
    (edition id, panel title) pairs. Interpolated years are hatched; years past an edition's
    own last year (``extended_after``: edition id → that year) are labelled 「（延長）」.
    """
    figure, axes = plt.subplots(
        1, len(editions), figsize=(5.2 * len(editions), 4.2), sharey=True, squeeze=False
    )
    for axis, (edition, title) in zip(axes[0], editions, strict=True):
        rows = structure[
            (structure["edition"] == edition) & (structure["municipality"] == municipality)
        ].sort_values("year")
        _age_panel(axis, rows, title, (extended_after or {}).get(edition))
    axes[0][0].set_ylabel("人口（人）")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(
        handles[::-1], labels[::-1], loc="upper center", ncol=3, bbox_to_anchor=(0.5, 1.02)
    )
    figure.suptitle(f"{municipality}の年齢3区分別人口", y=1.08, fontsize=13)
    lay_out(figure)
    return figure


def _age_panel(axis: Axes, rows: pd.DataFrame, title: str, after: int | None) -> None:
    """One edition's panel: the age groups stacked per year (人, interpolated years hatched),
    each total above its bar, years past ``after`` labelled 「（延長）」."""
    positions = range(len(rows))
    _stacked_age_bars(axis, rows)
    crowded = len(rows) > 7  # upright labels would touch: turned to read upwards
    for x, total in zip(positions, rows["total"], strict=True):
        axis.annotate(
            f"{total:,.0f}",
            (x, total),
            ha="center",
            va="bottom",
            fontsize=8,
            rotation=90 if crowded else 0,
            xytext=(0, 2),
            textcoords="offset points",
        )
    axis.set_xticks(list(positions))
    axis.set_xticklabels(
        [
            year_tick(
                int(y),
                interpolated=bool(d),
                crowded=crowded,
                extended=after is not None and y > after,
            )
            for y, d in zip(rows["year"], rows["interpolated"], strict=True)
        ],
        fontsize=8,
        rotation=90 if crowded else 0,
    )
    if crowded:
        axis.set_ylim(top=axis.get_ylim()[1] * 1.15)  # room for the upright totals
    # A long edition name wraps inside its panel (two long names side by side overlapped).
    axis.set_title("\n".join(textwrap.wrap(title, 26)), fontsize=11)
    axis.yaxis.set_major_formatter(_people())
    axis.grid(axis="x", visible=False)


def _stacked_age_bars(axis: Axes, rows: pd.DataFrame) -> None:
    """The three age groups (人) stacked in one bar per year; interpolated years hatched."""
    positions = range(len(rows))
    bottom = pd.Series(0.0, index=rows.index)
    for group in AGE_GROUPS:
        axis.bar(
            positions,
            rows[group],
            bottom=bottom,
            color=AGE_COLOURS[group],
            label=AGE_GROUP_LABELS[group],
            hatch=["//" if d else "" for d in rows["interpolated"]],
            edgecolor="white",
            linewidth=0.5,
        )
        bottom = bottom + rows[group]


def aging_rate_trajectories(
    structure: pd.DataFrame,
    editions: Sequence[tuple[str, str, str]],
    municipalities: Sequence[str],
    extended_after: int | None = None,
) -> Figure:
    """Aging rate (%) per year: one colour per municipality, one line style per edition kind.

    ``editions`` are (edition id, label, kind) triples; years past ``extended_after`` (an
    edition's own last year, when one is extended) are shaded as 延長.
    """
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for colour, municipality in zip(MUNICIPALITY_COLOURS, municipalities, strict=False):
        for edition, label, kind in editions:
            rows = structure[
                (structure["edition"] == edition) & (structure["municipality"] == municipality)
            ].sort_values("year")
            axis.plot(
                rows["year"],
                rows["aging_rate_pct"],
                color=colour,
                label=f"{municipality}（{label}）",
                linewidth=2.2 if municipality == REGION else 1.4,
                **EDITION_STYLES.get(kind, {}),  # type: ignore[arg-type]
            )
    axis.set_ylabel("高齢化率（%）")
    axis.set_xlabel("年")
    axis.set_title("高齢化率（65歳以上人口 ÷ 総人口）の推移")
    from_zero(axis)
    shade_extended(axis, extended_after)
    axis.legend(loc="lower right", ncol=2, fontsize=8)
    lay_out(figure)
    return figure


LABELLED_YEARS = (2020, 2028, 2040)


def projection_vs_vision(
    projection: pd.DataFrame,
    vision: pd.DataFrame,
    targets: pd.DataFrame,
    newer_projection: pd.DataFrame,
    labels: dict[str, str],
    extended_after: int | None = None,
) -> Figure:
    """The source's chart: 社人研推計 vs 人口ビジョン (total, 人), with targets and the newer projection.

    ``projection`` and ``vision`` have ``year, population, derived``; ``targets``
    and ``newer_projection`` have ``year, population, label``; years past
    ``extended_after`` (the vision's edition's own last year) are shaded as 延長.
    """
    figure, axis = plt.subplots(figsize=(8.5, 5))
    for rows, key, colour, style in (
        (projection, "projection", "#7f7f7f", "--"),
        (vision, "vision", "#1f5fa8", "-"),
    ):
        other = (vision if key == "projection" else projection).set_index("year")["population"]
        _edition_line(axis, rows.sort_values("year"), labels[key], colour, style)
        _labelled_years(axis, rows.sort_values("year"), other, colour, above=key == "projection")
    last_target = targets["year"].max()
    _labelled_markers(
        axis,
        targets,
        marker="*",
        size=220,
        colour="#d62728",
        label="目標人口",
        # Below-left of a star inside the period, above the star at the end.
        placement=lambda year: ((-12, -26), "right") if year < last_target else ((0, 14), "center"),
    )
    if len(newer_projection):
        _labelled_markers(
            axis,
            newer_projection,
            marker="D",
            size=60,
            colour="#ff7f0e",
            label=labels.get("newer", "新しい社人研推計"),
            placement=lambda _: ((10, -4), "left"),
        )
    axis.yaxis.set_major_formatter(_people())
    axis.set_ylabel("総人口（人）")
    axis.set_xlabel("年")
    axis.set_xlim(right=axis.get_xlim()[1] + 2.5)  # room for the labels of the last year
    axis.set_title("圏域の推計人口と展望人口の比較")
    from_zero(axis)
    shade_extended(axis, extended_after)
    axis.legend(loc="lower left")
    lay_out(figure)
    return figure


def _edition_line(axis: Axes, rows: pd.DataFrame, label: str, colour: str, style: str) -> None:
    """An edition's total population (人) per year: published values as dots, derived ones
    (interpolated) as open circles."""
    axis.plot(
        rows["year"],
        rows["population"],
        linestyle=style,
        color=colour,
        label=label,
        linewidth=2,
    )
    published = rows[~rows["derived"]]
    derived = rows[rows["derived"]]
    axis.scatter(published["year"], published["population"], color=colour, zorder=3, s=28)
    axis.scatter(
        derived["year"],
        derived["population"],
        facecolor="white",
        edgecolor=colour,
        zorder=4,
        s=48,
        linewidth=1.5,
        label=f"{label}（補間値）" if len(derived) else None,
    )


def _labelled_years(
    axis: Axes, rows: pd.DataFrame, other: pd.Series, colour: str, *, above: bool
) -> None:
    """Write the value (人) of :data:`LABELLED_YEARS` beside the edition's points: above when it
    is higher than ``other`` (the other edition by year), below when lower; ``above`` breaks a tie.
    """
    # Only the years the plan talks about; the table beside the chart has every value.
    labelled = rows[rows["year"].isin(LABELLED_YEARS)]
    last = rows["year"].max()
    for year, value in zip(labelled["year"], labelled["population"], strict=True):
        at_end = year == last
        # The higher series' label above its point, the lower one's below (at the end,
        # where both sit to the right of their points, a little above and below).
        that = float(other.loc[year]) if year in other.index else -np.inf
        higher = value > that or (value == that and above)
        axis.annotate(
            f"{value:,.0f}",
            (year, value),
            textcoords="offset points",
            xytext=(10, 6 if higher else -6) if at_end else ((0, 9) if higher else (0, -15)),
            ha="left" if at_end else "center",
            va="center" if at_end else "baseline",
            fontsize=8,
            color=colour,
        )


def _labelled_markers(
    axis: Axes,
    points: pd.DataFrame,
    *,
    marker: str,
    size: float,
    colour: str,
    label: str,
    placement: Callable[[int], tuple[tuple[int, int], str]],
) -> None:
    """Mark ``points`` (``year, population, label``) and write each label beside its marker.

    ``placement(year)`` gives the label's offset (points) and horizontal alignment.
    """
    axis.scatter(
        points["year"],
        points["population"],
        marker=marker,
        s=size,
        color=colour,
        zorder=5,
        label=label,
    )
    for row in points.itertuples():
        offset, align = placement(row.year)
        axis.annotate(
            row.label,
            (row.year, row.population),
            textcoords="offset points",
            xytext=offset,
            ha=align,
            fontsize=8,
            color=colour,
        )


FIELD_COLOURS = [
    "#1f5fa8",
    "#c0504d",
    "#4f9a4f",
    "#8064a2",
    "#f79646",
    "#4bacc6",
    "#9c6b30",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#e377c2",
]


KPI_PANELS_PER_PAGE = 12
"""Panels per printed page of the KPI chart (3 across, 4 down: readable on A4)."""


def kpi_pages(overview: pd.DataFrame, per_page: int = KPI_PANELS_PER_PAGE) -> list[pd.DataFrame]:
    """The KPIs split into pages of the progress chart, in the plan's order."""
    return [overview.iloc[i : i + per_page] for i in range(0, len(overview), per_page)]


def kpi_progress_grid(
    overview: pd.DataFrame, actuals: pd.DataFrame, columns: int = 3, page: str = ""
) -> Figure:
    """One panel per KPI (a page of :func:`kpi_pages`): the planned path baseline → target and
    the actuals reported, the value axis from zero, the full name of the KPI as title.

    ``overview`` is :func:`analysis.model.kpi.progress` output; ``actuals`` the validated actuals.
    """
    rows = -(-len(overview) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4.2 * columns, 2.9 * rows), squeeze=False, sharex=True
    )
    first = int(overview["baseline_fiscal_year"].min())
    last = int(max(overview["target_fiscal_year"].max(), actuals["fiscal_year"].max()))
    for axis, kpi in zip(axes.flat, overview.itertuples(), strict=False):
        _kpi_panel(axis, kpi, actuals[actuals["kpi_id"] == kpi.kpi_id], (first, last))
    for index, axis in enumerate(axes.flat):
        if index >= len(overview):
            axis.set_visible(False)
        axis.tick_params(axis="x", labelbottom=index + columns >= len(overview))
    handles: dict[str, Artist] = {}
    for axis in axes.flat:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    figure.legend(
        list(handles.values()),
        list(handles),
        loc="upper center",
        ncol=2,
        bbox_to_anchor=(0.5, 0.985),
    )
    figure.suptitle(f"成果指標（KPI）の計画と実績（年度）{page}", y=0.998, fontsize=13)
    lay_out(figure, rect=(0, 0, 1, 0.93))  # the title and the legend above the panels
    return figure


def _kpi_panel(axis: Axes, kpi: Any, reported: pd.DataFrame, years: tuple[int, int]) -> None:
    """One KPI's panel: its planned path and its ``reported`` actuals over the fiscal
    ``years`` (first, last), the value axis from zero in the KPI's unit, its grade."""
    first, last = years
    axis.plot(
        [kpi.baseline_fiscal_year, kpi.target_fiscal_year],
        [kpi.baseline_value, kpi.target_value],
        color="#7f7f7f",
        linestyle="--",
        marker="o",
        markersize=3,
        linewidth=1,
        label="計画（按分）",
    )
    reported = reported.sort_values("fiscal_year")
    highest = max(kpi.baseline_value, kpi.target_value, *reported["value"].tolist())
    if len(reported):
        axis.plot(
            reported["fiscal_year"],
            reported["value"],
            color="#1f5fa8",
            marker="s",
            markersize=4,
            linewidth=1.5,
            label="実績",
        )
    name = textwrap.fill(f"{kpi.kpi_id} {kpi.kpi_name}", 21)
    axis.set_title(name, fontsize=8, loc="left")
    axis.tick_params(labelsize=7)
    axis.set_xticks(range(first, last + 1, 2 if last - first <= 8 else 3))
    axis.set_xlim(first - 0.5, last + 0.5)
    # Quantities from zero: a change from 207 to 210 does not look as steep as one
    # from 13,981 to 121,700.
    axis.set_ylim(0, highest * 1.15 if highest > 0 else 1)
    axis.yaxis.set_major_locator(MaxNLocator(nbins=3))
    axis.set_ylabel(kpi.unit, fontsize=7)
    axis.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}")
    )
    axis.annotate(
        kpi.grade,
        xy=(0.98, 0.05),
        xycoords="axes fraction",
        ha="right",
        fontsize=8,
        color="#c0504d",
    )


def budget_by_field(by_field: pd.DataFrame, order: list[str]) -> Figure:
    """Budget per fiscal year stacked by 政策分野 (千円, like every table)."""
    table = by_field.pivot_table(
        index="fiscal_year", columns="field", values="budget_thousand_yen", aggfunc="sum"
    )
    table = table.reindex(columns=[f for f in order if f in table.columns])
    figure, axis = plt.subplots(figsize=(9, 5))
    bottom = pd.Series(0.0, index=table.index)
    for colour, field in zip(FIELD_COLOURS, table.columns, strict=False):
        axis.bar(
            [f"{y}年度" for y in table.index],
            table[field],
            bottom=bottom,
            label=field,
            color=colour,
        )
        bottom = bottom + table[field]
    for x, total in enumerate(bottom):
        axis.annotate(f"{total:,.0f}", (x, total), ha="center", va="bottom", fontsize=9)
    axis.yaxis.set_major_formatter(_people())
    axis.set_ylabel("事業費（千円）")
    axis.set_title("政策分野別の事業費（連携市町の合計見込額）")
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axis.grid(axis="x", visible=False)
    lay_out(figure)
    return figure


SMALL_BUDGET_SHARE = 0.05
"""Initiatives below this share of the largest one get a panel of their own (a linear axis
shows them at their real size there; on one axis with the largest they would be invisible)."""


def budget_by_initiative(
    totals: pd.DataFrame, years: tuple[int, int] | None = None
) -> list[Figure]:
    """The plan period's budget per initiative (``years``: its first and last fiscal year;
    千円, linear, sorted, every bar labelled), one figure per page: all initiatives, then the
    small ones again on their own scale. Each is shaped to print on a portrait page with 7 pt
    labels (one tall figure of both printed at 3 pt). ``totals`` has label and 千円."""
    period = f"{years[0]}～{years[1]}年度" if years else "計画期間"
    ordered = totals.sort_values("budget_thousand_yen")
    largest = float(ordered["budget_thousand_yen"].max())
    small = ordered[ordered["budget_thousand_yen"] < largest * SMALL_BUDGET_SHARE]
    panels = [(ordered, f"具体的な取組別の事業費（{period}、すべての取組）")]
    if 0 < len(small) < len(ordered):
        panels.append((small, f"最大の取組の{SMALL_BUDGET_SHARE:.0%}未満の取組（目盛を拡大）"))
    made = []
    for rows, title in panels:
        figure, axis = plt.subplots(figsize=(8, 0.22 * len(rows) + 1.3))
        values = rows["budget_thousand_yen"]
        axis.barh(rows["label"], values, color="#5b8cc0")
        for y, value in enumerate(values):
            axis.annotate(
                f"{value:,.0f}",
                (value, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        axis.set_xlim(0, float(values.max()) * 1.22)
        axis.xaxis.set_major_locator(MaxNLocator(nbins=4))
        axis.xaxis.set_major_formatter(_people())
        axis.set_title(title, fontsize=11, loc="left")
        axis.tick_params(axis="y", labelsize=8)
        axis.grid(axis="y", visible=False)
        axis.set_xlabel(f"{period}の事業費合計（千円）")
        lay_out(figure)
        made.append(figure)
    return made


def revision_overlay(
    frame: pd.DataFrame,
    municipality: str,
    old: tuple[str, str],
    new: tuple[str, str],
    extended_after: int | None = None,
) -> Figure:
    """Both editions for one municipality: population by age group (人) and aging rate (%).

    ``old`` and ``new`` are (edition id, label); the old edition is dashed; years past
    ``extended_after`` (the new edition's own last year, when it is extended) shaded as 延長.
    """
    # One above the other: side by side, the legends and the year labels ran together.
    figure, (left, right) = plt.subplots(2, 1, figsize=(8.5, 9.5))
    structure_rows = []
    for (edition, _), style in ((old, "--"), (new, "-")):
        rows = frame[(frame["edition"] == edition) & (frame["municipality"] == municipality)]
        _age_group_lines(left, rows, style)
        structure_rows.append((rows, style))
    for rows, style in structure_rows:
        _aging_rate_line(right, rows, style)
    editions = _edition_entries(old[1], new[1])
    for axis in (left, right):
        shade_extended(axis, extended_after, legend=False)
    if extended_after is not None and left.get_xlim()[1] > extended_after:
        editions.append(Patch(color=EXTENDED_SHADE, label=extended_label(extended_after)))
    groups = [
        Line2D(
            [],
            [],
            color=AGE_COLOURS.get(group, "#333333"),
            marker="o",
            markersize=3,
            label=AGE_GROUP_LABELS[group],
        )
        for group in (*AGE_GROUPS, "total")
    ]
    left.yaxis.set_major_formatter(_people())
    left.set_ylabel("人口（人）")
    from_zero(left)
    left.set_title(f"{municipality}：年齢3区分別人口")
    # Below the panel: inside it, the entries would cover the lines.
    left.legend(
        handles=[*groups, *editions],
        fontsize=8,
        ncol=2,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
    )
    right.set_ylabel("高齢化率（%）")
    from_zero(right)
    right.set_title(f"{municipality}：高齢化率")
    right.legend(handles=editions, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    for axis in (left, right):
        year_axis(axis)
    figure.suptitle(f"{municipality}の新旧比較（破線：旧、実線：新）", fontsize=12, y=1.03)
    lay_out(figure)
    return figure


def _age_group_lines(axis: Axes, rows: pd.DataFrame, style: str) -> None:
    """One edition's population (人) of each age group and in total, per year, in ``style``."""
    for group in (*AGE_GROUPS, "total"):
        series = rows[rows["age_group"] == group].sort_values("year")
        axis.plot(
            series["year"],
            series["population"],
            linestyle=style,
            color=AGE_COLOURS.get(group, "#333333"),
            marker="o",
            markersize=3,
            label="_nolegend_",
        )


def _aging_rate_line(axis: Axes, rows: pd.DataFrame, style: str) -> None:
    """One edition's aging rate (%, 65歳以上 ÷ 総人口) per year, in ``style``."""
    wide = rows.pivot_table(index="year", columns="age_group", values="population", aggfunc="first")
    if "total" not in wide:
        wide["total"] = wide[list(AGE_GROUPS)].sum(axis=1)
    axis.plot(
        wide.index,
        wide["65+"] / wide["total"] * 100,
        linestyle=style,
        color="#c0504d",
        marker="o",
        markersize=3,
        label="_nolegend_",
    )


def _edition_entries(old_label: str, new_label: str) -> list[Artist]:
    """The legend's entries naming each edition once, by its line style (破線 old, 実線 new)."""

    # The legend names each colour once and each edition once (by its line style): eight
    # entries of 「区分（版の名前）」 made the figure taller than a page with long edition names.
    def edition_entry(label: str, style: Literal["--", "-"], kind: str) -> Line2D:
        wrapped = "\n".join(textwrap.wrap(f"{kind}：{label}", 30))
        return Line2D([], [], color="#333333", linestyle=style, label=wrapped)

    return [
        edition_entry(old_label, "--", "破線"),
        edition_entry(new_label, "-", "実線"),
    ]


SCENARIO_COLOURS = {
    "pattern1": "#5b8cc0",
    "sim1": "#4f9a4f",
    "sim2": "#8064a2",
    "settlers": "#e08a4b",
}
SCENARIO_STYLES = {"pattern1": "-", "sim1": "--", "sim2": ":", "settlers": "-."}
_OWN_COLOURS = ("#c0392b", "#2a9d8f", "#b8860b", "#6a5acd", "#8c564b", "#1f77b4", "#7f7f7f")
_OWN_STYLES = ("-", "--", "-.", ":")


def scenario_look(scenario: str, order: Sequence[str] = ()) -> tuple[str, str]:
    """(colour, line style) of a scenario: fixed for the guidance's, by position for the
    planners' own (``order`` lists them), so a scenario looks the same in every figure."""
    if scenario in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[scenario], SCENARIO_STYLES[scenario]
    index = list(order).index(scenario) if scenario in order else 0
    return _OWN_COLOURS[index % len(_OWN_COLOURS)], _OWN_STYLES[index // len(_OWN_COLOURS) % 4]


def _pyramid_axes(axis: Axes, groups: list[str], age_labels: dict[str, str], title: str) -> None:
    """The pyramid's frame: age labels, 男 left and 女 right symmetric about zero (人)."""
    axis.set_yticks(list(range(len(groups))))
    axis.set_yticklabels([age_labels.get(g, g) for g in groups], fontsize=8)
    axis.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    axis.axvline(0, color="#333333", linewidth=0.8)
    limit = max(abs(x) for x in axis.get_xlim())
    axis.set_xlim(-limit * 1.05, limit * 1.05)
    axis.text(0.25, 1.01, "男", transform=axis.transAxes, ha="center", fontsize=12)
    axis.text(0.75, 1.01, "女", transform=axis.transAxes, ha="center", fontsize=12)
    axis.set_xlabel("人口（人）")
    axis.grid(axis="y", visible=False)
    axis.set_title(title, pad=22)


def population_pyramid(
    long: pd.DataFrame,
    area: str,
    base_year: int,
    year: int,
    labels: dict[str, str],
    age_labels: dict[str, str],
    main: str = "pattern1",
) -> Figure:
    """男 left, 女 right: the chosen year of ``main`` as bars, the base year and the other
    scenarios of the chosen year as outlines (人).

    ``long`` is the projection table (scenario, municipality, year, sex, age_group, population).
    """
    order = [s for s in labels if s not in SCENARIO_COLOURS]
    rows = long[long["municipality"] == area]
    groups = list(dict.fromkeys(rows["age_group"]))
    positions = range(len(groups))
    figure, axis = plt.subplots(figsize=(8.5, 6.2))

    def values(scenario: str, at: int, sex: str) -> pd.Series:
        chosen = rows[(rows["scenario"] == scenario) & (rows["year"] == at) & (rows["sex"] == sex)]
        return chosen.set_index("age_group")["population"].reindex(groups)

    for sex, sign in (("male", -1), ("female", 1)):
        named = sex == "male"  # one legend entry for both sides
        axis.barh(
            positions,
            sign * values(main, year, sex).to_numpy(),
            height=0.85,
            color=scenario_look(main, order)[0],
            alpha=0.75 if sex == "male" else 0.55,
            label=f"{labels[main]}（{year}年）" if named else None,
        )
        axis.step(
            sign * values(main, base_year, sex).to_numpy(),
            positions,
            where="mid",
            color="#333333",
            linewidth=1.2,
            label=f"基準年（{base_year}年）" if named else None,
        )
        for scenario in [s for s in labels if s != main]:
            other = values(scenario, year, sex)
            if other.isna().all():
                continue
            colour, style = scenario_look(scenario, order)
            axis.step(
                sign * other.to_numpy(),
                positions,
                where="mid",
                color=colour,
                linestyle=style,
                linewidth=1.6,
                label=f"{labels[scenario]}（{year}年）" if named else None,
            )
    _pyramid_axes(axis, groups, age_labels, f"{area}の人口ピラミッド（{base_year}年と{year}年）")
    _pyramid_legend(figure, axis, labels[main])
    lay_out(figure)
    return figure


def _pyramid_legend(figure: Figure, axis: Axes, main_label: str) -> None:
    """The pyramid's legend below the figure, the main scenario's entries first."""
    handles, names = axis.get_legend_handles_labels()
    first = sorted(range(len(names)), key=lambda i: (not names[i].startswith(main_label), i))
    # Below the figure, its top under the axis label: a planner's long scenario label makes
    # the legend wider and taller, and one anchored by its foot grew over 「人口（人）」.
    figure.legend(
        [handles[i] for i in first],
        [names[i] for i in first],
        loc="upper center",
        ncol=2 if max(len(n) for n in names) <= 24 else 1,
        bbox_to_anchor=(0.5, -0.01),
        fontsize=8,
    )


def scenario_paths(indicators: pd.DataFrame, area: str, labels: dict[str, str]) -> Figure:
    """Total population and the three broad groups per scenario (人)."""
    rows = indicators[indicators["municipality"] == area]
    figure, grid = plt.subplots(2, 2, figsize=(10, 7.6))
    axes = list(grid.flat)
    panels = (("total", "総人口"), *((g, AGE_GROUP_LABELS[g]) for g in AGE_GROUPS))
    for axis, (column, title) in zip(axes, panels, strict=True):
        _scenario_lines(axis, rows, column, labels, list(labels))
        # A long edition name wraps inside its panel (two long names side by side overlapped).
        axis.set_title("\n".join(textwrap.wrap(title, 26)), fontsize=11)
        axis.yaxis.set_major_formatter(_people())
        year_axis(axis)
        axis.set_xlabel("年")
        axis.set_ylabel("人口（人）")
        from_zero(axis)
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(handles, names, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 1.0))
    figure.suptitle(f"{area}の将来人口（シナリオ別）", y=1.0 + 0.03, fontsize=13)
    lay_out(figure, rect=(0, 0, 1, 1 - 0.035 * ((len(names) + 1) // 2)))
    return figure


def _scenario_lines(
    axis: Axes, rows: pd.DataFrame, column: str, labels: dict[str, str], order: Sequence[str]
) -> None:
    """Each scenario's ``column`` per year, in its own colour and style (``order`` lists the
    planners' own scenarios); a scenario without rows is left out."""
    for scenario, label in labels.items():
        series = rows[rows["scenario"] == scenario].sort_values("year")
        if series.empty:
            continue
        colour, style = scenario_look(scenario, order)
        axis.plot(
            series["year"],
            series[column],
            color=colour,
            linestyle=style,
            marker="o",
            markersize=3,
            linewidth=1.8,
            label=label,
        )


def vision_paths(
    indicators: pd.DataFrame,
    area: str,
    labels: dict[str, str],
    last_published: int,
    target: tuple[float, int] | None = None,
) -> Figure:
    """将来展望: total population (人, from zero) and aging rate (%) per scenario to each
    one's horizon; years past ``last_published`` shaded as 延長; the plan's target marked."""
    rows = indicators[indicators["municipality"] == area]
    own = [s for s in labels if s not in SCENARIO_COLOURS]
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    panels = (("total", "総人口（人）", _people()), ("aging_rate_pct", "高齢化率（%）", None))
    last_year = int(rows["year"].max())
    for axis, (column, title, formatter) in zip(axes, panels, strict=True):
        if last_year > last_published:
            axis.axvspan(
                last_published,
                last_year + 2,
                color="#eeeeee",
                zorder=0,
                label=f"延長（{last_published}年より後は最後の期間の率を据え置き）",
            )
        _scenario_lines(axis, rows, column, labels, own)
        if column == "total" and target is not None:
            axis.plot(
                [target[1]],
                [target[0]],
                marker="*",
                markersize=13,
                color="#222222",
                linestyle="none",
                label=f"計画の目標（{target[1]}年 {target[0]:,.0f}人）",
            )
        axis.set_ylim(bottom=0, top=axis.get_ylim()[1] * 1.05)
        axis.set_title(title, fontsize=11)
        axis.set_xlabel("年")
        year_axis(axis)
        if formatter is not None:
            axis.yaxis.set_major_formatter(formatter)
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        names,
        loc="lower center",
        ncol=2,
        bbox_to_anchor=(0.5, -0.02 - 0.045 * ((len(names) + 1) // 2)),
        fontsize=9,
    )
    figure.suptitle(f"{area}の将来展望（シナリオ別）", fontsize=13)
    lay_out(figure)
    return figure


def revision_pyramid(
    table: pd.DataFrame,
    area: str,
    year: int,
    old_label: str,
    new_label: str,
    age_labels: dict[str, str],
) -> Figure:
    """男 left, 女 right: the new edition as bars, the old one as an outline (人), one year.

    ``table`` is :func:`analysis.model.revision.age_sex_differences`.
    """
    rows = table[(table["municipality"] == area) & (table["year"] == year)]
    groups = list(dict.fromkeys(rows["age_group"]))
    positions = range(len(groups))
    figure, axis = plt.subplots(figsize=(8.5, 6.2))
    for sex, sign in (("male", -1), ("female", 1)):
        chosen = rows[rows["sex"] == sex].set_index("age_group").reindex(groups)
        axis.barh(
            positions,
            sign * chosen["new_population"].to_numpy(),
            height=0.85,
            color=SCENARIO_COLOURS["pattern1"],
            alpha=0.75 if sex == "male" else 0.55,
            label=new_label if sex == "male" else None,
        )
        axis.step(
            sign * chosen["old_population"].to_numpy(),
            positions,
            where="mid",
            color="#c0392b",
            linewidth=1.6,
            label=old_label if sex == "male" else None,
        )
    _pyramid_axes(axis, groups, age_labels, f"{area}の人口ピラミッド（{year}年、新旧の版）")
    figure.legend(loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.04), fontsize=9)
    lay_out(figure)
    return figure


ACTUAL_MARKERS = {"国勢調査": ("o", "#000000"), "住民基本台帳": ("^", "#7b3294")}
"""Census and 住民基本台帳 counts drawn apart: they are different counts."""
PATH_COLOURS = ["#1f5fa8", "#7f7f7f", "#ff7f0e", "#2ca02c", "#8c564b"]


def _path_lines(axis: Axes, paths: pd.DataFrame, colours: dict[str, str]) -> None:
    """Each path's population (人) at 1 October of its years: visions solid, projections dashed."""
    for label in colours:
        rows = paths[paths["label"] == label].sort_values("year")
        vision = rows["kind"].iloc[0] == "vision"
        axis.plot(
            rows["year"] + 0.75,
            rows["population"],
            linestyle="-" if vision else "--",
            color=colours[label],
            linewidth=2 if vision else 1.5,
            label=label,
        )


def _actual_points(axis: Axes, actuals: pd.DataFrame) -> None:
    """The actual counts (人) on their dates, one marker per kind of count, each labelled."""
    for kind, (marker, colour) in ACTUAL_MARKERS.items():
        rows = actuals[actuals["kind_label"] == kind]
        if rows.empty:
            continue
        axis.scatter(
            rows["when"],
            rows["population"],
            marker=marker,
            color=colour,
            s=50,
            zorder=5,
            label=f"実績（{kind}）",
        )
        for when, value in zip(rows["when"], rows["population"], strict=True):
            axis.annotate(
                f"{value:,.0f}",
                (when, value),
                textcoords="offset points",
                xytext=(0, -16),
                ha="center",
                fontsize=8,
                color=colour,
            )


def _gap_points(axis: Axes, rows: pd.DataFrame, colour: str) -> None:
    """One path's gaps (実績−推計・展望, 人) by date, each kind of count by its marker, the
    latest gap written beside its point."""
    if rows.empty:
        return
    axis.plot(rows["when"], rows["gap_people"], color=colour, linewidth=1, linestyle=":")
    for kind, (marker, _) in ACTUAL_MARKERS.items():
        points = rows[rows["kind_label"] == kind]
        axis.scatter(
            points["when"],
            points["gap_people"],
            marker=marker,
            color=colour,
            s=40,
            zorder=4,
        )
    last = rows.iloc[-1]
    axis.annotate(
        f"{last['gap_people']:+,.0f}",
        (last["when"], last["gap_people"]),
        textcoords="offset points",
        xytext=(8, 0),
        ha="left",
        va="center",
        fontsize=8,
        color=colour,
    )


def actuals_vs_paths(
    paths: pd.DataFrame,
    actuals: pd.DataFrame,
    gaps: pd.DataFrame,
    targets: pd.DataFrame,
) -> Figure:
    """人口の実績 against the paths (圏域, 人): the totals (top, from zero) and each actual's
    gap to each path on its date (bottom, 実績−推計・展望).

    ``paths``: ``label, kind, year, population`` (``kind`` vision or projection, each year's
    value drawn at 1 October); ``actuals``: ``when, population, kind_label`` (``when`` a
    decimal year); ``gaps``: ``label, when, gap_people, kind_label``; ``targets``:
    ``year, population, label``.
    """
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(8.5, 8), gridspec_kw={"height_ratios": [3, 2]}
    )
    labels = list(dict.fromkeys(paths["label"]))
    colours = {label: PATH_COLOURS[i % len(PATH_COLOURS)] for i, label in enumerate(labels)}
    _path_lines(top, paths, colours)
    _actual_points(top, actuals)
    if len(targets):
        _labelled_markers(
            top,
            targets.assign(year=targets["year"] + 0.75),
            marker="*",
            size=200,
            colour="#d62728",
            label="目標人口",
            placement=lambda _: ((0, 12), "center"),
        )
    top.yaxis.set_major_formatter(_people())
    top.set_ylabel("総人口（人）")
    top.set_title("圏域の人口の実績と推計・展望")
    from_zero(top)
    year_axis(top)
    top.legend(loc="lower left", fontsize=8)
    for label in labels:
        _gap_points(bottom, gaps[gaps["label"] == label].sort_values("when"), colours[label])
    bottom.axhline(0, color="#444444", linewidth=0.8)
    bottom.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:+,.0f}" if round(value) else "0")
    )
    bottom.set_ylabel("実績−推計・展望（人）")
    bottom.set_xlabel("年")
    bottom.set_xlim(top.get_xlim())
    year_axis(bottom)
    bottom.set_title("実績の基準日での差（色は上の図の推計・展望）", fontsize=11)
    lay_out(figure)
    return figure
