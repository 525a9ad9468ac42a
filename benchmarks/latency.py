"""Per-text latency of every variant in an artifact, one thread, with the ratio to fp32.

    python -m benchmarks.latency ARTIFACT_DIR [--threads 1] [--runs 200]

The full harness (plots, batch sizes, peers, memory, cold start) is `edge bench`; this is the
quick check used in the build notes, on the same timing loop (benchmarks.measure). Timings are
per single-text call after a warm-up, on the build notes' four texts, measured in one run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.measure import percentiles, time_latency
from benchmarks.runners import open_subject
from edge.errors import EdgeError
from edge.manifest import read_manifest

TEXTS = [
    "Hi, I'm Maria Garcia. Mail me at maria.garcia@example.com or call +1 415 555 0132.",
    "wake me up at 6 tomorrow morning and remind me to call the bank",
    "Please wire 300 EUR to DE89 3704 0044 0532 0130 00 before Friday, thanks!",
    "how much money is in my checking account right now",
]


def time_variant(artifact: str, variant: str, threads: int, runs: int) -> list[float]:
    """Milliseconds per call, one text at a time (12 warm-up calls first)."""
    subject = open_subject({"kind": "edge", "artifact": artifact, "variant": variant})
    subject.set_threads(threads)
    return time_latency(subject, TEXTS, runs, warmup=len(TEXTS) * 3)


def main(argv: list[str] | None = None) -> None:
    doc = __doc__ or ""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("artifact")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args(argv)
    try:
        manifest = read_manifest(Path(args.artifact))
    except EdgeError as e:
        raise SystemExit(f"error: {e}") from None
    results = {}
    for v in manifest.variants:
        try:
            p = percentiles(time_variant(args.artifact, v.name, args.threads, args.runs))
        except EdgeError as e:  # e.g. llama.cpp not installed: the other variants still run
            print(f"{v.name}: skipped ({e})")
            continue
        results[v.name] = (p["p50"], p["p95"])
    if not results:
        raise SystemExit("error: no variant could be timed")
    ref = results.get("fp32", next(iter(results.values())))[0]
    print(f"{'variant':<12}{'MB':>8}{'p50 ms':>10}{'p95 ms':>10}{'vs fp32':>10}")
    for v in manifest.variants:
        if v.name not in results:
            continue
        p50, p95 = results[v.name]
        mb = v.model.size_bytes / 1e6
        print(f"{v.name:<12}{mb:>8.1f}{p50:>10.2f}{p95:>10.2f}{ref / p50:>9.2f}x")


if __name__ == "__main__":
    main()
