"""Korea: resident and foreigner registration numbers, business registration numbers,
passports and driver licences.

RRN and FRN share one layout, YYMMDD-GNNNNNN, and one check (python-stdnum ``kr.rrn``: the
birth date, the place code and the mod-11 check digit); the seventh digit G tells them apart (5-8:
a foreigner). The BRN's structure is stdnum's ``kr.brn``, which does not check its last digit;
the National Tax Service's check (weights 1 3 7 1 3 7 1 3 5, plus the ninth digit x 5 // 10,
mod 10) is written here. Passports (Ministry of Foreign
Affairs: M/S/R/O/D/G, three digits, a letter, four digits, or a letter and eight digits) and
licences (a two-digit region code 11-28, as Presidio's pattern) have no check: words needed.
"""

from __future__ import annotations

import re

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer

_RRN_WORDS = ("rrn", "resident registration", "주민등록번호", "주민번호", "registration number")
_FRN_WORDS = ("frn", "foreigner registration", "외국인등록번호", "alien registration")


_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> str:
    total = sum(w * int(d) for w, d in zip(_BRN_WEIGHTS, first9, strict=True))
    total += int(first9[8]) * 5 // 10
    return str((10 - total % 10) % 10)


class KrRrnRecognizer(PatternRecognizer):
    """KR_RRN: dashed it counts on its own; 13 bare digits need a word."""

    label = "KR_RRN"
    name = "kr_rrn"
    region = "KR"
    min_digits = 13
    pattern = word_re(r"\d{6}(?P<sep>-?)[0-49]\d{6}")
    stdnum = "kr.rrn"
    score = 0.8
    context = Context(words=_RRN_WORDS, boost=0.2, require="weak")

    def score_of(self, match: re.Match[str]) -> float:
        return self.score if match["sep"] else 0.5


class KrFrnRecognizer(KrRrnRecognizer):
    label = "KR_FRN"
    name = "kr_frn"
    pattern = word_re(r"\d{6}(?P<sep>-?)[5-8]\d{6}")
    context = Context(words=_FRN_WORDS, boost=0.2, require="weak")


class KrBrnRecognizer(PatternRecognizer):
    label = "KR_BRN"
    name = "kr_brn"
    region = "KR"
    min_digits = 10
    pattern = word_re(r"\d{3}-?\d{2}-?\d{5}")
    stdnum = "kr.brn"
    score = 0.6
    context = Context(
        words=("brn", "business registration", "사업자등록번호", "사업자번호"),
        boost=0.35,
        require="always",
    )

    def check(self, value: str) -> bool:
        return super().check(value) and brn_check_digit(value[:9]) == value[9]


class KrPassportRecognizer(PatternRecognizer):
    label = "KR_PASSPORT"
    name = "kr_passport"
    region = "KR"
    min_digits = 7
    pattern = word_re(r"[MSRODG]\d{3}[A-Z]\d{4}|[MSRODG]\d{8}")
    score = 0.5
    context = Context(words=("passport", "여권", "여권번호"), boost=0.35, require="always")


class KrDriverLicenseRecognizer(PatternRecognizer):
    label = "KR_DRIVER_LICENSE"
    name = "kr_driver_license"
    region = "KR"
    min_digits = 12
    pattern = word_re(r"(?:1[1-9]|2[0-8])-?\d{2}-?\d{6}-?\d{2}")
    score = 0.5
    context = Context(
        words=("driver", "license", "licence", "운전면허", "면허번호"), boost=0.35, require="always"
    )
