# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python (一関・平泉 analysis)
#     language: python
#     name: ichinoseki-hiraizumi
# ---

# %% [markdown]
# # 自由分析の手引き（JupyterLab）
#
# このノートブックは、集計の関数を自分で呼び出して、表や図を作る手順を示します。
# `py tasks.py lab`（Mac・Linux は `make lab`）で JupyterLab を開き、このファイル（`notebooks/explore/explore.py`）を開いて、
# 上から順にセルを実行してください（Shift + Enter）。自由に書き換えてかまいません。
# 元のデータ（`data/raw/`）が変わることはありません。

# %% tags=["parameters"]
municipality = "一関市"  # 調べる地域（一関市・平泉町・圏域）
years = [2020, 2028, 2040]  # 見たい年（公表されていない年は補間されます）

# %% [markdown]
# ## 1. データを読み込む
#
# `results.compute()` は、`py tasks.py reports` と同じ関数で、すべての入力を読み込み、検査し、記録された補正を
# 適用して、報告書の数値をすべて計算します（引数なしなら同梱データ。`results.compute(Options(vision=Path("ファイル")))`（`from analysis.run.options import Options`）のように
# 報告書のオプションも指定できます）。人口は `computed.population.data` にあり、「版・市町・年・年齢区分・人口」の
# 1行1値の表（`data.corrected`）になっています。報告書の表は `computed.population.tables`、KPI は `computed.kpi`、
# 将来推計は `computed.projected` です。

# %%
# %matplotlib inline
import matplotlib.pyplot as plt

from analysis.model import cohort
from analysis.report import figures
from analysis.run import results

figures.setup()  # 日本語フォントの設定
computed = results.compute()  # the run's own computation (analysis.run.results), with the shipped data
data = computed.population.data
data.corrected.head(8)

# %% [markdown]
# 検査で見つかった原資料の不整合は `data.findings` にあります。

# %%
for finding in data.findings:
    print(finding)

# %% [markdown]
# ## 2. 主な関数を使う
#
# - `cohort.with_years(表, 年)`：公表されていない年を前後の公表年から補間して加えます
# - `cohort.age_structure(表)`：総人口、年齢3区分の割合、高齢化率、人口指数を計算します
# - `cohort.change_from_base(表, 基準年)`：基準年からの増減数・増減率・指数を計算します
# - `cohort.compare(表, 版1, 版2)`：2つの版の差（人）と比（版2 ÷ 版1）を計算します

# %%
frame = cohort.with_years(data.corrected, years)
structure = cohort.age_structure(frame)
mine = structure[(structure["municipality"] == municipality) & (structure["year"].isin(years))]
mine[["edition", "year", "total", "aging_rate_pct", "dependency_pct", "derived"]].round(2)

# %%
change = cohort.change_from_base(frame, 2020)
change[(change["municipality"] == municipality) & (change["age_group"] == "total")][
    ["edition", "year", "population", "change", "change_rate_pct"]
].round(1)

# %%
gap = cohort.compare(frame[frame["age_group"] == "total"], "ipss_2018", "vision_2024")
gap[gap["municipality"] == municipality].round(3)

# %% [markdown]
# ## 3. 自分で図を描く
#
# 例として、年少人口の割合を版ごとに比べる折れ線グラフを描きます。`figures.save()` を使うと、
# PNG と SVG を `reports/figures/` などに保存できます。

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for edition, rows in structure[structure["municipality"] == municipality].groupby("edition"):
    label = data.edition(str(edition)).short_label
    ax.plot(rows["year"], rows["share_0-14_pct"], marker="o", label=label)
ax.set_title(f"{municipality}の年少人口割合（%）")
ax.set_xlabel("年")
ax.set_ylabel("年少人口割合（%）")
ax.legend()
plt.show()
