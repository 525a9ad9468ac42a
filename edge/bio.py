"""Per-token BIO labels → character spans.

Rules, chosen for what a token classifier trained on BIO tags actually emits:
- a word's continuation subwords (same ``word_id``) follow the label of its first subword, so a
  name is never cut inside a word;
- ``I-X`` after something other than ``X`` opens a new ``X`` span (lenient decoding: a missed B
  should not lose the entity);
- a span runs from its first token's start to its last token's end in the original text;
- sentence punctuation the model let into a span's edge is trimmed ("Maria Garcia." ends at
  "Garcia"); a trailing "." stays for ORGANIZATION, where it is usually part of the name ("Inc."),
  and after an abbreviation or an initial ("3:50 p.m.", "Gottfried S.");
- a span with no letter or digit left after trimming is dropped: a one-layer model pushed to
  recall tags an emoji, a dash or a slash now and then (dev part of the independent set,
  ``pii-fast`` int8: exact F1 0.703 -> 0.705; held-out templates 0.849 -> 0.854; ``pii`` 0.878
  and 0.931 either way);
- a span whose text its type cannot have (an e-mail without "@", a phone or card without a
  digit) takes the type the model gives it most among those it can have, if that outweighs
  ``O``: the one-layer ``pii-fast`` tagged "Maria" EMAIL_ADDRESS in "I'm Maria Garcia. Mail me
  at maria.garcia@...", and the rules' veto of that "e-mail" left the name in clear (eighth
  round: dev unchanged; held-out templates any-type recall 0.989 -> 0.991 for ``pii-fast``);
- each word is tagged once, from the mean of its subwords' probabilities, and entity first: the
  word is an entity when some type's ``B-X`` + ``I-X`` outweighs ``O``, of the type with the
  largest sum, ``B`` or ``I`` by the larger of the two (``word_tags``);
- a span never runs across a line break (except a street address, which may be written on two
  lines): the model sometimes joins a signature's name to the e-mail on the next line;
- two spans of one type joined by in-value punctuation ("fe80::6be5" ":" "84fa") or, for
  multi-word types, a single space ("Daniella" "Petersen") are one value: the model sometimes
  opens a new span (B-) on every word of a value shaped unlike its training data.

Measured on 1,000 held-out pii-synth records (int8 default model, no rules), these three rules
moved exact-span micro-F1 from 0.790 to 0.819 (see the issue note for the table).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

import numpy as np

from edge.types import Span


def _split(label: str) -> tuple[str, str | None]:
    if label == "O" or "-" not in label:
        return "O", None
    prefix, entity = label.split("-", 1)
    return prefix, entity


TRAILING_PUNCT = ",;:!?\"'"
LEADING_PUNCT = "\"',;:."
# Dashes that open a signature or a list item ("-- Maria", "— Acme Ltd") are never part of a
# name (numbers and ids keep theirs).
NAME_TYPES = frozenset({"PERSON", "ORGANIZATION", "LOCATION"})
LEADING_DASHES = "-\u2013\u2014"
KEEP_TRAILING_DOT = frozenset({"ORGANIZATION"})
BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}
OPENERS = {o: c for c, o in BRACKETS.items()}


# "a.m.", "S.A.", "e.V." (letters with dots) or an initial ("S.") at a span's end
ABBREVIATION_END = re.compile(r"(?:(?<![^\W\d_])[^\W\d_]\.)+$")
MULTILINE_LABELS = frozenset({"STREET_ADDRESS"})
# What may separate two pieces of one value: joining punctuation inside a token-like value, or
# one space inside a multi-word value (never "," or ";": "a@x.io;b@y.io" are two values).
INNER_GAP = re.compile(r"[-:/.#_+@']{1,2}")
MULTIWORD_LABELS = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "STREET_ADDRESS", "DATE_TIME"})


# abbreviations that end a name, an address or a company ("Camacho Sr.", "Main St.")
ABBREVIATIONS = frozenset(
    [
        "jr",
        "sr",
        "st",
        "ave",
        "blvd",
        "rd",
        "co",
        "inc",
        "ltd",
        "corp",
        "bros",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "no",
        "gmbh",
    ]
)


# Lower-case words a PERSON or ORGANIZATION span may open with ("van der Berg", "de Bijenkorf");
# any other lower-case words before a capitalised one are a lead-in the model took along ("re
# Jayden Morris", "tía Pili", "compnay Whitlock & Co.") and are trimmed off.
LEAD_IN_LABELS = frozenset({"PERSON", "ORGANIZATION"})
NAME_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "la",
        "le",
        "los",
        "las",
        "dos",
        "das",
        "do",
        "bin",
        "binti",
        "al",
        "el",
        "ibn",
        "ter",
        "ten",
        "y",
        "zu",
        "af",
        "av",
        "mac",
    ]
)
LEAD_IN_WORD = re.compile(r"([^\W\d_]+)\.?[\s,]+")


def _after_lead_in(text: str, start: int, end: int) -> int:
    """Where the span's value begins once leading lower-case words (not name particles) are
    dropped; ``start`` unless a capitalised word follows them."""
    pos = start
    while (m := LEAD_IN_WORD.match(text, pos, end)) and m[1].islower():
        if m[1] in NAME_PARTICLES:
            return start
        pos = m.end()
    return pos if pos > start and pos < end and text[pos].isupper() else start


# Lower-case words a company or place span ran on into after its value ("Tokopedia belum
# sampai", "Unite rep", "Харькове ещё"): trimmed when a capitalised word or a number comes before
# them (an all-lower-case span, "dm-drogerie markt", is left as it is). Chosen on the pooled dev
# parts (tenth round): exact F1 `pii` 0.836 -> 0.841, `pii-fast` 0.679 -> 0.683, any-type recall
# unchanged. Not for PERSON or STREET_ADDRESS, though dev gained there too (0.843 / 0.689 with
# all four): a surname or a street written in lower case ("John smith", "27 elmwood road,
# birmingham") would be left in clear, and what is left in clear is what leaks.
TAIL_LABELS = frozenset({"ORGANIZATION", "LOCATION"})
TAIL_WORD = re.compile(r"[\s,]+([^\W\d_]+)\.?$")


def _before_tail(text: str, start: int, end: int) -> int:
    """Where the span's value ends once trailing lower-case words are dropped."""
    pos = end
    while (m := TAIL_WORD.search(text, start, pos)) and m[1].islower():
        if m[1] in NAME_PARTICLES:
            return end
        pos = m.start()
    if pos == end or pos <= start:
        return end
    head = text[start:pos]
    return pos if any(ch.isupper() or ch.isdigit() for ch in head) else end


# A date written day.month. ends with its dot ("am 21.03. um 10 Uhr", "Mo., 10.02.").
DOTTED_DATE_END = re.compile(r"(?<!\d)\d{1,2}\.\d{1,2}\.$")
# "the 10th", "the 18 March": the article is not part of the date.
DATE_ARTICLE = re.compile(r"the\s+(?=\d)", re.IGNORECASE)


# A date in Chinese, Japanese or Korean ends on a digit, a date or time unit or a closing
# bracket ("3月18日（火）14:00", "2025년 3월 14일", "10時"); what the model ran on into after it is
# the sentence ("2024年12月3日因胸", "14:00からでいかが", "14일에", "2시로 확정되었습니다"), and
# kana before its first digit are the sentence too ("わせは3月18日"). Chosen on the pooled
# dev parts (thirteenth round), where `pii` cut six such dates too long.
CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
CJK_DATE_END = re.compile(r"[\d年月日時分秒时半년월일시분초반)）]")
KANA_LEAD = re.compile(r"[\u3040-\u309f]+(?=\d)")


def _cjk_date_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """A CJK date's extent without the sentence the model ran on into on either side."""
    if not CJK_CHAR.search(text, start, end):
        return start, end
    last = end
    while last > start and not CJK_DATE_END.match(text, last - 1):
        last -= 1
    if last > start:
        end = last
    if lead := KANA_LEAD.match(text, start, end):
        start = lead.end()
    return start, end


def _keeps_dot(inner: str, label: str) -> bool:
    last_word = re.split(r"[\s,]", inner[:-1])[-1].lower()
    return (
        label in KEEP_TRAILING_DOT
        or last_word in ABBREVIATIONS
        or bool(ABBREVIATION_END.search(inner))
        or (label == "DATE_TIME" and bool(DOTTED_DATE_END.search(inner)))
    )


def tidy(text: str, span: Span) -> Span | None:
    """Trim sentence punctuation, quotes, spaces and brackets that do not belong to the value
    off a span's edges ("(415) 555-0132" keeps its brackets, "<a@b.co>" loses them), and a
    lower-case lead-in off a name ("re Jayden Morris" -> "Jayden Morris") and lower-case words a
    company or place ran on into ("Tokopedia belum sampai" -> "Tokopedia")."""
    start, end = span.start, span.end
    openers = OPENERS
    # Each test is made only when the ones before it failed (the same answer as making them
    # all): most spans need none of the counting, and every model span comes through here.
    while start < end:
        first, last = text[start], text[end - 1]
        if (
            last in TRAILING_PUNCT
            or (last == "." and not _keeps_dot(text[start:end], span.label))
            or last.isspace()
            or (
                last in BRACKETS
                and (inner := text[start:end]).count(last) > inner.count(BRACKETS[last])
            )
        ):
            end -= 1
        elif (
            first in LEADING_PUNCT
            or first.isspace()
            or (
                first in openers
                and (inner := text[start:end]).count(first) > inner.count(openers[first])
            )
            or (first in LEADING_DASHES and span.label in NAME_TYPES)
        ):
            start += 1
        elif first in openers and text.find(openers[first], start, end) == end - 1:
            start, end = start + 1, end - 1  # the brackets wrap the whole value
        else:
            break
    if span.label in LEAD_IN_LABELS and start < end:
        start = _after_lead_in(text, start, end)
    if span.label in TAIL_LABELS and start < end:
        end = _before_tail(text, start, end)
    if span.label == "DATE_TIME" and (article := DATE_ARTICLE.match(text, start, end)):
        start = article.end()
    if span.label == "DATE_TIME" and start < end:
        start, end = _cjk_date_bounds(text, start, end)
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return None  # no letter or digit: an emoji, a dash, a slash are never a value
    if (start, end) == (span.start, span.end):
        return span
    return Span(span.label, start, end, span.score, text[start:end], span.source)


class _LabelIndex:
    """Column indices of ``O`` and of each type's ``B-`` and ``I-`` label, computed once per
    label list; ``bio`` is False when the list is not a BIO set with ``O`` and both tags of
    every type (then each word keeps its own argmax). ``columns`` gathers a BIO set's columns
    as ``B-`` of each type, ``I-`` of each type, then ``O``, in one ``take``; ``splits`` is
    each label's ``_split`` (decoding looks them up instead of splitting a string per token)."""

    def __init__(self, labels: Sequence[str]):
        types = sorted({lbl.split("-", 1)[1] for lbl in labels if "-" in lbl})
        self.types = types
        where = {lbl: i for i, lbl in enumerate(labels)}
        self.outside = where.get("O", -1)
        self.b = np.array([where.get(f"B-{t}", -1) for t in types], dtype=np.int64)
        self.i = np.array([where.get(f"I-{t}", -1) for t in types], dtype=np.int64)
        self.bio = self.outside >= 0 and bool(types) and min(self.b.min(), self.i.min()) >= 0
        self.columns = np.concatenate([self.b, self.i, [self.outside]]).astype(np.int64)
        self.splits = [_split(lbl) for lbl in labels]


@functools.lru_cache(maxsize=64)
def _label_index(labels: tuple[str, ...]) -> _LabelIndex:
    return _LabelIndex(labels)


def word_tags(
    probs: Sequence[np.ndarray], labels: Sequence[str], word_ids: Sequence[Sequence[int | None]]
) -> list[tuple[list[int], list[float]]]:
    """Per text, (label index, score) per token: each word tagged once, entity first.

    Why not the argmax of each first subword: a word's subwords often disagree, and with
    B- and I- splitting one type's probability an ``O`` of 0.4 beat a ``B-X`` 0.35 + ``I-X``
    0.3 that together said "an X". Measured (int8, with rules, dev part of the independent
    set and the held-out templates; the model files unchanged): ``pii-fast`` exact F1 0.641 ->
    0.669 and 0.833 -> 0.844, any-type recall 0.971 -> 0.973; ``pii`` 0.780 -> 0.778 and
    0.928 either way. Averaging alone (argmax kept) lost recall (0.971 -> 0.954): the
    entity-first sum is what keeps a word whose probability is spread over B- and I-.

    A word's probabilities are the mean of its subwords' (tokens with ``word_id`` None stand
    alone); its tag is the type X with the largest ``P(B-X) + P(I-X)`` if that beats ``P(O)``
    (``B-X`` or ``I-X``, whichever is larger; the score is the sum), else ``O`` (its score).
    All texts of a call go through one set of numpy operations: about 23 us a text in a batch
    (70 us alone) on this project's 2-core VM, next to pii-fast's ~1.2 ms model run. They are
    kept few, since one text per call is the usual case and there numpy's per-call overhead,
    not the arithmetic, is the cost (1-D takes for 2-D fancy indexing, array arithmetic for
    ``np.diff(np.append(...))``: a fifth less time a text alone, the same floats).
    """
    lengths = [len(p) for p in probs]
    total_len = sum(lengths)
    if not total_len:
        return [([], []) for _ in probs]
    starts: list[int] = []
    base = 0
    for ids, n in zip(word_ids, lengths, strict=True):
        if n:  # a word: a run of one word id (a token without one stands alone)
            starts.append(base)
            starts += [
                base + k
                for k, (a, b) in enumerate(itertools.pairwise(ids[:n]), 1)
                if b is None or b != a
            ]
        base += n
    # float64 whatever the batch: a batch with a pooled word must not compute its other texts
    # in another precision than they get alone (the scores would differ in the 8th digit)
    flat = np.concatenate(probs, dtype=np.float64)
    if len(starts) == total_len:  # every word one token: nothing to pool
        pooled, counts = flat, None
    else:
        bounds = np.array([*starts, total_len], dtype=np.int64)
        counts = bounds[1:] - bounds[:-1]
        pooled = np.add.reduceat(flat, bounds[:-1], axis=0) / counts[:, None]
    idx = _label_index(tuple(labels))
    if not idx.bio:
        best, score = pooled.argmax(axis=1), pooled.max(axis=1)
    else:
        # One gather of the columns, then 1-D takes at flat positions: numpy's per-call cost,
        # not the arithmetic, is what a text's ~40 words cost, and 2-D fancy indexing is slow.
        n_types = len(idx.types)
        width = 2 * n_types + 1
        cols = pooled.take(idx.columns, axis=1)  # B- of each type, I- of each type, O
        total = cols[:, :n_types] + cols[:, n_types : 2 * n_types]
        np.minimum(total, 1.0, out=total)  # a probability: float sums may pass 1 by 1e-10
        kind = total.argmax(axis=1)
        entity_score = total.ravel().take(kind + np.arange(0, total.size, n_types))
        at_b = kind + np.arange(0, cols.size, width)  # B-<kind> of each word in cols.ravel()
        flat_cols = cols.ravel()
        b_wins = flat_cols.take(at_b) >= flat_cols.take(at_b + n_types)
        chosen = np.where(b_wins, idx.b.take(kind), idx.i.take(kind))
        outside = cols[:, 2 * n_types]
        is_entity = entity_score > outside
        best = np.where(is_entity, chosen, idx.outside)
        score = np.where(is_entity, entity_score, outside)
    if counts is not None:  # each token takes its word's tag
        best, score = best.repeat(counts), score.repeat(counts)
    best_list, score_list = best.tolist(), score.tolist()
    out, pos = [], 0
    for n in lengths:
        out.append((best_list[pos : pos + n], score_list[pos : pos + n]))
        pos += n
    return out


def _has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


# What a value of these types always holds: an e-mail an "@", a number at least one digit.
SHAPES = {
    "EMAIL_ADDRESS": lambda v: "@" in v,
    "URL": lambda v: "." in v or "/" in v,
    "IP_ADDRESS": lambda v: _has_digit(v) or ":" in v,
    "PHONE_NUMBER": _has_digit,
    "CREDIT_CARD": _has_digit,
    "US_SSN": _has_digit,
    "IBAN_CODE": _has_digit,
}


def _can_be(label: str, value: str) -> bool:
    """Whether ``value`` has the shape every value of ``label`` has (types without one: yes)."""
    shape = SHAPES.get(label)
    return shape is None or shape(value)


def _fit_shape(
    span: Span, probs: np.ndarray, labels: Sequence[str], offsets: Sequence[tuple[int, int]]
) -> Span:
    """A span whose type its text cannot have ("Maria" tagged EMAIL_ADDRESS: a one-layer model
    copies the type of a later e-mail that holds the name) takes the type the model gives it
    most among those it can have, if that type outweighs ``O`` there; the rules would otherwise
    veto it as an invalid e-mail and the name would stay in clear."""
    if _can_be(span.label, span.text):
        return span
    idx = _label_index(tuple(labels))
    rows = [k for k, (a, b) in enumerate(offsets) if a >= span.start and b <= span.end and b > a]
    if not idx.bio or not rows:
        return span
    mean = np.asarray(probs, dtype=np.float64)[rows].mean(axis=0)
    best, best_mass = None, mean[idx.outside]
    for t, b, i in zip(idx.types, idx.b, idx.i, strict=True):
        mass = mean[b] + mean[i]
        if t != span.label and _can_be(t, span.text) and mass > best_mass:
            best, best_mass = t, mass
    if best is None:
        return span
    return Span(best, span.start, span.end, float(min(best_mass, 1.0)), span.text, span.source)


def decode_spans(
    text: str,
    probs: np.ndarray,
    labels: Sequence[str],
    offsets: Sequence[tuple[int, int]],
    word_ids: Sequence[int | None],
    tags: tuple[list[int], list[float]] | None = None,
) -> list[Span]:
    """``probs`` is [tokens, labels] for the text's tokens (no special tokens); ``tags`` its
    ``word_tags`` when the caller computed them for a whole batch at once."""
    if len(offsets) == 0:
        return []
    best, scores = tags if tags is not None else word_tags([probs], labels, [word_ids])[0]
    splits = _label_index(tuple(labels)).splits  # each label's (prefix, entity), split once
    spans: list[Span] = []
    cur_entity: str | None = None
    cur_start = cur_end = 0
    cur_scores: list[float] = []
    prev_word: int | None = None
    word_entity: str | None = None  # the entity of the current word's first token

    # One pass over the tokens, with the span closed inline (no call per "O" token): this loop
    # runs for every token of every text.
    for i, (start, end) in enumerate(offsets):
        wid = word_ids[i]
        if wid is not None and wid == prev_word:  # a continuation subword follows its word
            prefix, entity = ("I", word_entity) if word_entity else ("O", None)
        else:
            prefix, entity = splits[best[i]]
            word_entity = entity
        prev_word = wid
        if entity is None or prefix == "B" or entity != cur_entity:
            if cur_entity is not None:
                score = sum(cur_scores) / len(cur_scores)
                spans.append(Span(cur_entity, cur_start, cur_end, score, text[cur_start:cur_end]))
            cur_entity, cur_scores = None, []
            if entity is None:
                continue
            cur_entity, cur_start = entity, start
        cur_end = end
        cur_scores.append(scores[i])
    if cur_entity is not None:
        score = sum(cur_scores) / len(cur_scores)
        spans.append(Span(cur_entity, cur_start, cur_end, score, text[cur_start:cur_end]))
    spans = [_fit_shape(s, probs, labels, offsets) for s in spans]
    pieces = [p for s in spans for p in split_lines(text, s)]
    return merge_touching(text, [t for p in pieces if (t := tidy(text, p)) is not None])


def with_bounds(
    text: str, span: Span, start: int, end: int, score: float, source: str | None = None
) -> Span:
    """``span``'s type over ``text[start:end]`` with ``score`` (and its source unless given):
    how decoding and the fusion both cut, join and move spans."""
    return Span(span.label, start, end, score, text[start:end], source or span.source)


def split_lines(text: str, span: Span) -> list[Span]:
    """The span's pieces between line breaks (a street address stays whole)."""
    if span.label in MULTILINE_LABELS or "\n" not in span.text:
        return [span]
    out, pos = [], span.start
    for line in span.text.split("\n"):
        if line.strip():
            out.append(with_bounds(text, span, pos, pos + len(line), span.score))
        pos += len(line) + 1
    return out


def _joins(gap: str, label: str) -> bool:
    return INNER_GAP.fullmatch(gap) is not None or (gap == " " and label in MULTIWORD_LABELS)


def merge_touching(text: str, spans: list[Span]) -> list[Span]:
    """Join neighbouring spans of one type that are pieces of one value (``_joins``)."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.label == s.label
            and prev.end <= s.start
            and _joins(text[prev.end : s.start], s.label)
        ):
            n_prev, n_s = prev.end - prev.start, s.end - s.start
            score = (prev.score * n_prev + s.score * n_s) / (n_prev + n_s)
            out[-1] = with_bounds(text, prev, prev.start, s.end, score)
        else:
            out.append(s)
    return out


def redact(text: str, spans: Sequence[Span]) -> str:
    """Replace each span with ``<LABEL>`` (spans must not overlap)."""
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos : s.start])
        out.append(f"<{s.label}>")
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
