"""The build step: merge LoRA adapters into a base, export, quantize, check parity, write artifacts.

Heavy by design (torch, transformers, peft, optimum); the runtime in ``edge`` never imports it.
"""
