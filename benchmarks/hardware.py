"""The machine the benchmark ran on, and its measured float32 matmul peak.

Why measure the peak rather than compute it from a spec sheet: the same core model gives very
different numbers under a laptop's power limits, in a VM or with a busy neighbour, and what a
model can reach is bounded by what this machine delivers now. The probe is numpy's float32
matmul (the BLAS it ships), a fair stand-in for the dense GEMMs a BERT spends its time in. Int8
kernels (VNNI, dot-product instructions) can go past the float32 peak; the report says so.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from edge.measurement import cpu_count, spawn

CHILD = "benchmarks.child"  # the bench's own child: subjects (peers too) and the matmul probe


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


def matmul_peak(threads: int, *, n: int = 1024, seconds: float = 1.0) -> dict:
    """Best float32 GFLOP/s with BLAS pinned to ``threads`` threads, in a fresh process."""
    out = spawn(CHILD, ["matmul", str(n), str(seconds)], threads=threads, timeout=300)
    out.pop("first_result_wall_s", None)
    return {"threads": threads, **out}
