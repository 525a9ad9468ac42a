"""An MPNet teacher (all-mpnet-base-v2's layout, tiny) trained by train() and distilled into a
BERT student whose token ids differ; MPNet never reaches the export."""

from __future__ import annotations

import json
import math
import shutil

import pytest
import tiny

from edge.errors import BuildError
from quantize.families import FAMILIES
from quantize.sources import open_base
from quantize.train import TrainConfig, train

NAMES = ["maria", "bob", "anna", "li", "zoe", "sam"]
FAST = TrainConfig(epochs=1, batch_size=8, lr=1e-2, lora_r=4, lora_alpha=8)


def _rows(names):
    return [
        {
            "text": f"mail {n}@example.com now",
            "spans": [{"start": 5, "end": 5 + len(n) + 12, "label": "EMAIL_ADDRESS"}],
        }
        for n in names
    ]


@pytest.fixture(scope="module")
def mpnet_base(tmp_path_factory):
    return tiny.make_mpnet_base(tmp_path_factory.mktemp("mpnet") / "base")


@pytest.fixture(scope="module")
def mpnet_teacher(mpnet_base, pii_spec, tmp_path_factory):
    """A PII adapter on the MPNet base, one epoch through the real train()."""
    out = tmp_path_factory.mktemp("mpnet") / "teacher"
    record = train(mpnet_base, pii_spec, _rows(NAMES) * 3, out, config=FAST, quiet=True)
    return out, record


def test_mpnet_base_trains_a_teacher_with_its_own_modules_and_specials(mpnet_teacher):
    from safetensors import safe_open

    out, record = mpnet_teacher
    assert tuple(record["config"]["target_modules"]) == FAMILIES["mpnet"].lora_targets
    assert all(math.isfinite(h["val_loss"]) for h in record["history"])
    with safe_open(str(out / "adapter_model.safetensors"), framework="np") as f:
        keys = list(f.keys())
    for module in ("attn.q", "attn.k", "attn.v", "attn.o", "intermediate.dense", "output.dense"):
        assert any(f".{module}.lora_A" in k for k in keys), module
    assert any(k.endswith("classifier.weight") for k in keys)


def test_mapped_student_ids_are_the_teachers_own_encoding(tiny_base, mpnet_base):
    """Student ids through the map equal what the teacher's tokenizer makes of the same text
    (line breaks shown as "|" on both sides), <s> ... </s> included."""
    from edge.tokenization import load_tokenizer, show_line_breaks
    from quantize.train import _encode, _teacher_token_map

    student, teacher = open_base(tiny_base), open_base(mpnet_base, export=False)
    s_tok = show_line_breaks(load_tokenizer(student.path / "tokenizer.json"))
    t_tok = show_line_breaks(load_tokenizer(teacher.path / "tokenizer.json"))
    table = _teacher_token_map(s_tok, student, teacher)
    assert table is not None
    ids = {t: s_tok.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]", "[UNK]")}
    assert [int(table[i]) for i in ids.values()] == [0, 2, 1, t_tok.token_to_id("[UNK]")]
    texts = ["Hi, I'm Maria Garcia\nmaria.garcia@example.com", "Call +1 (415) 555-0132 ✓"]
    encoded = _encode(s_tok, [{"text": t} for t in texts], _spec_stub(), 128)
    for text, (s_ids, _) in zip(texts, encoded, strict=True):
        assert table[s_ids].tolist() == t_tok.encode(text).ids
    assert _teacher_token_map(s_tok, student, student) is None  # same tokenizer: no map


def _spec_stub():
    from edge.specs import TaskSpec

    return TaskSpec(name="t", kind="sequence-classification", labels=["a", "b"])


def test_bert_student_distils_from_the_mpnet_teacher(
    tmp_path, tiny_base, pii_spec, mpnet_base, mpnet_teacher
):
    import torch

    from quantize.train import _load_teacher

    out, _ = mpnet_teacher
    unlabelled = [{"text": f"write to {n}@example.org\ntoday"} for n in ["kim", "joe", "ada"]]
    rec = train(
        tiny_base,
        pii_spec,
        _rows(NAMES) * 3 + unlabelled * 2,
        tmp_path / "student",
        config=FAST,
        quiet=True,
        teacher=(mpnet_base, out),
    )
    assert rec["teacher"]["token_ids"] == "mapped" and rec["teacher"]["model_type"] == "mpnet"
    assert rec["teacher"]["layers"] == 2 and rec["unlabelled_records"] == 6
    assert all(math.isfinite(h["val_loss"]) for h in rec["history"])
    assert tuple(rec["config"]["target_modules"]) == FAMILIES["bert"].lora_targets
    saved = json.loads((tmp_path / "student" / "edge_adapter.json").read_text())
    assert saved["teacher"] == rec["teacher"]
    # the fp16 teacher base is read as fp32, as training runs
    model, _, _ = _load_teacher((mpnet_base, out), pii_spec, open_base(tiny_base), _tok(tiny_base))
    assert {p.dtype for p in model.parameters()} == {torch.float32}


def _tok(base):
    from edge.tokenization import load_tokenizer, show_line_breaks

    return show_line_breaks(load_tokenizer(base / "tokenizer.json"))


def test_a_student_token_the_teacher_lacks_is_refused(
    tmp_path, tiny_base, pii_spec, mpnet_base, mpnet_teacher
):
    out, _ = mpnet_teacher
    lacking = tmp_path / "lacking"
    shutil.copytree(mpnet_base, lacking)
    tok = json.loads((lacking / "tokenizer.json").read_text())
    vocab = tok["model"]["vocab"]
    vocab["garcia-not"] = vocab.pop("garcia")
    (lacking / "tokenizer.json").write_text(json.dumps(tok))
    with pytest.raises(BuildError, match=r"no token for 1 of .*'garcia'.*all-mpnet-base-v2"):
        train(
            tiny_base,
            pii_spec,
            _rows(NAMES) * 2,
            tmp_path / "s",
            config=FAST,
            teacher=(lacking, out),
        )
    assert not (tmp_path / "s").exists()


def test_mpnet_base_is_refused_by_build_and_export(tmp_path, pii_spec, mpnet_base, mpnet_teacher):
    from quantize.build import build

    out, _ = mpnet_teacher
    assert open_base(mpnet_base, export=False).family.model_type == "mpnet"
    with pytest.raises(BuildError, match=r"MPNet model: edge's export and runtime take BERT"):
        open_base(mpnet_base)
    with pytest.raises(BuildError, match=r"--teacher-base .* --teacher-adapter"):
        build(mpnet_base, out, pii_spec, tmp_path / "art", quiet=True, variants=("fp32",))
    assert not (tmp_path / "art").exists()


def test_unknown_model_type_is_still_refused(tmp_path, mpnet_base):
    other = tmp_path / "other"
    shutil.copytree(mpnet_base, other)
    cfg = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**cfg, "model_type": "t5"}))
    with pytest.raises(BuildError, match="model_type 't5'; edge builds BERT-family"):
        open_base(other, export=False)


def test_cli_trains_on_mpnet_and_build_refuses_it(tmp_path, tiny_base, mpnet_base):
    """`edge train --base MPNET` makes a teacher, `--teacher-base MPNET` distils from it, and
    `edge build --base MPNET` exits non-zero with the remedy, not a traceback."""
    from click.testing import CliRunner

    from edge.cli import main

    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _rows(NAMES) * 2), encoding="utf-8")
    args = ["train", "--task", "pii", "--data", str(data), "--epochs", "1", "--quiet"]
    teacher = tmp_path / "t"
    r = CliRunner().invoke(main, [*args, "--base", str(mpnet_base), "--out", str(teacher)])
    assert r.exit_code == 0, r.output
    student = ["--base", str(tiny_base), "--out", str(tmp_path / "s")]
    teach = ["--teacher-base", str(mpnet_base), "--teacher-adapter", str(teacher)]
    r = CliRunner().invoke(main, [*args, *student, *teach])
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "s" / "edge_adapter.json").read_text())
    assert rec["teacher"]["token_ids"] == "mapped"
    build = ["build", "--base", str(mpnet_base), "--adapter", str(teacher), "--task", "pii"]
    r = CliRunner().invoke(main, [*build, "--out", str(tmp_path / "art")])
    assert r.exit_code == BuildError.exit_code, r.output
    assert "MPNet model" in r.output and "--teacher-base" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "art").exists()


def test_mean_pooled_head_is_refused_on_mpnet(mpnet_base, intent_spec):
    """The mean-pooled head is a BERT class: on MPNet weights it would load none of them."""
    from quantize.merge import load_base_with_head

    spec = intent_spec.model_copy(update={"pooling": "mean"})
    with pytest.raises(BuildError, match=r'pooling "mean".*BERT bases only.*MPNet'):
        load_base_with_head(open_base(mpnet_base, export=False), spec)
