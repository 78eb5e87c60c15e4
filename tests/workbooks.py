"""Test inputs by sex and five-year age group, made up (nothing here is real data).

``made_up_edition`` projects a made-up 2020 population with a made-up schedule
by plain Python loops (independently of ``analysis.model.projection``) and rounds to
whole people, as IPSS publishes; ``published_workbook`` lays it out as the IPSS
municipal workbook (a prefecture total sheet first, one sheet per municipality,
three blocks 男女計 / 男 / 女, （再掲） rows), with a decoy municipality.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import openpyxl

from analysis.core.paths import DATA_RAW

YEARS = (2020, 2025, 2030, 2035, 2040, 2045, 2050)
GROUPS = (*(f"{a}-{a + 4}" for a in range(0, 95, 5)), "95+")
LABELS = (*(f"{a}～{a + 4}歳" for a in range(0, 95, 5)), "95歳～")
SEXES = ("male", "female")

Edition = dict[str, list[list[list[int]]]]
"""municipality → [year][sex][age group] people."""

SIZES = {"一関市": 4.6, "平泉町": 0.31}
"""The made-up municipalities' sizes (scale of :func:`made_up_edition`)."""
CODES = {"一関市": "3209", "平泉町": "3402"}
"""Their municipality codes, as the IPSS workbook names its sheets."""


def made_up_schedule(scale: float, step: int, sex: int, group: int) -> float:
    """The ratio making ``group`` from the group below it (a made-up survival × migration)."""
    survival = 0.995 - 0.0009 * group * group / 4 - 0.01 * sex * (group > 14)
    migration = -0.06 if 3 <= group <= 5 else (0.02 if 6 <= group <= 8 else 0.0)
    return max(0.05, survival * (1 + migration) * (1 - 0.002 * step) * scale)


def reference_step(
    population: list[list[float]],
    ratios: list[list[float]],
    cwr: float,
    sex_ratio: float,
    settlers: list[list[float]] | None = None,
) -> list[list[float]]:
    """One step by loops: the worksheet's formulas, written out the long way.

    Settlers arrive by the end of the step, before the children are counted: the
    women among them count for the step's births, and settlers aged 0–4 are added to
    the children.
    """
    groups = len(population[0])
    arriving = settlers or [[0.0] * groups for _ in range(2)]
    result = [[0.0] * groups for _ in range(2)]
    for sex in range(2):
        for group in range(1, groups - 1):
            result[sex][group] = population[sex][group - 1] * ratios[sex][group]
        last = groups - 1
        result[sex][last] = (population[sex][last - 1] + population[sex][last]) * ratios[sex][last]
        for group in range(1, groups):
            result[sex][group] += arriving[sex][group]
    women = sum(result[1][g] for g in range(3, 10))  # 15–19 … 45–49
    children = cwr * women
    result[0][0] = children * sex_ratio / (100 + sex_ratio) + arriving[0][0]
    result[1][0] = children * 100 / (100 + sex_ratio) + arriving[1][0]
    return result


def made_up_edition(sizes: dict[str, float], groups: int = len(GROUPS)) -> Edition:
    """Whole-people counts for 2020–2050 for each municipality (``sizes`` scale them);
    ``groups`` 19 ends at 90歳以上 (the 平成30年推計's open group) instead of 95歳以上."""
    edition: Edition = {}
    for index, (municipality, size) in enumerate(sizes.items()):
        start = [
            [size * (700 + 20 * g - 2.2 * g * g + 40 * sex * (g > 13)) for g in range(groups)]
            for sex in range(2)
        ]
        years = [[[round(v) for v in row] for row in start]]
        current = [[float(v) for v in row] for row in years[0]]
        for step in range(len(YEARS) - 1):
            ratios = [
                [made_up_schedule(1 - 0.01 * index, step, sex, g) for g in range(groups)]
                for sex in range(2)
            ]
            ratios[0][-1] = ratios[1][-1] = 0.45
            current = reference_step(current, ratios, 0.21 - 0.004 * step, 105.0 + index)
            current = [[float(round(v)) for v in row] for row in current]  # published counts
            years.append([[int(v) for v in row] for row in current])
        edition[municipality] = years
    return edition


def published_workbook(
    path: Path,
    edition: Edition,
    codes: dict[str, str],
    unknown_age: dict[str, int] | None = None,
    edit: dict[tuple[str, str], object] | None = None,
    decoy: bool = True,
    stacked: bool = False,
) -> Path:
    """The IPSS municipal workbook layout. ``edit`` overrides cells: {(sheet, "C9"): value}.

    ``stacked``: the layout of the 平成25年・平成30年推計 — the 男女計, 男 and 女 blocks one
    under the other, each under its title and a header row of its own, the last group
    「90歳以上」 when the edition has 19 groups.
    """
    if stacked:
        return _stacked_workbook(path, edition, codes, decoy)
    workbook, sheets, codes = _empty_book(edition, codes, decoy, prefecture=True)
    for name, years in sheets.items():
        sheet = workbook.create_sheet(f"{codes[name]}_{name}")
        sheet.append(["男女・年齢（5歳）階級別の推計結果（合成データ）"])
        sheet.append([codes[name], name])
        sheet.append([])
        titles: list[object] = []
        header: list[object] = []
        for title in ("男女計", "男", "女"):
            titles += [title, *[None] * len(YEARS), None]
            header += [None, *YEARS, None]
        sheet.append(titles)
        sheet.append(header)
        unknown = (unknown_age or {}).get(name, 0)
        rows: list[list[object]] = [["総数"], *[[label] for label in LABELS]]
        for block in ("both", "male", "female"):
            for y, year_values in enumerate(years):
                values = [
                    year_values[0][g] + year_values[1][g] if block == "both"
                    else year_values[SEXES.index(block)][g]
                    for g in range(len(GROUPS))
                ]  # fmt: skip
                # People of unknown age (census year) are in 総数 only: here all men.
                extra = unknown if y == 0 and block in ("both", "male") else 0
                for r, value in enumerate([sum(values) + extra, *values]):
                    rows[r].append(value)
            for row in rows:
                row.append(None)
        for row in rows:
            # Each block is a label column, the years, and a spacer.
            laid: list[object] = []
            for b in range(3):
                laid += [
                    row[0],
                    *row[1 + b * (len(YEARS) + 1) : 1 + (b + 1) * (len(YEARS) + 1) - 1],
                    None,
                ]
            sheet.append(laid)
        for label in ("（再掲）", "0～14歳", "15～64歳", "65歳以上", "75歳以上"):
            sheet.append([label, *[1] * len(YEARS)])
    for (sheet_name, cell), value in (edit or {}).items():
        workbook[sheet_name][cell] = value
    workbook.save(path)
    return path


def _empty_book(
    edition: Edition, codes: dict[str, str], decoy: bool, prefecture: bool
) -> tuple[openpyxl.Workbook, Edition, dict[str, str]]:
    """A workbook without sheets, and the sheets to write: the plan's municipalities, with
    a municipality outside the plan (and the prefecture total first) as decoys."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    if not decoy:
        return workbook, dict(edition), codes
    any_one = next(iter(edition.values()))
    head = {"岩手県": any_one} if prefecture else {}
    sheets = {**head, **edition, "盛岡市": any_one}
    return (
        workbook,
        sheets,
        {**({"岩手県": "3000"} if prefecture else {}), **codes, "盛岡市": "3201"},
    )


def _stacked_workbook(path: Path, edition: Edition, codes: dict[str, str], decoy: bool) -> Path:
    workbook, sheets, codes = _empty_book(edition, codes, decoy, prefecture=False)
    for name, years in sheets.items():
        groups = len(years[0][0])
        labels = [*LABELS[: groups - 1], "90歳以上" if groups == 19 else LABELS[-1]]
        sheet = workbook.create_sheet(f"{codes[name]}_{name}")
        sheet.append(["男女・年齢（5歳）階級別の推計結果（合成データ、平成30年推計の形）"])
        sheet.append([f"{codes[name]} {name}"])
        for block in ("both", "male", "female"):
            sheet.append([])
            sheet.append([{"both": "男女計", "male": "男", "female": "女"}[block]])
            sheet.append(["年齢", *[f"{year}年" for year in YEARS]])
            rows = [[label] for label in ["総数", *labels]]
            for year_values in years:
                values = [
                    year_values[0][g] + year_values[1][g] if block == "both"
                    else year_values[SEXES.index(block)][g]
                    for g in range(groups)
                ]  # fmt: skip
                for r, value in enumerate([sum(values), *values]):
                    rows[r].append(value)
            for row in rows:
                sheet.append(row)
            for label in ("（再掲）", "0～14歳", "15～64歳", "65歳以上"):
                sheet.append([label, *[1] * len(YEARS)])
    workbook.save(path)
    return path


def tidy_csv(path: Path, edition: Edition) -> Path:
    lines = ["市町村,年,男女,年齢階級,人口"]
    for municipality, years in edition.items():
        for year, values in zip(YEARS, years, strict=True):
            for sex, label in zip(SEXES, ("男", "女"), strict=True):
                for group, age in zip(values[SEXES.index(sex)], LABELS, strict=True):
                    lines.append(f"{municipality},{year},{label},{age},{group}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


POPULATION_ACTUALS_EXAMPLE = {
    "国勢調査": (
        ["2015年10月1日", "2020年10月1日"],
        {"一関市": [(13766, 11600), (67231, 58884), (40586, 41448)],
         "平泉町": [(898, 791), (4223, 3602), (2747, 2859)]},
    ),
    "住民基本台帳": (
        ["2023年1月1日"],
        {"一関市": [(10685,), (57462,), (41550,)], "平泉町": [(699,), (3449,), (2839,)]},
    ),
}  # fmt: skip
"""data/raw/population_actuals.csv laid out as planners keep it: a sheet per kind of count,
the dates as columns, the municipality written on the first row of its block."""


def population_actuals_workbook(path: Path) -> Path:
    """The example ``data/raw/examples/population_actuals_wide_example.xlsx`` (made by
    ``python -m tests.workbooks``; a test checks the shipped file has these cells)."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for kind, (dates, counts) in POPULATION_ACTUALS_EXAMPLE.items():
        sheet = book.create_sheet(kind)
        sheet.append([f"{kind}による人口（人）"])
        sheet.append(["市町村", "年齢区分", *dates])
        for municipality, groups in counts.items():
            for index, (label, values) in enumerate(
                zip(("0～14歳", "15～64歳", "65歳以上"), groups, strict=True)
            ):
                sheet.append([municipality if index == 0 else None, label, *values])
    book.properties.created = book.properties.modified = datetime.datetime(2024, 3, 21)
    book.save(path)
    return path


if __name__ == "__main__":
    from analysis.core.paths import DATA_RAW

    population_actuals_workbook(DATA_RAW / "examples" / "population_actuals_wide_example.xlsx")


def settings_file(folder: Path, **changes: str) -> Path:
    """The shipped projection settings with the made-up editions' base rates, ``changes`` applied."""
    text = (DATA_RAW / "projection_settings.csv").read_text(encoding="utf-8")
    # The made-up editions' own base rates (the shipped ones belong to the real 2018 edition).
    text = re.sub(r"^tfr_base,一関市,[^,]*,", "tfr_base,一関市,1.45,", text, flags=re.M)
    text = re.sub(r"^tfr_base,平泉町,[^,]*,", "tfr_base,平泉町,1.38,", text, flags=re.M)
    for name, value in changes.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{name},")]
        text = "\n".join([*lines, f"{name},{value}"]) + "\n"
    path = folder / "settings.csv"
    path.write_text(text, encoding="utf-8")
    return path


def survival_file(folder: Path) -> Path:
    """Made-up survival ratios by sex and age, common to every municipality."""
    labels = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳以上"]
    lines = ["municipality,period,sex,age_group,survival_ratio"]
    for sex in ("男", "女"):
        for i, label in enumerate(labels):
            ratio = max(0.3, 0.997 - 0.0009 * (i + 1) ** 2 / 4)
            ratio = {len(labels) - 1: 0.48, len(labels) - 2: 0.58}.get(i, ratio)
            lines.append(f",,{sex},{label},{ratio:.4f}")
    path = folder / "survival.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
