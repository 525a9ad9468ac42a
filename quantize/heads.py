"""Task heads that transformers does not ship.

Why a mean-pooled sequence classifier of our own: all-MiniLM-L6-v2 was trained (as a sentence
encoder) to be read through the mean of its token states; its pooler (dense+tanh on [CLS]) is the
untrained one of the original MiniLM. On CLINC150, with the same LoRA and 10 epochs on a GPU,
the mean-pooled head reached 96.4% validation in-scope accuracy against 95.7% for
BertForSequenceClassification, and a better out-of-scope trade-off at every threshold (test,
threshold 0.9: 93.8% in-scope / 82.3% OOS recall against 92.4% / 78.5%).
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import BertModel, BertPreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput


def masked_mean(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean over the real tokens ([CLS] and [SEP] included, as sentence-transformers does)."""
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


class MeanPooledBertForSequenceClassification(BertPreTrainedModel):
    """BERT encoder → masked mean of the last layer → dropout → linear classifier.

    Named ``classifier`` like HF's head so peft's SEQ_CLS task saves it with the adapter.
    """

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **_: object,  # peft passes output_attentions, return_dict, ...; none apply here
    ) -> SequenceClassifierOutput:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        logits = self.classifier(self.dropout(masked_mean(hidden, attention_mask)))
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits, labels)
        return SequenceClassifierOutput(loss=loss, logits=logits)
