"""PHONE_NUMBER: phone numbers found and validated by Google's libphonenumber port.

Hand-written phone regexes either miss international formats or match any digit run;
``phonenumbers`` knows each region's numbering plan. It is imported on first use, not at import
time: its metadata is large and many callers never look for phone numbers. National numbers are
read in ``region``; numbers written with "+" are understood in any region.
"""

from __future__ import annotations

import re

from edge.bio import tidy
from edge.errors import BackendUnavailableError, SpecError
from edge.recognizers.base import Context, Recognizer, installed, on_token_edges
from edge.types import Span

_REGION_RE = re.compile(r"^[A-Z]{2}$")
# Digits libphonenumber's matcher could read as one number: digit blocks joined by at most four
# punctuation characters (its PhoneNumberMatcher's punctuation limit); anything but an ASCII
# letter other than "x" is taken as punctuation here, so a cluster is never smaller than the
# matcher's candidate.
_CLUSTER_RE = re.compile(r"\d(?:[^0-9A-Za-wyz]{0,4}\d)*")
# The fewest digits of a number written internationally: country code + shortest national
# number over every region and non-geographic code in libphonenumber's metadata (a test
# recomputes it from the installed metadata).
MIN_INTERNATIONAL_DIGITS = 6


class PhoneRecognizer(Recognizer):
    label = "PHONE_NUMBER"
    name = "phone"
    score = 0.75
    # The shortest numbers libphonenumber validates have 4+ digits (ITU-T E.164 national
    # significant numbers of small territories): a text with fewer never holds one, and the
    # matcher is the costliest rule, so it is not run there.
    min_digits = 4
    context = Context(
        words=("phone", "tel", "call", "mobile", "cell", "fax", "whatsapp", "sms", "text"),
        boost=0.1,
    )

    def __init__(self, region: str = "US") -> None:
        region = region.upper()
        if not _REGION_RE.match(region):
            raise SpecError(f"phone region must be a two-letter ISO code like 'US', got {region!r}")
        self.region = region
        self._fewest: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self.region!r})"

    @classmethod
    def unavailable_reason(cls) -> str:
        return "the phone recognizer needs phonenumbers: pip install 'edge[rules]'"

    @classmethod
    def available(cls) -> bool:
        return installed("phonenumbers")

    def _min_digits(self, phonenumbers, text: str) -> int:
        """The fewest digits a valid number in ``text`` has: the region's shortest national
        number (a trunk or international dialling prefix only adds digits), or, where a "+"
        is written, an international one."""
        if self._fewest is None:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(self.region)
            lengths = [n for n in meta.general_desc.possible_length if n > 0] if meta else []
            self._fewest = min(lengths, default=MIN_INTERNATIONAL_DIGITS)
        if "+" in text or "\uff0b" in text:  # libphonenumber's plus signs
            return min(self._fewest, MIN_INTERNATIONAL_DIGITS)
        return self._fewest

    def matches(self, text: str) -> list[Span]:
        try:
            import phonenumbers
        except ImportError as exc:
            raise BackendUnavailableError(self.unavailable_reason()) from exc
        if self.region not in phonenumbers.SUPPORTED_REGIONS:
            raise SpecError(f"phone region {self.region!r} is not a region phonenumbers knows")
        # The matcher is the costliest rule (about 0.4 ms on a text with digits); a text whose
        # digit clusters are all too short for a valid number is not given to it.
        fewest = self._min_digits(phonenumbers, text)
        if not any(
            sum(ch.isdigit() for ch in m.group()) >= fewest for m in _CLUSTER_RE.finditer(text)
        ):
            return []
        matcher = phonenumbers.PhoneNumberMatcher(
            text, self.region, leniency=phonenumbers.Leniency.VALID
        )
        spans = []
        for m in matcher:
            if not on_token_edges(text, m.start, m.end):
                continue
            # libphonenumber keeps the "(" of "(+34 612 345 678)" but not the ")": trim
            # brackets the number does not close, the way the model's spans are tidied.
            span = tidy(text, self.span(text, m.start, m.end, self.score))
            if span is not None:
                spans.append(span)
        return spans
