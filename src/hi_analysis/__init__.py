"""hi-analysis: a reproducible health-inequalities analysis book for English NHS systems.

The package is layered; each module has one job:

- :mod:`hi_analysis.paths` -- where things live (project root, data, build folders).
- :mod:`hi_analysis.config` -- the validated parameter files (system, places).
- :mod:`hi_analysis.data` -- reading and validating every input file (real public data).
- :mod:`hi_analysis.geography` -- which neighbourhoods make up each place.
- :mod:`hi_analysis.stats` -- PHE/OHID-standard statistics (Wilson, Byar's, DSR, LE, SII).
- :mod:`hi_analysis.disclosure` -- small-number suppression of every published count.
- :mod:`hi_analysis.needs` -- the needs-analysis computations.
- :mod:`hi_analysis.charts`, :mod:`hi_analysis.tables`, :mod:`hi_analysis.text` -- presentation.
- :mod:`hi_analysis.report` -- what a chapter notebook calls to show a result on the page.
- :mod:`hi_analysis.runner` -- executes the chapter notebooks (papermill, process pool).
- :mod:`hi_analysis.book` -- assembles and publishes the Jupyter Book for a system.
- :mod:`hi_analysis.cli` -- the ``hi-analysis`` command.
"""

__version__ = "0.1.0"
