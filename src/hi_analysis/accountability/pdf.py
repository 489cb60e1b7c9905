"""The board report as an A4 PDF: WeasyPrint, tagged (PDF/UA-1), at most five sides.

WeasyPrint lays out the report's print HTML (:func:`.board_report.to_html`) offline,
with no browser, and writes a tagged PDF (headings, lists, tables with header
cells) with the document's language and title. It needs the Pango library
(``libpango-1.0-0``, present on most desktops and installed by ``.ci/run``); if
Pango is missing the build says so in one line and publishes the HTML page only.

The five-sides rule of seed 001's cover sheet ("Executive Summaries should not
exceed 5 sides") is enforced: a longer PDF is an error and nothing is published.
"""

from __future__ import annotations

from pathlib import Path

from hi_analysis.errors import HiAnalysisError

#: Seed 001: "Executive Summaries should not exceed 5 sides".
MAX_SIDES = 5


class ReportTooLong(HiAnalysisError):
    """The board report's PDF is longer than five A4 sides."""


class PdfUnavailable(HiAnalysisError):
    """WeasyPrint cannot run here (its Pango library is missing)."""


def page_count(path: Path) -> int:
    """Number of pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def write_pdf(document: str, path: Path, *, title: str) -> Path:
    """Print a standalone HTML document to a tagged A4 PDF at ``path``.

    Raises
    ------
    PdfUnavailable
        WeasyPrint's system libraries (Pango) are missing.
    ReportTooLong
        The PDF has more than :data:`MAX_SIDES` pages.
    """
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise PdfUnavailable(
            "the board report PDF needs the Pango library (Debian: apt-get install "
            f"libpango-1.0-0 libpangoft2-1.0-0): {str(exc).splitlines()[0]}"
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".pdf.tmp")
    weasyprint.HTML(string=document).write_pdf(
        tmp, pdf_variant="pdf/ua-1", custom_metadata=False, uncompressed_pdf=False
    )
    pages = page_count(tmp)
    if pages > MAX_SIDES:
        tmp.unlink(missing_ok=True)
        raise ReportTooLong(
            f"board report '{title}' is {pages} A4 sides; seed 001 allows at most {MAX_SIDES} "
            "(shorten report.yml's deliverables or recommendations)"
        )
    tmp.replace(path)
    return path
