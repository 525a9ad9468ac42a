"""onnxruntime's optimized graph, kept on disk per machine, so a session starts without
re-optimizing its model.

Why: building an ``InferenceSession`` spends about half its time optimizing the graph (measured
on the default int8 models, one thread: pii 0.14 s with ``ORT_ENABLE_ALL`` against 0.06 s
loading the graph it saved with optimizations off; intent 0.16 / 0.06 s; outputs bit-identical),
and ``edge serve`` has to answer /health within a second of its start. onnxruntime can write the
graph it optimized (``SessionOptions.optimized_model_filepath``). At ``ORT_ENABLE_ALL`` that graph
may hold kernels laid out for this CPU, so onnxruntime says to use it only where it was made: the
key names the source model's sha256, onnxruntime's version, the machine and its CPU's flags.

The cached file is checked against the sha256 written beside it when it was made (the source
model was checked against its manifest by the caller), so a truncated or damaged file is made
again from the source, never loaded. A cache that cannot be written (a read-only home) is not
used; ``EDGE_ONNX_CACHE=off`` turns it off, a folder there moves it. Only the CPU provider's
graphs are kept: another provider partitions the graph its own way.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import platform
import threading
from pathlib import Path

import onnxruntime as ort

from edge.defaults import edge_home
from edge.manifest import sha256_file

CACHE_ENV = "EDGE_ONNX_CACHE"
# Graphs kept (the most recently used): a rebuilt model leaves its old graph behind.
KEEP = 8
_CPU_ONLY = ["CPUExecutionProvider"]


def cache_dir() -> Path | None:
    """Where optimized graphs are kept, or None when the cache is off."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    return Path(setting) if setting else edge_home() / "cache" / "onnx"


@functools.cache
def machine_fingerprint() -> str:
    """The CPU as an optimized graph depends on it: architecture, model name and flags."""
    parts = [platform.machine(), platform.processor(), ort.__version__]
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key = line.split(":", 1)[0].strip()
            if key in ("flags", "Features", "model name"):
                parts.append(line)
                if key != "model name":
                    break
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cache_key(source_sha256: str) -> str:
    return f"{source_sha256[:32]}-ort{ort.__version__}-{machine_fingerprint()}"


def _load_cached(graph: Path, opts: ort.SessionOptions) -> ort.InferenceSession | None:
    """A session from the cached ``graph`` (already optimized: optimizations off), or None."""
    digest = graph.with_suffix(".sha256")
    level = opts.graph_optimization_level
    try:
        if not graph.is_file() or sha256_file(graph) != digest.read_text().strip():
            return None
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        session = ort.InferenceSession(str(graph), sess_options=opts, providers=_CPU_ONLY)
    except Exception:  # unreadable, damaged or from an incompatible build: make it again
        return None
    finally:
        opts.graph_optimization_level = level
    with contextlib.suppress(OSError):
        os.utime(graph)  # most recently used: kept by the pruning
    return session


def _prune(folder: Path) -> None:
    graphs = sorted(folder.glob("*.onnx"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in graphs[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
            old.with_suffix(".sha256").unlink()


def _staging_file(graph: Path) -> Path | None:
    """Where onnxruntime writes the graph before it is checked in, or None (no folder)."""
    try:
        graph.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return graph.parent / f".{graph.stem}.{os.getpid()}.{threading.get_ident()}.tmp"


def _check_in(staged: Path, graph: Path) -> None:
    """Move the written graph into place with its sha256 beside it, then prune."""
    digest_tmp = staged.with_suffix(".sha256tmp")
    try:
        digest_tmp.write_text(sha256_file(staged) + "\n")
        os.replace(staged, graph)
        os.replace(digest_tmp, graph.with_suffix(".sha256"))
        _prune(graph.parent)
    except OSError:  # a full or read-only disk: the session works, the cache waits
        for leftover in (staged, digest_tmp):
            with contextlib.suppress(OSError):
                leftover.unlink()


def open_session(
    path: Path,
    source_sha256: str,
    opts: ort.SessionOptions,
    providers: list[str],
    *,
    keep: bool = True,
) -> ort.InferenceSession:
    """An ``InferenceSession`` for ``path`` (whose sha256 the caller checked), from this
    machine's optimized graph of it when one is cached; otherwise optimized now, and cached
    when ``keep`` (a caller that opens a model once, like the build's checks, says False)."""
    folder = cache_dir()
    graph = None
    if folder is not None and list(providers) == _CPU_ONLY and source_sha256:
        graph = folder / f"{cache_key(source_sha256)}.onnx"
        session = _load_cached(graph, opts)
        if session is not None:
            return session
    staged = _staging_file(graph) if graph is not None and keep else None
    if staged is not None:
        opts.optimized_model_filepath = str(staged)
    session = ort.InferenceSession(str(path), sess_options=opts, providers=list(providers))
    if staged is not None and graph is not None:
        _check_in(staged, graph)
    return session
