"""The runner: cache keys, publishable notebooks, and readable failures."""

import ast
import inspect
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
        "registered_population",
        "deaths",
        "emergency_admissions",
        "ltc_register",
    )
    assert extracts["covid"] == (
        "registered_population",
        "deaths",
        "vaccinations",
        "waiting_list",
        "gp_appointments",
    )
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


# ----------------------------------------------------------------------------- warm kernels
_LEAKY = """
import os, random, sys, warnings
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
leak = 42
matplotlib.rcParams["lines.linewidth"] = 9.0
os.environ["HI_LEAK"] = "1"
sys.path.append("/leaked")
warnings.simplefilter("error")
plt.figure()
random.seed(1)
np.random.seed(1)
open("pid-a", "w").write(str(os.getpid()))
os.chdir("/")
leak
"""

_PROBE = """
import os, sys, warnings
import matplotlib
import matplotlib.pyplot as plt
open("pid-b", "w").write(str(os.getpid()))
user = sorted(k for k in globals() if not k.startswith("_") and k not in {"In", "Out", "exit",
              "quit", "get_ipython", "open"})
state = {
    "names": user,
    "rc": matplotlib.rcParams["lines.linewidth"],
    "env": os.environ.get("HI_LEAK"),
    "leaked_path": "/leaked" in sys.path,
    "errors_on_warning": any(f[0] == "error" for f in warnings.filters),
    "figures": plt.get_fignums(),
    "cwd_is_output_folder": os.path.basename(os.getcwd()),
}
state
"""


def _probe_job(tmp_path, name, code):
    t = tmp_path / f"{name}.ipynb"
    _notebook(t, code)
    return runner.Job(
        system="t",
        place="x",
        place_name="Xtown",
        chapter=name,
        template=t,
        output=tmp_path / "out" / f"{name}.ipynb",
        results=tmp_path / "res" / f"{name}.json",
        parameters={"place": "x", "results_path": ""},
    )


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [(c.get("execution_count"), c.get("outputs")) for c in nb.cells if c.cell_type == "code"]


def test_a_warm_kernel_gives_the_output_of_a_fresh_one(tmp_path):
    """Notebook A pollutes its kernel; B run after it on the same warm kernel sees none of it.

    One pool worker (so one kernel) runs A then B; B alone on a fresh kernel must give
    identical outputs and execution counts. About 10-20 s (two kernels start).
    """
    a = _probe_job(tmp_path, "a", _LEAKY)
    b = _probe_job(tmp_path, "b", _PROBE)
    warm = runner.run([a, b], workers=1, executor=runner.PapermillExecutor(preload=False))
    assert [r.status for r in warm] == ["ran", "ran"], [r.error for r in warm]
    assert _outputs(a.output)[-1][0] == 3  # A ran to its last cell, polluting the kernel
    after_a = _outputs(b.output)
    out = tmp_path / "out"
    assert (out / "pid-a").read_text() == (out / "pid-b").read_text()  # one kernel ran both
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    b_alone = _probe_job(fresh_dir, "b", _PROBE)
    [res] = runner.run([b_alone], workers=1, executor=runner.PapermillExecutor(reuse_kernel=False))
    assert res.status == "ran", res.error
    assert after_a == _outputs(b_alone.output)
    state = ast.literal_eval(after_a[-1][1][0]["data"]["text/plain"])
    assert "leak" not in state["names"] and "place" in state["names"]
    assert state["rc"] == 1.5 and state["env"] is None and not state["leaked_path"]
    assert state["figures"] == [] and state["cwd_is_output_folder"] == "out"


# ----------------------------------------------------------------------------- plug-ins
def test_a_new_chapter_is_one_registry_entry(llr, tmp_path, monkeypatch):
    """Register a throwaway chapter (a notebook in tmp): the runner plans and runs it.

    Nothing in the runner changes; about 5-10 s (one kernel).
    """
    from hi_analysis import chapters

    template = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell('system = "llr"\nplace = "leicester"\nresults_path = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny chapter: {{place_name}}"),
        params,
        nbformat.v4.new_code_cell(
            "from hi_analysis import report\n"
            "from hi_analysis.results import KeyResult\n"
            "if results_path:\n"
            "    report.write_results(results_path, {'key_results': [KeyResult(\n"
            "        chapter='tiny', id='answer', label='The answer', value=42.0,\n"
            "        lower=41.0, upper=43.0, unit='count', synthetic=False,\n"
            "        period='2025').to_dict()]})"
        ),
    ]
    nbformat.write(nb, template)
    entry = chapters.Chapter(
        id="tiny",
        title="Tiny",
        extracts=("deaths",),
        summary="A throwaway chapter.",
        key_results=("answer",),
        template=template,
    )
    monkeypatch.setitem(chapters.CHAPTERS, "tiny", entry)
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "build"))
    system = llr.model_copy(update={"chapters": [*llr.chapters, "tiny"]})
    jobs = runner.plan(system, places=["rutland"], chapters=["tiny"])
    [job] = jobs
    assert (job.chapter, job.template, job.extracts) == ("tiny", template, ("deaths",))
    assert job.output == tmp_path / "build" / "llr" / "notebooks" / "rutland" / "tiny.ipynb"
    [res] = runner.run(jobs, workers=1)
    assert res.status == "ran", res.error
    saved = json.loads(job.results.read_text())
    assert [r["id"] for r in saved["key_results"]] == ["answer"]
    assert all(entry.declares(r["id"]) for r in saved["key_results"])
    title = nbformat.read(job.output, as_version=4).cells[0].source
    assert title == "# Tiny chapter: Rutland"
    assert runner.outdated(jobs) == []


def test_every_key_result_written_is_declared_by_its_chapter(built_book):
    """The registry's key_results say what each chapter writes (where declared)."""
    from hi_analysis.chapters import CHAPTERS

    checked = 0
    for chapter in CHAPTERS.values():
        if not chapter.key_results:
            continue
        for place in ("leicester", "leicestershire", "rutland"):
            written = built_book.results(place, chapter.id).get("key_results", [])
            undeclared = [r["id"] for r in written if not chapter.declares(r["id"])]
            assert not undeclared, f"{chapter.id} writes undeclared key results {undeclared}"
            checked += len(written)
    assert checked > 0


def test_every_registered_chapter_has_a_compute_entry_point():
    """The benchmark's floor and the notebooks share one compute function per chapter."""
    import importlib

    from hi_analysis.chapters import CHAPTERS

    for chapter in CHAPTERS.values():
        module, _, name = chapter.compute.partition(":")
        function = getattr(importlib.import_module(module), name)
        assert list(inspect.signature(function).parameters)[:3] == ["system", "place", "extracts"]
        assert chapter.extract_scope in ("place", "system")
        assert chapter.template_path.is_file()


class _PidExecutor:
    """Writes an empty notebook recording which pool worker process ran it (no kernel)."""

    def __call__(self, job):
        import os

        job.output.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.v4.new_notebook()
        nb.metadata["worker_pid"] = os.getpid()
        nbformat.write(nb, job.output)


def test_a_kept_pool_serves_the_next_run_until_the_environment_changes(tmp_path, monkeypatch):
    """A national run's Dask worker keeps its notebook worker (and warm kernel) between
    systems; a changed environment or a run without ``keep_pool`` never reuses it."""
    template = tmp_path / "t.ipynb"  # read for the cache key, not executed
    _notebook(template, "pass")
    job = _job(tmp_path, template)
    ex = _PidExecutor()

    def worker(keep):
        [res] = runner.run([job], workers=1, executor=ex, force=True, keep_pool=keep)
        assert res.status == "ran", res.error
        return nbformat.read(job.output, as_version=4).metadata["worker_pid"]

    try:
        first = worker(True)
        assert worker(True) == first  # the same worker process served the second run
        assert len(runner._KEPT_POOLS) == 1
        monkeypatch.setenv("HI_ANALYSIS_POOL_TEST", "changed")
        second = worker(True)
        assert second != first  # warmed with another environment: replaced
        assert len(runner._KEPT_POOLS) == 1
        third = worker(False)
        assert third not in (first, second)  # a plain run starts and stops its own pool
        assert runner._KEPT_POOLS == {}
    finally:
        for pool in runner._KEPT_POOLS.values():
            pool.shutdown()
        runner._KEPT_POOLS.clear()
