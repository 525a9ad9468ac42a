"""The `edge` command: thin over the Python API (edge.load, quantize.build, quantize.train).

Exit codes: 0 success; 1 other edge error; 2 usage error; 3 bad input text; 4 bad spec;
5 bad or missing artifact; 6 build failed (incl. parity); 7 optional backend missing;
8 bad data file; 11 pseudonym mapping file missing, unsafe or corrupt; 130 interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
    with _open_input(file) as (stream, source):
        data = stream.read()
    out = []
    for n, line in enumerate(decode_utf8(data, source).splitlines(), 1):
        if not line.strip():
            continue
        out.append(_parse_line(line, source, n)[0])
    if not out:
        raise InputError(f"{source} holds no text")
    return out


@contextlib.contextmanager
def _open_input(file: str | None) -> Iterator[tuple[BinaryIO, str]]:
    """--file FILE, --file - (stdin) or piped stdin, as a binary stream and its name."""
    if file and file != "-":
        path = Path(file)
        if not path.is_file():
            raise InputError(f"--file {file}: no such file")
        with path.open("rb") as fh:
            yield fh, str(path)
    elif file or not sys.stdin.isatty():
        yield sys.stdin.buffer, "stdin"
    else:
        raise click.UsageError("give a TEXT, --file FILE, or pipe text on stdin")


def _parse_line(line: str, source: str, n: int) -> tuple[str, dict | None]:
    """A line's text, and its JSON object when it is a JSONL line with a "text" field."""
    if not line.lstrip().startswith("{"):
        return line, None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"{source}:{n}: line looks like JSON but is not ({e.msg})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise InputError(f'{source}:{n}: JSONL lines need a "text" string')
    return obj["text"], obj


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
        "--model",
        "model",
        help="Artifact folder, or a default model's name: pii, pii-fast, intent (default: the "
        "task's default model).",
    )(f)
    return f


def _labelled(
    spec, data: str | None, dataset: str | None, split: str, fields=(None, None), **kwargs
) -> list[dict]:
    """``--data FILE``, else the split of ``--dataset NAME``, checked against the task's labels
    (``spec=None``: a new task, any label). ``fields``: --text-field, --label-field."""
    from quantize.data import labelled_records

    return labelled_records(data or f"{dataset}:{split}", spec, *fields, **kwargs)


def field_options(f):
    """--text-field/--label-field: the columns of a --data file (default: usual names)."""
    f = click.option(
        "--label-field",
        help="Column/key of the label in --data [label, else category, intent, class, target].",
    )(f)
    return click.option(
        "--text-field",
        help="Column/key of the text in --data [text, else sentence, utterance, query, ...].",
    )(f)


def _load(model: str | None, task: str, variant: str | None, threads: int | None):
    import edge
    from edge.defaults import resolve_model
    from edge.specs import kind_of_alias

    loaded = edge.load(resolve_model(model, task), variant=variant, threads=threads)
    expected = kind_of_alias(task)
    if loaded.task.kind != expected:
        raise InputError(
            f"{loaded.artifact_dir} is a {loaded.task.kind} model; `edge {task}` needs {expected}"
        )
    return loaded


def _is_new_task(task: str) -> bool:
    """Not a spec file nor a name in specs/tasks: `edge train` writes its spec from the data."""
    import os

    from edge.specs import specs_dir

    path = Path(task)
    known = (specs_dir() / "tasks" / f"{task}.toml").is_file()
    return not (known or path.suffix == ".toml" or path.exists() or os.sep in task)


def _new_task_spec(task: str, base: str, records: list[dict], source: str, out: str):
    """A new classification task's spec from its labelled records, printed (quantize.newtask)."""
    from quantize.newtask import SPEC_FILE, infer_spec, spec_toml
    from quantize.sources import open_base

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", task):
        raise click.UsageError(
            f"--task {task!r}: not a known spec; a new task's name uses a-z, 0-9, _ and - "
            "(or pass a path to a .toml spec)"
        )
    spec, comments = infer_spec(task, records, open_base(base), source=source)
    click.echo(f"new task {task!r}: spec written from {source} (kept as {Path(out) / SPEC_FILE}):")
    click.echo(spec_toml(spec, comments))
    return spec, comments


@main.command()
@click.argument("texts", nargs=-1)
@model_options
@click.option(
    "--rules/--no-rules",
    default=None,
    help="Hybrid: fuse the model with the rule recognizers [the task spec's fusion.enabled, "
    "on by default]; --no-rules: the model's spans only.",
)
@click.option("--region", help="Phone region for national numbers, e.g. GB [fusion.phone_region].")
def pii(texts, model, file, as_json, variant, threads, rules, region) -> None:
    """Find PII in TEXT and print it redacted, with the spans found and who found them."""
    items = read_texts(texts, file)
    detector = _load(model, "pii", variant, threads)
    if region:
        detector.configure_fusion(phone_region=region.upper())
    for res in detector.detect(items, rules=rules):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        click.echo(res.redacted)
        for s in res.spans:
            click.echo(
                f"  {s.label:<15} {s.start:>5}-{s.end:<5} {s.score:.2f}  {s.source:<13} {s.text!r}"
            )


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
            + _accuracy_note(p)
        )


def _accuracy_note(p) -> str:
    """What the accuracy gate measured for a variant (nothing where it did not apply)."""
    acc = p.accuracy
    if acc is None:
        return ""
    return (
        f"  accuracy {100 * acc.accuracy:.2f} % vs PyTorch {100 * acc.reference_accuracy:.2f} % "
        f"on {acc.labelled_texts} validation texts ({abs(acc.drop_points):.2f} points "
        f"{'gained' if acc.drop_points < 0 else 'lost'}; at most {acc.max_drop_points:g} "
        "may be lost)"
    )


@main.command()
@click.option(
    "--base",
    help="Base model folder, or all-MiniLM-L6-v2 (packaged) [the one the adapter was trained on].",
)
@click.option("--adapter", type=click.Path(), help="peft LoRA adapter folder.")
@click.option(
    "--task", help="Task spec name (specs/tasks/NAME.toml) or path [the adapter's task.toml]."
)
@click.option("--out", required=True, type=click.Path(), help="Artifact folder to write.")
@click.option(
    "--profile",
    help="Hardware profile (specs/hardware/NAME.toml or a path): build its candidates, measure, "
    "keep the most accurate set that fits (OUT/<task> + OUT/build-report.json).",
)
@click.option("--data", type=click.Path(), help="With --profile and --adapter: eval JSONL.")
@click.option(
    "--eval-limit",
    type=click.IntRange(0),
    default=1000,
    show_default=True,
    help="With --profile: a fixed sample of N eval records per task (0 = all).",
)
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
def build(
    base, adapter, task, out, profile, data, eval_limit, fmt, variants, probe_file, force, quiet
) -> None:
    """Merge a LoRA adapter into a base, export ONNX and/or GGUF, check parity, write it.

    With --profile: the variants a hardware profile allows, each measured (accuracy, peak RSS,
    latency), the most accurate set that fits its memory budget kept (default models unless
    --adapter/--task/--data name your own)."""
    from quantize.build import FORMAT_VARIANTS
    from quantize.build import build as run_build
    from quantize.probes import load_probes

    probes = load_probes(probe_file) if probe_file else None
    if profile:
        return _build_profile(
            profile, out, base, adapter, task, data, eval_limit, fmt, variants, probes, force, quiet
        )
    if adapter:
        base, task = _adapter_defaults(adapter, base, task)
    if not (base and adapter and task):
        raise click.UsageError("give --base, --adapter and --task (or --profile NAME)")
    if data:
        raise click.UsageError("--data goes with --profile")
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
            + _accuracy_note(v.parity)
        )
    click.echo(f"wrote {out} in {manifest.build_seconds:.1f} s")


def _adapter_defaults(adapter: str, base: str | None, task: str | None) -> tuple:
    """--base and --task an adapter `edge train` wrote can leave out: the base named in its
    record, the spec kept beside it (task.toml)."""
    from quantize.newtask import adapter_spec
    from quantize.sources import ADAPTER_RECORD

    record_file = Path(adapter) / ADAPTER_RECORD
    if not base and record_file.is_file():
        base = json.loads(record_file.read_text(encoding="utf-8")).get("base_name")
    if not task and (kept := adapter_spec(adapter)):
        task = str(kept)
    return base, task


def _build_profile(
    profile, out, base, adapter, task, data, eval_limit, fmt, variants, probes, force, quiet
) -> None:
    """`edge build --profile`: the profile chooses the variants, so --format/--variants do not."""
    from quantize.profile_build import REPORT_NAME, build_profile, custom_source

    if variants or fmt != "onnx":
        raise click.UsageError("--profile chooses the variants; leave out --format/--variants")
    if (base or task or data) and not adapter:
        raise click.UsageError("--base/--task/--data with --profile need --adapter")
    custom = None
    if adapter:
        if not task:
            raise click.UsageError("--adapter needs --task")
        custom = custom_source(
            base or "all-MiniLM-L6-v2", adapter, task, data, eval_limit, probes=probes
        )
    report = build_profile(
        profile,
        out,
        sources={custom.task: custom} if custom else None,
        eval_limit=eval_limit,
        force=force,
        quiet=quiet,
    )
    chosen = ", ".join(f"{t} {v}" for t, v in report["chosen"].items())
    click.echo(
        f"profile {report['profile']}: {chosen}, models {report['models_rss_mb']:.0f} MB together "
        f"<= {report['memory_budget_mb']:g} MB (process peak "
        f"{report['process_peak_rss_mb']:.0f} MB); wrote {out} ({REPORT_NAME}) in "
        f"{report['seconds']:.0f} s"
    )


@main.command()
@click.option(
    "--task",
    required=True,
    help="Task spec name (specs/tasks/NAME.toml) or path; a new NAME: a classification task "
    "whose spec is written from the data (kept beside the adapter as task.toml).",
)
@click.option("--base", default="all-MiniLM-L6-v2", show_default=True, help="Base model.")
@click.option(
    "--data",
    "--from-fallbacks",
    "data",
    type=click.Path(),
    help="Training data: JSONL, CSV, TSV or Parquet (see README), e.g. kept cloud fallbacks "
    "(audit.fallbacks.jsonl).",
)
@field_options
@click.option(
    "--dataset", help="Named data set instead of --data: clinc150, pii-synth, pii-docs, pii-mix."
)
@click.option("--val", type=click.Path(), help="Validation JSONL (default: hold out 10%).")
@click.option("--out", required=True, type=click.Path(), help="Adapter folder to write.")
@click.option("--epochs", default=3, show_default=True, type=click.IntRange(1, 1000))
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1, 4096))
@click.option("--lr", default=5e-4, show_default=True, type=float)
@click.option("--lora-r", default=16, show_default=True, type=click.IntRange(1, 1024))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--train-split",
    default="train",
    show_default=True,
    help="Split of --dataset to train on (pii-synth, pii-mix: train-only leaves the val "
    "templates unseen).",
)
@click.option(
    "--patience",
    default=2,
    show_default=True,
    type=click.IntRange(1),
    help="Epochs without a better validation accuracy before stopping.",
)
@click.option("--oversample", multiple=True, help="LABEL=FACTOR: repeat a rare label's records.")
@click.option(
    "--dataset-records",
    type=click.IntRange(1),
    help="pii-synth, pii-docs: render this many training records (default 44,000 each); "
    "pii-mix: this many in all, half from each.",
)
@click.option(
    "--teacher-adapter",
    type=click.Path(),
    help="Distil from this trained adapter (same task) on --teacher-base, e.g. a 6-layer model "
    "teaching a --base all-MiniLM-L6-v2:L2 student.",
)
@click.option("--teacher-base", default="all-MiniLM-L6-v2", show_default=True)
@click.option(
    "--unlabelled",
    multiple=True,
    help="With --teacher-adapter: texts the student learns from the teacher alone, a JSONL "
    "file or NAME:SPLIT (e.g. clinc150:train).",
)
@click.option(
    "--distill-alpha",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Weight of the gold labels' loss; the rest is the teacher's.",
)
@click.option("--threads", type=click.IntRange(1, 256), help="torch CPU threads.")
@click.option(
    "--max-minutes",
    type=click.FloatRange(min=0, min_open=True),
    help="Start no epoch that would end past this many minutes (the best epoch so far is kept).",
)
@click.option("--force", is_flag=True, help="Replace an existing adapter folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train(
    task,
    base,
    data,
    text_field,
    label_field,
    dataset,
    val,
    out,
    epochs,
    batch_size,
    lr,
    lora_r,
    seed,
    train_split,
    patience,
    oversample,
    dataset_records,
    teacher_adapter,
    teacher_base,
    unlabelled,
    distill_alpha,
    threads,
    max_minutes,
    force,
    quiet,
) -> None:
    """Fine-tune a LoRA adapter for a task on CPU (GPU if present).

    --base NAME:L<k> trains on the base's first k layers (faster to run); --teacher-adapter
    distils a trained model into it."""
    from edge.specs import load_task_spec
    from quantize.data import load_texts, read_table
    from quantize.datasets import GENERATED
    from quantize.train import TrainConfig, oversample_records
    from quantize.train import train as run_train

    if bool(data) == bool(dataset):
        raise click.UsageError("give exactly one of --data FILE or --dataset NAME")
    if dataset_records and dataset not in GENERATED:
        raise click.UsageError(
            f"--dataset-records goes with a generated --dataset ({', '.join(GENERATED)})"
        )
    sized = {"n": dataset_records} if dataset_records else {}
    fields = (text_field, label_field)
    new_task = _is_new_task(task)
    spec, comments = (None, None) if new_task else (load_task_spec(task), None)
    if data:  # read once: the rows, and where they came from (for the adapter's record)
        need_label = spec is None or spec.kind == "sequence-classification"
        table = read_table(data, *fields, need_label=need_label)
        source, data_source, rows_for = str(data), table.source(), table.records
    else:
        source = f"{dataset}:{train_split}"
        data_source = {"dataset": dataset, "split": train_split}

        def rows_for(sp):
            return _labelled(sp, None, dataset, train_split, **sized)

    if new_task:
        spec, comments = _new_task_spec(task, base, rows_for(None), source, out)
    records = rows_for(spec)
    val_records = _labelled(spec, val, dataset, "val", fields) if (val or dataset) else None
    factors = {}
    for item in oversample:
        label, _, factor = item.partition("=")
        if not factor.isdigit():
            raise click.UsageError(f"--oversample {item!r}: use LABEL=FACTOR, e.g. oos=10")
        factors[label] = int(factor)
    records = oversample_records(records, factors)
    if unlabelled and not teacher_adapter:
        raise click.UsageError("--unlabelled needs --teacher-adapter (the texts carry no labels)")
    for source in unlabelled:
        records = records + load_texts(source)
    cfg = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        lora_r=lora_r,
        lora_alpha=2 * lora_r,
        seed=seed,
        patience=patience,
        threads=threads,
        distill_alpha=distill_alpha,
        max_minutes=max_minutes,
    )
    teacher = (teacher_base, teacher_adapter) if teacher_adapter else None
    rec = run_train(
        base,
        spec,
        records,
        out,
        val_records=val_records,
        config=cfg,
        force=force,
        quiet=quiet,
        teacher=teacher,
        data_source=data_source,
        spec_comments=comments,
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


def _pii_table(scores: dict, what: str | None):
    """Per-type and micro P/R/F1 of one PII prediction source, exact and relaxed."""
    from rich.table import Table

    title = "PII entities (P/R/F1 in %)" + (f": {what}" if what else "")
    table = Table(title=title, caption="ex: exact span match · rel: overlapping span, same type")
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
    return table


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
        hybrid = res.get("hybrid")
        console.print(_pii_table(scores, "model only" if hybrid else None))
        if hybrid:
            console.print(_pii_table(hybrid["scores"], "hybrid: model + rules (edge.fusion)"))
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
    if res.get("hybrid"):
        hh, hms = res["hybrid"]["headline"], res["hybrid"]["latency_ms_per_text"]
        console.print(
            f"fine-tuned {h['metric']}: model only {_fmt(h['value'])} %, "
            f"hybrid {_fmt(hh['value'])} % ({hms:.2f} ms/text with the rules)"
        )
    else:
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
        console.print(_worth_it(cmp_, bs))


def _worth_it(cmp_: dict, baseline_source: dict) -> str:
    """The decision the comparison is for, in a sentence."""
    diff, margin = cmp_["difference_points"], cmp_["margin_points"]
    what = f"the no-fine-tuning baseline ({baseline_source['name']})"
    if cmp_["beats_baseline"]:
        return (
            f"Fine-tuning is worth it here: {diff:.1f} points above {what}, more than the "
            f"{margin:g}-point margin."
        )
    gap = f"{-diff:.1f} points below" if diff < 0 else f"only {diff:.1f} points above"
    return (
        f"Fine-tuning is NOT worth it here: {gap} {what}, not the {margin:g}-point margin "
        "needed; use the baseline (no training), or add data and retrain."
    )


@main.command("eval")
@click.option("--model", "model", type=click.Path(), help="Artifact folder to evaluate.")
@click.option("--adapter", type=click.Path(), help="Evaluate the merged PyTorch model instead.")
@click.option("--task", help="Task spec for --adapter (name or path) [the adapter's task.toml].")
@click.option("--variant", help="Artifact variant (default: its default).")
@click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")
@click.option("--data", type=click.Path(), help="Labelled JSONL, CSV, TSV or Parquet (see README).")
@field_options
@click.option(
    "--dataset", help="Named data set instead of --data: clinc150, pii-synth, pii-docs, pii-mix."
)
@click.option("--split", default="test", show_default=True, help="Split of --dataset.")
@click.option("--baseline/--no-baseline", default=True, show_default=True)
@click.option(
    "--baseline-data",
    type=click.Path(),
    help="Intent baseline's training data [the training data the adapter recorded].",
)
@click.option("--baseline-val", type=click.Path(), help="Intent baseline's threshold JSONL.")
@click.option(
    "--base", default="all-MiniLM-L6-v2", show_default=True, help="Base for baseline/--adapter."
)
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(1, 100000))
@click.option("--margin", default=10.0, show_default=True, type=float, help="Points to beat by.")
@click.option("--oos-threshold", type=click.FloatRange(0, 1), help="Override the task's.")
@click.option("--limit", type=click.IntRange(1), help="Evaluate a fixed sample of N records.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--rules/--no-rules",
    default=True,
    show_default=True,
    help="PII: also score the hybrid detector (model + rule recognizers) beside the model alone.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object with everything.")
def eval_(
    model,
    adapter,
    task,
    variant,
    threads,
    data,
    text_field,
    label_field,
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
    rules,
    as_json,
) -> None:
    """Score a model on labelled data against a no-fine-tuning baseline (a report: exits 0).

    PII: the model's own spans and, unless --no-rules, the hybrid detector's (model + rules).
    """
    from edge.manifest import read_manifest
    from edge.specs import load_task_spec
    from quantize.data import load_records
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
    if adapter:
        _, task = _adapter_defaults(adapter, base, task)
    if adapter and not task:
        raise click.UsageError("--adapter needs --task")
    manifest = read_manifest(Path(model)) if model else None
    spec = manifest.task if manifest else load_task_spec(task)
    records = subsample(
        _labelled(spec, data, dataset, split, (text_field, label_field)), limit, seed
    )
    train_records = val_records = None
    if baseline and spec.kind == "sequence-classification":
        if baseline_data:
            train_records = load_records(baseline_data, spec)
        elif dataset:
            train_records = load_dataset(dataset, "train")
        else:
            train_records = _recorded_training_data(manifest, adapter, spec)
        if baseline_val:
            val_records = load_records(baseline_val, spec)
        elif dataset and not baseline_data:
            val_records = load_dataset(dataset, "val")
    if model:
        result = evaluate_artifact(
            model,
            records,
            variant=variant,
            threads=threads,
            oos_threshold=oos_threshold,
            rules=rules,
        )
    else:
        result = evaluate_torch(
            base, adapter, spec, records, oos_threshold=oos_threshold, rules=rules
        )
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


def _recorded_training_data(manifest, adapter: str | None, spec) -> list[dict]:
    """The intent baseline's training records: the data the adapter recorded being trained on
    (``edge train`` writes where it was; ``edge build`` copies that into the manifest)."""
    from quantize.data import load_records
    from quantize.datasets import load_dataset
    from quantize.sources import ADAPTER_RECORD

    if manifest is not None:
        source = manifest.adapter.training_data
    else:
        record_file = Path(adapter) / ADAPTER_RECORD
        record = json.loads(record_file.read_text()) if record_file.is_file() else {}
        source = record.get("data")
    remedy = "pass --baseline-data FILE (its training data) or --no-baseline"
    if not source:
        raise click.UsageError(
            f"the intent baseline needs training data and the adapter recorded none; {remedy}"
        )
    if source.get("dataset"):
        return load_dataset(source["dataset"], source.get("split") or "train")
    path = Path(source["path"])
    if not path.is_file():
        raise click.UsageError(
            f"the intent baseline needs training data: the adapter was trained on {path}, "
            f"which is not there; {remedy}"
        )
    click.echo(f"baseline fitted on the training data the adapter recorded: {path}", err=True)
    return load_records(path, spec, source.get("text_field"), source.get("label_field"))


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
@click.option("--model", "model", type=click.Path(), required=True, help="Intent artifact.")
@click.option("--variant", help="The variant that will ship (default: the artifact's default).")
@click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")
@click.option("--data", type=click.Path(), help="Labelled validation JSONL with oos examples.")
@click.option("--dataset", help="Named data set instead of --data: clinc150.")
@click.option("--split", default="val", show_default=True, help="Split of --dataset.")
@click.option(
    "--min-oos-recall",
    type=click.FloatRange(0, 1),
    help="Out-of-scope recall to reach (default: the task's oos_min_recall).",
)
@click.option("--json", "as_json", is_flag=True)
def calibrate(model, variant, threads, data, dataset, split, min_oos_recall, as_json) -> None:
    """Choose an intent artifact's out-of-scope threshold on validation data (never on test)."""
    from edge.manifest import read_manifest
    from quantize.evaluate import calibrate_oos_threshold

    if bool(data) == bool(dataset):
        raise click.UsageError("give exactly one of --data FILE or --dataset NAME")
    records = _labelled(read_manifest(Path(model)).task, data, dataset, split)
    res = calibrate_oos_threshold(
        model, records, variant=variant, threads=threads, min_oos_recall=min_oos_recall
    )
    if as_json:
        click.echo(json.dumps(res))
        return
    click.echo(
        f"{res['variant']}, {res['records']} records, rule: {res['rule']}: in-scope accuracy "
        f"{res['in_scope_accuracy']:.4f}, out-of-scope recall {res['oos_recall']:.4f}"
    )
    click.echo(f"oos_threshold = {res['threshold']:.4f}   # put this in the task spec")


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the default models even if present.")
def demo(rebuild) -> None:
    """Build the default models (PII, fast PII, intent; first run, or when their adapter
    changed) and run them on examples."""
    from edge.defaults import default_model_dir
    from quantize.defaults import DEFAULT_MODELS, build_default, is_current

    for name, default in DEFAULT_MODELS.items():
        out, task = default_model_dir(name), default.task
        if rebuild or not is_current(name, out):
            stale = (out / "manifest.json").is_file()
            what = "rebuilding (adapter or spec changed)" if stale else "building (first run only)"
            click.echo(f"{what} the default {name} model into {out} ...")
            build_default(name, out, force=True)
        loaded = _load(str(out), task, None, None)
        click.echo(f"\n== {name} ({out}, variant {loaded.variant}) ==")
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


# --- anonymization (issue #7): `edge redact` and `edge deanonymize` -------------------------------

MAX_LINE_BYTES = 64 * 1024 * 1024  # deanonymize reads lines of any length up to this


@dataclasses.dataclass(frozen=True)
class _Item:
    """One text of the input and what it takes to write it back in the same shape."""

    where: str
    n: int
    text: str
    obj: dict | None = None
    ending: str = "\n"
    nbytes: int = 0

    def __str__(self) -> str:
        return self.where

    def render(self, text: str) -> bytes:
        if self.obj is not None:
            text = json.dumps({**self.obj, "text": text}, ensure_ascii=False)
        return (text + self.ending).encode("utf-8")


def _items(texts: tuple[str, ...], file: str | None, max_bytes: int) -> Iterator[_Item]:
    """TEXT arguments, or --file/stdin read one line at a time (never the whole input).

    Every line is kept, blank ones included, with its own ending, so the output has the same
    lines as the input (and `--per-line` numbers match between redact and deanonymize).
    """
    if texts:
        for i, text in enumerate(texts, 1):
            yield _Item(f"TEXT {i}", i, text)
        return
    with _open_input(file) as (stream, source):
        n = 0
        while raw := stream.readline(max_bytes + 2):
            n += 1
            body = raw[:-1] if raw.endswith(b"\n") else raw
            ending = "\n" if raw.endswith(b"\n") else ""
            if body.endswith(b"\r"):
                body, ending = body[:-1], "\r" + ending
            if len(body) > max_bytes:
                raise InputError(
                    f"{source}:{n}: line longer than {max_bytes:,} bytes; split it into lines"
                )
            text, obj = decode_utf8(body, f"{source}:{n}"), None
            if text.strip():
                text, obj = _parse_line(text, source, n)
            yield _Item(f"{source}:{n}", n, text, obj, ending, len(raw))


@contextlib.contextmanager
def _output(out: str | None, mode: int) -> Iterator[BinaryIO]:
    """--out FILE written to a temporary sibling and renamed when complete, else stdout."""
    from edge.fsutil import open_atomic

    if out is None:
        yield click.get_binary_stream("stdout")
        return
    with open_atomic(out, mode) as fh:
        yield fh


def _check_parent(path: str | None, option: str) -> None:
    """Fail before any work (and with the option's name) when a file could not be written."""
    if path and not Path(path).resolve().parent.is_dir():
        raise click.BadParameter(f"{path}: its folder does not exist", param_hint=option)


def _progress(file: str | None, out: str | None, quiet: bool):
    """A byte-based progress bar on stderr, only when writing a file from an input file."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    size = Path(file).stat().st_size if file and file != "-" and Path(file).is_file() else None
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet or out is None or size is None,
    ), size


def ray_options(f):
    """`edge redact --engine ray` (issue #15): the options of a Ray Data job over a dataset."""
    opts = [
        click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default="local",
            help="local: this process, line by line [default]; ray: a JSONL/CSV/Parquet dataset "
            "(--file a file, folder or glob) on Ray Data, into the folder --out "
            "(needs pip install 'edge[ray]').",
        ),
        click.option("--field", help="ray: the text column or JSON field to redact [text]."),
        click.option(
            "--input-format",
            type=click.Choice(["jsonl", "csv", "parquet"]),
            help="ray: the input's format [from the files' extension].",
        ),
        click.option("--address", help="ray: join this Ray cluster [a local one]."),
        click.option("--actors", type=click.IntRange(1), help="ray: workers [CPUs / threads]."),
        click.option(
            "--batch-size", type=click.IntRange(1), help="ray: rows per worker call [256]."
        ),
        click.option("--spans", is_flag=True, help="ray: add a `spans` column (label, place)."),
        click.option(
            "--doc-key",
            help="ray, pseudonymize: rows with the same value in this column are one document "
            "(one pseudonym per value); default: each record is its own.",
        ),
        click.option(
            "--profile", help="ray: hardware profile giving each worker its variant and threads."
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _redact_ray(
    texts, file, out, model, variant, threads, operator, spec, mask_keep, mask_char, new_value,
    salt, mapping, per_line, force, quiet, *, field, input_format, address, actors, batch_size,
    spans, doc_key, profile,
) -> None:  # fmt: skip
    """`edge redact --engine ray`: checks the options, then hands over to edge.batch."""
    from edge.anonymize import resolve_spec
    from edge.batch.job import import_ray
    from edge.specs import load_task_spec

    if texts or not file or file == "-":
        raise click.UsageError("--engine ray reads --file FILE, FOLDER or GLOB (not TEXT, stdin)")
    if not out:
        raise click.UsageError("--engine ray writes part files into a folder: give --out DIR")
    if per_line:
        raise click.UsageError("--engine ray: each record is its own document already (--doc-key)")
    import_ray()  # a missing extra says so before any model is loaded
    from edge.batch import redact_dataset
    from edge.defaults import resolve_model

    table = load_task_spec(spec).anonymize if spec else None
    if table is None:
        table = _manifest_anonymize(resolve_model(model, "pii"))
    try:
        chosen = resolve_spec(
            table, operator=operator, keep=mask_keep, mask_char=mask_char, new_value=new_value
        )
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    res = redact_dataset(
        file,
        out,
        field=field or "text",
        input_format=input_format,
        model=model,
        variant=variant,
        threads=threads,
        profile=profile,
        anonymize=chosen,
        salt=salt,
        doc_key=doc_key,
        mapping=mapping,
        spans="spans" if spans else None,
        actors=actors,
        batch_size=batch_size or 256,
        address=address,
        force=force,
        quiet=quiet,
    )
    if res.salt_generated:
        click.echo(
            f"hash salt for this run: {res.salt} (hashes match only under the same salt; "
            "pass it with --salt or $EDGE_HASH_SALT to reuse it)",
            err=True,
        )
    click.echo(
        f"wrote {res.rows:,} rows to {res.files} part files in {out} in {res.seconds:.1f} s"
        + (f", pseudonym mapping {res.mapping} (0600)" if res.mapping else ""),
        err=True,
    )
    if res.errors:
        click.echo(
            f"{res.errors:,} rows could not be redacted; their ids and reasons are in "
            f"{Path(out) / '_errors.jsonl'}",
            err=True,
        )


def _manifest_anonymize(artifact: Path):
    """The [anonymize] table recorded in an artifact's manifest (no model loaded)."""
    from edge.manifest import read_manifest

    return read_manifest(artifact).task.anonymize


@main.command()
@click.argument("texts", nargs=-1)
@click.option("--model", "model", help="Artifact folder (default: the built default model).")
@click.option("--variant", help="Variant in the artifact, e.g. int8 (default: its default).")
@click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")
@click.option("--file", "file", help="Read FILE line by line (text or JSONL), - = stdin.")
@click.option(
    "--operator",
    type=click.Choice(["replace", "mask", "hash", "redact", "pseudonymize"]),
    help="One operator for every type (default: the spec's [anonymize] table).",
)
@click.option("--spec", help="Task spec (name or .toml) whose [anonymize] table to use.")
@click.option("--mask-keep", type=click.IntRange(0), help="mask: last N characters kept [4].")
@click.option("--mask-char", help="mask: the masking character [*].")
@click.option("--new-value", help="replace: this text instead of <TYPE>.")
@click.option(
    "--salt",
    envvar="EDGE_HASH_SALT",
    help="hash: salt (or $EDGE_HASH_SALT, which stays out of shell history). Same salt, same "
    "hash: fix it to join across runs. Default: a random one, printed on stderr.",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    help="pseudonymize: write pseudonym -> value here (mode 0600) for `edge deanonymize`.",
)
@click.option(
    "--per-line",
    is_flag=True,
    help="pseudonymize: each line (or TEXT) is its own document, numbering restarts. Default: "
    "the whole input is one document, a value keeps its pseudonym on every line.",
)
@click.option(
    "--out", type=click.Path(), help="Write here (atomically), not stdout (--engine ray: a folder)."
)
@click.option(
    "--force", is_flag=True, help="Replace an existing --mapping file (--engine ray: and --out)."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@ray_options
def redact(
    texts,
    model,
    variant,
    threads,
    file,
    operator,
    spec,
    mask_keep,
    mask_char,
    new_value,
    salt,
    mapping,
    per_line,
    out,
    force,
    quiet,
    **ray_opts,
) -> None:
    """Anonymize PII in TEXT or a file: replace, mask, hash, redact or pseudonymize each type.

    Streams --file line by line (blank lines and JSONL objects keep their shape). Operators per
    type come from the [anonymize] table of the task spec recorded in the model when it was
    built (--spec pii reads specs/tasks/pii.toml instead), overridden by the options.
    pseudonymize writes <TYPE_N> tokens that avoid strings of that shape already in the input
    (a --file is read twice for that); with --mapping FILE, `edge deanonymize --mapping FILE`
    puts the values back.
    """
    from edge.anonymize import Anonymizer, resolve_spec
    from edge.anonymize.mapping import MappingWriter
    from edge.anonymize.stream import anonymize_stream, detector_fn
    from edge.errors import MappingError
    from edge.fsutil import open_atomic
    from edge.specs import load_task_spec

    if texts and file:
        raise click.UsageError("give TEXT arguments or --file, not both")
    if mask_char is not None and len(mask_char) != 1:
        raise click.BadParameter(f"{mask_char!r}: give one character", param_hint="--mask-char")
    if ray_opts.pop("engine") == "ray":
        return _redact_ray(
            texts, file, out, model, variant, threads, operator, spec, mask_keep, mask_char,
            new_value, salt, mapping, per_line, force, quiet, **ray_opts,
        )  # fmt: skip
    used = [k for k, v in ray_opts.items() if v not in (None, False)]
    if used:
        flag = "--" + used[0].replace("_", "-")
        raise click.UsageError(f"{flag} goes with --engine ray")
    if out and Path(out).is_dir():
        raise click.BadParameter(f"{out} is a folder; give a file", param_hint="--out")
    _check_parent(out, "--out")
    _check_parent(mapping, "--mapping")
    if mapping and Path(mapping).exists() and not force:
        raise MappingError(
            f"{mapping} exists and may be the only way to reverse an earlier run; "
            "choose another --mapping path, or pass --force to replace it"
        )
    detector = _load(model, "pii", variant, threads)
    table = load_task_spec(spec).anonymize if spec else detector.task.anonymize
    try:
        chosen = resolve_spec(
            table, operator=operator, keep=mask_keep, mask_char=mask_char, new_value=new_value
        )
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    anonymizer = Anonymizer.from_spec(chosen, salt=salt)
    pseudo = anonymizer.uses("pseudonymize")
    if mapping and not pseudo:
        raise click.UsageError("--mapping goes with pseudonymize, which no entity type uses here")
    if anonymizer.uses("hash") and anonymizer.salt_generated:
        click.echo(
            f"hash salt for this run: {anonymizer.salt} (hashes match only under the same salt; "
            "pass it with --salt or $EDGE_HASH_SALT to reuse it)",
            err=True,
        )
    if pseudo and not mapping:
        click.echo("note: no --mapping FILE, so the pseudonyms cannot be reversed", err=True)
    max_bytes = 4 * detector.task.max_chars
    if pseudo and not per_line and (texts or (file and file != "-")):
        for item in _items(texts, file, max_bytes):  # first pass: token-like strings to avoid
            anonymizer.reserve(item.text)
    bar, size = _progress(file, out, quiet)
    results = anonymize_stream(
        ((item, item.text) for item in _items(texts, file, max_bytes)),
        detector_fn(detector),
        anonymizer,
        per_document=per_line,
        max_chars=detector.task.max_chars,
    )
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(_output(out, 0o666))
        # Entered after the output, so it is renamed first: never an output without its mapping.
        writer = None
        if mapping:
            scope = "line" if per_line else "document"
            writer = MappingWriter(stack.enter_context(open_atomic(mapping)), scope)
        with bar:
            task = bar.add_task("anonymizing", total=size)
            for item, res in results:
                sink.write(item.render(res.text))
                if writer and per_line:
                    writer.add_line(item.n, res.pseudonyms)
                bar.advance(task, item.nbytes)
        if writer:
            if not per_line:
                writer.add_document(anonymizer.table.pseudonyms)
            writer.close()
    if out:
        click.echo(f"wrote {out}" + (f" and {mapping}" if mapping else ""), err=True)


@main.command()
@click.argument("texts", nargs=-1)
@click.option(
    "--mapping",
    required=True,
    type=click.Path(dir_okay=False),
    help="The mapping file `edge redact --operator pseudonymize --mapping` wrote.",
)
@click.option("--file", "file", help="Read FILE line by line (text or JSONL), - = stdin.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write here (atomically, mode 0600: it holds the original values), not stdout.",
)
def deanonymize(texts, mapping, file, out) -> None:
    """Put the original values back in place of the <TYPE_N> pseudonyms of `edge redact`.

    Works on the anonymized text or on text derived from it (an answer quoting the pseudonyms);
    token-like strings that are not in the mapping are left as they are. A --per-line mapping
    applies line N's table to line N (or TEXT N).
    """
    from edge.anonymize.mapping import read_mapping, restore

    if texts and file:
        raise click.UsageError("give TEXT arguments or --file, not both")
    _check_parent(out, "--out")
    loaded = read_mapping(mapping)
    with _output(out, 0o600) as sink:
        for item in _items(texts, file, MAX_LINE_BYTES):
            sink.write(item.render(restore(item.text, loaded.table_for(item.n))))


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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8470, show_default=True, type=click.IntRange(0, 65535))
@click.option("--socket", "socket_path", type=click.Path(), help="Unix socket instead of TCP.")
@click.option(
    "--model",
    "models",
    multiple=True,
    help="Artifact folder or default name, repeatable, one per task [pii and intent].",
)
@click.option("--variant", help="Variant of every model, e.g. int8 (default: each one's default).")
@click.option("--threads", type=click.IntRange(1, 256), help="onnxruntime threads per model.")
@click.option("--profile", help="Hardware profile: variant, threads and provider per model.")
@click.option("--token-file", type=click.Path(), help="Bearer token file [$EDGE_HOME/serve.token].")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host (needs TLS).")
@click.option("--tls-cert", type=click.Path(), help="TLS certificate (PEM).")
@click.option("--tls-key", type=click.Path(), help="TLS private key (PEM).")
@click.option("--policy", help="Cloud policy for POST /v1/intent/routed (NAME or .toml).")
@click.option("--audit-log", type=click.Path(), help="With --policy: $EDGE_HOME/audit.jsonl.")
@click.option("--max-body-bytes", default=1_000_000, show_default=True, type=click.IntRange(1))
@click.option("--max-texts", default=64, show_default=True, type=click.IntRange(1))
@click.option("--max-chars", default=20_000, show_default=True, type=click.IntRange(1))
@click.option("--max-queue", default=256, show_default=True, type=click.IntRange(1))
@click.option("--max-batch", default=32, show_default=True, type=click.IntRange(1))
@click.option("--max-wait-ms", default=2.0, show_default=True, type=click.FloatRange(0, 1000))
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.01))
@click.option("--log-level", default="warning", show_default=True)
def serve(
    host, port, socket_path, models, variant, threads, profile, token_file, allow_remote,
    tls_cert, tls_key, policy, audit_log, max_body_bytes, max_texts, max_chars, max_queue,
    max_batch, max_wait_ms, timeout, log_level,
) -> None:  # fmt: skip
    """Serve the models over HTTP on 127.0.0.1 (or --socket): Presidio-compatible and /v1 API."""
    from edge.serve import Bind, Limits
    from edge.serve import serve as run_service

    bind = Bind(host, port, socket_path, allow_remote, tls_cert, tls_key)
    limits = Limits(
        max_body_bytes=max_body_bytes,
        max_texts=max_texts,
        max_chars=max_chars,
        max_queue=max_queue,
        timeout=timeout,
        max_batch=max_batch,
        max_wait_ms=max_wait_ms,
    )

    def ready(bind, loaded, created) -> None:
        names = ", ".join(f"{k}={m.artifact_dir} ({m.variant})" for k, m in loaded.items())
        token = token_file or "$EDGE_HOME/serve.token"
        click.echo(f"edge serve: {names}", err=True)
        click.echo(
            f"listening on {bind.url}; token {'created in' if created else 'from'} {token}",
            err=True,
        )

    run_service(
        models, bind=bind, variant=variant, threads=threads, profile=profile,
        token_file=token_file, limits=limits, policy=policy, audit_log=audit_log,
        log_level=log_level, on_ready=ready,
    )  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    main()
