"""Measurements that need a fresh process: cold start, peak RSS and the matmul peak probe.

Why a child process: a warm parent has the libraries imported, the files in its allocator and
the thread pools started, so neither "process start to first result" nor "peak memory of this
variant" can be read there; and BLAS fixes its thread count when numpy is first imported, so the
single- and all-thread matmul peaks need their own processes with the thread variables set.

    python -m benchmarks.child subject SPEC.json   # prints FIRST, then RESULT {json}
    python -m benchmarks.child matmul N SECONDS     # prints RESULT {json}

A set of artifact variants loaded in one process (what a hardware profile budgets) is the build's
measurement too: ``python -m edge.measurement together SPEC.json`` (edge/measurement.py, with the
memory readings and the protocol used here).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before any heavy import: this is what a cold start pays

import json  # noqa: E402
import sys  # noqa: E402

from edge.measurement import (  # noqa: E402
    FIRST,
    RESULT,
    import_runtime,
    peak_rss_bytes,
    rss_bytes,
)


def subject(spec_path: str) -> dict:
    """Import, load, answer one text (the cold start), then run one batch (the peak RSS).

    The runtime is imported first (``import_runtime``), so ``runtime_baseline_bytes`` is the
    libraries' resident set and the peak above it the model's: what a hardware profile budgets.
    """
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    from benchmarks.runners import open_subject

    import_runtime([spec["subject"]])
    imported = time.perf_counter()
    rss_imports = peak_rss_bytes()
    baseline = rss_bytes()
    subj = open_subject(spec["subject"])
    subj.set_threads(spec["threads"])
    loaded = time.perf_counter()
    subj.run(spec["texts"][:1], 1)
    first = time.perf_counter()
    print(FIRST, flush=True)
    subj.run(spec["texts"], len(spec["texts"]))
    batch = time.perf_counter()
    return {
        "import_s": imported - STARTED,
        "load_s": loaded - imported,
        "first_result_s": first - loaded,
        "batch_s": batch - first,
        "batch_size": len(spec["texts"]),
        "rss_after_imports_bytes": rss_imports,
        "runtime_baseline_bytes": baseline,
        "peak_rss_bytes": peak_rss_bytes(),
    }


def matmul(n: int, seconds: float) -> dict:
    """Best float32 GFLOP/s of an n×n matmul, repeated for about ``seconds`` after a warm-up."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    best = float("inf")
    deadline = time.perf_counter() + seconds
    reps = 0
    while reps < 3 or time.perf_counter() < deadline:
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
        reps += 1
    try:  # which BLAS numpy uses: the peak is that library's, not necessarily the silicon's
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = " ".join(str(blas.get(k, "")) for k in ("name", "version")).strip()
    except Exception:  # show_config's layout differs between numpy versions
        blas = None
    return {"n": n, "reps": reps, "best_s": best, "gflops": 2 * n**3 / best / 1e9, "blas": blas}


def main(argv: list[str]) -> None:
    if argv[:1] == ["subject"] and len(argv) == 2:
        out = subject(argv[1])
    elif argv[:1] == ["matmul"] and len(argv) == 3:
        out = matmul(int(argv[1]), float(argv[2]))
    else:
        raise SystemExit(__doc__)
    print(RESULT + json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
