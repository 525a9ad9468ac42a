"""The batched path against single calls, and bulk redaction against Presidio (issue 19).

    python -m benchmarks.batching [--models pii,pii-fast] [--rounds 3] [--slices 4] [--out DIR]

One process, one thread (onnxruntime, OMP/MKL/OpenBLAS pinned to 1), the default models
(``$EDGE_HOME/models``, int8), mixed-length texts from outside our generator (the hand-written
set and the independent set's dev part) plus plain requests (CLINC150 test), cut into
``--slices`` parts. Each round, every configuration runs each part back to back (shuffled), so a
busy or drifting machine slows all of them alike; texts/s are over all rounds, and each target is
a ratio between two configurations' times summed over the parts, each part run by both seconds
apart:

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


Config = Callable[[list[str]], object]
"""Runs one configuration over a part of the texts."""


def edge_configs(model) -> dict[str, Config]:
    anonymizer = Anonymizer.from_spec(model.task.anonymize)
    detect = detector_fn(model)

    def single(texts: list[str]) -> None:
        for t in texts:
            model.detect([t])

    def lists16(texts: list[str]) -> None:
        for b in range(0, len(texts), 16):
            model.detect(texts[b : b + 16])

    def redact_single(texts: list[str]) -> None:
        for t in texts:
            anonymizer.anonymize(t, model.detect(t).spans)

    def redact_stream(texts: list[str]) -> None:
        for _ in anonymize_stream(enumerate(texts), detect, anonymizer, batch_size=WINDOW):
            pass

    return {
        "single": single,
        "lists16": lists16,
        "redact_single": redact_single,
        "redact_stream": redact_stream,
    }


def presidio_config() -> Config:
    # presidio_peer first: it keeps tldextract (imported by presidio_analyzer) off the network
    from benchmarks.presidio_peer import PresidioTool  # isort: skip
    from presidio_analyzer import BatchAnalyzerEngine
    from presidio_anonymizer import AnonymizerEngine

    tool = PresidioTool()
    batch = BatchAnalyzerEngine(analyzer_engine=tool.engine)
    anonymizer = AnonymizerEngine()

    def run(texts: list[str]) -> None:
        found = batch.analyze_iterator(texts, language="en", entities=tool.entities, batch_size=64)
        for t, r in zip(texts, found, strict=True):
            anonymizer.anonymize(t, r)

    return run


def batch1_configs(model, texts: list[str]) -> dict[str, Config]:
    """Today's int8 and the previous recipe's (full-range weights), one text per call."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    artifact = model.artifact_dir
    seqs = model.encoder.truncated(model.encoder.tokenize(texts))
    feeds = {}
    for t, s in zip(texts, seqs, strict=True):
        ids, mask = model.encoder.pad([s])
        feeds[t] = {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
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

    def run_with(session) -> Config:
        return lambda part: [session.run(["logits"], feeds[t]) for t in part]

    return {name: run_with(s) for name, s in sessions.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="pii,pii-fast")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--slices", type=int, default=4, help="Parts of the texts each round alternates over."
    )
    ap.add_argument("--out", type=Path, default=Path("artifacts/bench-batching"))
    args = ap.parse_args(argv)
    texts = texts_for_bench()
    configs: dict[str, Config] = {}
    for name in args.models.split(","):
        artifact = default_model_dir(name)
        model = edge.load(artifact, variant="int8", threads=1)
        for key, fn in edge_configs(model).items():
            configs[f"{name}/{key}"] = fn
        for key, fn in batch1_configs(model, texts).items():
            configs[f"{name}/{key}"] = fn
    configs["presidio/batch_redact"] = presidio_config()
    for fn in configs.values():  # warm-up: sessions, caches, spaCy
        fn(texts)
    # Every configuration runs each slice of the texts back to back (in a shuffled order), so a
    # ratio is taken between two runs a few seconds apart: this VM's speed drifts by about a
    # tenth over minutes, which whole-set rounds measured minutes apart turned into noise.
    size = -(-len(texts) // max(1, args.slices))
    parts = [texts[i : i + size] for i in range(0, len(texts), size)]
    seconds: dict[str, list[float]] = {k: [] for k in configs}
    for r in range(args.rounds):
        for p, part in enumerate(parts):
            keys = list(configs)
            random.Random(r * len(parts) + p).shuffle(keys)
            for k in keys:
                seconds[k].append(_timed(lambda k=k, part=part: configs[k](part)))
    rounds = args.rounds
    per_s = {k: len(texts) * rounds / sum(v) for k, v in seconds.items()}

    def ratio(fast: str, slow: str) -> float:
        """``slow``'s time over ``fast``'s, summed over every slice both ran seconds apart."""
        return sum(seconds[slow]) / sum(seconds[fast])

    ratios = {}
    for name in args.models.split(","):
        ratios[name] = {
            "lists16_over_single": ratio(f"{name}/lists16", f"{name}/single"),
            "redact_stream_over_single": ratio(f"{name}/redact_stream", f"{name}/redact_single"),
            "redact_stream_over_presidio": ratio(f"{name}/redact_stream", "presidio/batch_redact"),
            "batch1_now_over_previous_latency": ratio(
                f"{name}/int8_batch1_previous", f"{name}/int8_batch1_now"
            ),
        }
    report = {
        "texts": len(texts),
        "mean_chars": sum(map(len, texts)) / len(texts),
        "rounds": args.rounds,
        "slices": len(parts),
        "texts_per_s": per_s,
        "seconds_per_slice": seconds,
        "ratios": ratios,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
