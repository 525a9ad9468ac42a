"""CREDIT_CARD: 13-19 digit card numbers, validated with the Luhn checksum.

Digits may be contiguous or grouped the way cards are printed (4-4-4-4, 4-4-4-4-3, 4-6-5,
4-6-4) with one consistent separator, a space or a dash. Only numbers that start like a card
(2-6, the major networks' ranges) and are not one repeated digit are kept: Luhn alone passes one
random number in ten. The Luhn check is python-stdnum's (``stdnum.luhn``).
"""

from __future__ import annotations

import re

from stdnum import luhn

from edge.recognizers.base import CHECKSUM_SCORE, Context, Recognizer
from edge.types import Span

_CC_RE = re.compile(
    r"(?<!\w)(?<!\d[-.])"
    r"(?:\d{4}(?P<a>[ -])\d{4}(?P=a)\d{4}(?P=a)\d{4}(?P=a)\d{3}"
    r"|\d{4}(?P<b>[ -])\d{4}(?P=b)\d{4}(?P=b)\d{4}"
    r"|\d{4}(?P<c>[ -])\d{6}(?P=c)\d{4,5}"
    r"|\d{13,19})"
    r"(?!\w)(?![-.]\d)"
)


def valid_card_number(digits: str) -> bool:
    return (
        13 <= len(digits) <= 19
        and digits.isdigit()
        and digits[0] in "23456"
        and len(set(digits)) > 1
        and luhn.is_valid(digits)
    )


class CreditCardRecognizer(Recognizer):
    label = "CREDIT_CARD"
    name = "credit_card"
    score = CHECKSUM_SCORE
    min_digits = 13
    # validated already (score 1.0): the words only settle a clash with the model's span
    context = Context(
        words=("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "cardholder")
    )

    @staticmethod
    def valid(value: str) -> bool:
        """Luhn-valid card digits, whatever separators the value holds."""
        return valid_card_number(re.sub(r"[\s.-]", "", value))

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _CC_RE.finditer(text):
            digits = re.sub(r"[ -]", "", m.group())
            if valid_card_number(digits):
                spans.append(self.span(text, m.start(), m.end(), self.score))
        return spans
