"""The GGUF metadata edge writes (quantize/gguf_export.py) and reads (edge/backends/gguf.py), in
one module both import: a key or head kind renamed on one side only would make every new file
unreadable, or (a pooling mixed up) readable with wrong logits.

Plain strings, no gguf import: the runtime reads headers without the gguf package. llama.cpp's own
keys are spelled as gguf-py's ``Keys`` (``Keys.LLM.EMBEDDING_LENGTH`` is
``"{arch}.embedding_length"``); tests/test_gguf.py checks the two agree.
"""

from __future__ import annotations

ARCH = "bert"  # llama.cpp's architecture for BERT encoders (src/models/bert.cpp)

KEY_ARCHITECTURE = "general.architecture"
KEY_ALIGNMENT = "general.alignment"
KEY_EMBEDDING_LENGTH = f"{ARCH}.embedding_length"
KEY_BLOCK_COUNT = f"{ARCH}.block_count"
KEY_CONTEXT_LENGTH = f"{ARCH}.context_length"
KEY_HEAD_COUNT = f"{ARCH}.attention.head_count"
KEY_LAYER_NORM_EPS = f"{ARCH}.attention.layer_norm_epsilon"
KEY_CLASSIFIER_LABELS = f"{ARCH}.classifier.output_labels"
# Keys llama.cpp reads that gguf 0.19's Keys class does not name (src/llama-arch.cpp).
KEY_NORMALIZER_LOWERCASE = "tokenizer.ggml.normalizer.lowercase"
KEY_NORMALIZER_STRIP_ACCENTS = "tokenizer.ggml.normalizer.strip_accents"
# Our own keys: what the runtime needs to know about the file without the manifest.
KEY_EDGE_HEAD = "edge.head"  # a HEAD_KINDS name: how the runtime turns the output into logits
KEY_EDGE_LABELS = "edge.labels"

# Head kinds: "rank", the [CLS] pooler + classifier inside llama.cpp (HF's
# BertForSequenceClassification); "mean", a mean-pooled sentence vector; "token", per-token states.
# Their llama.cpp pooling (gguf-py's PoolingType, llama.h's LLAMA_POOLING_TYPE_*):
POOLING: dict[str, str] = {"rank": "RANK", "mean": "MEAN", "token": "NONE"}
HEAD_KINDS = tuple(POOLING)
NPZ_HEADS = ("mean", "token")  # head kinds whose classifier the runtime applies from HEAD_FILE
HEAD_FILE = "head.npz"
