"""The report notebooks executed end to end, and what a planner opens."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis.core.paths import NOTEBOOKS
from analysis.run import execution
from tests.conftest import TEST_CELL_TIMEOUT, Project, run_notebook


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
    for path in NOTEBOOKS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '# %% tags=["parameters"]' in text, f"{path.name} has no parameters cell"
    assert not list(NOTEBOOKS.rglob("*.ipynb")), "commit notebooks as jupytext .py sources"


def test_notebooks_live_in_the_folder_of_their_role() -> None:
    from analysis.run.options import Options
    from analysis.run.pipeline import reports_for

    assert not list(NOTEBOOKS.glob("*.py")), (
        "a notebook belongs in notebooks/reports or notebooks/explore"
    )
    assert {p.parent.name for p in NOTEBOOKS.rglob("*.py")} == {"reports", "explore"}
    run_by_the_pipeline = {r.notebook for r in reports_for(Options())}
    assert run_by_the_pipeline and {p.parent for p in run_by_the_pipeline} == {
        NOTEBOOKS / "reports"
    }


def test_population_notebook_runs_through_papermill(tmp_path: Path) -> None:
    report = execution.Report(
        "population",
        NOTEBOOKS / "reports" / "population.py",
        {"municipality": "一関市", "target_year": 2030, "output_dir": str(tmp_path)},
    )
    executed = run_notebook(report, tmp_path, TEST_CELL_TIMEOUT)
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
        run_notebook(report, tmp_path, TEST_CELL_TIMEOUT)
    message = str(caught.value)
    assert "broken.py: cell" in message
    assert 'raise ValueError("no data for 2050")' in message
    assert "ValueError: no data for 2050" in message


def test_a_stuck_cell_fails_the_notebook_after_the_cell_timeout(tmp_path: Path) -> None:
    stuck = tmp_path / "stuck.py"
    stuck.write_text(
        '# %% tags=["parameters"]\nx = 1\n\n# %%\nimport time\ntime.sleep(60)\n', encoding="utf-8"
    )
    report = execution.Report("stuck", stuck, {})
    with pytest.raises(
        execution.NotebookFailed, match="1 秒以上応答のないセルがあるため中止しました"
    ):
        run_notebook(report, tmp_path, 1)


def test_population_html_is_offline_without_code_and_in_japanese(built_project: Project) -> None:
    html = (built_project.reports / "population.html").read_text(encoding="utf-8")
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
    assert "185,454人" in html and "46.70%" in html
    assert html.count("data:image/png;base64,") >= 5
    assert "13,289" in html
    assert "/work/" not in html and "/tmp/" not in html, "no machine paths in the report"


def test_outputs_exist(built_project: Project) -> None:
    for name in ("population_age_structure", "population_comparison", "population_findings"):
        assert (built_project.processed / f"{name}.csv").exists()
    assert (built_project.reports / "tables.xlsx").exists()
    assert (built_project.reports / "figures" / "projection_vs_vision.svg").exists()


def test_workbook_has_japanese_headers_and_numbers(built_project: Project) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(built_project.reports / "tables.xlsx")
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


def test_exploration_notebook_runs(tmp_path: Path) -> None:
    report = execution.Report(
        "explore", NOTEBOOKS / "explore" / "explore.py", {"municipality": "平泉町"}
    )
    executed = run_notebook(report, tmp_path, TEST_CELL_TIMEOUT)
    assert not [
        o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    images = [
        o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert images, "the custom figure is drawn"


def test_a_no_op_run_imports_no_pandas_and_starts_no_kernel(project: Project) -> None:
    code = (
        "import sys; from analysis.__main__ import main; code = main(['reports']); "
        "assert 'pandas' not in sys.modules and 'jupyter_client' not in sys.modules, sorted(sys.modules); "
        "sys.exit(code)"
    )
    result = project.python(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "すべての報告書は最新です" in result.stdout


BROKEN_AFTER_A_FIGURE = """# %% tags=["parameters"]
output_dir = ""

# %%
from pathlib import Path

import matplotlib.pyplot as plt

from analysis.report import figures

figures.setup()
fig, ax = plt.subplots()
ax.plot([1, 2])
figures.show(fig, "aging_rate", Path(output_dir) / "figures")

# %%
raise RuntimeError("broken after saving a figure")
"""


FAILED_REPORT = """
import sys
from pathlib import Path
from analysis.run import execution, outputs, pipeline
staging = outputs.Staging.fresh()
try:
    report = execution.Report("population", Path(sys.argv[1]), {})
    pipeline.run_one(report, execution.ensure_kernel(), staging)
except execution.NotebookFailed as error:
    print(error)
finally:
    staging.discard()
"""


def test_a_failed_report_stages_nothing_outside_its_staging_folder(
    project: Project, tmp_path: Path
) -> None:
    notebook = tmp_path / "population.py"
    notebook.write_text(BROKEN_AFTER_A_FIGURE, encoding="utf-8")
    figure = project.reports / "figures" / "aging_rate.png"
    before = (figure.read_bytes(), (project.reports / "population.html").read_bytes())
    result = project.python(FAILED_REPORT.replace("sys.argv[1]", repr(str(notebook))))
    assert "RuntimeError: broken after saving a figure" in result.stdout, result.stderr
    assert (figure.read_bytes(), (project.reports / "population.html").read_bytes()) == before
    assert not project.staging.exists()


def test_the_kernelspec_runs_this_interpreter_quietly_and_is_refreshed(tmp_path: Path) -> None:
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    # An environment of its own: the real kernelspec is shared by the tests running in
    # parallel, and the checkout's .venv is not the tests' to write.
    name = execution.ensure_kernel(prefix=tmp_path)
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "share" / "jupyter" / "kernels")])
    spec = specs.get_kernel_spec(name)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert execution.KERNEL_QUIET in spec.argv
    assert "-Xfrozen_modules=off" not in spec.argv
    # An older spec (e.g. from a previous version of the project) is replaced, not trusted.
    spec_file = Path(spec.resource_dir) / "kernel.json"
    stale = json.loads(spec_file.read_text(encoding="utf-8"))
    stale["argv"] = [a for a in stale["argv"] if a != execution.KERNEL_QUIET]
    spec_file.write_text(json.dumps(stale), encoding="utf-8")
    assert execution.ensure_kernel(prefix=tmp_path) == name
    assert execution.KERNEL_QUIET in specs.get_kernel_spec(name).argv


RUN_IN_PROCESS = """
import os, threading
from pathlib import Path
from analysis.run import pipeline
from analysis.run.options import Options
assert pipeline.run(Options(force=True)) == 0
print("left:", [t.name for t in threading.enumerate() if "HB" in type(t).__name__])
kernels = []  # checked while this process still lives (an orphan would exit by itself later)
for entry in Path("/proc").glob("[0-9]*"):
    try:
        argv = (entry / "cmdline").read_bytes().split(b"\\0")
        state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        if b"ipykernel_launcher" in argv and os.readlink(entry / "cwd") == os.getcwd() and state != "Z":
            kernels.append(entry.name)
    except OSError:
        pass
print("kernels:", kernels)
"""


def test_a_forced_run_is_byte_identical_stops_its_kernels_and_then_nothing_is_rebuilt(
    project: Project,
) -> None:
    """Run in a process of its own that is checked while it still lives: kernels launched
    ahead of their notebook are not papermill's to stop, the pipeline must."""
    before = {**digests(project.reports), **digests(project.processed)}
    forced = project.python(RUN_IN_PROCESS)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "left: []" in forced.stdout  # no heartbeat thread left open in the process
    assert "kernels: []" in forced.stdout
    # The console shows progress only: no kernel log lines (e.g. ipykernel's TCP note).
    assert "IPKernelApp" not in forced.stdout + forced.stderr
    assert "報告書 4 件を作成します" in forced.stdout  # the shipped data make all four
    assert {**digests(project.reports), **digests(project.processed)} == before
    no_op = project.cli("reports")
    assert no_op.returncode == 0
    assert "すべての報告書は最新です" in no_op.stdout
    assert "報告書 " not in no_op.stdout, "no report was rerun"


def test_a_kernel_that_never_answers_is_named_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    def silent(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", silent)
    report = execution.Report("population", NOTEBOOKS / "reports" / "population.py", {})
    with pytest.raises(execution.KernelUnresponsive, match="カーネル）が応答しませんでした"):
        execution.execute(report, SimpleNamespace(kernel_name=execution.KERNEL_NAME))


RETRIED = """
from analysis.run import execution, outputs, pipeline
calls = []
real = execution.execute
def once_silent(report, manager, **kwargs):
    calls.append(manager)
    if len(calls) == 1:
        raise execution.KernelUnresponsive("silent")
    return real(report, manager, **kwargs)
execution.execute = once_silent
staging = outputs.Staging.fresh()
try:
    report = pipeline.reports_for(pipeline.Options())[1]  # kpi
    html, figures = pipeline.run_one(report, execution.ensure_kernel(), staging)
    print("tries:", len(calls), "fresh kernel:", calls[0] is not calls[1], "html:", html.exists())
finally:
    staging.discard()
"""


def test_a_kernel_that_never_answers_gets_one_fresh_kernel(project: Project) -> None:
    result = project.python(RETRIED)
    assert "tries: 2 fresh kernel: True html: True" in result.stdout, result.stdout + result.stderr
    assert project.kernels() == []


def test_the_workbook_explains_itself_and_formats_numbers_by_unit(built_project: Project) -> None:
    import re

    import openpyxl

    book = openpyxl.load_workbook(built_project.reports / "tables.xlsx")
    assert book.sheetnames[0] == "この表について"
    about = list(book["この表について"].iter_rows(min_row=2, values_only=True))
    listed_sheets = {row[0] for row in about if row[0]}
    assert listed_sheets == set(book.sheetnames[1:])
    for name in book.sheetnames[1:]:
        headers = [c.value for c in book[name][1]]
        assert not [h for h in headers if re.fullmatch(r"[a-z0-9_+\-]+", str(h))], (name, headers)
        described = {row[1] for row in about if row[1]}
        assert set(headers) <= described, name
    assert all(row[3] for row in about), "every sheet and column has a meaning"

    def formats(sheet: str, header: str) -> set[str]:
        worksheet = book[sheet]
        column = [c.value for c in worksheet[1]].index(header) + 1
        return {worksheet.cell(row=r, column=column).number_format for r in range(2, 12)}

    assert formats("年齢構造", "総人口（人）") == {"#,##0"}
    assert formats("年齢構造", "高齢化率（%）") == {"0.00"}  # analysis.core.precision
    assert formats("年齢構造", "年") == {"0"}
    assert formats("事業費", "事業費（千円）") == {"#,##0"}
    assert formats("KPI一覧", "期待進捗率") == {"0%"}
    # Edition ids are for machines: the workbook shows the editions' names.
    ids = {"ipss_2018", "vision_2024"}
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert not ids & cells
    assert "一関市・平泉町 人口ビジョン 将来展望人口（第3次共生ビジョン掲載）" in cells


def test_the_data_dictionary_describes_every_csv_column(built_project: Project) -> None:
    import csv

    with (built_project.processed / "data_dictionary.csv").open(encoding="utf-8-sig") as handle:
        entries = list(csv.DictReader(handle))
    described = {(e["file"], e["column"]) for e in entries if e["label"] and e["description"]}
    for path in built_project.processed.glob("*.csv"):
        if path.name == "data_dictionary.csv":
            continue
        with path.open(encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle))
        assert {(path.name, column) for column in header} <= described, path.name
