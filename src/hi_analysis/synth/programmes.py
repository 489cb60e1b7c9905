"""Synthetic programme series with known, documented effects (the logic-model chapter's data).

Three illustrative programmes each produce three monthly series per 2011 LSOA:
the **activity** (output), an **early (proxy) measure** and a **long-term
outcome**, as event counts with the population at risk. Each programme runs
under one named scenario, so the book shows how each verdict looks and the tests
can check that the estimators recover each truth:

``effect``
    the proxy rises (or falls) by ``proxy_effect`` from the start and the outcome
    changes by ``outcome_effect`` from the start plus ``outcome_lag`` months, in
    every neighbourhood alike;
``no_effect``
    the activity is delivered and the proxy moves, but the outcome does not change
    ("target met, objective not");
``least_deprived``
    activity and effects are concentrated in the least deprived neighbourhoods:
    neighbourhood effect = 2 r x the average effect, where r is the neighbourhood's
    relative deprivation rank within its place (0 = most deprived, 1 = least), so
    the most deprived gain nothing and the gap widens.

Every series shares a calendar: seasonality (two harmonics), a COVID-19 dip from
April 2020 to March 2021, a gentle secular trend, a deprivation gradient in the
base rate and a small shared AR(1) noise on the log scale (SD 0.02). The truths
are documented in ``docs/extracts.md`` (programme_series) and
:data:`PROGRAMMES`; :func:`expected` returns the noiseless means with and
without the programme, from which tests compute each place's true effect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from hi_analysis.extracts.schemas import PROGRAMME_SERIES

#: The scenarios a programme can run under.
SCENARIOS = ("effect", "no_effect", "least_deprived")
#: COVID-19 disruption months (inclusive) and its multiplier on every series.
COVID = (pd.Timestamp("2020-04-01"), pd.Timestamp("2021-03-01"), 0.75)


@dataclass(frozen=True)
class ProgrammeTruth:
    """The generator's truth for one programme (rates are per person per year)."""

    key: str
    series: tuple[str, str, str]  # activity, proxy, outcome
    denominator: str  # "age40", "smi" or "age65"
    start: pd.Timestamp
    places: tuple[str, ...] | None  # None: every place
    scenario: str
    activity_rate: float
    proxy_base: float
    outcome_base: float
    proxy_effect: float
    outcome_effect: float
    outcome_lag: int
    proxy_season: tuple[float, float] = (0.05, 0.0)
    outcome_season: tuple[float, float] = (0.15, 0.05)
    proxy_gradient: float = 1.2  # base rate = base * (1 + g/2 - g r): higher in deprived
    outcome_gradient: float = 1.2


#: The three illustrative programmes (the LLR plan's files match these dates).
PROGRAMMES: dict[str, ProgrammeTruth] = {
    "htn": ProgrammeTruth(
        "htn",
        ("htn_checks", "htn_diagnoses", "cvd_admissions"),
        "age40",
        pd.Timestamp("2021-10-01"),
        None,
        "effect",
        activity_rate=0.032,
        proxy_base=0.012,
        outcome_base=0.010,
        proxy_effect=0.20,
        outcome_effect=-0.12,
        outcome_lag=12,
    ),
    "smi": ProgrammeTruth(
        "smi",
        ("smi_checks", "smi_followups", "smi_admissions"),
        "smi",
        pd.Timestamp("2022-04-01"),
        None,
        "no_effect",
        activity_rate=0.65,
        proxy_base=0.12,
        outcome_base=0.30,
        proxy_effect=0.25,
        outcome_effect=-0.15,
        outcome_lag=12,
    ),
    "vacc": ProgrammeTruth(
        "vacc",
        ("vacc_outreach", "vacc_uptake", "resp_admissions"),
        "age65",
        pd.Timestamp("2022-09-01"),
        ("leicester",),
        "least_deprived",
        activity_rate=0.08,
        proxy_base=0.9,
        outcome_base=0.025,
        proxy_effect=0.15,
        outcome_effect=-0.10,
        outcome_lag=6,
        proxy_season=(1.0, 0.35),
        proxy_gradient=-0.5,
    ),
}


def months(first_year: int, last_year: int) -> pd.DatetimeIndex:
    """First-of-month dates from January of ``first_year`` to December of ``last_year``."""
    return pd.date_range(f"{first_year}-01-01", f"{last_year}-12-01", freq="MS")


def denominators(residents: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Population at risk per LSOA: aged 40+, aged 65+, and the SMI register (modelled).

    The SMI register is 1% of adults times ``1 + 0.07 (10 - national IMD decile)``,
    as in the ``programme_activity`` generator.
    """
    n = len(lsoas)
    idx = residents["lsoa"].to_numpy()
    age = residents["age"].to_numpy()
    adults = np.bincount(idx, weights=age >= 18, minlength=n)
    decile = lsoas["imd_decile"].to_numpy()
    return pd.DataFrame(
        {
            "age40": np.bincount(idx, weights=age >= 40, minlength=n).astype(np.int64),
            "age65": np.bincount(idx, weights=age >= 65, minlength=n).astype(np.int64),
            "smi": np.maximum(1, np.round(adults * 0.01 * (1 + 0.07 * (10 - decile)))).astype(
                np.int64
            ),
        }
    )


def relative_rank(lsoas: pd.DataFrame) -> np.ndarray:
    """Each LSOA's population-free deprivation rank within its place (0 most, 1 least deprived)."""
    score = lsoas["imd_score"].to_numpy()
    out = np.zeros(len(lsoas))
    for _, pos in lsoas.groupby("place").indices.items():
        order = np.argsort(-score[pos], kind="stable")  # most deprived first
        ranks = np.empty(len(pos))
        ranks[order] = (np.arange(len(pos)) + 0.5) / len(pos)
        out[pos] = ranks
    return out


def _season(dates: pd.DatetimeIndex, amp: tuple[float, float]) -> np.ndarray:
    m = dates.month.to_numpy()
    return np.exp(
        amp[0] * np.cos(2 * np.pi * (m - 1) / 12) + amp[1] * np.cos(4 * np.pi * (m - 1) / 12)
    )


def _covid(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.where(np.asarray((dates >= COVID[0]) & (dates <= COVID[1])), COVID[2], 1.0)


def expected(
    truth: ProgrammeTruth,
    lsoas: pd.DataFrame,
    pop: np.ndarray,
    dates: pd.DatetimeIndex,
    *,
    scenario: str | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Noiseless expected counts, LSOA x month, with and without the programme.

    Parameters
    ----------
    truth : ProgrammeTruth
        The programme.
    lsoas : pandas.DataFrame
        ``place, imd_score`` per LSOA (as :func:`hi_analysis.synth.population.lsoa_table`).
    pop : numpy.ndarray
        Population at risk per LSOA.
    dates : pandas.DatetimeIndex
        The months.
    scenario : str, optional
        Overrides ``truth.scenario``.

    Returns
    -------
    dict
        ``{series: (with_programme, without_programme)}`` arrays of shape (LSOAs, months).
    """
    scenario = scenario or truth.scenario
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r} (scenarios: {', '.join(SCENARIOS)})")
    r = relative_rank(lsoas)[:, None]
    covered = np.ones((len(lsoas), 1), bool)
    if truth.places is not None:
        covered = lsoas["place"].isin(truth.places).to_numpy()[:, None]
    t = np.arange(len(dates))[None, :]
    on = np.asarray(dates >= truth.start)[None, :] & covered
    lagged = (
        np.asarray(dates >= truth.start + pd.DateOffset(months=truth.outcome_lag))[None, :]
        & covered
    )
    per_month = pop[:, None] / 12.0
    cov = _covid(dates)[None, :]
    # where the effect lands: everywhere alike, or 2r times the average
    where = 2 * r if scenario == "least_deprived" else np.ones_like(r)
    # activity: ramps up over the first 3 months; concentrated like the effect
    since = np.clip((t - np.argmax(dates >= truth.start)) / 3 + 1 / 3, 0, 1)
    act = (
        per_month
        * truth.activity_rate
        * on
        * since
        * ((0.4 + 1.2 * r) if scenario == "least_deprived" else 1.0)
        * _season(dates, (0.1, 0))
    )
    out = {truth.series[0]: (act, np.zeros_like(act))}
    grad_p = 1 + truth.proxy_gradient / 2 - truth.proxy_gradient * r
    proxy0 = (
        per_month
        * truth.proxy_base
        * grad_p
        * _season(dates, truth.proxy_season)[None, :]
        * cov
        * np.exp(0.001 * t)
    )
    proxy1 = proxy0 * (1 + truth.proxy_effect * where * on)
    out[truth.series[1]] = (proxy1, proxy0)
    grad_o = 1 + truth.outcome_gradient / 2 - truth.outcome_gradient * r
    out0 = (
        per_month
        * truth.outcome_base
        * grad_o
        * _season(dates, truth.outcome_season)[None, :]
        * cov
        * np.exp(-0.002 * t)
    )
    oe = 0.0 if scenario == "no_effect" else truth.outcome_effect
    out[truth.series[2]] = (out0 * (1 + oe * where * lagged), out0)
    return out


def _ar1(n: int, rng: np.random.Generator, sd: float = 0.02, rho: float = 0.3) -> np.ndarray:
    e = rng.normal(0, sd * np.sqrt(1 - rho**2), n)
    x = np.empty(n)
    x[0] = rng.normal(0, sd)
    for i in range(1, n):
        x[i] = rho * x[i - 1] + e[i]
    return x


def programme_series(
    residents: pd.DataFrame,
    lsoas: pd.DataFrame,
    years: range,
    rng: np.random.Generator,
    *,
    scenarios: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The ``programme_series`` extract: one row per LSOA, month and series.

    Parameters
    ----------
    residents, lsoas : pandas.DataFrame
        From :mod:`hi_analysis.synth.population`.
    years : range
        Calendar years covered.
    rng : numpy.random.Generator
        Random stream.
    scenarios : dict, optional
        ``{programme key: scenario}`` overriding :data:`PROGRAMMES` (tests).

    Returns
    -------
    pandas.DataFrame
        ``lsoa11cd, month, series, events, population, is_synthetic``.
    """
    dates = months(years[0], years[-1])
    dens = denominators(residents, lsoas)
    frames = []
    for key, truth in PROGRAMMES.items():
        if scenarios and key in scenarios:
            truth = replace(truth, scenario=scenarios[key])
        pop = dens[truth.denominator].to_numpy()
        for series, (mu, _) in expected(truth, lsoas, pop.astype(float), dates).items():
            noise = np.exp(_ar1(len(dates), rng))[None, :] if mu.any() else 1.0
            events = rng.poisson(mu * noise)
            frames.append(
                pd.DataFrame(
                    {
                        "lsoa11cd": np.repeat(lsoas["lsoa11cd"].to_numpy(), len(dates)),
                        "month": np.tile(dates.to_numpy(), len(lsoas)),
                        "series": series,
                        "events": events.ravel().astype(np.int32),
                        "population": np.repeat(pop, len(dates)).astype(np.int32),
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out["series"] = pd.Categorical(out["series"], categories=list(PROGRAMME_SERIES))
    out["lsoa11cd"] = pd.Categorical(out["lsoa11cd"], categories=sorted(lsoas["lsoa11cd"]))
    out["is_synthetic"] = True
    return out
