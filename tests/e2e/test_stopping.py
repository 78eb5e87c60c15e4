"""Ctrl-C and SIGTERM stop a run within seconds at any moment, and lose nothing.

Each case interrupts a forced rebuild of a built copy at a named checkpoint of
the run (see :mod:`analysis.run.interrupts`): the process sends itself the signal
there, so the moment is exact, not guessed with a sleep. Across the cases the
signal lands in every phase: locking, recovery, fingerprints, kernel start, the
tables, each notebook between two of its cells, the HTML, the decision and the
moves of the commit.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import STOP_WITHIN_SECONDS, Project, interrupt, wait_for_checkpoint

MOMENTS = [
    "locked",
    "recovered",
    "fingerprinted",
    "kernelspec",
    "kernels-launched",
    "tables-built",
    "tables-written",
    "notebook:population",
    "notebook:kpi",
    "cell:population:3",
    "cell:population:12",
    # Indices count papermill's injected parameters cell; markdown cells pass no checkpoint,
    # so each index here must be a code cell (test_every_cell_moment_is_a_code_cell).
    "cell:kpi:8",
    "html:population",
    "journal",
    "move:0",
]


def test_every_cell_moment_is_a_code_cell() -> None:
    """A moment on a markdown cell is never reached: the case would test nothing."""
    import jupytext

    from analysis.core.paths import NOTEBOOKS

    for moment in (m for m in MOMENTS if m.startswith("cell:")):
        _, report, index = moment.split(":")
        cells = jupytext.read(NOTEBOOKS / "reports" / f"{report}.py").cells
        tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
        cells.insert(tagged[0] + 1, cells[tagged[0]])  # papermill's injected-parameters cell
        assert cells[int(index)].cell_type == "code", moment


def stop_at(project: Project, moment: str, signal_name: str) -> tuple[int, float, str]:
    """A forced run that signals itself at ``moment``: exit code, seconds to stop, stdout."""
    with project.started("reports", "--force", at=f"{moment}:{signal_name}") as process:
        signalled = wait_for_checkpoint(process, moment)
        process.wait(timeout=30)
        stopped = time.monotonic()
        output = process.stdout.read() if process.stdout else ""
    return process.returncode, stopped - signalled, output


@pytest.mark.parametrize("moment", MOMENTS)
def test_ctrl_c_at_any_moment_stops_within_seconds_and_keeps_the_outputs(
    project: Project, moment: str
) -> None:
    before = project.snapshot()
    code, seconds, output = stop_at(project, moment, "SIGINT")
    assert code == 130, output
    assert seconds < STOP_WITHIN_SECONDS, f"{seconds:.2f} s"
    assert output.strip().splitlines()[-1].startswith("中断しました。")
    assert project.kernels() == [], "every kernel of the run is gone"
    # Stopped before the decision: nothing moved. After it: the same bytes, complete.
    assert {k: v for k, v in project.snapshot().items() if "/.staging/" not in k} == before
    again = project.cli("reports")
    assert again.returncode == 0, again.stdout
    assert "すべての報告書は最新です" in again.stdout
    assert project.snapshot() == before
    assert project.consistent()
    assert not project.staging.exists()
    assert not project.leftovers()


@pytest.mark.parametrize("moment", ["kernels-launched", "cell:kpi:3"])
def test_sigterm_stops_like_ctrl_c_with_exit_143(project: Project, moment: str) -> None:
    before = project.snapshot()
    code, seconds, output = stop_at(project, moment, "SIGTERM")
    assert code == 143, output
    assert seconds < STOP_WITHIN_SECONDS
    assert "中断しました" in output
    assert project.kernels() == []
    assert project.cli("reports").returncode == 0
    assert project.snapshot() == before


def test_an_outside_signal_to_a_held_run_stops_it(project: Project) -> None:
    """The signal from outside (a terminal's Ctrl-C), while a notebook's kernel is busy."""
    before = project.snapshot()
    with project.started("reports", "--force", at="notebook:kpi:hold") as process:
        wait_for_checkpoint(process, "notebook:kpi")
        sent = time.monotonic()
        interrupt(process)
        process.wait(timeout=30)
        assert time.monotonic() - sent < STOP_WITHIN_SECONDS
    assert process.returncode == 130
    assert project.kernels() == []
    assert {k: v for k, v in project.snapshot().items() if "/.staging/" not in k} == before
