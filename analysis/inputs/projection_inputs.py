"""The inputs of the projections besides the counts: settings, settler profile, survival ratios.

Each is read as strictly as the population tables: headers from one vocabulary
(Japanese spellings accepted, anything else refused), every value typed and
range-checked, no duplicated row, no unknown name, and every row either used or
refused with its reason. A failure is one line naming file, line (or sheet and
cell) and column; all failures of a file are reported together.

Settings (``setting,municipality,value[,note]``), each default with its source (the
guidance is the national 「地方人口ビジョン」策定のための手引き; the same sources are in
the ``note`` column of ``data/raw/projection_settings.csv``):

- ``tfr_base``: the total fertility rate of the base year, per municipality. No
  default: the planners enter it (without it シミュレーション1・2 are skipped).
- ``tfr_target`` 2.1 and ``tfr_target_year`` 2030: the guidance's シミュレーション1
  (the replacement level reached in 2030, rising linearly from the base year).
- ``influence_year``: the year of the 影響度; by default the edition's last projected
  year (the guidance compares the simulations at the end of the projection; 2050 for
  the 令和5年推計). The tables show every projected year.
- ``natural_thresholds`` 100;105;110;115 and ``social_thresholds`` 100;110;120;130:
  the guidance's five levels of 自然増減・社会増減の影響度 (%).
- ``stage_thresholds`` 0;-10: the guidance's 人口減少段階 (change of 65+ from the
  base year, %): above 0 stage 1, above −10 stage 2, else stage 3.
- ``settler_target_population`` / ``settler_target_year``: the population to reach
  (default: the plan's 2040 target, about 94,000 for the 圏域, source lines 210, 460).
- ``pyramid_year``: the year compared with the base year in the pyramids (default:
  the last projected year).

Conventions that move a published level, each stated in the report (sources in
:data:`CONVENTION_SOURCES`):

- ``cwr_scaling`` ``period`` (default) or ``base``: シミュレーション1's child–woman ratio is
  パターン1's ratio of each period × TFR(t) ÷ ``tfr_base``, or the base year's observed
  ratio × TFR(t) ÷ ``tfr_base``;
- ``assumptions_from`` (default: the base year): the first period an assumption (fertility,
  migration, settlers) applies to; earlier periods are パターン1's;
- ``settler_timing`` ``start`` (default) or ``half``: settlers' women count for the births of
  the period they arrive in full, or for half the period's exposure;
- ``zero_migration_children`` ``keep`` (default) or ``close``: 移動ゼロ (and any migration
  multiple) leaves children's migration in the child–woman ratio, or removes it as the
  0–4 → 5–9 cohort's net migration factor.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import vocabulary
from analysis.core.findings import Finding, Severity, raise_on_errors
from analysis.core.paths import display_path
from analysis.core.schema import REGION, YEAR_RANGE
from analysis.inputs.agesex import (
    AGE_LABELS,
    AGE_SEX_LAYOUT,
    SEXES,
    age_lower,
    parse_age,
    parse_sex,
)
from analysis.inputs.cells import MUNICIPALITY, near_plan_name, parse_number
from analysis.inputs.io import LINE, InputError, excel_cell, read_records
from analysis.inputs.layouts import Field, normalise_header

# ---------------------------------------------------------------- reading a plain table


def read_fields(
    path: Path, required: tuple[Field, ...], optional: tuple[Field, ...] = ()
) -> pd.DataFrame:
    """A plain table (header in the first row) with its columns renamed to the fields' names.

    A header no field knows, a field given twice and a missing required field are
    one-line errors naming the header's cell: another kind of file given in the
    wrong place (the settings as survival ratios, say) is refused here.
    """
    table = read_records(path)
    where = table.attrs.get("where", display_path(path))
    known = (*required, *optional)
    names = "、".join(f"{f.name}（{f.label}）" for f in known)
    renamed: dict[str, str] = {}
    for position, header in enumerate(c for c in table.columns if c != LINE):
        cell = _header_cell(table, position)
        match = next((f for f in known if f.matches(normalise_header(header))), None)
        if match is None:
            raise InputError(
                _at(
                    table, where, header, cell, "unknown-column", {"column": header, "known": names}
                )
            )
        if match.name in renamed.values():
            raise InputError(
                _at(
                    table,
                    where,
                    header,
                    cell,
                    "duplicate-column",
                    {"column": header, "field": match.label},
                )
            )
        renamed[header] = match.name
    for wanted in required:
        if wanted.name not in renamed.values():
            raise InputError(
                _at(
                    table,
                    where,
                    wanted.name,
                    _header_cell(table, 0),
                    "schema-missing",
                    {"column": f"{wanted.name}（{wanted.label}）", "required": names},
                )
            )
    renamed_table = table.rename(columns=renamed)
    renamed_table.attrs = dict(table.attrs)
    return renamed_table


def _header_cell(table: pd.DataFrame, position: int) -> str:
    if not table.attrs.get("excel"):
        return ""
    return excel_cell(position, table.attrs.get("header_line", 1))


def _at(
    table: pd.DataFrame, where: str, column: str, cell: str, check: str, params: dict[str, object]
) -> Finding:
    line = table.attrs.get("header_line", 1)
    return Finding(
        severity="error",
        file=where,
        line=line,
        column=column,
        check=check,
        params=params,
        cell=cell,
    )


def _locate(table: pd.DataFrame, row: dict[str, Any], column: str) -> tuple[str, int, str]:
    """(file, line, Excel cell) of a cell of a :func:`read_fields` table."""
    where = table.attrs.get("where", "")
    line = int(row[LINE])
    if not table.attrs.get("excel"):
        return where, line, ""
    columns = [c for c in table.columns if c != LINE]
    return where, line, excel_cell(columns.index(column), line)


def _finding(
    table: pd.DataFrame, row: dict[str, Any], column: str, check: str, **params: object
) -> Finding:
    where, line, cell = _locate(table, row, column)
    return Finding(
        severity="error",
        file=where,
        line=line,
        column=column,
        check=check,
        params=params,
        cell=cell,
    )


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _suggest(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    return f"。「{close[0]}」の誤りではありませんか" if close else ""


def _unknown_area(table: pd.DataFrame, row: dict[str, Any], area: str, areas: list[str]) -> Finding:
    """A municipality cell that names none of ``areas``: 「一関」 or 「一関 市」 is asked about
    as every reader asks (「一関市の誤りではありませんか」), anything else lists the names."""
    meant = near_plan_name(area, areas)
    if meant:
        return _finding(
            table,
            row,
            "municipality",
            "near-municipality",
            value=area,
            name=meant,
            rows="",
            rows_en="",
        )
    return _finding(
        table,
        row,
        "municipality",
        "unknown-area",
        value=area,
        known="、".join(areas) + _suggest(area, areas),
    )


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Spec:
    """What one setting holds."""

    default: object
    kind: str
    """``rate`` (a TFR), ``year``, ``people``, ``levels`` (4 ascending %), ``stages`` (2 descending %)."""
    description: str
    per_area: str
    """Who may have a value of their own: '' nobody (one value for all), ``municipality``
    (each municipality), ``area`` (each municipality and the 圏域)."""
    choices: tuple[str, ...] = ()
    """For ``choice`` settings: the accepted values, the default first."""


SETTINGS: dict[str, Spec] = {
    "tfr_base": Spec(None, "rate", "基準年の合計特殊出生率", "municipality"),
    "tfr_target": Spec(2.1, "rate", "目標とする合計特殊出生率", ""),
    "tfr_target_year": Spec(2030, "year", "目標の合計特殊出生率に達する年", ""),
    "influence_year": Spec(None, "year", "影響度を述べる年（空欄なら推計の最後の年）", ""),
    "natural_thresholds": Spec(
        (100.0, 105.0, 110.0, 115.0), "levels", "自然増減の影響度の段階の境界（%）", ""
    ),
    "social_thresholds": Spec(
        (100.0, 110.0, 120.0, 130.0), "levels", "社会増減の影響度の段階の境界（%）", ""
    ),
    "stage_thresholds": Spec((0.0, -10.0), "stages", "人口減少段階の境界（%）", ""),
    "settler_target_population": Spec(
        None, "people", "転入超過の必要数を求める目標人口（人）", "area"
    ),
    "settler_target_year": Spec(None, "year", "その目標の年", "area"),
    "pyramid_year": Spec(None, "year", "人口ピラミッドで基準年と比べる年", ""),
    "cwr_scaling": Spec(
        "period", "choice", "シミュレーション1の子ども女性比の求め方", "", ("period", "base")
    ),
    "assumptions_from": Spec(
        None, "year", "仮定を当てはめる最初の期間の始まりの年（空欄なら基準年）", ""
    ),
    "settler_timing": Spec(
        "start", "choice", "転入した女性の出生への数え方", "", ("start", "half")
    ),
    "zero_migration_children": Spec(
        "keep", "choice", "移動ゼロで0～4歳の移動も閉じるか", "", ("keep", "close")
    ),
}

CONVENTION_SOURCES = {
    "cwr_scaling": (
        "period：既定の出典は、国の「出生率回復ケース」（まち・ひと・しごと創生、2014年）は、社人研の地域別推計の各期間の"
        "子ども女性比を全国の子ども女性比の伸び率で一律に引き上げています（同じ比例の考え方）。"
        "国の人口推計ワークシート・手引きの文言そのものは見つかっていません"
    ),
    "assumptions_from": (
        "空欄＝基準年：既定の出典は、手引きのシミュレーション1が基準年から直線的に上昇すること。"
        "公表された人口ビジョンには最初の期間を社人研推計のままにする例があります（新庄市人口ビジョン）。"
        "手引きの文言は見つかっていません"
    ),
    "settler_timing": (
        "start：既定の出典は、手引きのワークシート（0～4歳＝子ども女性比×期末の15～49歳女性、移動者を含む）。"
        "期間の半分とする選択肢は人口学の教科書の通常の扱い（移動は期間の途中で平均して起こると見なす）"
    ),
    "zero_migration_children": (
        "keep：既定の出典は、手引きのシミュレーション2が純移動率をゼロにし、子ども女性比はパターン1のままとすること。"
        "閉じる選択肢は0～4歳の移動を5～9歳になるコーホートの純移動の割合で除く近似。手引きの文言は見つかっていません"
    ),
}
"""Where each convention's default comes from (also in the settings file's ``note``)."""

CHOICE_WORDS = {
    "cwr_scaling": {
        "period": "パターン1の各期間の子ども女性比 × 合計特殊出生率(年) ÷ 基準年の合計特殊出生率",
        "base": "基準年の子ども女性比（基準年の0～4歳 ÷ 15～49歳女性）× 合計特殊出生率(年) ÷ 基準年の合計特殊出生率",
    },
    "settler_timing": {
        "start": "転入した女性は、転入した期間の出生に期間全体の分だけ数えます（手引きのワークシートと同じ）",
        "half": "転入した女性は、転入した期間の出生に期間の半分だけ数えます（期間の途中に平均して転入）",
    },
    "zero_migration_children": {
        "keep": "移動の仮定（移動ゼロ・倍率）でも、子ども女性比に含まれる0～4歳の移動はパターン1のまま",
        "close": "移動の仮定（移動ゼロ・倍率）では、子ども女性比に含まれる0～4歳の移動も、5～9歳になるコーホートの純移動の割合と同じだけ変えます",
    },
}
"""Each choice in words, for the report's 算出方法."""

SURVIVAL_TOP_TOLERANCE = 0.5
"""By starting age, the row of the group below the open one (90–94: 5L95 ÷ 5L90) and the
open group's row (95+: T95 ÷ T90, applied to 90 and over) differ by about a quarter of
the latter in Japan's life tables; a file labelled by destination age has S(85–89 →
90–94) in the 90–94 row, about 1.8 times the open ratio. A difference beyond half of
the open group's ratio is refused as a file labelled by destination age."""

TFR_RANGE = (0.5, 5.0)
"""A total fertility rate above 0.5 and at most 5 (Japan's lowest municipal values are
about 0.8, the highest about 2.2; values outside are typing errors)."""

SETTLER_TARGET_RANGE = (1.0, 10_000_000.0)

SETTING_FIELDS = (
    Field("setting", "設定", vocabulary.SETTING),
    MUNICIPALITY,
    Field("value", "値", vocabulary.SETTING_VALUE),
)
NOTE_FIELD = Field("note", "備考", vocabulary.NOTE)

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Settings:
    """Values by (setting, municipality); '' is the value for every municipality.

    A blank value is not stored: the setting's default then applies.
    """

    values: dict[tuple[str, str], object]
    source: str
    lines: dict[tuple[str, str], tuple[str, int, str]] = field(default_factory=dict)
    """Where each value was given (file, line, cell), to name it in later checks."""

    def get(self, name: str, municipality: str = "") -> object:
        if (name, municipality) in self.values:
            return self.values[(name, municipality)]
        return self.values.get((name, ""), SETTINGS[name].default)

    def number(self, name: str, municipality: str = "") -> float | None:
        value = self.get(name, municipality)
        return None if value is None else float(value)  # type: ignore[arg-type]

    def year(self, name: str, municipality: str = "") -> int | None:
        value = self.number(name, municipality)
        return None if value is None else int(value)

    def thresholds(self, name: str) -> tuple[float, ...]:
        return tuple(float(v) for v in self.get(name))  # type: ignore[attr-defined]

    def targets(self) -> list[tuple[str, float, int | None]]:
        """Settler targets: (area, population, year or None) for every area given one."""
        found = []
        for (name, area), value in self.values.items():
            if name == "settler_target_population":
                found.append((area or REGION, float(value), self.year("settler_target_year", area)))  # type: ignore[arg-type]
        return found

    def where(self, name: str, municipality: str = "") -> tuple[str, int | None, str]:
        """(file, line, cell) of the row that gives the value in use ('' line when a default)."""
        for key in ((name, municipality), (name, "")):
            if key in self.lines:
                return self.lines[key]
        return self.source, None, ""


def read_settings(path: Path, municipalities: list[str]) -> Settings:
    """``setting,municipality,value[,note]``: every row checked, every failure reported."""
    table = read_fields(path, SETTING_FIELDS, (NOTE_FIELD,))
    file = table.attrs.get("where", display_path(path))
    findings: list[Finding] = []
    values: dict[tuple[str, str], object] = {}
    lines: dict[tuple[str, str], tuple[str, int, str]] = {}
    areas = [*municipalities, REGION]
    for row in table.to_dict("records"):
        name = _text(row.get("setting"))
        area = _text(row.get("municipality"))
        text = _text(row.get("value"))
        if name not in SETTINGS:
            findings.append(
                _finding(
                    table,
                    row,
                    "setting",
                    "unknown-setting",
                    value=name,
                    known="、".join(SETTINGS) + _suggest(name, list(SETTINGS)),
                )
            )
            continue
        spec = SETTINGS[name]
        if area and area not in areas:
            findings.append(_unknown_area(table, row, area, areas))
            continue
        if area and (not spec.per_area or (area == REGION and spec.per_area != "area")):
            findings.append(
                _finding(
                    table, row, "municipality", "setting-not-per-area", setting=name, area=area
                )
            )
            continue
        if (name, area) in lines:
            first = lines[(name, area)][1]
            findings.append(
                _finding(
                    table,
                    row,
                    "setting",
                    "duplicate",
                    what=f"{name}（{area or '共通'}）",
                    first=first,
                )
            )
            continue
        lines[(name, area)] = _locate(table, row, "value")
        if not text:
            continue  # blank: the default applies (or, without one, the setting is not used)
        value, problem = _parse_setting(text, spec)
        if problem:
            findings.append(
                _finding(table, row, "value", problem[0], value=text, setting=name, **problem[1])
            )
            continue
        values[(name, area)] = value
    raise_on_errors(findings)
    return Settings(values, file, lines)


def _parse_setting(text: str, spec: Spec) -> tuple[object, tuple[str, dict[str, object]] | None]:
    """The typed value, or the message code and parameters of why it cannot be used."""
    if spec.kind == "choice":
        if text not in spec.choices:
            return None, ("setting-range", {"rule": "、".join(spec.choices) + " のいずれか"})
        return text, None
    if spec.kind in {"levels", "stages"}:
        parts = [p.strip() for p in re.split(r"[;；、]", text)]
        count = 4 if spec.kind == "levels" else 2
        if len(parts) != count:
            return None, ("setting-count", {"count": count, "found": len(parts)})
        numbers, bad = parse_number(pd.Series(parts, dtype="string"))
        if bad.any() or numbers.isna().any() or any("," in p for p in parts):
            return None, ("not-a-number", {})
        found = tuple(float(v) for v in numbers)
        ordered = all(a < b for a, b in itertools.pairwise(found))
        if spec.kind == "stages":
            ordered = all(a > b for a, b in itertools.pairwise(found))
        if not ordered:
            order = "小さい順（重複なし）" if spec.kind == "levels" else "大きい順（重複なし）"
            return None, ("setting-order", {"order": order})
        return found, None
    if "," in text and not (spec.kind == "people" and _THOUSANDS.match(text)):
        return None, ("decimal-comma", {})
    number = one_number(text)
    if number is None:
        return None, ("not-a-number", {})
    if spec.kind == "rate":
        low, high = TFR_RANGE
        if not low < number <= high:
            return None, ("setting-range", {"rule": f"{low:g}より大きく{high:g}以下"})
        return number, None
    if spec.kind == "year":
        low_year, high_year = YEAR_RANGE
        if number % 1 or not low_year <= number <= high_year:
            return None, ("setting-range", {"rule": f"{low_year}～{high_year}年の西暦"})
        return int(number), None
    low, high = SETTLER_TARGET_RANGE
    if number % 1 or not low <= number <= high:
        return None, ("setting-range", {"rule": f"{low:,.0f}～{high:,.0f}人の整数"})
    return number, None


def one_number(text: str) -> float | None:
    """The finite number a cell holds (full-width digits and thousands separators as
    :func:`analysis.inputs.cells.parse_number` reads them), or None."""
    if not text:
        return None
    numbers, bad = parse_number(pd.Series([text], dtype="string"))
    value = numbers.iloc[0]
    return None if bad.any() or pd.isna(value) or not np.isfinite(value) else float(value)


def check_settings(
    settings: Settings, years: tuple[int, ...], municipalities: tuple[str, ...]
) -> list[Finding]:
    """The settings that depend on the data: every year a projected year, every target complete.

    Raises DataError naming the row of each setting that cannot be used; returns a
    note for each row that is valid but has no effect (so that none goes unnoticed).
    """
    raise_on_errors(_setting_errors(settings, years))
    return _unused_settings(settings, municipalities)


def _at_setting(
    settings: Settings,
    name: str,
    area: str,
    severity: Severity,
    column: str,
    check: str,
    params: Mapping[str, object],
) -> Finding:
    """A finding at the row of setting ``name`` for ``area`` ('' for every area)."""
    file, line, cell = settings.where(name, area)
    return Finding(
        severity=severity,
        file=file,
        line=line,
        column=column,
        check=check,
        params=params,
        cell=cell,
    )


def _setting_errors(settings: Settings, years: tuple[int, ...]) -> list[Finding]:
    """An error per setting the data's years make unusable: a year that is not a projected
    year (or a period's start), a TFR target year not after the base year, a settler target
    without its year."""
    findings: list[Finding] = []
    projected = years[1:]
    shown = "、".join(str(y) for y in projected)

    def refuse(name: str, area: str, check: str, **params: object) -> None:
        findings.append(_at_setting(settings, name, area, "error", "value", check, params))

    start = settings.year("assumptions_from")
    if start is not None and start not in years[:-1]:
        refuse(
            "assumptions_from",
            "",
            "setting-year",
            year=start,
            setting="assumptions_from",
            years="、".join(str(y) for y in years[:-1]) + "（期間の始まりの年）",
        )
    for name in ("influence_year", "pyramid_year"):
        year = settings.year(name)
        if (name, "") in settings.values and year not in projected:
            refuse(name, "", "setting-year", year=year, setting=name, years=shown)
    target_year = settings.year("tfr_target_year")
    uses_tfr = any(name == "tfr_base" for name, _ in settings.values)  # else sim1/sim2 are skipped
    if uses_tfr and target_year is not None and target_year <= years[0]:
        refuse(
            "tfr_target_year",
            "",
            "setting-range",
            value=target_year,
            setting="tfr_target_year",
            rule=f"基準年（{years[0]}年）より後の年",
        )
    for name, area in settings.values:
        if name != "settler_target_year":
            continue
        year = settings.year(name, area)
        if year not in projected:
            refuse(name, area, "setting-year", year=year, setting=name, years=shown)
    for area, _, year in settings.targets():
        if year is None:
            refuse(
                "settler_target_population",
                ""
                if area == REGION and ("settler_target_population", "") in settings.values
                else area,
                "setting-needs",
                setting="settler_target_population",
                other="settler_target_year",
            )
    return findings


def _unused_settings(settings: Settings, municipalities: tuple[str, ...]) -> list[Finding]:
    """A note per valid setting that has no effect: a common TFR every municipality overrides,
    a municipality's settler target year without its target population."""
    notes = []
    if ("tfr_base", "") in settings.values and all(
        ("tfr_base", m) in settings.values for m in municipalities
    ):
        reason = "すべての市町に個別の値があります"
        params = {"setting": "tfr_base", "reason": reason}
        notes.append(
            _at_setting(settings, "tfr_base", "", "note", "municipality", "setting-unused", params)
        )
    targets = {area for (name, area) in settings.values if name == "settler_target_population"}
    for name, area in settings.values:
        if name == "settler_target_year" and area and area not in targets and "" not in targets:
            params = {
                "setting": name,
                "reason": f"{area} の settler_target_population がありません",
            }
            notes.append(
                _at_setting(settings, name, area, "note", "municipality", "setting-unused", params)
            )
    return notes


# ---------------------------------------------------------------- the settler profile

PROFILE_FIELDS = (
    AGE_SEX_LAYOUT.field("sex"),
    AGE_SEX_LAYOUT.field("age_group"),
    Field("share", "割合", vocabulary.SHARE),
)


def read_profile(path: Path, groups: tuple[str, ...]) -> np.ndarray:
    """The settler profile (``sex,age_group,share``) as a (2, A) array of shares summing to 1."""
    table = read_fields(path, PROFILE_FIELDS, (NOTE_FIELD,))
    file = table.attrs.get("where", display_path(path))
    findings: list[Finding] = []
    profile = np.zeros((2, len(groups)))
    seen: dict[tuple[str, str], int] = {}
    share, bad = parse_number(table["share"])
    for row, value, unreadable in zip(table.to_dict("records"), share, bad, strict=True):
        sex, age = parse_sex(row.get("sex")), parse_age(row.get("age_group"))
        text = _text(row.get("share"))
        if sex not in SEXES:
            findings.append(_finding(table, row, "sex", "unknown-sex", value=_text(row.get("sex"))))
        elif age not in groups:
            findings.append(
                _finding(
                    table, row, "age_group", "unknown-age-class", value=_text(row.get("age_group"))
                )
            )
        elif unreadable or pd.isna(value) or value < 0 or value > 1 or "," in text:
            findings.append(_finding(table, row, "share", "not-a-share", value=text))
        elif (sex, age) in seen:
            findings.append(
                _finding(
                    table,
                    row,
                    "sex",
                    "duplicate",
                    what=f"{'男女'[SEXES.index(sex)]} {age}",
                    first=seen[(sex, age)],
                )
            )
        else:
            seen[(sex, age)] = int(row[LINE])
            profile[SEXES.index(sex), groups.index(age)] = value
    if not findings and abs(profile.sum() - 1) > 1e-9:
        findings.append(
            Finding(
                severity="error",
                file=file,
                line=None,
                column="share",
                check="shares-sum",
                params={"sum": f"{profile.sum():.6g}"},
            )
        )
    raise_on_errors(findings)
    return profile


# ---------------------------------------------------------------- survival ratios

SURVIVAL_FIELDS = (
    MUNICIPALITY,
    Field("period", "期間", vocabulary.PERIOD),
    AGE_SEX_LAYOUT.field("sex"),
    AGE_SEX_LAYOUT.field("age_group"),
    Field("survival_ratio", "生残率", vocabulary.SURVIVAL_RATIO),
)


def read_survival(
    path: Path, municipalities: list[str], years: tuple[int, ...], groups: tuple[str, ...]
) -> np.ndarray:
    """Survival ratios ``municipality,period,sex,age_group,survival_ratio`` as (K, M, 2, A).

    ``age_group`` is the starting group x of S(x → x+5), as in the worksheet; the
    open group's row gives the ratio applied to (the group below it + the open
    group), and the row of the group just below the open one is not used. A blank
    municipality or period applies to all; a row that names them wins over a
    blank one whatever their order. Every ratio is above 0 and at most 1. Stored
    by the group produced, like :class:`analysis.model.projection.Schedule`.

    A file labelled by destination age (rows from 5–9, or a 90–94 row far from the
    open group's) is refused with the reason, never read shifted by one group.
    """
    table = read_fields(path, SURVIVAL_FIELDS, (NOTE_FIELD,))
    file = table.attrs.get("where", display_path(path))
    entries, last_rows, findings = _survival_entries(
        table, _SurvivalAxes.of(municipalities, years, groups)
    )
    findings += _destination_age_errors(table, last_rows, groups)
    if not findings:
        findings += _no_first_group_error(table, file, groups)
    result = np.full((len(years) - 1, len(municipalities), 2, len(groups)), np.nan)
    for _, _, k, m, s, a, value in sorted(entries, key=lambda e: (e[0], e[1])):
        result[slice(None) if k is None else k, slice(None) if m is None else m, s, a] = value
    missing = np.isnan(result[..., 1:])
    if not findings and missing.any():
        findings.append(_survival_missing_error(file, missing, municipalities, years, groups))
    raise_on_errors(findings)
    ratios: np.ndarray = np.where(np.isnan(result), 0.0, result)  # column 0 (0–4) is never used
    return ratios


_SurvivalEntry = tuple[int, int, int | None, int | None, int, int, float]
"""(specificity, line, period k or None, municipality m or None, sex, target group, ratio)."""

_LastRows = dict[tuple[str, str, str, bool], tuple[float, dict[str, Any]]]
"""(area, period, sex, is the open group) → (ratio, row) of the two oldest groups' rows."""


@dataclass(frozen=True)
class _SurvivalAxes:
    """What a survival row may name: the municipalities, the periods (``2020-2025`` or the
    first year ``2020`` → period index), the periods as a message lists them, the groups."""

    municipalities: list[str]
    periods: dict[str, int]
    shown: str
    groups: tuple[str, ...]

    @classmethod
    def of(
        cls, municipalities: list[str], years: tuple[int, ...], groups: tuple[str, ...]
    ) -> _SurvivalAxes:
        periods = {f"{a}-{b}": k for k, (a, b) in enumerate(itertools.pairwise(years))}
        shown = "、".join(periods)
        periods |= {str(a): k for k, a in enumerate(years[:-1])}
        return cls(municipalities, periods, shown, groups)


def _survival_cells(row: dict[str, Any]) -> tuple[str, str, str | None, str | None, str]:
    """A survival row's municipality, period (``2020-2025`` with any dash), sex, starting
    age group and ratio as written."""
    area = _text(row.get("municipality"))
    period = _text(row.get("period")).replace("～", "-").replace("〜", "-").replace("~", "-")
    sex, age = parse_sex(row.get("sex")), parse_age(row.get("age_group"))
    return area, period, sex, age, _text(row.get("survival_ratio"))


def _survival_entries(
    table: pd.DataFrame, axes: _SurvivalAxes
) -> tuple[list[_SurvivalEntry], _LastRows, list[Finding]]:
    """Every usable row as an entry (stored by the group produced, the least specific to be
    filled first), the rows of the two oldest groups, and an error per unusable or repeated row."""
    ratio, bad = parse_number(table["survival_ratio"])
    municipalities, periods, groups = axes.municipalities, axes.periods, axes.groups
    open_index = len(groups) - 1
    entries: list[_SurvivalEntry] = []
    findings: list[Finding] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    last_rows: _LastRows = {}
    for row, value, unreadable in zip(table.to_dict("records"), ratio, bad, strict=True):
        cells = _survival_cells(row)
        area, period, sex, age, _ = cells
        usable_ratio = not (bool(unreadable) or pd.isna(value) or not 0 < value <= 1)
        problem = _survival_row_problem(table, row, cells, usable_ratio, axes)
        if problem is not None or sex is None or age is None:
            findings += [problem] if problem is not None else []
            continue
        key = (area, str(periods.get(period, "")), sex, age)
        if key in seen:
            what = f"{area or '共通'} {period or '全期間'} {'男女'[SEXES.index(sex)]} {age}"
            findings.append(
                _finding(table, row, "survival_ratio", "duplicate", what=what, first=seen[key])
            )
            continue
        seen[key] = int(row[LINE])
        start = groups.index(age)
        if start in (open_index - 1, open_index):
            last_rows[(key[0], key[1], key[2], start == open_index)] = (float(value), row)
        if start == open_index - 1:
            continue  # the worksheet's unused row (the open group takes both)
        target = open_index if start == open_index else start + 1
        k = periods[period] if period else None
        m = municipalities.index(area) if area else None
        specificity = (k is not None) + 2 * (m is not None)
        entries.append((specificity, int(row[LINE]), k, m, SEXES.index(sex), target, float(value)))
    return entries, last_rows, findings


def _survival_row_problem(
    table: pd.DataFrame,
    row: dict[str, Any],
    cells: tuple[str, str, str | None, str | None, str],
    usable_ratio: bool,
    axes: _SurvivalAxes,
) -> Finding | None:
    """The error of a survival row whose municipality, period, sex, age group or ratio
    (``usable_ratio``: a number above 0 and at most 1) cannot be used, the first one met;
    or None."""
    area, period, sex, age, text = cells
    if area and area not in axes.municipalities:
        return _unknown_area(table, row, area, axes.municipalities)
    if period and period not in axes.periods:
        return _finding(table, row, "period", "unknown-period", value=period, known=axes.shown)
    if sex not in SEXES:
        return _finding(table, row, "sex", "unknown-sex", value=_text(row.get("sex")))
    if age not in axes.groups:
        return _finding(
            table, row, "age_group", "unknown-age-class", value=_text(row.get("age_group"))
        )
    if not usable_ratio or "," in text:
        return _finding(table, row, "survival_ratio", "not-a-survival-ratio", value=text)
    return None


def _destination_age_errors(
    table: pd.DataFrame, last_rows: _LastRows, groups: tuple[str, ...]
) -> list[Finding]:
    """An error per row of the group below the open one whose ratio is far from the open
    group's: the file is labelled by destination age."""
    open_index = len(groups) - 1
    findings = []
    for (area, period_key, sex, is_open), (value, row) in last_rows.items():
        other = last_rows.get((area, period_key, sex, True))
        if is_open or other is None or abs(value - other[0]) <= SURVIVAL_TOP_TOLERANCE * other[0]:
            continue
        findings.append(
            _finding(
                table,
                row,
                "survival_ratio",
                "survival-destination-age",
                below=AGE_LABELS.get(groups[open_index - 1], groups[open_index - 1]),
                open=AGE_LABELS.get(groups[open_index], groups[open_index]),
                over=f"{age_lower(groups[open_index - 1])}歳以上",
                value=f"{value:g}",
                open_value=f"{other[0]:g}",
            )
        )
    return findings


def _no_first_group_error(table: pd.DataFrame, file: str, groups: tuple[str, ...]) -> list[Finding]:
    """An error when no row starts from the first group (0–4): the file is labelled by
    destination age."""
    if any(parse_age(r.get("age_group")) == groups[0] for r in table.to_dict("records")):
        return []
    return [
        Finding(
            severity="error",
            file=file,
            line=None,
            column="age_group",
            check="survival-no-first-group",
            params={
                "first": AGE_LABELS.get(groups[0], groups[0]),
                "second": AGE_LABELS.get(groups[1], groups[1]),
            },
        )
    ]


def _survival_missing_error(
    file: str,
    missing: np.ndarray,
    municipalities: list[str],
    years: tuple[int, ...],
    groups: tuple[str, ...],
) -> Finding:
    """The error naming the first of the ratios no row gives, and how many there are."""
    # ``missing`` leaves out the first destination group (births fill it), so index ``a`` is the
    # destination ``a + 1``, whose ratio a row gives under its start age ``groups[a]``.
    k, m, s, a = (int(i) for i in np.argwhere(missing)[0])
    return Finding(
        severity="error",
        file=file,
        line=None,
        column="-",
        check="survival-missing",
        params={
            "what": f"{municipalities[m]} {years[k]}→{years[k + 1]}年 {'男女'[s]} "
            f"{AGE_LABELS.get(groups[a], groups[a])}",
            "count": int(missing.sum()),
        },
    )
