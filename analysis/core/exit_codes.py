"""The exit codes of ``python -m analysis`` (and of ``tasks.py``, which mirrors them).

Standard library only. ``tasks.py`` cannot import this package (it runs before the
environment exists, on whatever Python the PC has, and checks that Python's version
before anything else), so it keeps a copy of :class:`ExitCode`; a test checks that the
two agree.
"""

from __future__ import annotations

from enum import IntEnum

SIGNAL_BASE = 128
"""The shell's convention: a run stopped by signal N exits with 128 + N."""


class ExitCode(IntEnum):
    """Why a command ended."""

    OK = 0
    FAILED = 1
    """Errors in the inputs or the data, a notebook that failed, an output that cannot be written."""
    USAGE = 2
    """A command line that cannot be run (argparse's convention)."""
    INTERNAL = 70
    """A defect in the code (``EX_SOFTWARE`` of sysexits.h); the traceback is in the error log."""
    BUSY = 75
    """Another run holds the folder: try again later (``EX_TEMPFAIL`` of sysexits.h)."""
    INTERRUPTED = SIGNAL_BASE + 2
    """Ctrl-C (SIGINT), or the window closed."""
    TERMINATED = SIGNAL_BASE + 15
    """SIGTERM (``kill``)."""


def for_signal(signum: int) -> int:
    """The exit code of a run stopped by signal ``signum`` (149 for Ctrl-Break on Windows)."""
    return SIGNAL_BASE + signum


def stopped_by_signal(code: int) -> bool:
    """True for the exit code of a run that a signal stopped."""
    return code > SIGNAL_BASE
