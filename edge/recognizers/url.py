"""URL: web addresses with a scheme (http, https, ftp) or a leading ``www.``.

Bare domains ("example.com") are not matched: in prose they collide with file names and
abbreviations. Trailing sentence punctuation and unbalanced closing brackets are trimmed, so
"(see https://x.org/a)." yields "https://x.org/a" while ".../Foo_(bar)" keeps its parentheses.
Characters RFC 3986 never allows unencoded (pipe, backslash, caret, braces) end a URL, so a
pipe-separated record ("www.x.com/a|Lima|...") does not swallow its neighbours.
"""

from __future__ import annotations

import re

from edge.recognizers.base import Recognizer
from edge.types import Span

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = (
    rf"(?:(?:{_LABEL}\.)+[a-z]{{2,63}}"
    r"|(?:\d{1,3}\.){3}\d{1,3}"
    r"|\[[0-9a-f:.]+\]"
    r"|localhost)"
)
_URL_RE = re.compile(
    r"(?<![\w@.:/-])"
    r"(?:(?:https?|ftp)://(?:[^\s/@:]+(?::[^\s/@]*)?@)?|www\.)"
    rf"{_HOST}(?![\w-])"
    r"(?::\d{1,5})?"
    r"(?:[/?#][^\s<>\"'`|\\^{}]*)?",  # RFC 3986: | \ ^ { } never appear unencoded
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url:
        last = url[-1]
        unbalanced = last in _PAIRS and url.count(last) > url.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


class UrlRecognizer(Recognizer):
    label = "URL"
    name = "url"
    score = 0.9
    needs = ("://", "www.")

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _URL_RE.finditer(text):
            url = _trim(m.group())
            if url.lower().rstrip("/") in {"http:", "https:", "ftp:", "www"}:
                continue
            spans.append(self.span(text, m.start(), m.start() + len(url), self.score))
        return spans
