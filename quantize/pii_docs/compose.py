"""The document builder: text assembled piece by piece, spans recorded as entities are added.

Why a builder: an entity's offsets are the running length when it is appended, after every
transformation (case, typos, dropped punctuation) has already been applied to that piece, so
``text[start:end]`` is the value by construction and no span is ever found by searching.
Phrases from ``phrases.py`` are parsed once into literal and slot parts; slots are filled
here from ``values.py`` and from the document's people, so a name, its e-mail and its company
agree within one document.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from functools import cache

from . import values as V
from .phrases import (
    CATEGORIES,
    DEPARTMENTS,
    EMAIL_BODY,
    FOREIGN,
    GENRES,
    HEADINGS,
    HR_NOTES,
    JOB_TITLES,
    LEGAL_NOTES,
    MAGAZINES,
    PRODUCTS,
    PROSE,
    SUBJECTS,
    TICKET_DESC,
    split_pool,
)

# Pools of free sentences that a document in another language may take its sentences from.
_PROSE_POOLS = frozenset(map(id, (EMAIL_BODY, PROSE, TICKET_DESC, LEGAL_NOTES, HR_NOTES)))
# Types whose text may be re-cased or mistyped without changing what it is.
_CASEABLE = frozenset(
    {"PERSON", "ORGANIZATION", "LOCATION", "STREET_ADDRESS", "DATE_TIME", "EMAIL_ADDRESS", "URL"}
)
_TYPO_OK = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "STREET_ADDRESS"})
KIN_RATE = 0.1  # share of first names written after a kinship word or role ("Aunty Bisi")
TIME_RANGE_RATE = 0.25  # share of times written as a range of two times
_PUNCT = str.maketrans("", "", ".,;:!?")
_SLOT_RE = re.compile(r"\{([A-Za-z_0-9]+)\}")


class Person:
    """One person of a document: a name and, drawn when first needed, their details."""

    __slots__ = ("_email", "_org", "_phone", "locale", "name")

    def __init__(self, rng: random.Random, locale: str) -> None:
        self.locale = locale
        self.name = V.make_name(rng, locale)
        self._org: tuple[str, str] | None = None
        self._email: str | None = None
        self._phone: str | None = None

    def org(self, rng: random.Random) -> tuple[str, str]:
        if self._org is None:
            self._org = V.organization(rng, self.locale)
        return self._org

    def email(self, rng: random.Random) -> str:
        if self._email is None:
            org = self.org(rng)[1] if rng.random() < 0.5 else None
            self._email = V.email(rng, self.name, org)
        return self._email

    def phone(self, rng: random.Random) -> str:
        if self._phone is None:
            self._phone = V.phone(rng, self.locale)
        return self._phone


class Doc:
    """Text pieces, spans and the per-document state (locale, people, noise settings)."""

    def __init__(self, rng: random.Random, split: str, locale: str, budget: int) -> None:
        self.rng = rng
        self.split = split
        self.locale = locale
        self.budget = budget
        self.pieces: list[str] = []
        self.pos = 0
        self.bytes = 0
        self.spans: list[dict[str, object]] = []
        self.people: list[Person] = []
        self.focus: Person | None = None  # who "{P}"/"{F}" mean while set (a greeting's addressee)
        self.case = "keep"
        self.typo_rate = 0.0
        self.drop_punct = False
        self.wrap = 0.0  # share of a literal's spaces that become line breaks

    # ------------------------------------------------------------------ assembling
    def _add(self, s: str) -> None:
        self.pieces.append(s)
        self.pos += len(s)
        self.bytes += len(s.encode("utf-8"))

    def _cased(self, s: str) -> str:
        if self.case == "lower":
            return s.lower()
        if self.case == "upper":
            return s.upper()
        return s

    def lit(self, s: str) -> None:
        """Unlabelled text, with the document's noise applied."""
        if not s:
            return
        if self.drop_punct:
            s = s.translate(_PUNCT)
        if self.typo_rate:
            s = typos(self.rng, s, self.typo_rate)
        if self.wrap and " " in s:  # hard-wrapped text: a line break where a space was
            s = " ".join(w + ("\n" if self.rng.random() < self.wrap else "") for w in s.split(" "))
            s = s.replace("\n ", "\n")
        s = self._cased(s)
        if s:
            self._add(s)

    def ent(self, label: str, s: str, pre: str = "", post: str = "") -> None:
        """An entity (with unlabelled ``pre``/``post`` context such as a title)."""
        self.lit(pre)
        s = s.strip()
        if not s:
            raise ValueError(f"empty {label} value")
        if label in _CASEABLE:
            s = self._cased(s)
        if self.typo_rate and label in _TYPO_OK and self.rng.random() < 0.15:
            s = typos(self.rng, s, 0.3).strip() or s
        start = self.pos
        self._add(s)
        self.spans.append({"start": start, "end": self.pos, "label": label})
        self.lit(post)

    def nl(self, n: int = 1) -> None:
        self._add("\n" * n)

    def raw(self, s: str) -> None:
        """Structure no noise may touch (a chat's "name: " separator: without its colon two
        PERSON spans would read as one full name)."""
        self._add(self._cased(s))

    def tokens(self) -> float:
        """A cheap estimate of the MiniLM tokens so far: UTF-8 bytes / 2.8, calibrated on these
        documents with the real tokenizer (median ratio 1.0; a CJK character is 3 bytes and
        about one token)."""
        return self.bytes / 2.8

    def room(self, need: int = 0) -> bool:
        return self.tokens() + need < self.budget

    def text(self) -> str:
        return "".join(self.pieces)

    # ------------------------------------------------------------------ people
    def person(self, new: float = 0.5) -> Person:
        rng = self.rng
        if self.focus is not None and new < 1.0:
            return self.focus
        if not self.people or (len(self.people) < 5 and rng.random() < new):
            loc = self.locale if rng.random() < 0.7 else V.pick_locale(rng)
            self.people.append(Person(rng, loc))
            return self.people[-1]
        return rng.choice(self.people)

    def name(self, p: Person | None = None) -> None:
        p = p or self.person()
        pre, text, post = V.person_forms(self.rng, p.name)
        self.ent("PERSON", text, pre, post)

    def pick(self, pool: tuple[str, ...]) -> str:
        """An item of ``pool`` from this document's split only."""
        return self.rng.choice(_split(pool, self.split))

    def say(self, phrase: str) -> None:
        """Render a phrase: literals through ``lit``, ``{SLOT}``s through their fillers."""
        for part in _parse(phrase):
            if isinstance(part, str):
                self.lit(part)
            else:
                SLOTS[part[0]](self)

    def say_from(self, pool: tuple[str, ...]) -> None:
        """A phrase of ``pool`` or, a third of the time in a document whose locale speaks
        German, French, Spanish, Italian, Dutch or Portuguese, one in that language."""
        foreign = FOREIGN.get(self.locale[:2])
        if foreign and id(pool) in _PROSE_POOLS and self.rng.random() < 0.35:
            pool = foreign
        self.say(self.pick(pool))


@cache
def _split(pool: tuple[str, ...], split: str) -> tuple[str, ...]:
    return split_pool(pool, split)


@cache
def _parse(phrase: str) -> tuple[str | tuple[str], ...]:
    parts: list[str | tuple[str]] = []
    pos = 0
    for m in _SLOT_RE.finditer(phrase):
        if m.start() > pos:
            parts.append(phrase[pos : m.start()])
        if m.group(1) not in SLOTS:
            raise ValueError(f"unknown slot {{{m.group(1)}}} in phrase {phrase!r}")
        parts.append((m.group(1),))
        pos = m.end()
    if pos < len(phrase):
        parts.append(phrase[pos:])
    return tuple(parts)


_KEYB = "qwertyuiopasdfghjklzxcvbnm"


def typos(rng: random.Random, s: str, rate: float) -> str:
    """Swap, drop or double a letter in about ``rate`` of the words (typed in a hurry)."""
    words = s.split(" ")
    for i, w in enumerate(words):
        if len(w) > 3 and w.isalpha() and rng.random() < rate:
            j = rng.randrange(1, len(w) - 1)
            op = rng.randrange(4)
            if op == 0:
                w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            elif op == 1:
                w = w[:j] + w[j + 1 :]
            elif op == 2:
                w = w[:j] + w[j] + w[j:]
            else:
                w = w[:j] + rng.choice(_KEYB) + w[j + 1 :]
            words[i] = w
    return " ".join(words)


# ---------------------------------------------------------------------------------- slots
def _p(d: Doc) -> None:
    d.name()


def _first(d: Doc) -> None:
    p = d.person(0.6)
    rng = d.rng
    pre = rng.choice(V.KIN_WORDS) + " " if rng.random() < KIN_RATE else ""
    post = " " + rng.choice(V.EMOJI) if rng.random() < 0.04 else ""
    d.ent("PERSON", p.name.first, pre, post)


def _last(d: Doc) -> None:
    d.ent("PERSON", d.person(0.3).name.last)


def _title(d: Doc) -> None:
    d.lit(d.rng.choice(("Dr.", "Mr.", "Ms.", "Mrs.", "Prof.", "Dr", "Herr", "Frau", "Mme")))


def _first_names(d: Doc) -> None:
    """A list of first names ("Anna, Ben and Chidi"): each name is its own PERSON span."""
    rng = d.rng
    loc = d.locale if rng.random() < 0.8 else V.pick_locale(rng)
    names = dict.fromkeys(V.first_name(rng, loc) for _ in range(rng.randint(2, 4)))
    for i, name in enumerate(names):
        if i:
            d.raw(rng.choice((" and ", " & ")) if i == len(names) - 1 else ", ")
        d.ent("PERSON", name)


def _org(d: Doc) -> None:
    rng = d.rng
    pre, name = d.person(0.5).org(rng) if rng.random() < 0.4 else V.organization(rng, d.locale)
    d.ent("ORGANIZATION", name, pre)


def _addr(d: Doc) -> None:
    """An address in running text, sometimes after a lead-in ("wohnhaft", "domiciliada en"),
    ending in its country (inside the span, the independent set's convention) or followed by
    entry instructions ("buzz 4"), both outside it."""
    rng = d.rng
    p = d.person(0.6)
    lines = V.address_lines(rng, p.locale)
    if rng.random() < 0.15:
        lines.append(V.LOCALES[p.locale][2])
    pre = rng.choice(V.ADDRESS_LEAD_INS) + " " if rng.random() < 0.12 else ""
    post = V.address_tail(rng) if rng.random() < 0.08 else ""
    d.ent("STREET_ADDRESS", ", ".join(lines), pre, post)


def _street(d: Doc) -> None:
    d.ent("STREET_ADDRESS", V.street_only(d.rng, d.person(0.6).locale))


def _dt(kind: str) -> Callable[[Doc], None]:
    def fill(d: Doc) -> None:
        d.ent("DATE_TIME", V.date_time(d.rng, d.locale, kind))
        if kind == "time" and d.rng.random() < TIME_RANGE_RATE:
            # a range ("10:00-14:00") is two DATE_TIME spans, the dash between them outside
            d.raw(d.rng.choice(("-", "–", " - ", " to ", " bis ", "~")))
            d.ent("DATE_TIME", V.date_time(d.rng, d.locale, kind))

    return fill


def _rng_fill(fn: Callable[[random.Random], str]) -> Callable[[Doc], None]:
    return lambda d: d.lit(fn(d.rng))


def _pool_fill(pool: tuple[str, ...]) -> Callable[[Doc], None]:
    return lambda d: d.lit(d.pick(pool))


def _d(r: random.Random, n: int) -> str:
    return V.digits(r, n)


def _hex(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def _amount(r: random.Random) -> str:
    v = r.choice((r.randint(1, 99), r.randint(100, 9999), r.randint(10000, 250000)))
    c = r.randint(0, 99)
    return r.choice(
        (f"${v:,}.{c:02d}", f"€{v:,}.{c:02d}", f"{v:,}".replace(",", ".") + f",{c:02d} €",
         f"£{v:,}", f"USD {v:,}.{c:02d}", f"{v}.{c:02d} CHF", f"¥{v * 100:,}", f"₹{v:,}",
         f"{v} zł", f"R$ {v},{c:02d}")
    )  # fmt: skip


_STATUS = ("open", "pending", "closed", "shipped", "active", "Resolved", "On hold", "PAID", "200")
_PLANS = ("Basic", "Pro", "Enterprise", "Premium", "Starter", "Gold", "Family", "Business Plus")
_PRIORITY = ("High", "Low", "Medium", "P1", "P2", "Urgent", "Normal")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "March", "May", "July", "September", "November", "April", "June", "Dec")
_RELATIVE = ("tomorrow", "next week", "yesterday", "last month", "tonight", "in two weeks")

SLOTS: dict[str, Callable[[Doc], None]] = {
    # entities
    "P": _p,
    "F": _first,
    "L": _last,
    "T": _title,
    "FLIST": _first_names,
    "ORG": _org,
    "LOC": lambda d: d.ent("LOCATION", V.location(d.rng, d.person(0.5).locale)),
    "ADDR": _addr,
    "STREET": _street,
    "DATE": _dt("date"),
    "TIME": _dt("time"),
    "DT": _dt("datetime"),
    "TS": _dt("ts"),
    "DOB": _dt("dob"),
    "PHONE": lambda d: d.ent("PHONE_NUMBER", d.person(0.5).phone(d.rng)),
    "EMAIL": lambda d: d.ent("EMAIL_ADDRESS", d.person(0.5).email(d.rng)),
    "URL": lambda d: d.ent("URL", V.url(d.rng)),
    "IP": lambda d: d.ent("IP_ADDRESS", V.ip(d.rng)),
    "CARD": lambda d: d.ent("CREDIT_CARD", V.group_card(d.rng, V.card_number(d.rng)[1])),
    "IBAN": lambda d: d.ent("IBAN_CODE", V.iban(d.rng, d.locale)),
    "SSN": lambda d: d.ent("US_SSN", V.ssn(d.rng)),
    "SERVICE": lambda d: d.ent("ORGANIZATION", V.service(d.rng)),
    "PAYAPP": lambda d: d.ent("ORGANIZATION", V.service(d.rng, V.PAY_APPS)),
    # unlabelled look-alikes
    "order": _rng_fill(
        lambda r: r.choice(
            (
                f"#{r.randint(10000, 999999)}",
                f"ORD-{r.randint(2019, 2026)}-{r.randint(1000, 99999)}",
                f"{_d(r, 3)}-{_d(r, 7)}-{_d(r, 7)}",
                f"A{_d(r, 6)}",
                _d(r, r.randint(5, 10)),
            )
        )
    ),
    "invoice": _rng_fill(lambda r: f"INV-{r.randint(2019, 2026)}-{r.randint(1, 9999):04d}"),
    "ticket": _rng_fill(
        lambda r: r.choice(
            (
                f"#{r.randint(100, 99999)}",
                f"TCK-{_d(r, 5)}",
                f"SUP-{r.randint(10, 9999)}",
                f"INC{_d(r, 7)}",
                f"CS-{_d(r, 6)}",
            )
        )
    ),
    "sku": _rng_fill(
        lambda r: f"{''.join(r.choice(string.ascii_uppercase) for _ in range(3))}-{_d(r, 4)}"
    ),
    "version": _rng_fill(
        lambda r: r.choice(
            (
                f"{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 40)}",
                f"v{r.randint(0, 12)}.{r.randint(0, 30)}",
                f"{r.randint(1, 3)}.{r.randint(0, 9)}-rc{r.randint(1, 4)}",
            )
        )
    ),
    "amount": _rng_fill(_amount),
    "tracking": _rng_fill(
        lambda r: r.choice(
            (
                "1Z" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                f"JD{_d(r, 16)}",
                _d(r, 12),
                f"LX{_d(r, 9)}DE",
                f"RR{_d(r, 9)}CN",
                f"TBA{_d(r, 12)}",
            )
        )
    ),
    "n5": _rng_fill(lambda r: _d(r, 5)),
    "year": _rng_fill(lambda r: str(r.randint(1990, 2027))),
    "quarter": _rng_fill(lambda r: r.choice(("Q1", "Q2", "Q3", "Q4")) + r.choice(("", " 2025"))),
    "weekday": _rng_fill(lambda r: r.choice(_WEEKDAYS)),
    "month": _rng_fill(lambda r: r.choice(_MONTHS)),
    "rel": _rng_fill(lambda r: r.choice(_RELATIVE)),
    "product": _pool_fill(PRODUCTS),
    "dept": _pool_fill(DEPARTMENTS),
    "genre": _pool_fill(GENRES),
    "mag": _pool_fill(MAGAZINES),
    "heading": _pool_fill(HEADINGS),
    "category": _pool_fill(CATEGORIES),
    "title": _pool_fill(JOB_TITLES),
    "subject": _pool_fill(tuple(s for s in SUBJECTS if "{" not in s)),
    "work": _rng_fill(V.work_title),
    "namelike": _rng_fill(lambda r: r.choice(V.NAME_LIKE_WORDS)),
    "emoji": _rng_fill(lambda r: r.choice(V.EMOJI)),
    "qty": _rng_fill(lambda r: str(r.randint(1, 40))),
    "gift": _rng_fill(lambda r: V.luhn_fail(r, r.choice((16, 16, 19)))),
    "last4": _rng_fill(lambda r: _d(r, 4)),
    "expiry": _rng_fill(lambda r: f"{r.randint(1, 12):02d}/{r.randint(25, 31)}"),
    "mrn": _rng_fill(lambda r: r.choice((_d(r, 8), f"MRN-{_d(r, 7)}", f"H{_d(r, 6)}"))),
    "case": _rng_fill(
        lambda r: r.choice((f"{r.randint(2018, 2026)}-CV-{_d(r, 5)}", f"No. {_d(r, 2)}-{_d(r, 4)}"))
    ),
    "policy": _rng_fill(
        lambda r: f"{''.join(r.choice('ABCDEFGHKLMP') for _ in range(3))}{_d(r, 9)}"
    ),
    "room": _rng_fill(
        lambda r: r.choice((_d(r, 3), f"{r.randint(1, 9)}.{_d(r, 2)}", f"B{_d(r, 3)}"))
    ),
    "pct": _rng_fill(lambda r: f"{r.randint(1, 99)}%"),
    "host": _rng_fill(
        lambda r: (
            f"{r.choice(('web', 'db', 'api', 'worker', 'cache', 'edge'))}-{r.randint(1, 40):02d}"
        )
    ),
    "user": _rng_fill(
        lambda r: (
            r.choice(("jdoe", "mk_88", "sysadmin", "nightowl", "dev_ops", "guest42", "qa-bot"))
            if r.random() < 0.4
            else V.slug(V.brand(r))[:8] + str(r.randint(1, 99))
        )
    ),
    "status": _rng_fill(lambda r: r.choice(_STATUS)),
    "plan": _rng_fill(lambda r: r.choice(_PLANS)),
    "priority": _rng_fill(lambda r: r.choice(_PRIORITY)),
    "ref": _rng_fill(
        lambda r: r.choice((V.luhn_fail(r, 16), f"REF-{_d(r, 6)}", f"{_d(r, 4)}/{_d(r, 2)}"))
    ),
    "code": _rng_fill(
        lambda r: r.choice((f"E{_d(r, 4)}", f"ERR_{_d(r, 3)}", f"0x{_hex(r, 8).upper()}"))
    ),
    "uuid": _rng_fill(
        lambda r: f"{_hex(r, 8)}-{_hex(r, 4)}-4{_hex(r, 3)}-{_hex(r, 4)}-{_hex(r, 12)}"
    ),
}
