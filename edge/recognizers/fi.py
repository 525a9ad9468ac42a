"""Finland: the henkilötunnus, DDMMYY, a century sign, three digits and a check character
("131052-308T"); date and check are python-stdnum's (``fi.hetu``). The layout is distinctive:
a validated value counts on its own."""

from __future__ import annotations

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer


class FiPersonalIdentityCodeRecognizer(PatternRecognizer):
    label = "FI_PERSONAL_IDENTITY_CODE"
    name = "fi_personal_identity_code"
    region = "FI"
    min_digits = 9
    pattern = word_re(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]")
    stdnum = "fi.hetu"
    separators = ""  # the century sign is part of the value
    score = 1.0
    context = Context(words=("henkilötunnus", "hetu", "personal identity code", "sotu"))
