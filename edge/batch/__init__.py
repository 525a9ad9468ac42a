"""Bulk redaction of JSONL/CSV/Parquet datasets on Ray Data (issue #15): ``redact_dataset``.

Ray is the optional extra ``edge[ray]``: this package imports it only when a job runs, so
``import edge`` and ``edge redact`` without ``--engine ray`` never load it.
"""

from __future__ import annotations

from edge.batch.job import BatchResult, redact_dataset

__all__ = ["BatchResult", "redact_dataset"]
