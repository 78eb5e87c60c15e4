"""Run every report notebook through papermill and export offline HTML.

Heavy libraries are imported inside functions: a run in which nothing changed
answers from the manifest without importing pandas or starting a kernel.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.io import atomic_open, remove_leftover_temporaries
from analysis.paths import (
    DATA_PROCESSED,
    DATA_RAW,
    NOTEBOOKS,
    REPORTS,
    ROOT,
    TEMPLATES,
    display_path,
)

# jsonschema (under nbformat, hence papermill, jupytext and nbconvert) imports the optional
# rfc3987-syntax package when it is installed — jupyterlab's jupyter-events pulls it in — and
# version 1.1 builds a parser at import: about 1 s of CPU on these machines (jsonschema issues
# #1428, #1521). It only adds IRI format checks, which notebook validation never uses, so this
# process does without it. Set before the first import of jsonschema; harmless afterwards.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

KERNEL_NAME = "ichinoseki-hiraizumi"
MANIFEST = REPORTS / ".manifest.json"
VERSIONED_PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "matplotlib-fontja",
    "papermill",
    "nbconvert",
    "nbclient",
    "jupytext",
    "ipykernel",
    "openpyxl",
    "pyarrow",
)


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


@dataclass
class Options:
    """What ``python -m analysis reports`` was asked to do."""

    target_year: int = 2028
    base_year: int = 2020
    vision: Path | None = None
    projection: Path | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    method: str = "linear"
    actuals: Path | None = None
    """KPI actuals (KPI実績); data/raw/kpi_actuals.csv when not given."""
    as_of: int = 0
    """Fiscal year the KPIs are assessed at; 0 = the latest year with an actual."""
    vision_label: str = ""
    projection_label: str = ""


LONG_TERM_TARGET_YEAR = 2040
"""The year of the vision's long-term targets (about 94,000 people, aging rate about 40%)."""


def comparison_years(target_year: int) -> list[int]:
    """Years the revision report compares: the plan's target year and the long-term one."""
    return sorted({target_year, LONG_TERM_TARGET_YEAR})


def has_revision(options: Options) -> bool:
    """True when two editions of the same kind are present (read without pandas)."""
    if options.vision or options.projection:
        return True
    with (DATA_RAW / "editions.csv").open(encoding="utf-8-sig", newline="") as handle:
        return any((row.get("replaces") or "").strip() for row in csv.DictReader(handle))


def reports_for(options: Options) -> list[Report]:
    supplied = tuple(p for p in (options.vision, options.projection) if p)
    labels = {"vision_label": options.vision_label, "projection_label": options.projection_label}
    target_years = ",".join(str(y) for y in comparison_years(options.target_year))
    revision = [
        Report(
            "revision",
            NOTEBOOKS / "revision.py",
            {
                "vision_path": str(options.vision or ""),
                "projection_path": str(options.projection or ""),
                **labels,
                "target_years": target_years,
                "output_dir": "",
            },
            supplied,
        )
    ]
    return [
        Report(
            "population",
            NOTEBOOKS / "population.py",
            {
                "municipality": "圏域",
                "base_year": options.base_year,
                "target_year": options.target_year,
                "vision_path": str(options.vision or ""),
                "projection_path": str(options.projection or ""),
                "output_dir": "",
                "method": options.method,
                **labels,
            },
            supplied,
        ),
        Report(
            "kpi",
            NOTEBOOKS / "kpi.py",
            {
                "as_of_fiscal_year": options.as_of,
                "actuals_path": str(options.actuals or ""),
                "output_dir": "",
            },
            tuple(p for p in (options.actuals,) if p),
        ),
        *(revision if has_revision(options) else []),
    ]


# ---------------------------------------------------------------- manifest


def _hash_file(path: Path, digest: Any) -> None:
    digest.update(
        path.relative_to(ROOT).as_posix().encode()
        if path.is_relative_to(ROOT)
        else path.name.encode()
    )
    # A missing supplied file is reported by validation, with its name, not here.
    digest.update(path.read_bytes() if path.is_file() else b"<missing>")


def _code_files() -> list[Path]:
    package = Path(__file__).resolve().parent
    return sorted(
        p for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".j2", ".json"}
    )


def shared_fingerprint() -> str:
    """Hash of what every report depends on: raw data, package code, versions, Python."""
    digest = hashlib.sha256()
    files = sorted(p for p in DATA_RAW.rglob("*") if p.is_file())
    for path in [*files, *_code_files()]:
        _hash_file(path.resolve(), digest)
    for package in VERSIONED_PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=missing".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def fingerprint(report: Report, shared: str) -> str:
    """Content hash of everything the report depends on (``shared`` covers the common part)."""
    digest = hashlib.sha256(shared.encode())
    for path in [report.notebook, *report.inputs]:
        _hash_file(Path(path).resolve(), digest)
    digest.update(json.dumps(report.parameters, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def read_manifest() -> dict[str, Any]:
    try:
        return dict(json.loads(MANIFEST.read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_manifest(manifest: dict[str, Any]) -> None:
    with atomic_open(MANIFEST, encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")


def is_up_to_date(report: Report, manifest: dict[str, Any], digest: str) -> bool:
    entry = manifest.get(report.name, {})
    outputs = [ROOT / p for p in entry.get("outputs", [])]
    return (
        entry.get("fingerprint") == digest
        and report.html.exists()
        and all(p.exists() for p in outputs)
    )


# ---------------------------------------------------------------- execution


KERNEL_QUIET = "--IPKernelApp.log_level=ERROR"
"""The kernel's own log (e.g. ipykernel 7's note that it talks over local TCP) is not for planners."""


def ensure_kernel() -> str:
    """Install (or refresh) a kernelspec that runs *this* interpreter; return its name.

    Never rely on a notebook's stored kernelspec or on whatever ``python3`` points to.
    Frozen standard modules stay on (faster start; only the debugger wants them off).
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if _is_ours(spec.argv):
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    folder = Path(
        install(
            kernel_name=KERNEL_NAME,
            display_name="Python (一関・平泉 analysis)",
            prefix=sys.prefix,
            frozen_modules=True,
        )
    )
    spec_file = folder / "kernel.json"
    written = json.loads(spec_file.read_text(encoding="utf-8"))
    written["argv"] = [*written["argv"], KERNEL_QUIET]
    spec_file.write_text(json.dumps(written, indent=1, ensure_ascii=False), encoding="utf-8")
    found = KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv
    if not _is_ours(found):
        # A user-level kernelspec of the same name shadows ours (from another checkout).
        raise RuntimeError(
            f"the Jupyter kernel {KERNEL_NAME!r} found first runs `{' '.join(found)}`, not the one "
            f"this project installs for {sys.executable}; remove it with "
            f"`jupyter kernelspec remove {KERNEL_NAME}` and run again"
        )
    return KERNEL_NAME


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


IN_MEMORY_HISTORY = "--HistoryManager.hist_file=:memory:"
"""What nbclient passes to the kernels it starts: no IPython history database on disk."""


def start_kernel(kernel: str) -> Any:
    """Launch a kernel process now and return its manager, for :func:`execute` to use later.

    Launching takes a few milliseconds, but the kernel then needs about a second
    of its own to start and import; begun first, that second overlaps the
    pipeline's own imports and validation instead of following them.
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

    async def launch() -> None:
        await manager.start_kernel(cwd=str(ROOT), extra_arguments=[IN_MEMORY_HISTORY])

    asyncio.run(launch())
    return manager


def stop_kernel(manager: Any) -> None:
    """Stop a kernel from :func:`start_kernel` at once, and close its clients' channels."""
    import asyncio

    async def shut_down() -> None:
        await manager.shutdown_kernel(now=True)

    for opened in getattr(manager, "opened_clients", []):
        opened.stop_channels()
    manager.opened_clients = []
    if manager.has_kernel:
        asyncio.run(shut_down())


def execute(report: Report, kernel: str, manager: Any = None) -> Any:
    """Execute the report's notebook in memory; return the executed notebook.

    ``manager`` is a kernel already launched by :func:`start_kernel` (the caller
    stops it); without one, papermill starts a kernel and stops it at the end.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = load_notebook(report.notebook)
    launched = {"km": manager} if manager is not None else {}
    try:
        executed = papermill.execute_notebook(
            notebook,
            None,
            parameters=report.parameters,
            kernel_name=kernel,
            language="python",
            progress_bar=False,
            log_output=False,
            cwd=str(ROOT),
            shutdown_kernel="immediate",
            **launched,
        )
    except PapermillExecutionError as error:
        source = (error.source or "").strip().splitlines()
        first = source[0] if source else ""
        raise NotebookFailed(
            f"{display_path(report.notebook)}: cell {error.exec_count} ({first[:60]}): "
            f"{error.ename}: {error.evalue}"
        ) from None
    for index, cell in enumerate(executed.cells):
        cell["id"] = f"cell-{index}"
    return executed


_HEADING = re.compile(r'<h2 id="(?P<id>[^"]+)">(?P<text>.*?)<a class="anchor-link"', re.S)


def to_html(notebook: Any, title: str) -> str:
    """Standalone offline HTML without code, prompts, or stderr; with a table of contents."""
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
    return add_table_of_contents(body)


_EXPORTER_LOCK = threading.Lock()


def warm_exporter() -> None:
    """Compile the HTML templates now (the main thread is idle while kernels run)."""
    import nbformat

    to_html(nbformat.v4.new_notebook(), "")  # type: ignore[no-untyped-call]


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


def add_table_of_contents(html: str) -> str:
    headings = [
        (m.group("id"), re.sub(r"<[^>]+>", "", m.group("text")).strip())
        for m in _HEADING.finditer(html)
    ]
    if not headings:
        return html
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in headings)
    toc = f'<nav class="report-toc"><h2 class="toc-title">目次</h2><ol>{items}</ol></nav>'
    # Between the title cell and the next cell, as a sibling of the cells.
    title = html.find("</h1>")
    next_cell = html.find('<div class="jp-Cell ', title if title != -1 else 0)
    if title == -1 or next_cell == -1:
        return html.replace("<main>", "<main>" + toc, 1)
    return html[:next_cell] + toc + html[next_cell:]


TITLES = {
    "population": "圏域の人口の見通し",
    "kpi": "成果指標（KPI）と事業費",
    "revision": "人口ビジョン改訂の比較",
}


FIGURE_PATH_KEY = "report_figure"  # the same key as analysis.figures.FIGURE_PATH_KEY


def figure_paths(notebook: Any) -> list[Path]:
    """The figure files a report saved, read from its display metadata (and removed from it)."""
    paths = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            saved = output.get("metadata", {}).pop(FIGURE_PATH_KEY, None)
            if saved:
                paths += [Path(p) for p in saved]
    return paths


class Cancelled(RuntimeError):
    """The run was interrupted or its data was invalid; nothing was moved into place."""


STAGING = REPORTS / ".staging"


@dataclass
class Gate:
    """Lets notebooks run while the data is validated; outputs move only once it passed."""

    decided: threading.Event = field(default_factory=threading.Event)
    passed: bool = False

    def open(self, passed: bool) -> None:
        self.passed = passed
        self.decided.set()


def run_one(
    report: Report, kernel: str, gate: Gate, manager: Any = None
) -> tuple[Path, list[Path]]:
    """Execute one report into a staging folder, then move its HTML and figures into place.

    Nothing reaches ``reports/`` unless the notebook succeeded and the data passed
    validation, so a failed or interrupted report leaves its previous version intact.
    ``manager``, a kernel launched ahead by :func:`start_kernel`, is stopped here.
    """
    staging = STAGING / report.name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        staged = Report(
            report.name,
            report.notebook,
            {**report.parameters, "output_dir": str(staging)},
            report.inputs,
        )
        try:
            notebook = execute(staged, kernel, manager)
        finally:
            if manager is not None:
                stop_kernel(manager)
        figures = figure_paths(notebook)
        html = to_html(notebook, TITLES.get(report.name, report.name))
        gate.decided.wait()
        if not gate.passed:
            raise Cancelled(report.name)
        final = []
        for figure in figures:
            target = REPORTS / "figures" / figure.name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(figure, target)
            final.append(target)
        with atomic_open(report.html, encoding="utf-8") as handle:
            handle.write(html)
        return report.html, final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------- the command


def write_tables(options: Options) -> list[Path]:
    """Validate, then write every processed table (CSV) and the workbook atomically."""
    from analysis import tables

    return tables.write_all(options)


def say(line: str) -> None:
    """Progress lines appear at once, also when the output goes to a pipe or a log file."""
    print(line, flush=True)


def run(options: Options, echo: Callable[[str], None] = say) -> int:
    """Regenerate what is out of date; return the exit code."""
    remove_leftover_temporaries(REPORTS, DATA_PROCESSED)
    reports = reports_for(options)
    manifest = read_manifest()
    shared = shared_fingerprint()  # read the raw data and code once, not once per report
    digests = {r.name: fingerprint(r, shared) for r in reports}
    stale = [r for r in reports if options.force or not is_up_to_date(r, manifest, digests[r.name])]
    if not stale:
        if not any(r.name == "revision" for r in reports):
            remove_revision_report(manifest, echo)
        echo("All reports are up to date (nothing changed; use --force to rerun).")
        return 0

    from analysis.findings import DataError
    from analysis.io import InputError

    kernel = ensure_kernel()
    jobs = max(1, min(options.jobs, len(stale)))
    gate = Gate()
    pool = ThreadPoolExecutor(max_workers=jobs)
    # The first kernels are launched before anything else: they start and import
    # while this process imports its own libraries and validates the data.
    managers = [start_kernel(kernel) for _ in stale[:jobs]]
    managers += [None] * (len(stale) - len(managers))
    failures = 0
    try:
        started = {
            pool.submit(_timed, run_one, r, kernel, gate, m): r
            for r, m in zip(stale, managers, strict=True)
        }
        echo(
            f"Running {len(stale)} report(s), {jobs} at a time: {', '.join(r.name for r in stale)}"
        )
        try:
            outputs = write_tables(options)
        except (DataError, InputError) as error:
            gate.open(passed=False)
            findings = getattr(error, "findings", None)
            for line in [str(f) for f in findings] if findings else [str(error)]:
                echo(line)
            echo(
                "Stopped: the input data has errors; nothing in reports/ or data/processed/ was changed."
            )
            return 1
        gate.open(passed=True)
        echo(
            f"Wrote {len(outputs)} tables to {DATA_PROCESSED.relative_to(ROOT)}/ and the workbook."
        )
        warm_exporter()
        for count, future in enumerate(as_completed(started), start=1):
            report = started[future]
            try:
                (path, figures), seconds = future.result()
            except NotebookFailed as error:
                failures += 1
                echo(f"[{count}/{len(stale)}] {report.name}: FAILED — {error}")
                continue
            echo(
                f"[{count}/{len(stale)}] {report.name}: done in {seconds:.1f} s → {path.relative_to(ROOT)}"
            )
            manifest[report.name] = {
                "fingerprint": digests[report.name],
                "outputs": sorted(_relative(p) for p in [*outputs, *figures]),
            }
            write_manifest(manifest)
    except KeyboardInterrupt:
        gate.open(passed=False)
        echo("Interrupted: reports not yet finished were left as they were.")
        return 130
    finally:
        if not gate.decided.is_set():
            gate.open(passed=False)
        pool.shutdown(wait=True, cancel_futures=True)
        for manager in managers:  # those whose report was cancelled before it began
            if manager is not None:
                stop_kernel(manager)
        shutil.rmtree(STAGING, ignore_errors=True)
    if not any(r.name == "revision" for r in reports):
        remove_revision_report(manifest, echo)
    if failures:
        echo(f"{failures} report(s) failed; their previous versions were kept.")
        return 1
    return 0


def remove_revision_report(manifest: dict[str, Any], echo: Callable[[str], None]) -> None:
    """A revision report describes a supplied edition; once it is gone the report would mislead."""
    entry = manifest.pop("revision", None)
    html = REPORTS / "revision.html"
    if entry is None and not html.exists():
        return
    for output in (entry or {}).get("outputs", []):
        path = ROOT / output
        if path.parent == REPORTS / "figures":
            path.unlink(missing_ok=True)
    html.unlink(missing_ok=True)
    write_manifest(manifest)
    echo(
        "Removed reports/revision.html and its figures: no two editions of the same kind to compare."
    )


def _relative(path: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(path)


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def configure_jupyterlab() -> Path:
    """Make JupyterLab (in this environment only) open notebooks/*.py as notebooks.

    The report notebooks are jupytext percent scripts; planners should see cells,
    not a text editor, when they double-click one. Also installs the kernel.
    """
    ensure_kernel()
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
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
