"""The run: validate, compute the tables, execute the report notebooks, replace the outputs.

Orchestrates from the top (nothing below imports it). Every output is built in
a staging folder and replaced all at once by :mod:`analysis.outputs`, only when
the data passed and every notebook succeeded. Heavy libraries are imported
inside functions: a run in which nothing changed answers from the manifest
without importing pandas or starting a kernel.
"""

from __future__ import annotations

import csv
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analysis import outputs
from analysis.execution import (
    NotebookFailed,
    Report,
    ensure_kernel,
    execute,
    figure_paths,
    start_kernel,
    stop_kernel,
    to_html,
    warm_exporter,
)
from analysis.findings import Finding, console_lines, summary
from analysis.options import Options, comparison_years, option_problems
from analysis.paths import DATA_PROCESSED, DATA_RAW, NOTEBOOKS, REPORTS, ROOT
from analysis.schema import is_yes

TITLES = {
    "population": "圏域の人口の見通し",
    "kpi": "成果指標（KPI）と事業費",
    "revision": "人口ビジョン改訂の比較",
    "projection": "男女・5歳階級別の将来人口推計",
}
WORKBOOK = REPORTS / "tables.xlsx"


def _registry_rows() -> list[dict[str, str]]:
    with (DATA_RAW / "editions.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def has_revision(options: Options) -> bool:
    """True when two editions of the same kind are present (read without pandas)."""
    if options.vision or options.projection:
        return True
    return any((row.get("replaces") or "").strip() for row in _registry_rows())


def has_age_sex(options: Options) -> bool:
    """True when there is data by sex and five-year age group to project from."""
    if options.age_sex:
        return True
    return any(is_yes(row.get("age_sex")) for row in _registry_rows())


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
                "age_sex_path": str(options.age_sex or ""),
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
        *([projection_report(options)] if has_age_sex(options) else []),
    ]


def projection_report(options: Options) -> Report:
    return Report(
        "projection",
        NOTEBOOKS / "projection.py",
        {
            "age_sex_path": str(options.age_sex or ""),
            "survival_path": str(options.survival or ""),
            "settings_path": str(options.projection_settings or ""),
            "profile_path": str(options.settler_profile or ""),
            "output_dir": "",
        },
        options.projection_inputs,
    )


def report_fingerprint(report: Report, shared: str) -> str:
    """Content hash of everything the report depends on (``shared`` covers the common part)."""
    return outputs.fingerprint(shared, [report.notebook, *report.inputs], report.parameters)


class Cancelled(RuntimeError):
    """The run was interrupted or its data was invalid; nothing was moved into place."""


def run_one(
    report: Report, kernel: str, staging: outputs.Staging, manager: Any = None
) -> tuple[Path, list[Path]]:
    """Execute one report into ``staging``: its HTML and its figures, not yet in place.

    ``manager``, a kernel launched ahead by :func:`analysis.execution.start_kernel`,
    is stopped here. Returns the staged HTML and figure files.
    """
    # Named by process: a kernel orphaned by a killed run (it exits within about a
    # second) can never write into the folder of the run that follows.
    folder = staging.folder / "notebooks" / f"{report.name}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    staged = Report(
        report.name,
        report.notebook,
        {**report.parameters, "output_dir": str(folder)},
        report.inputs,
    )
    try:
        notebook = execute(staged, kernel, manager)
    finally:
        if manager is not None:
            stop_kernel(manager)
    figures = figure_paths(notebook)
    html = staging.path(report.html)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(to_html(notebook, TITLES.get(report.name, report.name)), encoding="utf-8")
    return html, figures


def say(line: str) -> None:
    """Progress lines appear at once, also when the output goes to a pipe or a log file."""
    print(line, flush=True)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a closed terminal, ``kill``) cleans up like Ctrl-C instead of dying mid-write."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (e.g. called from a notebook's worker)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(options: Options, echo: Callable[[str], None] = say) -> int:
    """Regenerate what is out of date, replacing all outputs together; return the exit code."""
    problems = option_problems(options)
    if problems:
        for problem in problems:
            echo(str(problem))
        return 2
    try:
        with outputs.run_lock(), _terminate_as_interrupt():
            return _run_locked(options, echo)
    except outputs.Busy:
        echo(str(Finding("error", "", None, "-", "busy")))
        return 75
    except outputs.OutputError as error:
        echo(str(error))
        return 1
    except KeyboardInterrupt:
        echo("中断しました。出力（reports/ と data/processed/）は前回のまま残っています。")
        return 130


def _run_locked(options: Options, echo: Callable[[str], None]) -> int:
    repaired = outputs.recover()
    if repaired == "finished":
        echo("前回中断された出力の置き換えを完了しました。")
    reports = reports_for(options)
    manifest = outputs.read_manifest()
    shared = outputs.shared_fingerprint()  # read the raw data and code once, not once per report
    digests = {r.name: report_fingerprint(r, shared) for r in reports}
    intact = outputs.consistent(manifest)
    if manifest and not intact:
        echo("前回の出力の一部が欠けているか変更されているため、すべて作り直します。")
    recorded = manifest.get("reports", {})
    stale = [
        r
        for r in reports
        if options.force
        or not intact
        or recorded.get(r.name, {}).get("fingerprint") != digests[r.name]
    ]
    gone = [name for name in recorded if name not in {r.name for r in reports}]
    if not stale and not gone:
        for line in manifest.get("validation", {}).get("lines", []):
            echo(line)
        echo("すべての報告書は最新です（入力に変更はありません。作り直すには --force）。")
        return 0
    # A damaged set is rebuilt whole; its manifest still says which old files to remove.
    return _build(options, echo, stale, digests, manifest, gone)


def _build(
    options: Options,
    echo: Callable[[str], None],
    stale: list[Report],
    digests: dict[str, str],
    manifest: dict[str, Any],
    gone: list[str],
) -> int:
    from analysis import tables
    from analysis.findings import DataError
    from analysis.io import InputError

    staging = outputs.Staging.fresh()
    kernel = ensure_kernel() if stale else ""
    jobs = max(1, min(options.jobs, len(stale)))
    pool = ThreadPoolExecutor(max_workers=jobs)
    # The first kernels are launched before anything else: they start and import
    # while this process imports its own libraries and validates the data.
    managers = [start_kernel(kernel) for _ in stale[:jobs]]
    managers += [None] * (len(stale) - len(managers))
    try:
        started = {
            pool.submit(_timed, run_one, r, kernel, staging, m): r
            for r, m in zip(stale, managers, strict=True)
        }
        if stale:
            names = "、".join(r.name for r in stale)
            echo(f"報告書 {len(stale)} 件を作成します（同時に {jobs} 件）：{names}")
        try:
            built = tables.build(options)
        except (DataError, InputError) as error:
            findings = getattr(error, "all_findings", None) or [error.finding]  # type: ignore[union-attr]
            for line in console_lines(findings, options.verbose):
                echo(line)
            echo(
                "入力データに誤りがあるため中止しました。reports/ と data/processed/ は変更していません。"
            )
            return 1
        validation_lines = [
            *console_lines(built.findings, options.verbose),
            summary(built.findings),
        ]
        for line in validation_lines:
            echo(line)
        try:
            written = tables.write(
                built.tables, staging.path(DATA_PROCESSED), staging.path(WORKBOOK)
            )
        except OSError as error:
            raise outputs.OutputError(staging.folder, error) from None
        echo(f"集計表 {len(written) - 1} 件と Excel ブックを作成しました。")
        warm_exporter()
        results: dict[str, tuple[Path, list[Path]]] = {}
        failures = 0
        for count, future in enumerate(as_completed(started), start=1):
            report = started[future]
            try:
                (html, figures), seconds = future.result()
            except NotebookFailed as error:
                failures += 1
                echo(f"[{count}/{len(stale)}] {report.name}：失敗 — {error}")
                continue
            except OSError as error:
                raise outputs.OutputError(staging.folder, error) from None
            results[report.name] = (html, figures)
            echo(f"[{count}/{len(stale)}] {report.name}：完了（{seconds:.1f} 秒）")
        if failures:
            echo(f"{failures} 件の報告書が失敗したため、出力は前回のまま残しました。")
            return 1
        moves, deletions, new_manifest = _plan_commit(
            staging, written, results, digests, manifest, gone, validation_lines
        )
        outputs.commit(staging, moves, deletions, new_manifest)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for manager in managers:  # those whose report was cancelled before it began
            if manager is not None:
                stop_kernel(manager)
        if not staging.decided():  # a decided commit is finished by the next run's recovery
            staging.discard()
    if "revision" in gone:
        echo("比較する2つの版がなくなったため、reports/revision.html とその図を削除しました。")
    if "projection" in gone:
        echo(
            "男女・5歳階級別のデータがなくなったため、reports/projection.html とその図を削除しました。"
        )
    echo("reports/ と data/processed/ を更新しました。")
    return 0


def _plan_commit(
    staging: outputs.Staging,
    written: list[Path],
    results: dict[str, tuple[Path, list[Path]]],
    digests: dict[str, str],
    previous: dict[str, Any],
    gone: list[str],
    validation_lines: list[str],
) -> tuple[list[tuple[Path, Path]], list[Path], dict[str, Any]]:
    """What the commit moves and deletes, and the manifest of the complete new set."""
    staged_root = staging.folder / "files"
    moves = [(path, ROOT / path.relative_to(staged_root)) for path in written]
    reports_entry = {
        name: entry
        for name, entry in previous.get("reports", {}).items()
        if name not in gone and name not in results
    }
    for name, (html, figures) in results.items():
        report_moves = [(html, ROOT / html.relative_to(staged_root))]
        report_moves += [(figure, REPORTS / "figures" / figure.name) for figure in figures]
        moves += report_moves
        reports_entry[name] = {
            "fingerprint": digests[name],
            "outputs": sorted(outputs.relative(final) for _, final in report_moves),
        }
    new_files = {outputs.relative(final): outputs.hash_file(staged) for staged, final in moves}
    kept = {
        name
        for entry in reports_entry.values()
        for name in entry["outputs"]
        if name not in new_files
    }
    files = {name: previous["files"][name] for name in kept} | new_files
    # Every output the previous set had and the new one has not: tables no longer
    # produced, figures of a rerun report that it no longer draws, a report now gone.
    deletions = [ROOT / name for name in previous.get("files", {}) if name not in files]
    manifest = {
        "version": outputs.MANIFEST_VERSION,
        "reports": reports_entry,
        "tables": sorted(outputs.relative(final) for _, final in moves[: len(written)]),
        "files": dict(sorted(files.items())),
        "validation": {"lines": validation_lines},
    }
    return moves, deletions, manifest


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start
