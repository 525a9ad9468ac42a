"""The machine the benchmark ran on, and its measured float32 matmul peak.

Why measure the peak rather than compute it from a spec sheet: the same core model gives very
different numbers under a laptop's power limits, in a VM or with a busy neighbour, and what a
model can reach is bounded by what this machine delivers now. The probe is numpy's float32
matmul (the BLAS it ships), a fair stand-in for the dense GEMMs a BERT spends its time in. Int8
kernels (VNNI, dot-product instructions) can go past the float32 peak; the report says so.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

from edge.errors import EdgeError

CHILD = "benchmarks.child"
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


class ChildError(EdgeError):
    """A measuring subprocess failed; the report records why and goes on."""


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask in a container), not the host's total."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True
            )
            return out.stdout.strip() or platform.processor()
        except OSError:
            pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        try:
            return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict:
    mem = _memory_bytes()
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpus_usable": cpu_count(),
        "cpus_logical": os.cpu_count(),
        "memory_mb": round(mem / 2**20) if mem else None,
        "python": platform.python_version(),
        "versions": {
            d: _version(d)
            for d in ("edge", "numpy", "onnxruntime", "llama-cpp-python", "torch", "tokenizers")
        },
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def child_env(threads: int | None = None) -> dict[str, str]:
    """The environment for a child: this project importable, BLAS threads pinned if asked."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if threads is not None:
        for var in THREAD_VARS:
            env[var] = str(threads)
    return env


def spawn(args: list[str], *, threads: int | None = None, timeout: float = 900) -> dict:
    """Run ``python -m benchmarks.child ARGS``; returns its RESULT plus ``first_result_wall_s``:
    seconds from just before the process was started to its FIRST line (None if it printed
    none). A failure raises ChildError with the tail of its stderr."""
    from benchmarks.child import FIRST, RESULT

    first: float | None = None
    result: dict | None = None
    # stderr goes to a file, not a pipe: a chatty child (torch warnings) must not block on a full
    # pipe while we read stdout; the timer kills a hung child so the loop below ends.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", CHILD, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=child_env(threads),
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.rstrip("\n") == FIRST and first is None:
                    first = time.perf_counter() - started
                elif line.startswith(RESULT):
                    result = json.loads(line[len(RESULT) :])
            proc.wait()
        finally:
            timer.cancel()
        err.seek(0)
        tail = " | ".join(err.read().strip().splitlines()[-3:])
    if proc.returncode != 0 or result is None:
        why = (
            f"killed after {timeout:.0f} s" if proc.returncode == -9 else f"exit {proc.returncode}"
        )
        raise ChildError(f"measuring process failed ({why}): {tail}")
    result["first_result_wall_s"] = first
    return result


def matmul_peak(threads: int, *, n: int = 1024, seconds: float = 1.0) -> dict:
    """Best float32 GFLOP/s with BLAS pinned to ``threads`` threads, in a fresh process."""
    out = spawn(["matmul", str(n), str(seconds)], threads=threads, timeout=300)
    out.pop("first_result_wall_s", None)
    return {"threads": threads, **out}
