"""How many more people died: excess deaths from ONS monthly registrations (real data).

The baseline is :func:`hi_analysis.stats.excess.fit_baseline` fitted to the
2015-2019 registrations of each area (month of year, linear trend, working
days; no population offset, because monthly populations by district are not
shipped -- the trend absorbs steady growth). Areas: the system (sum of its
places), each place, each district of a two-tier place, and England.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from hi_analysis.config import Place, System
from hi_analysis.data import load
from hi_analysis.stats.excess import ExcessFit, fit_baseline, five_year_average

#: The baseline years (the five years before the pandemic, as OHID and ONS).
BASELINE = (2015, 2019)
#: The pandemic period the chapter leads with.
PANDEMIC = ((2020, 3), (2021, 12))
ENGLAND = "E92000001"
SEED = 20_200_301


@dataclass
class AreaExcess:
    """The fitted baseline of one area and its name."""

    code: str
    name: str
    kind: str
    fit: ExcessFit


def _ym(frame: pd.DataFrame) -> pd.Series:
    return frame["year"] * 100 + frame["month"]


def periods(series: pd.DataFrame) -> dict[str, pd.Series]:
    """The periods the chapter reports, as masks over a monthly series.

    March 2020 to December 2021, then each later calendar year; the last year is
    labelled with its months when incomplete (and provisional for 2024 onwards).
    """
    ym = _ym(series)
    (y0, m0), (y1, m1) = PANDEMIC
    out = {"March 2020 to December 2021": ym.between(y0 * 100 + m0, y1 * 100 + m1)}
    for year in sorted(series.loc[series["year"] > y1, "year"].unique()):
        months = series.loc[series["year"] == year, "month"]
        label = str(year)
        if months.max() < 12:
            label = (
                f"January to {pd.Timestamp(year=2000, month=int(months.max()), day=1):%B} {year}"
            )
        if year >= 2024:
            label += " (provisional)"
        out[label] = series["year"] == year
    return out


def monthly(code_or_codes: str | list[str]) -> pd.DataFrame:
    """Monthly registered deaths of one area, or the sum of several (``year, month, deaths``)."""
    d = load("deaths_monthly")
    codes = [code_or_codes] if isinstance(code_or_codes, str) else list(code_or_codes)
    d = d[d["area_code"].isin(codes)]
    if d.empty:
        raise ValueError(f"no monthly deaths for {codes}")
    n = d.groupby(["year", "month"])["area_code"].nunique()
    if (n < len(codes)).any():
        raise ValueError(f"monthly deaths incomplete for {codes}")
    return d.groupby(["year", "month"], as_index=False)["deaths"].sum()


@functools.lru_cache(maxsize=128)
def _fit(codes: tuple[str, ...]) -> ExcessFit:
    """The baseline fit of one area (or the sum of several), computed once per process.

    Every input is fixed (the shipped monthly deaths, read once per process, the
    baseline years and the seed), so the system's, each place's and England's fits
    are shared by every place's page computed in the same process (a warm kernel,
    the benchmark) instead of being refitted. Callers only read the fit.
    """
    fit = fit_baseline(
        monthly(codes[0] if len(codes) == 1 else list(codes)), baseline=BASELINE, seed=SEED
    )
    fit.simulated.flags.writeable = False  # shared: any attempt to change it fails loudly
    return fit


def area_fits(system: System, place: Place | None = None) -> list[AreaExcess]:
    """Fit the baseline for the system, each place, England, and districts.

    The districts of a two-tier place are fitted when ``place`` is that place (or
    for every two-tier place when ``place`` is None).
    """
    out = [
        AreaExcess(
            "system",
            system.short_name,
            "system",
            _fit(tuple(p.code for p in system.places)),
        )
    ]
    for p in system.places:
        out.append(AreaExcess(p.code, p.name, "place", _fit((p.code,))))
        if len(p.districts) > 1 and (place is None or place.code == p.code):
            for d in p.districts:
                out.append(
                    AreaExcess(
                        d.code,
                        d.name,
                        "district",
                        _fit((d.code,)),
                    )
                )
    out.append(
        AreaExcess(
            ENGLAND,
            system.comparator.name,
            "england",
            _fit((ENGLAND,)),
        )
    )
    return out


def period_table(area: AreaExcess) -> pd.DataFrame:
    """Observed, expected and excess deaths with 95% prediction intervals, by period."""
    rows = []
    s = area.fit.series
    for label, mask in periods(s).items():
        rows.append({"period": label, **area.fit.summarise(mask).to_dict()})
    out = pd.DataFrame(rows)
    return out[
        [
            "period",
            "observed",
            "expected",
            "excess",
            "excess_lower",
            "excess_upper",
            "percent",
            "percent_lower",
            "percent_upper",
            "months",
        ]
    ]


def five_year_comparison(area: AreaExcess) -> pd.Series:
    """Excess March 2020 to December 2021 by the model and by the ONS five-year average."""
    s = area.fit.series
    mask = periods(s)["March 2020 to December 2021"]
    model = area.fit.summarise(mask)
    avg = five_year_average(s, baseline=BASELINE)[mask].sum()
    return pd.Series(
        {
            "area": area.name,
            "observed": model["observed"],
            "expected_model": model["expected"],
            "excess_model": model["excess"],
            "excess_lower": model["excess_lower"],
            "excess_upper": model["excess_upper"],
            "expected_average": float(avg),
            "excess_average": model["observed"] - float(avg),
            "trend_per_year": float(area.fit.params.get("t", 0.0)),
        }
    )


def district_table(fits: list[AreaExcess]) -> pd.DataFrame:
    """Excess March 2020 to December 2021 for every area, with 95% prediction intervals."""
    rows = []
    for a in fits:
        r = a.fit.summarise(periods(a.fit.series)["March 2020 to December 2021"])
        rows.append({"code": a.code, "area": a.name, "kind": a.kind, **r.to_dict()})
    return pd.DataFrame(rows)


def for_place(fits: list[AreaExcess], place: Place) -> AreaExcess:
    """The fitted baseline of the place."""
    return next(a for a in fits if a.code == place.code)


# ----------------------------------------------------------------------------- coverage
def has_monthly(system: System, place: Place) -> bool:
    """Whether monthly registrations are shipped for the system's councils, decided from data.

    The place's districts are needed too when it has several.

    ONS publishes them for every council, but the shipped copy was transcribed for a few
    councils and England only (``data/public/README.md``); elsewhere the chapter falls back
    to :func:`cumulative_table` and England's excess.
    """
    from hi_analysis.data.public import missing_areas

    codes = [p.code for p in system.places]
    if len(place.districts) > 1:
        codes += list(place.district_codes)
    return not missing_areas("deaths_monthly", codes)


def england_fit(system: System) -> AreaExcess:
    """England's excess-deaths fit (the comparator; shipped for England)."""
    return AreaExcess(ENGLAND, system.comparator.name, "england", _fit((ENGLAND,)))


def cumulative_table(system: System, place: Place) -> pd.DataFrame:
    """Share of registered deaths that involved COVID-19, 2020 week 1 to 2021 week 22 (real).

    From ONS's cumulative counts by 2024 district, shipped for every English district: the
    place's districts (when it has several), the place, the system and England (the sum of
    every district), with Wilson 95% confidence intervals.

    Returns
    -------
    pandas.DataFrame
        ``area, kind, deaths_all, deaths_covid, value, lowercl, uppercl`` (percentages).

    Raises
    ------
    ValueError
        When a district of the system has no row.
    """
    from hi_analysis import stats

    c = load("covid_deaths_cumulative").set_index("lad_cd")
    missing = [d for p in system.places for d in p.district_codes if d not in c.index]
    if missing:
        raise ValueError(f"no cumulative COVID-19 deaths for districts {missing[:3]}")
    cols = ["deaths_all_causes_cumulative", "deaths_covid19_cumulative"]
    rows = []
    if len(place.districts) > 1:
        rows += [(d.name, "district", c.loc[[d.code], cols].sum()) for d in place.districts]
    rows.append((place.name, "place", c.loc[list(place.district_codes), cols].sum()))
    if len(system.places) > 1:
        every = [d for p in system.places for d in p.district_codes]
        rows.append((system.short_name, "system", c.loc[every, cols].sum()))
    rows.append((system.comparator.name, "england", c[cols].sum()))
    frame = pd.DataFrame(
        {
            "area": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "deaths_all": [float(r[2].iloc[0]) for r in rows],
            "deaths_covid": [float(r[2].iloc[1]) for r in rows],
        }
    )
    p = stats.proportion(frame, "deaths_covid", "deaths_all", multiplier=100)
    return p[["area", "kind", "deaths_all", "deaths_covid", "value", "lowercl", "uppercl"]]
