"""Functions a reader can hold: none in ``analysis/`` over 60 lines, no ``# fmt: skip``; and a model
that is never handed a file or a folder.

A function's length is counted as :mod:`ast` counts it, from its ``def`` line to its last
line. ``fmt: skip`` / ``fmt: off`` comments were used to keep
positional calls short; findings are built with keyword arguments or small named
constructors instead, and ruff formats every line.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

from analysis.core.paths import ROOT

MAX_FUNCTION_LINES = 60

PACKAGE = ROOT / "analysis"
MODULES = sorted(PACKAGE.rglob("*.py"))


def long_functions(source: str, name: str) -> list[str]:
    """Every function or method of ``source`` longer than the limit, as ``name:line: f is N lines``."""
    return [
        f"{name}:{node.lineno}: {node.name} is {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def format_markers(source: str, name: str) -> list[str]:
    """Every comment of ``source`` that turns the formatter off, as ``name:line: comment``."""
    return [
        f"{name}:{token.start[0]}: {token.string}"
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
        and any(marker in token.string.replace(" ", "") for marker in ("fmt:skip", "fmt:off"))
    ]


def positional_findings(source: str, name: str) -> list[str]:
    """Every ``Finding(...)`` built from positional arguments, as ``name:line``: seven values
    in a row say nothing about which is the file and which the column."""
    return [
        f"{name}:{node.lineno}: Finding with {len(node.args)} positional arguments"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding" and node.args
    ]


def test_a_positional_finding_is_found_and_a_keyword_one_is_not() -> None:
    source = 'Finding("error", "a.csv", 2, "x", "c")\nFinding(severity="error", file="a.csv")\n'
    assert positional_findings(source, "m.py") == ["m.py:1: Finding with 5 positional arguments"]


def _body(lines: int) -> str:
    """A function of exactly ``lines`` lines (its ``def`` included)."""
    return "def f():\n" + "    x = 1\n" * (lines - 1)


def test_a_function_over_the_limit_is_named_with_its_line_and_length() -> None:
    source = "import os\n\n" + _body(MAX_FUNCTION_LINES + 1)
    assert long_functions(source, "m.py") == ["m.py:3: f is 61 lines"]


def test_a_function_at_the_limit_and_a_long_class_pass() -> None:
    methods = "".join("    " + line + "\n" for line in _body(MAX_FUNCTION_LINES).splitlines())
    source = _body(MAX_FUNCTION_LINES) + "class C:\n" + methods + methods.replace("def f", "def g")
    assert long_functions(source, "m.py") == []


def test_a_long_method_is_found_too() -> None:
    method = "".join("    " + line + "\n" for line in _body(MAX_FUNCTION_LINES + 5).splitlines())
    assert long_functions("class C:\n" + method, "m.py") == ["m.py:2: f is 65 lines"]


def test_a_format_marker_is_found_in_a_comment_but_not_in_text() -> None:
    source = (
        'rule = "no # fmt: skip here"\nx = (1,  2)  # fmt: skip\n# fmt: off\ny = [1,  2]\n#fmt:on\n'
    )
    assert format_markers(source, "m.py") == ["m.py:2: # fmt: skip", "m.py:3: # fmt: off"]


def _module_cases() -> list[object]:
    """One case per module, named by its path in the package."""
    return [pytest.param(path, id=path.relative_to(PACKAGE).as_posix()) for path in MODULES]


def test_the_package_is_found() -> None:
    assert PACKAGE / "__main__.py" in MODULES
    assert len(MODULES) > 30


@pytest.mark.parametrize("path", _module_cases())
def test_no_long_function_and_no_format_marker(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT).as_posix()
    found = long_functions(source, name) + format_markers(source, name)
    assert found + positional_findings(source, name) == []


FILE_PARAMETERS = ("path", "file_path", "raw_dir", "folder", "directory")
"""Parameter names that hand a function a file or a folder to read."""


def file_parameters(source: str, name: str) -> list[str]:
    """Every parameter of a function of ``source`` that names a file or folder to read:
    ``path``, ``raw_dir``, ``folder``, ``directory`` or a name ending in ``_path`` / ``_dir``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            found += [
                f"{name}:{node.lineno}: {node.name}({argument.arg})"
                for argument in arguments
                if argument.arg in FILE_PARAMETERS or argument.arg.endswith(("_path", "_dir"))
            ]
    return found


def test_the_model_is_never_handed_a_file_or_a_folder() -> None:
    """The model computes from read and validated objects (issue 24); the import contract
    model-reads-nothing keeps pathlib out, this keeps a path given as text out too."""
    found = [
        finding
        for module in sorted((PACKAGE / "model").rglob("*.py"))
        for finding in file_parameters(module.read_text(encoding="utf-8"), module.name)
    ]
    assert found == []


def test_a_function_handed_a_path_is_found() -> None:
    source = "def f(frame, *, survival_path):\n    pass\ndef g(raw_dir=None):\n    pass\n"
    assert file_parameters(source, "x.py") == ["x.py:1: f(survival_path)", "x.py:3: g(raw_dir)"]
