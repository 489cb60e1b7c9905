"""Key results: the one schema every chapter writes its headline numbers in.

Each chapter's notebook writes a JSON sidecar (see
:func:`hi_analysis.report.write_results`). Alongside chapter-specific values it
carries a ``key_results`` list of :class:`KeyResult` records, so pages that
gather numbers from several chapters (the landing page, "what changed", the
dashboard) read every number from the one place that computed it.

Examples
--------
>>> r = KeyResult(chapter="covid", id="excess_deaths", label="Excess deaths",
...               value=1234.0, lower=900.0, upper=1500.0, unit="deaths",
...               synthetic=False, period="March 2020 to December 2021")
>>> KeyResult.from_dict(r.to_dict()) == r
True
>>> r.has_interval
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

#: Judgements against a benchmark, as OHID Fingertips words them (lower case).
COMPARISONS = ("better", "similar", "worse", "higher", "lower", "not compared")


@dataclass(frozen=True)
class KeyResult:
    """A headline number of a chapter for one place.

    Attributes
    ----------
    chapter : str
        Identifier of the chapter that computed it (see :mod:`hi_analysis.chapters`).
    id : str
        Stable identifier within the chapter (e.g. ``"excess_deaths_2020_2021"``).
    label : str
        Plain-English name of the measure.
    value : float
        The estimate.
    lower, upper : float or None
        The 95% confidence (or prediction) interval; ``None`` for official counts
        that cover everyone and carry no interval.
    unit : str
        Unit of the value (e.g. ``"years"``, ``"per 100,000"``, ``"%"``, ``"ratio"``).
    synthetic : bool
        Whether the number is computed from synthetic extracts.
    period : str
        The period it refers to, in words.
    polarity : str
        ``"higher_is_better"``, ``"lower_is_better"`` or ``"neutral"``.
    comparator_value : float or None
        The benchmark's value for the same measure and period (e.g. England's).
    comparator_label : str or None
        The benchmark's name (e.g. ``"England"``).
    comparison : str or None
        The publisher's (or the chapter's) judgement against the benchmark:
        one of :data:`COMPARISONS`.
    series : tuple of (str, float) or None
        The measure's time series, oldest first, as ``(period, value)`` pairs, for
        statistical process control on the dashboard.
    area : str or None
        The area the value is for when it is part of the place (a county's district).
    completeness : float or None
        Share (0 to 1) of records with the breakdown recorded, for extract-based results.
    """

    chapter: str
    id: str
    label: str
    value: float
    lower: float | None
    upper: float | None
    unit: str
    synthetic: bool
    period: str = ""
    polarity: str = "neutral"
    comparator_value: float | None = None
    comparator_label: str | None = None
    comparison: str | None = None
    series: tuple[tuple[str, float], ...] | None = None
    area: str | None = None
    completeness: float | None = None

    def __post_init__(self) -> None:
        if self.series is not None:  # JSON gives lists: keep the record hashable and comparable
            object.__setattr__(self, "series", tuple((str(p), float(v)) for p, v in self.series))
        if self.comparison is not None and self.comparison not in COMPARISONS:
            raise ValueError(f"key result {self.id!r}: unknown comparison {self.comparison!r}")
        if self.polarity not in ("higher_is_better", "lower_is_better", "neutral"):
            raise ValueError(f"key result {self.id!r}: unknown polarity {self.polarity!r}")
        if (self.lower is None) != (self.upper is None):
            raise ValueError(f"key result {self.id!r}: give both interval limits or neither")
        if (
            self.lower is not None
            and self.upper is not None
            and not (math.isnan(self.value) or self.lower <= self.value <= self.upper)
        ):
            raise ValueError(
                f"key result {self.id!r}: value {self.value} outside its interval "
                f"[{self.lower}, {self.upper}]"
            )

    @property
    def has_interval(self) -> bool:
        """Whether the result carries a 95% interval."""
        return self.lower is not None

    def to_dict(self) -> dict:
        """Plain JSON-ready mapping (optional fields left out when unset)."""
        out = asdict(self)
        for name in _OPTIONAL:
            if out[name] is None:
                del out[name]
        if self.series is not None:
            out["series"] = [[p, v] for p, v in self.series]
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> KeyResult:
        """Build from :meth:`to_dict` output."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


#: Fields added after the first sidecars were written: absent means ``None``.
_OPTIONAL = (
    "comparator_value",
    "comparator_label",
    "comparison",
    "series",
    "area",
    "completeness",
)


def to_json(results: Iterable[KeyResult]) -> list[dict]:
    """Serialise key results for the JSON sidecar (ordered by chapter then id)."""
    return [r.to_dict() for r in results]


def from_sidecar(sidecar: Mapping) -> list[KeyResult]:
    """Read the key results of a chapter's JSON sidecar (empty when it has none)."""
    return [KeyResult.from_dict(d) for d in sidecar.get("key_results", [])]
