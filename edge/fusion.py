"""Hybrid PII detection: the model's spans fused with the deterministic rule recognizers'.

Why both: the model reads context (names, places, organisations, free-form dates) but can cut a
card number short or miss a format it rarely saw; the rules (edge/recognizers) find fixed formats
exactly and validate them (Luhn, mod-97, libphonenumber, SSA ranges) but know nothing of names.

The merge, for one text (``Fusion.fuse``):

1. **Deny list** (``fusion.deny``: value -> type): every occurrence is reported with that type,
   source ``deny-list``, and nothing that overlaps it survives. The deployer said so.
2. **Rule matches** are found, restricted to the task's types (the model's ``entities`` and the
   rule-only ``rule_entities``; national ones only for the spec's ``regions``), and judged with
   **context words** by the one enhancer (edge.recognizers.context): each recognizer's own
   words, extended or overridden by ``fusion.context.TYPE``. A nearby word adds ``boost`` to
   the score; ``require`` drops matches with no such word (``weak``: only those scoring under
   ``weak_below``, e.g. a bare nine-digit SSN, a date with no year; ``always``: all, e.g. a bank
   account number). Matches under ``min_rule_score`` are dropped; of rule matches overlapping
   each other the best is kept (``resolve_overlaps``).
3. **Model spans are checked**: those of a ``checksum_types`` type failing the type's check
   are dropped, or cut to the one validated rule match of their type they overlap. The check
   is a checksum (CREDIT_CARD: Luhn, IBAN_CODE: mod-97) or, where a value has none, its
   structure (US_SSN: nine digits the SSA could issue; IP_ADDRESS: parses as one, so not a
   version number "1.27.4"; EMAIL_ADDRESS: an "@" and a dotted domain). A 9-digit number
   failing Luhn is not a card number, however sure the model is. And a span holding two or
   more rule matches of its own type ("10.0.0.1, 10.0.0.2" as one IP_ADDRESS) is split into
   them: each match is a whole validated entity, so the model ran two together.
4. Each rule match, best first, against the spans kept so far that it overlaps:
   - none: the model missed it; the rule's span is added (source ``rule:<name>``);
   - same type: one span, source ``model+rule``; the longer extent when one holds the other
     (the model cut "+1 415 555 0132" short; the model kept an "ext. 12" the rule dropped),
     their union when they only overlap; but the rule's own extent where all the model adds is
     punctuation, or whitespace in a type that never holds any (an email running on past a
     line break);
   - another type: the rule wins if its span holds the model's span entirely (the model's
     PERSON "maria" inside the email "maria.garcia@example.com" is a fragment of the email), or
     covers it and is a type the model cannot produce (a rule-only type: "hunter2" after
     "my password is" is a SECRET, whatever name the model took it for), or has the very same
     extent and comes from a recognizer whose layout proves the type
     (``overrules_model_type``: one word in brackets after an IBAN is the bank);
     otherwise the **model wins for its context types** (``model_types``: PERSON,
     STREET_ADDRESS, LOCATION, ORGANIZATION: a house number or postcode inside an address is
     the address), and for other types a **validated rule beats a low-score model span**
     (score under ``rule_beats_model_below``; 1.0: always) or any model span when a context
     word of its type is near ("SSN: 536-22-1234" is no phone number, however sure the model
     is; not for types that need their word to count at all, ``require = "always"``: "bank,
     phone 07235648752" stays the model's phone number), while a confident model span stands
     otherwise. What
     a beaten model span held outside the rule match stays ("Maria" of "Maria March" when
     "March 3, 2024" is the date);
   - a span already holding a rule's or the deny list's finding beats a later, weaker rule.
5. **Allow list** (``fusion.allow``): spans inside an occurrence of an allowed value (the
   company's own support address) are dropped, whoever found them.

Values are matched case-insensitively, at token edges (not inside a longer word or number). The
cloud redactor (edge.redaction) does not use this one-answer merge: it redacts the union.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence

from edge.bio import tidy, with_bounds
from edge.errors import SpecError
from edge.recognizers import RECOGNIZERS, RuleSet, build_recognizers
from edge.recognizers.base import Recognizer, on_token_edges
from edge.recognizers.context import ContextEnhancer
from edge.spans import DisjointSpans, resolve_overlaps
from edge.specs import FusionSpec
from edge.types import Span

MODEL = "model"
MODEL_AND_RULE = "model+rule"
DENY_LIST = "deny-list"
DENY_SCORE = 1.0
NO_WHITESPACE_TYPES = frozenset({"EMAIL_ADDRESS", "URL", "IP_ADDRESS"})


# What a model span of these types must pass to be kept (``fusion.checksum_types``): a check
# digit, or the value's structure where none exists. Each recognizer owns its check
# (``Recognizer.valid``): CREDIT_CARD Luhn, IBAN_CODE mod-97, US_SSN the SSA's structure,
# IP_ADDRESS one that parses, EMAIL_ADDRESS an "@" and a dotted domain.
CHECKSUMS: dict[str, Callable[[str], bool]] = {
    cls.label: cls.valid for cls in RECOGNIZERS.values() if cls.valid is not Recognizer.valid
}


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def holds(outer: Span, inner: Span) -> bool:
    """``outer`` covers ``inner`` entirely and is longer."""
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start) > (inner.end - inner.start)
    )


def find_values(text: str, values: Iterable[str]) -> list[tuple[int, int, str]]:
    """Occurrences ``(start, end, value)`` of each value, case-insensitive, at token edges."""
    found = []
    for value in values:
        needle = value.strip()
        if not needle:
            continue
        for m in re.finditer(re.escape(needle), text, re.IGNORECASE):
            if on_token_edges(text, m.start(), m.end()):
                found.append((m.start(), m.end(), value))
    return found


class Fusion:
    """The rules half of hybrid detection, built once per detector from a :class:`FusionSpec`.

    ``entities`` are the model's types; the spec's ``rule_entities`` adds the rule-only ones
    (``entities`` then lists both): rules and context for other types are not used. A
    recognizer whose optional dependency is missing (phone numbers need ``phonenumbers``) is
    left out with a warning and named in ``unavailable``: detection still works, with the model
    alone for that type (the cloud redactor, which must not miss a type, refuses instead).
    """

    def __init__(self, spec: FusionSpec | None, entities: Sequence[str]):
        self.spec = spec or FusionSpec()
        self.model_entities = frozenset(entities)
        self.entities = list(entities) + self.spec.rule_types(entities)
        for value, label in self.spec.deny.items():
            if label not in self.entities:
                raise SpecError(f"fusion.deny[{value!r}]: {label} is not one of the task's types")
        self.model_types = frozenset(self.spec.model_types)
        unknown = sorted(set(self.spec.checksum_types) - set(CHECKSUMS))
        if unknown:
            raise SpecError(
                f"fusion.checksum_types: no checksum for {', '.join(unknown)}; "
                f"known: {', '.join(CHECKSUMS)}"
            )
        self.checksums = {t: CHECKSUMS[t] for t in self.spec.checksum_types}
        self.unavailable: dict[str, str] = {}
        self.recognizers = self._build_recognizers()
        spec_context = {t: c for t, c in self.spec.context.items() if t in self.entities}
        self.enhancer = ContextEnhancer.for_recognizers(
            self.recognizers, spec_context, weak_below=self.spec.weak_below
        )
        self.rules = RuleSet(self.recognizers, self.enhancer)

    @property
    def enabled(self) -> bool:
        return self.spec.enabled

    def _build_recognizers(self) -> list[Recognizer]:
        names = self.spec.recognizers
        if names is None:
            regions = set(self.spec.regions)
            names = [
                n
                for n, cls in RECOGNIZERS.items()
                if cls.label in self.entities and (cls.region is None or cls.region in regions)
            ]
        built = build_recognizers(names, phone_region=self.spec.phone_region)
        kept = []
        for rec in built:
            if rec.label not in self.entities:
                raise SpecError(
                    f"fusion.recognizers: {rec.name} finds {rec.label}, not one of the task's "
                    f"types ({', '.join(self.entities)})"
                )
            if not type(rec).available():
                reason = type(rec).unavailable_reason()
                self.unavailable[rec.name] = reason
                warnings.warn(
                    f"hybrid PII detection runs without the {rec.name} rule: {reason}",
                    stacklevel=3,
                )
                continue
            kept.append(rec)
        return kept

    # -- the pieces ---------------------------------------------------------------------------

    def rule_spans(self, text: str) -> list[Span]:
        """Rule matches judged by their context words and ``min_rule_score``, not overlapping."""
        judged = self.rules.find(text)
        return resolve_overlaps(s for s in judged if s.score >= self.spec.min_rule_score)

    def deny_spans(self, text: str) -> list[Span]:
        if not self.spec.deny:  # the usual case: no scan, no ranking of nothing
            return []
        spans = [
            Span(self.spec.deny[value], s, e, DENY_SCORE, text[s:e], DENY_LIST)
            for s, e, value in find_values(text, self.spec.deny)
        ]
        return resolve_overlaps(spans)

    def drop_allowed(self, text: str, spans: Iterable[Span]) -> list[Span]:
        """Spans not lying inside an occurrence of an allow-listed value."""
        allowed = find_values(text, self.spec.allow) if self.spec.allow else []
        if not allowed:  # nothing allowed here (the usual case): every span stays
            return list(spans)
        return [s for s in spans if not any(a <= s.start and s.end <= b for a, b, _ in allowed)]

    @staticmethod
    def _overrules(rule: Span) -> bool:
        """Whether the recognizer behind ``rule`` proves its type (``overrules_model_type``)."""
        cls = RECOGNIZERS.get(rule.source.removeprefix("rule:").split("/")[0])
        return cls is not None and cls.overrules_model_type

    def _model_wins(self, text: str, kept: Span, rule: Span) -> bool:
        """Different types overlap: does the span kept so far beat the rule match?"""
        if kept.source != MODEL:
            return True  # it already holds a better rule match or a deny-list entry
        if holds(rule, kept):
            return False  # the model's span is a fragment of the rule's entity
        if (rule.start, rule.end) == (kept.start, kept.end) and self._overrules(rule):
            return False  # the layout proves the type of these very words (a bank by an IBAN)
        ctx = self.enhancer.contexts.get(rule.label)
        # Whether the match counts on its own: for a bank account number (any 8-17 digits) the
        # required word is all the evidence there is, no more than the model's reading.
        self_evident = ctx is None or ctx.require != "always"
        if (
            self_evident
            and rule.label not in self.model_entities
            and rule.start <= kept.start <= kept.end <= rule.end
        ):
            # The model cannot name this type (a password, a wallet): its span on the same
            # value ("my password is hunter2" read as a PERSON) is a guess at something else.
            return False
        if kept.label in self.model_types:
            return True
        if self_evident and self.enhancer.has_context(text, rule):
            return False  # a context word of the rule's type is evidence the model lacks
        threshold = self.spec.rule_beats_model_below
        return threshold < 1.0 and kept.score >= threshold  # 1.0: a rule match always wins

    # -- the merge ----------------------------------------------------------------------------

    def fuse(self, text: str, model_spans: Sequence[Span]) -> list[Span]:
        """The hybrid spans of ``text``: sorted, not overlapping (see the module docstring)."""
        deny = self.deny_spans(text)
        rules = self.rule_spans(text)
        if deny:  # without a deny-list entry in the text nothing is dropped for one
            rules = [r for r in rules if not any(overlaps(r, d) for d in deny)]
            model_spans = [m for m in model_spans if not any(overlaps(m, d) for d in deny)]
        kept = [
            checked for m in model_spans if (checked := self._checked(text, m, rules)) is not None
        ]
        kept += deny
        kept = self._split_run_together(text, kept, rules)
        ranked = sorted(rules, key=lambda s: (-s.score, s.start))
        disjoint = DisjointSpans(kept)
        if disjoint.is_disjoint():
            kept = self._merge_rules(text, disjoint, ranked)
        else:  # spans given from outside that overlap: the plain scan, the same answer
            for rule in ranked:
                over = [k for k in kept if overlaps(k, rule)]
                merged = self._merged_with(text, rule, over)
                if merged is not None:
                    kept = [k for k in kept if not overlaps(k, rule)] + merged
        return sorted(self.drop_allowed(text, kept), key=lambda s: (s.start, s.end))

    def _merge_rules(self, text: str, kept: DisjointSpans, ranked: list[Span]) -> list[Span]:
        """Each rule match, best first, against the kept spans it overlaps (found by bisection:
        a text of thousands of entities stays linear)."""
        for rule in ranked:
            lo, hi = kept.overlapping(rule)
            merged = self._merged_with(text, rule, kept.spans[lo:hi])
            if merged is not None:
                kept.replace(lo, hi, merged)
        return kept.spans

    def _merged_with(self, text: str, rule: Span, over: list[Span]) -> list[Span] | None:
        """What replaces the kept spans ``over`` that ``rule`` overlaps (the rule, merged with
        same-type spans, and what beaten spans keep outside it); None: the kept spans win."""
        if not over:
            return [rule]
        same = [k for k in over if k.label == rule.label]
        if any(self._model_wins(text, k, rule) for k in over if k.label != rule.label):
            return None
        beaten = [k for k in over if k.label != rule.label]
        kept = [r for k in beaten for r in _remainders(text, k, rule)]
        kept.append(self._merge(text, rule, same) if same else rule)
        return kept

    def _checked(self, text: str, span: Span, rules: list[Span]) -> Span | None:
        """A model span that passes its type's check; else, where one validated rule match of
        its type overlaps it, the span cut to that match (the model ran an IBAN on into "ref",
        an e-mail past a line break: the match is the value); where several do, the span as
        it is (two values run together: split below); else nothing."""
        check = self.checksums.get(span.label)
        if check is None or check(span.text):
            return span
        same = [r for r in rules if r.label == span.label and overlaps(r, span)]
        if len(same) == 1:
            r = same[0]
            return with_bounds(text, span, r.start, r.end, span.score, MODEL)
        return span if same else None

    @staticmethod
    def _split_run_together(text: str, kept: list[Span], rules: list[Span]) -> list[Span]:
        """Model spans holding two or more rule matches of their own type → those matches."""
        out = []
        ordered = sorted(rules, key=lambda r: r.start)
        starts = [r.start for r in ordered]
        for k in kept:
            # the rules starting inside k, found by bisection (a scan per span was quadratic)
            near = ordered[bisect_left(starts, k.start) : bisect_left(starts, k.end)]
            inside = [r for r in near if r.label == k.label and r.start < r.end <= k.end]
            if k.source != MODEL or len(inside) < 2:
                out.append(k)
                continue
            out += [
                with_bounds(text, r, r.start, r.end, max(r.score, k.score), MODEL_AND_RULE)
                for r in inside
            ]
        return out

    @staticmethod
    def _merge(text: str, rule: Span, same: list[Span]) -> Span:
        """A rule match and same-type spans that overlap it, as one span."""
        parts = [rule, *same]
        widest = max(parts, key=lambda s: s.end - s.start)
        if all(widest.start <= p.start and p.end <= widest.end for p in parts):
            start, end = widest.start, widest.end
        else:
            start, end = min(p.start for p in parts), max(p.end for p in parts)
        extra = text[start : rule.start] + text[rule.end : end]
        if not any(ch.isalnum() for ch in extra) or (
            rule.label in NO_WHITESPACE_TYPES and any(ch.isspace() for ch in extra)
        ):
            start, end = rule.start, rule.end
        sources = {p.source for p in parts}
        source = DENY_LIST if DENY_LIST in sources else MODEL_AND_RULE
        score = max(p.score for p in parts)
        return with_bounds(text, rule, start, end, score, source)


def _remainders(text: str, beaten: Span, rule: Span) -> list[Span]:
    """What is left of a model span a rule match beat, outside the match ("Maria" of
    "Maria March" when "March 3, 2024" is the date): the model's claim there still stands."""
    out = []
    for start, end in ((beaten.start, rule.start), (rule.end, beaten.end)):
        if end > start and any(ch.isalnum() for ch in text[start:end]):
            part = tidy(
                text,
                with_bounds(text, beaten, start, end, beaten.score),
            )
            if part is not None:
                out.append(part)
    return out


__all__ = [
    "DENY_LIST",
    "MODEL",
    "MODEL_AND_RULE",
    "Fusion",
    "find_values",
    "holds",
    "overlaps",
]
