"""How access changed: GP appointment mode, and how completely ethnicity is recorded.

From the GP-appointments extract (a 1-in-20 sample of patients): the share of
appointments that were remote (telephone, video or online) and digital (video or
online) by age band and national IMD 2019 quintile, in the year before March
2020 and in later years (digital exclusion is a Core20PLUS5 priority). From every
extract: the share of records with an ethnic group recorded (seed 001 Action 6).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hi_analysis import stats
from hi_analysis.config import Place
from hi_analysis.covid._select import in_codes, lookup, recorded
from hi_analysis.data import load
from hi_analysis.geography import lsoa11_codes

#: Twelve-month periods compared (appointment dates, inclusive).
PERIODS = {
    "Before (March 2019 to February 2020)": ("2019-03-01", "2020-02-29"),
    "First pandemic year (March 2020 to February 2021)": ("2020-03-01", "2021-02-28"),
    "Latest year (2025)": ("2025-01-01", "2025-12-31"),
}
AGE_BANDS = ((0, 40, "Under 40"), (40, 65, "40 to 64"), (65, 200, "65 and over"))

#: Plain names of the services behind each extract.
SERVICES = {
    "registered_population": "GP registration",
    "gp_appointments": "GP appointments",
    "vaccinations": "Vaccinations",
    "waiting_list": "Elective waiting list",
    "deaths": "Death registrations",
}


def _age_band(age: np.ndarray) -> np.ndarray:
    out = np.empty(len(age), dtype=object)
    for lo, hi, label in AGE_BANDS:
        out[(age >= lo) & (age < hi)] = label
    return out


def modes(appointments: pd.DataFrame, place: Place) -> pd.DataFrame:
    """Share of appointments remote and digital by period and by age band or IMD quintile.

    Returns
    -------
    pandas.DataFrame
        ``period, breakdown ("Age band" or "IMD quintile"), group, measure
        ("Remote" or "Video or online"), count, appointments, value, lowercl,
        uppercl`` (%).
    """
    start = pd.Timestamp(min(s for s, _ in PERIODS.values()))
    a = appointments[(appointments["appointment_date"] >= start).to_numpy()]
    a = a[in_codes(a["lsoa11cd"], lsoa11_codes(place))]
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    mode = a["mode"]
    age = a["age"].to_numpy()
    band = np.full(len(age), -1, dtype=np.int8)
    for i, (lo, hi, _) in enumerate(AGE_BANDS):
        band[(age >= lo) & (age < hi)] = i
    records = pd.DataFrame(
        {
            "date": a["appointment_date"].to_numpy(),
            "band": band,
            "IMD quintile": (lookup(a["lsoa11cd"], (imd + 1) // 2)).astype(int),
            "Remote": (mode != "Face to face").astype(int).to_numpy(),
            "Video or online": mode.isin(["Video", "Online"]).astype(int).to_numpy(),
            "one": 1,
        }
    )
    # One pass over the records: counts by day, age band and quintile (integer keys);
    # every period and breakdown below sums these, giving the same counts as the records.
    frame = (
        records.groupby(["date", "band", "IMD quintile"], sort=False)[
            ["Remote", "Video or online", "one"]
        ]
        .sum()
        .reset_index()
    )
    labels = np.array([label for _, _, label in AGE_BANDS] + [None], dtype=object)
    frame.insert(1, "Age band", labels[frame.pop("band").to_numpy()])
    rows = []
    for period, (start, end) in PERIODS.items():
        f = frame[frame["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
        if f.empty:
            continue
        for breakdown in ("Age band", "IMD quintile"):
            for measure in ("Remote", "Video or online"):
                p = stats.proportion(f, measure, "one", by=breakdown, multiplier=100)
                rows.append(
                    p.rename(
                        columns={breakdown: "group", measure: "count", "one": "appointments"}
                    ).assign(period=period, breakdown=breakdown, measure=measure)
                )
    out = pd.concat(rows, ignore_index=True)
    return out[
        [
            "period",
            "breakdown",
            "group",
            "measure",
            "count",
            "appointments",
            "value",
            "lowercl",
            "uppercl",
        ]
    ]


def ethnicity_recording(extracts: Mapping[str, pd.DataFrame], place: Place) -> pd.DataFrame:
    """Share of records with an ethnic group recorded, by service (Wilson limits).

    A record counts as recorded when the field holds one of the five groups (not
    empty and not "Not stated").

    Returns
    -------
    pandas.DataFrame
        ``service, recorded, records, value, lowercl, uppercl`` (%), lowest first.
    """
    codes = set(lsoa11_codes(place))
    rows = []
    for name, service in SERVICES.items():
        if name not in extracts:
            continue
        e = extracts[name]
        eth = e.loc[in_codes(e["lsoa11cd"], codes), "ethnicity"]
        rows.append({"service": service, "recorded": int(recorded(eth).sum()), "records": len(eth)})
    frame = pd.DataFrame(rows)
    p = stats.proportion(frame, "recorded", "records", multiplier=100)
    return (
        p[["service", "recorded", "records", "value", "lowercl", "uppercl"]]
        .sort_values("value")
        .reset_index(drop=True)
    )
