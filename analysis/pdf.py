"""The reports as A4 PDFs for committee papers, printed by a Chromium-family browser.

``python -m analysis pdf`` (``make pdf``, ``py tasks.py pdf``) prints every report in
``reports/`` to ``reports/pdf/NAME.pdf`` with the reports' own print stylesheet, page
numbers in the footer. The browser is the first found of: ``ANALYSIS_BROWSER`` (a
path), Chromium, Google Chrome, Microsoft Edge (every Windows PC has Edge). A PDF is
written only when complete, and a later ``reports`` run that rebuilds a report
removes its PDF, so a PDF never shows older numbers than its report.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

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
                with atomic_path(target) as temporary:
                    temporary.write_bytes(document)
                written.append(target)
        finally:
            launched.close()
    return written
