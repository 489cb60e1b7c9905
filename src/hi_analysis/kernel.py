"""Run inside a warm Jupyter kernel: warm it up once, then reset it before every notebook.

The runner (:class:`hi_analysis.runner.PapermillExecutor`) reuses one kernel for
many notebooks of a build. So that a notebook's output can never depend on what
ran before it, :func:`reset` returns the kernel to the state of a fresh kernel
that has imported the package: an empty user namespace (IPython's
``%reset -f``), execution count 1, the working directory of the job, the
environment, ``sys.path``, warning filters and matplotlib settings as they were
after :func:`prepare`, no open figures, and freshly seeded ``random`` and
``numpy.random`` global generators (as a new interpreter would have).
Modules stay imported (that is the point) and module-level caches of shipped
data stay filled: they are read-only (callers receive copies).

Examples
--------
>>> import os
>>> reset(os.getcwd(), shell=None)  # outside IPython only the process state is reset
"""

from __future__ import annotations

import copy
import os
import random
import sys
import warnings
from typing import Any

#: The process state saved by :func:`prepare` and restored by :func:`reset`.
_SNAPSHOT: dict[str, Any] = {}

#: Imported when the kernel is warmed up (what every chapter notebook imports first).
WARM_MODULES = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "hi_analysis.charts",
    "hi_analysis.report",
    "hi_analysis.config",
    "hi_analysis.extracts",
)


def prepare(preload: bool = True) -> None:
    """Import the common modules, optionally read the shipped data, and save the state.

    Parameters
    ----------
    preload : bool
        Also read the shipped public tables and boundaries (from the validated
        cache when present), so no notebook of the build pays for it.
    """
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)
    if preload:
        from hi_analysis.data.public import BOUNDARIES, DATASETS, load, load_boundaries

        for name in DATASETS:
            load(name)
        for layer in BOUNDARIES:
            load_boundaries(layer)
    _save()


def _save() -> None:
    import matplotlib

    _SNAPSHOT.clear()
    _SNAPSHOT.update(
        environ=dict(os.environ),
        path=list(sys.path),
        filters=list(warnings.filters),
        rc=copy.deepcopy(dict(matplotlib.rcParams)),
    )


def reset(cwd: str, shell: Any = "auto") -> None:
    """Return the kernel to the state of a freshly prepared one, working in ``cwd``.

    Parameters
    ----------
    cwd : str
        The job's working directory.
    shell : IPython shell, None or "auto"
        The shell whose namespace and execution count are reset ("auto": the
        running one, if any).
    """
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np

    if not _SNAPSHOT:
        _save()
    if shell == "auto":
        try:
            shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821
        except NameError:
            shell = None
    if shell is not None:
        shell.run_line_magic("reset", "-f")
        shell.execution_count = 1
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_SNAPSHOT["rc"])
    os.environ.clear()
    os.environ.update(_SNAPSHOT["environ"])
    sys.path[:] = _SNAPSHOT["path"]
    warnings.filters[:] = _SNAPSHOT["filters"]
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    random.seed()
    np.random.seed()
    os.chdir(cwd)
