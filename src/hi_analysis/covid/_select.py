"""Fast selection helpers for large extracts (millions of rows)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def _factor(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    codes, uniques = pd.factorize(column)
    return codes, pd.Index(uniques)


def in_codes(column: pd.Series, codes: Iterable[str]) -> np.ndarray:
    """Boolean mask of rows whose value is one of ``codes`` (one hash pass over the column).

    Examples
    --------
    >>> in_codes(pd.Series(["a", "b", "a"]), ["a"]).tolist()
    [True, False, True]
    """
    c, u = _factor(column)
    return np.isin(u, list(codes))[c] & (c >= 0)


def lookup(column: pd.Series, mapping: pd.Series) -> np.ndarray:
    """Map each value of ``column`` through ``mapping`` (NaN where absent), as floats.

    Examples
    --------
    >>> lookup(pd.Series(["a", "b", "z"]), pd.Series([1, 2], index=["a", "b"])).tolist()
    [1.0, 2.0, nan]
    """
    c, u = _factor(column)
    values = np.r_[mapping.reindex(u).to_numpy(dtype=float), np.nan]
    return values[np.where(c >= 0, c, len(u))]


def recorded(column: pd.Series) -> np.ndarray:
    """Rows with an ethnic group recorded (not empty and not "Not stated")."""
    return (column.notna() & (column != "Not stated")).to_numpy()
