"""Measurements that need a fresh process: cold start, peak RSS and the matmul peak probe.

Why a child process: a warm parent has the libraries imported, the files in its allocator and
the thread pools started, so neither "process start to first result" nor "peak memory of this
variant" can be read there; and BLAS fixes its thread count when numpy is first imported, so the
single- and all-thread matmul peaks need their own processes with the thread variables set.

    python -m benchmarks.child subject SPEC.json   # prints FIRST, then RESULT {json}
    python -m benchmarks.child together SPEC.json  # prints FIRST, then RESULT {json}
    python -m benchmarks.child matmul N SECONDS     # prints RESULT {json}
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before any heavy import: this is what a cold start pays

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

FIRST = "FIRST"
RESULT = "RESULT "


def _proc_status_bytes(key: str) -> int | None:
    """A memory line of /proc/self/status (Linux) in bytes; None where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """High-water resident set of this process.

    Linux: VmHWM from /proc, which belongs to the address space exec created. Not ru_maxrss:
    Linux carries it over fork and exec, so a child of a big parent (one that loaded torch for
    the PyTorch peer) would report the parent's peak. macOS: ru_maxrss (bytes there); Windows:
    psutil's peak working set.
    """
    hwm = _proc_status_bytes("VmHWM")
    if hwm is not None:
        return hwm
    try:
        import resource
    except ImportError:  # Windows
        import psutil

        info = psutil.Process().memory_info()
        return int(getattr(info, "peak_wset", info.rss))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def rss_bytes() -> int:
    """Resident set of this process now (VmRSS on Linux; elsewhere psutil, if installed)."""
    rss = _proc_status_bytes("VmRSS")
    if rss is not None:
        return rss
    try:
        import psutil
    except ImportError:  # no better figure: the high-water mark so far
        return peak_rss_bytes()
    return int(psutil.Process().memory_info().rss)


def import_runtime(descs: list[dict]) -> list[str]:
    """Import what the subjects' runtime will, before any model is loaded; the names imported.

    So that the baseline read after this holds the libraries (numpy, tokenizers, edge, and per
    member format onnxruntime or llama.cpp, with its backend initialised; for PII the phone
    recognizer's phonenumbers, imported on the first text otherwise) and the RSS above it is the
    models' own: weights, sessions, arenas and the activations of their batch. onnxruntime alone
    is ~30 MB resident on import; without this it would be charged to the first ONNX model.
    """
    import numpy  # noqa: F401
    import tokenizers  # noqa: F401

    import edge
    from edge.manifest import read_manifest

    done = ["numpy", "tokenizers", "edge"]
    formats: set[str] = set()
    kinds: set[str] = set()
    for desc in descs:
        if desc.get("kind") != "edge":
            continue
        m = read_manifest(Path(desc["artifact"]))
        formats.add(m.variant(desc.get("variant")).format)
        kinds.add(m.task.kind)
    if "onnx" in formats:
        import edge.backends.onnx  # noqa: F401  (imports onnxruntime)

        done.append("onnxruntime")
    if "gguf" in formats:
        from edge.backends.gguf import load_llama_cpp

        load_llama_cpp()
        done.append("llama_cpp")
    if "token-classification" in kinds:
        try:
            import phonenumbers  # noqa: F401
        except ImportError:  # the phone recognizer is optional: then it is not loaded later
            pass
        else:
            done.append("phonenumbers")
    return done


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


def together(spec_path: str) -> dict:
    """Load every subject, then run one batch of each: the peak RSS of models that share a process.

    Why not add up ``subject`` runs: each pays the interpreter, numpy, onnxruntime and tokenizers
    once, so a device running PII and intent in one app would be charged for them twice. The spec
    is ``{"threads": N, "subjects": [{"subject": DESC, "texts": [...]}, ...], "latency": bool}``;
    with ``latency`` each subject's ``latency_texts`` (default: its ``texts``) are also timed one at
    a time after the peak is read and one warm-up pass (p50/p95 per subject).

    ``runtime_baseline_bytes`` is the resident set once every library the subjects use is
    imported (``import_runtime``) and before any model is loaded: ``peak_rss_bytes`` minus it is
    what the models (and their batch) add, the figure a hardware profile's budget is about.
    """
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    from benchmarks.runners import open_subject

    runtime = import_runtime([item["subject"] for item in spec["subjects"]])
    imported = time.perf_counter()
    rss_imports = peak_rss_bytes()
    baseline = rss_bytes()
    opened = []
    for item in spec["subjects"]:  # all resident before any runs: the app's steady state
        subj = open_subject(item["subject"])
        subj.set_threads(spec["threads"])
        opened.append((subj, item["texts"]))
    loaded = time.perf_counter()
    rss_loaded = peak_rss_bytes()
    for subj, texts in opened:
        subj.run(texts[:1], 1)
    print(FIRST, flush=True)
    for subj, texts in opened:
        subj.run(texts, len(texts))
    peak = peak_rss_bytes()
    out: dict = {
        "import_s": imported - STARTED,
        "load_s": loaded - imported,
        "runtime_imports": runtime,
        "rss_after_imports_bytes": rss_imports,
        "runtime_baseline_bytes": baseline,
        "rss_after_load_bytes": rss_loaded,
        "peak_rss_bytes": peak,
        "subjects": [],
    }
    for (subj, texts), item in zip(opened, spec["subjects"], strict=True):
        model = subj.task_model
        row = {
            "name": subj.desc.get("name"),
            "variant": getattr(model, "variant", None),
            "kind": model.task.kind if model is not None else None,
            "batch_size": len(texts),
        }
        if spec.get("latency"):
            timed = item.get("latency_texts") or texts
            for text in timed:  # warm-up: llama.cpp and onnxruntime size buffers per length
                subj.run([text], 1)
            times = []
            for text in timed:
                t0 = time.perf_counter()
                subj.run([text], 1)
                times.append(1000 * (time.perf_counter() - t0))
            times.sort()
            row["latency_ms_p50"] = times[len(times) // 2]
            row["latency_ms_p95"] = times[min(len(times) - 1, int(0.95 * len(times)))]
        out["subjects"].append(row)
    return out


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
    elif argv[:1] == ["together"] and len(argv) == 2:
        out = together(argv[1])
    elif argv[:1] == ["matmul"] and len(argv) == 3:
        out = matmul(int(argv[1]), float(argv[2]))
    else:
        raise SystemExit(__doc__)
    print(RESULT + json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
