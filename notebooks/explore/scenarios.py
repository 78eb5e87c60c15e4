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
# スライダーで確かめます。`py tasks.py lab`（Mac・Linux は `make lab`）で JupyterLab を開き、このファイルを開いて上から順に実行してください。
#
# - **出生率（2つの経由点）**：基準年の合計特殊出生率（設定ファイルの `tfr_base`）から、経由点1・経由点2を
#   直線で結び、その後は一定です（国の長期ビジョンは2030年1.8程度、2040年2.07）
# - **移動の倍率（2つの期間）**：パターン1の純移動の何倍か（1＝パターン1、0.5＝半減、0＝均衡）を、
#   それぞれの年から始まる期間に当てはめます（生残率のファイルが必要です）
# - **転入超過（人／年）**：圏域に毎年加える転入超過（設定の男女・年齢構成、市町へは基準年の人口の比で配分）
# - **推計の最終年**：基準のデータの最後の年より後は、最後の期間の率を据え置いて延長します
#
# 「シナリオの行を書き出す」を押すと、いまのスライダーの値をシナリオのファイル（`scenario_file`）に
# 書き出します（同じ名前のシナリオは置き換え）。そのファイルを `py tasks.py reports --scenarios ファイル`
# に渡すと、報告書の「将来展望」に載ります。正式な数値は `reports/projection.html` にあります。

# %% tags=["parameters"]
age_sex_path = ""  # 男女・5歳階級別人口のファイル（空欄なら登録済みの版。報告書の --age-sex と同じ）
settings_path = ""  # 設定のファイル（空欄なら data/raw/projection_settings.csv。--projection-settings と同じ）
profile_path = ""  # 転入超過の構成のファイル（空欄なら data/raw/settler_profile.csv。--settler-profile と同じ）
survival_path = ""  # 生残率のファイル（「移動の倍率」に必要。--survival と同じ）
scenarios_path = ""  # シナリオのファイル（空欄なら使いません。--scenarios と同じ。読めるかを確かめます）
area = "圏域"  # 図にする地域（一関市・平泉町・圏域）
pyramid_year = 2040  # 人口ピラミッドの年
scenario_file = "my_scenarios.csv"  # 「シナリオの行を書き出す」の書き出し先
slider_values = ""  # スライダーの初期値（JSON。例：{"tfr_1": 1.9}。空欄なら既定の値）

# %%
# %matplotlib inline
import json
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from analysis.report import figures
from analysis.model import projection, scenarios
from analysis.run import results
from analysis.inputs import scenario_specs
from analysis.inputs.agesex import AGE_LABELS
from analysis.report.display import bullets, paragraph

figures.setup()
# The starting point is what a run with these options computes, by the run's own function
# (age × sex data with 年齢不詳 spread, settings with their conventions, profile, survival,
# scenario file); only what the sliders change is projected here.
projected = results.compute(
    results.options_from(
        {"age_sex_path": age_sex_path, "settings_path": settings_path, "profile_path": profile_path,
         "survival_path": survival_path, "scenarios_path": scenarios_path}
    )
).projected
if projected is None:
    display(Markdown("男女・5歳階級別のデータがありません。`age_sex_path` にファイルを指定してください。"))
else:
    base, settings, profile = projected.results.base, projected.settings, projected.profile
    survival = projected.survival  # read and checked by the run (None without survival_path)
    implied = projection.implied_schedule(base.population, base.lower_bounds)
    known = [settings.number("tfr_base", m) for m in base.municipalities]
    tfr_bases = None if None in known else [float(b) for b in known if b is not None]
    conventions = scenarios.Conventions.of(settings)
    disabled = {}
    if tfr_bases is None:
        disabled["tfr"] = "基準年の合計特殊出生率（設定の tfr_base）がない市町があるため、出生率のスライダーは使えません（灰色）。"
    if survival is None:
        disabled["migration"] = "生残率のファイル（survival_path）がないため、「移動の倍率」のスライダーは使えません（灰色）。"
    display(bullets(disabled.values(), before=paragraph(f"基準のデータ：{projected.source}（{base.years[0]}～{base.years[-1]}年）")))

# %%
def current_scenario(name: str = "mine", label: str = "", tfr_year_1: int = 2030, tfr_1: float = 1.8,
                     tfr_year_2: int = 2040, tfr_2: float = 2.07, migration_year_1: int = 2025,
                     migration_1: float = 1.0, migration_year_2: int = 2035, migration_2: float = 1.0,
                     settlers_per_year: int = 0, horizon: int = 2050) -> scenario_specs.ScenarioSpec:
    """The sliders as a scenario (the rows a scenario file would hold); a disabled slider adds no row,
    so the rows written are what is drawn."""
    waypoints = sorted({tfr_year_1: tfr_1, tfr_year_2: tfr_2}.items())
    migration = sorted({migration_year_1: migration_1, migration_year_2: migration_2}.items())
    return scenario_specs.from_choices(
        name, label, waypoints=[] if "tfr" in disabled else [(y, v) for y, v in waypoints],
        migration=[] if "migration" in disabled or all(k == 1 for _, k in migration) else migration,
        settlers_per_year=(base.years[0], float(settlers_per_year)), horizon=horizon if horizon > base.years[-1] else None,
    )


drawn: pd.DataFrame = pd.DataFrame()
"""The totals last drawn (indicators of the explored scenario), to compare with a run."""


def redraw(**choices: object) -> None:
    """Project with these assumptions and the run's conventions; draw the pyramid and the totals
    beside パターン1."""
    global drawn
    spec = current_scenario(**choices)  # type: ignore[arg-type]
    years, what_if = scenarios.explore(base, implied, spec, tfr_bases, profile, survival, conventions)
    results = scenarios.Results(base, {"pattern1": projected.results.projections["pattern1"], "explore": what_if},
                                {}, {}, pd.DataFrame(), years={"explore": years})
    long = scenarios.long_table(results)
    labels = {"pattern1": scenarios.SCENARIO_LABELS["pattern1"], "explore": "この設定の推計"}
    year = pyramid_year if pyramid_year in years else base.years[-1]
    drawn = scenarios.indicators(results, long)
    plt.show(figures.population_pyramid(long, area, base.years[0], year, labels, AGE_LABELS))
    plt.show(figures.scenario_paths(drawn, area, labels))


if projected is not None:
    starts = list(range(base.years[0], base.years[-1], 5))
    controls = {
        "name": widgets.Text(value="mine", description="シナリオ名"),
        "label": widgets.Text(value="", description="名称"),
        "tfr_year_1": widgets.IntSlider(value=2030, min=base.years[1], max=2070, step=5, description="経由点1の年"),
        "tfr_1": widgets.FloatSlider(value=1.8, min=1.0, max=2.5, step=0.01, description="出生率1"),
        "tfr_year_2": widgets.IntSlider(value=2040, min=base.years[1], max=2070, step=5, description="経由点2の年"),
        "tfr_2": widgets.FloatSlider(value=2.07, min=1.0, max=2.5, step=0.01, description="出生率2"),
        "migration_year_1": widgets.SelectionSlider(options=starts, value=starts[min(1, len(starts) - 1)], description="移動1の年"),
        "migration_1": widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.05, description="移動の倍率1"),
        "migration_year_2": widgets.SelectionSlider(options=starts, value=starts[min(3, len(starts) - 1)], description="移動2の年"),
        "migration_2": widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.05, description="移動の倍率2"),
        "settlers_per_year": widgets.IntSlider(value=0, min=0, max=2000, step=50, description="転入超過/年"),
        "horizon": widgets.IntSlider(value=base.years[-1], min=base.years[-1], max=2070, step=5, description="最終年"),
    }
    for key, value in (json.loads(slider_values) if slider_values else {}).items():
        controls[key].value = value
    for key, control in controls.items():
        # A slider without effect is shown greyed out; the reason is printed above.
        control.disabled = any(key.startswith(kind) for kind in disabled)
    redraw(**{key: control.value for key, control in controls.items()})  # drawn at once, also without a browser
    widgets.interact(redraw, **controls)
    button = widgets.Button(description="シナリオの行を書き出す")
    saved = widgets.Output()

    def save_rows(_: object) -> None:
        spec = current_scenario(**{key: control.value for key, control in controls.items()})
        with saved:
            saved.clear_output()
            try:
                held = scenario_specs.save(spec, Path(scenario_file))
            except Exception as error:  # shown to the planner as one line, never a traceback
                display(paragraph(f"書き出せませんでした：{error}"))
                return
            display(paragraph(f"{Path(scenario_file).resolve()} に書き出しました（シナリオ {len(held)} 件）。"))
            display(scenario_specs.as_rows([spec]))

    button.on_click(save_rows)
    display(button, saved)
