"""Record-level extracts: their schemas (the contract) and the validated loader.

Analysts put their own files in ``data/extracts/<system>/<name>.parquet`` (or ``.csv``);
where none exists the synthetic ``<name>.SYNTHETIC.parquet`` made by ``hi-analysis synth``
is used instead, and every page that uses it says so.
"""

from hi_analysis.extracts.cache import read_extract, read_extracts
from hi_analysis.extracts.io import (
    extract_path,
    extracts_dir,
    extracts_record,
    is_synthetic,
    load_extract,
    missing_extracts,
    validate_extracts,
    write_extract,
)
from hi_analysis.extracts.schemas import EXTRACTS

__all__ = [
    "EXTRACTS",
    "extract_path",
    "extracts_dir",
    "extracts_record",
    "is_synthetic",
    "load_extract",
    "missing_extracts",
    "read_extract",
    "read_extracts",
    "validate_extracts",
    "write_extract",
]
