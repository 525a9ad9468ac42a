"""The `edge` command: output formats, inputs (args, --file, stdin, JSONL) and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from edge.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(map(str, args)), input=input)


def test_pii_human_and_json(oracle_artifact):
    r = run("pii", "--model", oracle_artifact, "I'm Maria Garcia, call 555 0132")
    assert r.exit_code == 0, r.output
    assert "I'm <PERSON>, call <PHONE_NUMBER>" in r.output
    assert "PERSON" in r.output and "'Maria Garcia'" in r.output
    r = run("pii", "--model", oracle_artifact, "--json", "Maria Garcia", "call 555 0132")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["spans"][0]["label"] for x in lines] == ["PERSON", "PHONE_NUMBER"]
    assert lines[0]["spans"][0]["start"] == 0 and lines[0]["spans"][0]["end"] == 12


def test_file_lines_and_jsonl(oracle_artifact, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "Maria Garcia"}\n\n{"text": "call 555 0132"}\n', encoding="utf-8")
    r = run("pii", "--model", oracle_artifact, "--json", "--file", f)
    assert r.exit_code == 0, r.output
    assert len(r.output.splitlines()) == 2
    f2 = tmp_path / "in.txt"
    f2.write_text("Maria Garcia\ncall 555 0132\n", encoding="utf-8")
    r = run("pii", "--model", oracle_artifact, "--json", "--file", f2)
    assert len(r.output.splitlines()) == 2


def test_stdin(oracle_artifact):
    r = run("pii", "--model", oracle_artifact, "--file", "-", input="Maria Garcia\n")
    assert r.exit_code == 0 and "<PERSON>" in r.output


def test_intent_json(intent_artifact):
    r = run("intent", "--model", intent_artifact, "--json", "--top-k", "2", "book a table")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output)
    assert obj["label"] in {"book_table", "weather", "play_music", "out_of_scope"}
    assert len(obj["top_k"]) == 2


def test_exit_codes(oracle_artifact, intent_artifact, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait\n")
    cases = [
        (("pii", "--model", oracle_artifact, ""), 3, "empty text"),
        (("pii", "--model", oracle_artifact, "--file", bad), 3, "not valid UTF-8"),
        (("pii", "--model", oracle_artifact, "--file", tmp_path / "nope"), 3, "no such file"),
        (("pii", "--model", tmp_path / "missing", "x"), 5, "artifact folder not found"),
        (("pii", "--model", intent_artifact, "x"), 3, "needs token-classification"),
        (
            (
                "build",
                "--base",
                tmp_path,
                "--adapter",
                tmp_path,
                "--task",
                "nope",
                "--out",
                tmp_path / "o",
            ),
            4,
            "no tasks spec named 'nope'",
        ),
    ]
    for args, code, message in cases:
        r = run(*args)
        assert r.exit_code == code, (args, r.output)
        assert message in r.output
        assert "Traceback" not in r.output


def test_no_default_model_says_how_to_build(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_HOME", str(tmp_path))
    r = run("intent", "hello")
    assert r.exit_code == 5 and "make demo" in r.output


def test_real_process_exit_code_and_no_traceback(oracle_artifact):
    p = subprocess.run(
        [sys.executable, "-m", "edge.cli", "pii", "--model", str(oracle_artifact), " "],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 3
    assert p.stderr.startswith("error: empty text") and "Traceback" not in p.stderr


def test_info(oracle_artifact):
    r = run("info", oracle_artifact)
    assert r.exit_code == 0 and "int8" in r.output and "argmax agreement 1.0000" in r.output
