"""A user's own intent task in three commands: `edge train --task NEW` on a CSV, `edge build`,
`edge eval`; the spec written from the data, and the parity gate on the task's own texts."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.specs import load_task_spec
from quantize.cli.evaluation import _worth_it
from quantize.newtask import covering_length, infer_spec, spec_toml
from quantize.sources import open_base


def test_spec_from_data_labels_oos_and_length(tiny_base):
    """Labels sorted with the out-of-scope one last, max_length holding 99% of texts whole."""
    records = [{"text": f"play song {i}", "label": ["play", "stop"][i % 2]} for i in range(198)]
    records += [{"text": "book " * 100, "label": "Other"}, {"text": "hello", "label": "Other"}]
    spec, comments = infer_spec("music", records, open_base(tiny_base), source="d.csv")
    assert spec.labels == ["play", "stop", "Other"] and spec.out_of_scope_label == "Other"
    assert spec.pooling == "mean" and spec.max_length % 8 == 0
    # one very long text of 200 does not set the length; the short ones fit whole
    assert 16 <= spec.max_length < 100 and "99.5% of the texts whole" in " ".join(comments)
    assert covering_length([10] * 99 + [300], 0.99, 512) == 16
    assert covering_length([30] * 100, 0.99, 512) == 32
    assert covering_length([900] * 100, 0.99, 512) == 512
    no_oos, _ = infer_spec("music", records[:198], open_base(tiny_base))
    assert no_oos.out_of_scope_label is None and no_oos.labels == ["play", "stop"]


@pytest.mark.parametrize("name", ["pii", "intent"])
def test_written_spec_reads_back_the_same(tmp_path, name):
    spec = load_task_spec(name)
    path = tmp_path / "task.toml"
    path.write_text(spec_toml(spec, ["a comment"]), encoding="utf-8")
    assert load_task_spec(path) == spec


def test_parity_gate_judges_accuracy_lost_on_labelled_texts(
    tmp_path, tiny_base, intent_spec, intent_adapter, intent_artifact
):
    """A variant judged against a reference whose answers are the gold labels loses every text
    they disagree on: the gate fails it and says what it measured; judged against its own
    PyTorch model it loses nothing (whatever argmax agreement says of near-ties)."""
    import copy

    import tiny
    import torch

    import edge
    from edge.manifest import read_manifest
    from edge.tokenization import TextEncoder
    from quantize import parity
    from quantize.merge import merge
    from quantize.sources import open_adapter

    texts = [f"{w} {n}" for w in tiny.CORPUS[:9] for n in range(6)]
    own = merge(open_base(tiny_base), open_adapter(intent_adapter), intent_spec)
    other = copy.deepcopy(own)  # the same model answering label k+1 wherever it said k
    with torch.no_grad():
        for p in (other.classifier.weight, other.classifier.bias):
            p.copy_(p.roll(1, 0))
    manifest = read_manifest(intent_artifact)
    encoder = TextEncoder(
        intent_artifact / "tokenizer.json", manifest.special_tokens, intent_spec.max_length
    )
    labels = intent_spec.model_labels

    def labelled_by(model):
        ids = parity.predictions(encoder, texts, lambda i, m: parity.torch_logits(model, i, m))
        return [{"text": t, "label": labels[k]} for t, k in zip(texts, ids, strict=True)]

    fp32 = [manifest.variant("fp32")]
    same = parity.judge_on_labelled(
        intent_spec, fp32, labelled_by(own), encoder, own, intent_artifact
    )
    acc = same[0].parity.accuracy
    assert acc.reference_accuracy == 1.0 and acc.drop_points == pytest.approx(0, abs=1e-9)
    assert same[0].parity.passed
    gold = labelled_by(other)
    judged = parity.judge_on_labelled(intent_spec, fp32, gold, encoder, other, intent_artifact)
    acc = judged[0].parity.accuracy
    answers = edge.load(intent_artifact, variant="fp32").classify(texts, top_k=1)
    variant_acc = sum(a.top_k[0][0] == g["label"] for a, g in zip(answers, gold, strict=True))
    assert acc.accuracy == pytest.approx(variant_acc / len(texts)) == 0.0
    assert acc.reference_accuracy == 1.0 and acc.drop_points == pytest.approx(100)
    assert not judged[0].parity.passed
    line = parity.failure_line(judged[0])
    assert f"on the {len(texts)} labelled validation texts" in line and "points lost" in line
    assert "max_accuracy_drop in [parity.fp32]" in parity.failure_remedy(judged)


def test_worth_it_says_the_decision():
    src = {"name": "centroid k=10"}
    yes = _worth_it({"difference_points": 11.4, "margin_points": 10, "beats_baseline": True}, src)
    assert yes.startswith("Fine-tuning is worth it here: 11.4 points above")
    no = _worth_it({"difference_points": -3.0, "margin_points": 10, "beats_baseline": False}, src)
    assert "NOT worth it" in no and "3.0 points below" in no


def _clinc_csv(path, split: str, per_label: int, labels: list[str]) -> None:
    """A public-style labelled CSV (text,category) cut from the CLINC150 copy in the repo."""
    from quantize.datasets import clinc150

    counts: dict[str, int] = {}
    rows = []
    for r in clinc150(split):
        if r["label"] in labels and counts.get(r["label"], 0) < per_label:
            counts[r["label"]] = counts.get(r["label"], 0) + 1
            rows.append((r["text"], r["label"]))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "category"])
        w.writerows(rows)


@pytest.mark.slow
def test_a_csv_of_an_unseen_task_in_three_commands(tmp_path):
    """train --task NEW on a CSV, build (fp32 + int8 through the accuracy gate), eval with the
    baseline on the recorded training data: no file written by hand, on MiniLM cut to 1 layer."""
    labels = ["balance", "freeze_account", "pin_change", "transfer", "oos"]
    _clinc_csv(tmp_path / "train.csv", "train", 30, labels)
    _clinc_csv(tmp_path / "test.csv", "test", 10, labels)
    adapter, art = tmp_path / "adapter", tmp_path / "art"
    run = CliRunner().invoke
    r = run(
        main,
        [
            *("train", "--task", "bank-new", "--data", str(tmp_path / "train.csv")),
            *("--base", "all-MiniLM-L6-v2:L1", "--out", str(adapter), "--epochs", "3"),
            *("--lr", "3e-3", "--batch-size", "16", "--threads", "2", "--quiet"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "new task 'bank-new'" in r.output and 'out_of_scope_label = "oos"' in r.output
    spec = load_task_spec(adapter / "task.toml")
    assert spec.labels == [*sorted(labels[:-1]), "oos"]
    val = (adapter / "validation.jsonl").read_text().splitlines()
    assert len(val) == 15 and all(json.loads(v)["label"] in labels for v in val)

    r = run(main, ["build", "--adapter", str(adapter), "--out", str(art), "--quiet"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((art / "manifest.json").read_text())
    assert [v["name"] for v in manifest["variants"]] == ["fp32", "int8"]
    for v in manifest["variants"]:
        acc = v["parity"]["accuracy"]
        assert v["parity"]["passed"] and acc["labelled_texts"] == 15
        assert acc["drop_points"] <= acc["max_drop_points"] == 0.5
    assert manifest["adapter"]["training_data"]["label_field"] == "category"
    assert acc["reference_accuracy"] > 0.5  # it learnt the task: 5 labels, chance 0.2

    r = run(main, ["eval", "--model", str(art), "--data", str(tmp_path / "test.csv")])
    assert r.exit_code == 0, r.output
    assert "on 50 records" in r.output and "baseline (centroid k=10" in r.output
    assert "Fine-tuning is" in r.output and "worth it here" in r.output


def test_a_new_task_needs_a_plain_name(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("text,label\nhi,a\nho,b\n")
    r = CliRunner().invoke(
        main, ["train", "--task", "My Task", "--data", str(f), "--out", str(tmp_path / "a")]
    )
    assert r.exit_code == 2 and "a-z, 0-9, _ and -" in r.output
