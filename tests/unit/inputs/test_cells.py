"""analysis.inputs.cells: numbers and names as planners type them, and the plan's municipalities."""

from __future__ import annotations

import pandas as pd

from analysis.core.schema import REGION
from analysis.inputs.cells import (
    municipality_of_sheet,
    near_plan_name,
    normalise_text,
    parse_number,
    read_municipality_registry,
)

REGISTRY = read_municipality_registry()


def test_near_names_and_names_elsewhere() -> None:
    names = [*REGISTRY.names, REGION]
    for typed, meant in [("一関", "一関市"), ("平泉", "平泉町"), ("一関 市", "一関市"), ("一関　市", "一関市"),
                         ("平泉　町", "平泉町"), ("一関町", "一関市"), ("平泉村", "平泉町"), ("圏 域", REGION)]:  # fmt: skip
        assert near_plan_name(typed, names) == meant, typed
    for elsewhere in ("関市", "平川市", "一戸町", "奥州市", "盛岡市", "", "   "):
        assert near_plan_name(elsewhere, names) is None, elsewhere


def test_numbers_as_an_office_pc_writes_them_and_what_is_not_a_number() -> None:
    text = pd.Series(["1,234", "５６", "−7", "12.5", None, "５４千", "約5万", "1e3", "1,234"])
    values, bad = parse_number(text)
    assert values.iloc[:4].tolist() == [1234.0, 56.0, -7.0, 12.5]
    assert values.iloc[8] == 1234.0, "a repeated text is parsed the same"
    assert values.iloc[4:8].isna().all()
    assert bad.tolist() == [False, False, False, False, False, True, True, True, False]


def test_text_is_normalised_to_ascii_digits_and_letters_and_stripped() -> None:
    normalised = normalise_text(pd.Series(["　一関市 ", "ＡＢ１２", None]))
    assert normalised.iloc[:2].tolist() == ["一関市", "AB12"]
    assert pd.isna(normalised.iloc[2])


def test_a_sheet_name_gives_a_municipality_only_when_it_is_one() -> None:
    assert municipality_of_sheet("3209_一関市") == "一関市"
    assert municipality_of_sheet("平泉町") == "平泉町"
    assert municipality_of_sheet(REGION) == REGION
    assert municipality_of_sheet("表紙") is None


def test_the_registry_holds_the_plan_municipalities() -> None:
    assert REGISTRY.names == ["一関市", "平泉町"]


def test_number_columns_parse_and_name_every_bad_or_empty_cell() -> None:
    """The one parser of a record table's numeric columns (the plan's tables, the spending,
    the source's facts): values as numbers, a finding per unreadable cell, then per empty one."""
    from analysis.core.findings import console_lines
    from analysis.inputs.cells import number_columns
    from analysis.inputs.io import LINE

    table = pd.DataFrame(
        {
            LINE: [2, 3, 4],
            "count": pd.Series(["１,２００", "約5", None], dtype="string"),
            "people": pd.Series(["3", "4", "5"], dtype="string"),
        }
    )
    parsed, findings = number_columns(table, ["count", "people"], "x.csv")
    assert parsed["count"].iloc[0] == 1200 and pd.isna(parsed["count"].iloc[1])
    assert list(parsed["people"]) == [3, 4, 5]
    assert table["count"].iloc[1] == "約5", "the table read is left as it was"
    assert console_lines(findings, False) == [
        "x.csv:3: count: 「約5」は数値として読めません",
        "x.csv:4: count: 空欄です",
    ]
