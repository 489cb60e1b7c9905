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

Rates, percentages, standardised rates and confidence intervals are exempt,
as in the NHS England method ("no disclosure control for complex
calculations"). Suppressed cells are shown as ``[c]`` (Analysis Function
shorthand: "confidential"), never as ``*``.

Examples
--------
>>> control([0, 3, 8, 12, 1234], "nhs_england").tolist()
[0, <NA>, 10, 10, 1235]
>>> format_count(control([6], "nhs_england")[0])
'[c]'
"""

from __future__ import annotations

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
        "numbers and are not controlled.",
    ),
    "suppress_lt5": Preset(
        "suppress_lt5",
        5,
        1,
        True,
        "Counts of 1 to 4 are suppressed and shown as [c]. Where a row or column total is "
        "published, the next-smallest count is also suppressed (secondary suppression) so the "
        "hidden value cannot be worked out by subtraction. Rates, percentages and confidence "
        "intervals are not controlled.",
    ),
    "suppress_lt10": Preset(
        "suppress_lt10",
        10,
        1,
        True,
        "Counts of 1 to 9 are suppressed and shown as [c]. Where a row or column total is "
        "published, the next-smallest count is also suppressed (secondary suppression) so the "
        "hidden value cannot be worked out by subtraction. Rates, percentages and confidence "
        "intervals are not controlled.",
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
