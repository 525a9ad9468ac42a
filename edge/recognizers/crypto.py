"""CRYPTO: wallet addresses. Bitcoin P2PKH/P2SH (base58check) and segwit (bech32/bech32m),
validated by python-stdnum's ``bitcoin`` (checksums included); Ethereum "0x" + 40 hex digits.

Ethereum's mixed-case checksum (EIP-55) needs Keccak-256, which the standard library lacks
(hashlib's sha3_256 is the NIST variant, with other padding) and which no small pure-Python
package we use provides: an Ethereum address is matched by shape, scored lower, and a 64-digit
transaction hash is not one (the token must end after 40 digits).
"""

from __future__ import annotations

import re

from edge.recognizers.base import Context, word_re
from edge.recognizers.pattern import PatternRecognizer, stdnum_module

_BTC = r"[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,87}"
_ETH = r"0x[0-9a-fA-F]{40}"


class CryptoRecognizer(PatternRecognizer):
    label = "CRYPTO"
    name = "crypto"
    min_digits = 1
    min_token = 26
    pattern = word_re(rf"(?P<btc>{_BTC})|(?P<eth>{_ETH})")
    stdnum = "bitcoin"
    score = 1.0
    eth_score = 0.8
    separators = ""
    context = Context(words=("wallet", "bitcoin", "btc", "ethereum", "eth", "crypto", "address"))

    def check(self, value: str) -> bool:
        if value.startswith("0x"):
            return True
        return bool(stdnum_module("bitcoin").is_valid(value))

    def score_of(self, match: re.Match[str]) -> float:
        return self.eth_score if match["eth"] else self.score
