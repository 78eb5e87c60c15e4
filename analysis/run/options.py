"""What a run was asked to do, checked before any work starts.

Plain data shared by the command line, the pipeline and the table writers (which
must not import the pipeline that orchestrates them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.findings import Finding
from analysis.core.schema import YEAR_RANGE

LONG_TERM_TARGET_YEAR = 2040
"""The year of the vision's long-term targets (about 94,000 people, aging rate about 40%)."""


def comparison_years(target_year: int) -> list[int]:
    """Years the revision report compares: the plan's target year and the long-term one."""
    return sorted({target_year, LONG_TERM_TARGET_YEAR})


@dataclass
class Options:
    """What ``python -m analysis reports`` was asked to do."""

    target_year: int = 2028
    base_year: int = 2020
    vision: Path | None = None
    projection: Path | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    method: str = "linear"
    actuals: Path | None = None
    plan: Path | None = None
    spending: Path | None = None
    population_actuals: Path | None = None
    """Population actuals (国勢調査・住民基本台帳); data/raw/population_actuals.csv when not given."""
    """Budgets spent (決算); data/raw/kpi_spending.csv when not given."""
    """A revised plan edition (folder) for this run; else the registered edition in force."""
    """KPI actuals (KPI実績); data/raw/kpi_actuals.csv when not given."""
    as_of: int = 0
    """Fiscal year the KPIs are assessed at; 0 = the latest year with an actual."""
    vision_label: str = ""
    projection_label: str = ""
    verbose: bool = False
    age_sex: Path | None = None
    """Counts by sex and five-year age group for the projections (else a registered edition)."""
    survival: Path | None = None
    """Survival ratios for シミュレーション2."""
    projection_settings: Path | None = None
    """Scenario settings (else data/raw/projection_settings.csv)."""
    settler_profile: Path | None = None
    """Sex and age of net settlers (else data/raw/settler_profile.csv)."""
    scenarios: Path | None = None
    """The planners' own scenarios (将来展望), one assumption per row."""
    vision_from_scenario: str | None = None
    """A scenario made the vision edition of the run (as if supplied with --vision); None when
    not asked for ('' when the option was given without a name: refused)."""
    vision_source: str = ""
    """Where the supplied vision comes from, for the report's 出典 (else described in words)."""
    age_sex_label: str = ""
    """The name of the supplied age × sex edition (``--age-sex-label``), for the reports' 出典."""
    vision_extended_after: int = 0
    """The last year of the edition a vision made from a scenario was projected from: its years
    after that are 延長 (the last period's rates held), marked so in every table and figure.
    0: the vision is as published, every year its own (set by ``--vision-from-scenario``)."""

    @property
    def projection_inputs(self) -> tuple[Path, ...]:
        """The files the projection report reads besides data/raw/."""
        return tuple(
            p
            for p in (
                self.age_sex,
                self.survival,
                self.projection_settings,
                self.settler_profile,
                self.scenarios,
            )
            if p
        )


def option_problems(options: Options) -> list[Finding]:
    """Options that cannot be right, as one-line findings (checked before anything runs)."""
    return [
        _option_error(option, reason, reason_en)
        for option, reason, reason_en in [*_out_of_range(options), *_unusable_choices(options)]
    ]


def _option_error(option: str, reason: str, reason_en: str) -> Finding:
    """The finding of one unusable option, with its Japanese and English reason."""
    return Finding(
        severity="error",
        file="",
        line=None,
        column=option,
        check="option",
        params={"option": option, "reason": reason, "reason_en": reason_en},
    )


def _out_of_range(options: Options) -> list[tuple[str, str, str]]:
    """(option, reason, English reason) of each year, count or fiscal year outside its range."""
    problems = []
    low, high = YEAR_RANGE
    for option, year in (
        ("--target-year", options.target_year),
        ("--base-year", options.base_year),
    ):
        if not low <= year <= high:
            problems.append(
                (
                    option,
                    f"{year}年は指定できません（{low}～{high}年）",
                    f"{year} is outside {low}–{high}",
                )
            )
    if options.jobs < 1:
        problems.append(
            (
                "--jobs",
                f"{options.jobs} は指定できません（1 以上）",
                f"{options.jobs} must be at least 1",
            )
        )
    from analysis.inputs.plan import period

    first, last = period(options.plan) or (options.as_of, options.as_of)
    if options.as_of and not first <= options.as_of <= last:
        problems.append(
            (
                "--as-of",
                f"{options.as_of}年度は計画期間（{first}～{last}年度）の外です",
                f"FY{options.as_of} is outside the plan period FY{first}–FY{last}",
            )
        )
    return problems


def _unusable_choices(options: Options) -> list[tuple[str, str, str]]:
    """(option, reason, English reason) of each choice that is empty, unknown or conflicting."""
    problems = []
    if options.vision and options.vision_from_scenario:
        problems.append(
            (
                "--vision-from-scenario",
                "--vision と同時には使えません（どちらか一方の展望を使います）",
                "cannot be used with --vision",
            )
        )
    if options.vision_from_scenario == "":
        problems.append(
            (
                "--vision-from-scenario",
                "シナリオ名が空です。将来展望にするシナリオの名前（シナリオのファイルの scenario 欄）を指定してください",
                "no scenario name given",
            )
        )
    if options.method not in ("linear", "geometric"):
        problems.append(
            (
                "--method",
                f"「{options.method}」は使えません（linear か geometric）",
                "use linear or geometric",
            )
        )
    return problems
