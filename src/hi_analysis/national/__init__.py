"""Every English system from the shipped national data: new parameters folders and national runs.

* :mod:`hi_analysis.national.init` writes a parameters folder for any ICB (``hi-analysis init``);
* :mod:`hi_analysis.national.run` builds many systems' books on Dask (``hi-analysis build --all``).
"""
