"""US_SSN: US Social Security numbers, with the SSA's structural rules.

Area 000, 666 and 900-999, group 00 and serial 0000 were never issued, nor were one-digit
repeats or the famous advertising numbers. "123-45-6789" and "123 45 6789" count on their own;
a bare nine-digit run is far too common (order numbers, ZIPs+4), so it counts only when a
context word such as "SSN" or "social security" is nearby. With ``weak_score`` set, bare runs
without such a word are reported too, at that (low) score, for a caller with its own context
words to judge (edge.fusion does, with the task spec's ``[fusion.context.US_SSN]``).
"""

from __future__ import annotations

import re

from edge.recognizers.base import Recognizer
from edge.types import Span

_SEPARATED_RE = re.compile(
    r"(?<![\w-])(?<!\d[ -])(\d{3})(?P<sep>[- ])(\d{2})(?P=sep)(\d{4})(?![\w-])(?![ -]\d)"
)
_BARE_RE = re.compile(r"(?<![\w-])(\d{3})(\d{2})(\d{4})(?![\w-])")
_CONTEXT_RE = re.compile(
    r"(?<![a-z])(?:ssns?|ss\s?#|social\s+security|soc\.?\s*sec\.?)(?![a-z])", re.IGNORECASE
)
_CONTEXT_BEFORE = 40
_CONTEXT_AFTER = 25
_NEVER_ISSUED = {"078051120", "219099999"}


def valid_ssn(area: str, group: str, serial: str) -> bool:
    digits = area + group + serial
    return (
        area != "000"
        and area != "666"
        and not area.startswith("9")
        and group != "00"
        and serial != "0000"
        and len(set(digits)) > 1
        and digits not in _NEVER_ISSUED
    )


class SsnRecognizer(Recognizer):
    label = "US_SSN"
    name = "ssn"
    dashed_score = 0.85
    spaced_score = 0.7
    bare_score = 0.7
    context_bonus = 0.1

    def __init__(self, weak_score: float | None = None) -> None:
        if weak_score is not None and not 0 <= weak_score <= 1:
            raise ValueError(f"weak_score must be in [0, 1], got {weak_score}")
        self.weak_score = weak_score

    def __repr__(self) -> str:
        extra = "" if self.weak_score is None else f"weak_score={self.weak_score}"
        return f"{type(self).__name__}({extra})"

    def _has_context(self, text: str, start: int, end: int) -> bool:
        window = text[max(0, start - _CONTEXT_BEFORE) : end + _CONTEXT_AFTER]
        return _CONTEXT_RE.search(window) is not None

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in _SEPARATED_RE.finditer(text):
            if not valid_ssn(m[1], m[3], m[4]):
                continue
            score = self.dashed_score if m["sep"] == "-" else self.spaced_score
            if self._has_context(text, m.start(), m.end()):
                score = round(min(1.0, score + self.context_bonus), 2)
            spans.append(self.span(text, m.start(), m.end(), score))
        for m in _BARE_RE.finditer(text):
            if not valid_ssn(m[1], m[2], m[3]):
                continue
            if self._has_context(text, m.start(), m.end()):
                spans.append(self.span(text, m.start(), m.end(), self.bare_score))
            elif self.weak_score is not None:
                spans.append(self.span(text, m.start(), m.end(), self.weak_score))
        return sorted(spans, key=lambda s: s.start)
