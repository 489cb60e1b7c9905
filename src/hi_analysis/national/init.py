"""Write a parameters folder for any English integrated care board from the national lookups.

``hi-analysis init --icb E54000058`` calls :func:`init_system`. Everything is decided from
the shipped ONS lookup (``data/public/lookup_lsoa21_ward24_lad24_utla23_icb24_england``)
and the shipped tables, never from a place's name:

* **districts**: every 2024 district most of whose neighbourhoods (LSOA 2021) lie in the
  ICB, so each district belongs to exactly one system (13 districts straddle two ICBs);
* **places**: the upper-tier authorities of those districts, each with its districts
  (named "... (part)" when some of its districts belong to another ICB);
* **GP practices**: each sub-ICB location goes to the place holding most of its
  neighbourhoods; a place left without one takes the sub-ICB location holding most of
  its own neighbourhoods (shared with a neighbour, stated in the file);
* **chapters**: the needs analysis and the SII chapter always (real data for every
  district, synthetic extracts calibrated to each district's own published figures);
  the COVID-19 chapter when the national cumulative COVID-19 deaths cover every district
  (its locally shipped tables are optional: a section they do not cover says so); the
  logic-model chapter never (it needs the system's own plan: add ``plan/`` by hand);
* comparator England, the default disclosure rule and the reporting period of the
  shipped systems (:data:`REPORTING_PERIOD`).

The folder is validated with :func:`hi_analysis.config.load_system` before it is kept.

Examples
--------
>>> plan = plan_system("E54000011")
>>> plan.system_id, [p.code for p in plan.places]
('shropshire-telford-and-wrekin', ['E06000020', 'E06000051'])
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hi_analysis.errors import ConfigError
from hi_analysis.paths import parameters_dir

#: Same reporting period as the shipped systems' ``system.yml``.
REPORTING_PERIOD = {"start": "2015-01-01", "end": "2025-12-31", "label": "2015 to 2025"}
DEFAULT_DISCLOSURE = "nhs_england"

_KIND = {
    "E06": "unitary authority",
    "E08": "metropolitan borough",
    "E09": "london borough",
    "E10": "county council",
}


@dataclass
class PlacePlan:
    """One place of a new system."""

    id: str
    name: str
    code: str
    kind: str
    districts: list[tuple[str, str]]
    sub_icb: list[str]
    shared_sub_icb: bool = False
    partial: bool = False


@dataclass
class SystemPlan:
    """What :func:`init_system` writes."""

    icb_code: str
    icb_name: str
    system_id: str
    name: str
    short_name: str
    chapters: list[str]
    places: list[PlacePlan] = field(default_factory=list)
    #: Places too small for a social gradient (why the SII chapter is left out).
    too_small: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A parameters identifier from a name.

    Examples
    --------
    >>> slug("Telford and Wrekin")
    'telford-and-wrekin'
    >>> slug("Bristol, City of")
    'bristol-city-of'
    """
    out = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", "and")).strip("-")
    if not out or not out[0].isalpha():
        out = "x-" + out
    return out[:40].rstrip("-")


def system_name(icb_name: str) -> str:
    """The system's name from the ICB's name.

    Examples
    --------
    >>> system_name("NHS Derby and Derbyshire Integrated Care Board")
    'Derby and Derbyshire'
    """
    return re.sub(r"^NHS |\s*Integrated Care Board$", "", icb_name).strip()


def short_name(name: str) -> str:
    """The name if it fits in 20 characters, otherwise its initials.

    Examples
    --------
    >>> short_name("Leicester, Leicestershire and Rutland")
    'LLR'
    >>> short_name("Black Country")
    'Black Country'
    """
    if len(name) <= 20:
        return name
    words = [w for w in re.split(r"[\s,]+", name) if w and w.lower() not in ("and", "of", "the")]
    return "".join(w[0].upper() for w in words)[:20]


def _lookup() -> pd.DataFrame:
    from hi_analysis.data import load

    return load("lookup_lsoa21")


def icb_codes() -> list[str]:
    """Every ICB code in the shipped lookup (42)."""
    return sorted(_lookup()["icb24_code"].unique())


def supported_chapters(
    district_codes: list[str], council_codes: list[str], smallest_place: int
) -> list[str]:
    """The chapters the shipped data supports for these districts (decided from the data).

    ``smallest_place`` is the number of 2011 neighbourhoods of the system's smallest place:
    the SII chapter needs at least
    :data:`hi_analysis.inequality.MIN_NEIGHBOURHOODS_FOR_GRADIENT` in every place.
    """
    from hi_analysis.covid import REQUIRED_DISTRICT_TABLES
    from hi_analysis.data.public import missing_areas
    from hi_analysis.inequality import MIN_NEIGHBOURHOODS_FOR_GRADIENT

    chapters = ["needs_analysis"]
    if smallest_place >= MIN_NEIGHBOURHOODS_FOR_GRADIENT:
        chapters.append("sii")
    if all(not missing_areas(t, district_codes) for t in REQUIRED_DISTRICT_TABLES):
        chapters.append("covid")
    return chapters


def plan_system(icb_code: str, system_id: str | None = None) -> SystemPlan:
    """Decide the places, districts, practices and chapters of an ICB's system.

    Raises
    ------
    ConfigError
        If the ICB code is not in the shipped lookup.
    """
    look = _lookup()
    if icb_code not in set(look["icb24_code"]):
        raise ConfigError(
            f"--icb: unknown ICB code {icb_code!r} (not in the shipped ONS lookup; "
            f"known codes: {', '.join(icb_codes())})"
        )
    # Each district belongs to the ICB holding most of its neighbourhoods.
    counts = look.groupby(["ltla24_code", "icb24_code"]).size().rename("n").reset_index()
    counts = counts.sort_values(["ltla24_code", "n", "icb24_code"], ascending=[True, False, True])
    home = counts.drop_duplicates("ltla24_code").set_index("ltla24_code")["icb24_code"]
    districts = sorted(home.index[home == icb_code])
    if not districts:  # an ICB with no district of its own: take those it has any part of
        districts = sorted(look.loc[look["icb24_code"] == icb_code, "ltla24_code"].unique())
    d = look[look["ltla24_code"].isin(districts)]
    names = d.drop_duplicates("ltla24_code").set_index("ltla24_code")
    icb_name = str(look.loc[look["icb24_code"] == icb_code, "icb24_name"].iloc[0])
    name = system_name(icb_name)
    sid = system_id or slug(name)
    inside = d[d["icb24_code"] == icb_code]
    # sub-ICB location -> the place holding most of its neighbourhoods
    sub_home = (
        inside.groupby(["sicbl24_code_nhs", "utla23_code"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["sicbl24_code_nhs", "n"], ascending=[True, False])
        .drop_duplicates("sicbl24_code_nhs")
        .set_index("sicbl24_code_nhs")["utla23_code"]
    )
    all_utla_districts = look.groupby("utla23_code")["ltla24_code"].apply(lambda s: set(s))
    places = []
    for utla, group in names.groupby("utla23_code", sort=True):
        utla_name = str(group["utla23_name"].iloc[0])
        codes = sorted(group.index)
        partial = set(codes) != all_utla_districts[utla]
        subs = sorted(sub_home.index[sub_home == utla])
        shared = False
        if not subs:
            mine = inside[inside["utla23_code"] == utla]["sicbl24_code_nhs"].value_counts()
            subs, shared = [str(mine.index[0])], True
        places.append(
            PlacePlan(
                id=slug(utla_name),
                name=f"{utla_name} (part)" if partial else utla_name,
                code=utla,
                kind=_KIND[utla[:3]],
                districts=[(c, str(names.loc[c, "ltla24_name"])) for c in codes],
                sub_icb=subs,
                shared_sub_icb=shared,
                partial=partial,
            )
        )
    from hi_analysis.geography import lsoa11_codes_of_districts

    sizes = {p.id: len(lsoa11_codes_of_districts([c for c, _ in p.districts])) for p in places}
    chapters = supported_chapters(districts, [p.code for p in places], min(sizes.values()))
    small = sorted(pid for pid, n in sizes.items() if n < 5)
    return SystemPlan(icb_code, icb_name, sid, name, short_name(name), chapters, places, small)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (names are plain text, so only quotes need care)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(plan: SystemPlan) -> dict[str, str]:
    """The files of the parameters folder, by relative path."""
    p = REPORTING_PERIOD
    lines = [
        f"# {plan.name} integrated care system.",
        f"# Written by `hi-analysis init --icb {plan.icb_code}` from the shipped ONS lookups;",
        "# edit freely, then check with `hi-analysis validate --system " + plan.system_id + "`.",
        f"id: {plan.system_id}",
        f"name: {_q(plan.name)}",
        f"short_name: {_q(plan.short_name)}",
        f"icb_code: {plan.icb_code}          # {plan.icb_name}",
        "# Calendar years covered by the record-level extracts (trends, pre-pandemic baselines).",
        "reporting_period:",
        f"  start: {p['start']}",
        f"  end: {p['end']}",
        f"  label: {_q(p['label'])}",
        "comparator:",
        "  code: E92000001",
        "  name: England",
        "# Disclosure-control preset for every published count:",
        "#   nhs_england   1-7 shown as [c], other counts rounded to the nearest 5",
        "#   suppress_lt5  counts below 5 suppressed, with secondary suppression",
        "#   suppress_lt10 counts below 10 suppressed, with secondary suppression",
        f"disclosure: {DEFAULT_DISCLOSURE}",
        "# Chapters the shipped data supports for this system. The logic-model chapter needs",
        "# the system's plan (parameters/<system>/plan/, see parameters/llr/plan).",
        *(
            [
                f"# No SII chapter: {', '.join(plan.too_small)} has fewer than 5 "
                "neighbourhoods (LSOAs), too few to measure a social gradient."
            ]
            if plan.too_small
            else []
        ),
        "chapters:",
        *[f"  - {c}" for c in plan.chapters],
        "places:",
        *[f"  - {pl.id}" for pl in plan.places],
    ]
    files = {"system.yml": "\n".join(lines) + "\n"}
    for pl in plan.places:
        body = [f"id: {pl.id}", f"name: {_q(pl.name)}", f"code: {pl.code}", f"kind: {pl.kind}"]
        if pl.partial:
            body.append(
                "# Only the districts below are in this ICB; council-level figures "
                "(e.g. Fingertips) cover the whole council."
            )
        body.append("districts:")
        body += [f"  - {{code: {c}, name: {_q(n)}}}" for c, n in pl.districts]
        body.append("gp_practices:")
        if pl.shared_sub_icb:
            body.append(
                "  # No sub-ICB location of its own: the practices of the location "
                "holding most of its"
            )
            body.append(
                "  # neighbourhoods (shared with a neighbouring place; narrow with "
                "postcode_districts)."
            )
        body.append(f"  sub_icb: [{', '.join(_q(s) for s in pl.sub_icb)}]")
        files[f"places/{pl.id}.yml"] = "\n".join(body) + "\n"
    return files


def init_system(
    icb_code: str, *, system_id: str | None = None, root: Path | None = None, force: bool = False
) -> Path:
    """Write and validate ``<root>/<system>/`` for an ICB; return the folder.

    Parameters
    ----------
    icb_code
        The ICB's 2024 code (``E54...``).
    system_id
        Folder name (default: from the ICB's name).
    root
        Parameters folder (default ``parameters/``); validation reads systems from there.
    force
        Replace an existing folder.

    Raises
    ------
    ConfigError
        Unknown ICB, an existing folder without ``force``, or a folder that fails validation
        (then nothing is written).
    """
    from hi_analysis.config import load_system

    plan = plan_system(icb_code, system_id)
    root = Path(root) if root is not None else parameters_dir()
    target = root / plan.system_id
    if target.exists() and not force:
        raise ConfigError(f"{target}: already exists (use --force to replace it)")
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{plan.system_id}.", dir=root))
    try:
        staged = tmp / plan.system_id
        for rel, text in render(plan).items():
            path = staged / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        load_system(plan.system_id, root=tmp)
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
