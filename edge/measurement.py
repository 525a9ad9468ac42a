"""What measuring edge's models takes, shared by the build's profile selection and the benchmarks.

Why here, in the runtime's package, at the bottom of the layers (``edge`` <- ``quantize`` <-
``benchmarks``): ``quantize/select.py`` measures each candidate set in a fresh process on the
profile's typical texts, and ``benchmarks/`` times the same things; both need the same fresh
process, CPU count, memory high-water mark and texts. Kept in ``benchmarks/`` they made the build
import the benchmarks (and the benchmarks the build: a cycle). Nothing heavy is imported here:
the standard library and the runtime's own modules, which the measured process loads anyway.

What it holds:

- **a fresh process**: ``spawn(module, args)`` runs ``python -m MODULE ARGS`` with the project
  importable and BLAS threads pinned, and reads its ``FIRST`` and ``RESULT {json}`` lines; the
  child side's ``peak_rss_bytes`` (VmHWM), ``rss_bytes`` and ``import_runtime``;
  ``python -m edge.measurement together SPEC.json`` is the child that loads every member of a
  set in one process (what a hardware profile's memory budget is checked against);
- **the machine**: ``cpu_count`` (the CPUs this process may run on);
- **the workload**: the built-in texts every variant and peer is timed on, cut to token lengths
  with the artifact's own tokenizer (``build_workload``).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # as ``python -m edge.measurement``: after the edge package import

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from edge.errors import ChildError  # noqa: E402
from edge.manifest import Manifest, read_manifest  # noqa: E402
from edge.tokenization import TextEncoder  # noqa: E402

# --- a fresh process ----------------------------------------------------------------------------

FIRST = "FIRST"  # the child's line once its first result is out (cold start ends here)
RESULT = "RESULT "  # the child's last line: RESULT {json}
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask in a container), not the host's total."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def child_env(threads: int | None = None) -> dict[str, str]:
    """The environment for a child: this project importable, BLAS threads pinned if asked."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if threads is not None:
        for var in THREAD_VARS:
            env[var] = str(threads)
    return env


def spawn(
    module: str, args: list[str], *, threads: int | None = None, timeout: float = 900
) -> dict:
    """Run ``python -m MODULE ARGS``; returns its RESULT plus ``first_result_wall_s``: seconds
    from just before the process was started to its FIRST line (None if it printed none). A
    failure raises ChildError with the tail of its stderr."""
    first: float | None = None
    result: dict | None = None
    # stderr goes to a file, not a pipe: a chatty child (torch warnings) must not block on a full
    # pipe while we read stdout; the timer kills a hung child so the loop below ends.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=child_env(threads),
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.rstrip("\n") == FIRST and first is None:
                    first = time.perf_counter() - started
                elif line.startswith(RESULT):
                    result = json.loads(line[len(RESULT) :])
            proc.wait()
        finally:
            timer.cancel()
        err.seek(0)
        tail = " | ".join(err.read().strip().splitlines()[-3:])
    if proc.returncode != 0 or result is None:
        why = (
            f"killed after {timeout:.0f} s" if proc.returncode == -9 else f"exit {proc.returncode}"
        )
        raise ChildError(f"measuring process failed ({why}): {tail}")
    result["first_result_wall_s"] = first
    return result


def proc_status_bytes(key: str, pid: int | str = "self") -> int | None:
    """A memory line (``VmHWM``, ``VmRSS``, ...) of /proc/PID/status (Linux) in bytes; None where
    there is none (another OS, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """High-water resident set of this process.

    Linux: VmHWM from /proc, which belongs to the address space exec created. Not ru_maxrss:
    Linux carries it over fork and exec, so a child of a big parent (one that loaded torch for
    the PyTorch peer) would report the parent's peak. macOS: ru_maxrss (bytes there); Windows:
    psutil's peak working set.
    """
    hwm = proc_status_bytes("VmHWM")
    if hwm is not None:
        return hwm
    try:
        import resource
    except ImportError:  # Windows
        import psutil

        info = psutil.Process().memory_info()
        return int(getattr(info, "peak_wset", info.rss))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def rss_bytes() -> int:
    """Resident set of this process now (VmRSS on Linux; elsewhere psutil, if installed)."""
    rss = proc_status_bytes("VmRSS")
    if rss is not None:
        return rss
    try:
        import psutil
    except ImportError:  # no better figure: the high-water mark so far
        return peak_rss_bytes()
    return int(psutil.Process().memory_info().rss)


def import_runtime(descs: list[dict]) -> list[str]:
    """Import what the subjects' runtime will, before any model is loaded; the names imported.

    So that the baseline read after this holds the libraries (numpy, tokenizers, edge, and per
    member format onnxruntime or llama.cpp, with its backend initialised; for PII the phone
    recognizer's phonenumbers, imported on the first text otherwise) and the RSS above it is the
    models' own: weights, sessions, arenas and the activations of their batch. onnxruntime alone
    is ~30 MB resident on import; without this it would be charged to the first ONNX model.
    ``descs`` are subject descriptions; only ``{"kind": "edge", "artifact", "variant"}`` ones
    (an artifact variant) bring a runtime of their own.
    """
    import numpy  # noqa: F401
    import tokenizers  # noqa: F401

    done = ["numpy", "tokenizers", "edge"]  # edge: imported with this module
    formats: set[str] = set()
    kinds: set[str] = set()
    for desc in descs:
        if desc.get("kind") != "edge":
            continue
        m = read_manifest(Path(desc["artifact"]))
        formats.add(m.variant(desc.get("variant")).format)
        kinds.add(m.task.kind)
    if "onnx" in formats:
        import edge.backends.onnx  # noqa: F401  (imports onnxruntime)

        done.append("onnxruntime")
    if "gguf" in formats:
        from edge.backends.gguf import load_llama_cpp

        load_llama_cpp()
        done.append("llama_cpp")
    if "token-classification" in kinds:
        try:
            import phonenumbers  # noqa: F401
        except ImportError:  # the phone recognizer is optional: then it is not loaded later
            pass
        else:
            done.append("phonenumbers")
    return done


def task_call(model: Any) -> Callable[[list[str]], Any]:
    """The call a user makes on texts: ``detect`` for a PII model, ``classify`` for intent."""
    from edge.runtime import PIIDetector

    return model.detect if isinstance(model, PIIDetector) else model.classify


def together(spec_path: str) -> dict:
    """Load every member, then run one batch of each: the peak RSS of models sharing a process.

    Why not add up one process per model: each pays the interpreter, numpy, onnxruntime and
    tokenizers once, so a device running PII and intent in one app would be charged for them
    twice. The spec is ``{"threads": N, "subjects": [{"subject": DESC, "texts": [...]}, ...],
    "latency": bool}`` where DESC is ``{"kind": "edge", "artifact", "variant", "name"}``; with
    ``latency`` each member's ``latency_texts`` (default: its ``texts``) are also timed one at a
    time after the peak is read and one warm-up pass (p50/p95 per member).

    ``runtime_baseline_bytes`` is the resident set once every library the members use is
    imported (``import_runtime``) and before any model is loaded: ``peak_rss_bytes`` minus it is
    what the models (and their batch) add, the figure a hardware profile's budget is about.
    """
    import edge

    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    descs = [item["subject"] for item in spec["subjects"]]
    if any(d.get("kind") != "edge" for d in descs):
        raise ValueError("together measures artifact variants only (subject kind 'edge')")
    runtime = import_runtime(descs)
    imported = time.perf_counter()
    rss_imports = peak_rss_bytes()
    baseline = rss_bytes()
    opened = []
    for item in spec["subjects"]:  # all resident before any runs: the app's steady state
        desc = item["subject"]
        model = edge.load(desc["artifact"], variant=desc.get("variant"), threads=spec["threads"])
        opened.append((model, task_call(model), item["texts"]))
    loaded = time.perf_counter()
    rss_loaded = peak_rss_bytes()
    for model, call, texts in opened:
        model.batch_size = 1
        call(texts[:1])
    print(FIRST, flush=True)
    for model, call, texts in opened:
        model.batch_size = len(texts)
        call(texts)
    peak = peak_rss_bytes()
    out: dict = {
        "import_s": imported - STARTED,
        "load_s": loaded - imported,
        "runtime_imports": runtime,
        "rss_after_imports_bytes": rss_imports,
        "runtime_baseline_bytes": baseline,
        "rss_after_load_bytes": rss_loaded,
        "peak_rss_bytes": peak,
        "subjects": [],
    }
    for (model, call, texts), item in zip(opened, spec["subjects"], strict=True):
        row = {
            "name": item["subject"].get("name"),
            "variant": model.variant,
            "kind": model.task.kind,
            "batch_size": len(texts),
        }
        if spec.get("latency"):
            model.batch_size = 1
            timed = item.get("latency_texts") or texts
            for text in timed:  # warm-up: llama.cpp and onnxruntime size buffers per length
                call([text])
            times = []
            for text in timed:
                t0 = time.perf_counter()
                call([text])
                times.append(1000 * (time.perf_counter() - t0))
            times.sort()
            row["latency_ms_p50"] = times[len(times) // 2]
            row["latency_ms_p95"] = times[min(len(times) - 1, int(0.95 * len(times)))]
        out["subjects"].append(row)
    return out


# --- the workload -------------------------------------------------------------------------------
# Why built-in texts rather than a data set: the figures must be comparable between machines and
# runs, and must not depend on a data folder being present; why cut by the artifact's own
# tokenizer: latency depends on tokens, not characters, and two tokenizers split the same text
# differently. Lengths count [CLS] and [SEP], like the task spec's ``max_length``.

# Target token counts per bucket; "short" is an upper bound, the others are targets.
LENGTHS: dict[str, int] = {"short": 16, "medium": 64, "long": 256}
THROUGHPUT_BUCKET = "medium"

CORPUS = [
    "Hi, I'm Maria Garcia. Mail me at maria.garcia@example.com or call +1 415 555 0132.",
    "wake me up at 6 tomorrow morning and remind me to call the bank",
    "Please wire 300 EUR to DE89 3704 0044 0532 0130 00 before Friday, thanks!",
    "how much money is in my checking account right now",
    "Jürgen Müller from Siemens AG visited São Paulo on 3 March 2024 with his team.",
    "book a table for two at 7 pm tonight at the Italian place on Main Street",
    "My card number is 4111 1111 1111 1111 and it expires next month.",
    "what's the weather like in Oslo tomorrow, and should I bring an umbrella",
    "Server 192.168.10.24 rejected the login; see https://docs.example.org/guide?id=42 for help.",
    "cancel my subscription and transfer the balance from checking to savings",
    "Send the contract to John Smith at 221B Baker Street, London NW1 6XE by Monday.",
    "play some relaxing jazz music in the living room at low volume",
    "Her social security number is 078-05-1120, please update the file today.",
    "find me a flight from Boston to Denver next Tuesday in the morning",
    "Contact Dr. Aiko Tanaka at aiko.tanaka@hospital.jp or +81 3 1234 5678 after noon.",
    "set a timer for twenty minutes and tell me a joke while I wait",
]


@dataclass(frozen=True)
class Workload:
    """Texts per bucket, with their token counts and the model sequence lengths they become."""

    texts: dict[str, list[str]]
    tokens: dict[str, list[int]]
    model_lengths: dict[str, list[list[int]]]

    def summary(self) -> dict[str, dict]:
        out = {}
        for bucket, texts in self.texts.items():
            toks = self.tokens[bucket]
            seqs = self.model_lengths[bucket]
            out[bucket] = {
                "target_tokens": LENGTHS[bucket],
                "texts": len(texts),
                "tokens_mean": sum(toks) / len(toks),
                "tokens_max": max(toks),
                "model_sequences_per_text": sum(len(s) for s in seqs) / len(seqs),
                "model_tokens_mean": sum(sum(s) for s in seqs) / len(seqs),
            }
        return out


def encoder_for(artifact_dir: Path, manifest: Manifest) -> TextEncoder:
    return TextEncoder(
        Path(artifact_dir) / manifest.tokenizer.file,
        manifest.special_tokens,
        manifest.task.max_length,
    )


def _fit(words: list[str], limit: int, count) -> str:
    """The longest word prefix whose token count is at most ``limit`` (binary search)."""
    lo, hi = 1, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(" ".join(words[:mid])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def model_lengths(encoder: TextEncoder, manifest: Manifest, texts: list[str]) -> list[list[int]]:
    """What the model really runs per text: PII windows long texts, intent truncates them."""
    tokenized = encoder.tokenize(texts)
    if manifest.task.kind == "token-classification":
        out: list[list[int]] = [[] for _ in texts]
        for w in encoder.windows(tokenized, manifest.task.stride):
            out[w.text_index].append(len(w.ids))
        return out
    return [[len(s)] for s in encoder.truncated(tokenized)]


def build_workload(artifact_dir: Path, manifest: Manifest, per_bucket: int = 32) -> Workload:
    """``per_bucket`` distinct texts per length bucket (distinct so no cache can help)."""
    encoder = encoder_for(artifact_dir, manifest)

    def count(text: str) -> int:
        return len(encoder.tokenize([text])[0].ids) + 2

    texts: dict[str, list[str]] = {}
    for bucket, target in LENGTHS.items():
        items: list[str] = []
        for k in range(per_bucket):
            # Rotate the corpus so each text starts elsewhere; each round through it starts a
            # word later (and a repeat, if any, later still), so no two texts are the same: the
            # runtime runs a repeated text once. Vary short ones' length a bit.
            limit = target - (k % 5 if bucket == "short" else 0)
            skip = k // len(CORPUS)
            while True:
                words = CORPUS[k % len(CORPUS)].split()[skip:]
                i = k + 1
                while count(" ".join(words)) <= limit:
                    words += CORPUS[i % len(CORPUS)].split()
                    i += 1
                text = _fit(words, limit, count)
                if text not in items:
                    break
                skip += 1
            items.append(text)
        texts[bucket] = items
    tokens = {b: [count(t) for t in ts] for b, ts in texts.items()}
    lengths = {b: model_lengths(encoder, manifest, ts) for b, ts in texts.items()}
    return Workload(texts, tokens, lengths)


def main(argv: list[str]) -> None:
    """``python -m edge.measurement together SPEC.json``: prints FIRST, then RESULT {json}."""
    if argv[:1] == ["together"] and len(argv) == 2:
        print(RESULT + json.dumps(together(argv[1])), flush=True)
    else:
        raise SystemExit("usage: python -m edge.measurement together SPEC.json")


if __name__ == "__main__":
    main(sys.argv[1:])
