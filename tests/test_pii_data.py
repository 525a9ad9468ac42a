"""Tests for the synthetic PII data generator (quantize.pii_data).

The checks here are the contract the trainer relies on: exact offsets, known labels, no overlaps,
determinism, disjoint train/held-out templates, full label coverage, negatives, valid checksums.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from quantize.pii_data import ENTITY_TYPES, generate, iter_generate, templates, write_jsonl

N = 2000


@pytest.fixture(scope="module")
def train() -> list[dict]:
    return generate(N, split="train", seed=0)


@pytest.fixture(scope="module")
def heldout() -> list[dict]:
    return generate(N, split="heldout", seed=0)


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return len(digits) >= 12 and total % 10 == 0


def _iban_ok(code: str) -> bool:
    s = code.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s):
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _values(records: list[dict], label: str) -> list[str]:
    return [
        r["text"][s["start"] : s["end"]] for r in records for s in r["spans"] if s["label"] == label
    ]


def test_entity_types() -> None:
    assert len(ENTITY_TYPES) == 12
    assert set(ENTITY_TYPES) == {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "STREET_ADDRESS",
        "LOCATION",
        "DATE_TIME",
        "IP_ADDRESS",
        "URL",
        "ORGANIZATION",
    }


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_spans_well_formed(split: str, train: list[dict], heldout: list[dict]) -> None:
    records = train if split == "train" else heldout
    for rec in records:
        assert set(rec) == {"text", "spans"}
        text, spans = rec["text"], rec["spans"]
        assert isinstance(text, str) and text
        json.dumps(rec)  # JSON-serialisable
        prev_end = 0
        for s in spans:
            assert set(s) == {"start", "end", "label"}
            assert s["label"] in ENTITY_TYPES
            assert 0 <= s["start"] < s["end"] <= len(text)
            assert s["start"] >= prev_end, f"overlap/unsorted spans in {text!r}"
            prev_end = s["end"]
            value = text[s["start"] : s["end"]]
            assert value == value.strip(), f"whitespace at span edge: {value!r}"


def test_offsets_point_at_rendered_values(monkeypatch: pytest.MonkeyPatch) -> None:
    # Replace every value generator with one emitting a unique, case-proof sentinel (plus
    # unlabelled pre/post text and stray whitespace) and check each span covers exactly it.
    from quantize.pii_data import generator
    from quantize.pii_data.values import Value

    emitted: list[tuple[str, str]] = []

    def make(label: str):
        def fn(ctx, variant):
            token = f"#{len(emitted)}#"
            emitted.append((label, token))
            return Value(f" {token} ", pre="<", post=">")

        return fn

    for label in list(generator.VALUE_FNS):
        monkeypatch.setitem(generator.VALUE_FNS, label, make(label))
    records = generate(400, seed=11)
    got = [(s["label"], r["text"][s["start"] : s["end"]]) for r in records for s in r["spans"]]
    assert got == emitted
    assert len(emitted) > 400


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_entities_not_glued_to_words(split: str, train: list[dict], heldout: list[dict]) -> None:
    for rec in train if split == "train" else heldout:
        text = rec["text"]
        for s in rec["spans"]:
            before = text[s["start"] - 1] if s["start"] > 0 else " "
            after = text[s["end"]] if s["end"] < len(text) else " "
            assert not (before.isalnum() and text[s["start"]].isalnum()), text
            assert not (after.isalnum() and text[s["end"] - 1].isalnum()), text


def test_deterministic() -> None:
    assert generate(200, seed=3) == generate(200, seed=3)
    assert generate(200, split="heldout", seed=3) == generate(200, split="heldout", seed=3)
    assert list(iter_generate(50, seed=3)) == generate(50, seed=3)
    assert generate(200, seed=3) != generate(200, seed=4)
    assert generate(200, split="train", seed=3) != generate(200, split="heldout", seed=3)


def test_deterministic_across_processes() -> None:
    # Guards against hash-order dependence (e.g. Faker data lists built from sets).
    code = (
        "import hashlib, json; from quantize.pii_data import generate; "
        "print(hashlib.sha256(json.dumps(generate(3000, seed=2)).encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[1]
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_interleaved_iterators_stay_deterministic() -> None:
    a, b = iter_generate(40, seed=1), iter_generate(40, seed=2)
    mixed_a, mixed_b = [], []
    for ra, rb in zip(a, b, strict=True):
        mixed_a.append(ra)
        mixed_b.append(rb)
    assert mixed_a == generate(40, seed=1)
    assert mixed_b == generate(40, seed=2)


def test_template_sets_disjoint_and_large() -> None:
    tr, ho = set(templates("train")), set(templates("heldout"))
    assert not tr & ho
    assert len(templates("train", negatives=False)) >= 150
    assert len(templates("heldout", negatives=False)) >= 40


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_every_label_present(split: str, train: list[dict], heldout: list[dict]) -> None:
    records = train if split == "train" else heldout
    counts = Counter(s["label"] for r in records for s in r["spans"])
    missing = set(ENTITY_TYPES) - set(counts)
    assert not missing, f"{split} lacks {missing}"


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_negatives_present(split: str, train: list[dict], heldout: list[dict]) -> None:
    records = train if split == "train" else heldout
    share = sum(1 for r in records if not r["spans"]) / len(records)
    assert 0.12 <= share <= 0.25


def test_credit_cards_pass_luhn(train: list[dict], heldout: list[dict]) -> None:
    cards = _values(train + heldout, "CREDIT_CARD")
    assert cards
    bad = [c for c in cards if not _luhn_ok(c)]
    assert not bad, bad[:5]


def test_ibans_pass_mod97(train: list[dict], heldout: list[dict]) -> None:
    ibans = _values(train + heldout, "IBAN_CODE")
    assert ibans
    bad = [c for c in ibans if not _iban_ok(c)]
    assert not bad, bad[:5]


def test_ssns_follow_area_group_rules(train: list[dict]) -> None:
    for v in _values(train, "US_SSN"):
        digits = re.sub(r"[ -]", "", v)
        assert re.fullmatch(r"\d{9}", digits), v
        area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
        assert 0 < area < 900 and area != 666 and group > 0 and serial > 0, v


def test_write_jsonl_roundtrip(tmp_path) -> None:
    records = generate(25, seed=5)
    out = tmp_path / "sub" / "data.jsonl"
    assert write_jsonl(records, out) == 25
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    assert [p.name for p in out.parent.iterdir()] == ["data.jsonl"]  # no temp file left behind


def test_bad_split_rejected() -> None:
    with pytest.raises(ValueError):
        generate(1, split="bogus")  # type: ignore[arg-type]
