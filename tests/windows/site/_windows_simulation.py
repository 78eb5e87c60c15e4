"""Windows semantics on Linux, for the test suite: what a planner's PC does differently.

Installed by ``sitecustomize.py`` (beside this file) in every Python process whose
environment has ``ANALYSIS_SIMULATE_WINDOWS=1`` and this folder on ``PYTHONPATH``:
the pytest fixtures set both (see ``tests/windows/__init__.py``), so the command,
the notebook kernels it starts and ``tasks.py`` all run under the simulation.

Each rule cites the documentation it follows. Two kinds:

* **Behaviour**, for every caller in the process (the project's code and the
  libraries alike, as Windows does it to all of them): ``os.fsync`` needs write
  access; a file held open cannot be replaced, renamed or deleted; text files
  are written with CRLF in the ANSI code page (cp932), which is also the locale's
  encoding (``locale.getencoding``, ``getpreferredencoding``, ``encoding="locale"``,
  so ``Path.read_text()`` and ``subprocess(text=True)`` without ``encoding=`` read
  and write cp932); standard output and error
  redirected to a file or pipe are cp932; ``subprocess.Popen`` signals as on
  Windows; no symbolic links without a privilege.
* **What exists**, as seen by the project's own modules (``analysis``,
  ``tasks``, ``tests``, ``benchmarks``): POSIX-only names of ``os`` and
  ``signal`` are absent and ``signal.SIGBREAK``/``CTRL_C_EVENT``/
  ``CTRL_BREAK_EVENT`` present; ``fcntl``, ``resource``, ``termios``, ``pwd``,
  ``grp`` cannot be imported; ``os.kill`` terminates outright for any signal but
  the two console events; ``signal.signal`` takes only Windows' signals; a
  directory cannot be opened with ``os.open``. Libraries keep the real modules:
  they run their POSIX code here (``sys.platform`` is ``linux``), and that code
  needs its POSIX calls; on a PC they take their own Windows branches.

``os.name`` and ``sys.platform`` are not changed (decided): the interpreter, its
paths (``os.sep``, ``posixpath``), the venv's layout (``bin``, not ``Scripts``)
and every library really are Linux here, so code that branches on the platform
*name* would take a Windows branch into files that do not exist. The project's
code therefore tests for the *feature* it needs (``hasattr(os, "killpg")``), which
the simulation answers as Windows does; branches that must name the platform
(registry, ``Scripts``) are tested by injecting their inputs.

A file is held when a process of the run (this one, the processes it started such as
the notebook kernels, or a simulated parent such as ``tasks.py``) has it open. Files
"held by Excel" (another program) are listed by the test in
``ANALYSIS_WINDOWS_HELD`` (paths separated by ``os.pathsep``): they can be read,
but not opened for writing, replaced, renamed or deleted.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import functools
import io
import locale
import os
import signal
import stat
import subprocess
import sys
import types
from collections.abc import Callable
from typing import Any

ENABLE = "ANALYSIS_SIMULATE_WINDOWS"
HELD = "ANALYSIS_WINDOWS_HELD"
OURS = frozenset({"analysis", "tasks", "tests", "benchmarks"})
"""Top-level names of the modules that see Windows' ``os``/``signal`` (the project's)."""

ANSI_CODE_PAGE = "cp932"
"""Japanese Windows' ANSI code page (GetACP() == 932): the default text encoding of
``open()`` and of redirected standard streams (Python docs, "Using Python on
Windows", UTF-8 mode: "Windows still uses legacy encodings for the system encoding
(the ANSI Code Page)"; Python 3.15 turns UTF-8 mode on by default, 3.11–3.14 do not).

Microsoft Learn, GetACP: "Retrieves the current Windows ANSI code page (ACP) identifier
for the operating system"
(https://learn.microsoft.com/en-us/windows/win32/api/winnls/nf-winnls-getacp); "Code Page
Identifiers": 932 is "ANSI/OEM Japanese; Japanese (Shift-JIS)"
(https://learn.microsoft.com/en-us/windows/win32/intl/code-page-identifiers), the system
locale of a Japanese Windows ("Language for non-Unicode programs": 日本語)."""

# ---------------------------------------------------------------- signals as Windows has them
# Python docs, signal: "On Windows, signal() can only be called with SIGABRT, SIGFPE,
# SIGILL, SIGINT, SIGSEGV, SIGTERM, or SIGBREAK. A ValueError will be raised in any
# other case." The numbers are the C runtime's (signal.h): SIGBREAK is 21, which on
# Linux is SIGTTIN, so a test can deliver it with kill(2) and the handler registered
# for signal.SIGBREAK runs.
SIGBREAK = 21
CTRL_C_EVENT = 0
CTRL_BREAK_EVENT = 1
WINDOWS_SIGNALS = frozenset({2, 4, 8, 11, 15, SIGBREAK, int(signal.SIGABRT)})
_KEPT_SIGNAL_NAMES = frozenset(
    {"SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM", "SIG_DFL", "SIG_IGN"}
)
_KEPT_SIGNAL_FUNCTIONS = frozenset(
    {"signal", "getsignal", "raise_signal", "set_wakeup_fd", "default_int_handler",
     "strsignal", "valid_signals", "Signals", "Handlers", "NSIG"}
)  # fmt: skip
"""Python docs, signal: alarm, pause, setitimer, siginterrupt, sigwait, pthread_kill,
pthread_sigmask, sigpending are "Availability: Unix"."""

# Python docs, os: each of these is marked "Availability: Unix" (not Windows).
_POSIX_ONLY_OS = frozenset(
    {
        "fork", "forkpty", "register_at_fork", "killpg", "getpgid", "setpgid", "getpgrp",
        "setpgrp", "setsid", "getsid", "tcgetpgrp", "tcsetpgrp", "mkfifo", "mknod",
        "getuid", "geteuid", "getgid", "getegid", "getgroups", "setuid", "seteuid",
        "setgid", "setegid", "setgroups", "getresuid", "getresgid", "initgroups",
        "chown", "lchown", "fchown", "chroot", "fchdir", "nice", "getpriority",
        "setpriority", "sync", "fdatasync", "wait3", "wait4", "waitid", "WNOHANG",
        "WUNTRACED", "WCONTINUED", "WIFSIGNALED", "WTERMSIG", "WIFSTOPPED", "WSTOPSIG",
        "WCOREDUMP", "WIFCONTINUED", "uname", "ttyname", "openpty", "ctermid",
        "sysconf", "sysconf_names", "pathconf", "fpathconf", "statvfs", "fstatvfs",
        "getloadavg", "pipe2", "posix_spawn", "posix_spawnp", "sched_getaffinity",
        "sched_setaffinity", "sched_yield", "sendfile", "getxattr", "setxattr",
        "listxattr", "removexattr", "lockf", "F_LOCK", "F_TLOCK", "F_ULOCK", "F_TEST",
        "O_NONBLOCK", "O_CLOEXEC", "O_DIRECTORY", "O_NOFOLLOW", "O_SYNC", "O_DSYNC",
        "O_NOCTTY", "O_ASYNC", "O_DIRECT", "O_NOATIME", "O_PATH", "O_TMPFILE",
        "pidfd_open", "memfd_create", "eventfd", "splice", "copy_file_range",
        "posix_fadvise", "posix_fallocate", "preadv", "pwritev", "readv", "writev",
        "getlogin", "get_blocking", "set_blocking", "getppid_unused",
    }
)  # fmt: skip
_ABSENT_MODULES = frozenset(
    {"fcntl", "resource", "termios", "tty", "pty", "pwd", "grp", "posix", "syslog",
     "crypt", "spwd", "nis", "readline"}
)  # fmt: skip
"""Python docs: "Availability: Unix" modules (fcntl, resource, termios, pwd, grp, …)."""

_real = types.SimpleNamespace(
    fsync=os.fsync,
    replace=os.replace,
    rename=os.rename,
    remove=os.remove,
    unlink=os.unlink,
    rmdir=os.rmdir,
    open=os.open,
    symlink=os.symlink,
    kill=os.kill,
    killpg=os.killpg,
    io_open=io.open,
    import_=builtins.__import__,
    signal=signal.signal,
)


def enabled() -> bool:
    return os.environ.get(ENABLE) == "1"


# ---------------------------------------------------------------- fsync


def fsync(fd: Any) -> None:
    """``os.fsync`` as on Windows: a descriptor without write access fails with EBADF.

    Python docs, os.fsync: "On Windows, calls the MS _commit() function"; _commit
    calls FlushFileBuffers, whose handle "must have the GENERIC_WRITE access right"
    (Microsoft Learn, FlushFileBuffers); the CRT maps the failure to EBADF.
    """
    import fcntl

    number = fd if isinstance(fd, int) else fd.fileno()
    if fcntl.fcntl(number, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    _real.fsync(number)


# ---------------------------------------------------------------- files held open


def _identity(path: Any, dir_fd: int | None = None) -> tuple[int, int] | None:
    try:
        status = os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
    except (OSError, TypeError, ValueError):
        return None
    return status.st_dev, status.st_ino


def _process_tree() -> list[int]:
    """This process, the processes it started (their children too: the notebook kernels)
    and its simulated ancestors (``tasks.py``): the processes of one run on a PC, each of
    which can hold a file the others want to move."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with _real.io_open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree = [os.getpid()]
    for pid in tree:  # grows while it is walked: breadth first
        tree += [child for child, parent in parents.items() if parent == pid]
    ancestor = os.getppid()
    while ancestor > 1 and _simulated(ancestor):
        tree.append(ancestor)
        ancestor = parents.get(ancestor, 0)
    return tree


def _simulated(pid: int) -> bool:
    try:
        with _real.io_open(f"/proc/{pid}/environ", "rb") as handle:
            return f"{ENABLE}=1".encode() in handle.read().split(b"\0")
    except OSError:
        return False


def _open_files() -> dict[tuple[int, int], str]:
    """Files held open by the processes of this run: identity → path."""
    found = {}
    for pid in _process_tree():
        folder = f"/proc/{pid}/fd"
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            try:
                status = os.stat(f"{folder}/{name}")
                if stat.S_ISREG(status.st_mode):
                    found[(status.st_dev, status.st_ino)] = os.readlink(f"{folder}/{name}")
            except OSError:
                continue
    return found


def _held_by_others() -> set[tuple[int, int]]:
    """Files "held by Excel": the test names them in ``ANALYSIS_WINDOWS_HELD``."""
    return {
        identity
        for path in os.environ.get(HELD, "").split(os.pathsep)
        if path and (identity := _identity(path)) is not None
    }


def _sharing_violation(path: Any) -> PermissionError:
    # WinError 32, ERROR_SHARING_VIOLATION: "The process cannot access the file because
    # it is being used by another process." Python raises PermissionError (EACCES).
    error = PermissionError(
        errno.EACCES,
        "The process cannot access the file because it is being used by another process",
        os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else str(path),
    )
    error.winerror = 32  # type: ignore[attr-defined]
    return error


def _held(path: Any, dir_fd: int | None = None) -> bool:
    identity = _identity(path, dir_fd)
    if identity is None:
        return False
    held = _open_files()
    if identity in held or identity in _held_by_others():
        return True
    # A directory cannot be moved or removed while a file inside it is open
    # (Eryk Sun on bpo-46003: "If the source path is a directory, none of the files
    # and directories in its tree is allowed to be open").
    try:
        if stat.S_ISDIR(os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode):
            folder = os.path.realpath(
                path if dir_fd is None else f"/proc/self/fd/{dir_fd}/{os.fsdecode(path)}"
            )
            paths = [*held.values(), *os.environ.get(HELD, "").split(os.pathsep)]
            return any(_inside(folder, path) for path in paths if path)
    except OSError:
        return False
    return False


def _inside(folder: str, path: str) -> bool:
    real = os.path.realpath(path)
    return real.startswith(folder.rstrip("/") + "/")


def replace(
    src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None
) -> None:
    """``os.replace``/``os.rename`` as MoveFileEx: neither the source nor an existing
    destination may be held open.

    Microsoft Learn, "Moving and Replacing Files": "A file must also be closed before
    an application can move it." Eryk Sun on bpo-46003 (how os.replace calls
    MoveFileExW): "Existing opens of the source path must share delete access ...
    Currently, existing opens of the destination path are not allowed, even if they
    share delete access." Python opens files without FILE_SHARE_DELETE (its
    ``open()`` uses the CRT's _wopen), so any file Python has open counts.
    """
    if _held(src, src_dir_fd):
        raise _sharing_violation(src)
    if _held(dst, dst_dir_fd):
        raise _sharing_violation(dst)
    _real.replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)


def rename(
    src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None
) -> None:
    """Python docs, os.rename: "On Windows, if dst exists a FileExistsError is always raised."""
    if _identity(dst, dst_dir_fd) is not None:
        raise FileExistsError(
            errno.EEXIST, "Cannot create a file when that file already exists", os.fsdecode(dst)
        )
    replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)


def remove(path: Any, *, dir_fd: int | None = None) -> None:
    """``os.remove`` as DeleteFile: "The DeleteFile function fails if an application
    attempts to delete a file that has other handles open for normal I/O"
    (Microsoft Learn, DeleteFile; ERROR_SHARING_VIOLATION)."""
    if _held(path, dir_fd):
        raise _sharing_violation(path)
    _real.remove(path, dir_fd=dir_fd)


def rmdir(path: Any, *, dir_fd: int | None = None) -> None:
    if _held(path, dir_fd):
        raise _sharing_violation(path)
    _real.rmdir(path, dir_fd=dir_fd)


def _writing(mode: str) -> bool:
    return any(flag in mode for flag in "wax+")


def _check_not_held_for_writing(file: Any) -> None:
    """Excel opens a workbook denying write sharing: opening it for writing elsewhere is a
    sharing violation (Microsoft Learn, CreateFile: "An application cannot ... request
    an access mode that conflicts with the sharing mode ... the function fails and
    GetLastError returns ERROR_SHARING_VIOLATION")."""
    if isinstance(file, int):
        return
    identity = _identity(file)
    if identity is not None and identity in _held_by_others():
        raise _sharing_violation(file)


def io_open(file: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None,
            errors: str | None = None, newline: str | None = None, closefd: bool = True,
            opener: Callable[..., int] | None = None) -> Any:  # fmt: skip
    """``open()`` as on Windows.

    Text mode: "newline ... If newline is None, any '\\n' characters written are
    translated to the system default line separator, os.linesep" (Python docs, open),
    which is '\\r\\n' on Windows; and "The default encoding is platform dependent
    (whatever locale.getencoding() returns)" — the ANSI code page, cp932. The same for
    ``encoding="locale"``, which ``pathlib``'s ``read_text``/``write_text``/``open`` pass
    when given no encoding (``io.text_encoding``): "locale" is the locale encoding. In
    Python's UTF-8 mode (``PYTHONUTF8=1``, ``-X utf8``) the default is UTF-8 on Windows too.
    """
    if _writing(mode):
        _check_not_held_for_writing(file)
    if "b" not in mode:
        if newline is None and _writing(mode):
            newline = "\r\n"
        if encoding is None and not sys.flags.utf8_mode:
            encoding = ANSI_CODE_PAGE
        elif encoding == "locale":
            encoding = getencoding()
    return _real.io_open(file, mode, buffering, encoding, errors, newline, closefd, opener)


def getencoding() -> str:
    """``locale.getencoding()`` as on Windows: "On Windows, return the ANSI code page
    (ex: "cp1252")" (Python docs, locale.getencoding; 3.11+), GetACP() above, whatever the
    UTF-8 mode. ``subprocess`` decodes a ``text=True`` child's output with it.

    Not covered: an ``io.TextIOWrapper`` built directly without an encoding asks the C
    runtime, not this module (the project builds none; ruff's PLW1514 finds ``open()``
    and ``Path`` calls without ``encoding=`` too)."""
    return ANSI_CODE_PAGE


def getpreferredencoding(do_setlocale: bool = True) -> str:
    """``locale.getpreferredencoding()`` as on Windows: the ANSI code page, or "utf-8" in
    UTF-8 mode (Python docs, locale.getpreferredencoding: "On Windows, return the ANSI code
    page"; "The Python UTF-8 Mode: ... return 'utf-8' always")."""
    return "utf-8" if sys.flags.utf8_mode else ANSI_CODE_PAGE


def os_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
    if flags & (os.O_WRONLY | os.O_RDWR):
        _check_not_held_for_writing(path)
    return _real.open(path, flags, mode, dir_fd=dir_fd)


def symlink(
    src: Any, dst: Any, target_is_directory: bool = False, *, dir_fd: int | None = None
) -> None:
    """Python docs, os.symlink: "On newer versions of Windows 10, unprivileged accounts can
    create symlinks if Developer Mode is enabled. When Developer Mode is not
    available/enabled, the SeCreateSymbolicLinkPrivilege privilege is required, or the
    process must be run as an administrator. OSError is raised when the function is
    called by an unprivileged user." A planner's PC: no Developer Mode, no admin."""
    # ERROR_PRIVILEGE_NOT_HELD has no errno of its own: Python maps it to EINVAL.
    error = OSError(
        errno.EINVAL, "A required privilege is not held by the client", os.fsdecode(dst)
    )
    error.winerror = 1314  # type: ignore[attr-defined]
    raise error


# ---------------------------------------------------------------- processes and console events


def terminate_process(pid: int, exit_code: int) -> None:
    """TerminateProcess: the process ends at once, no handler runs. Here SIGKILL (the exit
    status seen by a parent is -9 rather than ``exit_code``); for this process itself,
    ``os._exit(exit_code)``, which shows the code Windows would."""
    if pid == os.getpid():
        sys.stdout.flush()
        os._exit(exit_code)
    _real.kill(pid, signal.SIGKILL)


def kill(pid: int, sig: int) -> None:
    """``os.kill`` as on Windows (Python docs, os.kill): "The signal.CTRL_C_EVENT and
    signal.CTRL_BREAK_EVENT signals are special signals which can only be sent to console
    processes which share a common console window, e.g., some subprocesses. Any other
    value for sig will cause the process to be unconditionally killed by the
    TerminateProcess API, and the exit code will be set to sig."

    The two events go through GenerateConsoleCtrlEvent(sig, pid), pid naming a process
    group; 0 is every process of the console (here: of this process group). Microsoft
    Learn, GenerateConsoleCtrlEvent, CTRL_C_EVENT: "This signal cannot be limited to a
    specific process group. If dwProcessGroupId is nonzero, this function will succeed,
    but the CTRL+C signal will not be received by processes within the specified
    process group."
    """
    if sig == CTRL_C_EVENT:
        if pid == 0:
            _real.killpg(0, signal.SIGINT)
        return
    if sig == CTRL_BREAK_EVENT:
        _real.killpg(0 if pid == 0 else pid, SIGBREAK)
        return
    terminate_process(pid, sig)


def _popen_send_signal(self: subprocess.Popen[Any], sig: int) -> None:
    """Python docs, Popen.send_signal: "On Windows, SIGTERM is an alias for terminate().
    CTRL_C_EVENT and CTRL_BREAK_EVENT can be sent to processes started with a
    creationflags parameter which includes CREATE_NEW_PROCESS_GROUP." Any other signal:
    ValueError("Unsupported signal") (Lib/subprocess.py, Windows branch)."""
    if self.poll() is not None:
        return
    if sig == signal.SIGTERM:
        self.terminate()
    elif sig in (CTRL_C_EVENT, CTRL_BREAK_EVENT):
        kill(self.pid, sig)
    else:
        raise ValueError(f"Unsupported signal: {sig}")


def _popen_terminate(self: subprocess.Popen[Any]) -> None:
    """Python docs: "On Windows the Win32 API function TerminateProcess() is called to stop
    the child"; "On Windows kill() is an alias for terminate()"."""
    if self.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            terminate_process(self.pid, 1)


STATUS_CONTROL_C_EXIT = 0xC000013A
"""The exit code of a console process ended by the default Ctrl handler (Microsoft Learn,
NTSTATUS values); a Linux exit status keeps its low byte, 0x3A."""


def _break_by_default(signum: int, frame: object) -> None:
    """Without a SIGBREAK handler, Ctrl-Break ends a process: the C runtime's console handler
    declines the event and the default handler calls ExitProcess (Microsoft Learn,
    HandlerRoutine: "Initially, the handler list for each process contains only a default
    handler function that calls the ExitProcess function"). SIGBREAK is SIGTTIN here,
    whose own default would stop the process instead."""
    os._exit(STATUS_CONTROL_C_EXIT & 0xFF)


# ---------------------------------------------------------------- what the project's modules see


def _windows_signal_call(signalnum: int, handler: Any) -> Any:
    if int(signalnum) not in WINDOWS_SIGNALS:
        raise ValueError("invalid signal value")
    return _real.signal(signalnum, handler)


class _WindowsView(types.ModuleType):
    """A module as Windows' Python has it: some names removed, some added or replaced."""

    def __init__(
        self, real: types.ModuleType, absent: Callable[[str], bool], extra: dict[str, Any]
    ) -> None:
        super().__init__(real.__name__, real.__doc__)
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_absent", absent)
        object.__setattr__(self, "_extra", extra)

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        if self._absent(name):
            raise AttributeError(f"module {self._real.__name__!r} has no attribute {name!r}")
        return getattr(self._real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real, name, value)

    def __dir__(self) -> list[str]:
        return sorted(
            {*dir(self._real), *self._extra} - {n for n in dir(self._real) if self._absent(n)}
        )


def _os_open_no_directories(
    path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
) -> int:
    """The CRT's _wopen cannot open a directory (CreateFile needs FILE_FLAG_BACKUP_SEMANTICS
    for that, which _wopen never passes): PermissionError, EACCES."""
    if dir_fd is None and os.path.isdir(path):
        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
    return os_open(path, flags, mode, dir_fd=dir_fd)


def _signal_absent(name: str) -> bool:
    if name in _KEPT_SIGNAL_NAMES or name in _KEPT_SIGNAL_FUNCTIONS or name.startswith("__"):
        return False
    return name.startswith(
        ("SIG", "ITIMER_", "alarm", "pause", "set", "sig", "pthread_", "getitimer")
    )


OS_VIEW = _WindowsView(
    os,
    lambda name: name in _POSIX_ONLY_OS,
    {"kill": kill, "open": _os_open_no_directories, "linesep": "\r\n"},
)
SIGNAL_VIEW = _WindowsView(
    signal,
    _signal_absent,
    {"SIGBREAK": SIGBREAK, "CTRL_C_EVENT": CTRL_C_EVENT, "CTRL_BREAK_EVENT": CTRL_BREAK_EVENT,
     "signal": _windows_signal_call},
)  # fmt: skip


def _importer(globals_: Any) -> str:
    if not globals_:
        return ""
    spec = globals_.get("__spec__")
    name = getattr(spec, "name", None) or globals_.get("__name__") or ""
    if name == "__main__":
        file = globals_.get("__file__") or ""
        name = os.path.splitext(os.path.basename(file))[0]
    return str(name)


def _import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    if level == 0 and _importer(globals).partition(".")[0] in OURS:
        top = name.partition(".")[0]
        if top in _ABSENT_MODULES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if name == "os" or (top == "os" and not fromlist):
            module = _real.import_(name, globals, locals, fromlist, level)
            return OS_VIEW if module is os else module
        if name == "signal":
            _real.import_(name, globals, locals, fromlist, level)
            return SIGNAL_VIEW
    return _real.import_(name, globals, locals, fromlist, level)


# ---------------------------------------------------------------- standard streams


def _redirected_streams() -> None:
    """Standard streams not attached to a console are the ANSI code page.

    Python docs, sys.stdout: "On Windows, UTF-8 is used for the console device.
    Non-character devices such as disk files and pipes use the system locale encoding
    (i.e. the ANSI codepage)"; errors: stdout "strict", stderr "backslashreplace".
    PEP 528 gives the console itself UTF-8 (a terminal here keeps UTF-8). The C
    runtime's text-mode descriptor writes '\\n' as CRLF. PYTHONIOENCODING overrides,
    as on Windows, and so does UTF-8 mode (Python docs, "Python UTF-8 Mode":
    "sys.stdin, sys.stdout and sys.stderr ... use UTF-8 as their text encoding").
    """
    if os.environ.get("PYTHONIOENCODING") or sys.flags.utf8_mode:
        return
    for name, errors in (("stdout", "strict"), ("stderr", "backslashreplace")):
        stream = getattr(sys, name)
        if stream is None or not hasattr(stream, "buffer") or stream.isatty():
            continue
        stream.flush()
        line_buffering = stream.line_buffering
        write_through = getattr(stream, "write_through", False)
        replacement = io.TextIOWrapper(
            stream.detach(),  # the old wrapper must not close the buffer when collected
            encoding=ANSI_CODE_PAGE,
            errors=errors,
            newline="\r\n",
            line_buffering=line_buffering,
            write_through=write_through,
        )
        setattr(sys, name, replacement)
        setattr(sys, f"__{name}__", replacement)


# ---------------------------------------------------------------- installing


def install() -> None:
    """Apply every rule to this process (idempotent)."""
    if getattr(os, "_windows_simulation", False):
        return
    os._windows_simulation = True  # type: ignore[attr-defined]
    os.fsync = fsync
    os.replace = replace
    os.rename = rename
    os.remove = remove
    os.unlink = remove
    os.rmdir = rmdir
    os.open = os_open
    os.symlink = symlink
    io.open = io_open
    builtins.open = io_open
    locale.getencoding = getencoding  # type: ignore[attr-defined,unused-ignore]
    locale.getpreferredencoding = getpreferredencoding
    subprocess.Popen.send_signal = _popen_send_signal  # type: ignore[method-assign]
    subprocess.Popen.terminate = _popen_terminate  # type: ignore[method-assign]
    subprocess.Popen.kill = _popen_terminate  # type: ignore[method-assign]
    builtins.__import__ = _import
    if signal.getsignal(SIGBREAK) == signal.SIG_DFL:
        _real.signal(SIGBREAK, _break_by_default)
    for loaded in list(sys.modules.values()):
        _rebind(loaded)
    _redirected_streams()


def _rebind(module: Any) -> None:
    """Project modules imported before the simulation (none normally) see the views too."""
    name = getattr(module, "__name__", "") or ""
    if name.partition(".")[0] not in OURS:
        return
    namespace = getattr(module, "__dict__", {})
    if namespace.get("os") is os:
        namespace["os"] = OS_VIEW
    if namespace.get("signal") is signal:
        namespace["signal"] = SIGNAL_VIEW


@functools.cache
def site_folder() -> str:
    return os.path.dirname(os.path.abspath(__file__))
