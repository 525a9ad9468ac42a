"""What happens to one detected value: one small class per operator, one interface.

Every operator maps (value, type) → replacement text and nothing else, so the engine can apply
any mix of them per type. Only ``Pseudonymize`` keeps state (its document's table).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from typing import ClassVar

from edge.anonymize.mapping import PseudonymTable


class Operator(ABC):
    """Turns one detected value into the text that replaces it."""

    name: ClassVar[str]
    reversible: ClassVar[bool] = False

    @abstractmethod
    def apply(self, value: str, label: str) -> str:
        """The replacement for ``value``, an entity of type ``label``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Replace(Operator):
    """``<TYPE>`` (what ``edge pii`` prints), or one fixed string for every value."""

    name = "replace"

    def __init__(self, new_value: str | None = None):
        self.new_value = new_value

    def apply(self, value: str, label: str) -> str:
        return f"<{label}>" if self.new_value is None else self.new_value


class Mask(Operator):
    """Every character but the last ``keep`` becomes ``mask_char`` ("************1111").

    A value no longer than ``keep`` is masked entirely: with keep=4 a 4-digit PIN or a short
    name would otherwise come out unchanged, which is no masking at all.
    """

    name = "mask"

    def __init__(self, keep: int = 4, mask_char: str = "*"):
        if keep < 0:
            raise ValueError("keep must be >= 0")
        if len(mask_char) != 1:
            raise ValueError("mask_char must be one character")
        self.keep, self.mask_char = keep, mask_char

    def apply(self, value: str, label: str) -> str:
        kept = self.keep if len(value) > self.keep else 0
        return self.mask_char * (len(value) - kept) + value[len(value) - kept :]


class Hash(Operator):
    """Salted SHA-256 (HMAC-SHA256 keyed with the salt), 64 hex characters.

    The same value and salt always give the same hash, so records can be joined across documents
    and runs that share a salt; a different salt gives unrelated hashes. Without a salt a random
    one is made (``salt`` says which, so a caller can keep it): unsalted hashes of names, phone
    numbers or card numbers are reversed by enumeration in minutes. HMAC rather than
    sha256(salt + value) so no salt/value split can collide with another.
    """

    name = "hash"

    def __init__(self, salt: str | bytes | None = None):
        self.generated = salt is None
        if salt is None:
            salt = secrets.token_hex(16)
        if not salt:
            raise ValueError("salt must not be empty")
        self.salt = salt
        self._key = salt.encode("utf-8") if isinstance(salt, str) else salt

    def apply(self, value: str, label: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "Hash(salt=<hidden>)"


class Redact(Operator):
    """Remove the value: nothing marks where it was."""

    name = "redact"

    def apply(self, value: str, label: str) -> str:
        return ""


class Pseudonymize(Operator):
    """``<TYPE_N>``, consistent within a document; reversible through its table."""

    name = "pseudonymize"
    reversible = True

    def __init__(self, table: PseudonymTable | None = None):
        self.table = table if table is not None else PseudonymTable()

    def apply(self, value: str, label: str) -> str:
        return self.table.token_for(label, value)


OPERATORS: dict[str, type[Operator]] = {
    cls.name: cls for cls in (Replace, Mask, Hash, Redact, Pseudonymize)
}
