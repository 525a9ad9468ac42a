"""`edge eval`: metrics on hand-made cases with known answers, baselines, sources and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.errors import DataError
from quantize.baselines import CentroidIntentBaseline, rules_pii_baseline
from quantize.evaluate import (
    compare,
    evaluate_artifact,
    evaluate_baseline,
    evaluate_torch,
    subsample,
)
from quantize.metrics import (
    apply_oos_threshold,
    choose_oos_threshold,
    intent_scores,
    pii_scores,
)


def sp(label: str, start: int, end: int) -> dict:
    return {"label": label, "start": start, "end": end}


INTENT_RECORDS = [
    {"text": "book a table for two at 7 pm tonight in paris", "label": "book_table"},
    {"text": "book a table tonight", "label": "book_table"},
    {"text": "what's the weather like tomorrow", "label": "weather"},
    {"text": "weather in paris tomorrow", "label": "weather"},
    {"text": "play some jazz music", "label": "play_music"},
    {"text": "play music", "label": "play_music"},
    {"text": "transfer money from checking to savings", "label": "out_of_scope"},
    {"text": "cancel my subscription", "label": "out_of_scope"},
]


def test_pii_scores_exact_relaxed_per_type_and_micro():
    gold = [[sp("PERSON", 0, 12), sp("PHONE_NUMBER", 20, 28)], [sp("EMAIL_ADDRESS", 5, 20)]]
    pred = [
        [sp("PERSON", 0, 5), sp("PHONE_NUMBER", 20, 28)],
        [sp("EMAIL_ADDRESS", 5, 20), sp("PERSON", 30, 35)],
    ]
    s = pii_scores(gold, pred)
    ex, rx = s["exact"], s["relaxed"]
    assert ex["per_type"]["PERSON"]["f1"] == 0.0 and ex["per_type"]["PERSON"]["support"] == 1
    assert ex["per_type"]["PHONE_NUMBER"]["f1"] == 1.0
    assert ex["per_type"]["EMAIL_ADDRESS"]["f1"] == 1.0
    assert ex["micro"]["precision"] == pytest.approx(2 / 4)
    assert ex["micro"]["recall"] == pytest.approx(2 / 3)
    assert ex["micro"]["f1"] == pytest.approx(4 / 7)
    person = rx["per_type"]["PERSON"]
    assert (person["precision"], person["recall"]) == (0.5, 1.0)
    assert rx["micro"]["precision"] == 0.75 and rx["micro"]["recall"] == 1.0
    assert rx["micro"]["f1"] == pytest.approx(6 / 7)
    assert s["confusions"] == [("O", "PERSON", 1)]


def test_pii_relaxed_matches_each_span_once_and_needs_same_label():
    s = pii_scores([[sp("PERSON", 0, 5), sp("PERSON", 6, 10)]], [[sp("PERSON", 0, 10)]])
    assert s["relaxed"]["micro"]["recall"] == 0.5 and s["relaxed"]["micro"]["precision"] == 1.0
    assert s["exact"]["micro"]["tp"] == 0
    s = pii_scores([[sp("LOCATION", 0, 5)]], [[sp("PERSON", 0, 5)]])
    assert s["relaxed"]["micro"]["tp"] == 0
    assert s["confusions"] == [("LOCATION", "PERSON", 1)]
    s = pii_scores([[sp("URL", 0, 5)], []], [[], []])
    assert s["exact"]["micro"]["recall"] == 0.0 and s["confusions"] == [("URL", "O", 1)]


def test_intent_scores_oos_recall_macro_f1_and_confusions():
    gold = ["a", "a", "b", "b", "oos", "oos", "oos", "c"]
    pred = ["a", "b", "b", "b", "oos", "a", "oos", "oos"]
    s = intent_scores(gold, pred, "oos")
    assert s["accuracy"] == 5 / 8
    assert s["in_scope_accuracy"] == 3 / 5
    assert s["oos_recall"] == pytest.approx(2 / 3)
    assert s["oos_precision"] == pytest.approx(2 / 3)
    assert s["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0 + 2 / 3) / 4)
    assert s["confusions"] == [("a", "b", 1), ("c", "oos", 1), ("oos", "a", 1)]
    assert (s["n"], s["n_in_scope"], s["n_oos"]) == (8, 5, 3)
    s = intent_scores(["a", "b"], ["a", "a"], None)
    assert s["oos_recall"] is None and s["in_scope_accuracy"] == s["accuracy"] == 0.5


def test_choose_oos_threshold_balances_in_scope_and_oos():
    gold = ["x", "x", "y", "oos", "oos"]
    top = ["x", "x", "y", "x", "oos"]
    conf = [0.9, 0.8, 0.4, 0.3, 0.95]
    t = choose_oos_threshold(gold, top, conf, "oos")
    assert t == 0.4  # rejects the 0.3 out-of-scope text, keeps the 0.4 in-scope one
    assert apply_oos_threshold(top, conf, t, "oos") == gold
    assert choose_oos_threshold(["x", "oos"], ["x", "oos"], [0.2, 0.9], "oos") == 0.0
    with pytest.raises(DataError):
        choose_oos_threshold(["x", "y"], ["x", "y"], [0.5, 0.6], "oos")


def test_choose_oos_threshold_for_a_recall_target():
    gold = ["x", "x", "y", "oos", "oos", "oos", "oos"]
    top = ["x", "x", "y", "x", "x", "y", "oos"]
    conf = [0.9, 0.8, 0.6, 0.3, 0.5, 0.7, 0.95]
    # recall 1/4 at t=0; catching 0.3 and 0.5 (t=0.6) gives 3/4, the 0.7 one needs t > 0.7
    assert choose_oos_threshold(gold, top, conf, "oos", min_oos_recall=0.75) == 0.6
    assert choose_oos_threshold(gold, top, conf, "oos", min_oos_recall=0.5) == 0.5
    t = choose_oos_threshold(gold, top, conf, "oos", min_oos_recall=1.0)
    labels = apply_oos_threshold(top, conf, t, "oos")
    assert all(p == "oos" for p, g in zip(labels, gold, strict=True) if g == "oos")


def test_cli_calibrate_picks_a_threshold_on_validation_data(intent_artifact, tmp_path):
    import edge

    clf = edge.load(intent_artifact)
    texts = [f"sample {i} {w}" for i in range(12) for w in ("table", "rain", "song")]
    labels = clf.labels
    rows = [
        {"text": t, "label": labels[k % len(labels)]} for k, t in enumerate(texts)
    ]  # every label, out_of_scope included
    data = tmp_path / "val.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    res = CliRunner().invoke(
        main,
        [
            "calibrate",
            "--model",
            str(intent_artifact),
            "--data",
            str(data),
            "--min-oos-recall",
            "0.75",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["oos_recall"] >= 0.75 and 0.0 <= out["threshold"] <= 1.0
    assert out["records"] == len(rows) and out["rule"] == "oos recall >= 0.75"
    human = CliRunner().invoke(
        main, ["calibrate", "--model", str(intent_artifact), "--data", str(data)]
    )
    assert human.exit_code == 0 and "oos_threshold = " in human.output


def test_compare_and_margin():
    m = {"headline": {"metric": "exact micro-F1", "value": 0.9}}
    b = {"headline": {"metric": "exact micro-F1", "value": 0.75}}
    c = compare(m, b, 10)
    assert c["difference_points"] == pytest.approx(15) and c["beats_baseline"] is True
    assert compare(m, b, 20)["beats_baseline"] is False


def test_subsample_is_fixed_and_ordered():
    recs = [{"i": i} for i in range(100)]
    a, b = subsample(recs, 10), subsample(recs, 10)
    assert a == b and len(a) == 10 and a == sorted(a, key=lambda r: r["i"])
    assert subsample(recs, None) is recs


def test_evaluate_artifact_on_oracle(oracle_artifact):
    records = [
        {
            "text": "Maria Garcia called 555 0132",
            "spans": [sp("PERSON", 0, 12), sp("PHONE_NUMBER", 20, 28)],
        },
        {"text": "book a table for two", "spans": []},
    ]
    res = evaluate_artifact(oracle_artifact, records, variant="fp32")
    assert res["n"] == 2 and res["latency_ms_per_text"] > 0
    assert res["scores"]["exact"]["micro"]["f1"] == 1.0
    assert res["headline"] == {"metric": "exact micro-F1", "value": 1.0}
    assert res["source"]["variant"] == "fp32"
    # gold marks only "Maria": the model's "Maria Garcia" is a relaxed hit, not an exact one
    res = evaluate_artifact(
        oracle_artifact, [{"text": "Maria Garcia", "spans": [sp("PERSON", 0, 5)]}]
    )
    assert res["scores"]["exact"]["micro"]["f1"] == 0.0
    assert res["scores"]["relaxed"]["micro"]["f1"] == 1.0


def test_rules_baseline_finds_email(pii_spec):
    got = rules_pii_baseline(["write to bob@mail.org now", "nothing here"], pii_spec)
    assert got == [[sp("EMAIL_ADDRESS", 9, 21)], []]
    res = evaluate_baseline(
        pii_spec, [{"text": "write to bob@mail.org now", "spans": [sp("EMAIL_ADDRESS", 9, 21)]}]
    )
    assert res["headline"]["value"] == 1.0
    covered = res["source"]["entities_covered"]
    # names and banks only from layout (chat speakers, a bank beside an IBAN); places never
    assert "LOCATION" not in covered and "STREET_ADDRESS" not in covered
    assert "EMAIL_ADDRESS" in covered and "PERSON" in covered


def test_centroid_baseline_fits_and_predicts(tiny_base, intent_spec):
    model = CentroidIntentBaseline(tiny_base, k=1).fit(INTENT_RECORDS, seed=0)
    assert model.labels == sorted({r["label"] for r in INTENT_RECORDS})
    chosen = [INTENT_RECORDS[i] for i in model.fitted_indices]
    assert len(chosen) == 4
    labels, scores = model.predict([r["text"] for r in chosen])
    assert labels == [r["label"] for r in chosen]  # each is its own label's centroid
    assert scores == pytest.approx([1.0] * 4, abs=1e-5)
    labels, scores = model.predict(["play jazz tonight in paris"])
    assert labels[0] in model.labels and -1.0 <= scores[0] <= 1.0
    res = evaluate_baseline(
        intent_spec, INTENT_RECORDS, base=tiny_base, train_records=INTENT_RECORDS, k=1
    )
    assert res["n"] == 8 and 0.0 <= res["headline"]["value"] <= 1.0
    assert res["oos_threshold"] is not None  # chosen on the records the centroids did not use


def test_torch_and_onnx_fp32_agree(tiny_base, intent_adapter, intent_spec, intent_artifact):
    torch_res = evaluate_torch(tiny_base, intent_adapter, intent_spec, INTENT_RECORDS)
    onnx_res = evaluate_artifact(intent_artifact, INTENT_RECORDS, variant="fp32")
    assert torch_res["source"]["type"] == "pytorch"
    assert torch_res["scores"] == onnx_res["scores"]


def run(*args):
    return CliRunner().invoke(main, ["eval", *map(str, args)])


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_cli_eval_intent_json_and_human(intent_artifact, tiny_base, tmp_path):
    data = write_jsonl(tmp_path / "test.jsonl", INTENT_RECORDS)
    r = run(
        "--model", intent_artifact, "--data", data, "--baseline-data", data,
        "--base", tiny_base, "--k", 1, "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert rep["model"]["n"] == 8 and rep["baseline"]["source"]["name"] == "centroid k=1"
    assert isinstance(rep["comparison"]["beats_baseline"], bool)
    assert rep["comparison"]["margin_points"] == 10
    r = run("--model", intent_artifact, "--data", data, "--base", tiny_base)
    assert r.exit_code == 2 and "--baseline-data" in r.output
    r = run("--model", intent_artifact, "--data", data, "--no-baseline", "--limit", 3)
    assert r.exit_code == 0, r.output
    assert "in-scope accuracy" in r.output and "on 3 records" in r.output


def test_cli_eval_pii_report(oracle_artifact, tmp_path):
    data = write_jsonl(
        tmp_path / "pii.jsonl",
        [
            {"text": "Maria Garcia called 555 0132",
             "spans": [sp("PERSON", 0, 12), sp("PHONE_NUMBER", 20, 28)]},
            {"text": "write to bob@mail.org", "spans": [sp("EMAIL_ADDRESS", 9, 21)]},
        ],
    )  # fmt: skip
    r = run("--model", oracle_artifact, "--data", data, "--margin", 5)
    assert r.exit_code == 0, r.output
    assert "PERSON" in r.output and "micro" in r.output
    assert "fine-tuned beats baseline by" in r.output and "(margin 5)" in r.output


def test_cli_eval_bad_data_exits_8(intent_artifact, tmp_path):
    data = write_jsonl(tmp_path / "bad.jsonl", [{"text": "hello", "label": "no_such_label"}])
    r = run("--model", intent_artifact, "--data", data, "--no-baseline")
    assert r.exit_code == 8, r.output
    assert "unknown label 'no_such_label'" in r.output and "Traceback" not in r.output
