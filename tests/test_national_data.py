"""The national files are the one source: LLR's rows in them are the LLR-only files they replace.

The LLR-only copies (``llr_*.csv`` and the LAD 2020/2021 QOF and Census files) were removed
from ``data/public`` when the national files replaced them (issue 14). Before removal, the
content of each was fingerprinted with :func:`canonical_digest` (below; the same function):
the sha256 of its rows, sorted, with numbers written as Python floats. Each test selects
LLR's rows from the national file through the data layer (``hi_analysis.data.select``) and
checks that they reproduce that fingerprint exactly, so every number computed from them
(needs analysis, synthetic extracts, SII, COVID-19) is unchanged for LLR.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from hi_analysis.config import load_system
from hi_analysis.data import load
from hi_analysis.data.public import missing_areas, select
from hi_analysis.geography import lsoa11_codes
from hi_analysis.paths import public_data_dir


def canonical_digest(frame: pd.DataFrame, columns: list[str]) -> str:
    """sha256 of the rows of ``columns``, sorted, numbers as floats (text otherwise)."""
    out = pd.DataFrame(index=frame.index)
    for c in columns:
        col = frame[c]
        as_number = pd.to_numeric(col, errors="coerce")
        if as_number.notna().sum() == col.notna().sum() and not pd.api.types.is_bool_dtype(col):
            col = as_number  # numbers written as text in one file and as numbers in the other
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[c] = col.astype("float64").map(repr)
        else:
            out[c] = col.astype("string").fillna("<NA>")
    out = out.sort_values(columns).reset_index(drop=True)
    return hashlib.sha256(out.to_csv(index=False).encode()).hexdigest()


#: Each replaced file: the dataset now read instead, extra codes selected beside LLR's
#: districts, the columns the national file added (left out), and the replaced file's
#: fingerprint. GP practices are selected by LLR's sub-ICB locations (no district column).
REPLACED = {
    "llr_population_mid2020_lsoa11_syoa_persons.csv (611 x 95)": (
        "population_2020_lsoa11_syoa",
        [],
        ["lad24cd"],
        "a59259b22dc41e443b70ab3fa974e892ac6a44bd7012a2031d92d1877954ea2d",
    ),
    "llr_census2021_ethnicity_lsoa21.csv (3,170 x 8)": (
        "ethnicity_lsoa21",
        [],
        [],
        "20b59cc151c117676a8adfc9ec466d0b3bd18f92e170080d6e69b595e74a5cb1",
    ),
    "llr_census2021_ethnicity_detailed_lad.csv (190 x 5, with England)": (
        "ethnicity_detailed_lad",
        ["E92000001"],
        ["lad24cd"],
        "3b0c054ec732794c5ab6d981ab430b3686ff82b2178e93ee175c8f825bbc28ff",
    ),
    "llr_lookup_lsoa11_msoa11_ward17_lad21_utla_icb22.csv (611 x 13)": (
        "lookup_lsoa11_msoa11",
        [],
        ["ltla24_code", "ltla24_name", "ruc11cd", "urban_rural", "ruc11nm"],
        "af189024c596a8c9beeaa309ad28ded6b2c7e0247bde6e25dc5c3b66cdf32a09",
    ),
    "llr_covid_deaths_cumulative_lad_to_2021w22.csv (9 x 5 shared columns)": (
        "covid_deaths_cumulative",
        [],
        ["source_codes"],
        "77952d03affcd3ccd5dbb2afec27d3ac033875cd94a5d1a0776f0dc53edd25ec",
    ),
    "llr_gp_practices_2022_23_payments_imd.csv (134 x 22)": (
        "gp_practices",
        [],
        [],
        "115751b1189977ac5269dc892d75b627421d660f6d70c1a09ef602c0e8349782",
    ),
    "qof1920_modelled_prevalence_by_lad_england.csv, LLR rows (189 x 6, LAD 2020 codes)": (
        "qof_lad",
        [],
        [],
        "8ad867022f41385cc073a758c07f37b7f96ca10008fdaded88a426b39606d47b",
    ),
    "census2021_age_sex_broad_lad_england.csv, LLR rows (9 x 10, LAD 2021 codes)": (
        "census2021_age_sex_lad",
        [],
        ["ltla24_name"],
        "24972d82b5da71005f5233b6555c44834bf01b448c63f60236585e403ca63d22",
    ),
}


@pytest.fixture(scope="module")
def llr():
    return load_system("llr")


def _llr_rows(name: str, extra: list[str], llr) -> pd.DataFrame:
    if name == "gp_practices":
        subs = sorted({c for p in llr.places for c in p.gp_practices.sub_icb})
        gp = load(name)
        return gp[gp["CCG Code"].isin(subs)]
    districts = sorted({c for p in llr.places for c in p.district_codes})
    return select(name, districts + extra)


@pytest.mark.parametrize("replaced", sorted(REPLACED))
def test_national_rows_reproduce_the_replaced_llr_file(replaced, llr):
    name, extra, added, digest = REPLACED[replaced]
    rows = _llr_rows(name, extra, llr)
    columns = [c for c in rows.columns if c not in added and not c.startswith("Unnamed")]
    assert not rows.empty
    assert canonical_digest(rows, columns) == digest, replaced


def test_llr_only_copies_are_gone():
    assert not sorted(
        p.name
        for p in public_data_dir().glob("llr_*")
        if p.name
        not in {
            # no national file could be obtained (data/public/README.md)
            "llr_covid_vaccination_msoa11_20210715.csv"
        }
    )


def test_llr_neighbourhoods_are_the_same_on_2024_districts(llr):
    """Keying 2011 LSOAs on 2024 districts gives LLR the 2022-district sets it had."""
    old = load("lookup_lsoa11_lsoa21")
    for place in llr.places:
        before = sorted(set(old.loc[old["ltla22_code"].isin(place.district_codes), "lsoa11_code"]))
        assert lsoa11_codes(place) == before


def test_missing_areas_names_what_a_table_lacks():
    assert missing_areas("covid_deaths_cumulative", ["E06000066", "E06000017"]) == []
    assert missing_areas("covid_vaccination_msoa11", ["E06000017", "E06000066"]) == ["E06000066"]
