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
# # 人口ビジョン・将来推計の新旧比較
#
# 改訂された人口ビジョンや新しい社人研推計を、それが置き換える版と比べます。
# 差はすべて「新−旧」（新しい版 − 以前の版）です：差（人）= 新しい版 − 以前の版、差の率 = 差 ÷ 以前の版 × 100（%）。

# %% tags=["parameters"]
vision_path = ""  # 改訂された人口ビジョンのファイル（空欄なら登録済みの版のみ）
projection_path = ""  # 新しい社人研推計のファイル
vision_label = ""  # 提供ファイルの版の名称（空欄ならファイル名から）
projection_label = ""
vision_source = ""  # 展望の出典（空欄なら「提供ファイル ファイル名」）
vision_extended_after = 0  # シナリオから作った展望の基準のデータの最終年（これより後は「延長」。0 なら延長なし）
target_years = "2028,2040"  # 比較する目標年（カンマ区切り。公表されていない年は補間）
output_dir = ""  # 図の出力先（空欄なら reports/）
results_path = ""  # 実行が計算した結果（py tasks.py reports が指定。空欄ならここで計算）
figure_cache = ""  # 描いた図を保存し、同じ図は描き直さない場所（py tasks.py reports が指定。空欄なら毎回描く）

# %%
from pathlib import Path

from IPython.display import Markdown, display

from analysis.report import figures
from analysis.model import population, revision
from analysis.inputs.agesex import AGE_LABELS
from analysis.report.display import (
    PEOPLE, PEOPLE_SIGNED, PERCENT, PERCENT_SIGNED, POINTS_SIGNED, bullets, heading, html_text, paragraph, strong, table,
)
from analysis.run.options import LONG_TERM_TARGET_YEAR
from analysis.core.paths import REPORTS
from analysis.run.results import obtain
from analysis.core.schema import REGION

figures.setup(cache=figure_cache)
figure_dir = Path(output_dir or REPORTS) / "figures"
years = [int(y) for y in str(target_years).split(",") if y.strip()]
# Computed once by the run (or here, by the same function, when opened by hand): this
# notebook only narrates them.
computed = obtain(
    results_path,
    target_year=next((y for y in years if y != LONG_TERM_TARGET_YEAR), LONG_TERM_TARGET_YEAR),
    vision_path=vision_path, projection_path=projection_path,
    vision_label=vision_label, projection_label=projection_label, vision_source=vision_source,
    vision_extended_after=vision_extended_after,
)
data = computed.population.data
frame = data.corrected
revision_pairs = computed.revisions
if not revision_pairs:
    display(Markdown("比較する版の組がありません（新しい版のファイルを指定してください）。"))

# %%
for compared in revision_pairs:
    old, new = compared.old, compared.new
    display(bullets(
        [html_text("以前の版：", strong(population.edition_name(old))),
         html_text("新しい版：", strong(population.edition_name(new)))],
        before=heading(2, f"compare-{new.edition}-{old.edition}", f"{new.short_label} と {old.short_label} の比較"),
    ))
    borrowed = revision.borrowed_municipalities(frame, new.edition)
    if borrowed:
        display(paragraph(
            f"新しい版には{'・'.join(borrowed)}の値がないため、{'・'.join(borrowed)}は比較していません"
            f"（新しい版の圏域は、{'・'.join(borrowed)}に以前の版の値を使った合計です）。"))
    census = [f.message for f in data.findings if f.check == "census-disagreement"
              and f.params.get("editions") in (f"{old.edition} {new.edition}", f"{new.edition} {old.edition}")]
    if census:
        display(paragraph(strong("国勢調査の年の違い"), "：" + " ".join(census)))
    # A vision made from a scenario runs past its data's last year: those years are 延長.
    extended_after = int(vision_extended_after or 0) if new.edition == "vision_supplied" else 0
    if extended_after:
        display(paragraph(population.extended_note(extended_after)))
    diff = compared.differences
    diff = diff.assign(extended=population.extended_rows(diff, extended_after))
    marks = ["extended"] if diff["extended"].any() else []
    summary = revision.target_year_summary(diff, years)
    display(
        table(
            summary[["municipality", "year", "old_population", "new_population", "difference_people", "difference_pct", "interpolated", *marks]],
            {"old_population": PEOPLE, "new_population": PEOPLE, "difference_people": PEOPLE_SIGNED, "difference_pct": PERCENT_SIGNED},
            caption="目標年の総人口（人）",
        )
    )
    aging = compared.aging
    aging = aging.assign(extended=population.extended_rows(aging, extended_after))[[*aging.columns, *marks]]
    display(
        table(
            aging,
            {"old_aging_rate_pct": PERCENT, "new_aging_rate_pct": PERCENT, "aging_rate_difference_points": POINTS_SIGNED},
            caption="高齢化率の差（新−旧、ポイント）",
        )
    )
    display(
        table(
            diff[["municipality", "year", "age_group", "old_population", "new_population", "difference_people", "difference_pct", "interpolated", *marks]],
            {"old_population": PEOPLE, "new_population": PEOPLE, "difference_people": PEOPLE_SIGNED, "difference_pct": PERCENT_SIGNED},
            caption="市町・年・年齢区分別の差（新−旧）",
        )
    )
    areas = [m for m in [*data.municipalities, REGION] if m in set(diff["municipality"])]
    for area in areas:
        figures.show(
            figures.revision_overlay(frame, area, (old.edition, old.short_label), (new.edition, new.short_label),
                                     extended_after=extended_after or None),
            f"revision_{new.edition}_{area}",
            figure_dir,
        )
    if compared.age_sex is not None:
        older, newer = data.age_sex[old.edition], data.age_sex[new.edition]
        by_age = compared.age_sex
        shared = sorted(set(by_age["year"]))
        display(paragraph(
            heading(3, f"age-sex-{new.edition}", "男女・5歳階級別の比較"),
            f"両方の版が男女・5歳階級別に公表している年（{'、'.join(map(str, shared))}年）を比べます。"
            + (f"最後の年齢階級が違うため（{AGE_LABELS.get(older.groups[-1], older.groups[-1])}と"
               f"{AGE_LABELS.get(newer.groups[-1], newer.groups[-1])}）、"
               f"{AGE_LABELS.get(by_age['age_group'].iloc[-1], by_age['age_group'].iloc[-1])}にまとめて比べます。"
               if older.groups[-1] != newer.groups[-1] else "")
        ))
        last = shared[-1]
        region = by_age[(by_age["municipality"] == REGION) & (by_age["year"] == last)]
        display(table(
            region.drop(columns=["municipality", "year"]),
            {"old_population": PEOPLE, "new_population": PEOPLE, "difference_people": PEOPLE_SIGNED, "difference_pct": PERCENT_SIGNED},
            caption=f"圏域の男女・年齢階級別人口（{last}年）",
        ))
        for area in [m for m in [*data.municipalities, REGION] if m in set(by_age["municipality"])]:
            figures.show(
                figures.revision_pyramid(by_age, area, last, old.short_label, new.short_label, AGE_LABELS),
                f"revision_pyramid_{new.edition}_{area}",
                figure_dir,
            )

# %% [markdown]
# ## 算出方法
#
# **考え方**：新しい版と以前の版の人数を、同じ市町・年・年齢区分どうしで引き算して比べます。
# どちらかの版が公表していない年は前後の公表年から補間し、「補間値」に○を付けます。
#
# | 数値 | 算出方法 |
# | --- | --- |
# | 差（新−旧、人） | 新しい版の人口 − 以前の版の人口 |
# | 差の率（新−旧、%） | （新しい版の人口 − 以前の版の人口）÷ 以前の版の人口 × 100 |
# | 高齢化率の差（新−旧、ポイント） | 新しい版の高齢化率 − 以前の版の高齢化率（高齢化率 = 65歳以上人口 ÷ 総人口 × 100） |
# | 比較する年 | 両方の版が公表している年と目標年。目標年を公表していない版は前後の公表年から線形補間（「補間値」欄に○） |
# | 一部の市町だけの新しい版 | 新しい版にない市町は比較しません。新しい版の圏域は、その市町に以前の版の値を使った合計です |
# | 圏域 | 提供ファイルに圏域がなく、すべての市町の値がある場合は市町の合計 |
#
# 原資料の印刷値の補正（根拠とともに記録したもの）は、補正対象の値が印刷値のままの版にだけ適用されます。
