"""Command line: ``python -m analysis validate`` and ``python -m analysis reports``.

Every fault of the input or the environment ends in one line that leads with
Japanese, never in a traceback. An unexpected internal error is one line too;
its traceback goes to ``.cache/last-error.log`` for whoever maintains the code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from analysis.core.exit_codes import ExitCode, stopped_by_signal
from analysis.core.paths import CACHE

if TYPE_CHECKING:
    from analysis.core.findings import Finding

VALIDATION_CACHE = CACHE / "validation.json"
ERROR_LOG = CACHE / "last-error.log"


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors led by a Japanese line."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2, f"コマンドの指定が正しくありません：{message}\n（使い方：{self.prog} --help）\n"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m analysis",
        description="一関・平泉定住自立圏共生ビジョン: validate the data and regenerate every report.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser(
        "validate", help="check data/raw/ and print every finding (exit 1 on errors)"
    )
    check.add_argument("--raw-dir", type=Path, help="check another folder laid out like data/raw/")
    check.add_argument("--verbose", action="store_true", help="also print each finding in English")
    commands.add_parser("pdf", help="print every report to an A4 PDF in reports/pdf/")
    commands.add_parser(
        "proof", help="print every report to PDF and draw all pages on reports/pdf/proof.png"
    )
    reports = commands.add_parser("reports", help="regenerate reports/ and data/processed/")
    _add_population_options(reports)
    _add_plan_options(reports)
    _add_projection_options(reports)
    reports.add_argument("--verbose", action="store_true", help="also print findings in English")
    return parser


def _add_population_options(reports: argparse.ArgumentParser) -> None:
    """The years reported, the population editions supplied, and how the run works."""
    reports.add_argument(
        "--target-year", type=int, default=2028, help="year to report (default 2028)"
    )
    reports.add_argument("--base-year", type=int, default=2020, help="base year of change rates")
    reports.add_argument("--vision", type=Path, help="a revised population vision (CSV or .xlsx)")
    reports.add_argument("--projection", type=Path, help="a new IPSS projection (CSV or .xlsx)")
    reports.add_argument("--vision-label", default="", help="name of the supplied vision edition")
    reports.add_argument("--projection-label", default="", help="name of the supplied projection")
    reports.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="notebooks run at once"
    )
    reports.add_argument(
        "--force", action="store_true", help="rerun every report even if unchanged"
    )


def _add_plan_options(reports: argparse.ArgumentParser) -> None:
    """The plan's inputs: KPI actuals, a revised plan, spending, population actuals, and the
    fiscal year and interpolation method of the assessment."""
    reports.add_argument(
        "--actuals", type=Path, help="KPI actuals (default data/raw/kpi_actuals.csv)"
    )
    reports.add_argument(
        "--plan", type=Path, help="a revised plan edition (folder with plan.csv and the tables)"
    )
    reports.add_argument(
        "--spending", type=Path, help="budgets spent (決算) by initiative and fiscal year"
    )
    reports.add_argument(
        "--population-actuals",
        type=Path,
        help="population actuals (census, resident register; default data/raw/population_actuals.csv)",
    )
    reports.add_argument(
        "--as-of", type=int, default=0, help="fiscal year the KPIs are assessed at"
    )
    reports.add_argument(
        "--method", choices=["linear", "geometric"], default="linear", help="interpolation method"
    )


def _add_projection_options(reports: argparse.ArgumentParser) -> None:
    """The projection's inputs: counts by age and sex, survival, settings, settlers and
    the planners' own scenarios."""
    reports.add_argument(
        "--age-sex", type=Path, help="population by sex and 5-year age (IPSS workbook or tidy)"
    )
    reports.add_argument("--survival", type=Path, help="survival ratios for シミュレーション2")
    reports.add_argument(
        "--projection-settings", type=Path, help="scenario settings (default data/raw/...)"
    )
    reports.add_argument("--settler-profile", type=Path, help="sex and age of net settlers")
    reports.add_argument(
        "--scenarios", type=Path, help="your own scenarios (将来展望), one assumption per row"
    )
    reports.add_argument(
        "--vision-from-scenario",
        default=None,
        metavar="NAME",
        help="make scenario NAME the vision edition of this run (written to data/processed/)",
    )
    reports.add_argument(
        "--age-sex-label", default="", help="name of the supplied age × sex edition (for 出典)"
    )


def validate(raw_dir: Path | None = None, verbose: bool = False) -> int:
    """Check every input in ``raw_dir``: population editions, KPIs and budgets, KPI actuals.

    The result is cached under the hash of the data, the code and the package
    versions, so an unchanged project answers without loading pandas.
    """
    from analysis.core.paths import DATA_RAW
    from analysis.run import outputs

    folder = (raw_dir or DATA_RAW).resolve()
    key = outputs.fingerprint(
        outputs.shared_fingerprint(folder), [], {"raw_dir": str(folder), "verbose": verbose}
    )
    cached = _read_cache().get(key)
    if cached is None:
        cached = _validate(folder, verbose)
        _write_cache(key, cached)
    for line in cached["lines"]:
        print(line)
    return int(cached["code"])


Result = dict[str, Any]


def _validate(folder: Path, verbose: bool) -> Result:
    from analysis.core.findings import DataError, console_lines, errors_in, summary
    from analysis.inputs.data import read_population
    from analysis.inputs.io import InputError
    from analysis.model.assembly import assemble

    findings: list[Finding] = []
    steps: tuple[Callable[[], None], ...] = (
        lambda: findings.extend(assemble(read_population(folder)).findings),
        lambda: _validate_kpis(folder, findings),
        lambda: _validate_population_actuals(folder, findings),
    )
    for step in steps:
        try:
            step()
        except DataError as error:
            findings += error.all_findings
        except InputError as error:
            findings.append(error.finding)
    errors = errors_in(findings)
    lines = [*console_lines(findings, verbose), summary(findings)]
    if errors:
        lines.append("エラーを直してから、もう一度実行してください。")
    return {"lines": lines, "code": ExitCode.FAILED if errors else ExitCode.OK}


def _validate_kpis(folder: Path, findings: list[Finding]) -> None:
    from analysis.inputs import kpi_plan

    data = kpi_plan.load(folder)
    kpi_plan.load_actuals(folder / "kpi_actuals.csv", data.kpis, findings, data.years)


def _validate_population_actuals(folder: Path, findings: list[Finding]) -> None:
    from analysis.inputs import population_actuals

    path = folder / population_actuals.DEFAULT.name
    if path.exists():
        findings += population_actuals.load(path).findings


def _read_cache() -> dict[str, Result]:
    try:
        return dict(json.loads(VALIDATION_CACHE.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _write_cache(key: str, result: Result) -> None:
    """Keep the latest few results (one per data folder and option set); best effort."""
    from analysis.inputs.io import atomic_open

    entries = _read_cache()
    entries.pop(key, None)
    entries = dict(list(entries.items())[-7:]) | {key: result}
    try:
        with atomic_open(VALIDATION_CACHE) as handle:
            json.dump(entries, handle, ensure_ascii=False)
    except OSError:
        pass  # a cache that cannot be written only costs time


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "validate":
        return validate(arguments.raw_dir, arguments.verbose)
    if arguments.command == "pdf":
        return _print_pdfs()
    if arguments.command == "proof":
        return _print_proof()
    return _run_reports(arguments)


def _print_pdfs() -> int:
    """``pdf``: print every current report to PDF; the exit code."""
    from analysis.core.paths import display_path
    from analysis.run.outputs import OutputError
    from analysis.run.pdf import print_current_reports

    try:
        written = print_current_reports()
    except OutputError as error:  # a PDF held open by a viewer, a full disk
        print(error, flush=True)
        return ExitCode.FAILED
    for path in written:
        print(f"PDF を作成しました：{display_path(path)}", flush=True)
    return ExitCode.OK


def _print_proof() -> int:
    """``proof``: print every report to PDF and draw its pages on one sheet; the exit code."""
    from analysis.core.paths import display_path
    from analysis.run.outputs import OutputError
    from analysis.run.proof import proof

    try:
        printed, sheet = proof()
    except OutputError as error:  # a PDF or the sheet held open by a viewer, a full disk
        print(error, flush=True)
        return ExitCode.FAILED
    for pdf_path in printed:
        print(f"PDF を作成しました：{display_path(pdf_path)}", flush=True)
    print(f"全ページの一覧を作成しました：{display_path(sheet)}", flush=True)
    return ExitCode.OK


def _run_reports(arguments: argparse.Namespace) -> int:
    """``reports``: the pipeline run with the parsed options; the exit code."""
    from analysis.run.options import Options
    from analysis.run.pipeline import run

    def absolute(path: Path | None) -> Path | None:
        return supplied_path(path) if path else None

    options = Options(
        target_year=arguments.target_year,
        base_year=arguments.base_year,
        vision=absolute(arguments.vision),
        projection=absolute(arguments.projection),
        jobs=arguments.jobs,
        force=arguments.force,
        method=arguments.method,
        actuals=absolute(arguments.actuals),
        plan=absolute(arguments.plan),
        spending=absolute(arguments.spending),
        population_actuals=absolute(arguments.population_actuals),
        as_of=arguments.as_of,
        vision_label=arguments.vision_label,
        projection_label=arguments.projection_label,
        verbose=arguments.verbose,
        age_sex=absolute(arguments.age_sex),
        survival=absolute(arguments.survival),
        projection_settings=absolute(arguments.projection_settings),
        settler_profile=absolute(arguments.settler_profile),
        scenarios=absolute(arguments.scenarios),
        vision_from_scenario=(
            None
            if arguments.vision_from_scenario is None
            else arguments.vision_from_scenario.strip()
        ),
        age_sex_label=arguments.age_sex_label.strip(),
    )
    return run(options)


def supplied_path(path: Path) -> Path:
    """A file named on the command line, as an absolute path (links are not followed).

    A path typed with Windows separators (``data\\raw\\x.csv``, copied from Explorer)
    is read with ``/`` where the system uses ``/`` and only that spelling exists.
    """
    if not path.exists() and "\\" in str(path) and os.sep == "/":
        alternative = Path(str(path).replace("\\", "/"))
        if alternative.exists():
            path = alternative
    return Path(os.path.abspath(path))


def _console_never_fails() -> None:
    """A console, or output redirected to a file, in cp932 (Windows) cannot show every
    character (〜, emoji in a file name): those are shown as ``?``, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding not in {"utf8", "utf8sig"} and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def guarded_main(argv: list[str] | None = None) -> int:
    """:func:`main`, with every fault turned into one line (Japanese first) and an exit code."""
    from analysis.core.findings import DataError
    from analysis.inputs.io import InputError

    _console_never_fails()
    try:
        return main(argv)
    except KeyboardInterrupt as stop:  # before the run took over the signals
        print("中断しました。出力は前回のまま残っています。", flush=True)
        return ExitCode.TERMINATED if isinstance(stop, _Terminated) else ExitCode.INTERRUPTED
    except InputError as error:
        print(error, flush=True)
        return ExitCode.FAILED
    except DataError as error:
        for finding in error.findings:
            print(finding, flush=True)
        return ExitCode.FAILED
    except OSError as error:
        if environment_gone():
            print(ENVIRONMENT_GONE, flush=True)
            return ExitCode.FAILED
        from analysis.core.paths import display_path
        from analysis.run.outputs import os_reason

        where = f"：{display_path(error.filename)}" if error.filename else ""
        print(f"ファイルを読み書きできません{where}（{os_reason(error)}）", flush=True)
        return ExitCode.FAILED
    except Exception as error:  # a defect in the code, not the planner's fault
        import traceback

        if environment_gone():  # modules or the kernel's Python vanished with it
            print(ENVIRONMENT_GONE, flush=True)
            return ExitCode.FAILED

        try:
            CACHE.mkdir(exist_ok=True)
            ERROR_LOG.write_text(traceback.format_exc(), encoding="utf-8", newline="\n")
            where = "。詳細は .cache/last-error.log にあります"
        except OSError:
            where = ""
        print(
            f"内部エラーのため中止しました（{type(error).__name__}: {error}）{where}。"
            "出力は前回のまま残っています。",
            flush=True,
        )
        return ExitCode.INTERNAL


ENVIRONMENT_GONE = (
    "Python の環境（.venv）が実行中に移動または削除されたため中止しました。"
    "出力は前回のまま残っています。このフォルダでもう一度実行してください（環境は自動で作り直されます）"
)


def environment_gone() -> bool:
    """True when the interpreter's own environment was moved or deleted during the run
    (a ``.venv`` renamed, or the project folder moved in Explorer): every later import
    or kernel start then fails, which is not a defect of the code."""
    return not Path(sys.executable).exists() or not Path(sys.prefix).is_dir()


class _Terminated(KeyboardInterrupt):
    """SIGTERM before a run installs its own handlers (only one thread exists then)."""


def _terminate_like_ctrl_c() -> None:
    import signal

    def terminate(signum: int, frame: object) -> None:
        raise _Terminated()

    signal.signal(signal.SIGTERM, terminate)


def exit_quickly(code: int) -> None:
    """Exit without the interpreter's final garbage collections over ~1,800 modules.

    Freezing the heap first turns ~0.3 s of teardown into ~0.04 s; atexit
    handlers, destructors and stream flushing still run as usual.
    """
    import gc

    if stopped_by_signal(code):  # 130 Ctrl-C, 143 SIGTERM, 149 Ctrl-Break (Windows)
        # A stopped run may leave a thread inside a library call it cannot leave;
        # the outputs are safe (all or nothing), so nothing is waited for.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    gc.disable()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    _terminate_like_ctrl_c()
    exit_quickly(guarded_main())
