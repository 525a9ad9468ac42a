"""``edge bench``: every figure for every variant and peer, on this machine, in one report folder.

Order of work, and why:

1. everything that can fail fast (artifacts, profile, output folder) is checked before any timing;
2. the machine's float32 matmul peak is probed in child processes (single and all threads);
3. per model, per subject (artifact variant or peer), per thread count: per-text latency at three
   lengths, then throughput at each batch size, all in this process, warm;
4. accuracy on labelled data (optional), then cold start and peak RSS in fresh processes;
5. derived figures: achieved GFLOP/s and its fraction of the peak, ratios to the reference
   (edge int8, else the artifact's default variant);
6. the report folder is written into a temporary sibling and renamed into place, so a crash or
   Ctrl-C never leaves half a report; then the profile gate, if any, decides the exit code.

A subject that cannot run here (llama.cpp or torch not installed, Presidio missing) is recorded as
skipped with the reason; one that fails is recorded as failed: neither stops the others.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

import edge
from benchmarks import flops as flops_mod
from benchmarks import hardware, measure, runners
from benchmarks.profile import check as check_profile
from benchmarks.profile import check_task_keys, load_profile, raise_if_missed
from benchmarks.report import check_out_dir, write_report
from edge.errors import BackendUnavailableError, EdgeError
from edge.manifest import Manifest, read_manifest
from edge.measurement import (
    LENGTHS,
    THROUGHPUT_BUCKET,
    Workload,
    build_workload,
    cpu_count,
    spawn,
)
from edge.specs import task_data

SCHEMA = "edge-bench/1"
REFERENCE_VARIANT = "int8"
DEFAULT_ITERATIONS, QUICK_ITERATIONS = 100, 5
DEFAULT_LIMIT, QUICK_LIMIT = 1000, 50


@dataclass
class BenchConfig:
    """What to run. ``None`` fields take their default, or the quick one under ``quick``."""

    models: list[Path]
    out: Path
    threads: list[int] = field(default_factory=lambda: default_threads())
    batch_sizes: list[int] = field(default_factory=lambda: [1, 8, 32])
    iterations: int | None = None
    quick: bool = False
    peers: bool = True
    accuracy: bool = True
    limit: int | None = None
    profile: str | None = None
    base: str | None = None
    adapter: str | None = None
    data: str | None = None
    cold_starts: int | None = None
    quiet: bool = False

    def __post_init__(self) -> None:
        self.threads = sorted(set(self.threads))
        self.batch_sizes = sorted(set(self.batch_sizes))
        if self.iterations is None:
            self.iterations = QUICK_ITERATIONS if self.quick else DEFAULT_ITERATIONS
        if self.limit is None:
            self.limit = QUICK_LIMIT if self.quick else DEFAULT_LIMIT
        if self.cold_starts is None:
            self.cold_starts = 1 if self.quick else 3

    @property
    def warmup(self) -> int:
        return max(2, (self.iterations or 0) // 10)

    @property
    def headline_threads(self) -> int:
        return max(self.threads)

    @property
    def probe(self) -> tuple[int, float]:
        """Matmul size and seconds per thread count: big enough to reach the BLAS peak."""
        return (384, 0.2) if self.quick else (1024, 1.5)

    def settings(self) -> dict:
        d = asdict(self)
        d["models"] = [str(m) for m in self.models]
        d["out"] = str(self.out)
        d["warmup"] = self.warmup
        d["headline_threads"] = self.headline_threads
        d["lengths"] = LENGTHS
        d["throughput_bucket"] = THROUGHPUT_BUCKET
        return d


def default_threads() -> list[int]:
    """One thread (a phone or a busy laptop core) and every usable CPU (the best case)."""
    return sorted({1, cpu_count()})


class Steps:
    """A rich progress bar over the whole run (to stderr; off with ``quiet``)."""

    def __init__(self, total: int, quiet: bool):
        self.progress = Progress(
            TextColumn("[bold]{task.description:<44}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=quiet,
        )
        self.task = self.progress.add_task("bench", total=total)

    def __enter__(self) -> Steps:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def say(self, what: str) -> None:
        self.progress.update(self.task, description=what)

    def done(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)


def plan_subjects(artifact: Path, manifest: Manifest, cfg: BenchConfig) -> list[dict]:
    """The reference variant first, then the artifact's other variants, then outside peers."""
    names = [v.name for v in manifest.variants]
    ref = REFERENCE_VARIANT if REFERENCE_VARIANT in names else manifest.default_variant
    plan = []
    for v in sorted(manifest.variants, key=lambda v: v.name != ref):
        if not cfg.peers and v.name != ref:
            continue
        size = v.model.size_bytes + sum(e.size_bytes for e in v.extra_files)
        plan.append(
            {
                "name": v.name,
                "role": "reference" if v.name == ref else "variant",
                "backend": {"onnx": "onnxruntime", "gguf": "llama.cpp"}.get(v.format, v.format),
                "size_bytes": size,
                "desc": {"kind": "edge", "artifact": str(artifact), "variant": v.name},
            }
        )
    if cfg.peers:
        desc, why = runners.torch_peer_source(artifact, manifest, cfg.base, cfg.adapter)
        plan.append(
            {
                "name": runners.TORCH_PEER,
                "role": "peer",
                "backend": "pytorch eager",
                "size_bytes": None,
                "desc": desc,
                "reason": why,
                "note": "load (and so cold start) includes merging the LoRA adapter",
            }
        )
        if manifest.task.kind == "token-classification":
            desc, why = runners.presidio_peer_source(manifest)
            plan.append(
                {
                    "name": runners.PRESIDIO_PEER,
                    "role": "peer",
                    "backend": "presidio",
                    "size_bytes": None,
                    "desc": desc,
                    "reason": why,
                }
            )
    return plan


def units_per_subject(cfg: BenchConfig) -> int:
    per_thread = len(LENGTHS) + len(cfg.batch_sizes)
    return len(cfg.threads) * per_thread + int(cfg.accuracy) + (cfg.cold_starts or 0)


def load_records(manifest: Manifest, cfg: BenchConfig) -> tuple[list[dict] | None, dict]:
    """Labelled records for accuracy: --data, else the task's named test set; or why not."""
    if not cfg.accuracy:
        return None, {"skipped": "--no-accuracy"}
    spec = manifest.task
    try:
        from quantize.data import labelled_records
        from quantize.evaluate import subsample

        source = str(cfg.data) if cfg.data else task_data(spec).eval
        if source is None:
            return None, {"skipped": f"task {spec.name!r} names no [data] eval set; pass --data"}
        records = subsample(labelled_records(source, spec), cfg.limit, 0)
    except ImportError as e:
        return None, {"skipped": f"{e.name} not installed (pip install -e '.[build]')"}
    except EdgeError as e:
        return None, {"skipped": str(e).splitlines()[0]}
    return records, {"source": source, "n": len(records)}


def accuracy_of(subject: runners.Subject, manifest: Manifest, records: list[dict]) -> dict:
    from quantize.evaluate import evaluate_model, headline
    from quantize.metrics import pii_scores

    if subject.task_model is not None:
        res = evaluate_model(subject.task_model, records, {"type": "bench"})
        h = res["headline"]
        return {"metric": h["metric"], "value": h["value"], "n": res["n"]}
    spec = manifest.task
    keep = set(spec.entities or [])
    pred = subject.run([r["text"] for r in records], 32)
    pred = [[s for s in spans if s["label"] in keep] for spans in pred]
    scores = pii_scores([r["spans"] for r in records], pred)
    h = headline(spec, scores)
    return {"metric": h["metric"], "value": h["value"], "n": len(records)}


def _flops_per_text(arch: flops_mod.Architecture | None, work: Workload) -> dict | None:
    if arch is None:
        return None
    return {
        b: [sum(arch.flops(n) for n in seqs) for seqs in work.model_lengths[b]] for b in LENGTHS
    }


def measure_subject(
    entry: dict,
    manifest: Manifest,
    work: Workload,
    cfg: BenchConfig,
    records: list[dict] | None,
    steps: Steps,
) -> None:
    """Fill ``entry`` with in-process figures; status/reason say what went wrong, if anything."""
    subject = None
    name = entry["name"]
    try:
        subject = runners.open_subject(entry["desc"])
        for t in cfg.threads:
            subject.set_threads(t)
            key = str(t)
            for bucket in LENGTHS:
                steps.say(f"{manifest.task.name} {name}: {bucket}, {t} thr")
                samples = measure.time_latency(
                    subject, work.texts[bucket], cfg.iterations or 1, cfg.warmup
                )
                entry["latency_ms"].setdefault(key, {})[bucket] = measure.percentiles(samples)
                entry["samples_ms"].setdefault(key, {})[bucket] = [round(x, 4) for x in samples]
                steps.done()
            for b in cfg.batch_sizes:
                steps.say(f"{manifest.task.name} {name}: batch {b}, {t} thr")
                tp = measure.time_throughput(
                    subject, work.texts[THROUGHPUT_BUCKET], b, cfg.iterations or 1
                )
                entry["throughput"].setdefault(key, {})[str(b)] = tp
                steps.done()
        if subject.size_bytes is not None:
            entry["size_bytes"] = subject.size_bytes
        if cfg.accuracy:
            if records is not None:
                steps.say(f"{manifest.task.name} {name}: accuracy")
                entry["accuracy"] = accuracy_of(subject, manifest, records)
            steps.done()
    except BackendUnavailableError as e:
        entry.update(status="skipped", reason=str(e))
    except Exception as e:  # one broken subject must not cost the whole report
        entry.update(status="failed", reason=f"{type(e).__name__}: {e}")
    finally:
        del subject
        gc.collect()


def fresh_process_figures(entry: dict, work: Workload, cfg: BenchConfig, steps: Steps) -> None:
    """Cold start (process start to first result) and peak RSS (load + one batch), each in a new
    process, ``cold_starts`` times; the median start and the largest peak are reported."""
    batch = measure.batch_of(work.texts[THROUGHPUT_BUCKET], max(cfg.batch_sizes))
    spec = {"subject": entry["desc"], "threads": cfg.headline_threads, "texts": batch}
    runs = []
    with tempfile.TemporaryDirectory(prefix="edge-bench-") as tmp:
        path = Path(tmp) / "subject.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        for i in range(cfg.cold_starts or 0):
            steps.say(f"{entry['name']}: cold start {i + 1}/{cfg.cold_starts}")
            try:
                runs.append(
                    spawn(hardware.CHILD, ["subject", str(path)], threads=cfg.headline_threads)
                )
            except EdgeError as e:
                entry["cold_start"] = {"error": str(e)}
                steps.done(cfg.cold_starts - i)
                return
            steps.done()
    if not runs:
        return
    starts = [r["first_result_wall_s"] for r in runs if r["first_result_wall_s"] is not None]
    entry["cold_start"] = {
        "median_s": statistics.median(starts) if starts else None,
        "runs_s": starts,
        "threads": cfg.headline_threads,
        "breakdown_s": {
            k: statistics.median(r[k] for r in runs)
            for k in ("import_s", "load_s", "first_result_s")
        },
    }
    entry["memory"] = {
        "peak_rss_mb": max(r["peak_rss_bytes"] for r in runs) / 2**20,
        # what a hardware profile budgets: the peak above the imported runtime's resident set
        "models_rss_mb": max(r["peak_rss_bytes"] - r["runtime_baseline_bytes"] for r in runs)
        / 2**20,
        "rss_after_imports_mb": statistics.median(r["rss_after_imports_bytes"] for r in runs)
        / 2**20,
        "batch_size": len(batch),
        "batch_s": statistics.median(r["batch_s"] for r in runs),
    }


def derive(model: dict, flops_per_text: dict | None, peaks: dict, cfg: BenchConfig) -> None:
    """GFLOP/s achieved (and as a fraction of the measured peak) and ratios to the reference."""
    its = cfg.iterations or 1
    for s in model["subjects"]:
        if s["status"] != "ok":
            continue
        s["gflops"] = {}
        if flops_per_text is None or s["backend"] == "presidio":
            continue
        for t in cfg.threads:
            key, peak = str(t), peaks.get(str(t), {}).get("gflops")
            lat = {}
            for bucket, per_text in flops_per_text.items():
                mean_flops = sum(per_text[i % len(per_text)] for i in range(its)) / its
                ms = s["latency_ms"][key][bucket]["mean"]
                lat[bucket] = _gf(mean_flops / (ms / 1000), peak)
            thr = {}
            per_text = flops_per_text[THROUGHPUT_BUCKET]
            for b, tp in s["throughput"][key].items():
                batch_flops = sum(per_text[i % len(per_text)] for i in range(int(b)))
                thr[b] = _gf(batch_flops * tp["calls"] / tp["seconds"], peak)
            s["gflops"][key] = {"latency": lat, "throughput": thr}
    ref = next((s for s in model["subjects"] if s["role"] == "reference"), None)
    if ref is None or ref["status"] != "ok":
        return
    key, b = str(cfg.headline_threads), str(max(cfg.batch_sizes))
    figures: dict[str, Callable[[dict], float | None]] = {
        "latency_p50": lambda s: s["latency_ms"][key][THROUGHPUT_BUCKET]["p50"],
        "latency_p95": lambda s: s["latency_ms"][key][THROUGHPUT_BUCKET]["p95"],
        "throughput": lambda s: s["throughput"][key][b]["texts_per_s"],
        "cold_start": lambda s: (s.get("cold_start") or {}).get("median_s"),
        "peak_rss": lambda s: (s.get("memory") or {}).get("peak_rss_mb"),
        "size": lambda s: s.get("size_bytes"),
        "accuracy": lambda s: (s.get("accuracy") or {}).get("value"),
    }
    for s in model["subjects"]:
        if s["status"] != "ok":
            continue
        s["vs_reference"] = {}
        for fig, get in figures.items():
            mine, theirs = get(s), get(ref)
            ok = mine is not None and theirs
            s["vs_reference"][fig] = mine / theirs if ok else None


def _gf(flops_per_s: float, peak: float | None) -> dict:
    g = flops_per_s / 1e9
    return {"achieved": g, "fraction_of_peak": g / peak if peak else None}


def bench_model(
    artifact: Path,
    manifest: Manifest,
    plan: list[dict],
    cfg: BenchConfig,
    peaks: dict,
    steps: Steps,
) -> dict:
    steps.say(f"{manifest.task.name}: preparing")
    work = build_workload(artifact, manifest)
    try:
        arch = flops_mod.architecture(artifact, manifest)
        flops_info = arch.to_dict()
    except ValueError as e:
        arch, flops_info = None, {"error": str(e), "formula": flops_mod.FORMULA}
    per_text = _flops_per_text(arch, work)
    if per_text:
        flops_info["gflop_per_text_mean"] = {b: sum(v) / len(v) / 1e9 for b, v in per_text.items()}
    records, data_note = load_records(manifest, cfg)
    ref = next(p["name"] for p in plan if p["role"] == "reference")
    model = {
        "artifact": str(artifact),
        "task": manifest.task.name,
        "kind": manifest.task.kind,
        "labels": len(manifest.labels),
        "max_length": manifest.task.max_length,
        "default_variant": manifest.default_variant,
        "reference": ref,
        "headline": {
            "threads": cfg.headline_threads,
            "bucket": THROUGHPUT_BUCKET,
            "batch_size": max(cfg.batch_sizes),
        },
        "workload": work.summary(),
        "flops": flops_info,
        "accuracy_data": data_note,
        "subjects": [],
    }
    for p in plan:
        entry = {
            "name": p["name"],
            "role": p["role"],
            "backend": p["backend"],
            "status": "ok",
            "reason": None,
            "size_bytes": p["size_bytes"],
            "desc": p["desc"],
            "note": p.get("note"),
            "latency_ms": {},
            "samples_ms": {},
            "throughput": {},
        }
        model["subjects"].append(entry)
        if p["desc"] is None:
            entry.update(status="skipped", reason=p.get("reason"))
            steps.done(units_per_subject(cfg))
            continue
        done_before = steps.progress.tasks[0].completed
        measure_subject(entry, manifest, work, cfg, records, steps)
        if entry["status"] == "ok":
            fresh_process_figures(entry, work, cfg, steps)
        left = done_before + units_per_subject(cfg) - steps.progress.tasks[0].completed
        steps.done(max(0, int(left)))
    derive(model, per_text, peaks, cfg)
    for s in model["subjects"]:
        if s.get("size_bytes"):
            s["size_mb"] = s["size_bytes"] / 1e6
    return model


def run_bench(cfg: BenchConfig, *, gate: bool = True) -> dict:
    """Benchmark and write the report folder; then, with ``gate``, raise TargetMissedError if a
    profile target was missed (the CLI gates itself after printing its summary)."""
    started = time.perf_counter()
    profile = load_profile(cfg.profile) if cfg.profile else None
    check_out_dir(cfg.out)
    manifests = [(Path(m), read_manifest(Path(m))) for m in cfg.models]
    if profile is not None:  # a misspelled per-task target: before any timing
        check_task_keys(*profile, [(m.task.name, m.task.kind) for _, m in manifests])
    probe_threads = sorted({1, cpu_count(), *cfg.threads})
    plans = [plan_subjects(a, m, cfg) for a, m in manifests]
    total = len(probe_threads) + sum(map(len, plans)) * units_per_subject(cfg)
    with Steps(total, cfg.quiet) as steps:
        machine = hardware.machine_info()
        peaks = {}
        n, seconds = cfg.probe
        for t in probe_threads:
            steps.say(f"matmul peak probe, {t} thread(s)")
            try:
                peaks[str(t)] = hardware.matmul_peak(t, n=n, seconds=seconds)
            except EdgeError as e:
                peaks[str(t)] = {"threads": t, "error": str(e)}
            steps.done()
        machine["peak_gflops"] = peaks
        models = [
            bench_model(a, m, plan, cfg, peaks, steps)
            for (a, m), plan in zip(manifests, plans, strict=True)
        ]
    report = {
        "schema": SCHEMA,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "edge_version": edge.__version__,
        "duration_s": None,
        "settings": cfg.settings(),
        "machine": machine,
        "flops_formula": flops_mod.FORMULA,
        "models": models,
        "profile": None,
    }
    if profile is not None:
        report["profile"] = check_profile(*profile, models)
    report["duration_s"] = round(time.perf_counter() - started, 2)
    write_report(report, cfg.out)
    if gate and report["profile"] is not None:
        raise_if_missed(report["profile"], cfg.out)
    return report
