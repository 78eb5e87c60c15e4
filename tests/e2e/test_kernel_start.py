"""A kernel that cannot start is retried once with a fresh one, quietly.

The fault is real: :mod:`tests.faults` makes the run's first kernel find its shell port
taken by a listening socket, so ipykernel's bind fails with ZMQ's 「Address already in use」.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.run import execution
from tests.conftest import Project

from .faults import port_taken


def test_a_kernel_whose_port_is_taken_is_replaced_and_its_traceback_logged(
    fresh_project: Project, tmp_path: Path
) -> None:
    # Not under the Windows simulation: its sitecustomize would shadow the fault's.
    project = Project(fresh_project.root, windows=False)
    marker = tmp_path / "port-taken"
    result = project.cli("reports", env=port_taken(marker))
    console = result.stdout + result.stderr
    assert result.returncode == 0, console
    assert marker.exists(), "the fault was injected into a kernel"
    log = (project.root / ".cache" / "kernels.log").read_text(encoding="utf-8", errors="replace")
    assert "Address already in use" in log, log[-2000:]
    assert "Address already in use" not in console
    assert "Traceback" not in console
    assert "失敗" not in console
    assert project.kernels() == []


def test_the_kernel_log_is_emptied_when_it_grows_too_long(tmp_path: Path) -> None:
    log = tmp_path / "cache" / "kernels.log"
    with execution.open_kernel_log(log, limit=10) as handle:
        handle.write(b"first kernel\n")
    with execution.open_kernel_log(log, limit=100) as handle:
        handle.write(b"second kernel\n")
    assert log.read_bytes() == b"first kernel\nsecond kernel\n"
    with execution.open_kernel_log(log, limit=10) as handle:
        handle.write(b"third kernel\n")
    assert log.read_bytes() == b"third kernel\n"


def test_a_kernel_log_that_cannot_be_written_is_no_reason_to_fail(tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    with execution.open_kernel_log(blocked / "kernels.log") as handle:
        handle.write(b"lost, harmlessly\n")
    assert blocked.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize(
    ("raised", "expected", "words"),
    [
        # nbclient's DeadKernelError is a RuntimeError: each case must reach its own branch.
        ("dead-at-start", execution.KernelUnresponsive, "応答しませんでした"),
        ("dead-in-a-cell", execution.NotebookFailed, "途中で終了しました"),
        ("no-reply", execution.KernelUnresponsive, "応答しませんでした"),
    ],
)
def test_a_kernel_that_dies_is_named_in_japanese_and_one_that_never_started_is_retried(
    raised: str, expected: type[Exception], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbclient.exceptions import DeadKernelError

    errors = {
        "dead-at-start": DeadKernelError("Kernel died before replying to kernel_info"),
        "dead-in-a-cell": DeadKernelError("Kernel died"),
        "no-reply": RuntimeError("Kernel didn't respond in 60 seconds"),
    }

    def fail(*_: object) -> None:
        raise errors[raised]

    monkeypatch.setattr(execution, "_run_cells", fail)
    report = execution.Report("population", Path("notebooks/reports/population.py"), {})
    with pytest.raises(expected) as caught:
        execution.execute(report, manager=None)
    assert words in str(caught.value)
    assert type(caught.value) is expected  # KernelUnresponsive (retried) is a NotebookFailed too
