"""What the rule recognizers cost per text, and what they find on ordinary text.

``python -m benchmarks.rules_cost`` times, on one thread, the rules half of hybrid detection
(``Fusion.rule_spans``: every recognizer the PII task spec switches on, gates, context, overlap
resolution: what ``edge pii`` adds to the model) and the cloud redactor's rule pass (every
recognizer of every region) over CLINC150's test requests and the held-out PII templates
(``pii_synth('test')``), and prints ms per text, the texts' mean length in tokens (the default
model's tokenizer where it is built, else words x 1.3) and ms per 30 tokens. It also counts the
SECRET spans found on that ordinary text (false positives: the target is 0) and the spans of
every rule type on CLINC150 (requests to an assistant: any national identifier there is a false
positive too). ``--detect-secrets`` times detect-secrets' plugins (when installed) on the same
texts, the library edge.recognizers.secrets did not adopt.

Why a benchmark and not a timed unit test: timings depend on the machine and its load; the
figures go in the README beside the command that made them.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence

from edge.fusion import Fusion
from edge.recognizers import RuleSet, build_recognizers, resolve_overlaps
from edge.specs import load_task_spec
from edge.types import Span

TOKENS_PER_TEXT = 30  # "a typical 30-token text": the budget is 0.3 ms for one


def corpus() -> dict[str, list[str]]:
    from quantize.datasets import clinc150, pii_synth

    return {
        "clinc150-test": [r["text"] for r in clinc150("test")],
        "pii-heldout": [r["text"] for r in pii_synth("test")],
    }


def mean_tokens(texts: Sequence[str]) -> tuple[float, str]:
    """Mean tokens per text by the default PII model's tokenizer ([CLS] and [SEP] included)."""
    from edge.defaults import default_model_dir

    tokenizer = default_model_dir("pii") / "tokenizer.json"
    if tokenizer.is_file():
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(tokenizer))
        counts = [len(e.ids) for e in tok.encode_batch(list(texts))]
        return sum(counts) / len(counts), "tokenizer"
    return sum(len(t.split()) * 1.3 + 2 for t in texts) / len(texts), "words x 1.3"


def time_per_text(run: Callable[[str], object], texts: Sequence[str], repeats: int) -> float:
    """Best-of-``repeats`` mean seconds per text (the least disturbed pass)."""
    for t in texts[:200]:
        run(t)  # warm caches and lazy imports
    best = float("inf")
    for _ in range(repeats):
        gc.disable()
        start = time.process_time()
        for t in texts:
            run(t)
        best = min(best, (time.process_time() - start) / len(texts))
        gc.enable()
    return best


def detect_secrets_runner() -> Callable[[str], list]:
    """detect-secrets' plugins on one line, as its ``scan_line`` runs them, filters left out."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import default_settings

    with default_settings():
        plugins = [cls() for cls in get_mapping_from_secret_type_to_class().values()]

    def run(text: str) -> list:
        return [
            s for p in plugins for s in p.analyze_line(filename="text", line=text, line_number=0)
        ]

    return run


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--detect-secrets", action="store_true", help="also time detect-secrets")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    spec = load_task_spec("pii")
    fusion = Fusion(spec.fusion, spec.entities or [])
    every = RuleSet(build_recognizers())  # the cloud redactor's pass: all regions
    texts_by_set = corpus()
    every_text = [t for texts in texts_by_set.values() for t in texts]

    print(
        f"recognizers: {len(fusion.recognizers)} on for the pii spec "
        f"(regions {fusion.spec.regions}), {len(every.recognizers)} in all"
    )
    rows = []
    for name, texts in {**texts_by_set, "both": every_text}.items():
        tokens, how = mean_tokens(texts)
        hybrid = time_per_text(fusion.rule_spans, texts, args.repeats) * 1e3
        redactor = time_per_text(every.find, texts, args.repeats) * 1e3
        rows.append((name, len(texts), tokens, hybrid, redactor))
    print(
        f"\n{'texts':<14} {'n':>5} {'tokens':>7} {'spec ms/text':>13} {'ms/30 tok':>10} "
        f"{'all-regions ms/text':>20}"
    )
    for name, n, tokens, hybrid, redactor in rows:
        print(
            f"{name:<14} {n:>5} {tokens:>7.1f} {hybrid:>13.4f} "
            f"{hybrid * TOKENS_PER_TEXT / tokens:>10.4f} {redactor:>20.4f}"
        )
    print(f"(tokens: {how}; one thread; best of {args.repeats})")

    secrets: list[tuple[str, Span]] = []
    clinc_types: Counter[str] = Counter()
    for name, texts in texts_by_set.items():
        for t in texts:
            found = resolve_overlaps(every.find(t))
            secrets += [(t, s) for s in found if s.label == "SECRET"]
            if name == "clinc150-test":
                clinc_types.update(s.label for s in found)
    print(f"\nSECRET false positives on {len(every_text)} ordinary texts: {len(secrets)}")
    for t, s in secrets[:20]:
        print(f"  {s.source}: {s.text!r} in {t!r}")
    print("rule spans on CLINC150 test (all regions), by type:", dict(clinc_types.most_common()))

    if args.detect_secrets:
        try:
            run = detect_secrets_runner()
        except ImportError:
            print("\ndetect-secrets is not installed (pip install detect-secrets)")
            return
        ms = time_per_text(run, every_text, 1) * 1e3
        hits = sum(1 for t in every_text if run(t))
        print(f"\ndetect-secrets 1.5 plugins: {ms:.4f} ms/text, texts flagged: {hits}")


if __name__ == "__main__":
    main()
