"""Backtests of dsr (Dobson, ESP2013) and life_expectancy, methods.md 10.5 and 10.7."""

import numpy as np
import pandas as pd
import pytest

from hi_analysis.stats import ESP2013, LE_AGE_BANDS, dsr, life_expectancy

POPS = [
    636,
    558,
    609,
    543,
    384,
    594,
    669,
    843,
    660,
    576,
    606,
    522,
    426,
    273,
    300,
    288,
    153,
    123,
    207,
]
COUNTS = {
    "big": [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91],
    "small": [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4],
    "tiny": [0, 0, np.nan, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3],
}
# area: O, DSR, 95% CI, 99.8% CI
EXPECTED = {
    "big": (895, 10430.2479915, (9717.70906799, 11178.9409155), (9323.28788022, 11620.5959995)),
    "small": (91, 1103.21202530, (877.455767537, 1367.08822273), (763.642035794, 1530.03289482)),
}
DSR_DATA = pd.DataFrame(
    {
        "area": np.repeat(list(COUNTS), 19),
        "x": np.concatenate(list(COUNTS.values())),
        "n": POPS * 3,
    }
)


def close(expected):
    return pytest.approx(expected, rel=1e-8)


def test_esp2013_constant():
    assert len(ESP2013) == 19 and ESP2013.sum() == 100_000
    assert ESP2013.index[0] == "0-4" and ESP2013.index[-1] == "90+"
    assert ESP2013["45-49"] == 7000


@pytest.mark.parametrize("area", list(EXPECTED))
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_dsr_reference_values(area, level):
    out = dsr(DSR_DATA, "x", "n", by="area", confidence=level).set_index("area")
    obs, value, ci95, ci998 = EXPECTED[area]
    lo, hi = ci95 if level == 0.95 else ci998
    assert out.loc[area, "x"] == obs
    assert out.loc[area, "n"] == 8970
    assert out.loc[area, "value"] == close(value)
    assert out.loc[area, "lowercl"] == close(lo)
    assert out.loc[area, "uppercl"] == close(hi)
    assert out.loc[area, "statistic"] == "dsr per 100000"
    assert out.loc[area, "method"] == "Dobson"


def test_dsr_small_count_is_suppressed():
    out = dsr(DSR_DATA, "x", "n", by="area").set_index("area")
    assert out.loc["tiny", "x"] == 9  # the NA count is treated as 0
    assert out.loc["tiny", ["value", "lowercl", "uppercl"]].isna().all()
    assert out.loc["tiny", "statistic"] == "dsr NA for total count < 10"


def test_dsr_stdpop_column_and_array_match_default():
    default = dsr(DSR_DATA, "x", "n", by="area")
    shuffled = DSR_DATA.assign(w=np.tile(ESP2013.to_numpy(), 3)).sample(frac=1, random_state=1)
    with_col = dsr(shuffled, "x", "n", by="area", stdpop="w")
    with_array = dsr(DSR_DATA, "x", "n", by="area", stdpop=list(ESP2013))
    for other in (with_col, with_array):
        np.testing.assert_allclose(other["value"], default["value"], rtol=1e-12)
        np.testing.assert_allclose(other["uppercl"], default["uppercl"], rtol=1e-12)


def test_dsr_single_group_without_by():
    out = dsr(DSR_DATA[DSR_DATA.area == "big"], "x", "n", by=None)
    assert len(out) == 1 and out.loc[0, "value"] == close(10430.2479915)


def test_dsr_errors():
    with pytest.raises(ValueError, match=r"each group needs exactly 19 rows.*'big: 18'|big.*18"):
        dsr(DSR_DATA.drop(index=3), "x", "n", by="area")
    bad = DSR_DATA.copy()
    bad.loc[40, "n"] = np.nan
    with pytest.raises(ValueError, match=r"'n' \(population\) has missing values in rows \[40\]"):
        dsr(bad, "x", "n", by="area")
    bad = DSR_DATA.copy()
    bad.loc[5, "x"] = -1
    with pytest.raises(ValueError, match=r"'x' \(count\) must be >= 0; offending rows \[5\]"):
        dsr(bad, "x", "n", by="area")
    with pytest.raises(ValueError, match=r"column 'w' \(standard population\) must be >= 0"):
        dsr(DSR_DATA.assign(w=-1.0), "x", "n", by="area", stdpop="w")
    with pytest.raises(ValueError, match="multiplier must be a positive"):
        dsr(DSR_DATA, "x", "n", by="area", multiplier=0)


LE_POP = [
    7060,
    35059,
    46974,
    48489,
    43219,
    38561,
    46009,
    57208,
    61435,
    55601,
    50209,
    56416,
    46411,
    39820,
    37978,
    37039,
    33288,
    23306,
    11936,
    11936,
]
LE_DEATHS = [
    17,
    9,
    4,
    8,
    20,
    15,
    24,
    33,
    50,
    71,
    100,
    163,
    263,
    304,
    536,
    872,
    1390,
    1605,
    1936,
    1937,
]
LE_DATA = pd.DataFrame({"age": list(LE_AGE_BANDS), "deaths": LE_DEATHS, "pop": LE_POP})
# age: e, 95% lower, 95% upper (R, z = 1.959964)
LE_EXPECTED = {
    0: (80.16960813, 79.88269075, 80.45652551),
    5: (75.44193645, 75.17407800, 75.70979490),
    25: (55.78835987, 55.53802039, 56.03869935),
    65: (18.76856852, 18.57570706, 18.96142997),
    85: (6.16394293, 5.97836176, 6.34952411),
    90: (6.16210635, 5.88768843, 6.43652427),
}


@pytest.fixture(scope="module")
def le_result():
    return life_expectancy(LE_DATA, "deaths", "pop", "age", by=None).set_index("startage")


@pytest.mark.parametrize("age", list(LE_EXPECTED))
def test_life_expectancy_reference_values(le_result, age):
    value, lo, hi = LE_EXPECTED[age]
    assert le_result.loc[age, "value"] == close(value)
    assert le_result.loc[age, "lowercl"] == close(lo)
    assert le_result.loc[age, "uppercl"] == close(hi)
    # and the upstream answers at 4 d.p.
    assert round(le_result.loc[age, "value"], 4) == round(value, 4)


def test_life_expectancy_output_shape(le_result):
    assert list(le_result.index) == list(LE_AGE_BANDS)
    assert le_result.loc[0, "method"] == "Chiang, using Silcocks et al for confidence limits"
    assert le_result.loc[0, "statistic"] == "life expectancy at 0"
    assert le_result.loc[0, "confidence"] == "95%"


def test_life_expectancy_text_labels_shuffled_and_grouped():
    labels = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 90, 5)] + ["90+"]
    one = LE_DATA.assign(age=labels)
    two = pd.concat([one.assign(area="z"), one.assign(area="y", deaths=one.deaths * 2)])
    out = life_expectancy(two.sample(frac=1, random_state=3), "deaths", "pop", "age", by="area")
    assert list(out.columns[:2]) == ["area", "startage"]
    assert out["area"].tolist() == ["y"] * 20 + ["z"] * 20
    z0 = out[(out.area == "z") & (out.startage == 0)].iloc[0]
    assert z0["value"] == close(80.16960813)
    assert z0["uppercl"] == close(80.45652551)
    y0 = out[(out.area == "y") & (out.startage == 0)].iloc[0]
    assert y0["value"] < z0["value"]


def test_life_expectancy_998():
    out = life_expectancy(LE_DATA, "deaths", "pop", "age", by=None, confidence=0.998)
    e = out.loc[0, "value"]
    # The half-width scales with z: 3.090232 / 1.959964 times the 95% half-width.
    half95 = 80.45652551 - 80.16960813
    assert out.loc[0, "uppercl"] - e == pytest.approx(half95 * 3.090232306 / 1.959963985, rel=1e-8)


def test_zero_deaths_in_90_plus_gives_na():
    deaths = LE_DEATHS[:-1] + [0]
    out = life_expectancy(LE_DATA.assign(deaths=deaths), "deaths", "pop", "age", by=None)
    assert out["value"].isna().all()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"pop": [250] * 20, "deaths": [1] * 20}, "total population is 5,000 or less"),
        ({"deaths": [-1] + LE_DEATHS[1:]}, "some deaths are negative"),
        ({"pop": [0] + LE_POP[1:]}, "zero or negative"),
        ({"deaths": [LE_POP[0] + 1] + LE_DEATHS[1:]}, "deaths exceed population"),
    ],
)
def test_unreliable_group_is_na_with_warning(change, reason):
    bad = LE_DATA.assign(**change, area="bad")
    good = LE_DATA.assign(area="good")
    with pytest.warns(UserWarning, match=rf"\['bad'\]: .*{reason}"):
        out = life_expectancy(pd.concat([bad, good]), "deaths", "pop", "age", by="area")
    assert out.loc[out.area == "bad", ["value", "lowercl", "uppercl"]].isna().all().all()
    assert out.loc[out.area == "good", "value"].notna().all()


def test_missing_band_makes_group_na():
    with pytest.warns(UserWarning, match="exactly the 20 age bands"):
        out = life_expectancy(LE_DATA.iloc[:19], "deaths", "pop", "age", by=None)
    assert len(out) == 19 and out["value"].isna().all()


def test_wide_interval_suppresses_value_but_keeps_limits():
    # 8 infant deaths in 20 births: a 95% CI of +/- 13.5 years at birth only.
    pops = [20] + [300] * 19
    deaths = [8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 6, 8, 12, 20, 40]
    out = life_expectancy(
        pd.DataFrame({"age": LE_AGE_BANDS, "deaths": deaths, "pop": pops}),
        "deaths",
        "pop",
        "age",
        by=None,
    )
    z = 1.959963984540054
    se = (out["uppercl"] - out["lowercl"]) / (2 * z)
    wide = 1.96 * se > 10
    assert wide.tolist() == [True] + [False] * 19
    assert out.loc[wide, "value"].isna().all()
    assert out.loc[~wide, "value"].notna().all()
    assert out.loc[wide, "lowercl"].notna().all()


def test_life_expectancy_errors():
    bad = LE_DATA.copy()
    bad.loc[4, "deaths"] = np.nan
    with pytest.raises(ValueError, match=r"'deaths' \(deaths\) has missing values in rows \[4\]"):
        life_expectancy(bad, "deaths", "pop", "age", by=None)
    with pytest.raises(ValueError, match=r"start age.*offending rows \[0\]"):
        life_expectancy(
            LE_DATA.assign(age=["under 1"] + [str(a) for a in LE_AGE_BANDS[1:]]),
            "deaths",
            "pop",
            "age",
            by=None,
        )
