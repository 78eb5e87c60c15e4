"""Names of the top-level ``tests/conftest.py``, for the files moved here whole.

Some files moved from ``tests/`` (``test_reports``, ``test_install``, ``test_outputs``,
``test_kernel_start``, ``test_text_stays_text``) were moved without any edit, because others
are changing them at the same time, so they still say ``from .conftest import ...``. Their
relative imports resolve here. Fixtures are not repeated here (pytest finds those in
``tests/conftest.py``); only plain names are. Once those files import ``tests.conftest``
directly, this module goes.
"""

from __future__ import annotations

from tests.conftest import (
    FOLDER,
    TEST_CELL_TIMEOUT,
    Project,
    assert_complete,
    copy_checkout,
    interrupt,
    run_notebook,
    wait_for_checkpoint,
)

__all__ = [
    "FOLDER",
    "TEST_CELL_TIMEOUT",
    "Project",
    "assert_complete",
    "copy_checkout",
    "interrupt",
    "run_notebook",
    "wait_for_checkpoint",
]
