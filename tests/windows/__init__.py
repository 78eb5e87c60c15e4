"""The Windows simulation of the test suite: how a test runs a process as on a planner's PC.

The rules live in ``site/_windows_simulation.py`` (each citing Windows' or Python's
documentation); ``site/sitecustomize.py`` installs them at the start of every Python
process whose environment :func:`environment` prepared. A simulated process writes
its standard streams in cp932 (as a redirected stream on Japanese Windows): read
them with :data:`ENCODING`.

:func:`console_event` plays the console's part with POSIX calls (process groups,
kill): it is the harness, which runs on Linux by design, so this folder is not
listed by ``tests/unit/test_portability.py``.

Use: ``pytest --windows`` runs every command a test starts under the simulation
(also ``ANALYSIS_SIMULATE_WINDOWS=1 pytest``); the pipeline's main end-to-end run
(``full_project``: ``tasks.py reports`` with age × sex data and scenarios, ``validate``,
``pdf``), ``tests/e2e/test_windows.py`` and the tests in this folder always run under it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"
ENABLE = "ANALYSIS_SIMULATE_WINDOWS"
HELD = "ANALYSIS_WINDOWS_HELD"
ENCODING = "cp932"
"""What a simulated process writes to a redirected stdout/stderr."""

sys.path.insert(0, str(SITE))
import _windows_simulation as simulation  # noqa: E402

SIGBREAK = simulation.SIGBREAK
CTRL_C_EVENT = simulation.CTRL_C_EVENT
CTRL_BREAK_EVENT = simulation.CTRL_BREAK_EVENT
CTRL_CLOSE_EVENT = 2
"""HandlerRoutine's dwCtrlType when the user closes the console window (Microsoft Learn)."""


def environment(
    base: dict[str, str] | None = None, held: list[Path] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) with the simulation switched on.

    ``held``: files another program (Excel) holds open for the whole run.
    """
    env = dict(os.environ if base is None else base)
    env[ENABLE] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SITE), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    env.pop("PYTHONIOENCODING", None)
    if held:
        env[HELD] = os.pathsep.join(str(p) for p in held)
    return env


def new_console_group() -> dict[str, object]:
    """Popen arguments for a process that owns its console, as a ``cmd.exe`` window's
    command does: on Linux a session of its own, so that the console's events can be
    sent to every process of the "window" (the process group) and to no other."""
    return {"start_new_session": True}


def console_event(process: subprocess.Popen[str], event: int) -> None:
    """What the console does when the user presses Ctrl-C or Ctrl-Break, or closes the window.

    Every process attached to the console receives it (Microsoft Learn, "CTRL+C and
    CTRL+BREAK Signals": the signals go "to all processes attached to the console";
    "CTRL+CLOSE Signal": "All processes attached to the console receive the signal").
    The C runtime's handler turns CTRL_C_EVENT into SIGINT and every other event into
    SIGBREAK (UCRT, signal: "SIGBREAK  Ctrl+Break interrupt"; "SIGINT  CTRL+C
    interrupt"), which is what Python's handlers see. For CTRL_CLOSE_EVENT, the process
    is terminated as soon as the handler returns ("Return TRUE. In this case, no other
    handler functions are called and the process terminates"), and the CRT's handler
    returns at once, before Python's handler can run: it is a kill.

    ``process`` must have been started with :func:`new_console_group`.
    """
    group = os.getpgid(process.pid)
    if event == CTRL_C_EVENT:
        os.killpg(group, signal.SIGINT)
    elif event == CTRL_BREAK_EVENT:
        os.killpg(group, SIGBREAK)
    elif event == CTRL_CLOSE_EVENT:
        os.killpg(group, signal.SIGKILL)
    else:
        raise ValueError(f"not a console event: {event}")
