"""Editions (issue 12): naming, the change rule, the "what changed" page, publishing, no-op.

The acceptance test at the end builds edition N of a one-place system, changes one
input with a known effect on one key result and the reporting period (a new quarter),
builds edition N+1 and reads the published "What changed" page.
"""

from __future__ import annotations

import datetime as dt
import errno
import html as html_lib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from hi_analysis import book, editions, stamp
from hi_analysis.config import load_system
from hi_analysis.editions import Edition, compare, difference, edition_of, parse_slug

ROOT = Path(__file__).resolve().parents[1]


def _kr(**kw) -> dict:
    base = {
        "place": "rutland",
        "place_name": "Rutland",
        "chapter": "covid",
        "id": "x",
        "label": "Gap",
        "value": 10.0,
        "lower": 8.04,
        "upper": 11.96,
        "unit": "years",
        "synthetic": False,
        "period": "",
        "polarity": "neutral",
    }
    return {**base, **kw}


# ----------------------------------------------------------------------------- naming
@pytest.mark.parametrize(
    "end, label, slug",
    [
        (dt.date(2025, 4, 1), "2025/26 Q1", "2025-26-q1"),
        (dt.date(2025, 6, 30), "2025/26 Q1", "2025-26-q1"),
        (dt.date(2025, 7, 1), "2025/26 Q2", "2025-26-q2"),
        (dt.date(2025, 12, 31), "2025/26 Q3", "2025-26-q3"),
        (dt.date(2026, 1, 1), "2025/26 Q4", "2025-26-q4"),
        (dt.date(2026, 3, 31), "2025/26 Q4", "2025-26-q4"),
        (dt.date(2099, 11, 15), "2099/00 Q3", "2099-00-q3"),  # mid-quarter: its quarter
    ],
)
def test_edition_is_the_financial_quarter_containing_the_period_end(end, label, slug):
    e = edition_of(end)
    assert (e.label, e.slug) == (label, slug)
    assert parse_slug(slug) == e
    # house style: no hyphen between years in visible text (read as "minus")
    assert not re.search(r"\b(?:19|20)\d\d ?[-\u2013] ?\d\d\b", e.label + " " + e.months)


def test_slugs_sort_in_time_order_and_bad_slugs_are_not_editions():
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in range(0, 1500, 29)]
    found = [edition_of(d) for d in days]
    assert sorted(found) == found
    assert sorted(e.slug for e in found) == [e.slug for e in found]
    for bad in ("site", "2025-27-q1", "2025-26-q5", "2025-26-q3.0123456789abcdef", "index.html"):
        assert parse_slug(bad) is None


# ----------------------------------------------------------------------------- the change rule
def test_difference_has_the_known_z_and_interval():
    a, b = _kr(), _kr(value=13.0, lower=11.04, upper=14.96)  # se 1 each
    d = difference(a, b)
    assert d.scale == "linear"
    assert d.estimate == pytest.approx(3.0)
    assert d.z == pytest.approx(3 / math.sqrt(2), rel=1e-4)  # limits use 1.96
    half = 1.959964 * math.sqrt(2) * (1.96 / 1.959964)  # the limits above use 1.96
    assert (d.lower, d.upper) == pytest.approx((3 - half, 3 + half))
    # the intervals overlap (11.04 < 11.96), yet the change is larger than its uncertainty
    assert a["upper"] > b["lower"] and d.beyond_uncertainty


def test_ratios_are_compared_on_the_log_scale():
    se = 0.2
    a = _kr(
        unit="ratio",
        value=2.0,
        lower=2.0 * math.exp(-1.959964 * se),
        upper=2.0 * math.exp(1.959964 * se),
    )
    b = _kr(unit="ratio", value=1.0, lower=math.exp(-1.959964 * se), upper=math.exp(1.959964 * se))
    d = difference(a, b)
    assert d.scale == "log"
    assert d.estimate == pytest.approx(0.5)
    assert d.z == pytest.approx(math.log(0.5) / (se * math.sqrt(2)), rel=1e-5)
    assert d.lower < 0.5 < d.upper and d.upper < 1 and d.beyond_uncertainty


def test_flag_rule_matches_a_simulation_of_independent_estimates():
    """Under no change, about 5% of independent pairs are flagged; under a 3 se shift, most."""
    rng = np.random.default_rng(12)
    se_a, se_b = 1.0, 1.5

    def rate(shift: float) -> float:
        flagged = 0
        for _ in range(4000):
            x, y = rng.normal(0, se_a), rng.normal(shift, se_b)
            a = _kr(value=x, lower=x - 1.959964 * se_a, upper=x + 1.959964 * se_a)
            b = _kr(value=y, lower=y - 1.959964 * se_b, upper=y + 1.959964 * se_b)
            flagged += difference(a, b).beyond_uncertainty
        return flagged / 4000

    assert rate(0.0) == pytest.approx(0.05, abs=0.012)
    # power at a shift of 5 against se_d = 1.80: P(|N(2.77, 1)| > 1.96) = 0.79
    assert rate(5.0) == pytest.approx(0.79, abs=0.03)


def test_compare_labels_every_kind_of_change():
    prev = [
        _kr(id="same"),
        _kr(id="within", value=10.0),
        _kr(id="moved"),
        _kr(id="count", lower=None, upper=None, value=100.0),
        _kr(id="kept_count", lower=None, upper=None, value=100.0),
        _kr(id="source", synthetic=True),
        _kr(id="gone"),
    ]
    now = [
        _kr(id="same"),
        _kr(id="within", value=11.0, lower=9.04, upper=12.96),
        _kr(id="moved", value=16.0, lower=14.04, upper=17.96),
        _kr(id="count", lower=None, upper=None, value=101.0),
        _kr(id="kept_count", lower=None, upper=None, value=100.0),
        _kr(id="source", synthetic=False),
        _kr(id="new"),
    ]
    status = {c.key[2]: c.status for c in compare(prev, now)}
    assert status == {
        "same": "same",
        "within": "within",
        "moved": "changed",
        "count": "changed",
        "kept_count": "same",
        "source": "incomparable",
        "new": "new",
        "gone": "gone",
    }
    # matched by place as well as identifier
    other = [_kr(place="leicester", place_name="Leicester")]
    assert [c.status for c in compare([_kr()], other)] == ["new", "gone"]


# ----------------------------------------------------------------------------- the page
def _record(label: str, results: list[dict], **extra) -> dict:
    e = parse_slug(label)
    rec = {
        "schema": editions.RECORD_SCHEMA,
        "edition": {"slug": e.slug, "label": e.label, "months": e.months},
        "reporting_period": {"start": "2015-01-01", "end": "2025-12-31", "label": "2015 to 2025"},
        "places": [{"id": "rutland", "name": "Rutland"}],
        "chapters": ["covid"],
        "code": {"revision": "abc", "fingerprint": "f1"},
        "parameters_fingerprint": "p1",
        "public_data": {"manifest_digest": "m1", "files": {"a.csv": "1", "b.csv": "2"}},
        "extracts": [
            {"extract": "deaths", "file": "deaths.parquet", "sha256": "e1", "synthetic": True}
        ],
        "key_results": results,
    }
    rec.update(extra)
    return rec


TITLES = {"covid": "COVID-19 impact"}


def test_first_edition_page_says_there_is_nothing_to_compare():
    page = editions.changes_page(
        _record("2025-26-q3", [_kr()]), None, chapter_titles=TITLES, rule="nhs_england"
    )
    assert "This is the first edition of this book" in page
    assert "~~~{list-table} Key results in edition 2025/26 Q3" in page.replace("\\", "")
    assert ":stub-columns: 1" in page


def test_page_headline_counts_and_names_the_largest_change():
    prev = _record("2025-26-q3", [_kr(id="a"), _kr(id="b"), _kr(id="c", label="Big one")])
    now = _record(
        "2025-26-q4",
        [
            _kr(id="a"),
            _kr(id="b", value=13.0, lower=11.04, upper=14.96),  # z 2.1
            _kr(id="c", label="Big one", value=4.0, lower=2.04, upper=5.96),  # z -4.2
            _kr(id="d"),
        ],
        code={"revision": "def", "fingerprint": "f1"},
        public_data={"manifest_digest": "m2", "files": {"a.csv": "1", "b.csv": "3"}},
    )
    page = editions.changes_page(now, prev, chapter_titles=TITLES, rule="nhs_england")
    plain = page.replace("\\", "")
    first = plain.split("\n\n")[1]
    assert first.startswith(
        "**2 of 3 key results changed by more than their uncertainty; "
        "the largest: Big one (Rutland, COVID-19 impact) fell from 10.0"
    )
    assert "1 key result(s) are new in this edition" in plain
    assert "b.csv (updated)" in plain and "a.csv" not in plain.split("b.csv (updated)")[0][-60:]
    vintage = plain.split("## What changed in the data and code")[1]
    assert re.search(r"\* - Code revision \(git\)\n  - abc\n  - def\n  - Changed", vintage)
    assert re.search(r"\* - Code fingerprint .*\n  - f1\n  - f1\n  - Same", vintage)
    assert re.search(r"\* - Extract deaths \(synthetic\)\n  - e1\n  - e1\n  - Same", vintage)
    flagged = plain.split("## Changes larger than their uncertainty")[1].split("## ")[0]
    assert flagged.count("\n* - ") == 3  # header and two rows
    assert "SYNTHETIC data" not in flagged and "real data" in flagged


def test_counts_on_the_page_pass_disclosure_control():
    prev = _record("2025-26-q3", [_kr(unit="deaths", value=96.0, lower=3.0, upper=181.0)])
    now = _record("2025-26-q4", [_kr(unit="deaths", value=6.0, lower=-40.0, upper=52.0)])
    page = editions.changes_page(now, prev, chapter_titles=TITLES, rule="nhs_england")
    plain = page.replace("\\", "")
    assert "95 (95% CI [c] to 180)" in plain  # 96 rounded to 5; 3 suppressed
    assert "[c] (95% CI \u221240 to 50)" in plain  # 6 suppressed; 52 rounded
    assert not re.search(r"(?<![\d.,])(96|181|52|6)(?![\d.,])", plain.split("##")[-2])


PAYLOADS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "{raw} html",
    "a | b ~~~ c",
    "**bold** `code` $x$",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_value_on_the_page_is_escaped(payload):
    r = _kr(label=payload, place_name=payload, unit=payload, lower=None, upper=None)
    prev = _record("2025-26-q3", [r], reporting_period={"label": payload})
    now = _record(
        "2025-26-q4", [{**r, "value": 11.0}], code={"revision": payload, "fingerprint": "f"}
    )
    for page in (
        editions.changes_page(now, prev, chapter_titles={"covid": payload}, rule="nhs_england"),
        editions.changes_page(now, None, chapter_titles={"covid": payload}, rule="nhs_england"),
    ):
        escaped = editions.md(payload)
        assert payload not in page.replace(escaped, "")
        for line in page.splitlines():
            assert (
                not line.startswith("~~~") or line in ("~~~",) or line.startswith("~~~{list-table}")
            )
    assert html_lib.escape(payload) in editions.edition_line(
        {"edition": {"label": "x"}, "reporting_period": {"label": payload}}
    )


def test_record_numbers_carry_no_float_noise():
    assert editions._clean(0.1 + 0.2) == 0.3
    assert editions._clean(float("nan")) is None
    assert editions._clean(True) is True


# ----------------------------------------------------------------------------- publishing
def _html(tmp_path: Path, text: str) -> Path:
    html = tmp_path / f"html-{text}"
    (html / "places").mkdir(parents=True, exist_ok=True)
    (html / "index.html").write_text(text)
    (html / "places" / "p.html").write_text(text + " page")
    (html / editions.RECORD_NAME).write_text(
        json.dumps(
            {
                "schema": editions.RECORD_SCHEMA,
                "edition": {"label": text},
                "reporting_period": {"label": text},
            }
        )
    )
    return html


@pytest.fixture
def llr_build(tmp_path, monkeypatch):
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "build"))
    return load_system("llr")


def test_editions_are_kept_and_site_follows_the_latest(tmp_path, llr_build):
    q3, q4 = Edition(2025, 3), Edition(2025, 4)
    folder = book.editions_dir(llr_build)
    i3 = book.publish_edition(_html(tmp_path, "q3"), llr_build, q3)
    i4 = book.publish_edition(_html(tmp_path, "q4"), llr_build, q4)
    site = book.site_dir(llr_build)
    assert os.readlink(site) == "editions/2025-26-q4"
    assert (site / "index.html").read_text() == "q4"
    assert i3.read_text() == "q3" and i4.read_text() == "q4"
    assert editions.published(folder) == [q3, q4]
    # rebuilding the older edition replaces it, keeps the latest live
    i3b = book.publish_edition(_html(tmp_path, "q3-again"), llr_build, q3)
    assert (folder / q3.slug / "index.html").read_text() == "q3-again" and not i3.exists()
    assert (site / "index.html").read_text() == "q4"
    listing = (folder / "index.html").read_text()
    assert listing.index("2025/26 Q4") < listing.index("2025/26 Q3")
    assert 'href="2025-26-q3/intro.html"' in listing
    # the previous distinct edition, never the edition's own earlier build
    assert editions.previous_record(folder, q4)["edition"]["label"] == "q3-again"
    assert editions.previous_record(folder, q3) is None
    assert i3b.is_file()


@pytest.mark.parametrize("crash_at", ["copy", "swap"])
def test_a_crash_while_publishing_leaves_every_edition_whole(
    tmp_path, llr_build, monkeypatch, crash_at
):
    book.publish_edition(_html(tmp_path, "q3"), llr_build, Edition(2025, 3))
    book.publish_edition(_html(tmp_path, "q4"), llr_build, Edition(2025, 4))
    folder = book.editions_dir(llr_build)

    def boom(*args, **kwargs):
        raise OSError(errno.EIO, "simulated crash")

    owner, name = (book.shutil, "copytree") if crash_at == "copy" else (book.os, "replace")
    real = getattr(owner, name)
    monkeypatch.setattr(owner, name, boom)
    with pytest.raises(OSError):
        book.publish_edition(_html(tmp_path, "q4-new"), llr_build, Edition(2025, 4))
    assert (folder / "2025-26-q3" / "index.html").read_text() == "q3"
    assert (folder / "2025-26-q4" / "index.html").read_text() == "q4"
    assert (book.site_dir(llr_build) / "places" / "p.html").read_text() == "q4 page"
    monkeypatch.setattr(owner, name, real)
    book.publish_edition(_html(tmp_path, "q4-new"), llr_build, Edition(2025, 4))
    assert (book.site_dir(llr_build) / "index.html").read_text() == "q4-new"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 5 and names[-1] == "index.html"  # 2 links, 2 versions, listing


def test_a_site_of_the_pre_edition_layout_is_replaced_only_after_the_new_one_is_live(
    tmp_path, llr_build
):
    site = book.site_dir(llr_build)
    book.publish(_html(tmp_path, "old"), site)  # site -> site.<digest> (issue 11 layout)
    assert site.is_symlink() and (site / "index.html").read_text() == "old"
    book.publish_edition(_html(tmp_path, "new"), llr_build, Edition(2025, 3))
    assert os.readlink(site) == "editions/2025-26-q3"
    assert sorted(p.name for p in site.parent.iterdir()) == ["editions", "site"]


# ----------------------------------------------------------------------------- no-op stamp
def _solo(root: Path, chapters: list[str], end: str = "2025-12-31") -> Path:
    """A one-place system (Rutland) under ``root/parameters/solo``."""
    params = root / "parameters" / "solo"
    (params / "places").mkdir(parents=True, exist_ok=True)
    system = yaml.safe_load((ROOT / "parameters" / "llr" / "system.yml").read_text())
    system.update(id="solo", places=["rutland"], chapters=chapters)
    system["reporting_period"]["end"] = dt.date.fromisoformat(end)
    (params / "system.yml").write_text(yaml.safe_dump(system))
    shutil.copy(ROOT / "parameters/llr/places/rutland.yml", params / "places" / "rutland.yml")
    if "logic_model" in chapters:  # the plan's two programmes that run in Rutland alone
        plan = params / "plan" / "programmes"
        plan.mkdir(parents=True, exist_ok=True)
        text = (ROOT / "parameters/llr/plan/plan.yml").read_text()
        (params / "plan" / "plan.yml").write_text(text.replace("system: llr", "system: solo"))
        for name in ("htn-case-finding", "smi-health-checks"):
            src = (ROOT / f"parameters/llr/plan/programmes/{name}.yml").read_text()
            (plan / f"{name}.yml").write_text(
                src.replace("places: [leicester, leicestershire, rutland]", "places: [rutland]")
            )
    return params


def test_stamp_sees_every_kind_of_input_and_output_change(tmp_path, monkeypatch):
    monkeypatch.setenv("HI_ANALYSIS_ROOT", str(tmp_path))
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "build"))
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(tmp_path / "extracts"))
    params = _solo(tmp_path, ["needs_analysis"])
    (tmp_path / "extracts" / "solo").mkdir(parents=True)
    extract = tmp_path / "extracts" / "solo" / "deaths.csv"
    extract.write_text("a\n1\n")
    assert stamp.current_index("solo") is None  # never published
    index = tmp_path / "build" / "solo" / "editions" / "2025-26-q3.0123456789abcdef"
    index.mkdir(parents=True)
    (index / "index.html").write_text("x")
    os.symlink(index.name, index.parent / "2025-26-q3")

    def publish():
        stamp.record_published(
            "solo", inputs=stamp.inputs_stamp("solo"), content="c", index=index / "index.html"
        )
        assert stamp.current_index("solo") == (index / "index.html").resolve()

    publish()
    (params / "places" / "rutland.yml").write_text(
        (params / "places" / "rutland.yml").read_text() + "\n# a comment\n"
    )
    assert stamp.current_index("solo") is None
    publish()
    extract.write_text("a\n2\n")
    os.utime(extract, ns=(1, 1))
    assert stamp.current_index("solo") is None
    publish()
    (index.parent / "2025-26-q2").symlink_to(index.name)  # another edition appeared
    assert stamp.current_index("solo") is None
    publish()
    (index / "index.html").unlink()
    assert stamp.current_index("solo") is None


# ----------------------------------------------------------------------------- acceptance
def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "HI_ANALYSIS_ROOT": str(root),
        "HI_ANALYSIS_BUILD": str(root / "build"),
        "HI_ANALYSIS_EXTRACTS": str(root / "extracts"),
    }
    exe = Path(sys.executable).with_name("hi-analysis")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, cwd=ROOT)


def _text(page: Path) -> str:
    body = page.read_text("utf-8")
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.e2e
@pytest.mark.xdist_group("editions")
def test_a_new_quarter_flags_exactly_the_changed_result_and_keeps_both_editions(tmp_path):
    """Edition N, a no-op rebuild, then edition N+1 with one changed input (about 3 minutes).

    One place (Rutland) and one cheap chapter (logic model); synthetic extracts are made
    by the first build. The change doubles the blood-pressure checks recorded in the
    programme extract, which moves exactly one key result: the hypertension programme's
    first arrow (checks per 100 people).
    """
    _solo(tmp_path, ["logic_model"])
    first = _cli(tmp_path, "build", "--system", "solo", "--quiet", "--jobs", "1")
    assert first.returncode == 0, first.stderr[-2000:]
    index_n = Path(first.stdout.strip().splitlines()[-1])
    editions_dir = tmp_path / "build" / "solo" / "editions"
    assert index_n.parent.parent == editions_dir and index_n.parent.name.startswith("2025-26-q3.")
    assert "This is the first edition of this book" in _text(index_n.with_name("changes.html"))
    record_n = json.loads((editions_dir / "2025-26-q3" / "edition.json").read_text())
    ids = [r["id"] for r in record_n["key_results"]]
    assert len(ids) == 8 and "htn-case-finding.arrow1" in ids
    snapshot = {p: p.read_bytes() for p in index_n.parent.rglob("*") if p.is_file()}

    # nothing changed: nothing is built or published, and the index path is printed last
    again = _cli(tmp_path, "build", "--system", "solo", "--quiet", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert again.stderr.strip().splitlines() == [
        "The site is current: no input or code changed since edition 2025/26 Q3 was "
        "published; nothing was built."
    ]
    assert again.stdout.strip().splitlines()[-1] == str(index_n)

    # a new quarter: the period ends in 2025/26 Q4, and one extract series doubles
    _solo(tmp_path, ["logic_model"], end="2026-03-31")
    import pandas as pd

    path = tmp_path / "extracts" / "solo" / "programme_series.SYNTHETIC.parquet"
    frame = pd.read_parquet(path)
    checks = frame["series"] == "htn_checks"
    frame.loc[checks, "events"] = (frame.loc[checks, "events"] * 2).astype("int32")
    frame.to_parquet(path, index=False)
    second = _cli(tmp_path, "build", "--system", "solo", "--quiet", "--jobs", "1")
    assert second.returncode == 0, second.stderr[-2000:]
    index_n1 = Path(second.stdout.strip().splitlines()[-1])
    assert index_n1.parent.name.startswith("2025-26-q4.")

    # both editions stay published; edition N is byte for byte what it was
    assert {p: p.read_bytes() for p in index_n.parent.rglob("*") if p.is_file()} == snapshot
    assert [e.slug for e in editions.published(editions_dir)] == ["2025-26-q3", "2025-26-q4"]
    assert os.readlink(tmp_path / "build" / "solo" / "site") == "editions/2025-26-q4"
    listing = (editions_dir / "index.html").read_text()
    assert 'href="2025-26-q3/intro.html"' in listing and 'href="2025-26-q4/intro.html"' in listing
    intro = index_n1.with_name("intro.html").read_text("utf-8")
    assert 'href="../2025-26-q3/intro.html"' in intro
    assert "Edition 2025/26 Q4 of this book" in intro  # the line on every page
    assert (
        "Since edition 2025/26 Q3, 1 of 8 key results changed by more than their "
        "uncertainty." in _text(index_n1.with_name("intro.html"))
    )

    # the page flags exactly that change
    text = _text(index_n1.with_name("changes.html"))
    assert (
        "1 of 8 key results changed by more than their uncertainty; the largest: "
        "Hypertension case-finding: Blood-pressure checks in pharmacies" in text
    )
    page = index_n1.with_name("changes.html").read_text("utf-8")
    flagged = page.split('id="changes-larger-than-their-uncertainty"')[1].split("<section")[0]
    rows = re.findall(r'<th class="stub" scope="row">(.*?)</th>', flagged, flags=re.S)
    assert len(rows) == 1 and "Blood-pressure checks done" in rows[0]
    record = json.loads((editions_dir / "2025-26-q4" / "edition.json").read_text())
    changes = compare(record_n["key_results"], record["key_results"])
    assert [c.key[2] for c in changes if c.status == "changed"] == ["htn-case-finding.arrow1"]
    assert {c.status for c in changes if c.key[2] != "htn-case-finding.arrow1"} == {"same"}
    # ... and the data vintage that changed
    assert re.search(r"Extract programme_series \(synthetic\) \w+ \w+ Changed", text)
    assert re.search(r"Parameters fingerprint \w+ \w+ Changed", text)
    assert re.search(r"Shipped public data \(manifest\) (\w+) \1 Same", text)
