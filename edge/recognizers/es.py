"""Spain: the NIF of a person (DNI: eight digits and a check letter) and the NIE of a foreigner
(X, Y or Z, seven digits, a check letter). The check letter (mod 23) is python-stdnum's
(``es.dni``, ``es.nie``): one random value in 23 passes, and the shape (digits glued to a
capital letter) is rare in prose, so a validated value counts on its own.
"""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer

_WORDS = ("nif", "dni", "nie", "documento", "identidad", "fiscal", "tax id", "número")


class EsNifRecognizer(PatternRecognizer):
    label = "ES_NIF"
    name = "es_nif"
    region = "ES"
    min_digits = 8
    min_token = 9
    pattern = word_re(r"\d{8}-?[A-Z]")
    stdnum = "es.dni"
    score = 0.9
    context = Context(words=_WORDS, boost=0.1)


class EsNieRecognizer(PatternRecognizer):
    label = "ES_NIE"
    name = "es_nie"
    region = "ES"
    min_digits = 7
    min_token = 9
    pattern = word_re(r"[XYZ]-?\d{7}-?[A-Z]")
    stdnum = "es.nie"
    score = 1.0
    context = Context(words=_WORDS)
