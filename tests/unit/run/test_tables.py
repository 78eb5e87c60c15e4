"""analysis.run.tables: the tables a run builds (a plan revision's sheets, extended years marked)."""

from __future__ import annotations

import pandas as pd


def test_the_workbook_marks_the_extended_rows_of_a_vision_from_a_scenario() -> None:
    from analysis.run.tables import mark_extended

    frame = pd.DataFrame(
        {"edition": ["vision_supplied", "vision_supplied", "ipss_2018"], "year": [2050, 2055, 2055]}
    )
    tables = {"population_age_structure": frame, "kpi_overview": frame}
    marked = mark_extended(tables, 2050)
    assert marked["population_age_structure"]["extended"].tolist() == [False, True, False]
    assert "extended" not in marked["kpi_overview"]
    assert mark_extended(tables, 0) is tables, "a vision as published: nothing marked"
