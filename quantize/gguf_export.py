"""Merged transformers BERT → GGUF (llama.cpp's ``bert`` architecture), then llama.cpp's own
quantizer for the smaller types.

Written with the ``gguf`` package (GGUFWriter, MODEL_ARCH, TensorNameMap), not with llama.cpp's
convert script. What it follows, in the llama.cpp source vendored by llama-cpp-python 0.3.36:

- ``src/models/bert.cpp``: the tensors and shapes the BERT loader asks for (``token_embd``,
  ``token_types``, ``position_embd``, ``token_embd_norm``, per block ``attn_q/k/v``,
  ``attn_output``, ``attn_output_norm``, ``ffn_up``, ``ffn_down``, ``layer_output_norm``; optional
  ``cls`` and ``cls.output``) and that token types are fixed to row 0 (sentence A), as our runtime
  feeds them;
- ``src/llama-model.cpp``: the hparams keys (context/embedding/feed-forward length, block and head
  count, layer-norm eps, causal attention, pooling type, ``<arch>.classifier.output_labels``
  whose length is ``n_cls_out``) and ``tokenizer.ggml.token_type_count`` (required by BERT);
- ``src/llama-graph.cpp`` ``build_pooling``: with RANK pooling the [CLS] row goes through
  ``cls`` (dense), then **tanh**, then ``cls.output``. HF ``BertForSequenceClassification`` is
  ``classifier(tanh(pooler.dense(h_cls)))``, so ``bert.pooler.dense`` is written as ``cls`` and
  ``classifier`` as ``cls.output``. gguf-py's TensorNameMap maps a bare ``classifier`` to ``cls``
  (jina's naming) and llama.cpp's converter drops the pooler; either way the logits change with no
  error (the "pooler trap", proved in tests/test_gguf.py). Our head table below wins over the map;
- ``src/llama-vocab.cpp`` (WPM): tokens are stored "phantom space" style: a word-start piece
  ``foo`` as ``▁foo``, a continuation ``##oo`` as ``oo``, control tokens as they are; the
  BertNormalizer's ``lowercase``/``strip_accents`` go to ``tokenizer.ggml.normalizer.*``.
  Our runtime never uses llama.cpp's tokenizer (it feeds ``tokenizers`` ids), but the vocab makes
  the file a complete, inspectable model;
- ``src/llama-quant.cpp``: which tensors get quantized (2-D ``*.weight`` except norms, position
  embeddings and token types) and the per-tensor fallback when a row length is not a multiple of
  the type's block (k-quants need 256; ``tensor_type_fallback``: q4_K→q5_0, q5_K→q5_1,
  q6_K→q8_0, q2_K/q3_K→q4_0; a row not a multiple of 32 → f16).

PII (token classification) GGUFs have no head: llama.cpp returns per-token hidden states
(pooling NONE) and the runtime applies the classifier from ``head.npz`` in numpy, because
llama.cpp has no per-token classifier for BERT. Mean-pooled intent models (task spec
``pooling = "mean"``) likewise: llama.cpp's MEAN pooling returns the sentence vector and
``head.npz`` holds the classifier.
"""

from __future__ import annotations

import ctypes
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.backends.gguf_keys import (
    ARCH,
    KEY_EDGE_HEAD,
    KEY_EDGE_LABELS,
    KEY_NORMALIZER_LOWERCASE,
    KEY_NORMALIZER_STRIP_ACCENTS,
    NPZ_HEADS,
    POOLING,
)
from edge.errors import BuildError
from edge.specs import TaskSpec
from edge.variants import VARIANTS

# Tensors of the task head, per head kind: HF name (without the ``bert.`` prefix) → llama.cpp
# tensor role (None: leave the tensor out). Looked up before gguf-py's TensorNameMap, which
# would send ``classifier`` to ``cls``.
HEAD_TENSORS: dict[str, dict[str, str | None]] = {
    "rank": {"pooler.dense": "CLS", "classifier": "CLS_OUT"},
    "mean": {},  # the classifier goes to head.npz, there is no pooler
    "token": {},  # the classifier goes to head.npz, there is no pooler
}
# The pooling of each head kind (gguf_keys.POOLING): RANK applies cls/tanh/cls.output inside
# llama.cpp; MEAN returns the mean of the token states per sequence; NONE every token's state.


def head_kind(spec: TaskSpec) -> str:
    """ "token" for token tasks; "rank" ([CLS] pooler) or "mean" for sequence tasks."""
    if spec.kind == "token-classification":
        return "token"
    return "mean" if spec.pooling == "mean" else "rank"


SKIPPED = ("embeddings.position_ids",)  # a buffer, not a weight
GELU_ACTS = ("gelu", "gelu_new", "gelu_pytorch_tanh")  # llama.cpp's BERT FFN is GELU (tanh form)


@dataclass(frozen=True)
class GGUFType:
    """One GGUF variant (its row in ``edge.variants``): its file, llama.cpp's ``llama_ftype``
    and the row block it needs.

    ``ftype`` values are llama.h's ``enum llama_ftype`` (mirrored by gguf-py's LlamaFileType).
    ``block``: a tensor takes the type only if its rows (``ne[0]``, the input width) are a
    multiple of it; llama.cpp falls back per tensor otherwise.
    """

    file: str
    ftype: int
    block: int
    type_name: str  # the ggml type most tensors get


GGUF_VARIANTS: dict[str, GGUFType] = {
    v.name: GGUFType(
        v.file, int(v.quantizer["ftype"]), int(v.quantizer["block"]), str(v.quantizer["type_name"])
    )
    for v in VARIANTS.values()
    if v.format == "gguf"
}
ALL_F32 = 0  # llama_ftype LLAMA_FTYPE_ALL_F32: the export itself, nothing to quantize


def _gguf():
    try:
        import gguf
    except ImportError:
        raise BuildError(
            "GGUF export needs the gguf package: pip install -e '.[gguf]' (or `make gguf`)"
        ) from None
    return gguf


def model_rows(config) -> dict[str, int]:
    """Row lengths of the matrices llama.cpp quantizes (``ne[0]``: the input width)."""
    return {"hidden": int(config.hidden_size), "intermediate": int(config.intermediate_size)}


def check_takes(name: str, config) -> list[str]:
    """Which of the model's row lengths can take the variant's type; refuse when none can.

    llama.cpp does not refuse: it falls back tensor by tensor, so a "q4_k_m" of a model whose
    rows are all 32 wide is really q5_0 everywhere, mislabelled. We say so instead.
    """
    t = GGUF_VARIANTS[name]
    rows = model_rows(config)
    takes = [k for k, n in rows.items() if n % t.block == 0]
    if not takes:
        widths = ", ".join(f"{k} {n}" for k, n in rows.items())
        raise BuildError(
            f"{name}: this model cannot take {t.type_name}: its rows ({widths}) are not "
            f"multiples of {t.block}, so llama.cpp would fall back to another type for every "
            "tensor; choose gguf-q8_0/gguf-q5_0/gguf-q4_0 (32-wide blocks) or gguf-f16"
        )
    return takes


def _hf_tensors(model) -> dict[str, np.ndarray]:
    """The merged model's weights as float32 numpy, keyed without the ``bert.`` prefix."""
    out: dict[str, np.ndarray] = {}
    for name, t in model.state_dict().items():
        key = name.removeprefix("bert.")
        if key in SKIPPED:
            continue
        out[key] = t.detach().float().cpu().numpy()
    return out


def _check_config(config) -> None:
    if getattr(config, "model_type", None) != "bert":
        raise BuildError(
            f"GGUF export writes llama.cpp's BERT architecture; this model is "
            f"{getattr(config, 'model_type', '?')!r}"
        )
    act = getattr(config, "hidden_act", "gelu")
    if act not in GELU_ACTS:
        raise BuildError(f"GGUF export: llama.cpp's BERT uses GELU, this model uses {act!r}")
    pos = getattr(config, "position_embedding_type", "absolute")
    if pos != "absolute":
        raise BuildError(f"GGUF export: llama.cpp's BERT needs absolute positions, got {pos!r}")


def add_vocab(writer, tokenizer_path: Path, n_vocab: int | None = None) -> dict[str, int]:
    """WordPiece vocab in llama.cpp's WPM layout; returns the special ids written.

    Follows llama-vocab.cpp's WPM tokenizer: a word is looked up as ``▁`` + its start, then its
    continuations bare, so ``##x`` is stored as ``x`` and a word-start ``x`` as ``▁x``. Special
    (added) tokens are CONTROL and stored as they are.
    """
    gguf = _gguf()
    data = json.loads(Path(tokenizer_path).read_text(encoding="utf-8"))
    model = data.get("model", {})
    if model.get("type") != "WordPiece":
        raise BuildError(f"{tokenizer_path}: GGUF export needs a WordPiece tokenizer")
    vocab: dict[str, int] = model["vocab"]
    size = max(vocab.values()) + 1
    if sorted(vocab.values()) != list(range(size)):
        raise BuildError(f"{tokenizer_path}: vocab ids are not 0..{size - 1} without gaps")
    if n_vocab is not None and n_vocab != size:
        raise BuildError(f"{tokenizer_path}: {size} tokens, the model's embedding has {n_vocab}")
    by_id = [""] * size
    for tok, i in vocab.items():
        by_id[i] = tok
    special = {t["content"] for t in data.get("added_tokens", []) if t.get("special")}
    prefix = model.get("continuing_subword_prefix", "##")
    tokens: list[str] = []
    types: list[int] = []
    for tok in by_id:
        if tok in special:
            tokens.append(tok)
            types.append(gguf.TokenType.CONTROL)
        elif tok.startswith(prefix):
            tokens.append(tok[len(prefix) :])
            types.append(gguf.TokenType.NORMAL)
        else:
            tokens.append("\u2581" + tok)
            types.append(gguf.TokenType.NORMAL)
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    norm = data.get("normalizer") or {}
    if norm.get("type") == "BertNormalizer":
        lowercase = bool(norm.get("lowercase", True))
        strip = norm.get("strip_accents")
        writer.add_bool(KEY_NORMALIZER_LOWERCASE, lowercase)
        writer.add_bool(KEY_NORMALIZER_STRIP_ACCENTS, lowercase if strip is None else bool(strip))
    ids = {}
    for role, token, add in (
        ("cls", "[CLS]", writer.add_bos_token_id),
        ("sep", "[SEP]", writer.add_sep_token_id),
        ("unk", "[UNK]", writer.add_unk_token_id),
        ("pad", "[PAD]", writer.add_pad_token_id),
        ("mask", "[MASK]", writer.add_mask_token_id),
    ):
        if token in vocab:
            add(vocab[token])
            ids[role] = vocab[token]
    writer.add_add_bos_token(True)  # [CLS] ... [SEP], as llama.cpp's BERT default
    writer.add_add_sep_token(True)
    writer.add_add_eos_token(False)
    return ids


@dataclass(frozen=True)
class GGUFExport:
    """What ``write_gguf`` wrote: the f32 GGUF, and the numpy head for token tasks."""

    gguf_file: Path
    head_file: Path | None
    tensors: int


def write_gguf(
    model,
    spec: TaskSpec,
    tokenizer_path: Path,
    out_file: Path,
    head_file: Path | None = None,
    *,
    head_tensors: dict[str, str | None] | None = None,
) -> GGUFExport:
    """Write the merged model as an f32 GGUF; token tasks also get ``head_file`` (npz).

    ``head_tensors`` overrides HEAD_TENSORS[head_kind(spec)]; tests use it to write the pooler-less
    conversion and show that its logits are wrong.
    """
    gguf = _gguf()
    config = model.config
    _check_config(config)
    labels = spec.model_labels
    weights = _hf_tensors(model)
    n_layer = int(config.num_hidden_layers)
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, n_layer)
    kind = head_kind(spec)
    head = HEAD_TENSORS[kind] if head_tensors is None else head_tensors
    writer = gguf.GGUFWriter(str(out_file), ARCH)
    writer.add_name(f"edge-{spec.name}")
    writer.add_context_length(int(config.max_position_embeddings))
    writer.add_embedding_length(int(config.hidden_size))
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(int(config.intermediate_size))
    writer.add_head_count(int(config.num_attention_heads))
    writer.add_layer_norm_eps(float(config.layer_norm_eps))
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType[POOLING[kind]])
    writer.add_file_type(ALL_F32)
    writer.add_token_type_count(int(getattr(config, "type_vocab_size", 2)))
    writer.add_string(KEY_EDGE_HEAD, kind)
    writer.add_array(KEY_EDGE_LABELS, labels)
    if kind == "rank":
        writer.add_classifier_output_labels(labels)
    add_vocab(writer, tokenizer_path, n_vocab=int(config.vocab_size))

    head_arrays: dict[str, np.ndarray] = {}
    written = 0
    for name, arr in weights.items():
        stem, _, suffix = name.rpartition(".")
        if stem in head:
            role_name = head[stem]
            if role_name is None:
                continue
            role = getattr(gguf.MODEL_TENSOR, role_name)
            gguf_name = f"{gguf.TENSOR_NAMES[role]}.{suffix}"
        elif stem == "classifier" and kind in NPZ_HEADS:
            head_arrays[suffix] = arr
            continue
        else:
            gguf_name = name_map.get_name(name, try_suffixes=(".weight", ".bias"))
            if gguf_name is None:
                raise BuildError(
                    f"GGUF export: no llama.cpp BERT tensor for {name!r}; refusing to drop it"
                )
        writer.add_tensor(gguf_name, np.ascontiguousarray(arr, dtype=np.float32))
        written += 1
    if kind in NPZ_HEADS:
        if set(head_arrays) != {"weight", "bias"}:
            raise BuildError("GGUF export: classifier weight/bias not found in the model")
        if head_arrays["weight"].shape[0] != len(labels):
            raise BuildError("GGUF export: classifier rows disagree with the task's labels")
        if head_file is None:
            raise BuildError(f"GGUF export: a {kind!r} head needs a head file")
        np.savez(head_file, weight=head_arrays["weight"], bias=head_arrays["bias"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return GGUFExport(out_file, head_file if kind in NPZ_HEADS else None, written)


# llama-quant.cpp tensor_type_fallback's warning: the tensor, its row length, wanted → used type
FALLBACK = re.compile(
    r"ncols\s+(\d+) not divisible by\s+\d+ \(required for type\s+(\S+)\).*?"
    r"falling back to\s+(\S+)",
    re.S,
)


@contextmanager
def captured_llama_log() -> Iterator[list[str]]:
    """Collect llama.cpp's log lines (the quantizer's fallback warnings) instead of printing."""
    from edge.backends.gguf import load_llama_cpp, silence_llama_log

    llama_cpp = load_llama_cpp()
    lines: list[str] = []

    @llama_cpp.llama_log_callback
    def collect(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        lines.append(text.decode("utf-8", errors="replace"))

    llama_cpp.llama_log_set(collect, ctypes.c_void_p(0))
    try:
        yield lines
    finally:
        silence_llama_log(llama_cpp)


def quantize(src: Path, dst: Path, name: str, threads: int | None = None) -> dict:
    """``src`` (f32 GGUF) → ``dst`` with llama.cpp's quantizer; returns what happened."""
    from edge.backends.gguf import load_llama_cpp

    t = GGUF_VARIANTS[name]
    llama_cpp = load_llama_cpp()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = t.ftype
    params.nthread = threads or 0
    with captured_llama_log() as log:
        rc = llama_cpp.llama_model_quantize(
            str(src).encode(), str(dst).encode(), ctypes.byref(params)
        )
    if rc != 0:
        tail = "".join(log).strip().splitlines()[-3:]
        raise BuildError(f"llama.cpp could not quantize to {name} (rc {rc}): {' | '.join(tail)}")
    fallbacks = Counter(
        f"{want.lower()}→{got.lower()} (rows {ncols})"
        for ncols, want, got in FALLBACK.findall("".join(log))
    )
    return {
        **describe(dst, name),
        "fallback_tensors": sum(fallbacks.values()),
        "fallbacks": "; ".join(f"{k} ×{n}" for k, n in sorted(fallbacks.items())) or None,
    }


def describe(path: Path, name: str) -> dict:
    """The quantization record: the ftype asked for and the tensor types the file really has."""
    from edge.backends.gguf import load_llama_cpp

    gguf = _gguf()
    llama_cpp = load_llama_cpp()
    reader = gguf.GGUFReader(str(path))
    counts = Counter(t.tensor_type.name.lower() for t in reader.tensors)
    t = GGUF_VARIANTS[name]
    return {
        "method": "llama.cpp llama_model_quantize" if t.ftype != ALL_F32 else "none",
        "ftype": gguf.LlamaFileType(t.ftype).name,
        "target_type": t.type_name,
        "tensor_types": ", ".join(f"{k}:{v}" for k, v in sorted(counts.items())),
        "llama_cpp_python": llama_cpp.__version__,
    }
