"""Project plumbing: one list of dependencies, raw data documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from analysis.paths import DATA_RAW, ROOT


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

    from analysis.execution import KERNEL_NAME, configure_jupyterlab

    # Another environment: the checkout's .venv is not the tests' to change.
    settings = configure_jupyterlab(prefix=tmp_path)
    assert settings.is_relative_to(tmp_path)
    (settings.parent / "overrides.json").write_text('{"other": {"kept": 1}}', encoding="utf-8")
    settings = configure_jupyterlab(prefix=tmp_path)
    overrides = json.loads(settings.read_text(encoding="utf-8"))
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"
    assert overrides["other"] == {"kept": 1}, "the planner's own settings stay"
    explore = (ROOT / "notebooks" / "explore.py").read_text(encoding="utf-8")
    assert f"name: {KERNEL_NAME}" in explore


def test_every_message_has_a_japanese_title_and_both_languages() -> None:
    import re

    from analysis.messages import CATALOGUE, TITLES

    assert set(TITLES) == set(CATALOGUE)
    for code, (japanese, english) in CATALOGUE.items():
        words = re.sub(r"\{[^}]*\}", "", japanese).strip("：、。 ")
        assert not words or re.search(r"[぀-ヿ一-鿿]", words), code
        assert english and not re.search(r"[ぁ-ゟ]", english), code


def test_only_the_pipeline_and_the_command_line_import_the_pipeline() -> None:
    # Every spelling counts: `import analysis.pipeline`, `from analysis.pipeline import x` and
    # `from analysis import pipeline` (the last passed an earlier version of this test).
    for path in (ROOT / "analysis").glob("*.py"):
        if path.name in {"pipeline.py", "__main__.py"}:
            continue
        assert "analysis.pipeline" not in analysis_imports(path), path.name


def test_the_import_check_sees_every_spelling_of_an_import(tmp_path: Path) -> None:
    spellings = [
        "import analysis.pipeline",
        "from analysis.pipeline import run",
        "from analysis import pipeline",
        "def later():\n    from analysis import pipeline as p",
    ]
    for number, text in enumerate(spellings):
        module = tmp_path / f"m{number}.py"
        module.write_text(text + "\n", encoding="utf-8")
        assert "analysis.pipeline" in analysis_imports(module), text


def analysis_imports(path: Path) -> set[str]:
    """The analysis modules a module imports anywhere (also inside functions)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            if node.module == "analysis":
                found |= {f"analysis.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("analysis.")}
    return found


def test_the_package_has_no_import_cycle_not_even_inside_functions() -> None:
    import graphlib

    graph = {
        f"analysis.{path.stem}": analysis_imports(path)
        for path in (ROOT / "analysis").glob("*.py")
        if path.stem != "__init__"
    }
    graphlib.TopologicalSorter(graph).static_order()  # raises CycleError on a cycle


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
    declared = [*project["dependencies"], *extras["dev"], *extras["build"]]
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
    assert '"--require-hashes", "-r", "requirements.lock"' in tasks
