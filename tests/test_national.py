"""Every English system: ``hi-analysis init`` for all 42 ICBs, inputs, fallbacks, Dask runs."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hi_analysis import inequality, needs
from hi_analysis.config import available_systems, load_system
from hi_analysis.covid import cases as covid_cases
from hi_analysis.data import load
from hi_analysis.data.public import select
from hi_analysis.errors import ConfigError
from hi_analysis.geography import lsoa11_codes, lsoa21_codes
from hi_analysis.national.init import icb_codes, init_system, plan_system
from hi_analysis.national.run import build_systems
from hi_analysis.paths import public_data_dir
from hi_analysis.synth import targets as T
from hi_analysis.synth.services import national_coverage

ALL_ICBS = sorted(pd.read_csv(public_data_dir() / "imd2025_icb24_summaries_england.csv").iloc[:, 0])
MIDLANDS = {
    "E54000010",
    "E54000011",
    "E54000013",
    "E54000015",
    "E54000018",
    "E54000019",
    "E54000055",
    "E54000058",
    "E54000059",
    "E54000060",
    "E54000062",
}


def test_the_lookup_has_the_42_icbs_of_the_imd_summaries():
    assert len(ALL_ICBS) == 42 and icb_codes() == ALL_ICBS


@pytest.mark.parametrize("icb", ALL_ICBS)
def test_init_writes_valid_parameters_and_every_input_covers_them(icb, tmp_path):
    folder = init_system(icb, root=tmp_path)
    system = load_system(folder.name, root=tmp_path)  # validated against the ONS lookup
    assert system.icb_code == icb and system.comparator.code == "E92000001"
    assert "logic_model" not in system.chapters  # no plan: never offered
    districts = [c for p in system.places for c in p.district_codes]
    assert len(districts) == len(set(districts))
    # every district has rows in every national table the chapters read
    for name in (
        "population_2020_lsoa11_syoa",
        "ethnicity_lsoa21",
        "census2021_age_sex_lad",
        "qof_lad",
        "covid_deaths_cumulative",
        "imd2025_lsoa21",
    ):
        assert set(
            select(name, districts)[
                {
                    "population_2020_lsoa11_syoa": "lad24cd",
                    "ethnicity_lsoa21": "lad24cd",
                    "census2021_age_sex_lad": "ltla21_code",
                    "qof_lad": "lad_code",
                    "covid_deaths_cumulative": "lad_cd",
                    "imd2025_lsoa21": "lad24cd",
                }[name]
            ]
        ) == set(districts), name
    assert "covid" in system.chapters  # the national COVID-19 tables cover every district
    for place in system.places:
        assert lsoa21_codes(place) and lsoa11_codes(place)
        # real UKHSA cases for every place but the two UKHSA reported only combined with a
        # neighbour (Isles of Scilly with Cornwall, City of London with Hackney)
        assert covid_cases.has_monthly(place) or place.code in {"E06000053", "E09000001"}
        gps = needs.practices(place)
        assert len(gps) > 0 and np.isfinite(gps["qof_per_patient"].dropna()).all()
    if "sii" not in system.chapters:  # a place too small for a gradient (Isles of Scilly)
        assert min(len(lsoa11_codes(p)) for p in system.places) < 5
        return
    # the synthetic deaths have a finite target for every district and sex (with fallbacks)
    lsoas = pd.concat([inequality.place_lsoas(p, within="district") for p in system.places])
    tg = T.mortality_targets(sorted(set(districts)), lsoas)
    assert len(tg) == 2 * len(set(districts))
    # (a published SII can be negative: Mid Suffolk, female, 2022-24)
    assert all(math.isfinite(t.life_expectancy) and abs(t.sii) < 30 for t in tg)
    assert all(t.sii > 0 for t in tg if not t.sii_published)


def test_llr_from_init_matches_the_hand_written_parameters(tmp_path):
    llr = load_system("llr")
    made = load_system(init_system("E54000015", root=tmp_path).name, root=tmp_path)
    by_code = {p.code: p for p in made.places}
    assert set(by_code) == {p.code for p in llr.places}
    for place in llr.places:
        other = by_code[place.code]
        assert other.district_codes == sorted(place.district_codes)
        assert other.gp_practices.sub_icb == place.gp_practices.sub_icb
    assert made.chapters == ["needs_analysis", "sii", "covid"]  # the data covers LLR


def test_init_refuses_to_overwrite_and_unknown_icbs(tmp_path):
    init_system("E54000011", root=tmp_path)
    with pytest.raises(ConfigError, match="already exists"):
        init_system("E54000011", root=tmp_path)
    with pytest.raises(ConfigError, match="unknown ICB code 'E54999999'"):
        init_system("E54999999", root=tmp_path)


def test_the_eleven_midlands_systems_are_shipped():
    shipped = {load_system(s).icb_code: s for s in available_systems()}
    assert MIDLANDS <= set(shipped)
    assert load_system("llr").chapters[-1] == "logic_model"  # LLR keeps its plan


def test_five_character_sub_icb_codes_select_practices():
    stw = load_system("shropshire-telford-and-wrekin")
    assert {c for p in stw.places for c in p.gp_practices.sub_icb} == {"M2L0M"}
    gp = load("gp_practices")
    assert len(needs.practices(stw.places[0])) == int((gp["CCG Code"] == "M2L0M").sum())


def test_a_2023_unitary_finds_its_neighbourhoods(tmp_path):
    plan = plan_system("E54000038")  # Somerset: one unitary since April 2023
    assert [p.code for p in plan.places] == ["E06000066"]
    system = load_system(init_system("E54000038", root=tmp_path).name, root=tmp_path)
    # independent count: IMD 2019 LSOAs of the four districts Somerset replaced (2019 codes)
    imd = load("imd2019_lsoa11")
    former = {"E07000187", "E07000188", "E07000189", "E07000246"}
    assert len(lsoa11_codes(system.places[0])) == int(imd["lad19cd"].isin(former).sum())


def test_fallback_sii_scales_the_neighbours_median_by_the_spread_of_deprivation():
    pub = pd.Series({("A", "Female"): 6.0, ("B", "Female"): 10.0})
    t = pd.DataFrame(
        {
            "district": ["A"] * 4 + ["B"] * 4 + ["C"] * 4,
            "imd_score": [10, 20, 30, 40, 0, 20, 40, 60, 10, 20, 30, 40],
        }
    )
    # IQRs: A 15, B 30, C 15 -> median 8 x 15 / 22.5 = 5.33 -> 5.5
    assert T.fallback_sii("C", "Female", pub, t) == 5.5


def test_districts_without_published_figures_get_stated_fallbacks():
    """Isles of Scilly (no LE, no SII) and North Warwickshire (no male SII)."""
    look = load("lookup_lsoa11_msoa11")
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_score"]
    for districts in (
        ["E06000052", "E06000053"],
        ["E07000218", "E07000219", "E07000220", "E07000221", "E07000222"],
    ):
        sub = look[look["ltla24_code"].isin(districts)]
        lsoas = pd.DataFrame(
            {"district": sub["ltla24_code"], "imd_score": sub["lsoa11_code"].map(imd)}
        )
        tg = {(t.district, t.sex): t for t in T.mortality_targets(districts, lsoas)}
        assert all(math.isfinite(t.life_expectancy) and t.sii > 0 for t in tg.values())
    sub = look[look["ltla24_code"].isin(["E06000052", "E06000053"])]
    scilly = {
        (t.district, t.sex): t
        for t in T.mortality_targets(
            ["E06000052", "E06000053"],
            pd.DataFrame(
                {"district": sub["ltla24_code"], "imd_score": sub["lsoa11_code"].map(imd)}
            ),
        )
    }
    t = scilly[("E06000053", "Female")]
    assert not t.le_published and not t.sii_published
    # life expectancy falls back to the other district of the system (Cornwall)
    assert t.life_expectancy == scilly[("E06000052", "Female")].life_expectancy
    assert tg[("E07000218", "Male")].sii_published is False
    assert tg[("E07000218", "Female")].sii_published is True


def test_llr_keeps_its_stated_rutland_sii():
    targets = {
        (t.district, t.sex): t
        for t in T.mortality_targets(
            ["E06000017"], None, {"E06000017": {"Male": 3.0, "Female": 2.5}}
        )
    }
    assert targets[("E06000017", "Male")].sii == 3.0
    assert targets[("E06000017", "Female")].sii == 2.5


def test_national_vaccination_gradient_follows_opensafely():
    o = load("opensafely_vaccine_coverage")
    o = o[
        (o["breakdown"] == "imd_quintile")
        & (o["age_band"] == "80+")
        & (o["date"].astype(str).str[:10] == "2021-07-07")
    ]
    expected = o.set_index("group")["pct"]
    p1, p2 = national_coverage(np.array([85, 85, 17]), np.array([1, 10, 3]))
    assert p1[0] == pytest.approx(expected["1 Most deprived"] / 100)
    assert p1[1] == pytest.approx(expected["5 Least deprived"] / 100)
    assert p1[2] == 0 and (p2 <= p1).all()


def test_sii_chapter_says_why_the_real_vaccination_gradient_is_missing():
    stw = load_system("shropshire-telford-and-wrekin")
    assert not inequality.has_msoa_vaccination(stw.places[0])
    assert inequality.has_msoa_vaccination(load_system("llr").places[0])


def test_dask_run_reports_a_failed_system_in_one_line_and_keeps_the_others():
    """Two systems on a one-worker local cluster: both fail fast, each on its own line."""
    lines: list[str] = []
    out = build_systems(["nowhere", "Bad Name"], workers=1, say=lines.append)
    assert [o.system_id for o in out] == ["nowhere", "Bad Name"]
    assert not any(o.ok for o in out)
    assert len(lines) == 2 and all(re.match(r"\[\d/2\] .+: FAILED: ", line) for line in lines)
    assert all("\n" not in line for line in lines)


def _cumulative_share(place) -> float:
    """Deaths involving COVID-19 as % of all deaths to 2021 week 22, read from the CSV."""
    c = pd.read_csv(public_data_dir() / "covid_deaths_cumulative_lad24_to_2021w22_england.csv.gz")
    c = c[c["lad_cd"].isin(place.district_codes)]
    return 100 * c["deaths_covid19_cumulative"].sum() / c["deaths_all_causes_cumulative"].sum()


@pytest.mark.e2e
def test_a_midlands_system_with_a_five_character_sub_icb_builds_on_dask(tmp_path, cli):
    """Shropshire, Telford and Wrekin (sub-ICB M2L0M; 2 places, 313 LSOAs) end to end.

    Built through ``hi-analysis build --system ... --system nowhere`` on a one-worker local
    Dask cluster: the bad system fails in one line and the good one is still published.
    Took 2 min 24 s on the shared 2-core machine (synthetic extracts, 4 notebooks,
    the book) before the COVID-19 chapter was added (6 notebooks now).
    """
    proc = cli(
        "build",
        "--system",
        "nowhere",
        "--system",
        "shropshire-telford-and-wrekin",
        "--workers",
        "1",
        build_dir=tmp_path / "_build",
        extracts_dir=tmp_path / "extracts",
    )
    assert proc.returncode == 1, proc.stderr[-3000:]  # one of the two systems failed
    lines = proc.stderr.strip().splitlines()
    assert any(
        re.fullmatch(r"\[\d/2\] nowhere: FAILED: .*parameter file not found", x) for x in lines
    ), lines
    built = [x for x in lines if x.startswith(("[1/2] shropshire", "[2/2] shropshire"))]
    assert len(built) == 1 and "built in" in built[0], lines
    assert "1 of 2 systems built; failed: nowhere" in lines
    index = Path(built[0].rsplit(": ", 1)[1])
    assert index.is_file()
    site = index.parent
    for place, name in (("shropshire", "Shropshire"), ("telford-and-wrekin", "Telford")):
        needs_page = (site / "places" / place / "needs_analysis.html").read_text("utf-8")
        sii_page = (site / "places" / place / "sii.html").read_text("utf-8")
        for page in (needs_page, sii_page):
            assert name in page and "Traceback" not in page and "Error" not in page
            assert "Leicester" not in page and "Rutland" not in page  # no LLR text leaks
        assert "synthetic" in sii_page.lower()
        assert "Real COVID-19 vaccination counts by middle-layer area" in sii_page
        assert "uses the **real** published counts" not in sii_page
        assert "not shipped for" in sii_page  # the vaccination intro states the gap
        # the COVID-19 page: built from national data, its fallbacks stated, nothing of LLR's
        covid_page = (site / "places" / place / "covid.html").read_text("utf-8")
        assert name in covid_page and "Traceback" not in covid_page
        for llr_text in ("Leicester", "Rutland", "LLR", "Oadby", "Charnwood"):
            assert llr_text not in covid_page, llr_text
        assert covid_page.count("Not shipped for") == 2  # excess deaths and vaccination
        assert "OpenSAFELY" in covid_page and "sums of UKHSA" in covid_page
        share = _cumulative_share(load_system("shropshire-telford-and-wrekin").place(place))
        assert f"**{share:.1f}% involved COVID-19**".replace("**", "") in re.sub(
            r"<[^>]+>", "", covid_page
        )


def test_cli_init_gives_one_line_for_an_unknown_icb(capsys):
    from hi_analysis.cli import main

    assert main(["init", "--icb", "E54999999"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hi-analysis: error: --icb: unknown ICB code")


def test_shipped_midlands_parameters_are_what_init_writes(tmp_path):
    """The shipped folders are init's output (a person may edit them; none is edited yet)."""
    from hi_analysis.paths import parameters_dir

    for system_id in available_systems():
        if system_id == "llr":
            continue
        icb = load_system(system_id).icb_code
        made = init_system(icb, root=tmp_path)
        for path in made.rglob("*.yml"):
            shipped = parameters_dir() / system_id / path.relative_to(made)
            assert shipped.read_text() == path.read_text(), shipped
