import pandas as pd
import pytest

from hi_analysis import disclosure, tables


def test_nhs_england_rule():
    out = disclosure.control([0, 1, 7, 8, 12, 13, 1234, 2.6], "nhs_england")
    assert out.tolist() == [0, pd.NA, pd.NA, 10, 10, 15, 1235, pd.NA]


def test_suppress_lt10_with_secondary_suppression():
    t = pd.DataFrame(
        {
            "district": ["a"] * 3 + ["b"] * 3,
            "group": ["x", "y", "z"] * 2,
            "n": [4, 30, 50, 20, 25, 60],
        }
    )
    out = disclosure.control_table(t, "n", "suppress_lt10", margins=["district", "group"])
    got = out["n"].tolist()
    # primary: 4; secondary in row a: 30; then column y has one suppressed -> 25 too;
    # column x has one suppressed (4) -> 20 as well.
    assert got[0] is pd.NA and got[1] is pd.NA
    assert got[4] is pd.NA and got[3] is pd.NA
    assert got[2] == 50 and got[5] == 60
    # no margin is left with exactly one hidden cell
    hidden = out["n"].isna()
    for col in ("district", "group"):
        assert (hidden.groupby(t[col]).sum() != 1).all()


def test_suppress_lt5_leaves_larger_counts_exact():
    out = disclosure.control([5, 6, 123], "suppress_lt5")
    assert out.tolist() == [5, 6, 123]


def test_zero_is_never_suppressed():
    out = disclosure.control_table(pd.DataFrame({"n": [0, 0, 50]}), "n", "suppress_lt5")
    assert out["n"].tolist() == [0, 0, 50]


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="negative count"):
        disclosure.control([-1], "nhs_england")


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown disclosure preset 'none'"):
        disclosure.control([1], "none")


def test_tables_control_counts_and_explain_marker():
    t = pd.DataFrame({"Area": ["A", "B"], "People": [3, 1001], "Rate": [1.5, 2.25]})
    html = tables.to_html(t, caption="People", counts=["People"], rule="nhs_england")
    assert '<td class="num">[c]</td>' in html
    assert "1,000" in html and "1001" not in html
    assert "[c] = count suppressed" in html
    assert "2.2" in html  # rates are not controlled
    assert '<th scope="col"' in html and "<caption>People</caption>" in html


def test_every_preset_has_a_plain_english_description():
    for name in disclosure.PRESETS:
        assert "[c]" in disclosure.describe(name)
