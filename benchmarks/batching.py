"""The batched path against single calls, and bulk redaction against Presidio (issue 19).

    python -m benchmarks.batching [--models pii,pii-fast] [--rounds 3] [--out DIR]

One process, one thread (onnxruntime, OMP/MKL/OpenBLAS pinned to 1), the default models
(``$EDGE_HOME/models``, int8), mixed-length texts from outside our generator (the hand-written
set and the independent set's dev part) plus plain requests (CLINC150 test). The configurations
alternate within each round, so a busy machine slows all of them alike; the figures are the
medians over rounds, and each target is a ratio between two of them measured in the same run:

- ``detect`` on lists of 16 texts (in their shuffled order) against one text per call;
- ``edge redact``'s stream (``anonymize_stream``: a window of lines read ahead, grouped by length
  by the runtime's batch planner, written back in order) against a redaction per single call;
- ``pii-fast`` in that stream against Presidio's ``BatchAnalyzerEngine`` (spaCy sm, batch 64) +
  ``AnonymizerEngine``: rows per second;
- int8 at batch 1, today's build (7-bit weights, rows alone) against the previous int8 recipe
  (full-range weights), re-quantized here from the same fp32 export.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import edge  # noqa: E402
from benchmarks.data import handwritten, independent  # noqa: E402
from edge.anonymize.engine import Anonymizer  # noqa: E402
from edge.anonymize.stream import READ_AHEAD as WINDOW  # noqa: E402
from edge.anonymize.stream import anonymize_stream, detector_fn  # noqa: E402
from edge.defaults import default_model_dir  # noqa: E402
from quantize.datasets import clinc150  # noqa: E402


def texts_for_bench(n_requests: int = 400) -> list[str]:
    rng = random.Random(0)
    texts = [r["text"] for r in handwritten.load() + independent.load("dev")]
    texts += [r["text"] for r in rng.sample(clinc150("test"), n_requests)]
    rng.shuffle(texts)
    return texts


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def edge_configs(model, texts: list[str]) -> dict[str, Callable[[], object]]:
    anonymizer = Anonymizer.from_spec(model.task.anonymize)
    detect = detector_fn(model)
    items = list(enumerate(texts))

    def single() -> None:
        for t in texts:
            model.detect([t])

    def lists16() -> None:
        for b in range(0, len(texts), 16):
            model.detect(texts[b : b + 16])

    def redact_single() -> None:
        for t in texts:
            anonymizer.anonymize(t, model.detect(t).spans)

    def redact_stream() -> None:
        for _ in anonymize_stream(items, detect, anonymizer, batch_size=WINDOW):
            pass

    return {
        "single": single,
        "lists16": lists16,
        "redact_single": redact_single,
        "redact_stream": redact_stream,
    }


def presidio_config(texts: list[str]) -> Callable[[], object]:
    from presidio_analyzer import BatchAnalyzerEngine
    from presidio_anonymizer import AnonymizerEngine

    from benchmarks.presidio_peer import PresidioTool

    tool = PresidioTool()
    batch = BatchAnalyzerEngine(analyzer_engine=tool.engine)
    anonymizer = AnonymizerEngine()

    def run() -> None:
        found = batch.analyze_iterator(texts, language="en", entities=tool.entities, batch_size=64)
        for t, r in zip(texts, found, strict=True):
            anonymizer.anonymize(t, r)

    return run


def batch1_configs(model, texts: list[str]) -> dict[str, Callable[[], object]]:
    """Today's int8 and the previous recipe's (full-range weights), one text per call."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    artifact = model.artifact_dir
    seqs = model.encoder.truncated(model.encoder.tokenize(texts))
    feeds = []
    for s in seqs:
        ids, mask = model.encoder.pad([s])
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids})
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    with tempfile.TemporaryDirectory(prefix="edge-bench-int8-") as tmp:
        old = Path(tmp) / "int8-full-range.onnx"
        quantize_dynamic(
            str(artifact / "model.fp32.onnx"),
            str(old),
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
        sessions = {  # a session holds its weights: the file can go once it is loaded
            "int8_batch1_now": ort.InferenceSession(str(artifact / "model.int8.onnx"), opts),
            "int8_batch1_previous": ort.InferenceSession(str(old), opts),
        }

    def run_with(session) -> Callable[[], object]:
        return lambda: [session.run(["logits"], f) for f in feeds]

    return {name: run_with(s) for name, s in sessions.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="pii,pii-fast")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("artifacts/bench-batching"))
    args = ap.parse_args(argv)
    texts = texts_for_bench()
    configs: dict[str, Callable[[], object]] = {}
    for name in args.models.split(","):
        artifact = default_model_dir(name)
        model = edge.load(artifact, variant="int8", threads=1)
        for key, fn in edge_configs(model, texts).items():
            configs[f"{name}/{key}"] = fn
        for key, fn in batch1_configs(model, texts).items():
            configs[f"{name}/{key}"] = fn
    configs["presidio/batch_redact"] = presidio_config(texts)
    for fn in configs.values():  # warm-up: sessions, caches, spaCy
        fn()
    seconds: dict[str, list[float]] = {k: [] for k in configs}
    for r in range(args.rounds):
        keys = list(configs)
        random.Random(r).shuffle(keys)
        for k in keys:
            seconds[k].append(_timed(configs[k]))
    per_s = {k: len(texts) / statistics.median(v) for k, v in seconds.items()}
    ratios = {}
    for name in args.models.split(","):
        ratios[name] = {
            "lists16_over_single": per_s[f"{name}/lists16"] / per_s[f"{name}/single"],
            "redact_stream_over_single": per_s[f"{name}/redact_stream"]
            / per_s[f"{name}/redact_single"],
            "redact_stream_over_presidio": per_s[f"{name}/redact_stream"]
            / per_s["presidio/batch_redact"],
            "batch1_now_over_previous_latency": per_s[f"{name}/int8_batch1_previous"]
            / per_s[f"{name}/int8_batch1_now"],
        }
    report = {
        "texts": len(texts),
        "mean_chars": sum(map(len, texts)) / len(texts),
        "rounds": args.rounds,
        "texts_per_s": per_s,
        "ratios": ratios,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
