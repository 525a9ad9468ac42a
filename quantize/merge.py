"""Base + LoRA adapter → one plain transformers model, via peft's merge_and_unload."""

from __future__ import annotations

from edge.errors import BuildError
from edge.specs import TaskSpec
from quantize.sources import AdapterDir, BaseModelDir


def head_class(spec: TaskSpec):
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification

    if spec.kind == "token-classification":
        return AutoModelForTokenClassification
    if spec.pooling == "mean":
        from quantize.heads import MeanPooledBertForSequenceClassification

        return MeanPooledBertForSequenceClassification
    return AutoModelForSequenceClassification


def load_base_with_head(base: BaseModelDir, spec: TaskSpec):
    """The base with a fresh head of the task's size (the adapter brings the trained head)."""
    labels = spec.model_labels
    mean_pooled = spec.kind == "sequence-classification" and spec.pooling == "mean"
    if mean_pooled and not base.family.mean_pooled_head:
        # the BERT head class would load none of these weights: a random model, no error
        raise BuildError(
            f'task {spec.name!r} uses pooling "mean", which edge implements for BERT bases '
            f'only; base {base.name} is {base.family.title}: set `pooling = "cls"` in the task '
            "spec or use a BERT base"
        )
    from transformers.utils import logging as hf_logging

    # transformers warns "newly initialized" for the head (the adapter replaces it) and about
    # tensor-parallel plans that do not apply on CPU; neither helps a user, so errors only.
    hf_logging.set_verbosity_error()
    model = head_class(spec).from_pretrained(
        str(base.path),
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={lbl: i for i, lbl in enumerate(labels)},
        num_hidden_layers=base.config["num_hidden_layers"],  # a FIRST_LAYERS cut loads fewer
        use_safetensors=True,
    )
    return model


def merge(base: BaseModelDir, adapter: AdapterDir, spec: TaskSpec):
    from peft import PeftModel

    model = load_base_with_head(base, spec)
    try:
        peft_model = PeftModel.from_pretrained(model, str(adapter.path), is_trainable=False)
    except (RuntimeError, ValueError, KeyError) as e:
        raise BuildError(f"adapter {adapter.path} does not load onto {base.path}: {e}") from None
    merged = peft_model.merge_and_unload()
    merged.eval()
    return merged
