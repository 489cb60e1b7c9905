"""The plan as validated configuration: malformed files, the JSON Schema, adding a programme."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hi_analysis.config import load_system
from hi_analysis.errors import ConfigError
from hi_analysis.logic_model import plan as plan_mod
from hi_analysis.logic_model.evaluate import evaluate_place, verdict_table
from hi_analysis.logic_model.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
HTN = "htn-case-finding"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A temporary project root holding a copy of the parameters."""
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    monkeypatch.setenv("HI_ANALYSIS_ROOT", str(tmp_path))
    return tmp_path / "parameters" / "llr" / "plan"


def edit(folder: Path, name: str, change) -> Path:
    path = folder / "programmes" / f"{name}.yml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def error(folder: Path, change, name: str = HTN) -> str:
    edit(folder, name, change)
    with pytest.raises(ConfigError) as info:
        load_plan(load_system("llr"))
    msg = str(info.value)
    assert f"{name}.yml" in msg  # every error names the file
    return msg


def test_shipped_plan_is_valid_and_illustrative(llr):
    plan = load_plan(llr)
    assert plan.info.illustrative
    assert [p.id for p in plan.programmes] == [HTN, "smi-health-checks", "vaccination-outreach"]
    assert [p.id for p in plan.programmes_for("rutland")] == [HTN, "smi-health-checks"]


def test_unknown_key(project):
    msg = error(project, lambda d: d["owner"].update(phone="0116"))
    assert "owner.phone: Extra inputs are not permitted" in msg


def test_wrong_type(project):
    msg = error(project, lambda d: d.update(places="leicester"))
    assert "places: Input should be a valid list" in msg


def test_quoted_date_gets_a_hint(project):
    path = project / "programmes" / f"{HTN}.yml"
    path.write_text(path.read_text().replace("start: 2021-10-01\n", "start: '2021-10-01'\n", 1))
    with pytest.raises(ConfigError, match=r"activities\.0\.start: .*write dates unquoted"):
        load_plan(load_system("llr"))


def test_activity_end_before_start(project):
    msg = error(project, lambda d: d["activities"][0].update(end=dt.date(2020, 1, 1)))
    assert "activities.0" in msg and "end 2020-01-01 is before start 2021-10-01" in msg


def test_target_date_before_any_activity(project):
    def change(d):
        d["outputs"][0]["target"]["by"] = dt.date(2019, 3, 31)

    msg = error(project, change)
    assert "output 'checks': target date 2019-03-31 is before any activity starts" in msg


def test_evaluation_start_before_activity(project):
    msg = error(project, lambda d: d["evaluation"].update(start=dt.date(2020, 1, 1)))
    assert "evaluation.start 2020-01-01 is before any activity starts (2021-10-01)" in msg


def test_unknown_metric(project):
    msg = error(project, lambda d: d["proxies"][0].update(metric="ext.nope"))
    assert "unknown metric 'ext.nope'" in msg


def test_metric_not_available_for_a_place(project):
    # the NHS Health Check series is published for unitary authorities only
    msg = error(project, lambda d: d.update(context=["ft.91112"]))
    assert "metric 'ft.91112' is not available for place 'leicestershire'" in msg


def test_unknown_place(project):
    msg = error(project, lambda d: d["places"].append("nottingham"))
    assert "places.3: unknown place 'nottingham'" in msg


def test_assumption_pointing_nowhere(project):
    msg = error(project, lambda d: d["assumptions"][0].update(target="nowhere"))
    assert "assumption 'a1' refers to unknown step 'nowhere'" in msg


def test_backwards_arrow(project):
    msg = error(
        project, lambda d: d["assumptions"][2].update(source="cvd-admissions", target="diagnoses")
    )
    assert "assumption 'a3': an arrow goes from one stage to the next" in msg


def test_design_needs_a_comparator(project):
    msg = error(project, lambda d: d["evaluation"].update(design="did"))
    assert "design 'did' needs a comparator" in msg


def test_relative_size_given_as_a_percentage(project):
    msg = error(project, lambda d: d["outcomes"][0]["expected_change"].update(relative_size=4))
    assert "outcomes.0.expected_change.relative_size: Input should be less than 1" in msg


def test_duplicate_step_ids(project):
    msg = error(project, lambda d: d["outputs"][0].update(id="diagnoses"))
    assert "duplicate step ids: diagnoses" in msg


def test_equity_step_must_be_a_measure(project):
    msg = error(project, lambda d: d["equity"].update(step="bp-checks"))
    assert "equity.step 'bp-checks' must be a proxy or outcome id" in msg


def test_registration_in_the_future(project):
    msg = error(project, lambda d: d["evaluation"].update(registered_on=dt.date(2999, 1, 1)))
    assert "evaluation.registered_on 2999-01-01 is in the future" in msg


def test_published_series_cannot_be_an_evaluated_step(project):
    msg = error(project, lambda d: d["outcomes"][0].update(metric="ft.93721"))
    assert "ft.93721 is a published annual or quarterly series" in msg


def test_id_must_match_file_name(project):
    msg = error(project, lambda d: d.update(id="other"))
    assert "id 'other' does not match the file name 'htn-case-finding'" in msg


def test_invalid_yaml_and_missing_plan(project):
    (project / "programmes" / "broken.yml").write_text("id: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yml: not valid YAML"):
        load_plan(load_system("llr"))
    (project / "programmes" / "broken.yml").unlink()
    (project / "plan.yml").unlink()
    with pytest.raises(ConfigError, match=r"plan\.yml: plan file not found"):
        load_plan(load_system("llr"))


def test_bad_plan_stops_validate_with_one_line(project, cli, tmp_path):
    edit(project, HTN, lambda d: d["owner"].update(phone="0116"))
    import os
    import subprocess
    import sys

    env = {**os.environ, "HI_ANALYSIS_ROOT": str(project.parents[2])}
    exe = Path(sys.executable).with_name("hi-analysis")
    proc = subprocess.run(
        [str(exe), "validate", "--system", "llr"], capture_output=True, text=True, env=env
    )
    assert proc.returncode != 0
    assert "owner.phone: Extra inputs are not permitted" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_published_json_schema_is_current():
    shipped = json.loads((ROOT / "parameters" / "plan.schema.json").read_text())
    assert shipped == json.loads(json.dumps(plan_mod.json_schema())), (
        "run `python -m hi_analysis.logic_model.plan` to regenerate parameters/plan.schema.json"
    )
    assert shipped["additionalProperties"] is False
    assert "evaluation" in shipped["required"]


def test_runner_reruns_the_chapter_when_the_plan_changes(project):
    from hi_analysis import runner

    llr = load_system("llr")
    before = {j.chapter: j.inputs for j in runner.plan(llr, places=["rutland"])}
    edit(project, HTN, lambda d: d.update(name="Hypertension case-finding, renamed"))
    after = {j.chapter: j.inputs for j in runner.plan(llr, places=["rutland"])}
    assert after["logic_model"] != before["logic_model"]
    assert after["sii"] == before["sii"]


def test_adding_a_programme_is_adding_yaml(project, llr):
    """A new file under programmes/ appears in the place's section with no code change."""
    src = yaml.safe_load((project / "programmes" / f"{HTN}.yml").read_text())
    src.update(
        id="rutland-bp-pilot", name="Rutland <b>blood-pressure</b> pilot", places=["rutland"]
    )
    src["evaluation"]["start"] = src["activities"][0]["start"] = dt.date(2022, 1, 1)
    (project / "programmes" / "rutland-bp-pilot.yml").write_text(yaml.safe_dump(src))
    system = load_system("llr")
    plan = load_plan(system)
    assert [p.id for p in plan.programmes_for("rutland")][0] == "htn-case-finding"
    assert "rutland-bp-pilot" in [p.id for p in plan.programmes_for("rutland")]
    assert "rutland-bp-pilot" not in [p.id for p in plan.programmes_for("leicester")]
    extract = _small_extract(system)
    results = evaluate_place(plan, system, system.place("rutland"), extract)
    table = verdict_table(results)
    rows = table[table["Programme"] == "Rutland <b>blood-pressure</b> pilot"]
    assert len(rows) == 4  # three arrows and the equity check
    assert rows["Key number (95% CI)"].str.contains("95% CI").all()


def _small_extract(system) -> pd.DataFrame:
    """The programme series for Rutland's neighbourhoods only (fast)."""
    import numpy as np

    from hi_analysis.inequality import place_lsoas
    from hi_analysis.synth import programmes as P
    from hi_analysis.synth.population import lsoa_table

    lsoas = lsoa_table(system)
    lsoas = lsoas[lsoas["place"] == "rutland"].reset_index(drop=True)
    assert set(lsoas["lsoa11cd"]) == set(place_lsoas(system.place("rutland"))["lsoa11cd"])
    dates = P.months(2015, 2025)
    rng = np.random.default_rng(1)
    frames = []
    for truth in P.PROGRAMMES.values():
        for series, (mu, _) in P.expected(truth, lsoas, np.full(len(lsoas), 800.0), dates).items():
            frames.append(
                pd.DataFrame(
                    {
                        "lsoa11cd": np.repeat(lsoas["lsoa11cd"].to_numpy(), len(dates)),
                        "month": np.tile(dates.to_numpy(), len(lsoas)),
                        "series": series,
                        "events": rng.poisson(mu).ravel(),
                        "population": 800,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True).assign(is_synthetic=True)


def test_every_chart_and_sentence_renders_escaped(project, llr):
    """The section's charts, tables and sentences render; names from YAML are escaped."""
    from hi_analysis import report
    from hi_analysis.logic_model import charts as lm_charts
    from hi_analysis.logic_model import diagram
    from hi_analysis.logic_model import text as say

    edit(project, HTN, lambda d: d.update(name="BP <script>alert(1)</script> checks"))
    system = load_system("llr")
    plan = load_plan(system)
    place = system.place("rutland")
    results = evaluate_place(plan, system, place, _small_extract(system))
    res = results[0]
    assert res.programme.name.startswith("BP <script>")
    page = report.chart_html(diagram.diagram(res, place=place.name))
    for d in res.deliveries:
        page += report.chart_html(lm_charts.delivery_chart(d, place=place.name, title="t"))
        assert "95% CI" in say.delivery_text(d, place.name)
    for mr in res.measures:
        assert mr.its.estimable
        page += report.chart_html(lm_charts.its_chart(mr, place=place.name, title="t"))
        assert "Verdict:" in say.its_text(mr, place.name, "its")
    page += report.chart_html(
        lm_charts.gap_chart(
            res.equity, place=place.name, title="t", start=pd.Timestamp("2021-10-01")
        )
    )
    page += report.chart_html(
        lm_charts.targets_vs_objective(res.measures, place=place.name, title="t")
    )
    assert "<script>" not in page and "BP &lt;script&gt;" in page
    assert page.count("<img ") == 2 + len(res.deliveries) + len(res.measures) + 1
    assert "slope index" in say.equity_text(res.equity, place.name)
    trend = say.context_trend("ft.93721", place)
    assert set(trend["area_name"]) == {"Rutland", "England"}
    page = report.chart_html(
        lm_charts.context_chart(trend, title="t", subtitle="Real", ylabel="y", name="n")
    )
    assert "OHID Fingertips (real" in page
    assert say.context_trend("ft.91112", system.place("leicestershire")).empty
