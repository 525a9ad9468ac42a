"""What the build's commands share: labelled records from --data or --dataset, the --text-field
and --label-field options, and the defaults an adapter written by ``edge train`` records."""

from __future__ import annotations

import json
from pathlib import Path

import click


def labelled(
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


def adapter_defaults(adapter: str, base: str | None, task: str | None) -> tuple:
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
