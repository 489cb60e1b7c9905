"""The COVID-19 chapter's sentences, written from the numbers (plain English, 95% intervals).

Modelled figures (expected and excess deaths, rates, ratios) are exempt from
disclosure control; observed counts quoted in text pass through
:func:`hi_analysis.disclosure.control` under the system's rule.
"""

from __future__ import annotations

import pandas as pd

from hi_analysis import disclosure
from hi_analysis.covid.chapter import CovidChapter
from hi_analysis.text import join_names, num, whole

#: The commitments the board acts on: the LLR system framework's Action 5 (seed 001) and its
#: bullets, NHS England's 2021/22 planning guidance on inclusive recovery, and Action 6.
COMMITMENTS = (
    "Action 5: understand the full effect of the pandemic on health inequalities",
    "Action 5: identify the communities and groups most affected",
    "Action 5: make sure vaccine uptake is equitable",
    "Action 5: a primary-prevention focus to recovery, on the wider determinants",
    "Action 5: parity of esteem between mental and physical health",
    "2021/22 planning guidance: restore services inclusively (waiting lists by deprivation and "
    "ethnicity, before and during the pandemic)",
    "Action 6 and Core20PLUS5: complete ethnicity recording; mitigate digital exclusion",
)


def about(value: float, step: int = 10) -> str:
    """Round a modelled count for prose: ``1193.4 -> '1,190'``."""
    return whole(round(value / step) * step)


def interval(
    lower: float, upper: float, *, digits: int = 0, unit: str = "", kind: str = "CI"
) -> str:
    """``'95% CI 1.3 to 2.9'`` (never a hyphen)."""

    def f(v: float) -> str:
        s = num(abs(v), digits) + unit
        return ("minus " + s) if v < 0 else s

    return f"95% {kind} {f(lower)} to {f(upper)}"


def count(value: float, rule: str) -> str:
    """An observed count after disclosure control, formatted."""
    return disclosure.format_count(disclosure.control([value], rule)[0])


# ----------------------------------------------------------------------------- 1 excess
def excess_sentence(ch: CovidChapter) -> str:
    """The section's key number in plain English."""
    p, s = ch.pandemic(), ch.pandemic(ch.system_periods)
    lead = (
        f"Between March 2020 and December 2021, about **{about(p['excess'])} more people "
        f"died in {ch.place.name}** than would normally have been expected "
        f"({interval(p['excess_lower'], p['excess_upper'], kind='prediction interval')}"
        f"): {num(p['percent'], 0)}% more than expected."
    )
    if ch.place.name != ch.system.short_name:
        lead += (
            f" Across {ch.system.short_name} the figure was about {about(s['excess'])} "
            f"({interval(s['excess_lower'], s['excess_upper'], kind='PI')}; "
            f"{num(s['percent'], 0)}% more)."
        )
    return lead


def excess_headline(ch: CovidChapter) -> str:
    """Chart title: the finding of the observed-against-expected chart."""
    p = ch.pandemic()
    later = ch.place_periods.iloc[1:]
    above = later[later["excess_lower"] > 0]["period"].tolist()
    tail = (
        f"; deaths stayed above expected in {join_names(above)}"
        if above
        else "; since 2022 deaths have been within the range expected"
    )
    return (
        f"Deaths in {ch.place.name} ran {num(p['percent'], 0)}% above the pre-pandemic "
        f"pattern from March 2020 to December 2021{tail}"
    )


def excess_later_text(ch: CovidChapter) -> str:
    """The years since 2021, stated separately."""
    parts = []
    for _, r in ch.place_periods.iloc[1:].iterrows():
        sig = (
            "above"
            if r["excess_lower"] > 0
            else "below"
            if r["excess_upper"] < 0
            else "not clearly different from"
        )
        parts.append(
            f"{r['period']}: {about(r['excess'])} "
            f"({interval(r['excess_lower'], r['excess_upper'], kind='PI')}), "
            f"{sig} expected"
        )
    return (
        "**The years since.** Excess deaths in "
        + ch.place.name
        + " by period: "
        + "; ".join(parts)
        + ". Figures for 2024 and 2025 are provisional, and from "
        "9 September 2024 the new medical examiner system may have changed when deaths "
        "are registered."
    )


def five_year_text(ch: CovidChapter) -> str:
    """Why the model and the ONS five-year average differ."""
    row = ch.five_year[ch.five_year["area"] == ch.place.name].iloc[0]
    direction = "rising" if row["trend_per_year"] > 0 else "falling"
    more_less = "fewer" if row["excess_model"] < row["excess_average"] else "more"
    return (
        f"**Beside the five-year average.** The method ONS used in 2020 and 2021 -- the "
        f"average of the same months in 2015 to 2019 -- gives {about(row['excess_average'])} "
        f"excess deaths in {ch.place.name} for March 2020 to December 2021, against "
        f"{about(row['excess_model'])} from the model. The model gives {more_less} because "
        f"deaths in {ch.place.name} were {direction} before the pandemic: the model "
        f"carries that trend forward (with the calendar of working days), while the "
        f"five-year average assumes deaths would have stayed at their 2015 to 2019 level. "
        f"Neither allows for the population growing or ageing beyond its past trend, and "
        f"only the model gives an interval."
    )


def district_headline(ch: CovidChapter) -> str:
    """Chart title for excess by area."""
    d = ch.districts[ch.districts["kind"].isin(["place", "district"])]
    top = d.sort_values("percent", ascending=False).iloc[0]
    return (
        f"{top['area']} had the largest rise in deaths of "
        f"{ch.system.short_name}'s areas, {num(top['percent'], 0)}% above expected "
        "in March 2020 to December 2021"
    )


# ----------------------------------------------------------------------------- 2 who died
def deprivation_sentence(ch: CovidChapter) -> str:
    """The section's key number, and why age adjustment changes it."""
    a, c = ch.headline_ratio(), ch.headline_ratio("crude")
    q = ch.quintiles.set_index("quintile")
    return (
        f"After allowing for age, deaths involving COVID-19 in March to December 2020 "
        f"were **{num(a['ratio'], 2)} times as common in {ch.system.short_name}'s most "
        f"deprived fifth of neighbourhoods as in the least deprived** "
        f"({interval(a['lower'], a['upper'], digits=2)}). The raw rates differed much "
        f"less ({num(q.loc[1, 'value'], 0)} against {num(q.loc[5, 'value'], 0)} per "
        f"100,000; crude ratio {num(c['ratio'], 2)}, "
        f"{interval(c['lower'], c['upper'], digits=2)}), because the most deprived "
        f"neighbourhoods are much younger: {num(q.loc[1, 'share_older'] * 100, 0)}% of "
        f"their residents are 70 or over, against {num(q.loc[5, 'share_older'] * 100, 0)}% "
        f"in the least deprived. COVID-19 killed mostly older people, so a young "
        f"neighbourhood with the same death rate as an old one was in fact hit far harder."
    )


def deprivation_headline(ch: CovidChapter) -> str:
    """Chart title for the crude and adjusted ratios."""
    a, c = ch.headline_ratio(), ch.headline_ratio("crude")
    return (
        f"Allowing for age raises the most deprived fifth's COVID-19 death-rate ratio "
        f"from {num(c['ratio'], 2)} to {num(a['ratio'], 2)}"
    )


def asmr_text(ch: CovidChapter) -> str:
    """The synthetic age-standardised rates, with the published England figures."""
    dec = ch.asmr["imd_decile"].sort_values("group")
    sex = ch.asmr["sex"].set_index("group")
    eth = ch.asmr["ethnicity"].sort_values("value", ascending=False)
    lo, hi = dec.iloc[0], dec.iloc[-1]
    top = eth.iloc[0]
    return (
        f"In the synthetic deaths extract (March 2020 to December 2021), the "
        f"age-standardised COVID-19 death rate was {num(lo['value'])} per 100,000 a year "
        f"in {ch.place.name}'s residents of national deprivation decile {int(lo['group'])} "
        f"({interval(lo['lowercl'], lo['uppercl'], digits=1)}) and {num(hi['value'])} in "
        f"decile {int(hi['group'])} ({interval(hi['lowercl'], hi['uppercl'], digits=1)}); "
        f"men {num(sex.loc['Male', 'value'])} and women {num(sex.loc['Female', 'value'])}; "
        f"highest in the {top['group']} group ({num(top['value'])}). For comparison, ONS "
        f"published for England (1 March to 17 April 2020) 55.1 per 100,000 in the most "
        f"deprived decile against 25.3 in the least, and 76.7 for men against 39.6 for "
        f"women; after allowing for age, Bangladeshi and Pakistani people had two to five "
        f"times the risk of White British people across the first two waves."
    )


# ----------------------------------------------------------------------------- 3 cases
def cases_sentence(ch: CovidChapter) -> str:
    """The section's key number."""
    w = ch.waves[(ch.waves["area"] == ch.place.name)].set_index("wave")
    lock = w.loc["Leicester's local lockdown period (June to July 2020)"]
    ranks = ch.ranks.sort_values("rank")
    best = ranks.iloc[0]
    who = "it" if len(ch.place.districts) == 1 else f"its highest district, {best['ltla19_name']},"
    return (
        f"In June and July 2020 {ch.place.name} recorded {num(lock['rate'], 0)} cases per "
        f"100,000 people, **{num(lock['ratio'], 2)} times England's rate** "
        f"({interval(lock['lower'], lock['upper'], digits=2)}); {who} ranked "
        f"{int(best['rank'])} of England's {int(best['of'])} districts for that period. "
        f"Leicester's rate led to England's first local lockdown on 29 June 2020. "
        f"Case counts depend on who was tested: testing expanded unevenly in 2020 and free "
        f"testing ended on 1 April 2022, so cases are not a count of infections."
    )


def cases_headline(ch: CovidChapter) -> str:
    """Chart title."""
    w = ch.waves[ch.waves["area"] == ch.place.name]
    first = w.iloc[0]
    last = w.iloc[-1]
    return (
        f"{ch.place.name}'s case rate was {num(first['ratio'], 1)} times England's in "
        f"the first wave, but {num(last['ratio'], 2)} times in the Omicron wave, when "
        "testing patterns had changed"
    )


# ----------------------------------------------------------------------------- 4 vaccination
def _cov(ch: CovidChapter, area: str, band: str, dose: str = "First dose") -> pd.Series:
    pc = ch.place_coverage
    return pc[(pc["area"] == area) & (pc["age_band"] == band) & (pc["dose"] == dose)].iloc[0]


def vaccination_sentence(ch: CovidChapter) -> str:
    """The section's key number and the denominator warning."""
    rest = f"Rest of {ch.system.short_name}"
    p80, r80 = _cov(ch, ch.place.name, "80+"), _cov(ch, rest, "80+")
    p50, r50 = _cov(ch, ch.place.name, "50-54"), _cov(ch, rest, "50-54")
    return (
        f"By 11 July 2021, **{num(p80['coverage_nims'], 1)}% of {ch.place.name}'s "
        f"residents aged 80 and over had a first dose** "
        f"({interval(p80['lowercl'], p80['uppercl'], digits=1)}; "
        f"{num(p80['coverage_ons'], 1)}% using the ONS population) against "
        f"{num(r80['coverage_nims'], 1)}% in the rest of {ch.system.short_name}. Among "
        f"people aged 50 to 54 it was {num(p50['coverage_nims'], 1)}% using the NHS "
        f"register (NIMS) but {num(p50['coverage_ons'], 1)}% using the ONS estimate "
        f"(rest of {ch.system.short_name}: {num(r50['coverage_nims'], 1)}% and "
        f"{num(r50['coverage_ons'], 1)}%): in working ages the size of any gap depends on "
        f"which population count is used, so both are shown. GP registers count people "
        f"who have moved away (list inflation, common in cities); ONS estimates before "
        f"Census 2021 undercounted some cities' populations."
    )


def vaccination_headline(ch: CovidChapter) -> str:
    """Chart title."""
    rest = f"Rest of {ch.system.short_name}"
    gaps = []
    for band in ("80+", "50-54", "25-29"):
        gaps.append(
            _cov(ch, rest, band)["coverage_nims"] - _cov(ch, ch.place.name, band)["coverage_nims"]
        )
    word = "lower" if gaps[0] > 0 else "higher"
    return (
        f"First-dose coverage in {ch.place.name} was {word} than in the rest of "
        f"{ch.system.short_name} at every age, by {num(abs(gaps[0]), 0)} points at 80+ "
        f"and {num(abs(gaps[2]), 0)} at 25 to 29 (NHS register denominators)"
    )


def opensafely_text(ch: CovidChapter) -> str:
    """The national benchmark."""
    d0, d1 = list(ch.opensafely_imd)
    s1 = ch.opensafely_imd[d1][1].set_index("age_band")
    eth = ch.opensafely_ethnicity.set_index(["age_band", "group"])
    return (
        f"**The national benchmark (OpenSAFELY, real).** In the records of about 40% of "
        f"England's GP practices, by {d1:%-d %B %Y} the gap in first-dose coverage "
        f"between the most and least deprived ends of the national deprivation scale "
        f"(slope index of inequality) was {num(s1.loc['18-29', 'sii'], 1)} percentage "
        f"points at ages 18 to 29 "
        f"({interval(*s1.loc['18-29', ['sii_lowercl', 'sii_uppercl']], digits=1)}) "
        f"but {num(s1.loc['80+', 'sii'], 1)} at 80 and over. At 70 to 79, "
        f"{num(eth.loc[('70-79', 'Black'), 'value'], 1)}% of Black people had a first dose "
        f"against {num(eth.loc[('70-79', 'White'), 'value'], 1)}% of White people. Gaps "
        f"opened as each age group became eligible and closed only partly."
    )


def synthetic_vaccination_text(ch: CovidChapter) -> str:
    """Within-place gaps from the synthetic extract."""
    eth = ch.vaccination_gaps["ethnicity"].sort_values("value")
    imd = ch.vaccination_gaps["imd_quintile"].sort_values("group")
    lo_e, hi_e = eth.iloc[0], eth.iloc[-1]
    lo_q, hi_q = imd.iloc[0], imd.iloc[-1]
    return (
        f"Within {ch.place.name}, among residents aged 50 and over, first-dose coverage by "
        f"11 July 2021 was lowest in the {lo_e['group']} group, {num(lo_e['value'], 1)}% "
        f"({interval(lo_e['lowercl'], lo_e['uppercl'], digits=1)}), and highest in the "
        f"{hi_e['group']} group, {num(hi_e['value'], 1)}%; "
        f"{num(lo_q['value'], 1)}% in national deprivation quintile {int(lo_q['group'])} "
        f"against {num(hi_q['value'], 1)}% in quintile {int(hi_q['group'])}."
    )


# ----------------------------------------------------------------------------- 5 waiting
def waiting_sentence(ch: CovidChapter) -> str:
    """The section's key number (synthetic)."""
    r = ch.long_wait_ratios.iloc[-1]
    s = ch.long_wait_imd
    last = s[s["period"] == r["period"]].set_index("group")
    a, b = last.loc[r["most"]], last.loc[r["least"]]
    g = ch.gap_change
    change = (
        "widened" if g["lower"] > 0 else "narrowed" if g["upper"] < 0 else "not clearly changed"
    )
    ratio = (
        f" (ratio {num(r['ratio'], 2)}, {interval(r['lower'], r['upper'], digits=2)})"
        if pd.notna(r["ratio"])
        else ""
    )
    return (
        f"In the latest month, **{num(a['value'], 1)}% of {ch.place.name}'s patients "
        f"from national deprivation quintile {int(r['most'])} had waited over 52 weeks, "
        f"against {num(b['value'], 1)}% from quintile {int(r['least'])}**{ratio}. "
        f"Since February 2020 that gap has {change}: by "
        f"{num(g['did'], 1)} percentage points "
        f"({interval(g['lower'], g['upper'], digits=1)}; difference in differences). "
        f"Nationally, in July 2021, 7.3% of patients from the most deprived fifth had "
        f"waited over a year against 4.0% in the least deprived (The King's Fund)."
    )


def waiting_headline(ch: CovidChapter) -> str:
    """Chart title for the list index."""
    idx = ch.list_index
    last = idx[idx["snapshot_month"] == idx["snapshot_month"].max()].set_index("imd_quintile")
    hi_q, lo_q = last["index"].idxmax(), last["index"].idxmin()
    return (
        f"The waiting list grew most for quintile {int(hi_q)} "
        f"({num(last.loc[hi_q, 'index'], 0)} against February 2020's 100) and least for "
        f"quintile {int(lo_q)} ({num(last.loc[lo_q, 'index'], 0)})"
    )


# ----------------------------------------------------------------------------- 6 access
def access_sentence(ch: CovidChapter) -> str:
    """The section's key number (synthetic)."""
    m = ch.modes
    periods = list(dict.fromkeys(m["period"]))
    age = m[(m["breakdown"] == "Age band") & (m["measure"] == "Remote")]
    before = age[age["period"] == periods[0]].set_index("group")
    after = age[age["period"] == periods[1]].set_index("group")
    dig = m[
        (m["breakdown"] == "IMD quintile")
        & (m["measure"] == "Video or online")
        & (m["period"] == periods[-1])
    ].sort_values("group")
    rec = ch.recording.iloc[0]
    return (
        f"Remote GP appointments (telephone, video or online) rose from "
        f"{num(before.loc['65 and over', 'value'], 0)}% to "
        f"{num(after.loc['65 and over', 'value'], 0)}% for people aged 65 and over in "
        f"the first pandemic year. In the latest year, **{num(dig.iloc[0]['value'], 1)}% of "
        f"appointments in national deprivation quintile {int(dig.iloc[0]['group'])} were "
        f"by video or online, against {num(dig.iloc[-1]['value'], 1)}% in quintile "
        f"{int(dig.iloc[-1]['group'])}** "
        f"({interval(dig.iloc[0]['lowercl'], dig.iloc[0]['uppercl'], digits=1)} "
        f"and {interval(dig.iloc[-1]['lowercl'], dig.iloc[-1]['uppercl'], digits=1)}). "
        f"Ethnicity was least completely recorded in the {rec['service'].lower()}: "
        f"{num(rec['value'], 1)}% of records "
        f"({interval(rec['lowercl'], rec['uppercl'], digits=1)})."
    )


# ----------------------------------------------------------------------------- 7 board
def board_actions(ch: CovidChapter) -> list[tuple[str, str]]:
    """One finding and action per commitment (:data:`COMMITMENTS`), written from the numbers."""
    p = ch.pandemic()
    a, c = ch.headline_ratio(), ch.headline_ratio("crude")
    rest = f"Rest of {ch.system.short_name}"
    p80, r80 = _cov(ch, ch.place.name, "80+"), _cov(ch, rest, "80+")
    g = ch.gap_change
    rec = ch.recording.iloc[0]
    later = ch.place_periods.iloc[1:]
    still = later[later["excess_lower"] > 0]["period"].tolist()
    worst = (
        ch.msoas[ch.msoas["place_code"] == ch.place.code]
        .sort_values("rate", ascending=False)
        .head(3)["msoa_name"]
        .tolist()
    )
    dig = ch.modes[
        (ch.modes["breakdown"] == "IMD quintile") & (ch.modes["measure"] == "Video or online")
    ]
    dig = dig[dig["period"] == dig["period"].iloc[-1]].sort_values("group")
    syn = " (synthetic data: repeat with the real extract)"
    return [
        (
            COMMITMENTS[0],
            f"{about(p['excess'])} more deaths than expected in {ch.place.name} in March 2020 to "
            f"December 2021 ({interval(p['excess_lower'], p['excess_upper'], kind='PI')})"
            + (f", and still above expected in {join_names(still)}" if still else "")
            + ": ask for excess deaths by age, sex, deprivation and ethnic group from the real "
            "deaths extract every year.",
        ),
        (
            COMMITMENTS[1],
            f"After allowing for age, COVID-19 deaths were {num(a['ratio'], 2)} times as common "
            f"in the most deprived fifth of neighbourhoods: focus recovery first on them, "
            f"starting with {join_names(worst)} (the highest death rates here).",
        ),
        (
            COMMITMENTS[2],
            f"First-dose coverage at 80 and over was {num(p80['coverage_nims'], 1)}% here against "
            f"{num(r80['coverage_nims'], 1)}% in the rest of {ch.system.short_name}: set uptake "
            f"goals by age, deprivation and ethnic group for every vaccination programme, over "
            f"one agreed population count.",
        ),
        (
            COMMITMENTS[3],
            f"The crude ratio of {num(c['ratio'], 2)} hid a doubling: deprived, younger "
            f"neighbourhoods carry the risk factors (work, housing, poverty) that age does not "
            f"explain, so pair health recovery with employment, housing and income support there.",
        ),
        (
            COMMITMENTS[4],
            "This chapter has no mental-health measure: ask for mental-health service use and "
            "waiting times by deprivation and ethnic group, before and since the pandemic.",
        ),
        (
            COMMITMENTS[5],
            f"The gap in waits over 52 weeks between the most and least deprived changed by "
            f"{num(g['did'], 1)} percentage points since February 2020 "
            f"({interval(g['lower'], g['upper'], digits=1)}){syn}: make the waiting list by "
            f"deprivation and ethnic group a standing board item.",
        ),
        (
            COMMITMENTS[6],
            f"Ethnicity was recorded in only {num(rec['value'], 0)}% of "
            f"{rec['service'].lower()} records, and {num(dig.iloc[0]['value'], 1)}% of "
            f"appointments in the most deprived quintile were by video or online against "
            f"{num(dig.iloc[-1]['value'], 1)}% in the least{syn}: audit recording by service and "
            f"keep a non-digital route into every service.",
        ),
    ]


def key_messages(ch: CovidChapter) -> list[str]:
    """Key messages at the top of the page (real first; synthetic ones say so)."""
    p = ch.pandemic()
    a = ch.headline_ratio()
    p80 = _cov(ch, ch.place.name, "80+")
    return [
        f"About {about(p['excess'])} more people died in {ch.place.name} than expected in "
        f"March 2020 to December 2021 "
        f"({interval(p['excess_lower'], p['excess_upper'], kind='prediction interval')}), "
        f"{num(p['percent'], 0)}% above the pre-pandemic pattern.",
        f"After allowing for age, COVID-19 death rates in {ch.system.short_name}'s most "
        f"deprived fifth of neighbourhoods were {num(a['ratio'], 2)} times those of the least "
        f"deprived ({interval(a['lower'], a['upper'], digits=2)}).",
        f"{num(p80['coverage_nims'], 1)}% of {ch.place.name}'s residents aged 80 and over "
        f"had a first vaccine dose by 11 July 2021 "
        f"({interval(p80['lowercl'], p80['uppercl'], digits=1)}).",
        "Waiting-list, GP-appointment and ethnicity-recording figures on this page come from "
        "synthetic extracts and show the method only.",
    ]


def banner_detail(ch: CovidChapter) -> str:
    """Exactly which sections use synthetic data."""
    return (
        "Synthetic sections: 'Who died' (the age-standardised rates by deprivation "
        "decile, ethnic group and sex only), 'Did protection reach everyone' (the "
        "within-place gaps by ethnic group and deprivation only), 'Who is still waiting' "
        "and 'How access changed'. Everything else -- excess deaths, deaths by "
        "neighbourhood deprivation, cases, vaccination by age, area and neighbourhood, "
        "and the national benchmarks -- is real published data."
    )
