"""Span clean-up after BIO decoding: abbreviations keep their dot, no span crosses a line break
(except an address), and pieces of one value are joined."""

from __future__ import annotations

import numpy as np
import pytest

from edge.bio import decode_spans, merge_touching, split_lines, tidy
from edge.tokenization import load_tokenizer, show_line_breaks
from edge.types import Span


def span(text: str, value: str, label: str, start: int | None = None) -> Span:
    s = text.index(value) if start is None else start
    return Span(label, s, s + len(value), 0.9, value)


@pytest.mark.parametrize(
    ("text", "value", "label", "kept"),
    [
        ("see you at 3:50 p.m. then", "3:50 p.m.", "DATE_TIME", "3:50 p.m."),
        ("signed by Gottfried S. yesterday", "Gottfried S.", "PERSON", "Gottfried S."),
        ("ask Miriam Camacho Sr. today", "Miriam Camacho Sr.", "PERSON", "Miriam Camacho Sr."),
        ("it was Maria Garcia. Then", "Maria Garcia.", "PERSON", "Maria Garcia"),
        ("in 2018. Later", "2018.", "DATE_TIME", "2018"),
        ("at Acme Inc. now", "Acme Inc.", "ORGANIZATION", "Acme Inc."),
        ("ship to , Main Road 4", ", Main Road 4", "STREET_ADDRESS", "Main Road 4"),
        ("thanks! -- Maria", "- Maria", "PERSON", "Maria"),
        ("sent by \u2014Acme Ltd", "\u2014Acme Ltd", "ORGANIZATION", "Acme Ltd"),
        ("ref -4711-22 ok", "-4711-22", "US_SSN", "-4711-22"),
    ],
)
def test_tidy_edges(text, value, label, kept):
    out = tidy(text, span(text, value, label))
    assert out is not None and out.text == kept == text[out.start : out.end]


def test_no_span_across_a_line_break_except_an_address():
    text = "Keith Myers\nkmyers@mail.com"
    pieces = split_lines(text, Span("EMAIL_ADDRESS", 0, len(text), 0.9, text))
    assert [p.text for p in pieces] == ["Keith Myers", "kmyers@mail.com"]
    addr = "Flat 2\n10 Main Road"
    assert split_lines(addr, Span("STREET_ADDRESS", 0, len(addr), 0.9, addr))[0].text == addr


@pytest.mark.parametrize(
    ("text", "pieces", "label", "joined"),
    [
        ("from fe80::6be5:42a5:dec:84fa ok", ["fe80::6be5:42a5:dec", "84fa"], "IP_ADDRESS", True),
        ("hi Daniella Petersen!", ["Daniella", "Petersen"], "PERSON", True),
        ("cc a@x.io;b@y.io", ["a@x.io", "b@y.io"], "EMAIL_ADDRESS", False),
        ("cc a@x.io b@y.io", ["a@x.io", "b@y.io"], "EMAIL_ADDRESS", False),
        ("Maria, John", ["Maria", "John"], "PERSON", False),
        ("Maria\nJohn", ["Maria", "John"], "PERSON", False),
    ],
)
def test_merge_touching(text, pieces, label, joined):
    spans, pos = [], 0
    for p in pieces:
        s = text.index(p, pos)
        spans.append(Span(label, s, s + len(p), 0.9, p))
        pos = s + len(p)
    out = merge_touching(text, spans)
    if joined:
        assert len(out) == 1 and out[0].text == text[spans[0].start : spans[-1].end]
    else:
        assert [s.text for s in out] == pieces


def test_decode_joins_b_tags_of_one_name(tiny_base):
    """A model that tags every word B-PERSON still yields one span for a two-word name."""
    tok = load_tokenizer(tiny_base / "tokenizer.json")
    text = "maria garcia called"
    enc = tok.encode(text, add_special_tokens=False)
    labels = ["O", "B-PERSON", "I-PERSON"]
    probs = np.zeros((len(enc.ids), 3))
    for i, (s, e) in enumerate(enc.offsets):
        probs[i, 1 if text[s:e] in ("maria", "garcia") or s < 12 else 0] = 1.0
    out = decode_spans(text, probs, labels, enc.offsets, enc.word_ids)
    assert [(s.label, s.text) for s in out] == [("PERSON", "maria garcia")]


def test_line_breaks_become_a_token_with_exact_offsets(tiny_base):
    tok = show_line_breaks(load_tokenizer(tiny_base / "tokenizer.json"))
    plain = load_tokenizer(tiny_base / "tokenizer.json")
    text = "maria\ngarcia"
    marked, unmarked = tok.encode(text, add_special_tokens=False), plain.encode(text)
    assert len(marked.ids) == len(plain.encode(text, add_special_tokens=False).ids) + 1
    assert (5, 6) in marked.offsets  # the "\n" itself, as one token
    assert all(text[s:e].strip() for s, e in marked.offsets if (s, e) != (5, 6))
    assert unmarked.ids != marked.ids


def test_built_artifact_tokenizer_shows_line_breaks(intent_artifact):
    tok = load_tokenizer(intent_artifact / "tokenizer.json")
    enc = tok.encode("a\nb", add_special_tokens=False)
    assert (1, 2) in enc.offsets
