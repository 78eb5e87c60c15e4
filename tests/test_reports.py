"""The report notebooks executed end to end, and what a planner opens."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

from analysis import execution, outputs, pipeline
from analysis.options import Options
from analysis.paths import DATA_PROCESSED, NOTEBOOKS, REPORTS

from .conftest import run_cli, start_forced_run


def outputs_text(notebook: object) -> str:
    parts = []
    for cell in notebook.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
            if output.get("output_type") == "error":
                parts.append(f"{output['ename']}: {output['evalue']}")
    return "\n".join(parts)


def test_source_notebooks_store_no_outputs() -> None:
    for path in NOTEBOOKS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '# %% tags=["parameters"]' in text, f"{path.name} has no parameters cell"
    assert not list(NOTEBOOKS.glob("*.ipynb")), "commit notebooks as jupytext .py sources"


def test_population_notebook_runs_through_papermill(tmp_path: Path) -> None:
    report = execution.Report(
        "population",
        NOTEBOOKS / "population.py",
        {"municipality": "一関市", "target_year": 2030, "output_dir": str(tmp_path)},
    )
    executed = execution.execute(report, execution.ensure_kernel())
    text = outputs_text(executed)
    assert "Glyph" not in text and "missing from" not in text
    assert not [
        o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    figures = sorted(p.name for p in (tmp_path / "figures").iterdir())
    for name in (
        "aging_rate",
        "projection_vs_vision",
        "population_by_age_圏域",
        "population_by_age_一関市",
    ):
        assert f"{name}.png" in figures and f"{name}.svg" in figures


def test_a_failing_notebook_names_notebook_cell_and_exception(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text(
        '# %% tags=["parameters"]\nx = 1\n\n# %%\ny = 2\n\n# %%\nraise ValueError("no data for 2050")\n',
        encoding="utf-8",
    )
    report = execution.Report("broken", broken, {})
    with pytest.raises(execution.NotebookFailed) as caught:
        execution.execute(report, execution.ensure_kernel())
    message = str(caught.value)
    assert "broken.py: cell" in message
    assert 'raise ValueError("no data for 2050")' in message
    assert "ValueError: no data for 2050" in message


def test_population_html_is_offline_without_code_and_in_japanese(built_reports: Path) -> None:
    html = (built_reports / "population.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"(src|href)=\"https?://", html)
    assert "hl-ipython3" not in html and 'class="highlight' not in html, "no code cells"
    assert "build_tables(" not in html and "figures.setup()" not in html
    assert 'class="report-toc"' in html
    for heading in (
        "データ検証の結果",
        "年齢3区分別人口",
        "推計人口と展望人口の比較",
        "原資料の本文に記載された数値",
        "算出方法",
    ):
        assert heading in html
    # Facts carried in data/raw are shown: the 1955 peak, the newer projection's 2040 aging rate.
    assert "185,454人" in html and "46.7%" in html
    assert html.count("data:image/png;base64,") >= 5
    assert "13,289" in html
    assert "/work/" not in html and "/tmp/" not in html, "no machine paths in the report"


def test_outputs_exist(built_reports: Path) -> None:
    for name in ("population_age_structure", "population_comparison", "population_findings"):
        assert (DATA_PROCESSED / f"{name}.csv").exists()
    assert (REPORTS / "tables.xlsx").exists()
    assert (REPORTS / "figures" / "projection_vs_vision.svg").exists()


def test_workbook_has_japanese_headers_and_numbers(built_reports: Path) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(REPORTS / "tables.xlsx")
    assert "年齢構造" in workbook.sheetnames
    sheet = workbook["年齢構造"]
    headers = [c.value for c in sheet[1]]
    assert "高齢化率（%）" in headers
    assert isinstance(
        sheet.cell(row=2, column=headers.index("総人口（人）") + 1).value, (int, float)
    )


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_two_runs_are_byte_identical_and_a_no_op_run_is_fast(built_reports: Path) -> None:
    first = run_cli("reports", "--force")
    assert first.returncode == 0, first.stdout + first.stderr
    # The console shows progress only: no kernel log lines (e.g. ipykernel's TCP note).
    assert "IPKernelApp" not in first.stdout + first.stderr
    before = {**digests(REPORTS), **digests(DATA_PROCESSED)}
    second = run_cli("reports", "--force")
    assert second.returncode == 0
    after = {**digests(REPORTS), **digests(DATA_PROCESSED)}
    assert before == after
    no_op = run_cli("reports")
    assert no_op.returncode == 0
    assert "すべての報告書は最新です" in no_op.stdout


def test_exploration_notebook_runs(tmp_path: Path) -> None:
    report = execution.Report("explore", NOTEBOOKS / "explore.py", {"municipality": "平泉町"})
    executed = execution.execute(report, execution.ensure_kernel())
    assert not [
        o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    images = [
        o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert images, "the custom figure is drawn"


def test_a_no_op_run_imports_no_pandas_and_starts_no_kernel(built_reports: Path) -> None:
    import subprocess
    import sys

    from analysis.paths import ROOT

    code = (
        "import sys; from analysis.__main__ import main; code = main(['reports']); "
        "assert 'pandas' not in sys.modules and 'jupyter_client' not in sys.modules, sorted(sys.modules); "
        "sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "すべての報告書は最新です" in result.stdout


BROKEN_AFTER_A_FIGURE = """# %% tags=["parameters"]
output_dir = ""

# %%
from pathlib import Path

import matplotlib.pyplot as plt

from analysis import figures

figures.setup()
fig, ax = plt.subplots()
ax.plot([1, 2])
figures.show(fig, "aging_rate", Path(output_dir) / "figures")

# %%
raise RuntimeError("broken after saving a figure")
"""


def test_a_failed_report_stages_nothing_outside_its_staging_folder(
    built_reports: Path, tmp_path: Path
) -> None:
    notebook = tmp_path / "population.py"
    notebook.write_text(BROKEN_AFTER_A_FIGURE, encoding="utf-8")
    figure = REPORTS / "figures" / "aging_rate.png"
    before = (figure.read_bytes(), (REPORTS / "population.html").read_bytes())
    staging = outputs.Staging.fresh()
    try:
        report = execution.Report("population", notebook, {})
        with pytest.raises(
            execution.NotebookFailed, match="RuntimeError: broken after saving a figure"
        ):
            pipeline.run_one(report, execution.ensure_kernel(), staging)
    finally:
        staging.discard()
    assert (figure.read_bytes(), (REPORTS / "population.html").read_bytes()) == before
    assert not outputs.STAGING.exists()


def test_ctrl_c_leaves_no_half_written_file(built_reports: Path) -> None:
    import signal
    import time

    process = start_forced_run()
    time.sleep(1.5)  # inside validation / table writing / notebook execution
    process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=120)[0]
    assert process.returncode in (130, 1), output
    leftovers = [p for folder in (REPORTS, DATA_PROCESSED) for p in folder.rglob("*.tmp")]
    assert leftovers == []
    assert not outputs.STAGING.exists()
    for html in REPORTS.glob("*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    # Kernels run in their own session (a terminal's Ctrl-C does not reach them): the
    # pipeline must stop them itself, also those launched ahead of their notebook.
    deadline = time.monotonic() + 10
    while running_kernels() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running_kernels() == []
    # The next run repairs whatever the interruption left out of date.
    assert run_cli("reports").returncode == 0
    assert running_kernels() == []


def running_kernels() -> list[str]:
    """Command lines of live kernel processes started from this interpreter (Linux /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        pytest.skip("needs /proc to list processes")
    found = []
    for cmdline in proc.glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"ipykernel_launcher" in argv and argv[0] == sys.executable.encode():
            found.append(b" ".join(argv).decode(errors="replace"))
    return found


def test_the_kernelspec_runs_this_interpreter_quietly_and_is_refreshed() -> None:
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    name = execution.ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec(name)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert execution.KERNEL_QUIET in spec.argv
    assert "-Xfrozen_modules=off" not in spec.argv
    # An older spec (e.g. from a previous version of the project) is replaced, not trusted.
    spec_file = Path(spec.resource_dir) / "kernel.json"
    stale = json.loads(spec_file.read_text(encoding="utf-8"))
    stale["argv"] = [a for a in stale["argv"] if a != execution.KERNEL_QUIET]
    spec_file.write_text(json.dumps(stale), encoding="utf-8")
    assert execution.ensure_kernel() == name
    assert execution.KERNEL_QUIET in KernelSpecManager().get_kernel_spec(name).argv


def test_a_run_stops_every_kernel_it_launched_and_closes_their_channels(
    built_reports: Path,
) -> None:
    """Kernels launched ahead of their notebook are not papermill's to stop: the pipeline must."""
    import threading

    before = set(running_kernels())
    assert pipeline.run(Options(force=True), echo=lambda _: None) == 0
    assert set(running_kernels()) <= before  # checked while this process still lives
    assert not [t for t in threading.enumerate() if "HB" in type(t).__name__]
