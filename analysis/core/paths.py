"""Project locations, built from the package so that any working directory works."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
"""The ``analysis`` package folder (this module sits in ``analysis/core/``)."""
ROOT = PACKAGE.parent
DATA_RAW = ROOT / "data" / "raw"
DATA_PROCESSED = ROOT / "data" / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
CACHE = ROOT / ".cache"
"""Caches (validation results, font subsets) and the log of the last internal error."""
TEMPLATES = PACKAGE / "templates"


_VISIBLE = {code: f"\\x{code:02x}" for code in range(32)} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}


def display_path(path: Path | str) -> str:
    """Path relative to the project root when inside it, for short one-line messages.

    Symbolic links are not followed (a link loop must still be named), and control
    characters in a file name are shown escaped so that a message stays one line.
    """
    candidates = [Path(os.path.abspath(path))]
    with contextlib.suppress(OSError, RuntimeError):
        candidates.append(Path(path).resolve())
    text = str(path)
    for candidate in candidates:
        if candidate.is_relative_to(ROOT):
            text = candidate.relative_to(ROOT).as_posix()
            break
    return text.translate(_VISIBLE)
