"""The shared loader: every chapter's key results and sidecars, by place, read once.

The accountability pages never recompute a chapter's number: they read the
:class:`~hi_analysis.results.KeyResult` records each chapter wrote under
``"key_results"`` in its JSON sidecar, and the logic-model verdicts from that
chapter's sidecar.

Examples
--------
>>> from hi_analysis.results import KeyResult
>>> kr = KeyResult("sii", "sii_le_female", "SII", 8.0, 6.0, 10.0, "years", True)
>>> ev = Evidence({"rutland": {"sii.sii_le_female": kr}}, {})
>>> [r.value for r in ev.lookup("rutland", "sii.sii_le_female")]
[8.0]
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hi_analysis.errors import ConfigError
from hi_analysis.results import KeyResult, from_sidecar


@dataclass(frozen=True)
class Evidence:
    """Key results by place and ``<chapter>.<id>``, and the raw sidecars by place and chapter."""

    results: Mapping[str, Mapping[str, KeyResult]]
    sidecars: Mapping[str, Mapping[str, dict]]

    @classmethod
    def from_files(cls, files: Iterable[tuple[str, str, Path]]) -> Evidence:
        """Read sidecars given as ``(place, chapter, path)``.

        Raises
        ------
        ConfigError
            A sidecar that is missing or not valid JSON (one line naming it).
        """
        results: dict[str, dict[str, KeyResult]] = {}
        sidecars: dict[str, dict[str, dict]] = {}
        for place, chapter, path in files:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{path}: cannot read the chapter's results ({exc})") from None
            sidecars.setdefault(place, {})[chapter] = data
            for r in from_sidecar(data):
                results.setdefault(place, {})[f"{r.chapter}.{r.id}"] = r
        return cls(results, sidecars)

    def lookup(self, place: str, ref: str) -> list[KeyResult]:
        """The results for ``ref`` in a place: the exact id, or its per-district variants.

        A county's published figures are per district, written ``<id>.<district code>``.
        """
        found = self.results.get(place, {})
        if ref in found:
            return [found[ref]]
        return [r for k, r in sorted(found.items()) if k.startswith(ref + ".")]

    def known(self, ref: str) -> bool:
        """Whether any place has a result for ``ref``."""
        return any(self.lookup(p, ref) for p in self.results)


def illustrative_banner(version: str = "") -> str:
    """The illustrative-plan banner (the logic-model chapter's wording), as HTML for a page."""
    detail = (
        f"The plan '{version}' was written by the hi-analysis project to demonstrate these "
        "pages; it is not the system's approved plan, and its ratings, targets, owners and "
        "recommendations are not the system's."
        if version
        else "The plan was written by the hi-analysis project to demonstrate these pages; it is "
        "not the system's approved plan."
    )
    return (
        '<div class="hi-banner hi-banner-synthetic" role="note"><p><strong>Illustrative plan.'
        f"</strong> {html.escape(detail)}</p></div>"
    )


def data_banner(synthetic: list[str], real: list[str]) -> str:
    """Say which figures on the page are real and which synthetic, as HTML for a page."""
    if synthetic:
        lead = "SYNTHETIC DATA: not for decisions."
        text = (
            "Some figures on this page are computed from synthetic record-level extracts "
            "generated for demonstration. They are not real patient data and must not be used "
            "for decisions. Synthetic: " + "; ".join(synthetic) + "."
        )
        if real:
            text += " Real: " + "; ".join(real) + "."
        cls = "hi-banner hi-banner-synthetic"
    else:
        lead = "Real published data."
        text = "Every figure on this page comes from official open data. " + "; ".join(real)
        cls = "hi-banner hi-banner-real"
    return (
        f'<div class="{cls}" role="note"><p><strong>{html.escape(lead)}</strong> '
        f"{html.escape(text)}</p></div>"
    )
