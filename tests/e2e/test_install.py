"""The first install as a planner meets it (``tasks.py``): the offline bundle, Japanese progress,
one line for every failure, a folder too deep for Windows, a damaged ``.venv``.

The network is cut with ``unshare -n`` (a network namespace with only a loopback that is
down: what a PC on a network without internet sees for the package index); a network that
drops packets silently is a local socket that accepts connections and never answers.
"""

from __future__ import annotations

import hashlib
import http.server
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import tasks
from analysis.core.paths import ROOT
from tests.conftest import FOLDER, Project

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


LOOPBACK_UP = """
import fcntl, os, socket, struct, sys
# A new network namespace has only a loopback, and it is down; a PC without internet still
# has its loopback (the kernels talk to the run over 127.0.0.1). SIOCGIFFLAGS, SIOCSIFFLAGS.
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sh", fcntl.ioctl(probe, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
fcntl.ioctl(probe, 0x8914, struct.pack("16sh", b"lo", flags | 1))
os.execvp(sys.argv[1], sys.argv[1:])
"""


def without_network(*command: str) -> list[str]:
    """``command`` in a network namespace of its own: no interface but the loopback."""
    return [shutil.which("unshare") or "unshare", "-n", sys.executable, "-c", LOOPBACK_UP, *command]


def can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(without_network("true"), capture_output=True, check=False)
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(
    not can_unshare(), reason="unshare -n (a network namespace) is not available here"
)


def bare_python() -> str:
    """The Python a planner has (not this test environment's venv)."""
    base = getattr(sys, "_base_executable", "") or sys.executable
    return base if Path(base).exists() else sys.executable


def planner_environment(**extra: str) -> dict[str, str]:
    """This machine's environment without its pip configuration (find-links, local indexes)."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "ANALYSIS_", "VIRTUAL_ENV", "MAKE"))
    }
    return {**environment, "PIP_CONFIG_FILE": os.devnull, **extra}


def front_door_line() -> str:
    return "python3 tasks.py"


# ------------------------------------------------------------------ the offline bundle


@needs_unshare
@pytest.mark.own_run  # builds the bundle, installs it and runs the reports: minutes
def test_a_bundle_installs_and_runs_reports_with_no_network_at_all(tmp_path: Path) -> None:
    """``tasks.py bundle --platform host`` → unzip in a clean folder → ``tasks.py reports`` in a
    network namespace without network: installs from the wheelhouse, found without any option."""
    if not tasks.index_reachable(tasks.pip_config_index(), timeout=5):
        pytest.skip("no package index reachable: a bundle cannot be built here")
    archive = tmp_path / "analysis-offline.zip"
    built = subprocess.run(
        [sys.executable, "tasks.py", "_bundle", "--platform", "host", "--output", str(archive)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert "作りました" in built.stdout
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        assert "tasks.py" in names and "requirements.lock" in names
        assert "wheelhouse/bundle.json" in names
        assert not [n for n in names if n.startswith((".venv/", ".cache/", ".git/"))]
        assert not [
            n
            for n in names
            if n.startswith(("reports/", "data/processed/")) and ".gitkeep" not in n
        ]
        wheels = [n for n in names if n.endswith(".whl")]
        assert any(n.startswith("wheelhouse/setuptools-") for n in wheels)  # builds the project
        for extra in ("jupyterlab-", "playwright-"):  # installed on first use, offline too
            assert any(n.startswith(f"wheelhouse/{extra}") for n in wheels), extra
        folder = tmp_path / FOLDER / "展開先"
        bundle.extractall(folder)
    result = subprocess.run(
        without_network(bare_python(), "tasks.py", "reports"),
        cwd=folder, capture_output=True, text=True, timeout=1500,
        env=planner_environment(),
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "wheelhouse から入れます" in output
    installed = re.findall(r"必要なソフトを入れています（(\d+)/(\d+)）", output)
    assert installed and installed[-1][0] == installed[-1][1], output  # progress to the end
    assert int(installed[-1][1]) > 100
    assert "Collecting" not in output and "WARNING" not in output and "Traceback" not in output
    assert (folder / "reports" / "population.html").is_file()
    log = (folder / ".venv" / "install-log.txt").read_text(encoding="utf-8")
    assert "--no-index" in log and "Successfully installed" in log
    site = next((folder / ".venv").glob("lib/python3.*/site-packages"))
    assert not (site / "playwright").exists() and not (site / "jupyterlab").exists()

    # The first pdf installs its extra from the wheelhouse, still without network, and runs:
    # Playwright starts the browser (here a program that is none, which it names in one line).
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or sys.executable
    printed = subprocess.run(
        without_network(bare_python(), "tasks.py", "pdf"),
        cwd=folder, capture_output=True, text=True, timeout=900,
        env=planner_environment(ANALYSIS_BROWSER=browser),
    )  # fmt: skip
    output = printed.stdout + printed.stderr
    assert "tasks.py pdf を初めて使うため、PDF を作るためのソフト（Playwright）を" in output
    assert "このフォルダの wheelhouse から入れます" in output
    assert "Traceback" not in output and "WARNING" not in output
    assert (site / "playwright").is_dir() and not (site / "jupyterlab").exists()
    if browser == sys.executable:
        assert printed.returncode == 1, output
        assert printed.stdout.strip().splitlines()[-1].startswith("PDF を作るためのブラウザ ")
    else:
        assert printed.returncode == 0, output
        assert (folder / "reports" / "pdf" / "population.pdf").is_file()

    # A garbled stamp is noticed and the environment brought back, still without network.
    (folder / ".venv" / ".installed-stamp").write_bytes(b"\xff\xfe\x00garbled")
    again = subprocess.run(
        without_network(bare_python(), "tasks.py", "validate"),
        cwd=folder, capture_output=True, text=True, timeout=600, env=planner_environment(),
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "入れ直します" in again.stdout and "Traceback" not in again.stdout + again.stderr


# ------------------------------------------------------------------ no network, no bundle


def assert_one_japanese_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert JAPANESE.search(lines[0]), text
    return lines[0]


@needs_unshare
def test_offline_without_a_bundle_stops_within_30_seconds_with_one_line(
    fresh_project: Project,
) -> None:
    start = time.monotonic()
    result = subprocess.run(
        without_network(bare_python(), "tasks.py", "reports"),
        cwd=fresh_project.root, capture_output=True, text=True, timeout=60,
        env=planner_environment(),
    )  # fmt: skip
    elapsed = time.monotonic() - start
    assert result.returncode == 1
    line = assert_one_japanese_line(result.stdout + result.stderr)
    assert line.startswith("インターネットに接続できないため、必要なソフトを入れられません")
    assert "「インターネットに接続できないパソコンで使う」" in line
    assert f"{front_door_line()} bundle" in line
    assert elapsed < 30, elapsed
    assert not (fresh_project.root / ".venv").exists()  # refused before creating anything


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A package index on a dropped network: connections are accepted, nothing ever answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/simple"
    finally:
        listener.close()


def test_a_dropped_network_stops_within_30_seconds_with_one_line(
    fresh_project: Project, silent_server: str
) -> None:
    start = time.monotonic()
    result = subprocess.run(
        [bare_python(), "tasks.py", "validate"],
        cwd=fresh_project.root, capture_output=True, text=True, timeout=90,
        env=planner_environment(PIP_INDEX_URL=silent_server),
    )  # fmt: skip
    elapsed = time.monotonic() - start
    assert result.returncode == 1
    line = assert_one_japanese_line(result.stdout + result.stderr)
    assert line.startswith("インターネットに接続できないため")
    assert elapsed < 30, elapsed


class NothingHere(http.server.BaseHTTPRequestHandler):
    """An index that answers, but has none of the packages (a mirror missing them)."""

    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_a_failed_install_ends_with_one_japanese_line_and_keeps_pips_output(
    fresh_project: Project,
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NothingHere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        index = f"http://127.0.0.1:{server.server_address[1]}/simple"
        result = subprocess.run(
            [bare_python(), "tasks.py", "reports"],
            cwd=fresh_project.root, capture_output=True, text=True, timeout=300,
            env=planner_environment(PIP_INDEX_URL=index),
        )  # fmt: skip
    finally:
        server.shutdown()
    assert result.returncode != 0
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("初回の準備：.venv に、必要なソフトをインターネットから入れます")
    assert lines[-1].startswith("インターネットからソフトを取得できませんでした")
    assert lines[-1].endswith("（pip の記録：.venv/install-log.txt）")
    assert all(JAPANESE.search(line) for line in lines), result.stdout  # no pip English
    assert not result.stderr.strip(), result.stderr
    log = (fresh_project.root / ".venv" / "install-log.txt").read_text(encoding="utf-8")
    assert "ERROR" in log and "--require-hashes" in log and "--retries 0" in log


# ------------------------------------------------------------------ in-process: tasks.py's rules


@pytest.fixture
def scratch_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tasks.py pointed at an empty project folder in ``tmp_path`` (its lock and pyproject)."""
    root = tmp_path / FOLDER
    root.mkdir()
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, root / name)
    venv = root / ".venv"
    for name, value in {
        "ROOT": root, "VENV": venv, "STAMP": venv / ".installed-stamp",
        "INSTALL_LOG": venv / "install-log.txt", "LOCK": root / "requirements.lock",
        "WHEELHOUSE": root / "wheelhouse", "BUNDLE_MANIFEST": root / "wheelhouse" / "bundle.json",
    }.items():  # fmt: skip
        monkeypatch.setattr(tasks, name, value)
    return root


def test_a_folder_too_deep_for_windows_is_refused_before_installing(
    scratch_tasks: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    allowed = tasks.MAX_PATH - 2 - tasks.LONGEST_INSTALLED_PATH
    monkeypatch.setattr(tasks, "path_limits_apply", lambda: True)
    monkeypatch.setattr(tasks, "ROOT", Path("C:/" + "x" * (allowed - 3)))  # exactly `allowed`
    assert tasks.folder_too_long() == ""
    monkeypatch.setattr(tasks, "ROOT", Path("C:/" + "x" * (allowed - 2)))
    installs: list[object] = []
    monkeypatch.setattr(tasks, "install", lambda *a: installs.append(a) or 0)
    monkeypatch.setattr(tasks, "create_venv", lambda: installs.append("venv") or True)
    assert tasks.setup([]) == 1
    line = assert_one_japanese_line(capsys.readouterr().out)
    assert f"（{allowed + 1} 文字。" in line
    assert f"場所が {allowed} 文字以内のところ" in line
    assert installs == []


def test_the_measured_depth_covers_this_environment() -> None:
    """LONGEST_INSTALLED_PATH (measured from the Windows wheels) is not below what the locked
    packages installed here take, written as on Windows (``.venv\\Lib\\site-packages\\…``)."""
    locked = {re.sub(r"[-_.]+", "-", pin.name).lower() for pin in tasks.read_lock(
        (ROOT / "requirements.lock").read_text(encoding="utf-8"))}  # fmt: skip
    site = Path(importlib.metadata.distribution("pandas").locate_file(""))
    longest = ""
    for distribution in importlib.metadata.distributions():
        name = re.sub(r"[-_.]+", "-", distribution.metadata["Name"]).lower()
        if name not in locked:
            continue
        for file in distribution.files or []:
            path = os.path.normpath(site / file)
            relative = os.path.relpath(path, sys.prefix).replace(os.sep, "\\")
            relative = re.sub(r"^lib\\python3\.\d+\\site-packages", r"Lib\\site-packages", relative)
            relative = re.sub(r"^bin\\", r"Scripts\\", relative)
            candidate = ".venv\\" + relative
            if len(candidate) > len(longest):
                longest = candidate
    assert longest
    assert len(longest) <= tasks.LONGEST_INSTALLED_PATH, longest


def test_installed_paths_are_written_as_on_windows(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/sub/module.py", "")
        archive.writestr("demo-1.0.data/data/share/jupyter/x.json", "")
        archive.writestr("demo-1.0.data/scripts/tool", "")
    assert sorted(tasks.installed_paths(wheel, "3.13")) == [
        ".venv\\Lib\\site-packages\\demo\\sub\\__pycache__\\module.cpython-313.pyc",
        ".venv\\Lib\\site-packages\\demo\\sub\\module.py",
        ".venv\\Scripts\\tool",
        ".venv\\share\\jupyter\\x.json",
    ]


def test_markers_are_evaluated_for_each_windows_target() -> None:
    pins = tasks.read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    by_name = {(p.name, p.version): p for p in pins}

    def wanted(version: str) -> set[tuple[str, str]]:
        target = tasks.windows_target(version)
        return {
            key
            for key, pin in by_name.items()
            if any(tasks.applies(pin, e) for e in target.environments)
        }

    py311, py312 = wanted("3.11"), wanted("3.12")
    assert ("pywinpty", "3.1.2") in py311 and ("colorama", "0.4.6") in py311
    assert not [key for key in py311 if key[0] in {"pexpect", "appnope"}]
    assert ("numpy", "2.4.6") in py311 and ("numpy", "2.5.5") in py312
    assert ("soupsieve", "2.10") in py311 and ("soupsieve", "4.1.3") in py311  # 3.11.0 and later
    assert ("setuptools", by_name_version(pins, "setuptools")) in py311


def by_name_version(pins: list[tasks.Pin], name: str) -> str:
    return next(p.version for p in pins if p.name == name)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("home", "この .venv を作った Python がこのパソコンにありません"),
        ("python", "がありません"),
        ("version", "この .venv は別の Python（3.9）で作られています"),
    ],
)
def test_a_venv_from_another_pc_or_without_its_python_is_rebuilt(
    scratch_tasks: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    expected: str,
) -> None:
    venv = scratch_tasks / ".venv"
    venv.mkdir()
    home = "C:\\Users\\tanaka\\AppData\\Local\\Programs\\Python\\Python311"
    (venv / "pyvenv.cfg").write_text(
        f"home = {home if damage == 'home' else Path(sys.executable).parent}\n"
        + ("version = 3.9.13\n" if damage == "version" else ""),
        encoding="utf-8",
    )
    if damage == "version":
        (venv / "bin").mkdir()
        (venv / "bin" / "python").write_text("", encoding="utf-8")
    (venv / "leftover.txt").write_text("from the other PC", encoding="utf-8")
    assert expected in tasks.venv_damage()
    calls: list[str] = []
    monkeypatch.setattr(tasks, "index_reachable", lambda *a, **k: True)

    def create_venv() -> bool:
        venv.mkdir()
        calls.append("venv")
        return True

    monkeypatch.setattr(tasks, "create_venv", create_venv)
    monkeypatch.setattr(tasks, "install", lambda pins, offline: calls.append("install") or 0)
    monkeypatch.setattr(tasks, "venv_python", lambda: venv / "bin" / "python")
    assert tasks.setup([]) == 0
    assert calls == ["venv", "install"]
    assert not (venv / "leftover.txt").exists()  # removed, then made anew
    out = capsys.readouterr().out
    assert out.startswith(".venv を作り直します（")
    assert all(JAPANESE.search(line) for line in out.splitlines())


def test_a_garbled_stamp_reinstalls_and_an_edited_lock_is_one_line(
    scratch_tasks: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    venv = scratch_tasks / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\n", encoding="utf-8")
    python = venv / "bin" / "python"
    python.write_text("", encoding="utf-8")
    monkeypatch.setattr(tasks, "venv_python", lambda: python)
    (venv / ".installed-stamp").write_bytes(b"\x82\xa0\xff garbled")
    calls: list[bool] = []
    monkeypatch.setattr(tasks, "install", lambda pins, offline: calls.append(offline) or 0)
    assert tasks.setup([]) == 0
    assert calls == [False]
    assert "必要なソフトを入れ直します" in capsys.readouterr().out
    assert tasks.setup([]) == 0 and calls == [False]  # now stamped: nothing to do

    lock = scratch_tasks / "requirements.lock"
    lock.write_bytes(lock.read_bytes() + "# 編集\n".encode("cp932"))  # saved by Notepad as ANSI
    assert tasks.setup([]) == 1
    line = assert_one_japanese_line(capsys.readouterr().out)
    assert line.startswith("requirements.lock を読めません（UTF-8 でない文字があります")


def test_a_venv_python_that_cannot_start_is_one_line(
    scratch_tasks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tasks.call(scratch_tasks / ".venv" / "bin" / "python", "-c", "") == 1
    line = assert_one_japanese_line(capsys.readouterr().out)
    assert line.startswith(".venv/bin/python を起動できません")  # relative to the project


def test_a_bundle_for_another_python_is_refused_with_what_to_do(
    scratch_tasks: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wheelhouse = scratch_tasks / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "bundle.json").write_text(
        '{"targets": [{"python": "3.12", "platform": "win-amd64", "implementation": "cpython"}],'
        ' "lock_sha256": "", "longest_installed_path": 150}',
        encoding="utf-8",
    )
    monkeypatch.setattr(tasks, "install", lambda *a: pytest.fail("must not install"))
    assert tasks.setup([]) == 1
    line = assert_one_japanese_line(capsys.readouterr().out)
    assert "wheelhouse には、このパソコンの Python" in line
    assert "Python 3.12（win-amd64）" in line


# ------------------------------------------------------------------ the front door's name


def test_messages_name_the_command_the_person_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAKELEVEL", raising=False)
    assert tasks.front_door() == "python3 tasks.py"
    monkeypatch.setenv("MAKELEVEL", "1")
    assert tasks.front_door() == "make"
    monkeypatch.setattr(tasks, "on_windows", lambda: True)
    assert tasks.front_door() == "py tasks.py"  # never make on Windows
    assert tasks.usage().startswith("使い方：py tasks.py コマンド")
    assert tasks.typed("bundle") == "py tasks.py bundle"


def test_tools_run_as_python_modules_never_through_the_venvs_launchers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """jupyter.exe, mypy.exe, ruff.exe hold the venv's absolute path: a moved folder breaks them."""
    commands: list[tuple[str, ...]] = []
    monkeypatch.setattr(tasks, "call", lambda *c: commands.append(tuple(map(str, c))) or 0)
    for name in ("lint", "typecheck", "lab", "test", "test-all"):
        tasks.COMMANDS[name][0]([])
    assert commands
    for command in commands:
        assert command[0] == str(tasks.venv_python()), command
        assert command[1] in {"-m", "-c"}, command
    modules = {c[2] for c in commands if c[1] == "-m"}
    assert modules == {"ruff", "mypy", "jupyterlab", "pytest"}
    assert "venv_tool" not in Path(tasks.__file__).read_text(encoding="utf-8")


# ------------------------------------------------------------------ extras installed on first use


def test_lab_and_pdf_are_extras_locked_in_sections_of_their_own() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=\[; ]", r)[0] for r in project["dependencies"]]
    assert "jupyterlab" not in names and "playwright" not in names
    extras = project["optional-dependencies"]
    assert [r.split(">")[0] for r in extras["lab"]] == ["jupyterlab"]
    assert [r.split(">")[0] for r in extras["pdf"]] == ["playwright"]
    assert any(r.startswith("import-linter") for r in extras["dev"])
    pins = tasks.read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    by_name = {tasks.canonical(p.name): p for p in pins}
    assert by_name["jupyterlab"].extras == ("lab",)
    assert by_name["jupyter-server"].extras == ("lab",)
    assert by_name["playwright"].extras == ("pdf",)
    assert by_name["pandas"].extras == () and by_name["xlsxwriter"].extras == ()
    assert by_name["import-linter"].extras == ()  # dev: installed by setup
    assert all(p.hashes for p in pins), "every pin keeps its hashes"


def test_the_lock_is_divided_by_what_each_part_needs() -> None:
    text = (
        "# This file was autogenerated by uv\n"
        "a==1.0 \\\n    --hash=sha256:" + "1" * 64 + "\n    # via x\n"
        "b==2.0 ; sys_platform == 'win32' \\\n    --hash=sha256:" + "2" * 64 + "\n"
        "c==3.0 \\\n    --hash=sha256:" + "3" * 64 + "\n"
        "d==4.0 \\\n    --hash=sha256:" + "4" * 64 + "\n"
    )
    parts = {"": {"a"}, "lab": {"a", "b", "d"}, "pdf": {"a", "c", "d"}}
    sectioned = tasks.sectioned_lock(text, parts)
    assert sectioned.startswith("# This file was autogenerated by uv\na==1.0")
    pins = {p.name: p for p in tasks.read_lock(sectioned)}
    assert {n: p.extras for n, p in pins.items()} == {
        "a": (),
        "b": ("lab",),
        "c": ("pdf",),
        "d": ("lab", "pdf"),
    }
    assert pins["b"].marker == "sys_platform == 'win32'" and pins["b"].hashes == ("2" * 64,)
    assert tasks.read_lock(tasks.sectioned_lock(sectioned, parts)) == list(pins.values())


def installed_venv(root: Path) -> None:
    """A venv stamped as installed by ``setup``, so that a command goes straight to its extras."""
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\n", encoding="utf-8")
    (venv / ".installed-stamp").write_text(tasks.wanted_stamp() + "\n", encoding="utf-8")


@pytest.mark.parametrize("offline", [False, True], ids=["online", "from the bundle"])
def test_the_first_lab_or_pdf_installs_its_extra_once_and_reports_needs_none(
    scratch_tasks: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    offline: bool,
) -> None:
    installed_venv(scratch_tasks)
    monkeypatch.setattr(tasks, "venv_python", lambda: Path(sys.executable))
    monkeypatch.delenv(
        "MAKELEVEL", raising=False
    )  # a planner typing it, not `make test` running it
    if offline:
        (scratch_tasks / "wheelhouse").mkdir()
        (scratch_tasks / "wheelhouse" / "bundle.json").write_text(
            json.dumps(
                {
                    "targets": [tasks.this_python()],
                    "lock_sha256": hashlib.sha256(
                        (scratch_tasks / "requirements.lock").read_bytes()
                    ).hexdigest(),
                }
            ),
            encoding="utf-8",
        )
    monkeypatch.setattr(tasks, "index_reachable", lambda *a, **k: not offline)
    installs: list[tuple[list[str], str]] = []

    def pip(arguments: list[str], offline: bool, total: int, log: Path) -> int:
        requirements = Path(arguments[arguments.index("-r") + 1]).read_text(encoding="utf-8")
        installs.append((arguments, requirements))
        return 0

    monkeypatch.setattr(tasks, "pip", pip)
    ran: list[tuple[str, ...]] = []
    monkeypatch.setattr(tasks, "call", lambda *c: ran.append(tuple(map(str, c))) or 0)

    assert tasks.main(["reports"]) == 0
    assert installs == [], "reports needs no extra"
    assert tasks.main(["pdf"]) == 0
    assert len(installs) == 1
    arguments, requirements = installs[0]
    assert ("--no-index" in arguments) == offline
    assert "--require-hashes" in arguments and "-e" not in arguments
    assert re.search(r"^playwright==\S+ .*--hash=sha256:[0-9a-f]{64}", requirements, re.M)
    assert "jupyterlab==" not in requirements and "pandas==" not in requirements
    where = "このフォルダの wheelhouse から" if offline else "インターネットから"
    out = capsys.readouterr().out
    assert (
        f"python3 tasks.py pdf を初めて使うため、PDF を作るためのソフト（Playwright）を{where}入れます"
        in out
    )
    assert tasks.main(["pdf"]) == 0 and len(installs) == 1, "installed once"
    assert tasks.main(["lab"]) == 0 and len(installs) == 2
    assert "jupyterlab==" in installs[1][1] and "playwright==" not in installs[1][1]
    assert tasks.main(["test"]) == 0 and len(installs) == 2, "test finds both installed"
    runs = [c[3] for c in ran if c[1:3] == ("-m", "analysis")]
    assert runs == ["reports", "pdf", "pdf"], "every command ran after its extras"


def test_the_first_pdf_without_network_or_bundle_is_one_line(
    scratch_tasks: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed_venv(scratch_tasks)
    monkeypatch.setattr(tasks, "venv_python", lambda: Path(sys.executable))
    monkeypatch.setattr(tasks, "index_reachable", lambda *a, **k: False)
    monkeypatch.setattr(tasks, "pip", lambda *a: pytest.fail("must not install"))
    monkeypatch.setattr(tasks, "call", lambda *c: pytest.fail("must not run"))
    assert tasks.main(["pdf"]) == 1
    line = assert_one_japanese_line(capsys.readouterr().out)
    assert line.startswith("インターネットに接続できないため、必要なソフトを入れられません")


def test_what_only_lab_and_pdf_bring_leaves_the_reports_current() -> None:
    """The first ``pdf`` installs Playwright after ``reports`` ran: the fingerprint that tells
    whether a report is current leaves the extras' distributions out."""
    from analysis.run import outputs

    only = outputs.extras_only()
    assert {"jupyterlab", "jupyter-server", "playwright"} <= only
    assert not {"pandas", "nbconvert", "jupyterlab-pygments", "xlsxwriter"} & only
    counted = outputs.installed_distributions()
    assert any(d.startswith("pandas-") for d in counted)
    assert not [
        d for d in counted if d.startswith(("playwright-", "jupyterlab-4", "jupyter_server-"))
    ]
