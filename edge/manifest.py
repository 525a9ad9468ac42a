"""The artifact manifest: what was built, from what, and proof that it still matches.

``edge.load`` refuses an artifact whose files no longer hash to what the manifest says, so a
truncated download or a swapped model file is caught before a wrong answer is produced.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edge.errors import ArtifactError
from edge.specs import TaskSpec

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first read


class FileEntry(_Model):
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=0)


class AccuracyParity(_Model):
    """The variant's accuracy beside the PyTorch model's on labelled texts of the task (the
    validation split `edge train` saved with the adapter): what a user would lose by shipping
    it, instead of argmax agreement, which counts flips of near-ties that change no answer."""

    labelled_texts: int
    reference_accuracy: float
    accuracy: float
    drop_points: float  # 100 * (reference - variant); negative: the variant scored higher
    max_drop_points: float
    passed: bool


class ParityRecord(_Model):
    """How the variant compared with the merged PyTorch model on the probe set at build time."""

    reference: str = "pytorch-merged-fp32"
    probe_texts: int
    probe_units: int
    max_abs_logit_diff: float
    argmax_agreement: float
    thresholds: dict[str, float | bool | None]
    # Each probe text run alone (no padding) against the same text in shuffled batches of mixed
    # lengths: the share of texts whose argmax labels are identical, and the largest logit change.
    # None: recorded before the check existed.
    batch_invariance: float | None = None
    batch_max_abs_logit_diff: float | None = None
    passed: bool
    accuracy: AccuracyParity | None = None  # set: it and the logit limit decide `passed`


class Variant(_Model):
    name: str
    format: str
    model: FileEntry
    extra_files: list[FileEntry] = Field(default_factory=list)
    quantization: dict[str, str | bool | int | float | None] = Field(default_factory=dict)
    parity: ParityRecord


class SourceRecord(_Model):
    name: str
    sha256: str
    # adapter: where its training data was (the adapter record's "data"), for `edge eval`'s
    # baseline; a path on the machine that trained it, so it may not be there any more
    training_data: dict[str, str | None] | None = None


class Manifest(_Model):
    schema_version: int = SCHEMA_VERSION
    edge_version: str
    created_at: str
    task: TaskSpec
    labels: list[str]
    base_model: SourceRecord
    adapter: SourceRecord
    tokenizer: FileEntry
    special_tokens: dict[str, int]
    variants: list[Variant]
    default_variant: str
    build_seconds: float | None = None

    def variant(self, name: str | None) -> Variant:
        name = name or self.default_variant
        for v in self.variants:
            if v.name == name:
                return v
        known = ", ".join(v.name for v in self.variants)
        raise ArtifactError(f"artifact has no variant {name!r}; it has: {known}")


def read_manifest(artifact_dir: Path) -> Manifest:
    artifact_dir = Path(artifact_dir)
    if not artifact_dir.is_dir():
        raise ArtifactError(
            f"artifact folder not found: {artifact_dir} (build one with `edge build`)"
        )
    path = artifact_dir / MANIFEST_NAME
    if not path.is_file():
        raise ArtifactError(f"{artifact_dir} has no {MANIFEST_NAME}: not an edge artifact")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ArtifactError(f"{path} is corrupt ({e}); rebuild the artifact") from None
    if isinstance(raw, dict) and raw.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise ArtifactError(
            f"{path} has schema_version {raw.get('schema_version')}, this edge reads "
            f"{SCHEMA_VERSION}; rebuild the artifact with this version of edge"
        )
    try:
        return Manifest.model_validate(raw)
    except ValidationError as e:
        raise ArtifactError(f"{path} is not a valid manifest: {e}") from None


def verify_entry(artifact_dir: Path, entry: FileEntry) -> Path:
    """Return the file's path after checking its size and sha256 against the manifest."""
    path = Path(artifact_dir) / entry.file
    if not path.is_file():
        raise ArtifactError(f"{path} is missing; rebuild the artifact")
    size = path.stat().st_size
    if size != entry.size_bytes:
        raise ArtifactError(
            f"{path} is {size} bytes, the manifest says {entry.size_bytes}: truncated or "
            "replaced; rebuild or re-download the artifact"
        )
    digest = sha256_file(path)
    if digest != entry.sha256:
        raise ArtifactError(
            f"{path} does not match its sha256 in the manifest (corrupt or modified); "
            "rebuild or re-download the artifact"
        )
    return path


def file_entry(artifact_dir: Path, path: Path) -> FileEntry:
    return FileEntry(
        file=str(Path(path).relative_to(artifact_dir)),
        sha256=sha256_file(path),
        size_bytes=Path(path).stat().st_size,
    )
