"""Scenarios as data: the planners' 将来展望 assumptions, one primitive per row.

A scenario file (``--scenarios FILE``) has the columns
``scenario,label,assumption,year,value`` (Japanese headers accepted, see
:mod:`analysis.core.vocabulary`), any number of named scenarios, one assumption per row:

- ``tfr`` YEAR VALUE: a total fertility waypoint. TFR(t) runs linearly from the
  base year's ``tfr_base`` (projection settings) through the waypoints and stays at
  the last one; the child–woman ratio of the period ending in t is パターン1's ×
  TFR(t) ÷ ``tfr_base`` (the guidance's シミュレーション1 convention).
- ``migration`` YEAR K: from the period starting in YEAR on (until a later row),
  net migration is K times パターン1's: R = S + K × (R₁ − S), S the survival ratios
  of ``--survival`` (1 = パターン1, 0.5 = 半減, 0 = 均衡).
- ``settlers_per_year`` YEAR N: 圏域 net settlers per year from the period starting
  in YEAR (5N per period), by the settler profile, shared among the
  municipalities by base-year population.
- ``settlers_target`` YEAR POPULATION: N per year from the base period on, solved
  so that the 圏域 reaches POPULATION in YEAR.
- ``horizon`` (no year) YEAR: run to YEAR past the edition's last year by holding
  its last period's ratios, child–woman ratio and sex ratio.

The guidance's シミュレーション1 and 2 are :func:`presets` written with the same
primitives. Reading checks what the file alone can tell (:func:`read_scenarios`);
what depends on the edition (years, the survival ratios, tfr_base) is checked by
:func:`check_scenarios`. Every failure is one line naming file, line and column.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core import vocabulary
from analysis.core.findings import DataError, Finding, raise_on_errors
from analysis.core.paths import display_path
from analysis.core.schema import YEAR_RANGE
from analysis.inputs.io import LINE, InputError
from analysis.inputs.layouts import Field
from analysis.inputs.projection_inputs import (
    NOTE_FIELD,
    SETTLER_TARGET_RANGE,
    TFR_RANGE,
    Settings,
    _finding,
    _locate,
    _suggest,
    _text,
    one_number,
    read_fields,
)

PRESET_LABELS = {
    "pattern1": "パターン1（社人研準拠）",
    "sim1": "シミュレーション1（出生率上昇）",
    "sim2": "シミュレーション2（出生率上昇・移動ゼロ）",
    "settlers": "転入超過を加えた推計",
}
"""The guidance's scenarios, always computed when their inputs are there; their ids
are reserved (a scenario file may not redefine them)."""

ASSUMPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tfr": ("合計特殊出生率", ("出生率", "合計特殊出生率", "tfr")),
    "migration": ("純移動の倍率", ("移動", "純移動", "純移動率", "移動倍率", "純移動の倍率")),
    "settlers_per_year": ("年間の転入超過（人）", ("転入超過", "年間転入超過", "転入超過数")),
    "settlers_target": ("目標人口（人）", ("目標人口", "目標", "人口目標")),
    "horizon": ("推計の最終年", ("最終年", "推計の最終年", "推計期間", "期間")),
}
"""Primitive → (Japanese name, accepted Japanese spellings)."""

MIGRATION_RANGE = (0.0, 5.0)
"""K from 0 (net migration balanced) to 5 times パターン1's; more is a typing error."""
SETTLERS_PER_YEAR_RANGE = (0.0, 100_000.0)
"""Net settlers a year (人／年), typed (``settlers_per_year``) or solved from a target
population (``settlers_target``, ``settler_target_population``): more than 100,000 a year
(about the 圏域's whole population) is a typing error when typed, and a target that needs it
is reported (a solved value outside the range is a finding, never shown silently)."""
SETTLERS_MAX_PER_YEAR = SETTLERS_PER_YEAR_RANGE[1]

NAME = re.compile(r"[^\W][\w\-]{0,39}")
"""A scenario name: used in file names of figures and in the workbook, so no markup,
formula sign or path character."""

SCENARIO_FIELDS = (
    Field("scenario", "シナリオ", vocabulary.SCENARIO),
    Field("assumption", "仮定", vocabulary.ASSUMPTION),
    Field("year", "年", vocabulary.YEAR),
    Field("value", "値", vocabulary.SETTING_VALUE),
)
LABEL_FIELD = Field("label", "シナリオ名", vocabulary.SCENARIO_LABEL)


@dataclass(frozen=True)
class Assumption:
    """One row of a scenario file (or of a preset)."""

    kind: str
    year: int | None
    value: float
    where: tuple[str, int | None, str] = ("", None, "")
    """(file, line, cell) of the row's value, to name it in later checks."""


@dataclass(frozen=True)
class ScenarioSpec:
    """A named scenario: its label and its assumptions, in file order."""

    name: str
    label: str
    assumptions: tuple[Assumption, ...] = ()
    preset: bool = False

    def of(self, kind: str) -> list[Assumption]:
        return [a for a in self.assumptions if a.kind == kind]

    @property
    def horizon(self) -> int | None:
        rows = self.of("horizon")
        return int(rows[0].value) if rows else None

    @property
    def needs_survival(self) -> bool:
        return any(a.value != 1 for a in self.of("migration"))


def presets(settings: Settings, base_year: int) -> list[ScenarioSpec]:
    """シミュレーション1 and 2 in the primitives (パターン1 has no assumption at all)."""
    waypoint = Assumption(
        "tfr",
        settings.year("tfr_target_year"),
        float(settings.number("tfr_target") or 0),
        settings.where("tfr_target"),
    )
    balanced = Assumption("migration", base_year, 0.0)
    return [
        ScenarioSpec("pattern1", PRESET_LABELS["pattern1"], (), True),
        ScenarioSpec("sim1", PRESET_LABELS["sim1"], (waypoint,), True),
        ScenarioSpec("sim2", PRESET_LABELS["sim2"], (waypoint, balanced), True),
    ]


# ---------------------------------------------------------------- reading


def read_scenarios(path: Path) -> list[ScenarioSpec]:
    """Every scenario of the file, in the order first named; all row failures together."""
    check_scenario_size(path)
    table = read_fields(path, SCENARIO_FIELDS, (LABEL_FIELD, NOTE_FIELD))
    file = table.attrs.get("where", display_path(path))
    findings, labels, label_rows, rows = _read_rows(table)
    specs = [
        ScenarioSpec(name, labels[name][0] or name, tuple(rows.get(name, ()))) for name in labels
    ]
    findings += _clashes(table, specs, label_rows)
    if not findings:
        findings += [f for spec in specs for f in _spec_problems(spec)]
    if not findings and not specs:
        findings.append(
            Finding(severity="error", file=file, line=None, column="-", check="scenario-empty")
        )
    raise_on_errors(findings)
    return specs


Rows = tuple[
    list[Finding],
    dict[str, tuple[str, int]],
    dict[str, dict[str, Any]],
    dict[str, list[Assumption]],
]
"""The rows of a scenario file: the findings; each scenario's label and the line that gave
it, and that row; each scenario's assumptions."""


def _read_rows(table: pd.DataFrame) -> Rows:
    """Each row's scenario name, label and assumption, checked (see :data:`Rows`); raises
    DataError when the file names more than :data:`MAX_SCENARIOS` scenarios."""
    findings: list[Finding] = []
    labels: dict[str, tuple[str, int]] = {}
    label_rows: dict[str, dict[str, Any]] = {}
    rows: dict[str, list[Assumption]] = {}
    seen: dict[tuple[str, str, int | None], tuple[float, int]] = {}
    kinds = {
        spelling: kind
        for kind, (_, spellings) in ASSUMPTIONS.items()
        for spelling in (kind, *spellings)
    }
    for row in table.to_dict("records"):
        line = int(row[LINE])
        name = _text(row.get("scenario"))
        label = _text(row.get("label"))
        kind = kinds.get(_text(row.get("assumption")).lower(), "")
        problem = _name_problem(table, row, name, label, labels)
        if problem is not None:
            findings.append(problem)
            continue
        if name not in labels and len(labels) == MAX_SCENARIOS:
            raise DataError(
                [
                    *findings,
                    _finding(
                        table, row, "scenario", "scenario-too-many", limit=MAX_SCENARIOS, value=name
                    ),
                ]
            )
        if name not in labels or (label and not labels[name][0]):
            labels[name] = (label, line)
            label_rows[name] = row
        parsed = _parse_row(table, row, kind) if kind else _unknown_assumption(table, row)
        if isinstance(parsed, Finding):
            findings.append(parsed)
            continue
        year, value = parsed
        key = (name, kind, year)
        if key in seen:
            _refuse_repeated(table, row, key, seen[key], value, findings)
        seen[key] = (value, line)
        rows.setdefault(name, []).append(
            Assumption(kind, year, value, _locate(table, row, "value"))
        )
    return findings, labels, label_rows, rows


def _name_problem(
    table: pd.DataFrame,
    row: dict[str, Any],
    name: str,
    label: str,
    labels: dict[str, tuple[str, int]],
) -> Finding | None:
    """What is wrong with a row's scenario name (empty, against the rule, a preset's) or its
    label (another than the scenario's first); None when nothing is."""
    if not name:
        return _finding(table, row, "scenario", "missing-value")
    if not NAME.fullmatch(name):
        return _finding(
            table,
            row,
            "scenario",
            "scenario-rule",
            value=name,
            rule="シナリオは文字・数字・「_」・「-」だけの40文字までの名前で",
        )
    if comparable(name) in {comparable(preset) for preset in PRESET_LABELS}:
        return _finding(
            table,
            row,
            "scenario",
            "scenario-reserved",
            value=name,
            reserved="、".join(PRESET_LABELS),
        )
    if label and name in labels and labels[name][0] and labels[name][0] != label:
        return _finding(
            table,
            row,
            "label",
            "scenario-two-labels",
            scenario=name,
            label=label,
            first_label=labels[name][0],
            first=labels[name][1],
        )
    return None


def _unknown_assumption(table: pd.DataFrame, row: dict[str, Any]) -> Finding:
    """The finding of an assumption kind that is none of :data:`ASSUMPTIONS`."""
    given = _text(row.get("assumption"))
    known = list(ASSUMPTIONS)
    return _finding(
        table,
        row,
        "assumption",
        "unknown-assumption",
        value=given,
        known="、".join(known) + _suggest(given, known),
    )


def comparable(text: str) -> str:
    """A name or label as a reader (and a case-insensitive file system) tells them apart:
    NFKC (full-width letters and spaces as half-width), case folded, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


RESERVED_LABELS = {
    **{label: f"国の手引きのシナリオ「{label}」の名称" for label in PRESET_LABELS.values()},
    "年": "報告書の表の見出し「年」",
    "区分": "報告書の表の見出し「区分」",
}
"""Labels a scenario may not take: the guidance's scenarios' (one name, two results) and the
headers of the report's table that has a column per scenario (two columns of one name)."""


def _clashes(
    table: pd.DataFrame, specs: list[ScenarioSpec], rows: dict[str, dict[str, Any]]
) -> list[Finding]:
    """Scenarios whose names differ only in case or width (their figure files would be one
    file on Windows), or whose labels are the same when spaces, width and case are ignored
    (two results under one name in the report), or a preset's label; one line each, naming
    both rows."""
    findings = []
    names: dict[str, ScenarioSpec] = {}
    labels: dict[str, ScenarioSpec] = {}
    reserved = {comparable(label): label for label in RESERVED_LABELS}
    for spec in specs:
        row = rows[spec.name]
        other = names.setdefault(comparable(spec.name), spec)
        if other is not spec:
            findings.append(
                _finding(
                    table,
                    row,
                    "scenario",
                    "scenario-name-clash",
                    scenario=spec.name,
                    other=other.name,
                    first=int(rows[other.name][LINE]),
                )
            )
            continue
        column = "label" if _text(row.get("label")) else "scenario"
        key = comparable(spec.label)
        if key in reserved:
            preset = reserved[key]
            findings.append(
                _finding(
                    table,
                    row,
                    column,
                    "scenario-label-reserved",
                    scenario=spec.name,
                    label=spec.label,
                    reserved=RESERVED_LABELS[preset],
                )
            )
            continue
        other = labels.setdefault(key, spec)
        if other is not spec:
            findings.append(
                _finding(
                    table,
                    row,
                    column,
                    "scenario-label-clash",
                    scenario=spec.name,
                    label=spec.label,
                    other=other.name,
                    other_label=other.label,
                    line=int(row[LINE]),
                    first=int(rows[other.name][LINE]),
                )
            )
    return findings


MAX_SCENARIOS = 20
"""The most scenarios one file may define. Every scenario is a line in the report's figures,
a column of its tables and a pyramid: past about 20 a council can no longer read them, and
a file with more is far more likely a generated or pasted mistake than a plan."""
MAX_SCENARIO_ROWS = 2_000
"""The most rows (besides the header) a scenario file may hold. A scenario needs at most
one row per assumption and year: 17 five-year waypoints from 2020 to 2100 for each of the
fertility, migration and settlers rows, a target and a horizon, about 53 rows; 20
scenarios need about 1,060."""


def check_scenario_size(path: Path) -> None:
    """Refuse, before reading it, a file with more rows than :data:`MAX_SCENARIO_ROWS`.

    Rows are counted on the raw bytes (a CSV's line ends, a workbook's ``<row`` elements),
    so a file of a million rows is refused in a fraction of a second, never parsed.
    """
    from analysis.inputs.io import check_readable, counted_rows

    check_readable(path)
    found = counted_rows(path, MAX_SCENARIO_ROWS + 1)
    if found is None:
        return
    rows, line = found
    raise InputError(
        Finding(
            severity="error",
            file=display_path(path),
            line=line,
            column="-",
            check="scenario-too-many-rows",
            params={"limit": f"{MAX_SCENARIO_ROWS:,}", "rows": rows},
        )
    )


def _refuse_repeated(
    table: pd.DataFrame,
    row: dict[str, Any],
    key: tuple[str, str, int | None],
    first: tuple[float, int],
    value: float,
    findings: list[Finding],
) -> None:
    """A scenario's assumption given twice: refused at once, naming both rows (a file that
    repeats one row 300,000 times gets one line, not 300,000)."""
    name, kind, year = key
    check = "duplicate" if first[0] == value else "scenario-contradiction"
    raise DataError(
        [
            *findings,
            _finding(
                table,
                row,
                "value",
                check,
                what=f"{name} {kind} {year or ''}".strip(),
                first=first[1],
                value=_text(row.get("value")),
            ),
        ]
    )


def _parse_row(
    table: pd.DataFrame, row: dict[str, Any], kind: str
) -> tuple[int | None, float] | Finding:
    """(year, value) of a row, or why it cannot be used."""
    year_text, value_text = _text(row.get("year")), _text(row.get("value"))
    low_year, high_year = YEAR_RANGE
    year: int | None = None
    if kind == "horizon":
        if year_text:
            return _finding(
                table,
                row,
                "year",
                "scenario-rule",
                value=year_text,
                rule="horizon の年の欄は空欄にし、最終年は値の欄に書きます",
            )
    else:
        number = _number(year_text)
        if number is None or number % 1 or not low_year <= number <= high_year:
            return _finding(
                table,
                row,
                "year",
                "scenario-rule",
                value=year_text,
                rule=f"{low_year}～{high_year}年の西暦",
            )
        year = int(number)
    value = _number(value_text)
    if value is None:
        return _finding(table, row, "value", "not-a-number", value=value_text)
    rule = _value_rule(kind, value)
    if rule:
        return _finding(table, row, "value", "scenario-rule", value=value_text, rule=rule)
    return year, value


def _number(text: str) -> float | None:
    """A number without a comma (「1,8」 is ambiguous: decimal point or thousands?)."""
    return None if "," in text else one_number(text)


def _value_rule(kind: str, value: float) -> str:
    """The rule a value breaks ('' when it is usable)."""
    if kind == "tfr":
        low, high = TFR_RANGE
        return "" if low < value <= high else f"合計特殊出生率は{low:g}より大きく{high:g}以下"
    if kind == "migration":
        low, high = MIGRATION_RANGE
        return (
            ""
            if low <= value <= high
            else (f"純移動の倍率は{low:g}以上{high:g}以下（1＝パターン1、0.5＝半減、0＝均衡）")
        )
    if kind == "settlers_per_year":
        return (
            ""
            if 0 <= value <= SETTLERS_MAX_PER_YEAR
            else (f"年間の転入超過は0以上{SETTLERS_MAX_PER_YEAR:,.0f}人以下")
        )
    if kind == "settlers_target":
        low, high = SETTLER_TARGET_RANGE
        return (
            ""
            if value % 1 == 0 and low <= value <= high
            else f"目標人口は{low:,.0f}～{high:,.0f}人の整数"
        )
    low_year, high_year = YEAR_RANGE
    return (
        ""
        if value % 1 == 0 and low_year <= value <= high_year
        else f"{low_year}～{high_year}年の西暦"
    )


def _spec_problems(spec: ScenarioSpec) -> list[Finding]:
    """Rules between the rows of one scenario."""
    findings = []

    def refuse(assumption: Assumption, check: str, **params: object) -> None:
        file, line, cell = assumption.where
        findings.append(
            Finding(
                severity="error",
                file=file,
                line=line,
                column="year",
                check=check,
                params={"scenario": spec.name, **params},
                cell=cell,
            )
        )

    for kind in ("tfr", "migration", "settlers_per_year"):
        for before, after in itertools.pairwise(spec.of(kind)):
            if after.year is not None and before.year is not None and after.year <= before.year:
                refuse(after, "scenario-order", kind=kind, year=after.year, previous=before.year)
    if len(spec.of("horizon")) > 1:
        refuse(
            spec.of("horizon")[1],
            "scenario-contradiction",
            what=f"{spec.name} horizon",
            first=spec.of("horizon")[0].where[1],
            value=int(spec.of("horizon")[1].value),
        )
    if len(spec.of("settlers_target")) > 1:
        refuse(
            spec.of("settlers_target")[1],
            "scenario-rule",
            value=spec.name,
            rule="settlers_target は1つのシナリオに1行だけ",
        )
    if spec.of("settlers_target") and spec.of("settlers_per_year"):
        refuse(
            spec.of("settlers_target")[0],
            "scenario-rule",
            value=spec.name,
            rule="settlers_target（目標から求める転入超過）と settlers_per_year（与える転入超過）は"
            "同じシナリオに書けません。別のシナリオにしてください",
        )
    return findings


# ---------------------------------------------------------------- what depends on the edition


def check_scenarios(
    specs: list[ScenarioSpec],
    years: tuple[int, ...],
    municipalities: tuple[str, ...],
    settings: Settings,
    has_survival: bool,
) -> None:
    """Raise DataError naming the row of every assumption the edition cannot serve."""
    first, last = years[0], years[-1]
    findings: list[Finding] = []
    for spec in specs:
        horizon = spec.horizon or last
        findings += _horizon_problems(spec, first, last)
        findings += _period_start_problems(spec, first, horizon)
        findings += _waypoint_problems(spec, first, horizon)
        findings += _target_year_problems(spec, first, horizon)
        findings += _missing_inputs(spec, municipalities, settings, has_survival)
    raise_on_errors(findings)


def _refusal(spec: ScenarioSpec, assumption: Assumption, check: str, **params: object) -> Finding:
    """The error of an assumption the edition cannot serve, at its row (the year's cell for
    ``scenario-year``, else the value's)."""
    file, line, cell = assumption.where
    column = "value" if check != "scenario-year" else "year"
    return Finding(
        severity="error",
        file=file,
        line=line,
        column=column,
        check=check,
        params={"scenario": spec.name, **params},
        cell=cell,
    )


def _horizon_problems(spec: ScenarioSpec, first: int, last: int) -> list[Finding]:
    """A horizon before the edition's ``last`` year, or not 5 years apart from ``first``."""
    return [
        _refusal(
            spec,
            row,
            "scenario-rule",
            value=int(row.value),
            rule=f"推計の最終年は{last}年（基準のデータの最後の年）以降で、"
            f"{first}年から5年おきの年",
        )
        for row in spec.of("horizon")
        if row.value < last or (row.value - first) % 5
    ]


def _period_start_problems(spec: ScenarioSpec, first: int, horizon: int) -> list[Finding]:
    """Migration multiples and settlers a year given for a year that starts no period."""
    starts = list(range(first, horizon, 5))
    return [
        _refusal(
            spec,
            row,
            "scenario-year",
            kind=row.kind,
            year=row.year,
            years="、".join(map(str, starts)),
            meaning="期間の始まりの年",
        )
        for row in spec.of("migration") + spec.of("settlers_per_year")
        if row.year not in starts
    ]


def _waypoint_problems(spec: ScenarioSpec, first: int, horizon: int) -> list[Finding]:
    """TFR waypoints at or before the base year, or past the last projected year."""
    findings = []
    for row in spec.of("tfr"):
        # A waypoint past the last projected year would never be reached: refused unless a
        # horizon row runs the projection that far (it was once accepted silently).
        if row.year is not None and not first < row.year <= horizon:
            reach = f"{first}年より後、{horizon}年まで"
            meaning = (
                "推計の期間内の年。これより後の経由点には horizon（推計の最終年）の行が必要"
                if row.year > horizon
                else "基準年より後の年"
            )
            findings.append(
                _refusal(
                    spec,
                    row,
                    "scenario-year",
                    kind="tfr",
                    year=row.year,
                    years=reach,
                    meaning=meaning,
                )
            )
    return findings


def _target_year_problems(spec: ScenarioSpec, first: int, horizon: int) -> list[Finding]:
    """Target populations for a year that is not a projected year."""
    ends = list(range(first + 5, horizon + 1, 5))
    return [
        _refusal(
            spec,
            row,
            "scenario-year",
            kind=row.kind,
            year=row.year,
            years="、".join(map(str, ends)),
            meaning="推計の年",
        )
        for row in spec.of("settlers_target")
        if row.year not in ends
    ]


def _missing_inputs(
    spec: ScenarioSpec,
    municipalities: tuple[str, ...],
    settings: Settings,
    has_survival: bool,
) -> list[Finding]:
    """A migration multiple without survival ratios; a TFR without every ``tfr_base``."""
    findings = []
    if spec.needs_survival and not has_survival:
        row = next(a for a in spec.of("migration") if a.value != 1)
        findings.append(_refusal(spec, row, "scenario-needs-survival", value=f"{row.value:g}"))
    if spec.of("tfr"):
        missing = [m for m in municipalities if settings.number("tfr_base", m) is None]
        if missing:
            findings.append(
                _refusal(
                    spec,
                    spec.of("tfr")[0],
                    "scenario-needs-tfr-base",
                    municipalities="、".join(missing),
                )
            )
    return findings


# ---------------------------------------------------------------- writing (the exploration notebook)

COLUMNS = ["scenario", "label", "assumption", "year", "value"]


def as_rows(specs: list[ScenarioSpec]) -> pd.DataFrame:
    """Scenarios as the rows of a scenario file (``scenario,label,assumption,year,value``)."""
    rows = [
        {
            "scenario": spec.name,
            "label": spec.label,
            "assumption": a.kind,
            "year": a.year,
            "value": int(a.value) if a.kind == "horizon" else a.value,
        }
        for spec in specs
        for a in spec.assumptions
    ]
    return pd.DataFrame(rows, columns=COLUMNS).astype({"year": "Int64"})


def save(spec: ScenarioSpec, path: Path) -> list[ScenarioSpec]:
    """Write ``spec`` into the scenario file at ``path`` (created if missing), replacing a
    scenario of the same name and keeping the others; returns what the file now holds.

    The existing file is read with every check first: a file with errors is never
    rewritten. The written file is read back, so what was saved is what a run reads.
    """
    from analysis.inputs.io import write_csv

    problems = [] if NAME.fullmatch(spec.name) else [spec.name]
    if problems or spec.name in PRESET_LABELS:
        raise ValueError(
            f"シナリオ名「{spec.name}」は使えません（文字・数字・「_」・「-」の40文字まで、"
            f"{'、'.join(PRESET_LABELS)} 以外）"
        )
    kept = [s for s in read_scenarios(path) if s.name != spec.name] if path.exists() else []
    write_csv(as_rows([*kept, spec]), path)
    return read_scenarios(path)


def from_choices(
    name: str,
    label: str,
    *,
    waypoints: list[tuple[int, float]],
    migration: list[tuple[int, float]],
    settlers_per_year: tuple[int, float] | None,
    horizon: int | None,
) -> ScenarioSpec:
    """A scenario from the exploration notebook's sliders (pattern1's own values left out)."""
    rows = [Assumption("tfr", year, value) for year, value in waypoints]
    rows += [Assumption("migration", year, scale) for year, scale in migration]
    if settlers_per_year and settlers_per_year[1] > 0:
        rows.append(Assumption("settlers_per_year", settlers_per_year[0], settlers_per_year[1]))
    if horizon:
        rows.append(Assumption("horizon", None, float(horizon)))
    return ScenarioSpec(name, label or name, tuple(rows))
