"""PHE/OHID-standard statistics for public health indicators.

Implements, from the published methods, the statistics of the reference R
package PHEindicatormethods (v2.1.0), with its documented defects fixed:

- :func:`proportion` -- proportions with Wilson score limits;
- :func:`rate` -- crude rates with exact (below 10 events) or Byar's limits;
- :func:`dsr` -- directly standardised rates (Dobson limits; :data:`ESP2013`);
- :func:`mean` -- means with Student's t limits;
- :func:`life_expectancy` -- Chiang II abridged life table, Silcocks variance;
- :func:`quantiles` -- deprivation quantiles within an area (1 = most deprived);
- :func:`sii` -- Slope and Relative Index of Inequality, simulated limits.

Every function takes a DataFrame and column names and returns a DataFrame;
see ``docs/stats-methods.md`` for the formulas and the deviations from the
reference.
"""

from .dsr import ESP2013, dsr
from .life_expectancy import LE_AGE_BANDS, life_expectancy, life_table
from .means import mean
from .proportions import proportion
from .quantiles import quantiles
from .rates import rate
from .sii import sii, sii_line

__all__ = [
    "ESP2013",
    "LE_AGE_BANDS",
    "dsr",
    "life_expectancy",
    "life_table",
    "mean",
    "proportion",
    "quantiles",
    "rate",
    "sii",
    "sii_line",
]
