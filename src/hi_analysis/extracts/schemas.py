"""The contract for record-level extracts: one schema per extract.

Every extract has one row per record, a pseudonymised ``person_id``, the 2011
LSOA of residence (``lsoa11cd``: the geography of the ONS population
denominators and IMD 2019), age in whole years, and the dates of the events.
Ethnicity uses the five Census 2021 high-level groups plus ``Not stated``;
a missing value means the field was empty in the source system. Each extract
also carries ``is_synthetic``. The human-readable version of these schemas is
``docs/extracts.md``; the two must agree (a test checks the column lists).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from hi_analysis.data.schemas import ETHNIC_GROUPS_5

#: Recorded ethnicity categories (Census 2021 high-level groups plus "Not stated").
ETHNICITY = (*ETHNIC_GROUPS_5, "Not stated")
SEX = ("Female", "Male")
CAUSE_GROUPS = ("Circulatory", "Cancer", "Respiratory", "COVID-19", "External causes", "Other")
DIAGNOSIS_GROUPS = ("Respiratory", "Circulatory", "Injury", "Digestive", "Mental health",
                    "Other")
SPECIALTIES = ("Trauma and orthopaedics", "Ophthalmology", "General surgery", "ENT",
               "Gynaecology", "Cardiology", "Dermatology", "Urology", "Other")
PRIORITIES = ("P1", "P2", "P3", "P4", "Not recorded")
PROGRAMMES_VACCINATION = ("COVID-19", "Influenza")
APPOINTMENT_MODES = ("Face to face", "Telephone", "Video", "Online")
ATTENDANCE = ("Attended", "Did not attend")
ACTIVITY_PROGRAMMES = ("Hypertension case-finding", "LD annual health check",
                       "SMI physical health check")
ACTIVITY_OUTCOMES = ("Completed", "Completed and referred", "Declined", "Did not attend")
#: Monthly series of the illustrative logic-model programmes (``programme_series``).
PROGRAMME_SERIES = ("htn_checks", "htn_diagnoses", "cvd_admissions", "smi_checks",
                    "smi_followups", "smi_admissions", "vacc_outreach", "vacc_uptake",
                    "resp_admissions")
CONDITIONS = ("Hypertension", "Diabetes", "Asthma", "COPD", "Coronary heart disease",
              "Depression")


def _cat(values: tuple[str, ...], *, nullable: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.isin(list(values)), nullable=nullable, coerce=True)


def _id() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(r"^[A-Z]{1,3}[0-9A-F]{6,16}$"), coerce=True)


def _date(nullable: bool = False) -> pa.Column:
    return pa.Column("datetime64[ns]", nullable=nullable, coerce=True)


def _age() -> pa.Column:
    return pa.Column("int16", [pa.Check.ge(0), pa.Check.le(120)], coerce=True)


def _flag() -> pa.Column:
    return pa.Column(bool, coerce=True)


COMMON = {
    "person_id": _id(),
    "lsoa11cd": pa.Column(str, pa.Check.str_matches(r"^E01\d{6}$"), coerce=True),
    "age": _age(),
    "ethnicity": _cat(ETHNICITY, nullable=True),
    "is_synthetic": _flag(),
}
SEX_COLUMN = {"sex": _cat(SEX)}


@dataclass(frozen=True)
class ExtractSpec:
    """One extract: its schema, key, date columns and a description for the docs."""

    name: str
    schema: pa.DataFrameSchema
    key: tuple[str, ...]
    dates: tuple[str, ...]
    description: str


def _spec(name: str, columns: dict, key: tuple[str, ...], dates: tuple[str, ...],
          description: str) -> ExtractSpec:
    schema = pa.DataFrameSchema(columns, strict=False, coerce=True, unique=list(key))
    return ExtractSpec(name, schema, key, dates, description)


EXTRACTS: dict[str, ExtractSpec] = {
    "registered_population": _spec(
        "registered_population",
        {**COMMON, **SEX_COLUMN},
        ("person_id",), (),
        "Everyone registered with a practice in the system (the denominator for "
        "ethnicity-specific rates), one row per person.",
    ),
    "deaths": _spec(
        "deaths",
        {**COMMON, **SEX_COLUMN, "date_of_death": _date(),
         "cause_group": _cat(CAUSE_GROUPS),
         "underlying_cause_icd10": pa.Column(str, pa.Check.str_matches(
             r"^[A-Z]\d{2}(\.\d)?$"), coerce=True),
         "premature": _flag(), "avoidable": _flag()},
        ("person_id",), ("date_of_death",),
        "Registered deaths of residents: date of death, underlying cause group (COVID-19 "
        "is ICD-10 U07.1 or U07.2), and whether the death was premature (under 75) and "
        "avoidable (ONS/OHID avoidable mortality definition, approximated by cause).",
    ),
    "emergency_admissions": _spec(
        "emergency_admissions",
        {**COMMON, **SEX_COLUMN, "spell_id": _id(), "admission_date": _date(),
         "diagnosis_group": _cat(DIAGNOSIS_GROUPS), "acsc": _flag()},
        ("spell_id",), ("admission_date",),
        "Emergency hospital admissions (spells) of residents, with a flag for "
        "ambulatory-care-sensitive conditions (ACSC).",
    ),
    "waiting_list": _spec(
        "waiting_list",
        {**COMMON, **SEX_COLUMN, "snapshot_month": _date(), "pathway_id": _id(),
         "specialty": _cat(SPECIALTIES), "clock_start": _date(),
         "weeks_waiting": pa.Column("int16", pa.Check.ge(0), coerce=True),
         "priority": _cat(PRIORITIES)},
        ("snapshot_month", "pathway_id"), ("snapshot_month", "clock_start"),
        "Elective (referral-to-treatment) waiting list, one row per open pathway per monthly "
        "snapshot (taken on the last day of the month, dated the first of the month).",
    ),
    "vaccinations": _spec(
        "vaccinations",
        {**COMMON, "programme": _cat(PROGRAMMES_VACCINATION),
         "season": pa.Column(str, coerce=True), "eligible": _flag(),
         "dose1_date": _date(nullable=True), "dose2_date": _date(nullable=True)},
        ("person_id", "programme", "season"), ("dose1_date", "dose2_date"),
        "One row per eligible person per programme and season, with the dates of the doses "
        "received (empty if not vaccinated).",
    ),
    "gp_appointments": _spec(
        "gp_appointments",
        {**COMMON, "appointment_id": _id(), "appointment_date": _date(),
         "mode": _cat(APPOINTMENT_MODES), "attendance": _cat(ATTENDANCE)},
        ("appointment_id",), ("appointment_date",),
        "General-practice appointments for a 1-in-20 random sample of registered patients "
        "(the sampling fraction is in docs/extracts.md).",
    ),
    "programme_activity": _spec(
        "programme_activity",
        {**COMMON, **SEX_COLUMN, "activity_id": _id(), "activity_date": _date(),
         "programme": _cat(ACTIVITY_PROGRAMMES), "outcome": _cat(ACTIVITY_OUTCOMES)},
        ("activity_id",), ("activity_date",),
        "Activity of programmes evaluated with logic models: hypertension case-finding "
        "checks, and annual health checks for people with a learning disability (LD) or "
        "serious mental illness (SMI).",
    ),
    "ltc_register": _spec(
        "ltc_register",
        {**COMMON, **SEX_COLUMN, "condition": _cat(CONDITIONS), "as_at": _date()},
        ("person_id", "condition"), ("as_at",),
        "Long-term condition registers in general practice (one row per person and "
        "condition on the register at the snapshot date).",
    ),
    "programme_series": _spec(
        "programme_series",
        {"lsoa11cd": pa.Column(str, pa.Check.str_matches(r"^E01\d{6}$"), coerce=True),
         "month": _date(),
         "series": _cat(PROGRAMME_SERIES),
         "events": pa.Column("int64", pa.Check.ge(0), coerce=True),
         "population": pa.Column("int64", pa.Check.ge(0), coerce=True),
         "is_synthetic": _flag()},
        ("lsoa11cd", "month", "series"), ("month",),
        "Monthly counts per neighbourhood of the logic-model programmes' activity, early "
        "(proxy) measures and outcomes, with the population at risk (one row per LSOA, "
        "month and series).",
    ),
}
