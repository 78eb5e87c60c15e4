"""Start the Windows simulation in every Python process of a simulated test run.

Python imports ``sitecustomize`` at start-up from ``sys.path`` (Python docs, site);
this folder is put on ``PYTHONPATH`` by the test fixtures, together with
``ANALYSIS_SIMULATE_WINDOWS=1``, so that the command, its notebook kernels and
``tasks.py`` each start simulated. See ``_windows_simulation``.
"""

import os

if os.environ.get("ANALYSIS_SIMULATE_WINDOWS") == "1":
    import _windows_simulation

    _windows_simulation.install()
