"""Which neighbourhoods make up a place.

A place is an upper-tier local authority made of one or more districts. Its
neighbourhoods are found through the ONS lookups, so the same code works for
any English system whose parameters list the districts.

Examples
--------
>>> from hi_analysis.config import load_system
>>> rutland = load_system("llr").place("rutland")
>>> len(lsoa21_codes(rutland)), len(lsoa11_codes(rutland))
(26, 23)
"""

from __future__ import annotations

import pandas as pd

from hi_analysis.config import Place, System
from hi_analysis.data import load


def lsoa21_codes(place: Place) -> list[str]:
    """Return the 2021 LSOA codes in the place (via the 2024 LSOA-to-district lookup)."""
    lookup = load("lookup_lsoa21")
    codes = lookup.loc[lookup["ltla24_code"].isin(place.district_codes), "lsoa21_code"]
    return sorted(codes)


def lsoa11_codes(place: Place) -> list[str]:
    """Return the 2011 LSOA codes in the place (keyed on 2024 districts).

    Districts are 2024 codes, so the unitary authorities of 2023 (Somerset, Cumberland,
    Westmorland and Furness, North Yorkshire) find their neighbourhoods too.
    """
    return lsoa11_codes_of_districts(place.district_codes)


def lsoa11_codes_of_districts(district_codes: list[str] | tuple[str, ...]) -> list[str]:
    """Return the 2011 LSOA codes whose 2024 district is one of ``district_codes``.

    Examples
    --------
    >>> len(lsoa11_codes_of_districts(["E06000017"]))
    23
    """
    lookup = load("lookup_lsoa11_msoa11")
    codes = lookup.loc[lookup["ltla24_code"].isin(list(district_codes)), "lsoa11_code"]
    return sorted(set(codes))


def district_of_lsoa11(codes: list[str] | pd.Series) -> pd.Series:
    """The 2024 district of each 2011 LSOA (indexed like ``codes``)."""
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["ltla24_code"]
    return pd.Series(list(codes)).map(look)


def district_of_lsoa21(place: Place) -> dict[str, str]:
    """Map each 2021 LSOA in the place to its district code."""
    lookup = load("lookup_lsoa21")
    sub = lookup[lookup["ltla24_code"].isin(place.district_codes)]
    return dict(zip(sub["lsoa21_code"], sub["ltla24_code"], strict=True))


def system_lsoa21_codes(system: System) -> list[str]:
    """Return every 2021 LSOA code in the system's places."""
    return sorted(code for place in system.places for code in lsoa21_codes(place))
