"""The COVID-19 chapter for any English system: each section's data decision and fallback.

Decisions are made from which areas a shipped table covers, never from a place's name;
these tests build the cases on constructed tables (known answers) and check the shipped
data's own coverage (LLR has every local table, Shropshire, Telford and Wrekin none).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from hi_analysis import narrative
from hi_analysis.config import load_system
from hi_analysis.covid import cases, chapter, excess
from hi_analysis.covid import text as say
from hi_analysis.covid.chapter import CovidChapter
from hi_analysis.national.init import supported_chapters

STW = "shropshire-telford-and-wrekin"


def _chapter(**fields) -> CovidChapter:
    """A chapter with only the given fields set (the rest None): enough for one sentence."""
    base = {f.name: None for f in dataclasses.fields(CovidChapter)}
    base.update(available={}, extra={})
    base.update(fields)
    return CovidChapter(**base)


# ----------------------------------------------------------------------------- coverage
def test_sources_are_decided_from_the_shipped_tables():
    llr, stw = load_system("llr"), load_system(STW)
    for place in llr.places:  # every local table was obtained for LLR
        assert all(chapter.sources(llr, place).values())
    for place in stw.places:  # none for STW except the national monthly cases
        assert chapter.sources(stw, place) == {
            "excess": False,
            "daily_cases": False,
            "monthly_cases": True,
            "district_vaccination": False,
            "msoa_vaccination": False,
        }


def test_has_monthly_needs_every_council_and_the_places_districts(monkeypatch):
    from hi_analysis.data import public

    stw = load_system(STW)
    codes = [p.code for p in stw.places]
    shipped = pd.DataFrame({"area_code": ["E92000001", *codes]})
    monkeypatch.setattr(public, "load", lambda name: shipped)
    assert excess.has_monthly(stw, stw.places[0])
    shipped2 = pd.DataFrame({"area_code": ["E92000001", codes[0]]})
    monkeypatch.setattr(public, "load", lambda name: shipped2)
    assert not excess.has_monthly(stw, stw.places[0])  # one council missing: no system excess


def test_cumulative_table_sums_districts_with_wilson_limits(monkeypatch):
    llr = load_system("llr")
    county = llr.place("leicestershire")
    rows = {d: (1000 + 10 * i, 100 + i) for i, d in enumerate(county.district_codes)}
    rows |= {"E06000016": (3000, 500), "E06000017": (400, 20), "E09000001": (50_000, 7_000)}
    frame = pd.DataFrame(
        {
            "lad_cd": list(rows),
            "deaths_all_causes_cumulative": [v[0] for v in rows.values()],
            "deaths_covid19_cumulative": [v[1] for v in rows.values()],
        }
    )
    monkeypatch.setattr(excess, "load", lambda name: frame)
    t = excess.cumulative_table(llr, county).set_index("kind")
    n = sum(rows[d][0] for d in county.district_codes)
    x = sum(rows[d][1] for d in county.district_codes)
    place = t.loc["place"]
    assert (place["deaths_all"], place["deaths_covid"]) == (n, x)
    lo, hi = proportion_confint(x, n, method="wilson")
    assert place["value"] == pytest.approx(100 * x / n)
    assert (place["lowercl"], place["uppercl"]) == (
        pytest.approx(100 * lo),
        pytest.approx(100 * hi),
    )
    england = t.loc["england"]  # England is every district of the table
    assert england["deaths_all"] == sum(v[0] for v in rows.values())
    assert t.loc["system", "deaths_covid"] == x + 500 + 20
    assert list(t.index).count("district") == 7


def test_cumulative_table_names_a_missing_district(monkeypatch):
    llr = load_system("llr")
    present = [d for p in llr.places for d in p.district_codes if d != "E06000017"]
    frame = pd.DataFrame(
        {"lad_cd": present, "deaths_all_causes_cumulative": 1, "deaths_covid19_cumulative": 0}
    )
    monkeypatch.setattr(excess, "load", lambda name: frame)
    with pytest.raises(ValueError, match=r"\['E06000017'\]"):
        excess.cumulative_table(llr, llr.place("rutland"))


# ----------------------------------------------------------------------------- cases
def test_merged_districts_take_their_2019_predecessors_cases():
    north = load_system("northamptonshire").place("north-northamptonshire")
    to24 = cases.ltla19_of(north)
    assert set(to24) == {"E07000150", "E07000152", "E07000153", "E07000156"}
    assert set(to24.values()) == {"E06000061"}
    monthly = cases.monthly_cases(north)
    from hi_analysis.data import load

    raw = load("cases_monthly_ltla19")
    raw = raw[raw["ltla19_code"].isin(list(to24)) & (raw["month"] == "2021-01")]
    got = monthly.loc[monthly["month"] == "2021-01", "cases"].sum()
    assert got == raw["cases"].sum() > 0
    assert cases.has_monthly(north)


def test_monthly_and_daily_cases_give_the_same_wave_ratios(monkeypatch):
    """The waves are whole months: the national monthly table reproduces the daily one."""
    place = load_system("llr").place("leicestershire")
    daily = cases.wave_ratios(place)
    monkeypatch.setattr(cases, "has_daily", lambda p: False)
    monthly = cases.wave_ratios(place)
    assert daily[["wave", "area"]].equals(monthly[["wave", "area"]])
    np.testing.assert_allclose(monthly["ratio"], daily["ratio"], rtol=1e-12)


def test_the_local_lockdown_is_named_only_where_it_happened():
    llr, stw = load_system("llr"), load_system(STW)
    assert cases.in_lockdown(llr.place("leicester"))
    assert not cases.in_lockdown(llr.place("rutland"))
    assert not any(cases.in_lockdown(p) for p in stw.places)
    assert "Leicester" not in cases.lockdown_wave(stw.places[0])


# ----------------------------------------------------------------------------- sentences
def _cumulative() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["Somewhere", "England"],
            "kind": ["place", "england"],
            "deaths_all": [1000.0, 100_000.0],
            "deaths_covid": [100.0, 15_000.0],
            "value": [10.0, 15.0],
            "lowercl": [8.3, 14.8],
            "uppercl": [12.0, 15.2],
        }
    )


def _stub_system(name: str = "Somewhere") -> object:
    sys_ = load_system(STW).model_copy(update={"short_name": "SYS"})
    place = sys_.places[0].model_copy(update={"name": name})
    return sys_, place


def test_excess_fallback_states_the_gap_and_labels_england():
    system, place = _stub_system()
    periods = pd.DataFrame(
        {
            "period": ["March 2020 to December 2021"],
            "excess": [100_000.0],
            "excess_lower": [90_000.0],
            "excess_upper": [110_000.0],
            "percent": [12.0],
        }
    )
    ch = _chapter(system=system, place=place, cumulative=_cumulative(), england_periods=periods)
    text = say.excess_missing_text(ch)
    assert text.startswith("**Not shipped for Somewhere.**")
    assert "For England, about 100,000 more people died" in text
    assert "**10.0% involved COVID-19** (95% CI 8.3 to 12.0), against 15.0% in England" in text
    assert "smaller share than in England" in say.cumulative_headline(ch)


def test_vaccination_fallback_names_what_is_missing_and_the_national_figure():
    system, place = _stub_system()
    ch = _chapter(system=system, place=place, place_coverage=None, msoa_gradient=None)
    text = say.vaccination_missing_text(ch)
    assert "not all of SYS's" in text and "not Somewhere" in text
    assert "OpenSAFELY, real" in text and "England's figure, not a local one" in text
    ch2 = _chapter(system=system, place=place, place_coverage=pd.DataFrame(), msoa_gradient=1)
    assert say.vaccination_missing_text(ch2) == ""  # nothing missing: nothing said
    ch.available["msoa_vaccination"] = False
    assert "OpenSAFELY" in say.synthetic_vaccination_label(ch)


def _ratios(adj: tuple[float, float, float], crude: tuple[float, float, float]) -> pd.DataFrame:
    rows = []
    for model, (r, lo, hi) in (("crude", crude), ("age-adjusted", adj)):
        rows.append({"model": model, "quintile": 1, "ratio": r, "lower": lo, "upper": hi})
    return pd.DataFrame(rows)


def _quintiles(older1: float, older5: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"quintile": [1, 5], "value": [60.0, 100.0], "share_older": [older1, older5]}
    )


def test_deprivation_sentence_follows_the_interval_not_a_fixed_story():
    system, place = _stub_system()
    higher = _chapter(
        system=system,
        place=place,
        rate_ratios=_ratios((1.95, 1.33, 2.87), (1.18, 0.86, 1.63)),
        quintiles=_quintiles(0.08, 0.17),
    )
    text = say.deprivation_sentence(higher)
    assert "**1.95 times as common in SYS's most deprived" in text and "much younger" in text
    unclear = _chapter(
        system=system,
        place=place,
        rate_ratios=_ratios((0.77, 0.47, 1.25), (0.63, 0.41, 0.98)),
        quintiles=_quintiles(0.11, 0.18),
    )
    text = say.deprivation_sentence(unclear)
    assert "not clearly different" in text and "hit far harder" not in text
    lower = _chapter(
        system=system,
        place=place,
        rate_ratios=_ratios((0.6, 0.5, 0.7), (0.5, 0.4, 0.6)),
        quintiles=_quintiles(0.2, 0.1),
    )
    assert "less common in SYS's most deprived" in say.deprivation_sentence(lower)
    assert "lowers" not in say.deprivation_headline(lower)  # 0.5 -> 0.6 is a rise


def test_key_results_without_local_tables_give_only_labelled_figures():
    system, place = _stub_system()
    ch = _chapter(
        system=system,
        place=place,
        cumulative=_cumulative(),
        synthetic={"waiting_list": True},
        rate_ratios=_ratios((0.77, 0.47, 1.25), (0.63, 0.41, 0.98)).assign(dispersion=1.0),
        long_wait_ratios=pd.DataFrame({"ratio": [np.nan]}),
        gap_change={"did": 1.0, "lower": 0.0, "upper": 2.0},
        recording=pd.DataFrame(columns=["service", "value", "lowercl", "uppercl"]),
    )
    ids = [k.id for k in chapter.key_results(ch)]
    assert ids[0] == "covid_share_of_deaths_to_2021w22"
    assert not any(i.startswith(("excess_", "first_dose_", "vaccination_msoa")) for i in ids)
    from hi_analysis.chapters import CHAPTERS

    assert all(CHAPTERS["covid"].declares(i) for i in ids)  # the registry knows the fallback
    share = chapter.key_results(ch)[0]
    assert "not shipped" in share.label and share.value == 10.0 and not share.synthetic


def test_init_offers_covid_where_the_national_table_covers_the_districts():
    assert "covid" in supported_chapters(["E06000051", "E06000020"], ["E06000051"], 100)
    assert "covid" not in supported_chapters(["E06999999"], ["E06999999"], 100)


# ----------------------------------------------------------------------------- SII text
def test_sii_paragraphs_claim_only_what_the_data_hold():
    published = pd.DataFrame({"published": [3.2, np.nan]})
    none = pd.DataFrame({"published": [np.nan]})
    text = narrative.published_sii_intro(published, "Derby", synthetic=True)
    assert "**real**" in text and "calibrated" in text
    assert "calibrated" not in narrative.published_sii_intro(published, "Derby", synthetic=False)
    text = narrative.published_sii_intro(none, "Rutland", synthetic=True)
    assert "None is published for Rutland's districts" in text and "**real**" not in text
    assert "**real** published counts" in narrative.sii_vaccination_intro("Leicester", True)
    assert "not shipped for Derby" in narrative.sii_vaccination_intro("Derby", False)
    about = narrative.sii_about_data(real_vaccination=False, has_published=True)
    assert "NHS England" not in about and "The published SII (OHID) is **real**" in about
    assert "**real**" not in narrative.sii_about_data(False, False)
    both = narrative.sii_about_data(real_vaccination=True, has_published=True)
    assert "(NHS England) and the published SII (OHID) are **real**" in both


def test_cases_fallback_says_no_local_rates_are_shown():
    system, place = _stub_system()
    text = say.cases_missing_text(_chapter(system=system, place=place))
    assert text.startswith("**Not shipped for Somewhere.**") and "no local case rates" in text


def test_teaching_uses_the_stated_fallback_where_local_excess_is_not_shipped():
    from hi_analysis.teaching import covid as lesson

    system, place = _stub_system()
    periods = pd.DataFrame(
        {
            "period": ["March 2020 to December 2021"],
            "excess": [100_000.0],
            "excess_lower": [90_000.0],
            "excess_upper": [110_000.0],
            "percent": [12.0],
        }
    )
    ch = _chapter(
        system=system,
        place=place,
        cumulative=_cumulative(),
        england_periods=periods,
        synthetic={"waiting_list": True},
        rate_ratios=_ratios((0.77, 0.47, 1.25), (0.63, 0.41, 0.98)).assign(dispersion=1.0),
        long_wait_ratios=pd.DataFrame({"ratio": [np.nan]}),
        gap_change={"did": 1.0, "lower": 0.0, "upper": 2.0},
        recording=pd.DataFrame(columns=["service", "value", "lowercl", "uppercl"]),
    )
    steps = " ".join(lesson.primers(ch)[0].example)
    assert "not shipped for Somewhere, so the example is England" in steps
    first = lesson.quiz(ch)[0]
    assert first.id == "covid_share" and first.value == 10.0
    assert first.source == ("key_results", "id=covid_share_of_deaths_to_2021w22", "value")
