"""The synthetic extracts: honest labelling, determinism, and every calibration target.

The extracts are those the end-to-end build generated (its extracts folder starts
empty), so these tests share its worker (``xdist_group("e2e")``).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from hi_analysis import inequality, stats
from hi_analysis.data import load
from hi_analysis.extracts import EXTRACTS, load_extract
from hi_analysis.paths import public_data_dir
from hi_analysis.synth import ETHNICITY_COMPLETENESS
from hi_analysis.synth import targets as T
from hi_analysis.synth.services import APPOINTMENT_SAMPLE

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def folder(built_book, extracts_root):
    return extracts_root / "llr"


@pytest.fixture
def extract(folder, llr, monkeypatch):
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(folder.parent))
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = load_extract(llr, name)
        return cache[name]

    return get


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_generated_every_extract_labelled_synthetic(folder, built_book):
    assert "generating SYNTHETIC extracts" in built_book.stderr
    for name in EXTRACTS:
        path = folder / f"{name}.SYNTHETIC.parquet"
        assert path.is_file(), name
        meta = pq.read_schema(path).metadata
        assert meta[b"hi_analysis.synthetic"] == b"true"
        flags = pq.read_table(path, columns=["is_synthetic"]).column(0).to_pandas()
        assert flags.all() and len(flags) > 1000, name
    assert not list(public_data_dir().rglob("*SYNTHETIC*"))


def test_same_seed_gives_identical_files_and_another_seed_does_not(folder, cli, tmp_path):
    again = tmp_path / "extracts"
    proc = cli("synth", "--system", "llr", build_dir=tmp_path / "b", extracts_dir=again)
    assert proc.returncode == 0, proc.stderr
    for name in EXTRACTS:
        first = folder / f"{name}.SYNTHETIC.parquet"
        second = again / "llr" / f"{name}.SYNTHETIC.parquet"
        assert digest(first) == digest(second), name
        assert str(second) in proc.stdout


def test_a_different_seed_changes_the_records(llr, tmp_path, monkeypatch, folder):
    # The residents alone (the first stream) already differ with another seed.
    from hi_analysis.synth.population import build_residents, lsoa_table

    lsoas = lsoa_table(llr)
    a = build_residents(llr, lsoas, np.random.default_rng(np.random.SeedSequence(1).spawn(1)[0]))
    b = build_residents(llr, lsoas, np.random.default_rng(np.random.SeedSequence(2).spawn(1)[0]))
    assert len(a) == len(b) == 1_107_597  # the real LLR mid-2020 population
    assert (a["sex"] != b["sex"]).mean() > 0.3


def test_residents_are_the_real_population(extract):
    pop = extract("registered_population")
    real = load("population_2020_lsoa11_syoa").set_index("lsoa11cd")
    counts = pop["lsoa11cd"].astype(str).value_counts()
    assert counts.sort_index().equals(real["all_ages"].loc[counts.index].sort_index()
                                      .rename("count").astype(counts.dtype))


def _district_le(extract, llr, years):
    deaths, pop = extract("deaths"), extract("registered_population")
    out = []
    for place in llr.places:
        lsoas = inequality.place_lsoas(place, within="district")
        out.append(inequality.life_expectancy_by_quantile(deaths, pop, lsoas, years))
    return pd.concat(out), deaths, pop


def _stated(system):
    """SIIs stated in the parameters for districts with none published (LLR: Rutland)."""
    return {d.code: dict(d.sii_if_unpublished) for p in system.places for d in p.districts
            if d.sii_if_unpublished}


def test_life_expectancy_within_half_a_year_of_published(extract, llr):
    deaths, pop = extract("deaths"), extract("registered_population")
    years = list(T.LE_PERIOD[1])
    d = deaths[deaths["date_of_death"].dt.year.isin(years)]
    targets = T.mortality_targets(sorted({c for p in llr.places for c in p.district_codes}),
                                  stated=_stated(llr))
    assert len(targets) == 18
    for place in llr.places:
        lsoas = inequality.place_lsoas(place, within="district")
        dc = inequality.count_by_quantile(d, lsoas, band="life", by=["sex"], name="deaths")
        pc = inequality.count_by_quantile(pop, lsoas, band="life", by=["sex"], name="pop")
        frame = pc.merge(dc).groupby(["area", "sex", "startage"], as_index=False).sum()
        frame["py"] = frame["pop"] * len(years)
        le = stats.life_expectancy(frame, "deaths", "py", "startage", by=["area", "sex"])
        le = le[le["startage"] == 0].set_index(["area", "sex"])["value"]
        for t in targets:
            if (t.district, t.sex) in le.index:
                assert abs(le[(t.district, t.sex)] - t.life_expectancy) < 0.5, t


def test_published_sii_inside_computed_interval(extract, llr):
    le, _, _ = _district_le(extract, llr, list(T.SII_PERIOD[1]))
    fit = inequality.fit_sii(le, value_type=0, by=["area", "sex"]).set_index(["area", "sex"])
    targets = T.mortality_targets(sorted(le["area"].unique()), stated=_stated(llr))
    published = [t for t in targets if t.sii_published]
    assert len(published) == 16  # Leicester and the seven districts, by sex
    for t in published:
        row = fit.loc[(t.district, t.sex)]
        assert row["sii_lowercl"] <= t.sii <= row["sii_uppercl"], (t, row.to_dict())
    for t in targets:
        if not t.sii_published:  # Rutland: the gradient stated in its place file
            row = fit.loc[(t.district, t.sex)]
            assert t.district in _stated(llr) and row["n_quantiles"] == 5
            assert t.sii == _stated(llr)[t.district][t.sex]
            assert row["sii_lowercl"] <= t.sii <= row["sii_uppercl"]


def _iso_week(dates: pd.Series) -> pd.DataFrame:
    iso = dates.dt.isocalendar()
    return pd.DataFrame({"year": iso["year"].astype(int), "week": iso["week"].astype(int)})


def test_covid_deaths_match_real_cumulative_counts(extract):
    deaths = extract("deaths")
    covid = deaths[deaths["cause_group"] == "COVID-19"]
    assert set(covid["underlying_cause_icd10"]) == {"U07.1", "U07.2"}
    wk = _iso_week(covid["date_of_death"])
    to_w22 = (wk["year"] < 2021) | ((wk["year"] == 2021) & (wk["week"] <= 22))
    district = covid["lsoa11cd"].astype(str).map(
        load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["ltla21_code"])
    got = district[to_w22.to_numpy()].value_counts().sort_index()
    real = load("covid_deaths_cumulative").set_index("lad_cd")["deaths_covid19_cumulative"]
    real = real.loc[got.index]
    assert len(got) == 9
    assert (got.to_numpy() == real.to_numpy()).all()


def test_leicester_first_wave_is_the_real_weekly_curve(extract):
    deaths = extract("deaths")
    covid = deaths[deaths["cause_group"] == "COVID-19"]
    district = covid["lsoa11cd"].astype(str).map(
        load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["ltla21_code"])
    wk = _iso_week(covid.loc[district == "E06000016", "date_of_death"])
    first = wk[(wk["year"] == 2020) & (wk["week"] <= 39)]["week"].value_counts()
    real = load("leicester_deaths_weekly").set_index("week")["deaths_covid19"]
    got = first.reindex(real.index, fill_value=0)
    assert (got.to_numpy() == real.to_numpy()).all()
    assert real.sum() > 100


def test_covid_vaccination_matches_real_msoa_counts(extract):
    v = extract("vaccinations")
    pop = extract("registered_population")
    covid = v[v["programme"] == "COVID-19"]
    msoa = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["msoa11_code"]
    age = covid["age"].to_numpy()
    band = np.where(age < 25, "Under 25", np.where(
        age >= 80, "80+", (age // 5 * 5).astype(str) + "-" + (age // 5 * 5 + 4).astype(str)))
    cells = pd.DataFrame({"msoa11cd": covid["lsoa11cd"].astype(str).map(msoa).to_numpy(),
                          "age_band": band,
                          "first": covid["dose1_date"].notna().to_numpy(),
                          "second": covid["dose2_date"].notna().to_numpy()})
    got = cells.groupby(["msoa11cd", "age_band"])[["first", "second"]].sum()
    eligible = cells.groupby(["msoa11cd", "age_band"]).size()
    real = load("covid_vaccination_msoa11").pivot_table(
        index=["msoa11cd", "age_band"], columns="dose", values="people_vaccinated")
    real = real.reindex(got.index).fillna(0).round()
    want1 = np.minimum(real["first"], eligible)
    assert (got["first"] == want1).all()
    assert (got["second"] == np.minimum(real["second"], want1)).all()
    capped = got["first"] < real["first"]
    assert (real["first"][capped] > eligible[capped]).all()  # capped only where too few
    assert covid["dose1_date"].max() <= pd.Timestamp("2021-07-11")
    assert len(covid) == (pop["age"] >= 18).sum()


def test_ltc_prevalence_matches_qof_by_imd_decile(extract):
    reg, pop = extract("ltc_register"), extract("registered_population")
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    n = pop["lsoa11cd"].astype(str).map(imd).value_counts()
    qof = load("qof_imd_decile").set_index(["group_code", "imd_overall"])["prevalence"]
    codes = {"Hypertension": "HYP", "Diabetes": "DM", "Asthma": "AST", "COPD": "COPD",
             "Coronary heart disease": "CHD", "Depression": "DEP"}
    for condition, code in codes.items():
        on = reg[reg["condition"] == condition]["lsoa11cd"].astype(str).map(imd).value_counts()
        for decile, residents in n.items():
            prevalence = on.get(decile, 0) / residents
            assert prevalence == pytest.approx(qof[(code, decile)], abs=0.5 / residents + 1e-12)


def test_ethnicity_not_stated_rates_differ_by_service(extract):
    for name, (not_stated, missing) in ETHNICITY_COMPLETENESS.items():
        eth = extract(name)["ethnicity"]
        assert (eth == "Not stated").mean() == pytest.approx(not_stated, abs=0.01), name
        assert eth.isna().mean() == pytest.approx(missing, abs=0.01), name
    rates = {n: sum(r) for n, r in ETHNICITY_COMPLETENESS.items()}
    assert max(rates.values()) >= 2 * min(rates.values())


def test_years_cover_2015_to_the_reporting_period(extract, llr):
    for name, col in (("deaths", "date_of_death"), ("emergency_admissions", "admission_date"),
                      ("gp_appointments", "appointment_date")):
        years = set(extract(name)[col].dt.year)
        assert years == set(range(2015, llr.reporting_period.end.year + 1)), name


def test_waiting_list_pandemic_shock_and_unequal_recovery(extract):
    wl = extract("waiting_list")
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    size = wl.groupby("snapshot_month").size()
    assert size[pd.Timestamp("2021-03-01")] > 1.3 * size[pd.Timestamp("2019-03-01")]
    late = wl[wl["snapshot_month"] >= pd.Timestamp("2023-01-01")]
    quintile = (late["lsoa11cd"].astype(str).map(imd) + 1) // 2
    long_wait = (late["weeks_waiting"] >= 18).groupby(quintile.to_numpy()).mean()
    assert long_wait[1] > long_wait[5] + 0.03
    minority = late["ethnicity"].isin(["Asian, Asian British or Asian Welsh",
                                       "Black, Black British, Black Welsh, Caribbean or African"])
    white = late["ethnicity"] == "White"
    assert late.loc[minority, "weeks_waiting"].mean() > late.loc[white, "weeks_waiting"].mean()


def test_appointments_digital_exclusion_gradient(extract):
    ap = extract("gp_appointments")
    pop = extract("registered_population")
    ratio = len(set(ap["person_id"])) / len(pop)
    assert 1 / APPOINTMENT_SAMPLE * 0.85 < ratio < 1 / APPOINTMENT_SAMPLE * 1.05
    recent = ap[ap["appointment_date"].dt.year >= 2022]
    digital = recent["mode"].isin(["Video", "Online"])
    by_age = digital.groupby(recent["age"] >= 75).mean()
    assert by_age[False] > 2 * by_age[True]
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    dec = recent["lsoa11cd"].astype(str).map(imd)
    assert digital[dec <= 2].mean() < digital[dec >= 9].mean()
    mode_2019 = ap[ap["appointment_date"].dt.year == 2019]["mode"].value_counts(normalize=True)
    mode_2020 = ap[ap["appointment_date"].dt.year == 2020]["mode"].value_counts(normalize=True)
    assert mode_2020["Telephone"] > mode_2019["Telephone"] + 0.2


def test_calibration_report_written(folder):
    report = json.loads((folder / "calibration.SYNTHETIC.json").read_text("utf-8"))
    assert len(report["mortality"]) == 18
    assert report["qof_max_abs_error"] < 0.001
