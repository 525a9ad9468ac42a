"""Redact text before it may leave the device: the local PII model AND the rule recognizers.

Why both: the model finds names, places and free-form entities; the rules find fixed formats
(cards, IBANs, emails, SSNs) exactly, even where the model is weak. Why a union and not just
``resolve_overlaps``: resolve_overlaps keeps one span where two overlap, so a high-scoring
model span ("maria" in "maria.garcia@example.com") would drop the rule's whole-email span and leave
"@example.com" in the text. Here every character any detector flagged (for a type the policy does
not allow out) is covered; resolve_overlaps only picks the placeholder's type for each merged run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from edge.errors import SpecError
from edge.recognizers import RECOGNIZERS, build_recognizers, resolve_overlaps
from edge.recognizers.base import Recognizer
from edge.runtime import PIIDetector
from edge.types import PIIResult, Span

RULE_TYPES = frozenset(cls.label for cls in RECOGNIZERS.values())


@dataclass(frozen=True)
class Redaction:
    """The text safe to send, and what was taken out (types and counts only, no values)."""

    text: str
    spans: list[Span] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(s.label for s in self.spans))


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans → one span covering their union, typed with resolve_overlaps' help.

    The returned spans do not overlap, are sorted, and cover every character of the input spans.
    Their ``text`` is left empty on purpose: a Redaction must not carry the values it removed.
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
    merged = []
    for g in groups:
        lo, hi = min(s.start for s in g), max(s.end for s in g)
        covering = [s for s in g if s.start == lo and s.end == hi]
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


def apply(text: str, spans: Sequence[Span]) -> str:
    """Replace each (sorted, non-overlapping) span with ``<TYPE>``."""
    out, pos = [], 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(f"<{s.label}>")
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


class Redactor:
    """Model + rules → redacted text, keeping only the PII types in ``allow`` unredacted.

    Built once per router: the recognizers are probed at construction, so a missing optional
    dependency (phonenumbers) fails loudly up front instead of silently letting phones through.
    """

    def __init__(
        self,
        pii_model: PIIDetector,
        *,
        allow: Iterable[str] = (),
        recognizers: Sequence[Recognizer] | None = None,
        phone_region: str = "US",
    ):
        self.pii_model = pii_model
        self.recognizers = (
            list(recognizers)
            if recognizers is not None
            else build_recognizers(phone_region=phone_region)
        )
        model_types = set(pii_model.task.entities or [])
        self.known_types = frozenset(model_types | {r.label for r in self.recognizers} | RULE_TYPES)
        self.allow = frozenset(allow)
        unknown = sorted(self.allow - self.known_types)
        if unknown:
            raise SpecError(
                f"allow_pii names unknown PII types {unknown}; known: {sorted(self.known_types)}"
            )
        for rec in self.recognizers:
            rec.find("probe 0")  # raises BackendUnavailableError if its dependency is missing

    def detect(self, text: str) -> list[Span]:
        """Every span the model or a rule found, overlapping or not."""
        res = self.pii_model.detect(text)
        assert isinstance(res, PIIResult)
        found = list(res.spans)
        for rec in self.recognizers:
            found.extend(rec.find(text))
        return found

    def redact(self, text: str) -> Redaction:
        spans = merge_spans(s for s in self.detect(text) if s.label not in self.allow)
        return Redaction(text=apply(text, spans), spans=spans)
