"""Italy: codice fiscale, partita IVA, driver licence, passport and identity card.

The codice fiscale's check letter, month letter and day ranges and the partita IVA's Luhn
check digit and office code are python-stdnum's (``it.codicefiscale``, ``it.iva``). Licences,
passports and identity cards have no check: their shapes (Presidio's patterns; the CIE's
"CA00000AA" layout) need a nearby word.
"""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class ItFiscalCodeRecognizer(PatternRecognizer):
    """IT_FISCAL_CODE: 16 characters (surname, name, birth date and place, check letter)."""

    label = "IT_FISCAL_CODE"
    name = "it_fiscal_code"
    region = "IT"
    min_digits = 2
    min_token = 16
    pattern = word_re(
        r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
        0,
    )
    stdnum = "it.codicefiscale"
    score = 1.0
    context = Context(words=("codice fiscale", "cf", "fiscal code", "tax code"))


class ItVatCodeRecognizer(PatternRecognizer):
    """IT_VAT_CODE: partita IVA, 11 digits (optionally "IT"), Luhn check digit."""

    label = "IT_VAT_CODE"
    name = "it_vat_code"
    region = "IT"
    min_digits = 11
    pattern = word_re(r"(?:IT ?)?\d{11}")
    stdnum = "it.iva"
    score = 0.6
    context = Context(
        words=("partita iva", "p.iva", "p. iva", "piva", "iva", "vat", "vat number"),
        boost=0.35,
        require="always",
    )


class ItDriverLicenseRecognizer(PatternRecognizer):
    """IT_DRIVER_LICENSE: e.g. "U1H123456X" / "AB1234567C" (Presidio's pattern)."""

    label = "IT_DRIVER_LICENSE"
    name = "it_driver_license"
    region = "IT"
    min_digits = 5
    pattern = word_re(r"(?:[A-Z]{2}\d{7}[A-Z]|U1[BCDEFGHLMNPRSTUWYXZ0-9]{7}[A-Z])")
    score = 0.5
    context = Context(
        words=("patente", "patente di guida", "driver", "license", "licence"),
        boost=0.35,
        require="always",
    )


class ItPassportRecognizer(PatternRecognizer):
    """IT_PASSPORT: two letters and seven digits ("YA1234567")."""

    label = "IT_PASSPORT"
    name = "it_passport"
    region = "IT"
    min_digits = 7
    pattern = word_re(r"[A-Z]{2}\d{7}")
    score = 0.5
    context = Context(words=("passaporto", "passport"), boost=0.35, require="always")


class ItIdentityCardRecognizer(PatternRecognizer):
    """IT_IDENTITY_CARD: the electronic card "CA12345AA" or the paper one "AA 1234567"."""

    label = "IT_IDENTITY_CARD"
    name = "it_identity_card"
    region = "IT"
    min_digits = 5
    pattern = word_re(r"C[A-Z]\d{5}[A-Z]{2}|[A-Z]{2} ?\d{7}")
    score = 0.5
    context = Context(
        words=(
            "carta d'identità",
            "carta di identità",
            "cie",
            "identity card",
            "id card",
            "documento",
        ),
        boost=0.35,
        require="always",
    )
