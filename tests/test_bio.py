"""Span clean-up after BIO decoding: abbreviations keep their dot, no span crosses a line break
(except an address), and pieces of one value are joined."""

from __future__ import annotations

import numpy as np
import pytest

from edge.bio import decode_spans, merge_touching, split_lines, tidy, word_tags
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
        # a lower-case lead-in before a capitalised name is not the name; particles are
        ("re Jayden Morris, seen", "re Jayden Morris", "PERSON", "Jayden Morris"),
        ("pay i płac, Orlen S.A. now", "i płac, Orlen S.A.", "ORGANIZATION", "Orlen S.A."),
        ("ask van der Berg", "van der Berg", "PERSON", "van der Berg"),
        ("hi maria", "maria", "PERSON", "maria"),
        ("at eBay Inc", "eBay Inc", "ORGANIZATION", "eBay Inc"),
        ("in dans nos locaux, 12 rue X", "dans nos locaux, 12 rue X", "STREET_ADDRESS", None),
        # lower-case words a company or place ran on into are not it; an all-lower-case span
        # stays, and names and addresses keep theirs (a lower-case surname would leak)
        ("Tokopedia belum sampai kak", "Tokopedia belum sampai", "ORGANIZATION", "Tokopedia"),
        ("ask the Unite rep today", "Unite rep", "ORGANIZATION", "Unite"),
        ("at 27 Elmwood road, leeds", "27 Elmwood road, leeds", "STREET_ADDRESS", None),
        ("w Харькове ещё", "Харькове ещё", "LOCATION", "Харькове"),
        ("ask John smith", "John smith", "PERSON", None),  # a surname is never cut off
        ("bei dm-drogerie markt", "dm-drogerie markt", "ORGANIZATION", "dm-drogerie markt"),
        ("ask Ludwig van der", "Ludwig van der", "PERSON", "Ludwig van der"),
        # "the" is not part of a date; a day.month. date keeps its dot
        ("see you on the 10th then", "the 10th", "DATE_TIME", "10th"),
        ("am 21.03. um 10 Uhr", "21.03.", "DATE_TIME", "21.03."),
        ("the day after", "the day after", "DATE_TIME", None),
        # a CJK date ends on a digit, a unit or a bracket; kana before its first digit go
        (
            "打ち合わせは3月18日（火）14:00からで",
            "わせは3月18日（火）14:00からで",
            "DATE_TIME",
            "3月18日（火）14:00",
        ),
        ("2024年12月3日因胸痛入院", "2024年12月3日因胸", "DATE_TIME", "2024年12月3日"),
        ("3월 20일 오후 2시로 확정", "3월 20일 오후 2시로 확정", "DATE_TIME", "3월 20일 오후 2시"),
        ("田村: 19時半に改札で", "19時半", "DATE_TIME", None),
        ("明日 10時", "明日 10時", "DATE_TIME", None),
    ],
)
def test_tidy_edges(text, value, label, kept):
    out = tidy(text, span(text, value, label))
    kept = value if kept is None else kept  # None: left as it is
    assert out is not None and out.text == kept == text[out.start : out.end]


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ("love you ❤ see you", "❤", "PERSON"),
        ("see 11 / 3", "/", "PHONE_NUMBER"),
        ("a - b", "-", "DATE_TIME"),
    ],
)
def test_tidy_drops_a_span_without_a_letter_or_digit(text, value, label):
    assert tidy(text, span(text, value, label)) is None
    assert tidy("张伟", span("张伟", "张伟", "PERSON")) is not None  # CJK letters count


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


BIO = ["O", "B-PERSON", "I-PERSON", "B-LOCATION", "I-LOCATION"]


def _tags(probs: list[list[float]], word_ids: list[int | None]) -> list[str]:
    [(best, _)] = word_tags([np.array(probs)], BIO, [word_ids])
    return [BIO[k] for k in best]


def test_word_tags_entity_first():
    """O 0.4 against B-PERSON 0.35 + I-PERSON 0.25: the word is a PERSON (argmax said O)."""
    assert _tags([[0.4, 0.35, 0.25, 0.0, 0.0]], [0]) == ["B-PERSON"]
    assert _tags([[0.4, 0.1, 0.25, 0.0, 0.0]], [0]) == ["O"]


def test_word_tags_one_tag_per_word_from_its_subwords_mean():
    """A word whose first piece leans O but whose pieces together say LOCATION is a LOCATION,
    on every piece; a token without a word id stands alone."""
    probs = [
        [0.6, 0.0, 0.0, 0.4, 0.0],  # "ams" (word 0)
        [0.1, 0.0, 0.0, 0.0, 0.9],  # "##ter" (word 0)
        [0.1, 0.0, 0.0, 0.0, 0.9],  # "##dam" (word 0)
        [0.9, 0.1, 0.0, 0.0, 0.0],  # "\n" marker (no word)
        [0.2, 0.7, 0.1, 0.0, 0.0],  # "maria" (word 1)
    ]
    tags = _tags(probs, [0, 0, 0, None, 1])
    assert tags == ["I-LOCATION", "I-LOCATION", "I-LOCATION", "O", "B-PERSON"]
    [(_, scores)] = word_tags([np.array(probs)], BIO, [[0, 0, 0, None, 1]])
    assert scores == pytest.approx([2.2 / 3] * 3 + [0.9, 0.8])


def test_decode_reads_a_word_split_between_o_and_an_entity(tiny_base):
    """decode_spans uses word_tags: the whole word becomes the span, not only its pieces."""
    tok = load_tokenizer(tiny_base / "tokenizer.json")
    text = "flying to zwolle today"
    enc = tok.encode(text, add_special_tokens=False)
    word = text.index("zwolle")
    probs = np.zeros((len(enc.ids), len(BIO)))
    pieces = [i for i, (s, _) in enumerate(enc.offsets) if word <= s < word + 6]
    probs[:, 0] = 1.0
    assert len(pieces) > 1  # the tiny vocabulary splits the word: the mean has pieces to pool
    probs[pieces[0]] = [0.55, 0, 0, 0.45, 0]  # the first piece leans O, the rest say LOCATION
    for i in pieces[1:]:
        probs[i] = [0.05, 0, 0, 0, 0.95]
    out = decode_spans(text, probs, BIO, enc.offsets, enc.word_ids)
    assert [(s.label, s.text) for s in out] == [("LOCATION", "zwolle")]


def test_word_tags_of_a_batch_equal_each_text_alone():
    """One numpy pass over a call's texts: no word runs across two texts, and each text's tags
    are those it gets alone (batch invariance of the decoding)."""
    rng = np.random.default_rng(0)
    texts = []
    for n in (3, 1, 5, 4):
        p = rng.random((n, len(BIO)))
        texts.append((p / p.sum(axis=1, keepdims=True), [0] * n))  # each text one long word
    batch = word_tags([p for p, _ in texts], BIO, [w for _, w in texts])
    alone = [word_tags([p], BIO, [w])[0] for p, w in texts]
    assert batch == alone
    assert word_tags([np.zeros((0, len(BIO)))], BIO, [[]]) == [([], [])]


def test_word_tags_scores_do_not_depend_on_the_neighbours_words():
    """A text of one-piece words gets the same float scores beside a text with a pooled word."""
    one = np.array([[0.7, 0.2, 0.1, 0.0, 0.0], [0.1, 0.6, 0.3, 0.0, 0.0]], dtype=np.float32)
    pooled = np.array([[0.2, 0.5, 0.3, 0.0, 0.0]] * 2, dtype=np.float32)
    alone = word_tags([one], BIO, [[0, 1]])[0]
    assert word_tags([one, pooled], BIO, [[0, 1], [0, 0]])[0] == alone


def test_a_span_whose_type_its_text_cannot_have_takes_the_next_type():
    """ "Maria" tagged EMAIL_ADDRESS (no "@") becomes PERSON when the model gives PERSON more than
    O there; where O outweighs every type it can have, it stays (and the rules veto it)."""
    labels = ["O", "B-PERSON", "I-PERSON", "B-EMAIL_ADDRESS", "I-EMAIL_ADDRESS"]
    text, offsets, word_ids = "Maria x", [(0, 5), (6, 7)], [0, 1]
    probs = np.array([[0.1, 0.3, 0.0, 0.6, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0]])
    (span_,) = decode_spans(text, probs, labels, offsets, word_ids)
    assert (span_.label, span_.text) == ("PERSON", "Maria") and span_.score == pytest.approx(0.3)
    probs[0] = [0.35, 0.05, 0.0, 0.6, 0.0]
    assert [s.label for s in decode_spans(text, probs, labels, offsets, word_ids)] == [
        "EMAIL_ADDRESS"
    ]
    email = "a@b.io x"
    kept = decode_spans(email, probs, labels, [(0, 6), (7, 8)], word_ids)
    assert [(s.label, s.text) for s in kept] == [("EMAIL_ADDRESS", "a@b.io")]
