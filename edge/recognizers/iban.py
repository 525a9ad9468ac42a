"""IBAN_CODE: International Bank Account Numbers, validated with the ISO 13616 mod-97 check.

Accepted as printed on statements: upper case, contiguous or in groups of four separated by single
spaces. The length must be the one registered for the country (table below); countries not in
the table are not matched, which keeps look-alike codes out.
"""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_97_10

from edge.recognizers.base import CHECKSUM_SCORE, Context, Recognizer, clear_start
from edge.types import Span

# Total IBAN length per country, from the SWIFT IBAN registry.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22,
    "VG": 24, "XK": 20,
}  # fmt: skip

# The first letter not after a word character (base.clear_start: why this way)
_IBAN_RE = re.compile(
    clear_start("[A-Z]", r"\w") + r"[A-Z]\d{2}"
    r"(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)"
    r"(?!\w)"
)


def mod97_ok(iban: str) -> bool:
    """ISO 7064 MOD 97-10 over the rearranged IBAN (python-stdnum's ``iso7064.mod_97_10``).

    Not ``stdnum.iban.is_valid``: it also checks each country's national BBAN rules, which
    real statements pass but hand-typed test values and other generators' often do not, and
    costs four times as much; the registered length (below) and mod-97 are the IBAN's own check.
    """
    return mod_97_10.is_valid(iban[4:] + iban[:4])


def iban_shaped(compact: str) -> bool:
    """What every IBAN check here asks: a known country code, two check digits, letters and
    digits only, and mod-97."""
    return (
        compact[:2] in IBAN_LENGTHS
        and compact[2:4].isdigit()
        and compact.isalnum()
        and mod97_ok(compact)
    )


def valid_iban(compact: str) -> bool:
    """An IBAN as the rule matches it: ``iban_shaped``, the country's registered length and
    check digits 02-98."""
    return (
        IBAN_LENGTHS.get(compact[:2]) == len(compact)
        and compact[2:4].isdigit()
        and 2 <= int(compact[2:4]) <= 98
        and iban_shaped(compact)
    )


class IbanRecognizer(Recognizer):
    label = "IBAN_CODE"
    name = "iban"
    score = CHECKSUM_SCORE
    min_digits = 4
    # validated already (score 1.0): the words only settle a clash with the model's span
    context = Context(words=("iban", "account", "bank", "transfer", "wire", "beneficiary", "remit"))

    @staticmethod
    def valid(value: str) -> bool:
        """Whether a span the model read as an IBAN is kept (edge.fusion's checksum vetting):
        an IBAN's shape (a known country code, two check digits, 15-34 letters and digits)
        and mod-97, spaces and case aside. The registered length is left out here, though the
        rule's own matches need it: a number the model reads as an IBAN whose check digits
        agree is an account number to hide even when a digit group was typed short or long
        (the independent dev parts hold four such, which the length check dropped, all
        found by both models), and a chance mod-97 pass is one in 97."""
        compact = re.sub(r"\s", "", value).upper()
        return 15 <= len(compact) <= 34 and iban_shaped(compact)

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _IBAN_RE.finditer(text):
            start, end = m.start(), m.end()
            expected = IBAN_LENGTHS.get(text[start : start + 2])
            if expected is None:
                continue
            # A grouped candidate may run into a following 4-character word: cut at the length.
            kept = 0
            for i in range(start, end):
                if text[i] != " ":
                    kept += 1
                    if kept == expected:
                        end = i + 1
                        break
            if end < m.end() and text[end] != " ":
                continue
            if valid_iban(text[start:end].replace(" ", "")):
                spans.append(self.span(text, start, end, self.score))
        return spans
