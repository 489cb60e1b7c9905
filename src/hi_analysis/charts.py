"""Charts in the Government Analysis Function style.

Every chart is returned as a :class:`Chart`: the matplotlib figure plus the
words around it -- a headline title stating the finding, a statistical
subtitle (measure, area, period), alt text written from the data, the source,
and the table behind it (published as a CSV download). Titles are set in the
page's HTML, not drawn into the image, so they are real text for screen readers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import matplotlib
import matplotlib.artist
import matplotlib.axis
import matplotlib.text
import matplotlib.text as mtext

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from hi_analysis.inequality import Gradient  # noqa: E402
from hi_analysis.text import join_names, num, pct, period  # noqa: E402

#: Analysis Function categorical palette, in the order it must be used.
AF_CATEGORICAL = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
#: Two-series palette.
AF_DUO = ("#12436D", "#F46A25")
#: Sequential palette, dark (most) to light (least).
AF_SEQUENTIAL = ("#092135", "#12436D", "#2073BC", "#6BACE6", "#ADD1F1")
#: Focus palette: the highlighted item against grey.
AF_FOCUS = ("#12436D", "#BFBFBF")
AF_GREY = "#BFBFBF"
TEXT_COLOUR = "#0B0C0C"
#: Chart background (the figure and axes are drawn on white, also in dark mode).
BACKGROUND = "#FFFFFF"
#: Most categorical colours in one chart (Analysis Function guidance).
MAX_COLOURS = 4
#: WCAG 2.2 AA minimum contrast for text (1.4.3) and for lines and markers (1.4.11).
TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0
#: A white edge under lines drawn across dark bars, so they stay visible (1.4.11).
HALO = (pe.Stroke(linewidth=3.5, foreground=BACKGROUND), pe.Normal())


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a colour (0 = black, 1 = white).

    Examples
    --------
    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    channels = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in mcolors.to_rgb(colour)
    ]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast_ratio(foreground: str, background: str = BACKGROUND) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#0B0C0C"), 1)
    19.6
    >>> round(contrast_ratio("#F46A25"), 2)  # AF orange on white: too light for text
    3.03
    """
    hi, lo = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_ink(colour: str, background: str = BACKGROUND, minimum: float = TEXT_CONTRAST) -> str:
    """The colour for text that names a series: its own hue, darkened to ``minimum`` contrast.

    Palette colours such as orange and turquoise are fine for lines and bars but too light
    for small text (WCAG 1.4.3); the label keeps the hue so it still matches its line.

    Examples
    --------
    >>> text_ink("#12436D")  # already dark enough
    '#12436D'
    >>> contrast_ratio(text_ink("#F46A25")) >= 4.5
    True
    """
    rgb = mcolors.to_rgb(colour)
    for step in range(101):
        factor = 1 - step / 100
        candidate = mcolors.to_hex(tuple(c * factor for c in rgb)).upper()
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return TEXT_COLOUR


def ensure_text_contrast(figure: Figure, minimum: float = TEXT_CONTRAST) -> int:
    """Darken any text in ``figure`` below ``minimum`` contrast on the white background.

    Called on every chart as it is rendered (:func:`hi_analysis.report.chart_html`), so
    no chapter can publish palette-coloured text that fails WCAG 1.4.3. Returns how many
    text items were changed.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> label = ax.text(0, 0, "Males", color="#F46A25")
    >>> ensure_text_contrast(fig), contrast_ratio(mcolors.to_hex(label.get_color())) >= 4.5
    (1, True)
    >>> plt.close(fig)
    """
    changed = 0
    for axis in _axes_axis(figure):  # ticks not made yet take their colour from here
        for kw in (axis._major_tick_kw, axis._minor_tick_kw):
            colour = kw.get("labelcolor")
            if colour is not None and contrast_ratio(mcolors.to_hex(colour)) < minimum:
                ink = text_ink(mcolors.to_hex(colour), minimum=minimum)
                axis.set_tick_params(
                    which="major" if kw is axis._major_tick_kw else "minor", labelcolor=ink
                )
                changed += 1
    for text in _texts(figure):
        if not text.get_text().strip():
            continue
        colour = mcolors.to_hex(text.get_color())
        if contrast_ratio(colour) < minimum:
            text.set_color(text_ink(colour, minimum=minimum))
            changed += 1
    return changed


def _axes_axis(figure: Figure) -> Iterator[matplotlib.axis.Axis]:
    for ax in figure.get_axes():
        yield from ax._axis_map.values()


def _texts(artist: matplotlib.artist.Artist) -> Iterator[matplotlib.text.Text]:
    """Every text artist of a figure, without making the ticks matplotlib has not made yet.

    ``Figure.findobj`` asks every axis for its children, which creates all its ticks
    (a third of the cost of checking a chart's contrast); ticks not yet made take
    their colour from the axis's tick settings, which :func:`ensure_text_contrast`
    checks separately.
    """
    if isinstance(artist, matplotlib.axis.Axis):
        yield artist.label
        yield artist.offsetText
        for name in ("majorTicks", "minorTicks"):
            for tick in artist.__dict__.get(name, ()):  # only ticks already made
                yield tick.label1
                yield tick.label2
        return
    if isinstance(artist, matplotlib.text.Text):
        yield artist
    for child in artist.get_children():
        yield from _texts(child)


#: Text metrics measured while rendering, shared by every figure of the process.
_TEXT_METRICS: dict = {}


@contextlib.contextmanager
def shared_text_metrics() -> Iterator[None]:
    """Measure each piece of text once per process instead of once per figure.

    matplotlib caches the size of a string per renderer object, and every figure
    gets new renderers, so the same tick labels, units and place names are measured
    again for every chart (about a sixth of a chart's rendering time). Inside this
    context the cache is keyed by the renderer's class instead of its identity, with
    the font, the dpi and the hinting settings: everything the measurement depends
    on. The SVG written is byte-identical
    (``tests/test_charts.py::test_shared_text_metrics_change_no_byte``).

    Examples
    --------
    >>> import io
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("A headline")
    >>> with shared_text_metrics():
    ...     fig.savefig(io.BytesIO(), format="svg")
    >>> len(_TEXT_METRICS) > 0
    True
    >>> plt.close(fig)
    """
    original = mtext._get_text_metrics_with_cache

    def measured(renderer, text, fontprop, ismath, dpi):
        key = (
            type(renderer),
            text,
            fontprop.copy(),
            ismath,
            dpi,
            matplotlib.rcParams["text.hinting"],
            matplotlib.rcParams["text.hinting_factor"],
        )
        found = _TEXT_METRICS.get(key)
        if found is None:
            found = _TEXT_METRICS[key] = renderer.get_text_width_height_descent(
                text, fontprop, ismath
            )
        return found

    mtext._get_text_metrics_with_cache = measured
    try:
        yield
    finally:
        mtext._get_text_metrics_with_cache = original


@dataclass
class Chart:
    """A finished chart with everything the page needs around it."""

    figure: Figure
    title: str
    subtitle: str
    alt: str
    data: pd.DataFrame
    source: str
    name: str
    notes: list[str] = field(default_factory=list)
    #: Count columns of ``data``: disclosure-controlled in the CSV download.
    counts: tuple[str, ...] = ()
    #: What kind of chart this is, for the short alt text ("Bar chart", "Map" ...).
    kind: str = "Chart"

    @property
    def description(self) -> str:
        """The full text description (every number the chart shows), set below the chart."""
        return self.alt

    @property
    def short_alt(self) -> str:
        """One-sentence alt text for the image, pointing to the full text description.

        Screen-reader users hear the long description once, when they open it, rather
        than twice.
        """
        sub = self.subtitle.strip().rstrip(".")
        if len(sub) > 1 and sub[0].isupper() and sub[1].islower():
            sub = sub[0].lower() + sub[1:]
        return f"{self.kind} of {sub}. The text description below the chart gives the figures."


def apply_style() -> None:
    """Set the Analysis Function look: sans-serif, y-grid only, no top/right spines."""
    sns.set_theme(
        style="whitegrid",
        palette=list(AF_CATEGORICAL),
        rc={
            "font.family": "sans-serif",
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "axes.edgecolor": TEXT_COLOUR,
            "axes.labelcolor": TEXT_COLOUR,
            "xtick.color": TEXT_COLOUR,
            "ytick.color": TEXT_COLOUR,
            "text.color": TEXT_COLOUR,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "grid.color": "#D9D9D9",
            "legend.frameon": False,
            "svg.fonttype": "none",
            "figure.dpi": 100,
        },
    )


def _no_idle_draw(*_args, **_kwargs) -> None:
    """A chart is drawn once, when saved; an idle redraw (geopandas asks for one) is waste."""


def _fig(width: float = 8.0, height: float = 4.8) -> tuple[Figure, plt.Axes]:
    apply_style()
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    fig.canvas.draw_idle = _no_idle_draw  # every geopandas layer drew the whole map again
    return fig, ax


# ----------------------------------------------------------------------------- pyramid
def population_pyramid(pyramid: pd.DataFrame, *, place: str, title: str) -> Chart:
    """Horizontal bars of each sex's share by age band, with England's shape as an outline.

    Parameters
    ----------
    pyramid : pandas.DataFrame
        From :func:`hi_analysis.needs.population_pyramid`.
    place : str
        Place name for labels.
    title : str
        The headline title (states the finding).
    """
    fig, ax = _fig(8, 6)
    bands = list(dict.fromkeys(pyramid["age_band"]))
    y = np.arange(len(bands))
    for sex, sign, colour in (("Female", 1, AF_DUO[0]), ("Male", -1, AF_DUO[1])):
        d = pyramid[pyramid["sex"] == sex].set_index("age_band").loc[bands]
        ax.barh(y, sign * d["share"] * 100, color=colour, height=0.85, label=f"{place}: {sex}")
        ax.step(
            np.r_[
                sign * d["england_share"].to_numpy() * 100, sign * d["england_share"].iloc[-1] * 100
            ],
            np.r_[y - 0.5, y[-1] + 0.5],
            where="post",
            color=TEXT_COLOUR,
            linewidth=1.5,
            linestyle="--",
            path_effects=HALO,
        )
    ax.set_yticks(y, bands)
    ax.set_ylabel("Age band (years)")
    ax.set_xlabel("Share of the whole population (%)")
    lim = max(pyramid["share"].max(), pyramid["england_share"].max()) * 100 * 1.15
    ax.set_xlim(-lim, lim)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(t):g}" for t in ticks])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.text(
        lim * 0.95,
        len(bands) - 0.5,
        "Females",
        ha="right",
        va="top",
        color=text_ink(AF_DUO[0]),
        fontweight="bold",
    )
    ax.text(
        -lim * 0.95,
        len(bands) - 0.5,
        "Males",
        ha="left",
        va="top",
        color=text_ink(AF_DUO[1]),
        fontweight="bold",
    )
    data = pyramid.assign(
        share=lambda d: (d["share"] * 100).round(2),
        england_share=lambda d: (d["england_share"] * 100).round(2),
    )
    data = data.rename(
        columns={
            "share": "percent_of_population",
            "england_share": "england_percent_of_population",
            "population": "population_modelled",
        }
    )
    wide = pyramid.pivot_table(index="age_band", columns="sex", values="share", sort=False)
    diff = wide.sum(axis=1) - pyramid.pivot_table(
        index="age_band", columns="sex", values="england_share", sort=False
    ).sum(axis=1)
    over, under = diff.idxmax(), diff.idxmin()
    alt = (
        f"Population pyramid for {place}, mid-2020. Bars show the percentage of all residents "
        f"in each five-year age band, females to the right and males to the left, with "
        f"England's shape as a dashed outline. Compared with England, {place} has the most "
        f"extra people aged {over} ({num(diff[over] * 100)} percentage points more) and the "
        f"biggest shortfall aged {under} ({num(-diff[under] * 100)} points fewer)."
    )
    return Chart(
        fig,
        title,
        f"Percentage of residents by age and sex, {place} (bars) and England "
        "(dashed outline), mid-2020",
        alt,
        data,
        "ONS mid-2020 small area population estimates; Census 2021 (sex split, modelled)",
        "population-pyramid",
        kind="Population pyramid",
    )


# ----------------------------------------------------------------------------- deciles
def decile_shares(profile: pd.DataFrame, *, place: str, title: str) -> Chart:
    """Paired bars of residents' share in each national decile, IMD 2019 vs IoD2025."""
    fig, ax = _fig(8, 4.6)
    x = np.arange(1, 11)
    width = 0.4
    for i, (edition, colour) in enumerate((("IMD 2019", AF_DUO[0]), ("IoD2025", AF_DUO[1]))):
        d = profile[profile["edition"] == edition].set_index("decile").loc[x]
        bars = ax.bar(
            x + (i - 0.5) * width,
            d["share"] * 100,
            width=width * 0.95,
            color=colour,
            label=edition,
            hatch="" if i == 0 else "//",
            edgecolor="white",
        )
        del bars
    ax.axhline(10, color=TEXT_COLOUR, linestyle=":", linewidth=1.2)
    ax.text(10.6, 10.3, "10%: England's\naverage share", ha="right", va="bottom", fontsize=9)
    ax.set_xticks(
        x, ["1\nmost\ndeprived"] + [str(i) for i in range(2, 10)] + ["10\nleast\ndeprived"]
    )
    ax.set_xlabel("National deprivation decile of the neighbourhood")
    ax.set_ylabel("Share of residents (%)")
    ax.legend(loc="upper right", ncols=2, bbox_to_anchor=(1, 1.02))
    ax.grid(axis="x", visible=False)
    wide = profile.pivot(index="decile", columns="edition", values="share")
    alt = (
        f"Bar chart of the share of {place}'s residents living in each national deprivation "
        f"decile, IMD 2019 beside IoD2025. "
        + " ".join(
            f"Decile {d}: {pct(r['IMD 2019'])} in 2019, {pct(r['IoD2025'])} in 2025."
            for d, r in wide.iterrows()
        )
    )
    data = profile.assign(share_percent=lambda d: (d["share"] * 100).round(2)).drop(columns="share")
    return Chart(
        fig,
        title,
        f"Percentage of residents by national deprivation decile, {place}, "
        "IMD 2019 (mid-2020 population) and IoD2025 (Census 2021 residents)",
        alt,
        data,
        "MHCLG English Indices of Deprivation 2019 and 2025; ONS",
        "deprivation-deciles",
        kind="Bar chart",
    )


#: Labels of the five map classes (pairs of national deciles).
MAP_CLASSES = ("Deciles 1-2 (Core20)", "Deciles 3-4", "Deciles 5-6", "Deciles 7-8", "Deciles 9-10")


def deprivation_map(
    lsoas: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    place: str,
    title: str,
    vintage: str,
    outline_by: str = "district",
) -> Chart:
    """Choropleth of neighbourhoods by IoD2025 national decile, in five classes.

    ``lsoas`` must have ``imd_decile``, ``lsoa21cd``, ``lsoa21nm`` and ``ward`` columns.
    The district outlines are drawn from the same neighbourhood polygons (dissolved by
    ``outline_by`` when ``lsoas`` has that column, else the whole place), so they follow
    the neighbourhood edges exactly; ``districts`` is accepted for compatibility and not
    drawn, because a separately generalised boundary cuts across neighbourhoods.
    """
    fig, ax = _fig(8, 7)
    cls = ((lsoas["imd_decile"] - 1) // 2).astype(int).to_numpy()
    for i, colour in enumerate(AF_SEQUENTIAL):
        part = lsoas[cls == i]
        if len(part):
            # Core20 is also hatched, so it does not depend on telling two dark blues apart.
            part.plot(
                ax=ax,
                color=colour,
                edgecolor="white",
                linewidth=0.3,
                hatch="////" if i == 0 else None,
            )
    del districts
    outline = lsoas[["geometry"]].assign(
        _group=lsoas[outline_by].to_numpy() if outline_by in lsoas else "all"
    )
    outline = outline.dissolve(by="_group")
    outline.boundary.plot(ax=ax, color=TEXT_COLOUR, linewidth=1.0)
    ax.set_axis_off()
    ax.set_aspect(1 / np.cos(np.deg2rad(52.6)))
    handles = [
        Patch(
            facecolor=c,
            edgecolor="white" if i == 0 else TEXT_COLOUR,
            label=lab,
            hatch="////" if i == 0 else None,
        )
        for i, (c, lab) in enumerate(zip(AF_SEQUENTIAL, MAP_CLASSES, strict=True))
    ]
    ax.legend(
        handles=handles,
        title="IoD2025 national decile",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    n_core = int((cls == 0).sum())
    wards = lsoas[cls == 0].groupby("ward").size().sort_values(ascending=False).head(3)
    where = f" The largest groups are in {join_names(list(wards.index))}." if n_core else ""
    alt = (
        f"Map of {place}'s {len(lsoas)} neighbourhoods (2021 LSOAs) shaded by IoD2025 "
        f"national deprivation decile in five classes, darkest for the most deprived. "
        f"{n_core} neighbourhoods are in England's most deprived 20% (Core20).{where} "
        f"Counts by class: "
        + "; ".join(f"{lab}: {int((cls == i).sum())}" for i, lab in enumerate(MAP_CLASSES))
        + "."
    )
    data = pd.DataFrame(lsoas.drop(columns="geometry")).assign(
        map_class=[MAP_CLASSES[i] for i in cls]
    )
    return Chart(
        fig,
        title,
        f"Neighbourhoods (LSOA 2021) by IoD2025 national deprivation decile, {place}",
        alt,
        data,
        f"MHCLG IoD2025. Boundaries: {vintage}. "
        "Source: Office for National Statistics licensed under the Open Government "
        "Licence v.3.0. Contains OS data © Crown copyright and database right 2021-2024.",
        "deprivation-map",
        kind="Map",
    )


# ----------------------------------------------------------------------------- comparisons
def compare_bars(
    data: pd.DataFrame,
    *,
    category: str,
    value: str,
    reference: str,
    place: str,
    reference_name: str,
    title: str,
    subtitle: str,
    xlabel: str,
    source: str,
    name: str,
    alt_intro: str,
    percent: bool = True,
) -> Chart:
    """Horizontal bars for the place with the reference (England) marked as a line per bar."""
    d = data.iloc[::-1]
    fig, ax = _fig(8, 0.6 * len(d) + 1.4)
    y = np.arange(len(d))
    scale = 100 if percent else 1
    ax.barh(y, d[value] * scale, color=AF_CATEGORICAL[0], height=0.6, label=place)
    ax.scatter(
        d[reference] * scale,
        y,
        marker="D",
        color=AF_CATEGORICAL[3],
        zorder=3,
        s=40,
        label=reference_name,
        edgecolor=TEXT_COLOUR,
        linewidth=0.6,
    )
    for yi, v in zip(y, d[value] * scale, strict=True):
        ax.text(v, yi + 0.33, f" {v:.1f}{'%' if percent else ''}", va="center", fontsize=9)
    ax.set_yticks(y, [_wrap(c) for c in d[category]])
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    alt = (
        alt_intro
        + " "
        + " ".join(
            f"{r[category]}: {num(r[value] * scale)}{'%' if percent else ''} against "
            f"{num(r[reference] * scale)}{'%' if percent else ''} for {reference_name}."
            for _, r in data.iterrows()
        )
    )
    return Chart(fig, title, subtitle, alt, data, source, name, kind="Bar chart")


def _wrap(label: str, width: int = 28) -> str:
    words, lines, line = label.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def estimates_with_ci(
    data: pd.DataFrame,
    *,
    category: str,
    group: str,
    groups: tuple[str, str],
    title: str,
    subtitle: str,
    xlabel: str,
    source: str,
    name: str,
    alt_intro: str,
) -> Chart:
    """Dot-and-whisker chart: two groups (place, England) per category, with 95% CIs.

    ``data`` needs ``value``, ``lowercl`` and ``uppercl`` columns.
    """
    cats = list(dict.fromkeys(data[category]))[::-1]
    fig, ax = _fig(8, 0.55 * len(cats) + 1.5)
    y = np.arange(len(cats))
    for i, (g, colour, marker) in enumerate(zip(groups, AF_DUO, ("o", "D"), strict=True)):
        d = data[data[group] == g].set_index(category).loc[cats]
        off = 0.15 if i == 0 else -0.15
        ax.errorbar(
            d["value"],
            y + off,
            xerr=[d["value"] - d["lowercl"], d["uppercl"] - d["value"]],
            fmt=marker,
            color=colour,
            ecolor=colour,
            capsize=3,
            label=g,
            markersize=6,
        )
    ax.set_yticks(y, [_wrap(c) for c in cats])
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    notes = []
    widest = float((data["uppercl"] - data["lowercl"]).max())
    if widest < 0.01 * (ax.get_xlim()[1] - ax.get_xlim()[0]):
        notes.append(
            "The 95% confidence intervals are drawn but are narrower than the markers, "
            "because the registers are large; the values are in the data download."
        )
    alt = (
        alt_intro
        + " "
        + " ".join(
            f"{c}: "
            + ", ".join(
                f"{g} {num(r['value'])}% (95% CI {num(r['lowercl'])} to {num(r['uppercl'])})"
                for g in groups
                for _, r in data[(data[category] == c) & (data[group] == g)].iterrows()
            )
            + "."
            for c in cats[::-1]
        )
    )
    return Chart(fig, title, subtitle, alt, data, source, name, notes, kind="Dot chart")


def _period_tick(label: str) -> str:
    """A period as an axis tick, on two lines: ``'2015 - 17'`` reads "2015 to / 2017"."""
    return period(label).replace(" to ", " to\n")


def trend_lines(
    trend: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    ylabel: str,
    source: str,
    name: str,
    focus: str | None = None,
) -> Chart:
    """Lines over time, labelled directly at their right-hand end (no legend).

    With ``focus``, that area is drawn in dark blue, England in black and any others in
    grey. Without it, up to :data:`MAX_COLOURS` areas get their own palette colour; more
    areas than that are drawn as small multiples -- one panel per area, highlighted
    against England and the others in grey -- so no colour is repeated.
    """
    periods = list(dict.fromkeys(trend.sort_values("period")["period"]))
    areas = [
        a
        for a in dict.fromkeys(trend["area_name"])
        if trend.loc[trend["area_name"] == a, "value"].notna().any()
    ]
    if focus is None and len(areas) > MAX_COLOURS:
        fig = _trend_panels(trend, periods, areas, ylabel)
    else:
        fig = _trend_single(trend, periods, areas, ylabel, focus)
    parts = []
    for area in areas:
        d = trend[trend["area_name"] == area].dropna(subset=["value"])
        parts.append(
            f"{area}: {num(d['value'].iloc[0])} in {period(d['period'].iloc[0])} and "
            f"{num(d['value'].iloc[-1])} in {period(d['period'].iloc[-1])}"
        )
    sub = subtitle[0].lower() + subtitle[1:] if subtitle[1:2].islower() else subtitle
    alt = (
        f"Line chart of {sub}, for the periods between {period(periods[0])} and "
        f"{period(periods[-1])}. " + "; ".join(parts) + "."
    )
    return Chart(fig, title, subtitle, alt, trend, source, name, kind="Line chart")


def _trend_single(
    trend: pd.DataFrame, periods: list, areas: list[str], ylabel: str, focus: str | None
) -> Figure:
    fig, ax = _fig(8, 4.6)
    x = {p: i for i, p in enumerate(periods)}
    styles = ("-", "--", ":", "-.")
    last_y = []
    for i, area in enumerate(areas):
        d = trend[trend["area_name"] == area].dropna(subset=["value"])
        if focus is not None:
            colour = (
                AF_FOCUS[0] if area == focus else (TEXT_COLOUR if area == "England" else AF_GREY)
            )
        else:
            colour = AF_CATEGORICAL[i]
        ax.plot(
            [x[p] for p in d["period"]],
            d["value"],
            color=colour,
            linewidth=2,
            linestyle=styles[i % len(styles)],
            marker="o",
            markersize=3,
        )
        last_y.append((d["value"].iloc[-1], area, colour, x[d["period"].iloc[-1]]))
    # direct labels, nudged apart; text in a darkened tint of the line's colour
    last_y.sort()
    span = (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.05
    placed: list[float] = []
    for yv, area, colour, xi in last_y:
        ypos = yv if not placed or yv - placed[-1] >= span else placed[-1] + span
        placed.append(ypos)
        ax.text(xi + 0.15, ypos, area, color=text_ink(colour), va="center", fontsize=9)
    ax.set_xticks(range(len(periods)), [_period_tick(p) for p in periods], fontsize=8)
    ax.set_xlim(-0.3, len(periods) + 1.8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)
    return fig


def _trend_panels(trend: pd.DataFrame, periods: list, areas: list[str], ylabel: str) -> Figure:
    apply_style()
    local = [a for a in areas if a != "England"]
    ncols = 4 if len(local) > 6 else 3
    nrows = -(-len(local) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(8, 2.3 * nrows + 0.5),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    x = {p: i for i, p in enumerate(periods)}

    def _line(ax, area: str, **kw) -> None:
        d = trend[trend["area_name"] == area].dropna(subset=["value"])
        ax.plot([x[p] for p in d["period"]], d["value"], **kw)

    for ax, area in zip(axes.flat, local, strict=False):
        for other in local:
            if other != area:
                _line(ax, other, color=AF_GREY, linewidth=1)
        if "England" in areas:
            _line(ax, "England", color=TEXT_COLOUR, linewidth=1.5, linestyle="--")
        _line(ax, area, color=AF_FOCUS[0], linewidth=2.5, marker="o", markersize=2.5)
        ax.set_title(_wrap(area, 18), loc="left", fontsize=9, fontweight="bold")
        ax.grid(axis="x", visible=False)
        ax.set_xticks(
            [0, len(periods) - 1], [_period_tick(periods[0]), _period_tick(periods[-1])], fontsize=8
        )
        ax.tick_params(axis="y", labelsize=8)
    spare = list(axes.flat)[len(local) :]
    handles = [
        Line2D([], [], color=AF_FOCUS[0], linewidth=2.5, label="The area named above the panel"),
        Line2D([], [], color=TEXT_COLOUR, linewidth=1.5, linestyle="--", label="England"),
        Line2D([], [], color=AF_GREY, linewidth=1, label="The other areas"),
    ]
    for ax in spare:
        ax.set_axis_off()
    if spare:
        spare[0].legend(handles=handles, loc="center", fontsize=9, frameon=False)
    else:
        fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=9)
    fig.supylabel(ylabel, fontsize=10)
    return fig


def practice_scatter(
    table: pd.DataFrame, fit, *, place: str, title: str, alt_summary: str
) -> Chart:
    """QOF payment per patient against practice IMD score, sized by list, with the fitted line.

    ``fit`` is a :class:`hi_analysis.needs.InverseCare`; its 95% confidence band is shaded.
    """
    fig, ax = _fig(8, 5)
    size = table["registered_patients"] / table["registered_patients"].max() * 200 + 10
    ax.scatter(
        table["imd_score"],
        table["qof_per_patient"],
        s=size,
        color=AF_CATEGORICAL[0],
        alpha=0.6,
        edgecolor="white",
        linewidth=0.5,
    )
    xs = np.linspace(table["imd_score"].min(), table["imd_score"].max(), 50)
    lo, hi = fit.band(xs)
    ax.fill_between(xs, lo, hi, color=AF_CATEGORICAL[3], alpha=0.2, linewidth=0)
    ax.plot(xs, fit.intercept + fit.slope * xs, color=AF_CATEGORICAL[3], linewidth=2.5)
    ax.text(
        xs[-1],
        fit.intercept + fit.slope * xs[-1],
        "  fitted line, weighted by list size\n  (shaded: 95% confidence band)",
        color=text_ink(AF_CATEGORICAL[3]),
        va="center",
        fontsize=9,
    )
    ax.set_xlabel("Practice IMD 2019 score (higher = more deprived population)")
    ax.set_ylabel("QOF payment per registered patient (£)")
    ax.set_xlim(right=table["imd_score"].max() * 1.25)
    data = table[["practice_code", "practice_name", "imd_score", "qof_per_patient"]].round(3)
    return Chart(
        fig,
        title,
        f"QOF achievement payment per registered patient by practice "
        f"deprivation, GP practices in {place}, 2022/23",
        alt_summary,
        data,
        "NHS England, NHS payments to general practice 2022/23; OHID practice IMD "
        "2019 scores (Fingertips)",
        "practice-qof-payments",
        kind="Scatter chart",
    )


# ----------------------------------------------------------------------------- social gradient
def _quantile_word(k: int) -> str:
    return "decile" if k == 10 else "quintile" if k == 5 else "quantile"


def sii_gradient(
    estimates: pd.DataFrame,
    fit: pd.Series,
    *,
    title: str,
    subtitle: str,
    ylabel: str,
    unit: str,
    source: str,
    name: str,
    measure: str,
    place: str,
) -> Chart:
    """Fingertips-style SII chart: bars by local deprivation quantile, and the SII line.

    Each bar carries its 95% confidence interval; the fitted slope-index line runs
    from the most to the least deprived end.

    Parameters
    ----------
    estimates : pandas.DataFrame
        One row per quantile: ``quantile, population, value, lowercl, uppercl``.
    fit : pandas.Series
        One row of :func:`hi_analysis.inequality.fit_sii` (``sii``, ``intercept`` ...).
    unit : str
        Unit after each number in the alt text (e.g. ``" years"``, ``"%"``).
    measure, place : str
        Used in the alt text.
    """
    d = estimates.sort_values("quantile").reset_index(drop=True)
    k = len(d)
    word = _quantile_word(k)
    fig, ax = _fig(8, 4.6)
    x = d["quantile"].to_numpy()
    ax.bar(x, d["value"], color=AF_CATEGORICAL[0], width=0.7, label=f"Local {word}")
    bars = ax.errorbar(
        x,
        d["value"],
        yerr=[d["value"] - d["lowercl"], d["uppercl"] - d["value"]],
        fmt="none",
        ecolor=TEXT_COLOUR,
        capsize=3,
        linewidth=1.2,
    )
    for art in (*bars.lines[1], *bars.lines[2]):  # whiskers stay visible over the dark bars
        art.set_path_effects(HALO)
    # the fitted line, in relative-rank units mapped onto the bar positions
    share = d["population"] / d["population"].sum()
    rank = (share.cumsum() - share / 2).to_numpy()
    ends = np.array([0.0, 1.0])
    xs = np.interp(ends, np.r_[0.0, rank, 1.0], np.r_[0.5, x, k + 0.5])
    ys = fit["intercept"] + fit["sii"] * ends
    ax.plot(xs, ys, color=AF_CATEGORICAL[3], linewidth=2.5, linestyle="--")
    ax.text(
        xs[1] + 0.1,
        ys[1],
        "Fitted SII line",
        color=text_ink(AF_CATEGORICAL[3]),
        va="center",
        fontsize=9,
    )
    low = min(float(d["lowercl"].min()), float(ys.min()))
    high = max(float(d["uppercl"].max()), float(ys.max()))
    pad = (high - low) * 0.25 or 1.0
    ax.set_ylim(max(0.0, low - pad) if low > 0 else low - pad, high + pad * 0.6)
    ax.set_xlim(0.3, k + 1.6)
    ax.set_xticks(
        x,
        [
            f"{q}\nmost\ndeprived" if q == 1 else f"{q}\nleast\ndeprived" if q == k else str(q)
            for q in x
        ],
        fontsize=9,
    )
    ax.set_xlabel(f"Local deprivation {word} (IMD 2019, ranked within {place})")
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)
    data = d.assign(fitted=fit["intercept"] + fit["sii"] * rank, relative_rank=rank)
    counts = tuple(c for c in ("deaths", "events", "population") if c in data)
    alt = (
        f"Bar chart of {measure} in each of {k} local deprivation {word}s of {place}, "
        f"most deprived first, with 95% confidence intervals and the fitted slope index "
        f"line. "
        + "; ".join(
            f"{word} {int(r.quantile)}: {num(r.value)}{unit} (95% CI "
            f"{num(r.lowercl)} to {num(r.uppercl)})"
            for r in d.itertuples()
        )
        + f". The fitted line runs from {num(ys[0])}{unit} at the most deprived end to "
        f"{num(ys[1])}{unit} at the least deprived end: a slope index of "
        f"{num(fit['sii'])}{unit} (95% CI {num(fit['sii_lowercl'])} to "
        f"{num(fit['sii_uppercl'])})."
    )
    return Chart(fig, title, subtitle, alt, data, source, name, counts=counts, kind="Bar chart")


def gradient_chart(g: Gradient, *, place: str, title: str) -> Chart:
    """The :func:`sii_gradient` chart of one indicator of the SII chapter, with its subtitle.

    The subtitle states the measure, the grouping, the place, the period and whether
    the figures are synthetic or real.
    """
    word = _quantile_word(int(g.fit["n_quantiles"]))
    subtitle = (
        f"{g.ylabel} by local {g.areas}deprivation {word}, with 95% confidence "
        f"intervals, {place}, {g.period}" + (" (synthetic)" if g.synthetic else " (real data)")
    )
    return sii_gradient(
        g.estimates,
        g.fit,
        title=title,
        subtitle=subtitle,
        ylabel=g.ylabel,
        unit=g.unit,
        source=g.source,
        name=f"sii-{g.key}",
        measure=g.measure,
        place=place,
    )


def sii_over_time(
    trend: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    ylabel: str,
    source: str,
    name: str,
    published: pd.DataFrame | None = None,
) -> Chart:
    """The SII by period for each series (e.g. sex), with 95% CI bands and direct labels.

    ``trend`` needs ``period, series, sii, sii_lowercl, sii_uppercl``; ``published``
    (optional) ``period, series, value`` -- the official figures, drawn as open markers.
    """
    fig, ax = _fig(8, 4.6)
    periods = list(dict.fromkeys(trend["period"]))
    if published is not None:
        periods = sorted(set(periods) | set(published["period"]))
    x = {p: i for i, p in enumerate(periods)}
    series = list(dict.fromkeys(trend["series"]))
    for i, s in enumerate(series):
        d = trend[trend["series"] == s]
        colour = AF_DUO[i % 2]
        xs = [x[p] for p in d["period"]]
        ax.fill_between(
            xs, d["sii_lowercl"], d["sii_uppercl"], color=colour, alpha=0.15, linewidth=0
        )
        ax.plot(
            xs,
            d["sii"],
            color=colour,
            linewidth=2,
            marker="o",
            markersize=4,
            linestyle="-" if i == 0 else "--",
        )
        ax.text(
            xs[-1] + 0.15,
            float(d["sii"].iloc[-1]),
            f"{s} (computed)",
            color=text_ink(colour),
            va="center",
            fontsize=9,
        )
        if published is not None:
            p = published[published["series"] == s]
            if len(p):
                ax.plot(
                    [x[q] for q in p["period"]],
                    p["value"],
                    linestyle="none",
                    marker="D",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=colour,
                    markeredgewidth=1.5,
                )
    if published is not None and len(published):
        ax.plot(
            [],
            [],
            linestyle="none",
            marker="D",
            markerfacecolor="white",
            markeredgecolor=TEXT_COLOUR,
            label="Published by OHID (Fingertips)",
        )
        ax.legend(loc="upper left", fontsize=9)
    ax.set_xticks(range(len(periods)), [_period_tick(p) for p in periods], fontsize=8)
    ax.set_xlim(-0.3, len(periods) + 1.5)
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)
    parts = []
    for s in series:
        d = trend[trend["series"] == s]
        parts.append(
            f"{s}: {num(d['sii'].iloc[0])} in {period(d['period'].iloc[0])} "
            f"(95% CI {num(d['sii_lowercl'].iloc[0])} to "
            f"{num(d['sii_uppercl'].iloc[0])}) and {num(d['sii'].iloc[-1])} in "
            f"{period(d['period'].iloc[-1])} (95% CI {num(d['sii_lowercl'].iloc[-1])} to "
            f"{num(d['sii_uppercl'].iloc[-1])})"
        )
    alt = f"Line chart of {subtitle[0].lower() + subtitle[1:]}. " + "; ".join(parts) + "."
    if published is not None and len(published):
        alt += (
            " Published values: "
            + "; ".join(
                f"{r.series} {period(r.period)} {num(r.value)}" for r in published.itertuples()
            )
            + "."
        )
    data = (
        trend
        if published is None
        else trend.merge(
            published.rename(columns={"value": "published_sii"}),
            on=["period", "series"],
            how="outer",
        )
    )
    return Chart(fig, title, subtitle, alt, data, source, name, kind="Line chart")
