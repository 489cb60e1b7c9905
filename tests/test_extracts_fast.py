"""The Arrow proof of a Parquet extract (``extracts.fastcheck``) against pandera.

The proof may only decide how fast a good file is accepted: on every file it either
returns exactly the frame pandera's path returns, or gives up (``None``) so that pandera
runs and names the problem. These tests hold it to both halves, on the synthetic
extracts of the end-to-end build and on constructed files breaking one rule each.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hi_analysis.errors import DataValidationError
from hi_analysis.extracts import EXTRACTS, io
from hi_analysis.extracts.fastcheck import validated_frame

LSOAS = ["E01013614", "E01013627", "E01013639"]  # Leicester neighbourhoods


@pytest.fixture(autouse=True)
def _small_registered_population(monkeypatch):
    monkeypatch.setattr(io, "MIN_REGISTERED_COVERAGE", 0.0)


@pytest.fixture
def folder(llr_extracts_folder):
    return llr_extracts_folder


def typed(name: str) -> pd.DataFrame:
    """A small valid extract with Parquet types (three records)."""
    common = {
        "person_id": ["P000001", "P000002", "P000003"],
        "lsoa11cd": pd.Categorical(LSOAS),
        "age": pd.array([34, 71, 88], dtype="int16"),
        "ethnicity": pd.Categorical(["White", "Asian, Asian British or Asian Welsh", None]),
        "is_synthetic": [False, False, False],
        "sex": pd.Categorical(["Female", "Male", "Female"]),
    }
    day = pd.to_datetime
    extra = {
        "registered_population": {},
        "deaths": {
            "date_of_death": day(["2023-01-05", "2024-06-30", "2025-11-02"]),
            "cause_group": pd.Categorical(["Cancer", "Circulatory", "COVID-19"]),
            "underlying_cause_icd10": ["C34", "I21", "U07.1"],
            "premature": [True, True, False],
            "avoidable": [True, False, False],
        },
        "waiting_list": {
            "snapshot_month": day(["2024-03-01", "2024-03-01", "2024-04-01"]),
            "pathway_id": pd.Categorical(["W000001", "W000002", "W000001"]),
            "specialty": pd.Categorical(["ENT", "Urology", "ENT"]),
            "clock_start": day(["2024-01-02", "2023-12-31", "2024-01-02"]),
            "weeks_waiting": pd.array([12, 13, 17], dtype="int16"),
            "priority": pd.Categorical(["P4", "P2", "P4"]),
        },
        "vaccinations": {
            "programme": ["COVID-19", "COVID-19", "Influenza"],
            "season": ["2020/21 primary course", "2020/21 primary course", "2023/24"],
            "eligible": [True, True, True],
            "dose1_date": day(["2021-03-01", "2021-01-20", None]),
            "dose2_date": day(["2021-05-20", None, None]),
        },
    }[name]
    frame = pd.DataFrame({**common, **extra})
    return frame.drop(columns="sex") if name == "vaccinations" else frame


def write(folder, name: str, frame: pd.DataFrame) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet")


def both_paths(llr, name: str, monkeypatch) -> tuple[object, object]:
    """What load_extract returns (or the error it raises) with and without the proof."""

    def outcome():
        try:
            return load()
        except DataValidationError as exc:
            return f"error: {exc}"

    def load():
        return io.load_extract(llr, name)

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(io, "validated_frame", lambda table, spec: None)
        slow = outcome()
    return fast, slow


def proved(folder, name: str) -> bool:
    table = pq.read_table(folder / f"{name}.parquet")
    return validated_frame(table, EXTRACTS[name]) is not None


@pytest.mark.parametrize(
    "name", ["registered_population", "deaths", "waiting_list", "vaccinations"]
)
def test_a_good_typed_file_is_proved_and_equals_pandera(llr, folder, name, monkeypatch):
    write(folder, name, typed(name))
    assert proved(folder, name)
    fast, slow = both_paths(llr, name, monkeypatch)
    assert isinstance(fast, pd.DataFrame), fast
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def _break(name: str, column: str, row: int, value) -> pd.DataFrame:
    frame = typed(name)
    if isinstance(frame[column].dtype, pd.CategoricalDtype) or value is None:
        frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


BROKEN = {
    "age over 120": ("registered_population", "age", 1, 130),
    "negative age": ("registered_population", "age", 0, -1),
    "badly formed LSOA": ("registered_population", "lsoa11cd", 2, "E1234"),
    "lower-case id": ("registered_population", "person_id", 0, "p000001"),
    "duplicate id": ("registered_population", "person_id", 2, "P000001"),
    "unknown category": ("registered_population", "sex", 1, "Martian"),
    "missing sex": ("registered_population", "sex", 1, None),
    "bad ICD-10 code": ("deaths", "underlying_cause_icd10", 1, "I2"),
    "duplicate composite key": ("waiting_list", "pathway_id", 1, "W000001"),
    "negative weeks": ("waiting_list", "weeks_waiting", 0, -3),
    "unknown programme": ("vaccinations", "programme", 2, "Measles"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_not_proved_and_gets_pandera_s_error(llr, folder, case, monkeypatch):
    name, column, row, value = BROKEN[case]
    frame = _break(name, column, row, value)
    if case == "duplicate composite key":
        frame.loc[1, "snapshot_month"] = frame.loc[0, "snapshot_month"]
    write(folder, name, frame)
    assert not proved(folder, name)
    fast, slow = both_paths(llr, name, monkeypatch)
    assert isinstance(fast, str) and fast.startswith("error: "), case
    assert fast == slow
    assert f"'{column}'" in fast


def test_an_unused_category_outside_the_list_falls_back_and_still_loads(llr, folder, monkeypatch):
    frame = typed("registered_population")
    frame["sex"] = pd.Categorical(frame["sex"], categories=["Female", "Male", "Martian"])
    write(folder, "registered_population", frame)
    assert not proved(folder, "registered_population")  # stricter than pandera ...
    fast, slow = both_paths(llr, "registered_population", monkeypatch)
    assert isinstance(fast, pd.DataFrame)  # ... but the file is still accepted
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert list(fast["sex"].cat.categories) == ["Female", "Male"]


@pytest.mark.parametrize("change", ["extra column", "ages as text", "ages too big for int16"])
def test_anything_it_does_not_know_is_left_to_pandera(llr, folder, change, monkeypatch):
    frame = typed("registered_population")
    if change == "extra column":
        frame["practice"] = ["A1", "A2", "A3"]
    elif change == "ages as text":
        frame["age"] = frame["age"].astype(str)
    else:
        frame["age"] = [34, 71, 70000]
    write(folder, "registered_population", frame)
    assert not proved(folder, "registered_population")
    fast, slow = both_paths(llr, "registered_population", monkeypatch)
    if isinstance(fast, pd.DataFrame):
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    else:
        assert fast == slow


def test_every_synthetic_extract_is_proved_and_equals_pandera(
    llr, built_book, extracts_root, folder, monkeypatch
):
    """The generator's own files (first 20,000 rows of each), both paths, every extract."""
    source = extracts_root / "llr"
    seen = []
    for name in EXTRACTS:
        path = io.synthetic_path("llr", name).name
        if not (source / path).is_file():
            continue
        table = pq.read_table(source / path).slice(0, 20_000)
        pq.write_table(table, folder / path)
        assert validated_frame(table, EXTRACTS[name]) is not None, name
        fast, slow = both_paths(llr, name, monkeypatch)
        assert isinstance(fast, pd.DataFrame), (name, fast)
        pd.testing.assert_frame_equal(fast, slow, check_exact=True, obj=name)
        seen.append(name)
    assert len(seen) >= 8, seen
