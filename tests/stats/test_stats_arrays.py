"""The array forms used in calibration agree with the DataFrame functions."""

import numpy as np
import pandas as pd
import pytest

from hi_analysis import stats

D1_POP = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
D1_VALUE = [75.9334590103, 78.3442382728, 83.8360631042, 83.6375399665, 80.465503153,
            81.1156759857, 81.6930835719, 84.1900062061, 80.5955641081, 86.2894349579]


def test_sii_line_matches_reference_point_values():
    b0, b1 = stats.sii_line(D1_VALUE, D1_POP)
    assert b1 == pytest.approx(6.934616474, rel=1e-9)
    assert b0 == pytest.approx(78.07663078, rel=1e-9)


def test_sii_line_vectorises_over_groups():
    vals = np.array([D1_VALUE, list(reversed(D1_VALUE))])
    pops = np.array([D1_POP, list(reversed(D1_POP))])
    _, slopes = stats.sii_line(vals, pops)
    frame = pd.DataFrame({"g": np.repeat([1, 2], 10), "q": np.tile(range(1, 11), 2),
                          "pop": pops.ravel(), "v": vals.ravel(), "se": 1.0})
    res = stats.sii(frame, "q", "pop", by="g", value="v", se="se", ci_method="analytic")
    assert slopes == pytest.approx(res["sii"].to_numpy(), rel=1e-12)


def test_life_table_matches_life_expectancy():
    pops = np.array([7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601,
                     50209, 56416, 46411, 39820, 37978, 37039, 33288, 23306, 11936, 11936])
    deaths = np.array([17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872,
                       1390, 1605, 1936, 1937])
    e, se = stats.life_table(np.stack([deaths, deaths * 2]), np.stack([pops, pops * 2]))
    frame = pd.DataFrame({"g": 1, "age": stats.LE_AGE_BANDS, "d": deaths, "p": pops})
    ref = stats.life_expectancy(frame, "d", "p", "age", by="g")
    assert e[0] == pytest.approx(ref["value"].to_numpy(), rel=1e-12)
    assert e[1] == pytest.approx(e[0], rel=1e-12)  # same rates, same expectancy
    assert se[1] == pytest.approx(se[0] / np.sqrt(2), rel=1e-9)


def test_life_table_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 20\)"):
        stats.life_table(np.ones(19), np.ones(19))
