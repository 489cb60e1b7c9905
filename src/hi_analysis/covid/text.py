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


# ----------------------------------------------------------------------------- page
def intro_text(ch: CovidChapter) -> str:
    """What the chapter asks, for the place (no system-specific wording)."""
    return (
        f"What did the pandemic do to health and to health inequalities in {ch.place.name}? "
        "This chapter follows the commitment of the Midlands health-inequalities frameworks "
        "(Action 5) to understand the full effect of COVID-19 on health inequalities, find "
        "the communities most affected, make vaccine uptake equitable, and restore services "
        "inclusively. Each section opens with its key number and its 95% interval. Most "
        "figures are **real published data**; the sections that use synthetic extracts say "
        "so at their start, and a section whose real local figure is not shipped for "
        f"{ch.place.name} says so and shows the national figure instead."
    )


def about_data(ch: CovidChapter) -> str:
    """The 'About this page' data paragraph: only the sources this page used."""
    a = ch.available
    real = [
        "ONS monthly death registrations (2015 to June 2025"
        + ("" if a.get("excess") else "; England only on this page")
        + ") and deaths involving COVID-19 by MSOA and, cumulatively, by district",
        "UKHSA cases by specimen date" + ("" if a.get("daily_cases") else " (monthly)"),
    ]
    if a.get("district_vaccination"):
        real.append("NHS England vaccinations and NIMS populations")
    real += [
        "OpenSAFELY-TPP national coverage (credit: OpenSAFELY.org)",
        "ONS mid-2020 populations",
        "IMD 2019 (MHCLG)",
    ]
    return (
        "**Data.** Real: " + "; ".join(real) + "; all under the Open Government Licence v3.0. "
        "Synthetic: the deaths, vaccinations, waiting-list, GP-appointment and other "
        "record-level extracts named in the banner (see *Data and methods*)."
    )


# ----------------------------------------------------------------------------- 1 excess
def excess_missing_text(ch: CovidChapter) -> str:
    """The fallback of the excess-deaths section, where local registrations are not shipped."""
    e = ch.england_periods.iloc[0]
    c = ch.cumulative.set_index("kind")
    pl, en = c.loc["place"], c.loc["england"]
    return (
        f"**Not shipped for {ch.place.name}.** ONS publishes monthly death registrations "
        f"for every council, but the copy shipped with this book covers England and only "
        f"a few councils, not {ch.place.name}, so no local excess-deaths figure is shown. "
        f"For England, about {about(e['excess'], 100)} more people died than expected "
        f"between March 2020 and December 2021 "
        f"({interval(e['excess_lower'], e['excess_upper'], kind='prediction interval')}; "
        f"{num(e['percent'], 0)}% more). The real figure published for every district is "
        f"below: of the deaths registered in {ch.place.name} from January 2020 to 4 June "
        f"2021, **{num(pl['value'], 1)}% involved COVID-19** "
        f"({interval(pl['lowercl'], pl['uppercl'], digits=1)}), against "
        f"{num(en['value'], 1)}% in {ch.system.comparator.name}."
    )


def cumulative_headline(ch: CovidChapter) -> str:
    """Chart title of the cumulative share of deaths involving COVID-19."""
    c = ch.cumulative.set_index("kind")
    pl, en = c.loc["place"], c.loc["england"]
    if pl["lowercl"] > en["uppercl"]:
        word = "a larger share than"
    elif pl["uppercl"] < en["lowercl"]:
        word = "a smaller share than"
    else:
        word = "about the same share as"
    return (
        f"{num(pl['value'], 1)}% of deaths registered in {ch.place.name} to June 2021 "
        f"involved COVID-19, {word} in {ch.system.comparator.name} ({num(en['value'], 1)}%)"
    )


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
def _direction(r: pd.Series) -> str:
    """``higher``, ``lower`` or ``unclear``: where a ratio's 95% interval lies against 1."""
    return "higher" if r["lower"] > 1 else "lower" if r["upper"] < 1 else "unclear"


def deprivation_sentence(ch: CovidChapter) -> str:
    """The section's key number, and why age adjustment changes it (decided from the data)."""
    a, c = ch.headline_ratio(), ch.headline_ratio("crude")
    q = ch.quintiles.set_index("quintile")
    where = f"{ch.system.short_name}'s most deprived fifth of neighbourhoods"
    ci = interval(a["lower"], a["upper"], digits=2)
    lead = {
        "higher": f"were **{num(a['ratio'], 2)} times as common in {where} as in the least "
        f"deprived** ({ci})",
        "lower": f"were **less common in {where} than in the least deprived: "
        f"{num(a['ratio'], 2)} times the rate** ({ci})",
        "unclear": f"were **not clearly different in {where} from the least deprived** "
        f"(rate ratio {num(a['ratio'], 2)}, {ci})",
    }[_direction(a)]
    older1, older5 = q.loc[1, "share_older"] * 100, q.loc[5, "share_older"] * 100
    crude = f"crude ratio {num(c['ratio'], 2)}, {interval(c['lower'], c['upper'], digits=2)}"
    if older1 < older5 and a["ratio"] > c["ratio"] > 1:  # age hid part of a higher risk
        why = (
            f" The raw rates differed much less ({num(q.loc[1, 'value'], 0)} against "
            f"{num(q.loc[5, 'value'], 0)} per 100,000; {crude}), because the most deprived "
            f"neighbourhoods are much younger: {num(older1, 0)}% of their residents are 70 or "
            f"over, against {num(older5, 0)}% in the least deprived. COVID-19 killed mostly "
            "older people, so a young neighbourhood with the same death rate as an old one "
            "was in fact hit far harder."
        )
    else:
        why = (
            f" Before allowing for age the rates were {num(q.loc[1, 'value'], 0)} against "
            f"{num(q.loc[5, 'value'], 0)} per 100,000 ({crude}); {num(older1, 0)}% of the "
            f"most deprived fifth's residents are 70 or over, against {num(older5, 0)}% in "
            "the least deprived."
        )
    return "After allowing for age, deaths involving COVID-19 in March to December 2020 " + (
        lead + "." + why
    )


def deprivation_headline(ch: CovidChapter) -> str:
    """Chart title for the crude and adjusted ratios."""
    a, c = ch.headline_ratio(), ch.headline_ratio("crude")
    verb = "raises" if a["ratio"] > c["ratio"] else "lowers"
    return (
        f"Allowing for age {verb} the most deprived fifth's COVID-19 death-rate ratio "
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
    from hi_analysis.covid.cases import in_lockdown, lockdown_wave

    w = ch.waves[(ch.waves["area"] == ch.place.name)].set_index("wave")
    lock = w.loc[lockdown_wave(ch.place)]
    ranks = ch.ranks.sort_values("rank")
    rank = ""
    if len(ranks):
        best = ranks.iloc[0]
        who = "it" if len(ranks) == 1 else f"its highest district, {best['ltla19_name']},"
        rank = (
            f"; {who} ranked {int(best['rank'])} of England's {int(best['of'])} districts "
            "for that period"
        )
    lockdown = (
        " Leicester's rate led to England's first local lockdown on 29 June 2020."
        if in_lockdown(ch.place)
        else ""
    )
    monthly = (
        ""
        if ch.available.get("daily_cases", True)
        else " Daily counts by district are not shipped for this place, so the figures "
        "here are sums of UKHSA's monthly counts (the periods are whole months)."
    )
    return (
        f"In June and July 2020 {ch.place.name} recorded {num(lock['rate'], 0)} cases per "
        f"100,000 people, **{num(lock['ratio'], 2)} times England's rate** "
        f"({interval(lock['lower'], lock['upper'], digits=2)}){rank}.{lockdown} "
        f"Case counts depend on who was tested: testing expanded unevenly in 2020 and free "
        f"testing ended on 1 April 2022, so cases are not a count of infections.{monthly}"
    )


def cases_missing_text(ch: CovidChapter) -> str:
    """The fallback of the cases section, where neither UKHSA table covers the place."""
    return (
        f"**Not shipped for {ch.place.name}.** The UKHSA case tables shipped with this book "
        f"do not cover every district of {ch.place.name} (UKHSA reported some small "
        "districts only combined with a neighbour), so no local case rates are shown."
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


def vaccination_missing_text(ch: CovidChapter) -> str:
    """The fallback of the vaccination section: what is not shipped, and what is shown."""
    parts = []
    if ch.place_coverage is None:
        parts.append(
            f"NHS England published people vaccinated by district and age, with NHS-register "
            f"(NIMS) populations, but the copy shipped with this book covers only a few "
            f"districts, not all of {ch.system.short_name}'s, so no local coverage by age is "
            "shown"
        )
    if ch.msoa_gradient is None:
        parts.append(
            f"real counts by middle-layer area (MSOA) are shipped for a few districts only, "
            f"not {ch.place.name}, so the gradient across {ch.place.name}'s neighbourhoods is "
            "not shown"
        )
    if not parts:
        return ""
    return (
        f"**Not shipped for {ch.place.name}.** "
        + "; and ".join(parts)
        + ". The national gradient below (OpenSAFELY, real) is the documented fallback: it "
        "is England's figure, not a local one."
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


def synthetic_vaccination_label(ch: CovidChapter) -> str:
    """The synthetic-data label of the within-place gaps: what the extract is calibrated to."""
    to = (
        "the real counts by MSOA and age"
        if ch.available.get("msoa_vaccination", True)
        else "England's published coverage by age and deprivation (OpenSAFELY), because real "
        "local counts are not shipped for this place"
    )
    return (
        "The within-place gaps by ethnic group and deprivation below come from the "
        f"synthetic vaccinations extract (calibrated to {to})."
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
def _deaths_action(ch: CovidChapter) -> str:
    ask = (
        "ask for excess deaths by age, sex, deprivation and ethnic group from the real "
        "deaths extract every year."
    )
    if ch.place_periods is None:
        pl = ch.cumulative.set_index("kind").loc["place"]
        return (
            f"{num(pl['value'], 1)}% of deaths registered in {ch.place.name} to June 2021 "
            f"involved COVID-19 ({interval(pl['lowercl'], pl['uppercl'], digits=1)}), and no "
            f"local excess-deaths figure is shipped: obtain the monthly registrations and " + ask
        )
    p = ch.pandemic()
    later = ch.place_periods.iloc[1:]
    still = later[later["excess_lower"] > 0]["period"].tolist()
    return (
        f"{about(p['excess'])} more deaths than expected in {ch.place.name} in March 2020 to "
        f"December 2021 ({interval(p['excess_lower'], p['excess_upper'], kind='PI')})"
        + (f", and still above expected in {join_names(still)}" if still else "")
        + ": "
        + ask
    )


def _vaccination_action(ch: CovidChapter) -> str:
    goals = (
        "set uptake goals by age, deprivation and ethnic group for every vaccination "
        "programme, over one agreed population count."
    )
    if ch.place_coverage is None:
        s1 = ch.opensafely_imd[list(ch.opensafely_imd)[-1]][1].set_index("age_band")
        return (
            f"No local coverage by age is shipped for {ch.place.name}; nationally the "
            f"deprivation gap in first doses was {num(s1.loc['18-29', 'sii'], 1)} points at "
            f"18 to 29 (OpenSAFELY): obtain the local counts by age, deprivation and ethnic "
            f"group, and " + goals
        )
    rest = f"Rest of {ch.system.short_name}"
    p80, r80 = _cov(ch, ch.place.name, "80+"), _cov(ch, rest, "80+")
    return (
        f"First-dose coverage at 80 and over was {num(p80['coverage_nims'], 1)}% here against "
        f"{num(r80['coverage_nims'], 1)}% in the rest of {ch.system.short_name}: " + goals
    )


def _communities_action(ch: CovidChapter, worst: list[str]) -> str:
    a = ch.headline_ratio()
    if _direction(a) == "higher":
        return (
            f"After allowing for age, COVID-19 deaths were {num(a['ratio'], 2)} times as common "
            f"in the most deprived fifth of neighbourhoods: focus recovery first on them, "
            f"starting with {join_names(worst)} (the highest death rates here)."
        )
    return (
        f"After allowing for age, COVID-19 deaths were not clearly more common in the most "
        f"deprived fifth of {ch.system.short_name}'s neighbourhoods (rate ratio "
        f"{num(a['ratio'], 2)}, {interval(a['lower'], a['upper'], digits=2)}): focus recovery "
        f"on the neighbourhoods with the highest death rates, starting with "
        f"{join_names(worst)}, and on the groups the national evidence names (older people, "
        "some ethnic minority groups, people in care homes)."
    )


def _determinants_action(ch: CovidChapter) -> str:
    a, c = ch.headline_ratio(), ch.headline_ratio("crude")
    support = "so pair health recovery with employment, housing and income support there."
    if _direction(a) == "higher" and a["ratio"] > c["ratio"]:
        hid = (
            "hid a doubling"
            if a["ratio"] >= 1.8
            else (f"understated the gap ({num(a['ratio'], 2)} after allowing for age)")
        )
        return (
            f"The crude ratio of {num(c['ratio'], 2)} {hid}: deprived, younger "
            f"neighbourhoods carry the risk factors (work, housing, poverty) that age does not "
            f"explain, " + support
        )
    return (
        f"Here the most deprived neighbourhoods did not have clearly higher COVID-19 death "
        f"rates after allowing for age (ratio {num(a['ratio'], 2)}), but the wider "
        f"determinants (work, housing, poverty) still shape who is at risk in any wave: "
        "find the streets and groups where they concentrate, " + support
    )


def board_actions(ch: CovidChapter) -> list[tuple[str, str]]:
    """One finding and action per commitment (:data:`COMMITMENTS`), written from the numbers."""
    g = ch.gap_change
    rec = ch.recording.iloc[0]
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
        (COMMITMENTS[0], _deaths_action(ch)),
        (COMMITMENTS[1], _communities_action(ch, worst)),
        (COMMITMENTS[2], _vaccination_action(ch)),
        (COMMITMENTS[3], _determinants_action(ch)),
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
    a = ch.headline_ratio()
    out = []
    if ch.place_periods is not None:
        p = ch.pandemic()
        out.append(
            f"About {about(p['excess'])} more people died in {ch.place.name} than expected in "
            f"March 2020 to December 2021 "
            f"({interval(p['excess_lower'], p['excess_upper'], kind='prediction interval')}), "
            f"{num(p['percent'], 0)}% above the pre-pandemic pattern."
        )
    else:
        pl = ch.cumulative.set_index("kind").loc["place"]
        out.append(
            f"{num(pl['value'], 1)}% of deaths registered in {ch.place.name} from January "
            f"2020 to 4 June 2021 involved COVID-19 "
            f"({interval(pl['lowercl'], pl['uppercl'], digits=1)}); no local excess-deaths "
            "figure is shipped for this place."
        )
    out.append(
        f"After allowing for age, COVID-19 death rates in {ch.system.short_name}'s most "
        f"deprived fifth of neighbourhoods were {num(a['ratio'], 2)} times those of the least "
        f"deprived ({interval(a['lower'], a['upper'], digits=2)})."
    )
    if ch.place_coverage is not None:
        p80 = _cov(ch, ch.place.name, "80+")
        out.append(
            f"{num(p80['coverage_nims'], 1)}% of {ch.place.name}'s residents aged 80 and over "
            f"had a first vaccine dose by 11 July 2021 "
            f"({interval(p80['lowercl'], p80['uppercl'], digits=1)})."
        )
    else:
        out.append(
            f"Local vaccination coverage is not shipped for {ch.place.name}; the page shows "
            "England's deprivation gap in vaccination (OpenSAFELY) instead."
        )
    out.append(
        "Waiting-list, GP-appointment and ethnicity-recording figures on this page come from "
        "synthetic extracts and show the method only."
    )
    return out


def banner_detail(ch: CovidChapter) -> str:
    """Exactly which sections use synthetic data."""
    a = ch.available
    real = ["deaths by neighbourhood deprivation"]
    if a.get("excess", True):
        real.insert(0, "excess deaths")
    else:
        real.insert(0, "deaths involving COVID-19 by district, England's excess deaths")
    if a.get("daily_cases", True) or a.get("monthly_cases", True):
        real.append("cases")
    if a.get("district_vaccination", True):
        real.append(
            "vaccination by age, area"
            + (" and neighbourhood" if a.get("msoa_vaccination", True) else "")
        )
    missing = sorted(k for k, v in a.items() if not v)
    gaps = (
        " Some real local figures are not shipped for this place; those sections say so "
        "and show the national figure instead."
        if missing
        else ""
    )
    return (
        "Synthetic sections: 'Who died' (the age-standardised rates by deprivation "
        "decile, ethnic group and sex only), 'Did protection reach everyone' (the "
        "within-place gaps by ethnic group and deprivation only), 'Who is still waiting' "
        "and 'How access changed'. Everything else -- "
        + join_names(real + ["the national benchmarks"])
        + " -- is real published data."
        + gaps
    )
