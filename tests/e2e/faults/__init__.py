"""Faults injected into the processes of a run, through ``sitecustomize.py`` on ``PYTHONPATH``."""

from __future__ import annotations

import os
from pathlib import Path

SITE = Path(__file__).resolve().parent
"""The folder to put first on ``PYTHONPATH`` (it holds this fault's ``sitecustomize.py``)."""

PORT_TAKEN = "ANALYSIS_FAULT_PORT_TAKEN"
"""A file path: the first kernel to create it finds its shell port already taken."""


def port_taken(marker: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment in which the first kernel of the run cannot bind its shell port."""
    env = dict(os.environ if base is None else base)
    env[PORT_TAKEN] = str(marker)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SITE), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    return env
