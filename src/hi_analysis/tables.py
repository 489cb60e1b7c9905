"""Accessible HTML tables, with disclosure control applied to every count column.

Tables carry a caption, column headers with ``scope``, the first column as row
headers, right-aligned numbers
and the Analysis Function shorthand ``[c]`` for suppressed counts, explained
under the table whenever it appears.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from hi_analysis import disclosure

Formatter = Callable[[object], str]


def controlled(frame: pd.DataFrame, counts: Sequence[str], rule: str) -> pd.DataFrame:
    """Return ``frame`` with each column in ``counts`` passed through disclosure control."""
    out = frame.copy()
    for col in counts:
        out[col] = disclosure.control(out[col], rule).to_numpy()
    return out


def to_html(
    frame: pd.DataFrame,
    *,
    caption: str,
    counts: Sequence[str] = (),
    rule: str = "nhs_england",
    formats: Mapping[str, Formatter] | None = None,
    index: bool = False,
) -> str:
    """Render an accessible HTML table; counts are disclosure-controlled first.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, with display-ready column names.
    caption : str
        What the table shows (measure, area, period).
    counts : sequence of str
        Columns holding counts of people or events: controlled with ``rule`` (columns
        named as counts are controlled too, and other numbers in a row are published
        only to a precision that cannot undo the control: see
        :func:`hi_analysis.disclosure.publishable`).
    rule : str
        Disclosure-control preset (see :mod:`hi_analysis.disclosure`).
    formats : mapping, optional
        Column -> function turning a value into display text.
    index : bool, default False
        Whether to show the index as the first column.

    The first column names each row, so its cells are row headers (``<th scope="row">``);
    the column headers have ``scope="col"``.

    Returns
    -------
    str
        HTML for a ``<table>``.

    Examples
    --------
    >>> t = pd.DataFrame({"Area": ["A"], "People": [3]})
    >>> out = to_html(t, caption="People by area", counts=["People"])
    >>> "[c]" in out and '<th scope="row">A</th>' in out
    True
    """
    if not str(caption).strip():
        raise ValueError("every table needs a caption saying what it shows")
    formats = dict(formats or {})
    data, counts = disclosure.publishable(frame, counts, rule)
    for col in counts:
        formats.setdefault(col, disclosure.format_count)
    if index:
        data = data.reset_index()
    cols = list(data.columns)
    numeric = {c for c in cols if c in counts or pd.api.types.is_numeric_dtype(data[c])}
    num_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_class if c in numeric else ""}>{html.escape(str(c))}</th>'
        for c in cols
    )
    rows = []
    suppressed = False
    for _, r in data.iterrows():
        cells = []
        for j, c in enumerate(cols):
            v = r[c]
            missing = v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v))
            text = (
                _default(v)
                if missing and c not in counts
                else (formats[c](v) if c in formats else _default(v))
            )
            suppressed |= text == disclosure.SUPPRESSED
            cls = ' class="num"' if c in numeric else ""
            tag = "th" if j == 0 else "td"
            scope = ' scope="row"' if tag == "th" else ""
            cells.append(f"<{tag}{scope}{cls}>{html.escape(text)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if suppressed:
        note = (
            f'<p class="hi-table-note">[c] = count suppressed to protect confidentiality. '
            f"{html.escape(disclosure.describe(rule))}</p>"
        )
    return (
        f'<table class="hi-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _default(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "[x]"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
