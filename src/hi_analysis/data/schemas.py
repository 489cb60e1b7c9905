"""Pandera schemas for every shipped public file, built from a few shared rules.

Columns not named in a schema are kept but not checked; every column a
chapter uses is named here with its type and rules.
"""

from __future__ import annotations

import pandera.pandas as pa

#: Regular expressions for ONS/NHS geography codes.
CODE_PATTERNS = {
    "lsoa": r"^E01\d{6}$",
    "msoa": r"^E02\d{6}$",
    "ward": r"^E05\d{6}$",
    "lad": r"^E0[6-9]\d{6}$",
    "lad_ew": r"^[EW]0[6-9]\d{6}$",
    "utla": r"^E(06|08|09|10)\d{6}$",
    "la_any": r"^E(06|07|08|09|10)\d{6}$",
    "area": r"^E(05|06|07|08|09|10|12|92)\d{6}$",
    "icb": r"^E54\d{6}$",
    "sub_icb": r"^E38\d{6}$",
    "practice": r"^[A-Z]\d{5}$",
}

#: Census 2021 high-level ethnic groups (TS021, five groups).
ETHNIC_GROUPS_5 = (
    "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "White",
    "Other ethnic group",
)

#: Fingertips comparison categories found in the extracts.
FINGERTIPS_COMPARISONS = (
    "Better",
    "Similar",
    "Worse",
    "Not compared",
    "Higher 99.8",
    "Lower 99.8",
    "Higher",
    "Lower",
)

#: Five-year age bands of the mid-2020 population files.
AGE_BANDS_5YR = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85+",
)


def code(kind: str, *, nullable: bool = False, unique: bool = False) -> pa.Column:
    """Return a column rule for a geography code of ``kind`` (see :data:`CODE_PATTERNS`)."""
    return pa.Column(
        str,
        pa.Check.str_matches(CODE_PATTERNS[kind]),
        nullable=nullable,
        unique=unique,
        coerce=True,
    )


def text(*, nullable: bool = False) -> pa.Column:
    """Return a rule for a free-text column."""
    return pa.Column(str, nullable=nullable, coerce=True)


def count(*, nullable: bool = False, dtype: str = "int64") -> pa.Column:
    """Return a rule for a non-negative count."""
    return pa.Column(dtype, pa.Check.ge(0), nullable=nullable, coerce=True)


def number(
    *, nullable: bool = False, ge: float | None = None, le: float | None = None
) -> pa.Column:
    """Return a rule for a real number, optionally bounded."""
    checks = []
    if ge is not None:
        checks.append(pa.Check.ge(ge))
    if le is not None:
        checks.append(pa.Check.le(le))
    return pa.Column("float64", checks, nullable=nullable, coerce=True)


def category(values: tuple[str, ...] | list[str], *, nullable: bool = False) -> pa.Column:
    """Return a rule for a categorical column with known values."""
    return pa.Column(str, pa.Check.isin(list(values)), nullable=nullable, coerce=True)


def decile(*, nullable: bool = False) -> pa.Column:
    """Return a rule for a national decile (1 = most deprived ... 10)."""
    return pa.Column("int64", pa.Check.in_range(1, 10), nullable=nullable, coerce=True)


def schema(columns: dict[str, pa.Column], *, unique: list[str] | None = None) -> pa.DataFrameSchema:
    """Assemble a frame schema; ``unique`` names the key columns."""
    return pa.DataFrameSchema(columns, unique=unique, strict=False, coerce=True)


_DOMAIN_DECILES_2019 = (
    "income",
    "employment",
    "education",
    "health",
    "crime",
    "barriers",
    "living_env",
)

IMD2019_LSOA11 = schema(
    {
        "lsoa11cd": code("lsoa"),
        "lsoa11nm": text(),
        "lad19cd": code("lad"),
        "lad19nm": text(),
        "utla19cd": code("utla"),
        "imd_score": number(ge=0),
        "imd_rank": count(),
        "imd_decile": decile(),
        **{f"{d}_decile": decile() for d in _DOMAIN_DECILES_2019},
        "pop_total_mid2015": count(),
    },
    unique=["lsoa11cd"],
)

IMD2025_LSOA21 = schema(
    {
        "lsoa21cd": code("lsoa"),
        "lsoa21nm": text(),
        "lad24cd": code("lad"),
        "lad24nm": text(),
        "utla23cd": code("utla"),
        "imd_score": number(ge=0),
        "imd_rank": count(),
        "imd_decile": decile(),
        **{
            f"{d}_decile": decile()
            for d in (
                "income",
                "employment",
                "education",
                "health",
                "crime",
                "housing_and_services",
                "environment",
            )
        },
    },
    unique=["lsoa21cd"],
)

POPULATION_2020_LSOA11_5YR = schema(
    {
        "lsoa11cd": code("lsoa"),
        "lsoa11nm": text(),
        "all_ages": count(),
        **{f"age_{b.replace('-', '_').replace('+', 'plus')}": count() for b in AGE_BANDS_5YR},
    },
    unique=["lsoa11cd"],
)

CENSUS2021_AGE_SEX_LAD = schema(
    {
        "ltla21_code": code("lad"),
        **{
            c: count()
            for c in (
                "total_population",
                "total_females",
                "total_males",
                "younger_females",
                "working_age_females",
                "older_females",
                "younger_males",
                "working_age_males",
                "older_males",
            )
        },
    },
    unique=["ltla21_code"],
)

ETHNICITY_LSOA21 = schema(
    {
        "lsoa21cd": code("lsoa"),
        "lad24cd": code("lad"),
        "all_usual_residents": count(),
        "ethnic_group_5": category(ETHNIC_GROUPS_5),
        "persons": count(),
        "prop": number(ge=0, le=1),
    },
    unique=["lsoa21cd", "ethnic_group_5"],
)

ETHNICITY_DETAILED_LAD = schema(
    {
        "lad21cd": code("area"),
        "lad21nm": text(),
        "ethnic_group_19": text(),
        "persons": count(dtype="float64"),
        "prop": number(ge=0, le=1),
    },
    unique=["lad21cd", "ethnic_group_19"],
)

FINGERTIPS = schema(
    {
        "indicator": text(),
        "measure": text(),
        "unit": text(nullable=True),
        "sex": category(("Male", "Female", "Persons")),
        "breakdown": text(nullable=True),
        "area_code": code("area"),
        "area_name": text(),
        "area_type": category(
            ("Country", "Region", "County", "UA", "District", "Electoral Wards (2024)")
        ),
        "period": text(),
        "value": number(nullable=True),
        "compared_to_England": category(FINGERTIPS_COMPARISONS, nullable=True),
    },
    unique=["indicator", "sex", "breakdown", "area_code", "period"],
)

QOF_LAD = schema(
    {
        "lad_code": code("lad_ew"),  # England and Wales
        "lad_name": text(),
        "group_code": text(),
        "register": number(ge=0),
        "list": number(ge=0),
        "prevalence": number(ge=0, le=1),
    },
    unique=["lad_code", "group_code"],
)

QOF_IMD_DECILE = schema(
    {
        # National IMD 2019 decile of the patients' LSOA; the file adds a "Wales" row per condition.
        "imd_overall": category([str(d) for d in range(1, 11)] + ["Wales"]),
        "group_code": text(),
        "register": number(ge=0),
        "list": number(ge=0),
        "prevalence": number(ge=0, le=1),
    },
    unique=["imd_overall", "group_code"],
)

GP_PRACTICES = schema(
    {
        "CCG Code": pa.Column(
            str, pa.Check.str_matches(r"^(?:[0-9A-Z]{3}|[0-9A-Z]{5})$"), coerce=True
        ),
        "PCN Code": text(),
        "Practice Code": code("practice"),
        "Practice Name": text(),
        "Practice Postcode": pa.Column(
            str, pa.Check.str_matches(r"^[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}$"), coerce=True
        ),
        "Practice Rurality": category(("Urban", "Rural"), nullable=True),
        "Number of Registered Patients (Last Known Figure)": count(dtype="float64"),
        "Number of Weighted Patients (Last Known Figure)": number(ge=0),
        # Negative for a few practices that closed in the year (recovered payments).
        "Average payments per registered patient": number(),
        "Total QOF Payments": number(),
        "practice_imd_score_2019": number(ge=0, nullable=True),
    },
    unique=["Practice Code"],
)

LOOKUP_LSOA11_LSOA21 = schema(
    {
        "lsoa11_code": code("lsoa"),
        "lsoa21_code": code("lsoa"),
        "change_code": category(("U", "S", "M", "X")),
        "ltla22_code": code("lad"),
    },
    unique=["lsoa11_code", "lsoa21_code"],
)

LOOKUP_LSOA21 = schema(
    {
        "lsoa21_code": code("lsoa"),
        "lsoa21_name": text(),
        "ward24_code": code("ward"),
        "ward24_name": text(),
        "ltla24_code": code("lad"),
        "ltla24_name": text(),
        "utla23_code": code("utla"),
        "icb24_code": code("icb"),
    },
    unique=["lsoa21_code"],
)


#: Single-year-of-age columns of the LLR mid-2020 population file.
SYOA_COLUMNS = tuple([f"age_{a}" for a in range(90)] + ["age_90plus"])

POPULATION_2020_LSOA11_SYOA = schema(
    {
        "lsoa11cd": code("lsoa"),
        "lsoa11nm": text(),
        "lad21cd": code("lad"),
        "lad24cd": code("lad"),
        "all_ages": count(),
        **{c: count() for c in SYOA_COLUMNS},
    },
    unique=["lsoa11cd"],
)

LOOKUP_LSOA11_MSOA11 = schema(
    {
        "lsoa11_code": code("lsoa"),
        "ltla21_code": code("lad"),
        "ltla24_code": code("lad"),
        "msoa11_code": code("msoa"),
        "utla23_code": code("utla"),
        "icb22_code": code("icb"),
    },
    unique=["lsoa11_code"],
)

#: Vaccination age bands of the NHS England MSOA table (``Under 25`` means 18-24).
VACCINATION_AGE_BANDS = (
    "Under 25", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64",
    "65-69", "70-74", "75-79", "80+",
)

COVID_VACCINATION_MSOA11 = schema(
    {
        "as_at": pa.Column("datetime64[ns]", coerce=True),
        "lad19cd": code("lad"),
        "msoa11cd": code("msoa"),
        "dose": category(("first", "second")),
        "age_band": category(VACCINATION_AGE_BANDS),
        "people_vaccinated": count(nullable=True, dtype="float64"),
        "pop_ons_mid2020": count(),
    },
    unique=["msoa11cd", "dose", "age_band"],
)

COVID_DEATHS_CUMULATIVE_LAD = schema(
    {
        "lad_cd": code("lad"),
        "lad_nm": text(),
        "deaths_all_causes_cumulative": count(),
        "deaths_covid19_cumulative": count(),
        "cumulative_to": text(),
    },
    unique=["lad_cd"],
)

DEATHS_WEEKLY_LAD = schema(
    {
        "lad_cd": code("lad"),
        "year": pa.Column("int64", pa.Check.in_range(2000, 2100), coerce=True),
        "week": pa.Column("int64", pa.Check.in_range(1, 53), coerce=True),
        "deaths_all_causes": count(),
        "deaths_covid19": count(),
    },
    unique=["lad_cd", "year", "week"],
)

# ----------------------------------------------------------------------------- COVID-19 chapter
#: Areas of the monthly registered-deaths file (England and the LLR councils and districts).
MONTHLY_DEATHS_AREA_TYPES = ("country", "county", "district", "unitary authority")

DEATHS_MONTHLY_LA = schema(
    {
        "area_code": pa.Column(str, pa.Check.str_matches(r"^E(06|07|10|92)\d{6}$"), coerce=True),
        "area_name": text(),
        "area_type": category(MONTHLY_DEATHS_AREA_TYPES),
        "year": pa.Column("int64", pa.Check.in_range(2015, 2100), coerce=True),
        "month": pa.Column("int64", pa.Check.in_range(1, 12), coerce=True),
        "deaths": count(),
    },
    unique=["area_code", "year", "month"],
)

CASES_DAILY_LTLA = schema(
    {
        "ltla_code": code("lad"),
        "ltla_name": text(),
        "date": pa.Column("datetime64[ns]", coerce=True),
        "cases": count(),
        "population_2019": number(ge=1),
    },
    unique=["ltla_code", "date"],
)

CASES_DAILY_ENGLAND = schema(
    {
        "date": pa.Column("datetime64[ns]", coerce=True),
        "cases_england_sum_of_ltlas": count(),
    },
    unique=["date"],
)

CASES_MONTHLY_LTLA19 = schema(
    {
        "ltla19_code": code("lad"),
        "ltla19_name": text(),
        "month": pa.Column(str, pa.Check.str_matches(r"^20\d{2}-(0[1-9]|1[0-2])$"), coerce=True),
        "cases": count(),
        "population_2019": number(ge=1),
    },
    unique=["ltla19_code", "month"],
)

COVID_DEATHS_MSOA11 = schema(
    {
        "msoa11_code": code("msoa"),
        "region": text(),
        "crude_rate_per_100k_mid2019": number(ge=0),
        "covid_deaths_mar_dec_2020": count(),
        "msoa_imd2019_score": number(ge=0),
        "llr_ltla_code": code("lad", nullable=True),
    },
    unique=["msoa11_code"],
)

#: Age bands of the NHS England LTLA vaccination snapshots (they change between releases).
NHSE_VACCINATION_BANDS = (
    "Under 25", "Under 40", "Under 55", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
    "55-59", "60-64", "65-69", "70-74", "75-79", "80+",
)

VACCINATIONS_LTLA_AGE = schema(
    {
        "publication_date": pa.Column("datetime64[ns]", coerce=True),
        "vaccinations_up_to": pa.Column("datetime64[ns]", coerce=True),
        "ltla_code": code("lad"),
        "ltla_name": text(),
        "dose": category(("1st", "2nd")),
        "age_band": category(NHSE_VACCINATION_BANDS),
        "people": count(),
    },
    unique=["publication_date", "ltla_code", "dose", "age_band"],
)

NIMS_POPULATION_LTLA_AGE = schema(
    {
        "utla_code": code("utla"),
        "ltla_code": code("lad"),
        "ltla_name": text(),
        "population_nims": count(),
        "age_band": category(("Under 16", "16+", "16-24", "25-29", "30-34", "35-39", "40-44",
                              "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79",
                              "80+")),
    },
    unique=["ltla_code", "age_band"],
)

OPENSAFELY_VACCINE_COVERAGE = schema(
    {
        "breakdown": category(("imd_quintile", "ethnicity_6")),
        "group": category(("1 Most deprived", "2", "3", "4", "5 Least deprived", "Unknown",
                           "White", "South Asian", "Black", "Mixed", "Other")),
        "age_band": category(("18-29", "30-39", "40-49", "50-54", "55-59", "60-64", "65-69",
                              "70-79", "80+")),
        "date": pa.Column("datetime64[ns]", coerce=True),
        "vaccinated_cum": count(),
        "population": count(),
        "pct": number(ge=0, le=100),
    },
    unique=["breakdown", "group", "age_band", "date"],
)
