"""pii-written: the hand-written PII training texts parse, are labelled soundly, and are cut into
pieces that fit the training window without losing or moving a span."""

from __future__ import annotations

import pytest
from stdnum import luhn

from edge.errors import DataError
from edge.recognizers.iban import mod97_ok  # the IBAN rule's own check
from quantize import pii_written as W
from quantize.datasets import WRITTEN_REPEAT, load_dataset
from quantize.marked import LABELS


def test_sources_parse_and_check():
    records = W.marked_records()
    assert len(records) >= 2000 and len({r["id"] for r in records}) == len(records)
    spans = [s for r in records for s in r["spans"]]
    assert len(spans) >= 6000
    assert {s["label"] for s in spans} == set(LABELS)
    assert sum(1 for r in records if not r["spans"]) >= 200  # texts with no PII at all
    for s in spans:
        if s["label"] == "CREDIT_CARD":
            digits = "".join(c for c in s["text"] if c.isdigit())
            assert 12 <= len(digits) <= 19 and luhn.is_valid(digits), s["text"]
        if s["label"] == "IBAN_CODE":
            assert mod97_ok("".join(s["text"].split()).upper()), s["text"]


def _words(text: str) -> int:  # a stand-in token count: one token a word
    return len(text.split())


def test_pieces_cut_at_free_line_breaks_and_keep_every_span():
    text = "Dear Ann,\nline two here\nShip to: 1 Elm St\nSpringfield\nthanks\nBob"
    spans = [
        {"start": 5, "end": 8, "label": "PERSON", "text": "Ann"},
        {"start": 33, "end": 53, "label": "STREET_ADDRESS", "text": "1 Elm St\nSpringfield"},
        {"start": 61, "end": 64, "label": "PERSON", "text": "Bob"},
    ]
    record = {"id": "t", "text": text, "spans": spans}
    out = W.pieces(record, _words, limit=5)
    assert len(out) > 1
    got = [(p["text"][s["start"] : s["end"]], s["label"]) for p in out for s in p["spans"]]
    assert got == [(s["text"], s["label"]) for s in spans]  # none lost, none moved
    # stretches joined while they fit; the address (a span over a line break) is one stretch of
    # 6 words, over the limit, and stays whole
    assert [p["text"] for p in out] == [
        "Dear Ann,\nline two here",
        "Ship to: 1 Elm St\nSpringfield",
        "thanks\nBob",
    ]
    assert W.pieces(record, _words, limit=100) == [
        {"text": text, "spans": [{k: s[k] for k in ("start", "end", "label")} for s in spans]}
    ]


def test_pii_written_pieces_fit_the_window():
    records = load_dataset("pii-written", "train")
    count = W._token_counter()
    long = [r for r in records if count(r["text"]) > W.PIECE_TOKENS]
    assert all("\n" not in r["text"] or len(r["spans"]) <= 1 for r in long)  # unsplittable only
    assert len(long) <= len(records) // 50
    n_spans = sum(len(r["spans"]) for r in W.marked_records())
    assert sum(len(r["spans"]) for r in records) == n_spans  # the cut loses no span
    with pytest.raises(DataError, match="one split"):
        load_dataset("pii-written", "val")


def test_pii_mixw_is_pii_mix_then_the_written_texts():
    mix = load_dataset("pii-mixw", "train", n=6)
    written = load_dataset("pii-written", "train")
    assert mix[:6] == load_dataset("pii-mix", "train", n=6)
    assert mix[6:] == written * WRITTEN_REPEAT
    assert load_dataset("pii-mixw", "val", n=4) == load_dataset("pii-mix", "val", n=4)


def test_no_written_text_shares_a_name_or_passage_with_the_independent_set():
    """Decontamination, kept true for every text added later: writers of one family repeat
    "random" full names (the same helpers wrote the evaluation set), so a written text that
    shares a multi-word name, company or address, or a 40-character stretch, with either part of
    the independent set was dropped before training."""
    from benchmarks.data import independent

    def stretches(text: str, n: int = 40) -> set[str]:
        t = " ".join(text.split())
        return {t[i : i + n] for i in range(0, max(1, len(t) - n + 1))}

    held = independent.load("dev") + independent.load("test") + independent.load("dev2")
    named = ("PERSON", "ORGANIZATION", "STREET_ADDRESS")
    values = {
        (s["label"], r["text"][s["start"] : s["end"]])
        for r in held
        for s in r["spans"]
        if s["label"] in named and " " in r["text"][s["start"] : s["end"]]
    }
    seen = set().union(*(stretches(r["text"]) for r in held))
    for r in W.marked_records():
        assert not any((s["label"], s["text"]) in values for s in r["spans"]), r["id"]
        assert not stretches(r["text"]) & seen, r["id"]
