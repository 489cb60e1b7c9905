"""Sphinx extension: accessibility repairs of the theme's HTML (WCAG 2.2 AA).

The book's own content is accessible by construction (:mod:`hi_analysis.report`,
:mod:`hi_analysis.tables`); this extension repairs what the Jupyter Book theme
(sphinx-book-theme on pydata-sphinx-theme) and the build write around it, once the
HTML is written:

- the search buttons carry ``aria-label="Search"`` while their visible label is
  "Search Ctrl + K" (2.5.3 Label in Name): the label is dropped, so the visible text
  (or, for the icon-only button, its ``title``) names them;
- the colour-mode button's ``aria-label`` is replaced by visually hidden text;
- the navigation's expand/collapse ``<summary>`` toggles have no name (4.1.2): each is
  named after the section it opens;
- Markdown tables get ``scope`` on their header cells (first column as row headers
  where the table declares stub columns);
- the primary sidebar (book title, search, contents) is a named region;
- ``<main>`` takes focus from the skip link (``tabindex="-1"``);
- the page language is British English (``en-GB``);
- the root ``index.html`` redirect gets a language, a title and a visible link, instead
  of the bare ``<meta>`` refresh that Jupyter Book writes.

Enabled from ``_config.yml`` (``sphinx: extra_extensions``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

_SEARCH_LABEL = re.compile(
    r'(<button class="[^"]*\bsearch-button__button\b[^"]*"[^>]*?) aria-label="[^"]*"'
)
_THEME_SWITCH = re.compile(
    r'(<button class="[^"]*\btheme-switch-button\b[^"]*"[^>]*?) aria-label="([^"]*)"([^>]*>)'
)
_SUMMARY = re.compile(
    r'(<a class="[^"]*\breference\b[^"]*" href="[^"]*">)([^<]*(?:<(?!/a>)[^<]*)*)'
    r"(</a>\s*<details[^>]*>\s*)<summary>"
)
_LANG = re.compile(r'<html lang="en"')
_TAG = re.compile(r"<[^>]+>")


def repair_page(text: str) -> str:
    """Apply the repairs to one generated HTML page.

    Examples
    --------
    >>> page = ('<html lang="en"><a class="reference internal" href="a.html">Leicester</a>'
    ...         '<details><summary><span></span></summary></details>'
    ...         '<a class="current reference internal" href="#">Rutland</a>'
    ...         '<details open="open"><summary><span></span></summary></details>')
    >>> out = repair_page(page)
    >>> 'lang="en-GB"' in out and 'aria-label="Show or hide the pages under Leicester"' in out
    True
    >>> 'aria-label="Show or hide the pages under Rutland"' in out
    True
    """
    text = _LANG.sub('<html lang="en-GB"', text, count=1)
    text = _SEARCH_LABEL.sub(r"\1", text)
    text = _THEME_SWITCH.sub(
        lambda m: f'{m.group(1)}{m.group(3)}<span class="visually-hidden">Colour mode</span>',
        text,
    )

    def _name(m: re.Match) -> str:
        label = html.unescape(_TAG.sub("", m.group(2))).strip() or "this section"
        return (
            f"{m.group(1)}{m.group(2)}{m.group(3)}"
            f'<summary aria-label="Show or hide the pages under {html.escape(label)}">'
        )

    text = _SUMMARY.sub(_name, text)
    # best practice (axe "region"): the book title in the sidebar sits in a named region
    text = text.replace(
        '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">',
        '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar" role="region" '
        'aria-label="Book title, search and contents">',
        1,
    )
    # the skip link's target takes focus in every browser, not only Chromium
    text = text.replace(
        '<main id="main-content" class="bd-main" role="main">',
        '<main id="main-content" class="bd-main" role="main" tabindex="-1">',
        1,
    )
    text = text.replace('<th class="head">', '<th class="head" scope="col">')
    text = text.replace('<th class="stub">', '<th class="stub" scope="row">')
    return text


def redirect_page(target: str, title: str) -> str:
    """The root ``index.html``: a titled, language-tagged redirect with a visible link.

    Examples
    --------
    >>> page = redirect_page("intro.html", "Health inequalities in LLR")
    >>> '<html lang="en-GB">' in page and "<title>Health inequalities in LLR</title>" in page
    True
    """
    t, url = html.escape(title), html.escape(target)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{t}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Refresh" content="0; url={url}">\n'
        f'<link rel="canonical" href="{url}">\n</head>\n<body>\n<main>\n'
        f"<h1>{t}</h1>\n"
        f'<p>This book starts at <a href="{url}">{t}</a>.</p>\n'
        "</main>\n</body>\n</html>\n"
    )


def _finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        if "_static" in page.relative_to(out).parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = repair_page(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
    root = str(app.config.root_doc)
    index = out / "index.html"
    if root != "index" and not index.exists():
        index.write_text(
            redirect_page(f"{root}.html", str(app.config.html_title or app.config.project)),
            encoding="utf-8",
        )


def setup(app) -> dict:
    """Register the repairs to run when the HTML build finishes (before the ToC's redirect)."""
    app.connect("build-finished", _finished, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
