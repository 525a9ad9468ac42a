"""DATE_TIME: calendar dates, with a time of day when one is attached.

Dates are personal data when they are birthdays or appointments, but digit runs are everywhere,
so this errs towards precision: every match must be a real calendar date (month 1-12, day valid
for the month, leap years included), numeric forms need a plausible year, month names must be
capitalised ("May", not "may"), and a lone time ("14:05") is not a date.

Forms: ISO ``2024-03-15`` (also ``2024/03/15``, and ``T14:05:00Z`` style times), numeric
``15/03/2024`` or ``03/15/2024`` (either reading, as long as one is valid; two-digit years only
with slashes), ``3 March 2024``, ``3rd of March``, ``March 3rd, 2024``, ``Mar 3``,
``March 2024``, an optional weekday in front, and a time such as ``14:05`` or ``5pm`` after.
"""

from __future__ import annotations

import calendar
import re

from edge.recognizers.base import Context, Recognizer, clear_start, is_word_char
from edge.spans import first_come
from edge.types import Span

_MONTH_NUMBERS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(
    sorted(
        {form for name in _MONTH_NUMBERS for form in (name.capitalize(), name.upper())},
        key=len,
        reverse=True,
    )
)
_WEEKDAY = (
    r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?,?\s+)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
# The first digit, not inside a word or a longer number (base.clear_start: why this way)
_AFTER_FIRST_DIGIT = clear_start(r"\d", r"\w", r"\d[./:-]")

_ISO_RE = re.compile(rf"({_AFTER_FIRST_DIGIT}\d{{3}})([-/])(\d{{1,2}})\2(\d{{1,2}})(?!\d)")
_NUMERIC_RE = re.compile(rf"({_AFTER_FIRST_DIGIT}\d?)([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}})(?!\d)")
# Both numeric forms hold a digit, "-", "/" or ".", and a digit in a row: most texts have none.
_DIGIT_SEP_DIGIT_RE = re.compile(r"\d[-/.]\d")
_DAY_MONTH_RE = re.compile(
    rf"(?<!\w){_WEEKDAY}(\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+({_MONTH})"
    rf"(?:\.?,?\s+(\d{{4}})(?!\w)|(?!\w))"
)
_MONTH_DAY_RE = re.compile(
    rf"(?<!\w){_WEEKDAY}({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}(?!\w)(?:,?\s+(\d{{4}})(?!\w))?"
)
_MONTH_YEAR_RE = re.compile(rf"(?<!\w)({_MONTH})\.?,?\s+(\d{{4}})(?!\w)")
# Each of the three forms above holds a month name: most texts have none, and one search for a
# month is cheaper than the three scans (the forms with an optional weekday try every position).
_ANY_MONTH_RE = re.compile(_MONTH)
_TIME_RE = re.compile(
    r"(?P<conn>T|,?\s+(?:at\s+)?|\s*@\s*)"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?)?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]|[AaPp]\.[Mm]\.))?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?|\s+(?:UTC|GMT))?"
)

_DAY_BEFORE_RE = re.compile(r"\d(?:st|nd|rd|th)?(?:\s+of)?\s+$")
_NUMBER_GOES_ON_RE = re.compile(r"[./:-]\d")

_MIN_YEAR, _MAX_YEAR = 1000, 2999  # month-name and ISO forms: the shape already says "date"
_MIN_NUMERIC_YEAR, _MAX_NUMERIC_YEAR = 1900, 2099  # bare numbers need a plausible year


def valid_date(year: int | None, month: int, day: int) -> bool:
    """True if ``day`` exists in ``month`` (of ``year``; any leap year when year is unknown)."""
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(2000 if year is None else year, month)[1]


def _month(name: str) -> int:
    return _MONTH_NUMBERS[name.lower()]


def _numeric_year(raw: str) -> int | None:
    year = int(raw)
    if len(raw) == 2:
        return 2000 + year
    return year if _MIN_NUMERIC_YEAR <= year <= _MAX_NUMERIC_YEAR else None


class DateRecognizer(Recognizer):
    label = "DATE_TIME"
    name = "date"
    full_score = 0.85  # ISO, or day + month name + year
    numeric_score = 0.7  # d/m/y or m/d/y with a four-digit year
    partial_score = 0.6  # no year, two-digit year, or month + year only
    min_digits = 1
    # Words that make a date personal; whether a date without them counts is the task spec's
    # call ([fusion.context.DATE_TIME] require = "weak" drops yearless dates without a word).
    context = Context(
        words=(
            "born", "birth", "dob", "birthday", "date", "dated", "on", "due", "until", "since",
            "from", "by", "expires", "expiry", "valid", "appointment", "appt", "scheduled",
            "deadline", "meeting",
        ),
        boost=0.1,
    )  # fmt: skip

    def matches(self, text: str) -> list[Span]:
        found: list[tuple[int, int, float]] = []

        numeric = _DIGIT_SEP_DIGIT_RE.search(text) is not None
        for m in _ISO_RE.finditer(text) if numeric else ():
            year = int(m[1])
            if _MIN_YEAR <= year <= _MAX_YEAR and valid_date(year, int(m[3]), int(m[4])):
                found.append((m.start(), m.end(), self.full_score))

        for m in _NUMERIC_RE.finditer(text) if numeric else ():
            sep, raw_year = m[2], m[4]
            if len(raw_year) == 2 and sep != "/":
                continue
            year = _numeric_year(raw_year)
            a, b = int(m[1]), int(m[3])
            if year is None or not (valid_date(year, a, b) or valid_date(year, b, a)):
                continue
            score = self.numeric_score if len(raw_year) == 4 else self.partial_score
            found.append((m.start(), m.end(), score))

        month = _ANY_MONTH_RE.search(text)
        named = month is not None
        for m in _DAY_MONTH_RE.finditer(text) if named else ():
            if (score := self._named_score(m[3], _month(m[2]), int(m[1]))) is not None:
                found.append((m.start(), m.end(), score))
        for m in _MONTH_DAY_RE.finditer(text) if named else ():
            if (score := self._named_score(m[3], _month(m[1]), int(m[2]))) is not None:
                found.append((m.start(), m.end(), score))
        # This form starts with the month name, so not before the first one (the look-behind
        # still sees the text before it: the same matches).
        for m in _MONTH_YEAR_RE.finditer(text, month.start()) if month is not None else ():
            # "29 Feb 2023" is an invalid date, not the month "Feb 2023".
            if _DAY_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
                continue
            if _MIN_YEAR <= int(m[2]) <= _MAX_YEAR:
                found.append((m.start(), m.end(), self.partial_score))

        spans = []
        for start, date_end, score in found:
            end = self._with_time(text, date_end)
            if end < len(text) and is_word_char(text[end]):
                continue
            if end == date_end and _NUMBER_GOES_ON_RE.match(text, end):
                continue
            spans.append(self.span(text, start, end, score))
        # Among readings of the same text prefer the longest ("3 March 2024" over "March 2024").
        kept = first_come(sorted(spans, key=lambda s: (s.start - s.end, -s.score, s.start)))
        return sorted(kept, key=lambda s: s.start)

    def _named_score(self, raw_year: str | None, month: int, day: int) -> float | None:
        """Score of a month-name date, or None if it is not a real date."""
        year = int(raw_year) if raw_year else None
        if year is not None and not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        if not valid_date(year, month, day):
            return None
        return self.full_score if year else self.partial_score

    @staticmethod
    def _with_time(text: str, end: int) -> int:
        """Extend a date's end over an attached time of day, if a valid one follows."""
        m = _TIME_RE.match(text, end)
        if m is None:
            return end
        hour, minute, second, ampm = m["hour"], m["minute"], m["second"], m["ampm"]
        if minute is None and ampm is None:
            return end
        if ampm is not None:
            if not 1 <= int(hour) <= 12:
                return end
        elif not 0 <= int(hour) <= 23:
            return end
        if minute is not None and int(minute) > 59:
            return end
        if second is not None and int(second) > 60:
            return end
        if m["conn"] == "T" and minute is None:
            return end
        tz = m["tz"]
        if tz and tz[0] in "+-" and m["conn"] != "T" and second is None:
            return m.start("tz")  # "14:05-15:00" is a range, not an offset
        return m.end()
