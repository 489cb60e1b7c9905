"""Calibration targets: the real published figures the synthetic extracts are tuned to.

Each target names its source. ``docs/extracts.md`` lists them, and
``tests/test_synth.py`` checks that the generated extracts hit every one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hi_analysis.data import load

#: Fingertips period whose life expectancy the deaths reproduce.
LE_PERIOD = ("2023 - 25", (2023, 2024, 2025))
#: Fingertips period whose slope index of inequality in life expectancy the deaths reproduce.
SII_PERIOD = ("2022 - 24", (2022, 2023, 2024))

#: Rutland's SII is not published (too few neighbourhoods). The generator uses about half
#: the median of the seven Leicestershire districts (male 6.9, female 6.3 years in 2022-24),
#: reflecting Rutland's narrow range of deprivation (every LSOA in national deciles 6-10).
RUTLAND_SII = {"Male": 3.0, "Female": 2.5}
RUTLAND = "E06000017"


@dataclass(frozen=True)
class MortalityTarget:
    """Life expectancy and SII a district's synthetic deaths must reproduce, by sex."""

    district: str
    sex: str
    life_expectancy: float
    sii: float
    sii_published: bool


def mortality_targets(districts: list[str]) -> list[MortalityTarget]:
    """Life expectancy at birth (2023-25) and its SII (2022-24) from the Fingertips extract."""
    ft = load("fingertips")
    ft = ft[ft["breakdown"].isna() & ft["area_code"].isin(districts)]
    le = ft[(ft["indicator"] == "Life expectancy at birth") & (ft["period"] == LE_PERIOD[0])]
    sii = ft[(ft["indicator"] == "Inequality in life expectancy at birth")
             & (ft["period"] == SII_PERIOD[0])]
    le = le.set_index(["area_code", "sex"])["value"]
    sii = sii.set_index(["area_code", "sex"])["value"]
    out = []
    for district in districts:
        for sex in ("Female", "Male"):
            value = sii.get((district, sex), float("nan"))
            published = not pd.isna(value)
            if not published:
                if district != RUTLAND:
                    raise ValueError(f"no published SII for {district} {sex} in the extract")
                value = RUTLAND_SII[sex]
            out.append(MortalityTarget(district, sex, float(le[(district, sex)]), float(value),
                                       published))
    return out


def covid_cumulative() -> pd.Series:
    """Deaths involving COVID-19 registered to 2021 week 22, by district (ONS)."""
    c = load("covid_deaths_cumulative")
    return c.set_index("lad_cd")["deaths_covid19_cumulative"]


def leicester_first_wave() -> pd.Series:
    """Leicester's weekly deaths involving COVID-19, 2020 weeks 1-39 (ONS)."""
    w = load("leicester_deaths_weekly")
    return w.set_index("week")["deaths_covid19"]


def monthly_deaths() -> pd.DataFrame:
    """Deaths registered each month by area of usual residence, 2015 to June 2025 (ONS)."""
    return load("deaths_monthly")
