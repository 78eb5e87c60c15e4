"""The reports as A4 PDFs for committee papers, printed by a Chromium-family browser.

``python -m analysis pdf`` (``make pdf``, ``py tasks.py pdf``) prints every report in
``reports/`` to ``reports/pdf/NAME.pdf`` with the reports' own print stylesheet, page
numbers in the footer. The browser is the first found of: ``ANALYSIS_BROWSER`` (a
path), Chromium, Google Chrome or Microsoft Edge on PATH, then on Windows the
registry's App Paths and the usual install folders (every Windows PC has Edge).
A browser that is missing or cannot start ends in one Japanese line. A PDF is
written only when complete, and a later ``reports`` run that rebuilds a report
removes its PDF, so a PDF never shows older numbers than its report.

``pdf`` holds the run lock while it prints (a ``reports`` run in progress makes it stop
with a line saying so, and a ``reports`` started meanwhile waits its turn the same way),
and prints only reports the manifest vouches for: none edited by hand or missing, none
built from inputs that changed since (:func:`check_current`).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from analysis.core.findings import Finding
from analysis.core.paths import REPORTS, display_path
from analysis.inputs.io import InputError, atomic_path
from analysis.run import outputs

PDF_FOLDER = REPORTS / "pdf"
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "msedge",
)
_WINDOWS_PROGRAMS = ("msedge.exe", "chrome.exe")
"""Edge first: every Windows PC has it, and a city hall's policies allow it."""
_WINDOWS_FOLDERS = {
    "msedge.exe": ("Microsoft", "Edge", "Application"),
    "chrome.exe": ("Google", "Chrome", "Application"),
}
_INSTALL_ROOTS = ("LOCALAPPDATA", "PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432")
"""Where Windows installers put a browser: per user (``%LOCALAPPDATA%``, Chrome's install
without administrator rights) and per machine, on whatever drive Windows is on."""
_MAC_PLACES = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
)
APP_PATHS = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths"
"""The registry key Windows' own "Run" looks programs up in (Microsoft Learn,
"Application Registration": each ``App Paths\\NAME.exe`` key's default value is the
full path of the program), under HKEY_CURRENT_USER and HKEY_LOCAL_MACHINE."""

Registry = Callable[[str, str], "str | None"]
"""(hive, key) → the key's default value; ``hive`` is ``HKEY_CURRENT_USER`` or ``HKEY_LOCAL_MACHINE``."""


def windows_registry() -> Registry | None:
    """Read default values from the Windows registry; None where there is no registry."""
    if sys.platform != "win32":
        return None
    import winreg

    def read(hive: str, key: str) -> str | None:
        try:
            with winreg.OpenKey(getattr(winreg, hive), key) as opened:
                value, _ = winreg.QueryValueEx(opened, "")
        except OSError:
            return None
        return str(value).strip().strip('"') or None

    return read


def _variable(environ: Mapping[str, str], name: str) -> str:
    """An environment variable by name, ignoring case as Windows does."""
    wanted = name.upper()
    return next((value for key, value in environ.items() if key.upper() == wanted), "")


def browser_candidates(
    environ: Mapping[str, str] | None = None, registry: Registry | None = None
) -> list[str]:
    """Every place a Chromium-family browser may be, in the order they are tried.

    Windows: the registry's App Paths (current user, then machine), then each
    program's usual folder under ``%LOCALAPPDATA%``, ``%ProgramFiles%``,
    ``%ProgramFiles(x86)%`` and ``%ProgramW6432%`` (on whichever drive they are);
    then macOS's application folder. Names on PATH are searched by :func:`find_browser`.
    """
    environ = os.environ if environ is None else environ
    places: list[str] = []
    if registry is not None:
        for program in _WINDOWS_PROGRAMS:
            for hive in ("HKEY_CURRENT_USER", "HKEY_LOCAL_MACHINE"):
                found = registry(hive, f"{APP_PATHS}\\{program}")
                if found:
                    places.append(found)
    for program in _WINDOWS_PROGRAMS:
        for root in _INSTALL_ROOTS:
            base = _variable(environ, root)
            if base:
                places.append(os.path.join(base, *_WINDOWS_FOLDERS[program], program))
    places += _MAC_PLACES
    return list(dict.fromkeys(places))


def find_browser(
    environ: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    search: Callable[[str], str | None] = shutil.which,
) -> str | None:
    """The executable of a Chromium-family browser, or None.

    ``ANALYSIS_BROWSER`` (a path) wins; then the names on PATH; then
    :func:`browser_candidates` (the registry read by :func:`windows_registry`
    unless one is given).
    """
    environ = os.environ if environ is None else environ
    chosen = _variable(environ, "ANALYSIS_BROWSER")
    if chosen:
        return chosen
    for name in _NAMES:
        found = search(name)
        if found:
            return found
    places = browser_candidates(environ, registry or windows_registry())
    return next((place for place in places if Path(place).is_file()), None)


def _run_error(check: str, params: Mapping[str, object] | None = None) -> InputError:
    """The error of a command that concerns no input file, row or column (``check`` with
    its message parameters)."""
    return InputError(
        Finding(severity="error", file="", line=None, column="-", check=check, params=params or {})
    )


def _browser_error(check: str, browser: str) -> InputError:
    return _run_error(check, {"browser": display_path(browser)})


def launch_flags() -> list[str]:
    flags = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
    # Chromium refuses to run as root with its sandbox (Linux only: Windows has no euid).
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")
    return flags


def print_reports(folder: Path = REPORTS) -> list[Path]:
    """Every ``folder/*.html`` as ``folder/pdf/*.pdf``; the PDFs written."""
    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise _run_error("pdf-no-reports")
    pdf_folder = folder / "pdf"
    if pdf_folder.exists() and not pdf_folder.is_dir():
        raise _run_error("pdf-folder-is-file", {"path": display_path(pdf_folder)})
    browser = find_browser()
    if browser is None:
        raise _run_error("pdf-no-browser")
    if not Path(browser).is_file():
        raise _browser_error("pdf-browser-missing", browser)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=browser, args=launch_flags())
        except PlaywrightError:
            # Blocked by a policy, damaged, or not a browser at all: Playwright's own text
            # is many lines of English; the planner gets what to install or allow.
            raise _browser_error("pdf-browser-failed", browser) from None
        try:
            page = launched.new_page()
            for html in pages:
                page.goto(html.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                document = page.pdf(
                    format="A4",
                    prefer_css_page_size=True,  # the reports' @page rules: A4, landscape for wide tables
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                )
                target = folder / "pdf" / f"{html.stem}.pdf"
                write_pdf(target, document)
                written.append(target)
        finally:
            launched.close()
    return written


def print_current_reports(folder: Path = REPORTS) -> list[Path]:
    """``pdf``: :func:`print_reports` under the run lock, of reports that are current.

    Without the lock a ``pdf`` started during ``reports`` printed the HTML of before the
    commit beside the new one; without the manifest check it printed reports out of date
    or edited by hand without a word.
    """
    try:
        with outputs.run_lock():
            check_current()
            return print_reports(folder)
    except outputs.Busy:
        raise _run_error("pdf-busy") from None


def check_current() -> None:
    """Refuse (one line saying what to do) reports that the last ``reports`` run did not
    leave as they are: missing or edited by hand (the manifest's SHA-256 of every file), or
    built from data, code, files or options that changed since (their recorded recipe)."""
    manifest = outputs.read_manifest()
    if not manifest:
        raise _run_error("pdf-no-reports")
    changed = [n for n in outputs.changed_outputs(manifest) if n.endswith(".html")]
    if changed:
        raise _run_error("pdf-edited", {"files": "、".join(changed)})
    if outputs.changed_outputs(manifest, first_only=True):
        raise _run_error("pdf-edited", {"files": "報告書の図や表"})
    stale = outputs.out_of_date_reports(manifest)
    if stale:
        raise _run_error("pdf-stale", {"files": "、".join(f"reports/{n}.html" for n in stale)})


def write_pdf(target: Path, document: bytes) -> None:
    """Write ``target`` whole or not at all; a PDF held open by a viewer (Windows refuses to
    replace it) is named by its own name with what to do, never by the temporary file."""
    held = outputs.wait_until_replaceable([target])
    if held is not None:
        raise outputs.OutputLocked(held, decided=False)
    try:
        with atomic_path(target) as temporary:
            temporary.write_bytes(document)
    except PermissionError:
        raise outputs.OutputLocked(target, decided=False) from None
