"""Input checks shared by every statistic: confidence levels, columns, groups.

Every check raises :class:`ValueError` with a message that names the column
and, where rows are at fault, the first offending row labels, so that an
analyst can find and fix the input.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from numbers import Real

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = [
    "as_list",
    "check_columns",
    "check_multiplier",
    "confidence_label",
    "number_text",
    "numeric_column",
    "parse_confidence",
    "rows_text",
    "z_value",
]

_MAX_ROWS_SHOWN = 10


def parse_confidence(confidence: float) -> float:
    """Return a confidence level on the 0-1 scale, checking it is allowed.

    Levels in [0.9, 1] are used as given; levels in [90, 100] are divided by 100.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, Real | np.number):
        raise ValueError(
            f"confidence must be a single number in [0.9, 1] or [90, 100], got {confidence!r}"
        )
    level = float(confidence)
    if np.isnan(level):
        raise ValueError("confidence must not be missing (NaN)")
    if level >= 90:
        level = level / 100
    if not 0.9 <= level <= 1:
        raise ValueError(f"confidence must lie in [0.9, 1] or [90, 100], got {confidence!r}")
    return level


def z_value(level: float) -> float:
    """Two-sided standard normal quantile: Phi^-1(level + (1 - level) / 2)."""
    return float(norm.ppf(level + (1 - level) / 2))


def confidence_label(level: float) -> str:
    """Format a confidence level as a percentage label, e.g. ``"95%"``, ``"99.8%"``."""
    return f"{round(level * 100, 10):g}%"


def number_text(value: float) -> str:
    """Format a multiplier for labels: ``100000`` not ``1e+05``, ``0.5`` as is."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """Normalise a ``by`` argument (None, one name or several) to a list of names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def rows_text(index: pd.Index) -> str:
    """Describe offending row labels, showing at most ten of them."""
    labels = [_plain(v) for v in index[:_MAX_ROWS_SHOWN]]
    more = len(index) - len(labels)
    text = f"rows {labels}"
    if more > 0:
        text += f" and {more} more"
    return text


def _plain(value: Hashable) -> Hashable:
    """Convert numpy scalars to plain Python values so messages read naturally."""
    return value.item() if isinstance(value, np.generic) else value


def check_columns(df: pd.DataFrame, columns: Sequence[str | None]) -> None:
    """Check that ``df`` is a DataFrame holding every named column."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in the data")


def numeric_column(
    df: pd.DataFrame,
    column: str,
    *,
    allow_na: bool = False,
    min_value: float | None = None,
    min_inclusive: bool = True,
    max_value: float | None = None,
    max_inclusive: bool = True,
    what: str | None = None,
) -> np.ndarray:
    """Return a column as float64, checking type, missing values and range.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    column : str
        The column to read.
    allow_na : bool
        If False, a missing value is an error.
    min_value, max_value : float, optional
        Bounds on the non-missing values.
    min_inclusive, max_inclusive : bool
        Whether each bound itself is allowed.
    what : str, optional
        A short description of the column's role, used in messages.

    Returns
    -------
    numpy.ndarray
        The values as float64 (NaN where missing).
    """
    series = df[column]
    role = f" ({what})" if what else ""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise ValueError(f"column '{column}'{role} must be numeric, got dtype {series.dtype}")
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    na = np.isnan(values)
    if not allow_na and na.any():
        raise ValueError(f"column '{column}'{role} has missing values in {rows_text(df.index[na])}")
    if np.isinf(values).any():
        bad = df.index[np.isinf(values)]
        raise ValueError(f"column '{column}'{role} has infinite values in {rows_text(bad)}")
    with np.errstate(invalid="ignore"):
        if min_value is not None:
            low = values < min_value if min_inclusive else values <= min_value
            if low.any():
                sign = ">=" if min_inclusive else ">"
                raise ValueError(
                    f"column '{column}'{role} must be {sign} {min_value:g}; "
                    f"offending {rows_text(df.index[low])}"
                )
        if max_value is not None:
            high = values > max_value if max_inclusive else values >= max_value
            if high.any():
                sign = "<=" if max_inclusive else "<"
                raise ValueError(
                    f"column '{column}'{role} must be {sign} {max_value:g}; "
                    f"offending {rows_text(df.index[high])}"
                )
    return values


def check_multiplier(multiplier: float, *, positive: bool = True) -> float:
    """Check a multiplier is a finite number (and positive when required)."""
    if isinstance(multiplier, bool) or not isinstance(multiplier, Real | np.number):
        raise ValueError(f"multiplier must be a number, got {multiplier!r}")
    value = float(multiplier)
    if not np.isfinite(value) or value == 0 or (positive and value < 0):
        need = "a positive finite number" if positive else "a non-zero finite number"
        raise ValueError(f"multiplier must be {need}, got {multiplier!r}")
    return value
