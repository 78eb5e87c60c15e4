"""analysis.model.plan_changes: what changed between two editions of the plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.inputs import kpi_plan
from analysis.model import plan_changes
from tests.unit.inputs.test_plan import EXAMPLE, replace_in


def test_the_example_revision_shows_what_changed() -> None:
    from analysis.model import plan_changes

    new = kpi_plan.load_plan(EXAMPLE)
    old = kpi_plan.previous(new)
    assert old is not None and old.edition.edition == "vision3_2024"
    compared = plan_changes.compare(old, new)
    changes = compared["plan_changes"]
    marked = changes[changes["changed"] == "○"]
    summary = sorted(
        zip(
            marked["old_initiative_id"].fillna(0).astype(int),
            marked["new_initiative_id"].fillna(0).astype(int),
            marked["plan_change"],
            marked["change_detail"],
            strict=True,
        )
    )
    assert summary == [
        (0, 33, "追加", ""),  # 0: not in that edition
        (2, 2, "継続", "KPIの変更"),
        (3, 3, "継続", "事業費の変更"),
        (32, 0, "削除", ""),
    ]
    three = changes.set_index("new_initiative_id").loc[3]
    assert three["budget_change_thousand_yen"] == 4 * (580_000 - 566_651)
    kpis = compared["plan_kpi_changes"].set_index("new_kpi_id")
    assert kpis.loc["K02", "change_detail"] == "目標値 15（2028年度）→ 18（2028年度）"
    budgets = compared["plan_budget_changes"]
    totals = budgets[budgets["initiative_name"] == "合計"].set_index("fiscal_year")
    dropped = old.budgets.query("initiative_id == 32 and fiscal_year == 2024")
    # FY2024: initiative 32 dropped, 33 added with 0, initiative 3 unchanged that year.
    assert totals.loc[2024, "budget_change_thousand_yen"] == -dropped["budget_thousand_yen"].sum()
    # Totals equal the sums of each edition's own budgets; no missing value anywhere.
    assert totals["new_budget_thousand_yen"].sum() == new.budgets["budget_thousand_yen"].sum()
    assert totals["old_budget_thousand_yen"].sum() == old.budgets["budget_thousand_yen"].sum()
    for frame in (changes, budgets):
        assert (
            not frame.drop(columns=["old_initiative_id", "new_initiative_id"], errors="ignore")
            .isna()
            .any()
            .any()
        )


def test_a_rename_and_a_move_between_fields_are_named(tmp_path: Path) -> None:
    from analysis.model import plan_changes

    folder = tmp_path / "revised"
    shutil.copytree(EXAMPLE, folder)
    replace_in(folder / "initiatives.csv", "子育て環境整備事業", "子育て環境整備・支援事業")
    replace_in(folder / "initiatives.csv", "5,生活機能の強化,福祉,", "5,生活機能の強化,医療,")
    new = kpi_plan.load_plan(folder)
    changes = plan_changes.compare(kpi_plan.load(), new)["plan_changes"].set_index(
        "new_initiative_id"
    )
    assert changes.loc[4, "change_detail"] == "名称変更"
    assert changes.loc[4, "old_initiative_name"] == "子育て環境整備事業"
    assert changes.loc[5, ["old_field", "new_field", "change_detail"]].tolist() == [
        "福祉", "医療", "分野の移動",
    ]  # fmt: skip


def test_a_plan_pair_shows_its_newer_row_and_refuses_an_empty_pair() -> None:
    old, new = pd.Series({"label": "旧"}), pd.Series({"label": "新"})
    assert plan_changes._newer(old, new)["label"] == "新"
    assert plan_changes._newer(old, None)["label"] == "旧"
    assert plan_changes._newer(None, new)["label"] == "新"
    with pytest.raises(ValueError, match="neither an old nor a new row"):
        plan_changes._newer(None, None)
