"""The front door on every OS: ``python tasks.py COMMAND [ARGS...]`` (``py tasks.py`` on Windows).

Standard library only, so that it runs on a PC with nothing but Python 3.11+ from
python.org: it creates ``.venv`` (``.venv\\Scripts`` on Windows, ``.venv/bin``
elsewhere), installs the exact versions of ``requirements.lock`` (again only when the
lock or ``pyproject.toml`` changed), then runs the command in that environment. The
Makefile's targets call this file, so ``make reports`` and ``python tasks.py reports``
do the same. Arguments after the command are passed through:
``python tasks.py reports --target-year 2030``.

The install is one a planner can follow: progress in Japanese, pip's own output kept in
``.venv/install-log.txt``, and every failure one Japanese line saying what to do. Where
there is no internet, ``tasks.py bundle`` (run on a connected PC) makes one zip holding the
project and a ``wheelhouse`` of every locked package for Windows x64 (CPython 3.11–3.13)
and the building machine; unpacked, ``py tasks.py reports`` installs from it with no
network at all.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-stamp"
INSTALL_LOG = VENV / "install-log.txt"
LOCK = ROOT / "requirements.lock"
WHEELHOUSE = ROOT / "wheelhouse"
BUNDLE_MANIFEST = WHEELHOUSE / "bundle.json"
LINTED = ["analysis", "tests", "benchmarks", "tasks.py"]
MINIMUM_PYTHON = (3, 11)


class ExitCode(IntEnum):
    """A copy of ``analysis.core.exit_codes.ExitCode`` (this file runs before the environment
    exists and imports nothing of the project; ``tests/unit/core/test_exit_codes.py`` keeps them equal)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERNAL = 70
    BUSY = 75
    INTERRUPTED = 130
    TERMINATED = 143


WINDOWS_PYTHONS = ("3.11", "3.12", "3.13")
"""The Windows x64 CPython versions a bundle carries wheels for (python.org installers)."""

LONGEST_INSTALLED_PATH = 161
"""Characters of the longest path the install creates below the project folder on Windows
(``.venv\\Lib\\site-packages\\…\\__pycache__\\….cpython-311.pyc``, Python 3.11–3.13, x64),
measured from the Windows wheels of a full bundle with :func:`installed_paths` (a bundle
records its own measure in ``wheelhouse/bundle.json``, which is used when present)."""

MAX_PATH = 260
"""Windows' limit on a path, its terminating NUL included, unless long paths are enabled
(https://learn.microsoft.com/en-us/windows/win32/fileio/maximum-file-path-limitation)."""

PROBE_SECONDS = 8
"""How long the package index may take to answer before the PC is taken as offline."""

PIP_TIMEOUT_SECONDS = 15
"""pip's socket timeout; with ``--retries 0`` a dropped network fails within it."""

DEFAULT_INDEX = "https://pypi.org/simple"


def say(line: str) -> None:
    print(line, flush=True)


def on_windows() -> bool:
    return os.name == "nt"


def front_door() -> str:
    """What the person typed to get here: ``make`` (make exports MAKELEVEL to its commands),
    ``py tasks.py`` on Windows, ``python3 tasks.py`` elsewhere. Never ``make`` on Windows."""
    if on_windows():
        return "py tasks.py"
    return "make" if os.environ.get("MAKELEVEL") else "python3 tasks.py"


def typed(command: str) -> str:
    """The command line a person types for ``command`` (``py tasks.py reports``)."""
    return f"{front_door()} {command}"


def relative(path: Path) -> str:
    """A path as messages show it: relative to the project, with ``/``."""
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def site_packages() -> Path:
    if os.name == "nt":
        return VENV / "Lib" / "site-packages"
    return VENV / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def wanted_stamp() -> str:
    """What the installed environment must match: the lock, the project file, this Python."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "requirements.lock"):
        digest.update((ROOT / name).read_bytes().replace(b"\r\n", b"\n"))
    digest.update(sys.version.encode())
    return digest.hexdigest()


def installed_stamp() -> str:
    """The stamp of the last complete install; '' when missing or garbled (then it is redone)."""
    try:
        return STAMP.read_bytes().decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


# ------------------------------------------------------------------ running a command


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: the command gets SIGTERM when tasks.py dies, even by SIGKILL (prctl(2),
    PR_SET_PDEATHSIG); the run handles SIGTERM like Ctrl-C and leaves the outputs intact."""
    import ctypes

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # tasks.py died before the prctl took effect
        signal.raise_signal(signal.SIGTERM)


_JOB: object = None


def _kill_on_close_job() -> object:  # pragma: no cover - Windows only
    """Windows: a Job object that ends every process in it when its last handle closes, i.e.
    when tasks.py ends in any way (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, "Causes all processes
    associated with the job to terminate when the last handle to the job is closed":
    https://learn.microsoft.com/en-us/windows/win32/api/winnt/ns-winnt-jobobject_basic_limit_information).
    Processes a process in a job creates belong to the job too (the kernels), see
    https://learn.microsoft.com/en-us/windows/win32/procthread/job-objects. None if unavailable.
    """
    global _JOB
    if _JOB is not None:
        return _JOB
    import ctypes
    from ctypes import wintypes

    class BasicLimits(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class IoCounters(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in ("r", "w", "o", "rb", "wb", "ob")]

    class ExtendedLimits(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", BasicLimits),
            ("IoInfo", IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return None
    limits = ExtendedLimits()
    limits.BasicLimitInformation.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    extended_limit_information = 9  # JobObjectExtendedLimitInformation
    if not kernel32.SetInformationJobObject(
        wintypes.HANDLE(job),
        extended_limit_information,
        ctypes.byref(limits),
        ctypes.sizeof(limits),
    ):
        return None
    _JOB = (kernel32, job)
    return _JOB


def start(command: list[str], **options: object) -> subprocess.Popen[str]:
    """Start a command that ends when tasks.py ends, however it ends (a killed tasks.py
    must not leave its run going on without it)."""
    if sys.platform.startswith("linux"):
        options["preexec_fn"] = _die_with_parent
    process: subprocess.Popen[str] = subprocess.Popen(command, **options)  # type: ignore[call-overload]
    if os.name == "nt":  # pragma: no cover - Windows only
        try:
            job = _kill_on_close_job()
            if job is not None:
                from ctypes import wintypes

                kernel32, handle = job  # type: ignore[misc]
                kernel32.AssignProcessToJobObject(
                    wintypes.HANDLE(handle),
                    wintypes.HANDLE(int(process._handle)),  # type: ignore[attr-defined]
                )
        except (OSError, AttributeError, ValueError):
            pass  # without a job the command still runs; only a killed tasks.py leaves it on
    return process


def child_environment() -> dict[str, str]:
    """The commands learn the front door, to name it in their messages."""
    return {**os.environ, "ANALYSIS_FRONT_DOOR": front_door()}


def call(*command: str | Path) -> int:
    """Run a command in the project folder and return its exit code.

    Ctrl-C reaches the command directly (the console sends it to every process of
    the window), and the command stops by itself with the outputs intact; this
    process only waits for it (``subprocess.call`` would kill it at once).
    """
    try:
        process = start([str(part) for part in command], cwd=ROOT, env=child_environment())
    except OSError as error:
        program = Path(str(command[0]))
        name = relative(program) if program.is_absolute() else str(program)
        say(
            f"{name} を起動できません（{error.strerror or error}）。"
            f"{typed('setup')} で作り直してから、もう一度実行してください"
        )
        return ExitCode.FAILED
    with waiting_through_ctrl_break():
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                continue


@contextlib.contextmanager
def waiting_through_ctrl_break() -> Iterator[None]:
    """Windows: Ctrl-Break reaches this process as well as the command ("CTRL+C and
    CTRL+BREAK signals ... to all processes attached to the console", https://learn.
    microsoft.com/en-us/windows/console/ctrl-c-and-ctrl-break-signals). With no SIGBREAK
    handler, the default handler would end this process at once ("a default handler
    function that calls the ExitProcess function", https://learn.microsoft.com/en-us/
    windows/console/handlerroutine), with STATUS_CONTROL_C_EXIT instead of the command's
    code, and its Job object would then kill the command before it stopped by itself. So
    the event is handled here by doing nothing: the command stops, this process ends
    with its code (149)."""
    number = getattr(signal, "SIGBREAK", None)
    if number is None:
        yield
        return
    previous = signal.signal(number, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(number, previous)


# ------------------------------------------------------------------ the environment


def venv_damage() -> str:
    """Why ``.venv`` cannot be used as it is ('' when it can): copied from another PC, moved
    with its Python uninstalled, or half deleted. Such a venv is rebuilt, never run."""
    if not VENV.exists():
        return ""
    config = VENV / "pyvenv.cfg"
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ".venv/pyvenv.cfg がありません"
    home = next(
        (
            line.split("=", 1)[1].strip()
            for line in text.splitlines()
            if line.split("=", 1)[0].strip().lower() == "home"
        ),
        "",
    )
    if not home or not Path(home).is_dir():
        return "この .venv を作った Python がこのパソコンにありません（別のパソコンから写したか、Python を入れ直した）"
    made_by = re.search(r"^version(?:_info)?\s*=\s*(\d+)\.(\d+)", text, re.M)
    here = sys.version_info[:2]
    if made_by and (int(made_by[1]), int(made_by[2])) != here:
        return f"この .venv は別の Python（{made_by[1]}.{made_by[2]}）で作られています。この Python は {here[0]}.{here[1]}"
    if not venv_python().exists():  # on POSIX a symlink whose target is gone does not exist
        return f"{relative(venv_python())} がありません"
    return ""


def remove_venv() -> bool:
    try:
        shutil.rmtree(VENV)
    except OSError:
        say(
            ".venv を消せません（使用中のファイルがあります）。JupyterLab などこのフォルダで動いている"
            f"ものを閉じてから、もう一度実行してください。消えない場合は .venv フォルダを手で削除してから {typed('setup')}"
        )
        return False
    return True


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str
    hashes: tuple[str, ...]
    extras: tuple[str, ...] = ()
    """The extras that need it ('' for the packages every install has): its lock section."""

    def requirement(self) -> str:
        """One line of a requirements file pip installs from, hashes and marker included."""
        marker = f" ; {self.marker}" if self.marker else ""
        hashes = " ".join(f"--hash=sha256:{h}" for h in self.hashes)
        return f"{self.name}=={self.version}{marker} {hashes}\n"


EXTRAS = {
    "lab": "分析用のソフト（JupyterLab）",
    "pdf": "PDF を作るためのソフト（Playwright）",
}
"""The extras installed on first use (pyproject.toml), with what a planner is told they are."""

COMMAND_EXTRAS = {
    "lab": ("lab",),
    "pdf": ("pdf",),
    "proof": ("pdf",),
    "test": ("lab", "pdf"),
    "test-all": ("lab", "pdf"),
    "unit": ("lab", "pdf"),
    "typecheck": ("pdf",),  # mypy checks analysis/run/pdf.py against Playwright's own types
}
"""The extras each command needs, installed the first time it runs."""

SECTION = re.compile(r"# \[extras?: ([a-z, ]+)\]")
"""The line that starts an extra's section of the lock: ``# [extra: lab]``."""


def read_lock(text: str) -> list[Pin]:
    """The lock's requirements (uv's format: ``name==version ; marker \\`` and hash lines),
    each with the extras of the section it stands in (see :func:`lock`)."""
    pins = []
    extras: tuple[str, ...] = ()
    for block in re.split(r"\n(?=[A-Za-z0-9#])", text.replace("\r\n", "\n")):
        section = SECTION.match(block)
        if section:
            extras = tuple(e.strip() for e in section[1].split(","))
            continue
        head = re.match(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;\\]+)\s*(?:;([^\\\n]*))?", block)
        if head:
            hashes = tuple(re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
            pins.append(Pin(head[1], head[2], (head[3] or "").strip(), hashes, extras))
    return pins


def lock_pins() -> list[Pin] | None:
    """The lock's pins, or None after saying in one line that the lock is damaged."""
    try:
        pins = read_lock(LOCK.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        say(
            f"requirements.lock がありません。配布されたフォルダから写し直してください（{typed('setup')}）"
        )
        return None
    except UnicodeDecodeError:
        say(
            "requirements.lock を読めません（UTF-8 でない文字があります。別のソフトで保存し直された"
            "ようです）。配布されたフォルダの requirements.lock に戻してから、もう一度実行してください"
        )
        return None
    if not pins:
        say(
            "requirements.lock に入れるソフトが書かれていません。配布されたフォルダの requirements.lock に戻してください"
        )
        return None
    return pins


def long_paths_enabled() -> bool:  # pragma: no cover - Windows only
    """Windows 10+ lifts MAX_PATH when LongPathsEnabled is set (python.exe is long-path aware)."""
    try:
        import winreg

        with winreg.OpenKey(  # type: ignore[attr-defined]
            winreg.HKEY_LOCAL_MACHINE,  # type: ignore[attr-defined]
            r"SYSTEM\CurrentControlSet\Control\FileSystem",
        ) as key:
            return bool(winreg.QueryValueEx(key, "LongPathsEnabled")[0])  # type: ignore[attr-defined]
    except (OSError, ImportError):
        return False


def path_limits_apply() -> bool:
    return on_windows() and not long_paths_enabled()


def longest_installed_path() -> int:
    """The longest path the install creates below the project folder (a bundle knows its own)."""
    try:
        manifest = json.loads(BUNDLE_MANIFEST.read_text(encoding="utf-8"))
        return max(LONGEST_INSTALLED_PATH, int(manifest["longest_installed_path"]))
    except (OSError, ValueError, KeyError, TypeError):
        return LONGEST_INSTALLED_PATH


def folder_too_long() -> str:
    """The one-line refusal when the project folder is too deep for the install ('' if not)."""
    if not path_limits_apply():
        return ""
    longest = longest_installed_path()
    allowed = MAX_PATH - 1 - 1 - longest  # the NUL, the separator after the folder
    length = len(str(ROOT))
    if length <= allowed:
        return ""
    return (
        f"このフォルダの場所が長すぎて、必要なソフトを入れられません（{length} 文字。"
        f"中に入れるファイルの場所がさらに {longest + 1} 文字あり、Windows の上限 {MAX_PATH} 文字を超えます）。"
        f"このフォルダを、場所が {allowed} 文字以内のところ（例：C:\\Users\\名前\\Desktop\\人口分析）に"
        "移してから、もう一度実行してください"
    )


# ------------------------------------------------------------------ where the packages come from


def bundle_targets() -> list[dict[str, str]]:
    try:
        manifest = json.loads(BUNDLE_MANIFEST.read_text(encoding="utf-8"))
        return [dict(t) for t in manifest["targets"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def this_python() -> dict[str, str]:
    return {
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "platform": sysconfig.get_platform(),
        "implementation": sys.implementation.name,
    }


def wheelhouse_problem() -> str:
    """Why the bundle's wheelhouse cannot install on this PC ('' when it can)."""
    targets = bundle_targets()
    if not targets:
        return (
            "wheelhouse/bundle.json を読めません。zip ファイルをもう一度すべて展開してください"
            f"（作り直すには、インターネットに接続できるパソコンで {typed('bundle')}）"
        )
    here = this_python()
    if not any(all(t.get(k) == v for k, v in here.items()) for t in targets):
        carried = "、".join(f"Python {t['python']}（{t['platform']}）" for t in targets)
        return (
            f"このフォルダの wheelhouse には、このパソコンの Python {here['python']}（{here['platform']}）用の"
            f"ソフトがありません（入っているのは {carried}）。python.org から Python {WINDOWS_PYTHONS[0]}～"
            f"{WINDOWS_PYTHONS[-1]} の 64 ビット版を入れるか、このパソコンの Python で {typed('bundle')} を"
            "作り直してください"
        )
    try:
        recorded = json.loads(BUNDLE_MANIFEST.read_text(encoding="utf-8"))["lock_sha256"]
    except (OSError, ValueError, KeyError):
        recorded = ""
    if recorded != hashlib.sha256(LOCK.read_bytes()).hexdigest():
        return (
            "requirements.lock が wheelhouse を作ったときのものと違います。zip ファイルから展開し直すか、"
            f"インターネットに接続できるパソコンで {typed('bundle')} を作り直してください"
        )
    return ""


def pip_config_index() -> str:
    """The package index pip will use: PIP_INDEX_URL, else pip's configuration files
    (https://pip.pypa.io/en/stable/topics/configuration/), else PyPI."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    files: list[Path] = []
    if os.name == "nt":
        for variable in ("PROGRAMDATA", "APPDATA"):
            if os.environ.get(variable):
                files.append(Path(os.environ[variable]) / "pip" / "pip.ini")
    else:
        files += [Path("/etc/xdg/pip/pip.conf"), Path("/etc/pip.conf")]
        files += [Path.home() / ".pip" / "pip.conf", Path.home() / ".config" / "pip" / "pip.conf"]
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    index = DEFAULT_INDEX
    for file in files:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(file, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in ("global", "install"):
            if parser.has_option(section, "index-url"):
                index = parser.get(section, "index-url")
    return index


def index_reachable(index: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether the index answers at all (any HTTP status counts). urllib uses the same proxy
    settings as pip (environment variables; on Windows also the Internet Options)."""
    if not index.startswith(("http://", "https://")):
        return True
    try:
        with urllib.request.urlopen(index.rstrip("/") + "/pip/", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def offline_line() -> str:
    return (
        "インターネットに接続できないため、必要なソフトを入れられません。インターネットに接続できない"
        "パソコンでは、README.md の「インターネットに接続できないパソコンで使う」の手順どおり、"
        f"接続できるパソコンで {typed('bundle')} で作った zip ファイルを展開して使ってください"
    )


# ------------------------------------------------------------------ pip with Japanese progress


class Progress:
    """「必要なソフトを入れています（32/134）」: rewritten in place on a console, a line
    per tenth elsewhere (a log, a CI job)."""

    def __init__(self) -> None:
        self.console = sys.stdout.isatty()
        self.shown = ""
        self.last_tenth = -1

    def show(self, text: str, done: int, total: int) -> None:
        line = f"{text}（{min(done, total)}/{total}）"
        if line == self.shown:
            return
        self.shown = line
        if self.console:
            sys.stdout.write("\r" + line)
            sys.stdout.flush()
            return
        tenth = 10 * min(done, total) // max(total, 1)
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            say(line)

    def end(self) -> None:
        if self.console and self.shown:
            sys.stdout.write("\n")
            sys.stdout.flush()
        self.shown = ""
        self.last_tenth = -1


def pip_environment(offline: bool) -> dict[str, str]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
    if offline:  # the wheelhouse alone: no configured index, find-links or constraint may add to it
        environment = {k: v for k, v in environment.items() if not k.startswith("PIP_")}
        environment["PIP_CONFIG_FILE"] = os.devnull
    return environment


def pip(arguments: list[str], offline: bool, total: int, log: Path) -> int:
    """``python -m pip ARGUMENTS`` with its output in ``log`` and Japanese progress on screen.

    Every requirement of the lock shows up in pip's output as ``Ignoring`` (markers not for
    this PC), ``Collecting``/``Requirement already satisfied``; then ``Installing collected
    packages: …`` lists what it installs, each of which appears as a ``.dist-info`` folder.
    """
    command = [str(venv_python()), "-m", "pip", *arguments]
    progress = Progress()
    interrupted.clear()
    with log.open("a", encoding="utf-8") as record:
        record.write(f"\n$ {' '.join(command)}\n")
        record.flush()
        process = start(
            command, cwd=ROOT, env=pip_environment(offline), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, encoding="utf-8",
            errors="replace",
        )  # fmt: skip
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        collected = ignored = 0
        installing: list[str] = []
        before = 0
        finished = False
        while not finished:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                line = ""
            except KeyboardInterrupt:
                interrupted.set()  # pip got Ctrl-C too and stops by itself
                continue
            if line is None:
                finished = True
                line = ""
            if line:
                record.write(line)
            if line.startswith("Ignoring "):
                ignored += 1
            elif line.startswith(("Collecting ", "Requirement already satisfied", "Processing ")):
                collected += 1
                if total:
                    progress.show("必要なソフトを集めています", collected, max(total - ignored, 1))
            elif line.startswith("Installing collected packages:"):
                progress.end()
                installing = [n.strip() for n in line.split(":", 1)[1].split(",") if n.strip()]
                before = count_installed()
            if installing and total:
                done = count_installed() - before
                progress.show("必要なソフトを入れています", done, len(installing))
        code = process.wait()
        if installing and total and code == 0:
            progress.show("必要なソフトを入れています", len(installing), len(installing))
        progress.end()
    return code


interrupted = threading.Event()
"""Set when Ctrl-C reached tasks.py while pip ran."""


def count_installed() -> int:
    try:
        return sum(1 for _ in site_packages().glob("*.dist-info"))
    except OSError:
        return 0


def failure_line(log: Path, offline: bool) -> str:
    """One Japanese line for a failed install, from what pip wrote in ``log``."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    where = f"（pip の記録：{relative(log)}）"
    if "THESE PACKAGES DO NOT MATCH THE HASHES" in text:
        return (
            "取得したソフトのファイルが requirements.lock に記録された内容と一致しません（途中で壊れたか、"
            "差し替えられています）。もう一度実行し、同じ表示が出る場合は、配布元に知らせてください"
            + where
        )
    if re.search(r"No space left|Errno 28|WinError 112", text):
        return (
            "ディスクの空き容量が足りません。2 GB 以上空けてから、もう一度実行してください" + where
        )
    if re.search(
        r"WinError 206|File name too long|Errno 36|filename or extension is too long", text
    ):
        return (
            "ファイルの場所が長すぎて入れられません。このフォルダを C:\\Users\\名前\\Desktop など"
            "短い場所に移してから、もう一度実行してください" + where
        )
    if offline and re.search(r"No matching distribution|Could not find a version", text):
        return (
            "wheelhouse にこのパソコン用のソフトが足りません。インターネットに接続できるパソコンで "
            f"{typed('bundle')} を作り直してください" + where
        )
    network = (
        r"NewConnectionError|Failed to establish|ConnectTimeout|ReadTimeout|timed out|"
        r"Temporary failure in name resolution|getaddrinfo failed|Name or service not known|"
        r"ProxyError|Max retries exceeded|Network is unreachable|No matching distribution|"
        r"Could not find a version"
    )
    if re.search(r"SSLError|CERTIFICATE_VERIFY_FAILED", text):
        return (
            "パッケージの配布元と安全に接続できません（証明書を確認できません）。社内のプロキシを"
            "通している場合は、情報システムの担当者に pip の設定を確認してもらうか、README.md の"
            "「インターネットに接続できないパソコンで使う」の手順を使ってください" + where
        )
    if re.search(network, text):
        return (
            "インターネットからソフトを取得できませんでした（接続が切れたか、遅すぎます）。接続を確かめて"
            "もう一度実行するか、README.md の「インターネットに接続できないパソコンで使う」の手順を"
            "使ってください" + where
        )
    if re.search(r"Permission denied|WinError 5\b|WinError 32\b|Access is denied", text):
        return (
            ".venv のファイルを書き換えられません（ほかのプログラムが使用中か、権限がありません）。"
            "JupyterLab などを閉じてから、もう一度実行してください" + where
        )
    return (
        "必要なソフトを入れられませんでした。もう一度実行しても同じ場合は、この表示と "
        f"{relative(log)} を担当者に見せてください" + where
    )


def install(pins: list[Pin], offline: bool, project: bool = True) -> int:
    """The locked versions of ``pins``, then (``project``) the project itself, built with the
    locked setuptools. The pins reach pip as a requirements file of their own, with their
    hashes: pip installs exactly those (``requirements.lock`` also holds the extras')."""
    import tempfile

    INSTALL_LOG.parent.mkdir(parents=True, exist_ok=True)
    if project:
        INSTALL_LOG.write_text("", encoding="utf-8")
    quiet = [
        *("--progress-bar", "off", "--disable-pip-version-check", "--no-input"),
        *("--no-warn-script-location", "--timeout", str(PIP_TIMEOUT_SECONDS), "--retries", "0"),
    ]
    source = ["--no-index", "--find-links", str(WHEELHOUSE)] if offline else []
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text("".join(p.requirement() for p in pins), encoding="utf-8")
        steps = [["install", *quiet, *source, "--require-hashes", "-r", str(requirements)]]
        if project:
            steps.append(
                ["install", *quiet, "--no-index", "--no-deps", "--no-build-isolation", "-e", "."]
            )
        for step in steps:
            code = pip(step, offline, len(pins) if step[-1] != "." else 0, INSTALL_LOG)
            if code and interrupted.is_set():
                say("中断しました。もう一度実行すると、必要なソフトを入れ直します")
                return ExitCode.INTERRUPTED
            if code:
                say(failure_line(INSTALL_LOG, offline))
                return code
    return ExitCode.OK


def create_venv() -> bool:
    import venv

    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (OSError, subprocess.CalledProcessError) as error:
        say(
            f".venv を作れません（{error}）。フォルダに書き込めるか、ディスクの空きを確かめてください"
        )
        return False
    return True


def setup(_: list[str]) -> int:
    """Create .venv and install the locked versions (only when something changed)."""
    if sys.version_info < MINIMUM_PYTHON:
        say(
            f"Python {MINIMUM_PYTHON[0]}.{MINIMUM_PYTHON[1]} 以上が必要です（この Python は "
            f"{sys.version.split()[0]}）。python.org から新しい Python を入れてください。"
        )
        return ExitCode.FAILED
    damage = venv_damage()
    if not damage and venv_python().exists() and installed_stamp() == wanted_stamp():
        return ExitCode.OK
    pins = lock_pins()
    if pins is None:
        return ExitCode.FAILED
    refusal = folder_too_long()
    if refusal:
        say(refusal)
        return ExitCode.FAILED
    offline = WHEELHOUSE.is_dir()
    if offline:
        problem = wheelhouse_problem()
        if problem:
            say(problem)
            return ExitCode.FAILED
    if damage:
        say(f".venv を作り直します（{damage}）…")
        if not remove_venv():
            return ExitCode.FAILED
    fresh = not venv_python().exists()
    if fresh and not offline and not index_reachable(pip_config_index()):
        say(offline_line())
        return ExitCode.FAILED
    if fresh:
        where = "このフォルダの wheelhouse から" if offline else "インターネットから"
        say(f"初回の準備：.venv に、必要なソフトを{where}入れます（数分かかります）…")
        if VENV.exists() and not remove_venv():  # a half-made one (no python in it)
            return ExitCode.FAILED
        if not create_venv():
            return ExitCode.FAILED
    else:
        say("前回の準備と違うため（requirements.lock が変わったなど）、必要なソフトを入れ直します…")
    STAMP.unlink(missing_ok=True)
    code = install([p for p in pins if not p.extras], offline)
    if code:
        return code
    STAMP.write_text(wanted_stamp() + "\n", encoding="utf-8")
    say("必要なソフトを入れました。")
    return ExitCode.OK


def extra_stamp(extra: str) -> Path:
    return VENV / f".installed-{extra}"


def install_extra(extra: str, command: str) -> int:
    """The ``extra``'s packages (JupyterLab for ``lab``, Playwright for ``pdf``), the first
    time a command needs them and again after the lock changed: locked with hashes as the
    rest, from the bundle's wheelhouse when there is one, else from the package index."""
    try:
        done = extra_stamp(extra).read_text(encoding="ascii").strip() == wanted_stamp()
    except (OSError, UnicodeDecodeError):
        done = False
    if done:
        return ExitCode.OK
    pins = lock_pins()
    if pins is None:
        return ExitCode.FAILED
    wanted = [p for p in pins if extra in p.extras]
    offline = WHEELHOUSE.is_dir()
    if offline:
        problem = wheelhouse_problem()
        if problem:
            say(problem)
            return ExitCode.FAILED
    elif not index_reachable(pip_config_index()):
        say(offline_line())
        return ExitCode.FAILED
    where = "このフォルダの wheelhouse から" if offline else "インターネットから"
    say(f"{typed(command)} を初めて使うため、{EXTRAS[extra]}を{where}入れます（数分かかります）…")
    code = install(wanted, offline, project=False)
    if code:
        return code
    extra_stamp(extra).write_text(wanted_stamp() + "\n", encoding="utf-8")
    say(f"{EXTRAS[extra]}を入れました。")
    return ExitCode.OK


# ------------------------------------------------------------------ the commands


def in_venv(*arguments: str | Path) -> Callable[[list[str]], int]:
    def command(extra: list[str]) -> int:
        return call(venv_python(), *arguments, *extra)

    return command


# Tools run as ``python -m``: the venv's own .exe launchers hold the venv's absolute path and
# fail once the folder is moved or copied.


LAYERS = "from importlinter.cli import lint_imports_command; lint_imports_command()"
"""import-linter's command (it has no ``python -m`` entry): the layer contracts of pyproject.toml."""


def lint(_: list[str]) -> int:
    ruff = (venv_python(), "-m", "ruff")
    return (
        call(*ruff, "check", *LINTED)
        or call(*ruff, "format", "--check", *LINTED)
        or call(venv_python(), "-c", LAYERS, "--no-cache")
    )


def typecheck(_: list[str]) -> int:
    return call(venv_python(), "-m", "mypy")


QUICK = ("-m", "not own_run")
"""What `test` leaves to `test-all`: the tests that each run the whole pipeline themselves
(marker ``own_run``, set in tests/conftest.py). The session's shared builds — the default run,
and the planner's PC run with every option through ``tasks.py`` under the Windows simulation —
and every test that reads them stay in `test`."""


def test(extra: list[str]) -> int:
    return lint([]) or typecheck([]) or in_venv("-m", "pytest", *QUICK)(extra)


def test_all(extra: list[str]) -> int:
    return lint([]) or typecheck([]) or in_venv("-m", "pytest")(extra)


def lab(extra: list[str]) -> int:
    configure = "from analysis.run.execution import configure_jupyterlab; configure_jupyterlab()"
    return call(venv_python(), "-c", configure) or call(
        venv_python(),
        "-m",
        "jupyterlab",
        "--notebook-dir=.",
        "notebooks/explore/explore.py",
        *extra,
    )


def index_answers(command: str, what: str) -> bool:
    """True when the package index answers; else one line saying that ``command`` needs the
    internet (pip would print English retry warnings for a minute instead)."""
    if index_reachable(pip_config_index()):
        return True
    say(
        f"インターネットに接続できないため、{what}。{typed(command)} は、"
        "インターネットに接続できるパソコンで実行してください"
    )
    return False


def lock(_: list[str]) -> int:
    if not index_answers(
        "lock", "requirements.lock を作り直せません（今の requirements.lock のままです）"
    ):
        return ExitCode.FAILED
    code = call(venv_python(), "-m", "pip", "install", "--quiet", "uv>=0.5")
    if code:
        return code
    import tempfile

    everything = ["dev", "build", *EXTRAS]
    # One resolution of everything (versions agree whatever is installed), then each part
    # resolved alone within it, to know which packages only an extra needs.
    code = compile_lock(everything, LOCK)
    with tempfile.TemporaryDirectory() as scratch:
        parts: dict[str, set[str]] = {}
        for part in ("", *EXTRAS):
            output = Path(scratch) / f"{part or 'base'}.txt"
            extras = ["dev", "build", *([part] if part else [])]
            code = code or compile_lock(extras, output, constraints=LOCK)
            if not code:
                parts[part] = {canonical(p.name) for p in read_lock(output.read_text("utf-8"))}
    if code:
        return code
    LOCK.write_text(sectioned_lock(LOCK.read_text(encoding="utf-8"), parts), encoding="utf-8")
    return ExitCode.OK


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def compile_lock(extras: list[str], output: Path, constraints: Path | None = None) -> int:
    """``uv pip compile`` of the project with ``extras``: every platform, hashes, Python 3.11+."""
    return call(
        venv_python(), "-m", "uv", "pip", "compile", "pyproject.toml",
        *[option for extra in extras for option in ("--extra", extra)],
        "--universal", "--generate-hashes", "--python-version", "3.11", "--quiet",
        *(["-c", str(constraints)] if constraints else []), "-o", relative(output),
    )  # fmt: skip


def sectioned_lock(text: str, parts: dict[str, set[str]]) -> str:
    """The lock with the packages only the extras need moved into a section per extra (or
    per set of extras): ``# [extra: lab]``. ``parts``: the names each part needs ('' for the
    packages every install has). pip reads the section lines as comments."""
    text = text.replace("\r\n", "\n")
    blocks = re.split(r"\n(?=[A-Za-z0-9#])", text.rstrip("\n"))
    header = [b for b in blocks if b.startswith("#") and not SECTION.match(b)]
    sections: dict[tuple[str, ...], list[str]] = {(): []}
    for block in blocks:
        head = re.match(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", block)
        if not head:
            continue
        name = canonical(head[0])
        extras = () if name in parts[""] else tuple(e for e in EXTRAS if name in parts[e])
        sections.setdefault(extras, []).append(block)
    lines = header + sections.pop(())
    for extras, members in sorted(sections.items()):
        commands = " or ".join(f"`tasks.py {e}`" for e in extras)
        lines.append(f"# [extra: {', '.join(extras)}] installed the first time {commands} runs")
        lines += members
    return "\n".join(lines) + "\n"


CLEANED = ("data/processed", "reports", ".cache")


def clean(_: list[str]) -> int:
    """Remove generated outputs and caches (keeps .venv): all of them or none.

    On Windows a file another program holds open (a workbook in Excel, a PDF in a viewer)
    cannot be deleted or renamed ("DeleteFile fails if an application attempts to delete
    a file that has other handles open for normal I/O", https://learn.microsoft.com/en-us/
    windows/win32/api/fileapi/nf-fileapi-deletefilew; MoveFileEx likewise fails with a
    sharing violation). So every file is first moved aside into one folder; if one cannot
    be, everything moved goes back and nothing is removed. Then the folder aside is deleted.
    """
    aside = ROOT / ".cache-being-cleaned"
    if aside.exists():  # a clean that was interrupted
        shutil.rmtree(aside, ignore_errors=True)
    moved: list[tuple[Path, Path]] = []
    for folder_name in CLEANED:
        folder = ROOT / folder_name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts)):
            if path.name == ".gitkeep" or (path.is_dir() and not path.is_symlink()):
                continue
            target = aside / path.relative_to(ROOT)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(path, target)
            except FileNotFoundError:
                continue
            except OSError:
                for original, moved_to in reversed(moved):
                    with contextlib.suppress(OSError):
                        os.rename(moved_to, original)
                shutil.rmtree(aside, ignore_errors=True)
                say(
                    f"{relative(path)} を消せません（ほかのプログラムが開いています）。Excel などで開いている"
                    "場合は閉じてから、もう一度実行してください。何も消していません"
                )
                return ExitCode.FAILED
            moved.append((path, target))
    for folder_name in CLEANED:
        folder = ROOT / folder_name
        if folder.is_dir():
            for path in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    shutil.rmtree(aside, ignore_errors=True)
    say(f"出力とキャッシュを消しました（{len(moved)} 個のファイル）。")
    return ExitCode.OK


COMMANDS: dict[str, tuple[Callable[[list[str]], int], bool, str]] = {
    # name: (what runs, needs the environment, what it does)
    "reports": (in_venv("-m", "analysis", "reports"), True, "検査してから、報告書と集計表をすべて作り直します"),
    "validate": (in_venv("-m", "analysis", "validate"), True, "data/raw/ のデータを検査します"),
    "pdf": (in_venv("-m", "analysis", "pdf"), True, "報告書を A4 の PDF にします（reports/pdf/）"),
    "proof": (in_venv("-m", "analysis", "proof"), True, "報告書を PDF にし、全ページを1枚の画像に並べます（reports/pdf/proof.png）"),
    "lab": (lab, True, "JupyterLab を開きます"),
    "test": (test, True, "ruff・mypy・テスト（それぞれ実行全体をやり直すテストを除く。数分）"),
    "test-all": (test_all, True, "ruff・mypy・すべてのテスト（CI。20分ほど）"),
    "lint": (lint, True, "ruff（書式とコードの検査）と層の約束（import-linter）"),
    "typecheck": (typecheck, True, "mypy（型の検査）"),
    "unit": (in_venv("-m", "pytest"), True, "テストだけ（並列）"),
    "bench": (in_venv("benchmarks/run.py"), True, "ベンチマーク（BENCHMARKS.md）"),
    "setup": (setup, False, ".venv を作り、requirements.lock の版を入れます"),
    "bundle": (in_venv("tasks.py", "_bundle"), True, "インターネットに接続できないパソコン用の zip を作ります（dist/）"),
    "lock": (lock, True, "pyproject.toml から requirements.lock を作り直します"),
    "clean": (clean, False, "出力とキャッシュを消します（.venv は残します）"),
}  # fmt: skip


def usage() -> str:
    lines = [f"使い方：{front_door()} コマンド [オプション]", ""]
    lines += [f"  {name:<10} {text}" for name, (_, _, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    for stream in (sys.stdout, sys.stderr):  # a cp932 console shows ? for what it cannot encode
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        say(usage())
        return ExitCode.OK if argv else ExitCode.USAGE
    name, extra = argv[0], argv[1:]
    if name == "_bundle":  # `bundle`, inside the environment (it needs `packaging`)
        return bundle(extra)
    if name not in COMMANDS:
        say(f"「{name}」というコマンドはありません。\n{usage()}")
        return ExitCode.USAGE
    command, needs_environment, _ = COMMANDS[name]
    if needs_environment:
        code = setup([])
        if code:
            return code
    for needed in COMMAND_EXTRAS.get(name, ()):
        code = install_extra(needed, name)
        if code:
            return code
    return command(extra)


# ------------------------------------------------------------------ the offline bundle


@dataclass(frozen=True)
class Target:
    """An environment the bundle installs on: its markers and the wheel tags it accepts."""

    python: str  # "3.11"
    platform: str  # sysconfig's name: "win-amd64", "linux-x86_64"
    environments: tuple[dict[str, str], ...]  # marker environments (several patch releases)
    pip_options: tuple[str, ...]  # how `pip download` fetches for it

    def label(self) -> str:
        return f"Python {self.python}（{self.platform}）"


def windows_target(version: str) -> Target:
    """CPython ``version`` on Windows x64. ``pip download --platform`` does not evaluate
    markers for the target, so they are evaluated here, for the first and a late patch
    release (the lock has ``python_full_version < '3.11.5'``)."""
    environments = tuple(
        {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": "nt",
            "platform_machine": "AMD64",
            "platform_python_implementation": "CPython",
            "platform_release": "10",
            "platform_system": "Windows",
            "platform_version": "10.0.19045",
            "python_full_version": full,
            "python_version": version,
            "sys_platform": "win32",
        }
        for full in (f"{version}.0", f"{version}.99")
    )
    abi = "cp" + version.replace(".", "")
    options = ("--platform", "win_amd64", "--implementation", "cp", "--abi", abi)
    return Target(version, "win-amd64", environments, options)


def host_target() -> Target:
    from packaging.markers import default_environment

    here = this_python()
    return Target(here["python"], here["platform"], (dict(default_environment()),), ())


def target_tags(target: Target) -> set[str]:
    from packaging import tags

    if not target.pip_options:
        return {str(t) for t in tags.sys_tags()}
    version = tuple(int(p) for p in target.python.split("."))
    abi = "cp" + target.python.replace(".", "")
    found = tags.cpython_tags(version, abis=[abi], platforms=["win_amd64"])
    compatible = tags.compatible_tags(version, abi, ["win_amd64"])
    return {str(t) for t in (*found, *compatible)}


def applies(pin: Pin, environment: dict[str, str]) -> bool:
    from packaging.markers import Marker

    return not pin.marker or Marker(pin.marker).evaluate(environment)


def installed_paths(wheel: Path, python: str, windows: bool = True) -> Iterable[str]:
    """The paths below the project folder that installing ``wheel`` into ``.venv`` creates,
    as on Windows (``.venv\\Lib\\site-packages\\…``, with the ``.pyc`` pip compiles)."""
    import zipfile

    separator = "\\" if windows else "/"
    site = ".venv/Lib/site-packages" if windows else f".venv/lib/python{python}/site-packages"
    scripts = ".venv/Scripts" if windows else ".venv/bin"
    tag = "cpython-" + python.replace(".", "")
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
    for name in names:
        parts = name.split("/")
        if parts[0].endswith(".data") and len(parts) > 2:
            scheme, rest = parts[1], "/".join(parts[2:])
            base = {"scripts": scripts, "data": ".venv", "headers": ".venv/Include/site"}.get(
                scheme, site
            )
            path = f"{base}/{rest}"
        else:
            path = f"{site}/{name}"
        yield path.replace("/", separator)
        if name.endswith(".py") and scheme_is_library(parts):
            folder, _, file = path.rpartition("/")
            compiled = f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc"
            yield compiled.replace("/", separator)


def scheme_is_library(parts: list[str]) -> bool:
    return not (parts[0].endswith(".data") and parts[1] in {"scripts", "data", "headers"})


def tracked_files() -> list[Path]:
    """The project's files as git tracks them (no outputs, caches or .venv)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode("utf-8")
        files = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skipped = {".git", ".venv", ".cache", "wheelhouse", "dist", "__pycache__", ".pytest_cache",
                   ".mypy_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints"}  # fmt: skip
        files = []
        for path in ROOT.rglob("*"):
            parts = path.relative_to(ROOT).parts
            if path.is_file() and not set(parts) & skipped and not parts[0].endswith(".egg-info"):
                generated = parts[0] == "reports" or parts[:2] == ("data", "processed")
                if not generated or path.name == ".gitkeep":
                    files.append(path)
    return sorted(p for p in files if p.is_file())


def fetch(wanted: list[Pin], options: tuple[str, ...], target: Target, wheelhouse: Path) -> bool:
    """``pip download`` exactly the pinned wheels for ``target``, hashes checked by pip."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(
            "".join(
                f"{p.name}=={p.version} " + " ".join(f"--hash=sha256:{h}" for h in p.hashes) + "\n"
                for p in wanted
            ),
            encoding="utf-8",
        )
        log = Path(scratch) / "pip.log"
        with log.open("w", encoding="utf-8") as record:
            code = subprocess.call(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--require-hashes", "--progress-bar", "off", "--disable-pip-version-check",
                 *options, "--dest", str(wheelhouse), "-r", str(requirements)],
                stdout=record, stderr=subprocess.STDOUT,
            )  # fmt: skip
        if code:
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            errors = [line for line in lines if line.startswith("ERROR")] or lines[-3:]
            say(f"{target.label()} 用のソフトを取得できませんでした：{' / '.join(errors)}")
            return False
    return True


def wheels_for(wanted: list[Pin], target: Target, wheelhouse: Path) -> list[Path]:
    """The wheel of every pin that ``target`` installs, each checked against the lock's hashes
    (pip checked them on download; this checks what is in the bundle). Exits on a gap."""
    from packaging.utils import canonicalize_name, parse_wheel_filename

    accepted = target_tags(target)
    found = []
    for pin in wanted:
        matching = []
        for wheel in wheelhouse.glob("*.whl"):
            name, version, _, tags = parse_wheel_filename(wheel.name)
            if (
                name == canonicalize_name(pin.name)
                and str(version) == pin.version
                and {str(t) for t in tags} & accepted
            ):
                matching.append(wheel)
        if not matching:
            sys.exit(f"{target.label()} 用の {pin.name}=={pin.version} の wheel がありません")
        for wheel in matching:
            if hashlib.sha256(wheel.read_bytes()).hexdigest() not in pin.hashes:
                sys.exit(f"{wheel.name} が requirements.lock のハッシュと一致しません")
        found += matching
    return found


def bundle(argv: list[str]) -> int:
    """Write the offline bundle: the project and a wheelhouse checked against the lock."""
    import argparse
    import tempfile
    import zipfile

    parser = argparse.ArgumentParser(prog=typed("bundle"))
    parser.add_argument(
        "--platform", choices=("all", "windows", "host"), default="all",
        help="all: Windows x64 (CPython 3.11-3.13) and this machine; host: this machine only",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "analysis-offline.zip")
    options = parser.parse_args(argv)
    pins = lock_pins()
    if pins is None:
        return ExitCode.FAILED
    if not index_answers("bundle", f"{relative(options.output.resolve())} を作れません"):
        return ExitCode.FAILED
    targets = []
    if options.platform in {"all", "windows"}:
        targets += [windows_target(v) for v in WINDOWS_PYTHONS]
    if options.platform in {"all", "host"}:
        host = host_target()
        if not any(t.python == host.python and t.platform == host.platform for t in targets):
            targets.append(host)
    output = options.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as scratch:
        wheelhouse = Path(scratch) / "wheelhouse"
        wheelhouse.mkdir()
        longest = 0
        for target in targets:
            # One download per patch release (its markers, its Requires-Python): never two
            # pins of one name in one requirements file.
            sets = {
                frozenset(p for p in pins if applies(p, e)): e["python_full_version"]
                for e in target.environments
            }
            wanted = sorted(set().union(*sets), key=lambda p: (p.name.lower(), p.version))
            say(f"{target.label()} 用のソフトを集めています（{len(wanted)} 個）…")
            for one_set, full_version in sets.items():
                version = ("--python-version", full_version) if target.pip_options else ()
                one = sorted(one_set, key=lambda p: p.name.lower())
                if not fetch(one, (*target.pip_options, *version), target, wheelhouse):
                    return ExitCode.FAILED
            for wheel in wheels_for(wanted, target, wheelhouse):
                if target.pip_options:  # Windows: the paths its install creates
                    longest = max([longest, *map(len, installed_paths(wheel, target.python))])
        manifest = {
            "targets": [
                {"python": t.python, "platform": t.platform, "implementation": "cpython"}
                for t in targets
            ],
            "lock_sha256": hashlib.sha256(LOCK.read_bytes()).hexdigest(),
            "longest_installed_path": longest,
        }
        (wheelhouse / "bundle.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
        partial = output.with_name(f".{output.name}.tmp")
        with zipfile.ZipFile(partial, "w") as archive:
            for path in tracked_files():
                archive.write(path, path.relative_to(ROOT).as_posix(), zipfile.ZIP_DEFLATED)
            for path in sorted(wheelhouse.iterdir()):  # wheels are zips already
                archive.write(path, f"wheelhouse/{path.name}", zipfile.ZIP_STORED)
        os.replace(partial, output)
    size = output.stat().st_size / 1e6
    say(
        f"作りました：{relative(output)}（{size:,.0f} MB、{', '.join(t.label() for t in targets)}）"
    )
    if longest:
        say(f"Windows で入れるファイルの最も長い場所：フォルダの場所 + {longest + 1} 文字")
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
