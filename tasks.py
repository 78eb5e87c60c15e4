"""The front door on every OS: ``python tasks.py COMMAND [ARGS...]`` (``py tasks.py`` on Windows).

Standard library only, so that it runs on a PC with nothing but Python 3.11+ from
python.org: it creates ``.venv`` (``.venv\\Scripts`` on Windows, ``.venv/bin``
elsewhere), installs the exact versions of ``requirements.lock`` (again only when the
lock or ``pyproject.toml`` changed), then runs the command in that environment. The
Makefile's targets call this file, so ``make reports`` and ``python tasks.py reports``
do the same. Arguments after the command are passed through:
``python tasks.py reports --target-year 2030``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-stamp"
LINTED = ["analysis", "tests", "benchmarks", "tasks.py"]
MINIMUM_PYTHON = (3, 11)


def say(line: str) -> None:
    print(line, flush=True)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def venv_tool(name: str) -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def wanted_stamp() -> str:
    """What the installed environment must match: the lock, the project file, this Python."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "requirements.lock"):
        digest.update((ROOT / name).read_bytes().replace(b"\r\n", b"\n"))
    digest.update(sys.version.encode())
    return digest.hexdigest()


def call(*command: str | Path) -> int:
    """Run a command in the project folder and return its exit code.

    Ctrl-C reaches the command directly (the console sends it to every process of
    the window), and the command stops by itself with the outputs intact; this
    process only waits for it (``subprocess.call`` would kill it at once).
    """
    process = subprocess.Popen([str(part) for part in command], cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def setup(_: list[str]) -> int:
    """Create .venv and install the locked versions (only when something changed)."""
    if sys.version_info < MINIMUM_PYTHON:
        say(
            f"Python {MINIMUM_PYTHON[0]}.{MINIMUM_PYTHON[1]} 以上が必要です（この Python は "
            f"{sys.version.split()[0]}）。python.org から新しい Python を入れてください。"
        )
        return 1
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8").strip() == wanted_stamp():
        return 0
    if not venv_python().exists():
        say("初回の準備：.venv に必要なソフトを入れます（数分かかります）…")
        import venv

        venv.EnvBuilder(with_pip=True).create(VENV)
    python = venv_python()
    steps: list[list[str | Path]] = [
        [python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [python, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", "requirements.lock"],
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."],
    ]
    for step in steps:
        code = call(*step)
        if code:
            say("必要なソフトを入れられませんでした（上の表示を確認してください）。")
            return code
    STAMP.write_text(wanted_stamp() + "\n", encoding="utf-8")
    return 0


def in_venv(*arguments: str | Path) -> Callable[[list[str]], int]:
    def command(extra: list[str]) -> int:
        return call(venv_python(), *arguments, *extra)

    return command


def lint(_: list[str]) -> int:
    ruff = venv_tool("ruff")
    return call(ruff, "check", *LINTED) or call(ruff, "format", "--check", *LINTED)


def typecheck(_: list[str]) -> int:
    return call(venv_tool("mypy"))


def test(extra: list[str]) -> int:
    return lint([]) or typecheck([]) or in_venv("-m", "pytest")(extra)


def lab(extra: list[str]) -> int:
    configure = "from analysis.execution import configure_jupyterlab; configure_jupyterlab()"
    return call(venv_python(), "-c", configure) or call(
        venv_tool("jupyter"), "lab", "--notebook-dir=.", "notebooks/explore.py", *extra
    )


def lock(_: list[str]) -> int:
    python = venv_python()
    return call(python, "-m", "pip", "install", "--quiet", "uv>=0.5") or call(
        python, "-m", "uv", "pip", "compile", "pyproject.toml", "--extra", "dev", "--universal",
        "--generate-hashes", "--python-version", "3.11", "--quiet", "-o", "requirements.lock",
    )  # fmt: skip


def clean(_: list[str]) -> int:
    """Remove generated outputs and caches (keeps .venv)."""
    for folder in (ROOT / "data" / "processed", ROOT / "reports"):
        for path in folder.iterdir():
            if path.name == ".gitkeep":
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    return 0


COMMANDS: dict[str, tuple[Callable[[list[str]], int], bool, str]] = {
    # name: (what runs, needs the environment, what it does)
    "reports": (in_venv("-m", "analysis", "reports"), True, "検査してから、報告書と集計表をすべて作り直します"),
    "validate": (in_venv("-m", "analysis", "validate"), True, "data/raw/ のデータを検査します"),
    "pdf": (in_venv("-m", "analysis", "pdf"), True, "報告書を A4 の PDF にします（reports/pdf/）"),
    "proof": (in_venv("-m", "analysis", "proof"), True, "報告書を PDF にし、全ページを1枚の画像に並べます（reports/pdf/proof.png）"),
    "lab": (lab, True, "JupyterLab を開きます"),
    "test": (test, True, "ruff・mypy・すべてのテスト"),
    "lint": (lint, True, "ruff（書式とコードの検査）"),
    "typecheck": (typecheck, True, "mypy（型の検査）"),
    "unit": (in_venv("-m", "pytest"), True, "テストだけ（並列）"),
    "bench": (in_venv("benchmarks/run.py"), True, "ベンチマーク（BENCHMARKS.md）"),
    "setup": (setup, False, ".venv を作り、requirements.lock の版を入れます"),
    "lock": (lock, True, "pyproject.toml から requirements.lock を作り直します"),
    "clean": (clean, False, "出力とキャッシュを消します（.venv は残します）"),
}  # fmt: skip


def usage() -> str:
    lines = ["使い方：python tasks.py コマンド [オプション]（Windows では py tasks.py …）", ""]
    lines += [f"  {name:<10} {text}" for name, (_, _, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        say(usage())
        return 0 if argv else 2
    name, extra = argv[0], argv[1:]
    if name not in COMMANDS:
        say(f"「{name}」というコマンドはありません。\n{usage()}")
        return 2
    command, needs_environment, _ = COMMANDS[name]
    if needs_environment:
        code = setup([])
        if code:
            return code
    return command(extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
