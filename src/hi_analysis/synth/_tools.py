"""Vectorised sampling tools shared by the generators (no loops over people)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis.extracts.schemas import ETHNICITY


def make_ids(prefix: str, start: int, n: int) -> np.ndarray:
    """Pseudonymous identifiers ``<prefix><10 hex digits>`` for a block of integers.

    Examples
    --------
    >>> make_ids("P", 255, 2).tolist()
    ['P00000000FF', 'P0000000100']
    """
    return np.array([f"{prefix}{i:010X}" for i in range(start, start + n)], dtype=object)


def weighted_top_k(groups: np.ndarray, weights: np.ndarray, k: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """Select ``k[g]`` members of each group ``g`` without replacement, chance ∝ weight.

    Efraimidis-Spirakis keys (``log(u) / w``): the ``k`` largest keys of a group are a
    weighted sample without replacement. ``groups`` are integer codes ``0..G-1``.

    Returns
    -------
    numpy.ndarray of bool
        True for the selected members.
    """
    with np.errstate(divide="ignore"):
        keys = np.log(rng.random(len(groups))) / np.maximum(weights, 1e-300)
    order = np.lexsort((-keys, groups))
    g_sorted = groups[order]
    starts = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(len(groups)) - starts
    chosen = np.zeros(len(groups), dtype=bool)
    chosen[order] = rank < k[g_sorted]
    return chosen


def controlled_round(expected: np.ndarray, groups: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """Round expected counts to integers so every run of consecutive cells keeps its total.

    Within each group (cells already in the order that matters), counts are the
    differences of ``floor(cumulative expected + u)`` with one uniform ``u`` per group.
    Any consecutive run of cells then differs from its expected total by less than 1.
    ``groups`` must be sorted (contiguous).
    """
    cs = np.cumsum(expected)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    base = np.repeat(np.r_[0.0, cs[starts[1:] - 1]], np.diff(np.r_[starts, len(groups)]))
    u = np.repeat(rng.random(len(starts)), np.diff(np.r_[starts, len(groups)]))
    floor = np.floor(cs - base + u)
    prev = np.r_[0.0, floor[:-1]]
    prev[starts] = np.floor(u[starts])
    return (floor - prev).astype(np.int64)


def recorded_ethnicity(true: pd.Categorical | np.ndarray | pd.Series, rng: np.random.Generator,
                       *, not_stated: float, missing: float) -> pd.Categorical:
    """Ethnicity as a service records it: true group, or ``Not stated``, or empty."""
    codes = pd.Categorical(true, categories=list(ETHNICITY)).codes.copy()
    u = rng.random(len(codes))
    codes[u < not_stated] = ETHNICITY.index("Not stated")
    codes[(u >= not_stated) & (u < not_stated + missing)] = -1
    return pd.Categorical.from_codes(codes, categories=list(ETHNICITY))


def take(values: pd.Series | pd.Categorical, index: np.ndarray) -> pd.Categorical:
    """Index a categorical without materialising strings (memory-light ``values[index]``)."""
    cat = pd.Categorical(values)
    return pd.Categorical.from_codes(cat.codes[index], categories=cat.categories)


def seasonal_days(n: int, rng: np.random.Generator, amplitude: float = 0.15) -> np.ndarray:
    """Day of year (0-364) with a winter peak of relative size ``amplitude``."""
    days = np.arange(365)
    w = 1 + amplitude * np.cos(2 * np.pi * (days - 15) / 365)
    return rng.choice(days, size=n, p=w / w.sum())


def dates_in_years(years: np.ndarray, rng: np.random.Generator, *,
                   seasonal: bool = False) -> np.ndarray:
    """A date in each given calendar year (uniform, or with a winter peak)."""
    day = seasonal_days(len(years), rng) if seasonal else rng.integers(0, 365, len(years))
    start = (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return (start + day.astype("timedelta64[D]")).astype("datetime64[ns]")
