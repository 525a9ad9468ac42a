"""Load the rebuilt bases as the trainer does (open_base + load_base_with_head, fp32, on the GPU
when there is one) and run one batch through each; print each copy's sha256."""

import sys
import time
from pathlib import Path

import torch

from edge.specs import load_task_spec
from edge.tokenization import load_tokenizer
from quantize.merge import load_base_with_head
from quantize.sources import open_base

park = Path(sys.argv[1])
spec = load_task_spec("pii")
device = "cuda" if torch.cuda.is_available() else "cpu"
text = "Call Maria Lopez at +1 415 555 0100 or write to maria@example.com, 12 Oak St, Boston."
bases = [(park / "mpnet", False)] if (park / "mpnet").is_dir() else []
bases += [(f"{park / 'minilm'}:L1", True), (f"{park / 'minilm'}:L2", True), (park / "minilm", True)]
for name, export in bases:
    t = time.perf_counter()
    base = open_base(name, export=export)
    model = load_base_with_head(base, spec).float().to(device).eval()
    tok = load_tokenizer(base.path / "tokenizer.json", RuntimeError)
    ids = torch.tensor([tok.encode(text).ids], device=device)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
    assert logits.shape[-1] == len(spec.model_labels) and torch.isfinite(logits).all()
    emb = next(p for n, p in model.named_parameters() if "word_embeddings" in n)
    print(
        f"base {name}: {base.family.model_type}, {base.config['num_hidden_layers']} layers, "
        f"copy sha256 {base.sha256()}, weights {emb.dtype}, logits {tuple(logits.shape)}, "
        f"{time.perf_counter() - t:.1f} s on {device}"
    )
