"""Readers for the shipped real public data in ``data/public``.

One registry, :data:`DATASETS`, names every file a chapter uses with its schema;
:func:`load` reads, types and validates it (once per process) and returns a frame.

Examples
--------
>>> imd = load("imd2019_lsoa11")
>>> len(imd), str(imd["imd_decile"].dtype)
(32844, 'int64')
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import pandera.pandas as pa

from hi_analysis.data import schemas
from hi_analysis.data.validate import describe_path, read_table
from hi_analysis.errors import DataValidationError
from hi_analysis.paths import build_dir, public_data_dir
from hi_analysis.safeio import temp_path

if TYPE_CHECKING:  # geopandas is imported only when boundaries are read (it is slow to import)
    import geopandas as gpd

T = TypeVar("T")


@dataclass(frozen=True)
class Dataset:
    """A shipped public file: where it is, what it holds and the rules it must meet."""

    file: str
    schema: pa.DataFrameSchema
    title: str
    publisher: str
    period: str
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    @property
    def path(self) -> Path:
        """Absolute path of the file."""
        return public_data_dir() / self.file


def _england_deciles_only(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep England's ten deciles (drop the Wales rows) and make the decile an integer."""
    out = frame[frame["imd_overall"] != "Wales"].copy()
    out["imd_overall"] = out["imd_overall"].astype("int64")
    return out.reset_index(drop=True)


#: Every public table a chapter reads, by short name.
DATASETS: dict[str, Dataset] = {
    "imd2019_lsoa11": Dataset(
        "imd2019_lsoa11_england.csv",
        schemas.IMD2019_LSOA11,
        "English Indices of Deprivation 2019, LSOA 2011",
        "MHCLG",
        "2019",
    ),
    "imd2025_lsoa21": Dataset(
        "imd2025_lsoa21_england.csv",
        schemas.IMD2025_LSOA21,
        "English Indices of Deprivation 2025, LSOA 2021",
        "MHCLG",
        "2025",
    ),
    "population_2020_lsoa11": Dataset(
        "population_mid2020_lsoa11_5yr_persons_england.csv",
        schemas.POPULATION_2020_LSOA11_5YR,
        "Mid-2020 population estimates by five-year age band, LSOA 2011",
        "ONS",
        "mid-2020",
    ),
    "census2021_age_sex_lad": Dataset(
        "census2021_age_sex_broad_lad24_england.csv.gz",
        schemas.CENSUS2021_AGE_SEX_LAD,
        "Census 2021 usual residents by sex and broad age, local authority (2024 districts)",
        "ONS",
        "Census 2021",
    ),
    "ethnicity_lsoa21": Dataset(
        "census2021_ethnicity_lsoa21_england.csv.gz",
        schemas.ETHNICITY_LSOA21,
        "Census 2021 ethnic group (5 groups), LSOA 2021",
        "ONS",
        "Census 2021",
    ),
    "ethnicity_detailed_lad": Dataset(
        "census2021_ethnicity_detailed_lad21_england.csv.gz",
        schemas.ETHNICITY_DETAILED_LAD,
        "Census 2021 ethnic group (19 groups), local authority and England",
        "ONS",
        "Census 2021",
    ),
    "fingertips": Dataset(
        "fingertips_la_indicators_england.csv.gz",
        schemas.FINGERTIPS,
        "Public health indicators (Fingertips extract)",
        "OHID",
        "2011 to 2025",
    ),
    "qof_lad": Dataset(
        "qof1920_modelled_prevalence_by_lad24_england.csv.gz",
        schemas.QOF_LAD,
        "QOF 2019/20 modelled prevalence by local authority (summed to 2024 districts)",
        "House of Commons Library",
        "2019/20",
    ),
    "qof_imd_decile": Dataset(
        "qof1920_modelled_prevalence_by_imd2019_decile_england.csv",
        schemas.QOF_IMD_DECILE,
        "QOF 2019/20 modelled prevalence by national IMD 2019 decile, England",
        "House of Commons Library",
        "2019/20",
        prepare=_england_deciles_only,
    ),
    "gp_practices": Dataset(
        "gp_practices_2022_23_payments_imd_england.csv.gz",
        schemas.GP_PRACTICES,
        "NHS payments to general practice 2022/23, with practice IMD 2019 score",
        "NHS England; OHID",
        "2022/23",
    ),
    "lookup_lsoa11_lsoa21": Dataset(
        "lookup_lsoa11_lsoa21_lad22_england.csv.gz",
        schemas.LOOKUP_LSOA11_LSOA21,
        "LSOA 2011 to LSOA 2021 lookup",
        "ONS",
        "2021",
    ),
    "lookup_lsoa21": Dataset(
        "lookup_lsoa21_ward24_lad24_utla23_icb24_england.csv.gz",
        schemas.LOOKUP_LSOA21,
        "LSOA 2021 to ward, local authority and ICB lookup (2024)",
        "ONS",
        "2024",
    ),
    # Tables used by the synthetic-extract generator and the COVID chapter.
    "population_2020_lsoa11_syoa": Dataset(
        "population_mid2020_lsoa11_syoa_persons_england.csv.gz",
        schemas.POPULATION_2020_LSOA11_SYOA,
        "Mid-2020 population estimates by single year of age, LSOA 2011", "ONS",
        "mid-2020"),
    "lookup_lsoa11_msoa11": Dataset(
        "lookup_lsoa11_msoa11_ward17_lad21_lad24_utla23_icb22_england.csv.gz",
        schemas.LOOKUP_LSOA11_MSOA11,
        "LSOA 2011 to MSOA 2011, district (2021 and 2024) and ICB lookup", "ONS", "2021-2024"),
    # Published only for LLR (no national file could be obtained: data/public/README.md).
    "covid_vaccination_msoa11": Dataset(
        "llr_covid_vaccination_msoa11_20210715.csv", schemas.COVID_VACCINATION_MSOA11,
        "People vaccinated against COVID-19 by MSOA 2011 and age, to 11 July 2021 (LLR)",
        "NHS England; ONS", "to 11 July 2021"),
    "covid_deaths_cumulative": Dataset(
        "covid_deaths_cumulative_lad24_to_2021w22_england.csv.gz",
        schemas.COVID_DEATHS_CUMULATIVE_LAD,
        "Deaths registered involving COVID-19, cumulative to 2021 week 22, by district (2024)",
        "ONS", "to 4 June 2021"),
    "leicester_deaths_weekly": Dataset(
        "leicester_deaths_weekly_2020w01_w39.csv", schemas.DEATHS_WEEKLY_LAD,
        "Weekly registered deaths, all causes and COVID-19, Leicester, 2020 weeks 1-39",
        "ONS", "2020 weeks 1-39"),
    # COVID-19 impact chapter (staged with provenance in data/public/README.md).
    "deaths_monthly": Dataset(
        "ons_monthly_deaths_registered_llr_england_2015_2025.csv", schemas.DEATHS_MONTHLY_LA,
        "Monthly deaths registered by area of usual residence, England and LLR councils",
        "ONS", "January 2015 to June 2025 (2024 and 2025 provisional)"),
    "cases_daily_llr": Dataset(
        "ukhsa_cases_specimen_date_llr_ltla_daily_2020_2023.csv", schemas.CASES_DAILY_LTLA,
        "COVID-19 cases by specimen date, LLR districts, daily", "UKHSA",
        "February 2020 to December 2023"),
    "cases_daily_england": Dataset(
        "ukhsa_cases_specimen_date_england_daily_2020_2023.csv", schemas.CASES_DAILY_ENGLAND,
        "COVID-19 cases by specimen date, England (sum of districts), daily", "UKHSA",
        "January 2020 to December 2023"),
    "cases_monthly_ltla19": Dataset(
        "ukhsa_cases_specimen_date_england_ltla19_monthly_2020_2023.csv",
        schemas.CASES_MONTHLY_LTLA19,
        "COVID-19 cases by specimen date, every English district (2019), monthly", "UKHSA",
        "2020 to 2023"),
    "covid_deaths_msoa11": Dataset(
        "ons_covid_deaths_msoa11_mar_dec2020_england.csv", schemas.COVID_DEATHS_MSOA11,
        "Deaths involving COVID-19 by MSOA 2011, March to December 2020, with MSOA IMD 2019",
        "ONS; MHCLG", "March to December 2020"),
    "vaccinations_ltla_age": Dataset(
        "nhse_vaccinations_llr_ltla_age_dose_2021_snapshots.csv", schemas.VACCINATIONS_LTLA_AGE,
        "People vaccinated against COVID-19 by district, age and dose (LLR), three releases",
        "NHS England", "to 14 March, 9 May and 11 July 2021"),
    "nims_population_ltla_age": Dataset(
        "nhse_nims_population_llr_ltla_age_2021.csv", schemas.NIMS_POPULATION_LTLA_AGE,
        "National Immunisation Management Service population by district and age (LLR)",
        "NHS England", "2021"),
    "opensafely_vaccine_coverage": Dataset(
        "opensafely_tpp_vaccine_coverage_by_imd_ethnicity_weekly_2020_2022.csv",
        schemas.OPENSAFELY_VACCINE_COVERAGE,
        "COVID-19 first-dose coverage by age, IMD quintile and ethnic group, England "
        "(OpenSAFELY-TPP practices), weekly", "OpenSAFELY Collaborative; NHS England",
        "December 2020 to June 2022"),
}

#: The column holding the local-authority code (2024 districts, or the upper-tier code for
#: council-level tables) of each table a system's rows are selected from. Every table is
#: national unless its provenance says otherwise; :func:`missing_areas` tells which of a
#: system's areas a table does not cover, so a chapter can state the gap instead of failing.
AREA_COLUMNS: dict[str, str] = {
    "population_2020_lsoa11_syoa": "lad24cd",
    "ethnicity_lsoa21": "lad24cd",
    "ethnicity_detailed_lad": "lad24cd",
    "census2021_age_sex_lad": "ltla21_code",  # holds 2024 district codes (see the README)
    "qof_lad": "lad_code",
    "imd2025_lsoa21": "lad24cd",
    "lookup_lsoa21": "ltla24_code",
    "lookup_lsoa11_msoa11": "ltla24_code",
    "fingertips": "area_code",
    "covid_vaccination_msoa11": "lad19cd",
    "covid_deaths_cumulative": "lad_cd",
    "deaths_monthly": "area_code",
    "cases_daily_llr": "ltla_code",
    "cases_monthly_ltla19": "ltla19_code",
    "vaccinations_ltla_age": "ltla_code",
    "nims_population_ltla_age": "ltla_code",
}


def select(name: str, codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """The rows of a shipped table for the given areas (district or council codes).

    Parameters
    ----------
    name : str
        A key of :data:`AREA_COLUMNS`.
    codes : sequence of str
        Local-authority codes, e.g. a place's district codes.

    Returns
    -------
    pandas.DataFrame
        The validated rows whose area column is one of ``codes`` (possibly none).

    Examples
    --------
    >>> len(select("covid_deaths_cumulative", ["E06000017", "E06000016"]))
    2
    """
    frame = load(name)
    return frame[frame[AREA_COLUMNS[name]].isin(list(codes))]


def missing_areas(name: str, codes: list[str] | tuple[str, ...]) -> list[str]:
    """The codes among ``codes`` that a shipped table has no row for.

    Examples
    --------
    >>> missing_areas("covid_vaccination_msoa11", ["E06000016", "E06000066"])
    ['E06000066']
    """
    present = set(load(name)[AREA_COLUMNS[name]].astype(str))
    return [c for c in codes if c not in present]


#: Boundary layers (GeoJSON, EPSG:4326) with the vintage stated on every map.
BOUNDARIES: dict[str, tuple[str, str]] = {
    "lsoa21": (
        "boundaries/england_lsoa21_bsc_simplified.geojson.zip",
        "LSOA (December 2021) super-generalised clipped boundaries, ONS",
    ),
    "lad24": (
        "boundaries/england_lad24_buc.geojson",
        "Local authority districts (May 2024) ultra-generalised boundaries, ONS",
    ),
    "msoa11": (
        "boundaries/llr_msoa11_bsc.geojson",
        "MSOA (December 2011) super-generalised clipped boundaries, ONS",
    ),
}

#: Finer-drawn subsets of a national layer, used when they contain every area asked for
#: (a choice made from the data: the national LSOA layer keeps 60 % of the vertices).
DETAILED_SUBSETS: dict[str, tuple[str, str]] = {
    "lsoa21": ("boundaries/llr_lsoa21_bsc.geojson", "lsoa21cd"),
    "lad24": ("boundaries/llr_lad24_buc.geojson", "lad24cd"),
}


def dataset(name: str) -> Dataset:
    """Return the registry entry for ``name``, or raise a clear ``KeyError``."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise KeyError(f"unknown dataset {name!r}; known datasets: {known}") from None


#: Bumped when the layout of the validated-table cache changes.
CACHE_FORMAT = "1"


@functools.cache
def _source_digest() -> str:
    """Digest of the code that reads and validates public data (and the pandas version)."""
    from importlib.metadata import version

    h = hashlib.sha256(f"{CACHE_FORMAT}:{pd.__version__}:{version('geopandas')}".encode())
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()


def _validated(path: Path, label: str, read: Callable[[], T]) -> T:
    """Read and validate a shipped file once per content: later calls unpickle the result.

    The validated object is kept in ``_build/cache/public/<label>-<key>.pickle``, keyed
    on the file's sha256 and :func:`_source_digest`, so an edited file or changed schema
    is read and validated again (and a bad file still fails with its one-line error).
    """
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # missing or unreadable: the reader reports it in one line
        return read()
    key = hashlib.sha256(f"{digest}:{_source_digest()}".encode()).hexdigest()[:32]
    cached = build_dir() / "cache" / "public" / f"{label}-{key}.pickle"
    try:
        with cached.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        pass
    value = read()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{label}-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = temp_path(cached)
        try:
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cached)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError:  # a read-only build folder only costs speed
        pass
    return value


@functools.cache
def _load_cached(name: str) -> pd.DataFrame:
    ds = dataset(name)

    def read() -> pd.DataFrame:
        frame = read_table(ds.path, ds.schema)
        return ds.prepare(frame) if ds.prepare else frame

    return _validated(ds.path, name, read)


def load(name: str) -> pd.DataFrame:
    """Read, type and validate a shipped public table.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.

    Returns
    -------
    pandas.DataFrame
        The validated table. It is read once per process; callers get their own
        (copy-on-write) frame, so changing it never changes the cache.

    Raises
    ------
    DataValidationError
        If the file is missing or breaks its schema (naming file, column and rows).
    """
    return _load_cached(name).copy(deep=False)


def _read_layer(rel: str) -> gpd.GeoDataFrame:
    path = public_data_dir() / rel
    return _validated(path, f"boundaries-{Path(rel).stem}", lambda: _read_boundaries(path))


def _read_boundaries(path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not path.is_file():
        raise DataValidationError(describe_path(path), ["file not found"])
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataValidationError(describe_path(path), [f"not readable GeoJSON ({exc})"]) from None
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise DataValidationError(describe_path(path), [f"expected EPSG:4326, found {gdf.crs}"])
    if gdf.geometry.isna().any():
        rows = gdf.index[gdf.geometry.isna()].tolist()[:5]
        raise DataValidationError(describe_path(path), [f"missing geometry at features {rows}"])
    return gdf


@functools.cache
def _boundaries_cached(rel: str) -> gpd.GeoDataFrame:
    return _read_layer(rel)


def load_boundaries(layer: str, codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Read a boundary layer (``"lsoa21"``, ``"lad24"``, ``"msoa11"``), checked.

    Parameters
    ----------
    layer
        A key of :data:`BOUNDARIES`.
    codes
        Keep only these areas. When a finer-drawn subset (:data:`DETAILED_SUBSETS`)
        contains all of them it is used instead of the national layer.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in EPSG:4326, one row per area.
    """
    if codes is not None and layer in DETAILED_SUBSETS:
        rel, column = DETAILED_SUBSETS[layer]
        subset = _boundaries_cached(rel)
        if set(codes) <= set(subset[column]):
            return subset[subset[column].isin(list(codes))].copy()
    gdf = _boundaries_cached(BOUNDARIES[layer][0])
    if codes is not None:
        column = DETAILED_SUBSETS.get(layer, ("", f"{layer}cd"))[1]
        gdf = gdf[gdf[column].isin(list(codes))]
    return gdf.copy()


def boundary_vintage(layer: str) -> str:
    """Return the boundary product and vintage to print under a map."""
    return BOUNDARIES[layer][1]


def provenance() -> list[dict[str, str]]:
    """Return title, publisher, period and file of every registered dataset (methods page)."""
    return [
        {
            "dataset": name,
            "title": d.title,
            "publisher": d.publisher,
            "period": d.period,
            "file": f"data/public/{d.file}",
        }
        for name, d in DATASETS.items()
    ]


def read_json(path: Path) -> dict:
    """Read a JSON file with a readable error."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataValidationError(describe_path(path), [f"not readable JSON ({exc})"]) from None
