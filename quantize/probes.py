"""Probe texts for parity checks: varied enough to exercise every token path (numbers, emails,
accents, CJK, emoji, long inputs), and deterministic so two builds compare the same things."""

from __future__ import annotations

import json
from pathlib import Path

from edge.errors import BuildError

BUILTIN_PROBES: tuple[str, ...] = (
    "Hi, I'm Maria Garcia and my email is maria.garcia@example.com.",
    "Call me at +1 (415) 555-0132 or 415.555.0199 after 6pm.",
    "My card number is 4111 1111 1111 1111, expiry 09/27.",
    "Please wire the money to DE89 3704 0044 0532 0130 00 by Friday.",
    "SSN: 123-45-6789. DOB: 1984-07-12.",
    "Ship it to 1600 Amphitheatre Parkway, Mountain View, CA 94043.",
    "Server 192.168.10.24 rejected the login from 2001:db8::ff00:42:8329.",
    "See https://docs.example.org/guide?id=42 for the details.",
    "Jürgen Müller from Siemens AG visited São Paulo on 3 March 2024.",
    "Zoë O'Brien-Smith moved to Zürich; her new number is 044 668 18 00.",
    "王小明的电话是 138 0013 8000，住在北京市朝阳区。",
    "Thanks!! 🙏 Talk soon — Anna 😊 anna_k@mail.co.uk",
    "what's the weather like in paris tomorrow",
    "book a table for two at 7 pm tonight",
    "transfer $500 from checking to savings",
    "how do I reset my password?",
    "cancel my subscription please",
    "I need to change my flight to Boston on June 5th",
    "what is my account balance",
    "set an alarm for 6:30 am",
    "play some jazz music",
    "tell me a joke",
    "who founded Microsoft and when?",
    "order #48213 shipped with tracking 1Z999AA10123456784",
    "version 2.14.0 fixes the crash reported in INV-2024-0042",
    "The rose garden will open in May; mark the date.",
    "ERROR 2024-03-01T12:00:01Z auth failed user=jdoe ip=10.0.0.7",
    "Name: Li Wei | Phone: 0161 496 0000 | Email: li.wei@corp.cn",
    "Dr. A. K. Sharma, Apollo Hospitals, Chennai 600006, India",
    "meet me at the café on rue de Rivoli at noon",
    "Kindly send the invoice to accounts@acme-widgets.io and cc Bob.",
    "My IBAN is GB82 WEST 1234 5698 7654 32 and my sort code is 12-34-56.",
    " ".join(["This is a long message about an order that keeps going."] * 30)
    + " Contact Peter Jones at peter.jones@example.net or +44 20 7946 0958.",
    "x",
    "¿Dónde está la estación de tren más cercana?",
    "Привет, меня зовут Иван Петров, мой телефон +7 495 123-45-67.",
)


def load_probes(probe_file: str | Path | None) -> list[str]:
    """The task's probe file (one text per line, or JSONL with a "text" field), else built-ins."""
    if not probe_file:
        return list(BUILTIN_PROBES)
    path = Path(probe_file)
    if not path.is_file():
        raise BuildError(f"probe_file not found: {path}")
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        texts.append(json.loads(line)["text"] if line.startswith("{") else line)
    if not texts:
        raise BuildError(f"probe_file {path} has no texts")
    return texts
