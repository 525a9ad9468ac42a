"""Poland: PESEL, 11 digits holding the birth date (the month offset by the century) and a
check digit; both checked by python-stdnum (``pl.pesel``). Eleven digits are also a phone
number with its country code, so a word is required."""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class PlPeselRecognizer(PatternRecognizer):
    label = "PL_PESEL"
    name = "pl_pesel"
    region = "PL"
    min_digits = 11
    pattern = word_re(r"\d{11}")
    stdnum = "pl.pesel"
    score = 0.6
    context = Context(words=("pesel", "numer pesel", "identyfikator"), boost=0.4, require="always")
