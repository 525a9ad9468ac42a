"""Per-type decision thresholds (issue 17): the spec's ``[min_score]`` validated, applied by
``detect`` on a real (tiny, oracle) ONNX artifact, ignored by the cloud redactor (recall first),
and chosen on labelled data by ``python -m benchmarks.thresholds``."""

from __future__ import annotations

import shutil

import pytest
import tiny

import edge
from benchmarks import thresholds as thresholds_cli
from edge.errors import SpecError
from edge.redaction import Redactor
from edge.runtime import above_min_score
from edge.specs import TaskSpec, load_task_spec, specs_dir
from quantize import thresholds

IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture(scope="module")
def names_only(pii_spec, tmp_path_factory):
    """An oracle artifact that tags maria and garcia as PERSON and nothing else."""
    from quantize.build import build

    root = tmp_path_factory.mktemp("names-thresholds")
    rules = {"maria": "I-PERSON", "garcia": "I-PERSON"}
    base = tiny.make_oracle_base(root / "base", pii_spec.model_labels, rules)
    adapter = tiny.make_identity_adapter(base, pii_spec, root / "adapter")
    build(base, adapter, pii_spec, root / "art", quiet=True)
    return root / "art"


def _spec(**changes) -> TaskSpec:
    return TaskSpec.model_validate({**load_task_spec("pii").model_dump(), **changes})


def test_spec_validates_min_score():
    assert _spec(min_score={"PERSON": 0.7}).min_score == {"PERSON": 0.7}
    with pytest.raises(ValueError, match="unknown entity type"):
        _spec(min_score={"SECRET": 0.5})  # a rule-only type: judged by its own scores
    with pytest.raises(ValueError, match="between 0 and 1"):
        _spec(min_score={"PERSON": 1.5})
    with pytest.raises(ValueError, match="PII"):
        TaskSpec(name="i", kind="sequence-classification", labels=["a", "b"], min_score={"a": 0.5})
    # the shipped spec's table (chosen on the dev part) names only the model's types
    shipped = load_task_spec("pii").min_score
    assert set(shipped) <= set(load_task_spec("pii").entities)
    # [lowercase_min_score] is validated the same way
    assert _spec(lowercase_min_score={"PERSON": 0.6}).lowercase_min_score == {"PERSON": 0.6}
    with pytest.raises(ValueError, match="lowercase_min_score: unknown entity type"):
        _spec(lowercase_min_score={"SECRET": 0.5})
    with pytest.raises(ValueError, match="lowercase_min_score: PERSON must be between 0 and 1"):
        _spec(lowercase_min_score={"PERSON": -0.1})


def test_a_short_lower_case_name_needs_its_own_score():
    from edge.runtime import is_lowercase_word
    from edge.types import Span

    def person(text: str, score: float) -> Span:
        return Span("PERSON", 0, len(text), score, text)

    assert is_lowercase_word("cargo") and is_lowercase_word("iade edildi")
    assert not is_lowercase_word("Maria") and not is_lowercase_word("room 12")
    assert not is_lowercase_word("张伟")  # no case in the script: never "lower-case"
    assert not is_lowercase_word("oh seven nine four six")  # long: a spoken number, kept
    spans = [person("cargo", 0.4), person("marta", 0.9), person("Cargo", 0.4)]
    kept = above_min_score(spans, {}, {"PERSON": 0.6})
    assert [s.text for s in kept] == ["marta", "Cargo"]  # capitals: only [min_score] applies
    assert above_min_score(spans, {}, {"ORGANIZATION": 0.6}) == spans  # another type's cut


TEXT = (
    "Maria Garcia from Acme GmbH called +1 415 555 0100 on 3 March 2024 about Lindenstrasse 4, "
    f"Berlin; card 4111 1111 1111 1111, IBAN {IBAN}, mail maria@acme.example"
)


def test_detect_drops_model_spans_under_their_type_minimum(pii_artifact, names_only):
    d = edge.load(pii_artifact, threads=1)  # random weights: spans of many types and scores
    raw = d.model_spans([TEXT])[0]
    scored = sorted({s.score for s in raw})
    assert len(scored) >= 2, "the tiny random model should give spans of several scores"
    cut = (scored[0] + scored[-1]) / 2
    label = next(s.label for s in raw if s.score < cut)
    d.configure_min_score({label: cut})
    kept = d.detect(TEXT, rules=False).spans
    lower = d.task.lowercase_min_score  # the spec's own cut for short lower-case names stays
    expected = [s for s in above_min_score(raw, {}, lower) if s.label != label or s.score >= cut]
    assert [(s.label, s.start, s.end) for s in kept] == [
        (s.label, s.start, s.end) for s in expected
    ]
    assert len(kept) < len(raw)
    with pytest.raises(SpecError, match="min_score"):
        d.configure_min_score({"PERSON": -0.1})
    assert d.min_score == {label: cut}  # a refused change leaves the thresholds as they were
    # rule matches are judged by their own scores: the IBAN stays when the model's PERSON goes
    o = edge.load(names_only, threads=1)
    text = f"Maria Garcia paid from {IBAN}"
    assert [s.label for s in o.detect(text).spans] == ["PERSON", "IBAN_CODE"]
    o.configure_min_score({"PERSON": 1.0, "IBAN_CODE": 1.0})
    person = [s for s in o.model_spans([text])[0] if s.label == "PERSON"]
    if person[0].score < 1.0:  # float32 softmax may saturate at exactly 1.0
        assert [s.label for s in o.detect(text).spans] == ["IBAN_CODE"]
    o.configure_min_score(None)
    assert o.min_score == {}


def test_cloud_redactor_ignores_the_thresholds(pii_artifact):
    """Redaction before a cloud call prefers recall: what the detector leaves out under its
    thresholds is still redacted."""
    d = edge.load(pii_artifact, threads=1)
    raw = d.model_spans([TEXT])[0]
    d.configure_min_score(dict.fromkeys(d.task.entities, 1.0))
    assert len(d.detect(TEXT, rules=False).spans) < len(raw)
    covered = {i for s in Redactor(d).redact(TEXT).spans for i in range(s.start, s.end)}
    assert {i for s in raw for i in range(s.start, s.end)} <= covered


def test_search_raises_a_cut_only_where_it_helps(names_only):
    d = edge.load(names_only, threads=1)
    texts = [
        f"Maria paid from {IBAN}",
        "garcia is a grape",
        "a garcia tart, a maria biscuit",
        "ask Maria Garcia",
    ]
    gold = [
        [{"start": 16, "end": 16 + len(IBAN), "label": "IBAN_CODE"}],
        [],
        [],
        [{"start": 4, "end": 16, "label": "PERSON"}],
    ]
    search = thresholds.ThresholdSearch(d, texts, gold)
    score = max(s.score for spans in search.raw for s in spans)
    # every PERSON span here has the oracle's one score: a cut above it loses the real name too,
    # so recall would drop and the search must keep PERSON uncut; the lower-case false names
    # ("garcia", "maria") go by a cut of their own, which keeps the capitalised real one
    chosen, fig = search.search(grid=(0.0, score + 1e-6))
    assert chosen == {thresholds.LOWER + "PERSON": pytest.approx(score + 1e-6)}
    assert fig["f1_after"] > fig["f1_before"]
    assert fig["any_type_recall_after"] == fig["any_type_recall_before"]
    # allowed to trade that recall away, it cuts PERSON: four false names go, F1 rises
    chosen, fig = search.search(grid=(0.0, score + 1e-6), max_recall_drop=1.0)
    assert chosen == {"PERSON": pytest.approx(score + 1e-6)}
    assert fig["f1_after"] > fig["f1_before"]
    assert fig["any_type_recall_after"] < fig["any_type_recall_before"]
    # a recall floor instead of a drop: at the start's own recall nothing may leak (PERSON
    # stays uncut, as first); a floor of 0 lets the cut through
    start_recall = fig["any_type_recall_before"]
    chosen, fig = search.search(grid=(0.0, score + 1e-6), min_recall=start_recall)
    assert chosen == {thresholds.LOWER + "PERSON": pytest.approx(score + 1e-6)}
    chosen, fig = search.search(grid=(0.0, score + 1e-6), min_recall=0.0)
    assert chosen == {"PERSON": pytest.approx(score + 1e-6)}


def test_write_section_replaces_or_appends_and_validates(tmp_path):
    spec = tmp_path / "pii.toml"
    shutil.copy(specs_dir() / "tasks" / "pii.toml", spec)
    note = "chosen here"
    thresholds.write_section(spec, thresholds.toml_section({"PERSON": 0.8}, note))
    assert load_task_spec(spec).min_score == {"PERSON": 0.8}
    thresholds.write_section(spec, thresholds.toml_section({"URL": 0.6}, note))
    text = spec.read_text(encoding="utf-8")
    assert text.count("[min_score]") == 1 and text.count("# chosen here") == 1
    assert load_task_spec(spec).min_score == {"URL": 0.6}
    lower = thresholds.join_cuts({"PERSON": 0.6}, {"PERSON": 0.7})
    thresholds.write_section(spec, thresholds.toml_section(lower, note))
    text = spec.read_text(encoding="utf-8")
    assert text.count("[min_score]") == 1 and text.count("[lowercase_min_score]") == 1
    assert load_task_spec(spec).min_score == {"PERSON": 0.6}
    assert load_task_spec(spec).lowercase_min_score == {"PERSON": 0.7}
    thresholds.write_section(spec, thresholds.toml_section({"URL": 0.6}, note))  # both replaced
    assert "[lowercase_min_score]" not in spec.read_text(encoding="utf-8")
    assert load_task_spec(spec).lowercase_min_score == {}
    before = spec.read_bytes()
    with pytest.raises(SpecError, match="unknown entity type"):
        thresholds.write_section(spec, thresholds.toml_section({"NOPE": 0.6}, note))
    assert spec.read_bytes() == before  # nothing written when the result would not validate


def test_cli_refuses_the_test_part(capsys):
    assert thresholds_cli.main(["--model", "unused", "--data", "independent-test"]) == 2
    assert "only reports" in capsys.readouterr().err


def test_a_default_model_builds_with_its_own_cuts(tmp_path, monkeypatch):
    """pii and pii-fast share the task spec; a default model's own cuts file replaces the
    spec's two tables in its build (and so in ``is_current``'s comparison) and nowhere else."""
    from quantize import defaults

    for name in defaults.DEFAULT_MODELS:
        (tmp_path / name).mkdir()
    monkeypatch.setattr(defaults, "ADAPTERS_DIR", tmp_path)
    cuts = tmp_path / "pii-fast" / defaults.CUTS_FILE
    spec = load_task_spec("pii")
    section = thresholds.toml_section(thresholds.join_cuts({"URL": 0.6}, {"PERSON": 0.7}), "n")
    thresholds.write_cuts(cuts, section, spec)
    own = defaults.default_task_spec("pii-fast")
    assert own.min_score == {"URL": 0.6} and own.lowercase_min_score == {"PERSON": 0.7}
    assert own.model_dump(exclude=set(thresholds.CUT_TABLES)) == spec.model_dump(
        exclude=set(thresholds.CUT_TABLES)
    )
    assert defaults.default_task_spec("pii") == spec  # no file: the task spec's own tables
    thresholds.write_cuts(cuts, thresholds.toml_section({"URL": 0.5}, "n"), spec)
    assert defaults.default_task_spec("pii-fast").lowercase_min_score == {}  # a table left out
    before = cuts.read_bytes()
    with pytest.raises(SpecError, match="unknown entity type"):
        thresholds.write_cuts(cuts, thresholds.toml_section({"NOPE": 0.5}, "n"), spec)
    assert cuts.read_bytes() == before  # nothing written that would not validate
    cuts.write_text("max_length = 64\n[min_score]\nURL = 0.5\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"only \[min_score\] and .* not max_length"):
        defaults.default_task_spec("pii-fast")
    cuts.write_text("[min_score\n", encoding="utf-8")
    with pytest.raises(SpecError, match="cannot read the cuts file"):
        defaults.default_task_spec("pii-fast")
