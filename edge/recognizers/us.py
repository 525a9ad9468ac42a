"""United States identifiers besides the SSN (edge.recognizers.ssn): bank account and ABA
routing numbers, driver licences, ITINs, passports and Medicare Beneficiary Identifiers.

Only the ITIN and the routing number carry a check (python-stdnum: ``us.itin`` the IRS's
group ranges, ``us.rtn`` the ABA 3-7-1 checksum); the others are plain digit runs or letter +
digits whose only evidence is a nearby word, so they require one (``require = "always"``).
Patterns and words follow Presidio's US recognizers; the MBI's letters are CMS's.
"""

from __future__ import annotations

import re

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class UsBankNumberRecognizer(PatternRecognizer):
    """US_BANK_NUMBER: 8-17 digits (no national format, no check digit): words required."""

    label = "US_BANK_NUMBER"
    name = "us_bank_number"
    region = "US"
    min_digits = 8
    pattern = word_re(r"\d{8,17}")
    score = 0.5
    context = Context(
        words=("account", "acct", "acc", "a/c", "bank", "checking", "savings", "deposit"),
        boost=0.35,
        require="always",
    )


class AbaRoutingRecognizer(PatternRecognizer):
    """ABA_ROUTING_NUMBER: nine digits with the ABA 3-7-1 checksum (stdnum ``us.rtn``)."""

    label = "ABA_ROUTING_NUMBER"
    name = "aba_routing"
    region = "US"
    min_digits = 9
    pattern = word_re(r"\d{4}-?\d{4}-?\d|\d{9}")
    stdnum = "us.rtn"
    score = 0.6
    context = Context(
        words=("aba", "routing", "rtn", "transit", "routing number", "bank"),
        boost=0.35,
        require="always",
    )


class UsItinRecognizer(PatternRecognizer):
    """US_ITIN: 9NN-NN-NNNN with the IRS's group ranges (stdnum ``us.itin``); dashed counts on
    its own like an SSN, a bare nine-digit run needs a word."""

    label = "US_ITIN"
    name = "us_itin"
    region = "US"
    min_digits = 9
    pattern = word_re(r"\d{2}(?P<sep>[- ]?)\d{2}(?P=sep)\d{4}", lead="9")
    stdnum = "us.itin"
    score = 0.85
    context = Context(
        words=("itin", "individual taxpayer", "taxpayer", "tax id", "tin"),
        boost=0.3,
        require="weak",
    )

    def score_of(self, match: re.Match[str]) -> float:
        return self.score if match["sep"] else 0.4


class UsPassportRecognizer(PatternRecognizer):
    """US_PASSPORT: nine digits, or a letter and eight digits (next-generation books)."""

    label = "US_PASSPORT"
    name = "us_passport"
    region = "US"
    min_digits = 8
    pattern = word_re(r"[A-Z]?\d{8,9}")
    score = 0.5
    context = Context(
        words=("passport", "passport#", "passport no", "travel document"),
        boost=0.35,
        require="always",
    )

    def check(self, value: str) -> bool:
        return len(value) == 9


class UsDriverLicenseRecognizer(PatternRecognizer):
    """US_DRIVER_LICENSE: the states' formats, roughly (a letter and 4-14 digits, or 7-12
    digits, as Presidio's weak pattern); without a word any such run would match."""

    label = "US_DRIVER_LICENSE"
    name = "us_driver_license"
    region = "US"
    min_digits = 4
    pattern = word_re(r"[A-Z]\d{4,14}|[A-Z]{2}\d{5,7}|\d{7,12}")
    score = 0.5
    context = Context(
        words=(
            "driver",
            "drivers",
            "driver's",
            "license",
            "licence",
            "dl",
            "dln",
            "driving",
        ),  # not "permit": a building permit's number is no licence
        boost=0.35,
        require="always",
    )


# CMS: positions 2, 5, 8, 9 are letters without S L O I B Z; 3 and 6 letter or digit.
_MBI_LETTER = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[AC-HJKMNP-RT-Y0-9]"


class UsMbiRecognizer(PatternRecognizer):
    """US_MBI: the 11-character Medicare Beneficiary Identifier (CMS's layout, "1EG4-TE5-MK73")."""

    label = "US_MBI"
    name = "us_mbi"
    region = "US"
    min_digits = 4
    min_token = 11
    pattern = word_re(
        rf"{_MBI_LETTER}{_MBI_ALNUM}\d-?{_MBI_LETTER}{_MBI_ALNUM}\d-?{_MBI_LETTER}{{2}}\d{{2}}",
        lead="[1-9]",
    )
    score = 0.6
    context = Context(words=("medicare", "mbi", "beneficiary", "cms"), boost=0.3, require="weak")
