"""``edge train``: LoRA fine-tuning on a task's labelled data (or a new classification task whose
spec is written from the data). Thin over quantize.train."""

from __future__ import annotations

import re
from pathlib import Path

import click

from quantize.cli.shared import field_options, labelled


def _is_new_task(task: str) -> bool:
    """Not a spec file nor a shipped task name: `edge train` writes its spec from the data."""
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
    spec, comments = infer_spec(task, records, open_base(base, export=False), source=source)
    click.echo(f"new task {task!r}: spec written from {source} (kept as {Path(out) / SPEC_FILE}):")
    click.echo(spec_toml(spec, comments))
    return spec, comments


@click.command()
@click.option(
    "--task",
    required=True,
    help="Task spec: a shipped NAME (edge/specs_data) or a path; a new NAME: a classification task "
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
    "--dataset",
    help="Named data set instead of --data: clinc150, pii-synth, pii-docs, pii-mix, pii-written, "
    "pii-mixw.",
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
    "pii-mix: this many in all, half from each; pii-mixw: this many of pii-mix, the "
    "hand-written pii-written texts always added (quantize.datasets.WRITTEN_REPEAT times).",
)
@click.option(
    "--teacher-adapter",
    type=click.Path(),
    help="Distil from this trained adapter (same task) on --teacher-base, e.g. a 6-layer model "
    "teaching a --base all-MiniLM-L6-v2:L2 student.",
)
@click.option(
    "--teacher-base",
    default="all-MiniLM-L6-v2",
    show_default=True,
    help="The teacher adapter's base: BERT, or MPNet (all-mpnet-base-v2: the student's token "
    "ids are mapped into its vocabulary).",
)
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
@click.option(
    "--o-weight",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Token tasks, recall first: class weight of O in the gold loss; below 1 a missed "
    "entity token costs more than a spurious one (e.g. 0.3).",
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
    o_weight,
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
            return labelled(sp, None, dataset, train_split, **sized)

    if new_task:
        spec, comments = _new_task_spec(task, base, rows_for(None), source, out)
    records = rows_for(spec)
    val_records = labelled(spec, val, dataset, "val", fields) if (val or dataset) else None
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
        o_weight=o_weight,
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
