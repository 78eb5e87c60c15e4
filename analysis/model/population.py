"""The population report's tables, built from loaded data; shared by the CLI and the notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.core import precision
from analysis.core.findings import DataError, Finding, problem_count
from analysis.core.schema import REGION, TOTAL
from analysis.inputs import agesex
from analysis.inputs.agesex import AgeSexLoaded
from analysis.inputs.data import Edition, PopulationData
from analysis.inputs.scenario_inputs import ScenarioInputs
from analysis.model import cohort, scenarios


def published_text(published: str) -> str:
    """「2018年3月公表」 from ``2018-03`` (the registry's dates), one dating style everywhere."""
    found = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", published.strip())
    if found:
        return f"{found.group(1)}年{int(found.group(2))}月公表"
    return f"{published.strip()}公表" if published.strip() else ""


def edition_name(edition: Edition) -> str:
    """An edition's name with its publication date once: 「…（2018年3月公表）」, or the name
    alone when it already says when it was published or the date is unknown."""
    when = published_text(edition.published)
    if not when or "公表" in edition.label:
        return edition.label
    return f"{edition.label}（{when}）"


def current_edition(data: PopulationData, kind: str) -> Edition:
    """The newest edition of a kind: the last one registered (supplied files come last)."""
    candidates = [e for e in data.editions if e.kind == kind]
    if not candidates:
        raise ValueError(f"no {kind} edition is registered")
    return candidates[-1]


def analysis_frame(
    data: PopulationData, years: list[int], method: cohort.Method = "linear"
) -> pd.DataFrame:
    """Corrected counts plus interpolated rows for ``years`` in every edition."""
    return cohort.with_years(data.corrected, years, method)


def comparison_table(
    frame: pd.DataFrame, projection: str, vision: str, municipality: str = REGION
) -> pd.DataFrame:
    """推計 vs 展望 totals (人) for one area: gap (人) and ratio (展望 ÷ 推計).

    The ratio is not the national guidance's 影響度 (which compares simulations of
    one projection; see :mod:`analysis.model.scenarios`), so it is never called that.
    """
    totals = frame[(frame["age_group"] == TOTAL) & (frame["municipality"] == municipality)]
    return cohort.compare(totals, projection, vision).sort_values("year").reset_index(drop=True)


def target_table(frame: pd.DataFrame, facts_table: pd.DataFrame, vision: str) -> pd.DataFrame:
    """The plan's targets beside the vision's values for the same year."""
    structure = cohort.age_structure(frame).set_index(["edition", "municipality", "year"])
    targets = facts_table[facts_table["fact"].str.startswith("target_")]
    rows = []
    for row in targets.itertuples():
        key = (vision, row.municipality, row.year)
        column = "total" if row.quantity == "population" else "aging_rate_pct"
        value = float(structure.loc[key, column]) if key in structure.index else float("nan")
        rows.append(
            {
                "municipality": row.municipality,
                "year": row.year,
                "quantity": row.quantity,
                "target": row.value,
                "vision_value": value,
                "difference": value - row.value,
                "source_line": row.source_line,
            }
        )
    return pd.DataFrame(rows)


_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]|\\\\")
"""How an absolute path on Windows starts: a drive (``C:\\`` or ``C:/``) or a share (``\\\\``)."""


def report_name(file: str) -> str:
    """A file named for a report: a path outside the project becomes its file name.

    Findings name a file inside the project relative to it (``data/raw/…``, kept) and
    one outside it by its absolute path: ``/…`` on Linux and macOS, whose file name is
    the part after the last ``/`` (a ``\\`` belongs to the name, as in ``\\n`` for a
    control character), and ``C:\\…`` or ``\\\\server\\…`` on Windows, where ``\\``
    and ``/`` both separate. Pure text: the model sees no path.
    """
    path, bracket, rest = file.partition("[")
    if path.startswith("/"):
        path = path.rsplit("/", 1)[-1]
    elif _WINDOWS_ABSOLUTE.match(path):
        path = path.replace("\\", "/").rsplit("/", 1)[-1]
    return path + bracket + rest


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table for reports and Excel: Japanese text, no machine paths.

    A file outside the project is named by its file name only, so a report reads
    the same wherever the project and the supplied file live.
    """
    rows = []
    for f in findings:
        file = report_name(f.file)
        location = f"{file}!{f.cell}" if f.cell else f"{file}:{'-' if f.line is None else f.line}"
        rows.append(
            {
                "severity": f.severity,
                "check": f.check,
                "location": location,
                "column": f.column,
                "message": f.message,
                "resolved_by": report_name(f.resolved_by),
            }
        )
    columns = ["severity", "check", "location", "column", "message", "resolved_by"]
    return pd.DataFrame(rows, columns=columns)


_FILE_REFERENCE = re.compile(
    r"（[^（）]*?\.(?:csv|xlsx)(?::\d+|\[[^\]]*\]![A-Z]+\d+)? ?で補正済み）"
)
_SOURCE_LINES = re.compile(r"（原資料[\d;；、]+行）")
_PATH = re.compile(r"(?:[\w.\-]+/)+[\w.\-]+\.(?:csv|xlsx)(?::\d+|\[[^\]]*\]![A-Z]+\d+)?")


def council_text(message: str) -> str:
    """A finding's message for report prose: the file and line references of the
    transcription (which the CSV/xlsx keep in their own columns) left out."""
    text = _FILE_REFERENCE.sub("（補正済み）", message)
    text = _SOURCE_LINES.sub("", text)
    return _PATH.sub(lambda m: m.group(0).split(":")[0].split("[")[0].rsplit("/", 1)[-1], text)


def council_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """:func:`findings_frame` for a report: kind, check, the message in plain words and
    whether a documented correction resolves it; no file, line or cell."""
    return pd.DataFrame(
        {
            "severity": findings["severity"],
            "check": findings["check"],
            "message": findings["message"].map(council_text),
            "corrected": findings["resolved_by"].astype(bool),
        }
    )


def _population_table(frame: pd.DataFrame, editions: list[Edition]) -> pd.DataFrame:
    """The counts (人) of every edition with its label, how each was derived and corrected."""
    labels = {e.edition: e.label for e in editions}
    long = frame.assign(
        edition_label=frame["edition"].map(labels),
        corrected=frame["corrected"].astype("boolean").fillna(False).astype(bool),
    )
    return long[
        [
            "edition",
            "edition_label",
            "municipality",
            "year",
            "age_group",
            "population",
            "derived",
            "derivation",
            "corrected",
        ]
    ]


def _change_table(frame: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Each series' change (人, %) and index from ``base_year``."""
    # A series that does not reach back to the base year has no change from it.
    has_base = frame.groupby(cohort.SERIES)["year"].transform(lambda y: (y == base_year).any())
    change = cohort.change_from_base(frame[has_base.astype(bool)], base_year)
    return change[
        [
            "edition",
            "municipality",
            "year",
            "age_group",
            "population",
            "base_population",
            "change",
            "change_rate_pct",
            "index",
            "derived",
        ]
    ]


def build_tables(
    data: PopulationData,
    facts_table: pd.DataFrame,
    *,
    base_year: int,
    target_year: int,
    method: cohort.Method = "linear",
) -> dict[str, pd.DataFrame]:
    """Every processed table of the population report (tidy, unrounded); ``facts_table``: the
    facts stated in the source's prose (:func:`analysis.inputs.source_figures.read_stated_facts`)."""
    projection = current_edition(data, "projection").edition
    vision = current_edition(data, "vision").edition
    frame = analysis_frame(data, [base_year, target_year], method)
    structure = cohort.age_structure(frame)
    comparison = pd.concat(
        [
            comparison_table(frame, projection, vision, m)
            for m in [*data.municipalities, REGION]
            if m in set(frame["municipality"])
        ],
        ignore_index=True,
    )
    findings = findings_frame(data.findings)
    return {
        "population": _population_table(frame, data.editions),
        "age_structure": structure,
        "change": _change_table(frame, base_year),
        "comparison": comparison,
        "targets": target_table(frame, facts_table, vision),
        "findings": findings,
        "corrections": data.corrections,
    }


def key_points(
    tables: dict[str, pd.DataFrame],
    area: str,
    year: int,
    projection: Edition,
    vision: Edition,
    findings: list[Finding] | None = None,
) -> list[str]:
    """Short Japanese sentences with the headline numbers of one area and year (for 要点)."""
    structure = tables["age_structure"].set_index(["edition", "municipality", "year"])
    points = []
    for edition, role in ((projection, "推計"), (vision, "展望")):
        key = (edition.edition, area, year)
        if key not in structure.index:
            points.append(f"{role}（{edition.short_label}）には{area}の{year}年の値がありません。")
            continue
        row = structure.loc[key]
        derived = "（前後の公表年から補間）" if bool(row["interpolated"]) else ""
        points.append(
            f"{year}年の{area}の{role}人口は{row['total']:,.0f}人{derived}、"
            f"高齢化率は{precision.text(row['aging_rate_pct'], 'percent')}です（{edition.short_label}）。"
        )
    comparison = tables["comparison"]
    match = comparison[(comparison["municipality"] == area) & (comparison["year"] == year)]
    if len(match):
        gap = match.iloc[0]
        points.append(
            f"展望人口は推計人口より{abs(gap['gap']):,.0f}人{'多く' if gap['gap'] >= 0 else '少なく'}、"
            f"展望÷推計の比は{precision.number(gap['ratio'], 'ratio')}です。"
        )
    targets = tables["targets"]
    for row in targets[(targets["municipality"] == area) & (targets["year"] == year)].itertuples():
        if pd.isna(row.vision_value):
            continue  # the vision has no value for this area and year (said above)
        if row.quantity == "population":
            points.append(
                f"{year}年の人口目標{row.target:,.0f}人程度に対し、人口ビジョンの値は{row.vision_value:,.0f}人です。"
            )
        else:
            points.append(
                f"{year}年の高齢化率目標{precision.text(row.target, 'percent')}程度に対し、"
                f"人口ビジョンの値は{precision.text(row.vision_value, 'percent')}です。"
            )
    if findings:
        problems, corrected = problem_count(findings)
        if problems:
            checks = sum(f.severity == "warning" for f in findings)
            points.append(
                f"原資料の検証で{problems}件の不整合が見つかりました（うち{corrected}件は補正済み、"
                f"検査結果は{checks}件）。詳細は「データ検証の結果」を参照してください。"
            )
    return points


def vision_points(
    tables: dict[str, pd.DataFrame],
    vision: Edition,
    settler_target: tuple[float, int],
    extended_after: int = 0,
) -> list[str]:
    """The 将来展望 (the vision in use) in the 要点, one sentence each: its 圏域 in the plan's
    target year against the plan's target (``settler_target``: people, year, from the source's
    prose), its 2060 and 2070 (延長 said), and when its aging rate peaks."""
    structure = tables["age_structure"]
    rows = structure[
        (structure["edition"] == vision.edition) & (structure["municipality"] == REGION)
    ].set_index("year")
    if rows.empty:
        return []
    # 「人口ビジョン（2024年3月）の将来展望」, or the name alone when it says 将来展望 (no
    # brackets inside brackets).
    name = (
        vision.short_label
        if vision.short_label.startswith("将来展望")
        else f"{vision.short_label}の将来展望"
    )
    points = []
    target, target_year = settler_target
    if target_year in rows.index:
        value = float(rows.loc[target_year, "total"])
        side = "上回ります" if value >= target else "下回ります"
        points.append(
            f"{name}の{target_year}年の圏域の人口は{precision.text(value, 'people')}で、"
            f"計画の目標{precision.text(target, 'people')}程度を"
            f"{precision.text(abs(value - target), 'people')}{side}。"
        )
    later = [y for y in (2060, 2070) if y in rows.index]
    if later:
        described = "、".join(
            f"{y}年{precision.text(float(rows.loc[y, 'total']), 'people')}" for y in later
        )
        extended = [y for y in later if extended_after and y > extended_after]
        points.append(
            f"{name}の圏域の人口は{described}です"
            + (
                f"（{'・'.join(map(str, extended))}年は延長：{extended_after}年より後は最後の期間の率を据え置き）。"
                if extended
                else "。"
            )
        )
    else:
        points.append(
            f"{name}には2060年・2070年の値がありません（最後の年は{int(rows.index.max())}年）。"
        )
    rates = rows["aging_rate_pct"].dropna()
    if len(rates):
        peak = int(rates.idxmax())
        points.append(
            f"{name}の圏域の高齢化率は{peak}年に最も高く{precision.text(float(rates.loc[peak]), 'percent')}です"
            + ("（延長した年）。" if extended_after and peak > extended_after else "。")
        )
    return points


def extended_rows(frame: pd.DataFrame, after: int, edition: str | None = None) -> pd.Series:
    """True on the rows (of ``edition``, when the frame has editions) whose year is past
    ``after``, the last year of the data a vision made from a scenario was projected from:
    延長 years, the last period's rates held. All False when ``after`` is 0 (a vision as
    published has no 延長)."""
    if not after:
        return pd.Series(False, index=frame.index)
    later = frame["year"] > after
    if edition is not None and "edition" in frame:
        later &= frame["edition"] == edition
    return later


def extended_note(after: int) -> str:
    """The sentence saying what the 延長 marks mean (empty when nothing is extended)."""
    if not after:
        return ""
    return (
        f"将来展望の{after}年より後の年は、基準のデータの最後の年（{after}年）より後を最後の期間の率を"
        "据え置いて推計した「延長」の値です（表の「延長」欄に○、図では網掛けと「（延長）」）。"
    )


def targets_for_display(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets table with each value in its own unit and one precision per quantity
    (:mod:`analysis.core.precision`): people whole (人), rates in % and the difference of two
    rates in ポイント, both to two decimals."""
    people = targets["quantity"] == "population"

    def shown(values: pd.Series, signed: bool = False) -> pd.Series:
        return pd.Series(
            [
                precision.text(
                    v, "people" if is_people else ("points" if signed else "percent"), signed=signed
                )
                for v, is_people in zip(values, people, strict=True)
            ],
            index=values.index,
        )

    return pd.DataFrame(
        {
            "municipality": targets["municipality"],
            "year": targets["year"],
            "quantity": targets["quantity"],
            "target": shown(targets["target"]),
            "vision_value": shown(targets["vision_value"]),
            "difference": shown(targets["difference"], signed=True),
        }
    )


def facts_for_display(facts_table: pd.DataFrame) -> pd.DataFrame:
    """Facts stated only in the source's prose (not targets): what, year, value with its unit."""
    shown = facts_table[~facts_table["fact"].str.startswith(("target_", "gap_"))]
    values = [
        precision.text(v, "people" if quantity == "population" else "percent")
        for v, quantity in zip(shown["value"], shown["quantity"], strict=True)
    ]
    return pd.DataFrame(
        {
            "description": shown["description"],
            "municipality": shown["municipality"],
            "year": shown["year"],
            "value": values,
        }
    )


# ---------------------------------------------------------------- projections by sex and age


@dataclass(frozen=True)
class AgeSexSource:
    """Where the projections' base data comes from, and the data."""

    label: str
    detail: AgeSexLoaded
    supplied: bool = False
    """The file given to the run (``--age-sex``), not a registered edition: its notes are
    the projections' notes."""


def vision_label_of(scenario_label: str) -> str:
    """The vision edition's name for a scenario: 「将来展望（…）」, once (a scenario that a
    planner already named 将来展望… keeps its name, no brackets inside brackets)."""
    if scenario_label.startswith("将来展望"):
        return scenario_label
    return f"将来展望（{scenario_label}）"


def age_sex_source(
    data: PopulationData, supplied: AgeSexLoaded | None = None, label: str = ""
) -> AgeSexSource | None:
    """The supplied age × sex data (read and checked by
    :func:`analysis.inputs.scenario_inputs.read_age_sex`), else the newest registered
    edition by sex and age, else None."""
    if supplied is not None:
        return AgeSexSource(label or "提供された男女・5歳階級別データ", supplied, supplied=True)
    for edition in reversed(data.editions):
        if edition.age_sex and edition.edition in data.age_sex:
            return AgeSexSource(edition.label, data.age_sex[edition.edition])
    return None


def default_settler_target(facts_table: pd.DataFrame) -> tuple[float, int]:
    """The plan's 2040 圏域 target (about 94,000 people), from the source's prose (``facts``)."""
    target = facts_table.set_index("fact").loc["target_2040"]
    return float(target["value"]), int(target["year"])


def projections(
    data: PopulationData,
    source: AgeSexSource,
    inputs: ScenarioInputs,
    default_target: tuple[float, int],
) -> scenarios.Projected:
    """Every scenario (the guidance's and those of the scenario file) from the age × sex
    data of ``source`` and the scenario ``inputs`` read and checked against them."""
    counts, spread = agesex.distribute_unknown(source.detail)
    projected = scenarios.build(
        counts,
        source.detail.groups,
        data.municipalities,
        source=source.label,
        inputs=inputs,
        default_target=default_target,
    )
    if source.supplied:
        projected.notes[:0] = source.detail.findings
    projected.notes[:0] = spread
    projected.printed_totals = source.detail.totals
    return projected


def scenario_vision(projected: scenarios.Projected | None, name: str) -> tuple[pd.DataFrame, str]:
    """Scenario ``name`` as a vision edition's table, and its label (「将来展望（…）」).

    Raises DataError naming the scenarios computed when there is no such scenario.
    """
    computed = list(projected.results.projections) if projected else []
    if projected is None or name not in computed:
        raise DataError(
            [
                Finding(
                    severity="error",
                    file="",
                    line=None,
                    column="--vision-from-scenario",
                    check="scenario-unknown",
                    params={"value": name, "known": "、".join(computed) or "なし"},
                )
            ]
        )
    return scenarios.vision_table(projected.results, name), projected.results.label(name)


def base_year_check(projected: scenarios.Projected, facts_table: pd.DataFrame) -> str:
    """The projection's base-year 圏域 total against the census figure of the source
    (``facts``: 国勢調査人口), with the gap explained: people of unknown age (年齢不詳) are in
    the census total but in no age group, so the projection cannot start from them.

    The base data's printed 総数 (``projected.printed_totals``), where it has one, tells
    how many people are of unknown age.
    """
    base = projected.results.base
    year = base.years[0]
    counted = float(base.population[0].sum())
    stated = facts_table
    row = stated[(stated["fact"] == f"census_{year}") & (stated["municipality"] == REGION)]
    if row.empty:
        return f"基準年（{year}年）の国勢調査人口が原資料にないため、総数との照合はしていません。"
    printed = float(row["value"].iloc[0])
    gap = printed - counted
    opening = f"基準年（{year}年）の圏域の人口は、年齢別の人数の合計で{counted:,.0f}人です。"
    spread = [
        f
        for f in projected.notes
        if f.check == "unknown-age-distributed" and f.params.get("year") == year
    ]
    if spread:
        opening += (
            "基準のデータの年齢不詳の人（"
            + "、".join(f"{f.params['municipality']} {f.params['count']}人" for f in spread)
            + "）は、社人研が基準人口を作るときと同じく、年齢別の人数に比例して配分してあります。"
        )
    if abs(gap) < 0.5:
        return opening + f"原資料の国勢調査人口{printed:,.0f}人と一致します。"
    # The gap read as the reader reads it: the census figure minus the sum of the ages.
    fewer = "少なく" if gap > 0 else "多く"
    sentence = opening + f"原資料の国勢調査人口{printed:,.0f}人より{abs(gap):,.0f}人{fewer}、"
    totals = projected.printed_totals
    both = totals[(totals["year"] == year) & (totals["sex"] == "both")] if len(totals) else totals
    if both.empty:
        return sentence + "基準のデータに総数がないため、年齢不詳によるものかは確かめられません。"
    unknown = float(both["population"].sum()) - counted
    if abs(unknown - gap) < 0.5:
        return (
            sentence + "その差は年齢不詳の人数（総数には含まれ、年齢別の人数には含まれない）です。"
        )
    if abs(unknown) < 0.5:
        return (
            sentence
            + "その差は基準のデータと原資料の数値の違いです（基準のデータの版・年を確かめてください）。"
        )
    return sentence + (
        f"うち{unknown:,.0f}人は年齢不詳の人数で、残りの{abs(gap - unknown):,.0f}人は基準のデータと"
        "原資料の数値の違いです（基準のデータの版・年を確かめてください）。"
    )
