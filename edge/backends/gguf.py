"""llama.cpp backend for BERT GGUF artifacts, on llama-cpp-python's low-level API.

Why the low-level API: we feed OUR token ids (from ``tokenizers``, exactly what the ONNX backend
gets) straight into a ``llama_batch``, so llama.cpp's own WordPiece tokenizer never runs and both
formats see identical input (tests/test_gguf.py compares the two tokenizers and lists where they
differ). Outputs, with ``embeddings=True``:

- intent (``edge.head = "rank"``): RANK pooling. llama.cpp takes the [CLS] row, applies ``cls``
  (HF's pooler dense), tanh, then ``cls.output`` (HF's classifier): one logit per label per
  sequence from ``llama_get_embeddings_seq``;
- PII (``edge.head = "token"``): pooling NONE, per-token hidden states from
  ``llama_get_embeddings``; the token classifier (``head.npz`` beside the GGUF, hashed by the
  manifest as an extra file) is applied here in numpy;
- mean-pooled intent (``edge.head = "mean"``): MEAN pooling, one sentence vector per sequence
  from ``llama_get_embeddings_seq``, and the classifier from ``head.npz`` in numpy.

``llama_encode`` is called directly: BERT has no KV cache, and on such a context
``llama_decode`` only forwards to it (llama-context.cpp). Each sequence is its own encoder
call, so padding is never computed. Packing a batch into one call (llama.cpp masks attention
across sequences) was measured slower on CPU: 16×32 tokens of MiniLM q4_0 took 77 ms one by
one, 125 ms in packs of 128 tokens, 265 ms as one 512-token call (attention over the whole
pack). Flash attention is off: it casts K/V to f16, which would cost the f32 variant its parity
for no speed gain on CPU at these sizes.

A bad file must be an ArtifactError, never a crash: the header is read with gguf-py first (some
bad hparams would hit a GGML_ASSERT, which aborts the process), then llama.cpp's loader returns
NULL on anything else it rejects.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import struct
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.backends.base import Backend
from edge.backends.gguf_keys import (
    ARCH,
    HEAD_KINDS,
    KEY_ALIGNMENT,
    KEY_ARCHITECTURE,
    KEY_BLOCK_COUNT,
    KEY_CLASSIFIER_LABELS,
    KEY_CONTEXT_LENGTH,
    KEY_EDGE_HEAD,
    KEY_EDGE_LABELS,
    KEY_EMBEDDING_LENGTH,
    KEY_HEAD_COUNT,
    KEY_LAYER_NORM_EPS,
    NPZ_HEADS,
    POOLING,
)
from edge.errors import ArtifactError, BackendUnavailableError
from edge.manifest import Variant
from edge.platform_select import Selection

INSTALL_HINT = "install it with pip install -e '.[gguf]' (or `make gguf`)"

_state: dict[str, Any] = {"ready": False, "quiet": None}
_state_lock = threading.Lock()


def silence_llama_log(llama_cpp: Any) -> None:
    """llama.cpp logs model loading to stderr by default; a library must not (process-wide)."""
    if _state["quiet"] is None:

        @llama_cpp.llama_log_callback
        def _quiet(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
            return None

        _state["quiet"] = _quiet  # ctypes callbacks must outlive every call that may use them
    llama_cpp.llama_log_set(_state["quiet"], ctypes.c_void_p(0))


def load_llama_cpp() -> Any:
    """Import llama_cpp on first use (optional extra), silence it and init its backend once."""
    try:
        import llama_cpp
    except (ImportError, OSError, RuntimeError) as e:
        raise BackendUnavailableError(
            f"the GGUF (llama.cpp) backend needs llama-cpp-python, which is not usable here "
            f"({e.__class__.__name__}: {e}); {INSTALL_HINT}"
        ) from None
    with _state_lock:
        if not _state["ready"]:
            silence_llama_log(llama_cpp)
            llama_cpp.llama_backend_init()
            _state["ready"] = True
    return llama_cpp


EXTRA_BUFFERS_ENV = "EDGE_GGUF_EXTRA_BUFFERS"


def extra_buffers_safe(cpuinfo: str | None = None) -> bool:
    """May llama.cpp repack weights into its "extra buffer types" (AMX tiles, ARM/x86 repacks)?

    Seen on a cloud VM: the CPU flags list amx_tile, the hypervisor does not enable AMX, and
    the first AMX instruction in ggml's q8_0/q4_0 kernels kills the process (SIGILL: no Python
    error to catch). AMX is on data-centre Xeons, not on the devices edge targets, so on a Linux
    CPU listing amx_tile the repacking is off; ``EDGE_GGUF_EXTRA_BUFFERS=1`` (or ``0``) decides
    instead. Elsewhere (ARM boards and phones, where repacking q4_0 speeds it up) it stays on.
    """
    forced = os.environ.get(EXTRA_BUFFERS_ENV)
    if forced in ("0", "1"):
        return forced == "1"
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return True
    return "amx_tile" not in cpuinfo


@dataclass(frozen=True)
class GGUFHeader:
    head: str
    labels: list[str]
    n_embd: int
    n_layer: int
    n_ctx: int


# GGUF value types (gguf-py's GGUFValueType) → struct format, for the scalars.
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9
# ggml tensor types a BERT GGUF of ours can hold: type id → (block elements, block bytes).
# Same numbers as gguf-py's GGML_QUANT_SIZES; kept here so the runtime needs no gguf package.
GGML_SIZES = {
    0: (1, 4),  # f32
    1: (1, 2),  # f16
    30: (1, 2),  # bf16
    2: (32, 18),  # q4_0
    3: (32, 20),  # q4_1
    6: (32, 22),  # q5_0
    7: (32, 24),  # q5_1
    8: (32, 34),  # q8_0
    10: (256, 84),  # q2_K
    11: (256, 110),  # q3_K
    12: (256, 144),  # q4_K
    13: (256, 176),  # q5_K
    14: (256, 210),  # q6_K
    20: (32, 18),  # iq4_nl
}
_WANTED = {
    KEY_ARCHITECTURE,
    KEY_ALIGNMENT,
    KEY_EDGE_HEAD,
    KEY_EDGE_LABELS,
    KEY_EMBEDDING_LENGTH,
    KEY_BLOCK_COUNT,
    KEY_CONTEXT_LENGTH,
    KEY_HEAD_COUNT,
    KEY_LAYER_NORM_EPS,
    KEY_CLASSIFIER_LABELS,
}


class _Cursor:
    """Bounded little-endian reads over the mapped file: a bad length is an error, not a hang."""

    def __init__(self, buf: Any):
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> Any:
        (value,) = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return value

    def count(self, item_size: int) -> int:
        n = self.take("Q")
        if n * item_size > len(self.buf) - self.pos:
            raise ValueError(f"a length of {n} runs past the end of the file")
        return n

    def string(self, keep: bool = True) -> str | None:
        n = self.count(1)
        raw = self.buf[self.pos : self.pos + n]
        self.pos += n
        return bytes(raw).decode("utf-8") if keep else None

    def value(self, vtype: int, keep: bool) -> Any:
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string(keep)
        if vtype != _ARRAY:
            raise ValueError(f"unknown GGUF value type {vtype}")
        sub = self.take("I")
        if sub == _STRING:
            items = [self.string(keep) for _ in range(self.count(8))]
            return items if keep else None
        if sub not in _SCALARS:
            raise ValueError(f"unsupported GGUF array type {sub}")
        size = struct.calcsize(_SCALARS[sub])
        n = self.count(size)
        out = list(struct.unpack_from(f"<{n}{_SCALARS[sub]}", self.buf, self.pos)) if keep else None
        self.pos += n * size
        return out


def _parse(buf: Any) -> dict[str, Any]:
    """The metadata we need, after checking that every tensor's data lies inside the file."""
    cur = _Cursor(buf)
    if bytes(buf[:4]) != b"GGUF":
        raise ValueError("GGUF magic missing")
    cur.pos = 4
    if cur.take("I") not in (2, 3):
        raise ValueError("unsupported GGUF version")
    n_tensors, n_kv = cur.take("Q"), cur.take("Q")
    if n_tensors > 100_000 or n_kv > 100_000:
        raise ValueError(f"implausible counts ({n_tensors} tensors, {n_kv} keys)")
    meta: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string()
        vtype = cur.take("I")
        meta[key] = cur.value(vtype, keep=key in _WANTED)
    extents = []
    for _ in range(n_tensors):
        name = cur.string()
        n_dims = cur.take("I")
        if not 0 < n_dims <= 4:
            raise ValueError(f"tensor {name} has {n_dims} dimensions")
        n_elem = 1
        for _ in range(n_dims):
            n_elem *= cur.take("Q")
        ttype, offset = cur.take("I"), cur.take("Q")
        if ttype not in GGML_SIZES or n_elem % GGML_SIZES[ttype][0]:
            raise ValueError(f"tensor {name} has type {ttype} that does not fit its shape")
        block, size = GGML_SIZES[ttype]
        extents.append((name, offset, n_elem // block * size))
    align = int(meta.get(KEY_ALIGNMENT) or 32)
    data_start = -(-cur.pos // align) * align
    for name, offset, nbytes in extents:
        if data_start + offset + nbytes > len(buf):
            raise ValueError(f"tensor {name} runs past the end of the file (truncated)")
    return meta


def read_header(path: Path) -> GGUFHeader:
    """Check the file's header, metadata and tensor extents in Python before llama.cpp sees it.

    A bounded parser of our own (the GGUF layout, as gguf-py reads it) rather than gguf-py's
    GGUFReader, which takes ~0.6 s on MiniLM's 30k-token vocab; this takes a few ms.
    """
    if not path.is_file():
        raise ArtifactError(f"{path} is missing; rebuild the artifact")
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            meta = _parse(buf)
    except (ValueError, struct.error, UnicodeDecodeError, OverflowError, MemoryError, OSError) as e:
        raise ArtifactError(
            f"{path} is not a readable GGUF file ({e.__class__.__name__}: {e}); "
            "rebuild or re-download the artifact"
        ) from None
    arch = meta.get(KEY_ARCHITECTURE)
    if arch != ARCH:
        raise ArtifactError(f"{path} is a {arch!r} GGUF; edge's GGUF backend runs {ARCH!r}")
    optional = {KEY_ALIGNMENT, KEY_CLASSIFIER_LABELS}
    missing = sorted(_WANTED - optional - set(meta))
    if missing:
        raise ArtifactError(f"{path} lacks GGUF keys {missing}: not an edge GGUF; rebuild it")
    head, labels = meta[KEY_EDGE_HEAD], meta[KEY_EDGE_LABELS]
    n_embd = meta[KEY_EMBEDDING_LENGTH]
    n_layer = meta[KEY_BLOCK_COUNT]
    n_ctx = meta[KEY_CONTEXT_LENGTH]
    n_head = meta[KEY_HEAD_COUNT]
    eps = meta[KEY_LAYER_NORM_EPS]
    ints = all(isinstance(x, int) for x in (n_embd, n_layer, n_ctx, n_head))
    # values llama.cpp would GGML_ASSERT on (aborting the process) rather than reject
    if (
        head not in HEAD_KINDS
        or not isinstance(labels, list)
        or not labels
        or not ints
        or not 0 < n_layer <= 512  # LLAMA_MAX_LAYERS
        or n_embd <= 0
        or n_head <= 0
        or n_embd % n_head
        or n_ctx <= 2
        or not isinstance(eps, float)
        or not 0.0 <= eps < 1.0  # also false for NaN (ggml asserts eps >= 0)
    ):
        raise ArtifactError(f"{path} has implausible metadata; rebuild the artifact")
    if head == "rank" and meta.get(KEY_CLASSIFIER_LABELS) != labels:
        raise ArtifactError(f"{path}: classifier labels disagree with edge.labels")
    return GGUFHeader(head=head, labels=labels, n_embd=n_embd, n_layer=n_layer, n_ctx=n_ctx)


def load_head(artifact_dir: Path, variant: Variant, header: GGUFHeader) -> tuple:
    """The classifier (weight [labels, hidden], bias [labels]) from the variant's npz."""
    entries = [e for e in variant.extra_files if e.file.endswith(".npz")]
    if len(entries) != 1:
        raise ArtifactError(
            f"GGUF variant {variant.name!r} ({header.head!r} head) needs one .npz head in "
            "extra_files; rebuild the artifact"
        )
    path = Path(artifact_dir) / entries[0].file
    try:
        with np.load(path, allow_pickle=False) as data:
            weight = np.ascontiguousarray(data["weight"], dtype=np.float32)
            bias = np.ascontiguousarray(data["bias"], dtype=np.float32)
    except Exception as e:  # zipfile/KeyError/ValueError on a bad file
        raise ArtifactError(f"cannot read the classifier head {path} ({e}); rebuild it") from None
    if weight.shape != (len(header.labels), header.n_embd) or bias.shape != (len(header.labels),):
        raise ArtifactError(f"{path}: head shape {weight.shape} does not fit the GGUF model")
    return weight, bias


def _free(llama_cpp: Any, model: int, ctx: int) -> None:
    if ctx:
        llama_cpp.llama_free(ctx)
    if model:
        llama_cpp.llama_model_free(model)


class GGUFBackend(Backend):
    format = "gguf"

    def __init__(
        self,
        llama_cpp: Any,
        model: int,
        ctx: int,
        header: GGUFHeader,
        head: tuple | None,
        capacity: int,
    ):
        self._ll = llama_cpp
        self._model = model
        self._ctx = ctx
        self._header = header
        self._head = head
        self._capacity = capacity
        self._n_out = len(header.labels)
        self._lock = threading.Lock()  # a llama_context is not thread-safe
        self._seq0 = np.zeros(1, dtype=np.int32)
        self._finalizer = weakref.finalize(self, _free, llama_cpp, model, ctx)

    @classmethod
    def open(
        cls,
        artifact_dir: Path,
        variant: Variant,
        *,
        threads: int | None = None,
        placement: Selection | None = None,
        keep_optimized: bool = True,  # llama.cpp loads the GGUF as it is: nothing to keep
    ) -> Backend:
        ll = load_llama_cpp()
        path = Path(artifact_dir) / variant.model.file
        header = read_header(path)
        head = load_head(artifact_dir, variant, header) if header.head in NPZ_HEADS else None
        mparams = ll.llama_model_default_params()
        # Metal offload when the hardware profile chose it (Apple silicon), else CPU.
        mparams.n_gpu_layers = placement.gguf_gpu_layers if placement else 0
        if hasattr(mparams, "use_extra_bufts") and not extra_buffers_safe():
            mparams.use_extra_bufts = False
        model = ll.llama_model_load_from_file(str(path).encode(), mparams)
        if not model:
            raise ArtifactError(f"llama.cpp cannot load {path} (corrupt or not a BERT GGUF)")
        if ll.llama_model_n_embd(model) != header.n_embd:
            _free(ll, model, 0)
            raise ArtifactError(f"{path}: llama.cpp and the header disagree on the hidden size")
        if header.head == "rank" and ll.llama_model_n_cls_out(model) != len(header.labels):
            _free(ll, model, 0)
            raise ArtifactError(f"{path}: classifier has the wrong number of outputs")
        capacity = int(ll.llama_model_n_ctx_train(model))
        n_threads = threads or os.cpu_count() or 1
        cparams = ll.llama_context_default_params()
        cparams.embeddings = True
        cparams.pooling_type = getattr(ll, f"LLAMA_POOLING_TYPE_{POOLING[header.head]}")
        cparams.flash_attn_type = ll.LLAMA_FLASH_ATTN_TYPE_DISABLED
        cparams.n_ctx = cparams.n_batch = cparams.n_ubatch = capacity
        cparams.n_seq_max = 1
        cparams.n_threads = cparams.n_threads_batch = n_threads
        cparams.no_perf = True
        ctx = ll.llama_init_from_model(model, cparams)
        if not ctx:
            _free(ll, model, 0)
            raise ArtifactError(f"llama.cpp cannot create a context for {path}")
        return cls(ll, model, ctx, header, head, capacity)

    def close(self) -> None:
        self._finalizer()

    def _encode(self, tokens: np.ndarray) -> None:
        """One sequence through the encoder (sequence id 0, positions 0..n-1, every output)."""
        ll = self._ll
        n = len(tokens)
        if n > self._capacity:
            raise ArtifactError(
                f"a {n}-token sequence exceeds the GGUF model's {self._capacity} positions; "
                "the task's max_length does not fit this model"
            )
        tokens = np.ascontiguousarray(tokens, dtype=np.int32)
        pos = np.arange(n, dtype=np.int32)
        n_seq_id = np.ones(n, dtype=np.int32)
        outputs = np.ones(n, dtype=np.int8)
        # llama_batch.seq_id is int32**: every token points at the same seq id 0
        seq_ptrs = np.full(n, self._seq0.ctypes.data, dtype=np.uintp)
        i32p = ctypes.POINTER(ctypes.c_int32)
        batch = ll.llama_batch(
            n_tokens=n,
            token=tokens.ctypes.data_as(i32p),
            embd=None,
            pos=pos.ctypes.data_as(i32p),
            n_seq_id=n_seq_id.ctypes.data_as(i32p),
            seq_id=seq_ptrs.ctypes.data_as(ctypes.POINTER(i32p)),
            logits=outputs.ctypes.data_as(ctypes.POINTER(ctypes.c_int8)),
        )
        rc = ll.llama_encode(self._ctx, batch)
        if rc != 0:
            raise ArtifactError(f"llama.cpp failed to run the model (llama_encode returned {rc})")

    def _run(self, input_ids: np.ndarray, attention_mask: np.ndarray, collect) -> None:
        """Encode row by row; ``collect(row, n)`` reads each row's output."""
        ids = np.asarray(input_ids)
        mask = np.asarray(attention_mask)
        lengths = mask.sum(axis=1).astype(np.int64)
        # right padding only (what TextEncoder.pad makes): row r's tokens are ids[r, :len]
        if not np.array_equal(mask, np.arange(ids.shape[1])[None, :] < lengths[:, None]):
            raise ValueError("GGUFBackend needs right-padded batches (mask = 1...1 0...0)")
        with self._lock:
            for row, n in enumerate(lengths.tolist()):
                self._encode(ids[row, :n])
                collect(row, n)

    def hidden_states(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """[batch, seq, hidden] last-layer states (token models: what the numpy head reads)."""
        if self._header.head != "token":
            raise ArtifactError(
                f"this GGUF pools inside llama.cpp ({self._header.head}); it has no token states"
            )
        out = np.zeros((*np.shape(input_ids), self._header.n_embd), dtype=np.float32)

        def collect(row: int, n: int) -> None:
            ptr = self._ll.llama_get_embeddings(self._ctx)
            if not ptr:
                raise ArtifactError("llama.cpp returned no hidden states")
            out[row, :n] = np.ctypeslib.as_array(ptr, shape=(n, self._header.n_embd))

        self._run(input_ids, attention_mask, collect)
        return out

    def _pooled(self, input_ids: np.ndarray, width: int) -> tuple[np.ndarray, Any]:
        """[batch, width] per-sequence output of llama.cpp's pooling, and its collector."""
        out = np.zeros((np.shape(input_ids)[0], width), dtype=np.float32)

        def collect(row: int, n: int) -> None:
            ptr = self._ll.llama_get_embeddings_seq(self._ctx, 0)
            if not ptr:
                raise ArtifactError("llama.cpp returned no pooled output")
            out[row] = np.ctypeslib.as_array(ptr, shape=(width,))

        return out, collect

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        head = self._header.head
        if head == "token":
            weight, bias = self._head
            return self.hidden_states(input_ids, attention_mask) @ weight.T + bias
        width = self._header.n_embd if head == "mean" else self._n_out
        out, collect = self._pooled(input_ids, width)
        self._run(input_ids, attention_mask, collect)
        if head == "mean":
            weight, bias = self._head
            return out @ weight.T + bias
        return out
