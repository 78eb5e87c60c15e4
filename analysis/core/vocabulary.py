"""The one header vocabulary: every spelling of a column that any reader accepts.

Each reader (three-group populations, counts by sex and age, KPI actuals, the
projection settings, survival ratios and settler profile) builds its
:class:`analysis.inputs.layouts.Field` objects from these lists, so a header that one
reader accepts is accepted by every reader that has that column. Spellings are
compared after NFKC, lower case and without spaces or a trailing unit in brackets
(``人口（人）`` is ``人口``).
"""

from __future__ import annotations

MUNICIPALITY = (
    "市町村",
    "市町村名",
    "市区町村",
    "市区町村名",
    "市町",
    "市町名",
    "自治体",
    "自治体名",
    "団体名",
    "地域",
    "地域名",
    "area",
)
CODE = (
    "コード",
    "市町村コード",
    "市区町村コード",
    "団体コード",
    "地方公共団体コード",
    "全国地方公共団体コード",
    "行政コード",
)
YEAR = ("年", "年次", "西暦", "西暦年", "年(西暦)")
AGE_GROUP = ("年齢区分", "年齢", "年齢階級", "年齢3区分", "年齢三区分", "agegroup", "age")
"""The three broad groups (0–14, 15–64, 65+)."""
AGE_CLASS = ("年齢階級", "年齢5歳階級", "5歳階級", "年齢区分", "年齢", "agegroup", "age")
"""Five-year age groups."""
SEX = ("男女", "性別", "男女別", "性", "sex", "gender")
POPULATION = (
    "人口",
    "人数",
    "人口数",
    "推計人口",
    "将来推計人口",
    "展望人口",
    "将来展望人口",
    "値",
    "数値",
    "value",
)
KPI_ID = ("kpi番号", "kpi", "kpiid", "kpi_no", "番号", "指標番号")
FISCAL_YEAR = ("年度", "実績年度", "fy", "fiscalyear")
ACTUAL = ("値", "実績", "実績値", "value")
NOTE = ("備考", "メモ", "注記", "説明", "注", "note")
SETTING = ("設定", "設定項目", "設定名", "項目", "名称", "name")
SETTING_VALUE = ("値", "設定値", "数値", "value")
PERIOD = ("期間", "推計期間", "period")
SURVIVAL_RATIO = ("生残率", "生存率", "survivalratio", "survival")
SHARE = ("割合", "構成比", "比率", "share")
SCENARIO = ("シナリオ", "シナリオid", "シナリオ番号", "scenarioid", "scenario")
SCENARIO_LABEL = ("シナリオ名", "名称", "ラベル", "表示名", "label")
ASSUMPTION = ("仮定", "仮定の種類", "項目", "assumption")
KPI_BASELINE = ("baseline", "現状値", "基準値", "基準値の値")
KPI_BASELINE_YEAR = ("baseline_year", "現状値の年度", "基準年度", "現状値年度")
KPI_TARGET = ("target", "目標値")
KPI_TARGET_YEAR = ("target_year", "目標年度", "目標値の年度", "目標値年度")
KPI_VALUE_WITH_YEAR = r"(baseline|target)_fy(\d{4})"
"""The transcription's headers (``baseline_fy2022``, ``target_fy2028``): value and year in one."""
