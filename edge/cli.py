"""The `edge` command: thin over the Python API (edge.load, quantize.build, quantize.train).

Exit codes: 0 success; 1 other edge error; 2 usage error; 3 bad input text; 4 bad spec;
5 bad or missing artifact; 6 build failed (incl. parity); 7 optional backend missing;
8 bad data file; 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from edge.errors import EdgeError, InputError
from edge.textinput import decode_utf8


class EdgeGroup(click.Group):
    """Turns every EdgeError into one clear line on stderr and its exit code, no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EdgeError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=EdgeGroup)
@click.version_option(package_name="edge")
def main() -> None:
    """edge: private PII detection and intent classification on the device."""


def read_texts(texts: tuple[str, ...], file: str | None) -> list[str]:
    """TEXT arguments, else --file (one text per line, or JSONL with "text"), else stdin."""
    if texts and file:
        raise click.UsageError("give TEXT arguments or --file, not both")
    if texts:
        return list(texts)
    if file:
        if file == "-":
            data, source = sys.stdin.buffer.read(), "stdin"
        else:
            path = Path(file)
            if not path.is_file():
                raise InputError(f"--file {file}: no such file")
            data, source = path.read_bytes(), str(path)
    elif not sys.stdin.isatty():
        data, source = sys.stdin.buffer.read(), "stdin"
    else:
        raise click.UsageError("give a TEXT, --file FILE, or pipe text on stdin")
    out = []
    for n, line in enumerate(decode_utf8(data, source).splitlines(), 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(
                    f"{source}:{n}: line looks like JSON but is not ({e.msg})"
                ) from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise InputError(f'{source}:{n}: JSONL lines need a "text" string')
            out.append(obj["text"])
        else:
            out.append(line)
    if not out:
        raise InputError(f"{source} holds no text")
    return out


def model_options(f):
    f = click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")(
        f
    )
    f = click.option(
        "--variant", help="Variant in the artifact, e.g. int8, gguf-q8_0 (default: its default)."
    )(f)
    f = click.option("--json", "as_json", is_flag=True, help="One JSON object per text (JSONL).")(f)
    f = click.option(
        "--file", "file", help="Read texts from FILE (one per line or JSONL), - = stdin."
    )(f)
    f = click.option(
        "--model", "model", help="Artifact folder (default: the built default model)."
    )(f)
    return f


def _load(model: str | None, task: str, variant: str | None, threads: int | None):
    import edge
    from edge.defaults import resolve_model

    loaded = edge.load(resolve_model(model, task), variant=variant, threads=threads)
    expected = {"pii": "token-classification", "intent": "sequence-classification"}[task]
    if loaded.task.kind != expected:
        raise InputError(
            f"{loaded.artifact_dir} is a {loaded.task.kind} model; `edge {task}` needs {expected}"
        )
    return loaded


@main.command()
@click.argument("texts", nargs=-1)
@model_options
def pii(texts, model, file, as_json, variant, threads) -> None:
    """Find PII in TEXT and print it redacted, with the spans found."""
    items = read_texts(texts, file)
    detector = _load(model, "pii", variant, threads)
    for res in detector.detect(items):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        click.echo(res.redacted)
        for s in res.spans:
            click.echo(f"  {s.label:<15} {s.start:>5}-{s.end:<5} {s.score:.2f}  {s.text!r}")


@main.command()
@click.argument("texts", nargs=-1)
@model_options
@click.option("--top-k", default=3, show_default=True, type=click.IntRange(1, 1000))
@click.option("--policy", help="Cloud fallback policy: NAME (specs/policies) or path to a .toml.")
@click.option("--pii-model", help="PII artifact that redacts before any fallback (with --policy).")
@click.option("--audit-log", type=click.Path(), help="With --policy: $EDGE_HOME/audit.jsonl.")
def intent(
    texts, model, file, as_json, variant, threads, top_k, policy, pii_model, audit_log
) -> None:
    """Classify the intent of TEXT (or say it is out of scope)."""
    items = read_texts(texts, file)
    classifier = _load(model, "intent", variant, threads)
    if policy or pii_model or audit_log:
        return _routed_intent(
            classifier, items, policy, pii_model, audit_log, threads, top_k, as_json
        )
    for res in classifier.classify(items, top_k=top_k):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        scope = "" if res.in_scope else "  (out of scope)"
        click.echo(f"{res.label}  {res.confidence:.3f}{scope}  <- {res.text}")
        if top_k > 1:
            click.echo("  " + ", ".join(f"{lbl} {p:.3f}" for lbl, p in res.top_k))


@main.command()
@click.argument("artifact", type=click.Path())
def info(artifact) -> None:
    """Show an artifact's manifest: task, variants, sizes and parity."""
    from edge.manifest import read_manifest

    m = read_manifest(Path(artifact))
    click.echo(f"task {m.task.name} ({m.task.kind}), {len(m.labels)} labels")
    click.echo(f"base {m.base_model.name} sha256 {m.base_model.sha256[:12]}")
    click.echo(f"adapter {m.adapter.name} sha256 {m.adapter.sha256[:12]}")
    for v in m.variants:
        p = v.parity
        mark = "*" if v.name == m.default_variant else " "
        click.echo(
            f"{mark} {v.name:<11} {v.format:<5} {v.model.size_bytes / 1e6:8.1f} MB  "
            f"argmax agreement {p.argmax_agreement:.4f}  max|Δlogit| {p.max_abs_logit_diff:.2e}"
        )


@main.command()
@click.option("--base", required=True, help="Base model folder, or all-MiniLM-L6-v2 (packaged).")
@click.option("--adapter", required=True, type=click.Path(), help="peft LoRA adapter folder.")
@click.option("--task", required=True, help="Task spec name (specs/tasks/NAME.toml) or path.")
@click.option("--out", required=True, type=click.Path(), help="Artifact folder to write.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["onnx", "gguf", "all"]),
    default="onnx",
    show_default=True,
    help="onnx: fp32,int8 · gguf: gguf-f16,gguf-q8_0,gguf-q4_0 (llama.cpp) · all: both.",
)
@click.option(
    "--variants", help="Comma-separated, overrides --format (e.g. int8,gguf-q8_0,gguf-q4_k_m)."
)
@click.option("--probe-file", type=click.Path(), help="Parity probe texts (lines or JSONL).")
@click.option("--force", is_flag=True, help="Replace an existing artifact folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build(base, adapter, task, out, fmt, variants, probe_file, force, quiet) -> None:
    """Merge a LoRA adapter into a base, export ONNX and/or GGUF, check parity, write it."""
    from quantize.build import FORMAT_VARIANTS
    from quantize.build import build as run_build
    from quantize.probes import load_probes

    probes = load_probes(probe_file) if probe_file else None
    chosen = (
        tuple(v.strip() for v in variants.split(",") if v.strip())
        if variants
        else FORMAT_VARIANTS[fmt]
    )
    manifest = run_build(
        base, adapter, task, out, variants=chosen, probe_texts=probes, force=force, quiet=quiet
    )
    for v in manifest.variants:
        click.echo(
            f"{v.name:<11} {v.model.size_bytes / 1e6:7.1f} MB  argmax agreement "
            f"{v.parity.argmax_agreement:.4f}  max|Δlogit| {v.parity.max_abs_logit_diff:.2e}"
        )
    click.echo(f"wrote {out} in {manifest.build_seconds:.1f} s")


@main.command()
@click.option("--task", required=True, help="Task spec name (specs/tasks/NAME.toml) or path.")
@click.option("--base", default="all-MiniLM-L6-v2", show_default=True, help="Base model.")
@click.option(
    "--data",
    "--from-fallbacks",
    "data",
    type=click.Path(),
    help="Training JSONL (see README), e.g. kept cloud fallbacks (audit.fallbacks.jsonl).",
)
@click.option("--dataset", help="Named data set instead of --data: clinc150, pii-synth.")
@click.option("--val", type=click.Path(), help="Validation JSONL (default: hold out 10%).")
@click.option("--out", required=True, type=click.Path(), help="Adapter folder to write.")
@click.option("--epochs", default=3, show_default=True, type=click.IntRange(1, 1000))
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1, 4096))
@click.option("--lr", default=5e-4, show_default=True, type=float)
@click.option("--lora-r", default=16, show_default=True, type=click.IntRange(1, 1024))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--oversample", multiple=True, help="LABEL=FACTOR: repeat a rare label's records.")
@click.option("--threads", type=click.IntRange(1, 256), help="torch CPU threads.")
@click.option("--force", is_flag=True, help="Replace an existing adapter folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train(
    task,
    base,
    data,
    dataset,
    val,
    out,
    epochs,
    batch_size,
    lr,
    lora_r,
    seed,
    oversample,
    threads,
    force,
    quiet,
) -> None:
    """Fine-tune a LoRA adapter for a task on CPU (GPU if present)."""
    from edge.specs import load_task_spec
    from quantize.data import check_records, load_records
    from quantize.datasets import load_dataset
    from quantize.train import TrainConfig, oversample_records
    from quantize.train import train as run_train

    if bool(data) == bool(dataset):
        raise click.UsageError("give exactly one of --data FILE or --dataset NAME")
    spec = load_task_spec(task)
    if data:
        records = load_records(data, spec)
    else:
        records = check_records(load_dataset(dataset, "train"), spec, dataset)
    if val:
        val_records = load_records(val, spec)
    elif dataset:
        val_records = check_records(load_dataset(dataset, "val"), spec, f"{dataset}:val")
    else:
        val_records = None
    factors = {}
    for item in oversample:
        label, _, factor = item.partition("=")
        if not factor.isdigit():
            raise click.UsageError(f"--oversample {item!r}: use LABEL=FACTOR, e.g. oos=10")
        factors[label] = int(factor)
    records = oversample_records(records, factors)
    cfg = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        lora_r=lora_r,
        lora_alpha=2 * lora_r,
        seed=seed,
        threads=threads,
    )
    rec = run_train(
        base, spec, records, out, val_records=val_records, config=cfg, force=force, quiet=quiet
    )
    best = rec["best"]
    click.echo(
        f"wrote {out}: best epoch {best['epoch']}, val_loss {best['val_loss']:.4f}, "
        f"val token/text accuracy {best['val_accuracy']:.4f}, {rec['seconds']:.0f} s"
    )


def _fmt(x: float | None, pct: bool = True) -> str:
    if x is None:
        return "n/a"
    return f"{100 * x:.1f}" if pct else f"{x:.3f}"


def _print_eval(report: dict) -> None:
    """The human report: a rich table of the model's figures, the baseline and the verdict."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    res, base, cmp_ = report["model"], report["baseline"], report["comparison"]
    src = res["source"]
    what = (
        f"{src['artifact']} ({src['variant']}, {src['format']})"
        if src["type"] == "artifact"
        else f"PyTorch merged {src['adapter']}"
    )
    console.print(
        f"{res['task']}: {what} on {res['n']} records, "
        f"{res['latency_ms_per_text']:.2f} ms/text (batched)"
    )
    scores = res["scores"]
    if res["kind"] == "token-classification":
        table = Table(
            title="PII entities (P/R/F1 in %)",
            caption="ex: exact span match · rel: overlapping span, same type",
        )
        table.add_column("type", no_wrap=True)
        for col in ("n", "ex P", "ex R", "ex F1", "rel P", "rel R", "rel F1"):
            table.add_column(col, justify="right", no_wrap=True)
        rows = [
            (t, scores["exact"]["per_type"][t], scores["relaxed"]["per_type"][t])
            for t in scores["exact"]["per_type"]
        ]
        rows.append(("micro", scores["exact"]["micro"], scores["relaxed"]["micro"]))
        for i, (name, e, r) in enumerate(rows):
            table.add_row(
                name,
                str(e["support"]),
                *(_fmt(e[k]) for k in ("precision", "recall", "f1")),
                *(_fmt(r[k]) for k in ("precision", "recall", "f1")),
                end_section=i == len(rows) - 2,
            )
        console.print(table)
        conf_title, conf_cols = "top span errors (O = none)", ("gold", "predicted", "count")
    else:
        table = Table(title="intent")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_row("accuracy %", _fmt(scores["accuracy"]))
        table.add_row(
            f"in-scope accuracy % ({scores['n_in_scope']})", _fmt(scores["in_scope_accuracy"])
        )
        table.add_row(f"out-of-scope recall % ({scores['n_oos']})", _fmt(scores["oos_recall"]))
        table.add_row("out-of-scope precision %", _fmt(scores["oos_precision"]))
        table.add_row("macro-F1 %", _fmt(scores["macro_f1"]))
        table.add_row("oos threshold", _fmt(res.get("oos_threshold"), pct=False))
        console.print(table)
        conf_title, conf_cols = "top confusions", ("gold", "predicted", "count")
    if scores["confusions"]:
        conf = Table(title=conf_title)
        for col in conf_cols:
            conf.add_column(col, justify="right" if col == "count" else "left")
        for g, p, n in scores["confusions"]:
            conf.add_row(g, p, str(n))
        console.print(conf)
    h = res["headline"]
    console.print(f"fine-tuned {h['metric']}: {_fmt(h['value'])} %")
    if base is not None:
        bs, bh = base["source"], base["headline"]
        extra = f", threshold {base['oos_threshold']:.3f}" if base.get("oos_threshold") else ""
        console.print(f"baseline ({bs['name']}{extra}) {bh['metric']}: {_fmt(bh['value'])} %")
        verdict = "yes" if cmp_["beats_baseline"] else "no"
        console.print(
            f"fine-tuned beats baseline by {cmp_['difference_points']:.1f} points "
            f"(margin {cmp_['margin_points']:g}): {verdict}"
        )


@main.command("eval")
@click.option("--model", "model", type=click.Path(), help="Artifact folder to evaluate.")
@click.option("--adapter", type=click.Path(), help="Evaluate the merged PyTorch model instead.")
@click.option("--task", help="Task spec for --adapter (name or path).")
@click.option("--variant", help="Artifact variant (default: its default).")
@click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")
@click.option("--data", type=click.Path(), help="Labelled JSONL (see README for the format).")
@click.option("--dataset", help="Named data set instead of --data: clinc150, pii-synth.")
@click.option("--split", default="test", show_default=True, help="Split of --dataset.")
@click.option("--baseline/--no-baseline", default=True, show_default=True)
@click.option("--baseline-data", type=click.Path(), help="Intent baseline's training JSONL.")
@click.option("--baseline-val", type=click.Path(), help="Intent baseline's threshold JSONL.")
@click.option(
    "--base", default="all-MiniLM-L6-v2", show_default=True, help="Base for baseline/--adapter."
)
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(1, 100000))
@click.option("--margin", default=10.0, show_default=True, type=float, help="Points to beat by.")
@click.option("--oos-threshold", type=click.FloatRange(0, 1), help="Override the task's.")
@click.option("--limit", type=click.IntRange(1), help="Evaluate a fixed sample of N records.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object with everything.")
def eval_(
    model,
    adapter,
    task,
    variant,
    threads,
    data,
    dataset,
    split,
    baseline,
    baseline_data,
    baseline_val,
    base,
    k,
    margin,
    oos_threshold,
    limit,
    seed,
    as_json,
) -> None:
    """Score a model on labelled data against a no-fine-tuning baseline (a report: exits 0)."""
    from edge.manifest import read_manifest
    from edge.specs import load_task_spec
    from quantize.data import check_records, load_records
    from quantize.datasets import load_dataset
    from quantize.evaluate import (
        compare,
        evaluate_artifact,
        evaluate_baseline,
        evaluate_torch,
        subsample,
    )

    if bool(model) == bool(adapter):
        raise click.UsageError("give --model ARTIFACT, or --adapter DIR with --task")
    if bool(data) == bool(dataset):
        raise click.UsageError("give exactly one of --data FILE or --dataset NAME")
    if adapter and not task:
        raise click.UsageError("--adapter needs --task")
    spec = read_manifest(Path(model)).task if model else load_task_spec(task)
    if data:
        records = load_records(data, spec)
    else:
        records = check_records(load_dataset(dataset, split), spec, f"{dataset}:{split}")
    records = subsample(records, limit, seed)
    train_records = val_records = None
    if baseline and spec.kind == "sequence-classification":
        if baseline_data:
            train_records = load_records(baseline_data, spec)
        elif dataset:
            train_records = load_dataset(dataset, "train")
        else:
            raise click.UsageError("the intent baseline needs --baseline-data FILE with --data")
        if baseline_val:
            val_records = load_records(baseline_val, spec)
        elif dataset and not baseline_data:
            val_records = load_dataset(dataset, "val")
    if model:
        result = evaluate_artifact(
            model, records, variant=variant, threads=threads, oos_threshold=oos_threshold
        )
    else:
        result = evaluate_torch(base, adapter, spec, records, oos_threshold=oos_threshold)
    base_result = comparison = None
    if baseline:
        base_result = evaluate_baseline(
            spec,
            records,
            base=base,
            train_records=train_records,
            val_records=val_records,
            k=k,
            seed=seed,
        )
        comparison = compare(result, base_result, margin)
    report = {"model": result, "baseline": base_result, "comparison": comparison}
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        _print_eval(report)


DEMO_TEXTS = {
    "pii": [
        "Hi, I'm Maria Garcia. Mail me at maria.garcia@example.com or call +1 415 555 0132.",
        "Please wire 300 EUR to DE89 3704 0044 0532 0130 00 before Friday, thanks! -- Jürgen",
        "2024-03-01T12:00:01Z WARN login failed user=jdoe ip=203.0.113.42",
    ],
    "intent": [
        "wake me up at 6 tomorrow morning",
        "how much money is in my checking account",
        "book me a flight from Boston to Denver next Tuesday",
        "what's the best way to learn the violin",
    ],
}


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the default models even if present.")
def demo(rebuild) -> None:
    """Build the default PII and intent models (first run only) and run both on examples."""
    from edge.defaults import default_model_dir

    for task in ("pii", "intent"):
        out = default_model_dir(task)
        if rebuild or not (out / "manifest.json").is_file():
            from quantize.defaults import build_default

            click.echo(f"building the default {task} model into {out} (first run only) ...")
            build_default(task, out, force=True)
        loaded = _load(str(out), task, None, None)
        click.echo(f"\n== {task} ({out}, variant {loaded.variant}) ==")
        for text in DEMO_TEXTS[task]:
            if task == "pii":
                click.echo(loaded.detect(text).redacted)
            else:
                r = loaded.classify(text)
                scope = "" if r.in_scope else "  (out of scope)"
                click.echo(f"{r.label:<20} {r.confidence:.3f}{scope}  <- {text}")


def _routed_intent(classifier, items, policy, pii_model, audit_log, threads, top_k, as_json):
    """`edge intent --policy`: local first, the cloud only where the policy allows, audited."""
    from edge.defaults import edge_home
    from edge.policy import load_policy
    from edge.router import Router

    if not policy:
        raise click.UsageError("--pii-model and --audit-log go with --policy")
    pol = load_policy(policy)
    pii = None
    if pol.intent.may_send:
        pii = _load(pii_model, "pii", None, threads)
    audit = Path(audit_log) if audit_log else edge_home() / "audit.jsonl"
    with Router(classifier, pii, pol, audit_path=audit, top_k=top_k) as router:
        for res in router.classify(items):
            if as_json:
                click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
                continue
            conf = "  n/a" if res.confidence is None else f"{res.confidence:.3f}"
            note = f"  [{res.source}: {res.reason}, {res.outcome}]"
            note += "  (degraded)" if res.degraded else ""
            click.echo(f"{res.label}  {conf}{note}  <- {res.text}")


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


@main.command()
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
    quiet,
) -> None:
    """Benchmark variants and peers on this machine; write a report folder (JSON, Markdown, PNG)."""
    from benchmarks.harness import BenchConfig, default_threads, run_bench
    from benchmarks.profile import raise_if_missed
    from edge.defaults import default_model_dir, resolve_model
    from edge.manifest import read_manifest

    if models:
        paths = [Path(m) for m in models]
        kinds = {"pii": "token-classification", "intent": "sequence-classification"}
        for p in paths:
            if task and read_manifest(p).task.kind != kinds[task]:
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


if __name__ == "__main__":  # pragma: no cover
    main()
