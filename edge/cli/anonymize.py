"""Anonymization (issue #7): ``edge redact`` and ``edge deanonymize``; ``edge redact --engine ray``
hands a dataset to edge.batch (issue #15). Thin over edge.anonymize: the input is streamed line by
line and written back in the same shape, atomically when it goes to a file."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from edge.cli.common import load_model, open_input, parse_line
from edge.errors import InputError
from edge.textinput import decode_utf8

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
    with open_input(file) as (stream, source):
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
                text, obj = parse_line(text, source, n)
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


@click.command()
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
    built (--spec pii reads edge/specs_data/tasks/pii.toml instead), overridden by the options.
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
    detector = load_model(model, "pii", variant, threads)
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


@click.command()
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
