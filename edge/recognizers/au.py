"""Australia: ABN, ACN, TFN (check digits from python-stdnum ``au.abn``, ``au.acn``,
``au.tfn``) and the Medicare card number (its check digit from Services Australia's weights
1 3 7 9 1 3 7 9 over the first eight digits, mod 10, which stdnum lacks). All are plain digit
runs, so each needs a word."""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class AuAbnRecognizer(PatternRecognizer):
    label = "AU_ABN"
    name = "au_abn"
    region = "AU"
    min_digits = 11
    pattern = word_re(r"\d{2} ?\d{3} ?\d{3} ?\d{3}")
    stdnum = "au.abn"
    score = 0.6
    context = Context(
        words=("abn", "australian business number", "business number"), boost=0.4, require="always"
    )


class AuAcnRecognizer(PatternRecognizer):
    label = "AU_ACN"
    name = "au_acn"
    region = "AU"
    min_digits = 9
    pattern = word_re(r"\d{3} ?\d{3} ?\d{3}")
    stdnum = "au.acn"
    score = 0.6
    context = Context(
        words=("acn", "australian company number", "company number"), boost=0.4, require="always"
    )


class AuTfnRecognizer(PatternRecognizer):
    label = "AU_TFN"
    name = "au_tfn"
    region = "AU"
    min_digits = 8
    pattern = word_re(r"\d{3} ?\d{3} ?\d{2,3}")
    stdnum = "au.tfn"
    score = 0.6
    context = Context(words=("tfn", "tax file number", "tax file"), boost=0.4, require="always")


_MEDICARE_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)


class AuMedicareRecognizer(PatternRecognizer):
    """AU_MEDICARE: ten digits (2-6 first, a check digit ninth, the issue number tenth),
    sometimes with the individual reference number as an eleventh ("2123 45670 1")."""

    label = "AU_MEDICARE"
    name = "au_medicare"
    region = "AU"
    min_digits = 10
    pattern = word_re(r"[2-6]\d{3} ?\d{5} ?\d(?: ?\d)?")
    score = 0.6
    context = Context(
        words=("medicare", "medicare card", "medicare number"), boost=0.4, require="always"
    )

    def check(self, value: str) -> bool:
        total = sum(w * int(d) for w, d in zip(_MEDICARE_WEIGHTS, value, strict=False))
        return total % 10 == int(value[8])
