"""Assigning small areas to deprivation quantiles within a larger area."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral

import numpy as np
import pandas as pd

from ._checks import as_list, check_columns, numeric_column, rows_text

__all__ = ["quantiles"]


def quantiles(
    df: pd.DataFrame,
    value: str,
    *,
    by: str | Sequence[str] | None = None,
    nquantiles: int = 10,
    invert: bool | str = True,
    name: str = "quantile",
) -> pd.DataFrame:
    """Assign each row to a quantile of ``value`` within its group; 1 = most deprived.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per small area.
    value : str
        Column to rank (e.g. an IMD score). Missing values get a missing quantile.
    by : str or list of str, optional
        Quantiles are assigned separately within each group (e.g. within each
        local authority); None ranks the whole frame.
    nquantiles : int, default 10
        Number of quantiles Q (10 = deciles, 5 = quintiles).
    invert : bool or str, default True
        True ranks values descending, so the **highest** value gets quantile 1
        (right for scores where high = deprived, or for indicators where high is
        bad). False gives quantile 1 to the lowest value. A string names a
        boolean column of ``df`` giving ``invert`` per row; it must be constant
        within each group.
    name : str, default "quantile"
        Name of the new column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the column ``name`` (nullable integer) appended.

    Raises
    ------
    ValueError
        For a missing column, a non-numeric value column, a bad ``nquantiles``, or an
        ``invert`` column that is not boolean or varies within a group.

    Warns
    -----
    UserWarning
        When a group has fewer non-missing values than quantiles; its
        quantiles are all set to NA.

    Notes
    -----
    Within each group let N be the number of non-missing values, Q the number
    of quantiles and r the minimum rank of the value (descending when
    ``invert``). Then ``quantile = floor((Q + 1) - ceil((N + 1 - r) / (N / Q)))``,
    with 0 replaced by 1. Tied values share a quantile; review tied areas that
    straddle a boundary by hand.

    Deviations from the reference (PHEindicatormethods ``phe_quantile``): none in
    the computation; the output column name is configurable and the result
    keeps the input row order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"imd": [40.1, 12.0, 25.3, 33.3, 8.2, 19.9]})
    >>> quantiles(df, "imd", nquantiles=3)
        imd  quantile
    0  40.1         1
    1  12.0         3
    2  25.3         2
    3  33.3         1
    4   8.2         3
    5  19.9         2
    """
    by_cols = as_list(by)
    invert_col = invert if isinstance(invert, str) else None
    check_columns(df, [value, invert_col, *by_cols])
    if isinstance(nquantiles, bool) or not isinstance(nquantiles, Integral) or nquantiles < 1:
        raise ValueError(f"nquantiles must be a positive integer, got {nquantiles!r}")
    q = int(nquantiles)
    values = pd.Series(numeric_column(df, value, allow_na=True, what="value"), index=df.index)

    work = df[by_cols].copy() if by_cols else pd.DataFrame(index=df.index)
    work["__v"] = values
    if invert_col is not None:
        flags = df[invert_col]
        if not pd.api.types.is_bool_dtype(flags) or flags.isna().any():
            raise ValueError(
                f"column '{invert_col}' (invert) must be boolean with no missing values"
            )
        work["__inv"] = flags.astype(bool)
    else:
        if not isinstance(invert, bool | np.bool_):
            raise ValueError(f"invert must be True, False or a column name, got {invert!r}")
        work["__inv"] = bool(invert)

    if by_cols:
        grouped = work.groupby(by_cols, sort=False, dropna=False, observed=True)
        varies = grouped["__inv"].transform("nunique") > 1
        if varies.any():
            raise ValueError(
                f"column '{invert_col}' (invert) varies within a group in "
                f"{rows_text(df.index[varies])}"
            )
        desc = grouped["__v"].rank(method="min", ascending=False)
        asc = grouped["__v"].rank(method="min", ascending=True)
        count = grouped["__v"].transform("count")
    else:
        desc = work["__v"].rank(method="min", ascending=False)
        asc = work["__v"].rank(method="min", ascending=True)
        count = pd.Series(work["__v"].count(), index=work.index)

    rank = np.where(work["__inv"].to_numpy(), desc.to_numpy(), asc.to_numpy())
    n = count.to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        quant = np.floor((q + 1) - np.ceil((n + 1 - rank) / (n / q)))
    quant[quant == 0] = 1
    too_few = n < q
    if too_few.any():
        warnings.warn(
            f"quantiles set to NA for {rows_text(df.index[too_few])}: their group has fewer "
            f"non-missing values than the {q} quantiles requested",
            UserWarning,
            stacklevel=2,
        )
    quant[too_few] = np.nan
    out = df.copy()
    out[name] = pd.array(np.where(np.isnan(quant), None, quant), dtype="Int64")
    return out
