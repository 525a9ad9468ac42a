"""Writing one redacted block: its part file, its error rows, its slice of the pseudonym mapping.

Each runs as a Ray task on whatever node holds the block, so the staging folder must be on
storage every node sees. Part names come from the block's row ids (a hash), not from a task
number or a clock: a retried task (a node lost after writing) writes the same name again and
replaces its earlier copy, so a retry can never leave a row twice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from edge.batch.formats import ERROR, EXTENSIONS, ID, KEY, PSEUDO, render_part
from edge.fsutil import open_atomic

if TYPE_CHECKING:
    import pyarrow as pa

ERRORS_DIR, MAPPING_DIR = "_errors", "_mapping"


def write_block(
    table: pa.Table,
    *,
    staging: str,
    fmt: str,
    field: str,
    spans: str | None,
    doc_key: str | None,
) -> pa.Table:
    """Write the block's part files under ``staging``; return one row of counts for the driver."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = table.column(ID).to_pylist()
    name = hashlib.sha256("\n".join(ids).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    failed = pc.is_valid(table.column(ERROR))
    good, bad = table.filter(pc.invert(failed)), table.filter(failed)
    root = Path(staging)
    if good.num_rows:
        with open_atomic(root / f"part-{name}{EXTENSIONS[fmt]}", 0o666) as fh:
            fh.write(render_part(good, fmt, field, spans))
    if bad.num_rows:
        (root / ERRORS_DIR).mkdir(exist_ok=True)
        rows = bad.select([ID, ERROR]).to_pylist()
        with open_atomic(root / ERRORS_DIR / f"{name}.jsonl", 0o666) as fh:
            for r in rows:
                line = json.dumps({"id": r[ID], "error": r[ERROR]}, ensure_ascii=False)
                fh.write(line.encode("utf-8", "surrogateescape") + b"\n")
    tables: dict[str, dict[str, str]] = {}
    keys = good.column(KEY if doc_key else ID).to_pylist()
    for key, found in zip(keys, good.column(PSEUDO).to_pylist(), strict=True):
        if found:
            tables.setdefault(key, {}).update(json.loads(found))
    if tables:
        (root / MAPPING_DIR).mkdir(mode=0o700, exist_ok=True)
        with open_atomic(root / MAPPING_DIR / f"{name}.json", 0o600) as fh:
            fh.write(json.dumps(tables, ensure_ascii=False).encode("utf-8"))
    return pa.table({"rows": [good.num_rows], "errors": [bad.num_rows]})
