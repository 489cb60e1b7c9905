"""Statistical process control: XmR charts read with the Making Data Count rules.

NHS England's *Making Data Count* (MDC) guidance reads a series on an XmR
(individuals and moving range) chart:

- the centre line is the mean of the points;
- the process limits are the mean plus or minus 2.66 times the mean moving range
  (the average absolute difference between consecutive points);
- **special cause** variation is signalled by (1) a point outside the limits,
  (2) a run of :data:`RUN_LENGTH` or more points on one side of the mean,
  (3) a trend of :data:`TREND_LENGTH` or more points all rising or all falling,
  (4) two of three consecutive points beyond two-thirds of the way to a limit, on
  the same side;
- anything else is **common cause** variation;
- a target is **consistently passed** when both limits lie on its passing side,
  **consistently failed** when both lie on its failing side, and otherwise the
  process will **hit and miss** it.

Only the latest signals matter for the reading of the latest point: a rule
counts when the run, trend or point involves the last point of the series.

Examples
--------
>>> r = xmr([10, 11, 9, 10, 11, 10, 9, 10, 30])
>>> r.signal, r.direction
('outside_limits', 'up')
>>> round(r.mean, 3), round(r.upper, 3)
(12.222, 21.532)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: The MDC constant: 3 / d2 with d2 = 1.128 for moving ranges of two points.
E2 = 2.66
#: Points on one side of the mean that signal a shift.
RUN_LENGTH = 7
#: Consecutive rising (or falling) points that signal a trend.
TREND_LENGTH = 6
#: Fewer points than this: limits are provisional (MDC suggests 15 to 20).
MIN_POINTS_FOR_LIMITS = 15


@dataclass(frozen=True)
class XmR:
    """An XmR chart of a series and its reading at the latest point.

    Attributes
    ----------
    values : tuple of float
        The series, oldest first.
    mean, lower, upper : float
        Centre line and process limits.
    mean_moving_range : float
        Average absolute difference between consecutive points.
    signal : str
        ``"outside_limits"``, ``"run"``, ``"trend"``, ``"two_of_three"`` or
        ``"none"`` (common cause), for the latest point.
    direction : str
        ``"up"``, ``"down"`` or ``""`` (no signal).
    provisional : bool
        Fewer than :data:`MIN_POINTS_FOR_LIMITS` points.
    """

    values: tuple[float, ...]
    mean: float
    lower: float
    upper: float
    mean_moving_range: float
    signal: str
    direction: str
    provisional: bool

    @property
    def special_cause(self) -> bool:
        """Whether the latest point shows special-cause variation."""
        return self.signal != "none"

    def variation(self, polarity: str) -> str:
        """The MDC variation reading: improvement, concern, neither, or common cause.

        Parameters
        ----------
        polarity : str
            ``"higher_is_better"``, ``"lower_is_better"`` or ``"neutral"``.

        Returns
        -------
        str
            ``"special cause improvement"``, ``"special cause concern"``,
            ``"special cause (higher)"`` / ``"special cause (lower)"`` for a neutral
            measure, or ``"common cause"``.

        Examples
        --------
        >>> xmr([5, 5, 6, 5, 5, 6, 5, 5, 1]).variation("higher_is_better")
        'special cause concern'
        """
        if not self.special_cause:
            return "common cause"
        if polarity == "neutral":
            return f"special cause ({'higher' if self.direction == 'up' else 'lower'})"
        good = (self.direction == "up") == (polarity == "higher_is_better")
        return "special cause improvement" if good else "special cause concern"

    def assurance(self, target: float, direction: str) -> str:
        """The MDC assurance reading of a target against the process limits.

        Parameters
        ----------
        target : float
            The target value.
        direction : str
            ``"at_least"`` (pass at or above) or ``"at_most"``.

        Returns
        -------
        str
            ``"consistently passing"``, ``"consistently failing"`` or ``"hit and miss"``.

        Examples
        --------
        >>> xmr([10, 11, 9, 10, 11, 10, 9, 10]).assurance(5, "at_least")
        'consistently passing'
        """
        if direction == "at_least":
            passing, failing = self.lower >= target, self.upper < target
        else:
            passing, failing = self.upper <= target, self.lower > target
        if passing:
            return "consistently passing"
        if failing:
            return "consistently failing"
        return "hit and miss"


def _tail_run(flags: np.ndarray) -> int:
    """Length of the run of ``True`` ending at the last element."""
    n = 0
    for f in flags[::-1]:
        if not f:
            break
        n += 1
    return n


def xmr(values: Sequence[float]) -> XmR:
    """Fit an XmR chart to a series and read the latest point with the MDC rules.

    Parameters
    ----------
    values : sequence of float
        At least three finite values, oldest first.

    Returns
    -------
    XmR

    Raises
    ------
    ValueError
        Fewer than three values, or a value that is not finite.
    """
    x = np.asarray(values, dtype="float64")
    if x.size < 3 or not np.isfinite(x).all():
        raise ValueError("an XmR chart needs at least three finite values")
    mean = float(x.mean())
    mr = float(np.abs(np.diff(x)).mean())
    lower, upper = mean - E2 * mr, mean + E2 * mr
    last = x[-1]
    signal, direction = "none", ""
    if last > upper or last < lower:
        signal, direction = "outside_limits", "up" if last > upper else "down"
    else:
        above, below = _tail_run(x > mean), _tail_run(x < mean)
        rises = _tail_run(np.diff(x) > 0) + 1
        falls = _tail_run(np.diff(x) < 0) + 1
        band = (upper - mean) * 2 / 3
        near_up = x[-3:] > mean + band
        near_down = x[-3:] < mean - band
        if max(above, below) >= RUN_LENGTH:
            signal, direction = "run", "up" if above >= RUN_LENGTH else "down"
        elif max(rises, falls) >= TREND_LENGTH:
            signal, direction = "trend", "up" if rises >= TREND_LENGTH else "down"
        elif x.size >= 3 and (
            (near_up.sum() >= 2 and near_up[-1]) or (near_down.sum() >= 2 and near_down[-1])
        ):
            signal = "two_of_three"
            direction = "up" if near_up[-1] else "down"
    return XmR(
        values=tuple(float(v) for v in x),
        mean=mean,
        lower=lower,
        upper=upper,
        mean_moving_range=mr,
        signal=signal,
        direction=direction,
        provisional=x.size < MIN_POINTS_FOR_LIMITS,
    )
