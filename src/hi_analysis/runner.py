"""Run the chapter notebooks for each place: papermill in a process pool, with a cache.

The unit of work is a :class:`Job` (one chapter for one place). An
:class:`Executor` turns a job into an executed notebook; the default is
:class:`PapermillExecutor`, which keeps one warm kernel per pool worker and
resets it before every notebook (:mod:`hi_analysis.kernel`). The executor is a
small protocol so a distributed executor can replace it later without touching
the rest of the pipeline.

A job is skipped when its output notebook already carries the same cache key:
a digest of the template, the parameters, every parameter input of the system
(the whole validated system and every file under ``parameters/<system>/``), the
package code, the data manifest and the record-level extracts the chapter reads. So a rerun with
nothing changed recomputes nothing, and a new extract re-runs exactly the
chapters that read it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Protocol

import nbformat

from hi_analysis.chapters import CHAPTERS
from hi_analysis.config import System
from hi_analysis.paths import build_dir, notebooks_dir
from hi_analysis.provenance import (
    code_fingerprint,
    data_fingerprint,
    extracts_fingerprint,
    system_fingerprint,
)
from hi_analysis.safeio import atomic_write_text, readable
from hi_analysis.text import escape_markdown

#: Cell tags that keep code and parameters off the published page.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters")
#: How a notebook being executed is named (an exclusive temporary file next to the output).
RUNNING_SUFFIX = ".running.ipynb"


@dataclass(frozen=True)
class Job:
    """One chapter notebook to run for one place."""

    system: str
    place: str
    place_name: str
    chapter: str
    template: Path
    output: Path
    results: Path
    parameters: dict[str, str] = field(default_factory=dict)
    extracts: tuple[str, ...] = ()
    #: Digest of every parameter input of the system (:func:`provenance.system_fingerprint`).
    inputs: str = ""

    @property
    def label(self) -> str:
        """Human-readable name used in progress and errors."""
        return f"{self.chapter} for {self.place_name} ({self.system}/{self.place})"

    def cache_key(self, code: str, data: str, extracts: str = "") -> str:
        """Digest of everything the output depends on."""
        h = hashlib.sha256()
        h.update(self.template.read_bytes())
        h.update(json.dumps(self.parameters, sort_keys=True).encode())
        h.update(self.place_name.encode())
        h.update(self.inputs.encode())
        h.update(code.encode())
        h.update(data.encode())
        h.update(extracts.encode())
        return h.hexdigest()


@dataclass(frozen=True)
class JobResult:
    """What happened to a job."""

    job: Job
    status: str  # "ran", "cached" or "failed"
    seconds: float
    error: str = ""


class Executor(Protocol):
    """Something that executes a job's notebook and writes ``job.output``."""

    def __call__(self, job: Job) -> None:
        """Execute the job, raising on failure."""


def _describe_failure(job: Job, exc: BaseException) -> str:
    cell = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f", cell {cell}" if cell is not None else ""
    first_line = str(evalue).strip().splitlines()[0] if str(evalue).strip() else ""
    return f"{job.chapter} failed for place {job.place!r}{where}: {ename}: {first_line}"


#: Environment of every kernel: no debugger file-validation warning, no Jupyter path notice.
QUIET_KERNEL_ENV = {
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}
#: Loggers of the Jupyter machinery that print transport chatter ("Kernel didn't respond").
QUIET_LOGGERS = ("papermill", "nbclient", "jupyter_client", "traitlets", "asyncio", "tornado")


def quiet_jupyter() -> None:
    """Silence the Jupyter transport warnings in this process and the kernels it starts.

    The progress bar is then the only thing an analyst sees; failures are still
    reported, in one line per notebook, from the job results.
    """
    import logging
    import warnings

    for name, value in QUIET_KERNEL_ENV.items():
        os.environ.setdefault(name, value)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="zmq")
    warnings.filterwarnings("ignore", module="jupyter_client")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


class _WarmKernel:
    """One ``python3`` kernel kept running in a pool worker and reused between notebooks."""

    #: The worker's kernel (one per process), started on first use.
    current: _WarmKernel | None = None

    def __init__(self, preload: bool):
        import subprocess

        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name="python3")
        run_sync(self.km.start_kernel)(
            extra_arguments=["--HistoryManager.enabled=False"],
            env={**os.environ, **QUIET_KERNEL_ENV},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._run(f"__import__('hi_analysis.kernel').kernel.prepare(preload={preload!r})")
        except BaseException:
            self.shutdown()
            raise

    def _run(self, code: str, timeout: float = 600) -> None:
        """Execute code silently (no history, no execution count) and wait for it."""
        kc = self.km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(
                code, silent=True, store_history=False, timeout=timeout, output_hook=lambda m: None
            )
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            pass
        if _WarmKernel.current is self:
            _WarmKernel.current = None

    @classmethod
    def get(cls, preload: bool) -> _WarmKernel:
        """The worker's kernel, started (and warmed up) when missing or dead."""
        import atexit

        kernel = cls.current
        if kernel is not None and not kernel.alive():
            kernel.shutdown()
            kernel = None
        if kernel is None:
            kernel = cls.current = cls(preload)
            atexit.register(kernel.shutdown)
        return kernel


def _warm_engine() -> str:
    """Register (once) the papermill engine that runs a notebook on a warm kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    name = "hi_analysis_warm"
    if name in papermill_engines._engines:
        return name

    class FinalSaveManager(NotebookExecutionManager):
        """Papermill's execution manager, writing the notebook once, when it completes.

        Papermill serialises (and schema-validates) the whole notebook before and after
        every cell, about 0.9 s per chapter notebook; the output is a temporary file
        that is renamed into place only when the notebook ran to the end
        (:meth:`PapermillExecutor.__call__`), so the intermediate saves served nobody.
        ``notebook_complete`` runs whether or not a cell failed, so a failed notebook
        is still written with its error for :func:`_describe_failure`.
        """

        final = False

        def save(self, **kwargs):
            if self.final:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.final = True
            super().notebook_complete(**kwargs)

    class WarmClient(PapermillNotebookClient):
        """Papermill's client, resetting the kernel's state before the first cell."""

        hi_cwd = "."

        def papermill_execute_cells(self) -> None:
            code = f"__import__('hi_analysis.kernel').kernel.reset({self.hi_cwd!r})"
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            reply = self.wait_for_reply(msg_id)
            if reply is None or reply["content"]["status"] != "ok":
                raise RuntimeError("could not reset the kernel before the notebook")
            super().papermill_execute_cells()

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):
            # Engine.execute_notebook with the final-save manager (same steps).
            nb_man = FinalSaveManager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            km=None,
            hi_cwd=".",
            **kwargs,
        ):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=cls_logger(),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = WarmClient(nb_man, km=km, **final)
            client.hi_cwd = hi_cwd
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    def cls_logger():
        import logging

        return logging.getLogger("papermill")

    papermill_engines.register(name, WarmEngine)
    return name


class PapermillExecutor:
    """Execute notebooks with papermill, by default on a warm kernel reused between jobs.

    Each pool worker keeps one ``python3`` kernel, warmed up once (the package
    and the shipped data imported and read: :func:`hi_analysis.kernel.prepare`)
    and reset before every notebook (:func:`hi_analysis.kernel.reset`: empty
    namespace, execution count 1, the job's working directory, matplotlib,
    warnings, environment and random state as after warm-up), so no notebook's
    output depends on what ran before it. The kernel dies with its worker, and
    the worker with the build.

    Parameters
    ----------
    timeout : int
        Seconds allowed per cell.
    reuse_kernel : bool
        Reuse a warm kernel (default); ``False`` starts a fresh kernel per notebook.
    preload : bool
        Read the shipped public data while warming a kernel up.
    """

    def __init__(self, timeout: int = 600, reuse_kernel: bool = True, preload: bool = True):
        self.timeout = timeout
        self.reuse_kernel = reuse_kernel
        self.preload = preload

    def warm_up(self) -> None:
        """Start this worker's kernel ahead of its first notebook (pool initialiser)."""
        if self.reuse_kernel:
            _WarmKernel.get(self.preload)

    def __call__(self, job: Job) -> None:
        """Execute ``job.template`` into ``job.output`` with the job's parameters.

        The notebook is written to an exclusively created temporary file next to
        the output and renamed over it only when it ran to the end.
        """
        job.output.parent.mkdir(parents=True, exist_ok=True)
        job.results.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{job.output.stem}.", suffix=RUNNING_SUFFIX, dir=job.output.parent
        )
        os.close(fd)
        tmp = Path(name)
        readable(tmp)
        try:
            self._execute(job, tmp)
            tmp.replace(job.output)
        finally:
            tmp.unlink(missing_ok=True)

    def _execute(self, job: Job, tmp: Path) -> None:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        quiet_jupyter()
        common = dict(
            parameters=job.parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(job.output.parent),
            execution_timeout=self.timeout,
            log_output=False,
        )
        for attempt in (1, 2):
            try:
                if self.reuse_kernel:
                    kernel = _WarmKernel.get(self.preload)
                    try:
                        pm.execute_notebook(
                            str(job.template),
                            str(tmp),
                            engine_name=_warm_engine(),
                            km=kernel.km,
                            hi_cwd=str(job.output.parent),
                            **common,
                        )
                    except PapermillExecutionError:
                        raise
                    except BaseException:  # timeout, dead kernel: never reuse it
                        kernel.shutdown()
                        raise
                else:
                    pm.execute_notebook(str(job.template), str(tmp), **common)
                break
            except PapermillExecutionError:
                raise
            except RuntimeError:  # kernel failed to start (port race): retry once
                if attempt == 2:
                    raise


def finish_notebook(path: Path, *, cache_key: str, replacements: dict[str, str]) -> None:
    """Make an executed notebook publishable.

    Hides the parameters and papermill's injected-parameters cells (``remove-cell``),
    fills ``{{name}}`` placeholders in Markdown cells (titles per place) with the values
    escaped as plain text (:func:`hi_analysis.text.escape_markdown`), and records
    the cache key in the notebook metadata.
    """
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if any(t in tags for t in HIDDEN_CELL_TAGS) and "remove-cell" not in tags:
            tags.append("remove-cell")
        if cell.cell_type == "markdown":
            for key, value in replacements.items():
                cell.source = cell.source.replace("{{" + key + "}}", escape_markdown(value))
    nb.metadata.setdefault("hi_analysis", {})["cache_key"] = cache_key
    atomic_write_text(path, nbformat.writes(nb))


def cached_key(path: Path) -> str | None:
    """The cache key of an executed notebook, if it exists and ran without error."""
    if not path.is_file():
        return None
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # unreadable: treat as absent
        return None
    if nb.metadata.get("papermill", {}).get("exception"):
        return None
    return nb.metadata.get("hi_analysis", {}).get("cache_key")


def _die_with_parent(parent: int) -> None:
    """Pool-worker initialiser: end this worker (and so its kernel) when the build dies.

    On Linux the kernel delivers SIGKILL when the parent exits
    (``PR_SET_PDEATHSIG``); a watchdog thread covers other systems. Kernels
    started by the worker exit on their own when their parent goes (ipykernel's
    parent poller).
    """
    import signal
    import threading

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before we got here
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(parent: int, executor: Executor) -> None:
    """Pool-worker initialiser: die with the build, keep Jupyter quiet, warm a kernel up."""
    _die_with_parent(parent)
    quiet_jupyter()
    warm_up = getattr(executor, "warm_up", None)
    if warm_up is not None:
        try:
            warm_up()
        except Exception:  # the first job starts the kernel again and reports any error
            pass


def remove_stale_runs(jobs: Iterable[Job]) -> None:
    """Delete half-written notebooks left by a killed build (call under the system lock)."""
    for folder in {j.output.parent for j in jobs}:
        if folder.is_dir():
            for p in [*folder.glob("*" + RUNNING_SUFFIX), *folder.glob("*.running-*.ipynb")]:
                p.unlink(missing_ok=True)
            for p in folder.glob(".*.tmp"):
                p.unlink(missing_ok=True)


def _run_one(job: Job, executor: Executor, key: str) -> JobResult:
    start = time.perf_counter()
    try:
        executor(job)
        finish_notebook(job.output, cache_key=key, replacements={"place_name": job.place_name})
    except BaseException as exc:  # reported, not raised, so the pool carries on
        return JobResult(job, "failed", time.perf_counter() - start, _describe_failure(job, exc))
    return JobResult(job, "ran", time.perf_counter() - start)


def _template(chapter: str) -> Path:
    """The notebook template of a chapter (from the registry; else ``notebooks/<id>.ipynb``)."""
    if chapter in CHAPTERS:
        return CHAPTERS[chapter].template_path
    return notebooks_dir() / f"{chapter}.ipynb"


def plan(
    system: System, *, places: Sequence[str] | None = None, chapters: Sequence[str] | None = None
) -> list[Job]:
    """List the jobs for a system (optionally a subset of places and chapters)."""
    out_root = build_dir() / system.id
    chosen = [system.place(p) for p in places] if places else list(system.places)
    chaps = list(chapters) if chapters else list(system.chapters)
    for c in chaps:
        if c not in system.chapters:
            raise ValueError(
                f"chapter {c!r} is not published by system {system.id!r} "
                f"(chapters: {', '.join(system.chapters)})"
            )
    jobs = []
    for place in chosen:
        for chapter in chaps:
            results = out_root / "results" / place.id / f"{chapter}.json"
            jobs.append(
                Job(
                    system=system.id,
                    place=place.id,
                    place_name=place.name,
                    chapter=chapter,
                    template=_template(chapter),
                    output=out_root / "notebooks" / place.id / f"{chapter}.ipynb",
                    results=results,
                    parameters={
                        "system": system.id,
                        "place": place.id,
                        "results_path": str(results),
                    },
                    extracts=CHAPTERS[chapter].extracts if chapter in CHAPTERS else (),
                    inputs=system_fingerprint(
                        system, CHAPTERS[chapter].parameter_dirs if chapter in CHAPTERS else ()
                    ),
                )
            )
    return jobs


def current_keys(jobs: Sequence[Job]) -> list[str]:
    """The cache key each job's output must carry to be up to date."""
    code, data = code_fingerprint(), data_fingerprint()
    extract_keys: dict[tuple[str, tuple[str, ...]], str] = {}
    keys = []
    for job in jobs:
        ekey = (job.system, job.extracts)
        if ekey not in extract_keys:
            extract_keys[ekey] = extracts_fingerprint(job.system, job.extracts)
        keys.append(job.cache_key(code, data, extract_keys[ekey]))
    return keys


def outdated(jobs: Sequence[Job]) -> list[Job]:
    """The jobs whose executed notebook or results are missing or out of date."""
    return [
        job
        for job, key in zip(jobs, current_keys(jobs), strict=True)
        if cached_key(job.output) != key or not job.results.is_file()
    ]


def run(
    jobs: Iterable[Job],
    *,
    workers: int = 3,
    executor: Executor | None = None,
    force: bool = False,
    on_done: Callable[[JobResult], None] | None = None,
    keep_pool: bool = False,
) -> list[JobResult]:
    """Run jobs in a process pool; skip those whose cached output is current.

    Parameters
    ----------
    jobs : iterable of Job
        From :func:`plan`.
    workers : int
        Processes in the pool (3 suits a 2-core machine: kernels spend time starting).
    executor : Executor, optional
        How to execute a notebook (default :class:`PapermillExecutor`).
    force : bool
        Re-run even when the cache is current.
    on_done : callable, optional
        Called with each :class:`JobResult` as it completes (the CLI's progress bar).
    keep_pool : bool
        Keep the pool and its warm kernels for this process's next call (a national
        run's Dask worker builds one system after another); the default shuts it
        down. A kept pool is replaced when the size, executor or environment differs.

    Returns
    -------
    list of JobResult
        In the order of ``jobs``.
    """
    jobs = list(jobs)
    executor = executor or PapermillExecutor()
    keys = current_keys(jobs)
    results: dict[int, JobResult] = {}
    todo = []
    for i, (job, key) in enumerate(zip(jobs, keys, strict=True)):
        if not force and cached_key(job.output) == key and job.results.is_file():
            results[i] = JobResult(job, "cached", 0.0)
            if on_done:
                on_done(results[i])
        else:
            todo.append((i, job, key))
    if todo:
        remove_stale_runs(jobs)
        n = max(1, min(workers, len(todo)))
        pool = _kept_pool(n, executor) if keep_pool else _new_pool(n, executor)
        broken = False
        try:
            futures = {pool.submit(_run_one, job, executor, key): i for i, job, key in todo}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    broken = True
                    job = jobs[i]
                    res = JobResult(
                        job,
                        "failed",
                        0.0,
                        f"{job.chapter} failed for place {job.place!r}: the worker process "
                        "running it died (killed, or out of memory)",
                    )
                results[i] = res
                if on_done:
                    on_done(res)
        except BaseException:
            broken = True
            raise
        finally:
            if not keep_pool or broken:
                _KEPT_POOLS.pop(_pool_key(n, executor), None)
                pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(jobs))]


def _new_pool(n: int, executor: Executor) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=n,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(os.getpid(), executor),
    )


#: Pools kept between :func:`run` calls of one process (``keep_pool=True``), by key.
_KEPT_POOLS: dict[tuple, ProcessPoolExecutor] = {}


def _pool_key(n: int, executor: Executor) -> tuple:
    """What a kept pool's warm kernels depend on: size, executor settings, environment."""
    settings = tuple(sorted((k, repr(v)) for k, v in vars(executor).items()))
    return (n, type(executor).__qualname__, settings, tuple(sorted(os.environ.items())))


def _kept_pool(n: int, executor: Executor) -> ProcessPoolExecutor:
    """The pool kept in this process for ``(n, executor)``, started on first use.

    A pool started for another size, executor or environment is shut down first,
    so a kept kernel never runs with settings other than those it was warmed with.
    """
    import atexit

    key = _pool_key(n, executor)
    pool = _KEPT_POOLS.get(key)
    if pool is None:
        for old in list(_KEPT_POOLS):
            _KEPT_POOLS.pop(old).shutdown(wait=True, cancel_futures=True)
        pool = _KEPT_POOLS[key] = _new_pool(n, executor)
        atexit.register(pool.shutdown, wait=False, cancel_futures=True)
    return pool
