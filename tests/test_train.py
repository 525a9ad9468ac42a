"""Training data formats, bad data files, and a tiny train → build → eval round trip."""

from __future__ import annotations

import json

import pytest

from edge.errors import DataError
from quantize.data import load_records
from quantize.train import TrainConfig, oversample_records, train


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_pii_records_load(tmp_path, pii_spec):
    f = write_jsonl(
        tmp_path / "d.jsonl",
        [{"text": "Maria lives here", "spans": [{"start": 0, "end": 5, "label": "PERSON"}]}],
    )
    assert load_records(f, pii_spec)[0]["spans"][0]["label"] == "PERSON"


@pytest.mark.parametrize(
    "row, match",
    [
        ({"text": "Maria", "spans": [{"start": 0, "end": 9, "label": "PERSON"}]}, "outside"),
        ({"text": "Maria", "spans": [{"start": 3, "end": 1, "label": "PERSON"}]}, "outside"),
        ({"text": "Maria", "spans": [{"start": 0, "end": 5, "label": "NAME"}]}, "unknown entity"),
        ({"text": "", "spans": []}, "non-empty"),
        ({"text": "Maria"}, "spans"),
        (
            {
                "text": "Maria Garcia",
                "spans": [
                    {"start": 0, "end": 8, "label": "PERSON"},
                    {"start": 6, "end": 12, "label": "PERSON"},
                ],
            },
            "overlaps",
        ),
    ],
)
def test_bad_pii_records(tmp_path, pii_spec, row, match):
    f = write_jsonl(tmp_path / "d.jsonl", [row])
    with pytest.raises(DataError, match=match) as e:
        load_records(f, pii_spec)
    assert "d.jsonl:1" in str(e.value)


def test_bad_files(tmp_path, intent_spec):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataError, match="no records"):
        load_records(empty, intent_spec)
    with pytest.raises(DataError, match="not found"):
        load_records(tmp_path / "missing.jsonl", intent_spec)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "hi", "label": "weather"}\n{"text": \n')
    with pytest.raises(DataError, match=r"broken\.jsonl:2: not valid JSON"):
        load_records(broken, intent_spec)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"text": "caf\xe9", "label": "weather"}\n')
    with pytest.raises(DataError, match="UTF-8"):
        load_records(latin, intent_spec)
    unknown = write_jsonl(tmp_path / "u.jsonl", [{"text": "hi", "label": "fly"}])
    with pytest.raises(DataError, match="unknown label 'fly'"):
        load_records(unknown, intent_spec)


def test_oversample():
    rows = [{"text": "a", "label": "x"}, {"text": "b", "label": "oos"}]
    assert [r["label"] for r in oversample_records(rows, {"oos": 3})] == ["x", "oos", "oos", "oos"]


def test_tiny_train_build_eval_round_trip(tmp_path, tiny_base, intent_spec):
    """Training learns something real even on a tiny model, is deterministic, and the adapter
    builds and evaluates through the same tools users run."""
    from quantize.build import build
    from quantize.evaluate import evaluate_artifact

    words = {
        "book_table": ["book a table for two", "reserve a table tonight", "table for four"],
        "weather": ["what's the weather", "is it raining in paris", "weather tomorrow"],
        "play_music": ["play some jazz music", "put on music", "play my playlist"],
        "out_of_scope": ["transfer money to savings", "cancel my subscription", "tell a joke"],
    }
    rows = [{"text": t, "label": lbl} for lbl, ts in words.items() for t in ts] * 8
    cfg = TrainConfig(epochs=15, batch_size=8, lr=1e-2, lora_r=8, lora_alpha=16, patience=15)
    rec1 = train(tiny_base, intent_spec, rows, tmp_path / "a1", config=cfg, quiet=True)
    rec2 = train(tiny_base, intent_spec, rows, tmp_path / "a2", config=cfg, quiet=True)
    assert rec1["history"] == rec2["history"]  # same seed, same adapter
    assert (tmp_path / "a1" / "adapter_model.safetensors").read_bytes() == (
        tmp_path / "a2" / "adapter_model.safetensors"
    ).read_bytes()
    # a random 2-layer model learns slowly; it must still beat chance (4 labels: ln 4 = 1.386)
    assert rec1["best"]["val_loss"] < 1.2
    assert rec1["best"]["val_loss"] < rec1["history"][0]["val_loss"]
    build(tiny_base, tmp_path / "a1", intent_spec, tmp_path / "art", quiet=True)
    result = evaluate_artifact(tmp_path / "art", rows[:12])
    assert result["n"] == 12 and 0.0 <= result["scores"]["accuracy"] <= 1.0
    record = json.loads((tmp_path / "a1" / "edge_adapter.json").read_text())
    assert record["labels"] == intent_spec.model_labels and record["device"] == "cpu"


def test_tiny_pii_training_learns_entities(tmp_path, tiny_base, pii_spec):
    rows = [
        {
            "text": f"mail {n}@example.com now",
            "spans": [{"start": 5, "end": 5 + len(n) + 12, "label": "EMAIL_ADDRESS"}],
        }
        for n in ["maria", "bob", "anna", "li", "zoe", "sam"]
    ] * 6
    cfg = TrainConfig(epochs=10, batch_size=8, lr=1e-2, lora_r=8, lora_alpha=16, patience=10)
    rec = train(tiny_base, pii_spec, rows, tmp_path / "a", config=cfg, quiet=True)
    first, best = rec["history"][0], rec["best"]
    assert best["val_loss"] < 0.8 * first["val_loss"]
    assert best["val_accuracy"] > 0.5


def test_early_stopping_watches_accuracy_by_default():
    from quantize.train import _better

    best = {"val_loss": 0.30, "val_accuracy": 0.93}
    later = {"val_loss": 0.33, "val_accuracy": 0.95}  # more confident, more often right
    assert _better(later, best, "val_accuracy")
    assert not _better(later, best, "val_loss")
    tie = {"val_loss": 0.29, "val_accuracy": 0.93}
    assert _better(tie, best, "val_accuracy")  # equal accuracy: the lower loss wins
    assert TrainConfig().monitor == "val_accuracy"


def test_unknown_monitor_is_refused(tmp_path, tiny_base, intent_spec):
    from edge.errors import BuildError

    records = [{"text": f"t {i}", "label": intent_spec.labels[i % 4]} for i in range(12)]
    with pytest.raises(BuildError, match="monitor must be one of"):
        train(tiny_base, intent_spec, records, tmp_path / "a", config=TrainConfig(monitor="f1"))
    assert not (tmp_path / "a").exists()


def test_mean_pooled_training_records_its_pooling(tmp_path, tiny_base, intent_spec):
    """What `edge train` writes for a mean-pooled task builds; the record says the pooling."""
    from quantize.build import build

    spec = intent_spec.model_copy(update={"pooling": "mean"})
    records = [{"text": f"x{i} {lbl}", "label": lbl} for i in range(6) for lbl in spec.labels]
    rec = train(tiny_base, spec, records, tmp_path / "ad", config=TrainConfig(epochs=1), quiet=True)
    assert rec["pooling"] == "mean"
    m = build(tiny_base, tmp_path / "ad", spec, tmp_path / "art", quiet=True, variants=["fp32"])
    assert m.variant("fp32").parity.passed


# -- a base cut to its first layers, distillation, unlabelled texts ----------------------------


def test_first_layers_base_keeps_the_first_k_layers(tmp_path, tiny_base, pii_spec):
    """``BASE:L1`` loads the base's first layer only, with the same weights, and hashes apart."""
    from edge.errors import BuildError
    from quantize.merge import load_base_with_head
    from quantize.sources import open_base

    full, cut = open_base(tiny_base), open_base(f"{tiny_base}:L1")
    assert cut.layers == 1 and cut.config["num_hidden_layers"] == 1
    assert full.config["num_hidden_layers"] == 2 and cut.sha256() != full.sha256()
    m_full, m_cut = load_base_with_head(full, pii_spec), load_base_with_head(cut, pii_spec)
    assert len(m_cut.bert.encoder.layer) == 1
    a = m_full.bert.encoder.layer[0].output.dense.weight
    assert (a == m_cut.bert.encoder.layer[0].output.dense.weight).all()
    with pytest.raises(BuildError, match=r":L1 to :L2"):
        open_base(f"{tiny_base}:L3")


def test_narrowed_base_keeps_the_most_important_neurons(tmp_path, monkeypatch, tiny_base, pii_spec):
    """``BASE:L1:F<n>`` keeps the first layer with its n most important feed-forward neurons
    (|input row| * |output column|), in order, everything else as it was; it is written once
    under $EDGE_HOME/bases, hashes apart from the plain cut, and refuses sizes the base lacks."""
    import numpy as np
    from safetensors.numpy import load_file

    from edge.errors import BuildError
    from quantize.merge import load_base_with_head
    from quantize.prune import importance, write_cut
    from quantize.sources import open_base

    monkeypatch.setenv("EDGE_HOME", str(tmp_path / "home"))
    full = open_base(tiny_base)
    width = full.config["intermediate_size"]
    n = width // 2
    cut = open_base(f"{tiny_base}:L1:F{n}")
    assert cut.config["num_hidden_layers"] == 1 and cut.config["intermediate_size"] == n
    assert cut.path.parent == tmp_path / "home" / "bases"
    assert cut.sha256() not in (full.sha256(), open_base(f"{tiny_base}:L1").sha256())
    assert open_base(f"{tiny_base}:L1:F{n}").sha256() == cut.sha256()  # the same cut again
    src = load_file(str(full.path / "model.safetensors"))
    score = importance(src, 0)
    keep = np.flatnonzero(score >= np.sort(score)[-n])
    assert len(keep) == n
    got = load_file(str(cut.path / "model.safetensors"))
    w_in = "encoder.layer.0.intermediate.dense.weight"
    assert (got[w_in] == src[w_in][keep]).all()
    w_out = "encoder.layer.0.output.dense.weight"
    assert (got[w_out] == src[w_out][:, keep]).all()
    q = "encoder.layer.0.attention.self.query.weight"
    assert (got[q] == src[q]).all() and not any(k.startswith("encoder.layer.1.") for k in got)
    model = load_base_with_head(cut, pii_spec)
    assert model.bert.encoder.layer[0].intermediate.dense.out_features == n
    for bad, why in (
        (f"{tiny_base}:L1:F{width + 1}", f":F1 to :F{width}"),
        (f"{tiny_base}:L3:F4", ":L1 to :L2"),
    ):
        with pytest.raises(BuildError, match=why):
            open_base(bad)
    with pytest.raises(ValueError, match=f":F1 to :F{width}"):  # the GPU tool's direct call
        write_cut(full.path, tmp_path / "never", 1, width + 1)
    assert not (tmp_path / "never").exists()


def _email_rows(names):
    return [
        {
            "text": f"mail {n}@example.com now",
            "spans": [{"start": 5, "end": 5 + len(n) + 12, "label": "EMAIL_ADDRESS"}],
        }
        for n in names
    ]


def test_distilled_student_on_a_cut_base_builds(tmp_path, tiny_base, pii_spec):
    """A 2-layer teacher teaches a 1-layer student on labelled and unlabelled texts; the record
    names the teacher, and the student builds and loads on the cut base."""
    import edge
    from quantize.build import build

    rows = _email_rows(["maria", "bob", "anna", "li", "zoe", "sam"]) * 6
    cfg = TrainConfig(epochs=6, batch_size=8, lr=1e-2, lora_r=8, lora_alpha=16, patience=10)
    train(tiny_base, pii_spec, rows, tmp_path / "teacher", config=cfg, quiet=True)
    unlabelled = [{"text": f"write to {n}@example.org today"} for n in ["kim", "joe", "ada"]]
    rec = train(
        f"{tiny_base}:L1",
        pii_spec,
        rows + unlabelled * 4,
        tmp_path / "student",
        config=cfg,
        quiet=True,
        teacher=(tiny_base, tmp_path / "teacher"),
    )
    assert rec["teacher"]["layers"] == 2 and rec["unlabelled_records"] == 12
    assert rec["teacher"]["token_ids"] == "shared"  # one tokenizer: the ids feed both as they are
    assert rec["base_name"].endswith(":L1")
    assert rec["best"]["val_accuracy"] > 0.5
    assert all(h["val_loss"] == h["val_loss"] for h in rec["history"])  # no nan
    cut = f"{tiny_base}:L1"
    build(cut, tmp_path / "student", pii_spec, tmp_path / "art", quiet=True, variants=["fp32"])
    det = edge.load(tmp_path / "art", variant="fp32")
    assert det.manifest.base_model.name.endswith(":L1")
    # the same adapter does not build onto the full base: its record names the cut
    from edge.errors import BuildError

    with pytest.raises(BuildError, match="different sha256"):
        build(tiny_base, tmp_path / "student", pii_spec, tmp_path / "art2", variants=["fp32"])


def test_distill_loss_is_zero_when_student_matches_teacher():
    import torch

    from quantize.train import _distill_loss

    logits = torch.randn(2, 5, 7)
    mask = torch.ones(2, 5, dtype=torch.long)
    cfg = TrainConfig()
    assert float(_distill_loss(logits, logits.clone(), mask, True, cfg)) == pytest.approx(
        0, abs=1e-6
    )
    assert float(_distill_loss(logits, torch.randn(2, 5, 7), mask, True, cfg)) > 0


def test_unlabelled_texts_need_a_teacher(tmp_path, tiny_base, pii_spec):
    rows = _email_rows(["maria", "bob", "anna", "li", "zoe", "sam"]) * 2 + [{"text": "hello"}]
    with pytest.raises(DataError, match="teacher"):
        train(tiny_base, pii_spec, rows, tmp_path / "a", config=TrainConfig(epochs=1))
    assert not (tmp_path / "a").exists()


def test_load_texts_reads_jsonl_and_named_sets(tmp_path):
    from quantize.data import load_texts

    f = write_jsonl(tmp_path / "t.jsonl", [{"text": "hi there"}, {"text": "book a table"}])
    assert load_texts(str(f)) == [{"text": "hi there"}, {"text": "book a table"}]
    bad = write_jsonl(tmp_path / "b.jsonl", [{"text": "ok"}, {"label": "x"}])
    with pytest.raises(DataError, match="record 2"):
        load_texts(str(bad))
    with pytest.raises(DataError, match="NAME:SPLIT"):
        load_texts("nowhere.jsonl")


def test_train_stops_when_the_next_epoch_would_pass_max_minutes(tmp_path, tiny_base, pii_spec):
    rows = _email_rows(["maria", "bob", "anna", "li", "zoe", "sam"]) * 2
    cfg = TrainConfig(epochs=50, batch_size=4, patience=50, max_minutes=1e-6)
    rec = train(tiny_base, pii_spec, rows, tmp_path / "a", config=cfg, quiet=True)
    assert len(rec["history"]) == 1


def test_cli_distils_a_student_from_files(tmp_path, tiny_base, pii_spec):
    """`edge train --base B:L1 --teacher-adapter T --unlabelled F`: the CLI path of the pii-fast
    recipe on a tiny model; --unlabelled without a teacher is a usage error."""
    from click.testing import CliRunner

    from edge.cli import main

    rows = _email_rows(["maria", "bob", "anna", "li", "zoe", "sam"]) * 4
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    texts = write_jsonl(tmp_path / "t.jsonl", [{"text": "write to kim@example.org"}] * 5)
    cfg = TrainConfig(epochs=3, batch_size=8, lr=1e-2, lora_r=4, lora_alpha=8, patience=10)
    train(tiny_base, pii_spec, rows, tmp_path / "teacher", config=cfg, quiet=True)
    args = ["train", "--task", "pii", "--data", str(data), "--epochs", "1", "--quiet"]
    r = CliRunner().invoke(main, [*args, "--unlabelled", str(texts), "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--teacher-adapter" in r.output
    student = [
        *("--base", f"{tiny_base}:L1", "--unlabelled", str(texts)),
        *("--teacher-adapter", str(tmp_path / "teacher"), "--teacher-base", str(tiny_base)),
        *("--distill-alpha", "0.3", "--o-weight", "0.5", "--out", str(tmp_path / "s")),
    ]
    r = CliRunner().invoke(main, [*args, *student])
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "s" / "edge_adapter.json").read_text())
    assert rec["unlabelled_records"] == 5 and rec["config"]["distill_alpha"] == 0.3
    assert rec["config"]["o_weight"] == 0.5
    assert rec["teacher"]["adapter_sha256"] and rec["base_name"].endswith(":L1")


def test_teacher_must_hold_every_student_token(tmp_path, tiny_base, pii_spec):
    """A student token the teacher's vocabulary lacks has no teacher id to map to: refused.
    (The MPNet teacher, ids mapped, is in test_mpnet.py.)"""
    import shutil

    from edge.errors import BuildError

    rows = _email_rows(["maria", "bob", "anna", "li", "zoe", "sam"]) * 2
    cfg = TrainConfig(epochs=1, batch_size=8, lora_r=4, lora_alpha=8)
    train(tiny_base, pii_spec, rows, tmp_path / "teacher", config=cfg, quiet=True)
    other = tmp_path / "other-base"
    shutil.copytree(tiny_base, other)
    tok = json.loads((other / "tokenizer.json").read_text())
    tok["model"]["vocab"]["zzz"] = len(tok["model"]["vocab"])
    (other / "tokenizer.json").write_text(json.dumps(tok))
    with pytest.raises(BuildError, match=r"no token for 1 of .*'zzz'"):
        train(
            other,
            pii_spec,
            rows,
            tmp_path / "s",
            config=cfg,
            teacher=(tiny_base, tmp_path / "teacher"),
        )
    assert not (tmp_path / "s").exists()


def test_o_weight_makes_a_missed_entity_cost_more(tiny_base, pii_spec):
    """Recall first: below 1, the gold loss is the O-weighted mean of the per-token CE."""
    import torch
    import torch.nn.functional as F

    from quantize.merge import load_base_with_head
    from quantize.sources import open_base
    from quantize.train import gold_loss

    torch.manual_seed(0)
    model = load_base_with_head(open_base(tiny_base), pii_spec).float().eval()
    o_id = pii_spec.model_labels.index("O")
    ent = pii_spec.model_labels.index("B-PERSON")
    ids = torch.randint(5, 40, (2, 6))
    labels = torch.full((2, 6), o_id)
    labels[:, 0] = -100
    labels[0, 2] = labels[1, 4] = ent
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels)
    # the default is the model's own loss, untouched
    assert gold_loss(out, labels, True, TrainConfig(), o_id) is out.loss
    flat, gold = out.logits.reshape(-1, out.logits.shape[-1]), labels.reshape(-1)
    keep = gold != -100
    ce = F.cross_entropy(flat[keep], gold[keep], reduction="none")
    is_o = gold[keep] == o_id
    for w in (0.3, 0.05):
        got = float(gold_loss(out, labels, True, TrainConfig(o_weight=w), o_id))
        want = (w * ce[is_o].sum() + ce[~is_o].sum()) / (w * is_o.sum() + (~is_o).sum())
        assert got == pytest.approx(float(want), rel=1e-5)
    # the share of the loss that entity tokens carry grows as O's weight falls
    share = [
        float(ce[~is_o].sum() / (w * ce[is_o].sum() + ce[~is_o].sum())) for w in (1.0, 0.3, 0.05)
    ]
    assert share[0] < share[1] < share[2]


def test_o_weight_is_recorded_and_refused_for_text_tasks(
    tmp_path, tiny_base, pii_spec, intent_spec
):
    from edge.errors import BuildError

    rows = _email_rows(["maria", "bob", "anna", "li", "zoe", "sam"]) * 2
    cfg = TrainConfig(epochs=1, batch_size=8, lora_r=4, lora_alpha=8, o_weight=0.3)
    rec = train(tiny_base, pii_spec, rows, tmp_path / "a", config=cfg, quiet=True)
    assert rec["config"]["o_weight"] == 0.3 and rec["history"][0]["val_loss"] > 0
    intents = [{"text": f"weather in {c}", "label": "weather"} for c in "abcdefghijkl"]
    with pytest.raises(BuildError, match="o_weight"):
        train(tiny_base, intent_spec, intents, tmp_path / "b", config=cfg, quiet=True)
    with pytest.raises(BuildError, match="above 0"):
        train(tiny_base, pii_spec, rows, tmp_path / "c", config=TrainConfig(o_weight=0))
