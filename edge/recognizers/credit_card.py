"""CREDIT_CARD: 13-19 digit card numbers, validated with the Luhn checksum.

Digits may be contiguous or grouped the way cards are printed (4-4-4-4, 4-4-4-4-3, 4-6-5,
4-6-4) with one consistent separator, a space or a dash. Only numbers that start like a card
(2-6, the major networks' ranges) and are not one repeated digit are kept: Luhn alone passes one
random number in ten.
"""

from __future__ import annotations

import re

from edge.recognizers.base import CHECKSUM_SCORE, Recognizer
from edge.types import Span

_CC_RE = re.compile(
    r"(?<!\w)(?<!\d[-.])"
    r"(?:\d{4}(?P<a>[ -])\d{4}(?P=a)\d{4}(?P=a)\d{4}(?P=a)\d{3}"
    r"|\d{4}(?P<b>[ -])\d{4}(?P=b)\d{4}(?P=b)\d{4}"
    r"|\d{4}(?P<c>[ -])\d{6}(?P=c)\d{4,5}"
    r"|\d{13,19})"
    r"(?!\w)(?![-.]\d)"
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def valid_card_number(digits: str) -> bool:
    return (
        13 <= len(digits) <= 19
        and digits.isdigit()
        and digits[0] in "23456"
        and len(set(digits)) > 1
        and luhn_ok(digits)
    )


class CreditCardRecognizer(Recognizer):
    label = "CREDIT_CARD"
    name = "credit_card"
    score = CHECKSUM_SCORE

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in _CC_RE.finditer(text):
            digits = re.sub(r"[ -]", "", m.group())
            if valid_card_number(digits):
                spans.append(self.span(text, m.start(), m.end(), self.score))
        return spans
