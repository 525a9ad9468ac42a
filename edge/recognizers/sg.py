"""Singapore: NRIC/FIN and the Unique Entity Number.

NRIC/FIN check letters use ICA's weights 2 7 6 5 4 3 2 with an offset of 4 for the T and G
series and the S/T and F/G letter tables (python-stdnum has no NRIC module). The M series
(FINs from 2022) is left out: its check table is not published. UEN formats and check letters
are python-stdnum's (``sg.uen``).
"""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer

_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_TABLES = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def nric_check_letter(prefix: str, digits: str) -> str:
    total = sum(w * int(d) for w, d in zip(_NRIC_WEIGHTS, digits, strict=True))
    total += 4 if prefix in "TG" else 0
    return _NRIC_TABLES[prefix][total % 11]


class SgNricFinRecognizer(PatternRecognizer):
    label = "SG_NRIC_FIN"
    name = "sg_nric_fin"
    region = "SG"
    min_digits = 7
    min_token = 9
    pattern = word_re(r"[STFG]\d{7}[A-Z]")
    score = 1.0
    context = Context(words=("nric", "fin", "ic", "identity card", "i/c"))

    def check(self, value: str) -> bool:
        return nric_check_letter(value[0], value[1:8]) == value[8]


class SgUenRecognizer(PatternRecognizer):
    """SG_UEN: businesses (8 digits + letter), local companies (year, 5 digits, letter) and
    other entities (T/S/R, year, entity type, 4 digits, letter)."""

    label = "SG_UEN"
    name = "sg_uen"
    region = "SG"
    min_digits = 4
    pattern = word_re(r"\d{8,9}[A-Z]|[RST]\d{2}[A-Z]{2}\d{4}[A-Z]")
    stdnum = "sg.uen"
    score = 0.6
    context = Context(
        words=("uen", "unique entity number", "acra", "company", "business"),
        boost=0.3,
        require="weak",
    )
