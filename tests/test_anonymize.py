"""Anonymization (issue #7): operators, overlaps, pseudonym round trips, mapping files, the spec
table and the `edge redact` / `edge deanonymize` commands on the real tiny oracle artifact."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import stat
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

import edge
from edge.anonymize import (
    OPERATORS,
    Anonymizer,
    Hash,
    Mask,
    Redact,
    Replace,
    anonymize,
    deanonymize,
    read_mapping,
    resolve_spec,
    write_mapping,
)
from edge.anonymize.mapping import TOKEN_RE, restore
from edge.anonymize.stream import anonymize_stream, detector_fn
from edge.cli import main
from edge.errors import InputError, MappingError, SpecError
from edge.specs import AnonymizeSpec, OperatorName, OperatorSpec, load_task_spec
from edge.types import Span


def span(text: str, value: str, label: str, score: float = 0.9, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return Span(label, start, start + len(value), score, value)


def run(*args, input=None):
    return CliRunner().invoke(main, list(map(str, args)), input=input)


# --- operators -------------------------------------------------------------------------------


def test_operator_table_matches_the_spec_names():
    assert set(OPERATORS) == set(get_args(OperatorName))


def test_replace_default_and_fixed_value():
    text = "Call Maria at 555 0132"
    spans = [span(text, "Maria", "PERSON"), span(text, "555 0132", "PHONE_NUMBER")]
    assert anonymize(text, spans).text == "Call <PERSON> at <PHONE_NUMBER>"
    assert anonymize(text, spans, default=Replace("[gone]")).text == "Call [gone] at [gone]"
    res = anonymize(text, spans)
    assert [(i.label, i.operator) for i in res.items] == [
        ("PERSON", "replace"),
        ("PHONE_NUMBER", "replace"),
    ]
    assert [res.text[i.start : i.end] for i in res.items] == ["<PERSON>", "<PHONE_NUMBER>"]


def test_mask_keeps_last_n():
    assert Mask(4).apply("4111 1111 1111 1111", "CREDIT_CARD") == "*" * 15 + "1111"
    assert Mask(2, "#").apply("Maria", "PERSON") == "###ia"
    assert Mask(0).apply("Maria", "PERSON") == "*****"
    # never returns a value unchanged: one no longer than keep is masked entirely
    assert Mask(4).apply("1234", "US_SSN") == "****"
    assert Mask(4).apply("Bob", "PERSON") == "***"
    text = "card 4111111111111111 ok"
    out = anonymize(text, [span(text, "4111111111111111", "CREDIT_CARD")], default=Mask(4))
    assert out.text == "card ************1111 ok"
    with pytest.raises(ValueError):
        Mask(1, "**")


def test_hash_is_salted_sha256_deterministic_per_salt():
    ref = hmac.new(b"s3cret", b"maria@example.com", hashlib.sha256).hexdigest()
    assert Hash("s3cret").apply("maria@example.com", "EMAIL_ADDRESS") == ref
    a = "mail maria@example.com"
    b = "again: maria@example.com!"
    sa, sb = (
        [span(a, "maria@example.com", "EMAIL_ADDRESS")],
        [span(b, "maria@example.com", "EMAIL_ADDRESS")],
    )
    # same value + same salt → same hash, in another document and another Anonymizer: joinable
    ha = anonymize(a, sa, default="hash", salt="s3cret").text
    hb = anonymize(b, sb, default="hash", salt="s3cret").text
    assert ha == f"mail {ref}" and hb == f"again: {ref}!"
    # another salt → another hash; no salt → a random one, said to be generated
    assert anonymize(a, sa, default="hash", salt="other").text != ha
    x, y = Anonymizer(default="hash"), Anonymizer(default="hash")
    assert x.salt_generated and x.salt != y.salt
    assert x.anonymize(a, sa).text != y.anonymize(a, sa).text
    assert "s3cret" not in repr(Hash("s3cret"))


def test_redact_removes_the_value():
    text = "Hi Maria, bye"
    assert anonymize(text, [span(text, "Maria", "PERSON")], default=Redact()).text == "Hi , bye"


def test_per_type_operators_and_default():
    text = "Maria Garcia paid with 4111111111111111 from 10.0.0.1"
    spans = [
        span(text, "Maria Garcia", "PERSON"),
        span(text, "4111111111111111", "CREDIT_CARD"),
        span(text, "10.0.0.1", "IP_ADDRESS"),
    ]
    out = anonymize(text, spans, {"PERSON": "pseudonymize", "CREDIT_CARD": Mask(4)}, "redact")
    assert out.text == "<PERSON_1> paid with ************1111 from "
    assert out.pseudonyms == {"<PERSON_1>": "Maria Garcia"}
    with pytest.raises(ValueError, match="unknown operator 'scramble'"):
        Anonymizer({"PERSON": "scramble"})


# --- pseudonymize and its reversal -----------------------------------------------------------


def test_pseudonymize_round_trip_same_value_twice_and_two_values():
    text = "Maria Garcia met Bob Stone. Later Maria Garcia called Bob Stone at 555 0132."
    spans = [
        span(text, "Maria Garcia", "PERSON"),
        span(text, "Bob Stone", "PERSON"),
        span(text, "Maria Garcia", "PERSON", nth=1),
        span(text, "Bob Stone", "PERSON", nth=1),
        span(text, "555 0132", "PHONE_NUMBER"),
    ]
    out = anonymize(text, spans, default="pseudonymize")
    assert out.text == (
        "<PERSON_1> met <PERSON_2>. Later <PERSON_1> called <PERSON_2> at <PHONE_NUMBER_1>."
    )
    assert out.pseudonyms == {
        "<PERSON_1>": "Maria Garcia",
        "<PERSON_2>": "Bob Stone",
        "<PHONE_NUMBER_1>": "555 0132",
    }
    assert deanonymize(out.text, out.pseudonyms) == text
    # reversal is by token, so it also works on text derived from the anonymized one
    answer = "Sure, I'll tell <PERSON_2> that <PERSON_1> called."
    assert (
        deanonymize(answer, out.pseudonyms) == "Sure, I'll tell Bob Stone that Maria Garcia called."
    )


def test_overlapping_spans_merge_deterministically():
    text = "write to maria.garcia@example.com today"
    email = span(text, "maria.garcia@example.com", "EMAIL_ADDRESS", score=0.8)
    person = span(text, "maria", "PERSON", score=0.99)  # the model's name inside the rule's email
    domain = span(text, "example.com", "URL", score=0.7)
    outs = {
        anonymize(text, list(p), default="replace").text
        for p in itertools.permutations([email, person, domain])
    }
    assert outs == {"write to <EMAIL_ADDRESS> today"}  # one answer, whatever the order
    # partial overlaps: the union is covered (nothing leaks), typed by the strongest span
    text2 = "Maria Garcia Street 5"
    a, b = (
        span(text2, "Maria Garcia", "PERSON", 0.95),
        span(text2, "Garcia Street 5", "STREET_ADDRESS", 0.6),
    )
    out = anonymize(text2, [b, a], default="pseudonymize")
    assert out.text == "<PERSON_1>" and out.pseudonyms == {"<PERSON_1>": text2}
    assert deanonymize(out.text, out.pseudonyms) == text2
    # adjacent spans stay apart; every operator output is rebuilt from intact segments
    text3 = "MariaGarcia!"
    adj = [Span("PERSON", 0, 5, 0.9, "Maria"), Span("LOCATION", 5, 11, 0.9, "Garcia")]
    assert anonymize(text3, adj, default="pseudonymize").text == "<PERSON_1><LOCATION_1>!"


def test_document_already_containing_a_pseudonym():
    text = "Ticket by <PERSON_1> (a template); real customer: Maria Garcia, again Maria Garcia"
    spans = [span(text, "Maria Garcia", "PERSON"), span(text, "Maria Garcia", "PERSON", nth=1)]
    out = anonymize(text, spans, default="pseudonymize")
    assert out.text.count("<PERSON_2>") == 2 and out.text.startswith("Ticket by <PERSON_1> ")
    assert out.pseudonyms == {"<PERSON_2>": "Maria Garcia"}
    assert deanonymize(out.text, out.pseudonyms) == text  # the literal <PERSON_1> survives


def test_later_text_holding_an_issued_pseudonym_is_refused_unless_reserved():
    first, second = "Maria wrote", "reply to <PERSON_1> please"
    anon = Anonymizer(default="pseudonymize")
    assert anon.anonymize(first, [span(first, "Maria", "PERSON")]).text == "<PERSON_1> wrote"
    with pytest.raises(InputError, match=r"line 2 already contains '<PERSON_1>'"):
        anon.anonymize(second, [], where="line 2")
    # shown the whole document first (what `edge redact --file` does), it numbers around it
    anon = Anonymizer(default="pseudonymize")
    anon.reserve(first + "\n" + second)
    a = anon.anonymize(first, [span(first, "Maria", "PERSON")])
    b = anon.anonymize(second, [])
    table = anon.table.pseudonyms
    assert a.text == "<PERSON_2> wrote" and deanonymize(b.text, table) == second
    assert deanonymize(a.text, table) == first


def test_restore_is_one_pass_and_leaves_unknown_tokens():
    table = {"<PERSON_1>": "<PERSON_2>", "<PERSON_2>": "Bob"}
    assert restore("<PERSON_1>, <PERSON_2>, <PERSON_9>", table) == "<PERSON_2>, Bob, <PERSON_9>"
    assert TOKEN_RE.fullmatch("<US_SSN_12>") and not TOKEN_RE.fullmatch("<PERSON>")


def test_values_pseudonymized_per_document_scope():
    anon = Anonymizer(default="pseudonymize")
    t1, t2 = "Maria here", "Bob and Maria"
    r1 = anon.anonymize(t1, [span(t1, "Maria", "PERSON")])
    r2 = anon.anonymize(t2, [span(t2, "Bob", "PERSON"), span(t2, "Maria", "PERSON")])
    assert (r1.text, r2.text) == ("<PERSON_1> here", "<PERSON_2> and <PERSON_1>")
    anon.new_document()
    r3 = anon.anonymize(t2, [span(t2, "Bob", "PERSON"), span(t2, "Maria", "PERSON")])
    assert r3.text == "<PERSON_1> and <PERSON_2>"


def test_span_outside_the_text_is_refused():
    with pytest.raises(InputError, match="outside the text"):
        anonymize("short", [Span("PERSON", 2, 50, 0.9, "")])


# --- the mapping file ------------------------------------------------------------------------


@pytest.fixture
def umask0():
    old = os.umask(0)
    yield
    os.umask(old)


def test_mapping_file_is_0600_from_creation_and_minimal(tmp_path, monkeypatch, umask0):
    def no_chmod(*a, **k):
        raise AssertionError("the mode must come from os.open, not a chmod afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(os, "fchmod", no_chmod)
    text = "Maria Garcia lives in a quiet street"
    out = anonymize(text, [span(text, "Maria Garcia", "PERSON")], default="pseudonymize")
    path = tmp_path / "map.json"
    write_mapping(path, out.pseudonyms)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # even with umask 0
    raw = json.loads(path.read_text())
    assert raw == {
        "format": "edge-pseudonyms",
        "version": 1,
        "scope": "document",
        "pseudonyms": {"<PERSON_1>": "Maria Garcia"},
    }
    assert "quiet street" not in path.read_text()  # no context, no positions
    assert read_mapping(path).pseudonyms == out.pseudonyms
    assert [p.name for p in tmp_path.iterdir()] == ["map.json"]  # no temporary left


def test_mapping_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "map.json"
    write_mapping(path, {"<PERSON_1>": "old"})

    class Boom(dict):
        def items(self):
            yield "<PERSON_1>", "new"
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_mapping(path, Boom())
    assert read_mapping(path).pseudonyms == {"<PERSON_1>": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["map.json"]


def test_read_mapping_errors(tmp_path):
    with pytest.raises(MappingError, match="not found"):
        read_mapping(tmp_path / "nope.json")
    path = tmp_path / "m.json"
    write_mapping(path, {"<PERSON_1>": "Maria"})
    path.chmod(0o644)
    with pytest.raises(MappingError, match=r"mode 644.*chmod 600"):
        read_mapping(path)
    path.chmod(0o600)
    path.write_text("{not json")
    with pytest.raises(MappingError, match="not valid JSON"):
        read_mapping(path)
    path.write_text(json.dumps({"format": "edge-pseudonyms", "version": 1, "scope": "document",
                                "pseudonyms": {"PERSON_1": "Maria"}}))  # fmt: skip
    with pytest.raises(MappingError, match="malformed table"):
        read_mapping(path)
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(MappingError, match="not an edge pseudonym mapping"):
        read_mapping(path)


# --- the spec table --------------------------------------------------------------------------


def write_spec(tmp_path: Path, anonymize_section: str, kind: str = "pii") -> Path:
    head = (
        'name = "x"\nkind = "token-classification"\nentities = ["PERSON", "CREDIT_CARD"]\n'
        if kind == "pii"
        else 'name = "x"\nkind = "sequence-classification"\nlabels = ["a"]\n'
    )
    p = tmp_path / "task.toml"
    p.write_text(head + anonymize_section)
    return p


def test_shipped_pii_spec_table():
    spec = load_task_spec("pii")
    assert spec.anonymize is not None and spec.anonymize.default.operator == "replace"
    anon = Anonymizer.from_spec(spec.anonymize)
    text = "Maria paid 4111111111111111"
    spans = [span(text, "Maria", "PERSON"), span(text, "4111111111111111", "CREDIT_CARD")]
    assert anon.anonymize(text, spans).text == "<PERSON> paid ************1111"


def test_spec_table_with_shorthand_and_params(tmp_path):
    p = write_spec(
        tmp_path,
        '[anonymize]\ndefault = "redact"\n[anonymize.entities]\nPERSON = "pseudonymize"\n'
        'CREDIT_CARD = { operator = "mask", keep = 2, mask_char = "#" }\n',
    )
    spec = load_task_spec(p).anonymize
    assert spec.entities["PERSON"] == OperatorSpec(operator="pseudonymize")
    anon = Anonymizer.from_spec(spec)
    text = "Maria 4111"
    out = anon.anonymize(text, [span(text, "Maria", "PERSON"), span(text, "4111", "CREDIT_CARD")])
    assert out.text == "<PERSON_1> ##11"


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            '[anonymize.entities]\nPERSON = "scramble"\n',
            r"anonymize\.entities\.PERSON\.operator: .*'replace', 'mask', 'hash', 'redact' or "
            r"'pseudonymize'.*'scramble'",
        ),
        ('[anonymize]\ndefault = "nope"\n', r"anonymize\.default\.operator: .*'nope'"),
        (
            '[anonymize.entities]\nPERSN = "mask"\n',
            r"anonymize\.entities: unknown entity type\(s\) PERSN; allowed: PERSON, CREDIT_CARD",
        ),
        (
            '[anonymize.entities]\nPERSON = { operator = "replace", keep = 2 }\n',
            r"anonymize\.entities\.PERSON: .*`keep` is a parameter of mask, not of replace",
        ),
        ('[anonymize]\nsalt = "x"\n', r"anonymize\.salt: unknown key"),
    ],
)
def test_spec_errors_name_file_key_and_allowed(tmp_path, section, expected):
    p = write_spec(tmp_path, section)
    with pytest.raises(SpecError, match=expected) as e:
        load_task_spec(p)
    assert str(p) in str(e.value)


def test_anonymize_table_only_for_pii_tasks(tmp_path):
    p = write_spec(tmp_path, '[anonymize]\ndefault = "mask"\n', kind="intent")
    with pytest.raises(SpecError, match=r"\[anonymize\] applies to token-classification"):
        load_task_spec(p)


def test_cli_style_overrides():
    spec = AnonymizeSpec(entities={"CREDIT_CARD": OperatorSpec(operator="mask", keep=4)})
    assert resolve_spec(spec, keep=2).entities["CREDIT_CARD"].keep == 2
    assert resolve_spec(spec, new_value="X").default.new_value == "X"
    everything = resolve_spec(spec, operator="hash")
    assert everything.default.operator == "hash" and not everything.entities
    with pytest.raises(ValueError, match="keep applies to mask"):
        resolve_spec(spec, operator="replace", keep=2)


# --- streaming with the real detector --------------------------------------------------------


def test_stream_is_lazy_and_keeps_order(oracle_artifact):
    """Constant memory: results come out while the input is still being read, a batch at a time
    (an endless input would otherwise never yield)."""
    detector = edge.load(oracle_artifact)
    pulled = []

    def endless():
        for i in itertools.count(1):
            pulled.append(i)
            yield i, "hello Maria Garcia" if i % 2 else ""

    anon = Anonymizer(default="pseudonymize")
    results = anonymize_stream(endless(), detector_fn(detector), anon, batch_size=8)
    first = list(itertools.islice(results, 5))
    assert [k for k, _ in first] == [1, 2, 3, 4, 5]
    assert first[0][1].text == "hello <PERSON_1>" and first[1][1].text == ""
    assert first[2][1].text == "hello <PERSON_1>"  # one document: the same pseudonym
    assert len(pulled) <= 8  # only the first batch was read


# --- the commands ----------------------------------------------------------------------------

LINES = [
    "Maria called Garcia yesterday.",
    "",
    '{"text": "Garcia again, about Maria", "id": 7}',
    "Nothing personal here; a template mentions <PERSON_1>.",
    "maria and Maria",
]


def write_lines(path: Path, lines: list[str], ending: str = "\n") -> Path:
    path.write_bytes(ending.join(lines).encode() + ending.encode())
    return path


def test_cli_redact_pseudonymize_file_and_deanonymize_round_trip(oracle_artifact, tmp_path):
    src = write_lines(tmp_path / "in.txt", LINES)
    out, mapping = tmp_path / "out.txt", tmp_path / "map.json"
    r = run("redact", "--model", oracle_artifact, "--operator", "pseudonymize",
            "--mapping", mapping, "--file", src, "--out", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    got = out.read_text().split("\n")
    assert len(got) == len(LINES) + 1 and got[1] == "" and got[-1] == ""  # same lines
    # whole file = one document; the literal <PERSON_1> of line 4 is never issued
    assert got[0] == "<PERSON_2> called <PERSON_3> yesterday."
    assert json.loads(got[2]) == {"text": "<PERSON_3> again, about <PERSON_2>", "id": 7}
    # (the oracle tags every digit as a phone number, even the one inside the literal)
    assert got[3] == "Nothing personal here; a template mentions <PERSON_<PHONE_NUMBER_1>>."
    assert got[4] == "<PERSON_4> and <PERSON_2>"  # exact values: "maria" is another one
    assert stat.S_IMODE(mapping.stat().st_mode) == 0o600
    assert read_mapping(mapping).pseudonyms == {
        "<PERSON_2>": "Maria",
        "<PERSON_3>": "Garcia",
        "<PERSON_4>": "maria",
        "<PHONE_NUMBER_1>": "1",
    }
    back = tmp_path / "back.txt"
    r = run("deanonymize", "--mapping", mapping, "--file", out, "--out", back)
    assert r.exit_code == 0, r.output
    assert json.loads(back.read_text().split("\n")[2]) == json.loads(LINES[2])
    plain = [x for i, x in enumerate(back.read_text().split("\n")) if i != 2]
    assert plain == [x for i, x in enumerate([*LINES, ""]) if i != 2]
    assert stat.S_IMODE(back.stat().st_mode) == 0o600  # it holds the original values
    # stdout and TEXT arguments too
    r = run("deanonymize", "--mapping", mapping, "<PERSON_3> met <PERSON_2>")
    assert r.exit_code == 0 and r.stdout == "Garcia met Maria\n"


def test_cli_per_line_documents_and_crlf(oracle_artifact, tmp_path):
    src = write_lines(tmp_path / "in.txt", ["Garcia and Maria", "Maria", "none", "Maria"], "\r\n")
    out, mapping = tmp_path / "out.txt", tmp_path / "map.json"
    r = run("redact", "--model", oracle_artifact, "--operator", "pseudonymize", "--per-line",
            "--mapping", mapping, "--file", src, "--out", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == b"<PERSON_1> and <PERSON_2>\r\n<PERSON_1>\r\nnone\r\n<PERSON_1>\r\n"
    loaded = read_mapping(mapping)
    assert loaded.scope == "line" and sorted(loaded.lines) == [1, 2, 4]  # nothing for line 3
    assert loaded.lines[1] == {"<PERSON_1>": "Garcia", "<PERSON_2>": "Maria"}
    r = run("deanonymize", "--mapping", mapping, "--file", out)
    assert r.exit_code == 0 and r.stdout_bytes == src.read_bytes()


def test_cli_operators_and_spec_table(oracle_artifact, tmp_path):
    r = run("redact", "--model", oracle_artifact, "Hi Maria Garcia!", "Garcia")
    assert r.exit_code == 0 and r.stdout == "Hi <PERSON>!\n<PERSON>\n"
    r = run("redact", "--model", oracle_artifact, "--operator", "mask", "--mask-keep", "3",
            "--mask-char", "x", "Hi Maria Garcia!")  # fmt: skip
    assert r.stdout == "Hi xxxxxxxxxcia!\n"
    r = run("redact", "--model", oracle_artifact, "--operator", "redact", "Hi Maria Garcia!")
    assert r.stdout == "Hi !\n"
    r = run("redact", "--model", oracle_artifact, "--new-value", "[name]", "Hi Maria!")
    assert r.stdout == "Hi [name]!\n"
    spec = tmp_path / "t.toml"
    spec.write_text(
        'name = "t"\nkind = "token-classification"\nentities = ["PERSON", "PHONE_NUMBER"]\n'
        '[anonymize.entities]\nPERSON = { operator = "mask", keep = 2 }\n'
    )
    r = run("redact", "--model", oracle_artifact, "--spec", spec, "Hi Maria Garcia!")
    assert r.exit_code == 0 and r.stdout == "Hi **********ia!\n"
    r = run("redact", "--model", oracle_artifact, "--spec", spec, "--operator", "redact", "Maria!")
    assert r.stdout == "!\n"  # the option overrides the table


def test_cli_hash_salt(oracle_artifact, monkeypatch):
    expected = hmac.new(b"pepper", b"Maria Garcia", hashlib.sha256).hexdigest()
    r = run("redact", "--model", oracle_artifact, "--operator", "hash", "--salt", "pepper",
            "Hi Maria Garcia")  # fmt: skip
    assert r.exit_code == 0 and r.stdout == f"Hi {expected}\n" and "salt" not in r.stderr
    monkeypatch.setenv("EDGE_HASH_SALT", "pepper")
    r2 = run("redact", "--model", oracle_artifact, "--operator", "hash", "Hi Maria Garcia")
    assert r2.stdout == r.stdout
    monkeypatch.delenv("EDGE_HASH_SALT")
    r3 = run("redact", "--model", oracle_artifact, "--operator", "hash", "Hi Maria Garcia")
    assert r3.stdout != r.stdout and "hash salt for this run:" in r3.stderr
    generated = r3.stderr.split("hash salt for this run: ")[1].split()[0]
    r4 = run("redact", "--model", oracle_artifact, "--operator", "hash", "--salt", generated,
             "Hi Maria Garcia")  # fmt: skip
    assert r4.stdout == r3.stdout  # the printed salt reproduces the run


def test_cli_stdin_collision_refused_but_file_numbers_around_it(oracle_artifact, tmp_path):
    text = "Maria wrote\nanswer <PERSON_1> now\n"
    r = run("redact", "--model", oracle_artifact, "--operator", "pseudonymize", "--file", "-",
            input=text)  # fmt: skip
    assert r.exit_code == 3 and "stdin:2 already contains '<PERSON_1>'" in r.output
    assert "--file FILE" in r.output and "Traceback" not in r.output
    src = tmp_path / "in.txt"
    src.write_text(text)
    mapping = tmp_path / "m.json"
    r = run("redact", "--model", oracle_artifact, "--operator", "pseudonymize", "--mapping",
            mapping, "--file", src)  # fmt: skip
    assert r.exit_code == 0
    assert r.stdout == "<PERSON_2> wrote\nanswer <PERSON_<PHONE_NUMBER_1>> now\n"
    r = run("deanonymize", "--mapping", mapping, "--file", "-", input=r.stdout)
    assert r.stdout == text


def test_cli_errors(oracle_artifact, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Maria is fine\ncaf\xe9 au lait\n")
    out = tmp_path / "out.txt"
    r = run("redact", "--model", oracle_artifact, "--file", bad, "--out", out)
    assert r.exit_code == 3 and f"{bad}:2 is not valid UTF-8" in r.output and "iconv" in r.output
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]  # nothing half-written
    mapping = tmp_path / "m.json"
    cases = [
        (("deanonymize", "--mapping", mapping, "x"), 11, "not found"),
        (("redact", "--model", oracle_artifact, "--mapping", mapping, "Maria"), 2, "pseudonymize"),
        (
            ("redact", "--model", oracle_artifact, "--operator", "hash", "--mask-keep", "2", "M"),
            2,
            "keep applies",
        ),
        (("redact", "--model", oracle_artifact, "--mask-char", "ab", "x"), 2, "one character"),
        (("redact", "--model", oracle_artifact, "--out", tmp_path / "no" / "o", "x"), 2, "folder"),
    ]
    for args, code, message in cases:
        r = run(*args)
        assert r.exit_code == code, (args, r.output)
        assert message in r.output and "Traceback" not in r.output
    write_mapping(mapping, {"<PERSON_1>": "Maria"})
    r = run("redact", "--model", oracle_artifact, "--operator", "pseudonymize", "--mapping",
            mapping, "Maria")  # fmt: skip
    assert r.exit_code == 11 and "--force" in r.output
    assert read_mapping(mapping).pseudonyms == {"<PERSON_1>": "Maria"}  # untouched
    mapping.chmod(0o640)
    r = run("deanonymize", "--mapping", mapping, "<PERSON_1>")
    assert r.exit_code == 11 and "chmod 600" in r.output
    mapping.chmod(0o600)
    mapping.write_text("{corrupt")
    r = run("deanonymize", "--mapping", mapping, "<PERSON_1>")
    assert r.exit_code == 11 and "not valid JSON" in r.output


def test_cli_operator_choices_are_the_operators():
    option = next(p for p in main.commands["redact"].params if p.name == "operator")
    assert set(option.type.choices) == set(OPERATORS)
