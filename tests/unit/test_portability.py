"""No POSIX-only call without a Windows path, in ``analysis/``, ``tasks.py`` and the tests.

Every use of a name of ``os``, ``signal``, ``fcntl``, ``resource`` (and the other
Unix-only modules) is listed from the syntax tree; one that Windows' Python does not
have (the lists of :mod:`tests.windows`' simulation, from the Python docs'
"Availability: Unix") fails the test unless it stands in a guarded branch:

* under an ``if``/conditional expression/``and``/``or`` that asks ``os.name``,
  ``sys.platform``, ``hasattr(...)`` or ``getattr(...)``;
* in a ``try`` that catches ``AttributeError``, ``ImportError`` or ``OSError``;
* in a test skipped elsewhere by such a condition (``skipif`` decorator, or an early
  ``if ...: pytest.skip(...)``), whose Windows counterpart runs under the simulation.

Also refused unguarded: ``os.kill`` (on Windows it terminates the process outright for
any signal but the console events), ``send_signal(signal.SIGINT)`` (``ValueError`` on
Windows) and symbolic links (a privilege planners do not have). ``tests/windows/`` is
the simulation itself, which runs on Linux by design, and is not listed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.core.paths import ROOT
from tests.windows import simulation

SOURCES = [
    *sorted((ROOT / "analysis").rglob("*.py")),
    ROOT / "tasks.py",
    *sorted(
        p for p in (ROOT / "tests").rglob("*.py") if "windows" not in p.relative_to(ROOT).parts
    ),
]
WINDOWS_SIGNAL_NAMES = {"SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM", "SIGBREAK",
                        "CTRL_C_EVENT", "CTRL_BREAK_EVENT", "SIG_DFL", "SIG_IGN", "NSIG"}  # fmt: skip
POSIX_SIGNAL_FUNCTIONS = {"alarm", "pause", "setitimer", "getitimer", "siginterrupt", "sigwait",
                          "sigwaitinfo", "sigtimedwait", "pthread_kill", "pthread_sigmask",
                          "sigpending"}  # fmt: skip
UNIX_MODULES = set(simulation._ABSENT_MODULES)


@dataclass(frozen=True)
class Use:
    file: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.name}"


def posix_only(node: ast.AST) -> str | None:
    """The POSIX-only name ``node`` uses, or None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module, name = node.value.id, node.attr
        if module == "os" and (name in simulation._POSIX_ONLY_OS or name in {"kill", "symlink"}):
            return f"os.{name}"
        if module == "signal" and (
            (name.startswith("SIG") and name not in WINDOWS_SIGNAL_NAMES)
            or name in POSIX_SIGNAL_FUNCTIONS
        ):
            return f"signal.{name}"
        if module in UNIX_MODULES:
            return f"{module}.{name}"
    if isinstance(node, ast.Attribute) and node.attr in {"symlink_to", "hardlink_to"}:
        return f".{node.attr}()"
    if isinstance(node, ast.Import):
        found = [a.name for a in node.names if a.name.partition(".")[0] in UNIX_MODULES]
        return f"import {found[0]}" if found else None
    if isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] in UNIX_MODULES:
        return f"from {node.module} import"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "send_signal"
        and any(ast.unparse(a) == "signal.SIGINT" for a in node.args)
    ):
        return "send_signal(signal.SIGINT)"
    return None


def _asks_the_platform(test: ast.AST) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and ast.unparse(node) in {"os.name", "sys.platform"}:
            return True
        if isinstance(node, ast.Call) and ast.unparse(node.func) in {"hasattr", "getattr"}:
            return True
    return False


_GUARD_ERRORS = {"AttributeError", "ImportError", "ModuleNotFoundError", "OSError"}


def _catches_absence(node: ast.Try) -> bool:
    for handler in node.handlers:
        caught = handler.type
        names = (
            {ast.unparse(e) for e in caught.elts}
            if isinstance(caught, ast.Tuple)
            else {ast.unparse(caught)}
            if caught is not None
            else {"BaseException"}
        )
        if names & _GUARD_ERRORS:
            return True
    return False


def _skipped_elsewhere(function: ast.FunctionDef | ast.AsyncFunctionDef, marks: set[str]) -> bool:
    """A test decorated ``skipif(<platform question>)`` (directly or by a module-level name in
    ``marks``) or opening with ``if ...: pytest.skip()``."""
    for decorator in function.decorator_list:
        if (_asks_the_platform(decorator) and "skip" in ast.unparse(decorator)) or (
            isinstance(decorator, ast.Name) and decorator.id in marks
        ):
            return True
    for statement in function.body:
        if (
            isinstance(statement, ast.If)
            and _asks_the_platform(statement.test)
            and any("skip" in ast.unparse(s) or isinstance(s, ast.Return) for s in statement.body)
        ):
            return True
    return False


def uses(path: Path) -> Iterator[tuple[Use, bool]]:
    """Every POSIX-only use in ``path`` and whether it is guarded."""
    name = path.relative_to(ROOT).as_posix()
    for found, line, guarded in _uses_of_source(path.read_text(encoding="utf-8")):
        yield Use(name, line, found), guarded


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST], marks: set[str]) -> bool:
    child, parent = node, parents.get(node)
    while parent is not None:
        if (
            isinstance(parent, ast.If | ast.IfExp | ast.While)
            and child is not parent.test
            and _asks_the_platform(parent.test)
        ):
            return True
        if isinstance(parent, ast.BoolOp) and any(
            _asks_the_platform(v)
            for v in parent.values[: parent.values.index(child)]
            if child in parent.values
        ):
            return True
        if isinstance(parent, ast.Try) and child in parent.body and _catches_absence(parent):
            return True
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef) and _skipped_elsewhere(
            parent, marks
        ):
            return True
        child, parent = parent, parents.get(parent)
    return False


def test_no_posix_only_call_without_a_windows_path() -> None:
    unguarded = [str(use) for path in SOURCES for use, guarded in uses(path) if not guarded]
    assert unguarded == [], "POSIX-only names outside a guarded branch:\n" + "\n".join(unguarded)


def test_the_listing_finds_what_it_must() -> None:
    """The test could fail: unguarded uses are found, guarded ones are not."""
    source = """
import os, signal, fcntl
os.killpg(1, signal.SIGKILL)
process.send_signal(signal.SIGINT)
if hasattr(os, "killpg"):
    os.killpg(1, signal.SIGTERM)
if os.name != "nt":
    os.mkfifo("x")
group = hasattr(os, "getpgid") and os.getpgid(0)
try:
    import resource
except ImportError:
    resource = None
def test_x():
    if not hasattr(os, "mkfifo"):
        pytest.skip("POSIX only")
    os.mkfifo("y")
POSIX = pytest.mark.skipif(not hasattr(os, "setsid"), reason="POSIX")
@POSIX
def test_y():
    os.setsid()
def test_z():
    os.fork()
"""
    tree_uses = list(_uses_of_source(source))
    assert sorted(name for name, _, guarded in tree_uses if not guarded) == sorted(
        ["import fcntl", "os.killpg", "signal.SIGKILL", "send_signal(signal.SIGINT)", "os.fork"]
    )
    assert sorted(name for name, _, guarded in tree_uses if guarded) == sorted(
        ["os.killpg", "os.mkfifo", "os.getpgid", "import resource", "os.mkfifo", "os.setsid"]
    )


def _uses_of_source(source: str) -> Iterator[tuple[str, int, bool]]:
    """(name, line, guarded) of every POSIX-only use in a module's source."""
    tree = ast.parse(source)
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    marks = {  # POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo"), ...)
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and _asks_the_platform(statement.value)
        and "skip" in ast.unparse(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        found = posix_only(node)
        if found is not None:
            yield found, getattr(node, "lineno", 0), _guarded(node, parents, marks)
