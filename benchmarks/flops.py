"""Model FLOPs per sequence, counted from the weight shapes in the artifact itself.

Why from the artifact: the figure must describe the model being timed (a fine-tune may change the
head, a future base may change the width), not a number typed in by hand. Every variant of an
artifact runs the same math, so the count is taken once, from the ONNX graph if there is one
(weights feeding MatMul/Gemm nodes, plain or quantized), else from the GGUF tensors.

The formula (one multiply-add = 2 FLOPs; embeddings are lookups and LayerNorm, softmax, GELU and
biases are left out, together under 1 % for MiniLM) for one sequence of ``L`` tokens, hidden
width ``d``, ``n`` layers, feed-forward width ``f``::

    FLOPs(L) = 2 · P_layers · L                  # Q, K, V, attention-output, FFN up and down
             + 4 · n · L² · d                    # Q·Kᵀ and softmax(·)·V, all heads together
             + 2 · P_head · (L or 1)             # per token (PII) or once, on [CLS] (intent)
    P_layers = n · (4·d² + 2·d·f)                # the linear weights of the encoder layers

``P_head`` is every other linear weight (PII: the token classifier; intent: pooler + classifier).
Only real tokens are counted, never padding, so achieved GFLOP/s is useful work per second.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from edge.manifest import Manifest

FORMULA = (
    "FLOPs(L) = 2*P_layers*L + 4*n_layers*L^2*d + 2*P_head*(L if token task else 1), "
    "P_layers = n_layers*(4*d^2 + 2*d*f); embeddings, norms, activations and biases not counted"
)

LINEAR_OPS = {"MatMul", "Gemm", "MatMulInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat"}


@dataclass(frozen=True)
class Architecture:
    hidden: int
    layers: int
    ffn: int
    head_params: int
    per_token_head: bool
    source: str

    @property
    def layer_params(self) -> int:
        return self.layers * (4 * self.hidden**2 + 2 * self.hidden * self.ffn)

    def flops(self, length: int) -> float:
        """FLOPs of one sequence of ``length`` tokens (see the module docstring)."""
        head = 2 * self.head_params * (length if self.per_token_head else 1)
        attention = 4 * self.layers * length**2 * self.hidden
        return float(2 * self.layer_params * length + attention + head)

    def to_dict(self) -> dict:
        return {**asdict(self), "layer_params": self.layer_params, "formula": FORMULA}


def from_shapes(shapes: list[tuple[int, int]], per_token_head: bool, source: str) -> Architecture:
    """Infer d, f and n from the linear weights: d is the commonest dimension, each layer has one
    d×f (FFN up) matrix; whatever the layers do not account for is the head."""
    if not shapes:
        raise ValueError("no linear weights found")
    dims = Counter(x for s in shapes for x in s)
    hidden = dims.most_common(1)[0][0]
    ups = Counter(s[1] if s[0] == hidden else s[0] for s in shapes if hidden in s and s[0] != s[1])
    ffn_candidates = [(n, f) for f, n in ups.items() if n >= 2]  # up and down: a pair per layer
    if not ffn_candidates:
        raise ValueError("cannot find the feed-forward matrices")
    pairs, ffn = max(ffn_candidates)
    layers = pairs // 2
    total = sum(a * b for a, b in shapes)
    arch = Architecture(hidden, layers, ffn, 0, per_token_head, source)
    head = total - arch.layer_params
    if layers == 0 or head < 0:
        raise ValueError(f"weight shapes do not look like a BERT encoder: {sorted(set(shapes))}")
    return Architecture(hidden, layers, ffn, head, per_token_head, source)


def _onnx_shapes(path: Path) -> list[tuple[int, int]]:
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    inits = {i.name: tuple(i.dims) for i in model.graph.initializer}
    shapes = []
    for node in model.graph.node:
        if node.op_type in LINEAR_OPS and len(node.input) > 1:
            dims = inits.get(node.input[1])
            if dims is not None and len(dims) == 2:
                shapes.append((int(dims[0]), int(dims[1])))
    return shapes


def _gguf_shapes(path: Path) -> list[tuple[int, int]]:
    from gguf import GGUFReader

    shapes = []
    for t in GGUFReader(str(path)).tensors:
        dims = [int(x) for x in t.shape if int(x) > 1]
        lookup = any(k in t.name for k in ("embd", "embed", "token_types"))  # not matmuls
        if len(dims) == 2 and not lookup:
            shapes.append((dims[0], dims[1]))
    head = path.parent / "head.npz"
    if head.is_file():  # the PII token classifier lives beside the GGUF (edge/backends/gguf.py)
        import numpy as np

        with np.load(head) as z:
            shapes += [tuple(int(x) for x in a.shape) for a in z.values() if a.ndim == 2]
    return shapes


def architecture(artifact_dir: Path, manifest: Manifest) -> Architecture:
    """The artifact's architecture; ValueError (with why) when no variant can be read."""
    per_token = manifest.task.kind == "token-classification"
    order = sorted(manifest.variants, key=lambda v: (v.format != "onnx", v.name != "fp32"))
    errors = []
    for v in order:
        path = Path(artifact_dir) / v.model.file
        try:
            if v.format == "onnx":
                shapes = _onnx_shapes(path)
            elif v.format == "gguf":
                shapes = _gguf_shapes(path)
            else:
                continue
            return from_shapes(shapes, per_token, f"{v.name} ({v.model.file})")
        except ImportError as e:
            errors.append(f"{v.name}: {e.name or e} not installed")
        except Exception as e:  # a foreign graph: report, do not abort the benchmark
            errors.append(f"{v.name}: {e}")
    raise ValueError("; ".join(errors) or "no ONNX or GGUF variant to count FLOPs from")
