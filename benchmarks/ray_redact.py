"""Bulk redaction throughput: `edge redact` in one process, Ray Data with 1 and 2 actors, a
two-node Ray cluster simulated on this machine, and Presidio's BatchAnalyzerEngine +
AnonymizerEngine, on the same rows in the same run (issue #15).

    python -m benchmarks.ray_redact [--model pii-fast] [--model pii] [--limit N] [--out DIR]

Rows: CLINC150's test requests + pii-synth's test texts (held-out templates), one JSONL file.
Every configuration runs in its own child process (so its peak RSS is its own) with
OMP/MKL/OpenBLAS pinned to 1 thread, and 1 thread per actor. rows/s is end to end over the
whole input: for Ray it includes the job's start (actors loading the model), not the cluster's
start (reported apart: a cluster is started once for many jobs). Peak RSS per worker is VmHWM of
each actor process, sampled while it lives; for the one-process runs, of that process.

Writes report.json and report.md into --out (default ray-redact-report).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # before numpy is imported: one thread each
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"

import argparse
import json
import platform
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from edge.measurement import proc_status_bytes

RESULT = "RESULT "
CONFIGS = ("edge-1proc", "ray-1actor", "ray-2actors", "ray-2nodes")


def make_rows(limit: int | None, path: Path) -> dict:
    """CLINC150 test + pii-synth test, interleaved, as JSONL rows {"id", "text"}."""
    from quantize.datasets import load_dataset

    a = [r["text"] for r in load_dataset("clinc150", "test")]
    b = [r["text"] for r in load_dataset("pii-synth", "test")]
    texts = [t for pair in zip(a, b, strict=False) for t in pair] + a[len(b) :] + b[len(a) :]
    texts = texts[:limit] if limit else texts
    with path.open("w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    return {"rows": len(texts), "mean_chars": sum(map(len, texts)) / len(texts)}


class ActorMemory:
    """Samples VmHWM of every RedactWorker actor process while the job runs (Linux)."""

    def __init__(self) -> None:
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            for proc in psutil.process_iter(["pid", "cmdline"]):
                if "RedactWorker" in " ".join(proc.info["cmdline"] or []):
                    hwm = proc_status_bytes("VmHWM", proc.pid)
                    if hwm:
                        self.peak[proc.pid] = max(self.peak.get(proc.pid, 0), hwm)
            self._stop.wait(0.25)

    def __enter__(self) -> ActorMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_edge(model: str, inputs: list[Path], out: Path) -> dict:
    """`edge redact --file` as the CLI runs it (the spec's operators, one thread)."""
    from click.testing import CliRunner

    from edge.cli import main
    from edge.measurement import peak_rss_bytes

    seconds = []
    for k, data in enumerate(inputs):
        t0 = time.perf_counter()
        args = ["redact", "--model", model, "--threads", "1", "--file", str(data)]
        res = CliRunner().invoke(main, [*args, "--out", str(out / f"edge{k}.jsonl"), "--quiet"])
        if res.exit_code:
            raise SystemExit(f"edge redact failed: {res.output}")
        seconds.append(time.perf_counter() - t0)
    return {"seconds": seconds, "peak_rss_per_worker": [peak_rss_bytes()]}


def run_ray(model: str, inputs: list[Path], out: Path, actors: int, nodes: int) -> dict:
    import ray

    from edge.batch import redact_dataset

    t0 = time.perf_counter()
    cluster = None
    if nodes > 1:  # a multi-node cluster on this machine: one raylet per "node"
        from ray.cluster_utils import Cluster

        cluster = Cluster(
            initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
        )
        for _ in range(nodes - 1):
            cluster.add_node(num_cpus=1)
        ray.init(address=cluster.address, log_to_driver=False)
    else:
        ray.init(num_cpus=actors, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - t0
    seconds, errors = [], 0
    try:
        with ActorMemory() as mem:
            for k, data in enumerate(inputs):
                res = redact_dataset(data, out / f"ray{k}", model=model, actors=actors, threads=1)
                seconds.append(res.seconds)
                errors += res.errors
        nodes_seen = len([n for n in ray.nodes() if n["Alive"]])
    finally:
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()
    return {
        "seconds": seconds,
        "cluster_start_seconds": started,
        "nodes": nodes_seen,
        "peak_rss_per_worker": [max(mem.peak.values())] if mem.peak else [],
        "errors": errors,
    }


def run_presidio(inputs: list[Path], batch_size: int = 64) -> dict:
    """Presidio's BatchAnalyzerEngine over the texts + AnonymizerEngine (replace) per text,
    the engines built (spaCy loaded) once per input, as a script run per file would."""
    # presidio_peer first: it keeps tldextract (imported by presidio_analyzer) off the network
    from benchmarks.presidio_peer import PresidioTool  # isort: skip
    from presidio_analyzer import BatchAnalyzerEngine
    from presidio_anonymizer import AnonymizerEngine

    from edge.measurement import peak_rss_bytes

    seconds = []
    for data in inputs:
        t0 = time.perf_counter()
        texts = [json.loads(line)["text"] for line in data.read_text().splitlines()]
        tool = PresidioTool()
        batch = BatchAnalyzerEngine(analyzer_engine=tool.engine)
        anonymizer = AnonymizerEngine()
        found = batch.analyze_iterator(
            texts, language="en", entities=tool.entities, batch_size=batch_size
        )
        out = [anonymizer.anonymize(t, r).text for t, r in zip(texts, found, strict=True)]
        assert len(out) == len(texts)
        seconds.append(time.perf_counter() - t0)
    return {"seconds": seconds, "peak_rss_per_worker": [peak_rss_bytes()]}


def child(args: argparse.Namespace) -> None:
    inputs, out = [Path(p) for p in args.data.split(",")], Path(args.workdir)
    if args.config == "presidio":
        result = run_presidio(inputs)
    elif args.config == "edge-1proc":
        result = run_edge(args.model, inputs, out)
    else:
        actors, nodes = {"ray-1actor": (1, 1), "ray-2actors": (2, 1), "ray-2nodes": (2, 2)}[
            args.config
        ]
        result = run_ray(args.model, inputs, out, actors, nodes)
    print(RESULT + json.dumps(result), flush=True)


def _measure(config: str, model: str | None, inputs: list[Path], rows: list[int]) -> dict:
    """One configuration in a child process, on the small then the full input.

    ``rows_per_s`` is end to end on the full input (start-up included); ``steady_rows_per_s``
    the marginal rate (full - small rows) / (full - small seconds), which cancels the fixed
    start-up (cluster scheduling, actors loading the model, spaCy loading): what 10^9 rows see.
    """
    with tempfile.TemporaryDirectory(prefix="ray-redact-") as work:
        cmd = [sys.executable, "-m", "benchmarks.ray_redact", "--child", config, "--data"]
        cmd += [",".join(map(str, inputs)), "--workdir", work]
        cmd += ["--model", model] if model else []
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
    lines = [x for x in proc.stdout.splitlines() if x.startswith(RESULT)]
    if proc.returncode or not lines:
        raise SystemExit(f"{config} failed:\n{proc.stderr[-3000:]}")
    r = json.loads(lines[-1][len(RESULT) :])
    (t_small, t_full), (n_small, n_full) = r["seconds"], rows
    r["rows_per_s"] = n_full / t_full
    # Unresolved (None) when the full input took hardly longer than the small one: start-up
    # and noise dominate, and the quotient would be meaningless (seen: 10^12 rows/s).
    resolved = t_full - t_small > 0.25 * t_full * (n_full - n_small) / n_full
    r["steady_rows_per_s"] = (n_full - n_small) / (t_full - t_small) if resolved else None
    return r


def cost_model(rows_per_core_s: float, mean_chars: float) -> dict:
    """Cores × hours for 10^9 records, scaling rows/s per core by record length: linear, which
    holds once a text spans several windows of the model's max_length tokens (each window costs
    the same); below one window it is pessimistic (a short text still pays a call's overhead)."""
    out: dict = {}
    if not rows_per_core_s:
        return out
    for chars in (100, 1000):
        rate = rows_per_core_s * mean_chars / chars
        core_hours = 1e9 / rate / 3600
        out[f"{chars}_chars"] = {
            "rows_per_core_s": rate,
            "core_hours": core_hours,
            "hours_on_64_cores": core_hours / 64,
        }
    return out


def markdown(report: dict) -> str:
    lines = [
        f"# Bulk redaction: {report['rows'][1]:,} rows, {report['mean_chars']:.0f} characters on "
        f"average ({report['cpu']}, {os.cpu_count()} cores)",
        "",
        "rows/s: end to end on the full input (start-up included); steady: the marginal rate "
        f"between the {report['rows'][0]:,}- and the {report['rows'][1]:,}-row inputs "
        "(start-up cancelled).",
        "",
        "| model | engine | cores | rows/s | steady rows/s | steady per core | x Presidio "
        "(steady) | peak RSS per worker (MB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    p = report["presidio"]
    rows = [*report["results"], {**p, "model": "spaCy sm", "config": "presidio-batch"}]
    for r in rows:
        rss = ", ".join(f"{b / 2**20:.0f}" for b in r["peak_rss_per_worker"]) or "-"
        steady, ref = r["steady_rows_per_s"], p["steady_rows_per_s"]
        lines.append(
            f"| {r['model']} | {r['config']} | {r['cores']} | {r['rows_per_s']:.0f} | "
            + (f"{steady:.0f} | {r['steady_per_core']:.0f} | " if steady else "n/a | n/a | ")
            + (f"x{steady / ref:.2f}" if steady and ref else "-")
            + f" | {rss} |"
        )
    lines += ["", "Cost model (10^9 records, from the best steady rows/s per core here):", ""]
    for model, cm in report["cost_model"].items():
        for length, c in cm.items():
            lines.append(
                f"- {model}, {length.replace('_', ' ')}: {c['rows_per_core_s']:.0f} rows/s per "
                f"core, {c['core_hours']:,.0f} core-hours ({c['hours_on_64_cores']:.1f} h on 64)"
            )
    return "\n".join(lines) + "\n"


def _cores(config: str) -> int:
    return 1 if config in ("presidio", "edge-1proc", "ray-1actor") else 2


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", help="PII artifact or default name (repeatable)")
    ap.add_argument("--limit", type=int, default=4000, help="rows (default 4000; 0: all 8,500)")
    ap.add_argument("--out", default="ray-redact-report")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        args.config = args.child
        args.model = (args.model or [None])[0]
        child(args)
        return 0
    from edge.defaults import resolve_model
    from edge.fsutil import staged_dir

    models = args.model or ["pii-fast", "pii"]
    with tempfile.TemporaryDirectory(prefix="ray-redact-data-") as tmp:
        full, small = Path(tmp) / "rows.jsonl", Path(tmp) / "small.jsonl"
        info = make_rows(args.limit or None, full)
        lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
        small.write_text("".join(lines[: len(lines) // 4]), encoding="utf-8")
        n = [len(lines) // 4, len(lines)]
        print(f"{n[1]:,} rows, {info['mean_chars']:.0f} chars on average", flush=True)

        def measure(config: str, model: str | None) -> dict:
            r = _measure(config, model, [small, full], n) | {"cores": _cores(config)}
            steady = r["steady_rows_per_s"]
            r["steady_per_core"] = steady / r["cores"] if steady else None
            return r

        presidio = measure("presidio", None)
        print(f"presidio-batch: {presidio['rows_per_s']:.0f} rows/s", flush=True)
        results = []
        for model in models:
            path = str(resolve_model(model, "pii"))
            for config in args.configs.split(","):
                r = measure(config, path) | {"model": model, "config": config}
                results.append(r)
                print(f"{model} {config}: {r['rows_per_s']:.0f} rows/s", flush=True)
    report = {
        "rows": n,
        "mean_chars": info["mean_chars"],
        "cpu": platform.processor() or platform.machine(),
        "presidio": presidio,
        "results": results,
        "cost_model": {
            m: cost_model(
                max(r["steady_per_core"] or 0 for r in results if r["model"] == m),
                info["mean_chars"],
            )
            for m in models
        },
    }
    with staged_dir(Path(args.out)) as tmp_out:
        (tmp_out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
        (tmp_out / "report.md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
