"""Shipped data: the manifest, every schema, and clear errors for malformed files."""

import gzip
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from hi_analysis.data import DATASETS, load, load_boundaries
from hi_analysis.data import schemas as S
from hi_analysis.data.manifest import read_manifest, verify_manifest
from hi_analysis.data.validate import read_table
from hi_analysis.errors import DataValidationError
from hi_analysis.paths import public_data_dir

DATA = public_data_dir()


def test_manifest_lists_every_file_with_matching_hash():
    manifest = read_manifest()
    files = sorted(
        p.relative_to(DATA).as_posix()
        for p in DATA.rglob("*")
        if p.is_file() and p.name not in {"MANIFEST.json", "README.md"}
    )
    assert sorted(manifest) == files
    for name, entry in manifest.items():
        digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert digest == entry["sha256"], name
    verify_manifest(rows=True)


@pytest.mark.parametrize(
    "name",
    [n for n in json.loads((public_data_dir() / "MANIFEST.json").read_text()) if ".csv" in n],
)
def test_manifest_row_counts_match_an_independent_count(name):
    frame = pd.read_csv(DATA / name, dtype=str)
    assert read_manifest()[name]["rows"] == len(frame)


def test_manifest_detects_a_changed_file(tmp_path):
    for p in DATA.rglob("*"):
        if p.is_file() and "boundaries" not in p.parts:
            (tmp_path / p.name).write_bytes(p.read_bytes())
    (tmp_path / "boundaries").mkdir()
    for p in (DATA / "boundaries").iterdir():
        (tmp_path / "boundaries" / p.name).write_bytes(p.read_bytes())
    target = tmp_path / "imd2019_lsoa11_england.csv"
    target.write_text(target.read_text()[:-200])
    with pytest.raises(DataValidationError, match="imd2019_lsoa11_england.csv: content differs"):
        verify_manifest(tmp_path)


def test_readme_provenance_is_shipped():
    text = (DATA / "README.md").read_text()
    assert "Open Government Licence v3.0" in text


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_loads_and_validates(name):
    frame = load(name)
    assert len(frame) > 0
    # keys are unique as declared
    schema = DATASETS[name].schema
    if schema.unique:
        assert not frame.duplicated(schema.unique).any()


def test_types_are_proper():
    imd = load("imd2019_lsoa11")
    assert imd["imd_decile"].dtype == "int64"
    assert imd["imd_score"].dtype == "float64"
    qof = load("qof_imd_decile")
    assert sorted(qof["imd_overall"].unique()) == list(range(1, 11))


def test_load_returns_an_independent_frame():
    a = load("census2021_age_sex_lad")
    a["total_population"] = 0
    assert load("census2021_age_sex_lad")["total_population"].sum() > 50_000_000


def test_boundaries_have_the_expected_features():
    lookup = load("lookup_lsoa21")
    assert set(load_boundaries("lsoa21")["lsoa21cd"]) == set(lookup["lsoa21_code"])
    assert set(load_boundaries("lad24")["lad24cd"]) == set(lookup["ltla24_code"])


def test_boundaries_of_some_areas_use_the_finer_subset_when_it_covers_them():
    lookup = load("lookup_lsoa21")
    llr = sorted(lookup.loc[lookup["icb24_code"] == "E54000015", "lsoa21_code"])
    shapes = load_boundaries("lsoa21", llr)
    assert sorted(shapes["lsoa21cd"]) == llr and "ward24cd" in shapes.columns  # LLR subset
    other = sorted(lookup.loc[lookup["icb24_code"] == "E54000011", "lsoa21_code"])
    shapes = load_boundaries("lsoa21", other)
    assert sorted(shapes["lsoa21cd"]) == other and "ward24cd" not in shapes.columns  # national


# ----------------------------------------------------------------- malformed inputs
GOOD = (
    "lsoa21cd,lsoa21nm,lad24cd,lad24nm,all_usual_residents,ethnic_group_5,persons,prop\n"
    "E01000001,A 001A,E06000016,Leicester,100,White,60,0.6\n"
    "E01000001,A 001A,E06000016,Leicester,100,Other ethnic group,40,0.4\n"
)


def _write(tmp_path, text, name="eth.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_good_file_passes(tmp_path):
    frame = read_table(_write(tmp_path, GOOD), S.ETHNICITY_LSOA21)
    assert frame["persons"].tolist() == [60, 40]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            GOOD.replace(
                "E01000001,A 001A,E06000016,Leicester,100,White",
                "E0100001,A 001A,E06000016,Leicester,100,White",
            ),
            r"eth\.csv: column 'lsoa21cd': badly formed code .* at line 2 \(values 'E0100001'\)",
        ),
        (
            GOOD.replace(",60,0.6", ",-60,0.6"),
            r"column 'persons': negative value at line 2 \(values '?-60'?\)",
        ),
        (
            GOOD.replace("Other ethnic group", "White"),
            r"column 'lsoa21cd': duplicate key at lines 2, 3",
        ),
        (
            GOOD.replace("Other ethnic group", "Martian"),
            r"column 'ethnic_group_5': unknown category at line 3 \(values 'Martian'\)",
        ),
        (
            GOOD.replace(",60,", ",sixty,"),
            r"column 'persons': wrong type \(expected int64\) at line 2 \(values 'sixty'\)",
        ),
        (
            GOOD.replace("persons,prop", "people,prop"),
            r"column 'persons': required column is missing",
        ),
        (
            GOOD.replace(",100,Other", ",,Other"),
            r"column 'all_usual_residents': missing value at line 3",
        ),
        (
            GOOD.replace("0.4\n", "1.4\n"),
            r"column 'prop': .*less_than_or_equal_to\(1\).* at line 3",
        ),
    ],
)
def test_malformed_rows_name_file_column_and_line(tmp_path, text, expected):
    with pytest.raises(DataValidationError, match=expected):
        read_table(_write(tmp_path, text), S.ETHNICITY_LSOA21)


def test_empty_file(tmp_path):
    with pytest.raises(DataValidationError, match=r"eth\.csv: the file is empty"):
        read_table(_write(tmp_path, ""), S.ETHNICITY_LSOA21)


def test_header_only(tmp_path):
    with pytest.raises(DataValidationError, match="header but no data rows"):
        read_table(_write(tmp_path, GOOD.splitlines()[0] + "\n"), S.ETHNICITY_LSOA21)


def test_not_utf8(tmp_path):
    path = _write(tmp_path, GOOD.replace("A 001A", "Bärnsdale 001A"), encoding="latin-1")
    with pytest.raises(DataValidationError, match=r"not UTF-8 text: byte b'\\xe4'"):
        read_table(path, S.ETHNICITY_LSOA21)


def test_missing_file(tmp_path):
    with pytest.raises(DataValidationError, match=r"nothere\.csv: file not found"):
        read_table(tmp_path / "nothere.csv", S.ETHNICITY_LSOA21)


def test_gzipped_file_reads(tmp_path):
    path = tmp_path / "eth.csv.gz"
    path.write_bytes(gzip.compress(GOOD.encode()))
    assert len(read_table(path, S.ETHNICITY_LSOA21)) == 2


def test_many_problems_are_summarised(tmp_path):
    rows = "".join(f"E0100{i:04d},x,E06000016,L,10,Martian,-1,0.1\n" for i in range(12))
    text = GOOD.splitlines()[0] + "\n" + rows
    with pytest.raises(DataValidationError) as info:
        read_table(_write(tmp_path, text), S.ETHNICITY_LSOA21)
    msg = str(info.value)
    assert "at lines 2, 3, 4, 5, 6 and 7 more" in msg
    assert "'persons': negative value" in msg and "'ethnic_group_5': unknown category" in msg


def test_error_names_the_shipped_file_path():
    ds = DATASETS["ethnicity_lsoa21"]
    assert Path(ds.path).name == "census2021_ethnicity_lsoa21_england.csv.gz"
