"""Document registers: how an e-mail thread, a chat, a ticket, a form, a CSV export, a log, an
invoice, a shipping label... is laid out, each written as code that composes fields and sections.

Why code rather than templates: the layout itself varies (which fields, in what order, with what
separators, one line or several, quoted replies, signatures with or without an address block),
so the model sees entities in positions and neighbourhoods no fixed sentence gives it. The
wording comes from ``phrases.py`` (split-disjoint pools); values from ``values.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from . import values as V
from .compose import SLOTS, Doc, Person
from .phrases import (
    ACTIONS,
    ADDRESS_COLUMNS,
    AGENDA_ITEMS,
    AGENT_REPLIES,
    CATEGORIES,
    CHAT_MSGS,
    CLOSINGS,
    COMMON_CAPS,
    CRM_NOTES,
    CSV_COLUMNS,
    DEPARTMENTS,
    EMAIL_BODY,
    FIELD_KEYS,
    GENRES,
    GREETINGS,
    HEADINGS,
    HR_NOTES,
    JOB_TITLES,
    LEGAL_NOTES,
    MAGAZINES,
    MED_NOTES,
    NEG_COLUMNS,
    NEG_FIELDS,
    NEG_SENTENCES,
    PRODUCTS,
    PROSE,
    QUOTE_HEADERS,
    SUBJECTS,
    TICKET_DESC,
)

_KV_SEPS = (": ", ": ", ":\t", " - ", " = ", ":  ", " | ", ": ")
_FIELD_TYPES = tuple(FIELD_KEYS)
_LOG_KEYS = (
    ("user", "EMAIL_ADDRESS"),
    ("ip", "IP_ADDRESS"),
    ("name", "PERSON"),
    ("phone", "PHONE_NUMBER"),
    ("callback", "URL"),
    ("req", None),
    ("host", None),
    ("ms", None),
)
_CHANGES = (
    "- Fixed {code} in {category} export\n",
    "- {heading}: improved\n",
    "- Bumped dependency to {version}\n",
    "- Closed ticket {ticket}\n",
)


# ------------------------------------------------------------------------------- building blocks
def address_block(d: Doc, p: Person, sep: str = "\n", country: float = 0.25) -> None:
    """A postal address as one STREET_ADDRESS span (over several lines when ``sep`` is a line
    break), sometimes ending in its country: the country line that ends an address stays in the
    STREET_ADDRESS (the independent set's convention, benchmarks/data/README.md); a country
    alone elsewhere is a LOCATION."""
    lines = V.address_lines(d.rng, p.locale)
    if d.rng.random() < country:
        name = V.LOCALES[p.locale][2]
        lines.append(name.upper() if d.rng.random() < 0.3 else name)
    d.ent("STREET_ADDRESS", sep.join(lines))


def field_value(d: Doc, kind: str, p: Person, multiline: bool = False) -> None:
    """The value of one form field of entity type ``kind`` (DOB is a DATE_TIME)."""
    rng = d.rng
    if kind == "PERSON":
        d.name(p)
    elif kind == "EMAIL_ADDRESS":
        d.ent("EMAIL_ADDRESS", p.email(rng))
    elif kind == "PHONE_NUMBER":
        d.ent("PHONE_NUMBER", p.phone(rng))
    elif kind == "STREET_ADDRESS":
        address_block(d, p, "\n" if multiline else ", ", country=0.15)
    elif kind == "LOCATION":
        d.ent("LOCATION", V.location(rng, p.locale))
    elif kind == "ORGANIZATION":
        d.ent("ORGANIZATION", p.org(rng)[1])
    elif kind == "DATE_TIME":
        d.ent("DATE_TIME", V.date_time(rng, d.locale, rng.choice(("date", "datetime", "ts"))))
    elif kind == "DOB":
        d.ent("DATE_TIME", V.date_time(rng, d.locale, "dob"))
    elif kind == "CREDIT_CARD":
        d.ent("CREDIT_CARD", V.group_card(rng, V.card_number(rng)[1]))
    elif kind == "IBAN_CODE":
        d.ent("IBAN_CODE", V.iban(rng, p.locale))
    elif kind == "US_SSN":
        d.ent("US_SSN", V.ssn(rng))
    elif kind == "IP_ADDRESS":
        d.ent("IP_ADDRESS", V.ip(rng))
    elif kind == "URL":
        d.ent("URL", V.url(rng, p.org(rng)[1]))
    else:
        raise ValueError(f"unknown field kind {kind!r}")


def _kinds(d: Doc, k: int, base: tuple[str, ...] = ("PERSON",)) -> list[str]:
    """``base`` then ``k`` more distinct field kinds in a random order."""
    rest = [t for t in (*_FIELD_TYPES, "DOB") if t not in base]
    d.rng.shuffle(rest)
    return list(base) + rest[:k]


def signature(d: Doc, p: Person) -> None:
    rng = d.rng
    d.lit(rng.choice(("--\n", "-- \n", "", "", "___\n", "—\n", "\n")))
    d.name(p) if rng.random() < 0.7 else d.ent("PERSON", p.name.full)
    if rng.random() < 0.6:
        d.lit(rng.choice(("\n", " | ", ", ", " · ")) + d.pick(JOB_TITLES))
    if rng.random() < 0.7:
        d.nl()
        d.ent("ORGANIZATION", p.org(rng)[1])
        if rng.random() < 0.25:
            d.lit(" | " + d.pick(DEPARTMENTS))
    if rng.random() < 0.45:
        d.nl()
        address_block(d, p, "\n" if rng.random() < 0.6 else ", ")
    labels = ("T: ", "M: ", "Tel. ", "Mobile: ", "Direct: ", "Ph ", "☎ ", "Office: ", "Cell ")
    for _ in range(rng.choice((0, 1, 1, 2))):
        d.lit("\n" + rng.choice(labels))
        d.ent("PHONE_NUMBER", V.phone(rng, p.locale))
    if rng.random() < 0.4:
        d.lit("\n" + rng.choice(("", "E: ", "Email: ", "✉ ")))
        d.ent("EMAIL_ADDRESS", p.email(rng))
    if rng.random() < 0.3:
        d.lit("\n" + rng.choice(("", "W: ", "Web: ")))
        d.ent("URL", V.url(rng, p.org(rng)[1]))
    if rng.random() < 0.12:
        d.lit(
            "\n"
            + rng.choice(
                (
                    "Sent from my iPhone",
                    "This e-mail and any attachments are confidential.",
                    "Please consider the environment before printing.",
                    "Confidentiality Notice: intended only for the addressee.",
                    "Get Outlook for Android",
                )
            )
        )


def _header_person(d: Doc, p: Person) -> None:
    """A From/To/Cc address: the e-mail alone, or a name (as written, quoted, or "Last, First")
    with the e-mail in angle brackets."""
    rng = d.rng
    style = rng.randrange(4)
    if style == 1:
        d.name(p)
    elif style == 2:
        d.lit('"')
        d.ent("PERSON", p.name.full)
        d.lit('"')
    elif style == 3:
        d.ent("PERSON", f"{p.name.last}, {p.name.first}" if V.latin(p.locale) else p.name.full)
    d.lit(" <" if style else "")
    d.ent("EMAIL_ADDRESS", p.email(rng))
    d.lit(">" if style else "")


# ------------------------------------------------------------------------------- registers
def email(d: Doc) -> None:
    rng = d.rng
    sender, to = d.person(1.0), d.person(1.0)
    if rng.random() < 0.6:
        d.lit("From: ")
        _header_person(d, sender)
        d.lit("\nTo: ")
        _header_person(d, to)
        if rng.random() < 0.25:
            d.lit("\nCc: ")
            _header_person(d, d.person(1.0))
        if rng.random() < 0.6:
            d.lit("\nDate: ")
            d.ent("DATE_TIME", V.fmt_ts(rng, V.when(rng)))
        d.lit("\nSubject: ")
        d.say_from(SUBJECTS)
        d.lit("\n\n")
    elif rng.random() < 0.5:
        d.lit("Subject: ")
        d.say_from(SUBJECTS)
        d.lit("\n\n")
    d.focus = to  # the greeting names the recipient
    d.say_from(GREETINGS)
    d.focus = None
    d.lit(rng.choice(("\n\n", "\n", " ")))
    for i in range(rng.randint(1, 3)):
        if i and not d.room(25):
            break
        d.say_from(EMAIL_BODY)
        d.lit(rng.choice((" ", " ", "\n", "\n\n")))
    d.lit("\n" + d.pick(CLOSINGS) + "\n")
    signature(d, sender)
    if d.room(30) and rng.random() < 0.45:
        d.lit("\n\n")
        d.focus = to
        d.say_from(QUOTE_HEADERS)
        d.focus = None
        d.nl()
        for _ in range(rng.randint(1, 2)):
            d.lit("> ")
            d.say_from(EMAIL_BODY)
            d.nl()
        if rng.random() < 0.5:
            d.lit("> ")
            d.ent("PERSON", to.name.first)


def chat(d: Doc) -> None:
    rng = d.rng
    members = [d.person(1.0) for _ in range(rng.randint(2, 3))]
    handles: dict[int, tuple[str, str]] = {}
    for i, p in enumerate(members):
        if rng.random() < 0.3:
            stem = V.slug(p.name.first)[:6] or V.slug(V.brand(rng))[:6]
            handles[i] = ("user", stem + str(rng.randint(1, 99)))
        else:
            handles[i] = ("PERSON", p.name.first if rng.random() < 0.7 else p.name.full)
    style = rng.randrange(5)
    t = V.when(rng)
    n = rng.randint(2, 7)
    for k in range(n):
        if k and not d.room(12):
            break
        who = rng.randrange(len(members))
        kind, handle = handles[who]
        if style == 0:
            d.lit("[")
            d.ent("DATE_TIME", f"{t.hh:02d}:{(t.mm + k) % 60:02d}")
            d.lit("] ")
        elif style == 1:
            d.ent("DATE_TIME", f"{t.d:02d}/{t.m:02d}/{t.y}, {t.hh:02d}:{(t.mm + k) % 60:02d}")
            d.lit(" - ")
        elif style == 2:
            d.ent("DATE_TIME", f"{t.y}-{t.m:02d}-{t.d:02d} {t.hh:02d}:{(t.mm + k) % 60:02d}")
            d.lit(" ")
        if kind == "PERSON":
            d.ent("PERSON", handle)
        else:
            d.lit(("@" if rng.random() < 0.3 else "") + handle)
        d.raw(rng.choice((": ", ": ", " > ", ":\n")) if style != 4 else "\n")
        d.say_from(CHAT_MSGS)
        if rng.random() < 0.15:
            d.raw(" " + rng.choice(V.EMOJI))
        d.nl()


def ticket(d: Doc) -> None:
    rng = d.rng
    p = d.person(1.0)
    head = rng.randrange(3)
    if head == 0:
        d.lit(f"Ticket {SLOT('ticket', d)} | Priority: {SLOT('priority', d)} | Status: ")
        d.lit(SLOT("status", d) + "\n")
    elif head == 1:
        d.lit(
            f"[{SLOT('ticket', d)}] {d.pick(PRODUCTS)}: {rng.choice(('issue', 'bug', 'request'))}\n"
        )
    else:
        d.lit("Case " + SLOT("ticket", d) + "\n")
    fields = [("Opened", "DATE_TIME"), ("Customer", "PERSON"), ("Email", "EMAIL_ADDRESS")]
    fields += [("Phone", "PHONE_NUMBER"), ("Company", "ORGANIZATION")]
    rng.shuffle(fields)
    for key, kind in fields[: rng.randint(1, 4)]:
        d.lit(d.pick(FIELD_KEYS[kind]) if rng.random() < 0.5 else key)
        d.lit(rng.choice(_KV_SEPS))
        field_value(d, kind, p)
        d.nl()
    d.lit(rng.choice(("\nDescription:\n", "\n", "Details: ", "\n> ")))
    for _ in range(rng.randint(1, 3)):
        d.say_from(TICKET_DESC)
        d.lit(rng.choice((" ", "\n")))
    if d.room(20) and rng.random() < 0.6:
        d.lit(rng.choice(("\n--- Agent reply ---\n", "\nReply from support:\n", "\n\n")))
        d.focus = p
        d.say_from(AGENT_REPLIES)
        d.focus = None


def note(d: Doc) -> None:
    rng = d.rng
    pool, heads = rng.choice(
        (
            (
                MED_NOTES,
                ("Progress note", "CLINICAL NOTE", "Discharge summary", "Triage", "Consult"),
            ),
            (LEGAL_NOTES, ("File note", "Case summary", "MEMORANDUM", "Attendance note", "Brief")),
            (HR_NOTES, ("HR record", "Personnel file", "Employee update", "Onboarding", "Note")),
        )
    )
    d.person(1.0)
    d.lit(rng.choice(heads))
    if rng.random() < 0.5:
        d.lit(rng.choice((" - ", " – ", ", ", " ")))
        d.ent("DATE_TIME", V.date_time(rng, d.locale, rng.choice(("date", "datetime"))))
    d.lit(rng.choice(("\n", "\n\n", ": ")))
    bullet = rng.choice(("", "", "- ", "* ", "• "))
    for i in range(rng.randint(2, 5)):
        if i > 1 and not d.room(20):
            break
        d.lit(bullet)
        d.say_from(pool)
        d.lit("\n" if bullet or rng.random() < 0.5 else " ")
    if rng.random() < 0.3:
        d.lit(rng.choice(("Signed: ", "— ", "Author: ", "Entered by ")))
        d.name()


def form(d: Doc) -> None:
    rng = d.rng
    p = d.person(1.0)
    if rng.random() < 0.6:
        d.lit(
            rng.choice(
                ("Registration form", "New customer", "Application", "CONTACT DETAILS",
                 "Patient intake", "Booking", "Account update", "Claim form", "Anmeldung",
                 d.pick(HEADINGS))
            )
            + rng.choice(("\n", "\n\n", "\n=====\n"))
        )  # fmt: skip
    sep = rng.choice(_KV_SEPS)
    items: list[tuple[str, str | None]] = [(k, None) for k in _kinds(d, rng.randint(2, 6))]
    for _ in range(rng.randint(0, 3)):
        items.insert(rng.randrange(len(items) + 1), rng.choice(NEG_FIELDS))
    one_line = rng.random() < 0.15
    for i, (kind, neg) in enumerate(items):
        if i and not d.room(12):
            break
        if neg is not None:
            d.lit(kind + sep)
            d.say(neg)
        else:
            d.lit(d.pick(FIELD_KEYS[kind]) + sep)
            multiline = kind == "STREET_ADDRESS" and not one_line and rng.random() < 0.4
            if multiline:
                d.nl()
            field_value(d, kind, p, multiline)
        d.lit("; " if one_line else "\n")
    if rng.random() < ADDRESS_FIELDS_RATE and d.room(20):  # street, town, postcode as fields
        for k, value, label in V.address_columns(rng, p.locale):
            d.lit(d.pick(ADDRESS_COLUMNS[k]) + sep)
            d.ent(label, value)
            d.lit("; " if one_line else "\n")
    if rng.random() < 0.2:
        d.lit(rng.choice(("[x] I agree to the Terms And Conditions", "Signature: ________")))


def _csv_cell(d: Doc, sep: str, kind: str, p: Person) -> None:
    rng = d.rng
    quote = (sep == "," and kind in ("STREET_ADDRESS", "ORGANIZATION")) or rng.random() < 0.1
    if quote:
        d.lit('"')
    if kind == "PERSON" and sep != ",":
        d.ent("PERSON", p.name.full if rng.random() < 0.8 else f"{p.name.last}, {p.name.first}")
    elif kind == "PERSON":
        d.ent("PERSON", p.name.full)
    elif kind == "STREET_ADDRESS":
        d.ent("STREET_ADDRESS", ", ".join(V.address_lines(rng, p.locale)))
    else:
        field_value(d, kind, p)
    if quote:
        d.lit('"')


def table(d: Doc) -> None:
    """CSV / TSV / pipe / Markdown rows with a header."""
    rng = d.rng
    sep = rng.choice((",", ",", ";", "\t", "|", " | "))
    if rng.random() < ADDRESS_TABLE_RATE:
        address_table(d, sep)
        return
    kinds: list[str | tuple[str, str]] = list(_kinds(d, rng.randint(1, 4)))
    for _ in range(rng.randint(0, 2)):
        kinds.insert(rng.randrange(len(kinds) + 1), rng.choice(NEG_COLUMNS))
    header = [k[0] if isinstance(k, tuple) else d.pick(CSV_COLUMNS[k]) for k in kinds]
    if rng.random() < 0.2:
        header = [h.replace("_", " ").title() for h in header]
    md = sep == " | " and rng.random() < 0.5
    d.lit(("| " if md else "") + sep.join(header) + (" |" if md else "") + "\n")
    if md:
        d.lit("|" + "|".join("---" for _ in header) + "|\n")
    for r in range(rng.randint(1, 4)):
        if r and not d.room(15):
            break
        p = d.person(1.0)
        if md:
            d.lit("| ")
        for j, k in enumerate(kinds):
            if j:
                d.lit(sep)
            if isinstance(k, tuple):
                d.say(k[1])
            else:
                _csv_cell(d, sep, k, p)
        d.lit((" |" if md else "") + "\n")


ADDRESS_FIELDS_RATE = 0.15  # forms that end with the address over several fields
ADDRESS_TABLE_RATE = 0.3  # tables whose address is split over street, town, region, postcode...


def address_table(d: Doc, sep: str) -> None:
    """Rows whose address spans several columns: the street cell is a STREET_ADDRESS, each of
    the town, region, postcode and country cells a LOCATION (issue 17: bare postcodes in ZIP or
    PLZ columns were left in clear)."""
    rng = d.rng
    rows = []
    for _ in range(rng.randint(1, 4)):
        p = d.person(1.0)
        rows.append((p, {k: (v, lab) for k, v, lab in V.address_columns(rng, p.locale)}))
    parts = [k for k in ("street", "city", "region", "postcode", "country") if k in rows[0][1]]
    if rng.random() < 0.2:
        parts.remove("street")
    kinds: list[str] = [*(("PERSON",) if rng.random() < 0.8 else ()), *parts]
    extra = rng.choice(((), ("PHONE_NUMBER",), ("EMAIL_ADDRESS",), ("NEG",)))
    for k in extra:
        kinds.insert(rng.randrange(len(kinds) + 1), k)
    neg = rng.choice(NEG_COLUMNS)
    names = {k: d.pick(ADDRESS_COLUMNS[k]) for k in parts}
    names.update({k: d.pick(CSV_COLUMNS[k]) for k in ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS")})
    names["NEG"] = neg[0]
    d.lit(sep.join(names[k] for k in kinds) + "\n")
    for r, (p, cells) in enumerate(rows):
        if r and not d.room(15):
            break
        for j, k in enumerate(kinds):
            if j:
                d.lit(sep)
            if k == "NEG":
                d.say(neg[1])
            elif k in parts:
                if k in cells:
                    value, label = cells[k]
                    quote = sep == "," and "," in value
                    d.ent(label, value, '"' if quote else "", '"' if quote else "")
            else:
                _csv_cell(d, sep, k, p)
        d.lit("\n")


def xml_record(d: Doc) -> None:
    rng = d.rng
    root = rng.choice(("customer", "contact", "patient", "employee", "record", "Person"))
    d.lit(f'<{root} id="{V.digits(rng, 5)}">\n' if rng.random() < 0.6 else f"<{root}>\n")
    for r in range(rng.randint(1, 2)):
        if r and not d.room(20):
            break
        p = d.person(1.0)
        items: list[tuple[str, str | None]] = [(k, None) for k in _kinds(d, rng.randint(1, 4))]
        items.insert(rng.randrange(len(items) + 1), rng.choice(NEG_COLUMNS))
        for kind, neg in items:
            tag = kind if neg is not None else d.pick(CSV_COLUMNS[kind])
            d.lit(f"  <{tag}>")
            d.say(neg) if neg is not None else _json_value(d, kind, p)
            d.lit(f"</{tag}>\n")
    d.lit(f"</{root}>")


def json_record(d: Doc) -> None:
    rng = d.rng
    p = d.person(1.0)
    kinds = _kinds(d, rng.randint(1, 5), ("PERSON",) if rng.random() < 0.8 else ())
    pretty = rng.random() < 0.5
    nl, ind = ("\n", "  ") if pretty else ("", "")
    d.lit("{" + nl)
    items: list[tuple[str, str | None]] = [(k, None) for k in kinds]
    for _ in range(rng.randint(1, 3)):
        items.insert(rng.randrange(len(items) + 1), rng.choice(NEG_COLUMNS))
    for i, (kind, neg) in enumerate(items):
        key = kind if neg is not None else d.pick(CSV_COLUMNS[kind])
        d.lit(f'{ind}"{key}": ')
        if neg is not None and neg == "{qty}" and rng.random() < 0.5:
            d.say(neg)
        else:
            d.lit('"')
            if neg is not None:
                d.say(neg)
            else:
                _json_value(d, kind, p)
            d.lit('"')
        d.lit(("," if i < len(items) - 1 else "") + (nl or (" " if i < len(items) - 1 else "")))
    d.lit("}")


def _json_value(d: Doc, kind: str, p: Person) -> None:
    """A field value as JSON writes it: escape quotes by not producing them, and a line break
    in an address as ``\\n`` (two characters, inside the span)."""
    if kind == "STREET_ADDRESS":
        lines = V.address_lines(d.rng, p.locale)
        d.ent("STREET_ADDRESS", ("\\n" if d.rng.random() < 0.3 else ", ").join(lines))
    elif kind == "PERSON":
        d.ent("PERSON", p.name.full)
    else:
        field_value(d, kind, p)


def yaml_record(d: Doc) -> None:
    rng = d.rng
    d.lit(rng.choice(("", "---\n", "customer:\n", "contacts:\n", "user:\n")))
    for r in range(rng.randint(1, 3)):
        if r and not d.room(20):
            break
        p = d.person(1.0)
        for j, kind in enumerate(_kinds(d, rng.randint(1, 4))):
            d.lit(("- " if j == 0 else "  ") + d.pick(CSV_COLUMNS[kind]) + ": ")
            quoted = rng.random() < 0.3
            d.lit('"' if quoted else "")
            _json_value(d, kind, p) if kind != "STREET_ADDRESS" else field_value(d, kind, p)
            d.lit(('"' if quoted else "") + "\n")
        if rng.random() < 0.5:
            key, val = rng.choice(NEG_COLUMNS)
            d.lit(f"  {key}: ")
            d.say(val)
            d.nl()


def log(d: Doc) -> None:
    rng = d.rng
    style = rng.randrange(4)
    for k in range(rng.randint(1, 5)):
        if k and not d.room(20):
            break
        t = V.when(rng)
        if style == 0:  # Apache / nginx combined log
            d.ent("IP_ADDRESS", V.ip(rng))
            d.lit(" - " + (SLOT("user", d) if rng.random() < 0.3 else "-") + " [")
            d.ent(
                "DATE_TIME",
                f"{t.d:02d}/{V._MON_ABBR[t.m - 1]}/{t.y}:{t.hh:02d}:{t.mm:02d}:{t.ss:02d} +0000",
            )
            path = rng.choice(("api/v1/users", "login", "static/app.js", "orders"))
            status = SLOT("status", d) if rng.random() < 0.2 else rng.choice(("200", "404", "302"))
            if rng.random() < 0.3:  # an e-mail in a query string (URL-encoded or not) is one
                d.lit(f'] "GET /{rng.choice(("unsubscribe", "invite", "verify"))}?email=')
                mail = d.person(1.0).email(rng)
                d.ent("EMAIL_ADDRESS", mail.replace("@", "%40") if rng.random() < 0.6 else mail)
                path = f"&t={V.digits(rng, 6)}"
            else:
                d.lit('] "GET /')
            d.lit(f'{path} HTTP/1.1" {status} {V.digits(rng, 4)} "')
            if rng.random() < 0.5:
                d.ent("URL", V.url(rng))
            else:
                d.lit("-")
            d.lit('" "Mozilla/5.0"\n')
        elif style == 1:  # key=value structured log
            d.ent("DATE_TIME", V.fmt_ts(rng, t))
            level = rng.choice(("INFO", "WARN", "ERROR", "DEBUG"))
            d.lit(f" {level} {rng.choice(('auth', 'billing', 'api', 'mailer'))}: ")
            for key, kind in rng.sample(_LOG_KEYS, rng.randint(2, 4)):
                d.lit(f"{key}=")
                if kind is None:
                    d.lit(SLOT("uuid" if key == "req" else "host" if key == "host" else "qty", d))
                elif kind == "PERSON":
                    d.lit('"')
                    d.ent("PERSON", d.person(1.0).name.full)
                    d.lit('"')
                else:
                    field_value(d, kind, d.person(0.5))
                d.lit(" ")
            d.lit(rng.choice(('msg="login ok"', 'msg="payment failed"', "retry=3", "")) + "\n")
        elif style == 2:  # syslog
            d.ent("DATE_TIME", f"{V._MON_ABBR[t.m - 1]} {t.d:2d} {t.hh:02d}:{t.mm:02d}:{t.ss:02d}")
            d.lit(f" {SLOT('host', d)} sshd[{V.digits(rng, 4)}]: ")
            d.lit(rng.choice(("Failed password for ", "Accepted publickey for ", "Invalid user ")))
            d.lit(SLOT("user", d) + " from ")
            d.ent("IP_ADDRESS", V.ip(rng))
            d.lit(f" port {rng.randint(1024, 65535)} ssh2\n")
        else:  # JSON lines
            d.lit('{"ts": "')
            d.ent("DATE_TIME", V.fmt_ts(rng, t))
            d.lit(
                '", "level": "info", "event": "'
                + rng.choice(("signup", "login", "checkout"))
                + '", '
            )
            d.lit('"email": "')
            d.ent("EMAIL_ADDRESS", d.person(1.0).email(rng))
            d.lit('", "ip": "')
            d.ent("IP_ADDRESS", V.ip(rng))
            d.lit('"}\n')


def invoice(d: Doc) -> None:
    rng = d.rng
    seller, buyer = d.person(1.0), d.person(1.0)
    d.lit(rng.choice(("INVOICE", "Invoice", "Rechnung", "Facture", "TAX INVOICE", "Receipt")))
    d.lit(" " + SLOT("invoice", d) + "\n")
    if rng.random() < 0.7:
        d.ent("ORGANIZATION", seller.org(rng)[1])
        d.lit(rng.choice(("\n", ", ")))
        address_block(d, seller, ", ", country=0.2)
        d.nl()
    d.lit(rng.choice(("Date: ", "Invoice date: ", "Issued ")))
    d.ent("DATE_TIME", V.date_time(rng, d.locale, "date"))
    if rng.random() < 0.6:
        d.lit(rng.choice(("\nDue: ", "\nDue date: ", "  Payment due ")))
        d.ent("DATE_TIME", V.date_time(rng, d.locale, "date"))
    d.lit(rng.choice(("\n\nBill to:\n", "\nBilled to: ", "\n\nCustomer:\n")))
    d.name(buyer)
    if rng.random() < 0.5:
        d.nl()
        d.ent("ORGANIZATION", buyer.org(rng)[1])
    d.nl()
    address_block(d, buyer, "\n" if rng.random() < 0.6 else ", ")
    d.lit("\n\n")
    for _ in range(rng.randint(1, 3)):
        d.lit(f"{SLOT('qty', d)} x {d.pick(PRODUCTS)}  {SLOT('amount', d)}\n")
    d.lit("Total: " + SLOT("amount", d) + "\n")
    r = rng.random()
    if r < 0.45:
        d.lit(rng.choice(("Pay to IBAN ", "IBAN: ", "Bank transfer to ", "Please remit to ")))
        d.ent("IBAN_CODE", V.iban(rng, seller.locale))
    elif r < 0.7:
        d.lit(rng.choice(("Paid with card ", "Card: ", "Charged to ")))
        d.ent("CREDIT_CARD", V.group_card(rng, V.card_number(rng)[1]))
    else:
        d.lit(f"Paid by card ending {SLOT('last4', d)} (exp. {SLOT('expiry', d)})")


def shipping_label(d: Doc) -> None:
    rng = d.rng
    if rng.random() < 0.5:
        d.case = "upper"
    to, frm = d.person(1.0), d.person(0.5)
    d.lit(rng.choice(("SHIP TO:\n", "Deliver to:\n", "TO:\n", "Recipient:\n", "An:\n")))
    d.name(to)
    if rng.random() < 0.3:
        d.nl()
        d.lit("c/o ")
        d.ent("ORGANIZATION", to.org(rng)[1])
    d.nl()
    address_block(d, to, "\n", country=0.5)
    if rng.random() < 0.4:
        d.lit("\nTel: ")
        d.ent("PHONE_NUMBER", to.phone(rng))
    if rng.random() < 0.7:
        d.lit(rng.choice(("\n\nFROM:\n", "\nSender: ", "\n\nReturn address:\n")))
        if rng.random() < 0.5:
            d.ent("ORGANIZATION", frm.org(rng)[1])
        else:
            d.name(frm)
        d.nl()
        address_block(d, frm, rng.choice(("\n", ", ")), country=0.3)
    weight = f"{rng.randint(1, 30)}.{rng.randint(0, 9)} KG"
    d.lit(f"\n\nTRACKING #: {SLOT('tracking', d)}\nWEIGHT: {weight}")
    if rng.random() < 0.5:
        d.lit(f"\nREF: {SLOT('order', d)}")


def meeting(d: Doc) -> None:
    rng = d.rng
    d.lit(
        rng.choice(
            ("Meeting notes", "Minutes", f"{d.pick(HEADINGS)} sync", "Weekly standup", "1:1")
        )
    )
    if rng.random() < 0.7:
        d.lit(rng.choice((" - ", " – ", ", ", "\nDate: ")))
        d.ent("DATE_TIME", V.date_time(rng, d.locale, rng.choice(("date", "datetime"))))
    d.lit(rng.choice(("\nAttendees: ", "\nPresent: ", "\nParticipants: ")))
    k = rng.randint(2, 5)
    first_only = rng.random() < 0.6
    for i in range(k):
        if i:
            d.raw(" and " if i == k - 1 and rng.random() < 0.5 else ", ")
        p = d.person(1.0)
        d.ent("PERSON", p.name.first if first_only else p.name.full)
        if not first_only and rng.random() < 0.3:
            d.lit(" (")
            d.ent("ORGANIZATION", p.org(rng)[1])
            d.lit(")")
    if rng.random() < 0.3:
        d.lit("\nApologies: ")
        d.ent("PERSON", d.person(1.0).name.first)
    d.lit("\n\nAgenda:\n")
    for i in range(rng.randint(1, 3)):
        d.lit(f"{i + 1}. " if rng.random() < 0.5 else "- ")
        d.say_from(AGENDA_ITEMS)
        d.nl()
    d.lit(rng.choice(("\nActions:\n", "\nAction items\n", "\nTODO:\n")))
    for i in range(rng.randint(1, 3)):
        if i and not d.room(15):
            break
        d.lit(rng.choice(("- ", "* ", "[ ] ")))
        d.say_from(ACTIONS)
        d.nl()


def crm(d: Doc) -> None:
    rng = d.rng
    p = d.person(1.0)
    sep = rng.choice(_KV_SEPS)
    rows: list[tuple[str, Callable[[], None]]] = [
        ("Contact", lambda: d.name(p)),
        ("Account", lambda: d.ent("ORGANIZATION", p.org(rng)[1])),
        ("Title", lambda: d.lit(d.pick(JOB_TITLES))),
        ("Phone", lambda: d.ent("PHONE_NUMBER", p.phone(rng))),
        ("Email", lambda: d.ent("EMAIL_ADDRESS", p.email(rng))),
        (
            "Stage",
            lambda: d.lit(rng.choice(("Prospecting", "Negotiation", "Closed Won", "Qualified"))),
        ),
        ("Owner", lambda: d.name(d.person(1.0))),
        ("Last activity", lambda: d.ent("DATE_TIME", V.date_time(rng, d.locale, "date"))),
        ("Region", lambda: d.ent("LOCATION", V.location(rng, p.locale))),
        ("Industry", lambda: d.lit(d.pick(CATEGORIES))),
    ]
    rng.shuffle(rows)
    for key, fill in rows[: rng.randint(3, 7)]:
        d.lit(key + sep)
        fill()
        d.nl()
    if d.room(15):
        d.lit(rng.choice(("Notes:\n", "Activity:\n", "\n")))
        for _ in range(rng.randint(1, 3)):
            d.say_from(CRM_NOTES)
            d.lit(rng.choice((" ", "\n")))


def prose(d: Doc) -> None:
    rng = d.rng
    for i in range(rng.randint(1, 4)):
        if i and not d.room(20):
            break
        d.say_from(PROSE if rng.random() < 0.8 else NEG_SENTENCES)
        d.lit(rng.choice((" ", " ", "\n", "\n\n")))


def negative(d: Doc) -> None:
    """A document with no PII: headings, catalogues, genre lists, release notes..."""
    rng = d.rng
    style = rng.randrange(7)
    if style == 0:
        for _ in range(rng.randint(2, 5)):
            d.say_from(NEG_SENTENCES)
            d.lit(rng.choice((" ", "\n")))
    elif style == 1:
        d.lit(d.pick(HEADINGS) + "\n")
        for _ in range(rng.randint(2, 6)):
            d.lit(
                rng.choice(("- ", "• ", ""))
                + d.pick(rng.choice((HEADINGS, COMMON_CAPS, CATEGORIES)))
                + "\n"
            )
    elif style == 2:
        d.lit(rng.choice(("product,category,price,sku\n", "Product | Category | Price\n")))
        for _ in range(rng.randint(2, 5)):
            sep = rng.choice((",", " | "))
            d.say(f"{{product}}{sep}{{category}}{sep}{{amount}}\n")
    elif style == 3:
        head, pool = rng.choice(
            (("Genres: ", GENRES), ("Browse by genre: ", GENRES), ("Magazines: ", MAGAZINES),
             ("Departments: ", DEPARTMENTS), ("Shop by category: ", CATEGORIES))
        )  # fmt: skip
        items = list(dict.fromkeys(d.pick(pool) for _ in range(rng.randint(2, 5))))
        d.lit(head + ", ".join(items) + "\n")
        d.say_from(NEG_SENTENCES)
    elif style == 5:  # words that are also given names, in a catalogue or a list of colours
        head = rng.choice(
            ("In stock: ", "Colours: ", "Varieties:\n", "Our dogs: ", "Bouquet includes ",
             "Shades available - ", "Seeds ", "Palette: ")
        )  # fmt: skip
        items = list(dict.fromkeys(rng.choice(V.NAME_LIKE_WORDS) for _ in range(rng.randint(3, 7))))
        joiner = "\n" if head.endswith("\n") else rng.choice((", ", " · ", " / "))
        d.lit(head + joiner.join(items) + "\n")
        d.say_from(NEG_SENTENCES)
    elif style == 6:  # titles of films, albums, books: title case that names nobody
        d.lit(rng.choice(("Now showing\n", "Tracklist:\n", "Reading list\n", "Top 5 films\n",
                          "Watchlist\n", "Setlist\n", "Staff picks:\n")))  # fmt: skip
        for i in range(rng.randint(2, 5)):
            d.lit(rng.choice((f"{i + 1}. ", "- ", "")) + V.work_title(rng))
            d.lit(
                rng.choice(
                    ("\n", f" ({rng.randint(1960, 2025)})\n", " " + rng.choice(V.EMOJI) + "\n")
                )
            )
    else:
        d.lit(f"Release {SLOT('version', d)} ({SLOT('rel', d)})\n")
        for _ in range(rng.randint(1, 4)):
            d.say(rng.choice(_CHANGES))


def SLOT(name: str, d: Doc) -> str:
    """A look-alike slot's text, returned instead of written (for f-strings)."""
    mark = len(d.pieces), d.pos, d.bytes
    SLOTS[name](d)
    text = "".join(d.pieces[mark[0] :])
    del d.pieces[mark[0] :]
    d.pos, d.bytes = mark[1], mark[2]
    return text


REGISTERS: dict[str, tuple[float, Callable[[Doc], None]]] = {
    "email": (17, email),
    "chat": (10, chat),
    "ticket": (8, ticket),
    "note": (12, note),
    "form": (10, form),
    "table": (8, table),
    "json": (5, json_record),
    "xml": (2, xml_record),
    "yaml": (3, yaml_record),
    "log": (6, log),
    "invoice": (5, invoice),
    "shipping": (5, shipping_label),
    "meeting": (5, meeting),
    "crm": (5, crm),
    "prose": (9, prose),
}
