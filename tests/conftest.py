from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data import PopulationData, load_all
from analysis.paths import DATA_PROCESSED, DATA_RAW, REPORTS, ROOT


@pytest.fixture(scope="session")
def data() -> PopulationData:
    return load_all()


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw/ to break on purpose (data/raw/ itself is never touched)."""
    target = tmp_path / "raw"
    shutil.copytree(DATA_RAW, target)
    return target


def snapshot() -> dict[str, str]:
    """Content hash of every output, to prove a failed run changed nothing."""
    files = [p for folder in (REPORTS, DATA_PROCESSED) for p in folder.rglob("*") if p.is_file()]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def built_reports() -> Path:
    """The reports as `make reports` builds them (reruns only what changed)."""
    result = run_cli("reports")
    assert result.returncode == 0, result.stdout + result.stderr
    return ROOT / "reports"


def start_forced_run() -> subprocess.Popen[str]:
    """``python -m analysis reports --force`` in the background, once it has started work."""
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis", "reports", "--force"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert "報告書" in process.stdout.readline()
    return process
