"""Seconds per LoRA training step (forward + backward + AdamW) of each base, against the first.

Why: a GPU recipe for a larger teacher (all-mpnet-base-v2, 12 x 768) has to fit a 10-minute call;
its time is estimated from a MiniLM run's measured time times this ratio, both bases timed in
the same run on the same machine (as every speed figure in benchmarks/ is a ratio to a peer).

    python -m benchmarks.teacher_step all-MiniLM-L6-v2 /path/to/all-mpnet-base-v2 --threads 1
"""

from __future__ import annotations

import argparse
import statistics
import time


def step_seconds(base: str, *, batch: int, tokens: int, steps: int, lora_r: int) -> float:
    """Median wall time of ``steps`` training steps on the pii task (one warm-up step first)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from edge.specs import load_task_spec
    from quantize.merge import load_base_with_head
    from quantize.sources import open_base

    spec = load_task_spec("pii")
    base_dir = open_base(base, export=False)
    model = load_base_with_head(base_dir, spec).float()
    lora = LoraConfig(
        task_type="TOKEN_CLS",
        r=lora_r,
        lora_alpha=2 * lora_r,
        target_modules=list(base_dir.family.lora_targets),
    )
    model = get_peft_model(model, lora)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    # ids past the specials of either family (MPNet's first 5, BERT's first ~1000 are unused)
    ids = torch.randint(1000, base_dir.config["vocab_size"] - 1, (batch, tokens), generator=gen)
    mask = torch.ones_like(ids)
    labels = torch.randint(0, len(spec.model_labels), (batch, tokens), generator=gen)
    times = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bases", nargs="+", help="base folders or aliases; the first is the reference")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--steps", type=int, default=3, help="timed steps per base (median)")
    p.add_argument("--lora-r", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    print(
        f"batch {args.batch} x {args.tokens} tokens, LoRA r={args.lora_r}, fp32, "
        f"{args.threads} thread(s), median of {args.steps} steps after a warm-up"
    )
    reference = None
    for base in args.bases:
        s = step_seconds(
            base, batch=args.batch, tokens=args.tokens, steps=args.steps, lora_r=args.lora_r
        )
        reference = reference or s
        print(f"{base}: {s:.2f} s/step, {s / reference:.2f}x the first")


if __name__ == "__main__":
    main()
