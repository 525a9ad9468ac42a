"""EMAIL_ADDRESS: the practical subset of RFC 5322 that people actually type.

Quoted local parts and IP-literal domains are left out on purpose: they are rare in text and the
looser pattern would catch prose. The domain must end in an alphabetic TLD, which also keeps a
sentence's closing period or a bracket out of the span.
"""

from __future__ import annotations

import re

from edge.recognizers.base import Recognizer
from edge.types import Span

_ATOM = r"[A-Za-z0-9_%+-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"(?<![\w.%+-])"
    rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)"
    rf"@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]{{2,63}})"
    rf"(?![\w-])(?!\.[A-Za-z0-9])"
)


_EMAIL_SHAPE = re.compile(r"[^@\s]+(?:@|%40)[^@\s]+\.[^@\s.]+")


class EmailRecognizer(Recognizer):
    label = "EMAIL_ADDRESS"
    name = "email"
    score = 0.9
    needs = ("@",)

    @staticmethod
    def valid(value: str) -> bool:
        """One "@" (or its URL escape %40) with a dotted domain after it: a span without them
        is a fragment or a user name."""
        return _EMAIL_SHAPE.fullmatch(value) is not None

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _EMAIL_RE.finditer(text):
            if len(m["local"]) > 64 or len(m["domain"]) > 253:
                continue
            spans.append(self.span(text, m.start(), m.end(), self.score))
        return spans
