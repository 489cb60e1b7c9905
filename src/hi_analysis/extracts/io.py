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
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hi_analysis.config import System
from hi_analysis.data.validate import (
    TABLE_ROWS,
    describe_path,
    describe_rows,
    read_csv_text,
    validate_frame,
)
from hi_analysis.errors import DataValidationError
from hi_analysis.extracts.schemas import EXTRACTS, ExtractSpec
from hi_analysis.paths import project_root

SYNTHETIC_TAG = "SYNTHETIC"
EARLIEST = pd.Timestamp("1900-01-01")


def extracts_dir(system_id: str) -> Path:
    """Folder of a system's extracts: ``data/extracts/<system>`` (never committed)."""
    return project_root() / "data" / "extracts" / system_id


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


def _read(path: Path) -> tuple[pd.DataFrame, tuple[str, int]]:
    file = describe_path(path)
    if path.suffix == ".csv":
        return read_csv_text(path), ("line", 2)
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
    return frame, TABLE_ROWS


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
    frame, rows = _read(path)
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
