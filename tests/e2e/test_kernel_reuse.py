"""A kernel runs report notebooks one after another, each as in a new kernel
(analysis.run.execution.NotebookKernel, analysis.run.kernel_state): real kernels."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from analysis.run import execution
from tests.conftest import Project

from .test_figure_cache import entries
from .test_reports import digests

CHANGES_EVERYTHING = """# %%
import os, sys, warnings
import matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd
leftover = "from the first notebook"
matplotlib.rcParams["lines.linewidth"] = 7.5
pd.set_option("display.max_rows", 3)
np.random.seed(1)
warnings.filterwarnings("ignore", message="a notebook's own filter")
os.environ["SET_BY_A_NOTEBOOK"] = "1"
sys.path.insert(0, "a notebook's folder")
plt.plot([1, 2])
print("pid", os.getpid())
"""

BREAKS_ITS_RESTORE = """# %%
import os, matplotlib
import analysis.run.kernel_state as state
state._restore = lambda remembered: None  # nothing will be put back
matplotlib.rcParams["lines.linewidth"] = 9.0
print("pid", os.getpid())
"""

PROBE = """# %%
import json, os, sys, warnings
import matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd
plt.close(plt.figure())  # the backend as a report's first figure leaves it
print(json.dumps({
    "names": sorted(globals()),
    "count": get_ipython().execution_count,
    "rcParams": sorted((k, repr(v)) for k, v in matplotlib.rcParams.items()),
    "max_rows": pd.get_option("display.max_rows"),
    "filters": len(warnings.filters),
    "environ": "SET_BY_A_NOTEBOOK" in os.environ,
    "path": sys.path[0],
    "cwd": os.getcwd(),
}))
print("pid", os.getpid())
"""


def report(folder: Path, name: str, source: str) -> execution.Report:
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return execution.Report(name, path, {})


def printed(notebook: Any) -> tuple[dict[str, Any], int]:
    """What the probe printed, and the kernel's process id."""
    text = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    lines = text.splitlines()
    pid = int(next(line for line in lines if line.startswith("pid ")).split()[1])
    found = next((json.loads(line) for line in lines if line.startswith("{")), {})
    return found, pid


def pid_of(notebook: Any) -> int:
    return printed(notebook)[1]


def probe_after(tmp_path: Path, first: str) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """What the probe finds in a new kernel; what it finds run after the notebook ``first`` by
    one NotebookKernel; and whether the same kernel process ran both of those."""
    kernel = execution.ensure_kernel()
    probe = report(tmp_path, "probe", PROBE)
    found = []
    for before in ([], [report(tmp_path, "first", first)]):
        runner = execution.NotebookKernel(kernel, log=tmp_path / "kernels.log")
        try:
            pids = [pid_of(runner.execute(notebook)) for notebook in before]
            probed, pid = printed(runner.execute(probe))
        finally:
            runner.close()
        found.append((probed, [*pids, pid]))
    (in_a_new_kernel, _), (after_first, pids) = found
    return in_a_new_kernel, after_first, pids[0] == pids[1]


def test_the_next_notebook_finds_the_kernel_as_a_new_kernel_would(tmp_path: Path) -> None:
    in_a_new_kernel, after_another, same_kernel = probe_after(tmp_path, CHANGES_EVERYTHING)
    assert same_kernel
    assert after_another == in_a_new_kernel
    assert in_a_new_kernel["count"] == 2  # numbered from 1, as in a new kernel


def test_a_kernel_that_cannot_be_put_back_is_replaced(tmp_path: Path) -> None:
    in_a_new_kernel, after, same_kernel = probe_after(tmp_path, BREAKS_ITS_RESTORE)
    assert not same_kernel  # a new kernel ran the probe
    assert after == in_a_new_kernel


def test_one_kernel_for_every_report_draws_the_same_figures_and_files(project: Project) -> None:
    """Every figure drawn (the cache emptied first), once with a kernel per report (each one
    new) and once with one kernel for all four (each report after another in it): the same
    bytes in every output, the same figure-cache keys (the same content, drawn with the same
    settings), and the same as the built project's files."""
    before = {**digests(project.reports), **digests(project.processed)}
    cache = project.root / ".cache" / "figures"
    drawn: dict[str, set[str]] = {}
    for jobs in ("4", "1"):
        shutil.rmtree(cache, ignore_errors=True)
        result = project.cli("reports", "--force", "--jobs", jobs)
        assert result.returncode == 0, result.stdout + result.stderr
        assert {**digests(project.reports), **digests(project.processed)} == before, jobs
        drawn[jobs] = entries(project)
    assert drawn["1"] == drawn["4"]
    assert project.kernels() == []


class _NoReadersPolicy(asyncio.DefaultEventLoopPolicy):
    """Event loops without ``add_reader``/``add_writer``, as Windows' default loop
    (ProactorEventLoop: "Platform Support" in Python's asyncio documentation)."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()

        def refused(*args: object) -> None:
            raise NotImplementedError("add_reader: not on Windows' default event loop")

        loop.add_reader = refused  # type: ignore[method-assign]
        loop.add_writer = refused  # type: ignore[method-assign]
        return loop


def test_a_kernel_is_prepared_whatever_the_default_event_loop(tmp_path: Path) -> None:
    """The first call to a kernel comes before papermill's (which switches Windows to
    selector loops): it must not depend on the default loop having add_reader."""
    with execution.started_kernel(log=tmp_path / "kernels.log") as manager:
        before = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(_NoReadersPolicy())
        try:
            with pytest.raises(NotImplementedError):  # the policy does what it says
                asyncio.new_event_loop().add_reader(0, print)
            execution.prepare_kernel(manager)  # remembers (a new kernel)
            execution.prepare_kernel(manager)  # puts back
        finally:
            asyncio.set_event_loop_policy(before)
