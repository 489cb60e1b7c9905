"""Extract loading: every malformed input gives its own specific error (file, column, rows)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hi_analysis.errors import DataValidationError
from hi_analysis.extracts import (
    EXTRACTS,
    extract_path,
    extracts_record,
    load_extract,
    validate_extracts,
)

LSOAS = ["E01013614", "E01013627", "E01013639"]  # Leicester neighbourhoods


@pytest.fixture(autouse=True)
def _small_registered_population(monkeypatch):
    """These tests use three-record extracts: switch off the completeness check (tested in
    test_reliability.py with a full-size extract)."""
    from hi_analysis.extracts import io

    monkeypatch.setattr(io, "MIN_REGISTERED_COVERAGE", 0.0)


def valid(name: str) -> pd.DataFrame:
    """A small valid extract (three records) as text, the way an analyst's CSV arrives."""
    common = {
        "person_id": ["P000001", "P000002", "P000003"],
        "lsoa11cd": LSOAS,
        "age": ["34", "71", "88"],
        "ethnicity": ["White", "Asian, Asian British or Asian Welsh", ""],
        "is_synthetic": ["false", "false", "false"],
        "sex": ["Female", "Male", "Female"],
    }
    extra = {
        "registered_population": {},
        "deaths": {
            "date_of_death": ["2023-01-05", "2024-06-30", "2025-11-02"],
            "cause_group": ["Cancer", "Circulatory", "COVID-19"],
            "underlying_cause_icd10": ["C34", "I21", "U07.1"],
            "premature": ["true", "true", "false"],
            "avoidable": ["true", "false", "false"],
        },
        "waiting_list": {
            "snapshot_month": ["2024-03-01", "2024-03-01", "2024-04-01"],
            "pathway_id": ["W000001", "W000002", "W000001"],
            "specialty": ["ENT", "Urology", "ENT"],
            "clock_start": ["2024-01-02", "2023-12-31", "2024-01-02"],
            "weeks_waiting": ["12", "13", "17"],
            "priority": ["P4", "P2", "P4"],
        },
        "vaccinations": {
            "programme": ["COVID-19", "COVID-19", "Influenza"],
            "season": ["2020/21 primary course", "2020/21 primary course", "2023/24"],
            "eligible": ["true", "true", "true"],
            "dose1_date": ["2021-03-01", "2021-01-20", ""],
            "dose2_date": ["2021-05-20", "", ""],
        },
    }[name]
    frame = pd.DataFrame({**common, **extra})
    if name == "vaccinations":
        frame = frame.drop(columns="sex")
    return frame


@pytest.fixture
def folder(llr_extracts_folder):
    return llr_extracts_folder


def write_csv(folder, name, frame):
    frame.to_csv(folder / f"{name}.csv", index=False)


def error_for(llr, folder, name, frame=None, *, raw: bytes | None = None) -> str:
    if raw is not None:
        (folder / f"{name}.csv").write_bytes(raw)
    elif frame is not None:
        write_csv(folder, name, frame)
    with pytest.raises(DataValidationError) as info:
        load_extract(llr, name)
    return str(info.value)


@pytest.mark.parametrize("name", ["registered_population", "deaths", "waiting_list",
                                  "vaccinations"])
def test_valid_csv_extracts_load_with_proper_types(llr, folder, name):
    write_csv(folder, name, valid(name))
    frame = load_extract(llr, name)
    assert len(frame) == 3
    assert frame["age"].dtype == "int16"
    assert isinstance(frame["ethnicity"].dtype, pd.CategoricalDtype)
    assert frame["ethnicity"].isna().sum() == 1  # an empty cell is "missing", not a category
    assert not frame["is_synthetic"].any()  # "false" must not become True


def test_flags_are_parsed_not_cast(llr, folder):
    write_csv(folder, "deaths", valid("deaths"))
    deaths = load_extract(llr, "deaths")
    assert deaths["premature"].tolist() == [True, True, False]
    assert deaths["avoidable"].tolist() == [True, False, False]


def test_unknown_lsoa(llr, folder):
    f = valid("deaths")
    f.loc[1, "lsoa11cd"] = "E01000001"  # City of London: real code, not in LLR
    msg = error_for(llr, folder, "deaths", f)
    assert "deaths.csv" in msg
    assert "column 'lsoa11cd': LSOA code not in LLR at line 3 (values 'E01000001')" in msg


def test_badly_formed_lsoa(llr, folder):
    f = valid("deaths")
    f.loc[0, "lsoa11cd"] = "E0101361"
    msg = error_for(llr, folder, "deaths", f)
    assert "column 'lsoa11cd': badly formed code" in msg and "line 2" in msg


def test_future_date(llr, folder):
    f = valid("deaths")
    f.loc[2, "date_of_death"] = "2031-02-01"
    msg = error_for(llr, folder, "deaths", f)
    assert "column 'date_of_death': date after 2025-12-31" in msg and "line 4" in msg


def test_impossible_early_date(llr, folder):
    f = valid("waiting_list")
    f.loc[0, "clock_start"] = "1899-12-31"
    msg = error_for(llr, folder, "waiting_list", f)
    assert "column 'clock_start': impossible date before 1900 at line 2" in msg


def test_unparseable_date_is_a_wrong_type(llr, folder):
    f = valid("deaths")
    f.loc[0, "date_of_death"] = "31/02/2024"
    msg = error_for(llr, folder, "deaths", f)
    assert ("column 'date_of_death': not an ISO 8601 date (YYYY-MM-DD) at line 2 "
            "(values '31/02/2024')") in msg


def test_negative_age(llr, folder):
    f = valid("registered_population")
    f.loc[1, "age"] = "-2"
    msg = error_for(llr, folder, "registered_population", f)
    assert "column 'age': negative value at line 3 (values '-2')" in msg


def test_age_over_120(llr, folder):
    f = valid("registered_population")
    f.loc[0, "age"] = "131"
    msg = error_for(llr, folder, "registered_population", f)
    assert "column 'age': impossible age (over 120) at line 2" in msg


def test_duplicate_ids(llr, folder):
    f = valid("registered_population")
    f.loc[2, "person_id"] = "P000001"
    msg = error_for(llr, folder, "registered_population", f)
    assert "column 'person_id': duplicate key at lines 2, 4 (values 'P000001')" in msg


def test_duplicate_composite_key(llr, folder):
    f = valid("waiting_list")
    f.loc[2, "snapshot_month"] = "2024-03-01"  # same pathway twice in one snapshot
    f.loc[2, "weeks_waiting"] = "12"
    msg = error_for(llr, folder, "waiting_list", f)
    assert "duplicate key" in msg and "lines 2, 4" in msg


def test_unknown_category(llr, folder):
    f = valid("deaths")
    f.loc[0, "cause_group"] = "Heart"
    msg = error_for(llr, folder, "deaths", f)
    assert "column 'cause_group': unknown category at line 2 (values 'Heart')" in msg


def test_unknown_ethnicity(llr, folder):
    f = valid("registered_population")
    f.loc[0, "ethnicity"] = "British"
    msg = error_for(llr, folder, "registered_population", f)
    assert "column 'ethnicity': unknown category at line 2 (values 'British')" in msg


def test_missing_column(llr, folder):
    msg = error_for(llr, folder, "deaths", valid("deaths").drop(columns="cause_group"))
    assert "column 'cause_group': required column is missing" in msg


def test_wrong_type(llr, folder):
    f = valid("registered_population")
    f.loc[0, "age"] = "forty"
    msg = error_for(llr, folder, "registered_population", f)
    assert "column 'age': wrong type (expected int16) at line 2 (values 'forty')" in msg


def test_bad_flag(llr, folder):
    f = valid("deaths")
    f.loc[1, "premature"] = "maybe"
    msg = error_for(llr, folder, "deaths", f)
    assert "column 'premature': not a true/false value at line 3 (values 'maybe')" in msg


def test_empty_file(llr, folder):
    msg = error_for(llr, folder, "deaths", raw=b"")
    assert msg.endswith("deaths.csv: the file is empty (no header row)")


def test_header_only(llr, folder):
    header = ",".join(valid("deaths").columns).encode() + b"\n"
    msg = error_for(llr, folder, "deaths", raw=header)
    assert msg.endswith("deaths.csv: the file has a header but no data rows")


def test_non_utf8_text(llr, folder):
    text = valid("registered_population").to_csv(index=False).replace("White", "Wh\xefte")
    msg = error_for(llr, folder, "registered_population", raw=text.encode("latin-1"))
    assert "not UTF-8 text: byte b'\\xef' at offset" in msg and "re-save as UTF-8" in msg


def test_unreadable_parquet(llr, folder):
    (folder / "deaths.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataValidationError) as info:
        load_extract(llr, "deaths")
    assert "deaths.parquet: not a readable Parquet file" in str(info.value)


def test_parquet_without_rows(llr, folder):
    frame = valid("deaths").iloc[:0]
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "deaths.parquet")
    with pytest.raises(DataValidationError, match=r"deaths\.parquet: the file has no rows"):
        load_extract(llr, "deaths")


def test_parquet_rows_are_numbered_from_one(llr, folder):
    frame = valid("registered_population")
    frame.loc[2, "age"] = "-1"
    frame["age"] = frame["age"].astype(int)
    frame["is_synthetic"] = False
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False),
                   folder / "registered_population.parquet")
    with pytest.raises(DataValidationError, match=r"column 'age': negative value at row 3 "):
        load_extract(llr, "registered_population")


def test_weeks_waiting_must_match_clock_start(llr, folder):
    f = valid("waiting_list")
    f.loc[1, "weeks_waiting"] = "40"
    msg = error_for(llr, folder, "waiting_list", f)
    assert ("column 'weeks_waiting': does not match clock_start and the snapshot date "
            "at line 3") in msg


def test_second_dose_before_first(llr, folder):
    f = valid("vaccinations")
    f.loc[0, "dose2_date"] = "2021-02-01"  # before the first dose on 2021-03-01
    f.loc[2, "dose2_date"] = "2024-01-01"  # a second dose with no first dose
    msg = error_for(llr, folder, "vaccinations", f)
    assert "column 'dose2_date': second dose without or before a first dose at lines 2, 4" in msg


def test_missing_extract_says_how_to_fix(llr, folder):
    with pytest.raises(DataValidationError) as info:
        load_extract(llr, "deaths")
    msg = str(info.value)
    assert "deaths.parquet: extract not found" in msg
    assert "hi-analysis synth --system llr" in msg


def test_unknown_extract_name(llr, folder):
    with pytest.raises(KeyError, match="unknown extract 'death'"):
        load_extract(llr, "death")


def test_analysts_file_replaces_the_synthetic_one(llr, folder):
    synthetic = valid("deaths")
    synthetic["is_synthetic"] = True
    synthetic["age"] = synthetic["age"].astype(int)
    synthetic["ethnicity"] = synthetic["ethnicity"].replace("", None)  # Parquet has nulls
    for c in ("premature", "avoidable"):
        synthetic[c] = synthetic[c] == "true"
    for c in ("date_of_death",):
        synthetic[c] = pd.to_datetime(synthetic[c])
    pq.write_table(pa.Table.from_pandas(synthetic, preserve_index=False),
                   folder / "deaths.SYNTHETIC.parquet")
    assert extract_path("llr", "deaths").name == "deaths.SYNTHETIC.parquet"
    assert load_extract(llr, "deaths")["is_synthetic"].all()
    write_csv(folder, "deaths", valid("deaths"))
    assert extract_path("llr", "deaths").name == "deaths.csv"
    assert not load_extract(llr, "deaths")["is_synthetic"].any()
    rec = extracts_record("llr", ["deaths"])[0]
    assert rec["file"] == "deaths.csv" and rec["synthetic"] is False and len(rec["sha256"]) == 64


def test_validation_is_skipped_only_for_unchanged_files(llr, folder):
    write_csv(folder, "deaths", valid("deaths"))
    assert validate_extracts(llr, ["deaths"]) == ["deaths"]
    assert validate_extracts(llr, ["deaths"]) == []  # same bytes: not re-read
    bad = valid("deaths")
    bad.loc[0, "age"] = "-5"
    write_csv(folder, "deaths", bad)
    with pytest.raises(DataValidationError, match="negative value"):
        validate_extracts(llr, ["deaths"])


def test_docs_describe_every_column_of_every_extract():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "extracts.md").read_text("utf-8")
    for name, spec in EXTRACTS.items():
        assert f"\n### {name}\n" in text, name
        section = text.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0]
        documented = []
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("|") and cells[0].startswith("`") and cells[0].endswith("`"):
                documented.append(cells[0].strip("`"))
        assert documented == list(spec.schema.columns), name


def test_parquet_text_flags_are_parsed_not_cast(llr, folder):
    frame = valid("deaths")
    frame["age"] = frame["age"].astype(int)
    frame["ethnicity"] = frame["ethnicity"].replace("", None)
    frame["date_of_death"] = pd.to_datetime(frame["date_of_death"])
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "deaths.parquet")
    deaths = load_extract(llr, "deaths")
    assert deaths["is_synthetic"].tolist() == [False, False, False]
    assert deaths["premature"].tolist() == [True, True, False]
    frame.loc[1, "avoidable"] = "nope"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "deaths.parquet")
    with pytest.raises(DataValidationError,
                       match=r"column 'avoidable': not a true/false value at row 2 "):
        load_extract(llr, "deaths")
