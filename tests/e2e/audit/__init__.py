"""Every file a report notebook's kernel opens, recorded through ``sitecustomize.py`` on ``PYTHONPATH``."""

from __future__ import annotations

import os
from pathlib import Path

SITE = Path(__file__).resolve().parent
"""The folder to put first on ``PYTHONPATH`` (it holds the recorder's ``sitecustomize.py``)."""

OPENS = "ANALYSIS_AUDIT_OPENS"
"""A folder: each kernel of a run writes there, one line per file it opens."""


def recording_opens(folder: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment in which every kernel records the files it opens into ``folder``."""
    env = dict(os.environ if base is None else base)
    env[OPENS] = str(folder)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SITE), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    return env


def opened(folder: Path) -> list[Path]:
    """Every file the kernels recorded as opened (absolute, as the kernels saw them)."""
    return [
        Path(line)
        for log in sorted(folder.glob("kernel-*.txt"))
        for line in log.read_text(encoding="utf-8").splitlines()
        if line
    ]
