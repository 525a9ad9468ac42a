"""MEDICAL_LICENSE: US DEA registration numbers (Presidio's medical licence recognizer), two
letters (the registrant type, the surname's initial or 9) and seven digits whose last is a
check digit: (d1 + d3 + d5 + 2 * (d2 + d4 + d6)) mod 10 (the DEA's published rule)."""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


def dea_valid(value: str) -> bool:
    d = [int(c) for c in value[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


class MedicalLicenseRecognizer(PatternRecognizer):
    label = "MEDICAL_LICENSE"
    name = "medical_license"
    min_digits = 7
    min_token = 9
    pattern = word_re(r"[A-Z9]\d{7}", lead="[ABCDEFGHJKLMPRSTUX]")
    score = 0.6
    context = Context(
        words=(
            "dea",
            "dea number",
            "medical license",
            "medical licence",
            "license",
            "licence",
            "prescriber",
            "physician",
            "registration",
        ),
        boost=0.3,
        require="weak",
    )

    def check(self, value: str) -> bool:
        return dea_valid(value)
