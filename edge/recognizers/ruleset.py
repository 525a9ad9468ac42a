"""Recognizers run together: shared cheap gates first, then the patterns, then one enhancer.

Why: with fifty-odd recognizers, running every regex over every text would cost more than the
model's budget for rules (0.3 ms per 30-token text, one thread). Most texts hold no digit run
long enough for any identifier and none of the secrets' keywords, so the text is measured once
(its digit count, its lower-case form) and each recognizer's declared gates (``min_digits``,
``needs``) skip it before any of its patterns run. A recognizer whose context words are
required (``require = "always"``: bank accounts, passports, licences, most national numbers) is
also skipped when none of its words occurs anywhere in the text. The gates only skip texts a
recognizer could not match: the answer is the same as running everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from edge.recognizers.base import Recognizer, digit_count
from edge.recognizers.context import ContextEnhancer
from edge.types import Span


def _holds_one_of_each(lower: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``lower`` holds a substring of every group (plain loops: this runs for every
    gated recognizer on every text, and generator expressions cost more than the tests)."""
    for group in groups:
        for needle in group:
            if needle in lower:
                break
        else:
            return False
    return True


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
                rec.min_token,
                self._gates(rec),
                rec.matches if type(rec).matches is not Recognizer.matches else rec.find,
            )
            for rec in self.recognizers
        ]

    def _gates(self, rec: Recognizer) -> tuple[tuple[str, ...], ...]:
        """Groups of lower-case substrings; one of each group must occur in the text."""
        gates = [tuple(n.casefold() for n in rec.needs)] if rec.needs else []
        ctx = self.enhancer.contexts.get(rec.label)
        if ctx is not None and ctx.require == "always" and ctx.words:
            # A phrase's first word is enough: the words match across any whitespace.
            gates.append(tuple(w.casefold().split()[0] for w in ctx.words if w.strip()))
        return tuple(gates)

    def matches(self, text: str) -> list[Span]:
        """Every recognizer's validated matches, before context (overlapping, unsorted)."""
        digits = digit_count(text)
        longest = -1
        lower: str | None = None
        found: list[Span] = []
        for min_digits, min_token, needs, run in self._runs:
            if digits < min_digits:
                continue
            if min_token:
                if longest < 0:
                    longest = max(map(len, text.split()), default=0)
                if longest < min_token:
                    continue
            if needs:
                if lower is None:
                    lower = text.casefold()
                if not _holds_one_of_each(lower, needs):
                    continue
            found.extend(run(text))
        return found

    def find(self, text: str) -> list[Span]:
        """The matches judged by the context enhancer (sorted; overlaps left to the caller)."""
        return self.enhancer.judge(text, self.matches(text))
