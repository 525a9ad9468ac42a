"""The Ray Data job behind ``edge redact --engine ray`` and ``edge.batch.redact_dataset``.

read file bytes → parse rows (tasks) → detect + anonymize (``map_batches`` on an actor pool of
``RedactWorker``; ``groupby(doc key).map_groups`` with ``doc_key``) → write part files (tasks)
into a private staging folder beside ``out`` → merge the error rows and the pseudonym mapping →
rename the staging folder to ``out``. A failed job removes the staging folder: ``out`` appears
only complete, or not at all.

Faults: Ray Data restarts a dead actor and re-runs its task (actor pools default to unlimited
restarts and task retries), and part files are named by their rows' ids, so a re-run writes
the same file again: no row is lost or written twice.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edge.anonymize import Anonymizer, resolve_spec
from edge.anonymize.mapping import MappingWriter
from edge.batch.formats import KEY, parse_file, resolve_inputs
from edge.batch.sink import ERRORS_DIR, MAPPING_DIR, write_block
from edge.batch.worker import RedactWorker, anonymize_block
from edge.errors import BackendUnavailableError, EdgeError, InputError, MappingError
from edge.fsutil import open_atomic, staged_dir
from edge.specs import AnonymizeSpec

ERRORS_FILE, SUMMARY_FILE = "_errors.jsonl", "_edge.json"
ROW_BYTES = 512  # a row's size in a block, roughly (its text, record and ids), to size blocks


@dataclass(frozen=True)
class BatchResult:
    """What a finished job wrote. ``salt`` is the hash salt in effect (None when no type is
    hashed); ``salt_generated`` says edge made it, so the caller must keep it to join later runs."""

    out: Path
    rows: int
    errors: int
    files: int
    seconds: float
    mapping: Path | None = None
    salt: str | None = None
    salt_generated: bool = False


def import_ray():
    """Ray, or an error saying which extra to install (the runtime does not need it)."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise BackendUnavailableError(
            "--engine ray needs Ray Data: pip install 'edge[ray]'"
        ) from None
    return ray


@contextlib.contextmanager
def ray_session(address: str | None, num_cpus: int | None = None) -> Iterator[None]:
    """Join ``address`` (an existing cluster), else start a local one; stop only what we began.

    A session already initialised by the caller (a notebook, the tests) is used as it is.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield
        return
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@contextlib.contextmanager
def _data_context(ray, batch_size: int, quiet: bool) -> Iterator[None]:
    """This job's Ray Data settings, put back afterwards (a caller's session is left as it was).

    Small blocks (about a batch of rows each): Ray packs a file's rows into blocks of up to
    128 MiB, and one block goes to one actor whatever the pool's size. Not ds.repartition: its
    tasks want a CPU, which the actors hold (seen: a deadlock with 2 actors on 2 CPUs).
    """
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.enable_progress_bars, ctx.execution_options.preserve_order)
    saved_sizes = (ctx.target_max_block_size, ctx.default_hash_shuffle_parallelism)
    ctx.enable_progress_bars = not quiet
    ctx.execution_options.preserve_order = True  # same input, same part files
    ctx.target_max_block_size = max(64 * 1024, batch_size * ROW_BYTES)
    # --doc-key's groupby: 200 partitions by default, 200 tasks even for a small job
    ctx.default_hash_shuffle_parallelism = max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
    try:
        yield
    finally:
        ctx.enable_progress_bars, ctx.execution_options.preserve_order = saved
        ctx.target_max_block_size, ctx.default_hash_shuffle_parallelism = saved_sizes


def _parse(batch, *, fmt: str, field: str, doc_key: str | None, chunk: int):
    """Ray map_batches fn: one file's bytes (a batch of one row) → blocks of ``chunk`` rows,
    so that one big file still becomes many tasks, spread over the actors."""
    for data, path in zip(batch["bytes"].to_pylist(), batch["path"].to_pylist(), strict=True):
        yield from parse_file(path, data, fmt, field, doc_key, chunk)


def _mapping_path(out: Path, mapping: str | Path | None, force: bool) -> Path:
    path = Path(mapping) if mapping else out.with_name(f"{out.name}.pseudonyms.json")
    if path.resolve().is_relative_to(out.resolve()):
        raise MappingError(
            f"mapping file {path} would sit inside the output folder {out}, which is meant to "
            "be shared; put it beside the folder (the default: OUT.pseudonyms.json)"
        )
    if not path.resolve().parent.is_dir():
        raise MappingError(f"mapping file {path}: its folder does not exist")
    if path.exists() and not force:
        raise MappingError(
            f"{path} exists and may be the only way to reverse an earlier run; "
            "choose another --mapping path, or pass --force to replace it"
        )
    return path


def _merge_errors(staging: Path) -> int:
    folder = staging / ERRORS_DIR
    parts = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    lines = [line for p in parts for line in p.read_bytes().splitlines()]
    lines.sort(key=lambda b: json.loads(b)["id"])  # the same file for the same input
    with open_atomic(staging / ERRORS_FILE, 0o666) as fh:
        fh.write(b"".join(line + b"\n" for line in lines))
    for p in parts:
        p.unlink()
    if parts:
        folder.rmdir()
    return len(lines)


def _merge_mapping(staging: Path, path: Path, scope: str, key: str) -> None:
    """Every block's slice of the mapping into one 0600 file; the slices are then deleted."""
    folder = staging / MAPPING_DIR
    tables: dict[str, dict[str, str]] = {}
    for part in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        for k, table in json.loads(part.read_bytes()).items():
            tables.setdefault(k, {}).update(table)
    with open_atomic(path) as fh:
        writer = MappingWriter(fh, scope, key)
        for k in sorted(tables):
            writer.add_table(k, tables[k])
        writer.close()


def _cleanup_mapping(staging: Path) -> None:
    folder = staging / MAPPING_DIR
    if folder.is_dir():
        for part in folder.iterdir():
            part.unlink()
        folder.rmdir()


def _unwrap(e: Exception) -> Exception:
    """The EdgeError inside a Ray task error, so the caller sees edge's message and exit code."""
    cause = getattr(e, "cause", None)
    return cause if isinstance(cause, EdgeError) else e


def redact_dataset(
    source: str | Path,
    out: str | Path,
    *,
    field: str = "text",
    input_format: str | None = None,
    model: str | Path | None = None,
    variant: str | None = None,
    threads: int | None = None,
    profile: str | None = None,
    anonymize: AnonymizeSpec | None = None,
    operator: str | None = None,
    salt: str | None = None,
    doc_key: str | None = None,
    mapping: str | Path | None = None,
    spans: str | None = None,
    actors: int | None = None,
    batch_size: int = 256,
    address: str | None = None,
    force: bool = False,
    quiet: bool = True,
) -> BatchResult:
    """Redact the ``field`` of every row of JSONL/CSV/Parquet ``source`` into folder ``out``.

    ``source`` is a file, a folder or a glob; ``out`` gets part files of the same format with
    the field redacted (and a ``spans`` column of ``{label, operator, start, end}`` in the
    redacted text when ``spans`` names one), ``_errors.jsonl`` (one ``{"id", "error"}`` per row
    that could not be redacted; ids are ``path:N``) and ``_edge.json`` (counts). Operators come
    from ``anonymize`` (default: the model's spec's ``[anonymize]``), or ``operator`` for all.
    ``pseudonymize`` restarts per record, or per value of the ``doc_key`` column; its mapping
    goes to ``mapping`` (default ``OUT.pseudonyms.json`` beside ``out``, mode 0600).
    ``actors`` workers of ``threads`` threads each (default: the cluster's CPUs / threads).
    """
    import edge
    from edge.defaults import resolve_model

    started = time.perf_counter()
    out = Path(out)
    if out.exists() and not force:
        raise InputError(f"{out} exists; choose another output folder, or pass --force")
    if not out.resolve().parent.is_dir():
        raise InputError(f"{out}: its parent folder does not exist")
    paths, fmt = resolve_inputs(source, input_format)
    artifact = resolve_model(model, "pii")
    probe = edge.load(artifact, variant=variant, threads=1, profile=profile)  # fail fast, here
    if probe.task.kind != "token-classification":
        raise InputError(f"{artifact} is a {probe.task.kind} model; redaction needs a PII model")
    threads = threads or getattr(getattr(probe, "selection", None), "threads", None) or 1
    chosen = resolve_spec(anonymize or probe.task.anonymize, operator=operator)
    anonymizer = Anonymizer.from_spec(chosen, salt=salt)
    hashed, pseudo = anonymizer.uses("hash"), anonymizer.uses("pseudonymize")
    if mapping and not pseudo:
        raise InputError("a mapping goes with pseudonymize, which no entity type uses here")
    map_path = _mapping_path(out, mapping, force) if pseudo else None
    salt = str(anonymizer.salt) if hashed else None
    del probe

    ray = import_ray()
    with ray_session(address, num_cpus=None), _data_context(ray, batch_size, quiet):
        if actors is None:
            actors = max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
        worker_args = {
            "model": str(artifact),
            "spec": None if doc_key else chosen,
            "salt": salt,
            "variant": variant,
            "threads": threads,
            "profile": profile,
        }
        with staged_dir(out) as staging:
            # Reading, parsing and writing ask for no CPU of their own: the actors hold the
            # cores (threads each), and on a full cluster a task waiting for a free CPU would
            # wait for ever behind them (seen: 2 actors on 2 CPUs, the read never scheduled).
            light = {"num_cpus": 0}
            ds = ray.data.read_binary_files(
                paths, include_paths=True, override_num_blocks=len(paths), ray_remote_args=light
            )
            ds = ds.map_batches(
                functools.partial(_parse, fmt=fmt, field=field, doc_key=doc_key, chunk=batch_size),
                batch_size=1,
                batch_format="pyarrow",
                **light,
            )
            ds = ds.map_batches(
                RedactWorker,
                fn_constructor_kwargs=worker_args,
                batch_size=batch_size,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=actors),
                num_cpus=threads,
            )
            write = functools.partial(
                write_block,
                staging=str(staging),
                fmt=fmt,
                field=field,
                spans=spans,
                doc_key=doc_key,
            )
            try:
                if doc_key is not None:
                    # Two passes: the actors detect, then (with the actors gone, so the shuffle
                    # gets the CPUs they held) rows are grouped by document and anonymized in
                    # input order. One pass would starve the shuffle behind the actors.
                    ds = (
                        ds.materialize()
                        .groupby(KEY)
                        .map_groups(
                            functools.partial(
                                anonymize_block, spec=chosen, salt=salt, documents=True
                            ),
                            batch_format="pyarrow",
                        )
                    )
                ds = ds.map_batches(write, batch_size=None, batch_format="pyarrow", **light)
                counts = ds.take_all()
            except EdgeError:
                raise
            except Exception as e:
                cause = _unwrap(e)
                if cause is not e:
                    raise cause from None
                raise EdgeError(f"the Ray job failed: {type(e).__name__}: {e}") from None
            rows = sum(c["rows"] for c in counts)
            errors = _merge_errors(staging)
            files = len(list(staging.glob("part-*")))
            summary = {
                "rows": rows,
                "errors": errors,
                "files": files,
                "format": fmt,
                "field": field,
                "inputs": len(paths),
                "doc_key": doc_key,
                "hash": hashed,
                "pseudonymize": pseudo,
            }
            with open_atomic(staging / SUMMARY_FILE, 0o666) as fh:
                fh.write(json.dumps(summary, indent=2).encode() + b"\n")
            try:
                if map_path is not None:  # renamed before the output: never one without it
                    scope = "document-key" if doc_key else "record"
                    _merge_mapping(staging, map_path, scope, doc_key or "id")
            finally:
                _cleanup_mapping(staging)  # original values: never left in the output
            umask = os.umask(0)
            os.umask(umask)
            staging.chmod(0o777 & ~umask)  # mkdtemp made it 0700; the output is a normal folder
    return BatchResult(
        out=out,
        rows=rows,
        errors=errors,
        files=files,
        seconds=time.perf_counter() - started,
        mapping=map_path,
        salt=salt,
        salt_generated=hashed and anonymizer.salt_generated,
    )
