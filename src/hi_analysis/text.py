"""Plain-English formatting of numbers and sentences, in one place.

Phrasing rules (house style): percentages to one decimal place unless whole;
intervals written "95% CI 78.1 to 80.2" (never with a hyphen, which a screen
reader reads as minus); large numbers with thousands separators.

Examples
--------
>>> pct(0.2346)
'23.5%'
>>> with_ci(79.12, 78.5, 79.8, unit=" years")
'79.1 years (95% CI 78.5 to 79.8)'
"""

from __future__ import annotations

import math
import re
import string


def pct(share: float, digits: int = 1) -> str:
    """Format a share (0-1) as a percentage, e.g. ``0.123 -> '12.3%'``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "not available"
    return f"{share * 100:.{digits}f}%"


def num(value: float, digits: int = 1) -> str:
    """Format a number with thousands separators and ``digits`` decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    return f"{value:,.{digits}f}"


def whole(value: float) -> str:
    """Format a whole number with thousands separators."""
    return f"{round(value):,}"


def with_ci(
    value: float,
    lower: float,
    upper: float,
    *,
    digits: int = 1,
    unit: str = "",
    confidence: float = 0.95,
) -> str:
    """Format an estimate with its confidence interval."""
    level = f"{confidence * 100:g}%"
    return f"{num(value, digits)}{unit} ({level} CI {num(lower, digits)} to {num(upper, digits)})"


def money(value: float, digits: int = 2) -> str:
    """Format pounds with the sign before the symbol: ``-0.5 -> '−£0.50'``.

    Examples
    --------
    >>> money(1.5), money(-0.671)
    ('£1.50', '−£0.67')
    """
    sign = "\u2212" if value < 0 else ""
    return f"{sign}£{abs(value):,.{digits}f}"


def period(label: str) -> str:
    """Write a period in words, as a screen reader should say it.

    ``'2023 - 25'`` reads ``'2023 to 2025'`` (not "2023 minus 25"). Other labels are
    returned unchanged.

    Examples
    --------
    >>> period("2023 - 25"), period("2098 - 00"), period("2015-2017"), period("2022/23")
    ('2023 to 2025', '2098 to 2100', '2015 to 2017', '2022/23')
    """
    m = re.fullmatch(r"\s*(\d{4})\s*[-\u2013]\s*(\d{2}|\d{4})\s*", str(label))
    if m is None:
        return str(label)
    start, end = m.groups()
    if len(end) == 2:
        full = int(start[:2] + end)
        end = str(full + 100 if full < int(start) else full)
    return f"{start} to {end}"


def ordinal_decile(decile: int) -> str:
    """Describe a national IMD decile in words.

    Examples
    --------
    >>> ordinal_decile(1), ordinal_decile(10)
    ('the most deprived 10% of England', 'the least deprived 10% of England')
    """
    if decile == 1:
        return "the most deprived 10% of England"
    if decile == 10:
        return "the least deprived 10% of England"
    return f"national decile {decile} (1 = most deprived)"


def join_names(names: list[str]) -> str:
    """Join names as English prose: ``['a', 'b', 'c'] -> 'a, b and c'``."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def compare(
    value: float,
    reference: float,
    *,
    higher: str = "higher",
    lower: str = "lower",
    digits: int = 1,
    unit: str = "",
) -> str:
    """Describe a difference: ``'2.2 years lower than'`` or ``'the same as'``."""
    diff = round(value - reference, digits)
    if diff == 0:
        return "the same as"
    word = higher if diff > 0 else lower
    return f"{num(abs(diff), digits)}{unit} {word} than"


#: ASCII punctuation: CommonMark (and MyST) let a backslash make any of these literal.
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def escape_markdown(value: object) -> str:
    r"""Make any value plain text inside Markdown/MyST: the one escaping function.

    Every ASCII punctuation character is backslash-escaped (CommonMark renders
    ``\x`` as ``x``), so no HTML tag, MyST directive or role, link, table cell
    break, heading, list or maths can be formed by the value; line breaks become
    spaces. Used for every parameter or data value inserted into Markdown (book
    pages, notebook titles, :func:`hi_analysis.report.say`).

    Examples
    --------
    >>> print(escape_markdown("<b>A & B</b>"))
    \<b\>A \& B\<\/b\>
    >>> print(escape_markdown("{literalinclude} x"))
    \{literalinclude\} x
    """
    text = " ".join(str(value).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_with_emphasis(markdown: str) -> str:
    r"""Escape a sentence written from data, keeping only ``*``/``**`` emphasis as markup.

    The chapters' sentences use bold and italics and nothing else, so every other
    Markdown or MyST construct coming from a value (a place name, a label from a
    data file) is made literal with :func:`escape_markdown`.

    Examples
    --------
    >>> print(markdown_with_emphasis("**12.5%** of <i>Leicester</i>"))
    **12\.5\%** of \<i\>Leicester\<\/i\>
    """
    lines = []
    for line in markdown.split("\n"):
        parts = re.split(r"(\*+)", line)
        lines.append("".join(p if p.startswith("*") else escape_markdown(p) for p in parts))
    return "\n".join(lines)
