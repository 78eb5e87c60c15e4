"""Validation findings: one line each, ``file:line: column: message``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Severity = Literal["error", "warning"]


HINTS = {
    "schema": "列の構成が違います",
    "missing-value": "空欄です",
    "not-a-number": "数値として読めません",
    "negative": "負の値です",
    "fractional": "整数ではありません",
    "unknown-municipality": "登録されていない市町名です",
    "unknown-age-group": "年齢区分が不明です",
    "duplicate": "同じ行が重複しています",
    "target-year": "公表年の範囲外です（外挿はしません）",
    "unknown-kpi": "KPI番号が不明です",
    "outside-plan": "計画期間外の年度です",
    "age-groups-sum": "原資料の不整合：年齢区分の和と合計が一致しません",
    "municipalities-sum": "原資料の不整合：市町の和と圏域が一致しません",
    "printed-aging_rate": "原資料の不整合：印刷された高齢化率と一致しません",
    "printed-share": "原資料の不整合：印刷された人口比率と一致しません",
    "printed-change_rate": "原資料の不整合：印刷された増減率と一致しません",
    "prose-fact": "原資料の不整合：本文の数値と表が一致しません",
}
"""A short Japanese explanation per check, appended to each line for the planners."""


@dataclass(frozen=True)
class Finding:
    """One problem found in an input file.

    ``error`` makes the data unusable (the run stops); ``warning`` is an
    inconsistency inside the published source that is reported and carried into
    the report while the run goes on.
    """

    severity: Severity
    file: str
    line: int | None
    column: str
    message: str
    check: str = ""
    resolved_by: str = ""
    """Set when a documented correction (corrections.csv) handles this finding."""

    def __str__(self) -> str:
        line = "-" if self.line is None else str(self.line)
        prefix = "" if self.severity == "error" else "warning: "
        suffix = f" [corrected in {self.resolved_by}]" if self.resolved_by else ""
        hint = f"（{HINTS[self.check]}）" if self.check in HINTS else ""
        return f"{self.file}:{line}: {self.column}: {prefix}{self.message}{suffix}{hint}"


class DataError(ValueError):
    """Raised when input data has errors; carries every finding."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = [f for f in findings if f.severity == "error"]
        super().__init__(str(self.findings[0]) if self.findings else "invalid data")


def cell_errors(
    file: str,
    column: str,
    lines: Iterable[object],
    flagged: Iterable[bool],
    values: Iterable[object],
    message: Callable[[object], str],
    check: str,
) -> list[Finding]:
    """One error per flagged cell; ``lines``, ``flagged`` and ``values`` run over all rows.

    Only the flagged positions are visited in Python, so a clean column of a
    nationwide file costs one vectorised scan, not a loop over its rows.
    """
    positions = np.flatnonzero(np.asarray(flagged, dtype=bool))
    if not len(positions):
        return []
    line_at = np.asarray(lines, dtype=object)[positions]
    value_at = np.asarray(values, dtype=object)[positions]
    return [
        Finding("error", file, int(line), column, message(value), check)
        for line, value in zip(line_at, value_at, strict=True)
    ]


def schema_errors(
    file: str, present: Iterable[str], required: Sequence[str], allowed: Sequence[str]
) -> list[Finding]:
    """Missing required columns and columns not in ``allowed`` (listed in its order), on line 1."""
    present = list(present)
    return [
        Finding("error", file, 1, c, f"missing column (expected {', '.join(required)})", "schema")
        for c in required
        if c not in present
    ] + [
        Finding("error", file, 1, c, f"unexpected column (allowed: {', '.join(allowed)})", "schema")
        for c in present
        if c not in allowed
    ]
