"""Ctrl-C and SIGTERM as a flag that the run checks, never as an exception thrown into it.

Python raises KeyboardInterrupt in the main thread wherever it happens to be. If
that is inside an import while worker threads import too, the import lock can
stay held: the workers then wait for ever, and so does whoever joins them. So a
run installs :func:`handling_signals`: a signal only records itself here. The
main thread supervises (it stops the kernels and returns within about a second),
and the threads doing the work call :func:`check` between steps to unwind.

:func:`checkpoint` marks the named moments of a run. The test suite uses them to
interrupt a run at an exact moment instead of guessing one with a sleep:
``ANALYSIS_TEST_AT=NAME:ACTION`` makes the process, on reaching checkpoint NAME,
print ``@checkpoint NAME <monotonic seconds>`` to stderr and then raise SIGINT,
SIGTERM or (Windows) SIGBREAK in itself (``ACTION`` = ``SIGINT``/``SIGTERM``/``SIGBREAK``),
or stop there until it is signalled or killed (``hold``). Without the variable a
checkpoint only checks the flag.

Windows: Ctrl-C reaches Python as SIGINT, Ctrl-Break and the console's close event as
SIGBREAK (the C runtime's console handler). A signal is raised in this process with
:func:`signal.raise_signal`, never ``os.kill``: on Windows ``os.kill`` with anything
but the console events "will cause the process to be unconditionally killed by the
TerminateProcess API" (Python docs, os.kill), which no handler sees.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

from analysis.core.exit_codes import for_signal

TEST_HOOK = "ANALYSIS_TEST_AT"
HOLD_LIMIT_SECONDS = 120.0
"""A held run resumes after this long, so that a test that forgets it never hangs CI."""

_requested = threading.Event()
_signal_number = 0


class Stopped(Exception):
    """Raised in a working thread once a stop was requested; it unwinds that thread."""


def requested() -> bool:
    return _requested.is_set()


def signal_number() -> int:
    """The signal that asked to stop (``signal.SIGINT`` when none is recorded)."""
    return _signal_number or signal.SIGINT


def exit_code() -> int:
    """The shell's convention: 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM)."""
    return for_signal(signal_number())


def request(signum: int = signal.SIGINT) -> None:
    """Ask the run to stop (what the signal handlers do; callable from anywhere)."""
    global _signal_number
    _signal_number = _signal_number or signum
    _requested.set()


def reset() -> None:
    """Forget an earlier request (a new run in the same process, as in the tests)."""
    global _signal_number
    _signal_number = 0
    _requested.clear()


def check() -> None:
    """Raise :class:`Stopped` if a stop was requested."""
    if _requested.is_set():
        raise Stopped()


def wait(seconds: float) -> bool:
    """Wait up to ``seconds``; True as soon as a stop is requested."""
    return _requested.wait(seconds)


@contextlib.contextmanager
def handling_signals() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM only call :func:`request` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def record(signum: int, frame: object) -> None:
        request(signum)

    previous = {number: signal.signal(number, record) for number in _SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


_SIGNALS = (signal.SIGINT, signal.SIGTERM) + (
    (signal.SIGBREAK,) if hasattr(signal, "SIGBREAK") else ()  # Ctrl-Break on Windows
)


def checkpoint(name: str, stoppable: bool = True) -> None:
    """A named moment of the run: the test hook (see the module text), then :func:`check`.

    ``stoppable=False`` inside a decided commit, which must run to its end.
    """
    hook = os.environ.get(TEST_HOOK)
    if hook:
        wanted, _, action = hook.rpartition(":")
        if wanted == name:
            sys.stderr.write(f"@checkpoint {name} {time.monotonic():.6f}\n")
            sys.stderr.flush()
            if action == "hold":
                _requested.wait(HOLD_LIMIT_SECONDS)
            elif action in {"SIGINT", "SIGTERM", "SIGBREAK"} and hasattr(signal, action):
                signal.raise_signal(getattr(signal, action))
    if stoppable:
        check()
