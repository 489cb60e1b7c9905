"""The charts and tables of each section, ready for :mod:`hi_analysis.report`.

Chart functions return a :class:`hi_analysis.charts.Chart`; table functions
return the keyword arguments of :func:`hi_analysis.report.show_table` (frame,
caption, name, count columns and formats) so the notebook stays one line per
output.
"""

from __future__ import annotations

import pandas as pd

from hi_analysis import narrative
from hi_analysis.charts import Chart
from hi_analysis.covid import charts as cch
from hi_analysis.covid.chapter import CovidChapter
from hi_analysis.covid.text import board_actions
from hi_analysis.data.public import boundary_vintage, load_boundaries
from hi_analysis.text import num


def _fmt(*cols: str, digits: int = 1) -> dict:
    """Number formats for table columns (a true minus sign, never a hyphen)."""
    return {
        c: (lambda v, d=digits: "" if pd.isna(v) else f"{v:,.{d}f}".replace("-", "\u2212"))
        for c in cols
    }


# ----------------------------------------------------------------------------- 1 excess
def district_chart(ch: CovidChapter, *, title: str) -> Chart:
    """Excess deaths as % of expected by area, March 2020 to December 2021 (real)."""
    d = ch.districts.copy()
    order = {"system": 0, "place": 1, "district": 2, "england": 3}
    d["label"] = [
        f"{a} (district)" if k == "district" else a
        for a, k in zip(d["area"], d["kind"], strict=True)
    ]
    d = d.sort_values(["kind"], key=lambda s: s.map(order), kind="stable")
    data = pd.DataFrame(
        {
            "area": d["label"],
            "value": d["percent"],
            "lowercl": d["percent_lower"],
            "uppercl": d["percent_upper"],
            "excess_deaths": d["excess"].round(0),
            "excess_lower": d["excess_lower"].round(0),
            "excess_upper": d["excess_upper"].round(0),
        }
    )
    return cch.dot_ci(
        data,
        category="area",
        series=None,
        title=title,
        subtitle="Excess deaths as a percentage of expected, with 95% prediction intervals, "
        "March 2020 to December 2021, by area",
        xlabel="Deaths above expected (%)",
        source="ONS monthly deaths registered; model: "
        "hi-analysis (quasi-Poisson, 2015 to 2019 baseline)",
        name="excess-deaths-by-area",
        alt_intro="Dot-and-whisker chart of excess deaths as a percentage of expected, March "
        "2020 to December 2021, by area.",
        unit="%",
        reference=0.0,
        digits=1,
        highlight=ch.place.name,
    )


def period_table(ch: CovidChapter) -> dict:
    """Observed, expected and excess deaths by period for the place (real)."""
    t = ch.place_periods
    frame = pd.DataFrame(
        {
            "Period": t["period"],
            "Registered deaths": t["observed"],
            "Expected deaths": t["expected"].round(0),
            "Excess deaths": t["excess"].round(0),
            "Lower 95% PI": t["excess_lower"].round(0),
            "Upper 95% PI": t["excess_upper"].round(0),
            "Excess (% of expected)": t["percent"],
            "% lower 95% PI": t["percent_lower"],
            "% upper 95% PI": t["percent_upper"],
        }
    )
    return {
        "frame": frame,
        "counts": ["Registered deaths"],
        "caption": f"Excess deaths with 95% prediction intervals, {ch.place.name}, "
        "by period (registrations)",
        "name": "excess-deaths-by-period",
        "formats": {
            **_fmt("Expected deaths", "Excess deaths", "Lower 95% PI", "Upper 95% PI", digits=0),
            **_fmt("Excess (% of expected)", "% lower 95% PI", "% upper 95% PI"),
        },
    }


def five_year_table(ch: CovidChapter) -> dict:
    """The model beside the ONS five-year average, March 2020 to December 2021."""
    f = ch.five_year
    frame = pd.DataFrame(
        {
            "Area": f["area"],
            "Registered deaths": f["observed"],
            "Expected (model)": f["expected_model"].round(0),
            "Excess (model)": f["excess_model"].round(0),
            "Lower 95% PI": f["excess_lower"].round(0),
            "Upper 95% PI": f["excess_upper"].round(0),
            "Expected (5-year average)": f["expected_average"].round(0),
            "Excess (5-year average)": f["excess_average"].round(0),
        }
    )
    return {
        "frame": frame,
        "counts": ["Registered deaths"],
        "caption": "Excess deaths March 2020 to December 2021: the model and the ONS "
        "five-year average (2015 to 2019; no interval)",
        "name": "excess-model-vs-five-year-average",
        "formats": _fmt(
            *[c for c in frame.columns if c not in ("Area", "Registered deaths")], digits=0
        ),
    }


def cumulative_chart(ch: CovidChapter, *, title: str) -> Chart:
    """Share of registered deaths involving COVID-19 to June 2021, by area (real, fallback)."""
    c = ch.cumulative
    label = [
        f"{a} (district)" if k == "district" else a
        for a, k in zip(c["area"], c["kind"], strict=True)
    ]
    data = pd.DataFrame(
        {
            "area": label,
            "deaths_covid": c["deaths_covid"],
            "deaths_all": c["deaths_all"],
            "value": c["value"],
            "lowercl": c["lowercl"],
            "uppercl": c["uppercl"],
        }
    )
    return cch.dot_ci(
        data,
        category="area",
        series=None,
        title=title,
        subtitle="Deaths involving COVID-19 as a percentage of all registered deaths, with "
        "Wilson 95% confidence intervals, January 2020 to 4 June 2021, by area",
        xlabel="Deaths involving COVID-19 (% of all deaths)",
        source="ONS deaths registered weekly by local authority, cumulative to 2021 week 22",
        name="covid-share-of-deaths-by-area",
        alt_intro="Dot-and-whisker chart of the share of registered deaths that involved "
        "COVID-19, January 2020 to June 2021, by area.",
        unit="%",
        digits=1,
        highlight=ch.place.name,
        counts=("deaths_covid", "deaths_all"),
    )


# ----------------------------------------------------------------------------- 2 who died
def ratio_chart(ch: CovidChapter, *, title: str) -> Chart:
    """Crude and age-adjusted rate ratios by quintile (real)."""
    r = ch.rate_ratios.copy()
    r["quintile_label"] = r["quintile"].map(
        lambda q: (
            f"Quintile {q}"
            + (" (most deprived)" if q == 1 else " (least deprived, reference)" if q == 5 else "")
        )
    )
    r["series"] = r["model"].map(
        {"crude": "Crude", "age-adjusted": "Adjusted for age (share aged 70+)"}
    )
    data = r.rename(columns={"ratio": "value", "lower": "lowercl", "upper": "uppercl"})[
        ["quintile_label", "series", "value", "lowercl", "uppercl", "dispersion"]
    ]
    return cch.dot_ci(
        data,
        category="quintile_label",
        series="series",
        title=title,
        subtitle=f"Rate ratio of deaths involving COVID-19 against the least deprived "
        f"quintile, with 95% confidence intervals, {ch.system.short_name} MSOAs by "
        f"local deprivation quintile, March to December 2020",
        xlabel="Rate ratio (1 = same as the least deprived fifth)",
        source="ONS deaths involving COVID-19 by MSOA; ONS mid-2020 population; IMD 2019 "
        "(MHCLG); quasi-Poisson regression",
        name="covid-death-rate-ratios",
        alt_intro="Dot-and-whisker chart of rate ratios of deaths involving COVID-19 by local "
        "deprivation quintile, crude and adjusted for age.",
        reference=1.0,
        digits=2,
    )


def quintile_table(ch: CovidChapter) -> dict:
    """Deaths, population and crude rates by quintile (real)."""
    q = ch.quintiles
    frame = pd.DataFrame(
        {
            "Local deprivation quintile": q["quintile"].map(
                lambda v: (
                    f"{v}"
                    + (" (most deprived)" if v == 1 else " (least deprived)" if v == 5 else "")
                )
            ),
            "MSOAs": q["msoas"],
            "Deaths involving COVID-19": q["deaths"],
            "Population (mid-2020)": q["population"],
            "Rate per 100,000": q["value"],
            "Lower 95% CI": q["lowercl"],
            "Upper 95% CI": q["uppercl"],
            "% aged 70+": q["share_older"] * 100,
        }
    )
    return {
        "frame": frame,
        "counts": ["Deaths involving COVID-19", "Population (mid-2020)"],
        "caption": f"Deaths involving COVID-19, March to December 2020, by local "
        f"deprivation quintile of {ch.system.short_name}'s MSOAs (crude rates, "
        "exact Poisson 95% CIs, which ignore variation between MSOAs)",
        "name": "covid-deaths-by-quintile",
        "formats": _fmt("Rate per 100,000", "Lower 95% CI", "Upper 95% CI", "% aged 70+"),
    }


def has_map(ch: CovidChapter) -> bool:
    """Whether the shipped 2011 MSOA boundaries cover every MSOA of the place."""
    msoas = ch.msoas[ch.msoas["place_code"] == ch.place.code]
    return bool(msoas["msoa11cd"].isin(load_boundaries("msoa11")["msoa11cd"]).all())


def map_missing_text(ch: CovidChapter) -> str:
    """The sentence shown instead of the map where the boundaries are not shipped."""
    msoas = ch.msoas[ch.msoas["place_code"] == ch.place.code]
    top = msoas.sort_values("rate", ascending=False).iloc[0]
    return (
        f"Across {ch.place.name}'s {len(msoas)} neighbourhoods (MSOAs) the death rate "
        f"involving COVID-19 in March to December 2020 ranged from "
        f"{num(msoas['rate'].min(), 0)} to {num(msoas['rate'].max(), 0)} per 100,000; the "
        f"highest was {top['msoa_name']}. No map is drawn: the 2011 neighbourhood boundaries "
        f"shipped with this book do not cover {ch.place.name}."
    )


def map_chart(ch: CovidChapter) -> Chart:
    """MSOA map of the place's crude death rates involving COVID-19 (real)."""
    msoas = ch.msoas[ch.msoas["place_code"] == ch.place.code]
    shapes = load_boundaries("msoa11")
    shapes = shapes[shapes["msoa11cd"].isin(msoas["msoa11cd"])]
    top = msoas.sort_values("rate", ascending=False).iloc[0]
    title = (
        f"Death rates involving COVID-19 in 2020 ranged from {num(msoas['rate'].min(), 0)} "
        f"to {num(msoas['rate'].max(), 0)} per 100,000 across {ch.place.name}'s "
        f"neighbourhoods; the highest was {top['msoa_name']}"
    )
    return cch.msoa_map(
        shapes, msoas, place=ch.place.name, title=title, vintage=boundary_vintage("msoa11")
    )


def asmr_chart(ch: CovidChapter) -> Chart:
    """Synthetic ASMRs by national IMD decile, sex and ethnic group, in one chart."""
    parts = []
    for by, label in (
        ("imd_decile", "Deprivation decile"),
        ("sex", "Sex"),
        ("ethnicity", "Ethnic group"),
    ):
        a = ch.asmr[by].copy()
        if by == "imd_decile":
            a["group"] = a["group"].map(
                lambda v: f"IMD decile {int(v)}" + (" (most deprived)" if int(v) == 1 else "")
            )
        parts.append(a.assign(breakdown=label))
    data = pd.concat(parts, ignore_index=True)
    top = data.sort_values("value", ascending=False).iloc[0]
    return cch.dot_ci(
        data[["group", "breakdown", "events", "population", "value", "lowercl", "uppercl"]],
        category="group",
        series=None,
        title=f"In the synthetic deaths, COVID-19 death rates were highest for "
        f"{top['group']} ({num(top['value'])} per 100,000 a year)",
        subtitle=f"Age-standardised death rate from COVID-19 per 100,000 a year (ESP 2013, "
        f"Dobson 95% CIs), {ch.place.name}, March 2020 to December 2021 (synthetic "
        "data)",
        xlabel="Deaths per 100,000 a year (age-standardised)",
        source="Deaths and registered-population extracts (synthetic)",
        name="covid-asmr",
        alt_intro="Dot-and-whisker chart of synthetic age-standardised COVID-19 death rates "
        "by national deprivation decile, sex and ethnic group.",
        counts=("events", "population"),
    )


# ----------------------------------------------------------------------------- 3 cases
def wave_table(ch: CovidChapter) -> dict:
    """Cumulative case rates per wave and the ratio to England (real)."""
    w = ch.waves
    frame = pd.DataFrame(
        {
            "Period": w["wave"],
            "Area": w["area"],
            "Cases": w["cases"],
            "Cases per 100,000": w["rate"],
            "England per 100,000": w["england_rate"],
            "Ratio to England": w["ratio"],
            "Lower 95% CI": w["lower"],
            "Upper 95% CI": w["upper"],
        }
    )
    return {
        "frame": frame,
        "counts": ["Cases"],
        "caption": f"Confirmed COVID-19 cases per 100,000 by wave, {ch.place.name}, and "
        "the ratio to England (95% CIs)",
        "name": "covid-cases-by-wave",
        "formats": {
            **_fmt("Cases per 100,000", "England per 100,000", digits=0),
            **_fmt("Ratio to England", "Lower 95% CI", "Upper 95% CI", digits=2),
        },
    }


# ----------------------------------------------------------------------------- 4 vaccination
def coverage_chart(ch: CovidChapter, *, title: str) -> Chart:
    """First-dose coverage by age band, place and rest of the system, both denominators."""
    return cch.coverage_chart(
        ch.place_coverage, place=ch.place.name, rest=f"Rest of {ch.system.short_name}", title=title
    )


def coverage_table(ch: CovidChapter) -> dict:
    """Coverage by district, age band and dose over both denominators (real)."""
    c = ch.coverage[ch.coverage["place_code"] == ch.place.code]
    frame = pd.DataFrame(
        {
            "District": c["ltla_name"],
            "Age band": c["age_band"].astype(str),
            "Dose": c["dose"],
            "People vaccinated": c["people"],
            "NIMS population": c["nims"],
            "Coverage, NIMS (%)": c["coverage_nims"],
            "Lower 95% CI": c["lowercl"],
            "Upper 95% CI": c["uppercl"],
            "ONS population": c["ons"],
            "Coverage, ONS (%)": c["coverage_ons"],
        }
    )
    return {
        "frame": frame,
        "counts": ["People vaccinated", "NIMS population", "ONS population"],
        "caption": f"COVID-19 vaccination coverage by district, age band and dose, "
        f"{ch.place.name}, to 11 July 2021 (NIMS: NHS register; ONS: mid-2020 "
        "estimate; Under 25 is 16 to 24 in NIMS and 18 to 24 in ONS)",
        "name": "vaccination-coverage-by-district",
        "formats": _fmt("Coverage, NIMS (%)", "Lower 95% CI", "Upper 95% CI", "Coverage, ONS (%)"),
    }


def gradient_title(ch: CovidChapter) -> str:
    """Title of the MSOA gradient chart (the SII chapter's wording)."""
    return narrative.sii_headline(ch.msoa_gradient, ch.place.name)


def gradient_text(ch: CovidChapter) -> str:
    """Reading of the MSOA gradient (the SII chapter's wording)."""
    text = (
        "**Across neighbourhoods.** The same gradient the slope-index chapter shows: "
        + narrative.sii_reading(ch.msoa_gradient, ch.place.name)
    )
    note = narrative.msoa_quantile_text(ch.place.name, ch.msoa_gradient)
    return text + (" " + note if note else "")


def opensafely_chart(ch: CovidChapter) -> Chart:
    """National SII in first-dose coverage by age band at two dates (OpenSAFELY, real)."""
    rows = []
    for date, (_, sii) in ch.opensafely_imd.items():
        rows.append(sii.assign(series=f"{date:%-d %B %Y}"))
    data = pd.concat(rows).rename(
        columns={"sii": "value", "sii_lowercl": "lowercl", "sii_uppercl": "uppercl"}
    )
    last = data[data["series"] == data["series"].iloc[-1]].set_index("age_band")
    return cch.dot_ci(
        data[["age_band", "series", "value", "lowercl", "uppercl"]],
        category="age_band",
        series="series",
        title=f"Nationally the deprivation gap in vaccination was widest in young adults: "
        f"{num(last.loc['18-29', 'value'])} points at 18 to 29 against "
        f"{num(last.loc['80+', 'value'])} at 80 and over",
        subtitle="Slope index of inequality in first-dose coverage across national IMD "
        "quintiles (percentage points, least minus most deprived, 95% CIs), England, "
        "practices using TPP SystmOne",
        xlabel="Gap in coverage (percentage points)",
        source="OpenSAFELY COVID-19 vaccine coverage report (OpenSAFELY.org), final release",
        name="opensafely-vaccination-sii",
        alt_intro="Dot-and-whisker chart of the national slope index of inequality in "
        "first-dose coverage by age band at two dates.",
        unit=" points",
        reference=0.0,
    )


def vaccination_gap_table(ch: CovidChapter) -> dict:
    """Synthetic first-dose coverage aged 50+ by ethnic group and IMD quintile."""
    parts = []
    for key, label in (("ethnicity", "Ethnic group"), ("imd_quintile", "National IMD quintile")):
        g = ch.vaccination_gaps[key]
        parts.append(
            pd.DataFrame(
                {
                    "Breakdown": label,
                    "Group": g["group"].astype(str),
                    "Vaccinated": g["vaccinated"],
                    "Residents 50+": g["eligible"],
                    "Coverage (%)": g["value"],
                    "Lower 95% CI": g["lowercl"],
                    "Upper 95% CI": g["uppercl"],
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return {
        "frame": frame,
        "counts": ["Vaccinated", "Residents 50+"],
        "caption": f"First-dose COVID-19 coverage by 11 July 2021, residents aged 50 and "
        f"over, {ch.place.name} (synthetic data; Wilson 95% CIs)",
        "name": "vaccination-gaps-synthetic",
        "formats": _fmt("Coverage (%)", "Lower 95% CI", "Upper 95% CI"),
    }


# ----------------------------------------------------------------------------- 5 waiting
def long_wait_chart(ch: CovidChapter) -> Chart:
    """Share waiting over 52 weeks by IMD quintile and period (synthetic)."""
    s = ch.long_wait_imd.copy()
    s["quintile"] = s["group"].map(
        lambda q: (
            f"Quintile {int(q)}"
            + (" (most deprived)" if int(q) == 1 else " (least deprived)" if int(q) == 5 else "")
        )
    )
    r = ch.long_wait_ratios.iloc[-1]
    title = (
        f"In the latest month the most deprived quintile's share waiting over a year was "
        f"{num(r['ratio'], 2)} times the least deprived's"
        if pd.notna(r["ratio"])
        else "Waits over a year by deprivation"
    )
    return cch.dot_ci(
        s[["quintile", "period", "long_wait", "pathways", "value", "lowercl", "uppercl"]],
        category="quintile",
        series="period",
        title=title,
        subtitle=f"Percentage of open pathways waiting over 52 weeks (Wilson 95% CIs), "
        f"{ch.place.name}'s residents by national IMD 2019 quintile (synthetic data)",
        xlabel="Waiting over 52 weeks (%)",
        source="Waiting-list extract (synthetic)",
        name="long-waits-by-deprivation",
        alt_intro="Dot-and-whisker chart of the share "
        "waiting over 52 weeks by deprivation quintile before, during and after the pandemic "
        "(synthetic data).",
        unit="%",
        counts=("long_wait", "pathways"),
    )


def long_wait_table(ch: CovidChapter) -> dict:
    """Long-wait shares by ethnic group and period (synthetic)."""
    s = ch.long_wait_ethnicity
    frame = pd.DataFrame(
        {
            "Period": s["period"],
            "Ethnic group": s["group"],
            "Waiting over 52 weeks": s["long_wait"],
            "On the list": s["pathways"],
            "Share (%)": s["value"],
            "Lower 95% CI": s["lowercl"],
            "Upper 95% CI": s["uppercl"],
        }
    )
    return {
        "frame": frame,
        "counts": ["Waiting over 52 weeks", "On the list"],
        "caption": f"Share of the waiting list waiting over 52 weeks by recorded ethnic "
        f"group, {ch.place.name} (synthetic data; Wilson 95% CIs)",
        "name": "long-waits-by-ethnicity",
        "formats": _fmt("Share (%)", "Lower 95% CI", "Upper 95% CI"),
    }


# ----------------------------------------------------------------------------- 6 access
def modes_table(ch: CovidChapter) -> dict:
    """Share of GP appointments remote / by video or online, periods side by side (synthetic)."""
    from hi_analysis.covid.access import AGE_BANDS

    m = ch.modes.copy()
    m["cell"] = [
        f"{v:.1f} ({lo:.1f} to {hi:.1f})"
        for v, lo, hi in zip(m["value"], m["lowercl"], m["uppercl"], strict=True)
    ]
    m["group"] = m["group"].map(lambda g: g if isinstance(g, str) else f"Quintile {int(g)}")
    order = [b[2] for b in AGE_BANDS] + [f"Quintile {q}" for q in range(1, 6)]
    wide = m.pivot_table(
        index=["measure", "breakdown", "group"],
        columns="period",
        values="cell",
        aggfunc="first",
        sort=False,
    ).reset_index()
    wide["_o"] = wide["group"].map({g: i for i, g in enumerate(order)})
    wide = wide.sort_values(["measure", "breakdown", "_o"], ascending=[False, True, True])
    frame = wide.drop(columns="_o").rename(
        columns={"measure": "Measure", "breakdown": "Breakdown", "group": "Group"}
    )
    frame.columns = [
        c if c in ("Measure", "Breakdown", "Group") else f"{c}: % (95% CI)" for c in frame.columns
    ]
    return {
        "frame": frame.reset_index(drop=True),
        "caption": f"GP appointments that were remote (telephone, video or online) or by "
        f"video or online, by age band and national IMD quintile, "
        f"{ch.place.name} (synthetic 1-in-20 sample; Wilson 95% CIs)",
        "name": "gp-appointment-modes",
    }


def recording_chart(ch: CovidChapter) -> Chart:
    """Ethnicity recording completeness by service (synthetic)."""
    r = ch.recording
    worst = r.iloc[0]
    return cch.dot_ci(
        r[["service", "recorded", "records", "value", "lowercl", "uppercl"]],
        category="service",
        series=None,
        title=f"Ethnicity was least often recorded in {worst['service'].lower()} "
        f"({num(worst['value'])}% of records)",
        subtitle=f"Percentage of records with an ethnic group recorded (not empty, not 'not "
        f"stated'), Wilson 95% CIs, {ch.place.name}, by service (synthetic data)",
        xlabel="Records with ethnicity recorded (%)",
        source="Every extract (synthetic)",
        name="ethnicity-recording",
        alt_intro="Dot-and-whisker chart of ethnicity recording "
        "completeness by service (synthetic data).",
        unit="%",
        counts=("recorded", "records"),
    )


# ----------------------------------------------------------------------------- 7 board
def actions_table(ch: CovidChapter) -> dict:
    """The board's actions, one per Action 5 commitment."""
    rows = board_actions(ch)
    frame = pd.DataFrame(rows, columns=["Commitment", "Finding and action"])
    return {
        "frame": frame,
        "caption": f"What the board could do, {ch.place.name}",
        "name": "covid-board-actions",
    }
