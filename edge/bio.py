"""Per-token BIO labels → character spans.

Rules, chosen for what a token classifier trained on BIO tags actually emits:
- a word's continuation subwords (same ``word_id``) follow the label of its first subword, so a
  name is never cut inside a word;
- ``I-X`` after something other than ``X`` opens a new ``X`` span (lenient decoding: a missed B
  should not lose the entity);
- a span runs from its first token's start to its last token's end in the original text;
- sentence punctuation the model let into a span's edge is trimmed ("Maria Garcia." ends at
  "Garcia"); a trailing "." stays for ORGANIZATION, where it is usually part of the name ("Inc.").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edge.types import Span


def _split(label: str) -> tuple[str, str | None]:
    if label == "O" or "-" not in label:
        return "O", None
    prefix, entity = label.split("-", 1)
    return prefix, entity


TRAILING_PUNCT = ",;:!?\"'"
LEADING_PUNCT = "\"'"
KEEP_TRAILING_DOT = frozenset({"ORGANIZATION"})
BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}


def tidy(text: str, span: Span) -> Span | None:
    """Trim sentence punctuation, quotes, spaces and brackets that do not belong to the value
    off a span's edges ("(415) 555-0132" keeps its brackets, "<a@b.co>" loses them)."""
    start, end = span.start, span.end
    trailing = TRAILING_PUNCT + ("" if span.label in KEEP_TRAILING_DOT else ".")
    openers = {o: c for c, o in BRACKETS.items()}
    while start < end:
        first, last, inner = text[start], text[end - 1], text[start:end]
        extra_closer = last in BRACKETS and inner.count(last) > inner.count(BRACKETS[last])
        extra_opener = first in openers and inner.count(first) > inner.count(openers[first])
        if last in trailing or last.isspace() or extra_closer:
            end -= 1
        elif first in LEADING_PUNCT or first.isspace() or extra_opener:
            start += 1
        elif first in openers and inner.find(openers[first]) == len(inner) - 1:
            start, end = start + 1, end - 1  # the brackets wrap the whole value
        else:
            break
    if start >= end:
        return None
    if (start, end) == (span.start, span.end):
        return span
    return Span(span.label, start, end, span.score, text[start:end], span.source)


def decode_spans(
    text: str,
    probs: np.ndarray,
    labels: Sequence[str],
    offsets: Sequence[tuple[int, int]],
    word_ids: Sequence[int | None],
) -> list[Span]:
    """``probs`` is [tokens, labels] for the text's tokens (no special tokens)."""
    if len(offsets) == 0:
        return []
    best = probs.argmax(axis=-1)
    scores = probs.max(axis=-1)
    spans: list[Span] = []
    cur_entity: str | None = None
    cur_start = cur_end = 0
    cur_scores: list[float] = []
    prev_word: int | None = None
    word_tag: tuple[str, str | None] = ("O", None)

    def close() -> None:
        nonlocal cur_entity, cur_scores
        if cur_entity is not None:
            spans.append(
                Span(
                    label=cur_entity,
                    start=cur_start,
                    end=cur_end,
                    score=float(np.mean(cur_scores)),
                    text=text[cur_start:cur_end],
                )
            )
        cur_entity, cur_scores = None, []

    for i, (start, end) in enumerate(offsets):
        wid = word_ids[i]
        continuation = wid is not None and wid == prev_word
        if continuation:
            prefix, entity = ("I", word_tag[1]) if word_tag[1] else ("O", None)
        else:
            prefix, entity = _split(labels[int(best[i])])
            word_tag = (prefix, entity)
        prev_word = wid
        if entity is None:
            close()
            continue
        if prefix == "B" or entity != cur_entity:
            close()
            cur_entity, cur_start = entity, start
        cur_end = end
        cur_scores.append(float(scores[i]))
    close()
    return [t for s in spans if (t := tidy(text, s)) is not None]


def redact(text: str, spans: Sequence[Span]) -> str:
    """Replace each span with ``<LABEL>`` (spans must not overlap)."""
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos : s.start])
        out.append(f"<{s.label}>")
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
