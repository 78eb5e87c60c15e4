# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 圏域の人口の見通し（第3次一関・平泉定住自立圏共生ビジョン）
#
# 国立社会保障・人口問題研究所（社人研）の将来推計人口と、一関市・平泉町の人口ビジョン（将来展望人口）を、
# 年齢3区分別に比較します。数値はすべて原資料から転記した人数をもとに再計算しています。

# %% tags=["parameters"]
municipality = "圏域"  # 表で詳しく見る地域（一関市・平泉町・圏域）
base_year = 2020  # 増減率の基準年
target_year = 2028  # 目標年（公表されていない年は前後の公表年から補間）
vision_path = ""  # 改訂された人口ビジョンのファイル（空欄なら同梱データ）
projection_path = ""  # 新しい社人研推計のファイル（空欄なら同梱データ）
vision_label = ""  # 提供ファイルの版の名称（空欄ならファイル名から）
projection_label = ""
vision_source = ""  # 展望の出典（空欄なら「提供ファイル ファイル名」）
vision_extended_after = 0  # シナリオから作った展望の基準のデータの最終年（これより後は「延長」。0 なら延長なし）
output_dir = ""  # 図の出力先（空欄なら reports/）
method = "linear"  # 補間方法: "linear"（線形）または "geometric"（幾何）
age_sex_path = ""  # 男女・5歳階級別人口のファイル（将来推計に使う場合）
age_sex_label = ""  # その版の名称（空欄なら「提供された男女・5歳階級別データ」）
population_actuals_path = ""  # 人口の実績（国勢調査・住民基本台帳）のファイル（空欄なら同梱データ）
results_path = ""  # 実行が計算した結果（py tasks.py reports が指定。空欄ならここで計算）
figure_cache = ""  # 描いた図を保存し、同じ図は描き直さない場所（py tasks.py reports が指定。空欄なら毎回描く）

# %%
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from analysis.model import cohort, population, population_actuals
from analysis.report import figures
from analysis.report.display import PEOPLE, PERCENT, POINTS_SIGNED, RATIO, bullets, heading, html_text, paragraph, strong, table
from analysis.core.paths import REPORTS
from analysis.run.results import obtain
from analysis.core.schema import REGION, TOTAL

figures.setup(cache=figure_cache)
figure_dir = Path(output_dir or REPORTS) / "figures"
# Computed once by the run (or here, by the same function, when opened by hand): this
# notebook only narrates them.
computed = obtain(
    results_path,
    base_year=base_year,
    target_year=target_year,
    vision_path=vision_path,
    projection_path=projection_path,
    vision_label=vision_label,
    projection_label=projection_label,
    vision_source=vision_source,
    vision_extended_after=vision_extended_after,
    method=method,
    age_sex_path=age_sex_path,
    age_sex_label=age_sex_label,
    population_actuals_path=population_actuals_path,
)
data = computed.population.data
tables = computed.population.tables
facts = computed.population.facts
projection = population.current_edition(data, "projection")
vision = population.current_edition(data, "vision")
structure = tables["age_structure"]
# A vision made from a scenario runs past its data's last year (延長): marked in tables and figures.
extended_after = int(vision_extended_after or 0)
shaded_after = extended_after or None
areas = [m for m in [*data.municipalities, REGION] if m in set(structure["municipality"])]


detailed = [e for e in data.editions if e.age_sex and e.edition in data.age_sex]
if age_sex_path:
    age_sex_line = f"{age_sex_label or '提供された男女・5歳階級別データ'}による将来推計は、報告書「男女・5歳階級別の将来人口推計」にあります"
elif detailed:
    age_sex_line = f"「{detailed[-1].label}」による将来推計は、報告書「男女・5歳階級別の将来人口推計」にあります"
else:
    age_sex_line = "ありません"
borrowed_notes = [f.message for f in data.findings if f.check == "borrowed-municipality"]
display(
    bullets(
        [
            html_text("推計：", strong(projection.label)),
            html_text("展望：", strong(vision.label)),
            *(f"{note}（表の「算出値」に○）" for note in borrowed_notes),
            f"男女・5歳階級別データ：{age_sex_line}",
            f"基準年：{int(base_year)}年　目標年：{int(target_year)}年　"
            f"補間方法：{'線形' if method == 'linear' else '幾何'}",
            *([population.extended_note(extended_after)] if extended_after else []),
        ]
    )
)

# %% [markdown]
# ## 要点

# %%
display(
    bullets(
        [
            *population.key_points(
                tables, municipality, int(target_year), projection, vision, data.findings
            ),
            *computed.population.vision_points,
        ]
    )
)

# %% [markdown]
# ## データ検証の結果
#
# 転記した表の合計・比率と、本文に記載された数値を、人口（人）から再計算して照合した結果です。
# 「補正ファイル」欄のある項目は、原資料の別の印刷値から正しい値が一意に決まるため、
# 根拠とともに記録した補正を適用して以降の集計に用いています（転記した原データは変更していません）。
# 同じ補正で解消する検査結果は、1件の不整合として数えます。

# %%
findings = tables["findings"]
if findings.empty:
    display(Markdown("不整合は見つかりませんでした。"))
else:
    display(
        table(
            population.council_findings(findings),
            caption="検証の結果（ファイル・行の位置は Excel の「検証結果」シートにあります）",
        )
    )
if not tables["corrections"].empty:
    display(
        table(
            tables["corrections"].assign(
                edition=lambda d: d["edition"].map({e.edition: e.short_label for e in data.editions})
            ),
            {"printed_population": PEOPLE, "corrected_population": PEOPLE},
            caption="適用した補正（補正前の印刷値、補正後の値、根拠）",
        )
    )

# %% [markdown]
# ## 年齢3区分別人口
#
# 斜線の棒は公表値ではなく、前後の公表年から補間した値です。

# %%
for area in areas:
    figures.show(
        figures.population_by_age(
            structure,
            area,
            [(projection.edition, f"推計：{projection.short_label}"), (vision.edition, f"展望：{vision.short_label}")],
            extended_after={vision.edition: extended_after} if extended_after else None,
        ),
        f"population_by_age_{area}",
        figure_dir,
    )

# %%
counts = {c: PEOPLE for c in ["0-14", "15-64", "65+", "total"]}
for edition in (projection, vision):
    rows = structure[
        (structure["edition"] == edition.edition) & (structure["municipality"] == municipality)
    ]
    marked = rows.assign(extended=population.extended_rows(rows, extended_after, vision.edition))
    shown_columns = ["year", "0-14", "15-64", "65+", "total", "aging_rate_pct", "interpolated"]
    display(
        table(
            marked[shown_columns + (["extended"] if marked["extended"].any() else [])],
            {**counts, "aging_rate_pct": PERCENT},
            caption=f"{municipality}の年齢3区分別人口（{edition.label}）",
        )
    )

# %% [markdown]
# ## 高齢化率と年齢構造の指標

# %%
figures.show(
    figures.aging_rate_trajectories(
        structure,
        [(projection.edition, "推計", "projection"), (vision.edition, "展望", "vision")],
        areas,
        extended_after=shaded_after,
    ),
    "aging_rate",
    figure_dir,
)
short = {e.edition: e.short_label for e in data.editions}
current = [projection.edition, vision.edition]  # the editions named at the top, and no other
indices = structure[(structure["municipality"] == municipality) & structure["edition"].isin(current)]
indices = indices.assign(
    extended=population.extended_rows(indices, extended_after, vision.edition),
    edition=lambda d: d["edition"].map(short),
)[
    ["edition", "year", "aging_rate_pct", "youth_dependency_pct", "old_age_dependency_pct",
     "dependency_pct", "ageing_index_pct", "extended"]
]
if not indices["extended"].any():
    indices = indices.drop(columns=["extended"])
display(
    table(
        indices,
        {c: PERCENT for c in indices.columns if c.endswith("_pct")},
        caption=f"{municipality}の高齢化率と人口指数",
    )
)

# %% [markdown]
# ## 基準年からの増減

# %%
change = tables["change"]
last_years = change.groupby("edition")["year"].transform("max")
change_rows = change[(change["municipality"] == municipality) & (change["year"] == last_years)
                     & change["edition"].isin(current)]
change_rows = change_rows.assign(extended=population.extended_rows(change_rows, extended_after, vision.edition))
if not change_rows["extended"].any():
    change_rows = change_rows.drop(columns=["extended"])
display(
    table(
        change_rows.drop(columns=["municipality"]).assign(edition=lambda d: d["edition"].map(short)),
        {"population": PEOPLE, "base_population": PEOPLE, "change": PEOPLE,
         "change_rate_pct": PERCENT, "index": RATIO},
        caption=f"{municipality}の{int(base_year)}年からの増減（各版の最終年）",
    )
)

# %% [markdown]
# ## 推計人口と展望人口の比較
#
# 社人研推計（破線）と人口ビジョンの将来展望人口（実線）の総人口です。白抜きの点は補間値、
# ★は本ビジョンの人口目標、◆は新しい社人研推計（2023年（令和5年）12月公表）の2040年の値です。

# %%
frame = tables["population"]
totals = frame[(frame["age_group"] == TOTAL) & (frame["municipality"] == REGION)]
totals = totals.assign(derived=cohort.is_interpolated(totals))  # the white points: interpolated only
targets = facts[facts["fact"].isin(["target_2028", "target_2040"])].assign(
    population=lambda d: d["value"], label=lambda d: d["value"].map(lambda v: f"目標 {v:,.0f}人程度")
)
newer = facts[facts["fact"] == "ipss_2023_2040"].assign(
    population=lambda d: d["value"], label=lambda d: d["value"].map(lambda v: f"{v:,.0f}")
)
figures.show(
    figures.projection_vs_vision(
        totals[totals["edition"] == projection.edition],
        totals[totals["edition"] == vision.edition],
        targets,
        newer,
        {"projection": "社人研推計（2018年（平成30年）3月公表）" if projection.edition == "ipss_2018" else projection.label,
         "vision": "人口ビジョン（将来展望人口）" if vision.edition == "vision_2024" else vision.label,
         "newer": "社人研推計（2023年（令和5年）12月公表）"},
        extended_after=shaded_after,
    ),
    "projection_vs_vision",
    figure_dir,
)
comparison = tables["comparison"]
compared = comparison[comparison["municipality"] == municipality].drop(
    columns=["age_group", "baseline", "alternative"]
)
compared = compared.assign(extended=population.extended_rows(compared, extended_after))
if not compared["extended"].any():
    compared = compared.drop(columns=["extended"])
display(
    table(
        compared,
        {"population_baseline": PEOPLE, "population_alternative": PEOPLE, "gap": PEOPLE, "ratio": RATIO},
        caption=f"{municipality}の推計人口と展望人口の差と比",
    )
)
vision_2040 = totals[(totals["edition"] == vision.edition) & (totals["year"] == 2040)]["population"]
# The source's own figure of this gap belongs to the vision it was stated for, never another.
stated_gap = facts[(facts["fact"] == "gap_2040") & (facts["check_edition"] == vision.edition)]
stated = float(stated_gap["value"].iloc[0]) if len(stated_gap) else 0.0
if len(vision_2040) and len(newer):
    gap = float(vision_2040.iloc[0]) - float(newer["value"].iloc[0])
    display(
        paragraph(
            f"2040年の展望人口 {float(vision_2040.iloc[0]):,.0f}人と、2023年（令和5年）12月公表の社人研推計 "
            f"{float(newer['value'].iloc[0]):,.0f}人の差（展望−推計）は ",
            strong(f"{gap:+,.0f}人"),
            " です" + (f"（原資料では「約{stated:,.0f}人」）。" if stated else "。"),
        )
    )

# %% [markdown]
# ## 目標との比較

# %%
display(
    table(
        population.targets_for_display(tables["targets"]),
        caption="本ビジョンの目標と人口ビジョンの値（人口は人、高齢化率は%）",
    )
)

# %% [markdown]
# ## 人口の実績
#
# 国勢調査（10月1日現在）と住民基本台帳（各基準日現在の住民登録の人数）の人口を、人口ビジョンの将来展望と
# 社人研推計の値、本ビジョンの目標と比べます。**国勢調査と住民基本台帳は数え方の違う別の人口**です
# （住民基本台帳は住民登録をもとにし、国勢調査は実際に住んでいる人を数えます）。表と図では種別を分けて示し、
# 同じ日に両方を並べることはしません。

# %%
actual_tables = computed.population.actual_tables
display(bullets(population_actuals.key_points(actual_tables, data, municipality)))
by_date = actual_tables["actual_by_date"]
display(
    table(
        by_date[by_date["municipality"] == municipality][
            ["date", "kind_label", "0-14", "15-64", "65+", "total", "aging_rate_pct"]
        ],
        {**counts, "aging_rate_pct": PERCENT},
        caption=f"{municipality}の人口の実績（年齢3区分、人。高齢化率は%）",
    )
)

# %%
drawn = population_actuals.figure_inputs(actual_tables, data, facts, municipality)
figures.show(
    figures.actuals_vs_paths(drawn["paths"], drawn["actuals"], drawn["gaps"], drawn["targets"]),
    "actuals_vs_paths",
    figure_dir,
)

# %%
names = {e.edition: e.short_label for e in data.editions}
people_gap = "{:+,.0f}"  # differences with their sign: 実績−推計・展望, 実績−目標
points_gap = POINTS_SIGNED
against = actual_tables["actual_vs_paths"]
against = against[against["municipality"] == municipality].assign(
    edition=lambda d: d["edition"].map(names)
)
display(
    table(
        against[["date", "kind_label", "edition", "actual_population", "path_population", "gap_people"]],
        {"actual_population": PEOPLE, "path_population": PEOPLE, "gap_people": people_gap},
        caption=f"{municipality}の実績と推計・展望（総人口、人。差は実績−推計・展望。推計・展望は実績の基準日に補間）",
    )
)
display(
    table(
        against[["date", "kind_label", "edition", "actual_aging_rate_pct", "path_aging_rate_pct",
                 "gap_aging_points"]],
        {"actual_aging_rate_pct": PERCENT, "path_aging_rate_pct": PERCENT, "gap_aging_points": points_gap},
        caption=f"{municipality}の実績と推計・展望（高齢化率、%。差は実績−推計・展望、ポイント）",
    )
)

# %%
gaps = actual_tables["actual_targets"]
gaps = population_actuals.latest_of_each_kind(gaps[gaps["municipality"] == municipality])
if gaps.empty:
    display(paragraph(f"{municipality}には本ビジョンの人口目標がありません（目標は圏域の値です）。"))
else:
    display(
        table(
            gaps[["date", "kind_label", "target_year", "target_population", "actual_population",
                  "gap_to_target_people", "needed_change_per_year_people"]],
            {"target_population": PEOPLE, "actual_population": PEOPLE,
             "gap_to_target_people": people_gap, "needed_change_per_year_people": people_gap},
            caption="最新の実績と本ビジョンの人口目標（種別ごとの最新の実績。人。差は実績−目標。必要な増減は目標年の10月1日までの1年あたり）",
        )
    )
    display(
        table(
            gaps[["date", "kind_label", "target_year", "target_aging_rate_pct", "actual_aging_rate_pct",
                  "gap_to_target_aging_points"]],
            {"target_aging_rate_pct": PERCENT, "actual_aging_rate_pct": PERCENT,
             "gap_to_target_aging_points": points_gap},
            caption="最新の実績と本ビジョンの高齢化率の目標（種別ごとの最新の実績。%。差は実績−目標、ポイント）",
        )
    )
ranked = actual_tables["actual_closest"]
ranked = ranked[ranked["municipality"] == municipality]
if len(ranked):
    display(
        table(
            ranked.assign(edition=lambda d: d["edition"].map(names))[
                ["date", "rank", "edition", "actual_population", "path_population", "gap_people"]
            ],
            {"actual_population": PEOPLE, "path_population": PEOPLE, "gap_people": people_gap},
            caption=f"{municipality}の国勢調査の人口に近かった推計・展望（1が最も近い。差は実績−推計・展望、人）",
        )
    )

# %% [markdown]
# ## 原資料の本文に記載された数値
#
# 表にはなく本文にだけ記載されている数値です。
# 国勢調査と社人研推計（2018年（平成30年）3月公表）の値は、上の表の値と一致することを検査しています。

# %%
display(
    table(
        population.facts_for_display(facts),
        caption="本文に記載された数値",
    )
)

# %% [markdown]
# ## 算出方法
#
# **考え方**：人口は、原資料の表に印刷された年齢3区分（0～14歳、15～64歳、65歳以上）の人数をもとにしています。
# 総人口や圏域の値は人数を足して確かめ、割合や高齢化率は人数から計算し直しています。原資料に載っていない年（2028年など）は、
# 前後の公表年のあいだを一定の割合で変化したものとして求め（補間）、表と図に「補間」と示します。
# 新しい版が一部の市町だけのときは、ほかの市町は以前の版の値を使い、その旨を冒頭と表に示します。
#
# | 数値 | 算出方法 |
# | --- | --- |
# | 総人口 | 年少人口（0～14歳）＋生産年齢人口（15～64歳）＋老年人口（65歳以上）。印刷された合計がある場合はそれを用い、年齢区分の和と照合 |
# | 圏域 | 一関市＋平泉町（印刷された圏域合計と照合） |
# | 高齢化率（%） | 老年人口 ÷ 総人口 × 100 |
# | 人口比率（%） | 各年齢区分の人口 ÷ 総人口 × 100 |
# | 増減率（%） | （対象年の人口 − 基準年の人口）÷ 基準年の人口 × 100 |
# | 指数 | 対象年の人口 ÷ 基準年の人口（基準年 = 1.0） |
# | 年少人口指数・老年人口指数・従属人口指数 | 0～14歳、65歳以上、その和をそれぞれ 15～64歳人口で割って 100 倍 |
# | 老年化指数 | 65歳以上人口 ÷ 0～14歳人口 × 100 |
# | 補間値（線形） | 前後の公表年の値 P₀（年 y₀）、P₁（年 y₁）から P₀ ＋（P₁ − P₀）×（y − y₀）÷（y₁ − y₀）。原資料の2028年の推計人口（2025年から2030年までの減少数から推計）と同じ方法 |
# | 補間値（幾何） | P₀ ×（P₁ ÷ P₀）^((y − y₀) ÷ (y₁ − y₀))。各年齢区分を補間し、総人口はその和 |
# | 差・比 | 差 = 展望人口 − 推計人口、比 = 展望人口 ÷ 推計人口（国の手引きの「影響度」は将来推計のシミュレーション同士の比で、これとは別のものです） |
# | 人口の実績の圏域 | 一関市＋平泉町（同じ基準日に両方の市町の行があるときだけ）。総数がない場合は年齢3区分の和 |
# | 実績の基準日の推計・展望の値 | 推計・展望の各年の値をその年の10月1日（国勢調査の日）の人口とみなし、前後の年の10月1日の値 P₀、P₁ から日数で直線補間：P₀ ＋（P₁ − P₀）×（前の年の10月1日から基準日までの日数）÷（2つの10月1日のあいだの日数）。高齢化率は65歳以上人口と総人口をそれぞれ補間してから計算。推計・展望の年の範囲外の実績とは比べません |
# | 実績との差 | 実績 − 推計・展望（人）、実績の高齢化率 − 推計・展望の高齢化率（ポイント）。正なら実績が多い（高い） |
# | 目標との差 | 実績 − 目標（人）、実績の高齢化率 − 目標の高齢化率（ポイント）。目標は本ビジョンの本文に記載された2028年と2040年の値 |
# | 目標に必要な増減（人／年） | （目標 − 実績）÷ 実績の基準日から目標年の10月1日までの年数（日数 ÷ 365.25） |
# | 国勢調査に最も近い推計・展望 | その国勢調査の年を推計した版（その年を国勢調査の値として持つ版と、その年に始まる版を除く）を、実績 − 推計の絶対値の小さい順に並べた1番目 |
#
#
# 端数は表示の際にのみ四捨五入しています。公表年の範囲外の年（外挿）は計算しません。

# %%
display(
    bullets(
        [
            *(
                html_text(strong(population.edition_name(e)), f"：{e.source}")
                for e in data.editions
            ),
            "原資料：2023年度（令和5年度）第4回一関・平泉定住自立圏共生ビジョン懇談会資料（2024年3月21日）"
            "「第3次一関・平泉定住自立圏共生ビジョン（案）」。本文の数値（1955年のピーク、国勢調査人口、"
            "2023年（令和5年）12月公表の社人研推計、目標値）は本文から転記しています。",
        ],
        before=html_text(heading(3, "sources", "データの出典と版")),
    )
)
