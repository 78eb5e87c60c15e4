"""Benchmarks against the naive way; prints ratios (run with `make bench`).

(a) full regeneration: ``python -m analysis reports --force`` against the naive
    sequential ``papermill`` + ``jupyter nbconvert --to html --no-input`` per notebook;
(b) a no-op run (nothing changed);
(c) the arithmetic of ``analysis/`` (validation, totals, shares, aging rate,
    interpolation, differences between editions) on a synthetic nationwide data
    set — 1,741 municipalities × 3 age groups × 13 years × 4 editions — against a
    row-by-row loop, and on 10× the municipalities to show it scales linearly.

Timings on one machine are noisy: compare the ratios printed by one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import checks, cohort, pipeline
from analysis.data import complete_population, parse_population
from analysis.paths import ROOT

BIN = Path(sys.executable).parent
YEARS = list(range(2020, 2081, 5))  # 13 published years
EDITIONS = ["ipss_2018", "ipss_2023", "vision_2024", "vision_2025"]


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


def naive_regeneration(workdir: Path, kernel: str, reports: list[pipeline.Report]) -> None:
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


def bench_regeneration(repeat: int, supplied: list[str]) -> dict[str, float]:
    """Naive against ``python -m analysis reports --force`` for the reports ``supplied`` implies."""
    import nbformat

    options = pipeline.Options(vision=REVISED_VISION if supplied else None)
    reports = pipeline.reports_for(options)
    kernel = pipeline.ensure_kernel()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for report in reports:  # converting the jupytext source is not part of the timing
            nbformat.write(
                pipeline.load_notebook(report.notebook), workdir / f"{report.name}.ipynb"
            )
        naive = median_time(lambda: naive_regeneration(workdir, kernel, reports), repeat)
    ours = median_time(
        lambda: run([sys.executable, "-m", "analysis", "reports", "--force", *supplied]), repeat
    )
    return {"naive": naive, "pipeline": ours, "reports": len(reports)}


def bench_no_op(repeat: int) -> float:
    run([sys.executable, "-m", "analysis", "reports"])  # bring everything up to date first
    return median_time(lambda: run([sys.executable, "-m", "analysis", "reports"]), repeat)


# ------------------------------------------------------------------ (c)


def synthetic_raw(municipalities: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Per edition, a raw text table as read from a CSV file (every cell a string)."""
    rng = np.random.default_rng(seed)
    names = [f"市{i:05d}" for i in range(municipalities)]
    base = rng.integers(1_000, 300_000, size=municipalities)
    tables = {}
    for e, edition in enumerate(EDITIONS):
        rows = len(names) * len(YEARS) * 3
        municipality = np.repeat(names, len(YEARS) * 3)
        year = np.tile(np.repeat(YEARS, 3), len(names))
        group = np.tile(["0-14", "15-64", "65+"], len(names) * len(YEARS))
        decline = (1 - 0.01 * (e + 1)) ** ((year - 2020) / 5)
        share = np.tile([0.11, 0.55, 0.34], len(names) * len(YEARS))
        population = (np.repeat(base, len(YEARS) * 3) * share * decline).round().astype(int)
        tables[edition] = pd.DataFrame(
            {
                "_line": np.arange(2, rows + 2),
                "municipality": municipality,
                "year": year.astype(str),
                "age_group": group,
                "population": population.astype(str),
            }
        ).astype(
            {
                "municipality": "string",
                "year": "string",
                "age_group": "string",
                "population": "string",
            }
        )
    return tables


def vectorised(tables: dict[str, pd.DataFrame], names: list[str]) -> None:
    frames = []
    for edition, raw in tables.items():
        loaded = parse_population(raw, file=f"{edition}.csv", edition=edition, municipalities=names)
        assert not loaded.findings
        frames.append(loaded.frame)
    frame = complete_population(pd.concat(frames, ignore_index=True), [])
    checks.check_sums(
        frame, pd.DataFrame(columns=["edition", "municipality", "year", "measure", "value"]), []
    )
    cohort.age_structure(frame)
    interpolated = cohort.interpolate(frame, [2028])
    cohort.compare(interpolated, "ipss_2018", "vision_2024")


def naive_loops(tables: dict[str, pd.DataFrame]) -> None:
    """The same work row by row, as a spreadsheet macro would do it."""
    counts: dict[tuple[str, str, int], dict[str, int]] = {}
    for edition, raw in tables.items():
        for _, row in raw.iterrows():
            value = int(str(row["population"]).replace(",", ""))
            if value < 0:
                raise ValueError(row["_line"])
            counts.setdefault((edition, str(row["municipality"]), int(row["year"])), {})[
                str(row["age_group"])
            ] = value
    structure = {}
    for key, groups in counts.items():
        total = sum(groups.values())
        structure[key] = {g: v / total * 100 for g, v in groups.items()} | {
            "aging": groups["65+"] / total * 100
        }
    interpolated = {}
    for (edition, municipality, year), groups in counts.items():
        if year == 2025:
            after = counts[(edition, municipality, 2030)]
            interpolated[(edition, municipality)] = {
                g: v + (after[g] - v) * 3 / 5 for g, v in groups.items()
            }
    differences = {}
    for (edition, municipality), groups in interpolated.items():
        if edition == "ipss_2018":
            other = interpolated[("vision_2024", municipality)]
            differences[municipality] = {g: other[g] - v for g, v in groups.items()}


def bench_arithmetic(repeat: int) -> dict[str, float]:
    results = {}
    for scale in (1, 10):
        municipalities = 1_741 * scale
        tables = synthetic_raw(municipalities)
        names = [f"市{i:05d}" for i in range(municipalities)]
        if scale == 1:
            vectorised(tables, names)  # warm-up: first-call costs are not what we measure
        results[f"vectorised_{scale}x"] = median_time(
            lambda t=tables, n=names: vectorised(t, n), repeat
        )
        results[f"rows_{scale}x"] = sum(len(t) for t in tables.values())
    small = synthetic_raw(1_741)
    results["naive_1x"] = median_time(lambda: naive_loops(small), 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-reports", action="store_true", help="only (c)")
    arguments = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}"
    )
    print(f"medians of {arguments.repeat} runs\n")
    if not arguments.skip_reports:
        scenarios = [
            ("(a) full regeneration, shipped data", []),
            (
                "(a') full regeneration with a revised vision supplied (adds the revision report)",
                ["--vision", str(REVISED_VISION.relative_to(ROOT))],
            ),
        ]
        for title, supplied in scenarios:
            a = bench_regeneration(arguments.repeat, supplied)
            print(f"{title}: {a['reports']:.0f} report notebooks")
            print(f"    naive papermill + nbconvert, sequential : {a['naive']:6.2f} s")
            print(f"    python -m analysis reports --force      : {a['pipeline']:6.2f} s")
            print(
                f"    ratio pipeline / naive                  : {a['pipeline'] / a['naive']:6.2f}  (target <= 0.35)"
            )
        print("(b) no-op run (nothing changed)")
        print(
            f"    python -m analysis reports              : {bench_no_op(arguments.repeat):6.2f} s   (target <= 0.5 s)\n"
        )
    c = bench_arithmetic(arguments.repeat)
    print("(c) arithmetic on a synthetic nationwide data set (4 editions, 13 years, 3 age groups)")
    print(
        f"    1,741 municipalities ({c['rows_1x']:,} rows), vectorised : {c['vectorised_1x']:6.2f} s   (target <= 0.5 s)"
    )
    print(f"    1,741 municipalities, row by row (naive)      : {c['naive_1x']:6.2f} s")
    print(
        f"    ratio vectorised / naive                      : {c['vectorised_1x'] / c['naive_1x']:6.3f}"
    )
    print(
        f"    17,410 municipalities ({c['rows_10x']:,} rows), vectorised: {c['vectorised_10x']:6.2f} s"
    )
    print(
        f"    10x rows / 1x time ratio                      : {c['vectorised_10x'] / c['vectorised_1x']:6.2f}  (linear = 10)"
    )


if __name__ == "__main__":
    main()
