"""Japanese labels for what planners read: table headers, sheet names, codes."""

from __future__ import annotations

import pandas as pd

from analysis.schema import AGE_GROUP_LABELS

COLUMN_LABELS = {
    "edition": "版",
    "edition_label": "出典（版）",
    "municipality": "市町",
    "year": "年",
    "age_group": "年齢区分",
    "population": "人口（人）",
    "derived": "算出値",
    "derivation": "算出方法",
    "corrected": "補正",
    "0-14": "年少人口（人）",
    "15-64": "生産年齢人口（人）",
    "65+": "老年人口（人）",
    "total": "総人口（人）",
    "share_0-14_pct": "年少人口割合（%）",
    "share_15-64_pct": "生産年齢人口割合（%）",
    "share_65+_pct": "老年人口割合（%）",
    "aging_rate_pct": "高齢化率（%）",
    "youth_dependency_pct": "年少人口指数",
    "old_age_dependency_pct": "老年人口指数",
    "dependency_pct": "従属人口指数",
    "ageing_index_pct": "老年化指数",
    "base_population": "基準年人口（人）",
    "change": "増減数（人）",
    "change_rate_pct": "増減率（%）",
    "index": "指数（基準年=1.0）",
    "population_baseline": "推計人口（人）",
    "population_alternative": "展望人口（人）",
    "gap": "差（展望−推計、人）",
    "ratio": "影響度（展望÷推計）",
    "baseline": "基準とする版",
    "alternative": "比較する版",
    "quantity": "指標",
    "target": "目標値",
    "vision_value": "人口ビジョンの値",
    "difference": "差（ビジョン−目標）",
    "source_line": "原資料の行",
    "severity": "区分",
    "file": "ファイル",
    "line": "行",
    "column": "列",
    "check": "検査",
    "message": "内容",
    "resolved_by": "補正ファイル",
    "printed_population": "印刷値（人）",
    "corrected_population": "補正値（人）",
    "reason": "理由",
    "evidence": "根拠",
}

CHECK_LABELS = {
    "age-groups-sum": "年齢3区分の和と合計の不一致",
    "municipalities-sum": "市町の和と圏域合計の不一致",
    "printed-aging_rate": "印刷された高齢化率と再計算値の不一致",
    "printed-share": "印刷された人口比率と再計算値の不一致",
    "printed-change_rate": "印刷された増減率と再計算値の不一致",
    "prose-fact": "本文の数値と表の不一致",
}

VALUE_LABELS = {
    "check": CHECK_LABELS,
    "age_group": AGE_GROUP_LABELS,
    "severity": {"error": "エラー", "warning": "警告"},
    "quantity": {"population": "人口（人）", "aging_rate": "高齢化率（%）"},
}

SHEET_NAMES = {
    "population": "人口",
    "age_structure": "年齢構造",
    "change": "増減",
    "comparison": "推計と展望の比較",
    "targets": "目標",
    "findings": "検証結果",
    "corrections": "補正",
}


def japanese(frame: pd.DataFrame) -> pd.DataFrame:
    """Same table with Japanese headers and value labels (for Excel and the report)."""
    result = frame.copy()
    for column, mapping in VALUE_LABELS.items():
        if column in result:
            result[column] = result[column].map(lambda v, m=mapping: m.get(v, v))
    for column in ("derived", "corrected"):
        if column in result:
            result[column] = result[column].map({True: "○", False: ""})
    return result.rename(columns=COLUMN_LABELS)
