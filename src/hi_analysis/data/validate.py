"""Read a delimited file and validate it against a pandera schema, with readable errors.

Every failure becomes a :class:`~hi_analysis.errors.DataValidationError` that
names the file, the column, the rule broken and the offending rows (as file
line numbers: the header is line 1, so data row ``i`` is line ``i + 2``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from hi_analysis.errors import DataValidationError

#: How many offending rows are listed per problem before "and N more".
MAX_ROWS_SHOWN = 5


def describe_path(path: Path) -> str:
    """Return ``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _rows(index_values: pd.Series) -> str:
    lines = sorted({int(i) + 2 for i in index_values.dropna()})
    if not lines:
        return "the column as a whole"
    shown = ", ".join(str(i) for i in lines[:MAX_ROWS_SHOWN])
    extra = len(lines) - MAX_ROWS_SHOWN
    label = "line" if len(lines) == 1 else "lines"
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


def explain_schema_errors(file: str, errors: pa.errors.SchemaErrors) -> DataValidationError:
    """Turn pandera's lazy failure table into one readable error.

    Parameters
    ----------
    file : str
        The file being validated, as it should appear in the message.
    errors : pandera.errors.SchemaErrors
        The lazily collected failures.

    Returns
    -------
    DataValidationError
        One problem per (column, rule), naming the offending lines and values.
    """
    fc = errors.failure_cases.copy()
    fc["column"] = fc["column"].astype("object").where(fc["column"].notna(), None)
    fc["check"] = fc["check"].astype(str)
    # An empty cell that cannot become a number is a missing value, not a wrong type.
    empty = fc["check"].str.startswith("coerce_dtype") & fc["failure_case"].isna()
    fc.loc[empty, "check"] = "not_nullable"
    # A column that failed type conversion makes its other checks meaningless.
    bad_type = set(fc.loc[fc["check"].str.startswith("coerce_dtype") | empty, "column"])
    keep = ~fc["column"].isin(bad_type) | fc["check"].str.startswith("coerce_dtype") | empty
    keep &= ~fc["check"].str.startswith("dtype(")
    fc = fc[keep]
    problems: list[str] = []
    for (column, check), group in fc.groupby(["column", "check"], dropna=False, sort=False):
        rule = _friendly_check(check)
        if rule == "column missing":
            problems.append(f"column {group['failure_case'].iloc[0]!r}: required column is missing")
            continue
        col = "(whole table)" if column is None or pd.isna(column) else repr(column)
        rows, values = _rows(group["index"]), _values(group["failure_case"])
        problems.append(f"column {col}: {rule} at {rows} (values {values})")
    if not problems:  # pragma: no cover - pandera always reports something
        problems.append(str(errors))
    return DataValidationError(file, problems)


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
        raise DataValidationError(
            file,
            [
                f"not UTF-8 text: byte {exc.object[exc.start : exc.start + 1]!r} at offset "
                f"{exc.start}; re-save the file as UTF-8"
            ],
        ) from None
    except pd.errors.ParserError as exc:
        raise DataValidationError(file, [f"not a well-formed CSV file ({exc})"]) from None
    if raw.empty:
        raise DataValidationError(file, ["the file has a header but no data rows"])
    return validate_frame(raw, schema, file)


def validate_frame(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> pd.DataFrame:
    """Validate (and coerce) an in-memory frame, raising a readable error naming ``file``."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise explain_schema_errors(file, exc) from None
    except pa.errors.SchemaError as exc:  # pragma: no cover - non-lazy failures
        raise DataValidationError(file, [str(exc)]) from None
