"""Executing report notebooks: the kernel, papermill, and offline HTML without code.

The pipeline (:mod:`analysis.run.pipeline`) decides what to run and where outputs go;
this module only runs one notebook and turns it into a page.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from analysis.core.paths import CACHE, REPORTS, ROOT, TEMPLATES, display_path
from analysis.core.schema import FIGURE_PATH_KEY
from analysis.inputs.io import atomic_open, atomic_path
from analysis.run.interrupts import Stopped, checkpoint

# jsonschema (under nbformat, hence papermill, jupytext and nbconvert) imports the optional
# rfc3987-syntax package when it is installed — jupyterlab's jupyter-events pulls it in — and
# version 1.1 builds a parser at import: about 1 s of CPU on these machines (jsonschema issues
# #1428, #1521). It only adds IRI format checks, which notebook validation never uses, so this
# process does without it. Set before the first import of jsonschema; harmless afterwards.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

KERNEL_NAME = "ichinoseki-hiraizumi"


@dataclass(frozen=True)
class Report:
    """One report notebook and the parameters it is run with."""

    name: str
    notebook: Path
    parameters: dict[str, Any]
    inputs: tuple[Path, ...] = ()

    @property
    def html(self) -> Path:
        return REPORTS / f"{self.name}.html"


# ---------------------------------------------------------------- execution


KERNEL_QUIET = "--IPKernelApp.log_level=ERROR"
"""The kernel's own log (e.g. ipykernel 7's note that it talks over local TCP) is not for planners."""


ENVIRONMENT = Path(sys.prefix)
"""The environment whose ``share/jupyter`` holds the project's kernelspec and JupyterLab settings."""


def _kernel_specs(prefix: Path) -> Any:
    """Jupyter's kernelspec lookup: its usual path for this environment (a user-level spec
    of the same name comes first there), or only ``prefix``'s for another one (the tests')."""
    from jupyter_client.kernelspec import KernelSpecManager

    if prefix == ENVIRONMENT:
        return KernelSpecManager()
    return KernelSpecManager(kernel_dirs=[str(prefix / "share" / "jupyter" / "kernels")])


def ensure_kernel(name: str = KERNEL_NAME, prefix: Path = ENVIRONMENT) -> str:
    """Install (or refresh) a kernelspec that runs *this* interpreter; return its name.

    Never rely on a notebook's stored kernelspec or on whatever ``python3`` points to.
    Frozen standard modules stay on (faster start; only the debugger wants them off).
    Runs of several copies of the project share the environment's kernelspec: the
    install is done under a file lock, so that none reads a half-written one.
    ``prefix``: the environment to install into (another one only in the tests).
    """
    from jupyter_client.kernelspec import NoSuchKernel

    def installed() -> bool:
        try:
            return _is_ours(_kernel_specs(prefix).get_kernel_spec(name).argv)
        except NoSuchKernel:
            return False

    if installed():
        return name
    from filelock import FileLock

    folder = prefix / "share" / "jupyter" / "kernels"
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / f".{name}.lock")):
        if not installed():
            _install_kernel(name, prefix)
    found = _kernel_specs(prefix).get_kernel_spec(name).argv
    if not _is_ours(found):
        # A user-level kernelspec of the same name shadows ours (from another checkout).
        raise RuntimeError(
            f"the Jupyter kernel {name!r} found first runs `{' '.join(found)}`, not the one "
            f"this project installs for {sys.executable}; remove it with "
            f"`jupyter kernelspec remove {name}` and run again"
        )
    return name


def _install_kernel(name: str, prefix: Path) -> None:
    from ipykernel.kernelspec import install

    folder = Path(
        install(
            kernel_name=name,
            display_name="Python (一関・平泉 analysis)",
            prefix=str(prefix),
            frozen_modules=True,
        )
    )
    spec_file = folder / "kernel.json"
    written = json.loads(spec_file.read_text(encoding="utf-8"))
    written["argv"] = [*written["argv"], KERNEL_QUIET]
    with atomic_open(spec_file) as handle:
        json.dump(written, handle, indent=1, ensure_ascii=False)


def _is_ours(argv: list[str]) -> bool:
    return (
        bool(argv)
        and Path(argv[0]).resolve() == Path(sys.executable).resolve()
        and KERNEL_QUIET in argv
        and "-Xfrozen_modules=off" not in argv
    )


def load_notebook(path: Path) -> Any:
    """Read a jupytext percent script as a notebook with stable cell ids."""
    import jupytext

    notebook = jupytext.read(path)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    notebook.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata.pop("jupytext", None)
    return notebook


class NotebookFailed(RuntimeError):
    """A report notebook raised; the message names the notebook, cell and exception."""


class KernelUnresponsive(NotebookFailed):
    """The kernel never answered (it did not start, or died before the first cell)."""


IN_MEMORY_HISTORY = "--HistoryManager.hist_file=:memory:"
"""What nbclient passes to the kernels it starts: no IPython history database on disk."""


_KERNELS_LOCK = threading.Lock()
_KERNELS: list[Any] = []
_KERNELS_CLOSED = False


KERNEL_LOG = CACHE / "kernels.log"
"""Where every kernel's own output goes (e.g. ZMQ's 「Address already in use」 traceback of a
kernel that could not bind its port): kept for whoever investigates, never shown on the console."""

KERNEL_LOG_LIMIT = 1_000_000
"""Bytes: a longer kernel log is started afresh at the next kernel start."""


def open_kernel_log(path: Path = KERNEL_LOG, limit: int = KERNEL_LOG_LIMIT) -> Any:
    """The kernel log opened for appending (emptied first when over ``limit`` bytes); the null
    device when it cannot be written (a log is never a reason for a run to fail)."""
    try:
        too_long = path.stat().st_size > limit
    except OSError:
        too_long = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("wb" if too_long else "ab", buffering=0)
    except OSError:
        return open(os.devnull, "wb", buffering=0)


def start_kernel(kernel: str, log: Path = KERNEL_LOG) -> Any:
    """Launch a kernel process now and return its manager, for :func:`execute` to use later.

    Launching takes a few milliseconds, but the kernel then needs about a second
    of its own to start and import; begun first, that second overlaps the
    pipeline's own imports and validation instead of following them. Every kernel
    is registered, so that :func:`kill_kernels` can end it whatever its thread is
    doing; once that was called, no new kernel starts (:class:`Stopped` instead).
    The kernel's standard output and error go to ``log``.
    """
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    class LaunchedKernel(AsyncKernelManager):
        """Remembers the clients papermill opens, which it leaves open on a kernel it did not start."""

        def client(self, **kwargs: Any) -> Any:
            opened = super().client(**kwargs)
            self.opened_clients = [*getattr(self, "opened_clients", []), opened]
            return opened

    manager = LaunchedKernel(kernel_name=kernel)

    async def launch(log: Any) -> None:
        await manager.start_kernel(
            cwd=str(ROOT), extra_arguments=[IN_MEMORY_HISTORY], stdout=log, stderr=log
        )

    with _KERNELS_LOCK:
        if _KERNELS_CLOSED:
            raise Stopped()
        with open_kernel_log(log) as handle:  # the kernel has its own copy of the handle
            asyncio.run(launch(handle))
        _KERNELS.append(manager)
    return manager


@contextlib.contextmanager
def started_kernel(kernel: str = KERNEL_NAME, log: Path = KERNEL_LOG) -> Iterator[Any]:
    """A kernel of ours for the duration of the block (see :func:`start_kernel`)."""
    manager = start_kernel(ensure_kernel(kernel), log)
    try:
        yield manager
    finally:
        stop_kernel(manager)


def stop_kernel(manager: Any) -> None:
    """Stop a kernel from :func:`start_kernel` at once, and close its clients' channels."""
    import asyncio

    async def shut_down() -> None:
        await manager.shutdown_kernel(now=True)

    close_clients(manager)
    with _KERNELS_LOCK:
        if manager in _KERNELS:
            _KERNELS.remove(manager)
    if manager.has_kernel:
        asyncio.run(shut_down())


def close_clients(manager: Any) -> None:
    """Close the channels of the clients papermill opened on ``manager``'s kernel (it leaves
    them open on a kernel it did not start)."""
    for opened in getattr(manager, "opened_clients", []):
        opened.stop_channels()
    manager.opened_clients = []


def kill_kernels(wait_seconds: float = 0.5) -> None:
    """Kill every kernel started here, from any thread, and start no more.

    Used when a run is stopped: a kernel's process group gets SIGKILL (no
    messages, no event loop: the threads that own the managers may be busy), and
    each process is reaped so that none is left behind.
    """
    import signal

    global _KERNELS_CLOSED
    _quiet_clients(True)  # 「Kernel died …」 from the clients of killed kernels is not news
    with _KERNELS_LOCK:
        _KERNELS_CLOSED = True
        managers = list(_KERNELS)
        _KERNELS.clear()
    processes = []
    for manager in managers:
        provisioner = getattr(manager, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is None:
            continue
        group = getattr(provisioner, "pgid", None)
        with contextlib.suppress(OSError):
            if group and hasattr(os, "killpg"):
                os.killpg(group, getattr(signal, "SIGKILL", signal.SIGTERM))
            else:
                process.kill()
        processes.append(process)
    deadline = time.monotonic() + wait_seconds
    for process in processes:
        with contextlib.suppress(Exception):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))


def reopen_kernels() -> None:
    """Allow kernels again (a new run in the same process, as in the tests)."""
    global _KERNELS_CLOSED
    _quiet_clients(False)
    with _KERNELS_LOCK:
        _KERNELS_CLOSED = False


_CLIENT_LOGGERS = ("papermill", "nbclient", "traitlets")


def _quiet_clients(quiet: bool) -> None:
    import logging

    for name in _CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL if quiet else logging.NOTSET)


CELL_TIMEOUT_SECONDS = 600
"""A cell that runs longer than this is stuck (the slowest cell of any report takes a few
seconds): the notebook then fails with a message instead of the run waiting for ever."""


class KernelNotReusable(RuntimeError):
    """A kernel could not be made ready for a notebook (:func:`prepare_kernel`): one that ran
    a notebook is replaced by a new one; a new one fails the notebook."""


KERNEL_READY_SECONDS = 60
"""How long a kernel may take to start and answer (papermill's own default)."""


def prepare_kernel(manager: Any, timeout: float = KERNEL_READY_SECONDS) -> None:
    """Make ``manager``'s kernel ready for a notebook, as if it had just started.

    In a kernel that has run nothing, this imports what every notebook imports (pandas,
    matplotlib: it overlaps the run's own work when called early) and remembers the state
    a notebook may change; in one that ran a notebook, it puts that state back and empties
    the namespace (:mod:`analysis.run.kernel_state`). Executed without entering the history,
    so the notebook's cells are numbered from 1 as in a new kernel; what it prints is not
    read.

    Raises :class:`KernelUnresponsive` if the kernel does not answer within ``timeout``
    seconds, or dies (it is checked every second: a killed run's kernel ends the wait), and
    :class:`KernelNotReusable` if the code failed (its exception in the message).
    """
    import asyncio

    try:
        # A selector loop on every OS: zmq's asyncio sockets need add_reader, which Windows'
        # default loop (Proactor) lacks ("Platform Support" in Python's asyncio documentation;
        # pyzmq then warns on the console and starts a thread of its own). papermill switches
        # Windows to selector loops when it first executes a notebook; this call comes first.
        with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
            reply = runner.run(_fresh_start(manager, timeout))
    except (RuntimeError, TimeoutError) as error:  # "Kernel didn't respond", died, timed out
        raise KernelUnresponsive(
            f"計算用のプロセス（カーネル）が応答しませんでした（{error}）"
        ) from None
    content = reply["content"]
    if content.get("status") != "ok":
        raise KernelNotReusable(f"{content.get('ename')}: {content.get('evalue')}")


async def _fresh_start(manager: Any, timeout: float) -> dict[str, Any]:
    """Send :data:`~analysis.run.kernel_state.FRESH_START` and return the kernel's reply."""
    import queue

    from analysis.run.kernel_state import FRESH_START

    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)  # raises if the kernel dies meanwhile
        sent = client.execute(FRESH_START, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + CELL_TIMEOUT_SECONDS
        while True:
            try:
                reply: dict[str, Any] = await client.get_shell_msg(timeout=1.0)
            except queue.Empty:
                if not await manager.is_alive():
                    raise RuntimeError("the kernel died") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no answer within {CELL_TIMEOUT_SECONDS} s") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == sent:
                return reply
    finally:
        client.stop_channels()


def _run_cells(report: Report, manager: Any, cell_timeout: float) -> Any:
    """The report's notebook executed by papermill in ``manager``'s kernel, each cell given
    at most ``cell_timeout`` seconds; a checkpoint is passed after every cell."""
    import papermill

    def after_cell(cell: Any, cell_index: int, **_: Any) -> None:
        checkpoint(f"cell:{report.name}:{cell_index}")

    return papermill.execute_notebook(
        load_notebook(report.notebook),
        None,
        parameters=report.parameters,
        kernel_name=manager.kernel_name,
        language="python",
        progress_bar=False,
        log_output=False,
        cwd=str(ROOT),
        shutdown_kernel="immediate",
        on_cell_executed=after_cell,
        execution_timeout=cell_timeout,
        km=manager,
    )


def execute(report: Report, manager: Any, cell_timeout: float = CELL_TIMEOUT_SECONDS) -> Any:
    """Execute the report's notebook in memory; return the executed notebook.

    ``manager`` is a kernel launched by :func:`start_kernel` (the caller stops it):
    papermill never starts one of its own, whose output would reach the console.
    A kernel that dies before it answers (a port taken, a slow machine) raises
    :class:`KernelUnresponsive`, for the caller to retry once with a fresh kernel.
    After each cell the run's checkpoint ``cell:NAME:INDEX`` is passed, so that a
    stopped run leaves the notebook between two cells.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    try:
        executed = _run_cells(report, manager, cell_timeout)
    except PapermillExecutionError as error:
        source = (error.source or "").strip().splitlines()
        first = source[0] if source else ""
        raise NotebookFailed(
            f"{display_path(report.notebook)}: cell {error.exec_count} ({first[:60]}): "
            f"{error.ename}: {error.evalue}"
        ) from None
    except CellTimeoutError:
        raise NotebookFailed(
            f"{display_path(report.notebook)}: {cell_timeout:.0f} 秒以上応答のないセルがあるため中止しました"
            f"（a cell did not finish within {cell_timeout:.0f} s）"
        ) from None
    except RuntimeError as error:  # nbclient's DeadKernelError is one too
        if "didn't respond" in str(error) or "died before replying" in str(error):
            raise KernelUnresponsive(  # it never started: retried once with a fresh kernel
                f"{display_path(report.notebook)}: 計算用のプロセス（カーネル）が応答しませんでした"
                f"（{error}）"
            ) from None
        if isinstance(error, DeadKernelError):  # it died while running a cell
            raise NotebookFailed(
                f"{display_path(report.notebook)}: 計算用のプロセス（カーネル）が途中で終了しました"
                "（the kernel died）"
            ) from None
        raise
    for index, cell in enumerate(executed.cells):
        cell["id"] = f"cell-{index}"
    return executed


class NotebookKernel:
    """A kernel of ours that runs report notebooks one after another, each as in a new kernel.

    Starting a kernel and importing pandas and matplotlib costs about 2.5 s of CPU; a run
    with more reports than cores pays it once per core instead of once per report. Before
    each notebook the kernel is put back as new (:func:`prepare_kernel`), so a report's
    page and figures are the same bytes whichever notebook ran before it in the kernel.

    ``manager``: a kernel launched ahead by :func:`start_kernel` (else one is launched when
    first needed, its output in ``log``). A kernel that never answers (a port taken between
    our choosing it and the kernel binding it, a slow machine) is replaced by a new one once
    per notebook, an early :meth:`prepare` counting as the notebook's first try; a kernel
    that cannot be put back as new is replaced by a new one; a kernel whose notebook failed
    (it may still be running a stuck cell, or be dead) is stopped. What a kernel printed is
    in the kernel log, not on the console.
    """

    def __init__(self, kernel: str, manager: Any = None, log: Path = KERNEL_LOG) -> None:
        self.kernel = kernel
        self.manager = manager
        self.log = log
        """Where the output of the kernels this object starts goes (:func:`start_kernel`)."""
        self.ready = False
        self.used = False
        """Whether the kernel ran a notebook (then it must be put back as new)."""
        self.unanswered = False
        """Whether the last :meth:`prepare` met a kernel that never answered."""

    def prepare(self) -> None:
        """Ready the kernel for the next notebook (early is better: see :func:`prepare_kernel`).

        Raises :class:`KernelUnresponsive` (the kernel is stopped; the caller may try once
        more) or, from a new kernel, :class:`KernelNotReusable`.
        """
        if self.ready:
            return
        if self.manager is None:
            self.manager = start_kernel(self.kernel, self.log)
            self.used = False
        try:
            prepare_kernel(self.manager)
        except KernelNotReusable:
            reused = self.used
            self.close()
            if not reused:
                raise
            self.prepare()  # a new kernel instead (reuse only ever saves time)
            return
        except KernelUnresponsive:
            self.close()
            self.unanswered = True
            raise
        self.ready = True

    def execute(self, report: Report, cell_timeout: float = CELL_TIMEOUT_SECONDS) -> Any:
        """Run ``report``'s notebook (see :func:`execute`) in the prepared kernel."""
        tried = self.unanswered  # an early prepare that met a silent kernel was the first try
        self.unanswered = False
        if not tried:
            try:
                return self._execute_once(report, cell_timeout)
            except KernelUnresponsive:
                pass  # that kernel is stopped: one more try with a new one
        return self._execute_once(report, cell_timeout)

    def _execute_once(self, report: Report, cell_timeout: float) -> Any:
        try:
            self.prepare()
        except KernelUnresponsive as error:
            raise KernelUnresponsive(f"{display_path(report.notebook)}: {error}") from None
        except KernelNotReusable as error:  # a new kernel that cannot import what reports need
            raise NotebookFailed(
                f"{display_path(report.notebook)}: 計算用のプロセス（カーネル）を準備できませんでした"
                f"（{error}）"
            ) from None
        self.ready = False
        self.used = True
        try:
            return execute(report, self.manager, cell_timeout=cell_timeout)
        except BaseException:
            # A failed notebook may leave its kernel running a stuck cell, or dead: never
            # hand it to the next notebook.
            self.close()
            raise
        finally:
            if self.manager is not None:
                close_clients(self.manager)

    def close(self) -> None:
        """Stop the kernel (a new one is launched if the object is used again)."""
        if self.manager is not None:
            stop_kernel(self.manager)
        self.manager = None
        self.ready = False
        self.used = False


def to_html(notebook: Any, title: str, font: bool = True) -> str:
    """Standalone offline HTML without code, prompts, or stderr; with a table of contents.

    ``font``: embed the glyphs the page uses (see :func:`embed_font`).
    """
    for cell in notebook.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    # Code is hidden, so a code cell without output would only leave an empty gap.
    notebook.cells = [c for c in notebook.cells if c.get("cell_type") != "code" or c.get("outputs")]
    notebook.metadata.pop("papermill", None)
    notebook.metadata["title"] = title
    with _EXPORTER_LOCK:  # one exporter, so its templates are compiled once per run
        body, _ = _exporter().from_notebook_node(notebook, resources={"language_code": "ja"})
    page = add_table_of_contents(body)
    return embed_font(page) if font else page


REPORT_FONT = "Report Gothic"
"""The family name the report's CSS asks for first (see the template)."""


def embed_font(html: str) -> str:
    """Embed the glyphs the page uses from IPAexGothic, so Japanese renders on any PC.

    A PC or server without a Japanese font would otherwise show boxes (tofu).
    Only the characters in the page are kept (about 90 KB instead of 6 MB), and
    the subset is byte-reproducible (no timestamps).
    """
    # The distinct characters first: the page is megabytes (its figures in base64).
    characters = sorted({ord(c) for c in set(html) if ord(c) > 126} | set(range(32, 127)))
    font = base64.b64encode(_font_subset(tuple(characters))).decode("ascii")
    face = (
        f'<style type="text/css">@font-face {{ font-family: "{REPORT_FONT}"; '
        f'src: url(data:font/woff;base64,{font}) format("woff"); }}</style>'
    )
    return html.replace("</head>", face + "\n</head>", 1)


FIGURE_CACHE = CACHE / "figures"
"""Figures already drawn, by the hash of their content (:mod:`analysis.report.figure_cache`)."""

FONT_CACHE = CACHE / "fonts"
"""Subsets already made, by the hash of their characters and of the font (0.3–0.5 s each)."""


def _font_subset(characters: tuple[int, ...]) -> bytes:
    import hashlib
    import importlib.util

    # Found, not imported: importing matplotlib-fontja imports matplotlib (≈ 0.4 s).
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("matplotlib_fontja")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    key = hashlib.sha256(repr((characters, path.stat().st_size)).encode()).hexdigest()[:32]
    cached = FONT_CACHE / f"{key}.woff"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    subset = _make_subset(path, characters)
    try:
        with atomic_path(cached) as temporary:
            temporary.write_bytes(subset)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return subset


def _make_subset(path: Path, characters: tuple[int, ...]) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and licence notice
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    return buffer.getvalue()


_EXPORTER_LOCK = threading.Lock()


def warm_exporter() -> None:
    """Compile the HTML templates now (the main thread is idle while kernels run)."""
    import nbformat

    to_html(nbformat.v4.new_notebook(), "", font=False)  # type: ignore[no-untyped-call]


@functools.cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


class _Contents(HTMLParser):
    """Reads a report page: its section headings and where the contents list goes.

    A heading is an ``<h2>`` with an ``id``; its text is everything inside but the
    ``anchor-link`` (the ¶ nbconvert adds), entities decoded. The list goes before the
    first cell (``<div class="jp-Cell …">``) after the title (``</h1>``), else at the
    start of ``<main>``. Positions are character offsets into the page.
    """

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.after_title: int | None = None
        self.in_main: int | None = None
        self._line_starts = [0]
        for line in page.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self._heading: tuple[str, list[str]] | None = None
        self._hidden = 0  # depth of <a> elements inside an anchor link
        self._title_ended = False
        self.feed(page)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "h2" and found.get("id") and self._heading is None:
            self._heading = (str(found["id"]), [])
        elif tag == "a" and (self._hidden or "anchor-link" in classes):
            self._hidden += 1
        elif tag == "main" and self.in_main is None:
            self.in_main = self._offset() + len(self.get_starttag_text() or "")
        elif tag == "div" and "jp-Cell" in classes and self._title_ended:
            self.after_title = self._offset() if self.after_title is None else self.after_title

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._hidden:
            self._hidden -= 1
        elif tag == "h2" and self._heading is not None:
            anchor, parts = self._heading
            self.headings.append((anchor, " ".join("".join(parts).split())))
            self._heading = None
        elif tag == "h1":
            self._title_ended = True

    def handle_data(self, data: str) -> None:
        if self._heading is not None and not self._hidden:
            self._heading[1].append(data)


def add_table_of_contents(page: str) -> str:
    """The page with a numbered list of its sections (``<h2 id=…>``) after the title."""
    contents = _Contents(page)
    if not contents.headings:
        return page
    items = "".join(
        f'<li><a href="#{html.escape(anchor)}">{html.escape(text, quote=False)}</a></li>'
        for anchor, text in contents.headings
    )
    toc = f'<nav class="report-toc"><h2 class="toc-title">目次</h2><ol>{items}</ol></nav>'
    where = contents.after_title if contents.after_title is not None else contents.in_main
    if where is None:
        return page
    return page[:where] + toc + page[where:]


def figure_paths(notebook: Any) -> list[Path]:
    """The figure files a report saved, read from its display metadata (and removed from it)."""
    paths = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            saved = output.get("metadata", {}).pop(FIGURE_PATH_KEY, None)
            if saved:
                paths += [Path(p) for p in saved]
    return paths


def configure_jupyterlab(prefix: Path = ENVIRONMENT) -> Path:
    """Make JupyterLab (in this environment only) open notebooks/*.py as notebooks.

    The report notebooks are jupytext percent scripts; planners should see cells,
    not a text editor, when they double-click one. Also installs the kernel.
    ``prefix``: the environment to configure (another one only in the tests).
    """
    ensure_kernel(prefix=prefix)
    settings = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        overrides = json.loads(settings.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        overrides = {}
    plugin = overrides.setdefault("@jupyterlab/docmanager-extension:plugin", {})
    plugin.setdefault("defaultViewers", {})["python"] = "Jupytext Notebook"
    settings.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(settings) as handle:
        json.dump(overrides, handle, indent=2)
    return settings
