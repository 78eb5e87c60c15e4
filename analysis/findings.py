"""Validation findings: one line each, ``file:line: column: message``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
        return f"{self.file}:{line}: {self.column}: {prefix}{self.message}{suffix}"


class DataError(ValueError):
    """Raised when input data has errors; carries every finding."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = [f for f in findings if f.severity == "error"]
        super().__init__(str(self.findings[0]) if self.findings else "invalid data")


def cell_errors(
    file: str,
    column: str,
    lines: Iterable[object],
    values: Iterable[object],
    message: Callable[[object], str],
    check: str,
) -> list[Finding]:
    """One error per flagged cell: ``lines`` and ``values`` are the flagged rows only."""
    return [
        Finding("error", file, int(line), column, message(value), check)  # type: ignore[call-overload]
        for line, value in zip(lines, values, strict=True)
    ]
