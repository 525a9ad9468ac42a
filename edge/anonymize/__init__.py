"""Anonymization of detected PII (issue #7): replace, mask, hash, redact, pseudonymize.

``edge.anonymize(text, spans, operators={"PERSON": "pseudonymize"})`` for one text;
``Anonymizer`` for many texts sharing one pseudonym scope; ``deanonymize(text, pseudonyms)``
reverses pseudonyms with the table a result (or a mapping file) holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edge.anonymize.engine import AnonymizedItem, AnonymizedText, Anonymizer, resolve_spec
from edge.anonymize.mapping import (
    PseudonymTable,
    read_mapping,
    restore,
    write_mapping,
)
from edge.anonymize.operators import (
    OPERATORS,
    Hash,
    Mask,
    Operator,
    Pseudonymize,
    Redact,
    Replace,
)
from edge.types import Span


def anonymize(
    text: str,
    spans: Iterable[Span],
    operators: Mapping[str, Operator | str] | None = None,
    default: Operator | str = "replace",
    *,
    salt: str | None = None,
) -> AnonymizedText:
    """One text, its own pseudonym scope. ``operators`` maps entity type → operator."""
    return Anonymizer(operators, default, salt=salt).anonymize(text, spans)


def deanonymize(text: str, pseudonyms: Mapping[str, str]) -> str:
    """Put back the values of the pseudonyms in ``text`` (``AnonymizedText.pseudonyms``)."""
    return restore(text, pseudonyms)


__all__ = [
    "OPERATORS",
    "AnonymizedItem",
    "AnonymizedText",
    "Anonymizer",
    "Hash",
    "Mask",
    "Operator",
    "PseudonymTable",
    "Pseudonymize",
    "Redact",
    "Replace",
    "anonymize",
    "deanonymize",
    "read_mapping",
    "resolve_spec",
    "write_mapping",
]
