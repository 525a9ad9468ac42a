"""Hybrid detection (edge.fusion): the merge rules on constructed model spans with the real rule
recognizers, then the same rules through PIIDetector on real (tiny, oracle) ONNX artifacts, the
CLI, `edge eval` and the cloud redactor."""

from __future__ import annotations

import itertools
import json

import pytest
import tiny
from click.testing import CliRunner

import edge
from edge.cli import main
from edge.errors import SpecError
from edge.fusion import DENY_LIST, MODEL, MODEL_AND_RULE, Fusion
from edge.recognizers.iban import IbanRecognizer
from edge.redaction import Redactor
from edge.specs import FusionSpec, TaskSpec, load_task_spec
from edge.types import Span
from quantize.evaluate import evaluate_artifact

ENTITIES = load_task_spec("pii").entities


def model_span(text: str, value: str, label: str, score: float = 0.99, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return Span(label, start, start + len(value), score, value)


def fusion(**changes) -> Fusion:
    return Fusion(FusionSpec.model_validate({**FusionSpec().model_dump(), **changes}), ENTITIES)


def keys(spans) -> list[tuple[str, str, str]]:
    return [(s.label, s.text, s.source) for s in spans]


# -- the merge rules, constructed model spans -------------------------------------------------


def test_rule_only_spans_are_added_with_their_source():
    text = "Wire it to DE89 3704 0044 0532 0130 00, Maria Garcia"
    got = fusion().fuse(text, [model_span(text, "Maria Garcia", "PERSON")])
    assert keys(got) == [
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "rule:iban"),
        ("PERSON", "Maria Garcia", MODEL),
    ]


def test_same_type_agreement_is_one_span_with_the_fuller_extent():
    text = "call +1 415 555 0132 now"
    cut_short = model_span(text, "415 555 0132", "PHONE_NUMBER")
    assert keys(fusion().fuse(text, [cut_short])) == [
        ("PHONE_NUMBER", "+1 415 555 0132", MODEL_AND_RULE)
    ]
    # the model adds only punctuation and a line break: the rule's email extent is kept
    text = "Thanks.\n\noffice@davis-cunningham.com"
    sloppy = Span("EMAIL_ADDRESS", 6, len(text), 0.99, text[6:])
    assert keys(fusion().fuse(text, [sloppy])) == [
        ("EMAIL_ADDRESS", "office@davis-cunningham.com", MODEL_AND_RULE)
    ]


def test_model_wins_for_person_overlap_unless_it_is_a_fragment_of_the_rule_match():
    text = "I met Maria March 3, 2024 on the train"
    person = model_span(text, "Maria March", "PERSON", score=0.6)
    assert keys(fusion().fuse(text, [person])) == [("PERSON", "Maria March", MODEL)]
    # the same low-score span of a type the model does not own loses to the validated date;
    # the part of it outside the date stays
    not_owned = fusion(model_types=[]).fuse(text, [person])
    assert keys(not_owned) == [
        ("PERSON", "Maria", MODEL),
        ("DATE_TIME", "March 3, 2024", "rule:date"),
    ]
    # a context word of the rule's type beats even a confident model span of another type
    text2 = "my SSN is 536-22-1234"
    phone = model_span(text2, "536-22-1234", "PHONE_NUMBER", score=1.0)
    assert keys(fusion().fuse(text2, [phone])) == [("US_SSN", "536-22-1234", "rule:ssn")]
    no_words = fusion(context={"US_SSN": {"replace": True}})  # the SSN's own words switched off
    assert keys(no_words.fuse(text2, [phone])) == [("PHONE_NUMBER", "536-22-1234", MODEL)]
    # a name inside an email is a fragment of the email, whatever its type
    text = "write to maria.garcia@example.com"
    frag = model_span(text, "maria", "PERSON", score=1.0)
    assert keys(fusion().fuse(text, [frag])) == [
        ("EMAIL_ADDRESS", "maria.garcia@example.com", "rule:email")
    ]


def test_validated_rule_beats_low_score_model_span_only():
    text = "it is 4111 1111 1111 1111, please"  # no context word of either type
    low = model_span(text, "4111 1111 1111 1111", "PHONE_NUMBER", score=0.6)
    high = model_span(text, "4111 1111 1111 1111", "PHONE_NUMBER", score=0.95)
    assert keys(fusion().fuse(text, [low])) == [
        ("CREDIT_CARD", "4111 1111 1111 1111", "rule:credit_card")
    ]
    assert keys(fusion().fuse(text, [high])) == [("PHONE_NUMBER", "4111 1111 1111 1111", MODEL)]
    strict = fusion(rule_beats_model_below=0.99)
    assert keys(strict.fuse(text, [high]))[0][0] == "CREDIT_CARD"
    # with its context word, the card number wins over the confident phone span too
    text = "card 4111 1111 1111 1111"
    high = model_span(text, "4111 1111 1111 1111", "PHONE_NUMBER", score=0.95)
    assert keys(fusion().fuse(text, [high]))[0][0] == "CREDIT_CARD"


def test_checksum_failing_model_spans_are_dropped():
    text = "my taxpayer id is 604198837, card 4111 1111 1111 1112"
    spans = [
        model_span(text, "604198837", "CREDIT_CARD"),
        model_span(text, "4111 1111 1111 1112", "CREDIT_CARD"),
    ]
    got = fusion().fuse(text, spans)
    # neither number passes Luhn; the first is a valid SSN with a context word ("taxpayer")
    assert keys(got) == [("US_SSN", "604198837", "rule:ssn")]
    unchecked = fusion(checksum_types=[]).fuse(text, spans)
    # the SSN's context word still beats the (confident) model; the other card stays the model's
    assert keys(unchecked) == [
        ("US_SSN", "604198837", "rule:ssn"),
        ("CREDIT_CARD", "4111 1111 1111 1112", MODEL),
    ]


def test_model_ssn_spans_must_have_an_ssn_shape():
    """No check digit exists for SSNs: a model US_SSN is kept only if it is nine digits (3-2-4)
    the SSA could have issued; a 16-digit policy number or a fragment of one is dropped."""
    text = "Policy 8477166704149256 renewed; claim 3356-5289-6059-7675; SSN 536-22-1234"
    spans = [
        model_span(text, "8477166704149256", "US_SSN"),
        model_span(text, "3356", "US_SSN"),
        model_span(text, "536-22-1234", "US_SSN"),
    ]
    got = fusion(recognizers=["email"]).fuse(text, spans)
    assert keys(got) == [("US_SSN", "536-22-1234", MODEL)]
    kept = fusion(recognizers=["email"], checksum_types=["CREDIT_CARD"]).fuse(text, spans)
    assert len(kept) == 3


def test_model_ip_and_email_spans_must_parse():
    """A version number is no IP address and a user name no e-mail; a model span that fails
    its check but overlaps a rule match of its type is merged with it, not dropped."""
    text = "upgrade to 1.27.4 on 10.0.3.21, ask jdoe or mail elif.demir%40gmail.com"
    spans = [
        model_span(text, "1.27.4", "IP_ADDRESS"),
        model_span(text, "10.0.3.21,", "IP_ADDRESS"),  # sloppy, but the rule found the IP
        model_span(text, "jdoe", "EMAIL_ADDRESS"),
        model_span(text, "elif.demir%40gmail.com", "EMAIL_ADDRESS"),
    ]
    assert keys(fusion().fuse(text, spans)) == [
        ("IP_ADDRESS", "10.0.3.21", MODEL_AND_RULE),
        ("EMAIL_ADDRESS", "elif.demir%40gmail.com", MODEL),
    ]


def test_context_words_boost_and_require_weak_patterns():
    f = fusion()
    ssn = "taxpayer id 604198837"
    assert [(s.text, s.score) for s in f.fuse(ssn, [])] == [("604198837", 0.7)]
    assert f.fuse("order 604198837 has shipped", []) == []  # bare 9 digits, no context
    assert keys(f.fuse("SSN: 604-19-8837", [])) == [("US_SSN", "604-19-8837", "rule:ssn")]
    # a date without a year is weak: kept next to a context word, dropped without one
    assert keys(f.fuse("Payment due Mar 3, thanks", [])) == [("DATE_TIME", "Mar 3", "rule:date")]
    assert f.fuse("the Mar 3 release", []) == []
    # no context configured: nothing is required (0.6 >= min_rule_score) and the SSN
    # recognizer's own words ("ssn", "social security") are the only ones
    no_ctx = fusion(context={})
    assert keys(no_ctx.fuse("the Mar 3 release", [])) == [("DATE_TIME", "Mar 3", "rule:date")]
    assert no_ctx.fuse("taxpayer id 604198837", []) == []  # recognizer's own context only


def test_allow_list_suppresses_and_deny_list_adds():
    text = "Mail support@acme.example or maria@acme.example; Project Nightingale is late"
    spans = [model_span(text, "support", "PERSON", 0.9)]
    f = fusion(allow=["Support@ACME.example"], deny={"project nightingale": "ORGANIZATION"})
    assert keys(f.fuse(text, spans)) == [
        ("EMAIL_ADDRESS", "maria@acme.example", "rule:email"),
        ("ORGANIZATION", "Project Nightingale", DENY_LIST),
    ]
    # a deny-listed value beats an overlapping, confident model span
    text = "ask Jordan Lee about it"
    got = fusion(deny={"Jordan Lee": "ORGANIZATION"}).fuse(
        text, [model_span(text, "Jordan Lee", "PERSON", 1.0)]
    )
    assert keys(got) == [("ORGANIZATION", "Jordan Lee", DENY_LIST)]
    # only whole values count: "jordan leeds" holds no deny-listed value
    assert fusion(deny={"Jordan Lee": "ORGANIZATION"}).fuse("jordan leeds", []) == []


def test_model_span_running_two_rule_matches_together_is_split():
    text = "allow 34.120.18.9, 35.190.247.0 please"
    both = model_span(text, "34.120.18.9, 35.190.247.0", "IP_ADDRESS")
    assert keys(fusion().fuse(text, [both])) == [
        ("IP_ADDRESS", "34.120.18.9", MODEL_AND_RULE),
        ("IP_ADDRESS", "35.190.247.0", MODEL_AND_RULE),
    ]


def test_fused_spans_never_overlap_and_match_their_text():
    text = "Maria Garcia <maria.garcia@example.com>, +1 415 555 0132, 2024-03-01 12:00, 10.0.0.1"
    model = [
        model_span(text, "Maria Garcia", "PERSON"),
        model_span(text, "maria", "PERSON", 0.7),
        model_span(text, "garcia@example", "URL", 0.5),
        model_span(text, "415 555", "PHONE_NUMBER", 0.9),
        model_span(text, "2024-03-01", "DATE_TIME", 0.97),
    ]
    got = fusion().fuse(text, model)
    for a, b in itertools.pairwise(got):
        assert a.end <= b.start
    assert all(text[s.start : s.end] == s.text for s in got)
    assert [s.label for s in got] == [
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "DATE_TIME",
        "IP_ADDRESS",
    ]
    assert got[3].text == "2024-03-01 12:00"


def test_spec_checks():
    spec = load_task_spec("pii")
    # shipped spec = defaults: old artifacts behave the same (the shipped spec lists the
    # rule-only types it reports; an old artifact, with none listed, reports the same ones)
    assert spec.fusion.model_copy(update={"rule_entities": None}) == FusionSpec()
    assert spec.fusion.rule_types(ENTITIES) == FusionSpec().rule_types(ENTITIES)
    with pytest.raises(ValueError, match="both in `allow` and `deny`"):
        FusionSpec(allow=["x@y.org"], deny={"X@y.org ": "EMAIL_ADDRESS"})
    base = spec.model_dump()
    with pytest.raises(ValueError, match=r"fusion\.deny: unknown entity type"):
        TaskSpec.model_validate({**base, "fusion": {"deny": {"acme": "COMPANY"}}})
    with pytest.raises(ValueError, match="token-classification"):
        TaskSpec(name="i", kind="sequence-classification", labels=["a", "b"], fusion=FusionSpec())
    with pytest.raises(SpecError, match="no checksum"):
        fusion(checksum_types=["PERSON"])
    with pytest.raises(SpecError, match="unknown recognizer"):
        fusion(recognizers=["passport"])


# -- through PIIDetector on real ONNX artifacts ------------------------------------------------


@pytest.fixture(scope="module")
def names_only(pii_spec, tmp_path_factory):
    """An oracle artifact that knows names only (maria, garcia, march → PERSON; digits are O),
    so every other span must come from a rule."""
    from quantize.build import build

    root = tmp_path_factory.mktemp("names-only")
    rules = {"maria": "I-PERSON", "garcia": "I-PERSON", "march": "I-PERSON"}
    base = tiny.make_oracle_base(root / "base", pii_spec.model_labels, rules)
    adapter = tiny.make_identity_adapter(base, pii_spec, root / "adapter")
    build(base, adapter, pii_spec, root / "art", quiet=True)
    return root / "art"


def test_detector_is_hybrid_by_default_with_sources(names_only):
    d = edge.load(names_only, threads=1)
    text = "Maria Garcia, IBAN DE89 3704 0044 0532 0130 00, server 192.168.10.24"
    hybrid, plain = d.detect(text), d.detect(text, rules=False)
    assert keys(plain.spans) == [("PERSON", "Maria Garcia", MODEL)]
    assert keys(hybrid.spans) == [
        ("PERSON", "Maria Garcia", MODEL),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "rule:iban"),
        ("IP_ADDRESS", "192.168.10.24", "rule:ip"),
    ]
    assert hybrid.redacted == "<PERSON>, IBAN <IBAN_CODE>, server <IP_ADDRESS>"
    d.configure_fusion(enabled=False)
    assert keys(d.detect(text).spans) == keys(plain.spans)
    with pytest.raises(SpecError, match="rule_beats_model_below"):
        d.configure_fusion(rule_beats_model_below=2)


def test_detector_without_a_fusion_section_uses_the_defaults(names_only):
    """A PII spec without ``[fusion]`` (an artifact built before it existed) fuses with the
    defaults, through the property and through ``configure_fusion`` alike."""
    d = edge.load(names_only, threads=1)
    text = "Maria Garcia, IBAN DE89 3704 0044 0532 0130 00, server 192.168.10.24"
    expected = keys(d.detect(text).spans)
    d.manifest = d.manifest.model_copy(update={"task": d.task.model_copy(update={"fusion": None})})
    d._fusion = None
    assert d.fusion.spec == FusionSpec() and keys(d.detect(text).spans) == expected
    d._fusion = None
    assert d.configure_fusion(phone_region="US").spec == FusionSpec()


def test_detector_allow_deny_and_region(names_only):
    d = edge.load(names_only, threads=1)
    text = "Maria: write to help@siemens.example or call 07911 123456 at Siemens AG"
    us = d.detect(text)
    assert keys(us.spans) == [
        ("PERSON", "Maria", MODEL),
        ("EMAIL_ADDRESS", "help@siemens.example", "rule:email"),
    ]  # a UK national number is not a US one
    d.configure_fusion(
        phone_region="GB", allow=["help@siemens.example"], deny={"Siemens AG": "ORGANIZATION"}
    )
    assert keys(d.detect(text).spans) == [
        ("PERSON", "Maria", MODEL),
        ("PHONE_NUMBER", "07911 123456", "rule:phone"),
        ("ORGANIZATION", "Siemens AG", DENY_LIST),
    ]


def test_detector_model_wins_person_and_rule_beats_unsure_model(names_only, oracle_artifact):
    d = edge.load(names_only, threads=1)
    text = "I met Maria March 3, 2024 on the train"
    assert keys(d.detect(text).spans) == [("PERSON", "Maria March", MODEL)]
    d.configure_fusion(model_types=[], rule_beats_model_below=1.0)
    assert keys(d.detect(text).spans) == [
        ("PERSON", "Maria", MODEL),
        ("DATE_TIME", "March 3, 2024", "rule:date"),
    ]
    # the oracle tags every digit run PHONE_NUMBER with certainty (score 1.0): with no context
    # word, the Luhn-valid number stays a phone number at the default threshold and becomes a
    # card at threshold 1.0 (a validated rule always wins); the low-score case is
    # test_validated_rule_beats_low_score_model_span_only
    o = edge.load(oracle_artifact, threads=1)
    text = "ref 4111 1111 1111 1111"
    assert keys(o.detect(text).spans) == [("PHONE_NUMBER", "4111 1111 1111 1111", MODEL)]
    o.configure_fusion(rule_beats_model_below=1.0)
    assert keys(o.detect(text).spans) == [
        ("CREDIT_CARD", "4111 1111 1111 1111", "rule:credit_card")
    ]


def test_cli_pii_rules_region_and_sources(names_only):
    run = CliRunner().invoke
    text = "Maria, call 07911 123456 or mail maria@example.org"
    r = run(main, ["pii", "--model", str(names_only), "--json", "--region", "gb", text])
    assert r.exit_code == 0, r.output
    spans = json.loads(r.output)["spans"]
    assert [(s["label"], s["source"]) for s in spans] == [
        ("PERSON", MODEL),
        ("PHONE_NUMBER", "rule:phone"),
        ("EMAIL_ADDRESS", "rule:email"),
    ]
    r = run(main, ["pii", "--model", str(names_only), "--no-rules", text])
    assert r.exit_code == 0 and "<PHONE_NUMBER>" not in r.output and "<PERSON>" in r.output
    r = run(main, ["pii", "--model", str(names_only), text])
    listing = r.output.splitlines()
    assert "rule:email" in listing[-1] and "'maria@example.org'" in listing[-1]
    r = run(main, ["pii", "--model", str(names_only), "--region", "XX", text])
    assert r.exit_code == 4 and "phone region" in r.output


def test_eval_reports_model_only_and_hybrid(names_only, tmp_path):
    records = [
        {
            "text": "Maria Garcia sent DE89 3704 0044 0532 0130 00",
            "spans": [
                {"start": 0, "end": 12, "label": "PERSON"},
                {"start": 18, "end": 45, "label": "IBAN_CODE"},
            ],
        },
        {
            "text": "ping 10.1.2.3 for Maria",
            "spans": [
                {"start": 5, "end": 13, "label": "IP_ADDRESS"},
                {"start": 18, "end": 23, "label": "PERSON"},
            ],
        },
    ]
    res = evaluate_artifact(names_only, records, variant="fp32")
    model, hybrid = res["scores"]["exact"]["micro"], res["hybrid"]["scores"]["exact"]["micro"]
    assert (model["precision"], model["recall"]) == (1.0, 0.5)  # it knows names only
    assert res["headline"]["value"] == pytest.approx(2 / 3)
    assert (hybrid["precision"], hybrid["recall"]) == (1.0, 1.0)
    assert res["hybrid"]["headline"]["value"] == 1.0
    assert "hybrid" not in evaluate_artifact(names_only, records, rules=False)
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    args = ["eval", "--model", str(names_only), "--data", str(data), "--no-baseline"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "model only" in r.output and "hybrid: model + rules" in r.output
    assert "model only 66.7 %, hybrid 100.0 %" in r.output
    r = CliRunner().invoke(main, [*args, "--no-rules", "--json"])
    assert "hybrid" not in json.loads(r.output)["model"]


def test_redactor_covers_more_than_detect_and_honours_lists(names_only):
    d = edge.load(names_only, threads=1)
    d.configure_fusion(
        allow=["help@acme.example"], deny={"Nightingale": "ORGANIZATION"}, model_types=[]
    )
    red = Redactor(d)
    text = "Maria March 3, 2024: Nightingale; help@acme.example; SSN 521-44-7032"
    detected = d.detect(text).spans
    out = red.redact(text)
    assert out.text == "<PERSON>: <ORGANIZATION>; help@acme.example; SSN <US_SSN>"
    # the model's PERSON "Maria March" beat the date rule in detect(), yet the date's digits,
    # which only the rule saw, are redacted: every character any source flagged is
    assert next(s.text for s in detected) == "Maria March"
    covered = {i for s in out.spans for i in range(s.start, s.end)}
    assert set(range(text.index("3, 2024"), text.index(":"))) <= covered
    raw = d.model_spans([text])[0]
    assert {i for s in [*detected, *raw] for i in range(s.start, s.end)} <= covered
    assert all(s.text == "" for s in out.spans)


def test_missing_phone_dependency_degrades_detection_but_not_redaction(names_only, monkeypatch):
    from edge.errors import BackendUnavailableError
    from edge.recognizers.phone import PhoneRecognizer

    # what PhoneRecognizer.available() says when phonenumbers is not installed
    monkeypatch.setattr(PhoneRecognizer, "available", classmethod(lambda cls: False))
    with pytest.warns(UserWarning, match="without the phone rule"):
        f = fusion()
    assert "phone" in f.unavailable and all(r.name != "phone" for r in f.recognizers)
    assert keys(f.fuse("mail a@b.org", [])) == [("EMAIL_ADDRESS", "a@b.org", "rule:email")]
    with pytest.warns(UserWarning):
        d = edge.load(names_only, threads=1)
        d.detect("call +1 415 555 0132")
    with pytest.raises(BackendUnavailableError):  # the redactor refuses to run without it
        Redactor(d)


def test_rule_only_types_in_detect_json_and_the_redactor(names_only):
    """The issue's examples: a bank account, a sort code and a password reach neither the
    hybrid answer (US region: the account number) nor the cloud (every region) in clear."""
    d = edge.load(names_only, threads=1)
    text = "Maria: transfer 200 to account 12345678 sort code 20-00-00, my password is hunter2"
    assert keys(d.detect(text).spans) == [
        ("PERSON", "Maria", MODEL),
        ("US_BANK_NUMBER", "12345678", "rule:us_bank_number"),
        ("UK_SORT_CODE", "20-00-00", "rule:uk_sort_code"),
        ("SECRET", "hunter2", "rule:password/password"),
    ]
    assert Redactor(d).redact(text).text == (
        "<PERSON>: transfer 200 to account <US_BANK_NUMBER> sort code <UK_SORT_CODE>, "
        "my password is <SECRET>"
    )  # each placeholder is what detect() calls the value
    d.configure_fusion(regions=["GB"])
    assert [s.label for s in d.detect(text).spans] == [
        "PERSON", "UK_BANK_NUMBER", "UK_SORT_CODE", "SECRET",
    ]  # fmt: skip
    # a European deployment: nine digits after "SSN" are no US_SSN there
    d.configure_fusion(regions=["DE"])
    assert d.detect("SSN 536-22-1234").spans == []
    d.configure_fusion(rule_entities=["CRYPTO"], regions=["US"])
    assert d.detect("my password is hunter2").spans == []  # SECRET not listed: not reported
    r = CliRunner().invoke(main, ["pii", "--model", str(names_only), "--json", text])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert [s["label"] for s in got["spans"]] == [
        "PERSON", "US_BANK_NUMBER", "UK_SORT_CODE", "SECRET",
    ]  # fmt: skip
    assert got["redacted"].endswith("my password is <SECRET>")


def test_a_required_word_does_not_beat_a_confident_model_span():
    """For a type whose pattern proves nothing alone (any 8-17 digits near "bank" is a
    US_BANK_NUMBER candidate), the word is not extra evidence against the model."""
    text = "BLUEBIRD BANK LLC, PHONE 07235648752"
    phone = model_span(text, "07235648752", "PHONE_NUMBER", score=0.99)
    assert keys(fusion().fuse(text, [phone])) == [("PHONE_NUMBER", "07235648752", MODEL)]
    low = model_span(text, "07235648752", "PHONE_NUMBER", score=0.6)
    assert keys(fusion().fuse(text, [low])) == [
        ("US_BANK_NUMBER", "07235648752", "rule:us_bank_number")
    ]


def test_a_rule_only_type_beats_the_model_on_the_same_value():
    """The model cannot produce SECRET: its PERSON on the password is a guess at something else
    (seen with the default pii model: "hunter2" read as a name)."""
    text = "my password is hunter2"
    person = model_span(text, "hunter2", "PERSON", score=0.91)
    assert keys(fusion().fuse(text, [person])) == [("SECRET", "hunter2", "rule:password/password")]
    # a model span reaching beyond the value stays the model's (a PERSON is a model type)
    text = "ask Hunter2 Smith, password: hunter2x"
    wide = model_span(text, "Hunter2 Smith", "PERSON", score=0.91)
    assert keys(fusion().fuse(text, [wide]))[0] == ("PERSON", "Hunter2 Smith", MODEL)


def test_a_model_iban_with_good_check_digits_but_an_odd_length_is_kept():
    """The rule's own matches need the registered length; a span the model read as an IBAN is
    kept on mod-97 alone (a digit group typed short is still an account number to hide)."""
    text = "virement vers FR13 3000 6000 0112 3456 7890 18 merci"
    value = "FR13 3000 6000 0112 3456 7890 18"  # 26 characters: France registers 27
    start = text.index(value)
    model = [Span("IBAN_CODE", start, start + len(value), 1.0, value, "model")]
    assert IbanRecognizer().matches(text) == []
    assert [s.text for s in fusion().fuse(text, model)] == [value]
    bad = value[:-1] + "9"  # the check digits no longer agree
    model = [Span("IBAN_CODE", start, start + len(bad), 1.0, bad, "model")]
    assert fusion().fuse(text.replace(value, bad), model) == []


def test_a_long_text_of_many_entities_fuses_as_its_pieces_do(monkeypatch):
    """The merge finds the kept spans a rule match overlaps by bisection (edge.spans
    DisjointSpans): a text of many repeated pieces gets each piece's answer, shifted, and the
    plain scan (kept for given spans that overlap each other) gives the same answer."""
    piece = (
        "Call Maria on +1 415 555 0132 on March 3, 2024, IBAN DE89 3704 0044 0532 0130 00 (DKB). "
    )
    f = fusion()
    model = [
        model_span(piece, "Maria", "PERSON"),
        model_span(piece, "+1 415 555", "PHONE_NUMBER", 0.9),  # cut short: the rule extends it
        model_span(piece, "March 3, 2024, IBAN", "DATE_TIME", 0.7),  # the date rule beats it
    ]
    one = f.fuse(piece, model)
    assert ("PHONE_NUMBER", "+1 415 555 0132", MODEL_AND_RULE) in keys(one)
    n = 200
    text = piece * n
    shifted = [
        Span(s.label, s.start + i * len(piece), s.end + i * len(piece), s.score, s.text, s.source)
        for i in range(n)
        for s in model
    ]
    many = f.fuse(text, shifted)
    expect = [
        (s.label, s.start + i * len(piece), s.end + i * len(piece), s.source)
        for i in range(n)
        for s in one
    ]
    assert [(s.label, s.start, s.end, s.source) for s in many] == expect
    # the plain scan (taken when given spans overlap each other) answers the same
    from edge.spans import DisjointSpans

    monkeypatch.setattr(DisjointSpans, "is_disjoint", lambda self: False)
    assert f.fuse(text, shifted) == many
