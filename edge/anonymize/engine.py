"""Apply operators to a text and its detected spans.

Overlaps: the model and the rule recognizers may report overlapping spans ("maria" inside the
email "maria.garcia@example.com"). They are merged with ``edge.redaction.merge_spans``, the rule
the cloud redactor uses: each run of overlapping spans becomes one span covering all of them,
typed by a span that covers the whole run if there is one, else by the highest-scoring (then
longest) span. So no part of any detected value is left in clear, the result never depends on
the order spans come in, and the output is rebuilt from left to right out of the untouched
segments and one replacement per merged span (no offsets shift under later edits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from edge.anonymize.mapping import PseudonymTable, find_tokens
from edge.anonymize.operators import OPERATORS, Hash, Mask, Operator, Pseudonymize, Replace
from edge.errors import InputError
from edge.spans import merge_spans
from edge.specs import AnonymizeSpec, OperatorSpec
from edge.types import Span


@dataclass(frozen=True)
class AnonymizedItem:
    """Where one replacement sits in the anonymized text (no original value: it may be PII)."""

    label: str
    operator: str
    start: int
    end: int


@dataclass(frozen=True)
class AnonymizedText:
    text: str
    items: list[AnonymizedItem] = field(default_factory=list)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    """Pseudonym → original value for the pseudonyms in this text (what reverses it)."""


def resolve_spec(
    spec: AnonymizeSpec | None,
    *,
    operator: str | None = None,
    keep: int | None = None,
    mask_char: str | None = None,
    new_value: str | None = None,
) -> AnonymizeSpec:
    """The spec's table with command-line overrides applied.

    ``operator`` replaces the whole table (one operator for every type); ``keep``/``mask_char``
    apply to every ``mask`` in effect and ``new_value`` to every ``replace``. An override that
    no operator in effect would read is a ValueError: it is almost always a mistake.
    """
    spec = spec or AnonymizeSpec()
    if operator is not None:
        spec = AnonymizeSpec(default=OperatorSpec(operator=operator))  # type: ignore[arg-type]
    in_effect = {spec.default.operator} | {o.operator for o in spec.entities.values()}
    params = {"keep": keep, "mask_char": mask_char, "new_value": new_value}
    owners = {"keep": "mask", "mask_char": "mask", "new_value": "replace"}
    for key, value in params.items():
        if value is not None and owners[key] not in in_effect:
            raise ValueError(f"{key} applies to {owners[key]}, which no entity type uses here")

    def patch(o: OperatorSpec) -> OperatorSpec:
        upd = {k: v for k, v in params.items() if v is not None and owners[k] == o.operator}
        return o.model_copy(update=upd) if upd else o

    return AnonymizeSpec(
        default=patch(spec.default), entities={k: patch(v) for k, v in spec.entities.items()}
    )


class Anonymizer:
    """Operators per entity type (``default`` for the rest), applied to texts and their spans.

    One Anonymizer is one pseudonymization scope: a value keeps its pseudonym across every
    ``anonymize`` call until ``new_document()``. Operators named by string share one pseudonym
    table and one hash salt (``salt``; a random one when None, see ``salt_generated``).
    """

    def __init__(
        self,
        operators: Mapping[str, Operator | str] | None = None,
        default: Operator | str = "replace",
        *,
        salt: str | None = None,
    ):
        self.table = PseudonymTable()
        self._hash = Hash(salt)
        self.salt_generated = self._hash.generated
        self.default = self._operator(default)
        self.operators = {label: self._operator(op) for label, op in (operators or {}).items()}

    @classmethod
    def from_spec(cls, spec: AnonymizeSpec | None, *, salt: str | None = None) -> Anonymizer:
        """From a task spec's ``[anonymize]`` table (see ``resolve_spec`` for overrides)."""
        spec = spec or AnonymizeSpec()
        self = cls(salt=salt)
        self.default = self._from_spec(spec.default)
        self.operators = {label: self._from_spec(o) for label, o in spec.entities.items()}
        return self

    def _from_spec(self, o: OperatorSpec) -> Operator:
        if o.operator == "replace":
            return Replace(o.new_value)
        if o.operator == "mask":
            return Mask(4 if o.keep is None else o.keep, o.mask_char or "*")
        return self._operator(o.operator)

    def _operator(self, op: Operator | str) -> Operator:
        if isinstance(op, Operator):
            return op
        if op not in OPERATORS:
            raise ValueError(f"unknown operator {op!r}; use one of: {', '.join(OPERATORS)}")
        if op == "pseudonymize":
            return Pseudonymize(self.table)
        if op == "hash":
            return self._hash
        return OPERATORS[op]()

    @property
    def salt(self) -> str | bytes:
        return self._hash.salt

    def operator_for(self, label: str) -> Operator:
        return self.operators.get(label, self.default)

    def uses(self, name: str) -> bool:
        """True if some entity type (or the default) is handled by operator ``name``."""
        return any(o.name == name for o in (self.default, *self.operators.values()))

    def _tables(self) -> list[PseudonymTable]:
        ops = (self.default, *self.operators.values())
        tables = {id(o.table): o.table for o in ops if isinstance(o, Pseudonymize)}
        return list(tables.values())

    def reserve(self, text: str) -> None:
        """Show text of the document ahead of time, so pseudonyms avoid its token-like strings."""
        for table in self._tables():
            table.reserve(find_tokens(text))

    def new_document(self) -> None:
        for table in self._tables():
            table.reset()

    def anonymize(
        self, text: str, spans: Iterable[Span], where: str = "the text"
    ) -> AnonymizedText:
        spans = list(spans)
        for s in spans:
            if not 0 <= s.start <= s.end <= len(text):
                raise InputError(
                    f"span {s.label} {s.start}-{s.end} lies outside the text ({len(text)} chars)"
                )
        merged = merge_spans(spans)
        ops = [self.operator_for(s.label) for s in merged]
        values = [text[s.start : s.end] for s in merged]
        out: list[str | None] = [
            None if isinstance(op, Pseudonymize) else op.apply(v, s.label)
            for s, op, v in zip(merged, ops, values, strict=True)
        ]
        tables = self._tables()
        if tables:  # every text, spans or not: a later one may hold an issued pseudonym
            literals = find_tokens(text).union(*(find_tokens(r) for r in out if r))
            for table in tables:
                table.reserve(literals, where)
        pieces, items, pseudonyms, pos, length = [], [], {}, 0, 0
        for s, op, v, r in zip(merged, ops, values, out, strict=True):
            if r is None:
                r = op.apply(v, s.label)
                pseudonyms[r] = v
            pieces.append(text[pos : s.start])
            length += s.start - pos
            items.append(AnonymizedItem(s.label, op.name, length, length + len(r)))
            pieces.append(r)
            length += len(r)
            pos = s.end
        pieces.append(text[pos:])
        return AnonymizedText("".join(pieces), items, pseudonyms)
