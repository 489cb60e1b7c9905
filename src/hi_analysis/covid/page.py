"""Page furniture of the COVID-19 chapter: the per-section synthetic-data label."""

from __future__ import annotations

import html

from IPython.display import HTML, display


def synthetic_label(what: str) -> None:
    """Display the label that opens a section (or part) computed from synthetic extracts.

    Real sections carry no label; the page banner lists every synthetic section.
    """
    display(
        HTML(
            '<div class="hi-banner hi-banner-synthetic" role="note"><p><strong>Synthetic data.'
            f"</strong> {html.escape(what)} They show the method and must not be used for "
            "decisions.</p></div>"
        )
    )
