"""Backtests of proportion (Wilson) and rate (exact / Byar's), methods.md 10.3-10.4."""

import numpy as np
import pandas as pd
import pytest

from hi_analysis.stats import mean, proportion, rate

# x, n, value, 95% (lower, upper), 99.8% (lower, upper)
WILSON = [
    (0, 100, 0.0, (0.0, 0.0369934982), (0.0, 0.0871709373)),
    (1, 100, 0.01, (0.00176743206, 0.0544861962), (0.000873065697, 0.104554453)),
    (65, 100, 0.65, (0.552544433, 0.736357518), (0.495494657, 0.778354061)),
    (100, 100, 1.0, (0.963006502, 1.0), (0.912829063, 1.0)),
    (9856, 12345, 0.798379911, (0.791210175, 0.805364007), (0.786992411, 0.809306141)),
    (
        7776456,
        7564336677,
        0.00102804203,
        (0.00102732010, 0.00102876446),
        (0.00102690401, 0.00102918130),
    ),
    (1045, 5000, 0.209, (0.197955499, 0.220491304), (0.191793818, 0.227315629)),
]


def close(expected):
    # Expected values are given to 9 significant figures: relative 1e-8 (exact zeros exact).
    return pytest.approx(expected, rel=1e-8, abs=0)


@pytest.mark.parametrize(("x", "n", "value", "ci95", "ci998"), WILSON)
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_wilson_reference_values(x, n, value, ci95, ci998, level):
    out = proportion(pd.DataFrame({"x": [x], "n": [n]}), "x", "n", confidence=level)
    lo, hi = ci95 if level == 0.95 else ci998
    assert out.loc[0, "value"] == close(value)
    assert out.loc[0, "lowercl"] == close(lo)
    assert out.loc[0, "uppercl"] == close(hi)
    assert out.loc[0, "method"] == "Wilson"
    assert out.loc[0, "statistic"] == "proportion of 1"


def test_wilson_percentage_and_confidence_given_in_percent():
    out = proportion(
        pd.DataFrame({"x": [65], "n": [100]}), "x", "n", confidence=99.8, multiplier=100
    )
    assert out.loc[0, "value"] == close(65.0)
    assert out.loc[0, "lowercl"] == close(49.5494657)
    assert out.loc[0, "statistic"] == "percentage"
    assert out.loc[0, "confidence"] == "99.8%"


def test_proportion_row_by_row_keeps_columns_and_by_sums():
    df = pd.DataFrame(
        {"area": ["b", "a", "b"], "other": [1, 2, 3], "x": [30, 1, 35], "n": [50, 100, 50]}
    )
    rows = proportion(df, "x", "n")
    assert list(rows.columns) == [
        "area",
        "other",
        "x",
        "n",
        "value",
        "lowercl",
        "uppercl",
        "confidence",
        "statistic",
        "method",
    ]
    assert rows["value"].tolist() == pytest.approx([0.6, 0.01, 0.7])
    grouped = proportion(df, "x", "n", by="area")
    assert list(grouped.columns[:3]) == ["area", "x", "n"]
    assert grouped["area"].tolist() == ["a", "b"]
    assert grouped.loc[1, ["x", "n"]].tolist() == [65, 100]
    assert grouped.loc[1, "lowercl"] == close(0.552544433)
    assert grouped.loc[0, "uppercl"] == close(0.0544861962)


def test_proportion_confidence_one_gives_zero_one():
    out = proportion(pd.DataFrame({"x": [5], "n": [10]}), "x", "n", confidence=1)
    assert (out.loc[0, "lowercl"], out.loc[0, "uppercl"]) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            {"x": [5, -1], "n": [10, 10]},
            r"column 'x' \(numerator\) must be >= 0; offending rows \[1\]",
        ),
        (
            {"x": [5, 1], "n": [10, 0]},
            r"column 'n' \(denominator\) must be > 0; offending rows \[1\]",
        ),
        ({"x": [11, 1], "n": [10, 10]}, r"numerator 'x' exceeds denominator 'n' in rows \[0\]"),
        (
            {"x": [np.nan, 1], "n": [10, 10]},
            r"column 'x' \(numerator\) has missing values in rows \[0\]",
        ),
        ({"x": ["a", "b"], "n": [10, 10]}, r"column 'x' \(numerator\) must be numeric"),
    ],
)
def test_proportion_input_errors(frame, message):
    with pytest.raises(ValueError, match=message):
        proportion(pd.DataFrame(frame), "x", "n")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 0.8}, "confidence must lie in"),
        ({"confidence": 100.5}, "confidence must lie in"),
        ({"confidence": float("nan")}, "must not be missing"),
        ({"confidence": (0.95, 0.998)}, "single number"),
        ({"multiplier": -1}, "multiplier must be a positive"),
        ({"by": "area"}, r"column\(s\) \['area'\] not found"),
    ],
)
def test_proportion_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        proportion(pd.DataFrame({"x": [1], "n": [10]}), "x", "n", **kwargs)


# x, n, multiplier, value, lower, upper, method
RATES = [
    (0, 1000, 1e5, 0.0, 0.0, 368.887945, "Exact"),
    (1, 100, 100, 1.0, 0.0253178080, 5.57164339, "Exact"),
    (9, 1000, 1e5, 900.0, 411.537310, 1708.48035, "Exact"),
    (10, 1000, 1e5, 1000.0, 478.744991, 1839.14586, "Byars"),
    (65, 100, 100, 65.0, 50.1631877, 82.8491385, "Byars"),
    (250, 220, 1e5, 113636.364, 99984.9474, 128631.145, "Byars"),
]


@pytest.mark.parametrize(("x", "n", "mult", "value", "lo", "hi", "method"), RATES)
def test_rate_reference_values(x, n, mult, value, lo, hi, method):
    out = rate(pd.DataFrame({"x": [x], "n": [n]}), "x", "n", multiplier=mult)
    assert out.loc[0, "value"] == close(value)
    assert out.loc[0, "lowercl"] == close(lo)
    assert out.loc[0, "uppercl"] == close(hi)
    assert out.loc[0, "method"] == method
    assert out.loc[0, "statistic"] == f"rate per {int(mult)}"


def test_rate_998_byars():
    out = rate(pd.DataFrame({"x": [65], "n": [100]}), "x", "n", multiplier=100, confidence=0.998)
    assert out.loc[0, "lowercl"] == close(42.8802615)
    assert out.loc[0, "uppercl"] == close(94.0002908)


def test_rate_grouping_sums_then_chooses_method():
    df = pd.DataFrame({"g": ["a", "a", "b"], "x": [5, 5, 9], "n": [500, 500, 1000]})
    out = rate(df, "x", "n", by=["g"])
    assert out["method"].tolist() == ["Byars", "Exact"]
    assert out.loc[0, "lowercl"] == close(478.744991)
    assert out.loc[1, "uppercl"] == close(1708.48035)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"x": [-1], "n": [10]}, r"column 'x' \(count\) must be >= 0; offending rows \[0\]"),
        ({"x": [1], "n": [-10]}, r"column 'n' \(denominator\) must be > 0"),
        ({"x": [1], "n": [np.nan]}, r"column 'n' \(denominator\) has missing values in rows \[0\]"),
    ],
)
def test_rate_input_errors(frame, message):
    with pytest.raises(ValueError, match=message):
        rate(pd.DataFrame(frame), "x", "n")


MEAN_VALUES = [33.09375, 48.38596, 64.83495, 67.98475, 22.93556, 71.23587, 38.78465, 82.37927]


@pytest.mark.parametrize(
    ("level", "lo", "hi"),
    [(0.95, 36.1683252413, 71.2403647587), (0.998, 18.2167052948, 89.1919847052)],
)
def test_mean_reference_values(level, lo, hi):
    out = mean(pd.DataFrame({"x": MEAN_VALUES}), "x", confidence=level)
    assert out.loc[0, "value"] == close(53.704345)
    assert out.loc[0, "stdev"] == close(20.9755752577)
    assert out.loc[0, "lowercl"] == close(lo)
    assert out.loc[0, "uppercl"] == close(hi)
    assert out.loc[0, "value_count"] == 8


def test_mean_grouped_and_missing_value_error():
    df = pd.DataFrame({"g": ["b"] * 8 + ["a"] * 2, "x": MEAN_VALUES + [1.0, 3.0]})
    out = mean(df, "x", by="g")
    assert out["g"].tolist() == ["a", "b"]
    assert out.loc[1, "uppercl"] == close(71.2403647587)
    assert out.loc[0, "value"] == 2.0
    with pytest.raises(ValueError, match=r"'x' \(value\) has missing values in rows \[1\]"):
        mean(pd.DataFrame({"x": [1.0, np.nan]}), "x")
