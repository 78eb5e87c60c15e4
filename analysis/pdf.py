"""The reports as A4 PDFs for committee papers, printed by a Chromium-family browser.

``python -m analysis pdf`` (``make pdf``, ``py tasks.py pdf``) prints every report in
``reports/`` to ``reports/pdf/NAME.pdf`` with the reports' own print stylesheet, page
numbers in the footer. The browser is the first found of: ``ANALYSIS_BROWSER`` (a
path), Chromium, Google Chrome, Microsoft Edge (every Windows PC has Edge). A PDF is
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
from pathlib import Path

from analysis import outputs
from analysis.findings import Finding
from analysis.io import InputError, atomic_path
from analysis.paths import REPORTS

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
_KNOWN_PLACES = (
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
)  # fmt: skip


def find_browser() -> str | None:
    """The executable of a Chromium-family browser, or None."""
    chosen = os.environ.get("ANALYSIS_BROWSER")
    if chosen:
        return chosen
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((place for place in _KNOWN_PLACES if Path(place).is_file()), None)


def print_reports(folder: Path = REPORTS) -> list[Path]:
    """Every ``folder/*.html`` as ``folder/pdf/*.pdf``; the PDFs written."""
    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise InputError(Finding("error", "", None, "-", "pdf-no-reports"))
    browser = find_browser()
    if browser is None:
        raise InputError(Finding("error", "", None, "-", "pdf-no-browser"))
    from playwright.sync_api import sync_playwright

    flags = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    written = []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=browser, args=flags)
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
        raise InputError(Finding("error", "", None, "-", "pdf-busy")) from None


def check_current() -> None:
    """Refuse (one line saying what to do) reports that the last ``reports`` run did not
    leave as they are: missing or edited by hand (the manifest's SHA-256 of every file), or
    built from data, code, files or options that changed since (their recorded recipe)."""
    manifest = outputs.read_manifest()
    if not manifest:
        raise InputError(Finding("error", "", None, "-", "pdf-no-reports"))
    changed = [n for n in outputs.changed_outputs(manifest) if n.endswith(".html")]
    if changed:
        raise InputError(Finding("error", "", None, "-", "pdf-edited",
                                 {"files": "、".join(changed)}))  # fmt: skip
    if outputs.changed_outputs(manifest, first_only=True):
        raise InputError(Finding("error", "", None, "-", "pdf-edited",
                                 {"files": "報告書の図や表"}))  # fmt: skip
    stale = outputs.out_of_date_reports(manifest)
    if stale:
        raise InputError(Finding("error", "", None, "-", "pdf-stale",
                                 {"files": "、".join(f"reports/{n}.html" for n in stale)}))  # fmt: skip


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
