"""Calibration targets: the real published figures the synthetic extracts are tuned to.

Each target names its source. ``docs/extracts.md`` lists them, and
``tests/test_synth.py`` checks that the generated extracts hit every one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hi_analysis.data import load

#: Fingertips period whose life expectancy the deaths reproduce.
LE_PERIOD = ("2023 - 25", (2023, 2024, 2025))
#: Fingertips period whose slope index of inequality in life expectancy the deaths reproduce.
SII_PERIOD = ("2022 - 24", (2022, 2023, 2024))

@dataclass(frozen=True)
class MortalityTarget:
    """Life expectancy and SII a district's synthetic deaths must reproduce, by sex.

    ``sii_published`` / ``le_published`` are False when OHID publishes no figure for the
    district (too few neighbourhoods, or published only combined with a neighbour) and
    the documented fallback of :func:`mortality_targets` is used instead.
    """

    district: str
    sex: str
    life_expectancy: float
    sii: float
    sii_published: bool
    le_published: bool = True


def _iqr(scores: pd.Series) -> float:
    return float(scores.quantile(0.75) - scores.quantile(0.25))


def fallback_sii(district: str, sex: str, published: pd.Series, lsoas: pd.DataFrame) -> float:
    """A plausible SII for a district that has none published (documented in docs/extracts.md).

    The median published SII (same sex) of the system's other districts, scaled by how
    wide the district's range of deprivation is: the inter-quartile range of its LSOA IMD
    2019 scores over the median inter-quartile range of those districts. Rounded to half
    a year. With no published neighbour, England's median district SII is used.

    Examples
    --------
    >>> pub = pd.Series({("A", "Male"): 8.0, ("B", "Male"): 6.0})
    >>> t = pd.DataFrame({"district": ["A"] * 4 + ["B"] * 4 + ["C"] * 4,
    ...                   "imd_score": [10, 20, 30, 40, 10, 20, 30, 40, 10, 12, 14, 16]})
    >>> fallback_sii("C", "Male", pub, t)  # 7 years x (3 / 15), rounded to half a year
    1.5
    """
    others = [d for d in lsoas["district"].unique() if (d, sex) in published.index]
    if others:
        values = [float(published[(d, sex)]) for d in others]
        iqr = lsoas.groupby("district")["imd_score"].apply(_iqr)
        scale = iqr[district] / float(np.median([iqr[d] for d in others]))
        value = float(np.median(values)) * scale
    else:
        value = float(published.xs(sex, level=1).median())
    return max(0.5, round(value * 2) / 2)


def mortality_targets(
    districts: list[str],
    lsoas: pd.DataFrame | None = None,
    stated: dict[str, dict[str, float]] | None = None,
) -> list[MortalityTarget]:
    """Life expectancy at birth (2023-25) and its SII (2022-24) from the Fingertips extract.

    Parameters
    ----------
    districts
        District codes (2024).
    lsoas
        ``district, imd_score`` per LSOA of the system, for the fallback SII of a district
        without a published one (:func:`fallback_sii`).
    stated
        SII values stated in the parameters (``districts[].sii_if_unpublished``), which
        take precedence over the computed fallback for districts without a published SII.

    Notes
    -----
    A district with no published life expectancy (e.g. the Isles of Scilly and the City
    of London, published only combined with a neighbour) gets the mean of the published
    values of the other listed districts, or England's when there are none.
    """
    ft = load("fingertips")
    ft = ft[ft["breakdown"].isna()]
    le_all = ft[(ft["indicator"] == "Life expectancy at birth") & (ft["period"] == LE_PERIOD[0])]
    sii_all = ft[(ft["indicator"] == "Inequality in life expectancy at birth")
                 & (ft["period"] == SII_PERIOD[0])]
    le = le_all.set_index(["area_code", "sex"])["value"].dropna()
    sii = sii_all.set_index(["area_code", "sex"])["value"].dropna()
    stated = stated or {}
    out = []
    for district in districts:
        for sex in ("Female", "Male"):
            value = sii.get((district, sex), float("nan"))
            published = not pd.isna(value)
            if not published:
                if district in stated and sex in stated[district]:
                    value = stated[district][sex]
                elif lsoas is not None:
                    local = sii[sii.index.get_level_values(0).isin(districts)]
                    value = fallback_sii(district, sex, local if len(local) else sii, lsoas)
                else:
                    raise ValueError(f"no published SII for {district} {sex} in the extract")
            life = le.get((district, sex), float("nan"))
            le_published = not pd.isna(life)
            if not le_published:
                near = [le[(d, sex)] for d in districts if (d, sex) in le.index]
                life = float(np.mean(near)) if near else float(le[("E92000001", sex)])
            out.append(MortalityTarget(district, sex, float(life), float(value), published,
                                       le_published))
    return out


def covid_cumulative() -> pd.Series:
    """Deaths involving COVID-19 registered to 2021 week 22, by district (ONS)."""
    c = load("covid_deaths_cumulative")
    return c.set_index("lad_cd")["deaths_covid19_cumulative"]


def leicester_first_wave() -> pd.Series:
    """Leicester's weekly deaths involving COVID-19, 2020 weeks 1-39 (ONS)."""
    w = load("leicester_deaths_weekly")
    return w.set_index("week")["deaths_covid19"]


def first_wave_district() -> str:
    """The district whose real weekly first-wave deaths are shipped (the shape for all)."""
    return str(load("leicester_deaths_weekly")["lad_cd"].iloc[0])


def monthly_deaths() -> pd.DataFrame:
    """Deaths registered each month by area of usual residence, 2015 to June 2025 (ONS)."""
    return load("deaths_monthly")
