"""The texts every variant and peer is timed on, cut to token lengths with the artifact's tokenizer.

Why built-in texts rather than a data set: the figures must be comparable between machines and
runs, and must not depend on a data folder being present; why cut by the artifact's own tokenizer:
latency depends on tokens, not characters, and two tokenizers split the same text differently.
Lengths count [CLS] and [SEP], like the task spec's ``max_length``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.manifest import Manifest
from edge.tokenization import TextEncoder

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
        items = []
        for k in range(per_bucket):
            words: list[str] = []
            i = k
            # Rotate the corpus so each text starts elsewhere, and vary short ones' length a bit.
            limit = target - (k % 5 if bucket == "short" else 0)
            while count(" ".join(words)) <= limit:
                words += CORPUS[i % len(CORPUS)].split()
                i += 1
            items.append(_fit(words, limit, count))
        texts[bucket] = items
    tokens = {b: [count(t) for t in ts] for b, ts in texts.items()}
    lengths = {b: model_lengths(encoder, manifest, ts) for b, ts in texts.items()}
    return Workload(texts, tokens, lengths)
