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
import re
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
from hi_analysis.extracts.fastcheck import validated_frame
from hi_analysis.extracts.schemas import EXTRACTS, ExtractSpec
from hi_analysis.paths import build_dir, extracts_root
from hi_analysis.safeio import atomic_write_text, temp_path

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
        if candidate.exists() or candidate.is_symlink():
            raise DataValidationError(describe_path(candidate), [
                "not a regular file (a folder, a broken link or a device is in the place of "
                "the extract); replace it with the extract file"])
    return None


def _spec(name: str) -> ExtractSpec:
    try:
        return EXTRACTS[name]
    except KeyError:
        raise KeyError(f"unknown extract {name!r}; extracts: {', '.join(EXTRACTS)}") from None


@functools.cache
def _lsoas_of_districts(district_codes: tuple[str, ...]) -> frozenset[str]:
    """2011 LSOAs of a set of districts, cached on the district codes.

    Never cached on a system's name, so an edited system is never checked against
    the neighbourhoods it used to have.
    """
    from hi_analysis.geography import lsoa11_codes_of_districts

    return frozenset(lsoa11_codes_of_districts(district_codes))


def _system_lsoas(system: System) -> frozenset[str]:
    return _lsoas_of_districts(tuple(sorted({c for p in system.places
                                             for c in p.district_codes})))


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


#: Dates in a CSV extract: ISO 8601 (``2021-03-04``, optionally with a time), unless the
#: system declares another format in ``system.yml`` (``extract_date_format``).
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def _parse_dates(frame: pd.DataFrame, spec: ExtractSpec, file: str,
                 date_format: str | None) -> pd.DataFrame:
    """Parse CSV date columns unambiguously (never guessing day-first or month-first)."""
    problems = []
    for col, column in spec.schema.columns.items():
        if not str(column.dtype).startswith("datetime64") or col not in frame:
            continue
        text = frame[col].astype("string").str.strip()
        present = text.notna() & (text != "")
        if date_format is None:
            ok = text.str.fullmatch(ISO_DATE.pattern).fillna(False).astype(bool)
            parsed = pd.to_datetime(text.where(ok & present), format="ISO8601", errors="coerce")
            want = "an ISO 8601 date (YYYY-MM-DD)"
        else:
            parsed = pd.to_datetime(text.where(present), format=date_format, errors="coerce")
            want = f"a date in the declared format {date_format!r}"
        bad = present & parsed.isna()
        if bad.any():
            values = ", ".join(repr(v) for v in text[bad].unique()[:3])
            problems.append(
                f"column {col!r}: not {want} at {describe_rows(np.flatnonzero(bad))} "
                f"(values {values}); write dates as YYYY-MM-DD or declare the format as "
                "extract_date_format in system.yml")
            continue
        frame[col] = parsed
    if problems:
        raise DataValidationError(file, problems)
    return frame


def _check_whole_numbers(frame: pd.DataFrame, spec: ExtractSpec, file: str,
                         rows: tuple[str, int]) -> None:
    """Integer columns must hold whole numbers (45.7 is not silently truncated to 45)."""
    problems = []
    for col, column in spec.schema.columns.items():
        if not str(column.dtype).startswith(("int", "uint")) or col not in frame:
            continue
        values = frame[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
            continue
        num = pd.to_numeric(values, errors="coerce").astype("float64")
        bad = num.notna() & np.isfinite(num) & (num % 1 != 0)
        if bad.any():
            shown = ", ".join(repr(str(v)) for v in values[bad].unique()[:3])
            problems.append(f"column {col!r}: not a whole number at "
                            f"{describe_rows(np.flatnonzero(bad), rows)} (values {shown})")
    if problems:
        raise DataValidationError(file, problems)


def _read(path: Path, spec: ExtractSpec,
          date_format: str | None = None) -> tuple[pd.DataFrame, tuple[str, int]]:
    file = describe_path(path)
    if path.suffix == ".csv":
        frame = _parse_flags(read_csv_text(path), spec, file)
        _check_whole_numbers(frame, spec, file, CSV_ROWS)
        return _parse_dates(frame, spec, file, date_format), CSV_ROWS
    return _table_frame(_read_parquet(path), spec, file), TABLE_ROWS


def _read_parquet(path: Path) -> pa.Table:
    file = describe_path(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataValidationError(file, [f"not a readable Parquet file ({exc})"]) from None
    if table.num_rows == 0:
        raise DataValidationError(file, ["the file has no rows"])
    return table


def _table_frame(table: pa.Table, spec: ExtractSpec, file: str) -> pd.DataFrame:
    """A Parquet table as plain values, ready for pandera."""
    frame = table.to_pandas()
    for col in frame.columns:  # categoricals -> plain values for validation
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    _check_whole_numbers(frame, spec, file, TABLE_ROWS)
    return _parse_flags(frame, spec, file, TABLE_ROWS)


def _check_semantics(frame: pd.DataFrame, spec: ExtractSpec, system: System, file: str,
                     rows: tuple[str, int]) -> None:
    problems = []
    bad = ~frame["lsoa11cd"].isin(_system_lsoas(system))
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
    if spec.name == "deaths":
        wrong = frame["premature"].astype(bool) != (frame["age"] < 75)
        if wrong.any():
            problems.append("column 'premature': contradicts 'age' (premature means under 75) "
                            f"at {describe_rows(np.flatnonzero(wrong), rows)}")
    if spec.name == "registered_population":
        problems += _coverage_problems(frame, system)
    if spec.name == "vaccinations":
        order = frame["dose2_date"].notna() & (frame["dose1_date"].isna() |
                                                (frame["dose2_date"] < frame["dose1_date"]))
        if order.any():
            problems.append("column 'dose2_date': second dose without or before a first dose at "
                            f"{describe_rows(np.flatnonzero(order), rows)}")
    if problems:
        raise DataValidationError(file, problems)


#: A registered population below this share of the ONS mid-year estimate is incomplete
#: (GP lists normally count more people than the ONS estimate, not fewer).
MIN_REGISTERED_COVERAGE = 0.95


def _coverage_problems(frame: pd.DataFrame, system: System) -> list[str]:
    """Compare the people registered in each place with the ONS mid-2020 population."""
    from hi_analysis.data import load
    from hi_analysis.geography import lsoa11_codes

    ons = load("population_2020_lsoa11").set_index("lsoa11cd")["all_ages"]
    counts = frame["lsoa11cd"].value_counts()
    problems = []
    for place in system.places:
        codes = lsoa11_codes(place)
        expected = float(ons.reindex(codes).sum())
        got = float(counts.reindex(codes).fillna(0).sum())
        if expected > 0 and got < MIN_REGISTERED_COVERAGE * expected:
            problems.append(
                f"column 'lsoa11cd': only {got:,.0f} people registered in {place.name}, "
                f"{got / expected:.1%} of its ONS mid-2020 population ({expected:,.0f}); the "
                f"extract looks incomplete (at least {MIN_REGISTERED_COVERAGE:.0%} expected)")
    return problems


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
    file = describe_path(path)
    frame = None
    if path.suffix != ".csv":
        table, rows = _read_parquet(path), TABLE_ROWS
        # Typed Parquet: prove the schema on whole Arrow columns; pandera names any problem.
        frame = validated_frame(table, spec)
        if frame is None:
            frame = validate_frame(_table_frame(table, spec, file), spec.schema, file, rows)
        del table
    else:
        frame, rows = _read(path, spec, system.extract_date_format)
        frame = validate_frame(frame, spec.schema, file, rows)
    _check_semantics(frame, spec, system, file, rows)
    for col, column in spec.schema.columns.items():
        checks = [c for c in column.checks if c.name == "isin"]
        if checks and not isinstance(frame[col].dtype, pd.CategoricalDtype):
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
    tmp = temp_path(path)  # created exclusively: never writes through a planted symlink
    try:
        pq.write_table(table, tmp, compression="zstd", use_dictionary=True,
                       write_statistics=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
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
        from hi_analysis.extracts.cache import _file_digest

        out.append({"extract": name, "file": path.name, "sha256": _file_digest(path),
                    "synthetic": SYNTHETIC_TAG in path.name})
    return out


def validate_extracts(system: System, names: Iterable[str]) -> list[str]:
    """Validate extracts before any notebook runs, skipping files already validated.

    A file that passed is remembered by its sha256 in
    ``<build>/<system>/extracts-validated.json`` and its validated, typed rows are
    cached by place (:mod:`hi_analysis.extracts.cache`), so an unchanged extract is
    not re-read on the next build and notebooks read the cache instead of
    validating again; a changed or new one is validated in full.

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
        if not isinstance(seen, dict):
            seen = {}
    except (OSError, ValueError):
        seen = {}
    context = validation_context(system)
    from hi_analysis.extracts import cache

    checked = []
    for rec in extracts_record(system.id, names):
        name = str(rec["extract"])
        key = f"{rec['sha256']}:{context}"
        if rec["file"] is not None and seen.get(name) == key and cache.is_cached(system, name):
            continue
        cache.ensure(system, name)  # validates; raises with file, column and rows
        seen[name] = key
        checked.append(name)
    if checked:
        atomic_write_text(stamp, json.dumps(seen, indent=2, sort_keys=True) + "\n")
    return checked


def validation_context(system: System) -> str:
    """Digest of everything an extract is validated against besides its own bytes.

    The system's geography (places, districts, codes), reporting period and declared
    date format, and the schema version (the source of the extract schemas and checks),
    so a passed file is re-validated when any of these changes.
    """
    h = hashlib.sha256()
    h.update(json.dumps(system.model_dump(mode="json"), sort_keys=True).encode())
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()[:32]
