"""Text → token windows with character offsets, on the `tokenizers` library (no transformers).

Windowing is our own rather than the tokenizer's overflow feature because merging predictions
needs each window's position in the whole token sequence: a token's label is taken from the
window in which it has the most context on both sides.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from edge.errors import ArtifactError, EdgeError


@dataclass(frozen=True)
class TokenizedText:
    """The whole text's tokens (no special tokens), with character offsets into the text."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    word_ids: list[int | None]


@dataclass(frozen=True)
class Window:
    """A slice ``[begin, end)`` of a text's tokens, wrapped in [CLS] ... [SEP]."""

    text_index: int
    begin: int
    end: int
    ids: list[int]


def load_tokenizer(path: Path, error: type[EdgeError] = ArtifactError) -> Tokenizer:
    """A tokenizer.json with truncation and padding off: edge windows and pads on its own.
    Used for artifacts (ArtifactError) and for the build's base model (BuildError)."""
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as e:  # tokenizers raises plain Exception on a bad file
        raise error(f"cannot read tokenizer {path}: {e}") from None
    tok.no_truncation()
    tok.no_padding()
    return tok


SHARED_TOKENIZERS = 8  # distinct tokenizer files kept loaded for reuse (a few MB each)
_shared: OrderedDict[str, Tokenizer] = OrderedDict()
_shared_lock = threading.Lock()


def shared_tokenizer(path: Path, sha256: str) -> Tokenizer:
    """The tokenizer of ``path``, whose sha256 the caller verified, loaded once per process.

    Why: the default models (pii, pii-fast, intent) ship the same tokenizer.json, and loading
    one holds the GIL for about 35 ms, so a service loading two models in parallel threads
    paid it twice before it could listen, and kept two copies. A ``Tokenizer`` is only read
    after loading (truncation and padding are off; windows and padding are edge's), and it is
    safe to share between threads. The lock serialises loads, which hold the GIL anyway.
    """
    with _shared_lock:
        tok = _shared.get(sha256)
        if tok is None:
            tok = _shared[sha256] = load_tokenizer(path)
            while len(_shared) > SHARED_TOKENIZERS:
                _shared.popitem(last=False)
        _shared.move_to_end(sha256)
        return tok


LINE_BREAK_MARK = "|"


def show_line_breaks(tok: Tokenizer) -> Tokenizer:
    """Make a line break a token ("|") instead of plain whitespace.

    Why: BERT's normalizer turns "\n" into a space, so "Keith Myers\nkmyers@mail.com" reached
    the model as one run of words and it labelled "Myers" as part of the e-mail. "|" is one
    character for one (offsets stay exact), is in BERT's vocabulary, and already separates
    fields in the training templates. The build writes this into the artifact's tokenizer.json
    and training applies it too, so model and runtime always see the same ids.
    """
    from tokenizers import normalizers

    current = tok.normalizer
    mark = normalizers.Replace("\n", LINE_BREAK_MARK)
    tok.normalizer = normalizers.Sequence([mark, current] if current is not None else [mark])
    return tok


class TextEncoder:
    def __init__(
        self,
        tokenizer_path: Path,
        special_tokens: dict[str, int],
        max_length: int,
        tokenizer_sha256: str | None = None,
    ):
        """``tokenizer_sha256``: the file's verified sha256, to share one loaded tokenizer
        between the models that ship the same file (``shared_tokenizer``)."""
        self._tok = (
            shared_tokenizer(tokenizer_path, tokenizer_sha256)
            if tokenizer_sha256
            else load_tokenizer(tokenizer_path)
        )
        self.cls_id = special_tokens["cls"]
        self.sep_id = special_tokens["sep"]
        self.pad_id = special_tokens["pad"]
        self.max_length = max_length

    def tokenize(self, texts: list[str]) -> list[TokenizedText]:
        # One text (the usual call) is encoded alone: ``encode_batch`` goes through the
        # tokenizers library's parallel path even for one text, a few per cent slower right
        # after a model run (the same ids, offsets and word ids, checked on every dev, dev2,
        # hand-written and held-out template text). Each getter returns a new list: no copy.
        if len(texts) == 1:
            encs = [self._tok.encode(texts[0], add_special_tokens=False)]
        else:
            encs = self._tok.encode_batch(texts, add_special_tokens=False)
        return [TokenizedText(e.ids, e.offsets, e.word_ids) for e in encs]

    def windows(self, tokenized: list[TokenizedText], stride: int) -> list[Window]:
        """Cover every token; neighbouring windows share ``stride`` tokens."""
        capacity = self.max_length - 2
        step = capacity - stride
        out: list[Window] = []
        for i, t in enumerate(tokenized):
            n = len(t.ids)
            begin = 0
            while True:
                end = min(begin + capacity, n)
                out.append(Window(i, begin, end, [self.cls_id, *t.ids[begin:end], self.sep_id]))
                if end >= n:
                    break
                begin += step
        return out

    def truncated(self, tokenized: list[TokenizedText]) -> list[list[int]]:
        """One sequence per text, cut to the model's window (sequence classification)."""
        capacity = self.max_length - 2
        return [[self.cls_id, *t.ids[:capacity], self.sep_id] for t in tokenized]

    def pad(self, sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(s) for s in sequences)
        ids = np.full((len(sequences), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(sequences), width), dtype=np.int64)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        return ids, mask
