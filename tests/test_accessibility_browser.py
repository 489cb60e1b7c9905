"""The built book in a real browser: axe-core, reflow at 320 px and print, light and dark.

One headless Chromium (Debian's package, driven by puppeteer-core) visits every page of
the book built once by the ``built_book`` fixture; ``tests/a11y/check_site.js`` records
what it finds and these tests judge it. ``make test`` installs axe-core and
puppeteer-core from ``tests/a11y/package-lock.json``; ``.ci/run`` installs Chromium.
Without Chromium these tests FAIL and say what to install: they never skip.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tests" / "a11y"
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: axe impacts that fail the build (WCAG 2.2 AA target: none on any page, either mode).
BLOCKING = ("serious", "critical")


def _chromium() -> str:
    path = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "The accessibility tests need Chromium and none was found. Install it with "
            "`apt-get update && apt-get install -y chromium` (Debian/Ubuntu, as root), or set "
            "CHROMIUM_PATH to a Chromium or Chrome binary. `.ci/run` installs it in CI.",
            pytrace=False,
        )
    return path


def _node() -> str:
    node = shutil.which("node")
    if not node:
        pytest.fail(
            "The accessibility tests need Node.js: `apt-get install -y nodejs npm`.",
            pytrace=False,
        )
    if not (TOOLS / "node_modules" / "axe-core" / "axe.min.js").is_file():
        pytest.fail(
            "axe-core is not installed: run `make test` (it runs `npm ci` in tests/a11y), or "
            "`cd tests/a11y && npm ci --ignore-scripts`.",
            pytrace=False,
        )
    return node


@pytest.fixture(scope="module")
def site(built_book) -> Path:
    return built_book.index.parent


@pytest.fixture(scope="module")
def browser_report(site, tmp_path_factory) -> dict:
    chromium, node = _chromium(), _node()
    pdf_dir = tmp_path_factory.mktemp("a11y-pdf")
    proc = subprocess.run(
        [node, str(TOOLS / "check_site.js"), str(site), str(pdf_dir)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=TOOLS,
        env={**os.environ, "CHROMIUM_PATH": chromium},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    report["pdf_dir"] = pdf_dir
    return report


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if "_static" not in p.relative_to(site).parts
    )


def test_every_page_was_checked_in_both_modes(browser_report, site):
    checked = [p["page"] for p in browser_report["pages"]]
    assert checked == _pages(site) and len(checked) >= 15
    for p in browser_report["pages"]:
        assert set(p["axe"]) == {"light", "dark"}
        assert p["darkApplied"] == "dark"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation(browser_report, mode):
    found = [
        f"{p['page']}: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes) e.g. "
        f"{v['nodes'][0]['target']} {v['nodes'][0]['html'][:120]}"
        for p in browser_report["pages"]
        for v in p["axe"][mode]
        if v["impact"] in BLOCKING
    ]
    assert not found, f"axe-core {browser_report['axeVersion']}, {mode} mode:\n" + "\n".join(found)


def test_browser_names_each_figure_by_its_headline(browser_report):
    figures = [f for p in browser_report["pages"] for f in (p.get("figures") or [])]
    assert len(figures) >= 40
    for f in figures:
        assert f["role"] == "figure" and f["name"] == f["title"], f
        # the image: a short name, and the full text description as its extended
        # description (aria-details -> the <details> below the chart)
        assert f["imgName"] and len(f["imgName"]) <= 300, f
        assert f["imgDetails"] and f["detailsText"], f
        assert f["imgName"] not in f["detailsText"] and len(f["detailsText"]) > 100, f


def test_every_page_reflows_at_320_css_pixels(browser_report):
    bad = []
    for p in browser_report["pages"]:
        r = p["reflow"]
        if r is None:
            assert p["redirect"]
            continue
        if r["scrollWidth"] > r["viewport"] or r["problems"]:
            bad.append(f"{p['page']}: width {r['scrollWidth']} px, {r['problems'][:3]}")
    assert not bad, "\n".join(bad)


def test_print_keeps_every_table_column_on_a4(browser_report):
    chapters = [p for p in browser_report["pages"] if p["print"] is not None]
    assert len(chapters) >= 6
    for p in chapters:
        pr = p["print"]
        assert any(s.strip().lower().startswith("a4") for s in pr["pageSizes"]), p["page"]
        assert pr["tables"], p["page"]
        for t in pr["tables"]:
            assert t["hiddenBy"] is None, (p["page"], t)
            assert t["right"] <= pr["printableWidth"], (p["page"], t)
            assert t["lastHeaderRight"] <= pr["printableWidth"], (p["page"], t)
    sii = [t for p in chapters if p["page"].endswith("sii.html") for t in p["print"]["tables"]]
    assert any(t["lastHeader"] == "Data" for t in sii)  # the synthetic/real flag prints


def test_sii_pages_print_on_a4_paper(browser_report):
    pdfs = sorted(Path(browser_report["pdf_dir"]).glob("*.pdf"))
    assert len(pdfs) >= 3
    for pdf in pdfs:
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
        assert boxes, pdf.name
        for w, h in boxes:  # A4 is 595 x 842 points (Letter would be 612 x 792)
            assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (pdf.name, w, h)


# ---------------------------------------------------------------- markup of the built pages
def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_built_tables_have_captions_and_row_headers(site):
    tables = 0
    for rel in _pages(site):
        page = (site / rel).read_text("utf-8")
        for table in re.findall(r"<table\b.*?</table>", page, flags=re.S):
            tables += 1
            assert "<caption" in table, (rel, table[:200])
            body = table.split("<tbody>", 1)[1]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
                first = row.strip()
                assert re.match(r'<th\b[^>]*scope="row"', first), (rel, first[:120])
    assert tables >= 20


def test_built_figures_are_named_by_headline_with_short_alt(site):
    figures = 0
    for rel in _pages(site):
        page = (site / rel).read_text("utf-8")
        for fig in re.findall(r'<figure class="hi-chart".*?</figure>', page, flags=re.S):
            figures += 1
            label = re.search(r'aria-labelledby="([^"]+)"', fig).group(1)
            title = re.search(rf'<p class="hi-chart-title" id="{label}">([^<]+)</p>', fig)
            assert title, (rel, fig[:200])
            alt = html.unescape(re.search(r'<img [^>]*alt="([^"]*)"', fig).group(1))
            details_id = re.search(r'<img [^>]*aria-details="([^"]+)"', fig).group(1)
            desc = re.search(
                rf'<details id="{details_id}"><summary>[^<]*</summary><p>([^<]+)</p>', fig
            )
            desc = html.unescape(desc.group(1))
            assert alt and len(alt) <= 300 and alt != desc and desc not in alt, (rel, alt)
    assert figures >= 40


def test_periods_are_written_in_words_on_every_page(site):
    hyphenated = re.compile(r"\b(?:19|20)\d\d ?[-\u2013] ?\d\d\b")
    for rel in _pages(site):
        found = hyphenated.findall(_visible_text((site / rel).read_text("utf-8")))
        assert not found, (rel, found[:5])


def test_redirect_page_has_language_and_title(site):
    index = (site / "index.html").read_text("utf-8")
    assert '<html lang="en-GB">' in index
    assert re.search(r"<title>[^<]*Health inequalities[^<]*</title>", index)
    assert 'href="intro.html"' in index


@pytest.fixture(scope="module")
def teaching_report(built_book, tmp_path_factory) -> dict:
    """axe-core over every page of the teaching version (built by the same session build)."""
    chromium, node = _chromium(), _node()
    proc = subprocess.run(
        [node, str(TOOLS / "check_site.js"), str(built_book.teaching_index.parent),
         str(tmp_path_factory.mktemp("a11y-teaching-pdf"))],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=TOOLS,
        env={**os.environ, "CHROMIUM_PATH": chromium},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_teaching_edition_has_no_serious_violation_and_reflows(teaching_report, built_book):
    site = built_book.teaching_index.parent
    assert [p["page"] for p in teaching_report["pages"]] == _pages(site)
    found = [
        f"{p['page']} ({mode}): {v['id']} ({v['impact']})"
        for p in teaching_report["pages"]
        for mode in ("light", "dark")
        for v in p["axe"][mode]
        if v["impact"] in BLOCKING
    ]
    assert not found, "\n".join(found)
    wide = [
        p["page"]
        for p in teaching_report["pages"]
        if p["reflow"] is not None  # a redirect page has no layout of its own
        and (p["reflow"]["scrollWidth"] > p["reflow"]["viewport"] or p["reflow"]["problems"])
    ]
    assert all(p["redirect"] for p in teaching_report["pages"] if p["reflow"] is None)
    assert not wide, f"pages that do not reflow at 320 px: {wide}"
