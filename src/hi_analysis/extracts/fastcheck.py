"""Prove on Arrow that a Parquet extract keeps every schema rule, without pandera's row loop.

Validating a national extract row by row with pandera costs about 30 s per million
people (every code matched, every column converted to text and back). Parquet arrives
typed, so most rules can be proved on whole Arrow columns at once: a coded column's
*dictionary* against its categories, a pattern with RE2 over the column, a range from
the column's minimum and maximum, a key's uniqueness from its distinct count.

:func:`validated_frame` returns the frame pandera would have returned (same columns,
dtypes and values, coded columns already categorical) when it can prove that every rule
holds, and ``None`` otherwise: then the caller validates with pandera, which names the
column, rule and rows. The proof is deliberately stricter than pandera (an unused
dictionary entry outside the categories, a type that would need converting, an extra
column, any rule it does not know: all give ``None``), so it never passes a file
pandera would reject; it only decides how fast a good file is accepted.

Examples
--------
>>> import pyarrow as pa
>>> from hi_analysis.extracts.schemas import EXTRACTS
>>> spec = EXTRACTS["registered_population"]
>>> table = pa.table({
...     "person_id": ["P000001", "P000002"], "lsoa11cd": ["E01000001", "E01000002"],
...     "age": pa.array([4, 80], pa.int16()), "ethnicity": ["White", None],
...     "is_synthetic": [True, True], "sex": ["Female", "Male"]})
>>> validated_frame(table, spec)["sex"].tolist()
['Female', 'Male']
>>> validated_frame(table.set_column(2, "age", pa.array([4, 130], pa.int16())), spec) is None
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hi_analysis.extracts.schemas import ExtractSpec

_KNOWN_CHECKS = frozenset(
    {"isin", "str_matches", "greater_than_or_equal_to", "less_than_or_equal_to"}
)


class _Unproven(Exception):
    """A rule could not be proved on Arrow (it may still hold: pandera decides)."""


def _require(condition: bool) -> None:
    if not condition:
        raise _Unproven


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _allowed(column) -> list[str] | None:
    for check in column.checks:
        if check.name == "isin":
            return list(check.statistics["allowed_values"])
    return None


def _dictionaries(arr: pa.ChunkedArray) -> list[pa.Array]:
    """The distinct dictionaries of a dictionary column's chunks (often all the same)."""
    out: list[pa.Array] = []
    for chunk in arr.chunks:
        if not any(chunk.dictionary is d or chunk.dictionary.equals(d) for d in out[-1:]):
            out.append(chunk.dictionary)
    return out


def _text_column(arr: pa.ChunkedArray, column) -> pd.Series | pd.Categorical:
    """A ``str`` column: plain text, or categorical when the schema lists its categories."""
    coded = pa.types.is_dictionary(arr.type)
    _require(_is_text(arr.type.value_type if coded else arr.type))
    # Checked on every dictionary entry, used or not: stricter than pandera, never laxer.
    values = _dictionaries(arr) if coded else list(arr.chunks)
    for check in column.checks:
        if check.name == "str_matches":
            pattern = check.statistics["pattern"]
            pattern = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
            for part in values:
                ok = pc.match_substring_regex(pc.drop_null(part), pattern)
                _require(bool(pc.all(ok, min_count=0).as_py()))
    allowed = _allowed(column)
    if allowed is None:
        return (arr.cast(arr.type.value_type) if coded else arr).to_pandas()
    if not coded:
        arr = pc.dictionary_encode(arr)
    position = {v: i for i, v in enumerate(allowed)}
    pieces = []
    for chunk in arr.chunks:
        try:
            mapping = np.array(
                [position[v] for v in chunk.dictionary.to_pylist()] or [0], dtype=np.int64
            )
        except KeyError:  # a value (perhaps unused) outside the categories
            raise _Unproven from None
        indices = chunk.indices
        idx = indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        codes = mapping[idx] if len(idx) else idx
        if indices.null_count:
            codes = np.where(indices.is_valid().to_numpy(zero_copy_only=False), codes, -1)
        pieces.append(codes)
    codes = np.concatenate(pieces) if pieces else np.array([], dtype=np.int64)
    return pd.Categorical.from_codes(codes, categories=allowed)


def _number_column(arr: pa.ChunkedArray, column, dtype: str) -> np.ndarray:
    _require(pa.types.is_integer(arr.type))
    try:
        arr = arr.cast(pa.from_numpy_dtype(np.dtype(dtype)))  # safe cast: no overflow
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Unproven from None
    if len(arr):
        low_high = pc.min_max(arr)
        low, high = low_high["min"].as_py(), low_high["max"].as_py()
        for check in column.checks:
            if check.name == "greater_than_or_equal_to":
                _require(low >= check.statistics["min_value"])
            elif check.name == "less_than_or_equal_to":
                _require(high <= check.statistics["max_value"])
    return arr.to_numpy()


def _date_column(arr: pa.ChunkedArray) -> pd.Series:
    _require(pa.types.is_timestamp(arr.type) and arr.type.tz is None)
    try:
        arr = arr.cast(pa.timestamp("ns"))  # safe cast: raises on dates out of range
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Unproven from None
    return arr.to_pandas()


def validated_frame(table: pa.Table, spec: ExtractSpec) -> pd.DataFrame | None:
    """The extract as pandera would return it, or ``None`` when a rule is not proved.

    Parameters
    ----------
    table : pyarrow.Table
        The extract as read from Parquet.
    spec : ExtractSpec
        Its schema (columns, types, checks, nullability, key).

    Returns
    -------
    pandas.DataFrame or None
        The validated frame (schema dtypes; columns with listed categories as
        categoricals), or ``None``: then validate with pandera for the exact error.
    """
    schema = spec.schema
    try:
        _require(not schema.checks and table.num_rows > 0)
        _require(set(table.column_names) == set(schema.columns))
        _require(len(table.column_names) == len(set(table.column_names)))
        out: dict[str, object] = {}
        for name in table.column_names:
            column, arr = schema.columns[name], table.column(name)
            _require(all(c.name in _KNOWN_CHECKS for c in column.checks))
            _require(column.nullable or arr.null_count == 0)
            dtype = str(column.dtype)
            if dtype in ("str", "string[pyarrow]"):
                out[name] = _text_column(arr, column)
            elif dtype in ("int16", "int32", "int64"):
                _require(arr.null_count == 0)
                out[name] = _number_column(arr, column, dtype)
            elif dtype == "datetime64[ns]":
                out[name] = _date_column(arr)
            elif dtype == "bool":
                _require(pa.types.is_boolean(arr.type) and arr.null_count == 0)
                out[name] = arr.to_numpy()
            else:
                raise _Unproven
        keys = list(schema.unique or [])
        if keys:  # jointly unique, as pandera's ``unique`` (a missing value is a value)
            combined = np.zeros(table.num_rows, dtype=np.uint64)
            for key in keys:
                arr = table.column(key)
                if pa.types.is_dictionary(arr.type):
                    arr = arr.cast(arr.type.value_type)
                encoded = pc.dictionary_encode(arr).combine_chunks()
                size = len(encoded.dictionary) + 1  # one more code for a missing value
                _require(size * float(combined.max(initial=0) + 1) < 2.0**63)
                codes = encoded.indices.fill_null(size - 1).to_numpy(zero_copy_only=False)
                combined = combined * np.uint64(size) + codes.astype(np.uint64)
            ordered = np.sort(combined)  # sorting is far faster than hashing here
            distinct = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
            _require(distinct == table.num_rows)
    except _Unproven:
        return None
    frame = pd.DataFrame(
        {k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v) for k, v in out.items()}
    )
    return frame
