"""The run: validate, compute the tables, execute the report notebooks, replace the outputs.

Orchestrates from the top (nothing below imports it). Every output is built in
a staging folder and replaced all at once by :mod:`analysis.run.outputs`, only when
the data passed and every notebook succeeded. Heavy libraries are imported
inside functions: a run in which nothing changed answers from the manifest
without importing pandas or starting a kernel.
"""

from __future__ import annotations

import contextlib
import csv
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analysis.core.exit_codes import ExitCode
from analysis.core.findings import Finding, console_lines, summary
from analysis.core.paths import CACHE, DATA_PROCESSED, DATA_RAW, NOTEBOOKS, REPORTS, ROOT
from analysis.core.schema import is_yes
from analysis.run import interrupts, outputs
from analysis.run.execution import (
    FIGURE_CACHE,
    NotebookFailed,
    NotebookKernel,
    Report,
    ensure_kernel,
    figure_paths,
    kill_kernels,
    reopen_kernels,
    start_kernel,
    to_html,
    warm_exporter,
)
from analysis.run.interrupts import checkpoint
from analysis.run.options import Options, comparison_years, option_problems

TITLES = {
    "population": "圏域の人口の見通し",
    "kpi": "成果指標（KPI）と事業費",
    "revision": "人口ビジョン改訂の比較",
    "projection": "男女・5歳階級別の将来人口推計",
}
WORKBOOK = REPORTS / "tables.xlsx"
INPUT_ERROR_LINE = (
    "入力データに誤りがあるため中止しました。reports/ と data/processed/ は変更していません。"
)


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
    labels = {
        "vision_label": options.vision_label,
        "projection_label": options.projection_label,
        "vision_source": options.vision_source,
        "vision_extended_after": options.vision_extended_after,
    }
    target_years = ",".join(str(y) for y in comparison_years(options.target_year))
    revision = [
        Report(
            "revision",
            NOTEBOOKS / "reports" / "revision.py",
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
            NOTEBOOKS / "reports" / "population.py",
            {
                "municipality": "圏域",
                "base_year": options.base_year,
                "target_year": options.target_year,
                "vision_path": str(options.vision or ""),
                "projection_path": str(options.projection or ""),
                "output_dir": "",
                "method": options.method,
                "age_sex_path": str(options.age_sex or ""),
                "age_sex_label": options.age_sex_label,
                "population_actuals_path": str(options.population_actuals or ""),
                **labels,
            },
            (*supplied, *((options.population_actuals,) if options.population_actuals else ())),
        ),
        Report(
            "kpi",
            NOTEBOOKS / "reports" / "kpi.py",
            {
                "as_of_fiscal_year": options.as_of,
                "actuals_path": str(options.actuals or ""),
                "plan_path": str(options.plan or ""),
                "spending_path": str(options.spending or ""),
                "output_dir": "",
            },
            (
                *(p for p in (options.actuals, options.spending) if p),
                *(sorted(p for p in options.plan.glob("*") if p.is_file()) if options.plan else ()),
            ),
        ),
        *(revision if has_revision(options) else []),
        *([projection_report(options)] if has_age_sex(options) else []),
    ]


def projection_report(options: Options) -> Report:
    return Report(
        "projection",
        NOTEBOOKS / "reports" / "projection.py",
        {
            "age_sex_path": str(options.age_sex or ""),
            "age_sex_label": options.age_sex_label,
            "survival_path": str(options.survival or ""),
            "settings_path": str(options.projection_settings or ""),
            "profile_path": str(options.settler_profile or ""),
            "scenarios_path": str(options.scenarios or ""),
            "output_dir": "",
        },
        options.projection_inputs,
    )


def _unreadable_files(options: Options) -> list[Finding]:
    """Supplied files that cannot be read at all (missing, a folder, a pipe, too large, …),
    found before any kernel starts: the same one line the readers would give, at once."""
    from analysis.inputs.io import InputError, check_readable

    supplied = (
        options.vision,
        options.projection,
        options.actuals,
        options.spending,
        options.age_sex,
        options.population_actuals,
        options.survival,
        options.projection_settings,
        options.settler_profile,
        options.scenarios,
    )
    found = []
    for path in supplied:
        if path is None:
            continue
        try:
            check_readable(path)
        except InputError as error:
            found.append(error.finding)
    return found


VISION_FROM_SCENARIO = CACHE / "vision_from_scenario.csv"
"""Where ``--vision-from-scenario`` puts the scenario as a vision file, which the run then
uses exactly as a file supplied with ``--vision`` (the tables copy it to data/processed/)."""


def _vision_from_scenario(
    options: Options, echo: Callable[[str], None], projected: Any
) -> tuple[Options, Any] | None:
    """The options with the scenario's vision file as ``--vision``, and the projections
    (``projected``, else computed now) (None: invalid input)."""
    from analysis.core.findings import DataError
    from analysis.inputs.io import InputError, write_csv
    from analysis.model import population
    from analysis.run import tables

    try:
        if projected is None:
            projected = tables.projections(options, tables.population_data())
        table, label = population.scenario_vision(projected, options.vision_from_scenario or "")
    except (DataError, InputError) as error:
        _say_invalid(error, options, echo)
        return None
    VISION_FROM_SCENARIO.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, VISION_FROM_SCENARIO)
    derived = replace(
        options,
        vision=VISION_FROM_SCENARIO,
        vision_label=options.vision_label or population.vision_label_of(label),
        vision_source=f"市町独自のシナリオ「{label}」の推計（男女・5歳階級別）から作成",
        vision_extended_after=int(projected.results.base.years[-1]) if projected else 0,
    )
    return derived, projected


PROJECTION_FROM_AGE_SEX = CACHE / "projection_from_age_sex.csv"
"""Where a run with age × sex data puts their パターン1 in three groups, which the run then uses
as its projection edition exactly as a file supplied with ``--projection``."""


def _own_base(options: Options, echo: Callable[[str], None]) -> tuple[Options, Any] | None:
    """The options with the age × sex data's パターン1 as ``--projection``, and the
    projections, computed once for the whole run (None: invalid input).

    A run given age × sex data (``--age-sex``) or making a vision from a scenario compares
    its vision, revision and population tables with the パターン1 of those data, its own
    base, unless ``--projection`` names another edition; the label says which base.
    """
    from analysis.core.findings import DataError
    from analysis.inputs.io import InputError, write_csv
    from analysis.model import population
    from analysis.run import tables

    try:
        data = tables.population_data()
        projected = tables.projections(options, data)
        if projected is None:
            return options, None
        table, _ = population.scenario_vision(projected, "pattern1")
    except (DataError, InputError) as error:
        _say_invalid(error, options, echo)
        return None
    PROJECTION_FROM_AGE_SEX.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, PROJECTION_FROM_AGE_SEX)
    derived = replace(
        options,
        projection=PROJECTION_FROM_AGE_SEX,
        projection_label=options.projection_label or f"パターン1（{projected.source}から再計算）",
    )
    return derived, projected


def _say_invalid(error: Exception, options: Options, echo: Callable[[str], None]) -> None:
    """Every finding of invalid input, one line each, then that nothing was changed."""
    findings = getattr(error, "all_findings", None) or [error.finding]  # type: ignore[attr-defined]
    for line in console_lines(findings, options.verbose):
        echo(line)
    echo(INPUT_ERROR_LINE)


def _needs_age_sex(options: Options) -> list[Finding]:
    """Options of the projections given without age × sex data would be silently unused."""
    given = [
        name
        for name, value in (
            ("--survival", options.survival),
            ("--projection-settings", options.projection_settings),
            ("--settler-profile", options.settler_profile),
            ("--scenarios", options.scenarios),
            ("--vision-from-scenario", options.vision_from_scenario),
        )
        if value
    ]
    if not given or has_age_sex(options):
        return []
    reason = "男女・5歳階級別のデータ（--age-sex、または editions.csv に登録した版）があるときだけ使えます"
    reason_en = "only used with data by sex and age (--age-sex or a registered edition)"
    return [
        Finding(
            severity="error",
            file="",
            line=None,
            column=name,
            check="option",
            params={"option": name, "reason": reason, "reason_en": reason_en},
        )
        for name in given
    ]


def report_fingerprint(report: Report, shared: str) -> str:
    """Content hash of everything the report depends on (``shared`` covers the common part)."""
    return outputs.fingerprint(shared, [report.notebook, *report.inputs], report.parameters)


def run_one(
    report: Report,
    kernel: str | NotebookKernel,
    staging: outputs.Staging,
    results: Path | None = None,
) -> tuple[Path, list[Path]]:
    """Execute one report into ``staging``: its HTML and its figures, not yet in place.

    ``kernel``: a :class:`~analysis.run.execution.NotebookKernel` that may run other
    notebooks before and after this one (the caller stops it), or the name of a kernel to
    start for this notebook alone (stopped here). ``results``: the run's computed
    results (:func:`analysis.run.results.save`), which the notebook narrates; without them it
    computes them itself, as when opened by hand. Returns the staged HTML and figure files.
    """
    # Named by process: a kernel orphaned by a killed run (it exits within about a
    # second) can never write into the folder of the run that follows.
    folder = staging.folder / "notebooks" / f"{report.name}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    staged = Report(
        report.name,
        report.notebook,
        # Where this run's files are: never part of the report's fingerprint or recipe.
        {
            **report.parameters,
            "output_dir": str(folder),
            **({"results_path": str(results)} if results else {}),
            "figure_cache": str(FIGURE_CACHE),
        },
        report.inputs,
    )
    checkpoint(f"notebook:{report.name}")
    runner = NotebookKernel(kernel) if isinstance(kernel, str) else kernel
    try:
        notebook = runner.execute(staged)
    finally:
        if runner is not kernel:
            runner.close()
    checkpoint(f"executed:{report.name}")
    figures = figure_paths(notebook)
    html = staging.path(report.html)
    html.parent.mkdir(parents=True, exist_ok=True)
    page = to_html(notebook, TITLES.get(report.name, report.name))
    html.write_text(page, encoding="utf-8", newline="\n")  # LF on every OS
    checkpoint(f"html:{report.name}")
    return html, figures


def say(line: str) -> None:
    """Progress lines appear at once, also when the output goes to a pipe or a log file."""
    print(line, flush=True)


STOP_GRACE_SECONDS = 0.7
"""How long a stopped run waits for its working thread to unwind before it returns."""


def run(options: Options, echo: Callable[[str], None] = say) -> int:
    """Regenerate what is out of date, replacing all outputs together; return the exit code.

    The work runs in a thread of its own; this (main) thread only supervises, so
    that Ctrl-C or SIGTERM (see :mod:`analysis.run.interrupts`) ends the run within
    about a second whatever the work is doing: the kernels are killed, the
    previous outputs stand, and the exit code is 130 (Ctrl-C) or 143 (SIGTERM).
    """
    problems = option_problems(options) + _needs_age_sex(options)
    if problems:
        for problem in problems:
            echo(str(problem))
        return ExitCode.USAGE
    unreadable = _unreadable_files(options)
    if unreadable:
        for problem in unreadable:
            echo(str(problem))
        echo(INPUT_ERROR_LINE)
        return ExitCode.FAILED
    interrupts.reset()
    reopen_kernels()
    with interrupts.handling_signals():
        try:
            with outputs.run_lock():
                return _supervise(options, echo)
        except outputs.Busy:
            echo(str(Finding(severity="error", file="", line=None, column="-", check="busy")))
            return ExitCode.BUSY
        except outputs.OutputError as error:
            echo(str(error))
            return ExitCode.FAILED


def _supervise(options: Options, echo: Callable[[str], None]) -> int:
    outcome: dict[str, Any] = {}
    progress = _Progress()

    def work() -> None:
        try:
            outcome["code"] = _run_locked(options, echo, progress)
        except interrupts.Stopped:
            outcome["stopped"] = True
        except BaseException as error:  # handed to the main thread, raised there
            outcome["error"] = error

    worker = threading.Thread(target=work, name="analysis-run", daemon=True)
    worker.start()
    while worker.is_alive() and not interrupts.requested():
        worker.join(0.05)
    if interrupts.requested():
        kill_kernels()
        worker.join(STOP_GRACE_SECONDS)
        if progress.decided:
            echo(
                "中断しました。出力の置き換えはすでに始まっていたため、"
                "完了しているか、次回の実行で完了します。"
            )
        else:
            echo("中断しました。出力（reports/ と data/processed/）は前回のまま残っています。")
        return interrupts.exit_code()
    if "error" in outcome:
        raise outcome["error"]
    return int(outcome["code"])


@dataclass
class _Progress:
    """What the working thread has done, for the supervisor's last message."""

    staging: outputs.Staging | None = None

    @property
    def decided(self) -> bool:
        return self.staging is not None and self.staging.decided()


def _run_locked(options: Options, echo: Callable[[str], None], progress: _Progress) -> int:
    checkpoint("locked")
    repaired = outputs.recover()
    if repaired == "finished":
        echo("前回中断された出力の置き換えを完了しました。")
    checkpoint("recovered")
    # The projections, when the options derived below need them first: computed once, and
    # the run's results reuse them (the options they depend on are not derived).
    projected: Any = None
    if (options.age_sex or options.vision_from_scenario) and not options.projection:
        own = _own_base(options, echo)
        if own is None:
            return ExitCode.FAILED
        options, projected = own
    if options.vision_from_scenario:
        derived = _vision_from_scenario(options, echo, projected)
        if derived is None:
            return ExitCode.FAILED
        options, projected = derived
    reports = reports_for(options)
    manifest = outputs.read_manifest()
    shared = outputs.shared_fingerprint()  # read the raw data and code once, not once per report
    digests = {r.name: report_fingerprint(r, shared) for r in reports}
    intact = outputs.consistent(manifest)
    checkpoint("fingerprinted")
    if manifest and not intact:
        echo("前回の出力の一部が欠けているか変更されているため、すべて作り直します。")
    recorded = manifest.get("reports", {})
    stale = [
        r
        for r in reports
        if options.force
        or not intact
        or recorded.get(r.name, {}).get("fingerprint") != digests[r.name]
        or "recipe" not in recorded.get(r.name, {})  # built before manifests recorded it
    ]
    gone = [name for name in recorded if name not in {r.name for r in reports}]
    if not stale and not gone:
        for line in manifest.get("validation", {}).get("lines", []):
            echo(line)
        echo("すべての報告書は最新です（入力に変更はありません。作り直すには --force）。")
        return ExitCode.OK
    # A damaged set is rebuilt whole; its manifest still says which old files to remove.
    staging = outputs.Staging.fresh()
    progress.staging = staging
    try:
        code = _build(options, echo, staging, stale, digests, manifest, gone, projected)
    finally:
        if not staging.decided():  # a decided commit is finished by the next run's recovery
            staging.discard()
    if code == ExitCode.OK:
        _say_removed(echo, gone)
        echo("reports/ と data/processed/ を更新しました。")
    return code


def _build(
    options: Options,
    echo: Callable[[str], None],
    staging: outputs.Staging,
    stale: list[Report],
    digests: dict[str, str],
    manifest: dict[str, Any],
    gone: list[str],
    projected: Any = None,
) -> int:
    """Build every stale output in ``staging``; commit them with the rest if all succeeded."""
    with _Notebooks(stale, staging, options.jobs) as notebooks:
        if stale:
            names = "、".join(r.name for r in stale)
            echo(f"報告書 {len(stale)} 件を作成します（同時に {notebooks.jobs} 件）：{names}")
        tables_built = _tables(options, echo, staging, notebooks, projected)
        if tables_built is None:
            notebooks.abandon()
            return ExitCode.FAILED
        written, validation_lines = tables_built
        warm_exporter()
        checkpoint("exporter-warmed")
        results = notebooks.collect(echo)
    if results is None:
        return ExitCode.FAILED
    checkpoint("notebooks-done")
    recipes = {r.name: outputs.recipe(r.notebook, r.inputs, r.parameters) for r in stale}
    moves, deletions, new_manifest = _plan_commit(
        staging, written, results, digests, recipes, manifest, gone, validation_lines
    )
    checkpoint("journal")
    outputs.commit(staging, moves, deletions, new_manifest)
    checkpoint("committed", stoppable=False)
    from analysis.report import figure_cache  # matplotlib: not for a run that finds nothing to do

    figure_cache.prune(FIGURE_CACHE)
    return ExitCode.OK


def _tables(
    options: Options,
    echo: Callable[[str], None],
    staging: outputs.Staging,
    notebooks: _Notebooks,
    projected: Any = None,
) -> tuple[list[Path], list[str]] | None:
    """Validate the inputs and compute every result once (``projected``: the projections,
    if already computed); hand the results to the notebooks, then write every table into
    ``staging`` (None: invalid input)."""
    from analysis.core.findings import DataError
    from analysis.inputs.io import InputError
    from analysis.run import results, tables

    try:
        computed = results.compute(options, projected)
    except (DataError, InputError) as error:
        _say_invalid(error, options, echo)
        return None
    built = computed.built
    checkpoint("tables-built")
    validation_lines = [*console_lines(built.findings, options.verbose), summary(built.findings)]
    for line in validation_lines:
        echo(line)
    try:
        # Outside staging's files/: never moved into reports/ or data/processed/; deleted
        # with the staging folder when the run ends. Named by process, like the notebooks'.
        notebooks.provide(
            results.save(computed, staging.folder / f"results-{os.getpid()}" / results.RESULTS_FILE)
        )
    except OSError as error:
        raise outputs.OutputError(staging.folder, error) from None
    try:
        written = tables.write(
            built.tables, staging.path(DATA_PROCESSED), staging.path(WORKBOOK), built.edition_labels
        )
    except OSError as error:
        raise outputs.OutputError(staging.folder, error) from None
    echo(f"集計表 {len(written) - 2} 件とその説明、Excel ブックを作成しました。")
    checkpoint("tables-written")
    return written, validation_lines


class _Notebooks:
    """The report notebooks, run by daemon threads once the run's results exist.

    The first kernels are launched at once: they start and import while this
    process imports its own libraries, validates the data and computes the results.
    A notebook executes only after :meth:`provide` named the results it narrates.
    Daemon threads (not a ThreadPoolExecutor, whose threads the interpreter joins at
    exit) so that a stopped run can always exit, whatever a notebook is doing.
    """

    def __init__(self, stale: list[Report], staging: outputs.Staging, jobs: int) -> None:
        self.reports = stale
        self.staging = staging
        self.jobs = max(1, min(jobs, len(stale)))
        self.finished: queue.Queue[tuple[Report, Any, float]] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.abandoned = False
        self.results: Path | None = None
        self.ready = threading.Event()
        """Set once the results are saved (or the notebooks abandoned: nothing to narrate)."""
        if not stale:
            return
        # What the threads import first is imported here, before they start: no
        # exception is ever thrown into an import (signals only set a flag), but an
        # import lock is still better not shared by threads that are started together.
        import jupytext  # noqa: F401
        import papermill.exceptions  # noqa: F401

        kernel = ensure_kernel()
        checkpoint("kernelspec")
        # One kernel per thread, launched now; each runs its thread's notebooks in turn.
        runners = [NotebookKernel(kernel, start_kernel(kernel)) for _ in range(self.jobs)]
        checkpoint("kernels-launched")
        self.pending: queue.Queue[Report] = queue.Queue()
        for report in stale:
            self.pending.put(report)
        for number, runner in enumerate(runners):
            thread = threading.Thread(
                target=self._work, args=(runner,), name=f"notebook-{number}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def provide(self, results: Path) -> None:
        """The results are saved at ``results``: the notebooks may execute now."""
        self.results = results
        self.ready.set()

    def _wait_for_results(self) -> bool:
        """Wait until the results exist; False when the notebooks were abandoned instead."""
        while not self.ready.wait(0.05):
            interrupts.check()
        return self.results is not None and not self.abandoned

    def _work(self, runner: NotebookKernel) -> None:
        try:
            # A report first, so that with as many kernels as reports each runs in a new one.
            report = self._next()
            if report is None:
                return
            # While the run validates and computes, the kernel imports what the notebooks
            # need. A failure here counts as the report's first try (NotebookKernel.execute).
            with contextlib.suppress(BaseException):
                runner.prepare()
            while report is not None:
                start = time.perf_counter()
                try:
                    if not self._wait_for_results():
                        return
                    result: Any = run_one(report, runner, self.staging, self.results)
                except BaseException as error:  # reported by collect(), in the run's thread
                    result = error
                self.finished.put((report, result, time.perf_counter() - start))
                report = self._next()
        finally:
            with contextlib.suppress(Exception):
                runner.close()

    def _next(self) -> Report | None:
        try:
            return self.pending.get_nowait()
        except queue.Empty:
            return None

    def collect(self, echo: Callable[[str], None]) -> dict[str, tuple[Path, list[Path]]] | None:
        """Wait for every notebook; their staged files, or None if any failed."""
        results: dict[str, tuple[Path, list[Path]]] = {}
        failures = 0
        for count in range(1, len(self.reports) + 1):
            while True:
                interrupts.check()
                try:
                    report, result, seconds = self.finished.get(timeout=0.1)
                    break
                except queue.Empty:
                    continue
            if isinstance(result, NotebookFailed):
                failures += 1
                echo(f"[{count}/{len(self.reports)}] {report.name}：失敗 — {result}")
            elif isinstance(result, OSError):
                raise outputs.OutputError(self.staging.folder, result)
            elif isinstance(result, BaseException):
                raise result
            else:
                results[report.name] = result
                echo(f"[{count}/{len(self.reports)}] {report.name}：完了（{seconds:.1f} 秒）")
        if failures:
            echo(f"{failures} 件の報告書が失敗したため、出力は前回のまま残しました。")
            return None
        return results

    def __enter__(self) -> _Notebooks:
        return self

    def abandon(self) -> None:
        """Nothing will read the notebooks' results (invalid input): end them now."""
        self.abandoned = True
        self.ready.set()

    def __exit__(self, *exc: object) -> None:
        """Wait for the threads, which stop their kernels; kill them all if the run was cut
        short (an error or a stop came first)."""
        if not self.threads:
            return
        cut_short = exc[0] is not None or self.abandoned
        if cut_short:
            self.abandoned = True
            self.ready.set()  # a notebook still waiting for results has none to narrate
            # The running ones too: nothing will read their results, and their
            # threads (daemons) are not waited for beyond a moment.
            kill_kernels()
        for thread in self.threads:
            thread.join(0.2 if cut_short else None)


def _say_removed(echo: Callable[[str], None], gone: list[str]) -> None:
    if "revision" in gone:
        echo("比較する2つの版がなくなったため、reports/revision.html とその図を削除しました。")
    if "projection" in gone:
        echo(
            "男女・5歳階級別のデータがなくなったため、reports/projection.html とその図を削除しました。"
        )


def _plan_commit(
    staging: outputs.Staging,
    written: list[Path],
    results: dict[str, tuple[Path, list[Path]]],
    digests: dict[str, str],
    recipes: dict[str, dict[str, Any]],
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
            "recipe": recipes[name],  # so that `pdf` can tell whether the report is current
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
    # The PDF of a rebuilt or removed report (analysis.run.pdf) would show the old numbers.
    deletions += [
        pdf for name in [*results, *gone] if (pdf := REPORTS / "pdf" / f"{name}.pdf").exists()
    ]
    manifest = {
        "version": outputs.MANIFEST_VERSION,
        "reports": reports_entry,
        "tables": sorted(outputs.relative(final) for _, final in moves[: len(written)]),
        "files": dict(sorted(files.items())),
        "validation": {"lines": validation_lines},
    }
    return moves, deletions, manifest
