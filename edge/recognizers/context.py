"""The one context enhancer: what a recognizer's context words do to its matches.

Why one: context used to live in two places (the SSN recognizer's own words and window, and
the task spec's ``[fusion.context]`` with another window), which disagreed. Now each recognizer
declares its words (``Recognizer.context``, as Presidio's recognizers do), the task spec's
``[fusion.context.TYPE]`` extends or overrides them, and this module alone applies them, for
``Recognizer.find``, for edge.fusion and for the cloud redactor.

A word counts when it occurs as a whole word (or phrase, any whitespace between its words),
case-insensitively, within ``before`` characters before the match or ``after`` after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from edge.recognizers.base import NO_CONTEXT, Context
from edge.types import Span

if TYPE_CHECKING:
    from edge.recognizers.base import Recognizer
    from edge.specs import ContextSpec

# Matches scoring under this are "weak" (a bare nine-digit SSN, a date with no year): the task
# spec's ``[fusion] weak_below`` sets it for fusion; this is the same default.
WEAK_BELOW = 0.65


def phrase_re(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for whole words or phrases (spaces match any whitespace)."""
    parts = sorted({p.strip().casefold() for p in phrases if p.strip()}, key=len, reverse=True)
    if not parts:
        return None
    alts = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


def merged(own: Context, spec: ContextSpec | None) -> Context:
    """A recognizer's context with the task spec's ``[fusion.context.TYPE]`` applied: its words
    are added (``replace = true``: they replace the recognizer's), and each of ``boost``,
    ``require``, ``before``, ``after`` it sets overrides the recognizer's."""
    if spec is None:
        return own
    words = tuple(spec.words) if spec.replace else own.words + tuple(spec.words)
    changes = {
        key: value
        for key in ("boost", "require", "before", "after")
        if (value := getattr(spec, key)) is not None
    }
    return replace(own, words=tuple(dict.fromkeys(words)), **changes)


class ContextEnhancer:
    """Applies per-type context (``label -> Context``) to rule matches."""

    _own: ClassVar[dict[tuple[str, Context], ContextEnhancer]] = {}

    def __init__(self, contexts: Mapping[str, Context], *, weak_below: float = WEAK_BELOW):
        self.contexts = {label: c for label, c in contexts.items() if c != NO_CONTEXT}
        self.weak_below = weak_below
        self._words = {label: phrase_re(c.words) for label, c in self.contexts.items()}

    @classmethod
    def own(cls, recognizer: Recognizer) -> ContextEnhancer:
        """The enhancer for one recognizer's own words (cached: ``find`` builds none per call)."""
        key = (recognizer.label, recognizer.context)
        if key not in cls._own:
            cls._own[key] = cls({recognizer.label: recognizer.context})
        return cls._own[key]

    @classmethod
    def for_recognizers(
        cls,
        recognizers: Iterable[Recognizer],
        spec: Mapping[str, ContextSpec] | None = None,
        *,
        weak_below: float = WEAK_BELOW,
    ) -> ContextEnhancer:
        """The recognizers' own contexts, with the task spec's overrides (types without a
        recognizer keep the spec's words: a model-only type's words still settle clashes)."""
        spec = spec or {}
        contexts: dict[str, Context] = {}
        for rec in recognizers:
            contexts.setdefault(rec.label, merged(rec.context, spec.get(rec.label)))
        for label, ctx in spec.items():
            contexts.setdefault(label, merged(NO_CONTEXT, ctx))
        return cls(contexts, weak_below=weak_below)

    def has_context(self, text: str, span: Span) -> bool:
        """A context word of the span's type near it."""
        pattern = self._words.get(span.label)
        if pattern is None:
            return False
        ctx = self.contexts[span.label]
        before = text[max(0, span.start - ctx.before) : span.start]
        after = text[span.end : span.end + ctx.after]
        return bool(pattern.search(before) or pattern.search(after))

    def judge_one(self, text: str, span: Span) -> Span | None:
        """The span with its context applied: boosted, kept as it is, or dropped (None)."""
        ctx = self.contexts.get(span.label)
        if ctx is None:
            return span
        near = self.has_context(text, span)
        if near:
            if not ctx.boost:
                return span
            score = round(min(1.0, span.score + ctx.boost), 4)
            return Span(span.label, span.start, span.end, score, span.text, span.source)
        if ctx.require == "always" or (ctx.require == "weak" and span.score < self.weak_below):
            return None
        return span

    def judge(self, text: str, spans: Iterable[Span]) -> list[Span]:
        """Judged spans, sorted by start (overlaps among them left for the caller)."""
        out = [j for s in spans if (j := self.judge_one(text, s)) is not None]
        return sorted(out, key=lambda s: (s.start, s.end))


__all__ = ["WEAK_BELOW", "ContextEnhancer", "merged", "phrase_re"]
