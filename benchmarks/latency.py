"""Per-text latency of every variant in an artifact, one thread, with the ratio to fp32.

    python -m benchmarks.latency ARTIFACT_DIR [--threads 1] [--runs 200]

The full harness (plots, batch sizes, peers) is `edge bench`; this is the quick check used in the
build notes. Timings are medians over single-text calls after a warm-up, measured in one run.
"""

from __future__ import annotations

import argparse
import statistics
import time

import edge
from edge.manifest import read_manifest

TEXTS = [
    "Hi, I'm Maria Garcia. Mail me at maria.garcia@example.com or call +1 415 555 0132.",
    "wake me up at 6 tomorrow morning and remind me to call the bank",
    "Please wire 300 EUR to DE89 3704 0044 0532 0130 00 before Friday, thanks!",
    "how much money is in my checking account right now",
]


def time_variant(artifact: str, variant: str, threads: int, runs: int) -> list[float]:
    model = edge.load(artifact, variant=variant, threads=threads)
    call = model.detect if isinstance(model, edge.PIIDetector) else model.classify
    for t in TEXTS * 3:
        call(t)
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        call(TEXTS[i % len(TEXTS)])
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("artifact")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    manifest = read_manifest(args.artifact)
    results = {}
    for v in manifest.variants:
        times = sorted(time_variant(args.artifact, v.name, args.threads, args.runs))
        results[v.name] = (statistics.median(times), times[int(0.95 * len(times)) - 1])
    ref = results.get("fp32", next(iter(results.values())))[0]
    print(f"{'variant':<12}{'MB':>8}{'p50 ms':>10}{'p95 ms':>10}{'vs fp32':>10}")
    for v in manifest.variants:
        p50, p95 = results[v.name]
        mb = v.model.size_bytes / 1e6
        print(f"{v.name:<12}{mb:>8.1f}{p50:>10.2f}{p95:>10.2f}{ref / p50:>9.2f}x")


if __name__ == "__main__":
    main()
