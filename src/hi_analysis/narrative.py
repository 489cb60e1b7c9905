"""Sentences and headline titles for the chapters, written from the numbers.

Every function takes the tidy results of :mod:`hi_analysis.needs` or
:mod:`hi_analysis.inequality` and returns
plain English; nothing here computes a statistic that is not already in the
results, so the words always match the charts.
"""

from __future__ import annotations

import pandas as pd

from hi_analysis.inequality import MIN_NEIGHBOURHOODS_FOR_DECILES, Gradient
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


def le_not_published(sex: str, place: str) -> str:
    """The stated gap when OHID publishes no life expectancy for a place.

    Examples
    --------
    >>> le_not_published("Male", "Isles of Scilly")[:40]
    'Male life expectancy at birth is not pub'
    """
    return (f"{sex} life expectancy at birth is not published for {place} on its own (OHID "
            "publishes it only combined with a neighbouring area), so no figure is shown.")


def life_expectancy_text(status: pd.DataFrame, place: str) -> str:
    """Sentence on life expectancy at birth against England, by sex."""
    le = status[status["indicator"] == "Life expectancy at birth"]
    parts = []
    for sex in ("Female", "Male"):
        d = le[le["sex"] == sex]
        if d.empty:
            continue
        if d["value"].isna().all():
            gap = le_not_published(sex, place).rstrip(".")
            parts.append(gap[0].lower() + gap[1:])
            continue
        d = d.dropna(subset=["value"])
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
        if len(d) and d["value"].isna().all():
            msgs.append(le_not_published(sex, place))
            continue
        d = d.dropna(subset=["value"])
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


# ----------------------------------------------------------------------------- SII chapter
def _digits(g: Gradient) -> int:
    return 0 if "100,000" in g.unit else 1


def _gap_unit(g: Gradient) -> str:
    """Unit of a difference: a gap between percentages is in percentage points."""
    return " percentage points" if g.unit == "%" else g.unit


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def gradient_is_clear(g: Gradient) -> bool:
    """True when the SII's 95% confidence interval excludes zero."""
    return bool(g.fit["sii_lowercl"] > 0 or g.fit["sii_uppercl"] < 0)


def deprived_fare_worse(g: Gradient) -> bool:
    """True when the fitted line is worse at the most deprived end."""
    return bool((g.fit["sii"] > 0) == g.higher_is_better)


def sii_headline(g: Gradient, place: str) -> str:
    """A chart title stating the finding.

    Examples
    --------
    >>> import pandas as pd
    >>> g = Gradient("le_female", "Life expectancy, women", "women's life expectancy",
    ...              " years", "", "2022 to 2024", 0, True, True, "", pd.DataFrame(),
    ...              pd.Series({"sii": 7.18, "sii_lowercl": 5.5, "sii_uppercl": 8.8}))
    >>> sii_headline(g, "Leicester").split(" of ")[0]
    "Women's life expectancy is 7.2 years lower at the most deprived end"
    """
    f, d = g.fit, _digits(g)
    if not gradient_is_clear(g):
        return f"{_cap(g.measure)} shows no clear gradient across {place}'s neighbourhoods"
    side = "higher" if f["sii"] < 0 else "lower"
    return (f"{_cap(g.measure)} is {num(abs(f['sii']), d)}{_gap_unit(g)} {side} at the most "
            f"deprived end of {place}'s social gradient")


def sii_reading(g: Gradient, place: str) -> str:
    """Plain-English reading of an SII and RII, with their 95% intervals.

    Examples
    --------
    >>> import pandas as pd
    >>> g = Gradient("le_male", "Life expectancy, men", "men's life expectancy", " years",
    ...              "", "2022 to 2024", 0, True, True, "", pd.DataFrame(), pd.Series(
    ...              {"sii": 8.65, "sii_lowercl": 7.13, "sii_uppercl": 10.18, "rii": 1.12,
    ...               "rii_lowercl": 1.10, "rii_uppercl": 1.14}))
    >>> sii_reading(g, "Leicester").split(" is ")[1].split(":")[0]
    '8.7 years (95% CI 7.1 to 10.2)'
    """
    f, d = g.fit, _digits(g)
    s, lo, hi = float(f["sii"]), float(f["sii_lowercl"]), float(f["sii_uppercl"])
    if gradient_is_clear(g):
        a, b = sorted((abs(lo), abs(hi)))
        side = "higher" if s < 0 else "lower"
        text = (f"The gap in {g.measure} across {place}'s social gradient is "
                f"{num(abs(s), d)}{_gap_unit(g)} (95% CI {num(a, d)} to {num(b, d)}): on the "
                f"fitted line it is {num(abs(s), d)}{_gap_unit(g)} {side} at the most deprived "
                "end than at "
                "the least deprived end, ")
        text += ("so people in the most deprived neighbourhoods fare worse."
                 if deprived_fare_worse(g) else
                 "so on this measure the most deprived neighbourhoods fare better.")
    else:
        text = (f"The slope index of inequality in {g.measure} across {place}'s social "
                f"gradient is {with_ci(s, lo, hi, digits=d, unit=_gap_unit(g))}. The interval "
                "includes zero, so these data do not show a clear gradient.")
    rii = with_ci(float(f["rii"]), float(f["rii_lowercl"]), float(f["rii_uppercl"]), digits=2)
    text += (f" The relative index of inequality is {rii}: the fitted value at the least "
             f"deprived end is {num(float(f['rii']), 2)} times that at the most deprived end.")
    return text


def quantile_choice_text(place: str, n_lsoas: int, k: int, people_per_group: float) -> str:
    """Why the place's neighbourhoods are grouped into deciles or quintiles."""
    word = "deciles" if k == 10 else "quintiles"
    text = (f"{place} has {n_lsoas} neighbourhoods (2011 LSOAs). They are ranked by their "
            f"IMD 2019 score **within {place}** and split into {k} local {word} of about "
            f"{whole(n_lsoas / k)} neighbourhoods and {whole(round(people_per_group, -1))} people "
            "each; "
            f"1 is {place}'s most deprived {'tenth' if k == 10 else 'fifth'}.")
    if k == 5:
        text += (f" Deciles need at least {MIN_NEIGHBOURHOODS_FOR_DECILES} neighbourhoods to "
                 f"give stable groups; with {n_lsoas}, deciles of two or three neighbourhoods "
                 "would rest on very few deaths each, so this book uses quintiles (OHID does "
                 f"not publish a life-expectancy SII for {place} for the same reason). Even "
                 "so, each quintile holds few deaths, so **the confidence intervals on this "
                 "page are wide**. A wide interval is an honest statement of how little a "
                 "small population can tell us, not an error: read the direction of the "
                 "gradient, and treat its size with caution.")
    return text


def sii_key_messages(items: list[Gradient], place: str, published: pd.DataFrame) -> list[str]:
    """Three to four key messages for the top of the SII page."""
    by_key = {g.key: g for g in items}
    msgs = []
    for key in ("le_female", "le_male"):
        g = by_key[key]
        f = g.fit
        msgs.append(f"{_cap(g.measure)}: the gap across {place}'s social gradient is "
                    f"{with_ci(abs(f['sii']), *sorted((abs(f['sii_lowercl']), abs(f['sii_uppercl']))), unit=' years')} "  # noqa: E501
                    f"in {g.period} (synthetic deaths, calibrated to the published figures)."
                    if gradient_is_clear(g) else
                    f"{_cap(g.measure)}: no clear gradient across {place} in {g.period} "
                    f"(SII {with_ci(f['sii'], f['sii_lowercl'], f['sii_uppercl'])}).")
    worse = [g.label.lower() for g in items if gradient_is_clear(g) and deprived_fare_worse(g)]
    msgs.append(f"{len(worse)} of {len(items)} indicators show a clear gradient against the "
                f"most deprived neighbourhoods" + (f": {join_names(worse)}." if worse else "."))
    latest = published[published["period"] == published["period"].max()] if len(
        published) else published
    if len(latest):
        parts = [f"{r.series.lower()} {num(r.value)} years" + (
            f" ({r.area_name})" if latest["area_code"].nunique() > 1 else "")
            for r in latest.itertuples()]
        msgs.append(f"Officially published (OHID, real), {period(latest['period'].iloc[0])}: "
                    + "; ".join(parts[:4]) + ("; ..." if len(parts) > 4 else "") + ".")
    else:
        msgs.append(f"OHID publishes no SII in life expectancy for {place}: it has too few "
                    "neighbourhoods for a stable estimate.")
    return msgs


def published_comparison_text(table: pd.DataFrame, place: str, years: tuple[int, ...]) -> str:
    """Compare computed district SIIs with OHID's published ones, in words."""
    undefined = table[table["sii"].isna()]
    note = "" if undefined.empty else (
        f" For {len(undefined)} of {len(table)} district figures no SII is computed: a "
        "deprivation band has 5,000 residents or fewer, too few for a life expectancy (the "
        "PHE rule).")
    pub = table.dropna(subset=["published", "sii"])
    span = f"{years[0]} to {years[-1]}"
    if pub.empty and not undefined.empty:
        return f"No published figure can be compared for {place} for {span}." + note
    if pub.empty:
        return (f"OHID publishes no SII in life expectancy for {place} for {span}: with so "
                "few neighbourhoods the estimate would be too unstable. The computed figure "
                "below rests on a plausible gradient chosen for the synthetic data (see *Data "
                "and methods*), not on a published one.")
    inside = ((pub["published"] >= pub["sii_lowercl"]) & (pub["published"] <= pub["sii_uppercl"]))
    return (f"For {span}, {int(inside.sum())} of {len(pub)} published figures for {place} "
            "lie inside the 95% confidence interval of the SII computed from the extracts. "
            f"Published values range from {num(pub['published'].min())} to "
            f"{num(pub['published'].max())} years." + note)


def sii_trend_headline(trend: pd.DataFrame, place: str) -> str:
    """Title for the SII-over-time chart, stating the latest gap by sex."""
    last = trend[trend["period"] == trend["period"].max()]
    parts = [f"{num(r.sii)} years for {'women' if r.series == 'Female' else 'men'}"
             for r in last.itertuples()]
    return (f"The computed gap in life expectancy across {place}'s social gradient was "
            f"{join_names(parts)} in {period(last['period'].iloc[0])}")


def sii_trend_text(trend: pd.DataFrame, published: pd.DataFrame, place: str, *,
                   synthetic: bool) -> str:
    """Read the SII trend, saying what is real and what is synthetic."""
    first, last = period(trend["period"].min()), period(trend["period"].max())
    parts = []
    for sex, sub in trend.groupby("series"):
        a, b = sub.iloc[0], sub.iloc[-1]
        overlap = not (a["sii_uppercl"] < b["sii_lowercl"] or b["sii_uppercl"] < a["sii_lowercl"])
        parts.append(f"from {num(a['sii'])} years ({first}) to {num(b['sii'])} years ({last}) "
                     f"for {'women' if sex == 'Female' else 'men'}"
                     + (" (the two intervals overlap)" if overlap else ""))
    text = f"The computed SII in {place} went {join_names(parts)}."
    if synthetic:
        text += (" The computed series is **synthetic**: the generator holds each district's "
                 "gradient fixed at its 2022 to 2024 published level, so its movement over time "
                 "is chance (and the COVID-19 deaths of 2020 to 2022), not a real trend.")
    if len(published):
        pub = published[published["area_code"] == published["area_code"].iloc[0]]
        pa, pb = pub[pub["period"] == pub["period"].min()], pub[pub["period"] ==
                                                                pub["period"].max()]
        bits = [f"{'women' if r.series == 'Female' else 'men'} "
                f"{num(r.value)} to {num(q.value)} years"
                for r, q in zip(pa.itertuples(), pb.itertuples(), strict=False)]
        text += (f" The real published SII for {pub['area_name'].iloc[0]} changed between "
                 f"{period(pa['period'].iloc[0])} and {period(pb['period'].iloc[0])} as "
                 f"follows: {join_names(bits)}.")
    return text


def sii_banner_detail(items: list[Gradient], has_published: bool) -> str:
    """The SII page's banner: which figures are synthetic and which real (from the data).

    Examples
    --------
    >>> sii_banner_detail([], has_published=False)
    'Real: IMD 2019 neighbourhood deprivation only.'
    """
    synthetic = [g.label for g in items if g.synthetic]
    real = [g.label for g in items if not g.synthetic]
    if has_published:
        real.append("the officially published SII in life expectancy (OHID Fingertips)")
    head = ("Synthetic: " + "; ".join(synthetic) + ". ") if synthetic else ""
    if not real:
        return head + "Real: IMD 2019 neighbourhood deprivation only."
    return head + "Real: " + "; ".join(real[:-1]) + (", and " if len(real) > 1 else "") + (
        real[-1] + "."
    )


def published_sii_intro(table: pd.DataFrame, place: str, *, synthetic: bool) -> str:
    """Introduce the comparison with OHID's published SII, claiming only what the data hold.

    ``table`` has a ``published`` column (NaN where OHID publishes no figure);
    ``synthetic`` says whether the computed figures come from synthetic deaths.

    Examples
    --------
    >>> t = pd.DataFrame({"published": [float("nan")]})
    >>> "None is published" in published_sii_intro(t, "Rutland", synthetic=True)
    True
    """
    text = (
        "OHID publishes the SII in life expectancy for each local authority district "
        "(Fingertips, Public Health Outcomes Framework indicator A01b), ranking neighbourhoods "
        "within the district."
    )
    if not table["published"].notna().any():
        return text + (
            f" None is published for {place}'s districts for these years, so there is no "
            "official figure to set beside the computed one"
            + (
                "; the synthetic deaths follow a plausible gradient instead (see *Data and "
                "methods*)."
                if synthetic
                else "."
            )
        )
    text += " Those published figures are **real**."
    if synthetic:
        text += (
            " The computed figures come from the synthetic deaths, which were calibrated so "
            "that each district's published SII lies inside the computed interval (see *Data "
            "and methods*); with an analyst's real extract the same code gives the real answer."
        )
    return text


def sii_vaccination_intro(place: str, real_vaccination: bool) -> str:
    """Introduce the diabetes and vaccination section (real MSOA counts only where shipped).

    Examples
    --------
    >>> "**real** published counts" in sii_vaccination_intro("Leicester", True)
    True
    >>> "**real**" in sii_vaccination_intro("Derby", False)
    False
    """
    text = (
        "Recorded diabetes prevalence is age-standardised, because more deprived "
        "neighbourhoods are often younger."
    )
    if real_vaccination:
        return text + (
            " COVID-19 vaccination uses the **real** published counts for middle-layer areas "
            f"(MSOAs, about 7,000 people each), ranked within {place} by their "
            "population-weighted IMD 2019 score; people aged 50 and over had all been offered "
            "both doses by 11 July 2021."
        )
    return text + (
        f" COVID-19 vaccination by middle-layer area is not shipped for {place}, so it is "
        "not shown here (see below)."
    )


def sii_about_data(real_vaccination: bool, has_published: bool) -> str:
    """The SII page's 'About this page' data paragraph, naming only the real sources used.

    Examples
    --------
    >>> "NHS England" in sii_about_data(False, True)
    False
    """
    real = []
    if real_vaccination:
        real.append("the COVID-19 vaccination figures (NHS England)")
    if has_published:
        real.append("the published SII (OHID)")
    verb = "are" if len(real) > 1 else "is"
    tail = (
        (" " + _cap(join_names(real)) + f" {verb} **real** (Open Government Licence v3.0).")
        if real
        else ""
    )
    return (
        "**Data.** The life-expectancy, mortality, admissions and diabetes figures on this "
        "page are computed from **synthetic** record-level extracts generated from real "
        "small-area statistics (see *Data and methods*); they demonstrate the method and must "
        "not be used for decisions." + tail + " Neighbourhood deprivation: English Indices of "
        "Deprivation 2019 (MHCLG)."
    )


def msoa_vaccination_missing_text(place: str) -> str:
    """Say why the real vaccination gradient is not shown for a place.

    Examples
    --------
    >>> msoa_vaccination_missing_text("Derby").startswith("Real COVID-19 vaccination")
    True
    """
    return (f"Real COVID-19 vaccination counts by middle-layer area (MSOA) are published by "
            f"NHS England for all of England, but the copy shipped with this book covers only "
            f"a few districts, not {place}, so the real vaccination gradient is not shown "
            "here. The synthetic vaccinations extract used elsewhere follows "
            "England's published gradient by age and deprivation (OpenSAFELY-TPP), not local "
            "figures.")


def msoa_quantile_text(place: str, g: Gradient) -> str:
    """Explain the MSOA grouping when it is coarse (few MSOAs in the place)."""
    groups = int(g.fit["n_quantiles"])
    n = len(g.estimates)
    if groups == 10:
        return ""
    return (f"{place} has only a few middle-layer areas (MSOAs), so the vaccination chart uses "
            f"{n} local quintiles; with so few areas, one unusual MSOA can move the line, and "
            "the narrow intervals reflect large counts, not certainty about the gradient.")
