"""What every table and column of the outputs means, and its unit: the data dictionary.

Planners hand ``reports/tables.xlsx`` to the council and to colleagues who never saw
this project: its first sheet 「この表について」 lists every sheet and column with its
unit and meaning, and ``data/processed/data_dictionary.csv`` says the same for the
CSV files (whose headers stay machine-friendly English). The number format of each
workbook column follows its unit (people and 千円 without decimals, % with one).
"""

from __future__ import annotations

import re

from analysis.core import precision
from analysis.report.labels import COLUMN_LABELS, SHEET_NAMES

TABLE_NOTES = {
    "population": "人口の表（版・市町・年・年齢区分ごとの人口。原資料の値、補正値、算出値（合計・補間）を区別）",
    "age_structure": "年齢構造（年齢3区分の人口、割合、高齢化率、人口指数）",
    "change": "基準年からの増減（増減数、増減率、指数）",
    "comparison": "社人研推計と人口ビジョン（展望）の比較",
    "targets": "本文に記載された目標値と人口ビジョンの表の値の照合",
    "findings": "データ検証の結果（原資料の不整合を含む）",
    "corrections": "原資料の値の補正（補正前の印刷値と補正後の値、根拠）",
    "overview": "KPI一覧（現状値・目標値・方向・按分による期待値・実績・進捗率・評価）",
    "budgets": "取組ごと・年度ごとの事業費",
    "budgets_by_field": "政策分野別の事業費",
    "budgets_by_area": "連携する事項別の事業費",
    "budget_totals": "取組ごとの5年間の事業費",
    "budget_per_change": "KPI 1単位の変化あたりの事業費（参考値）",
    "flags": "KPIの設計上の確認事項",
    "changes": "第2次ビジョンからの取組の変更",
    "execution": "取組・年度ごとの事業費（予算）と決算額、執行率（決算を入れた年度）",
    "execution_by_field": "政策分野・年度ごとの事業費（予算）と決算額、執行率",
    "execution_by_year": "年度ごとの事業費（予算）と決算額、執行率",
    "plan_changes": "計画の版の比較表：取組の追加・削除・名称変更・分野の移動・KPIと事業費の変更",
    "plan_kpi_changes": "計画の版の比較表：KPIの追加・削除と現状値・目標値の変更",
    "plan_budget_changes": "計画の版の比較表：取組・年度ごとの事業費の変更と年度ごとの合計",
    "comments": "意見の件数",
    "actuals": "KPIの実績（入力された値）",
    "notes": "KPIの注記",
    "differences": "人口の新旧の版の比較",
    "aging": "高齢化率の新旧の版の比較",
    "projection": "男女・5歳階級別の将来推計（シナリオ別）",
    "influence": "自然増減・社会増減の影響度",
    "settlers": "目標人口に必要な転入超過",
    "indicators": "将来推計の指標（年齢3区分、割合、指数、子ども女性比、合計特殊出生率）",
    "stages": "人口減少段階",
    "age_sex": "男女・5歳階級別の新旧の版の比較（最後の年齢階級が違うときは低い方にまとめる）",
    "from_scenario": "シナリオから作った将来展望（人口ビジョンの形式。--vision や editions.csv にそのまま使えます。整数に丸め、合計は丸めた値の和）",
    "actual_counts": "人口の実績（国勢調査・住民基本台帳。市町・基準日・年齢区分ごと。圏域と総数は算出値）",
    "actual_by_date": "人口の実績の年齢3区分・総人口・高齢化率（市町・基準日ごと）",
    "actual_vs_paths": "人口の実績と、推計・展望を実績の基準日に補間した値の差",
    "actual_closest": "国勢調査の人口に近かった推計・展望の順位（その年を推計した版）",
    "actual_targets": "人口の実績と本ビジョンの目標（2028年・2040年）の差",
    "assumptions": "シナリオの仮定（シナリオファイルの行と同じ形。国の手引きのシミュレーションを含む）",
}

COLUMN_NOTES = {
    "edition": "数値の版（社人研推計・人口ビジョンなど。Excel では版の名称）",
    "edition_label": "出典の版の名称",
    "municipality": "市町（圏域は一関市と平泉町の合計）",
    "year": "西暦年",
    "age_group": "年齢区分",
    "population": "人口",
    "derived": "○はこのプロジェクトが算出した値（合計・補間・以前の版から借りた値など。原資料に印刷された値ではない）",
    "per_unit_note": "1単位あたりの事業費を計算しない理由（目標値が現状値以下の指標）",
    "planned_change": "目標値−現状値",
    "interpolated": "○は前後の公表年から補間した値（公表されていない年）",
    "derivation": "算出値の求め方",
    "corrected": "○は原資料の値を補正した行",
    "0-14": "0～14歳の人口",
    "15-64": "15～64歳の人口",
    "65+": "65歳以上の人口",
    "total": "総人口（年齢不詳を含む場合がある）",
    "share_0-14_pct": "年少人口÷総人口×100",
    "share_15-64_pct": "生産年齢人口÷総人口×100",
    "share_65+_pct": "老年人口÷総人口×100",
    "aging_rate_pct": "65歳以上人口÷総人口×100",
    "youth_dependency_pct": "年少人口÷生産年齢人口×100",
    "old_age_dependency_pct": "老年人口÷生産年齢人口×100",
    "dependency_pct": "（年少人口＋老年人口）÷生産年齢人口×100",
    "ageing_index_pct": "老年人口÷年少人口×100",
    "base_population": "基準年の人口",
    "change": "基準年からの増減数",
    "change_rate_pct": "基準年からの増減率",
    "index": "基準年を1.0とした指数",
    "population_baseline": "推計（社人研推計など）の人口",
    "population_alternative": "展望（人口ビジョン）の人口",
    "gap": "展望の人口−推計の人口",
    "ratio": "展望の人口÷推計の人口",
    "baseline": "基準とする版（推計）",
    "alternative": "比較する版（展望）",
    "quantity": "指標の種類（人口または高齢化率）",
    "target": "本文に記載された目標値（人口は人、高齢化率は%）",
    "vision_value": "人口ビジョンの表の値（同じ単位）",
    "difference": "人口ビジョンの値−目標値（同じ単位）",
    "source_line": "原資料（懇談会資料）の行",
    "severity": "区分（エラー・警告・参考）",
    "file": "検査したファイル",
    "location": "ファイルの中の場所",
    "line": "ファイルの行",
    "column": "列",
    "check": "検査の種類",
    "message": "検査の結果",
    "resolved_by": "この不整合を補正したファイルと行",
    "printed_population": "原資料に印刷された値",
    "corrected_population": "補正後の値",
    "reason": "理由",
    "evidence": "根拠",
    "kpi_id": "KPI番号",
    "initiative_id": "具体的な取組の番号",
    "initiative_name": "具体的な取組",
    "policy_area": "連携する事項",
    "field": "政策分野",
    "policy_direction": "施策展開の基本的方向",
    "kpi_name": "成果指標（KPI）",
    "unit": "KPIの単位",
    "cumulative": "○は累計の指標",
    "baseline_fiscal_year": "現状値の年度（KPIごと、計画の版による）",
    "baseline_value": "現状値（KPIの単位）",
    "target_fiscal_year": "目標年度（KPIごと、計画の版による）",
    "target_value": "目標値（KPIの単位）",
    "direction": "目標の方向（増加・減少・維持）",
    "required_change": "目標値−現状値（KPIの単位）",
    "yearly_pace": "必要な変化量を現状値の年度から目標年度までに均等に按分した1年あたりの変化量",
    "as_of_fiscal_year": "評価する年度",
    "expected_value": "評価年度に按分どおり進んだ場合の値",
    "actual_fiscal_year": "実績の年度",
    "actual": "実績値（KPIの単位）",
    "progress": "進捗率（現状値から目標値までの距離のうち実績が進んだ割合）",
    "expected_progress": "評価年度に按分どおりなら達している進捗率",
    "grade": "評価（達成・順調・やや遅れ・遅れ・未報告）",
    "flags": "設計上の確認事項",
    "note": "備考",
    "fiscal_year": "年度",
    "budget_thousand_yen": "事業費",
    "budget_total_thousand_yen": "計画期間の事業費の合計",
    "budget_per_unit_change_thousand_yen": "計画期間の事業費÷KPIの必要な変化量（参考値）",
    "shared_budget": "○は事業費を複数のKPIで共有",
    "flag": "確認事項の種類",
    "detail": "確認事項の内容",
    "value": "値",
    "second_no": "第2次ビジョンの番号",
    "second_name": "第2次ビジョンの取組",
    "third_no": "第3次ビジョンの番号",
    "third_name": "第3次ビジョンの取組",
    "change_type": "変更の種類",
    "change_label": "変更の区分",
    "reason_line": "変更の理由が書かれた原資料の行",
    "kind": "種別",
    "old_population": "以前の版の人口",
    "new_population": "新しい版の人口",
    "difference_people": "新しい版−以前の版",
    "difference_pct": "（新しい版−以前の版）÷以前の版×100",
    "old_initiative_id": "以前の版での取組の番号（追加された取組は空欄）",
    "old_initiative_name": "以前の版での取組の名称",
    "old_field": "以前の版での政策分野",
    "new_initiative_id": "新しい版での取組の番号（削除された取組は空欄）",
    "new_initiative_name": "新しい版での取組の名称",
    "new_field": "新しい版での政策分野",
    "plan_change": "継続・追加・削除",
    "change_detail": "名称変更・分野の移動・KPIの変更・事業費の変更、KPIでは変わった値",
    "old_budget_total_thousand_yen": "以前の版の計画期間の事業費の合計（その版にない取組は0）",
    "new_budget_total_thousand_yen": "新しい版の計画期間の事業費の合計（その版にない取組は0）",
    "budget_change_thousand_yen": "新しい版−以前の版",
    "changed": "○は変更のある行（印刷では網掛）",
    "old_kpi_id": "以前の版でのKPI番号",
    "new_kpi_id": "新しい版でのKPI番号",
    "old_baseline_value": "以前の版の現状値（KPIの単位）",
    "old_target_value": "以前の版の目標値（KPIの単位）",
    "old_target_fiscal_year": "以前の版の目標年度",
    "new_baseline_value": "新しい版の現状値（KPIの単位）",
    "new_target_value": "新しい版の目標値（KPIの単位）",
    "new_target_fiscal_year": "新しい版の目標年度",
    "old_budget_thousand_yen": "以前の版の事業費（その版にない取組・年度は0）",
    "new_budget_thousand_yen": "新しい版の事業費（その版にない取組・年度は0）",
    "required_pace_from_latest": "（目標値−最新の実績値）÷（目標年度−実績の年度）。実績がない・目標年度に達した指標は空欄",
    "spent_thousand_yen": "決算額（実際に支出した額）",
    "unspent_thousand_yen": "事業費（予算）−決算額",
    "execution_rate_pct": "決算額÷事業費（予算）×100（予算が0の年度は空欄）",
    "old_edition": "以前の版",
    "new_edition": "新しい版",
    "old_aging_rate_pct": "以前の版の高齢化率",
    "new_aging_rate_pct": "新しい版の高齢化率",
    "aging_rate_difference_points": "新しい版の高齢化率−以前の版の高齢化率",
    "count": "件数",
    "topic": "項目",
    "scenario": "シナリオ",
    "sex": "男女",
    "natural_pct": "シミュレーション1÷パターン1×100（その年）",
    "natural_level": "自然増減の影響度の5段階",
    "social_pct": "シミュレーション2÷シミュレーション1×100（その年）",
    "chosen": "○は報告書の文章で述べる年（設定 influence_year。空欄なら推計の最後の年）",
    "extended": "○は基準のデータの最後の年より後の年（延長：最後の期間の率を据え置いて推計）",
    "label": "シナリオの名称",
    "assumption": "仮定の種類（tfr：合計特殊出生率、migration：純移動の倍率、settlers_per_year：年間の転入超過、settlers_target：目標人口、horizon：推計の最終年）",
    "social_level": "社会増減の影響度の5段階",
    "target_population": "目標人口",
    "projected_without": "転入超過を加えないパターン1の目標年の人口",
    "surplus_people": "パターン1の人口が目標を上回る人数（上回らなければ0。このとき転入超過は不要）",
    "target_year": "目標年",
    "date": "人口を数えた日（国勢調査は10月1日、住民基本台帳は基準日）",
    "kind_label": "国勢調査か住民基本台帳か（別の数え方の人口で、互いに比べません）",
    "input_file": "人口の実績を読んだファイル",
    "input_line": "そのファイルの行（圏域と算出した総数は最初の行）",
    "actual_population": "実績の総人口",
    "path_population": "推計・展望の総人口を実績の基準日に補間した値（各年の値を10月1日とし、前後の年のあいだを日数で直線補間）",
    "gap_people": "実績−推計・展望（正なら実績が多い）",
    "actual_aging_rate_pct": "実績の65歳以上人口÷総人口×100",
    "path_aging_rate_pct": "推計・展望の65歳以上人口と総人口を基準日に補間して求めた高齢化率",
    "gap_aging_points": "実績の高齢化率−推計・展望の高齢化率",
    "on_point": "○は基準日が推計・展望の公表年の10月1日（補間していない値）",
    "abs_gap_people": "実績−推計の絶対値",
    "rank": "国勢調査の人口に近かった順（1が最も近い。その年を推計した版だけ）",
    "target_aging_rate_pct": "本文に記載された高齢化率の目標（程度）",
    "gap_to_target_people": "実績−目標（正なら目標より多い）",
    "gap_to_target_aging_points": "実績の高齢化率−目標の高齢化率",
    "years_to_target": "実績の基準日から目標年の10月1日までの年数",
    "needed_change_per_year_people": "目標に届くために必要な1年あたりの増減（（目標−実績）÷年数。負は減少してよい人数）",
    "settlers_per_period": "目標人口に達するためにパターン1に加えて必要な5年ごとの転入超過",
    "settlers_per_year": "同じく1年あたり",
    "75+": "75歳以上の人口",
    "share_75+_pct": "75歳以上人口÷総人口×100",
    "women_20_39": "20～39歳の女性人口",
    "women_20_39_change_pct": "20～39歳女性人口の基準年からの増減率",
    "cwr": "0～4歳人口÷15～49歳女性人口",
    "tfr": "仮定した合計特殊出生率",
    "old_change_pct": "65歳以上人口の基準年からの増減率",
    "young_change_pct": "0～64歳人口の基準年からの増減率",
    "stage": "人口減少段階（1～3）",
    "component": "事業",
    "description": "内容",
    "days_done": "実施した日数",
    "days_total": "日数",
    "share_pct": "割合",
}

_UNIT = re.compile(r"[（、](人／5年|人／年|人|%|千円|ポイント)[、）]")
_YEAR_COLUMNS = {"year", "target_year"}
_FISCAL_YEAR_COLUMNS = {
    "fiscal_year",
    "as_of_fiscal_year",
    "actual_fiscal_year",
    "baseline_fiscal_year",
    "target_fiscal_year",
    "old_target_fiscal_year",
    "new_target_fiscal_year",
}


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)


def unit(column: str) -> str:
    """The column's unit as printed (人, %, 千円, ポイント, 年, 年度), or ''."""
    if column in _YEAR_COLUMNS:
        return "年"
    if column in _FISCAL_YEAR_COLUMNS:
        return "年度"
    if column in {"progress", "expected_progress"}:
        return "割合（1＝100%）"
    found = _UNIT.search(label(column))
    return found.group(1) if found else ""


def number_format(column: str) -> str:
    """The Excel number format for a numeric column: decimals as the quantity deserves."""
    kind = unit(column)
    if kind in {"年", "年度"}:
        return "0"
    if kind.startswith("割合"):
        return "0%"
    quantity = precision.of_column(column, kind)
    if quantity is not None:
        return precision.excel(quantity)
    return "#,##0.0#"


def sheet_name(table: str) -> str:
    short = table.split("_", 1)[1] if "_" in table else table
    return SHEET_NAMES.get(short, short)[:31]


def table_note(table: str) -> str:
    short = table.split("_", 1)[1] if "_" in table else table
    return TABLE_NOTES.get(short, "")


def entries(tables: dict[str, list[str]]) -> list[dict[str, str]]:
    """One entry per table column: file, column, Japanese label, unit, meaning."""
    rows = []
    for table, columns in tables.items():
        for column in columns:
            rows.append(
                {
                    "file": f"{table}.csv",
                    "sheet": sheet_name(table),
                    "table": table_note(table),
                    "column": column,
                    "label": label(column),
                    "unit": unit(column),
                    "description": COLUMN_NOTES.get(column, ""),
                }
            )
    return rows
