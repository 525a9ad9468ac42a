"""IP_ADDRESS: IPv4 in dotted-quad form and IPv6 in any form the stdlib accepts.

A regex alone cannot tell "999.1.1.1" or a version string from an address, so IPv4 octets are
range-checked (0-255, no leading zeros) and IPv6 candidates go through ``ipaddress``. Dotted runs
longer than four parts, and numbers right after "version"/"v", are not addresses.
"""

from __future__ import annotations

import ipaddress
import re

from edge.recognizers.base import Recognizer, clear_start, is_word_char
from edge.spans import resolve_overlaps
from edge.types import Span

# The first digit not after a word character or "word." (base.clear_start: why this way)
_IPV4_RE = re.compile(
    clear_start(r"\d", r"\w", r"\w\.") + r"\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?!\w)(?!\.\d)"
)
_IPV6_RE = re.compile(
    r"(?<![\w:.])"
    r"(?:[0-9A-Fa-f]{0,4}:){2,8}"
    r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?"
    r"(?:%[0-9A-Za-z_]+)?"
)
_VERSION_BEFORE_RE = re.compile(r"(?:\bversion|\bver\.?|\brelease|\bbuild)\s*$", re.IGNORECASE)


def valid_ipv4(candidate: str) -> bool:
    parts = candidate.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part.isdigit() or int(part) > 255 or (len(part) > 1 and part[0] == "0"):
            return False
    return True


def valid_ipv6(candidate: str) -> bool:
    # A decimal digit is required so "::" or "dead::beef" in prose does not count.
    if not any(ch.isdigit() for ch in candidate.split("%", 1)[0]):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


class IpRecognizer(Recognizer):
    label = "IP_ADDRESS"
    name = "ip"
    score = 0.8
    min_digits = 1

    @staticmethod
    def valid(value: str) -> bool:
        """An IPv4 or IPv6 address as Python's ipaddress reads it ("1.27.4" is a version)."""
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True

    def matches(self, text: str) -> list[Span]:
        spans = []
        # Each form has its separator at least three (IPv4) or two (IPv6) times: a text with
        # fewer is not scanned (most texts with a digit hold no address).
        for m in _IPV4_RE.finditer(text) if text.count(".") >= 3 else ():
            if not valid_ipv4(m.group()):
                continue
            if _VERSION_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
                continue
            spans.append(self.span(text, m.start(), m.end(), self.score))
        for m in _IPV6_RE.finditer(text) if text.count(":") >= 2 else ():
            candidate, end = m.group(), m.end()
            if candidate.endswith(":") and not candidate.endswith("::"):
                candidate, end = candidate[:-1], end - 1
            if end < len(text) and is_word_char(text[end]):
                continue
            if valid_ipv6(candidate):
                spans.append(self.span(text, m.start(), end, self.score))
        return resolve_overlaps(spans)
