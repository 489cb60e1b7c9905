"""Confidence limits for counts and proportions: Wilson, exact Poisson and Byar's.

Each concept lives here once; :mod:`.rates`, :mod:`.dsr` and :mod:`.proportions`
call these functions. All functions work element-wise on numpy arrays.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

__all__ = ["byars_limits", "exact_poisson_limits", "poisson_limits", "wilson_limits"]

#: Counts below this use the exact (chi-square) method, from it Byar's.
BYARS_MIN_COUNT = 10


def wilson_limits(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for a proportion ``x / n`` on the 0-1 scale.

    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``; ``x = 0`` gives a
    lower limit of exactly 0 and ``x = n`` an upper limit of exactly 1. An
    infinite ``z`` (confidence 1) gives the limits 0 and 1.
    """
    x = np.asarray(x, dtype="float64")
    n = np.asarray(n, dtype="float64")
    if np.isinf(z):
        return np.zeros_like(x), np.ones_like(x)
    z2 = z * z
    half_width = z * np.sqrt(z2 + 4 * x * (1 - x / n))
    denom = 2 * (n + z2)
    lower = np.where(x == 0, 0.0, (2 * x + z2 - half_width) / denom)
    upper = np.where(x == n, 1.0, (2 * x + z2 + half_width) / denom)
    return lower, upper


def byars_limits(x: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the Poisson limits of a count ``x``.

    lower = x (1 - 1/(9x) - z/(3 sqrt x))^3,
    upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3 (Breslow & Day 1987).
    The lower limit is floored at 0 (it only matters for tiny counts or an
    infinite ``z``), and is 0 for ``x = 0``.
    """
    x = np.asarray(x, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        lower = np.where(x == 0, 0.0, np.maximum(lower, 0.0))
        x1 = x + 1
        upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    return lower, upper


def exact_poisson_limits(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (chi-square) Poisson limits of a count ``x`` at confidence ``level``.

    lower = chi2_{alpha/2}(2x) / 2 (0 when x = 0), upper = chi2_{1-alpha/2}(2x + 2) / 2.
    """
    x = np.asarray(x, dtype="float64")
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(x == 0, 0.0, chi2.ppf(alpha / 2, np.where(x == 0, 1.0, 2 * x)) / 2)
        upper = chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    return lower, upper


def poisson_limits(
    x: np.ndarray, level: float, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Limits of a count: exact below 10 events, Byar's from 10.

    Returns
    -------
    tuple of numpy.ndarray
        Lower limits, upper limits and the method label per element
        (``"Exact"`` or ``"Byars"``).
    """
    x = np.asarray(x, dtype="float64")
    exact_lo, exact_hi = exact_poisson_limits(x, level)
    byars_lo, byars_hi = byars_limits(x, z)
    small = x < BYARS_MIN_COUNT
    method = np.where(small, "Exact", "Byars").astype(object)
    return np.where(small, exact_lo, byars_lo), np.where(small, exact_hi, byars_hi), method
