"""Anonymize a stream of texts lazily: a few at a time through the detector, in order.

Memory stays constant in the number of texts (only ``batch_size`` of them are held), so a
many-gigabyte log file goes through line by line; the one thing that grows is a whole-input
pseudonym table, with the number of distinct values pseudonymized.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from edge.anonymize.engine import AnonymizedText, Anonymizer
from edge.errors import InputError
from edge.runtime import PIIDetector
from edge.textinput import check_text
from edge.types import Span

K = TypeVar("K")
# Texts read ahead and detected in one call: the runtime groups them by length (its batch
# planner), so a wider window pads less; the output keeps the input's order.
READ_AHEAD = 256
Detect = Callable[[list[str]], list[list[Span]]]


def detector_fn(detector: PIIDetector) -> Detect:
    """The detector's spans (what ``edge pii`` reports) for a batch of texts, in one call."""

    def detect(texts: list[str]) -> list[list[Span]]:
        results = detector.detect(texts)
        assert isinstance(results, list)
        return [list(r.spans) for r in results]

    return detect


def anonymize_stream(
    items: Iterable[tuple[K, str]],
    detect: Detect,
    anonymizer: Anonymizer,
    *,
    per_document: bool = False,
    batch_size: int = READ_AHEAD,
    max_chars: int = 100_000,
) -> Iterator[tuple[K, AnonymizedText]]:
    """``(key, text)`` → ``(key, anonymized)``, same order. ``str(key)`` names a text in errors.

    With ``per_document`` every text is its own pseudonymization scope; otherwise the whole
    stream is one. Blank texts pass through untouched (the model refuses empty input).
    """
    batch: list[tuple[K, str]] = []
    for key, text in items:
        if text.strip():
            try:
                check_text(text, max_chars)
            except InputError as e:
                raise InputError(f"{key}: {e}") from None
        batch.append((key, text))
        if len(batch) >= batch_size:
            yield from _run(batch, detect, anonymizer, per_document)
            batch = []
    if batch:
        yield from _run(batch, detect, anonymizer, per_document)


def _run(
    batch: list[tuple[K, str]], detect: Detect, anonymizer: Anonymizer, per_document: bool
) -> Iterator[tuple[K, AnonymizedText]]:
    live = [text for _, text in batch if text.strip()]
    found = iter(detect(live) if live else [])
    for key, text in batch:
        spans = next(found) if text.strip() else []
        if per_document:
            anonymizer.new_document()
        yield key, anonymizer.anonymize(text, spans, where=str(key))
