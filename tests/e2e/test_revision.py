"""A supplied vision through whole runs, and back to the shipped one."""

from __future__ import annotations

import openpyxl
import pandas as pd

from tests.conftest import Project
from tests.unit.model.test_revision import EXAMPLE


def test_reports_with_a_supplied_vision_then_back(project: Project) -> None:
    result = project.cli(
        "reports", "--vision", str(EXAMPLE), "--vision-label", "人口ビジョン改訂案（例）"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    html = (project.reports / "revision.html").read_text(encoding="utf-8")
    assert "人口ビジョン改訂案（例）" in html
    assert "-222" in html
    assert (project.reports / "figures" / "revision_vision_supplied_一関市.svg").exists()
    assert "人口ビジョン改訂案（例）" in (project.reports / "population.html").read_text(
        encoding="utf-8"
    )
    differences = pd.read_csv(project.processed / "revision_differences.csv")
    # The supplied vision beside the registered pair (IPSS 2018 → 2023, shipped).
    assert set(differences["new_edition"]) == {"vision_supplied", "ipss_2023"}
    workbook = openpyxl.load_workbook(project.reports / "tables.xlsx", read_only=True)
    assert "新旧比較" in workbook.sheetnames
    restored = project.cli("reports")
    assert restored.returncode == 0
    assert not list((project.reports / "figures").glob("revision_vision_supplied_*"))
    html = (project.reports / "revision.html").read_text(encoding="utf-8")
    assert "人口ビジョン改訂案（例）" not in html
    differences = pd.read_csv(project.processed / "revision_differences.csv")
    assert set(differences["new_edition"]) == {"ipss_2023"}
