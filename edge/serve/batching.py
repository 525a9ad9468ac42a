"""Micro-batching: concurrent requests for one model become one call of its list API.

Why a thread per model and not the event loop: inference holds the CPU for milliseconds, and
the loop must keep reading requests and answering /health meanwhile. onnxruntime releases the
GIL while it runs, so the loop stays responsive.

How a batch forms: the worker takes the oldest job, then every job already queued, up to
``max_batch`` texts. It waits up to ``max_wait`` for more only while the service is under
concurrent load (the previous batch held more than one job): one client at a time must not pay
the wait, and under load the jobs that arrive while a batch runs are queued anyway.

The queue is bounded in texts (``max_queue``): ``submit`` refuses at once with ``Overloaded``
(the service answers 503 + Retry-After) instead of letting latency grow without bound.
``close`` stops new work and lets the worker finish everything already queued (graceful drain).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class Overloaded(Exception):
    """The model's queue is full: retry after ``retry_after`` seconds."""

    def __init__(self, model: str, queued: int, limit: int, retry_after: int = 1):
        super().__init__(
            f"model {model!r} has {queued} texts queued (limit {limit}); retry after "
            f"{retry_after} s or raise --max-queue"
        )
        self.retry_after = retry_after
        self.limit = limit


class Closed(Exception):
    """The service is shutting down and takes no new work."""


@dataclass
class _Job:
    texts: list[str]
    options: Any
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    queued_at: float = field(default_factory=time.perf_counter)


RunBatch = Callable[[list[str], list[Any]], list[Any]]
"""``run(texts, per_text_options) -> one result per text``: the model's list API, called on the
worker thread with every queued job's texts concatenated."""

BatchObserver = Callable[[int, int, float], None]
"""Called after each batch with (texts, jobs, seconds): the metrics' hook."""


def _deliver(fut: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if fut.done():  # the request timed out or its client went away
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(result)


def _post(job: _Job, result: Any, error: BaseException | None) -> None:
    # RuntimeError: the loop is gone (process ending): nobody is waiting.
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(_deliver, job.future, result, error)


class MicroBatcher:
    """One worker thread that runs ``run`` over batches gathered from concurrent requests."""

    def __init__(
        self,
        name: str,
        run: RunBatch,
        *,
        max_batch: int = 32,
        max_wait: float = 0.002,
        max_queue: int = 256,
        observe: BatchObserver | None = None,
    ):
        self.name = name
        self._run = run
        self.max_batch = max(1, max_batch)
        self.max_wait = max(0.0, max_wait)
        self.max_queue = max(1, max_queue)
        self._observe = observe
        self._jobs: collections.deque[_Job] = collections.deque()
        self._queued_texts = 0
        self._cond = threading.Condition()
        self._closing = False
        self._last_jobs = 1
        self._warm_ups: list[tuple[list[str], Any]] = []  # (texts, options) to run first
        self._thread = threading.Thread(target=self._work, name=f"edge-batch-{name}", daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        """Texts waiting for the worker (not counting the batch it is running)."""
        return self._queued_texts

    def submit(self, texts: Sequence[str], options: Any = None) -> asyncio.Future:
        """Queue ``texts`` (one request's) and return the future of their results, in order.

        Called on the event loop. Raises ``Overloaded`` when the queue would pass
        ``max_queue`` texts, ``Closed`` once ``close`` was called. A request larger than the
        whole queue is still taken when the queue is empty (the request limits bound it).
        """
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        job = _Job(list(texts), options, loop, fut)
        with self._cond:
            if self._closing:
                raise Closed(f"model {self.name!r} is shutting down")
            if self._queued_texts and self._queued_texts + len(job.texts) > self.max_queue:
                raise Overloaded(self.name, self._queued_texts, self.max_queue)
            self._jobs.append(job)
            self._queued_texts += len(job.texts)
            self._cond.notify()
        return fut

    def warm_up(self, texts: list[str], options: Any = None) -> None:
        """Run the model on ``texts`` on the worker before its next batch (requests queue
        meanwhile), answering no one. Its failure is ignored: a real request would meet the
        same error and answer it."""
        with self._cond:
            self._warm_ups.append((list(texts), options))
            self._cond.notify()

    def _take(self) -> list[_Job] | None:
        """The next batch of jobs ([] when woken for a warm-up; None once closed and drained)."""
        with self._cond:
            while not self._jobs:
                if self._warm_ups:
                    return []
                if self._closing:
                    return None
                self._cond.wait()
            batch = [self._jobs.popleft()]
            size = len(batch[0].texts)
            deadline = time.perf_counter() + self.max_wait if self._last_jobs > 1 else 0.0
            while size < self.max_batch:
                if self._jobs:
                    if size + len(self._jobs[0].texts) > self.max_batch:
                        break
                    job = self._jobs.popleft()
                    batch.append(job)
                    size += len(job.texts)
                    continue
                left = deadline - time.perf_counter()
                if left <= 0 or self._closing:
                    break
                self._cond.wait(left)
            self._queued_texts -= size
            self._last_jobs = len(batch)
            return batch

    def _work(self) -> None:
        while True:
            with self._cond:
                warm_ups, self._warm_ups = self._warm_ups, []
            for texts, options in warm_ups:
                with contextlib.suppress(Exception):
                    self._run(texts, [options] * len(texts))
            batch = self._take()
            if batch is None:
                return
            if not batch:
                continue
            live = [j for j in batch if not j.future.done()]  # skip requests that timed out
            if not live:
                continue
            texts = [t for j in live for t in j.texts]
            options = [j.options for j in live for _ in j.texts]
            t0 = time.perf_counter()
            try:
                results = self._run(texts, options)
            except Exception:
                # One request's failure must not fail its neighbours: run each job alone.
                for j in live:
                    self._finish_alone(j)
            else:
                pos = 0
                for j in live:
                    _post(j, results[pos : pos + len(j.texts)], None)
                    pos += len(j.texts)
            if self._observe is not None:
                self._observe(len(texts), len(live), time.perf_counter() - t0)

    def _finish_alone(self, job: _Job) -> None:
        try:
            part = self._run(job.texts, [job.options] * len(job.texts))
        except Exception as e:
            _post(job, None, e)
        else:
            _post(job, part, None)

    def close(self, timeout: float | None = None) -> None:
        """Take no new jobs, finish the queued ones, stop the worker."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)
