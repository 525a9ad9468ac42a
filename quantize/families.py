"""What differs between the encoder families a build may meet, as data (one row per model_type).

Why a table: the trainer, the teacher's token mapping and the export check each need a family's
LoRA target names and special tokens; one row per family keeps those facts in one place instead
of an if/else per call site. Only BERT reaches export and the runtime (edge/ runs BERT graphs);
MPNet (all-mpnet-base-v2, 12 x 768) is a stronger teacher for distilling BERT students.
"""

from __future__ import annotations

from dataclasses import dataclass

SPECIAL_ROLES = ("cls", "sep", "pad", "unk")


@dataclass(frozen=True)
class Family:
    model_type: str
    title: str
    # peft target_modules (suffixes of module names): attention projections and the FFN.
    lora_targets: tuple[str, ...]
    # role -> token string in the family's tokenizer (the ids come from each tokenizer.json).
    specials: dict[str, str]
    # ONNX/GGUF export, `edge build` and the runtime support it (a student must be exportable).
    exportable: bool
    # quantize.heads has a mean-pooled sequence head for it (intent tasks with pooling = "mean").
    mean_pooled_head: bool


FAMILIES: dict[str, Family] = {
    "bert": Family(
        model_type="bert",
        title="BERT",
        # "dense" = attention.output.dense, intermediate.dense, output.dense (and the pooler's,
        # which quantize.sources._pooling_from_weights reads as "trained with a [CLS] pooler").
        lora_targets=("query", "key", "value", "dense"),
        specials={"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]", "unk": "[UNK]"},
        exportable=True,
        mean_pooled_head=True,
    ),
    "mpnet": Family(
        model_type="mpnet",
        title="MPNet",
        # transformers' MPNetSelfAttention names its projections q/k/v/o; the FFN is
        # intermediate.dense and output.dense (a bare "dense" would also catch the pooler and a
        # sequence head's classifier.dense, which peft saves whole as modules_to_save).
        lora_targets=("attn.q", "attn.k", "attn.v", "attn.o", "intermediate.dense", "output.dense"),
        # RoBERTa-style <s> ... </s>; the embeddings hard-code padding_idx 1 (<pad>) for position
        # ids. Unknown words are "[UNK]" (id 104), the WordPiece model's unk_token in its
        # tokenizer.json and special_tokens_map.json; the "<unk>" (id 3) it also lists is unused.
        specials={"cls": "<s>", "sep": "</s>", "pad": "<pad>", "unk": "[UNK]"},
        exportable=False,
        mean_pooled_head=False,
    ),
}


def family_of(config: dict) -> Family | None:
    """The row for a config.json's model_type, or None when edge knows no such family."""
    return FAMILIES.get(str(config.get("model_type")))


def special_ids(tokenizer, family: Family) -> dict[str, int]:
    """Role -> id in ``tokenizer`` (a tokenizers.Tokenizer), checked: a missing special would
    otherwise feed None into a tensor far from the cause."""
    from edge.errors import BuildError

    ids = {role: tokenizer.token_to_id(family.specials[role]) for role in SPECIAL_ROLES}
    missing = [family.specials[r] for r, i in ids.items() if i is None]
    if missing:
        raise BuildError(
            f"the {family.title} tokenizer has no {', '.join(missing)} token; use the "
            "tokenizer.json that ships with the base model"
        )
    return ids


BERT = FAMILIES["bert"]
