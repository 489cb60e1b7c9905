"""Sentences and headline titles for the needs-analysis chapter, written from the numbers.

Every function takes the tidy results of :mod:`hi_analysis.needs` and returns
plain English; nothing here computes a statistic that is not already in the
results, so the words always match the charts.
"""

from __future__ import annotations

import pandas as pd

from hi_analysis.needs import DeprivationChange, InverseCare
from hi_analysis.text import join_names, money, num, pct, period, whole, with_ci


def _share_under(pyramid: pd.DataFrame, age: int, column: str = "share") -> float:
    start = pyramid["age_band"].str.extract(r"^(\d+)")[0].astype(int)
    return float(pyramid.loc[start < age, column].sum())


def pyramid_headline(pyramid: pd.DataFrame, place: str) -> str:
    """Headline for the pyramid: says whether the place is younger or older than England."""
    young, young_e = _share_under(pyramid, 20), _share_under(pyramid, 20, "england_share")
    old = 1 - _share_under(pyramid, 65)
    old_e = 1 - _share_under(pyramid, 65, "england_share")
    if young - young_e > 0.01:
        return f"{place} is younger than England: {pct(young)} of residents are under 20"
    if old - old_e > 0.01:
        return f"{place} is older than England: {pct(old)} of residents are 65 or over"
    return f"{place}'s age profile is close to England's: {pct(old)} are 65 or over"


def pyramid_text(pyramid: pd.DataFrame, place: str, total: int) -> str:
    """Paragraph reading the pyramid."""
    young, young_e = _share_under(pyramid, 20), _share_under(pyramid, 20, "england_share")
    old = 1 - _share_under(pyramid, 65)
    old_e = 1 - _share_under(pyramid, 65, "england_share")
    return (
        f"{place} had about **{whole(round(total, -2))} residents** in mid-2020. "
        f"**{pct(young)}** were under 20 (England {pct(young_e)}) and **{pct(old)}** were "
        f"65 or over (England {pct(old_e)}). These are counts of the whole population "
        "(official estimates), so no confidence interval applies."
    )


def deprivation_headline(core20_2025: float, place: str) -> str:
    """Headline for the decile chart."""
    if core20_2025 == 0:
        return f"None of {place}'s residents live in England's most deprived 20% of areas"
    return (
        f"{pct(core20_2025)} of {place}'s residents live in England's most deprived 20% "
        "of neighbourhoods"
    )


def deprivation_text(profile: pd.DataFrame, place: str, core19: float, core25: float) -> str:
    """Paragraph on the Core20 share and the least deprived end."""
    d25 = profile[profile["edition"] == "IoD2025"].set_index("decile")
    top = float(d25.loc[[9, 10], "share"].sum())
    change = core25 - core19
    if abs(change) < 0.005:
        trend = "about the same as"
    elif change > 0:
        trend = f"up {num(change * 100)} percentage points from"
    else:
        trend = f"down {num(-change * 100)} percentage points from"
    return (
        f"On the Indices of Deprivation 2025, **{pct(core25)}** of {place}'s residents live "
        f"in Core20 neighbourhoods (national deciles 1 and 2) -- {trend} {pct(core19)} on IMD "
        f"2019. By design, about 20% of England's population lives in such areas. "
        f"**{pct(top)}** live in England's least deprived 20% (deciles 9 and 10)."
    )


def change_text(change: DeprivationChange, place: str) -> str:
    """Paragraph on movement between IMD 2019 and IoD2025."""
    return (
        f"Of {place}'s {change.unchanged_lsoas} neighbourhoods whose boundaries did not "
        f"change between 2011 and 2021, **{change.more_deprived}** moved to a more deprived "
        f"national decile and **{change.less_deprived}** to a less deprived one; "
        f"**{change.into_core20}** entered the most deprived 20% and "
        f"**{change.out_of_core20}** left it. Deciles rank areas against each other, so a "
        "move means an area changed relative to the rest of England, not necessarily in "
        "absolute terms."
    )


def map_headline(lsoas: pd.DataFrame, place: str) -> str:
    """Headline for the map: where the most deprived neighbourhoods are."""
    core = lsoas[lsoas["imd_decile"] <= 2]
    if core.empty:
        best = int(lsoas["imd_decile"].min())
        return (
            f"No neighbourhood in {place} is in England's most deprived 20%; the most "
            f"deprived are in national decile {best}"
        )
    wards = core.groupby("ward").size().sort_values(ascending=False).head(2)
    return (
        f"{len(core)} of {place}'s {len(lsoas)} neighbourhoods are in England's most "
        f"deprived 20%, clustered in {join_names(list(wards.index))}"
    )


def ethnicity_headline(profile: pd.DataFrame, place: str) -> str:
    """Headline for the ethnicity chart: the biggest difference from England."""
    diff = profile["share"] - profile["england_share"]
    i = diff.abs().idxmax()
    row = profile.loc[i]
    word = "more" if diff[i] > 0 else "fewer"
    return (
        f"{place} has {word} residents of {_short(row['ethnic_group'])} ethnicity than "
        f"England: {pct(row['share'])} against {pct(row['england_share'])}"
    )


def _short(group: str) -> str:
    return {
        "Asian, Asian British or Asian Welsh": "Asian",
        "Black, Black British, Black Welsh, Caribbean or African": "Black",
        "Mixed or Multiple ethnic groups": "Mixed or Multiple",
        "White": "White",
        "Other ethnic group": "Other",
    }.get(group, group)


def ethnicity_core20_text(table: pd.DataFrame, place: str) -> str:
    """Paragraph on which groups are most exposed to deprivation."""
    groups = table[table["ethnic_group"] != "All residents"]
    overall = float(table.loc[table["ethnic_group"] == "All residents", "share_core20"].iloc[0])
    if overall == 0:
        return (
            f"No neighbourhood in {place} is in England's most deprived 20%, so no ethnic "
            "group lives in Core20 areas here; differences in deprivation between groups "
            "are smaller than the national deciles can show."
        )
    hi = groups.loc[groups["share_core20"].idxmax()]
    lo = groups.loc[groups["share_core20"].idxmin()]
    return (
        f"Across all residents, **{pct(overall)}** live in Core20 neighbourhoods. The share is "
        f"highest for residents of **{_short(hi['ethnic_group'])}** ethnicity "
        f"(**{pct(hi['share_core20'])}**) and lowest for **{_short(lo['ethnic_group'])}** "
        f"(**{pct(lo['share_core20'])}**). These are Census counts of everyone, not samples, "
        "so no confidence interval applies."
    )


def health_headline(status: pd.DataFrame, place: str) -> str:
    """Headline for the health-status table: how many indicators are worse than England."""
    judged = status[status["comparison"].isin(["Better", "Similar", "Worse"])]
    worse = int((judged["comparison"] == "Worse").sum())
    better = int((judged["comparison"] == "Better").sum())
    return (
        f"{place}: {worse} of {len(judged)} judged results are worse than England and "
        f"{better} better"
    )


def life_expectancy_text(status: pd.DataFrame, place: str) -> str:
    """Sentence on life expectancy at birth against England, by sex."""
    le = status[status["indicator"] == "Life expectancy at birth"]
    parts = []
    for sex in ("Female", "Male"):
        d = le[le["sex"] == sex]
        if d.empty:
            continue
        eng = float(d["england_value"].iloc[0])
        if len(d) == 1:
            v = float(d["value"].iloc[0])
            parts.append(
                f"{sex.lower()} life expectancy at birth is **{num(v)} years** "
                f"({period(d['period'].iloc[0])}), {num(abs(v - eng))} years "
                f"{'above' if v >= eng else 'below'} England's {num(eng)}"
            )
        else:
            lo, hi = d.loc[d["value"].idxmin()], d.loc[d["value"].idxmax()]
            parts.append(
                f"{sex.lower()} life expectancy ranges from **{num(lo['value'])} years** "
                f"in {lo['area_name']} to **{num(hi['value'])}** in {hi['area_name']} "
                f"(England {num(eng)}, {period(d['period'].iloc[0])})"
            )
    return place + ": " + "; ".join(parts) + "."


def qof_headline(qof: pd.DataFrame, place: str) -> str:
    """Headline for QOF prevalence: the condition furthest above England, if any."""
    wide = qof.pivot(index="condition", columns="area", values=["value", "lowercl", "uppercl"])
    above = wide[wide[("lowercl", place)] > wide[("uppercl", "England")]]
    below = wide[wide[("uppercl", place)] < wide[("lowercl", "England")]]
    return (
        f"{place}: recorded prevalence is above England for {len(above)} of "
        f"{len(wide)} long-term conditions and below for {len(below)}"
    )


def qof_text(qof: pd.DataFrame, place: str) -> str:
    """Sentence on the most common condition with its interval."""
    row = qof[(qof["area"] == place)].sort_values("value", ascending=False).iloc[0]
    eng = qof[(qof["area"] == "England") & (qof["condition"] == row["condition"])].iloc[0]
    return (
        f"The most common recorded condition is {row['condition'].lower()}: "
        f"**{with_ci(row['value'], row['lowercl'], row['uppercl'], unit='%')}** of "
        f"registered patients in {place}, against {num(eng['value'])}% in England. Recorded "
        "prevalence depends on how actively practices find cases, so lower recorded "
        "prevalence in a deprived area can mean undiagnosed disease rather than less "
        "disease."
    )


def inverse_care_text(fit: InverseCare, place: str) -> str:
    """Paragraph reading the practice-level regression."""
    direction = "more" if fit.slope_per_10 > 0 else "less"
    significant = fit.lowercl > 0 or fit.uppercl < 0
    verdict = (
        "The interval excludes zero, so the pattern is unlikely to be chance."
        if significant
        else "The interval includes zero, so the data are consistent with no relationship."
    )
    return (
        f"Across {fit.practices} practices in {place}, each 10 points of practice IMD score "
        f"is associated with **{money(abs(fit.slope_per_10))} {direction}** QOF payment "
        f"per registered patient (95% CI {money(fit.lowercl)} to {money(fit.uppercl)}, "
        f"weighted by list size). {verdict} The inverse care law predicts *less* resource "
        "where need is greater; QOF pays for achievement against targets, which is harder "
        "to reach in deprived populations."
    )


def key_messages(
    *,
    place: str,
    total: int,
    core25: float,
    core19: float,
    lsoas: pd.DataFrame,
    ethnicity: pd.DataFrame,
    status: pd.DataFrame,
    qof: pd.DataFrame,
    fit: InverseCare,
) -> list[str]:
    """The key messages box: one short sentence per theme, key number first."""
    msgs = [
        f"{pct(core25)} of {place}'s residents live in England's most deprived 20% of "
        f"neighbourhoods (IoD2025), against {pct(core19)} on IMD 2019.",
    ]
    top = ethnicity.iloc[0]
    msgs.append(
        f"{pct(top['share'])} of residents are of {_short(top['ethnic_group'])} "
        f"ethnicity (England {pct(top['england_share'])})."
    )
    le = status[(status["indicator"] == "Life expectancy at birth")]
    for sex in ("Male", "Female"):
        d = le[le["sex"] == sex]
        if len(d) == 1:
            msgs.append(
                f"{sex} life expectancy at birth is {num(d['value'].iloc[0])} years "
                f"({period(d['period'].iloc[0])}; England {num(d['england_value'].iloc[0])})."
            )
        elif len(d) > 1:
            msgs.append(
                f"{sex} life expectancy at birth ranges from {num(d['value'].min())} to "
                f"{num(d['value'].max())} years across the districts "
                f"({period(d['period'].iloc[0])}; England {num(d['england_value'].iloc[0])})."
            )
    judged = status[status["comparison"].isin(["Better", "Similar", "Worse"])]
    msgs.append(
        f"{int((judged['comparison'] == 'Worse').sum())} of {len(judged)} health "
        "indicator results compared by OHID are worse than England."
    )
    hyp = qof[(qof["condition"] == "Hypertension") & (qof["area"] == place)]
    if len(hyp):
        r = hyp.iloc[0]
        msgs.append(
            f"Recorded hypertension prevalence is "
            f"{with_ci(r['value'], r['lowercl'], r['uppercl'], unit='%')} (2019/20)."
        )
    msgs.append(
        f"QOF payment per patient changes by {money(fit.slope_per_10)} for every 10 "
        f"points of practice deprivation (95% CI {money(fit.lowercl)} to "
        f"{money(fit.uppercl)})."
    )
    return msgs


def trend_headline(trend: pd.DataFrame, place: str, measure: str) -> str:
    """Headline for a trend chart: the gap to England in the latest period."""
    latest = trend[trend["period"] == trend["period"].max()].dropna(subset=["value"])
    eng = latest[latest["area_name"] == "England"]
    local = latest[latest["area_name"] != "England"]
    if eng.empty or local.empty:
        return f"{measure.capitalize()} over time, {place} and England"
    e = float(eng["value"].iloc[0])
    if len(local) == 1:
        v = float(local["value"].iloc[0])
        return (
            f"{place}'s {measure} is {num(abs(v - e))} years "
            f"{'above' if v >= e else 'below'} England's in {period(latest['period'].iloc[0])}"
        )
    above = int((local["value"] > e).sum())
    return (
        f"{above} of {len(local)} districts have {measure} above England's in "
        f"{period(latest['period'].iloc[0])}"
    )


def inverse_care_headline(fit: InverseCare, place: str) -> str:
    """Headline for the practice scatter."""
    if fit.lowercl > 0:
        return f"In {place}, practices with more deprived patients earn more QOF per patient"
    if fit.uppercl < 0:
        return f"In {place}, practices with more deprived patients earn less QOF per patient"
    return f"In {place}, QOF payment per patient shows no clear link with practice deprivation"


def inverse_care_alt(fit: InverseCare, table: pd.DataFrame, place: str) -> str:
    """Alt text for the practice scatter, written from the data."""
    t = table.dropna(subset=["imd_score", "qof_per_patient"])
    return (
        f"Scatter plot of {len(t)} GP practices in {place}: practice IMD 2019 score "
        f"(from {num(t['imd_score'].min())} to {num(t['imd_score'].max())}) against QOF "
        f"payment per registered patient (from {money(t['qof_per_patient'].min())} to "
        f"{money(t['qof_per_patient'].max())}), point size showing list size, with a "
        f"fitted line and its 95% confidence band; the slope is {money(fit.slope_per_10)} "
        f"per 10 IMD points (95% CI {money(fit.lowercl)} to {money(fit.uppercl)})."
    )
