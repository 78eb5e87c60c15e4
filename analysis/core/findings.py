"""Validation findings: one line each, naming file, row (sheet, cell) and column.

A finding is a message code from :mod:`analysis.core.messages` plus its parameters, so
it reads in Japanese on the console and in the reports, and in English in logs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from analysis.core import messages

Severity = Literal["error", "warning", "note"]

SEVERITY_LABELS = {"error": "エラー", "warning": "警告", "note": "参考"}


@dataclass(frozen=True)
class Finding:
    """One thing found in an input.

    ``error`` makes the data unusable (the run stops); ``warning`` is an
    inconsistency (inside the published source, or a doubtful value) that is
    reported while the run goes on; ``note`` tells what was left out or skipped.
    """

    severity: Severity
    file: str
    line: int | None
    column: str
    check: str
    """The message code in :data:`analysis.core.messages.CATALOGUE`."""
    params: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)
    cell: str = ""
    """The Excel cell (``C9``) when the input is a workbook; ``file`` then names the sheet."""
    resolved_by: str = ""
    """Set when a documented correction (corrections.csv) handles this finding."""

    @property
    def message(self) -> str:
        """The Japanese message (for planners)."""
        return messages.render(self.check, self.params, "ja")

    @property
    def message_en(self) -> str:
        return messages.render(self.check, self.params, "en")

    @property
    def location(self) -> str:
        """``file:line: column: `` (or ``book.xlsx[sheet]!C9: column: ``); '' without a file."""
        if not self.file:
            return ""
        if self.cell:
            return f"{self.file}!{self.cell}: {self.column}: "
        return f"{self.file}:{'-' if self.line is None else self.line}: {self.column}: "

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{SEVERITY_LABELS[self.severity]}: "
        suffix = f"（{self.resolved_by} で補正済み）" if self.resolved_by else ""
        return f"{self.location}{prefix}{self.message}{suffix}"

    def english(self) -> str:
        suffix = f" [corrected in {self.resolved_by}]" if self.resolved_by else ""
        return f"{self.location}{self.severity}: {self.message_en}{suffix}"

    def resolved(self, by: str) -> Finding:
        return replace(self, resolved_by=by)


class DataError(ValueError):
    """Raised when input data has errors; carries every finding (warnings and notes too)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.all_findings = list(findings)
        self.findings = [f for f in findings if f.severity == "error"]
        super().__init__(str(self.findings[0]) if self.findings else "invalid data")


def errors_in(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def raise_on_errors(findings: Sequence[Finding]) -> None:
    if errors_in(findings):
        raise DataError(findings)


def value_param(value: Any) -> Mapping[str, object]:
    """The default parameters of a cell message: the cell's value."""
    return {"value": value}


Locator = Callable[[np.ndarray], tuple[list[str], list[int | None], list[str], list[str]]]
"""Given row positions, the (file, line, column label, cell) of a column's cells there."""


def cell_errors(
    locate: Locator,
    flagged: Iterable[bool],
    values: Iterable[object],
    check: str,
    params: Callable[[Any], Mapping[str, object]] = lambda value: {"value": value},
    severity: Severity = "error",
) -> list[Finding]:
    """One finding per flagged cell; ``flagged`` and ``values`` run over all rows.

    Only the flagged positions are visited in Python, so a clean column of a
    nationwide file costs one vectorised scan, not a loop over its rows.
    """
    positions = np.flatnonzero(np.asarray(flagged, dtype=bool))
    if not len(positions):
        return []
    files, lines, columns, cells = locate(positions)
    value_at = np.asarray(values, dtype=object)[positions]
    return [
        Finding(
            severity=severity,
            file=file,
            line=line,
            column=column,
            check=check,
            params=params(value),
            cell=cell,
        )
        for file, line, column, cell, value in zip(
            files, lines, columns, cells, value_at, strict=True
        )
    ]


def examples(items: Sequence[str], limit: int = 5) -> str:
    """The first few items joined for a message, with how many more there are."""
    shown = "、".join(items[:limit])
    return shown + (f" ほか{len(items) - limit}件" if len(items) > limit else "")


CONSOLE_LIMIT = 30
"""At most this many findings of one severity are printed; the rest are counted."""


def console_lines(findings: Sequence[Finding], verbose: bool = False) -> list[str]:
    """Lines for the console: errors first, then warnings and notes; long lists are cut."""
    lines = []
    for severity in ("error", "warning", "note"):
        chosen = [f for f in findings if f.severity == severity]
        for finding in chosen[:CONSOLE_LIMIT]:
            lines.append(str(finding))
            if verbose:
                lines.append("    " + finding.english())
        if len(chosen) > CONSOLE_LIMIT:
            lines.append(
                f"…ほか{SEVERITY_LABELS[severity]} {len(chosen) - CONSOLE_LIMIT:,} 件"
                f"（{len(chosen):,} 件中）"
            )
    return lines


def problem_count(findings: Sequence[Finding]) -> tuple[int, int]:
    """(problems, of which corrected): warnings resolved by the same correction are one problem."""
    warnings = [f for f in findings if f.severity == "warning"]
    corrected = {f.resolved_by for f in warnings if f.resolved_by}
    open_ = [f for f in warnings if not f.resolved_by]
    return len(corrected) + len(open_), len(corrected)


def summary(findings: Sequence[Finding]) -> str:
    """One line: how many errors, warnings and notes, and how many problems the warnings are."""
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "note")}
    problems, corrected = problem_count(findings)
    return (
        f"検証結果：エラー {counts['error']} 件、警告 {counts['warning']} 件"
        f"（不整合 {problems} 件、うち {corrected} 件は補正済み）、参考 {counts['note']} 件"
    )
