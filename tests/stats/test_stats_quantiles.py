"""Backtests of quantiles (deprivation quantiles), methods.md section 10.8."""

import numpy as np
import pandas as pd
import pytest

from hi_analysis.stats import quantiles

NE_VALUES = [
    171.217,
    157.122,
    155.763,
    153.691,
    146.697,
    145.597,
    143.263,
    138.901,
    137.726,
    137.110,
    131.278,
    118.746,
]
NE_DECILES = [1, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10]


def test_reference_deciles_exactly():
    df = pd.DataFrame({"la": [f"LA{i}" for i in range(12)], "value": NE_VALUES})
    out = quantiles(df.sample(frac=1, random_state=7), "value")
    out = out.set_index("la").loc[df["la"]]
    assert out["quantile"].tolist() == NE_DECILES
    assert str(out["quantile"].dtype) == "Int64"


def test_invert_false_reverses_and_name_is_configurable():
    df = pd.DataFrame({"value": NE_VALUES})
    out = quantiles(df, "value", invert=False, name="decile")
    negated = quantiles(df.assign(value=-df["value"]), "value", invert=True)
    assert out["decile"].tolist() == negated["quantile"].tolist()
    assert out["decile"].tolist() == [10, 9, 8, 7, 6, 6, 5, 4, 3, 2, 1, 1]
    assert "quantile" not in out.columns


def test_grouped_with_invert_column_and_missing_value():
    df = pd.DataFrame(
        {
            "region": ["n"] * 12 + ["s"] * 6,
            "value": NE_VALUES + [1.0, 2.0, np.nan, 4.0, 5.0, 6.0],
            "inv": [True] * 12 + [False] * 6,
        }
    )
    out = quantiles(df, "value", by="region", nquantiles=5, invert="inv")
    south = out.loc[out.region == "s", "quantile"]
    assert south.isna().tolist() == [False, False, True, False, False, False]
    assert south.dropna().tolist() == [1, 2, 3, 4, 5]
    north = quantiles(df[df.region == "n"], "value", nquantiles=5)["quantile"]
    assert out.loc[out.region == "n", "quantile"].tolist() == north.tolist()


def test_ties_share_a_quantile():
    out = quantiles(pd.DataFrame({"v": [5, 5, 3, 2, 1]}), "v", nquantiles=5)
    assert out["quantile"].tolist() == [1, 1, 3, 4, 5]


def test_too_few_values_gives_na_with_warning():
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 10, "v": np.arange(14.0)})
    with pytest.warns(UserWarning, match="fewer non-missing values than the 10 quantiles"):
        out = quantiles(df, "v", by="g")
    assert out.loc[out.g == "a", "quantile"].isna().all()
    assert out.loc[out.g == "b", "quantile"].tolist() == list(range(10, 0, -1))


def test_quantile_errors():
    df = pd.DataFrame({"g": ["a", "a"], "v": [1.0, 2.0], "inv": [True, False]})
    with pytest.raises(ValueError, match="nquantiles must be a positive integer"):
        quantiles(df, "v", nquantiles=0)
    with pytest.raises(ValueError, match=r"'inv' \(invert\) varies within a group in rows \[0, 1"):
        quantiles(df, "v", by="g", invert="inv")
    with pytest.raises(ValueError, match=r"column 'v' \(value\) must be numeric"):
        quantiles(df.assign(v=["x", "y"]), "v")
