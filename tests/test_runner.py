"""The runner: cache keys, publishable notebooks, and readable failures."""

import json

import nbformat
import pytest

from hi_analysis import runner


def _notebook(path, code):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell('place = "x"\nresults_path = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Page for {{place_name}}"),
        params,
        nbformat.v4.new_code_cell(code),
    ]
    nbformat.write(nb, path)


def _job(tmp_path, template):
    return runner.Job(
        system="t",
        place="x",
        place_name="Xtown",
        chapter="demo",
        template=template,
        output=tmp_path / "out" / "demo.ipynb",
        results=tmp_path / "res" / "demo.json",
        parameters={"place": "x", "results_path": str(tmp_path / "res" / "demo.json")},
    )


def test_plan_lists_one_job_per_place_and_chapter(llr):
    jobs = runner.plan(llr)
    assert [(j.place, j.chapter) for j in jobs] == [
        (p, c) for p in ("leicester", "leicestershire", "rutland") for c in llr.chapters
    ]
    assert llr.chapters == ["needs_analysis", "sii", "covid", "logic_model"]
    assert all(j.output.is_absolute() and j.results.is_absolute() for j in jobs)
    extracts = {j.chapter: j.extracts for j in jobs}
    assert extracts["needs_analysis"] == ()
    assert extracts["sii"] == (
        "registered_population", "deaths", "emergency_admissions", "ltc_register")
    assert extracts["covid"] == (
        "registered_population", "deaths", "vaccinations", "waiting_list", "gp_appointments")
    assert extracts["logic_model"] == ("programme_series",)
    with pytest.raises(ValueError, match="chapter 'nope' is not published"):
        runner.plan(llr, chapters=["nope"])


def test_cache_key_changes_with_inputs(tmp_path):
    t = tmp_path / "t.ipynb"
    _notebook(t, "1")
    job = _job(tmp_path, t)
    k = job.cache_key("code", "data")
    assert k == job.cache_key("code", "data")
    assert k != job.cache_key("code2", "data")
    assert k != job.cache_key("code", "data2")
    assert k != job.cache_key("code", "data", "extracts")
    _notebook(t, "2")
    assert k != job.cache_key("code", "data")


def test_run_executes_hides_parameters_and_then_caches(tmp_path):
    t = tmp_path / "t.ipynb"
    code = (
        "import json, pathlib\npathlib.Path(results_path).write_text(json.dumps({'place': place}))"
    )
    _notebook(t, code)
    job = _job(tmp_path, t)
    first = runner.run([job], workers=1)
    assert [r.status for r in first] == ["ran"], first[0].error
    nb = nbformat.read(job.output, as_version=4)
    assert nb.cells[0].source == "# Page for Xtown"
    tagged = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    assert any("injected-parameters" in t and "remove-cell" in t for t in tagged)
    assert any("parameters" in t and "remove-cell" in t for t in tagged)
    assert json.loads(job.results.read_text()) == {"place": "x"}
    second = runner.run([job], workers=1)
    assert [r.status for r in second] == ["cached"]
    third = runner.run([job], workers=1, force=True)
    assert [r.status for r in third] == ["ran"]


def test_failure_names_chapter_place_cell_and_error(tmp_path):
    t = tmp_path / "t.ipynb"
    _notebook(t, "raise ValueError('column imd_decile has bad rows 3, 4')")
    job = _job(tmp_path, t)
    [res] = runner.run([job], workers=1)
    assert res.status == "failed"
    assert res.error == (
        "demo failed for place 'x', cell 3: ValueError: column imd_decile has bad rows 3, 4"
    )
    assert runner.cached_key(job.output) is None
