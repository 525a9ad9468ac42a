"""A dynamic-int8 graph specialised for what the runtime feeds it: one row, unpadded (issue 19).

Why: a dynamic-int8 variant runs every text alone and cut to its mask (edge.backends.onnx,
``rows_alone``), so its attention mask is all ones and its token types all zeros, on every run.
The exported graph still computes, per run, the additive attention bias from the mask, the
token-type embedding lookup, and the reshape targets and attention scale from tensor shapes:
dozens of small nodes (119 of `pii-fast`'s one-layer graph are not constants; 73 are left
here), which cost a one-layer model as much as a large share of its matrix products. What those
nodes compute is known for such a run, so it is written into the graph as constants instead.

Each step is exact for the inputs the runtime feeds: the mask bias is ``(1 - 1) * min = 0``, so
the ``Add`` that applies it is bypassed; a tensor computed from shapes that is the same at two
different lengths is a constant; a reshape target that differs only in the length becomes ``-1``
there; the token-type embeddings of all-zero types are one row, added by broadcast. The result
is checked against the original graph at several lengths (identical logits, or the
specialisation is refused and the graph kept as it was). Such a graph gives wrong answers for
padded batches: the manifest records ``"graph": "rows-alone"`` and the runtime only runs these
variants one unpadded row at a time. Written here rather than taken from a library because
onnxruntime's and onnx's optimizers fold only what is constant for every input, and these
values are constant only under the runtime's own contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

SHAPE_OPS = ("Shape",)  # their outputs are metadata: values do not flow through them
ELEMENTWISE = {"Add", "Sub", "Mul", "Div"}  # broadcast a row exactly as the full tensor
CHECK_LENGTHS = (3, 9, 17, 40)
PROBE_LENGTHS = (5, 11)


def _reach(nodes, start: Iterable[str], *, through_shape: bool = True) -> set[str]:
    """Tensors computed (transitively) from ``start``; ``through_shape=False`` stops at Shape."""
    found = set(start)
    for n in nodes:  # the graph is topologically sorted: one pass suffices
        if not through_shape and n.op_type in SHAPE_OPS:
            continue
        if any(i in found for i in n.input if i):
            found.update(n.output)
    return found


def _prune(graph) -> None:
    """Drop nodes and initializers that no graph output needs (inputs stay declared)."""
    needed = {o.name for o in graph.output}
    kept = []
    for n in reversed(list(graph.node)):
        if any(o in needed for o in n.output):
            kept.append(n)
            needed.update(i for i in n.input if i)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    live = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(live)


def _rewire(graph, replace: dict[str, str], only: set[str] | None = None) -> None:
    """Point inputs at their replacements (in the nodes whose first output is in ``only``)."""
    for n in graph.node:
        if only is not None and n.output[0] not in only:
            continue
        for k, name in enumerate(n.input):
            while name in replace:
                name = replace[name]
            n.input[k] = name


def _lookups(graph) -> list:
    """The Gather nodes that look ``input_ids`` up in a table (the word embeddings)."""
    tables = {i.name for i in graph.initializer}
    return [
        n
        for n in graph.node
        if n.op_type == "Gather" and n.input[1] == "input_ids" and n.input[0] in tables
    ]


def _vocab(graph) -> int:
    """Rows of the table ``input_ids`` index."""
    lookups = _lookups(graph)
    if not lookups:
        raise ValueError("no lookup of input_ids in an embedding table found")
    (table,) = [i for i in graph.initializer if i.name == lookups[0].input[0]]
    return int(table.dims[0])


def _feeds(graph, length: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed + length)
    ids = rng.integers(0, _vocab(graph), size=(1, length), dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if any(i.name == "token_type_ids" for i in graph.input):
        feeds["token_type_ids"] = np.zeros_like(ids)
    return feeds


def _session(model_bytes: bytes):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


def _probe(model, names: list[str]) -> list[dict[str, np.ndarray]]:
    """The values of ``names`` at each of ``PROBE_LENGTHS`` (added as outputs of a copy)."""
    import onnx

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    typed = {v.name: v for v in onnx.shape_inference.infer_shapes(probe).graph.value_info}
    for name in names:
        if name not in typed:
            raise ValueError(f"no type inferred for {name}")
        probe.graph.output.append(typed[name])
    session = _session(probe.SerializeToString())
    out = []
    for length in PROBE_LENGTHS:
        values = session.run(names, _feeds(model.graph, length))
        out.append(dict(zip(names, values, strict=True)))
    return out


def _constant_for(name: str, values: list[dict[str, np.ndarray]], uses: set[str]):
    """What the tensor ``name`` can be replaced with, or None: the same at every probed length
    (a constant); a reshape target differing in one entry (-1 there); all-equal rows of a
    ``[1, T, ...]`` float tensor, the same row at every length, used only elementwise (the row,
    applied by broadcast; not where it is summed or reshaped)."""
    first, *rest = (v[name] for v in values)
    if all(r.shape == first.shape and np.array_equal(r, first) for r in rest):
        return first
    if uses == {"target"} and all(r.shape == first.shape for r in rest):
        differs = np.flatnonzero(np.any([r != first for r in rest], axis=0))
        if len(differs) == 1:
            target = first.copy()
            target[differs[0]] = -1
            return target
    rows = [v[name] for v in values]
    if uses <= ELEMENTWISE and all(
        r.dtype.kind == "f" and r.ndim >= 3 and r.shape[0] == 1 for r in rows
    ):
        row = rows[0][0, 0]
        if all(r.shape[2:] == row.shape and (r[0] == row).all() for r in rows):
            return row
    return None


def specialise(src: Path, dst: Path) -> dict:
    """Write ``src`` specialised for one unpadded row to ``dst``; the record says what was done.

    Raises ValueError when the graph is not one this understands (no word-embedding lookup
    of ``input_ids``) or the result differs from the original: the caller keeps ``src``.
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    before = sum(n.op_type != "Constant" for n in graph.node)
    _vocab(graph)  # raises for a graph that does not look up input_ids in a table
    lookups = [n.output[0] for n in _lookups(graph)]
    values = _reach(graph.node, lookups, through_shape=False)  # the hidden states' path

    # 1. the attention bias of an all-ones mask is zero: bypass the Adds that apply it (found
    # by value: an Add on the value path whose other input, from the mask, is all zeros; a mean
    # pooling's mask is used otherwise and stays)
    mask_side = _reach(graph.node, ["attention_mask"], through_shape=False) - values
    adds = [
        n
        for n in graph.node
        if n.op_type == "Add"
        and n.output[0] in values
        and sum(i in mask_side for i in n.input) == 1
        and sum(i in values for i in n.input) == 1
    ]
    biases = sorted({i for n in adds for i in n.input if i in mask_side})
    zero = set()
    if biases:
        probed = _probe(model, biases)
        zero = {b for b in biases if all(not v[b].any() for v in probed)}
    replace = {
        n.output[0]: next(i for i in n.input if i in values)
        for n in adds
        if any(i in zero for i in n.input)
    }
    if replace:
        _rewire(graph, replace)
        _prune(graph)
    mask_removed = len(replace)

    # 2. what the value path takes from outside it, when the same for every run: constants
    values = _reach(graph.node, lookups, through_shape=False)
    produced = {o for n in graph.node if n.op_type != "Constant" for o in n.output}
    boundary: dict[str, set[str]] = {}  # tensor -> how the value path uses it
    for n in graph.node:
        if n.output[0] not in values:
            continue
        for k, name in enumerate(n.input):
            if name in produced and name not in values:
                use = "target" if n.op_type == "Reshape" and k == 1 else n.op_type
                boundary.setdefault(name, set()).add(use)
    folded = 0
    if boundary:
        probed = _probe(model, sorted(boundary))
        replace = {}
        for name, uses in sorted(boundary.items()):
            constant = _constant_for(name, probed, uses)
            if constant is None:
                continue
            const_name = f"{name}__rows_alone"
            graph.initializer.append(numpy_helper.from_array(np.asarray(constant), const_name))
            replace[name] = const_name
            folded += 1
        _rewire(graph, replace, only=values)  # what else reads them (a mask sum) keeps them
        _prune(graph)

    after = sum(n.op_type != "Constant" for n in graph.node)
    onnx.checker.check_model(model)
    _check_same(src, model)
    tmp = dst.with_name(dst.name + ".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(dst)
    return {
        "graph": "rows-alone",
        "mask_bias_adds_removed": mask_removed,
        "tensors_folded": folded,
        "nodes": [before, after],
    }


def _check_same(src: Path, model) -> None:
    """The specialised graph's logits equal the original's at several lengths."""
    try:
        original = _session(Path(src).read_bytes())
        special = _session(model.SerializeToString())
        pairs = []
        for length in CHECK_LENGTHS:
            feeds = _feeds(model.graph, length, seed=1)
            pairs.append((length, original.run(None, feeds)[0], special.run(None, feeds)[0]))
    except Exception as e:  # onnxruntime raises its own untyped errors
        raise ValueError(f"specialised graph does not run: {e}") from None
    for length, a, b in pairs:
        if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-5):
            raise ValueError(f"specialised graph differs at length {length}")
