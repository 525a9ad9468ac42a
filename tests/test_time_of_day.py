"""The lone time-of-day recognizer: clock readings; not case numbers nor the times of dates."""

import pytest

from edge.recognizers import RECOGNIZERS
from edge.recognizers.time_of_day import TimeOfDayRecognizer


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Treffen ab 21:00 Uhr", ["21:00"]),
        ("at 07:00, then lunch", ["07:00"]),
        ("08:30 klo", ["08:30"]),
        ("meet at 9:30 pm.", ["9:30 pm"]),
        ("call at 9:30 p.m. sharp", ["9:30 p.m."]),
        ("alarm 6:05:30", ["6:05:30"]),
        ("13:00 und 17:00", ["13:00"]),  # the second is left to what reads the range
        ("Meeting\n10:00 room 4", ["10:00"]),  # a digit on the line before does not count
    ],
)
def test_clock_readings(text, want):
    assert [s.text for s in TimeOfDayRecognizer().matches(text)] == want
    for s in TimeOfDayRecognizer().matches(text):
        assert text[s.start : s.end] == s.text and s.label == "DATE_TIME"


@pytest.mark.parametrize(
    "text",
    [
        "Case No. 1:24-cv-05518",  # a US case number: a letter after the dash
        "il 18/03/2025 alle 15:00",  # the date's span (model or date rule) takes its time
        "2024-01-02T10:00:00Z",
        "ts 10:00:00:01",
        "v1.10:30",
        "25:00 and 12:60",
        "no time here",
        "ratio 3:1",
    ],
)
def test_not_a_lone_clock_reading(text):
    assert TimeOfDayRecognizer().matches(text) == []


def test_registered_for_date_time():
    assert RECOGNIZERS["time_of_day"] is TimeOfDayRecognizer
    assert TimeOfDayRecognizer.label == "DATE_TIME"
