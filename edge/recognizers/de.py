"""Germany: the Steuer-Identifikationsnummer (tax id), 11 digits with an ISO 7064 check digit
and its digit-repetition rule (python-stdnum ``de.idnr``). Eleven digits are common (phone
numbers with a country code), so a word is required."""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class DeTaxIdRecognizer(PatternRecognizer):
    label = "DE_TAX_ID"
    name = "de_tax_id"
    region = "DE"
    min_digits = 11
    pattern = word_re(r"\d{2} ?\d{3} ?\d{3} ?\d{3}")
    stdnum = "de.idnr"
    score = 0.6
    context = Context(
        words=(
            "steuer-id",
            "steuerid",
            "steuer id",
            "steueridentifikationsnummer",
            "identifikationsnummer",
            "idnr",
            "tax id",
            "steuernummer",
            "tin",
        ),
        boost=0.4,
        require="always",
    )
