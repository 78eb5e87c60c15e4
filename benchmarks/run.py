"""Benchmarks against the naive way; prints ratios (run with `make bench`).

(a) full regeneration: ``python -m analysis reports --force`` against the naive
    sequential ``papermill`` + ``jupyter nbconvert --to html --no-input`` per notebook;
(b) a no-op run (nothing changed);
(c) the arithmetic of ``analysis/`` (validation, totals, shares, aging rate,
    interpolation, differences between editions) on a synthetic nationwide data
    set — 1,741 municipalities × 3 age groups × 13 years × 4 editions — against a
    row-by-row loop, and on 10× the municipalities to show it scales linearly;
(d) a nationwide table as IPSS publishes it (≈1,900 municipalities, one sheet per age
    group, 2020–2050 as columns) supplied with ``--projection``: the whole run, and reading
    and validating it as a long CSV at 1× and 10× the rows (linear?).

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
    from analysis.data import load_population, read_municipality_registry

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
