"""Accessibility of charts, figures and tables (WCAG 2.2 AA, Analysis Function guidance).

These run without a browser. The browser checks of the built book (axe-core, reflow at
320 px, print) are in ``test_accessibility_browser.py``.
"""

import re
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import Collection, LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from shapely import points

from hi_analysis import book, charts, needs, report, tables, text
from hi_analysis.data.public import boundary_vintage, load_boundaries

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- chart fixtures
def _sii_estimates(k: int = 10) -> tuple[pd.DataFrame, pd.Series]:
    q = np.arange(1, k + 1)
    value = 75 + 0.8 * q
    est = pd.DataFrame(
        {
            "quantile": q,
            "population": 1000.0,
            "value": value,
            "lowercl": value - 1.5,
            "uppercl": value + 1.5,
        }
    )
    fit = pd.Series({"sii": 7.2, "intercept": 75.4, "sii_lowercl": 6.0, "sii_uppercl": 8.4})
    return est, fit


def _sii_trend() -> tuple[pd.DataFrame, pd.DataFrame]:
    periods = [f"{y} - {str(y + 2)[-2:]}" for y in range(2015, 2021)]
    rows, pub = [], []
    for s, base in (("Female", 6.0), ("Male", 8.0)):
        for i, p in enumerate(periods):
            rows.append((p, s, base + 0.1 * i, base + 0.1 * i - 1, base + 0.1 * i + 1))
            pub.append((p, s, base + 0.05 * i))
    trend = pd.DataFrame(rows, columns=["period", "series", "sii", "sii_lowercl", "sii_uppercl"])
    return trend, pd.DataFrame(pub, columns=["period", "series", "value"])


def _build(kind: str, llr) -> charts.Chart:
    leicester, shire = llr.place("leicester"), llr.place("leicestershire")
    if kind == "pyramid":
        return charts.population_pyramid(
            needs.population_pyramid(leicester), place="Leicester", title="t"
        )
    if kind == "deciles":
        return charts.decile_shares(
            needs.deprivation_profile(leicester), place="Leicester", title="t"
        )
    if kind == "map":
        lsoas = needs.deprivation_lsoas(leicester)
        shapes = load_boundaries("lsoa21").merge(lsoas, on="lsoa21cd")
        lad = load_boundaries("lad24")
        return charts.deprivation_map(
            shapes,
            lad[lad["lad24cd"].isin(leicester.district_codes)],
            place="Leicester",
            title="t",
            vintage=boundary_vintage("lsoa21"),
        )
    if kind == "ethnicity":
        eth = needs.ethnicity_profile(leicester)
        return charts.compare_bars(
            eth,
            category="ethnic_group",
            value="share",
            reference="england_share",
            place="Leicester",
            reference_name="England",
            title="t",
            subtitle="Percentage of residents by ethnic group, Leicester and England, 2021",
            xlabel="x",
            source="s",
            name="ethnicity",
            alt_intro="Bar chart of ethnic mix.",
        )
    if kind == "qof":
        return charts.estimates_with_ci(
            needs.qof_prevalence(leicester),
            category="condition",
            group="area",
            groups=("Leicester", "England"),
            title="t",
            subtitle="Recorded prevalence",
            xlabel="x",
            source="s",
            name="qof",
            alt_intro="Dot chart.",
        )
    if kind.startswith("trend"):
        place = shire if kind == "trend-shire" else leicester
        trend = needs.health_trend(place, "Life expectancy at birth", "Female")
        focus = None if kind == "trend-shire" else place.name
        return charts.trend_lines(
            trend,
            title="t",
            subtitle=f"Female life expectancy at birth (years), {place.name}",
            ylabel="Years",
            source="s",
            name="le-trend",
            focus=focus,
        )
    if kind == "scatter":
        gps = needs.practices(leicester)
        return charts.practice_scatter(
            gps,
            needs.inverse_care(gps),
            place="Leicester",
            title="t",
            alt_summary="Scatter of practices.",
        )
    if kind == "sii":
        est, fit = _sii_estimates()
        return charts.sii_gradient(
            est,
            fit,
            title="t",
            subtitle="Life expectancy by local decile",
            ylabel="Years",
            unit=" years",
            source="s",
            name="sii-le",
            measure="life expectancy",
            place="Leicester",
        )
    if kind == "sii-trend":
        trend, pub = _sii_trend()
        return charts.sii_over_time(
            trend,
            title="t",
            subtitle="Slope index of inequality in life expectancy",
            ylabel="Years",
            source="s",
            name="sii-trend",
            published=pub,
        )
    raise AssertionError(kind)


KINDS = (
    "pyramid",
    "deciles",
    "map",
    "ethnicity",
    "qof",
    "trend-place",
    "trend-shire",
    "scatter",
    "sii",
    "sii-trend",
)


@pytest.fixture(scope="module")
def built_charts(llr):
    return {k: _build(k, llr) for k in KINDS}


WHITE = "#FFFFFF"
MAX_COLOURS = 4  # Analysis Function guidance


def _contrast(a: str, b: str = WHITE) -> float:
    """WCAG 2 contrast ratio, written out here independently of hi_analysis.charts."""

    def lum(c):
        ch = [
            x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in mcolors.to_rgb(c)
        ]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_ratio_matches_an_independent_calculation():
    for c in (*charts.AF_CATEGORICAL, *charts.AF_SEQUENTIAL, charts.AF_GREY, "#000000"):
        assert charts.contrast_ratio(c) == pytest.approx(_contrast(c))
    assert _contrast("#000000") == pytest.approx(21.0)


def _texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# ----------------------------------------------------------------------------- contrast
@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_text_has_at_least_4_5_to_1_contrast(built_charts, kind):
    fig = built_charts[kind].figure
    for ax in fig.axes:
        assert mcolors.to_hex(ax.get_facecolor()).upper() == WHITE
    assert mcolors.to_hex(fig.get_facecolor()).upper() == WHITE
    for t in _texts(fig):
        colour = mcolors.to_hex(t.get_color())
        ratio = _contrast(colour, WHITE)
        assert ratio >= 4.5, f"{kind}: {t.get_text()!r} in {colour} is {ratio:.2f}:1"


def test_palette_text_colours_are_darkened_to_pass():
    for colour in (*charts.AF_CATEGORICAL, *charts.AF_SEQUENTIAL, charts.AF_GREY):
        ink = charts.text_ink(colour)
        assert _contrast(ink) >= 4.5
        # same hue family: the darkened tint is a scaled copy of the colour
        r, g, b = mcolors.to_rgb(colour)
        r2, g2, b2 = mcolors.to_rgb(ink)
        assert r2 <= r + 1e-9 and g2 <= g + 1e-9 and b2 <= b + 1e-9
    # the colours the audit found as text at about 3:1 fail as they are
    for colour in ("#F46A25", "#28A197", "#A285D1"):
        assert _contrast(colour) < 4.5 <= _contrast(charts.text_ink(colour))


# ----------------------------------------------------------------------------- colours
def _neutral(rgb) -> bool:
    return max(rgb) - min(rgb) < 0.04


def _chart_colours(fig) -> set[str]:
    found: list[tuple] = []
    for ax in fig.axes:
        for art in ax.get_children():
            if isinstance(art, Line2D) and art.get_visible():
                found += [art.get_color(), art.get_markerfacecolor(), art.get_markeredgecolor()]
            elif isinstance(art, Patch) and art.get_visible() and art is not ax.patch:
                found += [art.get_facecolor()]
            elif isinstance(art, Collection) and art.get_visible():
                found += list(art.get_facecolors()) + list(art.get_edgecolors())
    out = set()
    for c in found:
        if isinstance(c, str) and c in ("none", "None"):
            continue
        rgba = mcolors.to_rgba(c)
        if rgba[3] == 0 or _neutral(rgba[:3]):
            continue
        out.add(mcolors.to_hex(rgba[:3]).upper())
    return out


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "map"])
def test_at_most_four_colours_per_chart(built_charts, kind):
    colours = _chart_colours(built_charts[kind].figure)
    assert 1 <= len(colours) <= MAX_COLOURS, (kind, colours)


def test_map_uses_one_ordered_sequential_palette(built_charts):
    colours = _chart_colours(built_charts["map"].figure)
    assert colours <= set(charts.AF_SEQUENTIAL), colours


def test_eight_area_trend_is_small_multiples_without_repeated_colours(built_charts):
    ch = built_charts["trend-shire"]
    areas = [a for a in ch.data["area_name"].unique() if a != "England"]
    assert len(areas) > MAX_COLOURS
    panels = [ax for ax in ch.figure.axes if ax.get_visible() and ax.axison]
    assert len(panels) == len(areas)
    titles = {ax.get_title(loc="left").replace("\n", " ") for ax in panels}
    assert titles == set(areas)
    for ax in panels:  # one highlighted line per panel; England and the rest neutral
        lines = [ln for ln in ax.get_lines() if not _neutral(mcolors.to_rgb(ln.get_color()))]
        assert len(lines) == 1


# ----------------------------------------------------------------------------- halos
def _has_white_halo(artist) -> bool:
    return any(
        mcolors.to_hex(getattr(e, "_gc", {}).get("foreground", "none") or "none").upper() == WHITE
        for e in artist.get_path_effects()
    )


def test_interval_whiskers_have_a_white_halo_over_dark_bars(built_charts):
    ax = built_charts["sii"].figure.axes[0]
    cols = [
        c
        for c in ax.collections
        if len(c.get_edgecolors()) and mcolors.to_hex(c.get_edgecolors()[0]).upper() == "#0B0C0C"
    ]
    assert cols, "no whiskers found"
    assert all(_has_white_halo(c) for c in cols)


def test_pyramid_england_outline_has_a_white_halo(built_charts):
    ax = built_charts["pyramid"].figure.axes[0]
    outlines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(outlines) == 2 and all(_has_white_halo(ln) for ln in outlines)


def test_map_outline_follows_the_neighbourhoods(llr):
    """The outline is the union of the drawn neighbourhoods, not a separate coarse boundary."""
    leicester = llr.place("leicester")
    lsoas = needs.deprivation_lsoas(leicester)
    shapes = load_boundaries("lsoa21").merge(lsoas, on="lsoa21cd")
    ch = charts.deprivation_map(
        shapes,
        load_boundaries("lad24").iloc[:1],
        place="Leicester",
        title="t",
        vintage=boundary_vintage("lsoa21"),
    )
    ax = ch.figure.axes[0]
    outline = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection)
        and mcolors.to_hex(c.get_edgecolors()[0]).upper() == "#0B0C0C"
    ]
    assert outline, "no outline drawn"
    verts = np.vstack([p.vertices for c in outline for p in c.get_paths()])
    edge = shapes.union_all().boundary
    dist = edge.distance(points(verts))
    # every outline vertex lies on the neighbourhoods' own outer edge (to about 1 metre)
    assert float(np.max(dist)) < 1e-5


# ----------------------------------------------------------------------------- figure markup
def test_figure_is_named_by_its_headline_and_alt_is_short(built_charts):
    ch = built_charts["pyramid"]
    ch.title = "Leicester is younger than England"
    html = report.chart_html(ch)
    fig = re.search(r'<figure class="hi-chart" id="([^"]+)" aria-labelledby="([^"]+)">', html)
    assert fig is not None
    title = re.search(r'<p class="hi-chart-title" id="([^"]+)">([^<]+)</p>', html)
    assert title.group(1) == fig.group(2) and title.group(2) == ch.title
    # the headline and subtitle are the figcaption; the source line is not
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert ch.title in caption and "Source:" not in caption
    alt = re.search(r'<img [^>]*alt="([^"]+)"', html).group(1)
    details_id = re.search(r'<img [^>]*aria-details="([^"]+)"', html).group(1)
    desc = re.search(rf'<details id="{details_id}"><summary>[^<]+</summary><p>([^<]+)</p>', html)
    desc = desc.group(1)
    assert desc.startswith("Population pyramid for Leicester")
    assert alt != desc and desc not in alt and len(alt) < len(desc) / 2
    assert alt.startswith("Population pyramid of") and "description below" in alt


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_has_a_short_alt_distinct_from_its_description(built_charts, kind):
    ch = built_charts[kind]
    assert ch.kind != "Chart", "every chart says what kind of chart it is"
    assert ch.short_alt != ch.description
    assert len(ch.short_alt) <= 300
    assert ch.description not in ch.short_alt


def test_chart_ids_are_unique_and_stable(built_charts):
    ids = [report.chart_id(c) for c in built_charts.values()]
    assert len(set(ids)) == len(ids)
    assert report.chart_id(built_charts["sii"]) == report.chart_id(built_charts["sii"])


# ----------------------------------------------------------------------------- periods
def test_periods_read_as_words():
    assert text.period("2015 - 17") == "2015 to 2017"
    assert text.period("2099 - 01") == "2099 to 2101"
    assert text.period("2022/23") == "2022/23"


@pytest.mark.parametrize("kind", ["trend-place", "trend-shire", "sii-trend"])
def test_trend_descriptions_and_ticks_write_periods_in_words(built_charts, kind):
    ch = built_charts[kind]
    hyphen = re.compile(r"\b(19|20)\d\d ?[-\u2013] ?\d\d\b")
    assert not hyphen.search(ch.description), ch.description
    assert re.search(r"\b20\d\d to 20\d\d\b", ch.description)
    ticks = [t.get_text() for ax in ch.figure.axes for t in ax.get_xticklabels()]
    assert ticks and not any(hyphen.search(t) for t in ticks)


# ----------------------------------------------------------------------------- tables
def test_table_first_column_is_row_headers_and_caption_required():
    t = pd.DataFrame({"Area": ["A", "B"], "People": [30, 40], "Rate": [1.5, 2.5]})
    html = tables.to_html(t, caption="People by area")
    assert "<caption>People by area</caption>" in html
    assert html.count('<th scope="col"') == 3
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1])
    assert len(rows) == 2
    for r in rows:
        assert r.startswith('<th scope="row">')
        assert r.count("<th") == 1 and r.count("<td") == 2
    with pytest.raises(ValueError, match="caption"):
        tables.to_html(t, caption="  ")


def test_markdown_tables_are_captioned_with_row_headers():
    md = book.md_table("Places in LLR", ["Place", "People"], [["[A](a.md)", "1"]], numeric=True)
    assert md.startswith("~~~{list-table} Places in LLR")
    assert ":stub-columns: 1" in md and ":header-rows: 1" in md


# ----------------------------------------------------------------------------- CSS
def test_stylesheet_has_print_and_reflow_rules():
    css = (ROOT / "book" / "_static" / "hi.css").read_text("utf-8")
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    print_block = css[css.index("@media print") :]
    assert "break-inside: avoid" in print_block and "overflow: visible" in print_block
    assert re.search(r"@media \(max-width: 575\.98px\)\s*\{[^}]*headerlink[^}]*display: none", css)


def test_rendering_darkens_any_palette_text_a_chapter_forgets(built_charts):
    """A new chapter's chart with orange text still publishes text at 4.5:1 or more."""
    ch = built_charts["deciles"]
    ch.figure.axes[0].text(5, 5, "Orange label", color="#F46A25")
    svg = report._svg(ch)
    fills = re.findall(r"<text[^>]*style=\"[^\"]*fill: (#[0-9a-fA-F]{6})", svg)
    assert fills, "no text found in the SVG"
    assert "#f46a25" not in {f.lower() for f in fills}
    assert all(_contrast(f) >= 4.5 for f in fills)


def test_shared_text_metrics_change_no_byte(llr):
    """Measuring text once per process (charts.shared_text_metrics) writes the same SVG.

    Every kind of chart is rendered once with matplotlib's own per-figure cache, then
    again (a fresh copy) through ``report._svg`` after all the others have filled the
    shared cache, so most of its text is measured by another figure's renderer.
    """
    import io

    import matplotlib.pyplot as plt

    def plain(chart: charts.Chart) -> str:
        charts.ensure_text_contrast(chart.figure)
        buf = io.StringIO()
        with plt.rc_context({"svg.hashsalt": "hi-analysis:" + chart.name}):
            chart.figure.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(chart.figure)
        return buf.getvalue()

    charts._TEXT_METRICS.clear()
    expected = {k: plain(_build(k, llr)) for k in KINDS}
    assert not charts._TEXT_METRICS  # the plain renders did not use the shared cache
    for k in KINDS:
        report._svg(_build(k, llr))
    filled = len(charts._TEXT_METRICS)
    assert filled > 0
    for k in KINDS:
        assert report._svg(_build(k, llr)) == expected[k], k
    assert len(charts._TEXT_METRICS) == filled  # second renders were all cache hits
