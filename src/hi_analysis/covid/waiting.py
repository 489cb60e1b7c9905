"""Who is still waiting: the elective waiting list by deprivation and ethnic group.

From the waiting-list extract (synthetic unless an analyst supplies a real one):
the list indexed to February 2020 by national IMD 2019 quintile; the share
waiting over 52 weeks (Wilson limits) before, during and after the pandemic;
the most/least deprived ratio (Katz limits); and a difference in differences of
the gap between February 2020 and the latest month
(:func:`hi_analysis.stats.did_proportions.difference_in_differences`), the 2021/22 planning
guidance's "disparities before and during the pandemic".
"""

from __future__ import annotations

import pandas as pd

from hi_analysis import stats
from hi_analysis.config import Place
from hi_analysis.covid._select import in_codes, lookup
from hi_analysis.data import load
from hi_analysis.geography import lsoa11_codes
from hi_analysis.stats.did_proportions import difference_in_differences
from hi_analysis.stats.ratios import proportion_ratio

BASE_MONTH = pd.Timestamp("2020-02-01")
DURING_MONTH = pd.Timestamp("2021-03-01")
LONG_WAIT_WEEKS = 52


def _imd_quintile() -> pd.Series:
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    return (imd + 1) // 2


def place_list(waiting: pd.DataFrame, place: Place) -> pd.DataFrame:
    """The place's open pathways from 2019, with national IMD quintile and a long-wait flag."""
    recent = (waiting["snapshot_month"] >= pd.Timestamp("2019-01-01")).to_numpy()
    w = waiting.loc[recent, ["lsoa11cd", "snapshot_month", "ethnicity", "weeks_waiting"]]
    w = w[in_codes(w["lsoa11cd"], lsoa11_codes(place))]
    return pd.DataFrame(
        {
            "snapshot_month": w["snapshot_month"].to_numpy(),
            "imd_quintile": lookup(w["lsoa11cd"], _imd_quintile()),
            "ethnicity": w["ethnicity"].array,
            "long_wait": (w["weeks_waiting"] > LONG_WAIT_WEEKS).astype(int).to_numpy(),
        }
    )


def snapshots(pathways: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """The three months compared: before, during and after (the latest snapshot)."""
    return {
        "Before (February 2020)": BASE_MONTH,
        f"During ({DURING_MONTH:%B %Y})": DURING_MONTH,
        f"Latest ({pathways['snapshot_month'].max():%B %Y})": pd.Timestamp(
            pathways["snapshot_month"].max()
        ),
    }


def list_index(pathways: pd.DataFrame) -> pd.DataFrame:
    """Size of the list by month and quintile, and as an index (February 2020 = 100)."""
    g = pathways.groupby(["imd_quintile", "snapshot_month"]).size().rename("pathways")
    g = g.reset_index()
    base = g[g["snapshot_month"] == BASE_MONTH].set_index("imd_quintile")["pathways"]
    g["index"] = g["pathways"] / g["imd_quintile"].map(base) * 100
    return g[g["snapshot_month"] >= pd.Timestamp("2019-01-01")].reset_index(drop=True)


def long_wait_shares(pathways: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share waiting over 52 weeks (%, Wilson limits) by ``by`` in each compared month.

    Returns
    -------
    pandas.DataFrame
        ``period, group, long_wait, pathways, value, lowercl, uppercl``.
    """
    frames = []
    for label, month in snapshots(pathways).items():
        s = pathways[pathways["snapshot_month"] == month]
        s = s[s[by].notna() & (s[by] != "Not stated")]
        s = s.assign(one=1, **{by: s[by].astype(str if by == "ethnicity" else int)})
        p = stats.proportion(s, "long_wait", "one", by=by, multiplier=100)
        frames.append(p.rename(columns={by: "group", "one": "pathways"}).assign(period=label))
    out = pd.concat(frames, ignore_index=True)
    return out[["period", "group", "long_wait", "pathways", "value", "lowercl", "uppercl"]]


def extremes(shares: pd.DataFrame) -> tuple[int, int]:
    """Most and least deprived quintiles present in every compared month."""
    present = shares.groupby("group")["pathways"].min()
    groups = sorted(int(g) for g in present[present > 0].index)
    return groups[0], groups[-1]


def ratios(shares: pd.DataFrame) -> pd.DataFrame:
    """Ratio of the long-wait share, most to least deprived quintile, by period (Katz CI)."""
    lo, hi = extremes(shares)
    rows = []
    for period, s in shares.groupby("period", sort=False):
        a = s[s["group"] == lo].iloc[0]
        b = s[s["group"] == hi].iloc[0]
        if a["long_wait"] > 0 and b["long_wait"] > 0:
            r = proportion_ratio(a["long_wait"], a["pathways"], b["long_wait"], b["pathways"])
        else:
            r = {"ratio": float("nan"), "lower": float("nan"), "upper": float("nan")}
        rows.append({"period": period, "most": lo, "least": hi, **r})
    return pd.DataFrame(rows)


def gap_change(shares: pd.DataFrame) -> dict[str, float]:
    """Difference in differences of the long-wait gap (most minus least deprived).

    Before is February 2020, after the latest snapshot; in percentage points.
    """
    lo, hi = extremes(shares)
    periods = list(dict.fromkeys(shares["period"]))
    cells = shares[
        shares["period"].isin([periods[0], periods[-1]]) & shares["group"].isin([lo, hi])
    ]
    r = difference_in_differences(
        cells,
        group="group",
        period="period",
        groups=(lo, hi),
        periods=(periods[0], periods[-1]),
        x="long_wait",
        n="pathways",
    )
    out = {
        k: v * 100
        for k, v in r.items()
        if k in ("gap_before", "gap_after", "did", "lower", "upper")
    }
    return {**out, "most": lo, "least": hi}
