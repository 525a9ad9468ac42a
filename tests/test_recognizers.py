"""Rule recognizers: exact offsets for positives, and the look-alikes they must reject."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edge.errors import SpecError
from edge.recognizers import (
    RECOGNIZERS,
    CreditCardRecognizer,
    DateRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    Recognizer,
    SsnRecognizer,
    UrlRecognizer,
    build_recognizers,
    find_all,
)
from edge.types import Span

ROOT = Path(__file__).resolve().parents[1]


def texts(recognizer: Recognizer, text: str) -> list[str]:
    spans = recognizer.find(text)
    for span in spans:
        assert span.text == text[span.start : span.end]
        assert span.label == recognizer.label
        assert span.source == f"rule:{recognizer.name}"
        assert 0.0 <= span.score <= 1.0
    return [s.text for s in spans]


def offsets(recognizer: Recognizer, text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in recognizer.find(text)]


# EMAIL_ADDRESS


def test_email_followed_by_period() -> None:
    text = "Write to john.doe+news@mail.example.co.uk."
    assert offsets(EmailRecognizer(), text) == [(9, 41)]
    assert texts(EmailRecognizer(), text) == ["john.doe+news@mail.example.co.uk"]


def test_email_in_brackets_and_after_mailto() -> None:
    assert texts(EmailRecognizer(), "(a_b@x.io) mailto:c@d.org") == ["a_b@x.io", "c@d.org"]


@pytest.mark.parametrize(
    "text",
    ["user@localhost", "john..doe@example.com", "@example.com", "a@b.c", "name@domain.c0m"],
)
def test_email_negatives(text: str) -> None:
    assert texts(EmailRecognizer(), text) == []


# URL


def test_url_in_parentheses() -> None:
    text = "Docs (see https://example.com/a/b?x=1&y=2#top)."
    assert offsets(UrlRecognizer(), text) == [(10, 45)]


def test_url_keeps_balanced_parentheses_and_drops_trailing_punctuation() -> None:
    rec = UrlRecognizer()
    assert texts(rec, "https://en.wikipedia.org/wiki/Foo_(bar), ok") == [
        "https://en.wikipedia.org/wiki/Foo_(bar)"
    ]
    assert texts(rec, "Go to www.example.org.") == ["www.example.org"]
    assert texts(rec, "at http://192.168.0.1:8080/admin!") == ["http://192.168.0.1:8080/admin"]


@pytest.mark.parametrize(
    "text", ["example.com", "https://", "xhttps://example.com", "bob@www.x.com"]
)
def test_url_negatives(text: str) -> None:
    assert texts(UrlRecognizer(), text) == []


# IP_ADDRESS


def test_ipv4_valid() -> None:
    text = "server 192.168.0.1, gateway 10.0.0.254."
    assert offsets(IpRecognizer(), text) == [(7, 18), (28, 38)]


@pytest.mark.parametrize(
    "text",
    ["999.1.1.1", "v1.2.3", "v1.2.3.4", "version 1.2.3.4", "1.2.3.4.5", "01.2.3.4", "a1.2.3.4"],
)
def test_ipv4_negatives(text: str) -> None:
    assert texts(IpRecognizer(), text) == []


def test_ipv6_valid() -> None:
    rec = IpRecognizer()
    assert texts(rec, "host 2001:db8::8a2e:370:7334 up") == ["2001:db8::8a2e:370:7334"]
    assert texts(rec, "loopback ::1.") == ["::1"]
    assert texts(rec, "link fe80::1%eth0.") == ["fe80::1%eth0"]
    # The embedded IPv4 is part of the IPv6 match, not a second span.
    assert texts(rec, "mapped ::ffff:192.0.2.1") == ["::ffff:192.0.2.1"]


@pytest.mark.parametrize("text", ["at 10:30:00", "mac 00:1A:2B:3C:4D:5E", "std::vector", "a :: b"])
def test_ipv6_negatives(text: str) -> None:
    assert texts(IpRecognizer(), text) == []


# CREDIT_CARD


def test_credit_card_luhn_valid_formats() -> None:
    rec = CreditCardRecognizer()
    text = "card 4111 1111 1111 1111 exp 12/25"
    assert offsets(rec, text) == [(5, 24)]
    assert texts(rec, "4111-1111-1111-1111") == ["4111-1111-1111-1111"]
    assert texts(rec, "amex 378282246310005.") == ["378282246310005"]
    assert texts(rec, "amex 3782 822463 10005") == ["3782 822463 10005"]
    assert all(s.score == 1.0 for s in rec.find(text))


def test_credit_card_troy_and_twelve_digit_maestro() -> None:
    """Issue 17: card numbers of other issuers were missed (and vetoed as model spans)."""
    rec = CreditCardRecognizer()
    assert texts(rec, "Troy 9792 1234 5678 9018 ok") == ["9792 1234 5678 9018"]
    assert texts(rec, "Maestro 6759 0000 0000 paid") == ["6759 0000 0000"]
    assert texts(rec, "maestro 675900000000") == ["675900000000"]
    assert rec.valid("6759-0000-0000") and rec.valid("9792123456789018")
    # twelve Luhn-valid digits that do not start like a Maestro card are no card
    assert texts(rec, "ref 4000 0000 0002") == []
    assert texts(rec, "9792 1234 5678 901") == []  # Troy is 16 digits


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # Luhn fails
        "4111111111111112",
        "0000 0000 0000 0000",  # all one digit
        "5555555555555555555",
        "4111 1111-1111 1111",  # mixed separators
        "41111111111111111111111",  # too long
        "x4111111111111111",  # inside a token
        "4111111111111111x",
    ],
)
def test_credit_card_negatives(text: str) -> None:
    assert texts(CreditCardRecognizer(), text) == []


# IBAN_CODE


def test_iban_valid_with_and_without_spaces() -> None:
    rec = IbanRecognizer()
    text = "Pay to DE89 3704 0044 0532 0130 00 today."
    assert offsets(rec, text) == [(7, 34)]
    assert texts(rec, "IBAN:DE89370400440532013000.") == ["DE89370400440532013000"]
    assert texts(rec, "GB82 WEST 1234 5698 7654 32") == ["GB82 WEST 1234 5698 7654 32"]
    assert rec.find(text)[0].score == 1.0


def test_iban_stops_at_country_length() -> None:
    assert texts(IbanRecognizer(), "ES91 2100 0418 4502 0005 1332 ABCD") == [
        "ES91 2100 0418 4502 0005 1332"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "DE89 3704 0044 0532 0130 01",  # one digit changed: mod-97 fails
        "DE88370400440532013000",  # check digits changed
        "DE89 3704 0044 0532 0130 0",  # wrong length for DE
        "ZZ89370400440532013000",  # unknown country
        "XDE89370400440532013000",  # inside a token
    ],
)
def test_iban_negatives(text: str) -> None:
    assert texts(IbanRecognizer(), text) == []


# US_SSN


def test_ssn_dashed_and_spaced() -> None:
    rec = SsnRecognizer()
    assert offsets(rec, "id 123-45-6789.") == [(3, 14)]
    assert texts(rec, "id 123 45 6789") == ["123 45 6789"]


def test_ssn_context_raises_score() -> None:
    rec = SsnRecognizer()
    plain = rec.find("id 123-45-6789")[0].score
    with_context = rec.find("my SSN is 123-45-6789")[0].score
    assert with_context > plain


def test_ssn_undashed_needs_context() -> None:
    rec = SsnRecognizer()
    assert texts(rec, "order 123456789 shipped") == []
    assert offsets(rec, "Social Security number: 123456789") == [(24, 33)]
    assert texts(rec, "123456789 (ssn)") == ["123456789"]


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456",  # area 000
        "666-12-3456",  # area 666
        "900-12-3456",  # area 9xx
        "123-00-4567",  # group 00
        "123-45-0000",  # serial 0000
        "111-11-1111",  # one digit
        "123-45 6789",  # mixed separators
        "x123-45-6789",
        "1-123-45-6789",
        "SSN 000123456",
    ],
)
def test_ssn_negatives(text: str) -> None:
    assert texts(SsnRecognizer(), text) == []


# PHONE_NUMBER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 202-555-0123 now", "202-555-0123"),
        ("Call (415) 555-2671.", "(415) 555-2671"),
        ("Tel: +1 650 253 0000", "+1 650 253 0000"),
        ("London +44 20 7946 0958", "+44 20 7946 0958"),
        ("dial 650.253.0000.", "650.253.0000"),
    ],
)
def test_phone_formats(text: str, expected: str) -> None:
    assert texts(PhoneRecognizer(), text) == [expected]


def test_phone_offsets_and_region() -> None:
    assert offsets(PhoneRecognizer(), "Call 202-555-0123 now") == [(5, 17)]
    # A national UK number is only a number when read in the GB region.
    assert texts(PhoneRecognizer(region="GB"), "ring 020 7946 0958") == ["020 7946 0958"]
    assert texts(PhoneRecognizer(region="US"), "ring 020 7946 0958") == []


@pytest.mark.parametrize("text", ["12345", "2024-03-15", "192.168.100.200", "abc6502530000"])
def test_phone_negatives(text: str) -> None:
    assert texts(PhoneRecognizer(), text) == []


def test_phone_bad_region() -> None:
    with pytest.raises(SpecError):
        PhoneRecognizer(region="USA")
    with pytest.raises(SpecError):
        PhoneRecognizer(region="QQ").find("202-555-0123")


# DATE_TIME


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("due 2024-03-15.", "2024-03-15"),
        ("at 2024-03-15T14:05:00Z ok", "2024-03-15T14:05:00Z"),
        ("at 2024-03-15 14:05 ok", "2024-03-15 14:05"),
        ("on 15/03/2024.", "15/03/2024"),
        ("on 03/15/2024 5pm", "03/15/2024 5pm"),
        ("on 03.03.2024", "03.03.2024"),
        ("on 3/15/24", "3/15/24"),
        ("born 3 March 2024", "3 March 2024"),
        ("on 3 March 2024 at 14:05.", "3 March 2024 at 14:05"),
        ("March 3rd, 2024 it is", "March 3rd, 2024"),
        ("see you Mar 3.", "Mar 3"),
        ("the 3rd of March", "3rd of March"),
        ("Monday, March 3, 2024 at 5 p.m. sharp", "Monday, March 3, 2024 at 5 p.m."),
        ("since May 2024", "May 2024"),
        ("29 Feb 2024", "29 Feb 2024"),
    ],
)
def test_date_positives(text: str, expected: str) -> None:
    assert texts(DateRecognizer(), text) == [expected]


def test_date_offsets() -> None:
    assert offsets(DateRecognizer(), "Born on March 3rd, 2024.") == [(8, 23)]


@pytest.mark.parametrize(
    "text",
    [
        "2024-13-01",  # month 13
        "2024-02-30",
        "29 Feb 2023",  # not a leap year
        "31/31/2024",  # no reading is valid
        "15.03.24",  # two-digit year only with slashes
        "at 14:05",  # a time alone
        "you may 5 go",  # lower-case "may"
        "on 3/4 we",  # no year
        "v1.2.2024",
        "10.0.0.1",
        "x2024-03-15",
        "2024-03-15x",
        "Marching 3",
    ],
)
def test_date_negatives(text: str) -> None:
    assert texts(DateRecognizer(), text) == []


def test_date_time_range_is_not_an_offset() -> None:
    assert texts(DateRecognizer(), "on 2024-03-15 14:05-15:00") == ["2024-03-15 14:05"]


# Registry and find_all


# Presidio's predefined recognizers' entity types (its docs' supported-entities list and
# predefined_recognizers/), less those only its NLP model finds (PERSON, LOCATION, NRP,
# ORGANIZATION: edge's model finds the first three and ORGANIZATION; NRP is not supported).
PRESIDIO_RULE_TYPES = {
    "CREDIT_CARD", "CRYPTO", "DATE_TIME", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS",
    "MAC_ADDRESS", "PHONE_NUMBER", "MEDICAL_LICENSE", "URL",
    "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT", "US_SSN", "US_MBI",
    "ABA_ROUTING_NUMBER", "UK_NHS", "UK_NINO", "ES_NIF", "ES_NIE",
    "IT_FISCAL_CODE", "IT_DRIVER_LICENSE", "IT_VAT_CODE", "IT_PASSPORT", "IT_IDENTITY_CARD",
    "PL_PESEL", "SG_NRIC_FIN", "SG_UEN", "AU_ABN", "AU_ACN", "AU_TFN", "AU_MEDICARE",
    "IN_PAN", "IN_AADHAAR", "IN_VEHICLE_REGISTRATION", "IN_VOTER", "IN_PASSPORT", "IN_GSTIN",
    "FI_PERSONAL_IDENTITY_CODE", "KR_DRIVER_LICENSE", "KR_FRN", "KR_PASSPORT", "KR_BRN",
    "KR_RRN", "TH_TNIN", "DE_TAX_ID",
}  # fmt: skip


def test_registry_names_and_labels() -> None:
    # the model's rule types keep their registry names
    for name in ("email", "url", "ip", "credit_card", "iban", "ssn", "phone", "date"):
        assert name in RECOGNIZERS
    labels = {cls.label for cls in RECOGNIZERS.values()}
    assert labels >= PRESIDIO_RULE_TYPES, sorted(PRESIDIO_RULE_TYPES - labels)
    # beyond Presidio's pattern types: the model's name types read from layout (chat speakers,
    # a bank beside an IBAN), secrets and the UK's bank details
    extra = {"SECRET", "UK_SORT_CODE", "UK_BANK_NUMBER", "PERSON", "ORGANIZATION"}
    assert labels - PRESIDIO_RULE_TYPES == extra
    assert len(RECOGNIZERS) == len({cls.name for cls in RECOGNIZERS.values()})


def test_build_recognizers() -> None:
    assert [r.name for r in build_recognizers()] == list(RECOGNIZERS)
    built = build_recognizers(["email", "IBAN_CODE", "email", "phone"], phone_region="gb")
    assert [r.name for r in built] == ["email", "iban", "phone"]
    assert built[2].region == "GB"


def test_unknown_recognizer_name() -> None:
    with pytest.raises(SpecError) as err:
        build_recognizers(["email", "passport"])
    message = str(err.value)
    assert "'passport'" in message
    for name in RECOGNIZERS:
        assert name in message


def test_find_all_mixed_text_sorted() -> None:
    text = (
        "Mail jane@corp.com or call 202-555-0123 on 2024-03-15; "
        "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00."
    )
    spans = find_all(text, build_recognizers())
    assert [(s.label, s.text) for s in spans] == [
        ("EMAIL_ADDRESS", "jane@corp.com"),
        ("PHONE_NUMBER", "202-555-0123"),
        ("DATE_TIME", "2024-03-15"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_find_all_overlap_higher_score_wins() -> None:
    class Loose(Recognizer):
        label = "NUMBER"
        name = "loose"

        def find(self, text: str) -> list[Span]:
            start = text.index("4111")
            return [self.span(text, start - 5, start + 30, 0.3)]

    text = "card 4111 1111 1111 1111 exp 12/25"
    spans = find_all(text, [Loose(), CreditCardRecognizer()])
    assert [(s.label, s.start, s.end) for s in spans] == [("CREDIT_CARD", 5, 24)]


def test_find_all_overlap_same_score_longer_wins() -> None:
    # The URL contains an email; both score the same, so the longer URL wins.
    text = "see https://x.com/?to=bob@example.com now"
    spans = find_all(text, build_recognizers(["email", "url"]))
    assert [(s.label, s.text) for s in spans] == [("URL", "https://x.com/?to=bob@example.com")]
    # And a URL beats the IP inside it.
    spans = find_all("http://10.0.0.1/x", build_recognizers(["ip", "url"]))
    assert [s.label for s in spans] == ["URL"]


def test_phonenumbers_imported_lazily() -> None:
    code = (
        "import sys\n"
        "import edge.recognizers as r\n"
        "recs = r.build_recognizers()\n"
        "r.find_all('mail a@b.com', [x for x in recs if x.name != 'phone'])\n"
        "assert 'phonenumbers' not in sys.modules, 'imported too early'\n"
        "r.find_all('call 202-555-0123', recs)\n"
        "assert 'phonenumbers' in sys.modules\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_spoken_phone_numbers_read_digit_by_digit() -> None:
    from edge.recognizers.spoken_phone import SpokenPhoneRecognizer, spoken_digit_count

    rec = SpokenPhoneRecognizer()
    text = "You can reach me at five five five, two one nine, four four eight zero. Thanks."
    (span,) = rec.matches(text)
    assert span.text == "five five five, two one nine, four four eight zero"
    assert span.label == "PHONE_NUMBER"
    (uk,) = rec.find("ring me on oh seven nine four six, double two three, eight one five")
    assert uk.text == "oh seven nine four six, double two three, eight one five"
    assert spoken_digit_count(uk.text) == 11  # "double two" is two digits
    assert uk.score > rec.score  # "ring" is a context word


@pytest.mark.parametrize(
    "text",
    [
        "one two three four five six",  # six digits: too few for a phone number
        "I have one or two ideas, maybe three",
        "someone phoned at four",
        "gone to the store at nine",
        "five five five two one nine four four eight zero one two three four five six",  # 16
        "oh oh oh oh oh oh oh oh",  # no digit word but "oh": what the gate skips
    ],
)
def test_spoken_phone_negatives(text: str) -> None:
    from edge.recognizers.spoken_phone import SpokenPhoneRecognizer

    assert SpokenPhoneRecognizer().matches(text) == []


def test_spoken_phone_in_detect_with_the_tiny_model_rules() -> None:
    from edge.fusion import Fusion

    fusion = Fusion(None, ["PHONE_NUMBER", "PERSON"])
    text = "call Niamh on oh seven nine one one, two two three, four eight six"
    spans = fusion.fuse(text, [])
    assert [(s.label, s.text) for s in spans] == [
        ("PHONE_NUMBER", "oh seven nine one one, two two three, four eight six")
    ]


def test_first_come_keeps_what_the_plain_loop_keeps() -> None:
    """edge.spans.first_come (one bisection per span) against the quadratic loop it replaced,
    on seeded random spans, and on a text of thousands of dates."""
    import random

    from edge.spans import first_come, resolve_overlaps

    rng = random.Random(0)
    for _ in range(500):
        spans = []
        for _ in range(rng.randint(0, 30)):
            a = rng.randint(0, 60)
            spans.append(Span("X", a, a + rng.randint(1, 10), rng.random(), ""))
        kept: list[Span] = []
        for s in spans:
            if all(s.end <= k.start or s.start >= k.end for k in kept):
                kept.append(s)
        assert first_come(spans) == kept
    text = " ".join(["March 3, 2024 at 5pm"] * 3000)
    dates = DateRecognizer().matches(text)
    assert len(dates) == 3000 and resolve_overlaps(dates) == dates


def test_phone_matcher_shortcuts_keep_libphonenumbers_matches() -> None:
    """edge.recognizers.phone skips candidates whose length no region of their code allows
    before libphonenumber validates them (speed); the matches must be the library's own, for
    example numbers of many regions in several formats and for the digit runs of cards, IBANs
    and addresses that make most of the skipped candidates."""
    import random

    import phonenumbers

    from edge.recognizers.phone import _matcher_class

    fmt = phonenumbers.PhoneNumberFormat
    rng = random.Random(0)
    regions = ["US", "GB", "DE", "FR", "IN", "JP", "BR", "AU", "IT", "ES", "NL", "MX", "CN", "RU"]
    texts = [
        "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, ip 10.0.0.12",
        "ref 0022 3001 6217 and 12345 Main St, zip 94105, call 555-0100 ext. 12",
    ]
    for region in regions:
        number = phonenumbers.example_number(region)
        for form in (fmt.NATIONAL, fmt.INTERNATIONAL, fmt.E164):
            written = phonenumbers.format_number(number, form)
            texts.append(f"Call {written} today")
            digits = list(written)
            i = rng.randrange(len(digits))  # one digit dropped or doubled: often no number
            texts.append("ring " + "".join(digits[:i] + digits[i + 1 :]) + " now")
            texts.append("ring " + "".join(digits[: i + 1] + digits[i:]) + " now")
        texts.append(f"from abroad: 011 {phonenumbers.format_number(number, fmt.E164)[1:]}")
    checked = 0
    for region in ("US", "GB", "DE", "IN"):
        fast = _matcher_class(phonenumbers)
        for text in texts:
            want = [
                (m.start, m.end)
                for m in phonenumbers.PhoneNumberMatcher(
                    text, region, leniency=phonenumbers.Leniency.VALID
                )
            ]
            got = [
                (m.start, m.end) for m in fast(text, region, leniency=phonenumbers.Leniency.VALID)
            ]
            assert got == want, (region, text)
            checked += len(want)
    assert checked > 40  # the texts do hold numbers the library accepts


def test_clear_start_is_the_look_behind_before_the_first_character() -> None:
    """base.clear_start writes "(?<!X)" after the first character (for speed); the matches
    must be those of the look-behind written before it."""
    import re

    from edge.recognizers.base import clear_start

    texts = ["a12-34 12-34 x.56 7.89-10 _1 -2 ab3 Z4 DE89 xDE89 .DE89", "1 2.3 a-4 44-5"]
    for lead, before in ((r"\d", (r"\w", r"\d[-.]")), (r"\d", (r"[\w-]",)), ("[A-Z]", (r"\w",))):
        fast = re.compile(clear_start(lead, *before) + r"[\w.-]*")
        plain = re.compile("".join(f"(?<!{b})" for b in before) + lead + r"[\w.-]*")
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in plain.finditer(text)
            ], (lead, before, text)
        assert fast.search(texts[0]) is not None
