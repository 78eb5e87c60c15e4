"""Where the planners work: no make, a Japanese folder name, a workbook open in Excel, cp932.

Every project copy of the suite already lives in a folder named ``人口 分析`` (see
``conftest.FOLDER``), so every run and notebook test also covers a path with a
space and Japanese characters.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.run.interrupts import TEST_HOOK
from tests.conftest import FOLDER, RUN_TIMEOUT, Project, assert_complete, wait_for_checkpoint


def without_make() -> str:
    """PATH without any folder that holds a ``make``."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "make").exists())


def link_environment(project: Project) -> None:
    """The copy's ``.venv`` is this environment (installing again would take minutes)."""
    venv = project.root / ".venv"
    if not venv.exists():
        if os.name == "nt":  # a junction needs no privilege (mklink /J), a symbolic link does
            subprocess.run(["cmd", "/c", "mklink", "/J", str(venv), sys.prefix], check=True)
        else:
            venv.symlink_to(Path(sys.prefix), target_is_directory=True)
    stamp = venv / ".installed-stamp"
    expected = subprocess.run(
        [sys.executable, "-c", "import tasks; print(tasks.wanted_stamp())"],
        cwd=project.root, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not stamp.is_file() or stamp.read_text(encoding="utf-8").strip() != expected:
        pytest.skip("this environment was not installed by tasks.py (run `python tasks.py setup`)")


def front_door(
    project: Project,
    *arguments: str,
    env: dict[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``python tasks.py ARGUMENTS`` in the copy, with no make on PATH, using this environment.

    ``env``: variables added to the environment; ``wrapper``: what starts the command (such
    as ``unshare -n …`` to cut the network)."""
    link_environment(project)
    return subprocess.run(
        [*wrapper, sys.executable, "tasks.py", *arguments],
        cwd=project.root,
        capture_output=True,
        text=True,
        encoding=project.encoding,
        timeout=RUN_TIMEOUT,
        env=typed_by_hand(project.environment({"PATH": without_make(), **(env or {})})),
        check=False,
    )


@dataclass(frozen=True)
class Stopped:
    """How a stopped front-door run ended."""

    code: int
    """tasks.py's exit code."""
    output: str
    """Its standard output (the run's, passed through)."""
    seconds: float
    """From the stop to tasks.py's end."""


def stop_a_front_door_run(
    project: Project, stop: Callable[[subprocess.Popen[str]], None], at: str = "tables-built"
) -> Stopped:
    """``tasks.py reports --force`` held at the checkpoint ``at``, then stopped by
    ``stop(process)`` (Ctrl-C or Ctrl-Break from the terminal or console, tasks.py killed).

    Returns once tasks.py, the run and its kernels have all ended (the pipes reach end of
    file only then). Asserts what every way of stopping must leave: no kernel, and the
    outputs as they were. The run has a process group (a console) of its own, as the
    command a person types in a terminal or a ``cmd.exe`` window.
    """
    link_environment(project)
    before = project.snapshot()
    process = subprocess.Popen(
        [sys.executable, "tasks.py", "reports", "--force"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding=project.encoding,
        env=typed_by_hand(project.environment({TEST_HOOK: f"{at}:hold"})),
        start_new_session=True,  # Linux: a session; the simulation's console likewise
    )
    try:
        wait_for_checkpoint(process, at)  # the run holds here until it is told
        sent = time.monotonic()
        stop(process)
        process.wait(timeout=30)
        seconds = time.monotonic() - sent
        output = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
    assert project.kernels() == []
    assert {k: v for k, v in project.snapshot().items() if "/.staging/" not in k} == before
    return Stopped(process.returncode, output, seconds)


def typed_by_hand(environment: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a command typed in a terminal (not started by make or by tasks.py)."""
    given = os.environ if environment is None else environment
    return {k: v for k, v in given.items() if not k.startswith(("MAKE", "ANALYSIS_FRONT"))}


def test_the_front_door_works_without_make_and_passes_arguments_through(
    fresh_project: Project,
) -> None:
    assert FOLDER in str(fresh_project.root)
    assert shutil.which("make", path=without_make()) is None
    validated = front_door(fresh_project, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "検証結果：エラー 0 件" in validated.stdout
    refused = front_door(fresh_project, "reports", "--as-of", "1999")  # passed through to the run
    assert refused.returncode == 2
    assert "--as-of：1999年度は計画期間（2024～2028年度）の外です" in refused.stdout
    unknown = front_door(fresh_project, "report")
    assert unknown.returncode == 2
    assert "「report」というコマンドはありません" in unknown.stdout
    assert "使い方：python3 tasks.py コマンド" in unknown.stdout  # what was typed; never make


LOCKED_DURING = """
import os, sys
from analysis.run import outputs, pipeline
from analysis.run.options import Options
outputs.LOCK_RETRY_SECONDS = 0.5
real = os.replace
def held(source, target):
    if str(target).endswith("tables.xlsx") and ".staging" not in str(target):
        raise PermissionError(13, "The process cannot access the file", str(target))
    real(source, target)
outputs.os.replace = held
sys.exit(pipeline.run(Options(force=True)))
"""


def test_a_workbook_locked_during_the_commit_is_finished_by_the_next_run(project: Project) -> None:
    before = project.snapshot()
    result = project.python(LOCKED_DURING)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "reports/tables.xlsx をExcelで開いている場合は閉じてから" in result.stdout
    assert "次の実行で、始まっていた置き換えを完了します" in result.stdout
    finished = project.cli("reports")
    assert finished.returncode == 0, finished.stdout
    assert "前回中断された出力の置き換えを完了しました" in finished.stdout
    assert_complete(project, before)


def test_console_output_in_cp932_never_fails(fresh_project: Project) -> None:
    """A Windows console (or its output redirected to a file) in cp932: 〜 and emoji become ?."""
    missing = fresh_project.root / "改訂〜版🎌.csv"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "reports", "--vision", str(missing)],
        cwd=fresh_project.root,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        env={**os.environ, "PYTHONIOENCODING": "cp932"},
        check=False,
    )
    text = result.stdout.decode("cp932")
    assert result.returncode == 1, text + result.stderr.decode("cp932", errors="replace")
    assert "版?.csv:-: -: ファイルがありません" in text  # the emoji; cp932 has a wave dash
    assert "Traceback" not in text + result.stderr.decode("cp932", errors="replace")


def test_file_names_with_windows_separators_and_full_width_characters(
    fresh_project: Project,
) -> None:
    folder = fresh_project.root / "入力"
    folder.mkdir()
    (folder / "改訂版　２０２５.csv").write_text(
        "municipality,year,age_group,population\n一関市,2020,0-14,約5万\n", encoding="utf-8"
    )
    result = fresh_project.cli("reports", "--vision", "入力\\改訂版　２０２５.csv")
    assert result.returncode == 1, result.stdout
    assert (
        "入力/改訂版　２０２５.csv:2: population: 「約5万」は人数として読めません" in result.stdout
    )


def test_pdf_without_a_browser_says_what_to_install(built_project: Project, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "pdf"],
        cwd=built_project.root,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env={
            **{k: v for k, v in os.environ.items() if k != "ANALYSIS_BROWSER"},
            "PATH": str(tmp_path),
        },
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.strip() == (
        "PDF を作るためのブラウザ（Microsoft Edge、Google Chrome、Chromium）が見つかりません。"
        "どれかを入れるか、環境変数 ANALYSIS_BROWSER にその実行ファイルを指定してください"
    )


@pytest.mark.skipif(
    not hasattr(os, "killpg"), reason="POSIX terminal; tests/e2e/test_windows.py has the console's"
)
def test_ctrl_c_through_the_front_door_lets_the_run_stop_by_itself(project: Project) -> None:
    """The terminal sends Ctrl-C to tasks.py and to the run: tasks.py waits, the run stops cleanly."""
    import signal

    stopped = stop_a_front_door_run(project, lambda process: os.killpg(process.pid, signal.SIGINT))
    assert stopped.code == 130, stopped.output
    assert "中断しました" in stopped.output


# ------------------------------------------------------------------ the smaller breaks (issue 20)


def test_bench_runs_without_make(project: Project) -> None:
    """``tasks.py bench`` on a PC without make: the no-op part times ``tasks.py reports``."""
    link_environment(project)
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--only-no-op", "--repeat", "1"],
        cwd=project.root, capture_output=True, text=True, timeout=RUN_TIMEOUT,
        env={**typed_by_hand(), "PATH": without_make()},
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "python tasks.py reports" in result.stdout
    assert "make" not in result.stdout + result.stderr


@pytest.mark.parametrize("on_windows", [False, True], ids=["here", "on a pc"])
def test_clean_removes_every_output_and_cache(project: Project, on_windows: bool) -> None:
    project = Project(project.root, windows=on_windows)
    (project.root / ".cache").mkdir(exist_ok=True)
    (project.root / ".cache" / "last-error.log").write_text("x", encoding="utf-8")
    result = front_door(project, "clean")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("出力とキャッシュを消しました")
    left = sorted(
        p.relative_to(project.root).as_posix()
        for folder in (project.reports, project.processed)
        for p in folder.rglob("*")
    )
    assert left == ["data/processed/.gitkeep", "reports/.gitkeep"]
    assert not (project.root / ".cache").exists()


def test_a_killed_front_door_stops_its_run(project: Project) -> None:
    """Killing ``tasks.py`` (Task Manager, a closed console) ends the run it started, which
    leaves the outputs as they were (Linux: PR_SET_PDEATHSIG; Windows: a Job object)."""
    # tasks.py only (SIGKILL; TerminateProcess on Windows); the run is its child
    stop_a_front_door_run(project, lambda process: process.kill())


def test_the_readme_commands_work_as_typed_in_cmd_exe() -> None:
    """cmd.exe keeps single quotes as part of an argument: examples use double quotes."""
    from analysis.core.paths import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\n]+)`", readme.replace("```", ""))
    commands = [s for s in spans if s.startswith("--") or "py tasks.py" in s]
    blocks = re.findall(r"```bat\n(.*?)```", readme, re.S)
    assert len(commands) > 10 and blocks
    for command in [*commands, *blocks]:
        assert "'" not in command, command
    assert "make" not in " ".join(blocks)


def test_pdf_before_reports_names_the_front_door(fresh_project: Project) -> None:
    result = fresh_project.cli("pdf", env={"ANALYSIS_FRONT_DOOR": "py tasks.py"})
    assert result.returncode == 1
    assert "先に py tasks.py reports を実行してください" in result.stdout
