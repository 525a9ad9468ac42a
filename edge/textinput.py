"""Checks on text handed to a model: bad input fails loudly instead of giving a wrong answer."""

from __future__ import annotations

from edge.errors import InputError


def check_text(text: object, max_chars: int) -> str:
    if not isinstance(text, str):
        raise InputError(f"expected text (str), got {type(text).__name__}")
    if not text.strip():
        raise InputError("empty text: nothing to analyse")
    if len(text) > max_chars:
        raise InputError(
            f"text is {len(text):,} characters, the limit is {max_chars:,}; split it "
            "(e.g. one line per text with --file) or raise max_chars"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(
            f"text holds an unpaired surrogate at character {e.start} (broken UTF-8 decoded "
            "with surrogateescape?); decode the input strictly"
        ) from None
    return text


def decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{source} is not valid UTF-8 (bad byte at offset {e.start}); convert it, "
            "e.g. `iconv -f latin1 -t utf-8`"
        ) from None
