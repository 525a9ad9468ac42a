"""Timing loops: per-text latency and batched throughput of one opened subject.

Why these shapes: an on-device caller mostly sends one text and waits (latency percentiles,
where p95/p99 are what a user notices), while an offline job sends many (texts per second at a
batch size). Both go through the same public call as a user's code, warm (after a warm-up), with
the garbage collector run before each loop so one variant's garbage is not timed in the next.
"""

from __future__ import annotations

import gc
import math
import time

import numpy as np

from benchmarks.runners import Subject


def percentiles(samples_ms: list[float]) -> dict:
    a = np.asarray(samples_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "mean": float(a.mean()),
        "min": float(a.min()),
        "max": float(a.max()),
        "n": len(samples_ms),
    }


def time_latency(subject: Subject, texts: list[str], iterations: int, warmup: int) -> list[float]:
    """Milliseconds per call for one text at a time, cycling through ``texts``."""
    for i in range(warmup):
        subject.run([texts[i % len(texts)]], 1)
    gc.collect()
    samples = []
    clock = time.perf_counter
    for i in range(iterations):
        text = texts[i % len(texts)]
        t0 = clock()
        subject.run([text], 1)
        samples.append((clock() - t0) * 1000.0)
    return samples


def batch_of(texts: list[str], size: int) -> list[str]:
    """``size`` texts from the pool, cycling if the pool is smaller."""
    return [texts[i % len(texts)] for i in range(size)]


def time_throughput(subject: Subject, texts: list[str], batch_size: int, iterations: int) -> dict:
    """Texts per second with ``batch_size`` texts per call; about ``iterations`` texts in all
    (at least two calls), so each batch size costs roughly the same time to measure."""
    batch = batch_of(texts, batch_size)
    subject.run(batch, batch_size)  # warm-up: first call of a shape allocates
    calls = max(2, math.ceil(iterations / batch_size))
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(calls):
        subject.run(batch, batch_size)
    seconds = time.perf_counter() - t0
    return {
        "texts_per_s": batch_size * calls / seconds,
        "ms_per_batch": 1000.0 * seconds / calls,
        "calls": calls,
        "seconds": seconds,
    }
