"""MAC_ADDRESS: six hex pairs with one consistent separator (":" or "-"), or Cisco's three
dotted groups of four; validated by python-stdnum's ``mac`` (the broadcast and all-zero
addresses are rejected as carrying no identity)."""

from __future__ import annotations

import re

from edge.recognizers.base import Context
from edge.recognizers.pattern import PatternRecognizer

_HEX = "[0-9A-Fa-f]"


class MacAddressRecognizer(PatternRecognizer):
    label = "MAC_ADDRESS"
    name = "mac_address"
    pattern = re.compile(
        rf"(?<![\w:.-])(?:{_HEX}{{2}}(?P<sep>[:-]){_HEX}{{2}}(?:(?P=sep){_HEX}{{2}}){{4}}"
        rf"|{_HEX}{{4}}\.{_HEX}{{4}}\.{_HEX}{{4}})(?![\w:-])(?!\.\w)"
    )
    min_digits = 1
    min_token = 14
    stdnum = "mac"
    separators = ""
    score = 0.8
    context = Context(words=("mac", "mac address", "hardware address", "ethernet", "wifi", "nic"))

    def check(self, value: str) -> bool:
        compact = re.sub(r"[:.-]", "", value).lower()
        if compact in {"000000000000", "ffffffffffff"}:
            return False
        return bool(re.fullmatch(r"[0-9a-f]{12}", compact))
