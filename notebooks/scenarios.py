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
# # 将来推計を試す（JupyterLab）
#
# 男女・5歳階級別のデータから、出生率・人口移動・転入超過の仮定を変えたときの人口ピラミッドと総人口を、
# スライダーで確かめます。`make lab` で JupyterLab を開き、このファイルを開いて上から順に実行してください。
#
# - **目標の合計特殊出生率** と **その年**：基準年の合計特殊出生率（設定ファイルの `tfr_base`）から直線的に上がります
# - **移動の程度**：1 はパターン1と同じ純移動、0 は移動なし（生残率のファイルが必要です）
# - **転入超過（人／年）**：圏域に毎年加える転入超過（設定の男女・年齢構成、市町へは基準年の人口の比で配分）
#
# 正式な数値は `make reports` の `reports/projection.html` にあります。ここでの試算は保存されません。

# %% tags=["parameters"]
age_sex_path = ""  # 男女・5歳階級別人口のファイル（空欄なら登録済みの版）
survival_path = ""  # 生残率のファイル（「移動の程度」に必要）
area = "圏域"  # 図にする地域（一関市・平泉町・圏域）
pyramid_year = 2040  # 人口ピラミッドの年

# %%
# %matplotlib inline
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from analysis import figures, population, projection, scenarios
from analysis.agesex import AGE_LABELS
from analysis.paths import DATA_RAW

figures.setup()
data = population.load()
source = population.age_sex_source(data, age_sex_path or None)
if source is None:
    display(Markdown("男女・5歳階級別のデータがありません。`age_sex_path` にファイルを指定してください。"))
else:
    base = scenarios.Base.from_frame(source.detail.frame, source.detail.groups, data.municipalities)
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    settings = scenarios.read_settings(DATA_RAW / "projection_settings.csv", data.municipalities)
    profile = scenarios.read_profile(DATA_RAW / "settler_profile.csv", base.groups)
    survival = (
        scenarios.read_survival(Path(survival_path), list(base.municipalities), base.years, base.groups)
        if survival_path
        else None
    )
    known = [settings.number("tfr_base", m) for m in base.municipalities]
    tfr_bases = None if None in known else [float(b) for b in known if b is not None]
    notes = []
    if tfr_bases is None:
        notes.append("基準年の合計特殊出生率（tfr_base）が設定にないため、出生率のスライダーは効きません。")
    if survival is None:
        notes.append("生残率のファイルがないため、「移動の程度」のスライダーは効きません。")
    display(Markdown(f"基準のデータ：{source.label}（{base.years[0]}～{base.years[-1]}年）\n\n" + "\n".join(f"- {n}" for n in notes)))

# %%
def redraw(tfr_target: float = 2.1, tfr_target_year: int = 2030, migration_scale: float = 1.0,
           settlers_per_year: int = 0) -> None:
    """Project with these assumptions and draw the pyramid and the totals beside パターン1."""
    what_if = scenarios.explore(
        base, implied, profile, survival, tfr_bases=tfr_bases, tfr_target=tfr_target,
        tfr_target_year=tfr_target_year, migration_scale=migration_scale,
        settlers_per_year=settlers_per_year,
    )
    pattern1 = projection.project(base.population[0], implied, base.lower_bounds)
    results = scenarios.Results(base, {"pattern1": pattern1, "sim1": what_if}, {}, {}, pd.DataFrame())
    long = scenarios.long_table(results)
    labels = {"pattern1": scenarios.SCENARIO_LABELS["pattern1"], "sim1": "この設定の推計"}
    year = pyramid_year if pyramid_year in base.years else base.years[-1]
    plt.show(figures.population_pyramid(long, area, base.years[0], year, labels, AGE_LABELS))
    plt.show(figures.scenario_paths(scenarios.indicators(results, long), area, labels))


if source is not None:
    redraw()  # the defaults, drawn at once (also when the notebook runs without a browser)
    widgets.interact(
        redraw,
        tfr_target=widgets.FloatSlider(value=2.1, min=1.0, max=2.5, step=0.05, description="目標の出生率"),
        tfr_target_year=widgets.IntSlider(value=2030, min=base.years[1], max=base.years[-1], step=5, description="その年"),
        migration_scale=widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05, description="移動の程度"),
        settlers_per_year=widgets.IntSlider(value=0, min=0, max=2000, step=50, description="転入超過/年"),
    )
