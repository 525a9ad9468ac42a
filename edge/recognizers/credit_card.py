"""CREDIT_CARD: 12-19 digit card numbers, validated with the Luhn checksum.

Digits may be contiguous or grouped the way cards are printed (4-4-4-4, 4-4-4-4-3, 4-6-5,
4-6-4, 4-4-4) with one consistent separator, a space or a dash. Only numbers that start like a
card and are not one repeated digit are kept: Luhn alone passes one random number in ten. Card
starts: 2-6 (the major networks' ranges, 13-19 digits), Troy's 9792 (16 digits) and the
12-digit Maestro cards (5018, 5020, 5038, 5893, 6304, 6759, 6761-6763: issue 17 found both
missed). The Luhn check is python-stdnum's (``stdnum.luhn``).
"""

from __future__ import annotations

import re

from stdnum import luhn

from edge.recognizers.base import CHECKSUM_SCORE, Context, Recognizer, clear_start
from edge.types import Span

# Every form starts with a digit not inside a word or a longer number: that first digit is
# matched before the alternatives, each one digit shorter (base.clear_start: why this way).
_CC_RE = re.compile(
    clear_start(r"\d", r"\w", r"\d[-.]")
    + r"(?:\d{3}(?P<a>[ -])\d{4}(?P=a)\d{4}(?P=a)\d{4}(?P=a)\d{3}"
    r"|\d{3}(?P<b>[ -])\d{4}(?P=b)\d{4}(?P=b)\d{4}"
    r"|\d{3}(?P<c>[ -])\d{6}(?P=c)\d{4,5}"
    r"|\d{3}(?P<d>[ -])\d{4}(?P=d)\d{4}"
    r"|\d{11,18})"
    r"(?!\w)(?![-.]\d)"
)


MAESTRO_12 = ("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763")
TROY = "9792"


def _card_start(digits: str) -> bool:
    """Whether a number of this length starts like a card (see the module docstring)."""
    n = len(digits)
    if n == 12:
        return digits.startswith(MAESTRO_12)
    return 13 <= n <= 19 and (digits[0] in "23456" or (n == 16 and digits.startswith(TROY)))


def valid_card_number(digits: str) -> bool:
    return (
        digits.isdigit() and _card_start(digits) and len(set(digits)) > 1 and luhn.is_valid(digits)
    )


class CreditCardRecognizer(Recognizer):
    label = "CREDIT_CARD"
    name = "credit_card"
    score = CHECKSUM_SCORE
    min_digits = 12
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
