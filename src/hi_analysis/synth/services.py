"""Synthetic service-use extracts: vaccinations, registers, admissions, waits, appointments.

Every generator takes the synthetic residents and the LSOA table and returns a
frame of individual records (with ``lsoa`` as a row number of the LSOA table and
``ethnicity_true``); :func:`hi_analysis.synth.generate` adds the recorded
ethnicity, identifiers and the ``is_synthetic`` flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis.data import load
from hi_analysis.data.schemas import VACCINATION_AGE_BANDS
from hi_analysis.synth._tools import dates_in_years, take, weighted_top_k

#: Relative propensity to take up vaccination by ethnic group (log scale, illustrative).
VACCINE_ETHNIC_LOGIT = {"Asian, Asian British or Asian Welsh": -0.4,
                        "Black, Black British, Black Welsh, Caribbean or African": -1.2,
                        "Mixed or Multiple ethnic groups": -0.6, "White": 0.0,
                        "Other ethnic group": -0.6}
COVID_AS_AT = pd.Timestamp("2021-07-11")
#: First-dose windows by vaccination age band (the JCVI priority order of 2020-21).
_DOSE1_WINDOWS = {
    "80+": ("2020-12-08", "2021-02-05"), "75-79": ("2021-01-10", "2021-02-12"),
    "70-74": ("2021-01-18", "2021-02-15"), "65-69": ("2021-02-08", "2021-03-10"),
    "60-64": ("2021-02-22", "2021-03-25"), "55-59": ("2021-03-01", "2021-04-10"),
    "50-54": ("2021-03-10", "2021-04-25"), "45-49": ("2021-04-13", "2021-05-20"),
    "40-44": ("2021-04-30", "2021-06-05"), "35-39": ("2021-05-13", "2021-06-20"),
    "30-34": ("2021-05-26", "2021-06-30"), "25-29": ("2021-06-08", "2021-07-05"),
    "Under 25": ("2021-06-15", "2021-07-10"),
}


def vaccination_band(age: np.ndarray) -> np.ndarray:
    """NHS England vaccination age band of each age (``None`` under 18)."""
    age = np.asarray(age)
    idx = np.clip((age - 25) // 5 + 1, 0, 12)
    out = np.array(VACCINATION_AGE_BANDS, dtype=object)[idx]
    out[age < 18] = None
    return out


def _between(start: str, end: str, n: int, rng: np.random.Generator) -> np.ndarray:
    s, e = np.datetime64(start, "D"), np.datetime64(end, "D")
    return (s + rng.integers(0, int((e - s).astype(int)) + 1, n).astype("timedelta64[D]")
            ).astype("datetime64[ns]")


def covid_vaccinations(residents: pd.DataFrame, lsoas: pd.DataFrame,
                       rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COVID-19 first and second doses to 11 July 2021, matching the real MSOA x age counts.

    Within each MSOA and age band exactly the real number of people receive a first
    (and second) dose, capped at the synthetic residents of that cell (the NHS
    counts use the GP-registered population, which in some cells exceeds the ONS
    estimate). Who is vaccinated is drawn with a propensity that falls with
    deprivation and differs by ethnic group, so within-area gradients exist.

    Returns
    -------
    records, cells : pandas.DataFrame
        The person-level records (everyone 18 and over is eligible), and the
        MSOA x band table of real and generated counts used by the tests.
    """
    band = vaccination_band(residents["age"].to_numpy())
    eligible = band != None  # noqa: E711 - elementwise comparison on an object array
    people = residents[eligible].copy()
    people["band"] = band[eligible]
    people["msoa"] = lsoas["msoa11cd"].to_numpy()[people["lsoa"].to_numpy()]
    real = load("covid_vaccination_msoa11")
    real = real[real["msoa11cd"].isin(set(people["msoa"]))]
    cell_codes, cell_index = pd.factorize(pd.MultiIndex.from_arrays(
        [people["msoa"], people["band"]]))
    residents_in_cell = np.bincount(cell_codes)
    if len(real):
        real = real.pivot_table(index=["msoa11cd", "age_band"], columns="dose",
                                values="people_vaccinated", observed=True).fillna(0)
        want1 = real["first"].reindex(cell_index).fillna(0).to_numpy().round().astype(np.int64)
        want2 = real["second"].reindex(cell_index).fillna(0).to_numpy().round().astype(np.int64)
    else:  # no published MSOA counts for this system: the national gradient
        p1, p2 = national_coverage(people["age"].to_numpy(),
                                   lsoas["imd_decile"].to_numpy()[people["lsoa"].to_numpy()])
        want1 = np.bincount(cell_codes, weights=p1).round().astype(np.int64)
        want2 = np.minimum(np.bincount(cell_codes, weights=p2).round().astype(np.int64), want1)
    k1 = np.minimum(want1, residents_in_cell)
    k2 = np.minimum(want2, k1)
    imd = lsoas["imd_decile"].to_numpy()[people["lsoa"].to_numpy()]
    logit = (0.12 * (imd - 5.5)
             + people["ethnicity"].map(VACCINE_ETHNIC_LOGIT).to_numpy(dtype=float))
    w = np.exp(logit)
    got1 = weighted_top_k(cell_codes, w, k1, rng)
    # second doses go to the earliest first-dosed (same propensity order)
    got2 = np.zeros(len(people), bool)
    idx1 = np.flatnonzero(got1)
    got2[idx1] = weighted_top_k(cell_codes[idx1], w[idx1], k2, rng)
    dose1 = np.full(len(people), np.datetime64("NaT"), dtype="datetime64[ns]")
    for b, (start, end) in _DOSE1_WINDOWS.items():
        m = got1 & (people["band"].to_numpy() == b)
        # second-dosed people were vaccinated early enough for an 8-12 week interval
        early = m & got2
        latest = max(start, min(end, "2021-06-13"))  # a second dose needs 4 weeks
        dose1[early] = _between(start, latest, early.sum(), rng)
        dose1[m & ~got2] = _between(start, end, (m & ~got2).sum(), rng)
    gap = rng.integers(56, 85, len(people)).astype("timedelta64[D]")
    dose2 = np.where(got2, np.minimum(dose1 + gap, np.datetime64(COVID_AS_AT, "ns")),
                     np.datetime64("NaT"))
    records = pd.DataFrame({
        "lsoa": people["lsoa"].to_numpy(), "age": people["age"].to_numpy(),
        "ethnicity_true": people["ethnicity"].astype(str).to_numpy(),
        "programme": "COVID-19", "season": "2020/21 primary course", "eligible": True,
        "dose1_date": dose1, "dose2_date": dose2.astype("datetime64[ns]"),
    })
    cells = pd.DataFrame({"msoa11cd": cell_index.get_level_values(0),
                          "age_band": cell_index.get_level_values(1),
                          "residents": residents_in_cell, "real_first": want1,
                          "real_second": want2,
                          "first": np.bincount(cell_codes, weights=got1).astype(int),
                          "second": np.bincount(cell_codes, weights=got2).astype(int)})
    return records, cells


#: OpenSAFELY-TPP weeks used for the national gradient: first-dose coverage at the week
#: ending nearest before 11 July 2021, and ten weeks earlier as the second-dose coverage
#: (second doses then followed the first after 8 to 12 weeks).
NATIONAL_FIRST_DOSE_WEEK = "2021-07-07"
NATIONAL_SECOND_DOSE_WEEK = "2021-04-28"
_OS_BANDS = ((18, "18-29"), (30, "30-39"), (40, "40-49"), (50, "50-54"), (55, "55-59"),
             (60, "60-64"), (65, "65-69"), (70, "70-79"), (80, "80+"))


def national_coverage(age: np.ndarray, imd_decile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's first- and second-dose probability from England's gradient (real).

    Where NHS England's MSOA counts are not shipped for a system, the synthetic
    vaccinations follow OpenSAFELY-TPP's published first-dose coverage in England by age
    band and national IMD quintile (:data:`NATIONAL_FIRST_DOSE_WEEK`); second-dose
    coverage is approximated by first-dose coverage ten weeks earlier
    (:data:`NATIONAL_SECOND_DOSE_WEEK`). Documented in ``docs/extracts.md``.

    Examples
    --------
    >>> p1, p2 = national_coverage(np.array([85, 85, 20]), np.array([1, 10, 1]))
    >>> bool(p1[1] > p1[0] > p1[2]) and bool((p2 <= p1).all())
    True
    """
    o = load("opensafely_vaccine_coverage")
    o = o[o["breakdown"] == "imd_quintile"]
    o = o[o["group"].str[0].isin(list("12345"))].assign(q=lambda d: d["group"].str[0].astype(int))
    lows = np.array([lo for lo, _ in _OS_BANDS])
    names = np.array([n for _, n in _OS_BANDS], dtype=object)
    band = names[np.clip(np.searchsorted(lows, np.asarray(age), side="right") - 1, 0, None)]
    quintile = (np.asarray(imd_decile) + 1) // 2
    out = []
    for week in (NATIONAL_FIRST_DOSE_WEEK, NATIONAL_SECOND_DOSE_WEEK):
        pct = o[o["date"].astype(str).str[:10] == week].set_index(["age_band", "q"])["pct"]
        p = pct.reindex(pd.MultiIndex.from_arrays([band, quintile])).to_numpy(float) / 100
        out.append(np.where(np.asarray(age) >= 18, np.nan_to_num(p), 0.0))
    return out[0], np.minimum(out[1], out[0])


def flu_vaccinations(residents: pd.DataFrame, lsoas: pd.DataFrame,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Influenza vaccination of everyone aged 65 and over, 2023/24 season.

    Uptake averages about 75% (the national ambition), lower in more deprived
    areas and in some ethnic groups.
    """
    people = residents[residents["age"] >= 65]
    imd = lsoas["imd_decile"].to_numpy()[people["lsoa"].to_numpy()]
    logit = (1.1 + 0.10 * (imd - 5.5)
             + people["ethnicity"].map(VACCINE_ETHNIC_LOGIT).to_numpy(dtype=float))
    got = rng.random(len(people)) < 1 / (1 + np.exp(-logit))
    dose = _between("2023-09-11", "2024-01-31", len(people), rng)
    return pd.DataFrame({
        "lsoa": people["lsoa"].to_numpy(), "age": people["age"].to_numpy(),
        "ethnicity_true": people["ethnicity"].astype(str).to_numpy(),
        "programme": "Influenza", "season": "2023/24", "eligible": True,
        "dose1_date": np.where(got, dose, np.datetime64("NaT")).astype("datetime64[ns]"),
        "dose2_date": np.full(len(people), np.datetime64("NaT"), dtype="datetime64[ns]"),
    })


# ----------------------------------------------------------------------------- registers
#: QOF code, minimum age and relative prevalence by age (logistic in age) per condition.
LTC = {
    "Hypertension": ("HYP", 0, (-6.0, 0.085)),
    "Diabetes": ("DM", 17, (-5.6, 0.055)),
    "Asthma": ("AST", 6, (-2.6, 0.0)),
    "COPD": ("COPD", 35, (-8.0, 0.075)),
    "Coronary heart disease": ("CHD", 30, (-9.5, 0.095)),
    "Depression": ("DEP", 18, (-2.0, 0.0)),
}
REGISTER_DATE = pd.Timestamp("2020-03-31")


def ltc_register(residents: pd.DataFrame, lsoas: pd.DataFrame,
                 rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long-term condition registers at 31 March 2020, matching QOF 2019/20 by IMD decile.

    For each condition and national IMD 2019 decile, exactly ``round(prevalence x
    registered)`` residents of the system's LSOAs in that decile are on the
    register, where prevalence is the England QOF 2019/20 modelled prevalence of
    that decile (House of Commons Library). Who is on it is drawn with an
    age-dependent propensity.

    Returns
    -------
    records, targets : pandas.DataFrame
        The register rows and the decile x condition table of target and generated
        prevalence used by the tests.
    """
    qof = load("qof_imd_decile").set_index(["group_code", "imd_overall"])["prevalence"]
    decile = lsoas["imd_decile"].to_numpy()[residents["lsoa"].to_numpy()].astype(int)
    age = residents["age"].to_numpy().astype(float)
    n_by_decile = np.bincount(decile, minlength=11)
    frames, checks = [], []
    for condition, (code, min_age, (a, b)) in LTC.items():
        prev = np.array([qof.get((code, d), 0.0) for d in range(11)])
        k = np.round(prev * n_by_decile).astype(np.int64)
        w = np.where(age >= min_age, 1 / (1 + np.exp(-(a + b * age))), 0.0)
        chosen = weighted_top_k(decile, w, k, rng)
        people = residents[chosen]
        frames.append(pd.DataFrame({
            "lsoa": people["lsoa"].to_numpy(), "age": people["age"].to_numpy(),
            "sex": people["sex"].astype(str).to_numpy(),
            "ethnicity_true": people["ethnicity"].astype(str).to_numpy(),
            "person_index": np.flatnonzero(chosen), "condition": condition,
            "as_at": REGISTER_DATE}))
        got = np.bincount(decile[chosen], minlength=11)
        for d in range(1, 11):
            if n_by_decile[d]:
                checks.append((condition, d, prev[d], got[d] / n_by_decile[d],
                               int(n_by_decile[d])))
    targets = pd.DataFrame(checks, columns=["condition", "imd_decile", "target_prevalence",
                                            "prevalence", "registered"])
    return pd.concat(frames, ignore_index=True), targets


# ----------------------------------------------------------------------------- admissions
def _cells(residents: pd.DataFrame) -> pd.DataFrame:
    """Residents counted by (LSOA, age capped at 95, sex, ethnicity); categorical columns."""
    cells = pd.DataFrame({"lsoa": residents["lsoa"].to_numpy(),
                          "age": np.minimum(residents["age"].to_numpy(), 95),
                          "sex": residents["sex"], "ethnicity": residents["ethnicity"]})
    cells = cells.value_counts().rename("n").reset_index()
    return cells[cells["n"] > 0].reset_index(drop=True)


def _year_factor(years: np.ndarray, shock: dict[int, float], growth: float) -> np.ndarray:
    base = np.exp(growth * (years - 2019))
    return base * np.array([shock.get(int(y), 1.0) for y in years])


def _poisson_records(cells: pd.DataFrame, rate: np.ndarray, years: np.ndarray,
                     year_factor: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    lam = cells["n"].to_numpy()[None, :] * rate[None, :] * year_factor[:, None]
    counts = rng.poisson(lam).ravel()
    cell = np.tile(np.arange(len(cells)), len(years))
    year = np.repeat(years, len(cells))
    idx = np.repeat(cell, counts)
    out = pd.DataFrame({"lsoa": cells["lsoa"].to_numpy()[idx],
                        "age": cells["age"].to_numpy()[idx],
                        "sex": take(cells["sex"], idx), "ethnicity": take(cells["ethnicity"], idx),
                        "year": np.repeat(year, counts)})
    return out


def emergency_admissions(residents: pd.DataFrame, lsoas: pd.DataFrame, years: range,
                         rng: np.random.Generator) -> pd.DataFrame:
    """Emergency admissions with a deprivation gradient and the 2020 fall in activity.

    The rate per person-year is U-shaped in age (about 0.25 in infancy, 0.05 in
    childhood, rising from 0.06 at 40 to 0.45 at 90), 60% higher in national decile 1
    than decile 10, 20% lower in 2020 and 10% lower in 2021. About a fifth of
    admissions are for ambulatory-care-sensitive conditions, more so in deprived areas.
    """
    cells = _cells(residents)
    age = cells["age"].to_numpy().astype(float)
    imd = lsoas["imd_decile"].to_numpy()[cells["lsoa"].to_numpy()]
    rate = (np.where(age < 1, 0.25, np.where(age < 16, 0.05, 0.06 * np.exp(
        np.maximum(age - 40, 0) * 0.04))) * (1 + 0.065 * (10 - imd)))
    yrs = np.array(years)
    out = _poisson_records(cells, rate, yrs, _year_factor(yrs, {2020: 0.8, 2021: 0.9}, 0.015),
                           rng)
    a = out["age"].to_numpy()
    groups = np.array(["Respiratory", "Circulatory", "Injury", "Digestive", "Mental health",
                       "Other"], dtype=object)
    mix = np.where((a < 16)[:, None], [0.35, 0.02, 0.25, 0.10, 0.03, 0.25],
                   np.where((a < 65)[:, None], [0.15, 0.10, 0.20, 0.15, 0.08, 0.32],
                            [0.25, 0.25, 0.15, 0.12, 0.03, 0.20]))
    g = (rng.random(len(out))[:, None] > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, 5)
    out["diagnosis_group"] = pd.Categorical.from_codes(g, categories=list(groups))
    imd_r = lsoas["imd_decile"].to_numpy()[out["lsoa"].to_numpy()]
    p_acsc = np.select([g == 0, g == 1, g == 3], [0.45, 0.35, 0.15], 0.05) * (
        1 + 0.04 * (10 - imd_r))
    out["acsc"] = rng.random(len(out)) < p_acsc
    out["admission_date"] = dates_in_years(out["year"].to_numpy(), rng, seasonal=True)
    return out.rename(columns={"ethnicity": "ethnicity_true"}).drop(columns=["year"])


# ----------------------------------------------------------------------------- waiting list
SPECIALTY_MIX = {"Trauma and orthopaedics": 0.18, "Ophthalmology": 0.14,
                 "General surgery": 0.12, "ENT": 0.09, "Gynaecology": 0.09, "Cardiology": 0.07,
                 "Dermatology": 0.08, "Urology": 0.07, "Other": 0.16}


def waiting_list(residents: pd.DataFrame, lsoas: pd.DataFrame, start: str, end: str,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Monthly snapshots of the elective waiting list (one row per open pathway per month).

    Referrals arrive at about 0.1 per person-year (rising with age). Before March 2020
    a pathway lasts a median of about 9 weeks. Pathways open between October 2019
    and June 2021 are paused by the pandemic (extra median 26 weeks), and recovery
    is unequal: pathways of people in the most deprived quintile and of ethnic
    minority groups wait 25% and 15% longer afterwards.
    """
    months = pd.date_range(start, end, freq="MS")
    n_months = len(months)
    cells = _cells(residents)
    age = cells["age"].to_numpy().astype(float)
    rate_month = 0.1 / 12 * (0.4 + np.minimum(age, 85) / 50)
    lam = cells["n"].to_numpy() * rate_month
    # a Poisson process per cell: total referrals, each in a uniformly chosen month
    total = rng.poisson(lam * (n_months + 12))
    cell = np.repeat(np.arange(len(cells)), total)
    start_month = rng.integers(-12, n_months, len(cell))
    first = np.datetime64(months[0].date(), "D")
    month_start = first.astype("datetime64[M]") + start_month.astype("timedelta64[M]")
    clock = (month_start.astype("datetime64[D]")
             + rng.integers(0, 28, len(cell)).astype("timedelta64[D]"))
    imd = lsoas["imd_decile"].to_numpy()[cells["lsoa"].to_numpy()[cell]]
    minority = (cells["ethnicity"] != "White").to_numpy()[cell]
    base_weeks = rng.lognormal(np.log(9), 0.7, len(cell))
    covid_window = (clock >= np.datetime64("2019-10-01")) & (clock <= np.datetime64("2021-06-30"))
    pause = np.where(covid_window, rng.lognormal(np.log(26), 0.5, len(cell)), 0.0)
    after = clock >= np.datetime64("2020-03-01")
    inequity = np.where(after, np.where(imd <= 2, 1.25, 1.0) * np.where(minority, 1.15, 1.0),
                        1.0)
    backlog = np.where(clock >= np.datetime64("2021-07-01"), 1.5, 1.0)
    weeks = (base_weeks * backlog + pause) * inequity
    stop = clock + (weeks * 7).astype("timedelta64[D]")
    # snapshots: month ends in [clock, stop)
    snap_end = (months + pd.offsets.MonthEnd(0)).to_numpy().astype("datetime64[D]")
    first_snap = np.searchsorted(snap_end, clock, side="left")
    last_snap = np.searchsorted(snap_end, stop, side="left")  # exclusive
    n_snaps = np.maximum(last_snap - first_snap, 0)
    path = np.repeat(np.arange(len(cell)), n_snaps)
    offset = np.arange(n_snaps.sum()) - np.repeat(np.cumsum(n_snaps) - n_snaps, n_snaps)
    snap = first_snap[path] + offset
    spec_names = np.array(list(SPECIALTY_MIX), dtype=object)
    spec = rng.choice(len(spec_names), size=len(cell), p=list(SPECIALTY_MIX.values()))
    prio = rng.choice(5, size=len(cell), p=[0.02, 0.08, 0.20, 0.55, 0.15])
    c = cell[path]
    waited = (snap_end[snap] - clock[path]).astype(int) // 7
    return pd.DataFrame({
        "pathway": path, "lsoa": cells["lsoa"].to_numpy()[c], "age": cells["age"].to_numpy()[c],
        "sex": take(cells["sex"], c), "ethnicity_true": take(cells["ethnicity"], c),
        "snapshot_month": months.to_numpy()[snap],
        "clock_start": clock[path].astype("datetime64[ns]"),
        "weeks_waiting": waited.astype(np.int16),
        "specialty": pd.Categorical.from_codes(spec[path], categories=list(spec_names)),
        "priority": pd.Categorical.from_codes(prio[path], categories=["P1", "P2", "P3", "P4",
                                                                       "Not recorded"]),
    })


# ----------------------------------------------------------------------------- appointments
APPOINTMENT_SAMPLE = 20  # one in twenty registered patients


def gp_appointments(residents: pd.DataFrame, lsoas: pd.DataFrame, years: range,
                    rng: np.random.Generator) -> pd.DataFrame:
    """GP appointments for a 1-in-20 sample of patients, with a digital-exclusion gradient.

    About 5 appointments per person-year (more for the very young and the old).
    The mode mix changes with the pandemic (mostly face to face before 2020, about
    half by telephone in 2020), and the chance of a video or online appointment
    falls with age and with deprivation.
    """
    sample_index = np.flatnonzero(rng.random(len(residents)) < 1 / APPOINTMENT_SAMPLE)
    sample = residents.iloc[sample_index]
    age = sample["age"].to_numpy().astype(float)
    rate = np.where(age < 5, 6.0, np.where(age < 50, 4.0, 4.0 + (age - 50) * 0.12))
    yrs = np.array(years)
    lam = rate[None, :] * _year_factor(yrs, {2020: 0.85}, 0.02)[:, None]
    counts = rng.poisson(lam).ravel()
    person = np.repeat(np.tile(np.arange(len(sample)), len(yrs)), counts)
    year = np.repeat(np.repeat(yrs, len(sample)), counts)
    p = sample.iloc[person]
    a = p["age"].to_numpy().astype(float)
    imd = lsoas["imd_decile"].to_numpy()[p["lsoa"].to_numpy()]
    # multinomial logit: face to face (reference), telephone, video, online
    era = np.select([year < 2020, year == 2020], [0, 1], 2)
    phone = np.array([-1.5, 0.1, -0.5])[era]
    video = np.array([-5.0, -3.0, -3.3])[era]
    online = np.array([-4.0, -2.8, -2.5])[era]
    digital = -0.03 * np.maximum(a - 40, 0) - 0.12 * (10 - imd)
    util = np.stack([np.zeros(len(a)), phone, video + digital, online + digital], axis=1)
    prob = np.exp(util)
    prob /= prob.sum(axis=1, keepdims=True)
    mode = (rng.random(len(a))[:, None] > np.cumsum(prob, axis=1)).sum(axis=1).clip(0, 3)
    dna = rng.random(len(a)) < 0.03 + 0.006 * (10 - imd) + np.where(a.astype(int) < 30, 0.02, 0)
    return pd.DataFrame({
        "lsoa": p["lsoa"].to_numpy(), "age": p["age"].to_numpy(),
        "ethnicity_true": p["ethnicity"].astype(str).to_numpy(),
        "person_index": sample_index[person],
        "appointment_date": dates_in_years(year, rng, seasonal=True),
        "mode": pd.Categorical.from_codes(mode, ["Face to face", "Telephone", "Video", "Online"]),
        "attendance": pd.Categorical.from_codes(dna.astype(np.int8),
                                                ["Attended", "Did not attend"]),
    })


# ----------------------------------------------------------------------------- programmes
def programme_activity(residents: pd.DataFrame, lsoas: pd.DataFrame, years: range,
                       rng: np.random.Generator) -> pd.DataFrame:
    """Activity of three programmes evaluated with logic models.

    - Hypertension case-finding (from October 2021): about 3% of people aged 40+ a
      year are checked, more in deprived areas once the programme targets them
      (from 2023); 12% of checks lead to a referral.
    - Annual health checks for people with a learning disability (0.5% of people
      aged 14+, more in deprived areas): completion rising from 55% in 2015 to 80%.
    - Physical health checks for people with serious mental illness (1% of adults,
      more in deprived areas): completion falling in 2020 and recovering.
    """
    age = residents["age"].to_numpy()
    imd = lsoas["imd_decile"].to_numpy()[residents["lsoa"].to_numpy()]
    frames = []
    yrs = np.array(years)
    # hypertension case-finding
    adults40 = np.flatnonzero(age >= 40)
    for y in yrs[yrs >= 2021]:
        share = 0.03 * (0.25 if y == 2021 else 1.0)
        boost = np.where((y >= 2023) & (imd[adults40] <= 2), 1.6, 1.0)
        who = adults40[rng.random(len(adults40)) < share * boost]
        start = "2021-10-01" if y == 2021 else f"{y}-01-01"
        frames.append(_activity(residents, who, "Hypertension case-finding",
                                _between(start, f"{y}-12-31", len(who), rng),
                                rng.choice(2, len(who), p=[0.88, 0.12]), rng))
    # LD and SMI registers (fixed for the period)
    ld = np.flatnonzero((age >= 14) & (rng.random(len(age)) < 0.005 * (1 + 0.05 * (10 - imd))))
    smi = np.flatnonzero((age >= 18) & (rng.random(len(age)) < 0.01 * (1 + 0.07 * (10 - imd))))
    for y in yrs:
        ld_rate = 0.55 + 0.025 * (y - 2015)
        smi_rate = {2020: 0.25, 2021: 0.40}.get(int(y), 0.35 + 0.02 * (y - 2015))
        for who, programme, rate in ((ld, "LD annual health check", ld_rate),
                                     (smi, "SMI physical health check", smi_rate)):
            outcome = np.where(rng.random(len(who)) < rate, 0, rng.choice([2, 3], len(who)))
            frames.append(_activity(residents, who, programme,
                                    dates_in_years(np.full(len(who), y), rng), outcome, rng))
    return pd.concat(frames, ignore_index=True)


_OUTCOMES = np.array(["Completed", "Completed and referred", "Declined", "Did not attend"],
                     dtype=object)


def _activity(residents: pd.DataFrame, who: np.ndarray, programme: str, dates: np.ndarray,
              outcome: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    p = residents.iloc[who]
    return pd.DataFrame({
        "lsoa": p["lsoa"].to_numpy(), "age": p["age"].to_numpy(),
        "sex": p["sex"].astype(str).to_numpy(),
        "ethnicity_true": p["ethnicity"].astype(str).to_numpy(),
        "person_index": who, "programme": programme, "activity_date": dates,
        "outcome": _OUTCOMES[outcome],
    })
