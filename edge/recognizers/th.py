"""Thailand: the 13-digit national id number (TNIN), first digit 1-8, mod-11 check digit
(python-stdnum ``th.pin``). Printed 1-4-5-2-1 it counts on its own; 13 bare digits need a word."""

from __future__ import annotations

import re

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class ThTninRecognizer(PatternRecognizer):
    label = "TH_TNIN"
    name = "th_tnin"
    region = "TH"
    min_digits = 13
    pattern = word_re(r"[1-8](?P<sep>[- ]?)\d{4}(?P=sep)\d{5}(?P=sep)\d{2}(?P=sep)\d")
    stdnum = "th.pin"
    score = 0.8
    context = Context(
        words=("thai id", "national id", "id card", "tnin", "เลขประจำตัวประชาชน", "บัตรประชาชน"),
        boost=0.2,
        require="weak",
    )

    def score_of(self, match: re.Match[str]) -> float:
        return self.score if match["sep"] else 0.5
