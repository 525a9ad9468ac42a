"""Training/evaluation data files, checked row by row with errors that name the file and line.

Formats, by the file's suffix: ``.csv``, ``.tsv``, ``.parquet`` (needs pyarrow) or JSON Lines
(anything else). Each row has a text field and, for intent, a label field: ``text``/``label`` by
default, or the usual alternatives (``sentence``/``utterance``/``query``..., ``category``/
``intent``/``class``...), or the columns named with ``--text-field``/``--label-field``.

- intent: ``{"text": "...", "label": "book_flight"}`` (or a CSV ``text,category``)
- PII:    ``{"text": "...", "spans": [{"start": 0, "end": 4, "label": "PERSON"}]}``
  (JSONL only; character offsets, ``text[start:end]`` is the entity)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from edge.errors import DataError
from edge.specs import TaskSpec

# Column names users' data sets have for the text and the label, in order of preference.
TEXT_FIELDS = ("text", "sentence", "utterance", "query", "question", "content")
LABEL_FIELDS = ("label", "category", "intent", "class", "target")


def _check_record(rec: object, spec: TaskSpec | None, where: str) -> dict:
    """One row as a record of ``spec``'s task; with no spec (a new task: its labels come from
    the data), a text and a non-empty label are all that is checked."""
    if not isinstance(rec, dict):
        raise DataError(f"{where}: expected a JSON object")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f'{where}: "text" must be a non-empty string')
    if spec is None:
        label = rec.get("label")
        if not isinstance(label, str) or not label.strip():
            raise DataError(f"{where}: the label must be a non-empty string, not {label!r}")
        return {"text": text, "label": label}
    if spec.kind == "sequence-classification":
        label = rec.get("label")
        if label not in (spec.labels or []):
            raise DataError(
                f"{where}: unknown label {label!r}; task {spec.name!r} has "
                f"{len(spec.labels or [])} labels (see its spec)"
            )
        return {"text": text, "label": label}
    spans = rec.get("spans")
    if not isinstance(spans, list):
        raise DataError(f'{where}: "spans" must be a list (use [] for no entities)')
    out, last_end = [], -1
    for j, s in enumerate(sorted(spans, key=lambda s: s.get("start", -1))):
        if not isinstance(s, dict):
            raise DataError(f"{where}: span {j} is not an object")
        start, end, label = s.get("start"), s.get("end"), s.get("label")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise DataError(
                f"{where}: span {s} has offsets outside the text (length {len(text)}); "
                "offsets are character positions with end exclusive"
            )
        if label not in (spec.entities or []):
            raise DataError(f"{where}: unknown entity label {label!r}; allowed: {spec.entities}")
        if start < last_end:
            raise DataError(f"{where}: span {s} overlaps the previous span")
        last_end = end
        out.append({"start": start, "end": end, "label": label})
    return {"text": text, "spans": out}


def jsonl_rows(path: Path, text: str | None = None) -> list[tuple[int, object]]:
    """(line number, parsed value) of each non-blank line of a JSON Lines file, or of ``text``
    (its content, already read: a caller that checks the bytes' digest first); errors name the
    file and line. Every labelled JSONL file is read here."""
    try:
        lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    except UnicodeDecodeError as e:
        raise DataError(f"{path} is not valid UTF-8 (byte {e.start})") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{n}: not valid JSON ({e.msg})") from None
    return rows


@dataclass
class Table:
    """A data file's rows, each renamed to ``text``/``label``, with what was read and how."""

    path: Path
    format: str
    text_field: str
    label_field: str | None
    rows: list[tuple[str, object]] = field(default_factory=list)  # (file:line, row)

    def records(self, spec: TaskSpec | None) -> list[dict]:
        """The rows checked as records of ``spec``'s task (``None``: a new task, any label)."""
        return [_check_record(rec, spec, where) for where, rec in self.rows]

    def source(self) -> dict:
        """What an adapter records so ``edge eval`` can find the training data again."""
        return {
            "path": str(self.path.resolve()),
            "format": self.format,
            "text_field": self.text_field,
            "label_field": self.label_field,
        }


def _delimited(path: Path, delimiter: str) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: spreadsheets write a BOM
    except UnicodeDecodeError as e:
        raise DataError(f"{path} is not valid UTF-8 (byte {e.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            raise DataError(f"{path} is empty; the first line must name the columns")
        header = [h.strip() for h in header]
        rows = []
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise DataError(
                    f"{path}:{reader.line_num}: {len(row)} fields, the header has "
                    f"{len(header)} ({', '.join(header)}); quote fields holding "
                    f"{'commas' if delimiter == ',' else 'tabs'}"
                )
            rows.append((reader.line_num, dict(zip(header, row, strict=True))))
    except csv.Error as e:
        raise DataError(f"{path}:{reader.line_num}: not valid CSV ({e})") from None
    return header, rows


def _parquet(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(
            f"{path}: reading Parquet needs pyarrow (pip install pyarrow), or export it as CSV"
        ) from None
    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises ArrowInvalid/OSError on a bad file
        raise DataError(f"{path}: not a readable Parquet file ({e})") from None
    return list(table.column_names), list(enumerate(table.to_pylist(), 1))


def _pick(path: Path, columns: list[str], wanted: str | None, usual: tuple[str, ...], what: str):
    """The column holding the text (or label): the one named, else the first usual name."""
    if wanted:
        if wanted not in columns:
            raise DataError(
                f"{path}: no {what} field {wanted!r} (--{what}-field); it has "
                f"{', '.join(map(repr, columns)) or 'no fields'}"
            )
        return wanted
    lower = {c.lower(): c for c in columns}
    return next((lower[u] for u in usual if u in lower), None)


def read_table(
    path: str | Path,
    text_field: str | None = None,
    label_field: str | None = None,
    *,
    need_label: bool = True,
) -> Table:
    """Rows of a JSONL/CSV/TSV/Parquet file with their text (and label) under ``text``/``label``.

    JSONL keeps its other keys (a PII record's ``spans``); its fields are looked up on the first
    row. An integer label (a data set exported with class ids) becomes its string."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        fmt = suffix[1:]
        columns, rows = _delimited(path, "," if fmt == "csv" else "\t")
    elif suffix == ".parquet":
        fmt = "parquet"
        columns, rows = _parquet(path)
    else:
        fmt = "jsonl"
        rows = jsonl_rows(path)
        first = next((r for _, r in rows if isinstance(r, dict)), {})
        columns = list(first)
    if not rows:
        raise DataError(f"{path} has no records")
    tf = _pick(path, columns, text_field, TEXT_FIELDS, "text")
    if tf is None:
        raise DataError(
            f"{path}: no text field (looked for {', '.join(TEXT_FIELDS)}); name it with "
            f"--text-field; it has {', '.join(map(repr, columns))}"
        )
    lf = _pick(path, columns, label_field, LABEL_FIELDS, "label")
    if lf is None and need_label:
        raise DataError(
            f"{path}: no label field (looked for {', '.join(LABEL_FIELDS)}); name it with "
            f"--label-field; it has {', '.join(map(repr, columns))}"
        )
    table = Table(path, fmt, tf, lf)
    for n, row in rows:
        if isinstance(row, dict):
            label = row.get(lf) if lf is not None else None
            if isinstance(label, int) and not isinstance(label, bool):
                label = str(label)
            rest = {k: v for k, v in row.items() if k not in (tf, lf, "text", "label")}
            row = {**rest, "text": row.get(tf), **({"label": label} if lf in row else {})}
        table.rows.append((f"{path}:{n}", row))
    return table


def load_records(
    path: str | Path,
    spec: TaskSpec | None,
    text_field: str | None = None,
    label_field: str | None = None,
) -> list[dict]:
    """Checked records of a data file; ``spec=None`` for a new task's data (any label)."""
    need_label = spec is None or spec.kind == "sequence-classification"
    return read_table(path, text_field, label_field, need_label=need_label).records(spec)


def labelled_records(
    source: str | Path,
    spec: TaskSpec | None,
    text_field: str | None = None,
    label_field: str | None = None,
    **dataset_kwargs,
) -> list[dict]:
    """Checked records of ``source``: a data file (JSONL, CSV, TSV, Parquet), else ``NAME:SPLIT``
    of a named data set (``dataset_kwargs`` go to it: ``n``, ``seed`` of a generated one).

    The one way labelled data enters the CLI, the build and the benchmarks, so that a file and a
    named set are checked alike wherever they are given (``--data``, a spec's ``[data]``)."""
    from quantize.datasets import DATASETS, load_dataset

    ref = _dataset_ref(source)
    if ref is None:
        return load_records(source, spec, text_field, label_field)
    if ref[0] not in DATASETS:
        raise DataError(
            f"{source}: no such data file, nor NAME:SPLIT of a named data set "
            f"({', '.join(DATASETS)})"
        )
    return check_records(load_dataset(*ref, **dataset_kwargs), spec, str(source))


def _dataset_ref(source: str | Path) -> tuple[str, str] | None:
    """``(NAME, SPLIT)`` where ``source`` is no file but names a data set's split."""
    name, _, split = str(source).partition(":")
    if Path(source).is_file() or not (name and split):
        return None
    return name, split


def check_records(records: list[dict], spec: TaskSpec | None, source: str) -> list[dict]:
    """Validate in-memory records (from a named data set) exactly like a file's lines."""
    out = [_check_record(r, spec, f"{source}[{i}]") for i, r in enumerate(records)]
    if not out:
        raise DataError(f"{source} has no records")
    return out


def load_texts(source: str, text_field: str | None = None) -> list[dict]:
    """Unlabelled records (``{"text": ...}``) for distillation: a data file's text field or
    ``NAME:SPLIT`` of a named data set (e.g. ``clinc150:train``: plain user requests)."""
    from quantize.datasets import DATASETS, load_dataset

    path = Path(source)
    ref = _dataset_ref(source)
    if ref is not None and ref[0] in DATASETS:
        rows = list(enumerate(load_dataset(*ref), 1))
        where = [f"{source}: record {i}" for i, _ in rows]
        texts = [r.get("text") for _, r in rows]
    elif path.is_file():
        table = read_table(path, text_field, need_label=False)
        where = [w for w, _ in table.rows]
        texts = [r.get("text") if isinstance(r, dict) else None for _, r in table.rows]
    else:
        raise DataError(
            f"unlabelled texts {source!r}: neither a data file nor NAME:SPLIT of a data set "
            f"({', '.join(DATASETS)})"
        )
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()), None)
    if bad is not None:
        raise DataError(f'{where[bad]}: record {bad + 1} has no non-empty "text"')
    if not texts:
        raise DataError(f"{source} has no texts")
    return [{"text": t} for t in texts]


def records_sha256(records: list[dict]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()
