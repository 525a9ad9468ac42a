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
from edge.batch.formats import ERROR, OUT, PATH, PSEUDO, ROW, SPANS, TEXT
from edge.errors import InputError
from edge.specs import AnonymizeSpec
from edge.textinput import check_text

if TYPE_CHECKING:
    import pyarrow as pa


class RedactWorker:
    """Detection + anonymization of row blocks with one model loaded for the actor's life.

    ``documents=False``: every row is its own pseudonymization scope (pseudonyms restart per
    record). ``documents=True``: the block is one document (Ray's ``groupby(doc key)`` hands a
    whole group to one call), its rows in input order, so a value keeps one pseudonym across
    the document's rows whichever worker runs it. ``hash`` needs no coordination: every actor
    gets the same salt.
    """

    def __init__(
        self,
        model: str | Path,
        spec: AnonymizeSpec,
        *,
        salt: str | None,
        variant: str | None = None,
        threads: int | None = None,
        profile: str | None = None,
        documents: bool = False,
    ):
        import edge

        self.detector = edge.load(model, variant=variant, threads=threads, profile=profile)
        self.detect = detector_fn(self.detector)
        self.max_chars = self.detector.task.max_chars
        self.anonymizer = Anonymizer.from_spec(spec, salt=salt)
        self.documents = documents

    def __call__(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa

        if self.documents:  # input order within the document: the numbering must not vary
            table = table.sort_by([(PATH, "ascending"), (ROW, "ascending")])
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
        found = dict(zip(live, self.detect([texts[i] for i in live]), strict=True))
        out: list[str | None] = [None] * len(texts)
        spans: list[str | None] = [None] * len(texts)
        pseudo: list[str | None] = [None] * len(texts)
        if self.documents:
            self.anonymizer.new_document()
            for i, text in enumerate(texts):
                if errors[i] is None:
                    self.anonymizer.reserve(text)
        for i, text in enumerate(texts):
            if errors[i] is not None:
                continue
            if not self.documents:
                self.anonymizer.new_document()
            try:
                res = self.anonymizer.anonymize(text, found.get(i, []))
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
        table = table.set_column(
            table.column_names.index(ERROR), ERROR, pa.array(errors, pa.string())
        )
        table = table.append_column(OUT, pa.array(out, pa.string()))
        table = table.append_column(SPANS, pa.array(spans, pa.string()))
        return table.append_column(PSEUDO, pa.array(pseudo, pa.string()))
