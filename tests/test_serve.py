"""`edge serve` against a real uvicorn server on 127.0.0.1 (tiny models from conftest).

The clients here are plain httpx calls written as for Presidio's REST API (same paths, same
bodies), plus the bearer header the service requires.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import edge
from edge.serve import Limits, ThreadedServer, build_service, create_app

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROOT = Path(__file__).resolve().parents[1]
TEXT = "Hi, I'm Maria Garcia, call 5550132"
LIMITS = Limits(max_body_bytes=20_000, max_texts=4, max_chars=500, max_queue=8, timeout=20)


class Gated:
    """A real model whose calls wait for ``gate``: lets a test hold the worker busy."""

    def __init__(self, model, gate: threading.Event):
        self._model, self._gate = model, gate
        self.calls: list[int] = []

    def __getattr__(self, name):
        return getattr(self._model, name)

    def detect(self, texts, **kw):
        self._gate.wait(30)
        self.calls.append(len(texts))
        return self._model.detect(texts, **kw)


@pytest.fixture(scope="module")
def models(oracle_artifact, intent_artifact):
    return {
        "pii": edge.load(oracle_artifact, threads=1),
        "intent": edge.load(intent_artifact, threads=1),
    }


@pytest.fixture(scope="module")
def server(models):
    svc = build_service(models, token=TOKEN, limits=LIMITS)
    with ThreadedServer(create_app(svc)) as s:
        s.service = svc
        yield s


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- auth -------------------------------------------------------------------------------------


def test_health_needs_no_token_everything_else_does(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.text == "edge service is up"
    for method, path in [("POST", "/analyze"), ("GET", "/metrics"), ("GET", "/v1/health")]:
        r = client.request(method, path, json={"text": TEXT, "language": "en"})
        assert r.status_code == 401, path
        assert "bearer token" in r.json()["error"]
        assert r.headers["www-authenticate"] == "Bearer"
        wrong = {"Authorization": f"Bearer {TOKEN[:-1]}x"}
        r = client.request(method, path, json={"text": TEXT, "language": "en"}, headers=wrong)
        assert r.status_code == 401, path
    assert client.get("/v1/health", headers=AUTH).json()["status"] == "ok"


def test_token_file_is_created_private_and_reused(tmp_path):
    from edge.serve.auth import TokenFileError, load_or_create_token

    path = tmp_path / "home" / "serve.token"
    token, created = load_or_create_token(path)
    assert created and len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(path) == (token, False)
    path.chmod(0o644)
    with pytest.raises(TokenFileError, match="chmod 600"):
        load_or_create_token(path)


# -- Presidio-compatible API ------------------------------------------------------------------


def test_analyze_answers_in_presidios_shape(client, models):
    r = client.post("/analyze", json={"text": TEXT, "language": "en"}, headers=AUTH)
    assert r.status_code == 200
    results = r.json()
    expected = models["pii"].detect(TEXT).spans
    assert [(x["entity_type"], x["start"], x["end"]) for x in results] == [
        (s.label, s.start, s.end) for s in expected
    ]
    assert ("PERSON", 8, 20) in [(x["entity_type"], x["start"], x["end"]) for x in results]
    for item in results:  # Presidio's lean response: these keys, no explanation
        assert set(item) == {"analysis_explanation", "end", "entity_type", "score", "start"}
        assert item["analysis_explanation"] is None and 0 <= item["score"] <= 1

    body = {
        "text": [TEXT, "nothing here"],
        "language": "en",
        "return_decision_process": True,
        "correlation_id": "abc-123",
    }
    r = client.post("/analyze", json=body, headers=AUTH)
    batch = r.json()
    assert r.headers["x-correlation-id"] == "abc-123"
    assert len(batch) == 2 and batch[0] and batch[1] == []
    blank = {"text": [TEXT, "   "], "language": "en"}  # Presidio answers [] for a blank text
    assert client.post("/analyze", json=blank, headers=AUTH).json()[1] == []
    expl = batch[0][0]["analysis_explanation"]
    try:  # the installed Presidio's own fields, where it is installed
        from presidio_analyzer import AnalysisExplanation

        fields = set(AnalysisExplanation("x", 0.5).to_dict())
    except ImportError:
        fields = {"recognizer", "pattern_name", "pattern", "original_score", "score",
                  "textual_explanation", "score_context_improvement", "supportive_context_word",
                  "validation_result"}  # fmt: skip
    assert set(expl) >= fields and expl["recognizer"] == "EdgeRecognizer"
    assert batch[0][0]["recognition_metadata"]["recognizer_name"] == "EdgeRecognizer"

    only = client.post(
        "/analyze",
        json={"text": TEXT, "language": "en", "entities": ["PHONE_NUMBER"]},
        headers=AUTH,
    ).json()
    assert only and {x["entity_type"] for x in only} == {"PHONE_NUMBER"}
    allowed = client.post(
        "/analyze",
        json={"text": TEXT, "language": "en", "allow_list": ["Maria Garcia"]},
        headers=AUTH,
    ).json()
    assert "PERSON" not in {x["entity_type"] for x in allowed}
    high = client.post(
        "/analyze", json={"text": TEXT, "language": "en", "score_threshold": 1.01}, headers=AUTH
    ).json()
    assert high == []


def test_analyze_rejects_what_it_cannot_do(client):
    r = client.post("/analyze", json={"text": TEXT}, headers=AUTH)
    assert r.status_code == 400 and "language" in r.json()["error"]
    r = client.post("/analyze", json={"text": TEXT, "language": "de"}, headers=AUTH)
    assert r.status_code == 400 and "'de'" in r.json()["error"]
    adhoc = [{"name": "zip", "supported_entity": "ZIP", "patterns": [{"regex": r"\d{5}"}]}]
    r = client.post(
        "/analyze", json={"text": TEXT, "language": "en", "ad_hoc_recognizers": adhoc}, headers=AUTH
    )
    assert r.status_code == 422 and "ad_hoc_recognizers" in r.json()["error"]
    r = client.post("/analyze", content=b"{not json", headers=AUTH)
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_supported_entities(client, models):
    r = client.get("/supportedentities", params={"language": "en"}, headers=AUTH)
    assert r.json() == sorted(models["pii"].task.entities)
    assert client.get("/recognizers", headers=AUTH).json() == ["EdgeRecognizer"]


PRESIDIO_DOC_TEXT = "hello world, my name is Jane Doe. My number is: 034453334"
PRESIDIO_DOC_RESULTS = [
    {"start": 24, "end": 32, "score": 0.8, "entity_type": "PERSON"},
    {"start": 48, "end": 57, "score": 0.95, "entity_type": "PHONE_NUMBER"},
]


def test_anonymize_takes_presidios_body(client):
    body = {  # Presidio's documented example ("Replace and Redact Anonymizers")
        "text": PRESIDIO_DOC_TEXT,
        "anonymizers": {
            "PERSON": {"type": "redact"},
            "PHONE_NUMBER": {"type": "replace", "new_value": "ANONYMIZED"},
        },
        "analyzer_results": PRESIDIO_DOC_RESULTS,
    }
    r = client.post("/anonymize", json=body, headers=AUTH)
    assert r.status_code == 200
    out = r.json()
    assert out["text"] == "hello world, my name is . My number is: ANONYMIZED"
    assert out["items"] == [  # Presidio lists them from the end of the text
        {"start": 40, "end": 50, "entity_type": "PHONE_NUMBER", "text": "ANONYMIZED",
         "operator": "replace", "score": 0.95},
        {"start": 24, "end": 24, "entity_type": "PERSON", "text": "", "operator": "redact",
         "score": 0.8},
    ]  # fmt: skip

    salt = "sixteen-bytes-salt"
    body["anonymizers"] = {
        "DEFAULT": {"type": "hash", "hash_type": "sha512", "salt": salt},
        "PHONE_NUMBER": {"type": "mask", "masking_char": "#", "chars_to_mask": 4, "from_end": True},
    }
    out = client.post("/anonymize", json=body, headers=AUTH).json()
    digest = hashlib.sha512(b"Jane Doe" + salt.encode()).hexdigest()
    assert out["text"] == f"hello world, my name is {digest}. My number is: 03445####"
    body["anonymizers"] = {"PERSON": {"type": "hash"}}  # no salt: a random one per value
    one, two = (client.post("/anonymize", json=body, headers=AUTH).json() for _ in range(2))
    assert one["items"][-1]["operator"] == "hash" and one["text"] != two["text"]
    body["anonymizers"] = {}
    out = client.post("/anonymize", json=body, headers=AUTH).json()
    assert out["text"] == "hello world, my name is <PERSON>. My number is: <PHONE_NUMBER>"


def test_encrypt_then_deanonymize_round_trip(client):
    pytest.importorskip("cryptography")
    key = "WmZq4t7w!z%C&F)J"  # Presidio's documented example key
    body = {
        "text": PRESIDIO_DOC_TEXT,
        "anonymizers": {"PERSON": {"type": "encrypt", "key": key}},
        "analyzer_results": PRESIDIO_DOC_RESULTS[:1],
    }
    out = client.post("/anonymize", json=body, headers=AUTH).json()
    item = out["items"][0]
    assert item["operator"] == "encrypt" and "Jane Doe" not in out["text"]
    back = client.post(
        "/deanonymize",
        json={
            "text": out["text"],
            "deanonymizers": {"PERSON": {"type": "decrypt", "key": key}},
            "anonymizer_results": [
                {"start": item["start"], "end": item["end"], "entity_type": "PERSON"}
            ],
        },
        headers=AUTH,
    ).json()
    assert back["text"] == PRESIDIO_DOC_TEXT
    assert back["items"] == [
        {"start": 24, "end": 32, "entity_type": "PERSON", "text": "Jane Doe", "operator": "decrypt",
         "score": None}
    ]  # fmt: skip
    body["anonymizers"]["PERSON"]["key"] = "short"
    r = client.post("/anonymize", json=body, headers=AUTH)
    assert r.status_code == 422 and "128, 192 or 256 bits" in r.json()["error"]


def test_anonymize_answers_as_presidios_own_engine(client):
    """The same bodies through presidio-anonymizer's AnonymizerEngine: the same answer, and
    ciphertext either side decrypts."""
    pytest.importorskip("cryptography")
    presidio = pytest.importorskip("presidio_anonymizer")
    from presidio_anonymizer.entities import OperatorConfig, OperatorResult, RecognizerResult

    key = "WmZq4t7w!z%C&F)J"
    anonymizers = {
        "PERSON": {"type": "mask", "masking_char": "*", "chars_to_mask": 3, "from_end": False},
        "PHONE_NUMBER": {"type": "hash", "hash_type": "sha256", "salt": "0123456789abcdef"},
        "EMAIL_ADDRESS": {"type": "keep"},
        "DEFAULT": {"type": "replace", "new_value": "<X>"},
    }
    text = "Jane Doe (jane@example.com) at 034453334, born 1980."
    results = [
        {"start": 0, "end": 8, "score": 0.8, "entity_type": "PERSON"},
        {"start": 10, "end": 26, "score": 0.9, "entity_type": "EMAIL_ADDRESS"},
        {"start": 31, "end": 40, "score": 0.95, "entity_type": "PHONE_NUMBER"},
        {"start": 47, "end": 51, "score": 0.6, "entity_type": "DATE_TIME"},
    ]
    ours = client.post(
        "/anonymize",
        json={"text": text, "anonymizers": anonymizers, "analyzer_results": results},
        headers=AUTH,
    ).json()
    theirs = presidio.AnonymizerEngine().anonymize(
        text=text,
        analyzer_results=[RecognizerResult.from_json(dict(r)) for r in results],
        operators={k: OperatorConfig.from_json(dict(v)) for k, v in anonymizers.items()},
    )
    assert ours == json.loads(theirs.to_json())

    encrypted = client.post(
        "/anonymize",
        json={
            "text": text,
            "anonymizers": {"PERSON": {"type": "encrypt", "key": key}},
            "analyzer_results": results[:1],
        },
        headers=AUTH,
    ).json()
    item = encrypted["items"][0]
    back = presidio.DeanonymizeEngine().deanonymize(
        text=encrypted["text"],
        entities=[OperatorResult(item["start"], item["end"], "PERSON")],
        operators={"DEFAULT": OperatorConfig("decrypt", {"key": key})},
    )
    assert back.text == text


def test_anonymize_errors_are_presidios(client):
    body = {
        "text": PRESIDIO_DOC_TEXT,
        "anonymizers": {"PERSON": {"type": "custom", "lambda": "lambda x: x"}},
        "analyzer_results": PRESIDIO_DOC_RESULTS,
    }
    r = client.post("/anonymize", json=body, headers=AUTH)
    assert r.status_code == 400 and "Custom type anonymizer is not supported" in r.json()["error"]
    body["anonymizers"] = {}
    body["analyzer_results"] = [{"start": 50, "end": 90, "score": 1, "entity_type": "PERSON"}]
    r = client.post("/anonymize", json=body, headers=AUTH)
    assert r.status_code == 422 and "text length is only 57" in r.json()["error"]


# -- edge's own API ---------------------------------------------------------------------------


def test_v1_pii_and_intent(client, models):
    r = client.post(
        "/v1/pii",
        json={"texts": [TEXT, "Maria again"], "operators": {"PERSON": "pseudonymize"}},
        headers=AUTH,
    )
    assert r.status_code == 200
    results = r.json()["results"]
    direct = models["pii"].detect([TEXT, "Maria again"])
    assert [x["redacted"] for x in results] == [d.redacted for d in direct]
    assert "<PERSON_1>" in results[0]["anonymized"]
    assert results[0]["pseudonyms"]["<PERSON_1>"] == "Maria Garcia"
    r = client.post(
        "/v1/pii", json={"texts": [TEXT], "operators": {"PERSON": "nope"}}, headers=AUTH
    )
    assert r.status_code == 422 and "operators" in r.json()["error"]

    texts = ["book a table for two", "what's the weather"]
    r = client.post("/v1/intent", json={"texts": texts, "top_k": 2}, headers=AUTH)
    got = r.json()["results"]
    want = models["intent"].classify(texts, top_k=2)
    assert [g["label"] for g in got] == [w.label for w in want]
    assert all(len(g["top_k"]) == 2 for g in got)
    assert "in_scope" in got[0]
    r = client.post("/v1/intent/routed", json={"texts": texts}, headers=AUTH)
    assert r.status_code == 404 and "--policy" in r.json()["error"]


def test_metrics_and_openapi(client):
    client.post("/v1/pii", json={"texts": [TEXT]}, headers=AUTH)
    text = client.get("/metrics", headers=AUTH).text
    assert 'edge_requests_total{method="POST",route="/v1/pii",status="200"}' in text
    assert 'edge_request_duration_seconds_bucket{route="/v1/pii",le="+Inf"}' in text
    assert 'edge_batch_size_texts_count{model="pii"}' in text
    assert 'edge_queue_depth_texts{model="pii"} 0' in text
    assert 'edge_model_info{model="pii",task="token-classification",variant="int8"' in text
    schema = client.get("/openapi.json", headers=AUTH).json()
    assert schema["openapi"].startswith("3.") and "/analyze" in schema["paths"]
    assert "/v1/intent/routed" in schema["paths"]


def test_intent_routed_through_a_policy(models, tmp_path):
    audit = tmp_path / "audit.jsonl"
    svc = build_service(models, token=TOKEN, policy="default", audit_log=str(audit))
    with ThreadedServer(create_app(svc)) as s:
        texts = ["book a table for two", "what's the weather"]
        r = httpx.post(f"{s.url}/v1/intent/routed", json={"texts": texts}, headers=AUTH)
    assert r.status_code == 200 and r.json()["policy"] == "default"
    got = r.json()["results"]
    want = models["intent"].classify(texts)
    assert [g["label"] for g in got] == [w.label for w in want]
    assert {(g["source"], g["reason"]) for g in got} == {("local", "policy_never")}
    assert len(audit.read_text().splitlines()) == 2  # every decision audited


# -- limits and overload ----------------------------------------------------------------------


def test_each_limit_answers_with_its_name(client):
    r = client.post("/v1/pii", content=b"x" * 30_000, headers=AUTH)
    assert r.status_code == 413 and r.json()["limit"] == {"name": "max_body_bytes", "value": 20_000}
    r = client.post("/v1/pii", json={"texts": ["a b"] * 5}, headers=AUTH)
    assert r.status_code == 413 and r.json()["limit"]["name"] == "max_texts"
    r = client.post("/v1/pii", json={"texts": ["word " * 101]}, headers=AUTH)
    assert r.status_code == 422 and r.json()["limit"] == {"name": "max_chars", "value": 500}
    assert "500" in r.json()["error"]
    r = client.post("/analyze", json={"text": "word " * 101, "language": "en"}, headers=AUTH)
    assert r.status_code == 422 and r.json()["limit"]["name"] == "max_chars"
    r = client.post("/v1/pii", json={"texts": ["  "]}, headers=AUTH)
    assert r.status_code == 422 and "empty" in r.json()["error"]


def test_full_queue_answers_503_then_everything_queued_completes(models):
    gate = threading.Event()
    gated = Gated(models["pii"], gate)
    limits = Limits(max_queue=3, max_batch=1, timeout=20)
    svc = build_service({"pii": gated}, token=TOKEN, limits=limits)
    with ThreadedServer(create_app(svc)) as s, ThreadPoolExecutor(8) as pool:

        def call():
            return httpx.post(f"{s.url}/v1/pii", json={"texts": [TEXT]}, headers=AUTH, timeout=30)

        running = [pool.submit(call)]  # taken by the worker, held at the gate
        deadline = time.monotonic() + 10
        while svc.batchers["pii"].queued or not running[0].running():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.1)
        running += [pool.submit(call) for _ in range(3)]  # fill the queue (3 texts)
        while svc.batchers["pii"].queued < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        t0 = time.monotonic()
        r = call()
        assert time.monotonic() - t0 < 2  # refused at once, no hang
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert r.json()["limit"] == {"name": "max_queue", "value": 3}
        gate.set()
        assert [f.result().status_code for f in running] == [200] * 4


def test_request_timeout_answers_504_and_the_worker_skips_it(models):
    gate = threading.Event()
    gated = Gated(models["pii"], gate)
    svc = build_service({"pii": gated}, token=TOKEN, limits=Limits(timeout=0.3, max_batch=1))
    with ThreadedServer(create_app(svc)) as s, ThreadPoolExecutor(2) as pool:

        def call():
            return httpx.post(f"{s.url}/v1/pii", json={"texts": [TEXT]}, headers=AUTH, timeout=30)

        first = pool.submit(call)  # held at the gate past its timeout
        while svc.batchers["pii"].queued or not first.running():
            time.sleep(0.01)
        time.sleep(0.05)
        second = call()  # queued behind it, times out while queued
        assert second.status_code == 504
        assert second.json()["limit"] == {"name": "timeout", "value": 0.3}
        assert first.result().status_code == 504
        gate.set()
        ok = call()
    assert ok.status_code == 200
    assert gated.calls == [1, 1]  # the queued request that timed out never reached the model


def test_concurrent_requests_share_one_batch_and_keep_their_answers(models):
    gate = threading.Event()
    gated = Gated(models["pii"], gate)
    svc = build_service({"pii": gated}, token=TOKEN, limits=Limits(max_batch=32))
    texts = [f"Maria call {i}{i}{i}" for i in range(6)] + [TEXT]
    with ThreadedServer(create_app(svc)) as s, ThreadPoolExecutor(8) as pool:

        def call(t):
            return httpx.post(f"{s.url}/v1/pii", json={"texts": [t]}, headers=AUTH, timeout=30)

        first = pool.submit(call, texts[0])
        while not svc.batchers["pii"]._last_jobs or not first.running():
            time.sleep(0.01)
        time.sleep(0.1)  # the first is at the gate; the others queue behind it
        rest = [pool.submit(call, t) for t in texts[1:]]
        while svc.batchers["pii"].queued < len(rest):
            time.sleep(0.01)
        gate.set()
        answers = [f.result().json()["results"][0] for f in [first, *rest]]
    assert gated.calls == [1, len(rest)]  # one call for all the queued requests
    alone = [models["pii"].detect(t) for t in texts]
    assert [a["redacted"] for a in answers] == [x.redacted for x in alone]


class Recording:
    """A real model that records each call's texts; ``fail_first`` makes the first call fail."""

    def __init__(self, model, fail_first: bool):
        self._model, self.fail_first = model, fail_first
        self.seen: list[list[str]] = []

    def __getattr__(self, name):
        return getattr(self._model, name)

    def detect(self, texts, **kw):
        self.seen.append(list(texts))
        if self.fail_first and len(self.seen) == 1:
            raise RuntimeError("warm-up failed")
        return self._model.detect(texts, **kw)


@pytest.mark.parametrize("fail_first", [False, True])
def test_warm_up_runs_before_the_first_request_and_may_fail(models, fail_first):
    from edge.serve.app import WARM_UP_TEXT

    rec = Recording(models["pii"], fail_first)
    svc = build_service({"pii": rec}, token=TOKEN)
    with ThreadedServer(create_app(svc), on_listening=svc.warm_up) as s:
        r = httpx.post(f"{s.url}/v1/pii", json={"texts": [TEXT]}, headers=AUTH, timeout=30)
    assert r.status_code == 200
    assert r.json()["results"][0]["redacted"] == models["pii"].detect(TEXT).redacted
    assert rec.seen == [[WARM_UP_TEXT], [TEXT]]
    cold = Recording(models["pii"], False)
    svc = build_service({"pii": cold}, token=TOKEN)  # no warm-up asked for
    with ThreadedServer(create_app(svc)) as s:
        httpx.post(f"{s.url}/v1/pii", json={"texts": [TEXT]}, headers=AUTH, timeout=30)
    assert cold.seen == [[TEXT]]


def test_the_rules_load_with_the_first_text_not_before_listening(models):
    """Loading a model and importing the routes leave the rule recognizers (about 70 ms of
    imports) and phonenumbers for the warm-up, after the service listens; the first detect
    loads them (a fresh interpreter: this one has them already)."""
    code = (
        "import sys, edge, edge.serve.app, edge.serve.server\n"
        f"m = edge.load({str(models['pii'].artifact_dir)!r})\n"
        "rules = lambda: sorted(n for n in sys.modules if n.split('.')[0] == 'phonenumbers'"
        " or n.startswith(('edge.recognizers', 'edge.fusion', 'edge.redaction')))\n"
        "print(rules())\n"
        "m.detect('call +44 20 7946 0958')\n"
        "print('edge.fusion' in rules(), 'phonenumbers' in rules())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert out.stdout.splitlines() == ["[]", "True True"], out.stdout + out.stderr


# -- the process: CLI, start time, SIGTERM drain, bind rules ----------------------------------


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ, EDGE_HOME=str(tmp_path / "home"), OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _wait_health(url: str, proc: subprocess.Popen, seconds: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return time.monotonic()
        except httpx.TransportError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"no /health within {seconds} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_cli_serves_health_within_a_second_and_writes_the_token(
    tmp_path, oracle_artifact, intent_artifact
):
    port = free_port()
    cmd = [sys.executable, "-m", "edge", "serve", "--port", str(port), "--threads", "1"]
    cmd += ["--model", str(oracle_artifact), "--model", str(intent_artifact)]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=_env(tmp_path), stderr=subprocess.PIPE, text=True)
    try:
        ready = _wait_health(f"http://127.0.0.1:{port}", proc, 30)
        cpu = cpu_seconds(proc.pid)
        token_file = tmp_path / "home" / "serve.token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        from edge.client import Client

        with Client(f"http://127.0.0.1:{port}", token_file=token_file) as c:
            assert c.pii([TEXT])["results"][0]["spans"]
            assert c.intent(["book a table"], top_k=1)["results"][0]["label"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        proc.kill()
    # The bar is /health within 1 s of start once the models are built; the README
    # reports it as benchmarks.serve_load measures it (real models, wall and CPU). Here the
    # suite shares 2 cores with other jobs, so wall time says little: the check is on the CPU
    # the process spent to get there (about 0.6 s idle, 1.0-1.2 s under a load of 10), with
    # room for a busy CI machine, so that a slow import or load added later fails it.
    print(f"/health after {ready - t0:.2f} s wall, {cpu:.2f} s CPU")
    assert cpu < 2.0, f"{cpu:.2f} s of CPU to answer /health ({ready - t0:.2f} s wall)"


DRAIN_SERVER = """
import pathlib, sys, time
import edge, uvicorn
from edge.serve import Bind, build_service, create_app
from edge.serve.server import run_server, uvicorn_config

model = edge.load(sys.argv[1], threads=1)
gate = pathlib.Path(sys.argv[3])

class Held:
    def __init__(self, m): self.m = m
    def __getattr__(self, k): return getattr(self.m, k)
    def detect(self, texts, **kw):
        while not gate.exists(): time.sleep(0.01)
        return self.m.detect(texts, **kw)

svc = build_service({"pii": Held(model)}, token=sys.argv[4])
run_server(uvicorn.Server(uvicorn_config(create_app(svc), Bind(port=int(sys.argv[2])))))
"""


def test_sigterm_drains_in_flight_requests(tmp_path, oracle_artifact, models):
    port, gate = free_port(), tmp_path / "gate"
    script = tmp_path / "drain_server.py"
    script.write_text(DRAIN_SERVER)
    cmd = [sys.executable, str(script), str(oracle_artifact), str(port), str(gate), TOKEN]
    proc = subprocess.Popen(cmd, env=_env(tmp_path), stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    texts = [f"Maria Garcia {i}" for i in range(6)]
    try:
        _wait_health(url, proc, 30)
        with ThreadPoolExecutor(len(texts)) as pool:
            futures = [
                pool.submit(
                    httpx.post, f"{url}/v1/pii", json={"texts": [t]}, headers=AUTH, timeout=30
                )
                for t in texts
            ]
            deadline = time.monotonic() + 10
            while True:  # all six received (plus this metrics request itself)
                m = httpx.get(f"{url}/metrics", headers=AUTH).text
                if f"edge_in_flight_requests {len(texts) + 1}" in m:
                    break
                assert time.monotonic() < deadline, m
                time.sleep(0.02)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            with pytest.raises(httpx.TransportError):  # no new connections while draining
                httpx.get(f"{url}/health", timeout=2)
            gate.touch()
            answers = [f.result() for f in futures]
        assert [a.status_code for a in answers] == [200] * len(texts)
        want = [r.redacted for r in models["pii"].detect(texts)]
        assert [a.json()["results"][0]["redacted"] for a in answers] == want
        assert proc.wait(20) == 0
    finally:
        proc.kill()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--host", "0.0.0.0"], "--allow-remote"),
        (["--host", "0.0.0.0", "--allow-remote"], "--tls-cert"),
        (["--tls-cert", "c.pem"], "both --tls-cert and --tls-key"),
    ],
)
def test_non_loopback_bind_needs_allow_remote_and_tls(tmp_path, args, message):
    from click.testing import CliRunner

    from edge.cli import main

    res = CliRunner().invoke(main, ["serve", *args], env={"EDGE_HOME": str(tmp_path)})
    assert res.exit_code == 3 and message in res.output
    assert not (tmp_path / "serve.token").exists()  # refused before anything was written


def test_unix_socket(tmp_path, models):
    import uvicorn

    from edge.serve import Bind
    from edge.serve.server import uvicorn_config

    path = str(tmp_path / "edge.sock")
    svc = build_service({"pii": models["pii"]}, token=TOKEN)
    server = uvicorn.Server(uvicorn_config(create_app(svc), Bind(socket=path)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        from edge.client import Client

        with Client(socket=path, token=TOKEN) as c:
            assert c.health() == "edge service is up"
            assert c.analyze(TEXT)[0]["entity_type"]
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_runtime_does_not_import_the_service():
    code = "import sys, edge, edge.cli; assert not {'starlette', 'uvicorn'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(Path("/nonexistent")))


def test_missing_default_model_names_the_remedy(tmp_path):
    from click.testing import CliRunner

    from edge.cli import main

    res = CliRunner().invoke(main, ["serve"], env={"EDGE_HOME": str(tmp_path)})
    assert res.exit_code == 5 and "make demo" in res.output
    assert not (tmp_path / "serve.token").exists()


# -- Presidio plugin --------------------------------------------------------------------------


def test_edge_recognizer_inside_a_real_analyzer_engine(models):
    pytest.importorskip("presidio_analyzer")
    from benchmarks.presidio_peer import PresidioTool, presidio_missing

    if presidio_missing():
        pytest.skip(presidio_missing())
    from edge.integrations.presidio import EdgeRecognizer

    engine = PresidioTool().engine
    recognizer = EdgeRecognizer(models["pii"], supported_entities=["PERSON", "PHONE_NUMBER"])
    engine.registry.add_recognizer(recognizer)
    text = "Please ask maria garcia about it"
    results = engine.analyze(text=text, language="en", return_decision_process=True)
    ours = [r for r in results if r.recognition_metadata["recognizer_name"] == "EdgeRecognizer"]
    assert ours, [r.to_dict() for r in results]
    assert any(text[r.start : r.end].lower() == "maria garcia" for r in ours)
    assert ours[0].analysis_explanation.recognizer == "EdgeRecognizer"
    assert "EdgeRecognizer" in [r.name for r in engine.get_recognizers("en")]
    json.dumps([r.to_dict() for r in results], default=lambda o: o.__dict__)


def test_a_failed_start_gives_the_caller_its_garbage_collector_back(tmp_path):
    """serve() pauses the collector while it starts; a start that fails (here: no model at the
    path) must not leave the calling process without one."""
    import gc

    from edge.errors import EdgeError
    from edge.serve import serve

    assert gc.isenabled()
    with pytest.raises(EdgeError, match="artifact folder not found"):
        serve([str(tmp_path / "no-such-model")], token_file=tmp_path / "serve.token")
    assert gc.isenabled()
