"""Data access: every input file is read and validated here, and nowhere else.

- :mod:`hi_analysis.data.validate` -- turning schema failures into readable errors.
- :mod:`hi_analysis.data.schemas` -- pandera schemas: codes, counts, keys, categories.
- :mod:`hi_analysis.data.public` -- the shipped real open data (``data/public``).
- :mod:`hi_analysis.data.manifest` -- sha256 and row counts of the shipped files.
"""

from hi_analysis.data.public import DATASETS, load, load_boundaries

__all__ = ["DATASETS", "load", "load_boundaries"]
