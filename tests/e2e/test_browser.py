"""Open every report in headless Chromium: no failed request, no console error, a screenshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed here (.ci/run installs Debian's chromium package)",
)

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.parametrize("name", ["population", "kpi"])
def test_report_loads_offline_in_a_real_browser(
    built_project: Project, tmp_path: Path, name: str
) -> None:
    from playwright.sync_api import sync_playwright

    report = built_project.reports / f"{name}.html"
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.on("request", lambda request: requests.append(request.url))
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(report.as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "nodes => nodes.map(n => n.complete && n.naturalWidth > 0)"
            )
            toc = page.locator("nav.report-toc li").count()
            screenshot = tmp_path / f"{name}.png"
            page.screenshot(path=str(screenshot), full_page=True)
            # Printed on A4 (210 mm − 2 × 15 mm margins ≈ 680 CSS px): nothing may stick out,
            # but the tables marked wide, which print on landscape pages (267 mm ≈ 1009 px).
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 680, "height": 1000})
            too_wide = page.evaluate(
                "() => [...document.querySelectorAll('table, img')].map(e => ["
                "Math.round(e.getBoundingClientRect().right), e.classList.contains('report-wide')])"
                ".filter(([r, wide]) => r > (wide ? 1011 : 682)).map(([r]) => r)"
            )
            pdf = page.pdf(
                format="A4", margin={side: "15mm" for side in ("top", "bottom", "left", "right")}
            )
        finally:
            browser.close()
    assert failed == []
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert images and all(images), "every figure is embedded and displays"
    assert toc >= 5
    assert screenshot.stat().st_size > 50_000
    assert too_wide == [], "a table or figure would be cut off on A4"
    assert pdf.startswith(b"%PDF")


def test_every_report_prints_to_an_a4_pdf_removed_when_its_report_is_rebuilt(
    project: Project,
) -> None:
    result = project.cli("pdf", env={"ANALYSIS_BROWSER": str(CHROMIUM)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PDF を作成しました：reports/pdf/population.pdf" in result.stdout
    for name in ("population", "kpi"):
        document = (project.reports / "pdf" / f"{name}.pdf").read_bytes()
        assert document.startswith(b"%PDF")
        assert b"/Count " in document  # the page tree: a real multi-object PDF
    # A rebuilt report's PDF would show old numbers: it goes with the rebuild; the other stays.
    rebuilt = project.cli("reports", "--target-year", "2030")
    assert rebuilt.returncode == 0, rebuilt.stdout
    assert not (project.reports / "pdf" / "population.pdf").exists()
    assert (project.reports / "pdf" / "kpi.pdf").exists()
