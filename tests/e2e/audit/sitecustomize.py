"""Record every file a kernel opens (the audit event ``open``), one absolute path a line.

Imported by every Python process of a run when this folder is on ``PYTHONPATH``
(see :func:`tests.e2e.audit.recording_opens`); it acts only in a kernel
(``ipykernel_launcher -f CONNECTION_FILE``), from its first import on, so that what
the report notebook's code opens is recorded whatever library opens it. The log is
opened before the hook is installed and written line by line (a kernel is killed,
not asked to exit, at the end of its report: nothing may wait for exit to be written).
"""

from __future__ import annotations

import os
import sys

_folder = os.environ.get("ANALYSIS_AUDIT_OPENS")
_argv = list(getattr(sys, "orig_argv", sys.argv))
if _folder and "ipykernel_launcher" in _argv:
    _log = open(  # noqa: SIM115 - held for the kernel's life, written by the hook
        os.path.join(_folder, f"kernel-{os.getpid()}.txt"), "a", encoding="utf-8", buffering=1
    )

    def _record(event: str, args: tuple[object, ...]) -> None:
        if event != "open" or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if isinstance(path, str):  # an int is a descriptor: its file was opened before
            _log.write(os.path.abspath(path) + "\n")

    sys.addaudithook(_record)
