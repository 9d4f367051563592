"""Watch specs and render again what changed (``nnsvg render --watch``).

A :class:`Watcher` polls the stat data of each job's spec and of the files its
figure is made from (theme chain, weights, images: :func:`watched_files`) and
hands the jobs whose files changed to :func:`~nnsvg.batch.run_jobs`, whose output
keys then decide whether anything is drawn again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnsvg.batch import Job, JobResult, Report, job_inputs, run_jobs

__all__ = ["Watcher", "watched_files"]


def watched_files(job: Job) -> list[Path]:
    """The files whose change may change ``job``'s figure: the spec, and when it loads
    its theme chain, weight files and images."""
    inputs = job_inputs(job)
    if inputs is None:
        return [job.spec]
    return [item.path for item in inputs if item.path is not None]


def _signature(paths: Sequence[Path]) -> tuple[Any, ...]:
    """Cheap change detection: stat data of each file (the content hash decides later)."""
    found: list[Any] = []
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            found.append((str(path), None))
            continue
        found.append((str(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
    return tuple(found)


@dataclass
class _Watched:
    job: Job
    files: list[Path]
    signature: tuple[Any, ...]


class Watcher:
    """Re-renders a job when its spec or one of the files it is made from changes.

    ``make_jobs`` gives the jobs to watch now (called on every poll, so a watched
    folder's new specs join in). :meth:`start` renders what is out of date;
    each :meth:`poll` checks the files' stat data and renders the jobs whose files
    changed, in this process; their output keys decide whether anything is drawn.
    """

    def __init__(
        self,
        make_jobs: Callable[[], Sequence[Job]],
        report: Report,
        *,
        workers: int = 1,
        force: bool = False,
    ) -> None:
        self._make_jobs = make_jobs
        self._report = report
        self._workers = workers
        self._force = force
        self._watched: dict[Path, _Watched] = {}

    def start(self) -> list[JobResult]:
        jobs = list(self._make_jobs())
        return self._render(jobs, self._workers, self._force)

    def poll(self) -> list[JobResult]:
        jobs = list(self._make_jobs())
        specs = {job.spec for job in jobs}
        for spec in list(self._watched):
            if spec not in specs:
                del self._watched[spec]
        changed = []
        for job in jobs:
            seen = self._watched.get(job.spec)
            if seen is None or seen.job != job or _signature(seen.files) != seen.signature:
                changed.append(job)
        return self._render(changed, 1, False) if changed else []

    def _render(self, jobs: list[Job], workers: int, force: bool) -> list[JobResult]:
        # The stat data is taken before rendering: a change made during the render is
        # seen by the next poll.
        for job in jobs:
            files = watched_files(job)
            self._watched[job.spec] = _Watched(job, files, _signature(files))
        return run_jobs(jobs, workers, force, self._report)
