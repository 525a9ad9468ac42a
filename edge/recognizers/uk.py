"""United Kingdom: NHS numbers, National Insurance numbers, bank sort codes and account numbers.

NHS numbers carry a mod-11 check digit (python-stdnum ``gb.nhs``) but are ten digits, like a
phone number, so they need a word. The NINO has no check digit; its letters do (HMRC's rules:
no D F I Q U V, no O second, not the prefixes BG GB KN NK NT TN ZZ, a suffix A-D). A sort code
("20-00-00") and an eight-digit account number are plain digits: words required (the sort
code's, "sort code", are unambiguous enough for it to be on in every region).
"""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer

_BANK_WORDS = ("account", "acct", "a/c", "account number", "sort code", "sortcode", "bank")


class UkNhsRecognizer(PatternRecognizer):
    """UK_NHS: 10 digits (3-3-4) with the NHS mod-11 check digit (stdnum ``gb.nhs``)."""

    label = "UK_NHS"
    name = "uk_nhs"
    region = "GB"
    min_digits = 10
    pattern = word_re(r"\d{3}(?P<sep>[- ]?)\d{3}(?P=sep)\d{4}")
    stdnum = "gb.nhs"
    score = 0.6
    context = Context(
        words=("nhs", "national health", "health service", "nhs number", "patient", "gp"),
        boost=0.4,
        require="always",
    )


_NINO_FIRST = "[A-CEGHJ-PR-TW-Z]"
_NINO_SECOND = "[A-CEGHJ-NPR-TW-Z]"
_NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


class UkNinoRecognizer(PatternRecognizer):
    """UK_NINO: two letters, six digits (pairs may be spaced), a suffix A-D (HMRC NIM39110)."""

    label = "UK_NINO"
    name = "uk_nino"
    region = "GB"
    min_digits = 6
    pattern = word_re(rf"{_NINO_FIRST}{_NINO_SECOND} ?\d{{2}} ?\d{{2}} ?\d{{2}} ?[A-D]")
    score = 0.7
    context = Context(
        words=("national insurance", "ni number", "nino", "ni no", "insurance number"),
        boost=0.3,
    )

    def check(self, value: str) -> bool:
        return value[:2] not in _NINO_BAD_PREFIXES


class UkSortCodeRecognizer(PatternRecognizer):
    """UK_SORT_CODE: a bank sort code, six digits as 20-00-00 (or spaced, or bare).

    On in every region: it counts only next to the words "sort code", which name nothing else,
    so a US deployment still catches "account 12345678 sort code 20-00-00" whole."""

    label = "UK_SORT_CODE"
    name = "uk_sort_code"
    region = None
    min_digits = 6
    pattern = word_re(r"\d{2}(?P<sep>[- ]?)\d{2}(?P=sep)\d{2}")
    score = 0.5
    context = Context(
        words=("sort code", "sortcode", "sort-code"),
        boost=0.4,
        require="always",
        before=40,
        after=30,
    )


class UkBankNumberRecognizer(PatternRecognizer):
    """UK_BANK_NUMBER: an eight-digit account number next to "account" or a sort code."""

    label = "UK_BANK_NUMBER"
    name = "uk_bank_number"
    region = "GB"
    min_digits = 8
    pattern = word_re(r"\d{8}")
    score = 0.5
    context = Context(words=_BANK_WORDS, boost=0.4, require="always", before=40, after=30)
