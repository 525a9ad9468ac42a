"""Input files to rows and rows back to part files, for JSONL, CSV and Parquet.

Pure Python + pyarrow, no Ray: the Ray job (``edge.batch.job``) calls these from its tasks, and
tests call them directly. Every row carries an id (``path:N``: the JSONL line number, the CSV
record number after the header, the Parquet row number, 1-based) so that a row that cannot be
redacted is reported by name instead of being dropped, and so that a retried task can be told
from a new row.

Why files are parsed here rather than with ``ray.data.read_json``/``read_csv``: those fail the
whole job on one line that is not UTF-8 or not JSON, and they number no rows. Reading each file's
bytes and splitting it ourselves makes a bad row one error row with its id.
"""

from __future__ import annotations

import csv
import glob
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge.errors import InputError

if TYPE_CHECKING:  # pyarrow comes with the `ray` extra; imported where used
    import pyarrow as pa

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
FORMATS |= {".parquet": "parquet", ".pq": "parquet"}

# Columns the job adds to every row; none reaches an output file.
ID, PATH, ROW, TEXT, ERROR, RECORD, KEY = (
    "_eid",
    "_epath",
    "_erow",
    "_etext",
    "_eerr",
    "_erec",
    "_ekey",
)
OUT, SPANS, PSEUDO, DETECTED = "_eout", "_espans", "_epseudo", "_edet"
INTERNAL = (ID, PATH, ROW, TEXT, ERROR, RECORD, KEY, OUT, SPANS, PSEUDO, DETECTED)
CHUNK_ROWS = 256  # rows per block out of one file (the job uses its batch size)


def resolve_inputs(source: str | Path, fmt: str | None = None) -> tuple[list[str], str]:
    """A file, a folder (its files of the format, recursively) or a glob → sorted paths, format.

    The format comes from ``fmt`` or the files' extension; one job reads one format, so the
    output has one shape.
    """
    text = str(source)
    if any(c in text for c in "*?["):
        paths = sorted(p for p in glob.glob(text, recursive=True) if Path(p).is_file())
    elif Path(text).is_dir():
        paths = sorted(
            str(p)
            for p in Path(text).rglob("*")
            if p.is_file()
            and not p.name.startswith((".", "_"))
            and (fmt or FORMATS.get(p.suffix.lower()))
        )
    elif Path(text).is_file():
        paths = [text]
    else:
        raise InputError(f"{source}: no such file, folder or glob match")
    if not paths:
        raise InputError(f"{source}: no input files (want .jsonl, .csv or .parquet)")
    if fmt is None:
        found = {FORMATS.get(Path(p).suffix.lower()) for p in paths}
        if None in found or len(found) != 1:
            exts = sorted({Path(p).suffix or "(none)" for p in paths})
            raise InputError(
                f"{source}: cannot tell one input format from the extensions {', '.join(exts)}; "
                "pass --input-format jsonl|csv|parquet"
            )
        fmt = found.pop()
    if fmt not in ("jsonl", "csv", "parquet"):
        raise InputError(f"input format {fmt!r}: use jsonl, csv or parquet")
    return [str(Path(p).resolve()) for p in paths], fmt


def _row(path: str, n: int, text: Any, record: str | None, key: Any, why: str | None) -> dict:
    return {ID: f"{path}:{n}", PATH: path, ROW: n, TEXT: text, ERROR: why, RECORD: record, KEY: key}


def _field_text(value: Any, field: str) -> tuple[str | None, str | None]:
    """A record's text and, when it has none usable, why (a missing field, a number, bad bytes)."""
    if value is None:
        return None, f"missing field {field!r}"
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as e:
            return None, f"field {field!r} is not valid UTF-8 (bad byte at offset {e.start})"
    if not isinstance(value, str):
        return None, f"field {field!r} is a {type(value).__name__}, not text"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, f"field {field!r} is not valid UTF-8"
    return value, None


def _doc_key(record: dict, doc_key: str | None) -> tuple[str | None, str | None]:
    if doc_key is None:
        return None, None
    value = record.get(doc_key)
    if value is None or isinstance(value, (dict, list)):
        return None, f"missing document key {doc_key!r}"
    return str(value), None


def _jsonl_rows(path: str, data: bytes, field: str, doc_key: str | None) -> Iterator[dict]:
    for n, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue  # a blank line holds no record (the last line's newline ends here too)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield _row(path, n, None, None, None, f"line is not valid UTF-8 (byte {e.start})")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield _row(path, n, None, None, None, f"line is not JSON ({e.msg})")
            continue
        if not isinstance(obj, dict):
            yield _row(path, n, None, None, None, "line is not a JSON object")
            continue
        text, why = _field_text(obj.get(field), field)
        key, why_key = _doc_key(obj, doc_key)
        yield _row(path, n, text, line, key, why or why_key)


def _csv_rows(path: str, data: bytes, field: str, doc_key: str | None) -> Iterator[dict]:
    # surrogateescape keeps a bad byte inside its own field (as a lone surrogate), so only the
    # record holding it becomes an error row; a strict decode would lose the whole file.
    reader = csv.DictReader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline=""))
    if reader.fieldnames is None:
        return
    names = list(reader.fieldnames)
    for n, rec in enumerate(reader, 1):
        record = {k: v for k, v in rec.items() if k is not None}
        try:
            dumped = json.dumps(record, ensure_ascii=False)
            dumped.encode("utf-8")
        except UnicodeEncodeError:
            yield _row(path, n, None, None, None, "record is not valid UTF-8")
            continue
        text, why = _field_text(rec.get(field) if field in names else None, field)
        key, why_key = _doc_key(record, doc_key)
        yield _row(path, n, text, dumped, key, why or why_key)


def _parquet_chunks(
    path: str, data: bytes, field: str, doc_key: str | None, chunk: int
) -> Iterator[pa.Table]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    clash = [c for c in table.column_names if c in INTERNAL]
    if clash:
        raise InputError(f"{path}: column {clash[0]!r} is a name edge uses internally; rename it")
    for start in range(0, table.num_rows, chunk):
        part = table.slice(start, chunk)
        texts = part.column(field).to_pylist() if field in part.column_names else None
        keys = None
        if doc_key is not None:
            keys = part.column(doc_key).to_pylist() if doc_key in part.column_names else None
        rows = []
        for i in range(part.num_rows):
            text, why = _field_text(None if texts is None else texts[i], field)
            key, why_key = _doc_key({doc_key: keys[i]} if keys else {}, doc_key)
            rows.append(_row(path, start + i + 1, text, None, key, why or why_key))
        extra = pa.Table.from_pylist(rows, schema=row_schema())
        for name in extra.column_names:
            part = part.append_column(name, extra.column(name))
        yield part


def row_schema():
    """The columns every parsed row has (built on call: pyarrow is an optional dependency)."""
    import pyarrow as pa

    return pa.schema(
        [
            (ID, pa.string()),
            (PATH, pa.string()),
            (ROW, pa.int64()),
            (TEXT, pa.string()),
            (ERROR, pa.string()),
            (RECORD, pa.string()),
            (KEY, pa.string()),
        ]
    )


def parse_file(
    path: str,
    data: bytes,
    fmt: str,
    field: str,
    doc_key: str | None = None,
    chunk: int = CHUNK_ROWS,
):
    """One input file's rows as pyarrow tables of at most ``chunk`` rows each."""
    import pyarrow as pa

    if fmt == "parquet":
        yield from _parquet_chunks(path, data, field, doc_key, chunk)
        return
    rows_of = _jsonl_rows if fmt == "jsonl" else _csv_rows
    rows: list[dict] = []
    for row in rows_of(path, data, field, doc_key):
        rows.append(row)
        if len(rows) >= chunk:
            yield pa.Table.from_pylist(rows, schema=row_schema())
            rows = []
    if rows:
        yield pa.Table.from_pylist(rows, schema=row_schema())


# --- output ------------------------------------------------------------------------------------


def _records(table: pa.Table, field: str, spans: str | None) -> list[dict]:
    """The redacted rows of a JSONL/CSV block as dicts in their input's key order."""
    out = []
    cols = table.select([RECORD, OUT, SPANS]).to_pylist()
    for row in cols:
        rec = json.loads(row[RECORD])
        rec[field] = row[OUT]
        if spans:
            rec[spans] = json.loads(row[SPANS])
        out.append(rec)
    return out


def render_part(table: pa.Table, fmt: str, field: str, spans: str | None) -> bytes:
    """The bytes of one output part file for a block of redacted (error-free) rows."""
    if fmt == "jsonl":
        lines = (json.dumps(r, ensure_ascii=False) for r in _records(table, field, spans))
        return "".join(line + "\n" for line in lines).encode("utf-8")
    if fmt == "csv":
        records = _records(table, field, spans)
        names = list(dict.fromkeys(k for r in records for k in r))
        buf = io.StringIO(newline="")
        writer = csv.DictWriter(buf, fieldnames=names, restval="", lineterminator="\n")
        writer.writeheader()
        for r in records:
            writer.writerow({k: json.dumps(v) if k == spans else v for k, v in r.items()})
        return buf.getvalue().encode("utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    keep = [c for c in table.column_names if c not in INTERNAL]
    out = table.select(keep)
    redacted = table.column(OUT).cast(pa.string())
    out = out.set_column(out.column_names.index(field), field, redacted)
    if spans:
        items = [json.loads(s) for s in table.column(SPANS).to_pylist()]
        out = out.append_column(spans, pa.array(items, type=span_type()))
    sink = io.BytesIO()
    pq.write_table(out, sink)
    return sink.getvalue()


def span_type():
    """Parquet type of the spans column (built on call: pyarrow is an optional dependency)."""
    import pyarrow as pa

    return pa.list_(
        pa.struct(
            [
                ("label", pa.string()),
                ("operator", pa.string()),
                ("start", pa.int64()),
                ("end", pa.int64()),
            ]
        )
    )


EXTENSIONS = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}
