"""India: Aadhaar, PAN, voter id (EPIC), passport, vehicle registration and GSTIN.

Checks are python-stdnum's where it has them: Aadhaar's Verhoeff check digit (``in_.aadhaar``),
PAN's holder-type letter (``in_.pan``), the EPIC check digit (``in_.epic``) and the GSTIN's
state code, embedded PAN and mod-36 check character (``in_.gstin``). Passports and vehicle
plates have no check: Presidio's patterns, with the states' and union territories' codes
(Ministry of Road Transport's list) for plates, and a nearby word.
"""

from __future__ import annotations

import re

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class InAadhaarRecognizer(PatternRecognizer):
    """IN_AADHAAR: 12 digits, not starting 0 or 1, Verhoeff check; printed 4-4-4 it counts on
    its own, a bare run needs a word."""

    label = "IN_AADHAAR"
    name = "in_aadhaar"
    region = "IN"
    min_digits = 12
    pattern = word_re(r"[2-9]\d{3}(?P<sep>[ -]?)\d{4}(?P=sep)\d{4}")
    stdnum = "in_.aadhaar"
    score = 0.7
    context = Context(
        words=("aadhaar", "aadhar", "adhaar", "uidai", "uid"), boost=0.3, require="weak"
    )

    def score_of(self, match: re.Match[str]) -> float:
        return self.score if match["sep"] else 0.5


class InPanRecognizer(PatternRecognizer):
    """IN_PAN: five letters (the fourth the holder type), four digits, a letter."""

    label = "IN_PAN"
    name = "in_pan"
    region = "IN"
    min_digits = 4
    min_token = 10
    pattern = word_re(r"[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]")
    stdnum = "in_.pan"
    score = 0.8
    context = Context(words=("pan", "permanent account number", "income tax"), boost=0.2)


class InVoterRecognizer(PatternRecognizer):
    """IN_VOTER: the Election Commission's EPIC number, three letters and seven digits."""

    label = "IN_VOTER"
    name = "in_voter"
    region = "IN"
    min_digits = 7
    min_token = 10
    pattern = word_re(r"[A-Z]{3}\d{7}")
    stdnum = "in_.epic"
    score = 0.6
    context = Context(
        words=("voter", "epic", "election", "electoral", "voter id"), boost=0.3, require="weak"
    )


class InPassportRecognizer(PatternRecognizer):
    """IN_PASSPORT: a letter (not Q, X, Z) and seven digits, the first and last not 0."""

    label = "IN_PASSPORT"
    name = "in_passport"
    region = "IN"
    min_digits = 7
    pattern = word_re(r"[A-PR-WY][1-9]\d ?\d{4}[1-9]")
    score = 0.5
    context = Context(
        words=("passport", "passport no", "passport number"), boost=0.35, require="always"
    )


_IN_STATES = (
    "AN|AP|AR|AS|BR|CG|CH|DD|DL|DN|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|OR|PB|PY"
    "|RJ|SK|TN|TR|TS|UK|UP|WB"
)


class InVehicleRegistrationRecognizer(PatternRecognizer):
    """IN_VEHICLE_REGISTRATION: state code, district number, series letters, four digits
    ("MH 12 AB 1234"), or the Bharat series ("22 BH 1234 AA")."""

    label = "IN_VEHICLE_REGISTRATION"
    name = "in_vehicle_registration"
    region = "IN"
    min_digits = 4
    pattern = word_re(
        rf"(?:{_IN_STATES})[ -]?\d{{1,2}}[ -]?[A-Z]{{1,3}}[ -]?\d{{4}}"
        r"|\d{2} ?BH ?\d{4} ?[A-HJ-NP-Z]{1,2}"
    )
    score = 0.6
    context = Context(
        words=("vehicle", "registration", "car", "bike", "number plate", "reg", "rc", "plate"),
        boost=0.3,
        require="weak",
    )


class InGstinRecognizer(PatternRecognizer):
    """IN_GSTIN: 15 characters, state code, the holder's PAN, entity number, "Z", check."""

    label = "IN_GSTIN"
    name = "in_gstin"
    region = "IN"
    min_digits = 6
    min_token = 15
    pattern = word_re(r"\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]")
    stdnum = "in_.gstin"
    score = 1.0
    context = Context(words=("gstin", "gst", "gst number", "goods and services tax"))
