"""A proof sheet: every report printed to PDF and every page of every PDF on one picture.

``python -m analysis proof`` (``py tasks.py proof``) prints the reports as ``pdf`` does,
then draws every page of every PDF side by side, one band per report, into
``reports/pdf/proof.png``, so that a person sees in a minute whether a page is cut off,
nearly empty, or holds a lone heading. The pages are rendered with PDFium (pypdfium2),
the renderer of Chromium's own PDF viewer, so the sheet shows what a reader will see.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.paths import REPORTS
from analysis.inputs.io import atomic_path

if TYPE_CHECKING:
    from PIL.Image import Image

PROOF_NAME = "proof.png"
PAGE_HEIGHT = 420
"""Pixels of a portrait page's height on the sheet (a landscape page is as high, wider)."""
PER_ROW = 8
"""Pages in one row of a report's band; a longer report continues on the next row."""
GAP = 14
LABEL = 22


def page_images(pdf: Path, height: int = PAGE_HEIGHT) -> list[Image]:
    """Every page of ``pdf`` as a PIL image ``height`` pixels high for a portrait A4 page."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    document = pdfium.PdfDocument(str(pdf))
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            width, tall = page.get_size()  # pt
            scale = height / max(width, tall)
            images.append(page.render(scale=scale).to_pil().convert("RGB"))
            page.close()
        return images
    finally:
        document.close()


def contact_sheet(pdfs: list[Path], target: Path) -> Path:
    """One PNG with every page of ``pdfs``: a band per PDF, its name and page numbers."""
    from PIL import Image as Images
    from PIL import ImageDraw, ImageFont

    font = ImageFont.load_default(size=16)
    bands = [(pdf.stem, page_images(pdf)) for pdf in pdfs]
    cell = PAGE_HEIGHT + GAP
    width = GAP + PER_ROW * cell
    height = GAP
    for _, pages in bands:
        rows = max(1, -(-len(pages) // PER_ROW))
        height += LABEL + rows * (PAGE_HEIGHT + LABEL) + GAP
    sheet = Images.new("RGB", (width, height), "#9aa3ad")
    draw = ImageDraw.Draw(sheet)
    top = GAP
    for name, pages in bands:
        draw.text((GAP, top), f"{name}.pdf  ({len(pages)} pages)", fill="black", font=font)
        top += LABEL
        for number, image in enumerate(pages, start=1):
            row, column = divmod(number - 1, PER_ROW)
            left = GAP + column * cell
            y = top + row * (PAGE_HEIGHT + LABEL)
            sheet.paste(image, (left + (PAGE_HEIGHT - image.width) // 2, y))
            draw.text(
                (left + PAGE_HEIGHT // 2 - 12, y + PAGE_HEIGHT + 2),
                f"p.{number}",
                fill="black",
                font=font,
            )
        rows = max(1, -(-len(pages) // PER_ROW))
        top += rows * (PAGE_HEIGHT + LABEL) + GAP
    with atomic_path(target) as temporary:
        sheet.save(temporary, format="PNG", optimize=True)
    return target


def proof(folder: Path = REPORTS) -> tuple[list[Path], Path]:
    """Print every report of ``folder`` to PDF and draw the proof sheet; (PDFs, sheet).

    The PDFs are printed as ``pdf`` prints them: under the run lock, and only from reports
    that the last ``reports`` run left as they are."""
    from analysis.run.pdf import print_current_reports

    written = print_current_reports(folder)
    return written, contact_sheet(written, folder / "pdf" / PROOF_NAME)
