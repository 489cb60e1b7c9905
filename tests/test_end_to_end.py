"""End to end: `hi-analysis build` publishes the LLR book (run once, shared by these tests)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hi_analysis import book, runner
from hi_analysis.config import load_system
from hi_analysis.text import pct

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PLACES = ("leicester", "leicestershire", "rutland")


def test_build_prints_index_path_last(built_book):
    assert built_book.index.is_absolute()
    assert built_book.index.name == "index.html" and built_book.index.is_file()


def test_book_has_a_part_per_place_with_needs_chapter(built_book):
    toc = yaml.safe_load((built_book.build_dir / "llr" / "book-staging" / "_toc.yml").read_text())
    assert [p["caption"] for p in toc["parts"]] == [
        "Leicester",
        "Leicestershire",
        "Rutland",
        "This edition",
        "Accountability: is the plan reducing inequalities?",
        "About this book",
    ]
    for place in PLACES:
        html = built_book.page(place)
        assert "Needs analysis:" in html


@pytest.mark.parametrize("place", PLACES)
def test_page_shows_key_figures(built_book, place):
    html = built_book.page(place)
    res = built_book.results(place)
    assert f"{pct(res['core20_share_iod2025'])} of" in html
    assert "Key messages" in html
    for label, value in res["life_expectancy"].items():
        assert f"{value:.1f}" in html, label
    hyp = res["qof_hypertension"]
    assert f"{hyp['value']:.1f}% (95% CI {hyp['lowercl']:.1f} to {hyp['uppercl']:.1f})" in html
    assert "Real published data" in html
    assert html.count("Download the data behind this chart (CSV)") >= 6
    assert len(re.findall(r'<img [^>]*alt="[^"]{80,}"', html)) >= 6


@pytest.mark.parametrize("place", PLACES)
def test_covid_page_shows_excess_ratio_and_coverage(built_book, place):
    html = built_book.page(place, "covid")
    res = built_book.results(place, "covid")
    ex = res["excess_2020_2021"]

    def words(v: float) -> str:  # the page writes a negative limit as "minus 15"
        return ("minus " if round(v) < 0 else "") + f"{abs(v):,.0f}"

    assert f"{round(ex['excess'] / 10) * 10:,} more people died" in html
    assert (f"95% prediction interval {words(ex['excess_lower'])} to "
            f"{words(ex['excess_upper'])}" in html)
    rr = res["rate_ratio_adjusted"]
    assert f"{rr['ratio']:.2f} times" in html
    assert f"95% CI {rr['lower']:.2f} to {rr['upper']:.2f}" in html
    for band in ("80+", "50-54", "25-29"):
        assert band in html
    cov80 = res["first_dose_coverage_nims"]["80+"]
    assert f"{cov80:.1f}% of" in html
    assert "Download the data behind this chart (CSV)" in html
    ids = {k["id"] for k in res["key_results"]}
    assert {"excess_deaths_2020_2021", "covid_death_rate_ratio_age_adjusted",
            "first_dose_80plus_nims"} <= ids
    # the banner names the synthetic sections; real sections carry no label
    assert "Synthetic sections:" in html and "Who is still waiting" in html
    head, _, rest = html.partition("How many more people died")
    section1 = rest.partition("Who died?")[0]
    assert "Synthetic data." not in section1


def test_leicester_figures_are_the_real_ones(built_book):
    res = built_book.results("leicester")
    assert res["population_mid2020"] == 354_036
    assert res["core20_share_iod2025"] == pytest.approx(0.53317, abs=1e-5)
    assert res["life_expectancy"] == {"Female|Leicester": 81.7, "Male|Leicester": 77.5}


def test_no_code_or_parameters_anywhere_in_the_site(built_book):
    site = built_book.index.parent
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        text = page.read_text("utf-8")
        assert "cell_input" not in text, page
        assert "injected-parameters" not in text and "results_path" not in text, page
        assert "from hi_analysis" not in text and "import " not in text, page
        assert "Traceback" not in text, page
    assert not list(site.rglob("*.ipynb")) and not (site / "_sources").exists()


def test_landing_page_and_counts_are_controlled(built_book):
    html = built_book.index.with_name("intro.html").read_text("utf-8")
    assert "Health inequalities in Leicester, Leicestershire and Rutland" in html
    assert "354,035" in html  # 354,036 rounded to the nearest 5 (disclosure control)
    assert "354,036" not in html


def test_second_build_recomputes_nothing(built_book, cli, extracts_root):
    proc = cli("build", "--system", "llr", "--quiet", build_dir=built_book.build_dir,
               extracts_dir=extracts_root)
    assert proc.returncode == 0, proc.stderr
    # nothing changed: one line, decided before any notebook or data is read (issue 12)
    assert proc.stderr.strip().splitlines() == [
        "The site is current: no input or code changed since edition 2025/26 Q3 was "
        "published; nothing was built."
    ]
    assert proc.stdout.strip().splitlines()[-1] == str(built_book.index)


def test_failed_book_build_leaves_previous_site(built_book, extracts_root, monkeypatch):
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(built_book.build_dir))
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(extracts_root))  # the audits read them
    system = load_system("llr")
    before = built_book.index.read_bytes()

    def broken(staging):
        raise book.BookBuildError("simulated Sphinx failure")

    monkeypatch.setattr(book, "build_html", broken)
    with pytest.raises(book.BookBuildError):
        book.build_book(system, runner.plan(system))
    assert built_book.index.read_bytes() == before


def test_failing_notebook_gives_one_line_reason_and_publishes_nothing(tmp_path):
    params = tmp_path / "parameters" / "broken"
    (params / "places").mkdir(parents=True)
    system = yaml.safe_load((ROOT / "parameters" / "llr" / "system.yml").read_text())
    # Rutland alone: five neighbourhoods (MSOAs), too few for deprivation quintiles.
    system.update(id="broken", places=["rutland"], chapters=["covid"])
    (params / "system.yml").write_text(yaml.safe_dump(system))
    rutland = ROOT / "parameters" / "llr" / "places" / "rutland.yml"
    (params / "places" / "rutland.yml").write_text(rutland.read_text())
    exe = Path(sys.executable).with_name("hi-analysis")
    env = {
        "HI_ANALYSIS_ROOT": str(tmp_path),
        "HI_ANALYSIS_BUILD": str(tmp_path / "_build"),
        "PATH": str(exe.parent),
    }
    proc = subprocess.run(
        [str(exe), "build", "--system", "broken", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"hi-analysis: error: covid failed for place 'rutland', "
        r"cell \d+: DataValidationError: data/public/ons_covid_deaths_msoa11_mar_dec2020"
        r"_england\.csv: 5 MSOA\(s\) for the districts of .*\(E06000017\); the covid "
        r"chapter's deprivation quintiles need at least 10, two per quintile.*",
        last,
    ), last
    assert not (tmp_path / "_build" / "broken" / "site").exists()


def test_nbval_lax_reexecutes_an_executed_chapter(built_book):
    nb = built_book.build_dir / "llr" / "notebooks" / "rutland" / "needs_analysis.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-current-env",
            "-p",
            "no:cacheprovider",
            "-q",
            str(nb),
        ],
        capture_output=True,
        text=True,
        cwd=nb.parent,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"\d+ passed", proc.stdout)


@pytest.mark.parametrize("place", PLACES)
def test_sii_page_reads_life_expectancy_sii_by_sex(built_book, place):
    html = built_book.page(place, "sii")
    res = built_book.results(place, "sii")
    assert "Slope index of inequality:" in html
    assert "SYNTHETIC DATA" in html  # the synthetic banner
    for key, word in (("le_female", "women"), ("le_male", "men")):
        r = res[key]
        assert r["synthetic"] is True
        lo, hi = sorted((r["lowercl"], r["uppercl"]))
        if lo > 0:  # a clear gradient: read as a gap
            assert re.search(f"The gap in {word}(&#x27;|&#8217;|’|')s life expectancy at "
                             "birth across", html), word
            assert f"is {r['sii']:.1f} years (95% CI {lo:.1f} to {hi:.1f})" in html
        else:
            assert f"{r['sii']:.1f} years (95% CI {lo:.1f} to {hi:.1f})" in html
    assert res["covid2"]["synthetic"] is False
    assert html.count("Download the data behind this chart (CSV)") >= 7
    assert "Published SII (years, real)" in html


def test_rutland_explains_quintiles_and_wide_intervals(built_book):
    html = built_book.page("rutland", "sii")
    assert "split into 5 local quintiles" in html
    assert "the confidence intervals on this page are wide" in html
    assert built_book.results("rutland", "sii")["le_female"]["n_quantiles"] == 5
    assert built_book.results("leicester", "sii")["le_female"]["n_quantiles"] == 10


def test_needs_pages_still_use_only_real_data(built_book):
    for place in PLACES:
        html = built_book.page(place)
        assert "Real published data" in html and "SYNTHETIC" not in html


def test_bad_extract_stops_the_build_before_any_notebook(built_book, extracts_root, cli,
                                                         tmp_path):
    import shutil

    import pandas as pd

    folder = tmp_path / "extracts" / "llr"
    shutil.copytree(extracts_root / "llr", folder)
    deaths = pd.read_parquet(folder / "deaths.SYNTHETIC.parquet").head(50)
    deaths["is_synthetic"] = False
    deaths["lsoa11cd"] = deaths["lsoa11cd"].astype(str)
    deaths.loc[7, "lsoa11cd"] = "E01000001"
    deaths.to_csv(folder / "deaths.csv", index=False)
    proc = cli("build", "--system", "llr", "--quiet", build_dir=tmp_path / "b",
               extracts_dir=folder.parent)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("hi-analysis: error: ") and "deaths.csv" in last
    assert "column 'lsoa11cd': LSOA code not in LLR at line 9" in last
    assert not (tmp_path / "b" / "llr" / "notebooks").exists()
    assert not (tmp_path / "b" / "llr" / "site").exists()


@pytest.mark.parametrize("place", PLACES)
def test_logic_model_page_shows_verdicts_and_its_effects(built_book, place):
    import html as html_lib

    page = built_book.page(place, "logic_model")
    res = built_book.results(place, "logic_model")
    assert "Logic-model evaluation:" in page
    assert "SYNTHETIC DATA" in page and "Illustrative plan" in page
    assert "Verdict on each arrow of each programme" in page
    assert res["verdicts"], "no verdicts"
    for row in res["verdicts"]:  # the verdict table, row by row
        assert html_lib.escape(row["Verdict"]) in page
        assert html_lib.escape(row["Key number (95% CI)"]) in page
    its = [k for k in res["key_results"] if k["unit"] == "%"]
    assert its, "no ITS effect"
    for k in its:
        assert k["chapter"] == "logic_model" and k["synthetic"] is True
        assert k["lower"] <= k["value"] <= k["upper"]
        assert (f"{k['value']:+.1f}% against expected (95% CI {k['lower']:+.1f}% to "
                f"{k['upper']:+.1f}%)") in page
    # the real context panels are labelled real, never synthetic
    assert "Under-75 mortality from causes considered preventable: " in page
    assert "(real data)" in page
    if place == "leicestershire":
        assert "People receiving an NHS Health Check: not published for Leicestershire" in page
    else:
        name = {"leicester": "Leicester", "rutland": "Rutland"}[place]
        assert f"People receiving an NHS Health Check: {name} against England" in page


def test_no_page_shows_raw_markdown_or_double_escaped_text(built_book):
    """Headings and lists written from data render as such; nothing is escaped twice."""
    site = built_book.index.parent
    for page in site.rglob("*.html"):
        if "_static" in page.parts:
            continue
        text = page.read_text("utf-8")
        for raw in ("<p>## ", "<p>### ", "&amp;#x27;", "&amp;amp;", "&amp;quot;", "<p>- "):
            assert raw not in text, f"{page.relative_to(site)} shows {raw!r}"
    lm = built_book.page("leicester", "logic_model")
    assert re.search(r"<h2[^>]*>Hypertension case-finding", lm)  # a heading, not "## ..."
