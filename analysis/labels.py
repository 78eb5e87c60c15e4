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
    # KPI and budget tables
    "kpi_id": "KPI番号",
    "initiative_id": "取組番号",
    "initiative_name": "具体的な取組",
    "policy_area": "連携する事項",
    "field": "政策分野",
    "policy_direction": "施策展開の基本的方向",
    "kpi_name": "成果指標（KPI）",
    "unit": "単位",
    "cumulative": "累計",
    "baseline_fy2022": "現状値（2022年度）",
    "target_fy2028": "目標値（2028年度）",
    "direction": "方向",
    "required_change": "必要な変化量",
    "yearly_pace": "年あたりの変化量（按分）",
    "as_of_fiscal_year": "評価年度",
    "expected_value": "按分による期待値",
    "actual_fiscal_year": "実績の年度",
    "actual": "実績値",
    "progress": "進捗率",
    "expected_progress": "期待進捗率",
    "grade": "評価",
    "flags": "確認事項",
    "note": "備考",
    "fiscal_year": "年度",
    "budget_thousand_yen": "事業費（千円）",
    "budget_total_thousand_yen": "5年間の事業費（千円）",
    "budget_per_unit_change_thousand_yen": "KPI 1単位あたり事業費（千円、参考値）",
    "shared_budget": "複数KPIで共有",
    "flag": "確認事項",
    "detail": "内容",
    "value": "値",
    "second_no": "第2次 番号",
    "second_name": "第2次 取組",
    "third_no": "第3次 番号",
    "third_name": "第3次 取組",
    "change_type": "変更",
    "change_label": "区分",
    "kind": "種別",
    "old_population": "以前の版（人）",
    "new_population": "新しい版（人）",
    "difference_people": "差（人）",
    "difference_pct": "差の率（%）",
    "old_edition": "以前の版",
    "new_edition": "新しい版",
    "old_aging_rate_pct": "以前の版の高齢化率（%）",
    "new_aging_rate_pct": "新しい版の高齢化率（%）",
    "aging_rate_difference_points": "高齢化率の差（ポイント）",
    "count": "件数",
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
    "direction": {"increase": "増加", "decrease": "減少", "maintain": "維持"},
    "flag": {
        "target_below_baseline": "目標値が現状値を下回る",
        "target_equals_baseline": "目標値が現状値と同じ",
        "zero_budget": "事業費0円の年度",
        "budget_jump": "事業費の大きな増減",
    },
}

SHEET_NAMES = {
    "population": "人口",
    "age_structure": "年齢構造",
    "change": "増減",
    "comparison": "推計と展望の比較",
    "targets": "目標",
    "findings": "検証結果",
    "corrections": "補正",
    "overview": "KPI一覧",
    "budgets": "事業費",
    "budgets_by_field": "分野別事業費",
    "budgets_by_area": "連携事項別事業費",
    "budget_totals": "取組別事業費",
    "budget_per_change": "KPIあたり事業費",
    "flags": "確認事項",
    "changes": "第2次からの変更",
    "comments": "意見件数",
    "actuals": "KPI実績",
    "differences": "新旧比較",
    "aging": "新旧比較（高齢化率）",
}


def japanese(frame: pd.DataFrame) -> pd.DataFrame:
    """Same table with Japanese headers and value labels (for Excel and the report)."""
    result = frame.copy()
    for column, mapping in VALUE_LABELS.items():
        if column in result:
            result[column] = result[column].map(lambda v, m=mapping: m.get(v, v))
    for column in ("derived", "corrected", "cumulative", "shared_budget"):
        if column in result:
            result[column] = result[column].map({True: "○", False: ""})
    return result.rename(columns=COLUMN_LABELS)
