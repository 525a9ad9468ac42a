"""``edge eval`` (a model against a no-fine-tuning baseline, as a report) and ``edge calibrate``
(an intent artifact's out-of-scope threshold). Thin over quantize.evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from quantize.cli.shared import adapter_defaults, field_options, labelled


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


@click.command("eval")
@click.option("--model", "model", type=click.Path(), help="Artifact folder to evaluate.")
@click.option("--adapter", type=click.Path(), help="Evaluate the merged PyTorch model instead.")
@click.option("--task", help="Task spec for --adapter (name or path) [the adapter's task.toml].")
@click.option("--variant", help="Artifact variant (default: its default).")
@click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")
@click.option("--data", type=click.Path(), help="Labelled JSONL, CSV, TSV or Parquet (see README).")
@field_options
@click.option(
    "--dataset",
    help="Named data set instead of --data: clinc150, pii-synth, pii-docs, pii-mix, pii-written, "
    "pii-mixw.",
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
        _, task = adapter_defaults(adapter, base, task)
    if adapter and not task:
        raise click.UsageError("--adapter needs --task")
    manifest = read_manifest(Path(model)) if model else None
    spec = manifest.task if manifest else load_task_spec(task)
    records = subsample(
        labelled(spec, data, dataset, split, (text_field, label_field)), limit, seed
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


@click.command()
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
    records = labelled(read_manifest(Path(model)).task, data, dataset, split)
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
