"""Deterministic PII recognizers: regex plus validation (checksums, ranges, libphonenumber).

They are the cheap, explainable half of detection: formats with a fixed shape (cards, IBANs,
emails) are found exactly, with no model, and can back up the model's spans. Each recognizer lives
in its own module; ``RECOGNIZERS`` names them so a spec can choose a set by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from edge.errors import SpecError
from edge.recognizers.base import Recognizer, resolve_overlaps
from edge.recognizers.credit_card import CreditCardRecognizer
from edge.recognizers.date import DateRecognizer
from edge.recognizers.email import EmailRecognizer
from edge.recognizers.iban import IbanRecognizer
from edge.recognizers.ip import IpRecognizer
from edge.recognizers.phone import PhoneRecognizer
from edge.recognizers.ssn import SsnRecognizer
from edge.recognizers.url import UrlRecognizer
from edge.types import Span

RECOGNIZERS: dict[str, type[Recognizer]] = {
    cls.name: cls
    for cls in (
        EmailRecognizer,
        UrlRecognizer,
        IpRecognizer,
        CreditCardRecognizer,
        IbanRecognizer,
        SsnRecognizer,
        PhoneRecognizer,
        DateRecognizer,
    )
}
_BY_LABEL: dict[str, str] = {cls.label: name for name, cls in RECOGNIZERS.items()}


def build_recognizers(
    names: Iterable[str] | None = None,
    *,
    phone_region: str = "US",
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Recognizer]:
    """Instantiate recognizers by registry name ("email") or by label ("EMAIL_ADDRESS").

    ``None`` builds all of them, in registry order. Duplicates are built once. ``options`` gives
    constructor keyword arguments per registry name (``{"ssn": {"weak_score": 0.4}}``).
    """
    options = options or {}
    if names is None:
        names = list(RECOGNIZERS)
    if isinstance(names, str):
        names = [names]
    built: list[Recognizer] = []
    seen: set[str] = set()
    for raw in names:
        name = raw if raw in RECOGNIZERS else _BY_LABEL.get(raw, raw)
        if name not in RECOGNIZERS:
            allowed = ", ".join(RECOGNIZERS)
            raise SpecError(
                f"unknown recognizer {raw!r}; use one of: {allowed} "
                f"(or a label: {', '.join(_BY_LABEL)})"
            )
        if name in seen:
            continue
        seen.add(name)
        cls = RECOGNIZERS[name]
        kwargs = dict(options.get(name, {}))
        if cls is PhoneRecognizer:
            kwargs.setdefault("region", phone_region)
        built.append(cls(**kwargs))
    return built


def find_all(text: str, recognizers: Iterable[Recognizer] | None = None) -> list[Span]:
    """Run every recognizer over ``text``; return sorted, non-overlapping spans.

    Where matches overlap, the higher score wins, then the longer span. ``None`` runs all
    recognizers with their defaults.
    """
    if recognizers is None:
        recognizers = build_recognizers()
    return resolve_overlaps(span for rec in recognizers for span in rec.find(text))


__all__ = [
    "RECOGNIZERS",
    "CreditCardRecognizer",
    "DateRecognizer",
    "EmailRecognizer",
    "IbanRecognizer",
    "IpRecognizer",
    "PhoneRecognizer",
    "Recognizer",
    "SsnRecognizer",
    "UrlRecognizer",
    "build_recognizers",
    "find_all",
    "resolve_overlaps",
]
