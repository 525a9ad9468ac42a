"""Tiny BERT models built from a config in seconds: real tokenizer, safetensors and peft."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = [
    "Hi, I'm Maria Garcia and my email is maria.garcia@example.com.",
    "Call me at +1 (415) 555-0132 after 6pm, or write to bob@mail.org.",
    "My card number is 4111 1111 1111 1111 and my IBAN is DE89 3704 0044 0532 0130 00.",
    "Jürgen Müller from Siemens AG visited São Paulo on 3 March 2024.",
    "王小明的电话是 138 0013 8000 🙏 😊",
    "book a table for two at 7 pm tonight in paris",
    "what's the weather like tomorrow, and play some jazz music",
    "transfer money from checking to savings and cancel my subscription",
    "Server 192.168.10.24 rejected the login; see https://docs.example.org/guide?id=42",
] * 20


def tiny_vocab() -> list[str]:
    """The tiny BERT's word pieces, in id order.

    The vocab is written out, not trained: the WordPiece trainer breaks ties in hash order,
    which Rust seeds per process, so a trained vocab (and every tiny model's behaviour, and
    the tests' thresholds on it) changed from run to run. Words of the corpus whole, every
    character alone and as a continuation: any text tokenizes, the same way every time.
    """
    from tokenizers import normalizers, pre_tokenizers

    normalizer = normalizers.BertNormalizer(lowercase=True)
    pre = pre_tokenizers.BertPreTokenizer()
    words = {w for line in CORPUS for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(line))}
    chars = {c for w in words for c in w}
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens = [*specials, *sorted(chars), *sorted(f"##{c}" for c in chars), *sorted(words - chars)]
    return list(dict.fromkeys(tokens))


def _wordpiece(tokens: list[str]):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(tokens)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    return tok


def make_tokenizer(path: Path) -> None:
    from tokenizers.processors import TemplateProcessing

    tok = _wordpiece(tiny_vocab())
    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    tok.save(str(path))


def _random_encoder(config_cls, model_cls, vocab_size: int, hidden: int, layers: int, seed: int):
    """A randomly initialised encoder of the tiny shape (2 heads, FFN twice the width)."""
    import torch

    torch.manual_seed(seed)
    cfg = config_cls(
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=512 if config_cls.model_type == "bert" else 514,
    )
    return model_cls(cfg)


def make_base(folder: Path, *, hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """A BertModel folder like the real base: config.json, model.safetensors, tokenizer.json."""
    from transformers import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    make_tokenizer(folder / "tokenizer.json")
    vocab = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    model = _random_encoder(BertConfig, BertModel, len(vocab), hidden, layers, seed)
    model.save_pretrained(str(folder), safe_serialization=True)
    return folder


def make_adapter(base: Path, spec, folder: Path, *, seed: int = 0, r: int = 4) -> Path:
    """A LoRA adapter with non-zero B matrices and a head with clear margins, so merging and
    parity are tested on weights that actually change the model."""
    import torch
    from peft import LoraConfig, get_peft_model

    from quantize.merge import load_base_with_head
    from quantize.sources import PEFT_TASK_TYPES, open_base

    torch.manual_seed(seed)
    model = load_base_with_head(open_base(base), spec)
    peft_model = get_peft_model(
        model,
        LoraConfig(
            task_type=PEFT_TASK_TYPES[spec.kind], r=r, target_modules=["query", "value", "dense"]
        ),
    )
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.2)
            if "classifier" in name and name.endswith("weight"):
                p.normal_(0, 1.0)
    peft_model.save_pretrained(str(folder), safe_serialization=True)
    return folder


def make_oracle_base(folder: Path, labels: list[str], rules: dict[str, str]) -> Path:
    """A BERT whose every layer passes tokens through unchanged and whose head labels each token
    by a lookup (``rules``: token string → label; digits → ``rules["#digits"]``).

    Context does not matter to it, so windowed and whole-text runs must agree exactly, and its
    large margins make every quantized variant agree with PyTorch. Real weights, real export.
    """
    import torch
    from transformers import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    make_tokenizer(folder / "tokenizer.json")
    vocab: dict[str, int] = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    hidden = max(32, len(labels) + 1)
    cfg = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=512,
    )
    model = BertModel(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.fill_(1.0)
            elif "LayerNorm.bias" in name or "output.dense" in name:
                p.zero_()  # attention and FFN add nothing: hidden = LN(word embedding)
        model.embeddings.position_embeddings.weight.zero_()
        model.embeddings.token_type_embeddings.weight.zero_()
        emb = model.embeddings.word_embeddings.weight
        emb.zero_()
        index = {lbl: i for i, lbl in enumerate(labels)}
        for token, tid in vocab.items():
            word = token.removeprefix("##")
            if word.isdigit() and "#digits" in rules:
                label = rules["#digits"]
            else:
                label = rules.get(word, labels[0])
            emb[tid, index[label]] = 10.0
    model.save_pretrained(str(folder), safe_serialization=True)
    return folder


def make_identity_adapter(base: Path, spec, folder: Path) -> Path:
    """LoRA adapter (B = 0, a no-op) whose head reads label k from hidden unit k."""
    import torch
    from peft import LoraConfig, get_peft_model

    from quantize.merge import load_base_with_head
    from quantize.sources import PEFT_TASK_TYPES, open_base

    model = load_base_with_head(open_base(base), spec)
    peft_model = get_peft_model(
        model, LoraConfig(task_type=PEFT_TASK_TYPES[spec.kind], r=2, target_modules=["query"])
    )
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "classifier" in name and name.endswith("weight"):
                p.zero_()
                n = p.shape[0]
                p[:, :n] = torch.eye(n) * 4.0
            elif "classifier" in name and name.endswith("bias"):
                p.zero_()
    peft_model.save_pretrained(str(folder), safe_serialization=True)
    return folder


MPNET_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def make_mpnet_base(folder: Path, *, hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """An MPNet folder laid out like all-mpnet-base-v2: the tiny BERT's word pieces at ids
    shifted by the 4 specials in front (<s> <pad> </s> <unk>) and <mask> last, [UNK] for unknown
    words, <s> ... </s> around a text, and fp16 weights (as the GPU recipe ships them)."""
    from tokenizers.processors import RobertaProcessing
    from transformers import MPNetConfig, MPNetModel

    folder.mkdir(parents=True, exist_ok=True)
    tokens = [*MPNET_SPECIALS, *tiny_vocab(), "<mask>"]
    tok = _wordpiece(tokens)
    tok.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok.save(str(folder / "tokenizer.json"))
    model = _random_encoder(MPNetConfig, MPNetModel, len(tokens), hidden, layers, seed)
    model.half().save_pretrained(str(folder), safe_serialization=True)
    return folder
