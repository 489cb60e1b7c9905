"""Reliability under adversarial input (issue 11): every bad input gets one precise line.

Malformed parameters and extracts, injection payloads at every insertion point, the
runner's cache key, crash-safe publishing, the build lock, tracebacks on the command
line, disclosure in downloads, and byte-identical builds.
"""

from __future__ import annotations

import datetime as dt
import errno
import html as html_lib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from hi_analysis import book, cli, disclosure, report, runner, safeio, tables
from hi_analysis.config import load_system
from hi_analysis.errors import ConfigError, DataValidationError
from hi_analysis.extracts import io as extract_io
from hi_analysis.extracts import load_extract, validate_extracts
from hi_analysis.text import escape_markdown, markdown_with_emphasis

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- helpers
def _copy_llr(tmp_path: Path, monkeypatch) -> Path:
    src = ROOT / "parameters" / "llr"
    dst = tmp_path / "parameters" / "llr"
    (dst / "places").mkdir(parents=True)
    for f in src.rglob("*.yml"):
        (dst / f.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
        (dst / f.relative_to(src)).write_text(f.read_text())
    monkeypatch.setenv("HI_ANALYSIS_ROOT", str(tmp_path))
    return dst


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(d):
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value

    return change


def _add_district(code, name):
    return lambda d: d["districts"].append({"code": code, "name": name})


PLAIN = r"must be plain text: letters, digits, single spaces and , \. ' & \( \) / - only"

# (file under parameters/llr, change, expected message) -- each a different way to be wrong.
CONFIG_CASES = [
    (
        "system.yml",
        _set("name", "<script>alert(1)</script>"),
        rf"system\.yml: name: .*{PLAIN}.*found '<' '>'",
    ),
    ("system.yml", _set("short_name", "LLR`x`"), rf"system\.yml: short_name: .*{PLAIN}.*found '`'"),
    (
        "system.yml",
        _set("short_name", "A" * 21),
        r"system\.yml: short_name: String should have at most 20",
    ),
    ("system.yml", _set("name", ""), r"system\.yml: name: String should have at least 1 character"),
    ("system.yml", _set("name", " Leading space"), rf"system\.yml: name: .*{PLAIN}"),
    ("system.yml", _set("name", "Two\nlines"), rf"system\.yml: name: .*{PLAIN}.*found '\\n'"),
    ("system.yml", _set("name", "x" * 101), r"system\.yml: name: String should have at most 100"),
    (
        "system.yml",
        _set("comparator", "name", "[England](javascript:alert(1))"),
        rf"system\.yml: comparator\.name: .*{PLAIN}.*found ':' '\[' '\]'",
    ),
    (
        "system.yml",
        _set("reporting_period", "label", "2015 | 2025"),
        rf"system\.yml: reporting_period\.label: .*{PLAIN}.*found '\|'",
    ),
    (
        "system.yml",
        _set("reporting_period", "end", dt.date(2014, 12, 31)),
        r"system\.yml: reporting_period: Value error, end 2014-12-31 must be after start "
        r"2015-01-01",
    ),
    (
        "system.yml",
        _set("reporting_period", "end", dt.date(2015, 1, 1)),
        r"system\.yml: reporting_period: Value error, end 2015-01-01 must be after start",
    ),
    (
        "system.yml",
        _set("reporting_period", "start", "soon"),
        r"system\.yml: reporting_period\.start: Input should be a valid date",
    ),
    (
        "system.yml",
        _set("icb_code", "E54999999"),
        r"system\.yml: icb_code: unknown ICB code 'E54999999'",
    ),
    (
        "system.yml",
        _set("icb_code", "E54000050"),
        r"leicester\.yml: code: E06000016 \(Leicester\) is in ICB E54000015, not in this system's "
        r"ICB E54000050",
    ),
    (
        "system.yml",
        _set("icb_code", "54000015"),
        r"system\.yml: icb_code: String should match pattern",
    ),
    (
        "system.yml",
        _set("comparator", "code", "E12000004"),
        r"system\.yml: comparator\.code: only England \(E92000001\)",
    ),
    (
        "system.yml",
        _set("disclosure", "none"),
        r"system\.yml: disclosure: Input should be 'nhs_england'",
    ),
    (
        "system.yml",
        _set("chapters", ["needs_analysis", "horoscope"]),
        r"system\.yml: chapters\.1: Input should be",
    ),
    (
        "system.yml",
        _set("chapters", []),
        r"system\.yml: chapters: List should have at least 1 item",
    ),
    (
        "system.yml",
        _set("places", "leicester"),
        r"system\.yml: places: expected a list of place identifiers",
    ),
    (
        "system.yml",
        _set("places", ["leicester", "leicester"]),
        r"system\.yml: places: a place is listed twice",
    ),
    ("system.yml", _set("places", ["leicester", "york"]), r"york\.yml: parameter file not found"),
    ("system.yml", _set("id", "other"), r"system\.yml: id 'other' does not match the folder 'llr'"),
    (
        "system.yml",
        _set("extract_date_format", "%Y"),
        r"system\.yml: extract_date_format: Value error, must be a strptime format with day, "
        r"month and year",
    ),
    (
        "system.yml",
        _set("extract_date_format", "%d/%m/%y"),
        r"system\.yml: extract_date_format: Value error, must include a four-digit year",
    ),
    ("system.yml", _set("colour", "blue"), r"system\.yml: colour: Extra inputs are not permitted"),
    (
        "places/rutland.yml",
        _set("name", '<img src=x onerror="alert(1)">'),
        rf"rutland\.yml: name: .*{PLAIN}.*found '\"' '<' '=' '>'",
    ),
    (
        "places/rutland.yml",
        _set("name", "```{literalinclude} /etc/passwd"),
        rf"rutland\.yml: name: .*{PLAIN}.*found '`' '\{{' '\}}'",
    ),
    (
        "places/rutland.yml",
        _set("districts", 0, "name", "{download}`/etc/passwd`"),
        rf"rutland\.yml: districts\.0\.name: .*{PLAIN}",
    ),
    ("places/rutland.yml", _set("name", "Rut_land"), rf"rutland\.yml: name: .*{PLAIN}.*found '_'"),
    (
        "places/rutland.yml",
        _set("code", "E06999999"),
        r"rutland\.yml: code: unknown upper-tier local authority code 'E06999999'",
    ),
    (
        "places/rutland.yml",
        _set("code", "E06000001"),
        r"rutland\.yml: code: E06000001 \(Hartlepool\) is in ICB E54000050",
    ),
    (
        "places/rutland.yml",
        _set("code", "E06000016"),
        r"rutland\.yml: code: E06000016 is also used by place 'leicester'",
    ),
    (
        "places/rutland.yml",
        _set("districts", 0, "code", "E06999999"),
        r"rutland\.yml: districts\.0\.code: unknown district code 'E06999999'",
    ),
    (
        "places/rutland.yml",
        _set("districts", 0, "code", "X06000017"),
        r"rutland\.yml: districts\.0\.code: String should match pattern",
    ),
    (
        "places/rutland.yml",
        _set("districts", []),
        r"rutland\.yml: districts: List should have at least 1 item",
    ),
    (
        "places/rutland.yml",
        _set("gp_practices", "sub_icb", ["16C"]),
        r"rutland\.yml: gp_practices\.sub_icb\.0: '16C' is not a sub-ICB location of ICB E54000015",
    ),
    (
        "places/rutland.yml",
        _set("kind", "parish"),
        r"rutland\.yml: kind: Input should be 'unitary authority'",
    ),
    (
        "places/rutland.yml",
        _set("id", "rutland2"),
        r"rutland\.yml: id 'rutland2' does not match the file name 'rutland'",
    ),
    (
        "places/leicestershire.yml",
        _add_district("E07000129", "Blaby again"),
        r"leicestershire\.yml: districts\.7\.code: E07000129 is also used by place "
        r"'leicestershire'",
    ),
    (
        "places/leicestershire.yml",
        _add_district("E06000017", "Rutland"),
        r"leicestershire\.yml: districts\.7\.code: E06000017 \(Rutland\) is part of E06000017",
    ),
    (
        "places/leicestershire.yml",
        _add_district("E07000001", "Nowhere"),
        r"leicestershire\.yml: districts\.7\.code: unknown district code 'E07000001'",
    ),
    (
        "places/leicestershire.yml",
        _set("code", "E06000017"),
        r"leicestershire\.yml: districts\.0\.code: E07000129 \(Blaby\) is part of E10000018 "
        r"\(Leicestershire\), not of this place E06000017",
    ),
]


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    CONFIG_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CONFIG_CASES)],
)
def test_malformed_parameters_get_one_precise_line(tmp_path, monkeypatch, file, change, expected):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / file, change)
    with pytest.raises(ConfigError) as info:
        load_system("llr")
    msg = str(info.value)
    assert "\n" not in msg
    assert re.search(expected, msg), msg


def test_duplicate_place_code_across_places_names_the_second_file(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    (d / "places" / "blaby.yml").write_text(
        (d / "places" / "leicestershire.yml").read_text().replace("id: leicestershire", "id: blaby")
    )
    _edit(d / "system.yml", lambda s: s["places"].append("blaby"))
    with pytest.raises(
        ConfigError,
        match=r"blaby\.yml: code: E10000018 is also used by place "
        r"'leicestershire'",
    ):
        load_system("llr")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed", r"system\.yml: not valid YAML"),
        ("- a\n- list", r"system\.yml: expected a mapping of keys to values at the top level"),
        ("id: !!python/object/apply:os.system ['echo pwned']", r"system\.yml: not valid YAML"),
        (
            "a: &a [*a, *a]\nb: &b [*a, *a]",
            r"system\.yml: (places: expected a list|not valid YAML)",
        ),
    ],
)
def test_unreadable_system_file(tmp_path, monkeypatch, text, expected):
    d = _copy_llr(tmp_path, monkeypatch)
    (d / "system.yml").write_text(text)
    with pytest.raises(ConfigError, match=expected):
        load_system("llr")


def test_real_names_with_punctuation_are_accepted(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(
        d / "places" / "leicestershire.yml",
        _set("districts", 3, "name", "Hinckley & Bosworth (Borough), St. Mary’s/O'Brien-Ý"),
    )
    system = load_system("llr")
    assert system.place("leicestershire").districts[3].name.startswith("Hinckley & Bosworth")


# ----------------------------------------------------------------------------- extracts
LSOAS = ["E01013614", "E01013627", "E01013639"]  # Leicester neighbourhoods


def _deaths(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_id": ["P000001", "P000002", "P000003"],
            "lsoa11cd": LSOAS,
            "age": ["34", "71", "88"],
            "ethnicity": ["White", "Mixed or Multiple ethnic groups", ""],
            "is_synthetic": ["false"] * 3,
            "sex": ["Female", "Male", "Female"],
            "date_of_death": ["2023-01-05", "2024-06-30", "2025-11-02"],
            "cause_group": ["Cancer", "Circulatory", "COVID-19"],
            "underlying_cause_icd10": ["C34", "I21", "U07.1"],
            "premature": ["true", "true", "false"],
            "avoidable": ["true", "false", "false"],
        }
    )
    for col, values in changes.items():
        frame[col] = values
    return frame


@pytest.fixture
def extracts(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "extracts"
    (folder / "llr").mkdir(parents=True)
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(folder))
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "build"))
    return folder / "llr"


def _load_error(system, name: str) -> str:
    with pytest.raises(DataValidationError) as info:
        load_extract(system, name)
    assert "\n" not in str(info.value)
    return str(info.value)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (
            ["05/01/2023", "30/06/2024", "02/11/2025"],
            "column 'date_of_death': not an ISO 8601 date (YYYY-MM-DD) at lines 2, 3, 4 "
            "(values '05/01/2023', '30/06/2024', '02/11/2025')",
        ),
        (
            ["2023-01-05", "01/02/2024", "2025-11-02"],
            "column 'date_of_death': not an ISO 8601 date (YYYY-MM-DD) at line 3 (values "
            "'01/02/2024')",
        ),
        (
            ["2023-01-05", "5 Jan 2024", "2025-11-02"],
            "column 'date_of_death': not an ISO 8601 date (YYYY-MM-DD) at line 3 (values '5 Jan "
            "2024')",
        ),
        (
            ["2023-01-05", "20240630", "2025-11-02"],
            "column 'date_of_death': not an ISO 8601 date (YYYY-MM-DD) at line 3 (values "
            "'20240630')",
        ),
    ],
)
def test_ambiguous_csv_dates_are_refused(llr, extracts, dates, expected):
    _deaths(date_of_death=dates).to_csv(extracts / "deaths.csv", index=False)
    msg = _load_error(llr, "deaths")
    assert msg.startswith(str(extracts / "deaths.csv")) or "deaths.csv: " in msg
    assert expected in msg


def test_declared_day_first_format_is_read_day_first(llr, extracts):
    _deaths(date_of_death=["05/01/2023", "30/06/2024", "02/11/2025"]).to_csv(
        extracts / "deaths.csv", index=False
    )
    system = llr.model_copy(update={"extract_date_format": "%d/%m/%Y"})
    frame = load_extract(system, "deaths")
    assert frame["date_of_death"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-01-05",
        "2024-06-30",
        "2025-11-02",
    ]
    _deaths(date_of_death=["2023-01-05", "30/06/2024", "02/11/2025"]).to_csv(
        extracts / "deaths.csv", index=False
    )
    msg = _load_error(system, "deaths")
    assert (
        "column 'date_of_death': not a date in the declared format '%d/%m/%Y' at line 2 "
        "(values '2023-01-05')"
    ) in msg


def test_float_age_in_csv_is_refused_not_truncated(llr, extracts):
    _deaths(age=["34", "71.6", "88"]).to_csv(extracts / "deaths.csv", index=False)
    assert "column 'age': not a whole number at line 3 (values '71.6')" in _load_error(
        llr, "deaths"
    )


def test_float_age_in_parquet_is_refused_not_truncated(llr, extracts):
    frame = _deaths(age=[34.0, 71.6, 88.0], is_synthetic=[False] * 3)
    frame["date_of_death"] = pd.to_datetime(frame["date_of_death"])
    for col in ("premature", "avoidable"):
        frame[col] = frame[col] == "true"
    pq.write_table(pa.Table.from_pandas(frame), extracts / "deaths.parquet")
    assert "column 'age': not a whole number at row 2 (values '71.6')" in _load_error(llr, "deaths")


def test_premature_flag_must_agree_with_age(llr, extracts):
    _deaths(premature=["true", "false", "true"]).to_csv(extracts / "deaths.csv", index=False)
    msg = _load_error(llr, "deaths")
    assert "column 'premature': contradicts 'age' (premature means under 75) at lines 3, 4" in msg


def test_a_folder_in_place_of_an_extract_is_an_error(llr, extracts):
    (extracts / "deaths.csv").mkdir()
    msg = _load_error(llr, "deaths")
    assert "deaths.csv: not a regular file (a folder" in msg


def test_incomplete_registered_population_is_refused(tmp_path, monkeypatch, extracts):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "system.yml", _set("places", ["rutland"]))
    system = load_system("llr")
    from hi_analysis.data import load
    from hi_analysis.geography import lsoa11_codes

    ons = load("population_2020_lsoa11").set_index("lsoa11cd")["all_ages"]
    codes = lsoa11_codes(system.place("rutland"))
    lsoa = np.repeat(codes, ons.reindex(codes).to_numpy())
    keep = np.random.default_rng(1).random(len(lsoa)) > 0.10  # 10% of people missing
    n = int(keep.sum())
    pd.DataFrame(
        {
            "person_id": [f"P{i:08X}" for i in range(n)],
            "lsoa11cd": lsoa[keep],
            "age": np.full(n, 40),
            "ethnicity": ["White"] * n,
            "is_synthetic": [False] * n,
            "sex": ["Female"] * n,
        }
    ).to_parquet(extracts / "registered_population.parquet")
    msg = _load_error(system, "registered_population")
    assert re.search(
        r"registered_population\.parquet: column 'lsoa11cd': only 36,\d{3} people "
        r"registered in Rutland, 9\d\.\d% of its ONS mid-2020 population "
        r"\(40,476\); the extract looks incomplete \(at least 95% expected\)",
        msg,
    )


def test_extract_validation_is_keyed_on_the_system_not_the_file_alone(llr, extracts, monkeypatch):
    _deaths().to_csv(extracts / "deaths.csv", index=False)
    assert validate_extracts(llr, ["deaths"]) == ["deaths"]
    assert validate_extracts(llr, ["deaths"]) == []  # unchanged: not re-read
    shorter = llr.model_copy(
        update={
            "reporting_period": llr.reporting_period.model_copy(
                update={"end": pd.Timestamp("2024-12-31").date()}
            )
        }
    )
    with pytest.raises(DataValidationError, match="date after 2024-12-31"):
        validate_extracts(shorter, ["deaths"])  # same file, new period: re-validated
    monkeypatch.setattr(extract_io, "validation_context", lambda s: "schema v2")
    assert validate_extracts(llr, ["deaths"]) == ["deaths"]  # new schema version


def test_synth_never_writes_through_a_planted_symlink(tmp_path, monkeypatch):
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(tmp_path / "ex"))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "ex" / "llr"
    folder.mkdir(parents=True)
    target = extract_io.synthetic_path("llr", "deaths")
    (target.with_suffix(".tmp")).symlink_to(victim)  # the old predictable temporary path
    frame = _deaths(is_synthetic=[True] * 3)
    extract_io.write_extract(frame, "llr", "deaths")
    assert victim.read_text() == "precious"
    assert pq.read_table(target).num_rows == 3
    assert not list(folder.glob(".*.tmp"))


# ----------------------------------------------------------------------------- injection
PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "```{literalinclude} /etc/passwd\n```",
    ":::{include} /etc/passwd\n:::",
    "{download}`/etc/passwd`",
    "{{place_name}} $$x^2$$ $y$",
    "[click](javascript:alert(1)) <https://evil.example>",
    "| a | b |\n|---|---|",
    "# Heading\n- list",
    "<!-- hidden --> &lt;b&gt; \\*",
    "**bold** _under_ ~~strike~~",
]


def _myst_tokens(text: str):
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(
        enable_extensions={
            "colon_fence",
            "dollarmath",
            "substitution",
            "tasklist",
            "html_image",
            "amsmath",
        }
    )
    md = create_md_parser(config, RendererHTML)
    tokens = md.parse(text, {})
    flat = []
    rendered = md.render(text, {})
    for t in tokens:
        if t.type == "fence" and t.info.startswith("{list-table}"):
            # A MyST list-table: its caption and cells are Markdown that Sphinx parses
            # later, so they are checked as Markdown too (the fence itself is ours).
            caption = t.info[len("{list-table}") :].strip()
            body = "\n".join(ln for ln in t.content.splitlines() if not ln.startswith(":"))
            for part in (caption, body):
                sub, html_text = _myst_tokens(part)
                flat.extend(sub)
                rendered += html_text
            continue
        flat.append(t)
        flat.extend(t.children or [])
    return flat, rendered


UNSAFE_TOKENS = {
    "html_block",
    "html_inline",
    "fence",
    "code_block",
    "myst_role",
    "colon_fence",
    "math_inline",
    "math_block",
    "link_open",
    "image",
    "substitution_inline",
    "substitution_block",
    "code_inline",
    "table_open",
    "s_open",
    "myst_block_break",
    "myst_target",
    "myst_line_comment",
}


def _assert_plain(markdown: str, payload: str, benign: str | None = None) -> None:
    """No markup from the payload: no unsafe token (or, for a page, exactly the structure
    of the same page with benign names), and the payload shows as literal text."""
    tokens, rendered = _myst_tokens(markdown)
    if benign is None:
        unsafe = {t.type for t in tokens} & UNSAFE_TOKENS
        assert not unsafe, (unsafe, markdown)
    else:
        expected, _ = _myst_tokens(benign)
        assert [t.type for t in tokens] == [t.type for t in expected], markdown
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", rendered))
    text = " ".join(text.split())
    for line in payload.splitlines():
        assert " ".join(line.split()) in text, (line, text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_markdown_makes_every_payload_plain_text(payload):
    _assert_plain(escape_markdown(payload), " ".join(payload.splitlines()))
    sentence = markdown_with_emphasis(f"**12.5%** of {payload}'s residents")
    tokens, _ = _myst_tokens(sentence)
    assert not {t.type for t in tokens} & UNSAFE_TOKENS


def _hostile_system(llr, payload: str):
    """The LLR system with a payload in every name (validation bypassed, as if it failed)."""
    places = [
        p.model_construct(
            **{
                **dict(p),
                "name": f"{p.name} {payload}",
                "districts": [
                    d.model_construct(code=d.code, name=f"{d.name} {payload}") for d in p.districts
                ],
            }
        )
        for p in llr.places
    ]
    return llr.model_construct(
        **{
            **dict(llr),
            "name": f"System {payload}",
            "short_name": payload,
            "places": places,
            "reporting_period": llr.reporting_period.model_construct(
                start=llr.reporting_period.start, end=llr.reporting_period.end, label=payload
            ),
            "comparator": llr.comparator.model_construct(code="E92000001", name=payload),
        }
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_book_insertion_point_escapes(llr, payload, monkeypatch, tmp_path):
    system = _hostile_system(llr, payload)
    benign = _hostile_system(llr, "Plain")
    one_line = " ".join(payload.splitlines())
    # place pages and the methods page (a data-provenance title carries the payload too)
    for place in system.places:
        _assert_plain(
            book._place_page(system, place.id), one_line, book._place_page(benign, place.id)
        )
    monkeypatch.setattr(
        book,
        "data_provenance",
        lambda: [{"title": payload, "publisher": payload, "period": "2020", "file": payload}],
    )
    hostile_methods = book._methods_page(system)
    monkeypatch.setattr(
        book,
        "data_provenance",
        lambda: [{"title": "Plain", "publisher": "Plain", "period": "2020", "file": "Plain"}],
    )
    _assert_plain(hostile_methods, one_line, book._methods_page(benign))
    # landing page, built from results sidecars
    jobs = []
    for place in system.places:
        res = tmp_path / f"{place.id}.json"
        res.write_text(
            '{"population_mid2020": 1000, "core20_share_iod2025": 0.5, '
            '"core20_share_imd2019": 0.4, "life_expectancy": {"Female|x": 80.1}}'
        )
        jobs.append(
            runner.Job(
                system.id,
                place.id,
                place.name,
                "needs_analysis",
                Path("t.ipynb"),
                Path("o.ipynb"),
                res,
            )
        )
    _assert_plain(book._landing_page(system, jobs), one_line, book._landing_page(benign, jobs))
    # _toc.yml and _config.yml: YAML-escaped, so they read back exactly
    toc = yaml.safe_load(yaml.safe_dump(book._toc(system), sort_keys=False))
    assert [p["caption"] for p in toc["parts"][:3]] == [p.name for p in system.places]
    config = yaml.safe_load(yaml.safe_dump(book._config(system), sort_keys=False))
    assert config["title"] == f"Health inequalities in {system.name}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_notebook_titles_escape_the_place_name(tmp_path, payload):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Needs analysis: {{place_name}}\n\nText.")]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    runner.finish_notebook(path, cache_key="k", replacements={"place_name": payload})
    source = nbformat.read(path, as_version=4).cells[0].source
    benign = "# Needs analysis: Rutland\n\nText."
    _assert_plain(source, " ".join(payload.splitlines()), benign)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_outputs_escape_data_text(payload):
    frame = pd.DataFrame({"Neighbourhood": [payload], "Residents": [1234]})
    out = tables.to_html(frame, caption=payload, counts=["Residents"])
    assert "<script" not in out and "<img" not in out and "<!--" not in out
    assert html_lib.escape(payload) in out
    assert "1,235" in out


def test_say_escapes_data_text(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(obj.data))
    report.say("**1 in 3** residents of <script>x</script> {literalinclude}`/etc/passwd`")
    tokens, rendered = _myst_tokens(shown[0])
    assert not {t.type for t in tokens} & UNSAFE_TOKENS
    assert "<strong>1 in 3</strong>" in rendered and "&lt;script&gt;" in rendered


# ----------------------------------------------------------------------------- cache key
def _keys(system) -> dict[str, str]:
    jobs = runner.plan(system)
    return {
        f"{j.place}/{j.chapter}": k for j, k in zip(jobs, runner.current_keys(jobs), strict=True)
    }


@pytest.mark.parametrize(
    ("file", "change"),
    [
        ("system.yml", _set("disclosure", "suppress_lt10")),
        ("system.yml", _set("reporting_period", "end", dt.date(2024, 12, 31))),
        ("system.yml", _set("reporting_period", "label", "2015 to 2024")),
        ("system.yml", _set("short_name", "L and R")),
        ("places/leicestershire.yml", lambda p: p["districts"].pop()),
        ("places/leicestershire.yml", _set("districts", 0, "name", "Blaby District")),
        ("places/rutland.yml", _set("gp_practices", "postcode_districts", ["LE15", "PE9"])),
        ("system.yml", None),  # an edit that changes only the bytes (a comment)
    ],
)
def test_every_parameter_input_is_in_every_chapter_cache_key(tmp_path, monkeypatch, file, change):
    d = _copy_llr(tmp_path, monkeypatch)
    before = _keys(load_system("llr"))
    if change is None:
        (d / file).write_text((d / file).read_text() + "# reviewed\n")
    else:
        _edit(d / file, change)
    after = _keys(load_system("llr"))
    assert set(before) == set(after)
    changed = [k for k in before if before[k] != after[k]]
    assert changed == list(before), "every chapter of every place must be re-run"


def test_files_in_a_parameters_subfolder_are_in_the_key(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    (d / "notes").mkdir()
    (d / "notes" / "extra.yml").write_text("target: 0.8\n")
    before = _keys(load_system("llr"))
    (d / "notes" / "extra.yml").write_text("target: 0.9\n")
    after = _keys(load_system("llr"))
    assert all(before[k] != after[k] for k in before)


def test_a_chapter_private_folder_is_only_in_its_chapters_key(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    before = _keys(load_system("llr"))
    plan = d / "plan" / "plan.yml"
    plan.write_text(plan.read_text() + "\n# edited\n")
    after = _keys(load_system("llr"))
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {k for k in before if k.endswith("/logic_model")}, changed


# ----------------------------------------------------------------------------- publishing
def _site(tmp_path: Path, text: str) -> Path:
    html = tmp_path / f"html-{text}"
    (html / "places").mkdir(parents=True, exist_ok=True)
    (html / "index.html").write_text(text)
    (html / "places" / "p.html").write_text(text + " page")
    return html


def test_publish_swaps_a_link_atomically_and_keeps_one_version(tmp_path):
    target = tmp_path / "build" / "site"
    index = book.publish(_site(tmp_path, "v1"), target)
    assert index.is_file() and not index.is_symlink() and index.read_text() == "v1"
    assert target.is_symlink() and (target / "index.html").read_text() == "v1"
    index2 = book.publish(_site(tmp_path, "v2"), target)
    assert index2.read_text() == "v2" and (target / "index.html").read_text() == "v2"
    assert sorted(p.name for p in target.parent.iterdir()) == ["site", index2.parent.name]
    assert book.publish(_site(tmp_path, "v2"), target) == index2  # same content, same path


@pytest.mark.parametrize("crash_at", ["copy", "link", "swap"])
def test_crash_during_publish_leaves_the_old_site_and_next_build_recovers(
    tmp_path, monkeypatch, crash_at
):
    target = tmp_path / "build" / "site"
    book.publish(_site(tmp_path, "old"), target)

    def boom(*args, **kwargs):
        raise OSError(errno.EIO, "simulated crash")

    if crash_at == "copy":
        real = shutil.copytree

        def partial_copy(src, dst, *a, **k):
            real(src, dst, *a, **k)
            (Path(dst) / "places" / "p.html").write_text("trunc")
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))

        monkeypatch.setattr(book.shutil, "copytree", partial_copy)
    elif crash_at == "link":
        monkeypatch.setattr(book.os, "symlink", boom)
    else:
        monkeypatch.setattr(book.os, "replace", boom)
    with pytest.raises(OSError):
        book.publish(_site(tmp_path, "new"), target)
    assert (target / "index.html").read_text() == "old"
    assert (target / "places" / "p.html").read_text() == "old page"
    monkeypatch.undo()
    index = book.publish(_site(tmp_path, "new"), target)
    assert index.read_text() == "new" and (target / "index.html").read_text() == "new"
    leftovers = [
        p.name for p in target.parent.iterdir() if p.name not in ("site", index.parent.name)
    ]
    assert leftovers == []


def test_a_site_published_as_a_plain_folder_is_migrated_not_lost(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("published by an older version")
    book.recover(target)
    assert target.is_symlink() and (target / "index.html").read_text().startswith("published")
    index = book.publish(_site(tmp_path, "new"), target)
    assert index.read_text() == "new"
    assert sorted(p.name for p in tmp_path.glob("site*")) == ["site", index.parent.name]


def test_recovery_from_the_old_rename_based_publish(tmp_path):
    target = tmp_path / "site"
    (tmp_path / "site.old").mkdir()
    (tmp_path / "site.old" / "index.html").write_text("previous")
    (tmp_path / "site.incoming").mkdir()  # a half-copied new site
    book.recover(target)
    assert (target / "index.html").read_text() == "previous"
    assert target.is_symlink() and not (tmp_path / "site.incoming").exists()


# ----------------------------------------------------------------------------- locking
def test_second_build_refuses_clearly_while_one_runs(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path))
    with safeio.system_lock("llr"):
        proc = cli("build", "--system", "llr", "--wait", "0", "--quiet", build_dir=tmp_path)
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert re.fullmatch(
        rf"hi-analysis: error: {re.escape(str(tmp_path))}/llr/\.lock: another build of system "
        rf"'llr' is running \(process {os.getpid()}\); wait for it to finish, then run the "
        r"command again",
        line,
    ), line


def test_second_build_waits_for_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path))
    order, messages = [], []

    def first():
        with safeio.system_lock("llr"):
            order.append("first in")
            time.sleep(1.0)
            order.append("first out")

    t = threading.Thread(target=first)
    t.start()
    while not order:
        time.sleep(0.01)
    with safeio.system_lock("llr", wait=30, on_wait=messages.append):
        order.append("second in")
    t.join()
    assert order == ["first in", "first out", "second in"]
    assert messages and "waiting up to 30 s" in messages[0]


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_killed_build_leaves_no_orphan_worker_or_kernel(tmp_path):
    """SIGKILL the build while a notebook runs: its pool worker and kernel go too."""
    pids = tmp_path / "pids.txt"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import os, pathlib, time\n"
            f"pathlib.Path({str(pids)!r}).write_text(f'{{os.getppid()}} {{os.getpid()}}')\n"
            "time.sleep(300)"
        )
    ]
    nbformat.write(nb, tmp_path / "t.ipynb")
    script = tmp_path / "parent.py"
    script.write_text(f"""
import pathlib
from hi_analysis import runner

if __name__ == "__main__":
    job = runner.Job("t", "x", "X", "demo", pathlib.Path({str(tmp_path / "t.ipynb")!r}),
                     pathlib.Path({str(tmp_path / "out" / "o.ipynb")!r}),
                     pathlib.Path({str(tmp_path / "r.json")!r}))
    runner.run([job], workers=1)
""")
    parent = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path)
    worker = kernel = None
    try:
        deadline = time.monotonic() + 120
        while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        worker, kernel = (int(x) for x in pids.read_text().split())
        parent.kill()
        parent.wait()
        assert _gone(worker, 10), "the pool worker outlived the killed build"
        assert _gone(kernel, 15), "the kernel outlived the killed build"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in (worker, kernel):
            if pid is not None:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
    assert not (tmp_path / "out" / "o.ipynb").exists()


def test_stale_running_notebooks_are_removed(tmp_path):
    t = tmp_path / "t.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell("1")]
    nbformat.write(nb, t)
    job = runner.Job(
        "t", "x", "X", "demo", t, tmp_path / "out" / "demo.ipynb", tmp_path / "res" / "demo.json"
    )
    (tmp_path / "out").mkdir()
    stale = [
        tmp_path / "out" / "demo.running-4242.ipynb",
        tmp_path / "out" / f".demo.abc{runner.RUNNING_SUFFIX}",
    ]
    for p in stale:
        p.write_text("{}")
    runner.remove_stale_runs([job])
    assert not any(p.exists() for p in stale)


def _die(job):
    os._exit(9)


# ----------------------------------------------------------------------------- tracebacks
def test_manifest_of_a_corrupt_gzip_is_one_line(tmp_path):
    from hi_analysis.data.manifest import build_manifest

    (tmp_path / "ok.csv").write_text("a\n1\n")
    (tmp_path / "broken.csv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    with pytest.raises(DataValidationError) as info:
        build_manifest(tmp_path)
    msg = str(info.value)
    assert "broken.csv.gz: compressed file is corrupt or truncated" in msg and "\n" not in msg


@pytest.mark.parametrize("content", [b"\x1f\x8b\x08\x00garbage", b"not gzip at all"])
def test_reading_a_corrupt_gzip_data_file_is_one_line(tmp_path, content):
    from hi_analysis.data.validate import read_csv_text

    path = tmp_path / "broken.csv.gz"
    path.write_bytes(content)
    with pytest.raises(DataValidationError) as info:
        read_csv_text(path)
    assert str(info.value).startswith(f"{path}: compressed file is corrupt or truncated (")
    assert "\n" not in str(info.value)


def test_a_worker_that_dies_is_reported_against_its_job(tmp_path):
    t = tmp_path / "t.ipynb"
    t.write_text("{}")
    job = runner.Job("t", "x", "X", "demo", t, tmp_path / "o.ipynb", tmp_path / "r.json")
    [res] = runner.run([job], workers=1, executor=_die)
    assert res.status == "failed"
    assert res.error == (
        "demo failed for place 'x': the worker process running it died (killed, or out of memory)"
    )


def test_cli_manifest_on_corrupt_data_is_one_line(monkeypatch, tmp_path, capsys):
    from hi_analysis.data import manifest

    (tmp_path / "x.csv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    monkeypatch.setattr(manifest, "public_data_dir", lambda: tmp_path)
    assert cli.main(["manifest"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hi-analysis: error: ")
    assert "x.csv.gz: compressed file is corrupt or truncated" in err
    assert not (tmp_path / "MANIFEST.json").exists()


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/b/llr/site.partial-1/x.html"),
            "hi-analysis: error: /b/llr/site.partial-1/x.html: No space left on device; the "
            "previously published site is unchanged",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/b/llr"),
            "hi-analysis: error: /b/llr: Permission denied; the previously published site is "
            "unchanged",
        ),
        (
            RuntimeError("kernel died\nwith two lines"),
            "hi-analysis: error: unexpected RuntimeError: kernel died with two lines (rerun with "
            "HI_ANALYSIS_DEBUG=1 for the traceback); the previously published site is unchanged",
        ),
        (
            KeyboardInterrupt(),
            "hi-analysis: error: interrupted; the previously published site is unchanged",
        ),
    ],
)
def test_any_failure_is_one_line_never_a_traceback(monkeypatch, capsys, exc, expected):
    def fail(_):
        raise exc

    monkeypatch.setattr(cli, "cmd_list", fail)
    monkeypatch.delenv("HI_ANALYSIS_DEBUG", raising=False)
    code = cli.main(["list"])
    assert code == (130 if isinstance(exc, KeyboardInterrupt) else 1)
    err = capsys.readouterr().err
    assert err == expected + "\n"


def test_sphinx_errors_name_notebook_place_and_cell_without_colour(tmp_path):
    staging = tmp_path / "book-staging"
    out = (
        f"\x1b[91m{staging}/places/rutland/sii.ipynb:50004: WARNING: undefined label: "
        f"'x'\x1b[39;49;00m\n{staging}/intro.md:12: ERROR: Unknown directive type\n"
        "Sphinx build failed\n"
    )
    problems = book.explain_sphinx_output(out, staging)
    assert problems == [
        "notebooks/sii.ipynb for place 'rutland', cell 4: WARNING: undefined label: 'x'",
        "book page intro.md, line 12: ERROR: Unknown directive type",
    ]


def test_sphinx_failure_is_reported_against_the_notebook(tmp_path, monkeypatch):
    staging = tmp_path / "s"
    staging.mkdir()

    def fake_run(cmd, **kwargs):
        assert kwargs["env"]["NO_COLOR"] == "1"
        return subprocess.CompletedProcess(
            cmd,
            1,
            "",
            (
                f"\x1b[31m{staging}/places/leicester/needs_analysis.ipynb:30002: WARNING: "
                "image file not readable\x1b[0m\n"
            ),
        )

    monkeypatch.setattr(book.subprocess, "run", fake_run)
    with pytest.raises(book.BookBuildError) as info:
        book.build_html(staging)
    assert str(info.value) == (
        "Jupyter Book failed: notebooks/needs_analysis.ipynb for place 'leicester', cell 2: "
        "WARNING: image file not readable"
    )


# ----------------------------------------------------------------------------- disclosure
def test_csv_counts_are_controlled_even_when_not_declared():
    frame = pd.DataFrame(
        {
            "district": ["A", "B", "C"],
            "patients": [150_678.0, 20_000.0, 100.0],
            "register": [82_398.0, 6.0, 41.0],
            "le": [80.123, 81.456, 79.91],
        }
    )
    frame["prevalence"] = frame["register"] / frame["patients"] * 100
    csv = report.csv_text(frame, rule="nhs_england")
    rows = [r.split(",") for r in csv.strip().splitlines()]
    assert rows[0] == ["district", "patients", "register", "le", "prevalence"]
    assert [r[1:3] for r in rows[1:]] == [["150680", "82400"], ["20000", "[c]"], ["100", "40"]]
    # a ratio of counts: withheld beside a suppressed count, and at most the safe figures of
    # its numerator (1 figure for 40 people rounded to 5); then the 3 figures shown on charts
    assert [r[4] for r in rows[1:]] == ["54.7", "", "40"]
    # a complex statistic (life expectancy) is not a ratio of the counts: as shown
    assert [r[3] for r in rows[1:]] == ["80.1", "81.5", "79.9"]


def test_shares_cannot_recover_rounded_counts():
    """82,398 of 150,678: the published share must not pin the numerator beyond rounding."""
    frame = pd.DataFrame({"dose2": [82_398], "eligible": [150_678], "uptake": [82_398 / 150_678]})
    data, counts = disclosure.publishable(frame, ["dose2", "eligible"], "nhs_england")
    shown_n, shown_d, share = int(data["dose2"][0]), int(data["eligible"][0]), data["uptake"][0]
    assert (shown_n, shown_d) == (82_400, 150_680)
    digits = len(repr(round(float(share), 10)).split(".")[1])
    assert digits == 4
    step = 10.0**-digits
    # every numerator consistent with the shown share and a denominator within rounding
    candidates = {
        n
        for d in range(shown_d - 2, shown_d + 3)
        for n in range(shown_n - 10, shown_n + 11)
        if abs(n / d - share) <= step / 2
    }
    assert len(candidates) >= 5  # at least the rounding base: nothing recovered
    assert 82_398 in candidates


def test_csv_neutralises_formulas_and_is_excel_utf8():
    frame = pd.DataFrame(
        {
            "Ward": ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@x", "Évêché"],
            "Change": [-1.5, 2.0, -0.25, 0.0, 3.5],
        }
    )
    csv = report.csv_text(frame, rule="nhs_england")
    cells = [r.split(",")[0] for r in csv.strip().splitlines()[1:]]
    assert cells == ["'=cmd|' /C calc'!A0", "'+SUM(A1)", "'-2+3", "'@x", "Évêché"]
    assert [r.split(",")[1] for r in csv.strip().splitlines()[1:]] == [
        "-1.5",
        "2",
        "-0.25",
        "0",
        "3.5",
    ]
    link = report._csv_link(csv, "x", "Download")
    assert 'href="data:text/csv;charset=utf-8,%EF%BB%BF' in link


def test_table_csv_is_rounded_to_the_precision_shown(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(obj.data))
    frame = pd.DataFrame(
        {
            "Group": ["A", "B"],
            "Residents": [12_345, 67_890],
            "Share in Core20": [0.123456, 0.654321],
        }
    )
    report.show_table(
        frame,
        caption="c",
        name="t",
        rule="nhs_england",
        counts=["Residents"],
        formats={"Share in Core20": lambda v: f"{v:.1%}"},
    )
    import urllib.parse

    csv = urllib.parse.unquote(re.search(r'charset=utf-8,([^"]+)"', shown[0]).group(1))
    assert csv.startswith("\ufeff")
    assert csv.lstrip("\ufeff").splitlines() == [
        "Group,Residents,Share in Core20",
        "A,12345,12.3%",
        "B,67890,65.4%",
    ]
    assert "12,345" in shown[0] and "12.3%" in shown[0]


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_every_published_csv_count_passes_the_rule(built_book):
    """Scan every CSV download in the site: count columns hold only 0, [c] or multiples of 5."""
    import io
    import urllib.parse

    checked = 0
    for page in built_book.index.parent.rglob("*.html"):
        for payload in re.findall(
            r'href="data:text/csv;charset=utf-8,([^"]+)"', page.read_text("utf-8")
        ):
            csv = urllib.parse.unquote(html_lib.unescape(payload))
            assert csv.startswith("\ufeff"), page
            frame = pd.read_csv(io.StringIO(csv[1:]), dtype=str, keep_default_na=False)
            for col in frame.columns:
                if not disclosure.is_count_column(col):
                    continue
                if any(re.search("[A-Za-z]", v) for v in frame[col] if v != "[c]"):
                    continue  # text named like a count (e.g. "Dose"), as in count_columns
                for cell in frame[col]:
                    assert cell in ("", "0", "[c]") or int(cell) % 5 == 0, (page, col, cell)
                    checked += 1
    assert checked > 100


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_published_site_is_a_link_to_a_complete_version(built_book):
    site = built_book.index.parent
    assert built_book.index.is_file() and not built_book.index.is_symlink()
    link = built_book.build_dir / "llr" / "site"
    assert link.is_symlink() and link.resolve() == site.resolve()


# ----------------------------------------------------------------------------- determinism
def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.e2e
@pytest.mark.xdist_group("determinism")
def test_two_clean_builds_are_byte_identical(tmp_path, cli):
    """One place, one chapter: build twice from scratch and compare the whole site trees."""
    params = tmp_path / "parameters" / "solo"
    (params / "places").mkdir(parents=True)
    system = yaml.safe_load((ROOT / "parameters" / "llr" / "system.yml").read_text())
    system.update(id="solo", places=["rutland"], chapters=["needs_analysis"])
    (params / "system.yml").write_text(yaml.safe_dump(system))
    shutil.copy(
        ROOT / "parameters" / "llr" / "places" / "rutland.yml", params / "places" / "rutland.yml"
    )
    indexes = []
    for n in (1, 2):
        env = {
            **os.environ,
            "HI_ANALYSIS_ROOT": str(tmp_path),
            "HI_ANALYSIS_BUILD": str(tmp_path / f"build{n}"),
            "HI_ANALYSIS_EXTRACTS": str(tmp_path / "extracts"),
        }
        exe = Path(sys.executable).with_name("hi-analysis")
        proc = subprocess.run(
            [str(exe), "build", "--system", "solo", "--quiet", "--jobs", "1"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        indexes.append(Path(proc.stdout.strip().splitlines()[-1]))
    first, second = (_tree(i.parent) for i in indexes)
    assert len(first) > 20 and any(k.endswith("searchindex.js") for k in first)
    assert sorted(first) == sorted(second)
    differ = [k for k in first if first[k] != second[k]]
    assert differ == []
    assert indexes[0].parent.name == indexes[1].parent.name  # same content digest
    # the whole edition layout (issue 12): edition.json in the site, the editions listing,
    # and every link (editions/<slug>, site) point at the same names
    assert "edition.json" in first and b'"key_results"' in first["edition.json"]
    layouts = []
    for n in (1, 2):
        root = tmp_path / f"build{n}" / "solo"
        files = _tree(root / "editions")  # rglob does not descend into the links
        links = {
            p.relative_to(root).as_posix(): os.readlink(p)
            for p in [root / "site", *(root / "editions").iterdir()]
            if p.is_symlink()
        }
        layouts.append((files, links))
    assert layouts[0] == layouts[1]
    assert set(layouts[0][1]) == {"site", "editions/2025-26-q3"}
    assert "index.html" in layouts[0][0]
