"""Each rule of the Windows simulation behaves as the documentation it cites says.

Every probe runs in a fresh simulated Python process (:func:`simulated`), as the
project's commands do; ``project=True`` runs the probe as a module of the project
(``analysis.probe``), which is what sees Windows' ``os`` and ``signal``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from . import ENCODING, SIGBREAK, environment

WRAPPER = "import sys; exec(compile(sys.argv[1], '<probe>', 'exec'), {'__name__': sys.argv[2]})"


def simulated(
    code: str,
    cwd: Path,
    project: bool = True,
    held: list[Path] | None = None,
    utf8_mode: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """``code`` run in a simulated process (its stdout and stderr as bytes)."""
    env = environment(held=held)
    env.pop("PYTHONUTF8", None)
    if utf8_mode:
        env["PYTHONUTF8"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            WRAPPER,
            textwrap.dedent(code),
            "analysis.probe" if project else "probe",
        ],
        cwd=cwd,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def output(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode(ENCODING) + result.stderr.decode(ENCODING, "replace")


# ---------------------------------------------------------------- fsync


def test_fsync_needs_a_descriptor_with_write_access(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"x")
    result = simulated(
        """
        import errno, os
        read_only = os.open("a.txt", os.O_RDONLY)
        try:
            os.fsync(read_only)
        except OSError as error:
            print("read-only:", errno.errorcode[error.errno])
        writable = os.open("a.txt", os.O_WRONLY)
        os.fsync(writable)
        print("write access: synced")
        """,
        tmp_path,
    )
    assert output(result).splitlines() == ["read-only: EBADF", "write access: synced"]


def test_the_project_syncs_and_replaces_its_outputs_under_the_rule(tmp_path: Path) -> None:
    result = simulated(
        """
        from pathlib import Path
        from analysis.inputs.io import atomic_open, sync_file
        with atomic_open(Path("out.json")) as handle:
            handle.write("{}\\n")
        sync_file(Path("out.json"))
        print(Path("out.json").read_bytes())
        """,
        tmp_path,
    )
    assert result.returncode == 0, output(result)
    assert output(result).strip() == "b'{}\\n'"  # and LF, not CRLF


# ---------------------------------------------------------------- files held open


def test_a_file_held_open_cannot_be_replaced_renamed_or_deleted(tmp_path: Path) -> None:
    for name in ("held.txt", "new.txt", "other.txt"):
        (tmp_path / name).write_text(name)
    result = simulated(
        """
        import os, shutil
        def attempt(what, action):
            try:
                action()
                print(what, "done")
            except PermissionError as error:
                print(what, "PermissionError", error.winerror)
        handle = open("held.txt", "rb")
        attempt("replace onto", lambda: os.replace("new.txt", "held.txt"))
        attempt("rename away", lambda: os.replace("held.txt", "moved.txt"))
        attempt("delete", lambda: os.remove("held.txt"))
        os.mkdir("folder")
        inner = open("folder/inner.txt", "w")
        attempt("rmtree", lambda: shutil.rmtree("folder"))
        attempt("move folder", lambda: os.replace("folder", "folder2"))
        open("other.txt", "r+b").close()  # another open for writing shares (no delete)
        attempt("other file", lambda: os.replace("new.txt", "other.txt"))
        handle.close()
        inner.close()
        attempt("after close", lambda: os.replace("other.txt", "held.txt"))
        """,
        tmp_path,
        project=False,
    )
    assert output(result).splitlines() == [
        "replace onto PermissionError 32",
        "rename away PermissionError 32",
        "delete PermissionError 32",
        "rmtree PermissionError 32",
        "move folder PermissionError 32",
        "other file done",
        "after close done",
    ]


def test_a_file_held_by_a_child_process_cannot_be_replaced(tmp_path: Path) -> None:
    """The kernels are other processes of the run: their open files count too."""
    (tmp_path / "figure.svg").write_text("old")
    (tmp_path / "new.svg").write_text("new")
    result = simulated(
        """
        import os, subprocess, sys
        child = subprocess.Popen(
            [sys.executable, "-c", "import sys; f = open('figure.svg'); print('open', flush=True); sys.stdin.read()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        child.stdout.readline()
        try:
            os.replace("new.svg", "figure.svg")
            print("replaced while held")
        except PermissionError:
            print("PermissionError")
        child.communicate("")
        os.replace("new.svg", "figure.svg")
        print("replaced once closed")
        """,
        tmp_path,
        project=False,
    )
    assert output(result).splitlines() == ["PermissionError", "replaced once closed"]


def test_a_workbook_held_by_excel_can_be_read_but_not_written_or_replaced(tmp_path: Path) -> None:
    book = tmp_path / "tables.xlsx"
    book.write_bytes(b"PK")
    (tmp_path / "new.xlsx").write_bytes(b"PK new")
    result = simulated(
        """
        import os
        print(open("tables.xlsx", "rb").read())
        for what, action in [
            ("write", lambda: open("tables.xlsx", "r+b")),
            ("replace", lambda: os.replace("new.xlsx", "tables.xlsx")),
            ("delete", lambda: os.unlink("tables.xlsx")),
        ]:
            try:
                action()
                print(what, "done")
            except PermissionError:
                print(what, "PermissionError")
        """,
        tmp_path,
        held=[book],
    )
    assert output(result).splitlines() == [
        "b'PK'",
        "write PermissionError",
        "replace PermissionError",
        "delete PermissionError",
    ]


def test_rename_onto_an_existing_file_fails_and_symlinks_need_a_privilege(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    result = simulated(
        """
        import os
        for what, action in [
            ("rename", lambda: os.rename("a", "b")),
            ("symlink", lambda: os.symlink("a", "link")),
        ]:
            try:
                action()
                print(what, "done")
            except OSError as error:
                print(what, type(error).__name__, getattr(error, "winerror", None))
        """,
        tmp_path,
    )
    assert output(result).splitlines() == ["rename FileExistsError None", "symlink OSError 1314"]


# ---------------------------------------------------------------- what exists


def test_posix_only_names_are_absent_and_windows_names_present(tmp_path: Path) -> None:
    result = simulated(
        """
        import os, signal
        print([n for n in ("killpg", "fork", "mkfifo", "getpgid", "setsid", "geteuid")
               if hasattr(os, n)])
        print([n for n in ("SIGKILL", "SIGHUP", "SIGUSR1", "SIGALRM", "SIGQUIT", "alarm")
               if hasattr(signal, n)])
        print(signal.SIGBREAK, signal.CTRL_C_EVENT, signal.CTRL_BREAK_EVENT, os.linesep == "\\r\\n")
        for module in ("fcntl", "resource", "termios", "pwd"):
            try:
                exec(f"import {module}")
                print(module, "imported")
            except ModuleNotFoundError:
                print(module, "absent")
        try:
            from os import killpg
        except ImportError:
            print("from os import killpg: ImportError")
        try:
            signal.signal(10, signal.SIG_IGN)
        except ValueError:
            print("signal(10): ValueError")
        signal.signal(signal.SIGBREAK, signal.SIG_IGN)
        try:
            os.open(".", os.O_RDONLY)
        except PermissionError:
            print("open a folder: PermissionError")
        """,
        tmp_path,
    )
    assert output(result).splitlines() == [
        "[]",
        "[]",
        f"{SIGBREAK} 0 1 True",
        "fcntl absent",
        "resource absent",
        "termios absent",
        "pwd absent",
        "from os import killpg: ImportError",
        "signal(10): ValueError",
        "open a folder: PermissionError",
    ]


def test_libraries_keep_the_real_modules(tmp_path: Path) -> None:
    """Libraries take their POSIX branches here (sys.platform is linux) and need them."""
    result = simulated(
        "import os, sys, fcntl, subprocess\nprint(hasattr(os, 'killpg'), sys.platform, os.name)",
        tmp_path,
        project=False,
    )
    assert output(result).strip() == "True linux posix"


def test_os_kill_of_itself_terminates_without_running_the_handler(tmp_path: Path) -> None:
    result = simulated(
        """
        import os, signal
        signal.signal(signal.SIGINT, lambda *_: print("handler ran"))
        os.kill(os.getpid(), signal.SIGINT)
        print("still running")
        """,
        tmp_path,
    )
    assert result.returncode == 2, "TerminateProcess with the exit code set to sig"
    assert output(result) == ""


def test_raise_signal_runs_the_handler(tmp_path: Path) -> None:
    result = simulated(
        """
        import signal
        signal.signal(signal.SIGINT, lambda *_: print("handler ran"))
        signal.raise_signal(signal.SIGINT)
        signal.signal(signal.SIGBREAK, lambda *_: print("break handler ran"))
        signal.raise_signal(signal.SIGBREAK)
        """,
        tmp_path,
    )
    assert output(result).splitlines() == ["handler ran", "break handler ran"]


def test_ctrl_break_without_a_handler_ends_the_process(tmp_path: Path) -> None:
    result = simulated(
        "import os, signal\nsignal.raise_signal(signal.SIGBREAK)\nprint('no')", tmp_path
    )
    assert result.returncode == 0x3A  # STATUS_CONTROL_C_EXIT's low byte
    assert output(result) == ""


def test_popen_signals_as_on_windows(tmp_path: Path) -> None:
    result = simulated(
        """
        import signal, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            child.send_signal(signal.SIGINT)
        except ValueError as error:
            print("SIGINT:", error)
        child.send_signal(signal.SIGTERM)  # an alias of terminate(): TerminateProcess
        print("terminated:", child.wait(timeout=30) != 0)
        """,
        tmp_path,
    )
    assert output(result).splitlines() == ["SIGINT: Unsupported signal: 2", "terminated: True"]


# ---------------------------------------------------------------- text and console


def test_text_mode_writes_crlf_in_the_ansi_code_page(tmp_path: Path) -> None:
    result = simulated(
        """
        from pathlib import Path
        with open("default.txt", "w") as handle:
            handle.write("一関\\n")
        Path("path.txt").write_text("a\\n")
        Path("lf.txt").write_text("a\\n", encoding="utf-8", newline="\\n")
        with open("binary.txt", "wb") as handle:
            handle.write(b"a\\n")
        """,
        tmp_path,
        project=False,
    )
    assert result.returncode == 0, output(result)
    assert (tmp_path / "default.txt").read_bytes() == "一関\r\n".encode("cp932")
    assert (tmp_path / "path.txt").read_bytes() == b"a\r\n"
    assert (tmp_path / "lf.txt").read_bytes() == b"a\n"
    assert (tmp_path / "binary.txt").read_bytes() == b"a\n"


def test_the_locale_encoding_is_the_ansi_code_page(tmp_path: Path) -> None:
    """Without ``encoding=``, every way of opening text uses cp932 (GetACP() == 932): a
    UTF-8 file with Japanese breaks on reading, and Japanese is written as cp932. So a
    run under the simulation fails where the project forgot ``encoding=``."""
    (tmp_path / "utf8.csv").write_text("市町村\n一関市\n", encoding="utf-8")
    result = simulated(
        """
        import io, locale, subprocess, sys
        from pathlib import Path
        print(locale.getencoding(), locale.getpreferredencoding(), locale.getpreferredencoding(False),
              io.text_encoding(None))
        Path("path.txt").write_text("平泉町\\n")
        with open("locale.txt", "w", encoding="locale", newline="") as handle:
            handle.write("平泉町\\n")
        try:
            Path("utf8.csv").read_text()
            print("read as UTF-8")
        except UnicodeDecodeError:
            print("UnicodeDecodeError")
        child = subprocess.run(
            [sys.executable, "-c", "import sys; sys.stdout.buffer.write('一関'.encode('cp932'))"],
            capture_output=True, text=True, check=True, env={},
        )
        print(child.stdout == "一関")
        """,
        tmp_path,
    )
    assert output(result).splitlines() == ["cp932 cp932 cp932 locale", "UnicodeDecodeError", "True"]
    assert (tmp_path / "path.txt").read_bytes() == "平泉町\r\n".encode("cp932")
    assert (tmp_path / "locale.txt").read_bytes() == "平泉町\n".encode("cp932")


def test_utf8_mode_keeps_utf8_as_on_windows(tmp_path: Path) -> None:
    """``PYTHONUTF8=1`` (what tasks.py gives pip): UTF-8 by default, the ANSI code page still
    the locale's encoding (Python docs, UTF-8 mode; locale.getencoding ignores it)."""
    result = simulated(
        """
        import locale
        from pathlib import Path
        Path("utf8.txt").write_text("一関\\n")
        print(locale.getencoding(), locale.getpreferredencoding())
        """,
        tmp_path,
        utf8_mode=True,
    )
    assert output(result).splitlines() == ["cp932 utf-8"]
    assert (tmp_path / "utf8.txt").read_bytes() == "一関\r\n".encode()


def test_redirected_stdout_is_strict_cp932(tmp_path: Path) -> None:
    result = simulated(
        """
        import sys
        print(sys.stdout.encoding, sys.stdout.errors, sys.stderr.errors)
        print("範囲〜～")  # both tildes have a cp932 code (0x8160)
        sys.stdout.flush()
        print("𠮷田 — 様")  # U+20BB7 and the em dash have none
        """,
        tmp_path,
        project=False,
    )
    assert result.stdout.startswith(b"cp932 strict backslashreplace\r\n")
    assert "範囲～～\r\n".encode("cp932") in result.stdout
    assert b"UnicodeEncodeError" in result.stderr


def test_the_command_shows_an_unencodable_character_instead_of_crashing(tmp_path: Path) -> None:
    """The command's own console set-up survives cp932: 𠮷 (U+20BB7) becomes ``?``."""
    result = simulated(
        """
        from analysis.__main__ import _console_never_fails
        _console_never_fails()
        print("𠮷田〜")
        """,
        tmp_path,
    )
    assert result.returncode == 0, output(result)
    assert result.stdout == "?田〜\r\n".encode("cp932")


def test_a_project_copy_runs_its_commands_simulated(tmp_path: Path) -> None:
    """The suite's plumbing: a Project with ``windows=True`` starts simulated processes."""
    from ..conftest import Project

    project = Project(tmp_path, windows=True)
    probe = project.python(
        "import analysis.inputs.io as m, sys; print(hasattr(m.os, 'killpg'), sys.stdout.encoding)"
    )
    assert probe.stdout.strip() == "False cp932", probe.stderr
