"""A figure is drawn once: its PNG and SVG are kept by a hash of everything that draws it.

Drawing is most of a run's time (the 33-panel KPI charts take seconds each: the text is
enlarged for print, the labels moved apart and checked, and two files rendered), and a
yearly revision changes few figures: new KPI actuals leave every population chart as it
was. :func:`figures.show` asks here first.

The key is the figure itself, pickled, as it stands before :func:`figures.show` lays it
out: every artist with its data, text, font, colour and size (matplotlib's own pickling,
the same state a figure saved and loaded again keeps). To it are added what draws a
figure but is not part of it: matplotlib's settings (``rcParams``), the backend, the dpi,
the versions of the libraries that render (matplotlib, the font package, numpy, pandas,
Pillow, FreeType, zlib, Python), the fonts matplotlib can fall back on, and the source of
every module of the package (read again when a file changes). What in a figure does not
pickle as it is, or would pickle differently in another process, is written in its place:

- a function of the project, not of a library (a tick formatter's lambda): its module, name,
  bytecode, constants, default arguments, the values its closure holds and of the globals it
  and its comprehensions name (a function it calls, described the same way), so that a
  changed formatter, or one reading a changed value, is a different figure; a library's
  function by its name and the values it was given (closure, defaults);
- matplotlib's transform tree, whose ``_parents`` are keyed by ``id()`` (a memory address,
  different in every process): the parents are kept, in their order, without the ids;
- the figure's pyplot number (which other figures are open), and the next callback id
  that pickling a callback registry hands out: left out;
- a set among a function's constants: sorted (its order follows the process's string
  hashes); a category axis's counter: as its text.

A figure that cannot be hashed this way (an unpicklable artist) is simply drawn. A miss
costs only the drawing; a stale hit would put a wrong figure before the council, so
anything that can change the picture belongs in the key, and an entry is used only when
its files still hash to what was stored.

Entries are ``<key>.png``, ``<key>.svg`` and ``<key>.json`` (the alternative text and the
files' hashes), each written atomically, the JSON last. A cache that cannot be read or
written (a full disk, a file another process holds open on Windows) is passed over: it
only costs time. :func:`prune` keeps the entries used most recently.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import itertools
import json
import os
import pickle
import sys
import time
import types
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from analysis.inputs.io import atomic_path

KEPT_ENTRIES = 200
"""Entries :func:`prune` keeps, the most recently used: about eight runs' worth of
different figures (a run draws about 25, 5–6 MB in all)."""

_RENDERING_DISTRIBUTIONS = ("matplotlib", "matplotlib-fontja", "numpy", "pandas", "pillow")


@dataclass(frozen=True)
class Drawn:
    """A figure as :func:`figures.show` wrote it: both files and its alternative text."""

    png: bytes
    svg: bytes
    description: str


def _constant(value: object) -> object:
    """A code constant as plain data that pickles the same in every process: a nested code
    object as :func:`_code`; a frozenset (``x in {"a", "b"}``) sorted, since the order of a
    set of strings changes with each process's string hashes."""
    if isinstance(value, types.CodeType):
        return _code(value)
    if isinstance(value, frozenset):
        return ("frozenset", sorted(repr(item) for item in value))
    if isinstance(value, tuple):
        return tuple(_constant(item) for item in value)
    return value


def _code(code: types.CodeType) -> tuple[object, ...]:
    """A code object as plain data (code objects do not pickle; their repr holds an address)."""
    return (code.co_code, code.co_names, tuple(_constant(c) for c in code.co_consts))


def _names(code: types.CodeType) -> set[str]:
    """The global names ``code`` reads, those of its comprehensions and generator
    expressions (code objects of their own) included."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


def _named(function: types.FunctionType) -> dict[str, object]:
    """A library's function: its name and the values it was given (closure, defaults)."""
    return {
        "name": f"{function.__module__}.{function.__qualname__}",
        "defaults": function.__defaults__,
        "keyword_defaults": function.__kwdefaults__,
        "closure": tuple(cell.cell_contents for cell in function.__closure__ or ()),
    }


def _function(function: types.FunctionType) -> dict[str, object]:
    """What a function of the project computes with: what :func:`_named` keeps, its code and
    every value it can read. A function it calls is kept as a function (described the same
    way in its turn); a module, a class or a built-in by its name."""
    named_globals = {
        name: f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', name)}"
        if isinstance(value, (types.ModuleType, type, types.BuiltinFunctionType))
        else value
        for name in sorted(_names(function.__code__))
        if name in function.__globals__
        for value in [function.__globals__[name]]
    }
    return {**_named(function), "code": _code(function.__code__), "globals": named_globals}


class _Function:
    """Stands for a function in the content pickle (never built: the pickle is only hashed)."""


def _library_folders() -> tuple[str, ...]:
    import sysconfig

    names = ("stdlib", "platstdlib", "purelib", "platlib")
    # normcase: Windows compares paths without case, and a path may come in either.
    return tuple(os.path.normcase(os.path.join(sysconfig.get_paths()[n], "")) for n in names)


_LIBRARY_FOLDERS = _library_folders()
"""Where the standard library and installed packages are. A function whose code is there is
named in the key (its library's version is in the key too) rather than described by its
code, which would bring the library's internals into the key, some of them different in
each process (the order of a set in a docstring-laden module function)."""


def _own(function: types.FunctionType) -> bool:
    """A function of this project (the package, a notebook's cells), not of a library."""
    return not os.path.normcase(function.__code__.co_filename).startswith(_LIBRARY_FOLDERS)


class _ContentPickler(pickle.Pickler):
    """Pickles a figure into bytes that are the same in every process for the same figure."""

    def __init__(self, file: Any, protocol: int) -> None:
        super().__init__(file, protocol=protocol)
        # Imported here, not with the module: pruning the cache after a run (in a process
        # that draws nothing) must not cost matplotlib's import (≈ 0.4 s).
        from matplotlib.cbook import CallbackRegistry
        from matplotlib.figure import Figure
        from matplotlib.transforms import TransformNode

        self.transform, self.figure = TransformNode, Figure
        self.edited = (TransformNode, Figure, CallbackRegistry)

    def reducer_override(self, obj: Any) -> Any:
        # Both as (class, args, state): memoised before their state, so that cycles (the
        # transform tree's, a function that calls itself) pickle.
        if isinstance(obj, types.FunctionType):
            return (_Function, (), _function(obj) if _own(obj) else _named(obj))
        if isinstance(obj, self.edited):
            state = cast(dict[str, Any], obj.__getstate__())
            if isinstance(obj, self.transform):
                state["_parents"] = list(state["_parents"].values())  # without the id() keys
            elif isinstance(obj, self.figure):
                # pyplot's number for the figure: which other figures happen to be open.
                for name in ("_number", "number", "_restore_to_pylab"):
                    state.pop(name, None)
            else:
                # __getstate__ hands out the next callback id (it advances a counter): not
                # content, and left in, one figure pickled twice would have two keys.
                state["_cid_gen"] = None
            return (copyreg.__newobj__, (type(obj),), state)  # type: ignore[attr-defined]
        if isinstance(obj, itertools.count):  # a category axis's counter (deprecated to pickle)
            return (str, (repr(obj),))
        return NotImplemented


PACKAGE = Path(__file__).resolve().parents[1]
"""The ``analysis`` package: the source of every module is part of every key (the figures'
builders and their layout, and whatever a formatter reads from another module)."""


def _code_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _signature(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """When and how large each file is: a file edited while a kernel runs gives another."""
    found = []
    for path in files:
        stat = path.stat()
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _surroundings(files: list[Path]) -> bytes:
    """What draws a figure besides the figure: libraries, their settings, our code."""
    from importlib import metadata

    from matplotlib import font_manager, ft2font
    from PIL import features

    versions = []
    for name in _RENDERING_DISTRIBUTIONS:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    # The compiled libraries that rasterise and compress, as linked (a build may share them).
    versions += [
        f"freetype={ft2font.__freetype_version__}",
        f"zlib={zlib.ZLIB_RUNTIME_VERSION}",
        f"pillow-zlib={features.version('zlib')}",
    ]
    code = [path.read_bytes() for path in files]
    # The fonts matplotlib can fall back on (japanize() adds its own again at each setup()).
    fonts = sorted({(font.fname, font.name) for font in font_manager.fontManager.ttflist})
    return repr((sys.version, versions, code, fonts)).encode()


_SURROUNDINGS: dict[tuple[tuple[str, int, int], ...], bytes] = {}


def content_key(figure: Figure, dpi: int) -> str | None:
    """The hash of ``figure`` and of everything that draws it at ``dpi``; ``None`` when the
    figure cannot be hashed (it is then drawn, not cached)."""
    import matplotlib

    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a deprecation in a library's pickling is no error
            _ContentPickler(buffer, protocol=5).dump(figure)
    except Exception:  # whatever fails to pickle (or warns, on a later Python) is drawn
        return None
    try:
        files = _code_files()
        signature = _signature(files)
        if signature not in _SURROUNDINGS:  # read again only when a file changed
            _SURROUNDINGS.clear()
            _SURROUNDINGS[signature] = _surroundings(files)
    except OSError:
        return None
    digest = hashlib.sha256(_SURROUNDINGS[signature])
    # The settings, the backend among them, can change between two figures: read each time.
    digest.update(repr(sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())).encode())
    digest.update(repr(dpi).encode())
    digest.update(buffer.getvalue())
    return digest.hexdigest()[:40]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lookup(folder: Path, key: str) -> Drawn | None:
    """The entry ``key`` if it is whole and its files hash as stored; else ``None``."""
    try:
        record = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        png = (folder / f"{key}.png").read_bytes()
        svg = (folder / f"{key}.svg").read_bytes()
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("png") != _sha256(png)
        or record.get("svg") != _sha256(svg)
    ):
        return None
    description = record.get("description")
    if not isinstance(description, str):
        return None
    with contextlib.suppress(OSError):
        os.utime(folder / f"{key}.json")  # used now: kept longest by prune
    return Drawn(png, svg, description)


def store(folder: Path, key: str, drawn: Drawn) -> None:
    """Keep ``drawn`` under ``key``; a cache that cannot be written is passed over."""
    record = {
        "description": drawn.description,
        "png": _sha256(drawn.png),
        "svg": _sha256(drawn.svg),
    }
    try:
        for suffix, data in ((".png", drawn.png), (".svg", drawn.svg)):
            with atomic_path(folder / f"{key}{suffix}") as temporary:
                temporary.write_bytes(data)
        with atomic_path(folder / f"{key}.json") as temporary:  # last: the entry is whole
            temporary.write_bytes(json.dumps(record, ensure_ascii=False).encode("utf-8"))
    except (OSError, ValueError):
        pass


STALE_TEMPORARY_S = 600
"""A temporary file older than this (seconds) was left by a run that was killed."""


def prune(folder: Path, keep: int = KEPT_ENTRIES) -> None:
    """Remove all but the ``keep`` entries used most recently, and the temporary files a
    killed run left (a run calls this once its kernels are stopped)."""
    try:
        present = {path: path.stat().st_mtime for path in folder.iterdir() if path.is_file()}
    except OSError:
        return
    records = sorted((p for p in present if p.suffix == ".json"), key=present.__getitem__)
    kept = {path.stem for path in records[-keep:]} if keep else set()
    now = time.time()
    for path, modified in present.items():
        temporary = path.name.startswith(".")
        if (temporary and now - modified > STALE_TEMPORARY_S) or (
            not temporary and path.stem not in kept
        ):
            with contextlib.suppress(OSError):
                path.unlink()
