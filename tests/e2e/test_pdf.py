"""`pdf` never prints beside a running `reports`, nor reports out of date or edited by hand,
and names a PDF held open by a viewer by its own name (issue 21).

The browser itself is tested in ``test_browser``; here the guards before it, and the
writing of a PDF over one that Windows will not let go of.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from analysis.run import outputs, pdf
from tests.conftest import Project, wait_for_checkpoint

NO_BROWSER = {"ANALYSIS_BROWSER": "/nonexistent/browser", "ANALYSIS_FRONT_DOOR": "py tasks.py"}
"""A browser that cannot start: every test here must stop before printing. Started as
``py tasks.py pdf`` on Windows: the messages name that command."""


def test_pdf_refuses_while_reports_runs_and_writes_nothing(project: Project) -> None:
    with project.started("reports", "--force", at="locked:hold") as running:
        wait_for_checkpoint(running, "locked")
        result = project.cli("pdf", env=NO_BROWSER)
        running.kill()
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == (
        "別の実行（py tasks.py reports）がこのフォルダで進行中です。終わってから、もう一度 py tasks.py pdf を実行してください（PDF は作っていません）"
    )
    assert not (project.reports / "pdf").exists()


def test_reports_waits_its_turn_while_pdf_prints(project: Project) -> None:
    """pdf holds the run lock while it prints: a reports run started then exits with 75."""
    code = """
import subprocess, sys
from analysis.run import pdf
def printing(folder):
    again = subprocess.run([sys.executable, "-m", "analysis", "reports"], capture_output=True, text=True)
    print("reports:", again.returncode, again.stdout.strip().splitlines()[-1])
    return []
pdf.print_reports = printing
pdf.print_current_reports()
"""
    result = project.python(code)
    assert result.returncode == 0, result.stderr
    assert "reports: 75 別の実行（" in result.stdout
    assert "reports）がこのフォルダで進行中です" in result.stdout


def test_pdf_refuses_a_report_edited_by_hand(project: Project) -> None:
    page = project.reports / "population.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("圏域", "圏域（手で直した）", 1), "utf-8"
    )
    result = project.cli("pdf", env=NO_BROWSER)
    assert result.returncode == 1
    assert result.stdout.strip() == (
        "reports/population.html が最後の reports の後に変更されたか、なくなっています。"
        "py tasks.py reports を実行して作り直してから、もう一度 py tasks.py pdf を実行してください（PDF は作っていません）"
    )


def test_pdf_refuses_a_report_whose_inputs_changed(project: Project) -> None:
    notebook = project.root / "notebooks" / "reports" / "kpi.py"
    notebook.write_text(notebook.read_text(encoding="utf-8") + "\n# changed\n", "utf-8")
    result = project.cli("pdf", env=NO_BROWSER)
    assert result.returncode == 1
    assert result.stdout.strip() == (
        "reports/kpi.html は最新ではありません（入力・設定・プログラムが変わっています）。"
        "py tasks.py reports を実行して作り直してから、もう一度 py tasks.py pdf を実行してください（PDF は作っていません）"
    )
    rebuilt = project.cli("reports")
    assert rebuilt.returncode == 0, rebuilt.stdout
    current = project.python("from analysis.run import pdf; pdf.check_current(); print('current')")
    assert current.stdout.strip() == "current", current.stdout + current.stderr


def test_pdf_without_any_reports_says_to_run_reports_first(fresh_project: Project) -> None:
    result = fresh_project.cli("pdf", env=NO_BROWSER)
    assert result.returncode == 1
    assert (
        result.stdout.strip()
        == "PDF にする報告書がありません。先に py tasks.py reports を実行してください"
    )


def test_a_pdf_open_in_a_viewer_is_named_by_its_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to open for writing, replace or delete a PDF a viewer has open
    (PermissionError, ERROR_SHARING_VIOLATION): the probe finds it and the message names
    the PDF itself with what to do — never a hidden temporary file."""
    target = tmp_path / "pdf" / "population.pdf"
    target.parent.mkdir()
    target.write_bytes(b"%PDF old")
    monkeypatch.setattr(outputs, "LOCK_RETRY_SECONDS", 0.2)
    monkeypatch.setattr(outputs, "_replaceable", lambda path: Path(path) != target)
    with pytest.raises(outputs.OutputLocked) as caught:
        pdf.write_pdf(target, b"%PDF new")
    message = str(caught.value)
    assert f"{target} を置き換えられません" in message
    assert (
        "PDF の表示ソフト（ブラウザなど）で開いている場合は閉じてから、もう一度実行してください"
        in message
    )
    assert ".tmp" not in message
    assert target.read_bytes() == b"%PDF old"
    assert [p.name for p in target.parent.iterdir()] == ["population.pdf"]


def test_a_pdf_locked_at_the_moment_of_replacing_is_named_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kpi.pdf"
    target.write_bytes(b"%PDF old")
    real = os.replace

    def held(source: object, destination: object) -> None:
        if Path(str(destination)) == target:  # MoveFileEx onto an open file: access denied
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(source))
        real(source, destination)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", held)
    with pytest.raises(outputs.OutputLocked) as caught:
        pdf.write_pdf(target, b"%PDF new")
    assert f"{target} を置き換えられません" in str(caught.value)
    assert ".tmp" not in str(caught.value)
    assert target.read_bytes() == b"%PDF old"
    assert [p.name for p in tmp_path.iterdir()] == ["kpi.pdf"], "no temporary file left"
