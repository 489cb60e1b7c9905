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
    place_periods: pd.DataFrame
    system_periods: pd.DataFrame
    districts: pd.DataFrame
    five_year: pd.DataFrame
    # 2 who died (real + synthetic)
    msoas: pd.DataFrame
    quintiles: pd.DataFrame
    rate_ratios: pd.DataFrame
    asmr: dict[str, pd.DataFrame]
    # 3 cases (real)
    case_rates: pd.DataFrame
    waves: pd.DataFrame
    ranks: pd.DataFrame
    # 4 vaccination (real + national + synthetic)
    coverage: pd.DataFrame
    place_coverage: pd.DataFrame
    msoa_gradient: Gradient
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


def require_covid_coverage(system: System) -> None:
    """Raise one clear line when a real table of the chapter does not cover the system.

    Raises
    ------
    DataValidationError
        Naming the file and the districts (or councils) it has no rows for.
    """
    from hi_analysis.covid import COUNCIL_TABLES, DISTRICT_TABLES
    from hi_analysis.data.public import dataset, missing_areas
    from hi_analysis.errors import DataValidationError

    districts = [c for p in system.places for c in p.district_codes]
    councils = [p.code for p in system.places]
    for tables, codes, what in ((DISTRICT_TABLES, districts, "districts"),
                                (COUNCIL_TABLES, councils, "councils")):
        for name in tables:
            missing = missing_areas(name, codes)
            if missing:
                raise DataValidationError(f"data/public/{dataset(name).file}", [
                    f"no rows for {len(missing)} of {len(codes)} {what} of {system.name} "
                    f"({', '.join(missing[:3])}); this file does not cover the system, so the "
                    "covid chapter cannot run (remove it from system.yml chapters)"])


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

    require_covid_coverage(system)
    synthetic = {k: is_synthetic(v) for k, v in extracts.items()}
    extracts = local_extracts(extracts, place)
    fits = excess.area_fits(system, place)
    system_fit = next(a for a in fits if a.kind == "system")
    place_fit = excess.for_place(fits, place)
    msoas = deprivation.msoa_deaths(system)
    coverage = vaccination.district_coverage(system)
    pathways = waiting.place_list(extracts["waiting_list"], place)
    long_imd = waiting.long_wait_shares(pathways, "imd_quintile")
    deaths, pop = extracts["deaths"], extracts["registered_population"]
    return CovidChapter(
        system=system,
        place=place,
        synthetic=synthetic,
        fits=fits,
        place_periods=excess.period_table(place_fit),
        system_periods=excess.period_table(system_fit),
        districts=excess.district_table(fits),
        five_year=pd.DataFrame(
            [
                excess.five_year_comparison(a)
                for a in fits
                if a.kind != "district" or a.code in place.district_codes
            ]
        ),
        msoas=msoas,
        quintiles=deprivation.quintile_rates(msoas),
        rate_ratios=deprivation.rate_ratios(msoas),
        asmr={
            by: deprivation.asmr(deaths, pop, place, by)
            for by in ("imd_decile", "ethnicity", "sex")
        },
        case_rates=cases.seven_day_rates(place),
        waves=cases.wave_ratios(place),
        ranks=cases.lockdown_ranks(place),
        coverage=coverage,
        place_coverage=vaccination.place_coverage(coverage, place, system),
        msoa_gradient=vaccination_gradient(place),
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
    )


def key_results(ch: CovidChapter) -> list[KeyResult]:
    """The chapter's headline numbers as :class:`KeyResult` records."""
    out = []
    p = ch.pandemic()
    s = ch.pandemic(ch.system_periods)
    period = "March 2020 to December 2021"
    out.append(
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
        )
    )
    out.append(
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
        )
    )
    out.append(
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
    for band in ("80+", "50-54"):
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

    p = ch.pandemic()
    r = ch.headline_ratio()
    pc = ch.place_coverage
    first = pc[(pc["area"] == ch.place.name) & (pc["dose"] == "First dose")]
    return {
        "key_results": to_json(key_results(ch)),
        "excess_2020_2021": {
            k: float(p[k])
            for k in ("observed", "expected", "excess", "excess_lower", "excess_upper", "percent")
        },
        "rate_ratio_adjusted": {k: float(r[k]) for k in ("ratio", "lower", "upper")},
        "first_dose_coverage_nims": {
            str(b): float(v) for b, v in zip(first["age_band"], first["coverage_nims"], strict=True)
        },
        "synthetic": ch.synthetic,
    }
