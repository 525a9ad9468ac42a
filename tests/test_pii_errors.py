"""Error analysis by kind (issue 17): ``quantize.metrics.span_errors`` classifies each wrong
span, and ``python -m benchmarks.pii_errors`` counts them for a real (tiny, oracle) ONNX
artifact on a labelled JSONL, with the texts behind them."""

from __future__ import annotations

import json

from benchmarks import pii_errors
from quantize.metrics import ERROR_KINDS, span_errors


def _s(start: int, end: int, label: str) -> dict:
    return {"start": start, "end": end, "label": label}


def test_span_errors_names_every_kind():
    gold = [_s(0, 5, "PERSON"), _s(10, 20, "STREET_ADDRESS"), _s(30, 34, "ORGANIZATION"),
            _s(40, 45, "LOCATION"), _s(50, 55, "DATE_TIME")]  # fmt: skip
    pred = [
        _s(0, 5, "PERSON"),  # right: no error
        _s(8, 20, "STREET_ADDRESS"),  # a lead-in taken in
        _s(30, 34, "PERSON"),  # a brand taken for a person
        _s(40, 47, "ORGANIZATION"),  # both wrong
        _s(60, 62, "PERSON"),  # nothing there
    ]
    got = sorted((e["kind"], e["label"]) for e in span_errors(gold, pred))
    assert got == [
        ("boundary", "STREET_ADDRESS"),
        ("miss", "DATE_TIME"),
        ("spurious", "PERSON"),
        ("type", "PERSON"),
        ("type+boundary", "ORGANIZATION"),
    ]
    assert {k for k, _ in got} == set(ERROR_KINDS)
    assert span_errors(gold, gold) == []


def test_cli_counts_errors_and_writes_them(oracle_artifact, tmp_path, capsys):
    texts = ["maria garcia called acme today", "ask garcia about the invoice", "call maria"]
    spans = [
        [_s(0, 12, "PERSON"), _s(20, 24, "ORGANIZATION")],  # the company is missed
        [],  # garcia is tagged where no gold span is
        [_s(5, 10, "PERSON")],
    ]
    data = tmp_path / "dev.jsonl"
    data.write_text(  # labelled JSONL records carry no id: errors name the record's index
        "".join(
            json.dumps({"text": t, "spans": s}) + "\n" for t, s in zip(texts, spans, strict=True)
        )
    )
    out = tmp_path / "errors"
    rc = pii_errors.main(
        [
            "--model",
            str(oracle_artifact),
            "--data",
            str(data),
            "--no-rules",
            "--show",
            "3",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    shown = capsys.readouterr().out
    assert "| miss | 1 | ORGANIZATION 1 |" in shown
    assert "| spurious | 1 | PERSON 1 |" in shown
    assert "any-type recall 0.667" in shown  # 2 of 3 gold spans touched
    rows = [
        json.loads(line)
        for line in (out / f"{oracle_artifact.name}.errors.jsonl").read_text().splitlines()
    ]
    assert {(r["id"], r["kind"], r["text"]) for r in rows} == {
        (0, "miss", "acme"),
        (1, "spurious", "garcia"),
    }


def test_cli_refuses_the_test_part_and_twin_names(capsys):
    assert pii_errors.main(["--model", "unused", "--data", "independent-test"]) == 2
    assert "only reports" in capsys.readouterr().err
    assert pii_errors.main(["--model", "a/pii", "--model", "b/pii"]) == 2
    assert "share a name" in capsys.readouterr().err
