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
# # 男女・5歳階級別の将来人口推計（第3次一関・平泉定住自立圏共生ビジョン）
#
# 男女・5歳階級別の人口から、国の手引きのパターン1（社人研準拠）、シミュレーション1（出生率の上昇）、
# シミュレーション2（出生率の上昇と人口移動ゼロ）、目標人口に必要な転入超過を加えた推計を作り、
# 人口ピラミッド、自然増減・社会増減の影響度、人口減少段階、必要な転入超過の数をまとめます。

# %% tags=["parameters"]
age_sex_path = ""  # 男女・5歳階級別人口のファイル（空欄なら登録済みの版）
age_sex_label = ""  # その版の名称（空欄なら「提供された男女・5歳階級別データ」）
survival_path = ""  # 生残率のファイル（シミュレーション2に必要）
settings_path = ""  # シナリオの設定（空欄なら data/raw/projection_settings.csv）
profile_path = ""  # 転入超過の男女・年齢構成（空欄なら data/raw/settler_profile.csv）
scenarios_path = ""  # 市町独自のシナリオ（将来展望）のファイル（空欄なら国の手引きのシナリオだけ）
pyramid_year = 0  # 人口ピラミッドで基準年と比べる年（0 なら設定の pyramid_year）
output_dir = ""  # 図の出力先（空欄なら reports/）
results_path = ""  # 実行が計算した結果（py tasks.py reports が指定。空欄ならここで計算）
figure_cache = ""  # 描いた図を保存し、同じ図は描き直さない場所（py tasks.py reports が指定。空欄なら毎回描く）

# %%
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from analysis.report import figures
from analysis.model import population, scenarios
from analysis.inputs.agesex import AGE_LABELS
from analysis.core import precision
from analysis.report.display import PEOPLE, PERCENT, PERCENT_SIGNED, bullets, html_text, paragraph, strong, table
from analysis.core.paths import REPORTS
from analysis.model.population import findings_frame
from analysis.run.results import obtain
from analysis.core.schema import REGION

figures.setup(cache=figure_cache)
figure_dir = Path(output_dir or REPORTS) / "figures"
# Computed once by the run (or here, by the same function, when opened by hand): this
# notebook only narrates them.
run = obtain(
    results_path,
    age_sex_path=age_sex_path,
    age_sex_label=age_sex_label,
    survival_path=survival_path,
    settings_path=settings_path,
    profile_path=profile_path,
    scenarios_path=scenarios_path,
)
projected = run.projected
if projected is None:
    display(
        Markdown(
            "男女・5歳階級別のデータが登録されていません。"
        )
    )
else:
    results = projected.results
    base = results.base
    computed = [s for s in scenarios.SCENARIOS if s in results.projections]
    labels = {s: results.label(s) for s in computed}
    own = {s: results.label(s) for s in projected.own}
    areas = [*base.municipalities, REGION]
    year = int(pyramid_year) or projected.settings.year("pyramid_year") or base.years[-1]
    if year not in base.years[1:]:
        raise ValueError(
            f"人口ピラミッドの年 {year}年は推計の年（{'、'.join(map(str, base.years[1:]))}）にありません"
        )
    influence_year = scenarios.influence_year(projected.settings, base.years)
    tfr_bases = {m: projected.settings.number("tfr_base", m) for m in base.municipalities}
    display(
        bullets(
            [
                html_text(
                    "基準のデータ：", strong(projected.source),
                    f"（{base.years[0]}～{base.years[-1]}年、{len(base.groups)}階級、"
                    f"最後の階級は{AGE_LABELS.get(base.groups[-1], base.groups[-1])}）",
                ),
                f"計算したシナリオ：{'、'.join([*labels.values(), *own.values()])}",
                f"基準年（{base.years[0]}年）の合計特殊出生率（入力値）："
                + ("、".join(f"{m} {precision.number(v, 'tfr')}" for m, v in tfr_bases.items() if v is not None) or "入力されていません"),
                f"設定：{'市町が指定した設定のファイル' if settings_path else '標準の設定'}",
                "生残率（シミュレーション2・移動の倍率に使用）："
                + ("提供された生残率" if survival_path else "指定されていません"),
                run.projection_check,
            ]
        )
    )

# %% [markdown]
# ## 要点

# %%
if projected is not None:
    points = [scenarios.summary_sentence(row) for _, row in projected.settlers.iterrows()]
    totals = projected.indicators
    at = totals[(totals["municipality"] == REGION) & (totals["year"] == influence_year) & totals["scenario"].isin(list(labels))]
    for row in at.itertuples():
        points.append(
            f"{influence_year}年の圏域の人口は、{labels[row.scenario]}で{row.total:,.0f}人、"
            f"高齢化率{precision.text(row.aging_rate_pct, 'percent')}です。"
        )
    chosen = projected.influence[projected.influence["chosen"] & (projected.influence["municipality"] == REGION)]
    for _, row in chosen.iterrows():
        points.append(scenarios.influence_sentence(row, projected.settings))
    points += [scenarios.note_for_report(f) for f in projected.notes
               if f.check in ("sim-skipped-tfr", "sim2-skipped", "settlers-not-needed", "scenario-target-reached")]
    # The planners' own scenarios (将来展望): the plan's target year against the plan's target,
    # the last years, and when the aging rate peaks, one sentence each.
    plan_target, plan_year = run.settler_target
    for scenario, name in own.items():
        rows = totals[(totals["municipality"] == REGION) & (totals["scenario"] == scenario)].set_index("year")
        if plan_year in rows.index:
            value = float(rows.loc[plan_year, "total"])
            side = "上回ります" if value >= plan_target else "下回ります"
            points.append(f"将来展望「{name}」の{plan_year}年の圏域の人口は{value:,.0f}人で、"
                          f"計画の目標{plan_target:,.0f}人程度を{abs(value - plan_target):,.0f}人{side}。")
        later = [y for y in (2060, 2070) if y in rows.index]
        if later:
            described = "、".join(f"{y}年{float(rows.loc[y, 'total']):,.0f}人" for y in later)
            extended = any(bool(rows.loc[y, "extended"]) for y in later)
            points.append(f"将来展望「{name}」の圏域の人口は{described}です"
                          + ("（延長：推計の最終年より後は最後の期間の率を据え置き）。" if extended else "。"))
        peak_year = int(rows["aging_rate_pct"].idxmax())
        points.append(f"将来展望「{name}」の圏域の高齢化率は{peak_year}年に最も高く"
                      f"{precision.text(float(rows.loc[peak_year, 'aging_rate_pct']), 'percent')}です"
                      + ("（延長した年）。" if bool(rows.loc[peak_year, "extended"]) else "。"))
    display(bullets(points))

# %% [markdown]
# ## 人口ピラミッド
#
# 棒は選んだ年のパターン1、黒い線は基準年、色の線は同じ年の他のシナリオです（左が男、右が女）。

# %%
if projected is not None:
    for area in areas:
        figures.show(
            figures.population_pyramid(projected.long, area, base.years[0], year, labels, AGE_LABELS),
            f"projection_pyramid_{area}",
            figure_dir,
        )

# %% [markdown]
# ## 総人口と年齢3区分の推移

# %%
if projected is not None:
    for area in areas:
        figures.show(figures.scenario_paths(projected.indicators, area, labels), f"projection_paths_{area}", figure_dir)
    region = projected.indicators[(projected.indicators["municipality"] == REGION) & projected.indicators["scenario"].isin(list(labels))]
    display(
        table(
            region[["scenario", "year", "total", "0-14", "15-64", "65+", "75+", "aging_rate_pct",
                    "women_20_39", "women_20_39_change_pct", "cwr"]],
            {"total": PEOPLE, "0-14": PEOPLE, "15-64": PEOPLE, "65+": PEOPLE, "75+": PEOPLE,
             "aging_rate_pct": PERCENT, "women_20_39": PEOPLE, "women_20_39_change_pct": PERCENT_SIGNED,
             "cwr": precision.style("cwr")},
            caption="圏域のシナリオ別の人口と指標",
            one_line={"scenario": 13},  # two lines a row would push the last rows onto a page of their own
        )
    )
    assumed = projected.indicators[projected.indicators["tfr"].notna() & (projected.indicators["scenario"] == "sim1")]
    if len(assumed):
        display(
            table(
                assumed.pivot_table(index="municipality", columns="year", values="tfr", sort=False).reset_index(),
                {y: precision.style("index") for y in base.years},
                caption="シミュレーション1・2で仮定した合計特殊出生率",
            )
        )

# %% [markdown]
# ## 自然増減・社会増減の影響度
#
# 影響度は、出生率が上がったとき（シミュレーション1）と、さらに人口移動がなくなったとき（シミュレーション2）に、
# 将来の人口がどれだけ変わるかを示す国の手引きの指標です。自然増減の影響度 ＝ シミュレーション1 ÷ パターン1 × 100（%）、
# 社会増減の影響度 ＝ シミュレーション2 ÷ シミュレーション1 × 100（%）。段階は1～5で、数字が大きいほど、その施策
# （出生率の向上、または転出の抑制・転入の促進）が将来の人口を大きく左右することを意味します。境界は手引きのとおり
# （自然：100未満が1、100～105が2、105～110が3、110～115が4、115以上が5。社会：100未満が1、100～110が2、
# 110～120が3、120～130が4、130以上が5）。本文では推計の最後の年（設定で変更可）の値を述べ、表にはすべての年を載せます。

# %%
if projected is not None:
    if len(projected.influence):
        for _, row in projected.influence[projected.influence["chosen"]].iterrows():
            display(paragraph(scenarios.influence_sentence(row, projected.settings)))
        display(
            table(
                projected.influence,
                {"natural_pct": PERCENT, "social_pct": PERCENT},
                caption="年ごとの影響度（本文の年に○）",
            )
        )
    else:
        display(paragraph("影響度は計算していません：" + "".join(
            scenarios.note_for_report(f) for f in projected.notes if f.check in ("sim-skipped-tfr", "sim2-skipped"))))

# %% [markdown]
# ## 人口減少段階
#
# 基準年からの65歳以上人口の増減で判定します。第1段階：65歳以上人口が増加、第2段階：65歳以上人口が
# 維持・微減（減少率10%未満）、第3段階：65歳以上人口が減少（減少率10%以上）。

# %%
if projected is not None:
    stages = projected.stages[projected.stages["stage"].notna()]
    display(
        table(
            stages[stages["scenario"] == "pattern1"].drop(columns="scenario"),
            {"old_change_pct": PERCENT_SIGNED, "young_change_pct": PERCENT_SIGNED},
            caption="パターン1の人口減少段階",
        )
    )

# %% [markdown]
# ## 目標人口に必要な転入超過

# %%
if projected is not None:
    if projected.settlers.empty:
        display(Markdown("目標人口の年が推計の期間にないため、計算していません。"))
    else:
        display(
            table(
                projected.settlers,
                {"target_population": PEOPLE, "projected_without": PEOPLE, "surplus_people": PEOPLE,
                 "settlers_per_period": PEOPLE, "settlers_per_year": PEOPLE},
                caption="目標人口に必要な転入超過（純移動数）",
            )
        )
        display(paragraph(scenarios.settler_details(base, projected.profile)))

# %% [markdown]
# ## 将来展望（市町独自のシナリオ）
#
# 市町が定めた仮定（合計特殊出生率の道筋、純移動の倍率、転入超過）による推計です。基準のデータの最後の年より後は、
# 最後の期間の率（生残・移動の率、子ども女性比、0～4歳の性比）を据え置いて延長します（図の灰色の範囲、表の「延長」）。

# %%
if projected is not None:
    if not own:
        display(Markdown("市町独自のシナリオは指定されていません。シナリオのファイルを作って指定すると、ここに将来展望を示します。"))
    else:
        described = pd.DataFrame(
            [{"label": own[name], **scenarios.describe(results.specs[name], results.settlers_per_period.get(name)),
              "horizon": results.years_of(name)[-1]} for name in own]
        ).rename(columns={"label": "シナリオ", "fertility": "合計特殊出生率", "migration": "人口移動",
                          "settlers": "転入超過（パターン1の移動に加えて）", "horizon": "推計の最終年"})
        display(table(described, caption="シナリオの仮定"))
        target_people, target_year = run.settler_target
        region_rows = projected.indicators[projected.indicators["municipality"] == REGION].set_index(["scenario", "year"])
        sentences = []
        for name, label in own.items():
            if (name, target_year) in region_rows.index:
                value = region_rows.loc[(name, target_year), "total"]
                gap = value - target_people
                sentences.append(
                    f"「{label}」：{target_year}年の圏域の人口は{value:,.0f}人で、計画の目標（{target_people:,.0f}人程度）を"
                    + (f"{gap:,.0f}人上回ります。" if gap >= 0 else f"{-gap:,.0f}人下回ります。")
                )
        display(bullets(sentences))
        shown = {"pattern1": labels["pattern1"], **own}
        figures.show(
            figures.vision_paths(projected.indicators, REGION, shown, base.years[-1], (target_people, target_year)),
            "projection_vision_paths",
            figure_dir,
        )
        wide = region_rows.reset_index()
        wide = wide[wide["scenario"].isin(list(shown))]
        wide["kind"] = wide["extended"].map({True: "延長", False: ""})
        for column, caption, fmt in (("total", "圏域の総人口（人）", PEOPLE), ("aging_rate_pct", "圏域の高齢化率（%）", PERCENT)):
            pivot = wide.pivot_table(index=["year", "kind"], columns="scenario", values=column, sort=False)
            pivot = pivot[[s for s in shown if s in pivot.columns]].reset_index()
            pivot = pivot.rename(columns={"year": "年", "kind": "区分", **shown})
            display(table(pivot, {"年": "{}", **{label: fmt for label in shown.values()}}, caption=caption))
        display(paragraph(f"パターン1は基準のデータの最後の年（{base.years[-1]}年）までです（表の「–」）。"))
        for name, label in own.items():
            last = results.years_of(name)[-1]
            figures.show(
                figures.population_pyramid(projected.long, REGION, base.years[0], last, {name: label}, AGE_LABELS, main=name),
                f"projection_vision_pyramid_{name}",
                figure_dir,
            )

# %% [markdown]
# ## データ検証の結果

# %%
if projected is not None:
    # The council's words for what was not computed (the console names the option and columns).
    notes = findings_frame(projected.notes).assign(
        message=[scenarios.note_for_report(f) for f in projected.notes]
    )
    if notes.empty:
        display(Markdown("男女・5歳階級別のデータに問題は見つかりませんでした。"))
    else:
        display(table(population.council_findings(notes)[["severity", "check", "message"]],
                      caption="男女・5歳階級別データの検証結果（ファイル・行の位置は Excel の「検証結果」シートにあります）"))

# %% [markdown]
# ## 算出方法
#
# **考え方**：5年後の人口は、いまの人口が5歳年をとり、そのあいだに亡くなる人と転出入する人の分だけ
# 増減し、新たに生まれる子どもが加わったものです。社人研の推計から「5年間でそれぞれの年齢の人がどれだけ残るか（移動を
# 含む）」と「女性の人数あたり何人の子どもがいるか」を読み取り、それを使って基準年から5年ずつ計算し直すのがパターン1です
# （社人研の推計そのものを再現します）。シミュレーションや将来展望は、その率の一部（出生率、人口移動）を仮定に置き換えて
# 同じ計算をしたものです。
#
# | 数値 | 算出方法 |
# | --- | --- |
# | 5～9歳から最後の階級の1つ下まで | 5年前に5歳下だった人数 × 変化率 R。R は生残率 × (1 ＋ 純移動率)、またはコーホート変化率そのもの |
# | 最後の階級（95歳以上、90歳以上） | (5年前のその1つ下の階級 ＋ 最後の階級) × 最後の階級の変化率（1つ下の階級の行の率は使いません） |
# | 0～4歳 | 子ども女性比 × その年の15～49歳女性人口。男女は0～4歳の性比（女100に対する男）で分けます |
# | パターン1 | 基準のデータの各期間について 変化率 ＝ 5年後の人口 ÷ 5年前の5歳下の人口、子ども女性比 ＝ 0～4歳人口 ÷ 15～49歳女性人口、性比 ＝ 100 × 男0～4歳 ÷ 女0～4歳 を求め、最初の年から推計します |
# | シミュレーション1 | 各年の子ども女性比を「パターン1の子ども女性比 × 合計特殊出生率(年) ÷ 基準年の合計特殊出生率」とします。合計特殊出生率は基準年の値（市町が入力した値。上の「基準年の合計特殊出生率」）から2030年の2.1（人口置換水準）まで直線的に上がり、その後は一定（国の「地方人口ビジョン」策定のための手引きのシミュレーション1） |
# | シミュレーション2 | シミュレーション1で、変化率を生残率だけにします（純移動ゼロ。生残率は出発年齢で書いた生残率のファイルから） |
# | 転入超過を加えた推計 | パターン1に、5年ごとに N 人の転入超過（パターン1の純移動に加えて）を設定の男女・年齢構成で加えます。転入者は0～4歳を求める前に加え、転入した女性もその期間の子どもの数に数えます（手引きのワークシートと同じ：0～4歳 ＝ 子ども女性比 × 期末の15～49歳女性、転入者を含む）。0～4歳の転入者は生まれた子どもに加えます。推計は N について比例するので、N ＝ (目標人口 − 転入超過なしの推計) ÷ (1人あたりの増加)。圏域の目標では N を基準年の人口の比で市町に分けます |
# | 将来展望（市町独自のシナリオ） | シナリオのファイルの行ごとの仮定：出生率の経由点（基準年の値から経由点を直線で結び、最後の経由点の後は一定。子ども女性比の扱いはシミュレーション1と同じ）、純移動の倍率 K（その年に始まる期間から、変化率 ＝ 生残率 ＋ K ×（パターン1の変化率 − 生残率）。1＝パターン1、0.5＝半減、0＝均衡）、年間の転入超過（上と同じ加え方）、目標人口（必要な転入超過を上と同じ方法で求めます） |
# | 延長（基準のデータの最後の年より後） | 最後の期間の変化率、子ども女性比、性比を据え置いて計算します（手引きのワークシートと同じ）。表と図に「延長」と示します |
# | 圏域 | すべてのシナリオで市町の合計 |
# | 影響度 | 自然増減 ＝ シミュレーション1 ÷ パターン1 × 100、社会増減 ＝ シミュレーション2 ÷ シミュレーション1 × 100（%）。本文は推計の最後の年（手引きはシミュレーションを推計期間の最後の年で比べます）、表はすべての年 |
# | 人口減少段階 | 基準年からの65歳以上人口の増減率で判定（第1段階：増加、第2段階：0～−10%、第3段階：−10%以下） |
# | 高齢化率・指数 | 65歳以上 ÷ 総数 × 100、年少・老年・従属人口指数は15～64歳人口に対する比 × 100 |
#
# 端数は表示の際にのみ四捨五入しています。将来展望を人口ビジョンの形式にしたファイルは、人数を整数に丸め、合計は丸めた値の和です。
# 国の手引きの標準的な方法（年齢別出生率、生残率、純移動数）による計算が人口学の教科書の計算例の数値を再現すること、
# パターン1が基準のデータを再現すること、各仮定の計算が市町ごとに1つずつ計算した結果と一致することを確かめています。

# %% [markdown]
# **推計の決まり（設定で選べるもの）**：次の決まりは公表される水準を動かすため、設定ファイルで選べます。

# %%
if projected is not None:
    display(bullets(scenarios.convention_sentences(projected)))
