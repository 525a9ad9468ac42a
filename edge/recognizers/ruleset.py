"""Recognizers run together: shared cheap gates first, then the patterns, then one enhancer.

Why: with fifty-odd recognizers, running every regex over every text would cost more than the
model's budget for rules (0.3 ms per 30-token text, one thread). Most texts hold no digit run
long enough for any identifier and none of the secrets' keywords, so the text is measured once
(its digit count, its lower-case form) and each recognizer's declared gates (``min_digits``,
``needs``) skip it before any of its patterns run. The gates only skip texts a recognizer could
not match: the answer is the same as running everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from edge.recognizers.base import Recognizer
from edge.recognizers.context import ContextEnhancer
from edge.types import Span

_DROP_ASCII_DIGITS = str.maketrans("", "", "0123456789")


def digit_count(text: str) -> int:
    """How many characters of ``text`` are digits (what ``\\d`` matches, or more)."""
    if text.isascii():
        return len(text) - len(text.translate(_DROP_ASCII_DIGITS))
    return sum(ch.isdigit() for ch in text)


class RuleSet:
    """``recognizers`` with their gates, judged by ``enhancer`` (default: their own context)."""

    def __init__(
        self, recognizers: Iterable[Recognizer], enhancer: ContextEnhancer | None = None
    ) -> None:
        self.recognizers = list(recognizers)
        self.enhancer = enhancer or ContextEnhancer.for_recognizers(self.recognizers)
        # A recognizer written before ``matches`` existed overrides ``find`` only: its
        # matches are its own answer and carry no context of ours.
        self._runs = [
            (
                rec.min_digits,
                tuple(n.lower() for n in rec.needs),
                rec.matches if type(rec).matches is not Recognizer.matches else rec.find,
            )
            for rec in self.recognizers
        ]

    def matches(self, text: str) -> list[Span]:
        """Every recognizer's validated matches, before context (overlapping, unsorted)."""
        digits = digit_count(text)
        lower: str | None = None
        found: list[Span] = []
        for min_digits, needs, run in self._runs:
            if digits < min_digits:
                continue
            if needs:
                if lower is None:
                    lower = text.lower()
                if not any(n in lower for n in needs):
                    continue
            found.extend(run(text))
        return found

    def find(self, text: str) -> list[Span]:
        """The matches judged by the context enhancer (sorted; overlaps left to the caller)."""
        return self.enhancer.judge(text, self.matches(text))
