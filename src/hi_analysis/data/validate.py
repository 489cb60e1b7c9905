"""Read delimited files and validate frames against pandera schemas, with readable errors.

Every failure becomes a :class:`~hi_analysis.errors.DataValidationError` that
names the file, the column, the rule broken and the offending rows. Rows of a
CSV file are named by line number (the header is line 1, so data row ``i`` is
line ``i + 2``); rows of a binary table (Parquet) by row number from 1.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from hi_analysis.errors import DataValidationError

#: How many offending rows are listed per problem before "and N more".
MAX_ROWS_SHOWN = 5
#: How rows are named: (word, offset from the 0-based index).
CSV_ROWS = ("line", 2)
TABLE_ROWS = ("row", 1)


def describe_path(path: Path) -> str:
    """Return ``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def describe_rows(index_values, rows: tuple[str, int] = CSV_ROWS) -> str:
    """Name offending rows, e.g. ``'lines 2, 5'`` or ``'row 7'``.

    Examples
    --------
    >>> describe_rows([0, 3]), describe_rows(range(8), TABLE_ROWS)
    ('lines 2, 5', 'rows 1, 2, 3, 4, 5 and 3 more')
    """
    word, offset = rows
    numbers = sorted({int(i) + offset for i in pd.Series(list(index_values)).dropna()})
    if not numbers:
        return "the column as a whole"
    shown = ", ".join(str(i) for i in numbers[:MAX_ROWS_SHOWN])
    extra = len(numbers) - MAX_ROWS_SHOWN
    label = word if len(numbers) == 1 else word + "s"
    return f"{label} {shown}" + (f" and {extra} more" if extra > 0 else "")


def _values(values: pd.Series) -> str:
    uniq = list(dict.fromkeys(str(v) for v in values.dropna()))
    shown = ", ".join(repr(v) for v in uniq[:3])
    return shown + (", ..." if len(uniq) > 3 else "")


def _friendly_check(check: str) -> str:
    replacements = {
        "multiple_fields_uniqueness": "duplicate key",
        "field_uniqueness": "duplicate value",
        "not_nullable": "missing value",
        "column_in_dataframe": "column missing",
        "greater_than_or_equal_to(0)": "negative value",
        "less_than_or_equal_to(120)": "impossible age (over 120)",
    }
    for raw, nice in replacements.items():
        if check.startswith(raw):
            return nice
    if check.startswith("coerce_dtype("):
        return "wrong type (expected " + check[len("coerce_dtype(") : -1].strip("'") + ")"
    if check.startswith("str_matches("):
        return "badly formed code (expected pattern " + check[len("str_matches(") : -1] + ")"
    if check.startswith("isin("):
        return "unknown category"
    return check


def explain_schema_errors(
    file: str, errors: pa.errors.SchemaErrors, rows: tuple[str, int] = CSV_ROWS
) -> DataValidationError:
    """Turn pandera's lazy failure table into one readable error.

    Parameters
    ----------
    file : str
        The file being validated, as it should appear in the message.
    errors : pandera.errors.SchemaErrors
        The lazily collected failures.
    rows : tuple of (str, int)
        How to name rows: :data:`CSV_ROWS` or :data:`TABLE_ROWS`.

    Returns
    -------
    DataValidationError
        One problem per (column, rule), naming the offending rows and values.
    """
    fc = errors.failure_cases.copy()
    fc["column"] = fc["column"].astype("object").where(fc["column"].notna(), None)
    fc["check"] = fc["check"].astype(str)
    # An empty cell that cannot become a number is a missing value, not a wrong type.
    empty = fc["check"].str.startswith("coerce_dtype") & fc["failure_case"].isna()
    fc.loc[empty, "check"] = "not_nullable"
    # A column that failed type conversion makes its other checks meaningless.
    converting = fc["check"].str.startswith("coerce_dtype") | empty
    bad_type = set(fc.loc[converting, "column"])
    keep = (~fc["column"].isin(bad_type) | converting) & ~fc["check"].str.startswith("dtype(")
    fc = fc[keep]
    problems: list[str] = []
    for (column, check), group in fc.groupby(["column", "check"], dropna=False, sort=False):
        rule = _friendly_check(check)
        if rule == "column missing":
            problems.append(f"column {group['failure_case'].iloc[0]!r}: required column is missing")
            continue
        col = "(whole table)" if column is None or pd.isna(column) else repr(column)
        where, values = describe_rows(group["index"], rows), _values(group["failure_case"])
        problems.append(f"column {col}: {rule} at {where} (values {values})")
    if not problems:  # pragma: no cover - pandera always reports something
        problems.append(str(errors))
    return DataValidationError(file, problems)


def read_csv_text(path: Path, *, sep: str = ",") -> pd.DataFrame:
    """Read a CSV (optionally gzipped) with every column as text, with readable errors.

    Raises
    ------
    DataValidationError
        If the file is missing, empty, has no data rows, is not UTF-8 or is not CSV.
    """
    file = describe_path(path)
    if not path.is_file():
        raise DataValidationError(file, ["file not found"])
    try:
        raw = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
        )
    except pd.errors.EmptyDataError:
        raise DataValidationError(file, ["the file is empty (no header row)"]) from None
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1]
        raise DataValidationError(
            file, [f"not UTF-8 text: byte {bad!r} at offset {exc.start}; re-save as UTF-8"]
        ) from None
    except pd.errors.ParserError as exc:
        raise DataValidationError(file, [f"not a well-formed CSV file ({exc})"]) from None
    except (OSError, EOFError, zlib.error) as exc:  # a corrupt or truncated .gz
        raise DataValidationError(
            file, [f"compressed file is corrupt or truncated ({exc}); restore it"]
        ) from None
    if raw.empty:
        raise DataValidationError(file, ["the file has a header but no data rows"])
    return raw


def read_table(path: Path, schema: pa.DataFrameSchema, *, sep: str = ",") -> pd.DataFrame:
    """Read a CSV (optionally gzipped) as text, then coerce and validate it.

    Parameters
    ----------
    path : pathlib.Path
        The file to read.
    schema : pandera.DataFrameSchema
        The schema giving each column's type and rules; columns are coerced to it.
    sep : str, default ","
        The field separator.

    Returns
    -------
    pandas.DataFrame
        The validated frame, with the schema's dtypes.

    Raises
    ------
    DataValidationError
        If the file is missing, empty, not UTF-8, or breaks any rule of the schema.
    """
    return validate_frame(read_csv_text(path, sep=sep), schema, describe_path(path))


def validate_frame(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    file: str,
    rows: tuple[str, int] = CSV_ROWS,
) -> pd.DataFrame:
    """Validate (and coerce) an in-memory frame, raising a readable error naming ``file``."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise explain_schema_errors(file, exc, rows) from None
