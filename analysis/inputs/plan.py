"""The plan as editions: which version of the plan (its period, initiatives, KPIs, budgets) a run uses.

The plan is revised every year (「毎年度、所要の見直しを行う」): budgets after the first
year are placeholders, initiatives are added, renamed or dropped, targets change,
and the period may be extended or a new vision replace it. Each version is an
*edition*, registered in ``data/raw/plan_editions.csv`` like the population
editions (``edition, label, published, replaces, first_year, last_year, folder,
source``). The 3rd vision as printed is the first edition; its folder is
``data/raw/`` itself (``initiatives.csv``, ``kpis.csv``, ``budgets.csv``).

A revised edition supplied for one run (``--plan FOLDER``) is a folder with the
same three files and a one-row ``plan.csv`` (``edition, label, published,
replaces, first_year, last_year``). No plan year is written in code: the period
comes from the edition and each KPI carries its own baseline and target years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis.core.findings import DataError, Finding
from analysis.core.paths import DATA_RAW, display_path
from analysis.inputs.io import LINE, read_records

REGISTER = "plan_editions.csv"
"""The register of plan editions in data/raw/."""
META = "plan.csv"
"""The one-row description of a supplied edition (its label, period, the edition it replaces)."""
FILES = ("initiatives.csv", "kpis.csv", "budgets.csv")
"""What every edition folder holds."""


@dataclass(frozen=True)
class PlanEdition:
    """One version of the plan: its name, period (fiscal years) and where its tables are."""

    edition: str
    label: str
    published: str
    replaces: str
    first_year: int
    last_year: int
    folder: Path
    source: str = ""

    @property
    def years(self) -> tuple[int, ...]:
        """Every fiscal year of the plan period, first to last."""
        return tuple(range(self.first_year, self.last_year + 1))


def missing_columns(
    file: str,
    present: Iterable[str],
    required: Iterable[str],
    shown: Mapping[str, str] | None = None,
) -> list[Finding]:
    """An error on the header line per ``required`` column a plan file lacks, in the order
    required, named as the file's header writes it (``shown``: column → header, if known)."""
    have = set(present)
    names = shown or {}
    return [
        Finding(
            severity="error",
            file=file,
            line=1,
            column=names.get(column, column),
            check="plan-column-missing",
            params={"column": names.get(column, column)},
        )
        for column in required
        if column not in have
    ]


def _rows(path: Path, required: tuple[str, ...]) -> tuple[list[dict[str, str]], list[Finding]]:
    table = read_records(path)
    file = display_path(path)
    missing = missing_columns(file, table.columns, required)
    if missing:
        return [], missing
    rows = [
        {k: ("" if v is None or v != v else str(v).strip()) for k, v in row.items()}
        for row in table.astype(object).to_dict("records")
    ]
    return rows, []


def _edition(
    row: dict[str, str], file: str, folder: Path
) -> tuple[PlanEdition | None, list[Finding]]:
    line = int(row[LINE])
    problems = [
        Finding(severity="error", file=file, line=line, column=c, check="missing-value", params={})
        for c in ("edition", "label", "first_year", "last_year")
        if not row.get(c)
    ]
    years: dict[str, int] = {}
    for column in ("first_year", "last_year"):
        text = row.get(column, "")
        if text and not text.isdigit():
            problems.append(
                Finding(
                    severity="error",
                    file=file,
                    line=line,
                    column=column,
                    check="not-a-year",
                    params={"value": text},
                )
            )
        elif text:
            years[column] = int(text)
    if len(years) == 2 and years["first_year"] > years["last_year"]:
        problems.append(
            Finding(
                severity="error",
                file=file,
                line=line,
                column="last_year",
                check="plan-period-reversed",
                params={"first": years["first_year"], "last": years["last_year"]},
            )
        )
    if problems:
        return None, problems
    edition = PlanEdition(
        edition=row["edition"],
        label=row["label"],
        published=row.get("published", ""),
        replaces=row.get("replaces", ""),
        first_year=years["first_year"],
        last_year=years["last_year"],
        folder=folder,
        source=row.get("source", ""),
    )
    return edition, []


REQUIRED = ("edition", "label", "published", "replaces", "first_year", "last_year")


def registered(raw_dir: Path = DATA_RAW) -> list[PlanEdition]:
    """The registered plan editions, in the register's order; DataError naming the cell."""
    path = raw_dir / REGISTER
    file = display_path(path)
    rows, problems = _rows(path, (*REQUIRED, "folder"))
    editions: list[PlanEdition] = []
    for row in rows:
        edition, found = _edition(row, file, (raw_dir / (row.get("folder") or ".")).resolve())
        problems += found
        if edition is not None:
            editions.append(edition)
    names = [e.edition for e in editions]
    seen: set[str] = set()
    for row in rows:
        if row["edition"] in seen:
            problems.append(
                Finding(
                    severity="error",
                    file=file,
                    line=int(row[LINE]),
                    column="edition",
                    check="plan-edition-duplicate",
                    params={"edition": row["edition"]},
                )
            )
        seen.add(row["edition"])
        if row.get("replaces") and row["replaces"] not in names:
            problems.append(
                Finding(
                    severity="error",
                    file=file,
                    line=int(row[LINE]),
                    column="replaces",
                    check="plan-replaces-unknown",
                    params={"edition": row["edition"], "replaces": row["replaces"]},
                )
            )
    if not editions and not problems:
        problems.append(
            Finding(
                severity="error",
                file=file,
                line=None,
                column="edition",
                check="plan-register-empty",
                params={},
            )
        )
    if problems:
        raise DataError(problems)
    return editions


def current(raw_dir: Path = DATA_RAW) -> PlanEdition:
    """The edition in force: the registered one no other replaces (the latest published)."""
    editions = registered(raw_dir)
    replaced = {e.replaces for e in editions}
    standing = [e for e in editions if e.edition not in replaced]
    return max(standing or editions, key=lambda e: e.published)


def supplied(folder: Path) -> PlanEdition:
    """A revised edition given for one run: a folder with plan.csv and the three tables."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(
            [
                Finding(
                    severity="error",
                    file=display_path(folder),
                    line=None,
                    column="-",
                    check="plan-not-a-folder",
                    params={},
                )
            ]
        )
    path = folder / META
    missing = [n for n in (META, *FILES) if not (folder / n).is_file()]
    if missing:
        raise DataError(
            [
                Finding(
                    severity="error",
                    file=display_path(folder / n),
                    line=None,
                    column="-",
                    check="plan-file-missing",
                    params={"name": n},
                )
                for n in missing
            ]
        )
    rows, problems = _rows(path, ("edition", "label", "first_year", "last_year"))
    if not problems and len(rows) != 1:
        problems.append(
            Finding(
                severity="error",
                file=display_path(path),
                line=None,
                column="edition",
                check="plan-meta-rows",
                params={"count": len(rows)},
            )
        )
    if problems:
        raise DataError(problems)
    edition, problems = _edition(rows[0], display_path(path), folder.resolve())
    if edition is None:
        raise DataError(problems)
    return edition


def period(plan: Path | None, raw_dir: Path = DATA_RAW) -> tuple[int, int] | None:
    """The (first, last) fiscal year of the run's edition, or None when it cannot be read yet.

    Read without pandas (the command line checks ``--as-of`` before anything is loaded,
    and a run with nothing to do must not import pandas); the full reading and its
    messages come with the data.
    """
    from analysis.inputs.io import read_sheets

    try:
        path = Path(plan) / META if plan else raw_dir / REGISTER
        rows = read_sheets(path)[0].rows
    except (OSError, ValueError):
        return None
    if not rows:
        return None
    header = [str(c or "").strip() for c in rows[0]]
    records = [
        dict(zip(header, (str(c or "").strip() for c in row), strict=False)) for row in rows[1:]
    ]
    if not plan:
        replaced = {r.get("replaces", "") for r in records}
        standing = [r for r in records if r.get("edition") not in replaced] or records
        records = sorted(standing, key=lambda r: r.get("published", ""))[-1:]
    if len(records) != 1:
        return None
    first, last = records[0].get("first_year", ""), records[0].get("last_year", "")
    if not (first.isdigit() and last.isdigit()):
        return None
    return int(first), int(last)
