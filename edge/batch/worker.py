"""The code each Ray actor runs: load the model once, then redact blocks of rows.

A callable class because Ray Data builds one instance per actor and calls it per batch: the
ONNX session (and its threads) is made once per worker, not once per batch. Nothing here imports
Ray; the class sees pyarrow tables in and returns pyarrow tables out, so tests can call it as is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from edge.anonymize import Anonymizer
from edge.anonymize.stream import detector_fn
from edge.batch.formats import DETECTED, ERROR, OUT, PATH, PSEUDO, ROW, SPANS, TEXT
from edge.errors import InputError
from edge.specs import AnonymizeSpec
from edge.textinput import check_text
from edge.types import Span

if TYPE_CHECKING:
    import pyarrow as pa


def _span_json(spans: list[Span]) -> str:
    return json.dumps([[s.label, s.start, s.end, s.score, s.source] for s in spans])


def _span_list(text: str, found: str) -> list[Span]:
    return [Span(lb, a, b, sc, text[a:b], src) for lb, a, b, sc, src in json.loads(found)]


def anonymize_block(
    table: pa.Table, *, spec: AnonymizeSpec, salt: str | None, documents: bool
) -> pa.Table:
    """Apply the operators to a block whose rows carry their detected spans (``DETECTED``).

    ``documents=False``: every row is its own pseudonymization scope (pseudonyms restart per
    record). ``documents=True``: the block is one document (Ray's ``groupby(doc key)`` hands a
    whole group to one call), taken in input order, so a value keeps one pseudonym across the
    document's rows whichever worker runs it. No model here: only the rows and the operators.
    """
    import pyarrow as pa

    anonymizer = Anonymizer.from_spec(spec, salt=salt)
    if documents:  # input order within the document: the numbering must not vary
        table = table.sort_by([(PATH, "ascending"), (ROW, "ascending")])
    texts = table.column(TEXT).to_pylist()
    errors = table.column(ERROR).to_pylist()
    found = table.column(DETECTED).to_pylist()
    out: list[str | None] = [None] * len(texts)
    spans: list[str | None] = [None] * len(texts)
    pseudo: list[str | None] = [None] * len(texts)
    if documents:
        for i, text in enumerate(texts):
            if errors[i] is None:
                anonymizer.reserve(text)
    for i, text in enumerate(texts):
        if errors[i] is not None:
            continue
        if not documents:
            anonymizer.new_document()
        try:
            res = anonymizer.anonymize(text, _span_list(text, found[i]) if found[i] else [])
        except InputError as e:  # a text holding a pseudonym already issued in its document
            errors[i] = str(e)
            continue
        out[i] = res.text
        spans[i] = json.dumps(
            [
                {"label": t.label, "operator": t.operator, "start": t.start, "end": t.end}
                for t in res.items
            ]
        )
        pseudo[i] = json.dumps(res.pseudonyms, ensure_ascii=False) if res.pseudonyms else None
    table = table.set_column(table.column_names.index(ERROR), ERROR, pa.array(errors, pa.string()))
    table = table.append_column(OUT, pa.array(out, pa.string()))
    table = table.append_column(SPANS, pa.array(spans, pa.string()))
    return table.append_column(PSEUDO, pa.array(pseudo, pa.string()))


class RedactWorker:
    """Detection (+ anonymization) of row blocks with one model loaded for the actor's life.

    With ``spec`` given, rows come out anonymized, each record its own pseudonym scope (the
    one-pass path). With ``spec=None`` rows come out with their spans only (``DETECTED``), for
    ``anonymize_block`` to apply per document after Ray groups the rows by their document key.
    ``hash`` needs no coordination: every worker gets the same salt.
    """

    def __init__(
        self,
        model: str | Path,
        spec: AnonymizeSpec | None,
        *,
        salt: str | None,
        variant: str | None = None,
        threads: int | None = None,
        profile: str | None = None,
    ):
        import edge

        self.detector = edge.load(model, variant=variant, threads=threads, profile=profile)
        self.detect = detector_fn(self.detector)
        self.max_chars = self.detector.task.max_chars
        self.spec, self.salt = spec, salt

    def __call__(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa

        texts = table.column(TEXT).to_pylist()
        errors = table.column(ERROR).to_pylist()
        live: list[int] = []
        for i, text in enumerate(texts):
            if errors[i] is None and text.strip():
                try:
                    check_text(text, self.max_chars)
                except InputError as e:
                    errors[i] = str(e)
                    continue
                live.append(i)
        found: list[str | None] = [None] * len(texts)
        for i, spans in zip(live, self.detect([texts[i] for i in live]), strict=True):
            found[i] = _span_json(spans)
        table = table.set_column(
            table.column_names.index(ERROR), ERROR, pa.array(errors, pa.string())
        )
        table = table.append_column(DETECTED, pa.array(found, pa.string()))
        if self.spec is None:
            return table
        return anonymize_block(table, spec=self.spec, salt=self.salt, documents=False)
