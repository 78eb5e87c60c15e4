"""A kernel that runs report notebooks one after another, each as if in a fresh kernel.

Runs inside the kernel (the run sends :data:`FRESH_START` before each notebook). The first
call, in a kernel that has run nothing yet, remembers the state a notebook may change;
every later call puts it back and empties the notebook's namespace, so that the next
notebook starts where a newly started kernel would: the same names, settings, execution
count and working folder. What stays is what makes reuse worth it: the imported modules
(pandas, matplotlib and the package, ≈ 2.5 s of CPU per kernel start on the planners'
2-core PCs).

Remembered and put back: the namespace's names, matplotlib's settings (``rcParams``), the
warning filters, pandas' options, numpy's print options, floating-point error handling
and global random state, Python's ``random`` state, the working folder, ``sys.path`` and
the environment variables; open figures are closed. If what is read back differs from
what was remembered, :class:`NotReusable` is raised and the run starts a new kernel
instead (reuse only ever saves time; it never changes a figure or a page). Not put back:
attributes a notebook sets on imported modules (the report notebooks set none).
"""

from __future__ import annotations

import os
import random
import sys
import warnings
from typing import Any

FRESH_START = "__import__('analysis.run.kernel_state', fromlist=['fresh']).fresh()"
"""The code the run executes (without storing it in the history) before each notebook. It
binds no name in the namespace it is about to empty."""


class NotReusable(RuntimeError):
    """The kernel's state could not be put back as remembered: use a new kernel."""


_REMEMBERED: dict[str, Any] = {}

_NAMESPACE: dict[str, Any] = {}
"""The namespace a notebook finds in a new kernel (``__doc__``, ``__spec__``, ``_`` …): IPython's
reset keeps only ``__name__`` and the builtins and makes its own names (``In``, ``Out`` …) anew."""


def fresh() -> None:
    """Before a notebook: remember the state (first call), else put it back and empty the
    namespace (see the module's description)."""
    if not _REMEMBERED:
        _load_backend()
        _REMEMBERED.update(_state())
        shell = _shell()
        _NAMESPACE.update(shell.user_ns if shell is not None else {})
        return
    _restore(_REMEMBERED)
    found = _state()
    changed = sorted(k for k, v in _REMEMBERED.items() if not _same(found[k], v))
    if changed:
        raise NotReusable(f"not put back: {', '.join(changed)}")


def _load_backend() -> None:
    """Load matplotlib's backend now, as a notebook's first figure would.

    Loading the kernel's inline backend changes settings (``interactive`` becomes True, and
    the backend's own rcParams); remembered before that, the state put back would differ
    from the one a new kernel's figures are drawn with (and the figure cache, whose keys
    include rcParams, would miss them). pyplot loads the backend named by the settings the
    same way on first use.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    plt.switch_backend(matplotlib.get_backend())


def _state() -> dict[str, Any]:
    import matplotlib
    import numpy as np

    shell = _shell()
    return {
        "names": sorted(shell.user_ns) if shell is not None else [],
        "rcParams": dict(matplotlib.rcParams),
        "warnings": list(warnings.filters),
        "pandas": _pandas_options(),
        "numpy_print": np.get_printoptions(),
        "numpy_errors": np.geterr(),
        "numpy_random": np.random.get_state(),
        "random": random.getstate(),
        "cwd": os.getcwd(),
        "sys.path": list(sys.path),
        "environ": dict(os.environ),
    }


def _restore(state: dict[str, Any]) -> None:
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    plt.close("all")
    shell = _shell()
    if shell is not None:
        # Names, aliases, output history (Out, _) and the execution count (back to 1): as in a
        # new kernel. The modules stay imported.
        shell.reset(new_session=True)
        for name, value in _NAMESPACE.items():
            shell.user_ns.setdefault(name, value)
    found = _state()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # settings matplotlib or pandas call deprecated
        matplotlib.rcParams.update(
            {k: v for k, v in state["rcParams"].items() if found["rcParams"].get(k) != v}
        )
        for key, value in state["pandas"].items():
            if not _same(found["pandas"].get(key), value):
                pd.set_option(key, value)
    warnings.filters[:] = state["warnings"]  # type: ignore[index]  # a list at run time
    warnings._filters_mutated()  # type: ignore[attr-defined]  # what filterwarnings calls
    np.set_printoptions(**state["numpy_print"])
    np.seterr(**state["numpy_errors"])
    np.random.set_state(state["numpy_random"])
    random.setstate(state["random"])
    os.chdir(state["cwd"])
    sys.path[:] = state["sys.path"]
    if found["environ"] != state["environ"]:
        os.environ.clear()
        os.environ.update(state["environ"])


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _pandas_options() -> dict[str, Any]:
    """Every pandas option by its full name (``display.max_rows`` …), read through the
    public ``pd.options`` tree."""
    import pandas as pd

    wrapper = type(pd.options)
    found: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        for name in dir(node):
            value = getattr(node, name)
            if isinstance(value, wrapper):
                walk(value, f"{prefix}{name}.")
            else:
                found[f"{prefix}{name}"] = value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a deprecated option warns
        walk(pd.options, "")
    return found


def _same(found: Any, expected: Any) -> bool:
    """Equality that also holds for numpy arrays (the random state holds one)."""
    import numpy as np

    if isinstance(expected, tuple) and isinstance(found, tuple) and len(found) == len(expected):
        return all(_same(f, e) for f, e in zip(found, expected, strict=True))
    if isinstance(expected, np.ndarray):
        return bool(np.array_equal(found, expected))
    return bool(found == expected)
