"""Project plumbing: one list of dependencies, raw data documented."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from analysis.core.paths import DATA_RAW, ROOT


def test_environment_yml_installs_the_locked_versions_through_pip() -> None:
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python_floor = project["requires-python"].removeprefix(">=")
    assert f"python>={python_floor}" in text
    assert "- pip\n" in text
    assert "- -r requirements.lock" in text
    # No dependency is listed twice: conda installs only python and pip.
    for requirement in project["dependencies"]:
        name = requirement.split(">")[0].split("=")[0]
        assert f"- {name}" not in text


def test_every_raw_file_is_documented() -> None:
    readme = (DATA_RAW / "README.md").read_text(encoding="utf-8")
    for path in DATA_RAW.glob("*.csv"):
        assert f"`{path.name}`" in readme, path.name


def test_every_transcribed_count_row_has_provenance() -> None:
    import pandas as pd

    for name in ("ipss_2018_projection.csv", "population_vision_2024.csv", "printed_figures.csv"):
        table = pd.read_csv(DATA_RAW / name)
        assert table["source_line"].between(391, 494).all(), name
        assert table["source_table"].notna().all(), name


def test_kpi_files_carry_source_lines() -> None:
    import pandas as pd

    for name, column in (
        ("initiatives.csv", "block_line"),
        ("kpis.csv", "value_line"),
        ("budgets.csv", "source_line"),
        ("vision_changes.csv", "source_line"),
        ("comment_counts.csv", "source_line"),
    ):
        table = pd.read_csv(DATA_RAW / name)
        assert table[column].between(70, 1222).all(), name


def test_comment_counts_sum_to_the_printed_totals() -> None:
    import pandas as pd

    counts = pd.read_csv(DATA_RAW / "comment_counts.csv").groupby("kind")["count"].sum()
    totals = pd.read_csv(DATA_RAW / "comment_totals.csv").set_index("kind")["count"]
    assert counts.to_dict() == totals.to_dict() == {"パブリックコメント": 31, "懇談会委員意見": 11}


def test_jupyterlab_opens_the_notebook_scripts_as_notebooks(tmp_path: Path) -> None:
    import json

    from analysis.run.execution import KERNEL_NAME, configure_jupyterlab

    # Another environment: the checkout's .venv is not the tests' to change.
    settings = configure_jupyterlab(prefix=tmp_path)
    assert settings.is_relative_to(tmp_path)
    (settings.parent / "overrides.json").write_text('{"other": {"kept": 1}}', encoding="utf-8")
    settings = configure_jupyterlab(prefix=tmp_path)
    overrides = json.loads(settings.read_text(encoding="utf-8"))
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"
    assert overrides["other"] == {"kept": 1}, "the planner's own settings stay"
    explore = (ROOT / "notebooks" / "explore" / "explore.py").read_text(encoding="utf-8")
    assert f"name: {KERNEL_NAME}" in explore


def test_every_message_has_a_japanese_title_and_both_languages() -> None:
    import re

    from analysis.core.messages import CATALOGUE, TITLES

    assert set(TITLES) == set(CATALOGUE)
    for code, (japanese, english) in CATALOGUE.items():
        words = re.sub(r"\{[^}]*\}", "", japanese).strip("：、。 ")
        assert not words or re.search(r"[぀-ヿ一-鿿]", words), code
        assert english and not re.search(r"[ぁ-ゟ]", english), code


LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on the package and contracts under ``root`` (no cache left behind)."""
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def test_the_package_keeps_its_layer_contracts() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


BREACHES = {
    # contract name (pyproject.toml) → (module, the import added to it)
    "never upwards": (
        "core/findings.py",
        "def later():\n    from analysis.report import display\n",
    ),
    "read no file": ("model/cohort.py", "from analysis.inputs import io\n"),
    "sees no path": ("model/population.py", "from pathlib import Path\n"),  # the whole layer
    "never loads pandas": ("core/paths.py", "import pandas\n"),
    "only the command line starts a run": (
        "run/pdf.py",
        "from analysis.run import pipeline as p\n",
    ),
    "no import cycle": ("model/revision.py", "def later():\n    import analysis.model.scenarios\n"),
}


@pytest.mark.parametrize("contract", sorted(BREACHES))
def test_each_layer_contract_fails_on_its_breach(contract: str, tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "analysis", tmp_path / "analysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    module, added = BREACHES[contract]
    path = tmp_path / "analysis" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + added, encoding="utf-8")
    if contract == "no import cycle":  # revision → scenarios above; scenarios → revision closes it
        back = tmp_path / "analysis" / "model" / "scenarios.py"
        back.write_text(
            back.read_text(encoding="utf-8")
            + "\n\ndef later():\n    import analysis.model.revision\n",
            encoding="utf-8",
        )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(contract in line for line in broken), result.stdout


def locked_versions() -> dict[str, list[str]]:
    """Name → pinned versions (one per Python-version marker) in requirements.lock."""
    import re

    pins: dict[str, list[str]] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)", line)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            pins.setdefault(name, []).append(match.group(2))
    return pins


def test_the_lock_pins_every_dependency_with_hashes_within_its_declared_range() -> None:
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    declared = [
        *project["dependencies"],
        *(requirement for name in ("dev", "build", "lab", "pdf") for requirement in extras[name]),
    ]
    # What builds the project is locked too (an install from the offline wheelhouse needs it).
    build_system = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert sorted(build_system["build-system"]["requires"]) == sorted(extras["build"])
    pins = locked_versions()
    for text in declared:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name.lower())  # PEP 503
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        for version in pins[name]:
            assert requirement.specifier.contains(version), f"{name}=={version} vs {text}"
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = [e for e in lock.split("\n") if re.match(r"^[A-Za-z0-9]", e)]
    assert entries and all(e.rstrip().endswith("\\") for e in entries), "every pin carries hashes"
    tasks = (ROOT / "tasks.py").read_text(encoding="utf-8")
    # pip gets the lock's pins (base, or an extra's section) as a file of their own, hashes on.
    assert '"--require-hashes", "-r", str(requirements)' in tasks


def test_make_test_leaves_out_only_the_tests_that_run_the_pipeline_themselves() -> None:
    """`make test` stays within minutes; what it leaves out is exactly the tests with a run of
    their own (marker own_run), and it keeps the planner's-PC build and every test reading it."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "-m", "not own_run"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout + collected.stderr
    kept = [line for line in collected.stdout.splitlines() if "::" in line]
    assert len(kept) > 800
    kept_text = "\n".join(kept)
    for needed in (
        "tests/e2e/test_council.py::test_council_reports_read_right",  # the planner's-PC build
        "tests/e2e/test_browser.py::test_report_loads_offline_in_a_real_browser",  # the default
        "tests/e2e/test_windows.py::test_tasks_py_validates_and_prints_on_a_pc",
    ):
        assert needed in kept_text, needed
    for left_out in (
        "test_a_bundle_installs_and_runs_reports_with_no_network_at_all",
        "tests/e2e/test_text_stays_text.py",
        "tests/e2e/test_stopping.py::test_ctrl_c_at_any_moment_stops_within_seconds",
        "tests/e2e/test_proof.py::test_the_proof_sheet_shows_every_page_of_every_report",
    ):
        assert left_out not in kept_text, left_out


def test_test_all_runs_every_test_and_ci_runs_test_all(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        import tasks
    finally:
        sys.path.remove(str(ROOT))
    ran: dict[str, list[tuple[str, ...]]] = {}
    for name in ("test", "test-all"):
        calls: list[tuple[str, ...]] = []
        monkeypatch.setattr(
            tasks, "call", lambda *c, calls=calls: calls.append(tuple(map(str, c))) or 0
        )
        assert tasks.COMMANDS[name][0]([]) == 0
        ran[name] = [c[3:] for c in calls if c[1:3] == ("-m", "pytest")]
    assert ran == {"test": [("-m", "not own_run")], "test-all": [()]}
    assert "\nmake test-all\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
