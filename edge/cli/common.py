"""What the commands share: reading texts (arguments, --file, stdin), the model options, loading
a task's model, and the one-line note on a variant's accuracy gate.

Why one module: ``edge pii``/``intent`` read texts the same way ``edge redact`` streams them
(a line, or a JSONL object with "text"), and ``edge info`` and ``edge build`` print the same
parity note; the build's commands (quantize/cli) import these from here, downward.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from edge.errors import InputError
from edge.textinput import decode_utf8


def read_texts(texts: tuple[str, ...], file: str | None) -> list[str]:
    """TEXT arguments, else --file (one text per line, or JSONL with "text"), else stdin."""
    if texts and file:
        raise click.UsageError("give TEXT arguments or --file, not both")
    if texts:
        return list(texts)
    with open_input(file) as (stream, source):
        data = stream.read()
    out = []
    for n, line in enumerate(decode_utf8(data, source).splitlines(), 1):
        if not line.strip():
            continue
        out.append(parse_line(line, source, n)[0])
    if not out:
        raise InputError(f"{source} holds no text")
    return out


@contextlib.contextmanager
def open_input(file: str | None) -> Iterator[tuple[BinaryIO, str]]:
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


def parse_line(line: str, source: str, n: int) -> tuple[str, dict | None]:
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


def load_model(model: str | None, task: str, variant: str | None, threads: int | None):
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


def accuracy_note(p) -> str:
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
