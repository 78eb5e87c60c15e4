"""A kernel put back as new between two notebooks (analysis.run.kernel_state), in process:
the same IPython shell class a kernel runs, without the kernel's messaging."""

from __future__ import annotations

import builtins
import os
import random
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from analysis.run import kernel_state


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A shell whose first notebook is about to run; this process's state is restored after."""
    monkeypatch.setattr(kernel_state, "_REMEMBERED", {})
    monkeypatch.setattr(kernel_state, "_NAMESPACE", {})
    monkeypatch.setattr(builtins, "__IPYTHON__", False, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    rc, printing, errors = dict(matplotlib.rcParams), np.get_printoptions(), np.geterr()
    states, environment = (np.random.get_state(), random.getstate()), dict(os.environ)
    # A shell of this test's own: no history database or thread, and what creating one
    # changes in the process (``__main__``, builtins) undone afterwards.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    added = set(vars(builtins))
    config = Config()
    config.HistoryManager.enabled = False
    instance = InteractiveShell.instance(config=config)
    try:
        with warnings.catch_warnings():
            yield instance
    finally:
        InteractiveShell.clear_instance()
        for name in set(vars(builtins)) - added:
            delattr(builtins, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(rc)
    np.set_printoptions(**printing)
    np.seterr(**errors)
    np.random.set_state(states[0])
    random.setstate(states[1])
    os.environ.clear()
    os.environ.update(environment)
    pd.reset_option("display.max_rows")


def notebook_that_changes_everything(shell: Any, tmp_path: Path) -> None:
    """What a notebook might do to its kernel, by its own cells and by calls in them."""
    for cell in ("x = 1", "import pandas as pd", "y = x + 1", "y"):
        assert shell.run_cell(cell, store_history=True).success
    matplotlib.rcParams["lines.linewidth"] = 7.5
    pd.set_option("display.max_rows", 3)
    np.set_printoptions(precision=2)
    np.seterr(all="raise")
    np.random.seed(1)
    random.seed(1)
    warnings.filterwarnings("error", message="a notebook's own filter")
    os.environ["SET_BY_A_NOTEBOOK"] = "1"
    os.chdir(tmp_path.parent)
    sys.path.insert(0, "a notebook's folder")


def test_the_next_notebook_starts_where_a_new_kernel_would(shell: Any, tmp_path: Path) -> None:
    kernel_state.fresh()  # the first notebook: remembered
    before = kernel_state._state()
    count = shell.execution_count
    notebook_that_changes_everything(shell, tmp_path)
    assert shell.execution_count == count + 4

    kernel_state.fresh()  # the next notebook: put back

    assert {"x", "y", "pd"}.isdisjoint(shell.user_ns)
    assert shell.user_ns["Out"] == {}
    assert shell.execution_count == 1
    assert matplotlib.rcParams["lines.linewidth"] == before["rcParams"]["lines.linewidth"]
    assert pd.get_option("display.max_rows") == before["pandas"]["display.max_rows"]
    assert np.get_printoptions()["precision"] == before["numpy_print"]["precision"]
    assert np.geterr() == before["numpy_errors"]
    assert random.getstate() == before["random"]
    assert np.array_equal(np.random.get_state()[1], before["numpy_random"][1])
    assert warnings.filters == before["warnings"]
    assert "SET_BY_A_NOTEBOOK" not in os.environ
    assert os.getcwd() == str(tmp_path)
    assert sys.path == before["sys.path"]
    # Everything remembered is as remembered, not only what this test changed.
    found = kernel_state._state()
    assert all(kernel_state._same(found[k], v) for k, v in before.items())


def test_state_that_does_not_come_back_means_a_new_kernel(
    shell: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel_state.fresh()
    restore = kernel_state._restore

    def incomplete(state: dict[str, Any]) -> None:  # as if something set it again
        restore(state)
        matplotlib.rcParams["lines.linewidth"] = 9.0

    monkeypatch.setattr(kernel_state, "_restore", incomplete)
    with pytest.raises(kernel_state.NotReusable, match="not put back: rcParams"):
        kernel_state.fresh()


def test_the_code_the_run_sends_binds_no_name(shell: Any) -> None:
    names = set(shell.user_ns)
    for call in ("remembers", "puts back"):
        assert shell.run_cell(kernel_state.FRESH_START, store_history=False).success, call
        assert set(shell.user_ns) == names, call
    assert kernel_state._REMEMBERED  # it ran


def test_equal_holds_for_the_random_states_array() -> None:
    state = np.random.get_state()
    assert kernel_state._same(state, np.random.get_state())
    np.random.random()
    assert not kernel_state._same(np.random.get_state(), state)
