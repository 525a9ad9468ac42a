"""Pseudonyms and the local file that reverses them.

Token format ``<TYPE_N>`` (``<PERSON_1>``): it reads like the ``<TYPE>`` placeholders of
``replace``, survives a round trip through an LLM, and is delimited so that no surrounding text
can extend it: a regex match of ``TOKEN_RE`` in anonymized text is either exactly one inserted
pseudonym or lies wholly inside text that was already in the document.

Reversal is by token, not by position, so it also works on text derived from the anonymized one
(an LLM's answer that quotes ``<PERSON_1>``). That is only correct if no pseudonym equals a
string the document already holds: ``PseudonymTable`` numbers around every token-shaped string it
has been shown (``reserve``) and refuses when such a string turns up after its pseudonym was
issued. ``restore`` replaces in one pass, so a restored value is never re-read as a token, and
leaves token-shaped strings that are not in the table as they are.

The mapping file holds pseudonym → original value and nothing else (no positions, no context,
no salt): it is written owner-only (mode 0600 from creation) and atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from edge.errors import InputError, MappingError
from edge.fsutil import open_atomic, private_file_problem

TOKEN_RE = re.compile(r"<[A-Za-z][A-Za-z0-9_]*_[0-9]+>")
MAPPING_FORMAT = "edge-pseudonyms"
MAPPING_VERSION = 1


def token_label(label: str) -> str:
    """``label`` made safe for the token syntax (spec labels are upper-case words already)."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", label)
    return safe if safe[:1].isalpha() else f"X{safe}"


def find_tokens(text: str) -> set[str]:
    return set(TOKEN_RE.findall(text))


class PseudonymTable:
    """One document's pseudonyms: the same (type, value) always gets the same token.

    Values are matched exactly (no case or space folding): ``restore`` must give back the very
    string that was replaced, and two spellings cannot share one token.
    """

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}
        self._next: dict[str, int] = {}
        self._reserved: set[str] = set()

    def reserve(self, literals: set[str] | frozenset[str], where: str = "the text") -> None:
        """Token-shaped strings already in the document: never issue them as pseudonyms."""
        clash = sorted(t for t in literals if t in self._values)
        if clash:
            raise InputError(
                f"{where} already contains {clash[0]!r}, the pseudonym given to an earlier value "
                "of this document, so deanonymize could not tell them apart; pass the input as "
                "--file FILE (read twice, so pseudonyms avoid every such string; in Python: "
                "Anonymizer.reserve) or make each line its own document with --per-line"
            )
        self._reserved |= literals

    def token_for(self, label: str, value: str) -> str:
        key = (label, value)
        token = self._by_value.get(key)
        if token is None:
            prefix = token_label(label)
            n = self._next.get(prefix, 1)
            while f"<{prefix}_{n}>" in self._reserved:
                n += 1
            token = f"<{prefix}_{n}>"
            self._next[prefix] = n + 1
            self._by_value[key] = token
            self._values[token] = value
        return token

    @property
    def pseudonyms(self) -> dict[str, str]:
        """Token → original value (a copy)."""
        return dict(self._values)

    def reset(self) -> None:
        """Start a new document: numbering restarts, earlier values are forgotten."""
        for part in (self._by_value, self._values, self._next, self._reserved):
            part.clear()


def restore(text: str, pseudonyms: Mapping[str, str]) -> str:
    """Put the original values back (``edge deanonymize``); unknown tokens stay as they are."""
    return TOKEN_RE.sub(lambda m: pseudonyms.get(m.group(0), m.group(0)), text)


@dataclass(frozen=True)
class MappingFile:
    """A loaded mapping: ``scope`` "document" (one table), "line" (a table per line number), or
    "record" / "document-key" (``edge redact --engine ray``: a table per record id or per value
    of the document key column, in ``tables``)."""

    scope: str
    pseudonyms: dict[str, str] = field(default_factory=dict)
    lines: dict[int, dict[str, str]] = field(default_factory=dict)
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    key: str | None = None

    def table_for(self, line: int) -> dict[str, str]:
        return self.pseudonyms if self.scope == "document" else self.lines.get(line, {})


class MappingWriter:
    """Streams a mapping file: per-line tables are written as they come (constant memory)."""

    def __init__(self, fh: BinaryIO, scope: str, key: str | None = None):
        self._fh, self.scope, self._first = fh, scope, True
        table = {"document": "pseudonyms", "line": "lines"}.get(scope, "tables")
        head = f'{{"format": "{MAPPING_FORMAT}", "version": {MAPPING_VERSION}, "scope": "{scope}"'
        if key is not None:  # what the tables are keyed by: "id" or the document key column
            head += f', "key": {json.dumps(key, ensure_ascii=False)}'
        fh.write(f'{head}, "{table}": {{'.encode())

    def add_table(self, key: str, pseudonyms: Mapping[str, str]) -> None:
        """One record's or one document key's table (scopes "record", "document-key")."""
        if pseudonyms:
            self._item(key, dict(pseudonyms))

    def add_line(self, line: int, pseudonyms: Mapping[str, str]) -> None:
        if pseudonyms:
            self._item(str(line), dict(pseudonyms))

    def add_document(self, pseudonyms: Mapping[str, str]) -> None:
        for token, value in pseudonyms.items():
            self._item(token, value)

    def _item(self, key: str, value: object) -> None:
        sep = "" if self._first else ", "
        self._first = False
        item = f"{sep}{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        self._fh.write(item.encode("utf-8"))

    def close(self) -> None:
        self._fh.write(b"}}\n")


def write_mapping(path: str | Path, pseudonyms: Mapping[str, str]) -> None:
    """One document's table, written owner-only and atomically (the Python API's shortcut)."""
    with open_atomic(path) as fh:
        writer = MappingWriter(fh, "document")
        writer.add_document(pseudonyms)
        writer.close()


def _bad(path: Path, why: str) -> MappingError:
    return MappingError(
        f"mapping file {path} {why}; it must be the file `edge redact --operator pseudonymize "
        "--mapping FILE` wrote, unedited"
    )


def _table(path: Path, obj: object, where: str) -> dict[str, str]:
    if not isinstance(obj, dict) or not all(
        isinstance(k, str) and TOKEN_RE.fullmatch(k) and isinstance(v, str) for k, v in obj.items()
    ):
        raise _bad(path, f"has a malformed table at {where}")
    return obj


def read_mapping(path: str | Path) -> MappingFile:
    """Load a mapping file after checking it is private: it holds the original values."""
    path = Path(path)
    problem = private_file_problem(path)
    if problem == "not found":
        raise MappingError(
            f"mapping file {path} not found; pass the file `edge redact --mapping` wrote"
        )
    if problem and problem.startswith("is open"):
        raise MappingError(
            f"mapping file {path} {problem} and holds the original values; check who read it, "
            f"then `chmod 600 {path}`"
        )
    if problem:
        raise MappingError(f"mapping file {path} {problem}")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _bad(path, f"is not valid JSON ({e})") from None
    if not isinstance(raw, dict) or raw.get("format") != MAPPING_FORMAT:
        raise _bad(path, "is not an edge pseudonym mapping")
    if raw.get("version") != MAPPING_VERSION:
        raise _bad(path, f"has version {raw.get('version')!r}, this edge reads {MAPPING_VERSION}")
    scope = raw.get("scope")
    if scope == "document":
        return MappingFile(scope, pseudonyms=_table(path, raw.get("pseudonyms"), "pseudonyms"))
    if scope == "line" and isinstance(raw.get("lines"), dict):
        lines = {}
        for key, obj in raw["lines"].items():
            if not key.isdigit():
                raise _bad(path, f"has a line number {key!r}")
            lines[int(key)] = _table(path, obj, f"lines.{key}")
        return MappingFile(scope, lines=lines)
    if scope in ("record", "document-key") and isinstance(raw.get("tables"), dict):
        tables = {str(k): _table(path, obj, f"tables.{k}") for k, obj in raw["tables"].items()}
        return MappingFile(scope, tables=tables, key=raw.get("key"))
    raise _bad(path, f"has scope {scope!r} (document, line, record, document-key) or no table")
