"""The metric catalogue: every measure a plan may name, what it is and where it comes from.

A plan names each box of its logic model by a metric id: ``ext.<name>`` for a
monthly series of the ``programme_series`` extract (synthetic unless an analyst
supplies the real one), ``ft.<Fingertips id>`` for a real series in the shipped
Fingertips extract. A plan that names an unknown metric, or a metric the data
cannot supply for one of its places, is an error (see :mod:`.plan`).

Examples
--------
>>> METRICS["ext.htn_checks"].unit
'checks per 100 people aged 40 and over a year'
>>> METRICS["ft.91112"].real
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd


@dataclass(frozen=True)
class Metric:
    """One measure.

    Attributes
    ----------
    id : str
        ``ext.<series>`` or ``ft.<Fingertips id>``.
    label : str
        Plain-English name (sentence case, no trailing full stop).
    unit : str
        Unit of the displayed rate, e.g. ``"per 1,000 people aged 40 and over a year"``.
    scale : float
        Multiplier from events per person per month to the displayed unit
        (``ext`` metrics); 1 for Fingertips values.
    denominator : str
        Who is counted in the population (``ext`` metrics).
    series : str
        The extract's ``series`` value (``ext``) or the Fingertips indicator name (``ft``).
    frequency : str
        ``"month"``, ``"quarter"`` or ``"year"``.
    """

    id: str
    label: str
    unit: str
    scale: float
    denominator: str
    series: str
    frequency: str = "month"

    @property
    def inline(self) -> str:
        """The label for the middle of a sentence (first letter lowered unless an acronym).

        Examples
        --------
        >>> METRICS["ext.vacc_uptake"].inline, METRICS["ft.91112"].inline
        ('flu and COVID-19 vaccinations (all routes)', 'people receiving an NHS Health Check')
        """
        if self.label[:2].isupper():
            return self.label
        return self.label[0].lower() + self.label[1:]

    @property
    def real(self) -> bool:
        """Whether the metric is real published data (Fingertips)."""
        return self.id.startswith("ft.")


_PER100_40 = "per 100 people aged 40 and over a year"
_PER1000_40 = "per 1,000 people aged 40 and over a year"
_PER100_SMI = "per 100 people on the SMI register a year"
_PER100_65 = "per 100 people aged 65 and over a year"
_PER1000_65 = "per 1,000 people aged 65 and over a year"

#: Every metric a plan may name.
METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        Metric(
            "ext.htn_checks",
            "Blood-pressure checks",
            "checks " + _PER100_40,
            1200,
            "residents aged 40 and over",
            "htn_checks",
        ),
        Metric(
            "ext.htn_diagnoses",
            "New diagnoses of high blood pressure",
            "diagnoses " + _PER1000_40,
            12_000,
            "residents aged 40 and over",
            "htn_diagnoses",
        ),
        Metric(
            "ext.cvd_admissions",
            "Emergency admissions for heart attack, stroke and heart failure",
            "admissions " + _PER1000_40,
            12_000,
            "residents aged 40 and over",
            "cvd_admissions",
        ),
        Metric(
            "ext.smi_checks",
            "Completed physical health checks for people with SMI",
            "checks " + _PER100_SMI,
            1200,
            "people on the SMI register",
            "smi_checks",
        ),
        Metric(
            "ext.smi_followups",
            "Treatments started after an SMI health check",
            "treatments " + _PER100_SMI,
            1200,
            "people on the SMI register",
            "smi_followups",
        ),
        Metric(
            "ext.smi_admissions",
            "Emergency admissions of people with SMI",
            "admissions " + _PER100_SMI,
            1200,
            "people on the SMI register",
            "smi_admissions",
        ),
        Metric(
            "ext.vacc_outreach",
            "Vaccinations given by outreach teams",
            "vaccinations " + _PER100_65,
            1200,
            "residents aged 65 and over",
            "vacc_outreach",
        ),
        Metric(
            "ext.vacc_uptake",
            "Flu and COVID-19 vaccinations (all routes)",
            "vaccinations " + _PER100_65,
            1200,
            "residents aged 65 and over",
            "vacc_uptake",
        ),
        Metric(
            "ext.resp_admissions",
            "Emergency admissions for COPD and pneumonia",
            "admissions " + _PER1000_65,
            12_000,
            "residents aged 65 and over",
            "resp_admissions",
        ),
        Metric(
            "ft.91112",
            "People receiving an NHS Health Check",
            "cumulative % of the eligible population aged 40 to 74",
            1,
            "",
            "People receiving an NHS Health Check",
            "quarter",
        ),
        Metric(
            "ft.93721",
            "Under-75 mortality from causes considered preventable",
            "deaths per 100,000 people under 75 (age-standardised)",
            1,
            "",
            "Under 75 mortality rate from causes considered preventable (per 100,000 population)",
            "year",
        ),
    )
}

#: The ``programme_series`` extract's series, in a fixed order.
EXTRACT_SERIES: tuple[str, ...] = tuple(m.series for m in METRICS.values() if not m.real)


@lru_cache(maxsize=1)
def _fingertips() -> pd.DataFrame:
    from hi_analysis.data import load

    return load("fingertips")


def fingertips_rows(metric: Metric) -> pd.DataFrame:
    """The shipped Fingertips rows of a real metric (persons where split by sex)."""
    f = _fingertips()
    rows = f[f["indicator"] == metric.series]
    if rows["sex"].nunique() > 1 and (rows["sex"] == "Persons").any():
        rows = rows[rows["sex"] == "Persons"]
    return rows


def fingertips_areas(metric: Metric, codes: list[str]) -> list[str]:
    """The codes among ``codes`` (a place, else its districts) with values for the metric."""
    rows = fingertips_rows(metric)
    have = set(rows.loc[rows["value"].notna(), "area_code"])
    return [c for c in codes if c in have]


def available(metric_id: str, place_code: str, district_codes: list[str]) -> bool:
    """Whether the data can supply the metric for a place.

    ``ext`` metrics come from the system's own extract and exist for every place.
    A Fingertips metric exists for a place when the place itself, or every one of
    its districts, has values.
    """
    metric = METRICS[metric_id]
    if not metric.real:
        return True
    if fingertips_areas(metric, [place_code]):
        return True
    found = fingertips_areas(metric, district_codes)
    return (
        bool(district_codes)
        and len(found) == len(district_codes)
        and place_code not in (district_codes)
    )
