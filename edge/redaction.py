"""Redact text before it may leave the device: the local PII model AND the rule recognizers.

Why both: the model finds names, places and free-form entities; the rules find fixed formats
(cards, IBANs, emails, SSNs) exactly, even where the model is weak. Why a union and not just
``resolve_overlaps``: resolve_overlaps keeps one span where two overlap, so a high-scoring
model span ("maria" in "maria.garcia@example.com") would drop the rule's whole-email span and leave
"@example.com" in the text. Here every character any detector flagged (for a type the policy does
not allow out) is covered; resolve_overlaps only picks the placeholder's type for each merged run.

Why not the hybrid detector's fusion (edge.fusion) alone: fusion picks ONE answer where detectors
disagree (a confident model span beats a rule match, a card number failing Luhn is dropped), which
is right for reporting entities but would let the loser's characters leave the device. So the
redactor takes the union of the model's raw spans, every rule match (the recognizers' own
validation only) AND the fused spans (which add the deny list's values and rule matches that only
the spec's context words made); the result covers a superset of what ``PIIDetector.detect``
reports. The one thing it honours from fusion is the spec's allow list (values the deployer
declared not personal, e.g. its own support address): those stay in the text, like ``allow_pii``.
The spec's per-type ``[min_score]`` and ``[lowercase_min_score]`` are not honoured either (recall
first): a span ``detect`` leaves out as too unsure for reporting is still redacted before a
cloud call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from edge.bio import redact
from edge.errors import BackendUnavailableError, SpecError
from edge.fusion import Fusion
from edge.recognizers import RECOGNIZERS, RuleSet, build_recognizers
from edge.recognizers.base import Recognizer
from edge.runtime import PIIDetector
from edge.spans import merge_spans
from edge.textinput import check_text
from edge.types import Span

RULE_TYPES = frozenset(cls.label for cls in RECOGNIZERS.values())


@dataclass(frozen=True)
class Redaction:
    """The text safe to send, and what was taken out (types and counts only, no values)."""

    text: str
    spans: list[Span] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(s.label for s in self.spans))


class Redactor:
    """Model + rules → redacted text, keeping only the PII types in ``allow`` unredacted.

    Built once per router: the recognizers' ``available()`` is checked at construction, so a
    missing optional dependency (phonenumbers) fails loudly up front instead of silently letting
    phones through. By default every recognizer of every region runs, whatever the task spec's
    ``regions``: text leaving the device is redacted on the safe side (a national identifier
    with its context word is caught in any deployment), and weak patterns still need their
    context words, so ordinary numbers stay.
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
            if not type(rec).available():
                raise BackendUnavailableError(type(rec).unavailable_reason())
        self.rules = RuleSet(self.recognizers)  # each judged by its own context words
        # The detector's fusion settings (context words, lists), with the policy's phone region.
        spec = pii_model.fusion.spec.model_copy(update={"phone_region": phone_region})
        self.fusion = Fusion(spec, pii_model.task.entities or [])

    def detect(self, text: str) -> list[Span]:
        """Every span the model, a rule or the fusion found, overlapping or not (allow-listed
        values left out)."""
        return self._found(text)[0]

    def _found(self, text: str) -> tuple[list[Span], list[Span]]:
        """(every span, the hybrid detector's answer)."""
        text = check_text(text, self.pii_model.task.max_chars)
        raw = self.pii_model.model_spans([text])[0]
        found = list(raw)
        found.extend(self.rules.find(text))
        if not self.fusion.enabled:
            return found, []
        fused = self.fusion.fuse(text, raw)
        return self.fusion.drop_allowed(text, [*found, *fused]), fused

    def redact(self, text: str) -> Redaction:
        found, answers = self._found(text)
        spans = merge_spans(
            (s for s in found if s.label not in self.allow),
            [s for s in answers if s.label not in self.allow],
        )
        return Redaction(text=redact(text, spans), spans=spans)
