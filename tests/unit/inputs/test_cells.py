"""analysis.inputs.cells: municipality names close to a plan municipality's."""

from __future__ import annotations

from analysis.core.schema import REGION
from analysis.inputs.cells import near_plan_name
from tests.unit.inputs.test_agesex import REGISTRY


def test_near_names_and_names_elsewhere() -> None:
    names = [*REGISTRY.names, REGION]
    for typed, meant in [("一関", "一関市"), ("平泉", "平泉町"), ("一関 市", "一関市"), ("一関　市", "一関市"),
                         ("平泉　町", "平泉町"), ("一関町", "一関市"), ("平泉村", "平泉町"), ("圏 域", REGION)]:  # fmt: skip
        assert near_plan_name(typed, names) == meant, typed
    for elsewhere in ("関市", "平川市", "一戸町", "奥州市", "盛岡市", "", "   "):
        assert near_plan_name(elsewhere, names) is None, elsewhere
