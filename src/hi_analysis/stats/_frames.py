"""Shaping of input and output frames shared by the crude statistics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import confidence_label

__all__ = ["add_result_columns", "sum_by"]


def sum_by(
    df: pd.DataFrame, by: Sequence[str], columns: dict[str, np.ndarray | pd.Series]
) -> pd.DataFrame:
    """Sum the given (already validated) columns or arrays within the ``by`` groups.

    Groups are sorted by their keys; missing keys form their own group.
    """
    work = df[list(by)].copy()
    for name, values in columns.items():
        work[name] = values
    return (
        work.groupby(list(by), sort=True, dropna=False, observed=True)[list(columns)]
        .sum()
        .reset_index()
    )


def add_result_columns(
    out: pd.DataFrame,
    *,
    value: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    level: float,
    statistic: str | np.ndarray,
    method: str | np.ndarray,
) -> pd.DataFrame:
    """Append ``value, lowercl, uppercl, confidence, statistic, method`` to ``out``."""
    out["value"] = np.asarray(value, dtype="float64")
    out["lowercl"] = np.asarray(lower, dtype="float64")
    out["uppercl"] = np.asarray(upper, dtype="float64")
    out["confidence"] = confidence_label(level)
    out["statistic"] = statistic
    out["method"] = method
    return out
