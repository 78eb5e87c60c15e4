"""On a planner's PC: the Windows counterparts of the POSIX-only tests, and what only Windows does.

Every command here runs under the Windows simulation (:mod:`tests.windows`): Excel
holding ``tables.xlsx``, Ctrl-C and Ctrl-Break from the console, the console window
closed during a run, ``tasks.py`` stopped from the console, cp932 output; every
``tasks.py`` command a test can run (``setup``, ``unit``, ``test``, ``bench``, ``lab``,
``proof``, ``clean``, ``lock`` and ``bundle`` without network); and the ``pdf``
command's browser found the Windows ways or failing to start. The full ``tasks.py
reports`` run with age × sex data and scenarios, ``validate`` and ``pdf`` run under the
simulation in :func:`tests.conftest.full_project`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tasks
from analysis.run import pdf
from tests import windows
from tests.conftest import STOP_WITHIN_SECONDS, Project, assert_complete, wait_for_checkpoint

from .test_front_door import front_door, stop_a_front_door_run
from .test_install import needs_unshare, without_network


def on_a_pc(project: Project) -> Project:
    """The same copy, its commands run under the Windows simulation."""
    return Project(project.root, windows=True)


REPLACE_REFUSED = (
    "{0} を置き換えられません（ほかのプログラムが開いているか、読み取り専用です）。"
    "{0} をExcelで開いている場合は閉じてから、もう一度実行してください。"
    "前回の出力はそのまま残っています"
)
CLEAN_REFUSED = (
    "{0} を消せません（ほかのプログラムが開いています）。Excel などで開いている"
    "場合は閉じてから、もう一度実行してください。何も消していません"
)


def _refused_while_held(project: Project, held: str, *arguments: str) -> str:
    """``py tasks.py ARGUMENTS`` on a PC where another program (Excel, a PDF viewer) holds
    ``held`` open: it can be read, but not written, replaced, renamed or deleted
    (ERROR_SHARING_VIOLATION, see the simulation). Asserts the command ends with 1 and
    leaves the outputs complete and as they were; returns its last line."""
    pc = on_a_pc(project)
    before = pc.snapshot()
    assert (pc.root / held).is_file()
    result = front_door(pc, *arguments, env={windows.HELD: str(pc.root / held)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert_complete(pc, before)
    assert not (pc.root / ".cache-being-cleaned").exists()
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("command", "held", "line"),
    [
        ("reports", "reports/tables.xlsx", REPLACE_REFUSED),
        ("reports", "data/processed/population_population.csv", REPLACE_REFUSED),
        ("clean", "reports/tables.xlsx", CLEAN_REFUSED),
        ("clean", "reports/population.html", CLEAN_REFUSED),
    ],
)
def test_a_file_held_by_another_program_is_named_and_nothing_is_changed(
    project: Project, command: str, held: str, line: str
) -> None:
    """Excel holds the workbook (or a CSV, or a browser the report): ``reports`` cannot
    replace it (MoveFileEx), so it replaces nothing; ``clean`` cannot delete it
    (DeleteFile), so it deletes nothing."""
    arguments = ("reports", "--force") if command == "reports" else (command,)
    assert _refused_while_held(project, held, *arguments) == line.format(held)


@pytest.mark.parametrize("moment", ["cell:kpi:3", "move:0"])
def test_closing_the_console_window_is_repaired_by_the_next_run(
    project: Project, moment: str
) -> None:
    """The close event ends the process as soon as the C runtime's handler returns: a kill."""
    pc = on_a_pc(project)
    before = pc.snapshot()
    with pc.started("reports", "--force", at=f"{moment}:hold") as process:
        wait_for_checkpoint(process, moment)
        windows.console_event(process, windows.CTRL_CLOSE_EVENT)
        code = process.wait(timeout=30)
    assert code < 0
    again = on_a_pc(project).cli("reports")
    assert again.returncode == 0, again.stdout + again.stderr
    assert_complete(project, before)


def test_tasks_py_validates_and_prints_on_a_pc(built_project: Project, tmp_path: Path) -> None:
    """The front door itself under the simulation: ``py tasks.py validate`` and ``pdf`` (the
    latter only reaches the browser check here: it runs in the shared built copy)."""
    pc = on_a_pc(Project(tmp_path / "pc"))
    shutil.copytree(built_project.root, pc.root, symlinks=True)
    validated = front_door(pc, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "検証結果：エラー 0 件" in validated.stdout
    (pc.reports / "pdf").write_text("", encoding="utf-8")
    printed = front_door(pc, "pdf")
    assert printed.returncode == 1
    assert printed.stdout.strip().startswith("PDF の出力先 reports/pdf がファイルになっています")


@pytest.mark.parametrize(
    ("event", "moment", "code"),
    [
        (windows.CTRL_C_EVENT, "notebook:kpi", 130),
        (windows.CTRL_BREAK_EVENT, "tables-built", 128 + windows.SIGBREAK),
    ],
    ids=["ctrl-c", "ctrl-break"],
)
def test_the_console_event_stops_tasks_py_and_its_run_within_seconds(
    project: Project, event: int, moment: str, code: int
) -> None:
    """The console sends Ctrl-C or Ctrl-Break to tasks.py and to the run (Ctrl-Break is
    SIGBREAK, not SIGINT): tasks.py waits, the run stops as for Ctrl-C, and tasks.py ends
    with the run's code (130; 149 = 128 + SIGBREAK, 21), as the README says."""
    stopped = stop_a_front_door_run(
        on_a_pc(project), lambda process: windows.console_event(process, event), at=moment
    )
    assert stopped.code == code, stopped.output
    assert stopped.seconds < STOP_WITHIN_SECONDS, f"{stopped.seconds:.2f} s"
    assert stopped.output.strip().splitlines()[-1].startswith("中断しました。")


def test_a_second_run_in_another_console_is_refused_by_the_lock_file(project: Project) -> None:
    """The run lock (.run.lock) works without fcntl: a second window's run exits with 75."""
    pc = on_a_pc(project)
    before = pc.snapshot()
    with pc.started("reports", "--force", at="tables-built:hold") as first:
        wait_for_checkpoint(first, "tables-built")
        second = pc.cli("reports", "--force")
        windows.console_event(first, windows.CTRL_C_EVENT)
        first.wait(timeout=30)
    assert second.returncode == 75, second.stdout + second.stderr
    assert "このフォルダで進行中です" in second.stdout
    assert first.returncode == 130
    assert pc.cli("reports").returncode == 0
    assert_complete(pc, before)


def test_a_character_cp932_lacks_is_shown_as_a_question_mark(fresh_project: Project) -> None:
    """Output redirected on Japanese Windows is strict cp932: 𠮷 (U+20BB7) has no code."""
    pc = on_a_pc(fresh_project)
    result = pc.cli("reports", "--vision", str(pc.root / "𠮷田〜版.csv"))
    assert result.returncode == 1, result.stdout + result.stderr
    # 〜 (U+301C) is written as cp932's 0x8160, which reads back as ～ (U+FF5E).
    assert result.stdout.splitlines()[0] == "?田～版.csv:-: -: ファイルがありません"
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- every tasks.py command on a PC
# reports, validate and pdf: tests.conftest.full_project; clean: tests/e2e/test_front_door.py.

ONE_QUICK_TEST = (
    "tests/e2e/test_install.py", "-q", "-p", "no:cacheprovider", "-n", "0",
    "-k", "test_messages_name_the_command_the_person_typed",
)  # fmt: skip
"""What ``test`` and ``unit`` are given to run: one quick test, not the suite again."""


def test_setup_on_a_set_up_pc_does_nothing(fresh_project: Project) -> None:
    """``py tasks.py setup`` where the environment is installed and current: no output, no
    install, the stamp untouched (every command runs it first)."""
    pc = on_a_pc(fresh_project)
    result = front_door(pc, "setup")
    stamp = pc.root / ".venv" / ".installed-stamp"
    before = stamp.stat().st_mtime_ns
    again = front_door(pc, "setup")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert stamp.stat().st_mtime_ns == before


@pytest.mark.parametrize("command", ["unit", "test"])
def test_the_test_commands_run_on_a_pc(fresh_project: Project, command: str) -> None:
    """``unit`` (pytest) and ``test`` (ruff, mypy, then pytest), with the arguments passed
    through to pytest; pytest itself runs simulated, as on the PC."""
    result = front_door(on_a_pc(fresh_project), command, *ONE_QUICK_TEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b1 passed\b", result.stdout), result.stdout
    if command == "test":
        assert "All checks passed!" in result.stdout  # ruff
        assert "Success: no issues found" in result.stdout  # mypy


def test_bench_quick_path_runs_on_a_pc(project: Project) -> None:
    result = front_door(on_a_pc(project), "bench", "--only-no-op", "--repeat", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "python tasks.py reports" in result.stdout
    assert "make" not in result.stdout + result.stderr


def test_lab_configures_jupyterlab_on_a_pc(fresh_project: Project) -> None:
    """``py tasks.py lab --help``: JupyterLab configured (the kernel, notebooks/*.py opened as
    notebooks) and started, which answers ``--help`` without starting a server."""
    result = front_door(on_a_pc(fresh_project), "lab", "--help")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "JupyterLab" in result.stdout
    assert "Traceback" not in result.stderr


def test_proof_on_a_pc(project: Project) -> None:
    """``py tasks.py proof``: the proof sheet where a browser is installed, else one line."""
    browser = pdf.find_browser()  # here: the front door's PATH has no make, nor /usr/bin
    result = front_door(on_a_pc(project), "proof", env={"ANALYSIS_BROWSER": browser or ""})
    if browser is not None:
        assert result.returncode == 0, result.stdout + result.stderr
        assert (project.reports / "pdf" / "proof.png").is_file()
    else:
        assert result.returncode == 1
        assert result.stdout.strip() == (
            "PDF を作るためのブラウザ（Microsoft Edge、Google Chrome、Chromium）が見つかりません。"
            "どれかを入れるか、環境変数 ANALYSIS_BROWSER にその実行ファイルを指定してください"
        )
    assert "Traceback" not in result.stderr


@needs_unshare
@pytest.mark.parametrize(
    ("command", "cannot"),
    [
        ("lock", "requirements.lock を作り直せません（今の requirements.lock のままです）"),
        ("bundle", "dist/analysis-offline.zip を作れません"),
    ],
)
def test_lock_and_bundle_without_the_internet_are_one_line(
    fresh_project: Project, command: str, cannot: str
) -> None:
    """On a PC cut off from the internet (a network namespace without network), ``lock`` and
    ``bundle`` say in one line that they need it, and change nothing."""
    pc = on_a_pc(fresh_project)
    lock = (pc.root / "requirements.lock").read_bytes()
    result = front_door(
        pc, command,
        env={"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": tasks.DEFAULT_INDEX},
        wrapper=without_network(),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"インターネットに接続できないため、{cannot}。python3 tasks.py {command} は、"
        "インターネットに接続できるパソコンで実行してください"
    )
    assert not result.stderr
    assert (pc.root / "requirements.lock").read_bytes() == lock
    assert not (pc.root / "dist").exists()


# ---------------------------------------------------------------- pdf: the browser


def test_edge_is_found_through_the_registry_app_paths(tmp_path: Path) -> None:
    edge = tmp_path / "D" / "Edge" / "msedge.exe"
    edge.parent.mkdir(parents=True)
    edge.write_bytes(b"MZ")
    asked = []

    def registry(hive: str, key: str) -> str | None:
        asked.append((hive, key))
        return str(edge) if key.endswith("\\msedge.exe") and hive == "HKEY_LOCAL_MACHINE" else None

    found = pdf.find_browser(environ={}, registry=registry, search=lambda _: None)
    assert found == str(edge)
    assert ("HKEY_CURRENT_USER", pdf.APP_PATHS + "\\msedge.exe") in asked


def test_a_per_user_chrome_and_a_browser_on_another_drive_are_found(tmp_path: Path) -> None:
    local = tmp_path / "Users" / "tanaka" / "AppData" / "Local"
    chrome = local / "Google" / "Chrome" / "Application" / "chrome.exe"
    chrome.parent.mkdir(parents=True)
    chrome.write_bytes(b"MZ")
    environ = {"LocalAppData": str(local)}  # Windows' variable names ignore case
    assert pdf.find_browser(environ, lambda *_: None, lambda _: None) == str(chrome)
    drive_d = tmp_path / "D" / "Program Files (x86)"
    edge = drive_d / "Microsoft" / "Edge" / "Application" / "msedge.exe"
    edge.parent.mkdir(parents=True)
    edge.write_bytes(b"MZ")
    environ["ProgramFiles(x86)"] = str(drive_d)
    assert pdf.find_browser(environ, lambda *_: None, lambda _: None) == str(edge)  # Edge first
    assert pdf.find_browser({}, lambda *_: None, lambda _: None) is None or sys.platform == "darwin"


def _pdf(project: Project, browser: str) -> subprocess.CompletedProcess[str]:
    return on_a_pc(project).cli("pdf", env={"ANALYSIS_BROWSER": browser})


def test_a_browser_that_is_missing_is_one_line(built_project: Project, tmp_path: Path) -> None:
    result = _pdf(built_project, str(tmp_path / "msedge.exe"))
    assert result.returncode == 1
    assert result.stdout.strip() == (
        f"PDF を作るためのブラウザ {tmp_path / 'msedge.exe'} がありません。環境変数 ANALYSIS_BROWSER "
        "の指定を直すか、消して Microsoft Edge か Google Chrome を使ってください"
    )


@pytest.mark.parametrize("kind", ["not a browser", "blocked by policy"])
def test_a_browser_that_cannot_start_says_what_to_install_or_allow(
    built_project: Project, tmp_path: Path, kind: str
) -> None:
    browser = tmp_path / "msedge.exe"
    if kind == "not a browser":  # a program, but not a browser: it exits at once
        browser.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
        browser.chmod(0o755)
    else:  # AppLocker / Software Restriction: the program exists, starting it is refused
        browser.write_bytes(b"MZ")
        browser.chmod(0o644)
    result = _pdf(built_project, str(browser))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"PDF を作るためのブラウザ {browser} を起動できませんでした。Microsoft Edge か Google Chrome "
        "を入れ直すか、このパソコンの管理者にブラウザの起動（自動操作）を許可してもらってください"
    )
    assert "内部エラー" not in result.stdout and "Traceback" not in result.stderr


def test_a_pdf_folder_that_is_a_file_is_named_relative_to_the_project(project: Project) -> None:
    (project.reports / "pdf").write_text("", encoding="utf-8")
    result = on_a_pc(project).cli("pdf")
    assert result.returncode == 1
    assert result.stdout.strip() == (
        "PDF の出力先 reports/pdf がファイルになっています。"
        "このファイルを移動するか名前を変えてから、もう一度実行してください"
    )


def test_the_environment_moved_away_during_a_run_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from analysis import __main__ as command

    def run_without_its_environment(argv: list[str] | None = None) -> int:
        monkeypatch.setattr(sys, "executable", str(tmp_path / ".venv" / "bin" / "python"))
        raise ModuleNotFoundError("No module named 'nbclient'")

    monkeypatch.setattr(command, "main", run_without_its_environment)
    assert command.guarded_main(["reports"]) == 1
    assert capsys.readouterr().out.strip() == command.ENVIRONMENT_GONE
    assert "内部エラー" not in command.ENVIRONMENT_GONE
