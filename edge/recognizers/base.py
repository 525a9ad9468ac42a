"""The recognizer contract, and the small helpers every rule shares.

Rules are cheap, deterministic and explainable, so they back up (or stand in for) the model on
formats with a fixed shape. Scores say how much the shape proves: 1.0 when a checksum validated
the match, lower when only the pattern did.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from edge.types import Span

CHECKSUM_SCORE = 1.0


def is_word_char(ch: str) -> bool:
    """True for characters that continue a token (letters, digits, underscore, any script)."""
    return ch.isalnum() or ch == "_"


def on_token_edges(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is not glued to a longer alphanumeric token on either side."""
    if start > 0 and is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and is_word_char(text[end]))


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep a non-overlapping subset: higher score wins, then the longer span, then the earlier.

    The result is sorted by start. Empty spans are dropped.
    """
    ranked = sorted(
        (s for s in spans if s.end > s.start),
        key=lambda s: (-s.score, -(s.end - s.start), s.start, s.label),
    )
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


class Recognizer(ABC):
    """Finds one kind of entity (``label``) in text. ``name`` is the registry key."""

    label: str
    name: str

    @abstractmethod
    def find(self, text: str) -> list[Span]:
        """Every match in ``text``, sorted by start, not overlapping each other."""

    def span(self, text: str, start: int, end: int, score: float) -> Span:
        return Span(
            label=self.label,
            start=start,
            end=end,
            score=score,
            text=text[start:end],
            source=f"rule:{self.name}",
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
