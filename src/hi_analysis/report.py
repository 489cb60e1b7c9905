"""What a chapter notebook calls to put a result on the page.

Notebooks stay thin: they compute with :mod:`hi_analysis` and hand the result
to one of these functions, which render HTML or Markdown outputs that Jupyter
Book publishes as they are (no code is shown on the board-facing site).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from hi_analysis import charts, disclosure, tables
from hi_analysis.charts import Chart
from hi_analysis.provenance import record
from hi_analysis.safeio import atomic_write_text
from hi_analysis.text import escape_markdown, markdown_with_emphasis


def _svg(chart: Chart) -> str:
    """The chart as SVG text, byte-identical from run to run.

    matplotlib names clip paths and glyphs with random ids unless ``svg.hashsalt``
    is fixed, and stamps a date unless the metadata says otherwise. Text colours are
    first checked against their background (at least 4.5:1).
    """
    charts.ensure_text_contrast(chart.figure)
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "hi-analysis:" + chart.name}):
        chart.figure.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(chart.figure)
    return buf.getvalue()


#: Text cells starting with these would be run as formulas by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Significant figures of numbers in a chart's CSV: the precision the chart shows.
CHART_FIGURES = 3


def _number_text(value: float, figures: int) -> str:
    """A number to ``figures`` significant figures, without exponent or trailing zeros."""
    rounded = disclosure.round_figures(float(value), figures)
    decimals = max(0, figures - 1 - math.floor(math.log10(abs(rounded)))) if rounded else 0
    text = f"{rounded:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _safe_cell(text: str) -> str:
    """Neutralise formula injection: quote text that a spreadsheet would run as a formula."""
    if text.startswith(_FORMULA_START):
        try:
            float(text.replace(",", ""))
            return text
        except ValueError:
            return "'" + text
    return text


def csv_text(
    frame: pd.DataFrame,
    *,
    rule: str,
    counts: Sequence[str] = (),
    formats: Mapping | None = None,
    figures: int = CHART_FIGURES,
) -> str:
    r"""The CSV published beside a table or chart: controlled, rounded and spreadsheet-safe.

    Every count (declared or named as one) passes disclosure control and other
    numbers are limited as on the page (:func:`hi_analysis.disclosure.publishable`);
    columns with a display format are written as shown on the page (without thousands
    separators), other numbers to ``figures`` significant figures; text cells that
    would start a spreadsheet formula are neutralised. Excel reads the result as
    UTF-8 because the caller prefixes a byte-order mark (:func:`_csv_link`).

    Examples
    --------
    >>> t = pd.DataFrame({"Area": ["=HYPERLINK(1)"], "Residents": [1234], "Eligible": [5001]})
    >>> t["Share"] = t["Residents"] / t["Eligible"]  # a ratio of counts
    >>> csv = csv_text(t, rule="nhs_england")  # rows end in CRLF (RFC 4180)
    >>> print(csv.replace("\r\n", "\n").strip())  # 2 figures: 1,235 people, base 5
    Area,Residents,Eligible,Share
    '=HYPERLINK(1),1235,5000,0.25
    """
    formats = dict(formats or {})
    data, count_cols = disclosure.publishable(frame, counts, rule)
    out = pd.DataFrame(index=data.index)
    for col in data.columns:
        cells = []
        for v in data[col]:
            missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
            if col in count_cols:
                text = disclosure.format_count(v).replace(",", "")
            elif missing:
                text = ""
            elif col in formats:
                text = str(formats[col](v)).replace(",", "")
            elif isinstance(v, bool | np.bool_):
                text = str(bool(v))
            elif isinstance(v, int | np.integer):
                text = str(int(v))
            elif isinstance(v, float | np.floating):
                text = _number_text(float(v), figures) if math.isfinite(v) else ""
            else:
                text = str(v)
            cells.append(_safe_cell(text))
        out[_safe_cell(str(col))] = cells
    return out.to_csv(index=False, lineterminator="\r\n")


def _csv_link(csv: str, name: str, label: str) -> str:
    payload = urllib.parse.quote("\ufeff" + csv)  # BOM: Excel then reads UTF-8
    return (
        f'<a class="hi-download" download="{html.escape(name)}.csv" '
        f'href="data:text/csv;charset=utf-8,{payload}">{html.escape(label)}</a>'
    )


def chart_id(chart: Chart) -> str:
    """A stable id for a chart's figure, unique on its page (name plus a hash of the words)."""
    digest = hashlib.sha1(f"{chart.name}|{chart.title}|{chart.subtitle}".encode()).hexdigest()
    slug = "".join(c if c.isalnum() else "-" for c in chart.name.lower())
    return f"hi-chart-{slug}-{digest[:8]}"


def chart_html(chart: Chart, rule: str = "nhs_england") -> str:
    """Render a chart as an accessible HTML figure (SVG image, alt text, CSV download).

    The figure is named by its headline (``aria-labelledby``); the headline and
    statistical subtitle are its ``<figcaption>``. The image has a short alt text that
    points to the full text description, which sits in a ``<details>`` below the chart
    and is linked to the image as its extended description (``aria-details``), so a
    screen reader announces it without reading the long text twice.

    The chart's data is offered for download through :func:`csv_text`: counts
    (``chart.counts`` and any column named as a count) controlled under ``rule``,
    other numbers rounded to the precision shown.
    """
    csv = csv_text(chart.data, rule=rule, counts=chart.counts)
    svg = base64.b64encode(_svg(chart).encode("utf-8")).decode("ascii")
    notes = "".join(f"<br>{html.escape(n)}" for n in chart.notes)
    fid = chart_id(chart)
    return (
        f'<figure class="hi-chart" id="{fid}" aria-labelledby="{fid}-title">'
        f"<figcaption>"
        f'<p class="hi-chart-title" id="{fid}-title">{html.escape(chart.title)}</p>'
        f'<p class="hi-chart-subtitle">{html.escape(chart.subtitle)}</p>'
        f"</figcaption>"
        f'<img src="data:image/svg+xml;base64,{svg}" alt="{html.escape(chart.short_alt)}" '
        f'aria-details="{fid}-description">'
        f'<p class="hi-chart-source">Source: {html.escape(chart.source)}{notes}<br>'
        f"{_csv_link(csv, chart.name, 'Download the data behind this chart (CSV)')}</p>"
        f'<details id="{fid}-description"><summary>Text description of this chart</summary>'
        f"<p>{html.escape(chart.description)}</p></details>"
        f"</figure>"
    )


def show_chart(chart: Chart, rule: str = "nhs_england") -> None:
    """Display a chart on the page (counts in its download controlled under ``rule``)."""
    display(HTML(chart_html(chart, rule)))


def show_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    name: str,
    rule: str,
    counts: Sequence[str] = (),
    formats: Mapping | None = None,
    index: bool = False,
) -> None:
    """Display an accessible table (counts disclosure-controlled) with a CSV download.

    The downloadable CSV holds the same controlled values as the table, at the
    precision shown (see :func:`csv_text`).
    """
    body = tables.to_html(
        frame, caption=caption, counts=counts, rule=rule, formats=formats, index=index
    )
    csv = csv_text(
        frame.reset_index() if index else frame, rule=rule, counts=counts, formats=formats
    )
    link = _csv_link(csv, name, "Download this table (CSV)")
    # The scroll box of a wide table is a named, focusable region (keyboard users can
    # scroll it); the download link sits outside it, so it never scrolls out of view.
    display(
        HTML(
            f'<div class="hi-table-wrap" role="region" tabindex="0" '
            f'aria-label="{html.escape(caption)}">{body}</div>'
            f'<p class="hi-download-line">{link}</p>'
        )
    )


def say(markdown: str) -> None:
    """Display a paragraph written from the numbers, as plain text with emphasis.

    Everything but ``*``/``**`` emphasis is escaped
    (:func:`hi_analysis.text.markdown_with_emphasis`), so a name or label from the
    parameters or data can never become a tag, a MyST directive or role, or a link.
    """
    display(Markdown(markdown_with_emphasis(markdown)))


def heading(text: str, level: int = 2) -> None:
    """Display a section heading written from data (the text is escaped plain text).

    Myst-nb renders a heading in a cell's output as a heading of the page (a rubric:
    it does not enter the table of contents).
    """
    if not 2 <= level <= 4:
        raise ValueError("a section heading inside a chapter has level 2, 3 or 4")
    display(Markdown("#" * level + " " + escape_markdown(text)))


def bullets(items: Sequence[str], intro: str = "") -> None:
    """Display a bulleted list (each item escaped, ``**bold**`` kept), after an optional intro."""
    lines = [markdown_with_emphasis(intro), ""] if intro else []
    lines += [f"- {markdown_with_emphasis(i)}" for i in items]
    display(Markdown("\n".join(lines)))


def key_messages(messages: Sequence[str]) -> None:
    """Display the key messages box at the top of a page."""
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    display(
        HTML(
            f'<div class="hi-key-messages" role="note" aria-label="Key messages">'
            f"<p><strong>Key messages</strong></p><ul>{items}</ul></div>"
        )
    )


def data_banner(*, synthetic: bool, detail: str = "") -> None:
    """Say which figures on the page are real published data and which are synthetic."""
    if synthetic:
        lead = "SYNTHETIC DATA: not for decisions."
        text = (
            "Some figures on this page are computed from synthetic record-level extracts "
            "generated for demonstration. They are not real patient data and must not be "
            "used for decisions. " + detail
        )
        cls = "hi-banner hi-banner-synthetic"
    else:
        lead = "Real published data."
        text = (
            "Every figure on this page comes from official open data (ONS, MHCLG, OHID, "
            "NHS England). No synthetic data is used. " + detail
        )
        cls = "hi-banner hi-banner-real"
    # only the first sentence is bold: a whole paragraph in bold is hard to read
    display(
        HTML(
            f'<div class="{cls}" role="note"><p><strong>{html.escape(lead)}</strong> '
            f"{html.escape(text.strip())}</p></div>"
        )
    )


def provenance_note(
    parameters: Mapping[str, object], extracts: Sequence[Mapping[str, object]] = ()
) -> None:
    """Display the record of the code, data, extracts and parameters that produced the page.

    Parameters
    ----------
    parameters : mapping
        The notebook's parameters.
    extracts : sequence of mapping, optional
        From :func:`hi_analysis.extracts.extracts_record`: each extract's file and sha256.
    """
    rec = record()
    params = ", ".join(f"{k} = {v}" for k, v in parameters.items())
    used = "; ".join(
        f"{e['file']} (sha256 {str(e['sha256'])[:16]}"
        + (", synthetic)" if e["synthetic"] else ")")
        for e in extracts
    )
    used = f" Record-level extracts: {html.escape(used)}." if used else ""
    display(
        HTML(
            '<div class="hi-provenance"><p><strong>How this page was produced.</strong> '
            f"hi-analysis {html.escape(rec['package_version'])}, code revision "
            f"{html.escape(rec['git_revision'])} (fingerprint {rec['code_fingerprint']}), "
            f"shipped-data manifest fingerprint {rec['data_fingerprint']}. "
            f"Parameters: {html.escape(params)}.{used}</p></div>"
        )
    )


def write_results(path: str | Path, results: Mapping[str, object]) -> None:
    """Write the page's key results as a JSON sidecar for the runner and tests."""
    atomic_write_text(
        Path(path), json.dumps(results, indent=2, sort_keys=True, default=float) + "\n"
    )
