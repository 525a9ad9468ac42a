"""US_SSN: US Social Security numbers, with the SSA's structural rules.

Area 000, 666 and 900-999, group 00 and serial 0000 were never issued, nor were one-digit
repeats or the famous advertising numbers. "123-45-6789" and "123 45 6789" count on their own;
a bare nine-digit run is far too common (order numbers, ZIPs+4), so it is reported at
``WEAK_SCORE``, under the weak threshold, and the context enhancer keeps it only next to a
context word ("SSN", "social security"; the task spec adds "taxpayer", "tin").
"""

from __future__ import annotations

import re

from edge.recognizers.base import Context, Recognizer, clear_start
from edge.types import Span

# The first digit not after a word character or a dash, nor, separated, after another group
# (base.clear_start: why this way)
_SEPARATED_RE = re.compile(
    "(" + clear_start(r"\d", r"[\w-]", r"\d[ -]") + r"\d{2})"
    r"(?P<sep>[- ])(\d{2})(?P=sep)(\d{4})(?![\w-])(?![ -]\d)"
)
_BARE_RE = re.compile("(" + clear_start(r"\d", r"[\w-]") + r"\d{2})(\d{2})(\d{4})(?![\w-])")
_SHAPE_RE = re.compile(r"(\d{3})([- ]?)(\d{2})\2(\d{4})")
_NEVER_ISSUED = {"078051120", "219099999"}
WEAK_SCORE = 0.4  # a bare nine-digit run, valid by the SSA's rules, no context word yet


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


def ssn_shaped(text: str) -> bool:
    """Nine digits (as 3-2-4 with one kind of separator, or bare) that the SSA could issue:
    the check a model's US_SSN span must pass (edge.fusion), there being no check digit."""
    m = _SHAPE_RE.fullmatch(text)
    return bool(m) and valid_ssn(m[1], m[3], m[4])


class SsnRecognizer(Recognizer):
    label = "US_SSN"
    name = "ssn"
    region = "US"
    min_digits = 9
    dashed_score = 0.85
    spaced_score = 0.7
    context = Context(
        words=("ssn", "ssns", "ss#", "social security", "soc sec", "soc. sec."),
        boost=0.3,
        require="weak",
        before=40,
        after=20,
    )

    def __init__(self, weak_score: float = WEAK_SCORE) -> None:
        if not 0 <= weak_score <= 1:
            raise ValueError(f"weak_score must be in [0, 1], got {weak_score}")
        self.weak_score = weak_score

    def __repr__(self) -> str:
        return f"{type(self).__name__}(weak_score={self.weak_score})"

    @staticmethod
    def valid(value: str) -> bool:
        return ssn_shaped(value)

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _SEPARATED_RE.finditer(text):
            if valid_ssn(m[1], m[3], m[4]):
                score = self.dashed_score if m["sep"] == "-" else self.spaced_score
                spans.append(self.span(text, m.start(), m.end(), score))
        for m in _BARE_RE.finditer(text):
            if valid_ssn(m[1], m[2], m[3]):
                spans.append(self.span(text, m.start(), m.end(), self.weak_score))
        return sorted(spans, key=lambda s: s.start)
