"""Span arithmetic shared by fusion, redaction, the anonymizer and the service: which of
overlapping spans to keep, and how overlapping spans merge into one placeholder.

Its own module, importing no recognizer, so that the service's routes and the anonymizer can
use it without loading the rule recognizers (about 70 ms of imports: regexes and stdnum) before
the service listens; the rules load with the first text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from edge.types import Span


def first_come(ranked: Iterable[Span]) -> list[Span]:
    """The spans, in the given order, that overlap none kept before them (in that order).

    Why not a loop over everything kept: that is quadratic, and a text of thousands of dates or
    chat lines held tens of seconds in it; ``DisjointSpans`` finds the overlaps by bisection.
    """
    kept = DisjointSpans(())
    chosen: list[Span] = []
    for span in ranked:
        lo, hi = kept.overlapping(span)
        if lo == hi:
            kept.replace(lo, lo, [span])
            chosen.append(span)
    return chosen


class DisjointSpans:
    """Spans that overlap none of each other, sorted by start, with the ones a span overlaps
    found by bisection: the index range ``[lo, hi)`` of ``overlapping``, which ``replace``
    swaps for new spans lying within the same stretch of text. Sorted by start, disjoint
    spans have sorted ends too, which is what the bisection needs.

    Why: hybrid detection checks every rule match against the spans kept so far; a scan of all
    of them per match made a text of thousands of entities quadratic (edge.fusion).
    """

    def __init__(self, spans: Iterable[Span]):
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self.ends = [s.end for s in self.spans]

    def is_disjoint(self) -> bool:
        """Whether the spans given are non-empty and overlap none of each other (what the
        bisection needs)."""
        return all(s.end > s.start for s in self.spans) and all(
            end <= start for end, start in zip(self.ends, self.starts[1:], strict=False)
        )

    def overlapping(self, span: Span) -> tuple[int, int]:
        """The index range of the spans overlapping ``span`` (lo == hi: none, insert at lo)."""
        lo = bisect_right(self.ends, span.start)
        return lo, max(lo, bisect_left(self.starts, span.end))

    def replace(self, lo: int, hi: int, new: Iterable[Span]) -> None:
        """Put ``new`` (overlapping no span outside ``[lo, hi)``) where ``[lo, hi)`` was."""
        ordered = sorted(new, key=lambda s: s.start)
        self.spans[lo:hi] = ordered
        self.starts[lo:hi] = [s.start for s in ordered]
        self.ends[lo:hi] = [s.end for s in ordered]


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep a non-overlapping subset: higher score wins, then the longer span, then the earlier.

    The result is sorted by start. Empty spans are dropped.
    """
    ranked = sorted(
        (s for s in spans if s.end > s.start),
        key=lambda s: (-s.score, -(s.end - s.start), s.start, s.label),
    )
    if len(ranked) < 2:  # nothing to overlap (most texts: every rule call ends here)
        return ranked
    return sorted(first_come(ranked), key=lambda s: (s.start, s.end))


def merge_spans(spans: Iterable[Span], answers: Sequence[Span] = ()) -> list[Span]:
    """Overlapping spans → one span covering their union, typed with resolve_overlaps' help.

    The returned spans do not overlap, are sorted, and cover every character of the input spans.
    Where one of ``answers`` (the hybrid detector's spans) covers a whole run, its type names
    the run, so a placeholder says what ``edge pii`` would. Their ``text`` is left empty on
    purpose: a Redaction must not carry the values it removed.
    """
    ordered = sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, s.end))
    groups: list[list[Span]] = []
    end = -1
    for s in ordered:
        if groups and s.start < end:
            groups[-1].append(s)
            end = max(end, s.end)
        else:
            groups.append([s])
            end = s.end
    by_extent: dict[tuple[int, int], list[Span]] = {}  # a lookup, not a scan per run
    for s in answers:
        by_extent.setdefault((s.start, s.end), []).append(s)
    merged = []
    for g in groups:
        lo, hi = min(s.start for s in g), max(s.end for s in g)
        covering = by_extent.get((lo, hi), [])
        covering = covering or [s for s in g if s.start == lo and s.end == hi]
        # One detector saw the whole run (the rule's email around the model's "maria"): its type
        # names the run. Otherwise the longest span resolve_overlaps keeps names it.
        kept = resolve_overlaps(covering or g)
        winner = max(kept, key=lambda s: s.end - s.start)
        merged.append(
            Span(
                label=winner.label,
                start=lo,
                end=hi,
                score=winner.score,
                text="",
                source="+".join(sorted({s.source for s in g})),
            )
        )
    return merged
