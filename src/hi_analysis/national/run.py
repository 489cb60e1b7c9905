"""Build many systems' books at once on Dask (``hi-analysis build --all``).

One Dask task per system calls :func:`hi_analysis.pipeline.build` exactly as
``hi-analysis build --system X`` does (same per-system lock, same validation, same
atomic publish). By default a :class:`dask.distributed.LocalCluster` of ``workers``
single-threaded worker processes is started; ``scheduler="tcp://host:port"`` uses an
existing cluster instead, so the same command scales from a laptop to a cluster. The
workers must see the same project folder (``HI_ANALYSIS_ROOT``) and installed package.

Progress is reported per system as each finishes; a system's failure is one line and
never stops the others.

Examples
--------
>>> SystemOutcome("llr", ok=False, error="bad input").line()
'llr: FAILED: bad input'
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class SystemOutcome:
    """What one system's build did (returned by the Dask task; picklable)."""

    system_id: str
    ok: bool
    index: str | None = None
    seconds: float = 0.0
    places: int = 0
    ran: int = 0
    error: str = ""
    worker: str = ""
    stages: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        """One line for the progress report."""
        if not self.ok:
            return f"{self.system_id}: FAILED: {self.error}"
        where = self.index or "notebooks refreshed (partial run: not published)"
        return f"{self.system_id}: built in {self.seconds:.1f} s ({self.places} places): {where}"


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no detail"


def build_one(
    system_id: str,
    jobs: int = 1,
    force: bool = False,
    wait: float = 900.0,
    chapters: Sequence[str] | None = None,
) -> SystemOutcome:
    """Build one system's book; never raises (the error becomes one line).

    This is the Dask task. It runs in a worker process.
    """
    from hi_analysis.config import load_system
    from hi_analysis.errors import HiAnalysisError
    from hi_analysis.pipeline import BuildRequest, build

    start = time.perf_counter()
    worker = f"pid {os.getpid()}"
    try:
        places = len(load_system(system_id).places)
        outcome = build(
            BuildRequest(
                system_id=system_id,
                jobs=jobs,
                force=force,
                quiet=True,
                wait=wait,
                chapters=chapters,
                keep_workers=True,  # the next system on this worker reuses the warm kernel
            ),
            say=lambda _m: None,
        )
    except HiAnalysisError as exc:
        return SystemOutcome(
            system_id,
            False,
            error=_one_line(str(exc)),
            seconds=time.perf_counter() - start,
            worker=worker,
        )
    except Exception as exc:  # noqa: BLE001 - one system's failure must not stop the others
        return SystemOutcome(
            system_id,
            False,
            error=f"unexpected {type(exc).__name__}: {_one_line(str(exc))}",
            seconds=time.perf_counter() - start,
            worker=worker,
        )
    return SystemOutcome(
        system_id,
        True,
        index=str(outcome.index) if outcome.index else None,
        seconds=outcome.seconds,
        places=places,
        ran=outcome.ran,
        worker=worker,
        stages=dict(outcome.stages),
    )


def build_systems(
    system_ids: Sequence[str],
    *,
    workers: int = 2,
    scheduler: str | None = None,
    jobs: int = 1,
    force: bool = False,
    wait: float = 900.0,
    chapters: Sequence[str] | None = None,
    say: Callable[[str], None] = print,
) -> list[SystemOutcome]:
    """Build every listed system on Dask; return one outcome per system (input order).

    Parameters
    ----------
    system_ids
        Systems to build (folders under ``parameters/``).
    workers
        Worker processes of the local cluster (ignored with ``scheduler``).
    scheduler
        Address of an existing Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    jobs
        Notebooks run at once inside each system's build (1 when the workers already
        use every core).
    """
    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    # A build runs its notebooks in a process pool, which a daemonic worker may not start.
    dask.config.set({"distributed.worker.daemon": False})
    logging.getLogger("distributed").setLevel(logging.ERROR)  # progress is ours, one line each

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    outcomes: dict[str, SystemOutcome] = {}
    try:
        futures = {
            client.submit(
                build_one, sid, jobs, force, wait, chapters, key=f"build-{sid}", pure=False
            ): sid
            for sid in system_ids
        }
        total = len(futures)
        for n, future in enumerate(as_completed(futures), start=1):
            sid = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: report, keep the rest
                outcome = SystemOutcome(
                    sid,
                    False,
                    error=f"worker lost: {type(exc).__name__}: {' '.join(str(exc).split())}",
                )
            outcomes[sid] = outcome
            say(f"[{n}/{total}] {outcome.line()}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [outcomes[s] for s in system_ids]
