"""A recognizer made of one regex, a score and a check: most national identifiers are just that.

Why a shared class: forty-odd identifiers differ only in their pattern, their check and their
context words; writing each ``matches`` loop by hand would be forty copies of the same loop. The
checks come from python-stdnum where it has the identifier (``stdnum = "gb.nhs"``: its
``is_valid`` on the value without separators), so check digits, date parts and allowed letters
are the library's, not ours; where it has none the subclass writes ``check`` and says where the
rule comes from.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import ClassVar

from edge.recognizers.base import Recognizer, compact, follows_a_group, installed
from edge.types import Span


def stdnum_module(name: str) -> ModuleType:
    """``stdnum.<name>`` (imported on first use: only the identifiers a text needs load)."""
    return importlib.import_module(f"stdnum.{name}")


class PatternRecognizer(Recognizer):
    """``pattern`` finds candidates (group ``value``, or the whole match); those passing
    ``check`` are reported at ``score``."""

    pattern: ClassVar[re.Pattern[str]]
    score: ClassVar[float] = 0.6
    stdnum: ClassVar[str | None] = None
    separators: ClassVar[str] = " -./"  # removed from the value before the check

    @classmethod
    def available(cls) -> bool:
        return cls.stdnum is None or installed(f"stdnum.{cls.stdnum}")

    def check(self, value: str) -> bool:
        """True when ``value`` (separators removed) is a valid identifier of this type."""
        if self.stdnum is None:
            return True
        return bool(stdnum_module(self.stdnum).is_valid(value))

    def score_of(self, match: re.Match[str]) -> float:
        """The score of a validated match (a subclass may score layouts differently)."""
        return self.score

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in self.pattern.finditer(text):
            if follows_a_group(text, m.start()):
                continue
            group = "value" if "value" in m.re.groupindex else 0
            start, end = m.span(group)
            if self.check(compact(text[start:end], self.separators)):
                spans.append(self.span(text, start, end, self.score_of(m)))
        return spans
