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
from edge.recognizers.base import Context, Recognizer, on_token_edges
from edge.types import Span

_REGION_RE = re.compile(r"^[A-Z]{2}$")


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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self.region!r})"

    @classmethod
    def unavailable_reason(cls) -> str:
        return "the phone recognizer needs phonenumbers: pip install 'edge[rules]'"

    @classmethod
    def available(cls) -> bool:
        try:
            import phonenumbers  # noqa: F401
        except ImportError:
            return False
        return True

    def matches(self, text: str) -> list[Span]:
        try:
            import phonenumbers
        except ImportError as exc:
            raise BackendUnavailableError(self.unavailable_reason()) from exc
        if self.region not in phonenumbers.SUPPORTED_REGIONS:
            raise SpecError(f"phone region {self.region!r} is not a region phonenumbers knows")
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
