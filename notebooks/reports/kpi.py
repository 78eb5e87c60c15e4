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
# # 成果指標（KPI）と事業費（第3次一関・平泉定住自立圏共生ビジョン）
#
# 32の具体的な取組と33の成果指標（KPI）について、2022年度の現状値から2028年度の目標値までの計画、
# 実績による進捗と評価、事業費（2024～2028年度、千円）、懇談会で指摘された設計上の確認事項をまとめます。

# %% tags=["parameters"]
as_of_fiscal_year = 0  # 評価年度（0 なら実績のある最新年度。実績がなければ2024年度）
actuals_path = ""  # KPI実績のファイル（空欄なら data/raw/kpi_actuals.csv）
plan_path = ""  # 見直した計画の版のフォルダー（空欄なら登録された版）
spending_path = ""  # 決算のファイル（空欄なら data/raw/kpi_spending.csv）
grade_achieved = 1.0  # 「達成」とする進捗率（1.0 で目標値に到達）
grade_on_track = 1.0  # 「順調」とする、按分による期待進捗に対する割合
grade_slightly_behind = 0.5  # 「やや遅れ」とする、期待進捗に対する割合
budget_jump_ratio = 2.0  # 前年度比でこの倍率を超える増減を「大きな増減」とする
output_dir = ""  # 図の出力先（空欄なら reports/）
results_path = ""  # 実行が計算した結果（py tasks.py reports が指定。空欄ならここで計算）
figure_cache = ""  # 描いた図を保存し、同じ図は描き直さない場所（py tasks.py reports が指定。空欄なら毎回描く）

# %%
from pathlib import Path

from IPython.display import Markdown, display

from analysis.report import figures
from analysis.model import kpi
from analysis.core import precision
from analysis.report.display import bullets, html_text, paragraph, strong, table
from analysis.core.paths import REPORTS
from analysis.run.results import obtain

figures.setup(cache=figure_cache)
figure_dir = Path(output_dir or REPORTS) / "figures"
# Computed once by the run (or here, by the same function, when opened by hand): this
# notebook only narrates them.
computed = obtain(
    results_path,
    as_of_fiscal_year=as_of_fiscal_year,
    actuals_path=actuals_path,
    plan_path=plan_path,
    spending_path=spending_path,
).kpi
data = computed.data
actuals = computed.actuals
as_of = computed.as_of
thresholds = kpi.GradeThresholds(
    achieved=float(grade_achieved),
    on_track=float(grade_on_track),
    slightly_behind=float(grade_slightly_behind),
)
# The computed grades, unless the 評価の基準 above were edited (then re-graded from the same data).
tables = computed.tables_with(thresholds, float(budget_jump_ratio))
overview = tables["overview"]


counts = overview["grade"].value_counts()
display(
    bullets(
        [
            html_text("具体的な取組：", strong(data.initiatives["initiative_id"].nunique()),
                      "、成果指標（KPI）：", strong(len(overview))),
            html_text("評価年度：", strong(f"{as_of}年度"), f"　実績の件数：{len(actuals)}"
                      f"（{'提供された実績' if actuals_path else '登録された実績'}）"),
            "評価の内訳：" + "、".join(f"{g} {int(counts.get(g, 0))}" for g in kpi.GRADES),
            html_text(f"事業費（{data.years[0]}～{data.years[-1]}年度の合計）：",
                      strong(f"{tables['budgets']['budget_thousand_yen'].sum():,.0f}千円")),
            f"設計上の確認事項：{len(tables['flags'])}件（「設計上の確認事項」を参照）",
        ]
    )
)

# %%
# 計画の版（毎年度の見直しで新しい版になります）
display(
    bullets(
        [
            html_text(
                "計画の版：", strong(data.edition.label),
                f"（{data.edition.published}）" if data.edition.published else "",
                f"　計画期間：{data.years[0]}～{data.years[-1]}年度",
                "（見直した版を指定して実行）" if plan_path else "",
            )
        ]
    )
)

# %% [markdown]
# ## KPI一覧
#
# 進捗率 =（実績値 − 現状値）÷（目標値 − 現状値）。0 が2022年度の水準、1 が2028年度の目標です。
# 期待進捗率は2022年度から評価年度までの経過年数 ÷ 6（按分）です。実績が未入力の指標は「未報告」です。

# %%
display(
    table(
        overview[
            ["kpi_id", "initiative_name", "kpi_name", "unit", "baseline_value", "target_value",
             "direction", "required_change", "actual", "progress", "expected_progress", "grade", "flags"]
        ],
        {"baseline_value": "{:,g}", "target_value": "{:,g}", "required_change": "{:+,g}",
         "actual": "{:,g}", "progress": "{:.0%}", "expected_progress": "{:.0%}"},
        caption=f"成果指標（KPI）の一覧（{as_of}年度時点）",
    )
)

# %% [markdown]
# ## KPIごとの進捗
#
# 破線は現状値（2022年度）から目標値（2028年度）までを均等に按分した計画です。縦軸は0からです。

# %%
display(paragraph("青い線は報告された実績です。" if len(actuals) else "実績はまだ報告されていないため、計画の線だけを示します。"))
pages = figures.kpi_pages(overview)
for number, page in enumerate(pages, start=1):
    figures.show(
        figures.kpi_progress_grid(overview=page, actuals=actuals, page=f"（{number}/{len(pages)}）"),
        f"kpi_progress_{number}",
        figure_dir,
        dpi=110,
    )

# %% [markdown]
# ### KPIの推移と目標までに必要なペース
#
# 報告された実績を年度ごとに並べ、最新の実績から目標値までに毎年必要な変化量を、計画の按分による変化量と比べます。

# %%
reported_kpis = overview[overview["actual"].notna()]
if reported_kpis.empty:
    display(Markdown("実績はまだ報告されていません。"))
else:
    path = actuals.pivot_table(index="kpi_id", columns="fiscal_year", values="value", aggfunc="last")
    path.columns = [f"{c}年度" for c in path.columns]
    history = reported_kpis[["kpi_id", "kpi_name", "unit", "baseline_value", "target_value",
                             "target_fiscal_year", "yearly_pace", "required_pace_from_latest"]]  # fmt: skip
    history = history.merge(path, left_on="kpi_id", right_index=True)
    display(
        table(
            history,
            {"baseline_value": "{:,g}", "target_value": "{:,g}", "yearly_pace": "{:+,.2f}",
             "required_pace_from_latest": "{:+,.2f}", **{c: "{:,g}" for c in path.columns}},
            caption="実績の推移（年度ごと）と目標までに必要な年あたりの変化量",
        )
    )

# %% [markdown]
# ## 事業費
#
# 事業費は連携市町の合計見込額（千円）です。2025年度以降は仮置きで、毎年度の予算編成により見直されます。

# %%
field_order = list(dict.fromkeys(data.initiatives["field"]))
figures.show(figures.budget_by_field(tables["budgets_by_field"], field_order), "budget_by_field", figure_dir)
by_field = tables["budgets_by_field"].pivot_table(
    index=["policy_area", "field"], columns="fiscal_year", values="budget_thousand_yen",
    aggfunc="sum", sort=False,
)
by_field.columns = [f"{c}年度" for c in by_field.columns]
by_field["5年間計"] = by_field.sum(axis=1)
by_field = by_field.reset_index()
by_field.loc[len(by_field)] = ["合計", "", *by_field.iloc[:, 2:].sum().tolist()]
display(
    table(by_field, {c: "{:,.0f}" for c in by_field.columns[2:]}, caption="政策分野別の事業費（千円）")
)

# %%
totals = tables["budget_totals"].assign(
    label=lambda d: d["initiative_id"].map("{:02d}".format) + " " + d["initiative_name"]
)
for name, figure in zip(("budget_by_initiative", "budget_by_initiative_small"),
                        figures.budget_by_initiative(totals, (data.years[0], data.years[-1]))):
    figures.show(figure, name, figure_dir)
per_year = tables["budgets"].pivot_table(
    index=["initiative_id", "initiative_name"], columns="fiscal_year", values="budget_thousand_yen",
    aggfunc="sum",
)
per_year.columns = [f"{c}年度" for c in per_year.columns]
per_year["5年間計"] = per_year.sum(axis=1)
display(
    table(
        per_year.reset_index(),
        {c: "{:,.0f}" for c in per_year.columns},
        caption="具体的な取組別の事業費（千円）",
    )
)

# %% [markdown]
# ### KPI 1単位あたりの事業費（参考値）
#
# 5年間の事業費 ÷ 目標までに必要な増加量。事業費はKPI以外の成果にも充てられるため、
# あくまで目安です。目標値が現状値と同じか下回る指標では計算しません（事業費は減少の対価ではないため。
# 理由は表の「計算しない理由」）。

# %%
display(
    table(
        tables["budget_per_change"],
        {"required_change": "{:+,g}", "budget_total_thousand_yen": "{:,.0f}",
         "budget_per_unit_change_thousand_yen": "{:,.1f}"},  # 千円 a unit: 0.7 is 700円
        caption="KPI 1単位あたりの事業費（千円、参考値）",
    )
)

# %% [markdown]
# ## 設計上の確認事項
#
# 懇談会で指摘された観点（目標値が現状値を下回る・同じ、事業費が0円の年度、前年度からの大きな増減）に
# 該当する指標と取組です。

# %%
display(
    table(
        tables["flags"][["initiative_id", "initiative_name", "kpi_id", "flag", "fiscal_year", "detail"]],
        caption=f"設計上の確認事項（事業費の増減は前年度比 {float(budget_jump_ratio):g} 倍超）",
    )
)

# %% [markdown]
# ## 原資料の注記
#
# 事業費と成果指標について原資料に記載されている注記です。
# 取組17・20・26は、体系図と取組表で名称が異なるため、両方を表示しています。

# %%
display(table(tables["notes"].drop(columns="source_line"), caption="事業費と成果指標の注記"))
k01 = kpi.component_share(data.components)
display(
    table(
        data.components.merge(k01[["kpi_id"]], on="kpi_id")[["kpi_id", "component", "days_done", "days_total"]],
        {"days_done": "{:,.0f}", "days_total": "{:,.0f}"},
        caption="K01 現状値の内訳（原資料の注記）",
    )
)
display(
    paragraph(
        "、".join(
            f"{row.kpi_id}：{row.days_done:,.0f}日 ÷ {row.days_total:,.0f}日 ＝ {precision.text(row.share_pct, 'percent')}"
            for row in k01.itertuples()
        )
        + "（原資料の記載：679日/803日≒84%、現状値84%）"
    )
)

# %% [markdown]
# ## 第2次ビジョンからの変更

# %%
changed = tables["changes"][tables["changes"]["change_type"] != "継続"]
display(
    table(
        changed[["change_label", "second_no", "second_name", "third_no", "third_name", "reason"]],
        caption="加除・変更した取組（その他の取組は継続）",
    )
)

# %% [markdown]
# ## 予算と決算
#
# 決算額（実際に支出した額、千円）を事業費（予算）と比べます。執行率 = 決算額 ÷ 事業費 × 100。
# 決算を入れた年度だけを示します。

# %%
execution = computed.execution
if not execution:
    display(Markdown("決算はまだ入力されていません。"))
else:
    money = {"budget_thousand_yen": "{:,.0f}", "spent_thousand_yen": "{:,.0f}",
             "unspent_thousand_yen": "{:+,.0f}", "execution_rate_pct": precision.style("percent")}  # fmt: skip
    display(table(execution["execution_by_year"], money, caption="年度ごとの予算と決算（千円）"))
    display(
        table(
            execution["execution_by_field"].drop(columns="policy_area"),
            money,
            caption="政策分野・年度ごとの予算と決算（千円）",
        )
    )

# %%
if execution:
    display(
        table(
            execution["execution"][["initiative_id", "initiative_name", "fiscal_year",
                                    "budget_thousand_yen", "spent_thousand_yen",
                                    "execution_rate_pct"]],
            money,
            caption="取組ごとの予算と決算（千円）",
        )
    )

# %% [markdown]
# ## 計画の見直し（前の版との比較）
#
# 計画は毎年度見直されます。この版と、この版が置き換える版とを比べ、取組の追加・削除・名称変更・分野の移動、
# KPIと目標値の変更、事業費の変更（年度ごと・合計）を示します。変更のある行は網掛で示します。

# %%
from analysis.report.display import shade_rows

older = computed.previous
compared = computed.changes
if older is None:
    display(Markdown("この版は他の版を置き換えていないため、比較する前の版はありません。"))
else:
    changes = compared["plan_changes"]
    changed = changes[changes["changed"] != ""].reset_index(drop=True)
    counts = changed["plan_change"].value_counts()
    display(
        bullets(
            [
                f"追加 {int(counts.get('追加', 0))}件、削除 {int(counts.get('削除', 0))}件、"
                f"変更のある継続 {int(counts.get('継続', 0))}件（取組 {len(changes)}件のうち）"
            ],
            before=paragraph("比較する版：", strong(older.edition.label), " → ", strong(data.edition.label)),
        )
    )

# %%
# 変更のあった取組（表が広いため、横向きのページに印刷されるよう独立したセルにしています）
if compared:
    shown = changed.assign(
        initiative_name=changed["new_initiative_name"].where(
            changed["new_initiative_name"] != "", changed["old_initiative_name"]
        ),
        field=changed["new_field"].where(changed["new_field"] != "", changed["old_field"]),
    )
    columns = ["plan_change", "change_detail", "old_initiative_id", "new_initiative_id",
               "initiative_name", "field", "old_budget_total_thousand_yen",
               "new_budget_total_thousand_yen", "budget_change_thousand_yen"]  # fmt: skip
    money = {c: "{:,.0f}" for c in columns if c.endswith("thousand_yen")}
    money["budget_change_thousand_yen"] = "{:+,.0f}"
    caption = "変更のあった取組（事業費は千円。分野の移動は新しい版の分野）"
    display(shade_rows(table(shown[columns], money, caption=caption), changed["changed"] != ""))

# %%
if compared:
    kpi_changes = compared["plan_kpi_changes"]
    kpi_changed = kpi_changes[kpi_changes["changed"] != ""].reset_index(drop=True)
    display(
        shade_rows(
            table(
                kpi_changed[["plan_change", "old_kpi_id", "new_kpi_id", "kpi_name", "unit",
                             "old_target_value", "new_target_value", "change_detail"]],
                {"old_target_value": "{:,g}", "new_target_value": "{:,g}"},
                caption="変更のあった成果指標（KPI）",
            ),
            kpi_changed["changed"] != "",
        )
    )

# %%
if compared:
    budget_changes = compared["plan_budget_changes"]
    totals = budget_changes[budget_changes["initiative_name"] == "合計"].reset_index(drop=True)
    display(
        shade_rows(
            table(
                totals[["fiscal_year", "old_budget_thousand_yen", "new_budget_thousand_yen",
                        "budget_change_thousand_yen"]],
                {"old_budget_thousand_yen": "{:,.0f}", "new_budget_thousand_yen": "{:,.0f}",
                 "budget_change_thousand_yen": "{:+,.0f}"},
                caption="年度ごとの事業費の合計（千円）",
            ),
            totals["changed"] != "",
        )
    )

# %% [markdown]
# ## パブリックコメントと懇談会委員意見の件数

# %%
comments = tables["comments"]
display(table(comments[["kind", "policy_area", "field", "count"]], {"count": "{:,.0f}"}, caption="政策分野別の意見件数"))
display(
    paragraph(
        "、".join(f"{kind}：計 {int(group['count'].sum())} 件" for kind, group in comments.groupby("kind", sort=False))
        + "（原資料の記載：パブリックコメント31件、懇談会委員意見11件）"
    )
)

# %% [markdown]
# ## 算出方法
#
# **考え方**：各指標の目標は、2022年度の現状値から2028年度の目標値まで毎年同じだけ進むものとして按分し、
# 報告された実績がその按分にどれだけ追いついているか（進捗率）で評価します。事業費は連携市町の見込額を取組ごとに合計したものです。
#
# | 数値 | 算出方法 |
# | --- | --- |
# | 方向 | 目標値 > 現状値 なら増加、< なら減少、= なら維持 |
# | 必要な変化量 | 目標値（2028年度）− 現状値（2022年度） |
# | 年あたりの変化量（按分） | 必要な変化量 ÷ 6年 |
# | 按分による期待値 | 現状値 + 年あたりの変化量 ×（年度 − 2022） |
# | 進捗率 | （実績値 − 現状値）÷（目標値 − 現状値）。減少目標でも同じ式で、目標に近づくほど大きくなります |
# | 維持目標の進捗率 | 実績値が目標値以上なら 1、下回れば 実績値 ÷ 目標値 |
# | 累計・割合の指標 | 累計の指標は累計値で、割合（%）の指標はポイントで入力し、同じ式で計算します |
# | 期待進捗率 | （実績の年度 − 2022）÷ 6 |
# | 評価 | 達成：進捗率 ≥ 達成の基準、順調：進捗率 ≥ 期待進捗率 × 順調の基準、やや遅れ：進捗率 ≥ 期待進捗率 × やや遅れの基準、それ以外は遅れ |
# | 事業費の集計 | 取組ごとの各年度の事業費（千円）を政策分野・連携する事項ごとに合計 |
#
# 出典：2023年度（令和5年度）第4回一関・平泉定住自立圏共生ビジョン懇談会資料（2024年3月21日）「第3次一関・平泉定住自立圏共生ビジョン（案）」
# IV 具体的な取組（体系図と各取組の表）、具体的な取組比較表、パブリックコメント等の意見件数。転記したデータの各行に
# 原資料の位置を記録しています（Excel の各シートと CSV）。実績は市町が入力した KPI 実績のファイルによります。

# %%
display(
    paragraph(
        f"評価の基準：達成 ≥ {thresholds.achieved:g}、順調 ≥ 期待進捗率 × {thresholds.on_track:g}、"
        f"やや遅れ ≥ 期待進捗率 × {thresholds.slightly_behind:g}"
    )
)
