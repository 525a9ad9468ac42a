"""PHONE_NUMBER: phone numbers found and validated by Google's libphonenumber port.

Hand-written phone regexes either miss international formats or match any digit run;
``phonenumbers`` knows each region's numbering plan. It is imported on first use, not at import
time: its metadata is large and many callers never look for phone numbers. National numbers are
read in ``region``; numbers written with "+" are understood in any region.
"""

from __future__ import annotations

import functools
import re

from edge.bio import tidy
from edge.errors import BackendUnavailableError, SpecError
from edge.recognizers.base import Context, Recognizer, digit_count, installed, on_token_edges
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
# A matcher candidate libphonenumber reads as digits alone: no "+", no letter (an "x", an
# extension label or a vanity number), no other script's digits (``_matcher_class``).
_PLAIN_CANDIDATE = re.compile(r"[0-9 ./()\-]+")
_NOT_DIGIT = re.compile(r"[^0-9]")


@functools.cache
def _national_lengths(code: int) -> frozenset[int] | None:
    """Every national number length the metadata of a region of country calling code ``code``
    allows (empty: no region has the code; None: a region sets no lengths, so any may be
    valid). Per code on first use: loading every region's metadata at once took ~80 ms."""
    import phonenumbers

    lengths: set[int] = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ()):
        meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
        possible = meta.general_desc.possible_length if meta is not None else ()
        if not possible:
            return None
        lengths.update(possible)
    return frozenset(lengths)


@functools.cache
def _matcher_class(phonenumbers) -> type:
    """``PhoneNumberMatcher`` that drops a candidate whose national number has a length no
    region of its country code allows before libphonenumber validates it, with the same matches.

    Why: ``is_valid_number`` looks the number's region up by trying each region of its country
    code in turn (25 for +1), about two thirds of the matcher's time, and on texts with card
    numbers, IBANs or IP addresses nearly every candidate the matcher tries ("6217", "0022 3001")
    fails it. A valid number matches its region's general description, whose lengths are the
    ones listed here (``_is_number_matching_desc``), so a number of another length is never
    valid: at leniency VALID the matcher would reject it too. A candidate that does not parse
    is rejected by the matcher as well.

    Parsing is most of what is left, so a plain candidate (ASCII digits, spaces and ". - / ( )"
    only) is judged before it is parsed, from its digits: with no "+", no letter and no
    extension label, libphonenumber reads it in the default region's country code unless the
    region's international dialling prefix starts it, and its national number is at most its
    digits (unless the region's metadata rewrites national prefixes, then no such shortcut).
    Measured on the independent dev texts: the phone rule 0.33 -> ~0.1 ms a text mean (one
    thread), the same matches (also checked against the plain matcher on 30,000 generated texts
    of many regions). It overrides the matcher's private ``_parse_and_verify`` (phonenumbers
    8.13 to 9.0): should a release rename it, the override is not called and only speed is lost.
    """
    parse = phonenumbers.parse
    significant = phonenumbers.national_significant_number
    parse_error = phonenumbers.NumberParseException

    @functools.cache
    def plain_gate(region: str) -> tuple[int, re.Pattern[str] | None] | None:
        """The fewest digits a plain candidate needs in ``region`` and the region's
        international prefix (None: no shortcut for this region)."""
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if meta is None or meta.national_prefix_transform_rule is not None:
            return None
        lengths = _national_lengths(meta.country_code)
        if not lengths:
            return None
        idd = re.compile(meta.international_prefix) if meta.international_prefix else None
        return min(lengths), idd

    class LengthCheckedMatcher(phonenumbers.PhoneNumberMatcher):
        def _parse_and_verify(self, candidate, offset):
            gate = plain_gate(self.preferred_region)
            if gate is not None and _PLAIN_CANDIDATE.fullmatch(candidate):
                digits = _NOT_DIGIT.sub("", candidate)
                fewest, idd = gate
                if len(digits) < fewest and (idd is None or not idd.match(digits)):
                    return None
            try:
                number = parse(candidate, self.preferred_region, keep_raw_input=True)
            except parse_error:
                return None
            lengths = _national_lengths(number.country_code)
            if lengths is not None and len(significant(number)) not in lengths:
                return None
            return super()._parse_and_verify(candidate, offset)

    return LengthCheckedMatcher


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
        if not any(digit_count(m.group()) >= fewest for m in _CLUSTER_RE.finditer(text)):
            return []
        matcher = _matcher_class(phonenumbers)(
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
