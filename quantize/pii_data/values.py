"""Value generators for the synthetic PII corpus.

Why: a token classifier only generalises when every entity type shows up in many surface forms
(locales, separators, casing, with and without titles or extensions). Each generator returns a
`Value` whose `pre`/`post` parts are unlabelled context (e.g. the "Dr." before a name), so spans
never have to be found by searching the rendered text. All randomness flows through one
`random.Random` (Faker instances are re-pointed at it), which keeps the output deterministic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import random
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from faker import Factory
from faker.generator import Generator
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from edge.specs import load_task_spec

# The PII task's entity types, as its spec lists them (the model's label set): the generator
# renders each of them and nothing else.
ENTITY_TYPES: tuple[str, ...] = tuple(load_task_spec("pii").entities or ())

# Locale -> sampling weight. English-language text dominates, but names, addresses, phones and
# companies come from many locales so the model does not learn "PII == anglophone".
LOCALE_WEIGHTS: dict[str, float] = {
    "en_US": 0.24,
    "en_GB": 0.09,
    "en_IN": 0.05,
    "en_AU": 0.03,
    "en_CA": 0.03,
    "en_IE": 0.02,
    "de_DE": 0.07,
    "de_AT": 0.02,
    "de_CH": 0.02,
    "fr_FR": 0.06,
    "es_ES": 0.05,
    "es_MX": 0.03,
    "it_IT": 0.05,
    "nl_NL": 0.04,
    "pt_BR": 0.04,
    "pt_PT": 0.02,
    "pl_PL": 0.03,
    "sv_SE": 0.03,
    "da_DK": 0.02,
    "fi_FI": 0.02,
    "no_NO": 0.02,
    "cs_CZ": 0.02,
}
_LOCALES = tuple(LOCALE_WEIGHTS)
_LOCALE_CUM = tuple(
    sum(LOCALE_WEIGHTS[loc] for loc in _LOCALES[: i + 1]) for i in range(len(_LOCALES))
)


class Value(NamedTuple):
    """An entity value plus unlabelled text rendered right before / after it."""

    text: str
    pre: str = ""
    post: str = ""


@cache
def _faker(locale: str) -> Generator:
    # Factory.create is slow (tens of ms); one instance per locale for the process lifetime.
    fk = Factory.create(locale)
    for provider in fk.providers:
        # Some Faker data lists are built from sets (it_IT cities), so their order, and thus the
        # value a seeded RNG picks, depends on PYTHONHASHSEED. Sorting makes them reproducible.
        cities = getattr(provider, "cities", None)
        if isinstance(cities, list):
            provider.cities = sorted(cities)
    return fk


@dataclass
class Ctx:
    """Per-record state: the shared RNG, the record's locale and a lazily drawn identity."""

    rng: random.Random
    locale: str
    identity: tuple[str, str] | None = None
    person_count: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def faker(self, locale: str | None = None) -> Generator:
        fk = _faker(locale or self.locale)
        fk.random = self.rng  # re-point every time: keeps interleaved iterators deterministic
        return fk


def pick_locale(rng: random.Random) -> str:
    x = rng.random() * _LOCALE_CUM[-1]
    for loc, c in zip(_LOCALES, _LOCALE_CUM, strict=True):
        if x < c:
            return loc
    return _LOCALES[-1]


def _w(rng: random.Random, options: list[tuple[float, str]]) -> str:
    """Weighted choice over (weight, key) pairs."""
    total = sum(w for w, _ in options)
    x = rng.random() * total
    for w, key in options:
        x -= w
        if x < 0:
            return key
    return options[-1][1]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _ascii(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    return "".join(c for c in s.lower() if c.isascii() and c.isalnum())


# --------------------------------------------------------------------------------------------
# PERSON
# --------------------------------------------------------------------------------------------

_TITLES: dict[str, tuple[str, ...]] = {
    "en": ("Mr.", "Mrs.", "Ms.", "Miss", "Dr.", "Prof.", "Mr", "Mrs", "Ms", "Dr", "Mx."),
    "de": ("Herr", "Frau", "Dr.", "Prof. Dr.", "Herr Dr."),
    "fr": ("M.", "Mme", "Mme.", "Dr", "Pr"),
    "es": ("Sr.", "Sra.", "Dr.", "Dra.", "D.", "Dña."),
    "it": ("Sig.", "Sig.ra", "Dott.", "Dott.ssa", "Prof."),
    "pt": ("Sr.", "Sra.", "Dr.", "Dra."),
    "nl": ("Dhr.", "Mevr.", "Dr."),
    "pl": ("Pan", "Pani", "Dr"),
}
_SUFFIXES = ("Jr.", "Sr.", "II", "III", "Jr", "PhD", "MD")


def _name_parts(ctx: Ctx, locale: str | None = None) -> tuple[str, str]:
    fk = ctx.faker(locale)
    first = fk.first_name()
    last = fk.last_name()
    r = ctx.rng.random()
    if r < 0.05:
        last = f"{last}-{fk.last_name()}"
    elif r < 0.08 and ctx.locale.startswith(("es", "pt")):
        last = f"{last} {fk.last_name()}"
    return first, last


def _fresh_name(ctx: Ctx) -> tuple[str, str]:
    ctx.person_count += 1
    if ctx.identity is None:
        ctx.identity = _name_parts(ctx)
        return ctx.identity
    # Later people in the same record: mostly same locale, sometimes another one.
    loc = ctx.locale if ctx.rng.random() < 0.7 else pick_locale(ctx.rng)
    return _name_parts(ctx, loc)


def _title(ctx: Ctx) -> str:
    lang = ctx.locale[:2]
    pool = _TITLES.get(lang, _TITLES["en"]) if ctx.rng.random() < 0.6 else _TITLES["en"]
    return ctx.rng.choice(pool)


def person(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    first, last = _fresh_name(ctx)
    if variant is None:
        variant = _w(
            rng,
            [
                (52, "full"),
                (12, "first"),
                (12, "titled"),
                (8, "initials"),
                (5, "middle"),
                (4, "suffix"),
                (3, "last"),
            ],
        )
    if variant == "full":
        return Value(f"{first} {last}")
    if variant == "first":
        return Value(first)
    if variant == "last":
        return Value(last)
    if variant == "titled":
        who = last if rng.random() < 0.55 else f"{first} {last}"
        return Value(who, pre=f"{_title(ctx)} ")
    if variant == "initials":
        if rng.random() < 0.3:
            middle = rng.choice(string.ascii_uppercase)
            sep = rng.choice(["", " "])
            return Value(f"{first[0]}.{sep}{middle}. {last}")
        return Value(f"{first[0]}. {last}" if rng.random() < 0.8 else f"{first} {last[0]}.")
    if variant == "middle":
        if rng.random() < 0.6:
            return Value(f"{first} {rng.choice(string.ascii_uppercase)}. {last}")
        return Value(f"{first} {ctx.faker().first_name()} {last}")
    if variant == "suffix":
        return Value(f"{first} {last} {rng.choice(_SUFFIXES)}")
    if variant == "lastfirst":
        return Value(f"{last}, {first}" if rng.random() < 0.85 else f"{last.upper()}, {first}")
    raise ValueError(f"unknown PERSON variant {variant!r}")


# --------------------------------------------------------------------------------------------
# EMAIL_ADDRESS
# --------------------------------------------------------------------------------------------

_FREE_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "proton.me",
    "protonmail.com",
    "aol.com",
    "gmx.de",
    "web.de",
    "t-online.de",
    "orange.fr",
    "free.fr",
    "libero.it",
    "yahoo.co.uk",
    "btinternet.com",
    "wp.pl",
    "rediffmail.com",
    "uol.com.br",
    "telia.com",
    "live.nl",
    "hotmail.es",
    "mail.com",
    "fastmail.com",
    "yandex.com",
    "zoho.com",
)
_TAGS = ("news", "shop", "work", "spam", "2024", "billing", "travel")


def _domain(ctx: Ctx) -> str:
    r = ctx.rng.random()
    if r < 0.45:
        return ctx.rng.choice(_FREE_DOMAINS)
    if r < 0.85:
        return ctx.faker().domain_name()
    word = _ascii(ctx.rng.choice(_ORG_A)) or "acme"
    return f"{word}{ctx.rng.choice(['', '-' + _ascii(ctx.rng.choice(_ORG_B))])}." + ctx.rng.choice(
        ["com", "io", "co.uk", "de", "fr", "net", "org", "eu", "co", "ai", "com.br", "in"]
    )


def email(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    if ctx.identity is not None and rng.random() < 0.55:
        first, last = ctx.identity
    else:
        first, last = _name_parts(ctx)
    f, la = _ascii(first) or "user", _ascii(last) or "mail"
    pattern = _w(
        rng,
        [
            (20, "f.l"),
            (8, "f_l"),
            (10, "fl_init"),
            (6, "fl"),
            (6, "f"),
            (8, "fnum"),
            (5, "l.f"),
            (4, "tag"),
            (4, "f.l.num"),
            (4, "role"),
            (25, "faker"),
        ],
    )
    if pattern == "f.l":
        local = f"{f}.{la}"
    elif pattern == "f_l":
        local = f"{f}_{la}"
    elif pattern == "fl_init":
        local = f"{f[0]}{la}"
    elif pattern == "fl":
        local = f"{f}{la}"
    elif pattern == "f":
        local = f
    elif pattern == "fnum":
        local = f"{f}{rng.randint(1, 99) if rng.random() < 0.6 else rng.randint(1950, 2010)}"
    elif pattern == "l.f":
        local = f"{la}.{f}"
    elif pattern == "tag":
        local = f"{f}.{la}+{rng.choice(_TAGS)}"
    elif pattern == "f.l.num":
        local = f"{f}.{la}{rng.randint(1, 999)}"
    elif pattern == "role":
        local = rng.choice(
            ["info", "support", "billing", "hr", "contact", "sales", "admin", "jobs", "office"]
        )
    else:
        local = ctx.faker().user_name()
    address = f"{local}@{_domain(ctx)}"
    if rng.random() < 0.05:
        address = f"{local.capitalize()}@{_domain(ctx).capitalize()}"
    return Value(address)


# --------------------------------------------------------------------------------------------
# PHONE_NUMBER
# --------------------------------------------------------------------------------------------


def _phone_us(rng: random.Random) -> str:
    a, e, ln = str(rng.randint(201, 989)), str(rng.randint(200, 999)), _digits(rng, 4)
    if rng.random() < 0.08:
        a = rng.choice(["800", "888", "877", "866"])
    fmts = [
        f"({a}) {e}-{ln}",
        f"{a}-{e}-{ln}",
        f"{a}.{e}.{ln}",
        f"{a} {e} {ln}",
        f"+1 {a} {e} {ln}",
        f"+1-{a}-{e}-{ln}",
        f"+1 ({a}) {e}-{ln}",
        f"1-{a}-{e}-{ln}",
        f"{a}{e}{ln}",
        f"+1{a}{e}{ln}",
        f"({a}){e}-{ln}",
        f"+1.{a}.{e}.{ln}",
    ]
    return rng.choice(fmts)


def _phone_gb(rng: random.Random) -> str:
    m, n = _digits(rng, 3), _digits(rng, 6)
    ldn = f"{_digits(rng, 4)} {_digits(rng, 4)}"
    return rng.choice(
        [
            f"07{m} {n}",
            f"+44 7{m} {n}",
            f"+44 (0)7{m} {n}",
            f"07{m}{n}",
            f"020 {ldn}",
            f"+44 20 {ldn}",
            f"0161 {_digits(rng, 3)} {_digits(rng, 4)}",
            f"+447{m}{n}",
        ]
    )


def _phone_de(rng: random.Random) -> str:
    mob = rng.choice(["151", "152", "160", "170", "171", "176", "157"])
    n = _digits(rng, 8)
    return rng.choice(
        [
            f"+49 {mob} {n}",
            f"+49 (0){mob} {n[:4]} {n[4:]}",
            f"0{mob}/{n}",
            f"0{mob} {n}",
            f"+49 30 {_digits(rng, 7)}",
            f"030 {_digits(rng, 8)}",
            f"089/{_digits(rng, 7)}",
            f"0049 {mob} {n}",
            f"+49-{mob}-{n}",
        ]
    )


def _phone_fr(rng: random.Random) -> str:
    p = [_digits(rng, 2) for _ in range(4)]
    lead = rng.choice(["6", "7", "1", "4"])
    return rng.choice(
        [
            f"+33 {lead} {' '.join(p)}",
            f"0{lead} {' '.join(p)}",
            f"0{lead}.{'.'.join(p)}",
            f"+33 (0){lead} {' '.join(p)}",
            f"0{lead}{''.join(p)}",
            f"+33{lead}{''.join(p)}",
        ]
    )


def _phone_other(rng: random.Random) -> str:
    return rng.choice(
        [
            f"+91 9{_digits(rng, 4)} {_digits(rng, 5)}",
            f"+91-9{_digits(rng, 9)}",
            f"09{_digits(rng, 9)}",
            f"+34 6{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}",
            f"6{_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
            f"+31 6 {_digits(rng, 8)}",
            f"06-{_digits(rng, 8)}",
            f"+39 3{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 4)}",
            f"+55 11 9{_digits(rng, 4)}-{_digits(rng, 4)}",
            f"(11) 9{_digits(rng, 4)}-{_digits(rng, 4)}",
            f"+48 {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}",
            f"+46 70 {_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}",
            f"070-{_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}",
            f"+61 4{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}",
            f"+353 8{_digits(rng, 1)} {_digits(rng, 3)} {_digits(rng, 4)}",
            f"+41 79 {_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}",
            f"+43 664 {_digits(rng, 7)}",
            f"+45 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
            f"+{rng.randint(30, 49)}{_digits(rng, 9)}",
        ]
    )


_PHONE_BY_LANG: dict[str, Callable[[random.Random], str]] = {
    "en_US": _phone_us,
    "en_CA": _phone_us,
    "en_GB": _phone_gb,
    "de_DE": _phone_de,
    "de_AT": _phone_de,
    "fr_FR": _phone_fr,
}


def phone(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    r = rng.random()
    if r < 0.4:
        num = ctx.faker().phone_number()
    elif r < 0.75:
        num = _PHONE_BY_LANG.get(ctx.locale, _phone_other)(rng)
    else:
        num = rng.choice([_phone_us, _phone_gb, _phone_de, _phone_fr, _phone_other])(rng)
    if "x" not in num and "ext" not in num and rng.random() < 0.07:
        num += rng.choice([" ext. ", " ext ", " x", " x.", " Ext. "]) + _digits(
            rng, rng.randint(2, 4)
        )
    return Value(num)


# --------------------------------------------------------------------------------------------
# CREDIT_CARD / IBAN_CODE / US_SSN (with valid checksums)
# --------------------------------------------------------------------------------------------


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload`` + digit pass Luhn (python-stdnum's, as the runtime's)."""
    return int(luhn.calc_check_digit(payload))


_CARD_BRANDS: tuple[tuple[float, tuple[str, ...], int], ...] = (
    (40, ("4",), 16),
    (22, ("51", "52", "53", "54", "55", "2221", "2500", "2720"), 16),
    (12, ("34", "37"), 15),
    (8, ("6011", "65", "644"), 16),
    (5, ("3528", "3530", "3589"), 16),
    (4, ("36", "38", "300", "305"), 14),
    (3, ("6759", "6304"), 16),
    (3, ("4",), 13),
    (3, ("62",), 16),
)
_CARD_WEIGHTS = tuple(w for w, _, _ in _CARD_BRANDS)


def _card_digits(rng: random.Random) -> str:
    _, prefixes, length = rng.choices(_CARD_BRANDS, weights=_CARD_WEIGHTS)[0]
    prefix = rng.choice(prefixes)
    body = prefix + _digits(rng, length - len(prefix) - 1)
    return body + str(luhn_check_digit(body))


def _group_card(digits: str, sep: str) -> str:
    if len(digits) in (14, 15):  # Diners / Amex: 4-6-4 / 4-6-5
        groups = [digits[:4], digits[4:10], digits[10:]]
    elif len(digits) == 13:
        groups = [digits[:4], digits[4:8], digits[8:]]
    else:
        groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return sep.join(groups)


def credit_card(ctx: Ctx, variant: str | None) -> Value:
    digits = _card_digits(ctx.rng)
    sep = _w(ctx.rng, [(35, ""), (45, " "), (20, "-")])
    return Value(digits if not sep else _group_card(digits, sep))


def invalid_card_number(rng: random.Random) -> str:
    """A 16-digit number that fails Luhn: used as an unlabelled reference number."""
    body = _digits(rng, 15)
    good = luhn_check_digit(body)
    bad = (good + rng.randint(1, 9)) % 10
    digits = body + str(bad)
    return rng.choice([digits, _group_card(digits, " "), _group_card(digits, "-")])


# country -> BBAN spec: sequence of (kind, length); kind n=digits, a=upper letters, c=alnum
_IBAN_SPECS: dict[str, tuple[tuple[str, int], ...]] = {
    "DE": (("n", 18),),
    "GB": (("a", 4), ("n", 14)),
    "FR": (("n", 10), ("c", 11), ("n", 2)),
    "ES": (("n", 20),),
    "IT": (("a", 1), ("n", 10), ("c", 12)),
    "NL": (("a", 4), ("n", 10)),
    "BE": (("n", 12),),
    "AT": (("n", 16),),
    "CH": (("n", 5), ("c", 12)),
    "PL": (("n", 24),),
    "SE": (("n", 20),),
    "PT": (("n", 21),),
    "IE": (("a", 4), ("n", 14)),
    "DK": (("n", 14),),
    "FI": (("n", 14),),
    "NO": (("n", 11),),
    "LU": (("n", 3), ("c", 13)),
    "CZ": (("n", 20),),
    "BR": (("n", 23), ("a", 1), ("c", 1)),
    "GR": (("n", 7), ("c", 16)),
}
_IBAN_BY_LOCALE = {
    "de_DE": "DE",
    "de_AT": "AT",
    "de_CH": "CH",
    "en_GB": "GB",
    "en_IE": "IE",
    "fr_FR": "FR",
    "es_ES": "ES",
    "it_IT": "IT",
    "nl_NL": "NL",
    "pt_BR": "BR",
    "pt_PT": "PT",
    "pl_PL": "PL",
    "sv_SE": "SE",
    "da_DK": "DK",
    "fi_FI": "FI",
    "no_NO": "NO",
    "cs_CZ": "CZ",
}
_ALNUM_UPPER = string.ascii_uppercase + string.digits


def iban_mod97(iban: str) -> int:
    """ISO 7064 MOD 97-10 remainder of the rearranged IBAN (python-stdnum's, as the runtime's)."""
    s = iban.replace(" ", "")
    return mod_97_10.checksum(s[4:] + s[:4])


def make_iban(rng: random.Random, country: str) -> str:
    bban = ""
    for kind, n in _IBAN_SPECS[country]:
        pool = {"n": string.digits, "a": string.ascii_uppercase, "c": _ALNUM_UPPER}[kind]
        bban += "".join(rng.choice(pool) for _ in range(n))
    check = 98 - iban_mod97(f"{country}00{bban}")
    return f"{country}{check:02d}{bban}"


def iban(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    country = _IBAN_BY_LOCALE.get(ctx.locale) if rng.random() < 0.6 else None
    country = country or rng.choice(list(_IBAN_SPECS))
    code = make_iban(rng, country)
    if rng.random() < 0.55:
        code = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    return Value(code)


def ssn(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    area = rng.randint(1, 899)
    while area == 666:
        area = rng.randint(1, 899)
    a, g, s = f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"
    fmt = _w(rng, [(78, "-"), (14, ""), (8, " ")])
    return Value(fmt.join((a, g, s)))


# --------------------------------------------------------------------------------------------
# STREET_ADDRESS / LOCATION
# --------------------------------------------------------------------------------------------

_MILITARY = ("PSC ", "USNS ", "USS ", "USCGC ", "USNV ", "Unit ", " APO ", " FPO ", " DPO ")


def _clean_address(s: str) -> str:
    s = s.replace("\n", ", ")
    while "  " in s:
        s = s.replace("  ", " ")
    return s.replace(" ,", ",").strip(" ,")


def street_address(ctx: Ctx, variant: str | None) -> Value:
    fk = ctx.faker()
    if variant is None:
        variant = "full" if ctx.rng.random() < 0.4 else "street"
    for _ in range(5):
        s = _clean_address(fk.address() if variant == "full" else fk.street_address())
        if not any(m in f" {s}" for m in _MILITARY):
            return Value(s)
    return Value(_clean_address(fk.street_address()))


_REAL_CITIES = (
    "London",
    "Manchester",
    "Edinburgh",
    "Dublin",
    "Paris",
    "Lyon",
    "Marseille",
    "Berlin",
    "Munich",
    "Hamburg",
    "Vienna",
    "Zurich",
    "Geneva",
    "Madrid",
    "Barcelona",
    "Valencia",
    "Lisbon",
    "Porto",
    "Rome",
    "Milan",
    "Naples",
    "Amsterdam",
    "Rotterdam",
    "Brussels",
    "Copenhagen",
    "Stockholm",
    "Oslo",
    "Helsinki",
    "Warsaw",
    "Krakow",
    "Prague",
    "Budapest",
    "Athens",
    "Istanbul",
    "New York",
    "Los Angeles",
    "Chicago",
    "Houston",
    "San Francisco",
    "Seattle",
    "Boston",
    "Austin",
    "Denver",
    "Miami",
    "Atlanta",
    "Toronto",
    "Vancouver",
    "Montreal",
    "Mexico City",
    "São Paulo",
    "Rio de Janeiro",
    "Buenos Aires",
    "Bogotá",
    "Lima",
    "Santiago",
    "Mumbai",
    "Delhi",
    "Bangalore",
    "Chennai",
    "Hyderabad",
    "Singapore",
    "Hong Kong",
    "Tokyo",
    "Osaka",
    "Seoul",
    "Beijing",
    "Shanghai",
    "Sydney",
    "Melbourne",
    "Auckland",
    "Cape Town",
    "Johannesburg",
    "Nairobi",
    "Lagos",
    "Cairo",
    "Dubai",
    "Tel Aviv",
)
_EN_STATES = ("en_US", "en_AU", "en_IN", "es_MX", "de_DE", "it_IT", "pt_BR", "es_ES")


def location(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    if variant is None:
        variant = _w(
            rng,
            [(45, "city"), (22, "country"), (10, "state"), (13, "citycountry"), (10, "citystate")],
        )

    def city() -> str:
        if rng.random() < 0.45:
            return rng.choice(_REAL_CITIES)
        name = ctx.faker().city()
        # pt_BR's Faker cities are often bare surnames ("Gomes"), which would teach PERSON/LOC
        # confusion; fall back to a real city for those.
        return rng.choice(_REAL_CITIES) if ctx.locale == "pt_BR" and " " not in name else name

    def country() -> str:
        return ctx.faker("en_US").country()

    if variant == "city":
        return Value(city())
    if variant == "country":
        return Value(country())
    if variant == "citycountry":
        return Value(f"{city()}, {country()}")
    loc = ctx.locale if ctx.locale in _EN_STATES else "en_US"
    fk = ctx.faker(loc)
    if variant == "state":
        return Value(fk.state())
    if variant == "citystate":
        if loc == "en_US":
            st = fk.state_abbr() if rng.random() < 0.7 else fk.state()
        else:
            st = fk.state()
        return Value(f"{fk.city()}, {st}")
    raise ValueError(f"unknown LOCATION variant {variant!r}")


# --------------------------------------------------------------------------------------------
# DATE_TIME
# --------------------------------------------------------------------------------------------

_MONTHS = tuple(calendar.month_name)[1:]
_MONTHS_ABBR = tuple(calendar.month_abbr)[1:]
_DAYS = tuple(calendar.day_name)
_DAYS_ABBR = tuple(calendar.day_abbr)


def _ordinal(d: int) -> str:
    if 10 <= d % 100 <= 20:
        return f"{d}th"
    return str(d) + {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


def _fmt_date(rng: random.Random, t: dt.datetime) -> str:
    y, m, d = t.year, t.month, t.day
    mn, ma = _MONTHS[m - 1], _MONTHS_ABBR[m - 1]
    wd, wa = _DAYS[t.weekday()], _DAYS_ABBR[t.weekday()]
    fmts = (
        f"{y:04d}-{m:02d}-{d:02d}",
        f"{m:02d}/{d:02d}/{y}",
        f"{m}/{d}/{y}",
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y % 100:02d}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d}.{m}.{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d} {mn} {y}",
        f"{mn} {d}, {y}",
        f"{mn} {_ordinal(d)}",
        f"{_ordinal(d)} {mn}",
        f"{_ordinal(d)} of {mn} {y}",
        f"{mn} {_ordinal(d)}, {y}",
        f"{ma} {d}",
        f"{ma} {d}, {y}",
        f"{d} {ma} {y}",
        f"{d}-{ma}-{y}",
        f"{wd}, {mn} {d}",
        f"{wa}, {d} {ma} {y}",
        f"{wd} {d} {mn}",
        f"{mn} {y}",
        f"{y}/{m:02d}/{d:02d}",
        f"{ma}. {d}, {y}",
    )
    return rng.choice(fmts)


def _fmt_time(rng: random.Random, t: dt.datetime) -> str:
    hh, mm, ss = t.hour, t.minute, t.second
    h12 = hh % 12 or 12
    ap = "AM" if hh < 12 else "PM"
    fmts = (
        f"{hh:02d}:{mm:02d}",
        f"{hh}:{mm:02d}",
        f"{hh:02d}:{mm:02d}:{ss:02d}",
        f"{h12}:{mm:02d} {ap}",
        f"{h12}:{mm:02d}{ap.lower()}",
        f"{h12}{ap.lower()}",
        f"{h12} {ap.lower()}",
        f"{h12}:{mm:02d} {ap[0].lower()}.m.",
        f"{hh:02d}h{mm:02d}",
        f"{h12}.{mm:02d}{ap.lower()}",
    )
    return rng.choice(fmts)


def _fmt_ts(rng: random.Random, t: dt.datetime) -> str:
    ms = rng.randint(0, 999)
    base = f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
    clock = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    tz = rng.choice(["+00:00", "+01:00", "+02:00", "-05:00", "-08:00", "+05:30"])
    return rng.choice(
        (
            f"{base}T{clock}Z",
            f"{base}T{clock}.{ms:03d}Z",
            f"{base}T{clock}{tz}",
            f"{base} {clock}",
            f"{base} {clock},{ms:03d}",
            f"{base} {clock}.{ms:03d}",
            f"{base}T{clock}",
        )
    )


def _rand_dt(rng: random.Random, lo: int, hi: int) -> dt.datetime:
    y = rng.randint(lo, hi)
    m = rng.randint(1, 12)
    d = rng.randint(1, calendar.monthrange(y, m)[1])
    # Business hours are the common case; anything goes otherwise.
    hh = rng.randint(8, 18) if rng.random() < 0.7 else rng.randint(0, 23)
    mm = rng.choice([0, 0, 15, 30, 45]) if rng.random() < 0.5 else rng.randint(0, 59)
    return dt.datetime(y, m, d, hh, mm, rng.randint(0, 59))


def date_time(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    if variant is None:
        variant = _w(rng, [(50, "date"), (25, "datetime"), (15, "time"), (10, "ts")])
    if variant == "dob":
        return Value(_fmt_date(rng, _rand_dt(rng, 1938, 2006)))
    t = _rand_dt(rng, 2015, 2027)
    if variant == "date":
        return Value(_fmt_date(rng, t))
    if variant == "time":
        return Value(_fmt_time(rng, t))
    if variant == "datetime":
        r = rng.random()
        if r < 0.15:
            return Value(f"{_DAYS[t.weekday()]} at {_fmt_time(rng, t)}")
        sep = rng.choice([" at ", " ", ", ", " @ ", " - "])
        return Value(f"{_fmt_date(rng, t)}{sep}{_fmt_time(rng, t)}")
    if variant == "ts":
        return Value(_fmt_ts(rng, t))
    if variant == "apache":
        return Value(
            f"{t.day:02d}/{_MONTHS_ABBR[t.month - 1]}/{t.year}:"
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
        )
    if variant == "syslog":
        return Value(
            f"{_MONTHS_ABBR[t.month - 1]} {t.day:2d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        )
    if variant == "year":
        return Value(str(t.year))
    raise ValueError(f"unknown DATE_TIME variant {variant!r}")


# --------------------------------------------------------------------------------------------
# IP_ADDRESS / URL
# --------------------------------------------------------------------------------------------


def _ipv4(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.3:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.35:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    first = rng.choice([n for n in range(1, 224) if n not in (10, 127)])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _ipv6(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        addr = ipaddress.IPv6Address((0x20010DB8 << 96) | rng.getrandbits(32))
    elif r < 0.4:
        addr = ipaddress.IPv6Address((0xFE80 << 112) | rng.getrandbits(64))
    else:
        addr = ipaddress.IPv6Address((0x2000 + rng.getrandbits(12)) << 112 | rng.getrandbits(80))
    text = addr.exploded if rng.random() < 0.15 else addr.compressed
    return text.upper() if rng.random() < 0.1 else text


def ip_address(ctx: Ctx, variant: str | None) -> Value:
    if variant is None:
        variant = "v4" if ctx.rng.random() < 0.72 else "v6"
    if variant == "v4":
        return Value(_ipv4(ctx.rng))
    if variant == "v6":
        return Value(_ipv6(ctx.rng))
    raise ValueError(f"unknown IP_ADDRESS variant {variant!r}")


_PATH_WORDS = (
    "account",
    "settings",
    "invoice",
    "orders",
    "track",
    "docs",
    "blog",
    "posts",
    "login",
    "reset-password",
    "profile",
    "careers",
    "help",
    "article",
    "products",
    "checkout",
    "cart",
    "download",
    "share",
    "events",
    "api",
    "v2",
    "search",
    "news",
    "about",
    "contact",
    "support",
    "wiki",
    "meeting",
    "files",
)


def url(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    scheme = _w(
        rng,
        [
            (45, "https://"),
            (10, "http://"),
            (15, "https://www."),
            (5, "http://www."),
            (18, "www."),
            (7, ""),
        ],
    )
    if rng.random() < 0.75:
        host = ctx.faker().domain_name()
    else:
        host = f"{_ascii(rng.choice(_ORG_A))}{rng.choice(['', 'app', 'hq', 'online'])}." + (
            rng.choice(["com", "io", "org", "net", "dev", "co.uk", "de", "app"])
        )
    if scheme.startswith("https://") and "www" not in scheme and rng.random() < 0.15:
        host = rng.choice(["app.", "portal.", "mail.", "docs.", "shop.", "m."]) + host
    if scheme == "" and rng.random() < 0.4:
        host = rng.choice(["bit.ly", "t.co", "tinyurl.com", "goo.gl"])
        path = "/" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(7))
        return Value(host + path)
    path = ""
    if rng.random() < 0.65 or scheme == "":
        segs = rng.sample(_PATH_WORDS, rng.randint(1, 3))
        if rng.random() < 0.3:
            segs.append(_digits(rng, rng.randint(3, 7)))
        path = "/" + "/".join(segs)
        if rng.random() < 0.15:
            path += rng.choice([".html", ".php", ".pdf", "/"])
    elif rng.random() < 0.3:
        path = "/"
    if rng.random() < 0.22:
        path = (path or "/") + rng.choice(
            [
                f"?id={_digits(rng, 5)}",
                "?utm_source=newsletter&utm_medium=email",
                f"?ref={ctx.faker().user_name()}",
                f"?q={rng.choice(_PATH_WORDS)}&page={rng.randint(1, 9)}",
                f"?token={''.join(rng.choice(string.hexdigits.lower()) for _ in range(16))}",
                "#section-2",
            ]
        )
    return Value(f"{scheme}{host}{path}")


# --------------------------------------------------------------------------------------------
# ORGANIZATION
# --------------------------------------------------------------------------------------------

_ORG_A = (
    "Northwind",
    "Blue Harbor",
    "Summit",
    "Acme",
    "Pinecrest",
    "Redwood",
    "Silverline",
    "Brightpath",
    "Ironclad",
    "Evergreen",
    "Cobalt",
    "Atlas",
    "Vertex",
    "Lumen",
    "Nimbus",
    "Orion",
    "Quantum",
    "Riverbend",
    "Sterling",
    "Trident",
    "Crescent",
    "Falcon",
    "Granite",
    "Keystone",
    "Meridian",
    "Oakridge",
    "Pioneer",
    "Sapphire",
    "Westfield",
    "Helix",
    "Nordlicht",
    "Bluebird",
    "Greenleaf",
    "Polaris",
    "Zenith",
)
_ORG_B = (
    "Logistics",
    "Analytics",
    "Health",
    "Capital",
    "Systems",
    "Foods",
    "Dynamics",
    "Labs",
    "Partners",
    "Solutions",
    "Robotics",
    "Energy",
    "Media",
    "Insurance",
    "Bank",
    "Pharma",
    "Software",
    "Consulting",
    "Motors",
    "Telecom",
    "Realty",
    "Holdings",
    "Biotech",
    "Networks",
)
_ORG_SUFFIX = (
    "",
    "",
    " Inc.",
    " Inc",
    " Ltd",
    " Ltd.",
    " LLC",
    " GmbH",
    " Corp.",
    " Corporation",
    " Group",
    " AG",
    " S.A.",
    " plc",
    " Co.",
    " B.V.",
    " SAS",
    " Pty Ltd",
)
_REAL_ORGS = (
    "Google",
    "Microsoft",
    "Amazon",
    "Apple Inc.",
    "Deutsche Bank",
    "Siemens",
    "Unilever",
    "Nestlé",
    "Barclays",
    "HSBC",
    "Accenture",
    "Infosys",
    "Tata Consultancy Services",
    "Spotify",
    "IKEA",
    "Airbus",
    "Philips",
    "Santander",
    "BNP Paribas",
    "Vodafone",
    "Salesforce",
    "Oracle",
    "IBM",
    "Intel",
    "Shopify",
    "Stripe",
    "Zalando",
    "Allianz",
    "Bosch",
    "SAP",
    "Novartis",
    "Roche",
    "Telefónica",
    "Petrobras",
    "Wipro",
    "Ericsson",
    "Volvo",
    "ING",
    "Rabobank",
    "Kaiser Permanente",
    "Mayo Clinic",
    "the Red Cross",
    "UNICEF",
    "Goldman Sachs",
    "JPMorgan Chase",
    "Wells Fargo",
    "Deloitte",
    "PwC",
    "KPMG",
    "Ernst & Young",
)


def organization(ctx: Ctx, variant: str | None) -> Value:
    rng = ctx.rng
    r = rng.random()
    if r < 0.45:
        return Value(ctx.faker().company())
    if r < 0.75:
        name = f"{rng.choice(_ORG_A)} {rng.choice(_ORG_B)}{rng.choice(_ORG_SUFFIX)}"
        return Value(name)
    if r < 0.87:
        org = rng.choice(_REAL_ORGS)
        if org.startswith("the "):  # keep the article outside the span
            return Value(org[4:], pre="the ")
        return Value(org)
    city = rng.choice(_REAL_CITIES) if rng.random() < 0.5 else ctx.faker().city()
    last = ctx.faker().last_name()
    return Value(
        rng.choice(
            [
                f"University of {city}",
                f"{city} General Hospital",
                f"St. {last}'s Hospital",
                f"{last} & {ctx.faker().last_name()} LLP",
                f"{city} City Council",
                f"{last} Family Dental",
                f"{city} Community College",
                f"First National Bank of {city}",
            ]
        )
    )


VALUE_FNS: dict[str, Callable[[Ctx, str | None], Value]] = {
    "PERSON": person,
    "EMAIL_ADDRESS": email,
    "PHONE_NUMBER": phone,
    "CREDIT_CARD": credit_card,
    "IBAN_CODE": iban,
    "US_SSN": ssn,
    "STREET_ADDRESS": street_address,
    "LOCATION": location,
    "DATE_TIME": date_time,
    "IP_ADDRESS": ip_address,
    "URL": url,
    "ORGANIZATION": organization,
}

# --------------------------------------------------------------------------------------------
# Unlabelled fillers: look-alikes (numbers, IDs, amounts) that must NOT be tagged.
# --------------------------------------------------------------------------------------------

_PRODUCTS = (
    "wireless mouse",
    "standing desk",
    "coffee grinder",
    "USB-C hub",
    "yoga mat",
    "noise-cancelling headphones",
    "air fryer",
    "office chair",
    "monitor arm",
    "hiking boots",
    "phone case",
    "mechanical keyboard",
    "water bottle",
    "desk lamp",
    "backpack",
)


def _amount(rng: random.Random) -> str:
    v = rng.choice([rng.randint(1, 99), rng.randint(100, 9999), rng.randint(10000, 250000)])
    cents = rng.randint(0, 99)
    r = rng.random()
    if r < 0.35:
        return f"${v:,}.{cents:02d}"
    if r < 0.5:
        if rng.random() < 0.5:
            return f"€{v:,}.{cents:02d}"
        return f"{v:,}".replace(",", ".") + f",{cents:02d} €"  # continental style
    if r < 0.62:
        return f"£{v:,}"
    if r < 0.75:
        return f"{rng.choice(['USD', 'EUR', 'GBP', 'CHF', 'INR'])} {v:,}.{cents:02d}"
    if r < 0.85:
        return f"{v}.{cents:02d} {rng.choice(['USD', 'EUR', 'SEK', 'PLN'])}"
    return f"${v}"


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


FILLERS: dict[str, Callable[[random.Random], str]] = {
    "order": lambda r: r.choice(
        [
            f"#{r.randint(10000, 999999)}",
            f"ORD-{r.randint(2019, 2026)}-{r.randint(1000, 99999)}",
            f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}-{r.randint(1000000, 9999999)}",
            f"A{r.randint(100000, 999999)}",
            str(r.randint(10000, 9999999)),
        ]
    ),
    "invoice": lambda r: r.choice(
        [
            f"INV-{r.randint(2019, 2026)}-{r.randint(1, 9999):04d}",
            f"INV{r.randint(10000, 99999)}",
            f"{r.randint(2019, 2026)}/{r.randint(1, 999):03d}",
        ]
    ),
    "tracking": lambda r: r.choice(
        [
            "1Z" + "".join(r.choice(_ALNUM_UPPER) for _ in range(16)),
            f"JD{_digits(r, 16)}",
            f"{_digits(r, 12)}",
            f"LX{_digits(r, 9)}DE",
            f"TBA{_digits(r, 12)}",
        ]
    ),
    "version": lambda r: r.choice(
        [
            f"{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 40)}",
            f"v{r.randint(0, 12)}.{r.randint(0, 30)}",
            f"v{r.randint(0, 5)}.{r.randint(0, 30)}.{r.randint(0, 40)}-rc{r.randint(1, 4)}",
            f"{r.randint(1, 3)}.{r.randint(0, 9)}",
        ]
    ),
    "amount": _amount,
    "ticket": lambda r: r.choice(
        [
            f"#{r.randint(100, 99999)}",
            f"TCK-{r.randint(1000, 99999)}",
            f"{r.choice(['OPS', 'SUP', 'IT', 'HR', 'BUG', 'CS'])}-{r.randint(10, 9999)}",
            f"SR{r.randint(100000, 999999)}",
        ]
    ),
    "ref": invalid_card_number,
    "num": lambda r: str(r.choice([r.randint(1, 12), r.randint(2, 60), r.randint(100, 5000)])),
    "sku": lambda r: (
        f"SKU-{''.join(r.choice(string.ascii_uppercase) for _ in range(2))}-{r.randint(100, 9999)}"
    ),
    "uuid": lambda r: f"{_hex(r, 8)}-{_hex(r, 4)}-4{_hex(r, 3)}-{_hex(r, 4)}-{_hex(r, 12)}",
    "hash": lambda r: _hex(r, r.choice([7, 8, 12, 40])),
    "product": lambda r: r.choice(_PRODUCTS),
    "duration": lambda r: r.choice(
        [f"{r.randint(1, 999)}ms", f"{r.randint(1, 59)}.{r.randint(0, 9)}s", f"{r.randint(1, 9)}m"]
    ),
    "percent": lambda r: f"{r.randint(1, 99)}%",
    "code": lambda r: r.choice(
        [f"E{r.randint(1000, 9999)}", f"ERR_{r.randint(100, 999)}", f"0x{_hex(r, 8).upper()}"]
    ),
    "port": lambda r: str(r.choice([22, 80, 443, 8080, 8443, 3306, 5432, r.randint(1024, 65535)])),
    "status": lambda r: str(r.choice([200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503])),
    "otp": lambda r: _digits(r, r.choice([4, 6, 6, 8])),
    "last4": lambda r: _digits(r, 4),
    "cvv": lambda r: _digits(r, 3),
    "path": lambda r: "/" + "/".join(r.sample(_PATH_WORDS, r.randint(1, 3))),
    "svc": lambda r: r.choice(["root", "deploy", "admin", "svc-backup", "ci-runner", "ubuntu"]),
    "host": lambda r: (
        f"{r.choice(['web', 'db', 'api', 'worker', 'cache', 'edge'])}-{r.randint(1, 40):02d}"
    ),
    "qty": lambda r: str(r.randint(1, 12)),
}
