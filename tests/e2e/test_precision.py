"""Every rate in every report at its one precision (whole runs)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Project
from tests.e2e.test_council import read_report

ONE_DECIMAL_RATE = re.compile(r"(?<![\d.])\d+\.\d%")
QUOTED = re.compile(r"「[^」]*」")


@pytest.mark.parametrize("name", ["population", "revision", "projection", "kpi"])
def test_no_report_gives_a_rate_at_another_precision(full_project: Project, name: str) -> None:
    """Outside a quotation of the source (「…」), every % in a report's text has two decimals:
    no list mixes 39.8% and 39.80%."""
    report = read_report(full_project.reports / f"{name}.html")
    text = "".join(report.text)
    for checked in report.tables:
        # The data checks compare a printed value with the computed one at the source's own
        # rounding: that table quotes the source, as printed.
        if str(checked["caption"]).startswith("検証の結果"):
            text = text.replace("".join(checked["texts"]), "")  # type: ignore[arg-type]
    found = [
        QUOTED.sub("", text)[max(0, m.start() - 30) : m.end()]
        for m in ONE_DECIMAL_RATE.finditer(QUOTED.sub("", text))
    ]
    assert found == []
