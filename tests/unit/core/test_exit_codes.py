"""Exit codes are named once, and ``tasks.py``'s copy agrees with the package's."""

from __future__ import annotations

import ast
import signal
from pathlib import Path

import tasks
from analysis.core import exit_codes
from analysis.core.exit_codes import ExitCode
from analysis.core.paths import ROOT
from analysis.run import interrupts


def test_tasks_mirrors_the_exit_codes_of_the_package() -> None:
    assert {c.name: c.value for c in tasks.ExitCode} == {c.name: c.value for c in ExitCode}


def test_the_documented_codes() -> None:
    # README: 130 after Ctrl-C, 143 after kill, 75 when another run holds the folder.
    assert ExitCode.INTERRUPTED == exit_codes.for_signal(signal.SIGINT) == 130
    assert ExitCode.TERMINATED == exit_codes.for_signal(signal.SIGTERM) == 143
    assert ExitCode.BUSY == 75
    assert exit_codes.stopped_by_signal(ExitCode.INTERRUPTED)
    assert not exit_codes.stopped_by_signal(ExitCode.INTERNAL)


def test_an_interrupted_run_exits_with_the_signal_code() -> None:
    interrupts.request(signal.SIGTERM)
    try:
        assert interrupts.exit_code() == ExitCode.TERMINATED
    finally:
        interrupts.reset()


def _bare_exit_codes(path: Path) -> list[str]:
    """``return N`` / ``sys.exit(N)`` with a literal N in a function that returns an exit code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or function.name in NOT_EXIT_CODES:
            continue
        if not (isinstance(function.returns, ast.Name) and function.returns.id == "int"):
            continue
        for node in ast.walk(function):
            value = node.value if isinstance(node, ast.Return) else None
            literals = [n for n in ast.walk(value) if isinstance(n, ast.Constant)] if value else []
            if any(isinstance(n.value, int) and not isinstance(n.value, bool) for n in literals):
                found.append(f"{path.name}:{node.lineno} in {function.name}")
    return found


NOT_EXIT_CODES = {"count_installed"}
"""Functions returning an int that is a count or a number, not an exit code."""


def test_no_exit_code_is_a_bare_number() -> None:
    files = [
        ROOT / "tasks.py",
        ROOT / "analysis" / "__main__.py",
        ROOT / "analysis" / "run" / "pipeline.py",
    ]
    assert [f for path in files for f in _bare_exit_codes(path)] == []
