"""Where the project's inputs and outputs live.

Every path is absolute and derived from one root, so notebooks executed in
another working directory (papermill, nbval, myst-nb) find the same files.
The root can be overridden with the ``HI_ANALYSIS_ROOT`` environment variable,
which the tests use to build into a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Return the project root (the folder holding ``parameters/`` and ``data/``).

    Returns
    -------
    pathlib.Path
        ``$HI_ANALYSIS_ROOT`` when set, otherwise the checkout this package lives in.

    Examples
    --------
    >>> (project_root() / "parameters").is_dir()
    True
    """
    env = os.environ.get("HI_ANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    return _PACKAGE_DIR.parents[1]


def source_root() -> Path:
    """Return the checkout holding the code, notebooks and book sources (never overridden)."""
    return _PACKAGE_DIR.parents[1]


def public_data_dir() -> Path:
    """Return the folder of shipped real public data (``data/public``)."""
    return source_root() / "data" / "public"


def extracts_root() -> Path:
    """Return the folder of record-level extracts, one sub-folder per system (never committed).

    ``$HI_ANALYSIS_EXTRACTS`` overrides the default ``data/extracts`` (tests generate
    synthetic extracts into a temporary folder).
    """
    env = os.environ.get("HI_ANALYSIS_EXTRACTS")
    if env:
        return Path(env).resolve()
    return project_root() / "data" / "extracts"


def parameters_dir() -> Path:
    """Return the folder of parameter files, one sub-folder per system."""
    return project_root() / "parameters"


def notebooks_dir() -> Path:
    """Return the folder of chapter notebook templates."""
    return source_root() / "notebooks"


def book_sources_dir() -> Path:
    """Return the folder of hand-written book pages and templates (``book/``)."""
    return source_root() / "book"


def build_dir() -> Path:
    """Return the root of generated outputs (``_build``, never committed).

    ``$HI_ANALYSIS_BUILD`` overrides it (tests build into a temporary folder).
    """
    env = os.environ.get("HI_ANALYSIS_BUILD")
    if env:
        return Path(env).resolve()
    return project_root() / "_build"
