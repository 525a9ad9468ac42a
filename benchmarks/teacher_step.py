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


def training_step(base: str, *, batch: int, tokens: int, lora_r: int, device: str = "cpu"):
    """A function running one LoRA training step on the pii task with a fixed random batch."""
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
    model.to(device).train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    # ids past the specials of either family (MPNet's first 5, BERT's first ~1000 are unused)
    ids = torch.randint(1000, base_dir.config["vocab_size"] - 1, (batch, tokens), generator=gen)
    labels = torch.randint(0, len(spec.model_labels), (batch, tokens), generator=gen)
    ids, labels = ids.to(device), labels.to(device)
    mask = torch.ones_like(ids)

    def step() -> None:
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad()
        if device.startswith("cuda"):  # the GPU runs ahead of Python: wait for it
            torch.cuda.synchronize()

    return step


def step_seconds(steps: dict, rounds: int) -> dict[str, float]:
    """Median seconds per step of each, the bases taking turns step by step (one warm-up
    round first): load from other processes then weighs on every base alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds + 1):
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(t[1:]) for name, t in times.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bases", nargs="+", help="base folders or aliases; the first is the reference")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--steps", type=int, default=3, help="timed steps per base (median)")
    p.add_argument("--lora-r", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu", help="cpu or cuda (the GPU recipe's time check)")
    p.add_argument(
        "--ratio-only", action="store_true", help="print only the last base's ratio to the first"
    )
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    if not args.ratio_only:
        print(
            f"batch {args.batch} x {args.tokens} tokens, LoRA r={args.lora_r}, fp32, "
            f"{args.device}, {args.threads} thread(s), median of {args.steps} steps each (taking "
            "turns, after a warm-up)"
        )
    steps = {
        base: training_step(
            base, batch=args.batch, tokens=args.tokens, lora_r=args.lora_r, device=args.device
        )
        for base in args.bases
    }
    seconds = step_seconds(steps, args.steps)
    reference = seconds[args.bases[0]]
    if args.ratio_only:
        print(f"{seconds[args.bases[-1]] / reference:.3f}")
        return
    for base, s in seconds.items():
        print(f"{base}: {s:.2f} s/step, {s / reference:.2f}x the first")


if __name__ == "__main__":
    main()
