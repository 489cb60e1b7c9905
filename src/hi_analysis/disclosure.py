"""Disclosure control: every count published in the book passes through here.

Two regimes are offered as presets (chosen per system in ``system.yml``):

``nhs_england`` (default)
    As NHS England publishes sub-national counts (HES/ECDS method since 2018):
    0 is shown as 0, counts of 1 to 7 are suppressed, and every other count is
    rounded to the nearest 5. No secondary suppression is needed because rounding
    protects totals.
``suppress_lt5`` / ``suppress_lt10``
    Counts of 1 to 4 (or 1 to 9) are suppressed, and **secondary suppression**
    hides the next-smallest cell of any margin (a row or column that adds up to a
    published total) holding exactly one suppressed cell, so the hidden value
    cannot be recovered by subtraction.

Rates, percentages, standardised rates and confidence intervals are computed
from unrounded counts, as in the NHS England method, but they cannot be used
to undo the control: :func:`publishable` (used for every table and CSV
download) withholds them where a count in the same row is suppressed and
rounds them to the significant figures the controlled counts allow
(:func:`safe_figures`). Columns named as counts are controlled even when the
caller forgot to declare them (:func:`count_columns`). Suppressed cells are
shown as ``[c]`` (Analysis Function shorthand: "confidential"), never as ``*``.

Examples
--------
>>> control([0, 3, 8, 12, 1234], "nhs_england").tolist()
[0, <NA>, 10, 10, 1235]
>>> format_count(control([6], "nhs_england")[0])
'[c]'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The marker printed in place of a suppressed count.
SUPPRESSED = "[c]"


@dataclass(frozen=True)
class Preset:
    """A disclosure-control rule."""

    name: str
    suppress_below: int  # counts 1 .. suppress_below - 1 are suppressed (0 is never)
    round_to: int  # 1 means no rounding
    secondary: bool
    description: str


PRESETS: dict[str, Preset] = {
    "nhs_england": Preset(
        "nhs_england",
        8,
        5,
        False,
        "Counts of 1 to 7 are suppressed and shown as [c]; all other counts are rounded to the "
        "nearest 5; zero is shown as 0. This is the method NHS England uses for sub-national "
        "counts. Rates, percentages and confidence intervals are calculated from unrounded "
        "numbers; they are withheld where a count beside them is suppressed and shown to a "
        "precision that cannot reveal a rounded count.",
    ),
    "suppress_lt5": Preset(
        "suppress_lt5",
        5,
        1,
        True,
        "Counts of 1 to 4 are suppressed and shown as [c]. Where a row or column total is "
        "published, the next-smallest count is also suppressed (secondary suppression) so the "
        "hidden value cannot be worked out by subtraction. Rates, percentages and confidence "
        "intervals are withheld where a count beside them is suppressed.",
    ),
    "suppress_lt10": Preset(
        "suppress_lt10",
        10,
        1,
        True,
        "Counts of 1 to 9 are suppressed and shown as [c]. Where a row or column total is "
        "published, the next-smallest count is also suppressed (secondary suppression) so the "
        "hidden value cannot be worked out by subtraction. Rates, percentages and confidence "
        "intervals are withheld where a count beside them is suppressed.",
    ),
}


def preset(name: str | Preset) -> Preset:
    """Return the preset called ``name`` (a :class:`Preset` is returned unchanged)."""
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(
            f"unknown disclosure preset {name!r}; choose one of {', '.join(PRESETS)}"
        ) from None


def _as_counts(values: Iterable[float]) -> np.ndarray:
    arr = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="object")), dtype="float64")
    if np.any(arr[~np.isnan(arr)] < 0):
        raise ValueError("disclosure control received a negative count")
    return arr


def control(values: Iterable[float], rule: str | Preset = "nhs_england") -> pd.Series:
    """Apply primary suppression and rounding to a flat set of counts.

    Parameters
    ----------
    values : iterable of number
        Counts (non-negative). Non-integer counts, such as modelled registers, are
        rounded to whole numbers first. Missing values stay missing.
    rule : str or Preset
        A preset name from :data:`PRESETS`.

    Returns
    -------
    pandas.Series
        Nullable integers (``Int64``); suppressed cells are ``<NA>``. Use
        :func:`format_count` to print them.

    Notes
    -----
    No secondary suppression is applied here: use :func:`control_table` for
    cells that add up to a published total under a ``suppress_*`` preset.
    """
    rule = preset(rule)
    arr = np.floor(_as_counts(values) + 0.5)
    out = arr.copy()
    small = (arr > 0) & (arr < rule.suppress_below)
    if rule.round_to > 1:
        out = np.floor(arr / rule.round_to + 0.5) * rule.round_to
    out[small] = np.nan
    return pd.Series(out).astype("Int64")


def _secondary(mask: np.ndarray, values: np.ndarray, margins: Sequence[np.ndarray]) -> np.ndarray:
    """Grow ``mask`` until no margin holds exactly one suppressed non-zero cell."""
    mask = mask.copy()
    changed = True
    while changed:
        changed = False
        for labels in margins:
            for label in pd.unique(labels):
                idx = np.flatnonzero(labels == label)
                if len(idx) < 2 or mask[idx].sum() != 1:
                    continue
                candidates = [i for i in idx if not mask[i] and values[i] > 0]
                if not candidates:
                    continue
                pick = min(candidates, key=lambda i: (values[i], i))
                mask[pick] = True
                changed = True
    return mask


def control_table(
    frame: pd.DataFrame,
    count: str,
    rule: str | Preset = "nhs_england",
    *,
    margins: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Control a long table of counts whose margins add up to published totals.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per cell.
    count : str
        The count column to control.
    rule : str or Preset
        A preset name from :data:`PRESETS`.
    margins : sequence of str, optional
        Columns whose groups form totals that are (or could be) published, e.g.
        ``["district"]`` for the rows of a district-by-group table and
        ``["group"]`` for its columns. Secondary suppression is applied within
        each group of each margin (``suppress_*`` presets only). With no margins,
        the whole column is one margin.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``count`` replaced by controlled ``Int64`` values.

    Examples
    --------
    >>> t = pd.DataFrame({"area": ["a", "a", "a"], "n": [3, 40, 57]})
    >>> control_table(t, "n", "suppress_lt5", margins=["area"])["n"].tolist()
    [<NA>, <NA>, 57]
    """
    rule = preset(rule)
    out = frame.copy()
    raw = np.floor(_as_counts(frame[count]) + 0.5)
    controlled = control(raw, rule).to_numpy(dtype="float64", na_value=np.nan)
    if rule.secondary:
        groups = (
            [np.zeros(len(frame), dtype=int)]
            if not margins
            else [frame[m].astype(str).to_numpy() for m in margins]
        )
        primary = np.isnan(controlled) & ~np.isnan(raw)
        mask = _secondary(primary, np.nan_to_num(raw), groups)
        controlled[mask] = np.nan
    out[count] = pd.Series(controlled, index=frame.index).astype("Int64")
    return out


def format_count(value: object) -> str:
    """Format a controlled count for print: thousands separators, ``[c]`` if suppressed.

    Examples
    --------
    >>> format_count(12345), format_count(pd.NA)
    ('12,345', '[c]')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return SUPPRESSED
    return f"{int(value):,}"


def describe(rule: str | Preset) -> str:
    """Return the plain-English statement of the rule, for the page."""
    return preset(rule).description


#: Words that make a column a count of people or events wherever it is published
#: (tables and CSV downloads), even when the caller did not declare it.
_COUNT_WORDS = re.compile(
    r"\b(residents?|population|populations|people|persons?|patients?|register|list|"
    r"deaths?|events?|admissions?|spells?|counts?|n|numerator|denominator|registered|"
    r"vaccinated|eligible|cases?|births?|doses?|attendances?|appointments?)\b"
)
#: Words that make a column a derived value (a share, rate or statistic), not a count.
_DERIVED_WORDS = re.compile(
    r"(share|percent|%|rate|\bper\b|ratio|mean|average|score|value|\bci\b|lower|upper|"
    r"\bsii\b|\brii\b|uptake|prevalence|expectancy|£|weighted)"
)


def is_count_column(name: object) -> bool:
    """True when a column's name says it holds counts of people or events.

    Examples
    --------
    >>> [is_count_column(c) for c in ("Residents (Census 2021)", "population_modelled",
    ...                               "Share in Core20", "register", "imd_score")]
    [True, True, False, True, False]
    """
    words = re.sub(r"[_\-]+", " ", str(name).lower())
    return bool(_COUNT_WORDS.search(words)) and not _DERIVED_WORDS.search(words)


def count_columns(frame: pd.DataFrame, declared: Sequence[str] = ()) -> list[str]:
    """The columns to control: those declared plus every numeric column named as a count."""
    found = [
        c
        for c in frame.columns
        if c not in declared
        and is_count_column(c)
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return [*declared, *found]


def safe_figures(smallest_count: float, rule: str | Preset) -> int | None:
    """Significant figures a value derived from controlled counts may be published to.

    A share or rate ``a / b`` published to ``s`` significant figures pins ``a`` only
    to within about ``a * 10**-s``; keeping that at least the rounding base means
    the rounded counts cannot be recovered from the ratio. Rules without rounding
    publish counts exactly, so they need no limit (``None``).

    Examples
    --------
    >>> safe_figures(82_400, "nhs_england"), safe_figures(40, "nhs_england")
    (4, 1)
    >>> safe_figures(82_400, "suppress_lt5") is None
    True
    """
    base = preset(rule).round_to
    if base <= 1:
        return None
    if not smallest_count or smallest_count <= 0 or math.isnan(smallest_count):
        return None
    return max(1, math.floor(math.log10(smallest_count / base)))


def round_figures(value: float, figures: int) -> float:
    """Round to ``figures`` significant figures (``round_figures(0.546854, 4) == 0.5469``)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, figures - 1 - math.floor(math.log10(abs(value))))


#: Scales at which a ratio of two counts is published (share, percent, per 1,000 ... 100,000).
RATIO_SCALES = (1.0, 100.0, 1_000.0, 10_000.0, 100_000.0)


def _numerator(values: np.ndarray, raw: dict[str, np.ndarray]) -> str | None:
    """The count a derived column was computed from, if it is a simple ratio of counts.

    A column is count-derived when, in every row, it equals ``a / b * scale`` for two
    count columns ``a`` and ``b`` (an uptake, a crude rate), or when over two or more
    rows it is proportional to one count column (a share of an unpublished total).
    Complex statistics (life expectancy, standardised rates, intervals) are neither.
    """
    ok = np.isfinite(values)
    if not ok.any():
        return None
    v = values[ok]
    for a, num in raw.items():
        for b, den in raw.items():
            if a == b:
                continue
            n, d = num[ok], den[ok]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = n / d
            usable = np.isfinite(ratio) & (d > 0)
            if not usable.all():
                continue
            for scale in RATIO_SCALES:
                if np.allclose(v, ratio * scale, rtol=1e-6, atol=1e-12):
                    return a
    for a, num in raw.items():
        n = num[ok]
        usable = (n > 0) & (v != 0)
        if usable.sum() < 2 or not usable.all():
            continue
        k = v / n
        if np.allclose(k, k[0], rtol=1e-6, atol=0):
            return a
    return None


def publishable(
    frame: pd.DataFrame, counts: Sequence[str] = (), rule: str | Preset = "nhs_england"
) -> tuple[pd.DataFrame, list[str]]:
    """Prepare a frame for publication: control every count, and every ratio of counts.

    Count columns (declared, or found by :func:`count_columns`) pass through
    :func:`control`. A column computed from them by simple division (a share,
    an uptake, a crude rate: see :func:`_numerator`) is withheld (missing) in
    rows where its counts are suppressed, and rounded to the :func:`safe_figures`
    of its controlled numerator, so it cannot be used to undo the control (NHS
    England: "percentages use the rounded numerator and denominator"). Complex
    statistics (life expectancy, standardised rates, intervals) are left as they
    are, as in the NHS England method.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The controlled copy and the names of its count columns.

    Examples
    --------
    >>> t = pd.DataFrame({"dose2": [82_398, 3], "eligible": [150_678, 100]})
    >>> t["uptake"] = t["dose2"] / t["eligible"]
    >>> out, cols = publishable(t, ["dose2", "eligible"])
    >>> out["uptake"].tolist()
    [0.5468, nan]
    """
    cols = count_columns(frame, counts)
    out = frame.copy()
    raw = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64") for c in cols}
    for c in cols:
        out[c] = control(frame[c], rule).to_numpy()
    if not cols:
        return out, cols
    published = {
        c: pd.to_numeric(pd.Series(out[c]), errors="coerce").to_numpy(dtype="float64") for c in cols
    }
    suppressed = np.zeros(len(out), dtype=bool)
    for c in cols:
        suppressed |= np.isnan(published[c]) & ~np.isnan(raw[c])
    for c in out.columns:
        if c in cols or not pd.api.types.is_float_dtype(out[c]):
            continue
        values = out[c].to_numpy(dtype="float64", na_value=np.nan).copy()
        numerator = _numerator(values, raw)
        if numerator is None:
            continue
        for i in range(len(values)):
            if suppressed[i]:
                values[i] = np.nan
                continue
            figures = safe_figures(float(published[numerator][i]), rule)
            if figures is not None and np.isfinite(values[i]):
                values[i] = round_figures(float(values[i]), figures)
        out[c] = values
    return out, cols
