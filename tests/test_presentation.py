"""Charts follow the Analysis Function style; pages carry alt text, sources and downloads."""

import base64
import re
import urllib.parse

import matplotlib.colors as mcolors
import pandas as pd
import pytest

from hi_analysis import charts, narrative, needs, report, text


@pytest.fixture(scope="module")
def leicester(llr):
    return llr.place("leicester")


def _colours(ax):
    found = set()
    for patch in ax.patches:
        found.add(mcolors.to_hex(patch.get_facecolor()).upper())
    for coll in ax.collections:
        for fc in coll.get_facecolors():
            found.add(mcolors.to_hex(fc).upper())
    return found


def test_pyramid_uses_af_duo_palette_and_alt_text_from_data(leicester):
    pyr = needs.population_pyramid(leicester)
    ch = charts.population_pyramid(pyr, place="Leicester", title="t")
    assert set(charts.AF_DUO) <= _colours(ch.figure.axes[0])
    assert "Leicester" in ch.alt and "20-24" in ch.alt  # the band furthest above England
    assert {"age_band", "sex", "percent_of_population"} <= set(ch.data.columns)
    assert "mid-2020" in ch.subtitle


def test_decile_chart_alt_text_lists_every_decile(leicester):
    prof = needs.deprivation_profile(leicester)
    ch = charts.decile_shares(prof, place="Leicester", title="t")
    for d in range(1, 11):
        assert f"Decile {d}:" in ch.alt
    assert text.pct(prof.iloc[0]["share"]) in ch.alt


def test_map_uses_sequential_palette_and_states_vintage(leicester):
    from hi_analysis.data.public import boundary_vintage, load_boundaries

    lsoas = needs.deprivation_lsoas(leicester)
    shapes = load_boundaries("lsoa21").merge(lsoas, on="lsoa21cd")
    ch = charts.deprivation_map(
        shapes,
        load_boundaries("lad24").iloc[:1],
        place="Leicester",
        title="t",
        vintage=boundary_vintage("lsoa21"),
    )
    assert "December 2021" in ch.source
    assert _colours(ch.figure.axes[0]) & set(charts.AF_SEQUENTIAL)
    assert "101 neighbourhoods are in England's most deprived 20%" in ch.alt


def test_estimates_chart_draws_confidence_intervals(leicester):
    qof = needs.qof_prevalence(leicester)
    ch = charts.estimates_with_ci(
        qof,
        category="condition",
        group="area",
        groups=("Leicester", "England"),
        title="t",
        subtitle="s",
        xlabel="x",
        source="src",
        name="n",
        alt_intro="a",
    )
    ax = ch.figure.axes[0]
    assert len(ax.containers) == 2  # one errorbar container per group
    assert "95% CI" in ch.alt


def test_report_chart_html_is_accessible(leicester):
    pyr = needs.population_pyramid(leicester)
    ch = charts.population_pyramid(pyr, place="Leicester", title="Headline")
    html = report.chart_html(ch)
    assert re.search(r'class="hi-chart-title" id="[^"]+">Headline<', html)
    alt = re.search(r'alt="([^"]+)"', html).group(1)
    assert alt.startswith("Population pyramid of")
    assert "Population pyramid for Leicester" in html  # the full text description
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1)).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    csv = urllib.parse.unquote(
        re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', html).group(1)
    )
    assert csv.startswith("\ufeff")  # UTF-8 byte-order mark: Excel reads it as UTF-8
    assert csv.splitlines()[0].startswith("\ufeffage_band,sex")
    assert "Download the data behind this chart (CSV)" in html


def test_key_messages_state_numbers(llr):
    place = llr.place("rutland")
    prof = needs.deprivation_profile(place)
    gps = needs.practices(place)
    msgs = narrative.key_messages(
        place="Rutland",
        total=needs.total_population(place),
        core25=needs.core20_share(prof),
        core19=needs.core20_share(prof, "IMD 2019"),
        lsoas=needs.deprivation_lsoas(place),
        ethnicity=needs.ethnicity_profile(place),
        status=needs.health_status(place),
        qof=needs.qof_prevalence(place),
        fit=needs.inverse_care(gps),
    )
    assert msgs[0].startswith("0.0% of Rutland's residents")
    assert any(
        "Male life expectancy at birth is 82.9 years (2023 to 2025; England 79.7)" in m
        for m in msgs
    )
    assert any("95% CI" in m for m in msgs)


def test_headlines_state_the_finding():
    prof = pd.DataFrame(
        {
            "ethnic_group": ["White", "Other ethnic group"],
            "share": [0.6, 0.4],
            "england_share": [0.8, 0.2],
        }
    )
    assert narrative.ethnicity_headline(prof, "X") == (
        "X has fewer residents of White ethnicity than England: 60.0% against 80.0%"
    )
    assert narrative.deprivation_headline(0.0, "X").startswith("None of X's residents")


def test_text_formatting():
    assert text.money(-0.671) == "\u2212£0.67"
    assert text.with_ci(1, 0.5, 1.5, unit="%") == "1.0% (95% CI 0.5 to 1.5)"
    assert text.join_names(["a", "b", "c"]) == "a, b and c"
    assert text.period("2023 - 25") == "2023 to 2025"
