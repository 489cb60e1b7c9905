"""The validated-extract cache: same rows as validating, split by place, never stale."""

import pandas as pd
import pytest

from hi_analysis.errors import DataValidationError
from hi_analysis.extracts import cache, read_extract, read_extracts, validate_extracts
from hi_analysis.extracts import io as extract_io
from hi_analysis.extracts.io import load_extract

# Two Leicester neighbourhoods, one Rutland and one Leicestershire (Charnwood) neighbourhood.
LEICESTER = ["E01013614", "E01013627"]
RUTLAND = "E01013793"
LEICESTERSHIRE = "E01025670"


def _deaths(lsoas, causes=None) -> pd.DataFrame:
    n = len(lsoas)
    return pd.DataFrame(
        {
            "person_id": [f"P{i:06d}" for i in range(n)],
            "lsoa11cd": lsoas,
            "age": [34 + i for i in range(n)],
            "ethnicity": ["White"] * n,
            "is_synthetic": [False] * n,
            "sex": ["Female", "Male"] * (n // 2) + ["Female"] * (n % 2),
            "date_of_death": pd.to_datetime(["2023-01-05"] * n),
            "cause_group": causes or ["Cancer"] * n,
            "underlying_cause_icd10": ["C34"] * n,
            "premature": [True] * n,
            "avoidable": [False] * n,
        }
    )


@pytest.fixture
def folder(tmp_path, monkeypatch):
    ex = tmp_path / "extracts"
    (ex / "llr").mkdir(parents=True)
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(ex))
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "build"))
    return ex / "llr"


def test_cached_rows_are_the_validated_rows_of_each_place(llr, folder):
    lsoas = [LEICESTER[0], RUTLAND, LEICESTER[1], LEICESTERSHIRE, RUTLAND]
    _deaths(lsoas).to_parquet(folder / "deaths.parquet")
    validated = load_extract(llr, "deaths")
    assert validate_extracts(llr, ["deaths"]) == ["deaths"]
    assert cache.is_cached(llr, "deaths")
    whole = read_extract(llr, "deaths")
    pd.testing.assert_frame_equal(whole, validated)
    for place, rows in (("leicester", [0, 2]), ("rutland", [1, 4]), ("leicestershire", [3])):
        got = read_extract(llr, "deaths", llr.place(place))
        want = validated.iloc[rows].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want)  # same values, order and dtypes
    assert isinstance(whole["cause_group"].dtype, pd.CategoricalDtype)
    assert str(whole["age"].dtype) == "int16"
    only = read_extracts(llr, ["deaths"], llr.place("rutland"))
    assert list(only) == ["deaths"] and len(only["deaths"]) == 2


def test_a_changed_extract_is_never_served_from_the_cache(llr, folder):
    path = folder / "deaths.parquet"
    _deaths(LEICESTER).to_parquet(path)
    first = read_extract(llr, "deaths", llr.place("leicester"))
    assert list(first["cause_group"]) == ["Cancer", "Cancer"]
    _deaths(LEICESTER, causes=["Cancer", "COVID-19"]).to_parquet(path)  # new quarter
    assert not cache.is_cached(llr, "deaths")
    second = read_extract(llr, "deaths", llr.place("leicester"))
    assert list(second["cause_group"]) == ["Cancer", "COVID-19"]
    # only the current version is kept
    assert len(list((cache.cache_root("llr") / "deaths").iterdir())) == 1
    bad = _deaths(LEICESTER)
    bad.loc[1, "age"] = 130
    bad.to_parquet(path)
    with pytest.raises(DataValidationError, match="age"):
        read_extract(llr, "deaths", llr.place("leicester"))  # re-validated, not served


def test_a_changed_schema_or_system_gets_a_new_cache(llr, folder, monkeypatch):
    _deaths(LEICESTER).to_parquet(folder / "deaths.parquet")
    key = cache.cache_key(llr, "deaths")
    read_extract(llr, "deaths")
    monkeypatch.setattr(extract_io, "validation_context", lambda s: "schema v2")
    assert cache.cache_key(llr, "deaths") != key
    assert not cache.is_cached(llr, "deaths")
    monkeypatch.undo()
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(folder.parent))
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(folder.parent.parent / "build"))
    shorter = llr.model_copy(
        update={
            "reporting_period": llr.reporting_period.model_copy(
                update={"end": pd.Timestamp("2022-12-31").date()}
            )
        }
    )
    assert cache.cache_key(shorter, "deaths") != key
    with pytest.raises(DataValidationError, match="date after 2022-12-31"):
        read_extract(shorter, "deaths")


def test_a_deleted_cache_is_rebuilt_by_validation(llr, folder):
    import shutil

    _deaths(LEICESTER).to_parquet(folder / "deaths.parquet")
    assert validate_extracts(llr, ["deaths"]) == ["deaths"]
    assert validate_extracts(llr, ["deaths"]) == []
    shutil.rmtree(cache.cache_root("llr"))
    assert validate_extracts(llr, ["deaths"]) == ["deaths"]
    assert cache.is_cached(llr, "deaths")


def test_a_missing_extract_is_one_clear_line(llr, folder):
    with pytest.raises(DataValidationError, match="extract not found.*hi-analysis synth"):
        read_extract(llr, "deaths")


def test_public_tables_are_validated_once_per_content(tmp_path, monkeypatch):
    from hi_analysis.data import public

    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "build"))
    path = tmp_path / "table.csv"
    path.write_text("a\n1\n")
    reads = []

    def read():
        reads.append(path.read_text())
        return pd.read_csv(path)

    first = public._validated(path, "table", read)
    again = public._validated(path, "table", read)  # a new process would unpickle it too
    pd.testing.assert_frame_equal(first, again)
    assert len(reads) == 1
    path.write_text("a\n2\n")  # an edited file is read and validated again
    assert public._validated(path, "table", read)["a"].tolist() == [2]
    assert len(reads) == 2
    assert len(list((tmp_path / "build" / "cache" / "public").glob("table-*"))) == 1
    monkeypatch.setattr(public, "_source_digest", lambda: "schemas v2")
    public._validated(path, "table", read)  # a changed schema: validated again
    assert len(reads) == 3
    path.unlink()

    def missing():
        raise DataValidationError(str(path), ["file not found"])

    with pytest.raises(DataValidationError, match="file not found"):
        public._validated(path, "table", missing)
