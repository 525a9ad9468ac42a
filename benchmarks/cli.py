"""``edge bench``: speed, memory and accuracy of variants and peers on this machine (a report
folder), or ``--vs presidio``, the comparison with Presidio. Thin over benchmarks.harness and
benchmarks.presidio_compare; attached to the ``edge`` group by edge.cli."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from edge.errors import InputError


def _int_list(ctx, param, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        items = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        items = []
    if not items or min(items) < 1:
        raise click.BadParameter(f"{value!r}: give positive integers, comma-separated (e.g. 1,8)")
    return items


@click.command()
@click.option("--model", "models", multiple=True, type=click.Path(), help="Artifact (repeatable).")
@click.option("--task", type=click.Choice(["pii", "intent"]), help="Default model(s) of a task.")
@click.option("--out", default="bench-report", show_default=True, type=click.Path())
@click.option("--iterations", type=click.IntRange(1), help="Timed calls per figure [100; quick 5].")
@click.option("--threads", callback=_int_list, help="Thread counts, e.g. 1,4 [1 and all CPUs].")
@click.option("--batch-sizes", callback=_int_list, default="1,8,32", show_default=True)
@click.option("--quick", is_flag=True, help="Few iterations, small probe: a smoke run.")
@click.option("--no-peers", is_flag=True, help="Only the reference variant (int8).")
@click.option("--accuracy/--no-accuracy", default=True, show_default=True)
@click.option("--limit", type=click.IntRange(1), help="Accuracy records [1000; quick 50].")
@click.option("--data", type=click.Path(), help="Labelled JSONL for accuracy (default: test set).")
@click.option("--base", help="Base model of the PyTorch peer [all-MiniLM-L6-v2].")
@click.option("--adapter", type=click.Path(), help="LoRA adapter of the PyTorch peer.")
@click.option("--profile", help="Hardware profile (name or .toml): exit 10 if a target is missed.")
@click.option(
    "--vs",
    type=click.Choice(["presidio"]),
    help="Instead: accuracy and per-text latency against Presidio on the held-out synthetic "
    "and hand-written sets (python -m benchmarks.presidio_compare; the `compare` extra).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def bench(
    models,
    task,
    out,
    iterations,
    threads,
    batch_sizes,
    quick,
    no_peers,
    accuracy,
    limit,
    data,
    base,
    adapter,
    profile,
    vs,
    quiet,
) -> None:
    """Benchmark variants and peers on this machine; write a report folder (JSON, Markdown, PNG)."""
    if vs == "presidio":
        return _bench_vs_presidio(models, task, out, limit, data, quiet)
    from benchmarks.harness import BenchConfig, default_threads, run_bench
    from benchmarks.profile import raise_if_missed
    from edge.defaults import default_model_dir, resolve_model
    from edge.manifest import read_manifest

    if models:
        paths = [Path(m) for m in models]
        for p in paths:
            if task and read_manifest(p).task.alias != task:
                raise InputError(f"{p} is not a {task} model (--task {task})")
    elif task:
        paths = [resolve_model(None, task)]
    else:  # whichever default models are built; the error names the remedy if none is
        built = [default_model_dir(t) for t in ("pii", "intent")]
        paths = [p for p in built if (p / "manifest.json").is_file()]
        paths = paths or [resolve_model(None, "pii")]
    cfg = BenchConfig(
        models=paths,
        out=Path(out),
        threads=threads or default_threads(),
        batch_sizes=batch_sizes,
        iterations=iterations,
        quick=quick,
        peers=not no_peers,
        accuracy=accuracy,
        limit=limit,
        profile=profile,
        base=base,
        adapter=adapter,
        data=data,
        quiet=quiet,
    )
    report = run_bench(cfg, gate=False)
    for m in report["models"]:
        h = m["headline"]
        key, b = str(h["threads"]), str(h["batch_size"])
        click.echo(f"{m['task']}: medium text, {key} thread(s), vs {m['reference']}")
        for s in m["subjects"]:
            if s["status"] != "ok":
                click.echo(f"  {s['name']:<13} {s['status']}: {s['reason']}")
                continue
            lat = s["latency_ms"][key][h["bucket"]]
            vs = s.get("vs_reference") or {}
            ratio = f"x{vs['latency_p50']:.2f}" if vs.get("latency_p50") else "   -"
            click.echo(
                f"  {s['name']:<13} p50 {lat['p50']:7.2f} ms  p95 {lat['p95']:7.2f} ms  {ratio:>6}"
                f"  {s['throughput'][key][b]['texts_per_s']:8.1f} texts/s at batch {b}"
            )
    click.echo(f"wrote {Path(out) / 'report.md'}")
    if report["profile"] is not None:
        raise_if_missed(report["profile"], Path(out))  # exit 10 on a missed target
        click.echo(f"profile {report['profile']['name']}: every target met")


def _bench_vs_presidio(models, task, out, limit, data, quiet) -> None:
    """`edge bench --vs presidio`: the comparison runs in a child process so that its thread
    pins (OMP/MKL/OpenBLAS = 1) are set before numpy loads, as they would be from a shell."""
    import os
    import subprocess

    if task == "intent":
        raise click.UsageError(
            "--vs presidio compares PII models (--model DIR/NAME, repeatable; default: the "
            "built pii and pii-fast models)"
        )
    cmd = [sys.executable, "-m", "benchmarks.presidio_compare"]
    for m in models:
        cmd += ["--model", str(m)]
    cmd += ["--out", "presidio-report" if out == "bench-report" else str(out)]
    cmd += ["--limit", str(limit)] if limit else []
    cmd += ["--dataset", str(data)] if data else []
    cmd += ["--quiet"] if quiet else []
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    code = subprocess.call(cmd, env=env)
    if code:
        sys.exit(code)
