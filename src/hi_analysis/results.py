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

    def __post_init__(self) -> None:
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
        """Plain JSON-ready mapping."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> KeyResult:
        """Build from :meth:`to_dict` output."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def to_json(results: Iterable[KeyResult]) -> list[dict]:
    """Serialise key results for the JSON sidecar (ordered by chapter then id)."""
    return [r.to_dict() for r in results]


def from_sidecar(sidecar: Mapping) -> list[KeyResult]:
    """Read the key results of a chapter's JSON sidecar (empty when it has none)."""
    return [KeyResult.from_dict(d) for d in sidecar.get("key_results", [])]
