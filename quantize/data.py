"""Training/evaluation data files (JSONL), checked line by line with errors that name the line.

- intent: ``{"text": "...", "label": "book_flight"}``
- PII:    ``{"text": "...", "spans": [{"start": 0, "end": 4, "label": "PERSON"}]}``
  (character offsets, ``text[start:end]`` is the entity)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from edge.errors import DataError
from edge.specs import TaskSpec


def _check_record(rec: object, spec: TaskSpec, where: str) -> dict:
    if not isinstance(rec, dict):
        raise DataError(f"{where}: expected a JSON object")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f'{where}: "text" must be a non-empty string')
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


def _jsonl(path: Path) -> list[tuple[int, object]]:
    """(line number, parsed value) of each non-blank line; errors name the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
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


def load_records(path: str | Path, spec: TaskSpec) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    records = [_check_record(rec, spec, f"{path}:{n}") for n, rec in _jsonl(path)]
    if not records:
        raise DataError(f"{path} has no records")
    return records


def check_records(records: list[dict], spec: TaskSpec, source: str) -> list[dict]:
    """Validate in-memory records (from a named data set) exactly like a file's lines."""
    out = [_check_record(r, spec, f"{source}[{i}]") for i, r in enumerate(records)]
    if not out:
        raise DataError(f"{source} has no records")
    return out


def load_texts(source: str) -> list[dict]:
    """Unlabelled records (``{"text": ...}``) for distillation: a JSONL file (its "text" fields)
    or ``NAME:SPLIT`` of a named data set (e.g. ``clinc150:train``: plain user requests)."""
    from quantize.datasets import DATASETS, load_dataset

    path = Path(source)
    name, _, split = source.partition(":")
    if not path.is_file() and name in DATASETS and split:
        rows = load_dataset(name, split)
    elif path.is_file():
        rows = [rec for _, rec in _jsonl(path)]
    else:
        raise DataError(
            f"unlabelled texts {source!r}: neither a JSONL file nor NAME:SPLIT of a data set "
            f"({', '.join(DATASETS)})"
        )
    texts = [r.get("text") if isinstance(r, dict) else None for r in rows]
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()), None)
    if bad is not None:
        raise DataError(f'{source}: record {bad + 1} has no non-empty "text"')
    if not texts:
        raise DataError(f"{source} has no texts")
    return [{"text": t} for t in texts]


def records_sha256(records: list[dict]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()
