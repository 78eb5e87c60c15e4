"""The tests mirror the package: one unit test file per module, whole runs apart.

Every module of ``analysis/inputs``, ``analysis/model`` and ``analysis/report`` has its own
``tests/unit/<layer>/test_<module>.py``; tests that run the whole pipeline, the command line or
``tasks.py`` live in ``tests/e2e/``. No test file sits directly in ``tests/``: there only the
shared ``conftest.py`` and the helper modules (``workbooks.py``, ``standard_method.py``) and
packages (``windows/``, ``reference/``) stay.
"""

from __future__ import annotations

from pathlib import Path

from analysis.core.paths import ROOT

MIRRORED_LAYERS = ("inputs", "model", "report")

TOP_LEVEL_TEST_FILES: frozenset[str] = frozenset()
"""Test files allowed directly in ``tests/`` (none: each belongs to ``unit/`` or ``e2e/``)."""


def modules_without_tests(root: Path) -> list[str]:
    """``layer/module`` of every mirrored module that has no ``tests/unit/layer/test_module.py``."""
    missing = []
    for layer in MIRRORED_LAYERS:
        for module in sorted((root / "analysis" / layer).glob("*.py")):
            if module.name == "__init__.py":
                continue
            if not (root / "tests" / "unit" / layer / f"test_{module.name}").is_file():
                missing.append(f"{layer}/{module.stem}")
    return missing


def stray_test_files(root: Path) -> list[str]:
    """Test files directly in ``tests/`` that are not among the documented exceptions."""
    return sorted(
        p.name for p in (root / "tests").glob("test_*.py") if p.name not in TOP_LEVEL_TEST_FILES
    )


def test_every_module_of_inputs_model_and_report_has_its_unit_test_file() -> None:
    assert modules_without_tests(ROOT) == []


def test_no_test_file_sits_directly_in_tests() -> None:
    assert stray_test_files(ROOT) == []


def test_the_checks_find_a_module_without_tests_and_a_stray_file(tmp_path: Path) -> None:
    for layer in MIRRORED_LAYERS:
        (tmp_path / "analysis" / layer).mkdir(parents=True)
        (tmp_path / "analysis" / layer / "__init__.py").touch()
        (tmp_path / "tests" / "unit" / layer).mkdir(parents=True)
    (tmp_path / "analysis" / "model" / "engine.py").touch()
    (tmp_path / "analysis" / "report" / "words.py").touch()
    (tmp_path / "tests" / "unit" / "report" / "test_words.py").touch()
    (tmp_path / "tests" / "test_everything.py").touch()
    (tmp_path / "tests" / "conftest.py").touch()
    assert modules_without_tests(tmp_path) == ["model/engine"]
    assert stray_test_files(tmp_path) == ["test_everything.py"]
