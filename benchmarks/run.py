"""Benchmarks against the naive way; prints ratios (run with `make bench` or `py tasks.py bench`).

(a) full regeneration: ``python -m analysis reports --force`` against the naive
    sequential ``papermill`` + ``jupyter nbconvert --to html --no-input`` per notebook,
    once with every figure drawn (the figure cache emptied before each run) and once with
    the figures unchanged since the last run (found in ``.cache/figures``); (a'') the
    year's KPI actuals supplied after a run on the registered data (the KPI figures drawn
    again, the population's found in the cache);
(b) a no-op run (nothing changed);
(c) retired: the three-group arithmetic runs on the plan's few municipalities (tables
    of other municipalities are left out on reading), so its hand-written fast path saved
    nothing a planner could notice and was replaced by plain pandas;
(d) a nationwide table as IPSS publishes it (≈1,900 municipalities, one sheet per age
    group, 2020–2050 as columns) supplied with ``--projection``: the whole run, and reading
    and validating it as a long CSV at 1× and 10× the rows (linear?);
(e) the projection engine: all four scenarios (パターン1 derived from the edition, sim1,
    sim2, and the settlers solved and projected) for a synthetic nationwide set of
    1,900 municipalities × 2 sexes × 20 age groups × 6 steps, against the same work done
    municipality by municipality with Python loops;
(f) the planners' own scenarios (将来展望): six scenarios of a scenario file (fertility
    waypoints, migration multiples, settlers per year, a settlers target, each run to 2070,
    10 steps) on the same 1,900 municipalities, against the same engine called once per
    municipality;
(g) many scenarios: 200 scenarios to 2100 (16 steps) for the plan's 2 municipalities, the
    scenarios and every table a run derives from them (long table, indicators, stages),
    time and peak memory against 6 and 20 scenarios (does the cost grow with the work, 200/6 =
    33 times, or with a per-scenario overhead?), and against building the long table one
    scenario at a time (the way before issue 23). A scenario file holds at most 20 scenarios
    (:data:`analysis.inputs.scenario_specs.MAX_SCENARIOS`); the engine itself has no such limit.

Timings on one machine are noisy: compare the ratios printed by one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

# Run as a script, Python puts benchmarks/ first on sys.path, not the project: the package
# would then be the installed (editable) one, whose ROOT may be another copy, and the
# benchmark would write that copy's reports/. This copy's package comes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.core.paths import ROOT
from analysis.model import projection, scenarios
from analysis.run import execution, pipeline
from analysis.run.execution import FIGURE_CACHE
from analysis.run.options import Options

BIN = Path(sys.executable).parent


def median_time(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")


# ------------------------------------------------------------------ (a) and (b)


REVISED_VISION = ROOT / "data" / "raw" / "examples" / "vision_revised_example.csv"


def naive_regeneration(workdir: Path, kernel: str, reports: list[execution.Report]) -> None:
    """What a planner would script: papermill, then nbconvert, one notebook after another."""
    for report in reports:
        source = workdir / f"{report.name}.ipynb"
        executed = workdir / f"{report.name}_out.ipynb"
        parameters = workdir / f"{report.name}.json"  # JSON is YAML: values keep their types
        parameters.write_text(json.dumps(report.parameters, ensure_ascii=False), encoding="utf-8")
        run(
            [
                str(BIN / "papermill"),
                str(source),
                str(executed),
                "-k",
                kernel,
                "-f",
                str(parameters),
                "--cwd",
                str(ROOT),
            ]
        )
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])


def naive_time(reports: list[execution.Report], repeat: int) -> float:
    """The naive way's median seconds for ``reports`` (converting each jupytext source to a
    notebook first, outside the timing)."""
    import nbformat

    kernel = execution.ensure_kernel()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for report in reports:
            nbformat.write(
                execution.load_notebook(report.notebook), workdir / f"{report.name}.ipynb"
            )
        return median_time(lambda: naive_regeneration(workdir, kernel, reports), repeat)


def bench_regeneration(repeat: int, supplied: list[str]) -> dict[str, float]:
    """Naive against ``python -m analysis reports --force`` for the reports ``supplied`` implies."""
    reports = pipeline.reports_for(Options(vision=REVISED_VISION if supplied else None))
    naive = naive_time(reports, repeat)
    command = [sys.executable, "-m", "analysis", "reports", "--force", *supplied]

    def cold() -> None:
        shutil.rmtree(FIGURE_CACHE, ignore_errors=True)  # every figure drawn
        run(command)

    # Each cold run times its removal of the cache too (a few milliseconds).
    drawing = median_time(cold, repeat)
    # The figure cache now holds this run's figures: a forced run with nothing changed.
    warm = median_time(lambda: run(command), repeat)
    return {"naive": naive, "pipeline": drawing, "warm": warm, "reports": len(reports)}


EXAMPLE_ACTUALS = ROOT / "data" / "raw" / "examples" / "kpi_actuals_wide_example.xlsx"


def bench_yearly_revision(repeat: int) -> dict[str, float]:
    """The year's KPI actuals arrive (the README's example, as of FY2025), after a run on the
    registered data: naive against ``python -m analysis reports --force`` with them. The pipeline
    draws the KPI figures, which changed, and finds the population's in the figure cache;
    before each timed run, the entries the previous one added are removed, so that every
    run finds the cache as the default run left it."""
    supplied = ["--actuals", str(EXAMPLE_ACTUALS.relative_to(ROOT)), "--as-of", "2025"]
    reports = pipeline.reports_for(Options(actuals=EXAMPLE_ACTUALS, as_of=2025))
    naive = naive_time(reports, repeat)
    run([sys.executable, "-m", "analysis", "reports", "--force"])  # the registered data's run
    default_entries = set(FIGURE_CACHE.iterdir())
    times = []
    for _ in range(repeat):
        for path in set(FIGURE_CACHE.iterdir()) - default_entries:
            path.unlink()
        start = time.perf_counter()
        # --force: every report again, as the naive way does (without it, only the KPI report
        # would run: the others' inputs did not change).
        run([sys.executable, "-m", "analysis", "reports", "--force", *supplied])
        times.append(time.perf_counter() - start)
    run([sys.executable, "-m", "analysis", "reports"])  # back to the registered data
    return {"naive": naive, "pipeline": statistics.median(times), "reports": len(reports)}


SPIN = "import time\nend = time.monotonic() + 3600\nwhile time.monotonic() < end:\n    pass\n"
"""Another job: a process that keeps one core busy (ended when the measurement ends)."""


@contextlib.contextmanager
def busy(processes: int) -> Iterator[None]:
    """``processes`` other processes, each spinning on a core, while the block runs."""
    spinning = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(processes)]
    try:
        yield
    finally:
        for process in spinning:
            process.kill()
            process.wait()


def bench_no_op(repeat: int) -> dict[str, float]:
    """The run alone, and through the front door every OS has (``tasks.py``: it checks the
    environment first). Not ``make``: Windows has none, and ``make`` only calls tasks.py."""
    run([sys.executable, "-m", "analysis", "reports"])  # bring everything up to date first
    front_door = [sys.executable, str(ROOT / "tasks.py"), "reports"]
    return {
        "python": median_time(lambda: run([sys.executable, "-m", "analysis", "reports"]), repeat),
        "tasks": median_time(lambda: run(front_door), repeat),
    }


# ------------------------------------------------------------------ (e)


def synthetic_base(municipalities: int, seed: int = 0) -> scenarios.Base:
    """Random but plausible counts: (7 years, municipalities, 2 sexes, 20 age groups)."""
    rng = np.random.default_rng(seed)
    groups = (*(f"{a}-{a + 4}" for a in range(0, 95, 5)), "95+")
    size = rng.uniform(500, 20_000, (municipalities, 1, 1))
    shape = np.maximum(1.0, 900 + 20 * np.arange(20) - 2.2 * np.arange(20) ** 2)
    start = size * shape[None, None, :] * rng.uniform(0.9, 1.1, (municipalities, 2, 20)) / 900
    years = [start]
    for _ in range(6):
        following = np.empty_like(start)
        following[..., 1:-1] = years[-1][..., :-2] * rng.uniform(0.9, 1.0, start[..., 1:-1].shape)
        following[..., -1] = (years[-1][..., -2] + years[-1][..., -1]) * 0.45
        following[..., 0] = years[-1][..., 0] * 0.9
        years.append(following)
    names = tuple(f"市{i:05d}" for i in range(municipalities))
    return scenarios.Base(names, groups, tuple(range(2020, 2051, 5)), np.stack(years))


def engine_inputs(base: scenarios.Base) -> tuple[scenarios.Settings, np.ndarray, np.ndarray]:
    values: dict[tuple[str, str], object] = {("tfr_base", m): 1.4 for m in base.municipalities}
    settings = scenarios.Settings(values, "bench")
    profile = np.zeros((2, 20))
    profile[:, 4:8] = 0.125
    survival = np.full((6, len(base.municipalities), 2, 20), 0.97)
    survival[..., -1] = 0.45
    return settings, profile, survival


def all_scenarios(
    base: scenarios.Base, inputs: tuple[scenarios.Settings, np.ndarray, np.ndarray]
) -> None:
    settings, profile, survival = inputs
    target = (float(base.population[-1].sum()) * 1.1, 2050)
    results = scenarios.run(base, settings, profile, survival, target)
    assert set(results.projections) == set(scenarios.SCENARIOS)


def naive_scenarios(base: scenarios.Base) -> None:
    """The same four scenarios, municipality by municipality, with Python lists and loops."""
    population = base.population.tolist()
    years = len(base.years)
    totals = [sum(map(sum, m)) for m in population[0]]
    share = [t / sum(totals) for t in totals]
    tfr = [1.4 + (2.1 - 1.4) * min(1, (k + 1) * 5 / 10) for k in range(years - 1)]
    survival = [[[0.45 if a == 19 else 0.97 for a in range(20)] for _ in range(2)]] * (years - 1)
    for m in range(len(base.municipalities)):
        ratios, cwr, sex_ratio = [], [], []
        for k in range(years - 1):
            start, end = population[k][m], population[k + 1][m]
            step = [[0.0] * 20 for _ in range(2)]
            for s in range(2):
                for a in range(1, 19):
                    step[s][a] = end[s][a] / start[s][a - 1] if start[s][a - 1] else 0.0
                step[s][19] = end[s][19] / (start[s][18] + start[s][19])
            ratios.append(step)
            cwr.append((end[0][0] + end[1][0]) / sum(end[1][3:10]))
            sex_ratio.append(100 * end[0][0] / end[1][0])
        raised = [c * t / 1.4 for c, t in zip(cwr, tfr, strict=True)]
        # パターン1, sim1, sim2, and one settler per period from an empty start (the
        # response the settlers scenario scales, as the engine does).
        empty = [[0.0] * 20 for _ in range(2)]
        runs = [(ratios, cwr, 0.0, population[0][m]), (ratios, raised, 0.0, population[0][m])]
        runs += [(survival, raised, 0.0, population[0][m]), (ratios, cwr, 1.0, empty)]
        for ratio_table, cwr_list, settlers, start in runs:
            current = start
            for k in range(years - 1):
                following = [[0.0] * 20 for _ in range(2)]
                for s in range(2):
                    for a in range(1, 19):
                        following[s][a] = current[s][a - 1] * ratio_table[k][s][a]
                    following[s][19] = (current[s][18] + current[s][19]) * ratio_table[k][s][19]
                    for a in range(4, 8):  # settlers join before the 0–4 step
                        following[s][a] += settlers * share[m] * 0.125
                children = cwr_list[k] * sum(following[1][3:10])
                following[0][0] = children * sex_ratio[k] / (100 + sex_ratio[k])
                following[1][0] = children * 100 / (100 + sex_ratio[k])
                current = following


def one_by_one(
    base: scenarios.Base, inputs: tuple[scenarios.Settings, np.ndarray, np.ndarray]
) -> Iterator[tuple[scenarios.Base, tuple[scenarios.Settings, np.ndarray, np.ndarray]]]:
    """Each municipality as an edition of its own, with its inputs (the naive way's unit)."""
    _, profile, survival = inputs
    for m, name in enumerate(base.municipalities):
        one = scenarios.Base((name,), base.groups, base.years, base.population[:, m : m + 1])
        settings = scenarios.Settings({("tfr_base", name): 1.4}, "bench")
        yield one, (settings, profile, survival[:, m : m + 1])


def per_municipality(
    base: scenarios.Base, inputs: tuple[scenarios.Settings, np.ndarray, np.ndarray]
) -> None:
    """The same engine called once per municipality in a Python loop (no cross-municipality arrays)."""
    for one, (settings, profile, survival) in one_by_one(base, inputs):
        target = (float(one.population[-1].sum()) * 1.1, 2050)
        scenarios.run(one, settings, profile, survival, target)


def bench_engine(repeat: int) -> dict[str, float]:
    base = synthetic_base(1_900)
    inputs = engine_inputs(base)  # reading the settings is not the engine's work
    all_scenarios(base, inputs)  # warm-up
    return {
        "engine": median_time(lambda: all_scenarios(base, inputs), max(repeat, 9)),
        "loop": median_time(lambda: per_municipality(base, inputs), 1),
        "naive": median_time(lambda: naive_scenarios(base), 1),
    }


# ------------------------------------------------------------------ (f)


def own_scenarios(base: scenarios.Base) -> list[scenarios.ScenarioSpec]:
    """Six scenarios as a scenario file would define them, all to 2070."""
    a = scenarios.Assumption
    horizon = a("horizon", None, 2070.0)
    path = (a("tfr", 2030, 1.8), a("tfr", 2040, 2.07))
    target = float(base.population[0].sum()) * 0.9
    rows = {
        "national": (*path, horizon),
        "halved": (*path, a("migration", 2025, 0.5), horizon),
        "balanced": (*path, a("migration", 2030, 0.0), horizon),
        "programme": (a("settlers_per_year", 2025, 5_000.0), horizon),
        "target": (*path, a("settlers_target", 2040, target), horizon),
        "long": (horizon,),
    }
    return [scenarios.ScenarioSpec(name, name, assumptions) for name, assumptions in rows.items()]


def own_run(
    base: scenarios.Base,
    inputs: tuple[scenarios.Settings, np.ndarray, np.ndarray],
    specs: list[scenarios.ScenarioSpec],
) -> None:
    settings, profile, survival = inputs
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    tfr_bases = [settings.number("tfr_base", m) for m in base.municipalities]
    for spec in specs:
        scenarios.run_spec(base, implied, spec, tfr_bases, profile, survival)


def own_per_municipality(
    base: scenarios.Base,
    inputs: tuple[scenarios.Settings, np.ndarray, np.ndarray],
    specs: list[scenarios.ScenarioSpec],
) -> None:
    for one, one_inputs in one_by_one(base, inputs):
        own_run(one, one_inputs, specs)


def bench_own(repeat: int) -> dict[str, float]:
    base = synthetic_base(1_900)
    inputs = engine_inputs(base)
    specs = own_scenarios(base)
    own_run(base, inputs, specs)  # warm-up
    return {
        "engine": median_time(lambda: own_run(base, inputs, specs), max(repeat, 9)),
        "loop": median_time(lambda: own_per_municipality(base, inputs, specs), 1),
    }


# ------------------------------------------------------------------ (g)


def many_scenarios(count: int) -> list[scenarios.ScenarioSpec]:
    """``count`` scenarios to 2100, each with a fertility path and a migration multiple."""
    a = scenarios.Assumption
    return [
        scenarios.ScenarioSpec(
            f"s{i}", f"s{i}",
            (a("tfr", 2030, 1.5 + i / 1000), a("migration", 2025, 0.5), a("horizon", None, 2100.0)),
        )
        for i in range(count)
    ]  # fmt: skip


def scenario_tables(base: scenarios.Base, inputs: tuple, specs: list, long_table: Callable) -> None:
    """What a run computes from its scenarios: every projection and the tables of the report."""
    settings, profile, survival = inputs
    results = scenarios.run(base, settings, profile, survival, (100_000.0, 2040), specs)
    table = scenarios.indicators(results, long_table(results))
    scenarios.decline_stages(table, settings)


def long_table_per_scenario(results: scenarios.Results) -> pd.DataFrame:
    """The long table built one scenario at a time with its own index (before issue 23)."""
    from analysis.core.schema import REGION
    from analysis.inputs.agesex import SEXES

    base, frames = results.base, []
    for scenario, values in results.projections.items():
        region = values.sum(axis=1, keepdims=True)
        both = np.concatenate([values, region], axis=1).transpose(1, 0, 2, 3)
        index = pd.MultiIndex.from_product(
            [[*base.municipalities, REGION], results.years_of(scenario), SEXES, base.groups],
            names=["municipality", "year", "sex", "age_group"],
        )
        frame = pd.DataFrame({"population": both.reshape(-1)}, index=index).reset_index()
        frames.append(frame.assign(scenario=scenario))
    table = pd.concat(frames, ignore_index=True)
    table["extended"] = table["year"] > base.years[-1]
    return table[["scenario", "municipality", "year", "sex", "age_group", "population", "extended"]]


def bench_many(repeat: int) -> dict[str, float]:
    import tracemalloc

    base = synthetic_base(2)
    inputs = engine_inputs(base)
    results: dict[str, float] = {}
    for count in (6, 20, 200):
        specs = many_scenarios(count)
        scenario_tables(base, inputs, specs, scenarios.long_table)  # warm-up
        results[f"time_{count}"] = median_time(
            lambda s=specs: scenario_tables(base, inputs, s, scenarios.long_table), repeat
        )
        tracemalloc.start()
        scenario_tables(base, inputs, specs, scenarios.long_table)
        results[f"memory_{count}"] = tracemalloc.get_traced_memory()[1] / 1024**2
        tracemalloc.stop()
    specs = many_scenarios(200)
    results["per_scenario_200"] = median_time(
        lambda: scenario_tables(base, inputs, specs, long_table_per_scenario), repeat
    )
    return results


# ------------------------------------------------------------------ (d)

NATIONWIDE_YEARS = [2020, 2025, 2030, 2035, 2040, 2045, 2050]
BROAD_GROUPS = (
    ("年少人口（0～14歳）", 0.11),
    ("生産年齢人口（15～64歳）", 0.55),
    ("老年人口（65歳以上）", 0.34),
)


def nationwide_rows(municipalities: int, seed: int = 0) -> list[tuple[int, str, str, list[int]]]:
    """(code, name, age group sheet, populations per year); 一関市 and 平泉町 among them."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(municipalities):
        code, name = 1000 + 3 * i, f"市{i:05d}"
        if i == 100:
            code, name = 3209, "一関市"
        elif i == 200:
            code, name = 3402, "平泉町"
        base = int(rng.integers(1_000, 300_000))
        for title, share in BROAD_GROUPS:
            rows.append((code, name, title, [int(base * share * 0.97**k) for k in range(7)]))
    return rows


def nationwide_workbook(path: Path, municipalities: int = 1_900) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheets = {}
    for title, _ in BROAD_GROUPS:
        sheet = workbook.create_sheet(title)
        sheet.append([f"表 {title}（令和5年推計、合成データ）"])
        sheet.append(["コード", "区分", "都道府県", "市区町村", *NATIONWIDE_YEARS])
        sheets[title] = sheet
    for code, name, title, values in nationwide_rows(municipalities):
        sheets[title].append([code, "2", "某県", name, *values])
    workbook.save(path)
    return path


def nationwide_csv(path: Path, municipalities: int) -> Path:
    lines = ["市町村コード,市町村,年,年齢区分,人口"]
    for code, name, title, values in nationwide_rows(municipalities):
        lines += [
            f"{code},{name},{y},{title},{v}" for y, v in zip(NATIONWIDE_YEARS, values, strict=True)
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_nationwide(repeat: int) -> dict[str, float]:
    from analysis.inputs.cells import read_municipality_registry
    from analysis.inputs.data import load_population

    registry = read_municipality_registry()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        workbook = nationwide_workbook(Path(folder) / "ipss_nationwide.xlsx")
        command = [
            sys.executable,
            "-m",
            "analysis",
            "reports",
            "--force",
            "--projection",
            str(workbook),
        ]
        results["run"] = median_time(lambda: run(command), repeat)
        for scale in (1, 10):
            path = nationwide_csv(Path(folder) / f"long_{scale}.csv", 1_900 * scale)
            results[f"rows_{scale}x"] = 1_900 * scale * 3 * 7
            results[f"load_{scale}x"] = median_time(
                lambda p=path: load_population(p, edition="x", municipalities=registry), repeat
            )
    run([sys.executable, "-m", "analysis", "reports"])  # back to the shipped data
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-reports", action="store_true", help="only (e)")
    parser.add_argument("--only-no-op", action="store_true", help="only (b)")
    parser.add_argument("--only-regeneration", action="store_true", help="only (a) and (a')")
    parser.add_argument(
        "--busy",
        type=int,
        default=0,
        help="keep this many other processes spinning during (a) and (a'): another job on the PC",
    )
    arguments = parser.parse_args()
    if arguments.only_no_op:
        b = bench_no_op(arguments.repeat)
        print("(b) no-op run (nothing changed; validation answered from the cache)")
        print(f"    python -m analysis reports              : {b['python']:6.2f} s")
        print(
            f"    python tasks.py reports                 : {b['tasks']:6.2f} s   (target < 0.5 s)"
        )
        return
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}"
    )
    print(f"medians of {arguments.repeat} runs\n")
    if not arguments.skip_reports:
        regenerations = [
            ("(a) full regeneration, shipped data", []),
            (
                "(a') full regeneration with a revised vision supplied (adds the revision report)",
                ["--vision", str(REVISED_VISION.relative_to(ROOT))],
            ),
        ]
        if arguments.busy:
            print(f"while {arguments.busy} other process(es) keep a core busy each\n")
        target = "<= 0.35 with another job" if arguments.busy else "<= 0.25 on an idle machine"
        for title, supplied in regenerations:
            with busy(arguments.busy):
                a = bench_regeneration(arguments.repeat, supplied)
            print(f"{title}: {a['reports']:.0f} report notebooks")
            print(f"    naive papermill + nbconvert, sequential : {a['naive']:6.2f} s")
            print(
                f"    python -m analysis reports --force      : {a['pipeline']:6.2f} s   every figure drawn (no figure cache)"
            )
            print(
                f"    ratio pipeline / naive                  : {a['pipeline'] / a['naive']:6.2f}"
            )
            print(
                f"    the same, the figures unchanged         : {a['warm']:6.2f} s   (found in the figure cache)"
            )
            print(
                f"    ratio pipeline / naive                  : {a['warm'] / a['naive']:6.2f}  (target {target})"
            )
        with busy(arguments.busy):
            y = bench_yearly_revision(arguments.repeat)
        print(
            f"(a'') the year's KPI actuals supplied after a run on the registered data: {y['reports']:.0f} report notebooks"
        )
        print(f"    naive papermill + nbconvert, sequential : {y['naive']:6.2f} s")
        print(
            f"    python -m analysis reports --force --actuals …: {y['pipeline']:6.2f} s   the KPI figures drawn, the population's found"
        )
        print(
            f"    ratio pipeline / naive                  : {y['pipeline'] / y['naive']:6.2f}  (target {target})"
        )
        if arguments.only_regeneration:
            return
        b = bench_no_op(arguments.repeat)
        print("(b) no-op run (nothing changed; validation answered from the cache)")
        print(f"    python -m analysis reports              : {b['python']:6.2f} s")
        print(
            f"    python tasks.py reports                 : {b['tasks']:6.2f} s   (target < 0.5 s)\n"
        )
        d = bench_nationwide(arguments.repeat)
        print(
            "(d) a nationwide table (1,900 municipalities × 3 age groups × 7 years) as --projection"
        )
        print(
            f"    python -m analysis reports --force --projection (xlsx): {d['run']:6.2f} s   (target < 30 s)"
        )
        print(
            f"    read and validate as long CSV, {d['rows_1x']:,.0f} rows     : {d['load_1x']:6.2f} s"
        )
        print(
            f"    read and validate as long CSV, {d['rows_10x']:,.0f} rows    : {d['load_10x']:6.2f} s"
        )
        print(
            f"    10x rows / 1x time ratio                         : {d['load_10x'] / d['load_1x']:6.2f}  (linear = 10)\n"
        )
    e = bench_engine(arguments.repeat)
    print("(e) projection engine: 4 scenarios, 1,900 municipalities × 2 sexes × 20 ages × 6 steps")
    print(
        f"    numpy, all municipalities at once (analysis.model.scenarios): {e['engine']:6.3f} s   (target <= 0.2 s)"
    )
    rows = (
        ("the same engine in a Python loop per municipality", "loop", "  (target >= 50x)"),
        ("hand-written Python lists per municipality       ", "naive", ""),
    )
    for title, key, target in rows:
        print(f"    {title}: {e[key]:6.2f} s, {e[key] / e['engine']:4.0f}x slower{target}")
    f = bench_own(arguments.repeat)
    print(
        "\n(f) own scenarios (将来展望): 6 scenarios to 2070, 1,900 municipalities × 2 sexes × 20 ages × 10 steps"
    )
    print(
        f"    numpy, all municipalities at once (analysis.model.scenarios): {f['engine']:6.3f} s   (target <= 0.3 s)"
    )
    print(
        f"    the same engine in a Python loop per municipality:   {f['loop']:6.2f} s, {f['loop'] / f['engine']:4.0f}x slower"
    )
    g = bench_many(arguments.repeat)
    print(
        "\n(g) many scenarios to 2100 (16 steps), 2 municipalities: scenarios and the tables of a run"
    )
    for count in (6, 20, 200):
        print(
            f"    {count:3d} scenarios: {g[f'time_{count}']:6.3f} s, peak {g[f'memory_{count}']:6.1f} MB"
            f"   ({g[f'time_{count}'] / g['time_6']:5.1f}x the time of 6; work {count / 6:5.1f}x)"
        )
    print(
        f"    200 scenarios, long table built one scenario at a time: {g['per_scenario_200']:6.3f} s,"
        f" {g['per_scenario_200'] / g['time_200']:4.1f}x slower"
    )


if __name__ == "__main__":
    main()
