"""Excess deaths: a quasi-Poisson baseline of monthly counts with simulated prediction intervals.

The model is the monthly version of OHID's excess-mortality model (and of the
ONS 2024 method)::

    log E[deaths_m] = log(days_m) [+ log(population_m)] + month-of-year_m + beta * t_m
                      + gamma * log(working_days_m)

fitted by Poisson maximum likelihood to the baseline months, with the
dispersion ``phi`` estimated from the Pearson chi-squared statistic (statsmodels
``scale="X2"``: quasi-Poisson). Expected deaths for any month are the fitted
means; excess is observed minus expected. The 95% prediction interval of the
excess over a period comes from simulation, as in OHID's code: coefficients are
drawn from their (dispersion-scaled) sampling distribution, and counts from a
negative binomial with that mean and variance ``phi * mean`` (Poisson when
``phi <= 1``); the interval is observed minus the 97.5th and 2.5th percentiles
of the simulated period totals.

Examples
--------
A series of about 100 deaths a month with 60 extra deaths injected in 2020 gives
roughly those 60 back, with a prediction interval that contains them:

>>> import pandas as pd
>>> s = pd.DataFrame({"year": [y for y in range(2015, 2021) for _ in range(12)],
...                   "month": list(range(1, 13)) * 6})
>>> s["deaths"] = 100 + (s["year"] * 7 + s["month"] * 3) % 5 + 60 * (s["year"] == 2020) / 12
>>> r = fit_baseline(s, working_days=False, trend=False).summarise(s["year"] == 2020)
>>> round(float(r["excess"]))
57
>>> bool(r["excess_lower"] < 60 < r["excess_upper"])
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

#: Bank holidays in England and Wales, 2015 to 2025 (GOV.UK), for working days per month.
BANK_HOLIDAYS_EW = (
    "2015-01-01",
    "2015-04-03",
    "2015-04-06",
    "2015-05-04",
    "2015-05-25",
    "2015-08-31",
    "2015-12-25",
    "2015-12-28",
    "2016-01-01",
    "2016-03-25",
    "2016-03-28",
    "2016-05-02",
    "2016-05-30",
    "2016-08-29",
    "2016-12-26",
    "2016-12-27",
    "2017-01-02",
    "2017-04-14",
    "2017-04-17",
    "2017-05-01",
    "2017-05-29",
    "2017-08-28",
    "2017-12-25",
    "2017-12-26",
    "2018-01-01",
    "2018-03-30",
    "2018-04-02",
    "2018-05-07",
    "2018-05-28",
    "2018-08-27",
    "2018-12-25",
    "2018-12-26",
    "2019-01-01",
    "2019-04-19",
    "2019-04-22",
    "2019-05-06",
    "2019-05-27",
    "2019-08-26",
    "2019-12-25",
    "2019-12-26",
    "2020-01-01",
    "2020-04-10",
    "2020-04-13",
    "2020-05-08",
    "2020-05-25",
    "2020-08-31",
    "2020-12-25",
    "2020-12-28",
    "2021-01-01",
    "2021-04-02",
    "2021-04-05",
    "2021-05-03",
    "2021-05-31",
    "2021-08-30",
    "2021-12-27",
    "2021-12-28",
    "2022-01-03",
    "2022-04-15",
    "2022-04-18",
    "2022-05-02",
    "2022-06-02",
    "2022-06-03",
    "2022-08-29",
    "2022-09-19",
    "2022-12-26",
    "2022-12-27",
    "2023-01-02",
    "2023-04-07",
    "2023-04-10",
    "2023-05-01",
    "2023-05-08",
    "2023-05-29",
    "2023-08-28",
    "2023-12-25",
    "2023-12-26",
    "2024-01-01",
    "2024-03-29",
    "2024-04-01",
    "2024-05-06",
    "2024-05-27",
    "2024-08-26",
    "2024-12-25",
    "2024-12-26",
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-05",
    "2025-05-26",
    "2025-08-25",
    "2025-12-25",
    "2025-12-26",
)


def month_calendar(year: np.ndarray, month: np.ndarray) -> pd.DataFrame:
    """Days and working days (Monday to Friday, not a bank holiday) of each month.

    Examples
    --------
    >>> month_calendar(np.array([2020]), np.array([12]))[["days", "working_days"]].iloc[0].tolist()
    [31, 21]
    """
    start = np.array(
        [dt.date(int(y), int(m), 1) for y, m in zip(year, month, strict=True)],
        dtype="datetime64[D]",
    )
    end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]")
    days = (end - start).astype(int)
    working = np.busday_count(
        start, end, holidays=np.array(BANK_HOLIDAYS_EW, dtype="datetime64[D]")
    )
    return pd.DataFrame({"days": days, "working_days": working})


@dataclass
class ExcessFit:
    """A fitted baseline applied to a whole monthly series.

    Attributes
    ----------
    series : pandas.DataFrame
        The input series with ``expected`` (fitted mean), ``baseline`` (whether
        the month was in the fitting period) and the simulated 2.5% and 97.5%
        limits of deaths in each month (``expected_lower``, ``expected_upper``).
    dispersion : float
        The quasi-Poisson dispersion ``phi`` (Pearson chi-squared / residual df).
    params : pandas.Series
        Fitted coefficients.
    simulated : numpy.ndarray, shape (n_sim, months)
        Simulated counts for every month of the series.
    """

    series: pd.DataFrame
    dispersion: float
    params: pd.Series
    simulated: np.ndarray

    def summarise(self, mask: pd.Series | np.ndarray, level: float = 0.95) -> pd.Series:
        """Observed, expected and excess deaths over the months selected by ``mask``.

        Returns
        -------
        pandas.Series
            ``observed, expected, excess, excess_lower, excess_upper, percent,
            percent_lower, percent_upper, months``: excess with its prediction
            interval, and excess as a percentage of expected.
        """
        m = np.asarray(mask, dtype=bool)
        obs = float(self.series.loc[m, "deaths"].sum())
        exp = float(self.series.loc[m, "expected"].sum())
        sims = self.simulated[:, m].sum(axis=1)
        lo_q, hi_q = np.quantile(sims, [(1 - level) / 2, 1 - (1 - level) / 2])
        excess = obs - exp
        return pd.Series(
            {
                "observed": obs,
                "expected": exp,
                "excess": excess,
                "excess_lower": min(obs - hi_q, excess),
                "excess_upper": max(obs - lo_q, excess),
                "percent": 100 * excess / exp,
                "percent_lower": 100 * min(obs - hi_q, excess) / exp,
                "percent_upper": 100 * max(obs - lo_q, excess) / exp,
                "months": int(m.sum()),
            }
        )


def design(
    frame: pd.DataFrame, *, trend: bool = True, working_days: bool = True, origin: int = 2015
) -> pd.DataFrame:
    """The model's design matrix for a monthly series (``year``, ``month`` columns).

    Columns: intercept, eleven month indicators (January is the reference),
    ``t`` (years since January of ``origin``) and ``log_working_days``.
    """
    year = frame["year"].to_numpy()
    month = frame["month"].to_numpy()
    x = pd.DataFrame({"const": 1.0}, index=frame.index)
    for k in range(2, 13):
        x[f"month_{k}"] = (month == k).astype(float)
    if trend:
        x["t"] = (year - origin) + (month - 1) / 12
    if working_days:
        cal = month_calendar(year, month)
        x["log_working_days"] = np.log(cal["working_days"].to_numpy())
    return x


def fit_baseline(
    frame: pd.DataFrame,
    *,
    count: str = "deaths",
    population: str | None = None,
    baseline: tuple[int, int] = (2015, 2019),
    trend: bool = True,
    working_days: bool = True,
    n_sim: int = 5000,
    seed: int = 20200301,
    level: float = 0.95,
) -> ExcessFit:
    """Fit the quasi-Poisson baseline to ``baseline`` years and predict every month.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per month: ``year``, ``month`` and the count (and population).
    count : str
        Column of deaths.
    population : str, optional
        Column of the population at risk (an offset); omit to let the trend
        absorb population growth.
    baseline : (int, int)
        First and last calendar year of the fitting period.
    trend, working_days : bool
        Include the linear trend and the log working-days term.
    n_sim : int
        Number of simulations for the prediction intervals.
    seed : int
        Seed of the simulation (the page is reproducible).
    level : float
        Coverage of the monthly limits stored in the series.

    Returns
    -------
    ExcessFit
    """
    data = frame.sort_values(["year", "month"]).reset_index(drop=True).copy()
    data = data.rename(columns={count: "deaths"}) if count != "deaths" else data
    x = design(data, trend=trend, working_days=working_days)
    offset = np.log(
        month_calendar(data["year"].to_numpy(), data["month"].to_numpy())["days"]
        .to_numpy()
        .astype(float)
    )
    if population is not None:
        offset = offset + np.log(data[population].to_numpy(dtype=float))
    base = data["year"].between(*baseline).to_numpy()
    if base.sum() < x.shape[1] + 1:
        raise ValueError(f"baseline {baseline} has {int(base.sum())} months: too few to fit")
    model = sm.GLM(
        data.loc[base, "deaths"].to_numpy(dtype=float),
        x[base],
        family=sm.families.Poisson(),
        offset=offset[base],
    )
    res = model.fit(scale="X2")
    phi = float(res.scale)
    mu = np.exp(x.to_numpy() @ res.params.to_numpy() + offset)
    rng = np.random.default_rng(seed)
    beta = rng.multivariate_normal(
        res.params.to_numpy(), res.cov_params().to_numpy(), size=n_sim, method="cholesky"
    )
    mu_sim = np.exp(beta @ x.to_numpy().T + offset[None, :])
    if phi > 1:
        # negative binomial with mean mu and variance phi * mu (size = mu / (phi - 1)),
        # drawn as its gamma-Poisson mixture: the same distribution, about a third faster
        sims = rng.poisson(rng.gamma(mu_sim / (phi - 1), phi - 1))
    else:
        sims = rng.poisson(mu_sim)
    lo, hi = np.quantile(sims, [(1 - level) / 2, 1 - (1 - level) / 2], axis=0)
    data["expected"] = mu
    data["expected_lower"] = lo
    data["expected_upper"] = hi
    data["baseline"] = base
    return ExcessFit(data, phi, res.params, sims)


def five_year_average(
    frame: pd.DataFrame, *, count: str = "deaths", baseline: tuple[int, int] = (2015, 2019)
) -> pd.Series:
    """Expected deaths by the ONS five-year average: mean of the same month in ``baseline``.

    Returns
    -------
    pandas.Series
        Expected deaths for every row of ``frame`` (aligned to its index).

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2015, 2016, 2020], "month": [1, 1, 1], "deaths": [10, 20, 40]})
    >>> five_year_average(f, baseline=(2015, 2016)).tolist()
    [15.0, 15.0, 15.0]
    """
    base = frame[frame["year"].between(*baseline)]
    means = base.groupby("month")[count].mean()
    return frame["month"].map(means).astype(float)
