"""One header vocabulary: every reader that has a column accepts every spelling of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core import vocabulary
from analysis.inputs import agesex, kpi_plan, projection_inputs, scenario_specs
from analysis.inputs.cells import read_municipality_registry
from analysis.inputs.data import POPULATION_LAYOUT
from analysis.inputs.layouts import Field, normalise_header
from tests.workbooks import made_up_edition, tidy_csv

READERS: dict[str, list[tuple[str, Field]]] = {
    # vocabulary list: (reader, its field)
    "MUNICIPALITY": [
        ("三区分の人口", POPULATION_LAYOUT.field("municipality")),
        ("男女・5歳階級", agesex.AGE_SEX_LAYOUT.field("municipality")),
        ("設定", projection_inputs.SETTING_FIELDS[1]),
        ("生残率", projection_inputs.SURVIVAL_FIELDS[0]),
    ],
    "YEAR": [
        ("三区分の人口", POPULATION_LAYOUT.field("year")),
        ("男女・5歳階級", agesex.AGE_SEX_LAYOUT.field("year")),
        ("シナリオ", scenario_specs.SCENARIO_FIELDS[2]),
    ],
    "POPULATION": [
        ("三区分の人口", POPULATION_LAYOUT.value),
        ("男女・5歳階級", agesex.AGE_SEX_LAYOUT.value),
    ],
    "SEX": [
        ("男女・5歳階級", agesex.AGE_SEX_LAYOUT.field("sex")),
        ("転入者の構成", projection_inputs.PROFILE_FIELDS[0]),
        ("生残率", projection_inputs.SURVIVAL_FIELDS[2]),
    ],
    "AGE_CLASS": [
        ("男女・5歳階級", agesex.AGE_SEX_LAYOUT.field("age_group")),
        ("転入者の構成", projection_inputs.PROFILE_FIELDS[1]),
        ("生残率", projection_inputs.SURVIVAL_FIELDS[3]),
    ],
    "AGE_GROUP": [("三区分の人口", POPULATION_LAYOUT.field("age_group"))],
    "KPI_ID": [("KPI実績", kpi_plan.ACTUALS_LAYOUT.field("kpi_id"))],
    "FISCAL_YEAR": [("KPI実績", kpi_plan.ACTUALS_LAYOUT.field("fiscal_year"))],
    "NOTE": [
        ("KPI実績", kpi_plan.ACTUALS_LAYOUT.optional[0]),
        ("設定", projection_inputs.NOTE_FIELD),
    ],
    "SCENARIO": [("シナリオ", scenario_specs.SCENARIO_FIELDS[0])],
    "ASSUMPTION": [("シナリオ", scenario_specs.SCENARIO_FIELDS[1])],
    "SCENARIO_LABEL": [("シナリオ", scenario_specs.LABEL_FIELD)],
    "SETTING_VALUE": [
        ("設定", projection_inputs.SETTING_FIELDS[2]),
        ("シナリオ", scenario_specs.SCENARIO_FIELDS[3]),
    ],
}


@pytest.mark.parametrize(
    ("names", "reader", "field", "header"),
    [
        (names, reader, field, header)
        for names, fields in READERS.items()
        for reader, field in fields
        for header in getattr(vocabulary, names)
    ],
)
def test_every_reader_accepts_every_spelling_of_its_columns(
    names: str, reader: str, field: Field, header: str
) -> None:
    assert field.matches(normalise_header(header)), f"{reader} refuses {header!r} ({names})"
    assert field.matches(normalise_header(f"{header}（人）")) or names != "POPULATION"


def test_a_tidy_age_sex_file_with_the_header_shichomei_is_read(tmp_path: Path) -> None:
    """Once refused: the age × sex reader had its own, shorter, list of names."""
    path = tidy_csv(tmp_path / "agesex.csv", made_up_edition({"一関市": 4.6, "平泉町": 0.31}))
    text = path.read_text(encoding="utf-8").replace(
        "市町村,年,男女,年齢階級,人口", "市町名,西暦年,性別,年齢5歳階級,人口数", 1
    )
    path.write_text(text, encoding="utf-8")
    loaded = agesex.load(path, edition="x", registry=read_municipality_registry())
    assert loaded.errors == []
    assert set(loaded.frame["municipality"]) == {"一関市", "平泉町"}
