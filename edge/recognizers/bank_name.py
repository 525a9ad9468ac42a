"""ORGANIZATION: the bank named beside an IBAN ("DE56 1203 0000 1029 3847 56 (DKB)",
"IBAN BE79 7350 1200 4791 — KBC", "LHV → EE30 1700 0170 0338 12").

Why a rule: banks are often written as bare acronyms (DKB, PTSB, BCEE, FAB), which the model
cannot tell from any other capitals; beside a validated IBAN the layout says what they are (the
independent dev parts hold seven such the ``pii`` model missed). Three placements are read: in
brackets straight after the IBAN, after a dash that ends the line, and before an arrow that
points at it. The name is one word with no digits, starting with a capital or a letter of an
uncased script; currency codes and payment words ("(EUR)", "(SEPA)") are not banks, and two
words or more in that place are mostly the account holder ("(Jörg Mayer)"), left to the model.

The score (0.6) is a pattern's, but the placement proves the type: where the model gave the
same word another type ("Nordea" a place, "Luminor" a person: five on the dev parts), the
bank stands (``overrules_model_type``; edge.fusion).
"""

from __future__ import annotations

import re

from edge.recognizers.base import Recognizer
from edge.recognizers.iban import IbanRecognizer
from edge.types import Span

# Capitals in brackets after an IBAN that are not a bank: currencies and payment words.
_NOT_BANKS_TEXT = """
    EUR USD GBP CHF SEK NOK DKK PLN CZK HUF RON BGN ISK TRY AED SAR QAR ILS JPY CNY INR AUD CAD
    NZD ZAR BRL MXN RUB UAH HRK IBAN BIC SWIFT SEPA BAN ACH TIN VAT REF OLD NEW NOTE
"""
NOT_BANKS = frozenset(_NOT_BANKS_TEXT.split())
# Letters, no digits: "(REF. INV-2024-2941)" is no bank.
_WORD = r"[^\W\d_](?:[^\W\d_]|[&'’.-]){0,24}"
# One word: an account holder's name in the same place has two or more ("(Ingrid Haugen)").
_AFTER_BRACKETS_RE = re.compile(rf"[ \t]*\((?P<name>{_WORD})\)")
_AFTER_DASH_RE = re.compile(rf"[ \t]+[—–-][ \t]+(?P<name>{_WORD})[ \t]*(?:\n|$)")
# searched up to the IBAN's start only (``endpos``), so \Z is where the IBAN begins
_BEFORE_ARROW_RE = re.compile(rf"(?<!\S)(?P<name>{_WORD})[ \t]*(?:→|->)[ \t]*\Z")
# how far before an IBAN the arrow's bank may start: a word of at most 25 letters, the arrow
# and spaces (a bound, so a text of many IBANs on one line is read in linear time)
LOOKBACK = 40


def _is_bank_shaped(name: str) -> bool:
    """Starts with a capital (or an uncased letter); not a currency or payment word."""
    return len(name) >= 2 and not name[0].islower() and name.strip(".").upper() not in NOT_BANKS


class BankNameRecognizer(Recognizer):
    label = "ORGANIZATION"
    name = "bank_name"
    score = 0.6
    min_digits = IbanRecognizer.min_digits
    # a bracket, a dash or an arrow: without one no placement can match, and the IBAN scan
    # (the iban recognizer's own, run a second time here) is skipped
    needs = ("(", "—", "–", " -", "→", "->")
    # one word in brackets after an IBAN is the bank: on the dev parts the model called five of
    # them a place or a person ("Nordea", "Handelsbanken", "Luminor", "ДСК")
    overrules_model_type = True

    def __init__(self) -> None:
        self._iban = IbanRecognizer()

    def matches(self, text: str) -> list[Span]:
        spans = []
        for iban in self._iban.matches(text):
            # patterns run in place (pos, endpos): slicing the text per IBAN was quadratic
            found = [
                (m.start("name"), m.end("name"))
                for m in (
                    _AFTER_BRACKETS_RE.match(text, iban.end),
                    _AFTER_DASH_RE.match(text, iban.end),
                    _BEFORE_ARROW_RE.search(text, max(0, iban.start - LOOKBACK), iban.start),
                )
                if m
            ]
            for start, end in found:
                if _is_bank_shaped(text[start:end]):
                    spans.append(self.span(text, start, end, self.score))
        return spans
