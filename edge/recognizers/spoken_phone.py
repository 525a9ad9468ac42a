"""PHONE_NUMBER read out digit by digit: call transcripts, voicemail, dictation, chat logs of
calls ("five five five, two one nine, four four eight zero", "oh seven nine one one, double two
three, four eight six").

Why a rule: libphonenumber reads digits only, and the models see few such numbers (the
independent dev parts hold four, all missed by both models). Few things other than a phone
number are dictated one digit at a time, so a run of seven to fifteen English digit words
("oh" and "o" for zero; "double" and "triple" repeat the next digit) is taken as one. English
only: other languages' number words are left to the model.
"""

from __future__ import annotations

import re

from edge.recognizers.base import Context, Recognizer
from edge.types import Span

DIGIT_WORDS = (
    "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
)  # fmt: skip
_WORD = "|".join(sorted(DIGIT_WORDS, key=len, reverse=True))
_ITEM = rf"(?:(?:double|triple)\s+)?(?:{_WORD})"
# Digit words joined by spaces, or by a comma, dot or hyphen with optional spaces (how a
# transcript groups the number); never glued to a longer word.
_RUN_RE = re.compile(rf"(?<![\w'-]){_ITEM}(?:(?:\s*[,.-]\s*|\s+){_ITEM})+(?![\w'-])", re.IGNORECASE)
_REPEAT = {"double": 2, "triple": 3}
MIN_DIGITS, MAX_DIGITS = 7, 15  # E.164: at most 15 digits; local numbers have 7 or more


def spoken_digit_count(run: str) -> int:
    """Digits a run of digit words stands for ("double two" is two)."""
    words = re.findall(r"[a-z]+", run.lower())
    count, repeat = 0, 1
    for w in words:
        if w in _REPEAT:
            repeat = _REPEAT[w]
            continue
        count += repeat
        repeat = 1
    return count


class SpokenPhoneRecognizer(Recognizer):
    label = "PHONE_NUMBER"
    name = "spoken_phone"
    score = 0.7
    # A run counts only with one of these words in it (a string of "oh"s is a shout, not a
    # number), so a text without any of them is not scanned: the gate gives the same answer.
    needs = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    context = Context(
        words=("phone", "call", "number", "mobile", "cell", "reach", "ring", "text", "extension"),
        boost=0.1,
    )

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _RUN_RE.finditer(text):
            run = m.group().lower()
            if not any(w in run for w in self.needs):
                continue
            if MIN_DIGITS <= spoken_digit_count(run) <= MAX_DIGITS:
                spans.append(self.span(text, m.start(), m.end(), self.score))
        return spans
