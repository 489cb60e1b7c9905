"""Editions of a system's book, and what changed since the last one.

Each build publishes an **edition**, named by the quarter of the NHS financial year
(April to March) that contains the last day of the system's reporting period:
a period ending on 31 December 2025 is edition ``2025/26 Q3`` (slug ``2025-26-q3``).
A period that does not end on a quarter's last day is named by the quarter it ends in
(a period ending 15 November 2025 is also ``2025/26 Q3``), so rebuilding with the same
reporting period, or one that ends in the same quarter, replaces that edition.

Editions are published side by side under ``_build/<system>/editions/<slug>/`` (see
:func:`hi_analysis.book.build_book`), each with a machine-readable record
``edition.json`` (:func:`build_record`): every key result of every chapter and place,
the extracts' sha256, the shipped-data manifest and files, the code revision and
fingerprints. The next edition compares itself with that record
(:func:`compare`) without re-running the old one, and writes the page
"What changed since the last edition" (:func:`changes_page`).

When is a change larger than its uncertainty? For two estimates ``a`` (previous) and
``b`` (current) with 95% intervals, the standard error of each is taken as the
interval's width divided by ``2 x 1.96 = 3.92``, on the log scale for ratios (whose
intervals are symmetric there). Assuming the two editions' estimates are independent,
the change ``b - a`` has standard error ``sqrt(se_a**2 + se_b**2)`` and the statistic
``z = (b - a) / sqrt(se_a**2 + se_b**2)``; the change is flagged when ``|z| > 1.96``,
that is when the change's own approximate 95% interval excludes zero. This is less
conservative than asking for non-overlapping intervals (which corresponds to
``|z| > 2.77`` for equal widths). Successive editions share most of their data, so
their estimates are positively correlated and the true standard error of the change
is smaller: the rule errs towards not flagging. A key result without an interval (an
official count covering everyone) is flagged when its value changed at all.

Examples
--------
>>> import datetime as dt
>>> e = edition_of(dt.date(2025, 12, 31))
>>> e.label, e.slug, e.months
('2025/26 Q3', '2025-26-q3', 'October to December 2025')
>>> parse_slug("2025-26-q3") == e
True
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hi_analysis.text import escape_markdown as md

if TYPE_CHECKING:
    from hi_analysis.config import System
    from hi_analysis.runner import Job

#: Version of the ``edition.json`` layout.
RECORD_SCHEMA = 1
#: File name of an edition's machine-readable record (inside its site).
RECORD_NAME = "edition.json"
#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054
#: Significant figures key results are stored to (no float noise in the record).
FIGURES = 10

_SLUG = re.compile(r"^(\d{4})-(\d{2})-q([1-4])$")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# ----------------------------------------------------------------------------- naming
@dataclass(frozen=True, order=True)
class Edition:
    """A quarter of the NHS financial year, naming one edition of a book.

    Attributes
    ----------
    year : int
        Calendar year the financial year starts in (2025 for 2025-26).
    quarter : int
        1 (April to June) to 4 (January to March).
    """

    year: int
    quarter: int

    @property
    def label(self) -> str:
        """``'2025/26 Q3'`` (a slash: a hyphen between years reads as "minus")."""
        return f"{self.year}/{(self.year + 1) % 100:02d} Q{self.quarter}"

    @property
    def slug(self) -> str:
        """``'2025-26-q3'``: the folder name (sorts in time order)."""
        return f"{self.year}-{(self.year + 1) % 100:02d}-q{self.quarter}"

    @property
    def months(self) -> str:
        """The quarter's months in words, e.g. ``'October to December 2025'``."""
        first = 3 + 3 * (self.quarter - 1)  # 0-based month index: April is 3
        year = self.year + (first // 12)
        return f"{_MONTHS[first % 12]} to {_MONTHS[(first + 2) % 12]} {year}"


def edition_of(end: dt.date) -> Edition:
    """The edition of a reporting period ending on ``end``: the quarter that contains it.

    Examples
    --------
    >>> edition_of(dt.date(2026, 3, 31)).label, edition_of(dt.date(2026, 4, 1)).label
    ('2025/26 Q4', '2026/27 Q1')
    >>> edition_of(dt.date(2025, 11, 15)).label
    '2025/26 Q3'
    """
    year = end.year if end.month >= 4 else end.year - 1
    return Edition(year, (end.month - 4) % 12 // 3 + 1)


def parse_slug(slug: str) -> Edition | None:
    """The edition a folder name stands for, or ``None`` if it is not an edition slug.

    Examples
    --------
    >>> parse_slug("2025-26-q4"), parse_slug("2025-27-q1"), parse_slug("site")
    (Edition(year=2025, quarter=4), None, None)
    """
    m = _SLUG.match(slug)
    if m is None:
        return None
    year = int(m[1])
    if int(m[2]) != (year + 1) % 100:
        return None
    return Edition(year, int(m[3]))


# ----------------------------------------------------------------------------- published editions
def published(folder: Path) -> list[Edition]:
    """Editions published under ``folder`` (``_build/<system>/editions``), oldest first.

    An edition counts when its link resolves to a site with an ``index.html``.
    """
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        e = parse_slug(p.name)
        if e is not None and (p / "index.html").is_file():
            out.append(e)
    return sorted(out)


def read_record(folder: Path, edition: Edition) -> dict | None:
    """The machine-readable record of a published edition, or ``None`` if unreadable."""
    try:
        data = json.loads((folder / edition.slug / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != RECORD_SCHEMA:
        return None
    return data


def previous_record(folder: Path, current: Edition) -> dict | None:
    """The record of the latest published edition before ``current`` (``None`` if none).

    Rebuilding an edition compares it with the previous *distinct* edition, never with
    its own earlier build.
    """
    for e in reversed(published(folder)):
        if e < current:
            record = read_record(folder, e)
            if record is not None:
                return record
    return None


# ----------------------------------------------------------------------------- the record
def _clean(value: object) -> object:
    """A number stored to :data:`FIGURES` significant figures (``None`` for NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    v = float(value)
    if not math.isfinite(v):
        return None
    v = float(f"{v:.{FIGURES}g}")
    return 0.0 if v == 0 else v


def key_results_of(system: System, jobs: Sequence[Job]) -> list[dict]:
    """Every key result of every chapter and place, read from the chapters' sidecars.

    Ordered by place (as in the system), chapter (as in the system) and identifier;
    each record is a :class:`~hi_analysis.results.KeyResult` mapping plus ``place``
    and ``place_name``. Results whose value is not finite are left out.
    """
    from hi_analysis.results import from_sidecar

    place_order = {p.id: i for i, p in enumerate(system.places)}
    chapter_order = {c: i for i, c in enumerate(system.chapters)}
    out = []
    for job in jobs:
        sidecar = json.loads(job.results.read_text(encoding="utf-8"))
        for r in from_sidecar(sidecar):
            d = {k: _clean(v) for k, v in r.to_dict().items()}
            if d["value"] is None:
                continue
            if d["lower"] is None or d["upper"] is None:
                d["lower"] = d["upper"] = None
            out.append({"place": job.place, "place_name": job.place_name, **d})
    out.sort(
        key=lambda d: (
            place_order.get(d["place"], 99),
            chapter_order.get(d["chapter"], 99),
            d["id"],
        )
    )
    return out


def build_record(system: System, jobs: Sequence[Job], edition: Edition) -> dict:
    """The machine-readable record of an edition (written as ``edition.json``).

    Holds nothing that is not derived from the inputs (no timestamps), so two builds
    from the same inputs write the same bytes.
    """
    from hi_analysis.data.manifest import MANIFEST_NAME, manifest_digest
    from hi_analysis.extracts import extracts_record
    from hi_analysis.paths import public_data_dir
    from hi_analysis.provenance import code_fingerprint, git_revision, system_fingerprint

    needed = sorted({e for job in jobs for e in job.extracts})
    try:
        manifest = json.loads((public_data_dir() / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    return {
        "schema": RECORD_SCHEMA,
        "system": {"id": system.id, "name": system.name, "short_name": system.short_name},
        "edition": {"slug": edition.slug, "label": edition.label, "months": edition.months},
        "reporting_period": {
            "start": system.reporting_period.start.isoformat(),
            "end": system.reporting_period.end.isoformat(),
            "label": system.reporting_period.label,
        },
        "places": [{"id": p.id, "name": p.name} for p in system.places],
        "chapters": list(system.chapters),
        "code": {
            "revision": git_revision(),
            "fingerprint": code_fingerprint()[:16],
        },
        "parameters_fingerprint": system_fingerprint(system)[:16],
        "public_data": {
            "manifest_digest": manifest_digest()[:16],
            "files": {name: str(v.get("sha256", ""))[:16] for name, v in sorted(manifest.items())},
        },
        "extracts": [
            {
                "extract": r["extract"],
                "file": r["file"],
                "sha256": (r["sha256"] or "")[:16] or None,
                "synthetic": r["synthetic"],
            }
            for r in extracts_record(system.id, needed)
        ],
        "key_results": key_results_of(system, jobs),
    }


def dump_record(record: Mapping) -> str:
    """``edition.json``'s text: sorted keys, one value a line, a final newline."""
    return json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------- comparison
def _is_ratio(unit: str) -> bool:
    return "ratio" in unit.lower()


def _scale(r: Mapping) -> str:
    """``'log'`` for a ratio whose value and limits are positive, else ``'linear'``."""
    vals = [r["value"], r["lower"], r["upper"]]
    if _is_ratio(str(r.get("unit", ""))) and all(v is not None and v > 0 for v in vals):
        return "log"
    return "linear"


def _se(r: Mapping, scale: str) -> float:
    f = math.log if scale == "log" else float
    return (f(r["upper"]) - f(r["lower"])) / (2 * Z95)


@dataclass(frozen=True)
class Difference:
    """The change from one estimate to another with its approximate 95% interval.

    Attributes
    ----------
    scale : str
        ``'linear'`` (``estimate`` is ``b - a``) or ``'log'`` (``estimate`` is ``b / a``).
    estimate, lower, upper : float
        The change and its 95% interval, on the natural scale of the result.
    z : float
        The change over its standard error (``inf`` for a change with none).
    """

    scale: str
    estimate: float
    lower: float
    upper: float
    z: float

    @property
    def beyond_uncertainty(self) -> bool:
        """Whether the change is larger than its uncertainty (``|z| > 1.96``)."""
        return abs(self.z) > Z95


def difference(before: Mapping, after: Mapping) -> Difference | None:
    """The change between two key results that both have 95% intervals.

    Returns ``None`` when either has no interval.

    Examples
    --------
    >>> a = {"value": 10.0, "lower": 8.04, "upper": 11.96, "unit": "years"}  # se 1
    >>> b = {"value": 13.0, "lower": 11.04, "upper": 14.96, "unit": "years"}  # se 1
    >>> d = difference(a, b)
    >>> round(d.estimate, 6), round(d.z, 4), d.beyond_uncertainty
    (3.0, 2.1213, True)
    >>> r1 = {"value": 2.0, "lower": 1.0, "upper": 4.0, "unit": "ratio"}
    >>> r2 = {"value": 1.0, "lower": 0.5, "upper": 2.0, "unit": "ratio"}
    >>> d = difference(r1, r2)
    >>> d.scale, round(d.estimate, 6), d.beyond_uncertainty
    ('log', 0.5, False)
    """
    if before.get("lower") is None or after.get("lower") is None:
        return None
    scale = "log" if _scale(before) == "log" and _scale(after) == "log" else "linear"
    f = math.log if scale == "log" else float
    d = f(after["value"]) - f(before["value"])
    se = math.hypot(_se(before, scale), _se(after, scale))
    if se > 0:
        z = d / se
    else:
        z = 0.0 if d == 0 else math.copysign(math.inf, d)
    lo, hi = d - Z95 * se, d + Z95 * se
    if scale == "log":
        return Difference(scale, math.exp(d), math.exp(lo), math.exp(hi), z)
    return Difference(scale, d, lo, hi, z)


#: Statuses of a key result compared across two editions.
STATUSES = ("changed", "within", "same", "incomparable", "new", "gone")


@dataclass(frozen=True)
class Change:
    """One key result of one place, in the previous edition and this one.

    Attributes
    ----------
    status : str
        ``'changed'`` (larger than its uncertainty, or any change without an interval),
        ``'within'`` (changed by less than its uncertainty), ``'same'``,
        ``'incomparable'`` (its unit, or whether it is synthetic, changed), ``'new'``
        or ``'gone'``.
    before, after : mapping or None
        The key result in each edition.
    diff : Difference or None
        The change with its interval, when both have intervals.
    """

    status: str
    before: Mapping | None
    after: Mapping | None
    diff: Difference | None = None

    @property
    def result(self) -> Mapping:
        """The current record (the previous one for a result no longer reported)."""
        return self.after if self.after is not None else self.before  # type: ignore[return-value]

    @property
    def key(self) -> tuple[str, str, str]:
        """Place, chapter and identifier of the result."""
        r = self.result
        return (r["place"], r["chapter"], r["id"])

    @property
    def size(self) -> float:
        """How large the change is, for ranking: ``|z|``, or the relative change."""
        if self.diff is not None:
            return abs(self.diff.z)
        if self.before is None or self.after is None:
            return 0.0
        a, b = self.before["value"], self.after["value"]
        return math.inf if a == 0 and b != 0 else abs(b - a) / abs(a) if a else 0.0


def _key(r: Mapping) -> tuple[str, str, str]:
    return (r["place"], r["chapter"], r["id"])


def compare(previous: Iterable[Mapping], current: Iterable[Mapping]) -> list[Change]:
    """Compare two editions' key results, matched by place, chapter and identifier.

    Results are listed in the current edition's order, then those no longer reported.

    Examples
    --------
    >>> a = {"place": "p", "chapter": "c", "id": "x", "value": 1.0, "lower": None,
    ...      "upper": None, "unit": "years", "synthetic": False}
    >>> [c.status for c in compare([a], [{**a, "value": 2.0}])]
    ['changed']
    >>> [c.status for c in compare([a], [{**a, "id": "y"}])]
    ['new', 'gone']
    """
    before = {_key(r): r for r in previous}
    now = {_key(r): r for r in current}
    out = []
    for key, b in now.items():
        a = before.get(key)
        if a is None:
            out.append(Change("new", None, b))
        elif a.get("unit") != b.get("unit") or bool(a.get("synthetic")) != bool(b.get("synthetic")):
            out.append(Change("incomparable", a, b))
        else:
            d = difference(a, b)
            if d is not None:
                if d.beyond_uncertainty:
                    status = "changed"
                elif a["value"] == b["value"]:
                    status = "same"
                else:
                    status = "within"
            else:
                status = "same" if a["value"] == b["value"] else "changed"
            out.append(Change(status, a, b, d))
    out += [Change("gone", a, None) for key, a in before.items() if key not in now]
    return out


# ----------------------------------------------------------------------------- formatting
_MINUS = "\u2212"


def _decimals(unit: str) -> int:
    u = unit.lower()
    if _is_ratio(u):
        return 2
    if u in ("%", "percentage points", "years") or u.startswith("per "):
        return 1
    return 2


def _plain(value: float, decimals: int) -> str:
    s = f"{abs(value):,.{decimals}f}"
    return (_MINUS + s) if value < 0 and float(s.replace(",", "")) != 0 else s


def _count_unit(unit: str) -> bool:
    from hi_analysis import disclosure

    return disclosure.is_count_column(unit)


def format_number(value: float | None, unit: str, rule: str = "nhs_england") -> str:
    """A key result's number as published: counts pass disclosure control.

    Values whose unit names a count of people or events (``"deaths"``) are shown
    after :func:`hi_analysis.disclosure.control` of their size (suppressed as ``[c]``
    when small, rounded under the rule), with their sign.

    Examples
    --------
    >>> format_number(12.345, "years"), format_number(-0.5, "percentage points")
    ('12.3', '−0.5')
    >>> format_number(1.234, "ratio"), format_number(96.0, "deaths"), format_number(-3, "deaths")
    ('1.23', '95', '[c]')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not available"
    if _count_unit(unit):
        from hi_analysis import disclosure

        shown = disclosure.format_count(disclosure.control([abs(value)], rule)[0])
        return (
            (_MINUS + shown) if value < 0 and shown not in ("0", disclosure.SUPPRESSED) else (shown)
        )
    return _plain(value, _decimals(unit))


def format_result(r: Mapping | None, rule: str = "nhs_england") -> str:
    """``'1.23 (95% CI 1.05 to 1.44)'``, or the value alone without an interval."""
    if r is None:
        return "not reported"
    unit = str(r.get("unit", ""))
    text = format_number(r["value"], unit, rule)
    if r.get("lower") is not None:
        text += (
            f" (95% CI {format_number(r['lower'], unit, rule)} to "
            f"{format_number(r['upper'], unit, rule)})"
        )
    return text


def format_difference(c: Change, rule: str = "nhs_england") -> str:
    """The change in words: ``'+3.0 (95% CI +0.2 to +5.8)'``, ``'× 0.50 (...)'``."""
    if c.before is None or c.after is None:
        return "not applicable"
    if c.status == "incomparable":
        return "not comparable"
    unit = str(c.result.get("unit", ""))
    if c.diff is None:
        d = c.after["value"] - c.before["value"]
        return "no change" if d == 0 else _signed(d, unit, rule)
    if c.diff.scale == "log":
        return f"\u00d7 {c.diff.estimate:,.2f} (95% CI {c.diff.lower:,.2f} to {c.diff.upper:,.2f})"
    return (
        f"{_signed(c.diff.estimate, unit, rule)} (95% CI {_signed(c.diff.lower, unit, rule)} "
        f"to {_signed(c.diff.upper, unit, rule)})"
    )


def _signed(value: float, unit: str, rule: str) -> str:
    text = format_number(value, unit, rule)
    return text if text.startswith(_MINUS) or text in ("0", "[c]") else "+" + text


def _verdict(c: Change) -> str:
    words = {
        "changed": "Yes",
        "within": "No: within the uncertainty",
        "same": "No change",
        "incomparable": "Not comparable",
        "new": "New in this edition",
        "gone": "No longer reported",
    }[c.status]
    if c.status == "changed" and c.diff is None:
        words = "Yes (no interval: any change counts)"
    if c.status == "incomparable" and c.before is not None and c.after is not None:
        if bool(c.before.get("synthetic")) != bool(c.after.get("synthetic")):
            words += ": " + ("now real data" if not c.after.get("synthetic") else "now synthetic")
        else:
            words += ": the unit changed"
    return words


def _direction(c: Change) -> str:
    """``'rose'``/``'fell'``, with ``(better)``/``(worse)`` where the result has a polarity."""
    assert c.before is not None and c.after is not None
    up = c.after["value"] > c.before["value"]
    word = "rose" if up else "fell"
    polarity = c.after.get("polarity", "neutral")
    if polarity == "higher_is_better":
        word += " (better)" if up else " (worse)"
    elif polarity == "lower_is_better":
        word += " (worse)" if up else " (better)"
    return word


# ----------------------------------------------------------------------------- the page
def headline(changes: Sequence[Change], chapter_titles: Mapping[str, str], rule: str) -> str:
    r"""The page's first sentence (Markdown, escaped): how many changed, and the largest.

    Examples
    --------
    >>> a = {"place": "p", "place_name": "P", "chapter": "c", "id": "x", "label": "Gap",
    ...      "value": 1.0, "lower": 0.5, "upper": 1.5, "unit": "years", "synthetic": False}
    >>> text = headline(compare([a], [{**a, "value": 3.0, "lower": 2.5, "upper": 3.5}]),
    ...                 {"c": "Chapter"}, "nhs_england")
    >>> text.replace("\\", "")[:59]
    '1 of 1 key results changed by more than their uncertainty; '
    >>> text.replace("\\", "")[59:]
    'the largest: Gap (P, Chapter) rose from 1.0 (95% CI 0.5 to 1.5) to 3.0 (95% CI 2.5 to 3.5).'
    """
    both = [c for c in changes if c.before is not None and c.after is not None]
    flagged = [c for c in both if c.status == "changed"]
    if not both:
        text = "No key result was reported in both editions."
    elif not flagged:
        text = (
            f"None of the {len(both)} key results reported in both editions changed by more "
            "than its uncertainty."
        )
    else:
        top = max(flagged, key=lambda c: (c.diff is not None, c.size))
        r = top.result
        where = f"{r['place_name']}, {chapter_titles.get(r['chapter'], r['chapter'])}"
        text = (
            f"{len(flagged)} of {len(both)} key results changed by more than their "
            f"uncertainty; the largest: {r['label']} ({where}) {_direction(top)} from "
            f"{format_result(top.before, rule)} to {format_result(top.after, rule)}."
        )
    return md(text)


def _name_cell(r: Mapping, *, with_place: bool) -> str:
    """The row header: the result's label, then its place, unit and data source."""
    where = f"{r['place_name']}; " if with_place else ""
    unit = r.get("unit") or "no unit"
    source = "SYNTHETIC data" if r.get("synthetic") else "real data"
    return f"{md(r['label'])} ({md(where + 'unit: ' + unit)}; {source})"


def _table_rows(changes: Sequence[Change], rule: str, *, with_place: bool) -> list[list[str]]:
    return [
        [
            _name_cell(c.result, with_place=with_place),
            md(format_result(c.before, rule)),
            md(format_result(c.after, rule)),
            md(format_difference(c, rule)),
            md(_verdict(c)),
        ]
        for c in changes
    ]


_HEADER = [
    "Key result",
    "Previous edition (95% CI)",
    "This edition (95% CI)",
    "Change (95% CI)",
    "Changed by more than its uncertainty?",
]


def _vintage_rows(previous: Mapping, current: Mapping) -> list[list[str]]:
    def row(name: str, a: object, b: object) -> list[str]:
        a_s = "none" if a in (None, "") else str(a)
        b_s = "none" if b in (None, "") else str(b)
        return [md(name), md(a_s), md(b_s), "Changed" if a_s != b_s else "Same"]

    rows = [
        row("Code revision (git)", previous["code"]["revision"], current["code"]["revision"]),
        row(
            "Code fingerprint (package and notebooks)",
            previous["code"]["fingerprint"],
            current["code"]["fingerprint"],
        ),
        row(
            "Parameters fingerprint",
            previous["parameters_fingerprint"],
            current["parameters_fingerprint"],
        ),
        row(
            "Shipped public data (manifest)",
            previous["public_data"]["manifest_digest"],
            current["public_data"]["manifest_digest"],
        ),
    ]
    before = {e["extract"]: e for e in previous.get("extracts", [])}
    now = {e["extract"]: e for e in current.get("extracts", [])}
    for name in sorted(set(before) | set(now)):
        a, b = before.get(name), now.get(name)
        kind = b if b is not None else a
        label = f"Extract {name} ({'synthetic' if kind and kind.get('synthetic') else 'real'})"
        rows.append(
            row(label, a and a.get("sha256"), b and b.get("sha256")),
        )
    return rows


def _changed_files(previous: Mapping, current: Mapping) -> list[str]:
    a = previous.get("public_data", {}).get("files", {})
    b = current.get("public_data", {}).get("files", {})
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in a:
            out.append(f"{name} (new)")
        elif name not in b:
            out.append(f"{name} (removed)")
        elif a[name] != b[name]:
            out.append(f"{name} (updated)")
    return out


def changes_page(
    current: Mapping,
    previous: Mapping | None,
    *,
    chapter_titles: Mapping[str, str],
    rule: str,
) -> str:
    """The Markdown of the page "What changed since the last edition".

    Parameters
    ----------
    current, previous : mapping
        Edition records (:func:`build_record`); ``previous`` is ``None`` for the first
        edition.
    chapter_titles : mapping
        Chapter identifier to title.
    rule : str
        The system's disclosure rule, applied to key results counted in people or events.

    Every value from parameters or data is escaped; tables have captions and row
    headers (:func:`hi_analysis.book.md_table`).
    """
    from hi_analysis import disclosure
    from hi_analysis.book import md_table

    label = md(current["edition"]["label"])
    period = md(current["reporting_period"]["label"])
    title = "# What changed since the last edition\n"
    results = current["key_results"]
    synthetic = sum(bool(r.get("synthetic")) for r in results)
    if not synthetic:
        synthetic_note = "Every key result in this edition is computed from real published data."
    else:
        synthetic_note = (
            f"{'All' if synthetic == len(results) else synthetic} of the {len(results)} key "
            "results in this edition are computed from **SYNTHETIC** record-level extracts "
            "(marked *SYNTHETIC data* in the tables): they show how the method works and are "
            "not real figures."
        )
        if synthetic < len(results):
            synthetic_note += (
                " The others are computed from real published data (marked *real data*)."
            )
    small = "Key results counted in people or events pass the book's small-number rule: " + md(
        disclosure.describe(rule)
    )
    if previous is None:
        rows = [
            [
                _name_cell(r, with_place=True),
                md(chapter_titles.get(r["chapter"], r["chapter"])),
                md(format_result(r, rule)),
            ]
            for r in results
        ]
        table = (
            md_table(
                f"Key results in edition {label}",
                ["Key result", "Chapter", "This edition (95% CI)"],
                rows,
            )
            if rows
            else "No chapter of this edition reports key results."
        )
        return f"""{title}
**This is the first edition of this book: there is no earlier edition to compare with.**
When the next edition is published, this page will show every key result of every chapter
and place against this one, and flag the changes larger than their uncertainty.

This is edition {label} (reporting period {period}), code revision
{md(current["code"]["revision"])}.

{synthetic_note}

## Key results in this edition

{table}

{small}
"""

    changes = compare(previous["key_results"], results)
    prev_label = md(previous["edition"]["label"])
    head = headline(changes, chapter_titles, rule)
    counts = {s: sum(c.status == s for c in changes) for s in STATUSES}
    extra = []
    if counts["new"]:
        extra.append(f"{counts['new']} key result(s) are new in this edition")
    if counts["gone"]:
        extra.append(
            f"{counts['gone']} key result(s) of the previous edition are no longer reported"
        )
    if counts["incomparable"]:
        extra.append(
            f"{counts['incomparable']} cannot be compared because their unit or data source changed"
        )
    extra_text = ("Also: " + "; ".join(extra) + ".") if extra else ""

    flagged = [c for c in changes if c.status == "changed"]
    flagged_table = (
        md_table(
            f"Key results that changed by more than their uncertainty, edition {prev_label} "
            f"to {label}",
            _HEADER,
            _table_rows(flagged, rule, with_place=True),
        )
        if flagged
        else "No key result changed by more than its uncertainty."
    )
    sections = []
    order = {p["id"]: i for i, p in enumerate(current.get("places", []))}
    places = sorted({c.result["place"] for c in changes}, key=lambda p: (order.get(p, 99), p))
    for place in places:
        mine = [c for c in changes if c.result["place"] == place]
        name = md(mine[0].result["place_name"])
        for chapter in dict.fromkeys(c.result["chapter"] for c in mine):
            these = [c for c in mine if c.result["chapter"] == chapter]
            ch_title = md(chapter_titles.get(chapter, chapter))
            sections.append(
                f"### {name}: {ch_title}\n\n"
                + md_table(
                    f"{ch_title}, {name}: key results in editions {prev_label} and {label}",
                    _HEADER,
                    _table_rows(these, rule, with_place=False),
                )
            )
    vintage = md_table(
        f"Data and code behind editions {prev_label} and {label}",
        ["Input", f"Edition {prev_label}", f"Edition {label}", "Changed?"],
        _vintage_rows(previous, current),
    )
    files = _changed_files(previous, current)
    files_text = (
        "Shipped public data files that changed: " + md("; ".join(files)) + "."
        if files
        else "No shipped public data file changed."
    )
    all_sections = "\n\n".join(sections) if sections else "No key results in either edition."
    return f"""{title}
**{head}**

This is edition {label} (reporting period {period}), compared with the previous edition
{prev_label} (reporting period {md(previous["reporting_period"]["label"])}). {extra_text}

{synthetic_note}

## How a change is judged

Each key result is an estimate with a 95% confidence interval. A change between editions
is flagged when it is larger than its uncertainty: when the 95% interval of the change
itself, worked out from the two editions' intervals, does not include zero (for ratios,
when the ratio of the two ratios excludes 1). This treats the two editions' estimates as
independent; they usually share much of their data, so real changes of this size are, if
anything, more certain than shown, and the page errs towards not flagging. Results with no
interval (official figures covering everyone) are flagged when they changed at all.
Details: each interval's width divided by 3.92 gives its standard error (on the log
scale for ratios); a change is flagged when it is more than 1.96 times the square root of
the sum of the two squared standard errors.

## Changes larger than their uncertainty

{flagged_table}

## Every key result, by place and chapter

{all_sections}

## What changed in the data and code

{vintage}

{files_text} Fingerprints are the first 16 characters of sha256 digests: the same
fingerprint means exactly the same file or files.

{small}
"""


def summary(current: Mapping, previous: Mapping | None) -> str:
    """One sentence for the landing page: how many key results moved since the last edition.

    Examples
    --------
    >>> a = {"place": "p", "place_name": "P", "chapter": "c", "id": "x", "label": "Gap",
    ...      "value": 1.0, "lower": 0.5, "upper": 1.5, "unit": "years", "synthetic": False}
    >>> prev = {"edition": {"label": "2025/26 Q2"}, "key_results": [a]}
    >>> summary({"key_results": [{**a, "value": 3.0, "lower": 2.5, "upper": 3.5}]}, prev)
    'Since edition 2025/26 Q2, 1 of 1 key results changed by more than their uncertainty.'
    >>> summary({"key_results": [a]}, None)
    'This is the first edition: there is no earlier edition to compare with.'
    """
    if previous is None:
        return "This is the first edition: there is no earlier edition to compare with."
    changes = compare(previous["key_results"], current["key_results"])
    both = [c for c in changes if c.before is not None and c.after is not None]
    flagged = sum(c.status == "changed" for c in both)
    return (
        f"Since edition {previous['edition']['label']}, {flagged} of {len(both)} key results "
        "changed by more than their uncertainty."
    )


# ----------------------------------------------------------------------------- edition links
def edition_line(record: Mapping) -> str:
    """The plain-text line shown at the top of every page (HTML-escaped).

    Examples
    --------
    >>> edition_line({"edition": {"label": "2025/26 Q3"},
    ...               "reporting_period": {"label": "2015 to <2025>"}})
    'Edition 2025/26 Q3 of this book: reporting period 2015 to &lt;2025&gt;.'
    """
    return html.escape(
        f"Edition {record['edition']['label']} of this book: reporting period "
        f"{record['reporting_period']['label']}.",
        quote=True,
    )


def other_editions_html(current: Edition, others: Sequence[Edition]) -> str:
    """Links from a site's landing page to the other editions published beside it.

    The links are relative (``../<slug>/intro.html``), so they work wherever the
    ``editions`` folder is copied; ``../index.html`` lists every edition, including
    any published after this one.
    """
    items = [
        f'<a href="../{html.escape(e.slug)}/intro.html">edition {html.escape(e.label)}</a>'
        for e in sorted(others, reverse=True)
        if e != current
    ]
    listing = (
        "Other editions published when this one was built: " + ", ".join(items) + "."
        if items
        else "No other edition had been published when this one was built."
    )
    return (
        f"<p>{listing} "
        '<a href="../index.html">Every edition of this book, including any published '
        "later</a>.</p>"
    )


def editions_index(title: str, editions: Sequence[Edition], records: Mapping[str, Mapping]) -> str:
    """The HTML page ``editions/index.html``: every published edition, latest first."""
    t = html.escape(title)
    items = []
    for i, e in enumerate(sorted(editions, reverse=True)):
        rec = records.get(e.slug) or {}
        period = rec.get("reporting_period", {}).get("label")
        extra = f" (reporting period {html.escape(str(period))})" if period else ""
        latest = " - the latest edition" if i == 0 else ""
        items.append(
            f'<li><a href="{html.escape(e.slug)}/intro.html">Edition '
            f"{html.escape(e.label)}</a>{extra}{latest}</li>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Editions: {t}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "</head>\n<body>\n<main>\n"
        f"<h1>Editions of {t}</h1>\n"
        "<p>Each edition is published for one quarter of the financial year and kept "
        "unchanged when later editions are published.</p>\n"
        "<ul>\n" + "\n".join(items) + "\n</ul>\n</main>\n</body>\n</html>\n"
    )
