"""No ``assert`` guards the run: ``python -O`` drops them, and a failed one says nothing useful.

A condition the code relies on is checked explicitly and raises a proper error.
"""

from __future__ import annotations

import ast

from analysis.core.paths import ROOT


def assert_statements(source: str, name: str) -> list[str]:
    """Where ``source`` has an ``assert`` statement, as ``name:line``."""
    return [f"{name}:{n.lineno}" for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]


def test_the_search_finds_an_assert_statement_but_not_the_word() -> None:
    source = 'message = "assert x"\n# assert y\ndef f(x):\n    assert x, "x"\n'
    assert assert_statements(source, "m.py") == ["m.py:4"]


def test_no_assert_statement_in_the_package() -> None:
    found = [
        hit
        for path in sorted((ROOT / "analysis").rglob("*.py"))
        for hit in assert_statements(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == []
