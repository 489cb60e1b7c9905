"""Every computation of the COVID-19 chapter for one place, and its key results.

:func:`compute` is what the notebook (and ``benchmarks/bench_covid.py``) calls;
:func:`key_results` turns the numbers into :class:`hi_analysis.results.KeyResult`
records for the JSON sidecar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hi_analysis.config import Place, System
from hi_analysis.covid import access, cases, deprivation, excess, vaccination, waiting
from hi_analysis.inequality import Gradient, vaccination_gradient
from hi_analysis.results import KeyResult

CHAPTER = "covid"


@dataclass
class CovidChapter:
    """All the numbers of one place's COVID-19 page."""

    system: System
    place: Place
    synthetic: dict[str, bool]
    # 1 excess deaths (real)
    fits: list[excess.AreaExcess]
    place_periods: pd.DataFrame | None
    system_periods: pd.DataFrame | None
    districts: pd.DataFrame | None
    five_year: pd.DataFrame | None
    # 2 who died (real + synthetic)
    msoas: pd.DataFrame
    quintiles: pd.DataFrame
    rate_ratios: pd.DataFrame
    asmr: dict[str, pd.DataFrame]
    # 3 cases (real)
    case_rates: pd.DataFrame | None
    waves: pd.DataFrame | None
    ranks: pd.DataFrame | None
    # 4 vaccination (real + national + synthetic)
    coverage: pd.DataFrame | None
    place_coverage: pd.DataFrame | None
    msoa_gradient: Gradient | None
    opensafely_imd: dict[pd.Timestamp, tuple[pd.DataFrame, pd.DataFrame]]
    opensafely_ethnicity: pd.DataFrame
    vaccination_gaps: dict[str, pd.DataFrame]
    # 5 waiting (synthetic)
    list_index: pd.DataFrame
    long_wait_imd: pd.DataFrame
    long_wait_ethnicity: pd.DataFrame
    long_wait_ratios: pd.DataFrame
    gap_change: dict[str, float]
    # 6 access (synthetic)
    modes: pd.DataFrame
    recording: pd.DataFrame
    extra: dict = field(default_factory=dict)
    #: Which real tables cover this place (:func:`sources`): a section without its table
    #: states so and shows its documented fallback.
    available: dict[str, bool] = field(default_factory=dict)
    #: Share of registered deaths involving COVID-19 to 2021 week 22 (real, every district).
    cumulative: pd.DataFrame | None = None
    #: England's excess deaths by period (the fallback where local registrations are absent).
    england_periods: pd.DataFrame | None = None

    @property
    def place_fit(self) -> excess.AreaExcess:
        """The place's excess-deaths fit."""
        return excess.for_place(self.fits, self.place)

    def pandemic(self, table: pd.DataFrame | None = None) -> pd.Series:
        """The March 2020 to December 2021 row of a period table (the place's by default)."""
        t = self.place_periods if table is None else table
        return t[t["period"] == "March 2020 to December 2021"].iloc[0]

    def headline_ratio(self, model: str = "age-adjusted") -> pd.Series:
        """The most versus least deprived quintile rate ratio of deaths involving COVID-19."""
        r = self.rate_ratios
        return r[(r["model"] == model) & (r["quintile"] == 1)].iloc[0]


#: The columns of each extract the chapter reads.
COLUMNS = {
    "registered_population": ("lsoa11cd", "age", "sex", "ethnicity"),
    "deaths": ("lsoa11cd", "age", "sex", "ethnicity", "date_of_death", "cause_group"),
    "vaccinations": ("lsoa11cd", "age", "ethnicity", "programme", "dose1_date"),
    "waiting_list": ("lsoa11cd", "snapshot_month", "ethnicity", "weeks_waiting"),
    "gp_appointments": ("lsoa11cd", "age", "ethnicity", "appointment_date", "mode"),
}


def local_extracts(extracts: Mapping[str, pd.DataFrame], place: Place) -> dict[str, pd.DataFrame]:
    """The place's rows of each extract, with only the columns the chapter reads.

    The LSOA code becomes a categorical (one hash pass per extract), so every later
    selection and lookup by LSOA works on integer codes.
    """
    from hi_analysis.geography import lsoa11_codes

    wanted = set(lsoa11_codes(place))
    out = {}
    for name, frame in extracts.items():
        codes, uniques = pd.factorize(frame["lsoa11cd"])
        keep_code = np.isin(np.asarray(uniques, dtype=object), list(wanted))
        mask = keep_code[codes] & (codes >= 0)
        cols = [c for c in COLUMNS.get(name, frame.columns) if c != "lsoa11cd"]
        slim = frame.loc[mask, cols].reset_index(drop=True)
        slim["lsoa11cd"] = pd.Categorical.from_codes(
            codes[mask], categories=pd.Index(np.asarray(uniques, dtype=object))
        )
        out[name] = slim
    return out


def sources(system: System, place: Place) -> dict[str, bool]:
    """Which of the chapter's real tables cover the place, decided from the data.

    Keys: ``excess`` (monthly registrations for the system's councils), ``daily_cases``
    and ``monthly_cases`` (UKHSA), ``district_vaccination`` (NHS England counts and NIMS
    populations by district and age, for every district of the system), and
    ``msoa_vaccination`` (NHS England counts by MSOA for the place). National tables (MSOA
    deaths, cumulative deaths, OpenSAFELY) cover every English area.
    """
    from hi_analysis.data.public import missing_areas
    from hi_analysis.inequality import has_msoa_vaccination

    every = [d for p in system.places for d in p.district_codes]
    return {
        "excess": excess.has_monthly(system, place),
        "daily_cases": cases.has_daily(place),
        "monthly_cases": cases.has_monthly(place),
        "district_vaccination": all(
            not missing_areas(t, every)
            for t in (
                "vaccinations_ltla_age",
                "nims_population_ltla_age",
                "covid_vaccination_msoa11",
            )
        ),
        "msoa_vaccination": has_msoa_vaccination(place),
    }


def compute(system: System, place: Place, extracts: Mapping[str, pd.DataFrame]) -> CovidChapter:
    """Run every computation of the chapter for a place.

    Parameters
    ----------
    system, place : System, Place
        The system and the place.
    extracts : mapping
        The validated extracts of :data:`hi_analysis.covid.EXTRACTS`.
    """
    from hi_analysis.extracts import is_synthetic

    avail = sources(system, place)
    synthetic = {k: is_synthetic(v) for k, v in extracts.items()}
    extracts = local_extracts(extracts, place)
    england = excess.england_fit(system)
    if avail["excess"]:
        fits = excess.area_fits(system, place)
        system_fit = next(a for a in fits if a.kind == "system")
        place_fit = excess.for_place(fits, place)
        place_periods = excess.period_table(place_fit)
        system_periods = excess.period_table(system_fit)
        districts = excess.district_table(fits)
        five_year = pd.DataFrame(
            [
                excess.five_year_comparison(a)
                for a in fits
                if a.kind != "district" or a.code in place.district_codes
            ]
        )
    else:  # the fallback: England's excess and every district's cumulative COVID-19 deaths
        fits, place_periods, system_periods, districts, five_year = (
            [england],
            None,
            None,
            None,
            None,
        )
    msoas = deprivation.msoa_deaths(system)
    if avail["district_vaccination"]:
        coverage = vaccination.district_coverage(system)
        place_cov = vaccination.place_coverage(coverage, place, system)
    else:
        coverage = place_cov = None
    any_cases = avail["daily_cases"] or avail["monthly_cases"]
    pathways = waiting.place_list(extracts["waiting_list"], place)
    long_imd = waiting.long_wait_shares(pathways, "imd_quintile")
    deaths, pop = extracts["deaths"], extracts["registered_population"]
    return CovidChapter(
        system=system,
        place=place,
        synthetic=synthetic,
        fits=fits,
        place_periods=place_periods,
        system_periods=system_periods,
        districts=districts,
        five_year=five_year,
        msoas=msoas,
        quintiles=deprivation.quintile_rates(msoas),
        rate_ratios=deprivation.rate_ratios(msoas),
        asmr={
            by: deprivation.asmr(deaths, pop, place, by)
            for by in ("imd_decile", "ethnicity", "sex")
        },
        case_rates=cases.seven_day_rates(place) if avail["daily_cases"] else None,
        waves=cases.wave_ratios(place) if any_cases else None,
        ranks=cases.lockdown_ranks(place) if any_cases else None,
        coverage=coverage,
        place_coverage=place_cov,
        msoa_gradient=vaccination_gradient(place) if avail["msoa_vaccination"] else None,
        opensafely_imd={d: vaccination.opensafely_imd(d) for d in vaccination.OPENSAFELY_DATES},
        opensafely_ethnicity=vaccination.opensafely_ethnicity(vaccination.OPENSAFELY_DATES[-1]),
        vaccination_gaps=vaccination.synthetic_gaps(extracts["vaccinations"], place),
        list_index=waiting.list_index(pathways),
        long_wait_imd=long_imd,
        long_wait_ethnicity=waiting.long_wait_shares(pathways, "ethnicity"),
        long_wait_ratios=waiting.ratios(long_imd),
        gap_change=waiting.gap_change(long_imd),
        modes=access.modes(extracts["gp_appointments"], place),
        recording=access.ethnicity_recording(extracts, place),
        available=avail,
        cumulative=excess.cumulative_table(system, place),
        england_periods=excess.period_table(england),
    )


def key_results(ch: CovidChapter) -> list[KeyResult]:
    """The chapter's headline numbers as :class:`KeyResult` records."""
    out = []
    period = "March 2020 to December 2021"
    if ch.place_periods is not None:
        p = ch.pandemic()
        s = ch.pandemic(ch.system_periods)
        out += [
            KeyResult(
                CHAPTER,
                "excess_deaths_2020_2021",
                f"Excess deaths, {ch.place.name}",
                round(p["excess"]),
                round(p["excess_lower"]),
                round(p["excess_upper"]),
                "deaths",
                False,
                period,
                "lower_is_better",
            ),
            KeyResult(
                CHAPTER,
                "excess_percent_2020_2021",
                f"Excess deaths as % of expected, {ch.place.name}",
                p["percent"],
                p["percent_lower"],
                p["percent_upper"],
                "%",
                False,
                period,
                "lower_is_better",
            ),
            KeyResult(
                CHAPTER,
                "excess_deaths_system_2020_2021",
                f"Excess deaths, {ch.system.short_name}",
                round(s["excess"]),
                round(s["excess_lower"]),
                round(s["excess_upper"]),
                "deaths",
                False,
                period,
                "lower_is_better",
            ),
        ]
    else:  # the fallback figure, labelled as such (no local excess-deaths figure exists here)
        c = ch.cumulative.set_index("kind").loc["place"]
        out.append(
            KeyResult(
                CHAPTER,
                "covid_share_of_deaths_to_2021w22",
                f"Registered deaths involving COVID-19 as % of all deaths, {ch.place.name} "
                "(shown because local monthly registrations are not shipped)",
                float(c["value"]),
                float(c["lowercl"]),
                float(c["uppercl"]),
                "%",
                False,
                "January 2020 to 4 June 2021",
                "lower_is_better",
            )
        )
    for model in ("crude", "age-adjusted"):
        r = ch.headline_ratio(model)
        out.append(
            KeyResult(
                CHAPTER,
                f"covid_death_rate_ratio_{model.replace('-', '_')}",
                f"Deaths involving COVID-19, most vs least deprived fifth of "
                f"{ch.system.short_name} neighbourhoods ({model})",
                r["ratio"],
                r["lower"],
                r["upper"],
                "ratio",
                False,
                "March to December 2020",
                "lower_is_better",
            )
        )
    pc = ch.place_coverage
    for band in ("80+", "50-54") if pc is not None else ():
        row = pc[
            (pc["area"] == ch.place.name) & (pc["dose"] == "First dose") & (pc["age_band"] == band)
        ].iloc[0]
        out.append(
            KeyResult(
                CHAPTER,
                f"first_dose_{band.replace('+', 'plus')}_nims",
                f"First-dose coverage aged {band} (NIMS denominator)",
                row["coverage_nims"],
                row["lowercl"],
                row["uppercl"],
                "%",
                False,
                "to 11 July 2021",
                "higher_is_better",
            )
        )
    if ch.msoa_gradient is not None:
        g = ch.msoa_gradient.fit
        out.append(
            KeyResult(
                CHAPTER,
                "vaccination_msoa_sii",
                "SII in second-dose uptake aged 50+ across MSOAs",
                float(g["sii"]),
                float(g["sii_lowercl"]),
                float(g["sii_uppercl"]),
                "percentage points",
                False,
                "to 11 July 2021",
                "neutral",
            )
        )
    r = ch.long_wait_ratios.iloc[-1]
    if pd.notna(r["ratio"]):
        out.append(
            KeyResult(
                CHAPTER,
                "long_wait_ratio_latest",
                "Share waiting over 52 weeks, most vs least deprived",
                r["ratio"],
                r["lower"],
                r["upper"],
                "ratio",
                ch.synthetic["waiting_list"],
                str(r["period"]),
                "lower_is_better",
            )
        )
    d = ch.gap_change
    out.append(
        KeyResult(
            CHAPTER,
            "long_wait_gap_did",
            "Change in the 52-week-wait gap since February 2020 (most minus least deprived)",
            d["did"],
            d["lower"],
            d["upper"],
            "percentage points",
            ch.synthetic["waiting_list"],
            "February 2020 to latest",
            "lower_is_better",
        )
    )
    services = {label: name for name, label in access.SERVICES.items()}
    for _, row in ch.recording.iterrows():
        slug = "_".join(str(row["service"]).lower().replace("&", "and").split())
        out.append(
            KeyResult(
                CHAPTER,
                f"ethnicity_recorded_{slug}",
                f"Records with an ethnic group recorded: {str(row['service']).lower()}",
                float(row["value"]),
                float(row["lowercl"]),
                float(row["uppercl"]),
                "%",
                bool(ch.synthetic.get(services.get(row["service"], ""), True)),
                "latest extract",
                "higher_is_better",
                completeness=float(row["value"]) / 100,
            )
        )
    return out


def sidecar(ch: CovidChapter) -> dict[str, object]:
    """The JSON sidecar: key results plus the figures the end-to-end tests look for."""
    from hi_analysis.results import to_json

    r = ch.headline_ratio()
    pc = ch.place_coverage
    out: dict[str, object] = {"key_results": to_json(key_results(ch))}
    if ch.place_periods is not None:
        p = ch.pandemic()
        out["excess_2020_2021"] = {
            k: float(p[k])
            for k in ("observed", "expected", "excess", "excess_lower", "excess_upper", "percent")
        }
    out["rate_ratio_adjusted"] = {k: float(r[k]) for k in ("ratio", "lower", "upper")}
    if pc is not None:
        first = pc[(pc["area"] == ch.place.name) & (pc["dose"] == "First dose")]
        out["first_dose_coverage_nims"] = {
            str(b): float(v) for b, v in zip(first["age_band"], first["coverage_nims"], strict=True)
        }
    out["synthetic"] = ch.synthetic
    out["fallbacks"] = sorted(k for k, v in ch.available.items() if not v)
    return out
