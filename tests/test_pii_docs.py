"""The document generator (quantize.pii_docs) and the pii-docs / pii-mix data sets.

Offsets are checked through the values themselves: a span shifted by one character would break
a card's Luhn digit, an IBAN's mod-97, an IP address's parse or an e-mail's shape.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from stdnum import luhn

from edge.specs import load_task_spec
from quantize.data import check_records
from quantize.datasets import interleave, load_dataset
from quantize.pii_data import ENTITY_TYPES
from quantize.pii_data.values import iban_mod97
from quantize.pii_docs import generate
from quantize.pii_docs import phrases as P
from quantize.pii_docs import values as V

ROOT = Path(__file__).resolve().parent.parent
N = 1000


@pytest.fixture(scope="module")
def train() -> list[dict]:
    return generate(N, split="train", seed=0)


@pytest.fixture(scope="module")
def test_docs() -> list[dict]:
    return generate(N, split="test", seed=2)


def _spans(records):
    for r in records:
        for s in r["spans"]:
            yield r["text"], s, r["text"][s["start"] : s["end"]]


def _digest(records) -> str:
    return hashlib.sha256(json.dumps(records, ensure_ascii=False).encode()).hexdigest()


def test_same_split_seed_and_n_give_the_same_records(train):
    assert generate(N, split="train", seed=0) == train
    assert generate(200, split="train", seed=0) == train[:200]  # n only cuts the stream
    assert generate(200, split="train", seed=1) != train[:200]
    assert generate(200, split="val", seed=0) != train[:200]


def test_records_do_not_depend_on_the_process_hash_seed():
    """Faker data built from sets would follow PYTHONHASHSEED; the GPU machine that trains must
    render the very records this one evaluates."""
    code = (
        "import hashlib, json; from quantize.pii_docs import generate; "
        "print(hashlib.sha256(json.dumps(generate(300, split='test', seed=5), "
        "ensure_ascii=False).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == _digest(generate(300, split="test", seed=5))


def test_spans_are_sorted_disjoint_stripped_and_inside_the_text(train, test_docs):
    for rec in train + test_docs:
        text, last_end = rec["text"], 0
        assert text.strip() and text == text.rstrip()
        for s in rec["spans"]:
            assert s["label"] in ENTITY_TYPES
            assert last_end <= s["start"] < s["end"] <= len(text)
            value = text[s["start"] : s["end"]]
            assert value == value.strip(), (value, text)
            if s["label"] != "STREET_ADDRESS":  # only an address spans several lines
                assert "\n" not in value, (s["label"], value)
            last_end = s["end"]


def test_the_pii_spec_accepts_every_record(train):
    spec = load_task_spec("pii")
    assert check_records(train, spec, "pii-docs:train") == train


def test_structured_values_are_valid_where_the_offsets_say(train, test_docs):
    seen = Counter()
    for _, s, value in _spans(train + test_docs):
        label = s["label"]
        if label == "CREDIT_CARD":
            digits = re.sub(r"[ .-]", "", value)
            assert digits.isdigit() and 12 <= len(digits) <= 19, value
            assert luhn.is_valid(digits), value
        elif label == "IBAN_CODE":
            compact = value.replace(" ", "").upper()
            assert re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", compact), value
            assert iban_mod97(compact) == 1, value
        elif label == "IP_ADDRESS":
            ipaddress.ip_address(value)
        elif label == "EMAIL_ADDRESS":
            assert re.fullmatch(r"[^@\s]+(@|%40)[^@\s]+\.[A-Za-z]{2,}", value), value
        elif label == "US_SSN":
            assert re.fullmatch(r"\d{3}[- ]?\d{2}[- ]?\d{4}", value), value
        elif label == "URL":
            assert re.match(r"(https?://|ftp://|www\.|[a-z.]+/)", value, re.I), value
        seen[label] += 1
    assert seen["CREDIT_CARD"] > 20 and seen["IBAN_CODE"] > 20 and seen["IP_ADDRESS"] > 20


def test_every_label_appears_in_train_and_test(train, test_docs):
    for records in (train, test_docs):
        counts = Counter(s["label"] for r in records for s in r["spans"])
        assert set(counts) == set(ENTITY_TYPES), set(ENTITY_TYPES) - set(counts)
        assert min(counts.values()) >= 20, counts


def test_cards_cover_every_length_12_to_19_and_many_issuers():
    import random

    rng = random.Random(0)
    draws = [V.card_number(rng) for _ in range(4000)]
    assert {len(d) for _, d in draws} == set(range(12, 20))
    assert len({name for name, _ in draws}) >= 12
    assert all(luhn.is_valid(d) for _, d in draws)


def test_ibans_of_every_listed_country_pass_mod97():
    import random

    rng = random.Random(0)
    for country in V.IBAN_SPECS:
        V.LOCALES["xx_TEST"] = (0, country, "Test", False)
        try:
            code = V.iban(rng, "xx_TEST").replace(" ", "")
        finally:
            del V.LOCALES["xx_TEST"]
        assert iban_mod97(code) == 1, code


def test_negatives_and_look_alikes_exist(train):
    empty = [r for r in train if not r["spans"]]
    assert len(empty) > 0.05 * len(train)
    text = "\n".join(r["text"] for r in empty)
    # title-case look-alikes and numbers that are not PII appear unlabelled
    pools = P.GENRES + P.MAGAZINES + P.HEADINGS + P.CATEGORIES + P.PRODUCTS + P.DEPARTMENTS
    assert sum(x in text for x in pools) >= 20
    assert re.search(r"\b\d{5}\b", text)  # five-digit numbers that are not phones
    assert re.search(r"\b(19|20)\d{2}\b", text)  # bare years


def test_non_latin_scripts_and_multiline_addresses_appear(train):
    values = [v for _, s, v in _spans(train)]
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", v) for v in values)  # ja / zh
    assert any(re.search(r"[\uac00-\ud7af]", v) for v in values)  # ko
    assert any(re.search(r"[\u0400-\u04ff]", v) for v in values)  # ru / uk / bg
    assert any(re.search(r"[\u0590-\u06ff]", v) for v in values)  # he / ar / fa
    addresses = [v for _, s, v in _spans(train) if s["label"] == "STREET_ADDRESS"]
    assert sum("\n" in a for a in addresses) > 20


def test_issue17_shapes_countries_companies_and_foreign_form_labels(train):
    """Issue 17's dev errors: a country ending an address is inside the STREET_ADDRESS, real
    companies appear as ORGANIZATION (as written, upper or lower case), form labels in non-Latin
    scripts appear unlabelled."""
    countries = {c for _, _, c, _ in V.LOCALES.values()}
    addresses = [v for _, s, v in _spans(train) if s["label"] == "STREET_ADDRESS"]
    ends = [a for a in addresses if any(a.lower().endswith(c.lower()) for c in countries)]
    assert len(ends) > 10
    real = {c.casefold() for c in V.REAL_COMPANIES}
    orgs = [v for _, s, v in _spans(train) if s["label"] == "ORGANIZATION"]
    assert sum(v.casefold() in real for v in orgs) > 20
    assert any(v.isupper() and v.casefold() in real for v in orgs)
    keys = {k for pool in P.FIELD_KEYS.values() for k in P.split_pool(pool, "train")}
    scripts = r"[\u0370-\u06ff\u0900-\u097f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
    foreign = {k for k in keys if re.search(scripts, k)}  # Greek ... Arabic, Devanagari, CJK
    unlabelled = 0
    for r in train:
        for k in foreign:
            i = r["text"].find(k)
            if i >= 0 and not any(s["start"] <= i < s["end"] for s in r["spans"]):
                unlabelled += 1
    assert unlabelled > 5


def _outside(record: dict, i: int) -> bool:
    return not any(s["start"] <= i < s["end"] for s in record["spans"])


def test_issue17_round3_kin_words_lead_ins_ranges_and_name_like_words(train):
    """Round 3's dev errors by kind: a kinship word or role before a first name ("Aunty"),
    a lead-in before an address ("wohnhaft") and emoji stay outside every span; a time range is
    two DATE_TIME spans; words that are also given names ("Rose", "Ivy") appear unlabelled in
    documents with no PII."""
    kin = lead = emoji = 0
    for r in train:
        t = r["text"]
        for s in r["spans"]:
            if s["label"] == "PERSON":
                before = t[: s["start"]].rstrip().rsplit(" ", 1)[-1].rsplit("\n", 1)[-1]
                kin += before.casefold() in {w.casefold() for w in V.KIN_WORDS}
            if s["label"] == "STREET_ADDRESS":
                head = t[: s["start"]].rstrip().casefold()
                lead += any(head.endswith(w.casefold()) for w in V.ADDRESS_LEAD_INS)
        emoji += sum(1 for e in V.EMOJI if (i := t.find(e)) >= 0 and _outside(r, i))
    assert kin > 10 and lead > 5 and emoji > 20
    ranges = 0
    for r in train:
        sp = [s for s in r["spans"] if s["label"] == "DATE_TIME"]
        for a, b in itertools.pairwise(sp):
            ranges += r["text"][a["end"] : b["start"]] in ("-", "–", " - ", " to ", " bis ", "~")
    assert ranges > 5
    empty = "\n".join(r["text"] for r in train if not r["spans"])
    assert sum(re.search(rf"\b{w}\b", empty) is not None for w in V.NAME_LIKE_WORDS) > 20
    rng = random.Random(0)
    titles = {V.work_title(rng) for _ in range(200)}
    assert len(titles) > 100 and all(t[0].isupper() for t in titles)


def test_issue17_round4_bare_postcodes_in_columns_and_lower_case_services():
    """Round 3's new misses by kind: an address split over table columns or form fields (the
    street cell a STREET_ADDRESS, the town, region, postcode and country cells a LOCATION each),
    and services and apps named in chats, often in lower case (ORGANIZATION)."""
    docs = generate(3000, split="train", seed=4)
    postcodes, lower_orgs, services = Counter(), 0, set()
    known = {n.casefold() for n in (*V.SERVICES, *V.PAY_APPS)}
    for t, s, v in _spans(docs):
        if s["label"] == "LOCATION" and re.fullmatch(r"[0-9][0-9 -]{2,9}[0-9]", v):
            before = t[: s["start"]].rsplit("\n", 1)[-1].rstrip()[-1:]
            postcodes["cell" if before in (",", ";", "|") or not before else "field"] += 1
        if s["label"] == "ORGANIZATION" and v.casefold() in known:
            services.add(v.casefold())
            lower_orgs += v.islower()
    assert postcodes["cell"] > 50 and postcodes["field"] > 10
    assert len(services) > 60 and lower_orgs > 100
    # the header names a postcode column where a bare code sits under it
    rng = random.Random(0)
    for locale in ("en_US", "de_DE", "pt_BR", "ja_JP", "tr_TR", "fa_IR", "en_GB"):
        cols = V.address_columns(rng, locale)
        assert cols[0][2] == "STREET_ADDRESS" and {c[2] for c in cols[1:]} == {"LOCATION"}
        assert "postcode" in [c[0] for c in cols] and all(c[1] == c[1].strip() for c in cols)
    assert "netflix" not in " ".join(P.CHAT_MSGS)  # a brand is labelled, never left as a literal


def test_test_split_phrases_are_disjoint_from_train():
    pools = [v for v in vars(P).values() if isinstance(v, tuple) and len(v) >= 5]
    pools += [*P.FIELD_KEYS.values(), *P.CSV_COLUMNS.values(), *P.FOREIGN.values()]
    pools += [*P.ADDRESS_COLUMNS.values()]
    for pool in pools:
        if not all(isinstance(x, str) for x in pool):
            continue
        tr, va, te = (set(P.split_pool(pool, s)) for s in ("train", "val", "test"))
        assert tr and va and te
        assert not (tr & te) and not (tr & va) and not (va & te)


def test_pii_docs_and_pii_mix_data_sets():
    docs = load_dataset("pii-docs", "val", n=30)
    assert docs == generate(30, split="val", seed=1)
    mix = load_dataset("pii-mix", "train", n=10)
    synth = load_dataset("pii-synth", "train", n=5)
    assert mix == interleave(synth, generate(5, split="train", seed=0))
    assert mix[0::2] == synth
    assert len(load_dataset("pii-mix", "val", n=8)) == 8
    only = load_dataset("pii-mix", "train-only", n=6)
    assert only[0::2] == load_dataset("pii-synth", "train-only", n=3)
    assert only[1::2] == generate(3, split="train", seed=0)
    assert interleave([1, 2, 3, 4], ["a"]) in ([1, 2, "a", 3, 4], [1, "a", 2, 3, 4])
    assert interleave([], ["a", "b"]) == ["a", "b"]


def test_edge_train_renders_pii_mix_records(tmp_path, tiny_base):
    """`edge train --dataset pii-mix --dataset-records N`: the lead's GPU recipe, on a tiny model;
    a set read from files refuses --dataset-records with the sets that take it."""
    from click.testing import CliRunner

    from edge.cli import main

    args = ["train", "--task", "pii", "--base", str(tiny_base), "--epochs", "1", "--quiet"]
    args += ["--batch-size", "16", "--lora-r", "4"]
    r = CliRunner().invoke(
        main,
        [*args, "--dataset", "clinc150", "--dataset-records", "5", "--out", str(tmp_path / "x")],
    )
    assert r.exit_code == 2 and "pii-mix" in r.output
    out, val = tmp_path / "a", tmp_path / "val.jsonl"  # a small --val keeps the test short
    val.write_text("".join(json.dumps(r) + "\n" for r in generate(16, split="val", seed=1)))
    mix = ["--dataset", "pii-mix", "--dataset-records", "40", "--val", str(val)]
    r = CliRunner().invoke(main, [*args, *mix, "--out", str(out)])
    assert r.exit_code == 0, r.output
    rec = json.loads((out / "edge_adapter.json").read_text())
    assert rec["train_records"] == 40, rec
