"""analysis.report.figure_cache: a figure is drawn again whenever anything that draws it
changed, never otherwise, and a broken or unwritable cache only costs time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis.core.paths import ROOT
from analysis.report import figure_cache, figures


@pytest.fixture(autouse=True)
def japanese_font() -> Iterator[None]:
    figures.setup()
    yield
    figures.setup()  # no cache left behind for the next test


def chart(
    values: tuple[float, ...] = (120.0, 118.5, 116.25),
    *,
    label: str = "一関市",
    colour: str = "#1f5fa8",
    title: str = "総人口の推移",
    unit: str = "人",
    width: float = 1.5,
) -> Figure:
    """A small chart with what the report's figures hold: a formatter function with a
    closure, a legend, a title, an annotation, Japanese text."""
    figure, axis = plt.subplots(figsize=(4, 3))
    axis.plot([2020, 2025, 2030], list(values), color=colour, linewidth=width, label=label)
    axis.annotate(
        f"{values[-1]:,.0f}", (2030, values[-1]), xytext=(0, 8), textcoords="offset points"
    )
    # A set in a function's code is a frozenset constant: its order changes between processes.
    axis.yaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: (
                f"{value:,.0f}" if unit in {"", "なし", "-", "—"} else f"{value:,.0f}{unit}"
            )
        )
    )
    figures.year_axis(axis)
    axis.set_title(title)
    axis.legend()
    return figure


def key(figure: Figure, dpi: int = 150) -> str:
    found = figure_cache.content_key(figure, dpi)
    plt.close(figure)
    assert found is not None
    return found


def test_the_same_figure_has_the_same_key() -> None:
    assert key(chart()) == key(chart())


KEY_IN_ANOTHER_PROCESS = """
import sys
import matplotlib
from analysis.report import figure_cache, figures
from tests.unit.report.test_figure_cache import chart
matplotlib.use(sys.argv[1])  # after the import: this module chooses Agg when imported
figures.setup()
print(figure_cache.content_key(chart(), 150))
"""


def test_the_key_is_the_same_in_every_process() -> None:
    """A run's kernels are new processes with their own string hashes and memory addresses
    (matplotlib keys each transform's parents by ``id()``): the key must not see either."""
    keys = {
        subprocess.run(
            # The backend is in the key (rcParams): this process's, whatever an earlier test
            # of this worker chose (a notebook test uses the kernels' inline one).
            [sys.executable, "-c", KEY_IN_ANOTHER_PROCESS, matplotlib.get_backend()],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert keys == {key(chart())}


CHANGES: dict[str, Callable[[], Figure]] = {
    "a value, by one millionth of a person": lambda: chart((120.0, 118.500001, 116.25)),
    "a label": lambda: chart(label="平泉町"),
    "a colour": lambda: chart(colour="#c0504d"),
    "a title": lambda: chart(title="総人口の推移（改訂）"),
    "a line's width": lambda: chart(width=2.0),
    "the value a formatter's closure holds": lambda: chart(unit="千人"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_figure_has_another_key(change: str) -> None:
    assert key(CHANGES[change]()) != key(chart())


def test_matplotlib_settings_and_the_dpi_are_part_of_the_key() -> None:
    before = key(chart())
    with plt.rc_context({"svg.fonttype": "none"}):  # read only when the SVG is written
        assert key(chart()) != before
    assert key(chart(), dpi=110) != before


def test_the_package_source_is_part_of_the_key_and_read_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any module can change a figure (its builders, the layout, a label a formatter reads):
    the source of every one is in the key, and a file edited while a kernel runs (a planner
    exploring with ``%autoreload``) is read again, not remembered."""
    package = tmp_path / "analysis"
    (package / "report").mkdir(parents=True)
    layout = package / "report" / "figures.py"
    layout.write_text("SMALLEST_PRINTED_PT = 7.0\n", encoding="utf-8")
    monkeypatch.setattr(figure_cache, "PACKAGE", package)
    before = key(chart())
    layout.write_text("SMALLEST_PRINTED_PT = 8.0\n", encoding="utf-8")
    os.utime(layout, ns=(1, 1))  # another time stamp, whatever the clock's resolution
    changed = key(chart())
    assert changed != before
    (package / "model.py").write_text("RATE = 1\n", encoding="utf-8")  # a module more
    assert key(chart()) != changed


def test_what_differs_between_two_picklings_of_one_figure_is_not_in_the_key() -> None:
    """Pickling a callback registry hands out its next id, and pyplot numbers a figure by the
    figures open beside it: neither is content."""
    figure = chart()
    first = figure_cache.content_key(figure, 150)
    assert figure_cache.content_key(figure, 150) == first
    plt.close(figure)
    other, _ = plt.subplots()  # open beside it: the next chart is pyplot's figure 2
    assert key(chart()) == first
    plt.close(other)


def test_a_category_axis_is_hashed_without_warnings() -> None:
    """Bars over named categories keep an ``itertools.count``, whose pickling Python 3.12
    deprecates (and 3.14 refuses): written as its text, silently."""
    figure, axis = plt.subplots()
    axis.bar(["2023年度", "2024年度"], [1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = figure_cache.content_key(figure, 150)
    plt.close(figure)
    assert found is not None


def test_a_figure_that_cannot_be_hashed_is_drawn_not_cached(tmp_path: Path) -> None:
    figure = chart()
    figure.lock = threading.Lock()  # type: ignore[attr-defined]  # pickles with no figure
    assert figure_cache.content_key(figure, 150) is None
    figures.setup(cache=tmp_path / "cache")
    png, _ = figures.draw(figure, "chart", tmp_path / "out")
    assert png.is_file()
    assert not (tmp_path / "cache").exists()


def draw_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    """Draw the chart with a cache, then again with layout forbidden: the second comes from
    the cache. Returns both PNGs and the second's alternative text."""
    figures.setup(cache=tmp_path / "cache")
    first, description = figures.draw(chart(), "chart", tmp_path / "first")
    with monkeypatch.context() as patched:

        def forbidden(*_: object) -> None:
            raise AssertionError("drawn again")

        patched.setattr(figures, "enlarge_small_text", forbidden)
        patched.setattr(figures, "save", forbidden)
        second, again = figures.draw(chart(), "chart", tmp_path / "second")
    assert again == description == "総人口の推移"
    return first, second, again


def test_a_figure_drawn_before_is_written_from_the_cache_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, _ = draw_twice(tmp_path, monkeypatch)
    for suffix in (".png", ".svg"):
        assert second.with_suffix(suffix).read_bytes() == first.with_suffix(suffix).read_bytes()
    assert not plt.get_fignums()  # the figure is closed on both ways
    # Without a cache, the same figure is drawn, to the same bytes.
    figures.setup()
    third, _ = figures.draw(chart(), "chart", tmp_path / "third")
    assert third.read_bytes() == first.read_bytes()


def entry(folder: Path) -> str:
    (record,) = folder.glob("*.json")
    return record.stem


@pytest.mark.parametrize(
    "damage",
    ["png altered", "svg removed", "record not json", "record a list", "description a number"],
)
def test_a_damaged_entry_is_drawn_again_and_mended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    figures.setup(cache=tmp_path / "cache")
    first, _ = figures.draw(chart(), "chart", tmp_path / "first")
    cache = tmp_path / "cache"
    name = entry(cache)
    record = cache / f"{name}.json"
    if damage == "png altered":
        (cache / f"{name}.png").write_bytes(first.read_bytes()[:-1] + b"\0")
    elif damage == "svg removed":
        (cache / f"{name}.svg").unlink()
    elif damage == "record not json":
        record.write_text("{", encoding="utf-8")
    elif damage == "record a list":
        record.write_text("[]", encoding="utf-8")
    else:
        data = json.loads(record.read_text(encoding="utf-8"))
        record.write_text(json.dumps({**data, "description": 1}), encoding="utf-8")
    assert figure_cache.lookup(cache, name) is None
    again, description = figures.draw(chart(), "chart", tmp_path / "again")
    assert again.read_bytes() == first.read_bytes()
    assert description == "総人口の推移"
    assert figure_cache.lookup(cache, name) is not None  # mended by the drawing


def test_a_cache_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a file another process holds open cannot be replaced: ``MoveFileEx`` fails
    with ERROR_SHARING_VIOLATION, which Python raises as PermissionError (Microsoft Learn,
    "MoveFileExW"; Python docs, os.replace). Here every write into the cache fails so; the
    figure is still written where the report needs it."""
    cache = tmp_path / "cache"
    real_replace = os.replace

    def held(source: object, target: object, **kwargs: object) -> None:
        if Path(str(target)).parent == cache:
            raise PermissionError(13, "別のプロセスが使用中です", str(target))
        real_replace(source, target, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", held)
    figures.setup(cache=cache)
    png, _ = figures.draw(chart(), "chart", tmp_path / "out")
    assert png.is_file() and png.with_suffix(".svg").is_file()
    assert not list(cache.glob("*.json"))
    assert not list(cache.glob(".*.tmp"))  # no temporary file left behind either


def test_a_cache_in_place_of_a_file_only_costs_time(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder", encoding="utf-8")
    figures.setup(cache=tmp_path / "cache")
    png, _ = figures.draw(chart(), "chart", tmp_path / "out")
    assert png.is_file()
    figure_cache.prune(tmp_path / "cache")  # nothing to prune, and no error


def test_an_unreadable_figure_is_refused_and_not_kept(tmp_path: Path) -> None:
    figures.setup(cache=tmp_path / "cache")
    figure, axis = plt.subplots(figsize=(4, 3))
    axis.plot([0, 1], [0, 1])
    axis.text(0.5, 0.5, "重なる文字")
    axis.text(0.5, 0.5, "重なる文字")
    with pytest.raises(figures.Unreadable, match="重なっています"):
        figures.draw(figure, "overlap", tmp_path / "out")
    plt.close(figure)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_prune_keeps_the_entries_used_last_and_clears_what_a_killed_run_left(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for number in range(5):
        for suffix in (".png", ".svg", ".json"):
            (cache / f"entry{number}{suffix}").write_bytes(b"x")
            os.utime(cache / f"entry{number}{suffix}", (1_000_000 + number, 1_000_000 + number))
    (cache / "orphan.png").write_bytes(b"x")  # its record never written: a killed run
    stale = cache / ".entry9.png.0123.tmp"
    stale.write_bytes(b"x")
    os.utime(stale, (1_000_000, 1_000_000))
    fresh = cache / ".entry8.png.4567.tmp"  # being written by a kernel now
    fresh.write_bytes(b"x")
    os.utime(cache / "entry0.json")  # used by the last run: kept though written first
    figure_cache.prune(cache, keep=2)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [fresh.name, *(f"entry{n}{s}" for n in (0, 4) for s in (".png", ".svg", ".json"))]
    )


SUFFIX = {"value": "人"}


def suffix_of(value: float) -> str:
    return SUFFIX["value"] if value >= 0 else suffix_of(-value)  # calls itself: a cycle


LABELS = {"unit": "人"}

FORMATTERS_READING: dict[str, tuple[Callable[[float, object], str], dict[str, str], str]] = {
    "a global its generator expression reads": (
        lambda v, _: "".join(LABELS[k] for k in ("unit",)),
        LABELS,
        "unit",
    ),
    "a function it calls, and the global that one reads": (
        lambda v, _: f"{v:.0f}{suffix_of(v)}",
        SUFFIX,
        "value",
    ),
}


@pytest.mark.parametrize("reading", FORMATTERS_READING)
def test_what_a_formatter_reads_is_part_of_the_key(
    monkeypatch: pytest.MonkeyPatch, reading: str
) -> None:
    formatter, table, name = FORMATTERS_READING[reading]

    def charted() -> Figure:
        figure = chart()
        figure.axes[0].xaxis.set_major_formatter(FuncFormatter(formatter))
        return figure

    before = key(charted())
    assert key(charted()) == before
    monkeypatch.setitem(table, name, "千人")
    assert key(charted()) != before


@pytest.fixture(scope="module")
def by_age() -> Callable[[str], Figure]:
    """A report figure (the stacked bars of the population notebook) for an area."""
    from analysis.model import cohort, population
    from analysis.run.tables import population_data

    data = population_data()
    structure = cohort.age_structure(data.corrected)
    editions = [
        (population.current_edition(data, "projection").edition, "推計"),
        (population.current_edition(data, "vision").edition, "展望"),
    ]
    return lambda area: figures.population_by_age(structure, area, editions)


def test_a_figure_laid_out_when_drawn_is_the_figure_laid_out_when_built(
    tmp_path: Path, by_age: Callable[[str], Figure]
) -> None:
    """With a cache the layout waits for :func:`figures.draw` (or a direct ``save``): the
    files are the same bytes as when the figure is laid out as it is built."""
    figures.setup()
    built = by_age("一関市")
    assert not getattr(built, "layout_pending", False)
    at_once, _ = figures.draw(built, "by_age", tmp_path / "at_once")
    saved_at_once = figures.save(by_age("一関市"), "by_age", tmp_path / "saved_at_once")
    figures.setup(cache=tmp_path / "cache")
    waiting = by_age("一関市")
    assert getattr(waiting, "layout_pending", False)
    later, _ = figures.draw(waiting, "by_age", tmp_path / "later")
    saved_later = figures.save(by_age("一関市"), "by_age", tmp_path / "saved_later")
    for suffix in (".png", ".svg"):
        assert later.with_suffix(suffix).read_bytes() == at_once.with_suffix(suffix).read_bytes()
        assert (
            saved_later.with_suffix(suffix).read_bytes()
            == saved_at_once.with_suffix(suffix).read_bytes()
        )


def test_a_report_figure_has_the_same_key_whatever_was_drawn_before_it(
    tmp_path: Path, by_age: Callable[[str], Figure]
) -> None:
    """A notebook finds one figure in the cache and draws the next: nothing the drawing of
    one figure leaves behind (a formatter shared between charts keeps the last ticks it
    formatted) may enter another's key, or a run would miss what the previous run drew."""
    from analysis.core.schema import REGION

    figures.setup(cache=tmp_path / "cache")  # as in a run: the layout waits for draw()

    first = key(by_age("一関市"))
    figures.draw(by_age(REGION), "by_age", tmp_path / "out")  # laid out: ticks formatted
    assert key(by_age("一関市")) == first
