"""Find, read and validate record-level extracts; write synthetic ones.

Loading an extract always validates it first -- a synthetic file as strictly as
an analyst's own -- and a bad file stops the build with an error naming the
file, the column and the rows. Checks beyond the schema: LSOA codes must belong
to the system, dates must lie between 1 January 1900 and the end of the
reporting period (and not after today), and ``weeks_waiting`` must agree with
the clock start.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hi_analysis.config import System
from hi_analysis.data.validate import (
    CSV_ROWS,
    TABLE_ROWS,
    describe_path,
    describe_rows,
    read_csv_text,
    validate_frame,
)
from hi_analysis.errors import DataValidationError
from hi_analysis.extracts.schemas import EXTRACTS, ExtractSpec
from hi_analysis.paths import build_dir, extracts_root

SYNTHETIC_TAG = "SYNTHETIC"
EARLIEST = pd.Timestamp("1900-01-01")


def extracts_dir(system_id: str) -> Path:
    """Folder of a system's extracts: ``data/extracts/<system>`` (never committed).

    Examples
    --------
    >>> extracts_dir("llr").parts[-2:]
    ('extracts', 'llr')
    """
    return extracts_root() / system_id


def synthetic_path(system_id: str, name: str) -> Path:
    """Where the synthetic version of an extract lives."""
    return extracts_dir(system_id) / f"{name}.{SYNTHETIC_TAG}.parquet"


def extract_path(system_id: str, name: str) -> Path | None:
    """The file that will be read for an extract: the analyst's own, else the synthetic one.

    Returns
    -------
    pathlib.Path or None
        ``<name>.parquet`` or ``<name>.csv`` if present, else the synthetic file if present.
    """
    _spec(name)
    folder = extracts_dir(system_id)
    for candidate in (folder / f"{name}.parquet", folder / f"{name}.csv",
                      synthetic_path(system_id, name)):
        if candidate.is_file():
            return candidate
    return None


def _spec(name: str) -> ExtractSpec:
    try:
        return EXTRACTS[name]
    except KeyError:
        raise KeyError(f"unknown extract {name!r}; extracts: {', '.join(EXTRACTS)}") from None


@functools.cache
def _system_lsoas(system_id: str) -> frozenset[str]:
    from hi_analysis.config import load_system
    from hi_analysis.geography import lsoa11_codes

    system = load_system(system_id)
    return frozenset(c for p in system.places for c in lsoa11_codes(p))


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def _parse_flags(frame: pd.DataFrame, spec: ExtractSpec, file: str,
                 rows: tuple[str, int] = CSV_ROWS) -> pd.DataFrame:
    """Turn text flags into booleans (``bool("False")`` would be True)."""
    problems = []
    for col, column in spec.schema.columns.items():
        if str(column.dtype) != "bool" or col not in frame:
            continue
        if pd.api.types.is_bool_dtype(frame[col]):
            continue
        if pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype(str)
        text = frame[col].astype(str).str.strip().str.lower()
        bad = ~text.isin(_TRUE | _FALSE)
        if bad.any():
            problems.append(
                f"column {col!r}: not a true/false value at "
                f"{describe_rows(np.flatnonzero(bad), rows)} "
                f"(values {', '.join(repr(v) for v in frame.loc[bad, col].unique()[:3])})")
            continue
        frame[col] = text.isin(_TRUE)
    if problems:
        raise DataValidationError(file, problems)
    return frame


def _read(path: Path, spec: ExtractSpec) -> tuple[pd.DataFrame, tuple[str, int]]:
    file = describe_path(path)
    if path.suffix == ".csv":
        return _parse_flags(read_csv_text(path), spec, file), CSV_ROWS
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataValidationError(file, [f"not a readable Parquet file ({exc})"]) from None
    if table.num_rows == 0:
        raise DataValidationError(file, ["the file has no rows"])
    frame = table.to_pandas()
    for col in frame.columns:  # categoricals -> plain values for validation
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return _parse_flags(frame, spec, file, TABLE_ROWS), TABLE_ROWS


def _check_semantics(frame: pd.DataFrame, spec: ExtractSpec, system: System, file: str,
                     rows: tuple[str, int]) -> None:
    problems = []
    bad = ~frame["lsoa11cd"].isin(_system_lsoas(system.id))
    if bad.any():
        problems.append(
            f"column 'lsoa11cd': LSOA code not in {system.short_name} at "
            f"{describe_rows(np.flatnonzero(bad), rows)} "
            f"(values {', '.join(repr(v) for v in frame.loc[bad, 'lsoa11cd'].unique()[:3])})")
    latest = min(pd.Timestamp(system.reporting_period.end), pd.Timestamp(dt.date.today()))
    for col in spec.dates:
        values = frame[col]
        future = values > latest
        if future.any():
            problems.append(f"column {col!r}: date after {latest.date()} (end of reporting "
                            f"period or today) at {describe_rows(np.flatnonzero(future), rows)}")
        early = values < EARLIEST
        if early.any():
            problems.append(f"column {col!r}: impossible date before 1900 at "
                            f"{describe_rows(np.flatnonzero(early), rows)}")
    if spec.name == "waiting_list":
        weeks = (frame["snapshot_month"] + pd.offsets.MonthEnd(0) - frame["clock_start"]).dt.days
        wrong = (weeks < 0) | ((weeks // 7) != frame["weeks_waiting"])
        if wrong.any():
            problems.append("column 'weeks_waiting': does not match clock_start and the "
                            f"snapshot date at {describe_rows(np.flatnonzero(wrong), rows)}")
    if spec.name == "vaccinations":
        order = frame["dose2_date"].notna() & (frame["dose1_date"].isna() |
                                                (frame["dose2_date"] < frame["dose1_date"]))
        if order.any():
            problems.append("column 'dose2_date': second dose without or before a first dose at "
                            f"{describe_rows(np.flatnonzero(order), rows)}")
    if problems:
        raise DataValidationError(file, problems)


def load_extract(system: System, name: str) -> pd.DataFrame:
    """Read and validate an extract for a system.

    Parameters
    ----------
    system : System
        The system (its LSOAs and reporting period bound the checks).
    name : str
        A key of :data:`hi_analysis.extracts.schemas.EXTRACTS`.

    Returns
    -------
    pandas.DataFrame
        The validated extract with proper dtypes (categories for coded columns).

    Raises
    ------
    DataValidationError
        If the file is missing or breaks any rule, naming the file, column and rows.
    """
    spec = _spec(name)
    path = extract_path(system.id, name)
    if path is None:
        raise DataValidationError(
            describe_path(extracts_dir(system.id) / f"{name}.parquet"),
            ["extract not found; put the real extract here, or run "
             f"`hi-analysis synth --system {system.id}` for a synthetic one"])
    frame, rows = _read(path, spec)
    file = describe_path(path)
    frame = validate_frame(frame, spec.schema, file, rows)
    _check_semantics(frame, spec, system, file, rows)
    for col, column in spec.schema.columns.items():
        checks = [c for c in column.checks if c.name == "isin"]
        if checks:
            allowed = checks[0].statistics["allowed_values"]
            frame[col] = pd.Categorical(frame[col], categories=allowed)
    return frame


def is_synthetic(frame: pd.DataFrame) -> bool:
    """True when any row of the extract is synthetic."""
    return bool(frame["is_synthetic"].any())


def write_extract(frame: pd.DataFrame, system_id: str, name: str) -> Path:
    """Write a synthetic extract as compact, deterministic Parquet (``*.SYNTHETIC.parquet``)."""
    spec = _spec(name)
    missing = [c for c in spec.schema.columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {missing}")
    if not frame["is_synthetic"].all():
        raise ValueError(f"{name}: write_extract only writes synthetic extracts")
    path = synthetic_path(system_id, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({
        **(table.schema.metadata or {}),
        b"hi_analysis.synthetic": b"true",
    })
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", use_dictionary=True,
                   write_statistics=False)
    tmp.replace(path)
    return path


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def missing_extracts(system_id: str, names: Iterable[str]) -> list[str]:
    """The extracts among ``names`` with no file (neither the analyst's nor synthetic)."""
    return [n for n in names if extract_path(system_id, n) is None]


def extracts_record(system_id: str, names: Iterable[str]) -> list[dict[str, object]]:
    """Which file each extract is read from, its sha256 and whether it is synthetic.

    The provenance note of a page lists these, and the runner's cache key includes
    them, so a chapter is re-run exactly when one of its extracts changes.
    """
    out = []
    for name in sorted(set(names)):
        path = extract_path(system_id, name)
        if path is None:
            out.append({"extract": name, "file": None, "sha256": None, "synthetic": None})
            continue
        out.append({"extract": name, "file": path.name, "sha256": file_digest(path),
                    "synthetic": SYNTHETIC_TAG in path.name})
    return out


def validate_extracts(system: System, names: Iterable[str]) -> list[str]:
    """Validate extracts before any notebook runs, skipping files already validated.

    A file that passed is remembered by its sha256 in
    ``<build>/<system>/extracts-validated.json``, so an unchanged extract is not
    re-read on the next build; a changed or new one is validated in full.

    Returns
    -------
    list of str
        The extracts that were (re)validated now.

    Raises
    ------
    DataValidationError
        For the first extract that is missing or breaks a rule.
    """
    stamp = build_dir() / system.id / "extracts-validated.json"
    try:
        seen = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seen = {}
    checked = []
    for rec in extracts_record(system.id, names):
        name = str(rec["extract"])
        if rec["file"] is not None and seen.get(name) == rec["sha256"]:
            continue
        load_extract(system, name)  # raises with file, column and rows
        seen[name] = rec["sha256"]
        checked.append(name)
    if checked:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(seen, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return checked
