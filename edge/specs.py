"""Typed spec files (TOML), validated with messages that name the file, the key and what is allowed.

The shipped specs are package data in ``edge/specs_data/`` (``tasks/``, ``policies/``,
``hardware/``), so a wheel install finds them as a clone does; ``EDGE_SPECS_DIR`` points at
another folder with the same layout. A spec is named either by a path to a ``.toml`` file or by a
bare name looked up in the kind's folder (``edge/specs_data/tasks/pii.toml`` for ``pii``). TOML
because the standard library reads it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from edge.errors import SpecError
from edge.resources import package_path
from edge.variants import VARIANTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10 fallback
    import tomli as tomllib

TaskKind = Literal["token-classification", "sequence-classification"]
# The short name each kind of task answers to wherever a command or profile names a task by what
# it does (`edge pii`, `edge intent`, a hardware profile's `tasks`, a release gate's per-task
# targets), whatever the spec's own name: a user's intent task "support" is an "intent" task.
# A fact of the kind, not a per-spec key, so that two specs of one kind cannot disagree and a spec
# `edge train` writes for a new task need not repeat it. Read it as ``TaskSpec.alias``.
TASK_ALIASES: dict[str, str] = {"token-classification": "pii", "sequence-classification": "intent"}
# What an intent model answers below its ``oos_threshold`` when its labels have no out-of-scope
# class (``out_of_scope_label`` unset). Read it as ``TaskSpec.oos_label``.
OUT_OF_SCOPE = "out_of_scope"
# ``NAME:SPLIT`` of a named data set (quantize/datasets.py), as `edge train --data` also takes it.
DATA_REF = r"^[a-z0-9][a-z0-9_-]*:[a-z0-9][a-z0-9_-]*$"
# edge/anonymize/operators.py implements one class per name (a test keeps the two in step).
OperatorName = Literal["replace", "mask", "hash", "redact", "pseudonymize"]


def specs_dir() -> Path:
    """The folder bare spec names are looked up in: ``EDGE_SPECS_DIR``, else the shipped specs."""
    override = os.environ.get("EDGE_SPECS_DIR")
    return Path(override) if override else package_path("edge", "specs_data")


class _Strict(BaseModel):
    """Every spec model: unknown keys are errors (a typo must not pass silently), values are
    frozen. Each model's validator is built on its first use, not at import: a service or a
    CLI command pays only for the specs it reads (policy, hardware, ... stay unbuilt)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ParityThresholds(_Strict):
    """How close an exported variant must stay to the PyTorch model it came from."""

    max_abs_logit_diff: float | None = Field(default=None, gt=0)
    min_argmax_agreement: float = Field(default=0.99, ge=0, le=1)
    # A text's answer must not depend on its batch or padding (quantize/parity.py measures it);
    # false lets a variant through that is not, for a backend that cannot be (say so in the spec).
    batch_invariant: bool = True
    # With labelled texts of the task (the validation split `edge train` saves beside the
    # adapter), intent variants are judged on what users see instead of argmax agreement: at
    # most this many accuracy points lost against the PyTorch model (quantize/parity.py).
    max_accuracy_drop: float = Field(default=0.5, ge=0, le=100)


def _default_parity() -> dict[str, ParityThresholds]:
    """Thresholds for the variants a spec's ``[parity]`` does not name: each variant's row in
    ``edge.variants`` (where the measurements behind them are noted)."""
    return {name: ParityThresholds(**v.parity) for name, v in VARIANTS.items()}


class OperatorSpec(_Strict):
    """One anonymization operator and its parameters, as ``[anonymize]`` names it.

    A bare string (``PERSON = "pseudonymize"``) is shorthand for ``{ operator = "..." }``.
    Parameters belong to one operator each, so a misplaced one (``keep`` on ``replace``) is an
    error rather than silently ignored. There is deliberately no ``salt``: spec files are
    committed, and a salt in one would let anyone with the repository brute-force the hashes.
    """

    operator: OperatorName
    new_value: str | None = Field(default=None, description="replace: text instead of <TYPE>")
    keep: int | None = Field(default=None, ge=0, description="mask: last N characters kept")
    mask_char: str | None = Field(default=None, min_length=1, max_length=1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        return {"operator": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _params_fit_operator(self) -> OperatorSpec:
        owners = {"new_value": "replace", "keep": "mask", "mask_char": "mask"}
        for key, owner in owners.items():
            if getattr(self, key) is not None and self.operator != owner:
                raise ValueError(f"`{key}` is a parameter of {owner}, not of {self.operator}")
        return self


class AnonymizeSpec(_Strict):
    """``[anonymize]``: the operator for each entity type (``default`` for the unlisted ones)."""

    default: OperatorSpec = Field(default_factory=lambda: OperatorSpec(operator="replace"))
    entities: dict[str, OperatorSpec] = Field(default_factory=dict)


class ContextSpec(_Strict):
    """The task's changes to one entity type's context words (``[fusion.context.TYPE]``).

    Why: a bare nine-digit run or "March 2024" is only PII-shaped; a nearby "SSN" or "born" is
    what makes it PII. Each recognizer owns its words (edge/recognizers, ``context``); this
    section adds ``words`` to them (``replace = true``: replaces them), and each of ``boost``
    (added to the score when a word is within ``before`` characters before the match or
    ``after`` after it), ``require`` (``weak``: matches scoring under the fusion's
    ``weak_below`` need a word; ``always``: all do) and the window it sets overrides the
    recognizer's. One enhancer (edge.recognizers.context) applies the result.
    """

    words: list[str] = Field(default_factory=list)
    replace: bool = False
    before: int | None = Field(default=None, ge=0, le=1000)
    after: int | None = Field(default=None, ge=0, le=1000)
    boost: float | None = Field(default=None, ge=0, le=1)
    require: Literal["never", "weak", "always"] | None = None


def _default_context() -> dict[str, ContextSpec]:
    """What ``edge/specs_data/tasks/pii.toml`` ships, so artifacts built before ``[fusion]``
    existed (whose manifest has no such section) behave like new ones."""
    return {
        "US_SSN": ContextSpec(words=["taxpayer", "tin"]),
        "DATE_TIME": ContextSpec(require="weak"),
    }


def _rule_labels() -> tuple[str, ...]:
    from edge.rule_types import RULE_LABELS  # a table: the recognizers load with the first text

    return RULE_LABELS


def _regions() -> frozenset[str]:
    from edge.rule_types import REGIONS

    return REGIONS


class FusionSpec(_Strict):
    """How the runtime fuses the model's spans with the rule recognizers' (``[fusion]``).

    The rules (edge/recognizers) find fixed formats exactly; the model finds names, places and
    free text. ``edge.fusion`` explains the rules of the merge; these are its knobs.
    """

    enabled: bool = True
    recognizers: list[str] | None = Field(
        default=None, description="registry names or labels; default: those of the task's types"
    )
    phone_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    regions: list[str] = Field(
        default_factory=lambda: ["US"],
        description="ISO codes whose national recognizers are on (global ones always are)",
    )
    rule_entities: list[str] | None = Field(
        default=None,
        description="rule-only types the task reports beside the model's `entities` "
        "(default: every type a recognizer knows)",
    )
    rule_beats_model_below: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description="a rule match beats a model span scoring below this (1: always)",
    )
    model_types: list[str] = Field(
        default_factory=lambda: ["PERSON", "STREET_ADDRESS", "LOCATION", "ORGANIZATION"]
    )
    min_rule_score: float = Field(default=0.5, ge=0, le=1)
    weak_below: float = Field(default=0.65, ge=0, le=1)
    checksum_types: list[str] = Field(
        default_factory=lambda: [
            "CREDIT_CARD",
            "IBAN_CODE",
            "US_SSN",
            "IP_ADDRESS",
            "EMAIL_ADDRESS",
        ],
        description="model spans of these types failing the type's check (a checksum, or the "
        "value's structure: edge.fusion.CHECKSUMS) are dropped",
    )
    context: dict[str, ContextSpec] = Field(default_factory=_default_context)
    allow: list[str] = Field(default_factory=list, description="values never reported")
    deny: dict[str, str] = Field(
        default_factory=dict, description="value -> type: always reported as that type"
    )

    @model_validator(mode="after")
    def _known_regions_and_types(self) -> FusionSpec:
        if unknown := sorted(set(self.regions) - _regions()):
            raise ValueError(
                f"regions: no recognizers for {', '.join(unknown)}; "
                f"known: {', '.join(sorted(_regions()))}"
            )
        listed = set(self.rule_entities or ())
        if unknown := sorted(listed - set(_rule_labels())):
            raise ValueError(
                f"rule_entities: no recognizer finds {', '.join(unknown)}; "
                f"known: {', '.join(_rule_labels())}"
            )
        return self

    def rule_types(self, model_entities: Sequence[str]) -> list[str]:
        """The rule-only types reported beside the model's (``rule_entities``, or every type a
        recognizer knows that the model does not)."""
        listed = self.rule_entities if self.rule_entities is not None else _rule_labels()
        return [t for t in listed if t not in model_entities]

    @model_validator(mode="after")
    def _lists_disjoint(self) -> FusionSpec:
        allowed = {v.strip().casefold() for v in self.allow}
        both = sorted(v for v in self.deny if v.strip().casefold() in allowed)
        if both:
            raise ValueError(f"values both in `allow` and `deny`: {both}")
        if any(not v.strip() for v in [*self.allow, *self.deny]):
            raise ValueError("`allow` and `deny` values must not be empty")
        return self


class TaskData(_Strict):
    """The named data sets the task's defaults read (``[data]``), each ``NAME:SPLIT``.

    Why in the spec: which data a task is measured on is a fact of the task, and the build, the
    profile builder and `edge bench` must agree on it. They do not change what a built artifact
    computes (``quantize.defaults.is_current`` ignores them).
    """

    eval: str | None = Field(
        default=None,
        pattern=DATA_REF,
        description="held-out accuracy set: `edge bench`'s and `edge build --profile`'s",
    )
    probes: str | None = Field(
        default=None,
        pattern=DATA_REF,
        description="the default build's in-domain parity probes (validation texts, never test)",
    )


class TaskSpec(_Strict):
    """What a model does and the label set its head must have.

    PII models list ``entities`` and get BIO labels (``O``, ``B-X``, ``I-X``); intent models list
    ``labels`` directly.
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: TaskKind
    entities: list[str] | None = None
    labels: list[str] | None = None
    max_length: int = Field(default=128, ge=8, le=512)
    stride: int = Field(default=32, ge=0, description="tokens shared by neighbouring windows")
    out_of_scope_label: str | None = None
    oos_threshold: float | None = Field(default=None, ge=0, le=1)
    # The out-of-scope recall `edge calibrate` chooses oos_threshold to reach on validation data
    # (None: the threshold maximising in-scope accuracy + out-of-scope recall).
    oos_min_recall: float | None = Field(default=None, ge=0, le=1)
    # How a sequence classifier reads the encoder: "cls" is HF's BertForSequenceClassification
    # (pooler dense+tanh on [CLS]); "mean" averages the token states, which is how MiniLM-style
    # sentence encoders were trained, so the head starts from a useful sentence vector.
    pooling: Literal["cls", "mean"] = "cls"
    max_chars: int = Field(default=100_000, ge=1)
    probe_file: str | None = None
    parity: dict[str, ParityThresholds] = Field(default_factory=_default_parity)
    fusion: FusionSpec | None = None  # PII only; None: FusionSpec() defaults
    anonymize: AnonymizeSpec | None = None
    data: TaskData | None = None  # None: an artifact built before [data] existed; see task_data
    # PII only: the score a model span of a type needs to be reported by `detect` (``[min_score]``,
    # chosen on held-out data by `python -m benchmarks.thresholds`). Why per type: the model's
    # confidence means different things per type (a name-shaped heading at 0.6 is usually wrong,
    # a date at 0.6 usually right). Rule matches are judged by their own scores and checks; the
    # cloud redactor ignores these thresholds (recall first: see edge/redaction.py).
    min_score: dict[str, float] = Field(default_factory=dict)
    # PII only: the score a short lower-case model span of a name type ("cargo", "allegato",
    # "paeds": no capital letter in a cased script, no digit, at most three words) needs, per type
    # (``[lowercase_min_score]``, chosen with ``[min_score]``). Why apart: a lower-case word the
    # model calls a name is mostly a word, while the same type in capitals is mostly right, and
    # real lower-case names and brands ("uber", "marta") keep their higher scores.
    lowercase_min_score: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _labels_fit_kind(self) -> TaskSpec:
        if self.kind == "token-classification":
            if not self.entities or self.labels:
                raise ValueError("token-classification tasks list `entities` (and no `labels`)")
            if len(set(self.entities)) != len(self.entities):
                raise ValueError("`entities` has duplicates")
        else:
            if not self.labels or self.entities:
                raise ValueError("sequence-classification tasks list `labels` (and no `entities`)")
            if len(set(self.labels)) != len(self.labels):
                raise ValueError("`labels` has duplicates")
            if self.out_of_scope_label and self.out_of_scope_label not in self.labels:
                raise ValueError(f"out_of_scope_label {self.out_of_scope_label!r} not in `labels`")
        if self.kind == "token-classification" and self.pooling != "cls":
            raise ValueError("`pooling` applies to sequence-classification tasks only")
        if self.kind == "token-classification" and self.stride >= self.max_length - 2:
            raise ValueError("`stride` must be smaller than max_length - 2")
        if self.anonymize is not None:
            if self.kind != "token-classification":
                raise ValueError("[anonymize] applies to token-classification (PII) tasks only")
            unknown = sorted(set(self.anonymize.entities) - set(self.all_entities))
            if unknown:
                raise ValueError(
                    f"anonymize.entities: unknown entity type(s) {', '.join(unknown)}; "
                    f"allowed: {', '.join(self.all_entities)}"
                )
        return self

    @model_validator(mode="after")
    def _parity_names_variants(self) -> TaskSpec:
        """A misspelled ``[parity.NAME]`` would leave the variant at its default thresholds."""
        if unknown := sorted(set(self.parity) - set(VARIANTS)):
            raise ValueError(
                f"parity: no variant named {', '.join(unknown)}; known: {', '.join(VARIANTS)}"
            )
        return self

    @model_validator(mode="after")
    def _min_score_fits_task(self) -> TaskSpec:
        for key, table in (
            ("min_score", self.min_score),
            ("lowercase_min_score", self.lowercase_min_score),
        ):
            if not table:
                continue
            if self.kind != "token-classification":
                raise ValueError(f"[{key}] applies to token-classification (PII) tasks only")
            if unknown := sorted(set(table) - set(self.entities or ())):
                raise ValueError(
                    f"{key}: unknown entity type(s) {', '.join(unknown)}; the model's types are "
                    f"{', '.join(self.entities or ())} (rule-only types have their own scores)"
                )
            if bad := sorted(t for t, v in table.items() if not 0.0 <= v <= 1.0):
                raise ValueError(f"{key}: {', '.join(bad)} must be between 0 and 1")
        return self

    @model_validator(mode="after")
    def _fusion_fits_task(self) -> TaskSpec:
        if self.fusion is None:
            return self
        if self.kind != "token-classification":
            raise ValueError("[fusion] applies to token-classification (PII) tasks only")
        known = set(self.all_entities)
        named = {
            "fusion.deny": set(self.fusion.deny.values()),
            "fusion.context": set(self.fusion.context),
            "fusion.model_types": set(self.fusion.model_types),
            "fusion.checksum_types": set(self.fusion.checksum_types),
        }
        for where, types in named.items():
            if unknown := sorted(types - known):
                raise ValueError(
                    f"{where}: unknown entity type(s) {', '.join(unknown)}; "
                    f"allowed: {', '.join(self.all_entities)}"
                )
        return self

    @property
    def all_entities(self) -> list[str]:
        """Every type a PII task reports: the model's ``entities`` (its label set, unchanged)
        and the rule-only types of ``[fusion] rule_entities``."""
        if self.kind != "token-classification":
            return []
        model = list(self.entities or ())
        return model + (self.fusion or FusionSpec()).rule_types(model)

    @property
    def alias(self) -> str:
        """What commands and profiles call a task of this kind: ``pii`` or ``intent``."""
        return TASK_ALIASES[self.kind]

    @property
    def oos_label(self) -> str:
        """The label of an out-of-scope answer: ``out_of_scope_label``, else ``OUT_OF_SCOPE``."""
        return self.out_of_scope_label or OUT_OF_SCOPE

    @property
    def model_labels(self) -> list[str]:
        """The classifier head's labels, in output order."""
        if self.kind == "token-classification":
            assert self.entities is not None
            return ["O"] + [f"{p}-{e}" for e in self.entities for p in ("B", "I")]
        assert self.labels is not None
        return list(self.labels)

    def thresholds_for(self, variant: str) -> ParityThresholds:
        """The spec's own table, else the defaults (a spec naming only fp32/int8 still holds
        its GGUF variants to their default thresholds, not to the loose generic one)."""
        if variant in self.parity:
            return self.parity[variant]
        return _default_parity().get(variant, ParityThresholds())


SpecT = TypeVar("SpecT", bound=BaseModel)


def format_validation_error(path: Path | str, err: ValidationError) -> str:
    lines = [f"{path}: invalid spec"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see the spec's documented fields)"
        elif e["type"] == "literal_error":
            msg = f"{msg}; got {e.get('input')!r}"
        lines.append(f"  - {key}: {msg}")
    return "\n".join(lines)


def resolve_spec_path(name_or_path: str | Path, kind_folder: str) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists() or os.sep in str(name_or_path):
        if not p.is_file():
            raise SpecError(f"spec file not found: {p}")
        return p
    candidate = specs_dir() / kind_folder / f"{name_or_path}.toml"
    if not candidate.is_file():
        folder = specs_dir() / kind_folder
        known = sorted(f.stem for f in folder.glob("*.toml")) if folder.is_dir() else []
        raise SpecError(
            f"no {kind_folder} spec named {name_or_path!r} in {folder}; "
            f"known: {', '.join(known) or '(none)'}; or pass a path to a .toml file"
        )
    return candidate


def load_spec(name_or_path: str | Path, model: type[SpecT], kind_folder: str) -> SpecT:
    path = resolve_spec_path(name_or_path, kind_folder)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise SpecError(f"{path}: not valid UTF-8 ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{path}: not valid TOML: {e}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise SpecError(format_validation_error(path, e)) from None


def load_task_spec(name_or_path: str | Path) -> TaskSpec:
    return load_spec(name_or_path, TaskSpec, "tasks")


def kind_of_alias(alias: str) -> str:
    """The task kind a command or profile's task name (``pii``, ``intent``) stands for."""
    kinds = {a: k for k, a in TASK_ALIASES.items()}
    if alias not in kinds:
        raise SpecError(f"no task kind called {alias!r}; there are {', '.join(kinds)}")
    return kinds[alias]


def task_data(spec: TaskSpec) -> TaskData:
    """The task's named data sets: its own ``[data]``, else (an artifact whose manifest keeps a
    spec from before ``[data]`` existed) the shipped spec's of the same name and kind, else none.
    """
    if spec.data is not None:
        return spec.data
    path = specs_dir() / "tasks" / f"{spec.name}.toml"
    if not path.is_file():  # a user's own task: no shipped spec, no named data
        return TaskData()
    shipped = load_task_spec(path)
    return shipped.data if shipped.kind == spec.kind and shipped.data else TaskData()
