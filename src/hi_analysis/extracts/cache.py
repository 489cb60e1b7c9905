"""Validated extracts, cached per content hash and split by place.

Validating a record-level extract (:func:`hi_analysis.extracts.io.load_extract`)
takes seconds to tens of seconds; reading the already validated, typed rows of
one place back takes a fraction of a second. So each extract is validated once
per *cache key* and written to
``_build/<system>/cache/<extract>/<key>/``: one Arrow IPC file per place
(``<place>.arrow``) and one for the whole system (``_all.arrow``), all with the
dtypes :func:`~hi_analysis.extracts.io.load_extract` returns (categories for
coded columns, ``int16`` ages and counts where the schema says so).

The key is a digest of the extract file's bytes, the validation context (the
system's geography, reporting period and date format, and the source of the
extract schemas and checks), the shipped-data manifest (the LSOA lookups that
assign rows to places) and :data:`CACHE_FORMAT`. Any change to one of these
gives a new key, so a changed extract, system or schema is never served from a
stale cache: it is validated again (and a bad file fails with its one-line
error) before anything is read.

Examples
--------
>>> from hi_analysis.config import load_system
>>> llr = load_system("llr")
>>> rutland = read_extract(llr, "programme_series", llr.place("rutland"))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from hi_analysis.config import Place, System
from hi_analysis.errors import DataValidationError
from hi_analysis.paths import build_dir

#: Bumped when the layout or the dtypes of the cached files change.
CACHE_FORMAT = "1"
#: File name of the whole-system partition.
ALL = "_all"
#: Marker written last: a folder without it is incomplete and ignored.
COMPLETE = "COMPLETE"


def cache_root(system_id: str) -> Path:
    """Folder of a system's extract cache: ``_build/<system>/cache``.

    Examples
    --------
    >>> cache_root("llr").parts[-2:]
    ('llr', 'cache')
    """
    return build_dir() / system_id / "cache"


@functools.lru_cache(maxsize=64)
def _digest(path: str, size: int, mtime_ns: int, inode: int) -> str:
    from hi_analysis.extracts.io import file_digest

    return file_digest(Path(path))


def _file_digest(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime, inode) within the process."""
    st = path.stat()
    return _digest(str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def cache_key(system: System, name: str) -> str:
    """Digest naming the validated cache of one extract of a system.

    Raises
    ------
    DataValidationError
        When the extract has no file.
    """
    from hi_analysis.extracts.io import extract_path, extracts_dir, validation_context
    from hi_analysis.provenance import data_fingerprint

    path = extract_path(system.id, name)
    if path is None:
        from hi_analysis.data.validate import describe_path

        raise DataValidationError(
            describe_path(extracts_dir(system.id) / f"{name}.parquet"),
            [
                "extract not found; put the real extract here, or run "
                f"`hi-analysis synth --system {system.id}` for a synthetic one"
            ],
        )
    h = hashlib.sha256()
    for part in (
        CACHE_FORMAT,
        name,
        path.name,
        _file_digest(path),
        validation_context(system),
        data_fingerprint(),
    ):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _folder(system: System, name: str, key: str) -> Path:
    return cache_root(system.id) / name / key


def is_cached(system: System, name: str) -> bool:
    """True when the extract's current version is validated and cached."""
    try:
        key = cache_key(system, name)
    except DataValidationError:
        return False
    return (_folder(system, name, key) / COMPLETE).is_file()


def _place_masks(system: System, lsoa: pd.Series) -> dict[str, pd.Series]:
    from hi_analysis.geography import lsoa11_codes

    return {p.id: lsoa.isin(set(lsoa11_codes(p))) for p in system.places}


def store(system: System, name: str, frame: pd.DataFrame, key: str | None = None) -> Path:
    """Write a validated extract to the cache (one file per place and one for the system).

    Written into a temporary folder that is renamed into place when complete, so a
    reader never sees half a cache; older versions of the same extract are removed.

    Returns
    -------
    pathlib.Path
        The cache folder.
    """
    key = key or cache_key(system, name)
    final = _folder(system, name, key)
    if (final / COMPLETE).is_file():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        frame = frame.reset_index(drop=True)
        parts = {ALL: frame}
        parts.update(
            {pid: frame[mask] for pid, mask in _place_masks(system, frame["lsoa11cd"]).items()}
        )
        for part, rows in parts.items():
            table = pa.Table.from_pandas(rows.reset_index(drop=True), preserve_index=False)
            feather.write_feather(table, tmp / f"{part}.arrow", compression="lz4")
        (tmp / COMPLETE).write_text(key + "\n", encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        try:
            tmp.rename(final)
        except OSError:  # another process finished first: its copy is the same
            if not (final / COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in final.parent.iterdir():
        if old.name != key and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return final


def ensure(system: System, name: str) -> Path:
    """Validate and cache an extract unless its current version is cached already.

    Raises
    ------
    DataValidationError
        If the extract is missing or breaks a rule (one line naming file, column, rows).
    """
    from hi_analysis.extracts.io import load_extract

    key = cache_key(system, name)
    folder = _folder(system, name, key)
    if (folder / COMPLETE).is_file():
        return folder
    return store(system, name, load_extract(system, name), key)


def read_extract(
    system: System,
    name: str,
    place: Place | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The validated, typed rows of an extract, for one place or the whole system.

    Validates and caches the extract first when its current version is not cached
    (see :func:`ensure`), so the result is always what
    :func:`~hi_analysis.extracts.io.load_extract` would return, restricted to the
    place's neighbourhoods (``lsoa11cd``), in the file's row order, with a fresh
    ``RangeIndex``.

    Parameters
    ----------
    system : System
        The system.
    name : str
        A key of :data:`hi_analysis.extracts.schemas.EXTRACTS`.
    place : Place, optional
        Only this place's rows (default: every row).
    columns : sequence of str, optional
        Only these columns (default: all).

    Returns
    -------
    pandas.DataFrame
    """
    folder = ensure(system, name)
    part = ALL if place is None else place.id
    path = folder / f"{part}.arrow"
    if not path.is_file():
        raise KeyError(f"place {part!r} is not a place of system {system.id!r}")
    table = feather.read_table(path, columns=list(columns) if columns else None, memory_map=True)
    return table.to_pandas()


def read_extracts(
    system: System, names: Iterable[str], place: Place | None = None
) -> dict[str, pd.DataFrame]:
    """:func:`read_extract` for several extracts, as a dict by name."""
    return {name: read_extract(system, name, place) for name in names}
