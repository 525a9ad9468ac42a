"""Policy-gated cloud fallback against a REAL local HTTP server (127.0.0.1 only).

The server speaks the OpenAI chat-completions shape and records every byte it receives (request
line, headers, body: the socket's read side is teed), so the privacy claims are checked on the
wire, not on what the client meant to send.
"""

from __future__ import annotations

import json
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import edge
from edge.cli import main
from edge.errors import FallbackError, SpecError
from edge.policy import Policy, load_policy
from edge.router import Router
from edge.spans import merge_spans
from edge.types import Span

# -- the fake LLM server ---------------------------------------------------------------------


class _Tee:
    """Wraps the handler's rfile: every byte read from the socket is also kept."""

    def __init__(self, raw, sink: bytearray, lock: threading.Lock):
        self._raw, self._sink, self._lock = raw, sink, lock

    def _keep(self, data: bytes) -> bytes:
        with self._lock:
            self._sink.extend(data)
        return data

    def readline(self, *args):
        return self._keep(self._raw.readline(*args))

    def read(self, *args):
        return self._keep(self._raw.read(*args))

    def __getattr__(self, name):
        return getattr(self._raw, name)


class FakeLLM:
    """Modes: ok, wrong_label, malformed, http500, slow (sleeps ``delay`` then answers ok)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.label = "weather"
        self.delay = 2.0
        self.requests: list[dict] = []
        self.wire = bytearray()
        self.lock = threading.Lock()
        self.url = ""

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def reset(self, mode: str = "ok") -> None:
        with self.lock:
            self.mode, self.requests, self.wire = mode, [], bytearray()


def _make_handler(fake: FakeLLM):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.rfile = _Tee(self.rfile, fake.wire, fake.lock)

        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, obj: object) -> None:
            body = json.dumps(obj).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with fake.lock:
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                mode = fake.mode
            if mode == "http500":
                return self._send(500, {"error": {"message": "boom"}})
            if mode == "slow":
                time.sleep(fake.delay)
            content = {
                "ok": json.dumps({"label": fake.label, "confidence": 0.93}),
                "slow": json.dumps({"label": fake.label, "confidence": 0.93}),
                "wrong_label": json.dumps({"label": "order_pizza", "confidence": 0.99}),
                "malformed": 'Sure! {"label": weather',
            }[mode]
            self._send(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "model": "fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                },
            )

    return Handler


@pytest.fixture(scope="module")
def server():
    fake = FakeLLM()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(fake))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/chat/completions"
    yield fake
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def llm(server, monkeypatch):
    server.reset("ok")
    monkeypatch.delenv("EDGE_OFFLINE", raising=False)
    return server


# -- models and policies ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def intent_model(intent_artifact):
    return edge.load(intent_artifact, threads=1)


@pytest.fixture(scope="module")
def pii_model(oracle_artifact):
    return edge.load(oracle_artifact, threads=1)


def _toml(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str | list):
        return json.dumps(v)
    return repr(v)


def write_policy(folder: Path, url: str | None, name: str = "test", **intent: object) -> Path:
    """A policy file; ``intent`` keys go to [intent], ``endpoint_*`` keys to [intent.endpoint]."""
    endpoint = {k[9:]: intent.pop(k) for k in list(intent) if k.startswith("endpoint_")}
    lines = [f'name = "{name}"', "[intent]"]
    intent.setdefault("fallback", "always")
    intent.setdefault("retries", 0)
    intent.setdefault("backoff_s", 0.01)
    intent.setdefault("timeout_s", 2.0)
    intent.setdefault("max_requests_per_minute", 10_000)
    intent.setdefault("max_requests_per_day", 10_000)
    lines += [f"{k} = {_toml(v)}" for k, v in intent.items()]
    if url is not None:
        endpoint.setdefault("url", url)
        endpoint.setdefault("model", "fake-model")
        endpoint.setdefault("json_mode", True)
        lines.append("[intent.endpoint]")
        lines += [f"{k} = {_toml(v)}" for k, v in endpoint.items()]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_router(intent_model, pii_model, tmp_path, policy, **kw) -> Router:
    kw.setdefault("audit_path", tmp_path / "audit.jsonl")
    return Router(intent_model, pii_model, load_policy(policy), **kw)


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


TEXTS = [
    "book a table for two tonight",
    "what is the weather in oslo",
    "play some music please",
    "reserve dinner at eight",
    "will it rain tomorrow",
    "put on my jazz playlist",
]

# -- policies --------------------------------------------------------------------------------


def test_default_policy_is_never_and_no_policy_sends_nothing(llm, intent_model, tmp_path):
    assert load_policy("default").intent.fallback == "never"
    assert load_policy(None).intent.fallback == "never"
    for policy in ("default", None):
        audit = tmp_path / f"{policy}.jsonl"
        router = Router(intent_model, None, policy, audit_path=audit)
        results = router.classify(TEXTS)
        assert all(r.source == "local" and not r.degraded for r in results)
        assert {r.reason for r in results} == {"policy_never"}
        assert len(audit_lines(audit)) == len(TEXTS)
    assert llm.count == 0 and not llm.wire


def test_never_policy_file_sends_nothing(llm, intent_model, pii_model, tmp_path):
    path = write_policy(tmp_path, llm.url, fallback="never", retries=3)
    router = make_router(intent_model, pii_model, tmp_path, path)
    router.classify(TEXTS)
    assert llm.count == 0


def test_offline_switch_wins_over_always(llm, intent_model, pii_model, tmp_path, monkeypatch):
    router = make_router(intent_model, pii_model, tmp_path, write_policy(tmp_path, llm.url))
    monkeypatch.setenv("EDGE_OFFLINE", "1")
    results = router.classify(TEXTS)
    assert llm.count == 0 and not llm.wire
    assert {(r.source, r.outcome, r.degraded) for r in results} == {("local", "offline", False)}
    lines = audit_lines(tmp_path / "audit.jsonl")
    assert [x["decision"] for x in lines] == ["blocked"] * len(TEXTS)
    monkeypatch.setenv("EDGE_OFFLINE", "0")
    assert router.classify(TEXTS[0]).source == "cloud" and llm.count == 1


def test_low_confidence_sends_only_below_threshold(llm, intent_model, pii_model, tmp_path):
    confs = [intent_model.classify(t).confidence for t in TEXTS]
    ranked = sorted(confs)
    k = len(ranked) // 2
    assert ranked[k - 1] < ranked[k], f"need distinct confidences, got {confs}"
    threshold = (ranked[k - 1] + ranked[k]) / 2
    expected = [c < threshold for c in confs]
    assert 0 < sum(expected) < len(TEXTS)
    path = write_policy(tmp_path, llm.url, fallback="low_confidence", threshold=threshold)
    results = make_router(intent_model, pii_model, tmp_path, path).classify(TEXTS)
    assert llm.count == sum(expected)
    for r, went, c in zip(results, expected, confs, strict=True):
        assert r.local_confidence == pytest.approx(c)
        if went:
            assert (r.source, r.reason, r.label, r.cloud_confidence) == (
                "cloud",
                "low_confidence",
                "weather",
                0.93,
            )
        else:
            assert (r.source, r.reason, r.outcome) == ("local", "confident", "not_needed")
    sent = [json.loads(q["body"])["messages"][1]["content"] for q in llm.requests]
    assert sent == [t for t, went in zip(TEXTS, expected, strict=True) if went]


# -- privacy ---------------------------------------------------------------------------------

NAMES = ["Maria Garcia", "maria garcia", "MARIA GARCIA", "Garcia, Maria"]
EMAILS = ["maria.garcia@example.com", "j.smith+work@mail.example.org", "ops@corp-internal.net"]
IBANS = ["DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"]
CARDS = ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "4242424242424242"]
SSNS = ["536-22-1234", "287-65-4320", "401-33-7788"]
PHONES = ["+1 415 555 0132", "(415) 555-0198", "+44 20 7946 0958", "415-555-0175"]
TEMPLATES = [
    "Hi, I'm {name}, book a table for two tonight, call me on {phone}",
    "{name} here: what's the weather tomorrow? my email is {email}",
    "play some jazz for {name}, card {card} is on file",
    "please book a table, pay with {card}, my SSN is {ssn}",
    "wire the deposit to {iban} and then play music",
    "my social security number is {ssn} and my name is {name}, weather?",
    "email {email} the reservation and text {phone}",
    "{name} {phone} {email} {iban} {card} {ssn}",
    "Reservation for {name} ({email}), IBAN {iban}, book a table",
    "will it rain? send it to {phone} or {email}",
]


def pii_corpus() -> list[tuple[str, list[str]]]:
    """60 texts, each with the PII values inserted into it."""
    out = []
    for i in range(60):
        values = {
            "name": NAMES[i % len(NAMES)],
            "email": EMAILS[i % len(EMAILS)],
            "iban": IBANS[i % len(IBANS)],
            "card": CARDS[i % len(CARDS)],
            "ssn": SSNS[i % len(SSNS)],
            "phone": PHONES[i % len(PHONES)],
        }
        template = TEMPLATES[i % len(TEMPLATES)]
        used = [v for k, v in values.items() if "{" + k + "}" in template]
        out.append((template.format(**values), used))
    return out


def forms(value: str) -> set[bytes]:
    """The bytes a value could travel as: raw, JSON-escaped (ASCII or not), any case."""
    out = set()
    for v in (value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        out.add(v.lower().encode("utf-8"))
    # single name parts too: "maria" alone would already be a leak
    if value.lower().replace(",", "") in {n.lower().replace(",", "") for n in NAMES}:
        out |= {b"maria", b"garcia"}
    return out


def test_no_raw_pii_on_the_wire(llm, intent_model, pii_model, tmp_path):
    corpus = pii_corpus()
    assert len(corpus) >= 50
    path = write_policy(tmp_path, llm.url, log_redacted_text=True)
    router = make_router(intent_model, pii_model, tmp_path, path)
    results = router.classify([t for t, _ in corpus])
    assert llm.count == len(corpus)
    assert all(r.source == "cloud" for r in results)
    wire = bytes(llm.wire).lower()
    audit_bytes = (tmp_path / "audit.jsonl").read_bytes().lower()
    values = {v for _, used in corpus for v in used}
    leaked = sorted(v for v in values for f in forms(v) if f in wire)
    in_audit = sorted(v for v in values for f in forms(v) if f in audit_bytes)
    bodies = [q["body"].lower() for q in llm.requests]
    headers = [json.dumps(q["headers"]).lower().encode() for q in llm.requests]
    per_request = sum(1 for b in bodies + headers for v in values for f in forms(v) if f in b)
    print(
        f"\nprivacy: {len(corpus)} texts, {llm.count} requests, {len(values)} distinct values, "
        f"{len(wire)} bytes received, PII values found on the wire: {len(leaked)}"
    )
    assert leaked == [] and in_audit == [] and per_request == 0
    # redaction happened (placeholders went out), and each request carried one text
    sent = b"\n".join(bodies)
    for tag in (b"<person>", b"<email_address>", b"<iban_code>", b"<us_ssn>", b"<credit_card>"):
        assert tag in sent
    lines = audit_lines(tmp_path / "audit.jsonl")
    assert len(lines) == len(corpus)
    assert all(x["redacted_text"] and x["sent_sha256"] and x["pii_redacted"] for x in lines)


def test_allow_list_lets_only_that_type_out(llm, intent_model, pii_model, tmp_path):
    path = write_policy(tmp_path, llm.url, allow_pii=["EMAIL_ADDRESS"])
    router = make_router(intent_model, pii_model, tmp_path, path)
    router.classify("Maria Garcia, mail ops@corp-internal.net, card 4111 1111 1111 1111")
    body = llm.requests[0]["body"]
    assert b"ops@corp-internal.net" in body
    assert b"Maria" not in body and b"4111" not in body and b"<PERSON>" in body


def test_unknown_allow_type_is_refused(intent_model, pii_model, tmp_path, llm):
    path = write_policy(tmp_path, llm.url, allow_pii=["EMAIL"])
    with pytest.raises(SpecError, match="unknown PII types"):
        make_router(intent_model, pii_model, tmp_path, path)


def test_merge_covers_union_of_overlapping_spans():
    spans = [
        Span("PERSON", 0, 5, 0.99, "maria"),
        Span("PERSON", 6, 12, 0.99, "garcia"),
        Span("EMAIL_ADDRESS", 0, 24, 0.9, "maria.garcia@example.com", "rule:email"),
    ]
    merged = merge_spans(spans)
    assert [(s.label, s.start, s.end, s.text) for s in merged] == [("EMAIL_ADDRESS", 0, 24, "")]


# -- failures degrade ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        ("wrong_label", "unknown_label"),
        ("malformed", "invalid_answer"),
        ("http500", "http_error"),
        ("slow", "timeout"),
    ],
)
def test_failures_degrade_to_local(llm, intent_model, pii_model, tmp_path, mode, outcome):
    llm.reset(mode)
    path = write_policy(tmp_path, llm.url, timeout_s=0.3)
    router = make_router(intent_model, pii_model, tmp_path, path)
    local = intent_model.classify(TEXTS[1])
    r = router.classify(TEXTS[1])
    assert (r.source, r.degraded, r.outcome, r.reason) == ("local", True, outcome, "always")
    assert (r.label, r.confidence) == (local.label, local.confidence)
    assert r.attempts == 1 and llm.count == 1
    (line,) = audit_lines(tmp_path / "audit.jsonl")
    assert (line["decision"], line["outcome"], line["degraded"]) == ("sent", outcome, True)
    strict = make_router(intent_model, pii_model, tmp_path, path, raise_on_cloud_error=True)
    with pytest.raises(FallbackError) as err:
        strict.classify(TEXTS[1])
    assert err.value.outcome == outcome and err.value.exit_code == 9


def test_retries_and_backoff_honoured(llm, intent_model, pii_model, tmp_path):
    llm.reset("http500")
    sleeps: list[float] = []
    path = write_policy(tmp_path, llm.url, retries=2, backoff_s=0.05)
    router = make_router(intent_model, pii_model, tmp_path, path, sleep=sleeps.append)
    r = router.classify(TEXTS[0])
    assert llm.count == 3 and r.attempts == 3 and r.outcome == "http_error"
    assert sleeps == [0.05, 0.1]
    llm.reset("malformed")  # a bad answer is not retried: it would only spend budget
    assert router.classify(TEXTS[0]).attempts == 1 and llm.count == 1
    llm.reset("slow")
    path = write_policy(tmp_path, llm.url, name="t2", retries=1, timeout_s=0.2, backoff_s=0)
    r = make_router(intent_model, pii_model, tmp_path, path).classify(TEXTS[0])
    assert (r.outcome, r.attempts, llm.count) == ("timeout", 2, 2)


class _Broken:
    """An intent model whose inference fails (a corrupt runtime, say)."""

    def __init__(self, model):
        self.labels, self.task = model.labels, model.task

    def classify(self, *args, **kwargs):
        raise RuntimeError("onnxruntime failed")


def test_error_mode_falls_back_only_when_local_fails(llm, intent_model, pii_model, tmp_path):
    path = write_policy(tmp_path, llm.url, fallback="error")
    r = make_router(intent_model, pii_model, tmp_path, path).classify(TEXTS[0])
    assert (r.source, r.reason, llm.count) == ("local", "no_local_error", 0)
    r = make_router(_Broken(intent_model), pii_model, tmp_path, path).classify(TEXTS[0])
    assert (r.source, r.reason, r.label, r.local_label) == ("cloud", "local_error", "weather", None)
    llm.reset("http500")  # no local answer to degrade to: the local error is what the caller sees
    with pytest.raises(RuntimeError, match="onnxruntime failed"):
        make_router(_Broken(intent_model), pii_model, tmp_path, path).classify(TEXTS[0])


# -- caps ------------------------------------------------------------------------------------


def test_daily_budget_holds_across_router_instances(llm, intent_model, pii_model, tmp_path):
    path = write_policy(tmp_path, llm.url, max_requests_per_day=3)
    results = make_router(intent_model, pii_model, tmp_path, path).classify(TEXTS[:5])
    assert llm.count == 3
    assert [r.outcome for r in results] == ["ok"] * 3 + ["budget_exhausted"] * 2
    assert all(r.degraded for r in results[3:])
    again = make_router(intent_model, pii_model, tmp_path, path).classify(TEXTS[:2])
    assert llm.count == 3 and {r.outcome for r in again} == {"budget_exhausted"}
    state = tmp_path / "audit.state.json"
    assert json.loads(state.read_text())["test:intent"]["count"] == 3
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    lines = audit_lines(tmp_path / "audit.jsonl")
    assert len(lines) == 7 and [x["decision"] for x in lines[3:]] == ["blocked"] * 4


def test_retries_spend_budget(llm, intent_model, pii_model, tmp_path):
    llm.reset("http500")
    path = write_policy(tmp_path, llm.url, retries=5, max_requests_per_day=2)
    r = make_router(intent_model, pii_model, tmp_path, path, sleep=lambda s: None).classify("hi")
    assert llm.count == 2 and r.attempts == 2 and r.outcome == "budget_exhausted"


def test_rate_cap_per_minute(llm, intent_model, pii_model, tmp_path):
    now = [1_700_000_000.0]
    path = write_policy(tmp_path, llm.url, max_requests_per_minute=2)
    router = make_router(intent_model, pii_model, tmp_path, path, clock=lambda: now[0])
    results = router.classify(TEXTS[:3])
    assert llm.count == 2 and results[2].outcome == "rate_limited" and results[2].degraded
    now[0] += 30
    assert make_router(intent_model, pii_model, tmp_path, path, clock=lambda: now[0]).classify(
        "hi"
    ).outcome == ("rate_limited")
    now[0] += 31
    assert router.classify("hi").outcome == "ok" and llm.count == 3


# -- API key and audit -----------------------------------------------------------------------


def test_api_key_from_env_as_bearer_never_logged(
    llm, intent_model, pii_model, tmp_path, monkeypatch
):
    key = "sk-test-0123456789abcdef-SECRET"
    path = write_policy(
        tmp_path, llm.url, endpoint_api_key_env="EDGE_TEST_API_KEY", keep_results=True
    )
    monkeypatch.delenv("EDGE_TEST_API_KEY", raising=False)
    router = make_router(intent_model, pii_model, tmp_path, path)
    r = router.classify(TEXTS[0])
    assert (r.outcome, r.degraded, llm.count) == ("no_api_key", True, 0)
    monkeypatch.setenv("EDGE_TEST_API_KEY", key)
    assert router.classify(TEXTS[0]).source == "cloud"
    (req,) = llm.requests
    assert req["headers"]["Authorization"] == f"Bearer {key}"
    assert req["path"] == "/v1/chat/completions"
    for f in tmp_path.iterdir():
        assert key.encode() not in f.read_bytes(), f
    assert key not in path.read_text()


def test_audit_log_mode_fields_and_one_line_per_decision(llm, intent_model, pii_model, tmp_path):
    path = write_policy(tmp_path, llm.url)  # log_redacted_text defaults to false
    router = make_router(intent_model, pii_model, tmp_path, path)
    router.classify(["Maria Garcia wants the weather", "play music"])
    audit = tmp_path / "audit.jsonl"
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    lines = audit_lines(audit)
    assert len(lines) == 2
    first = lines[0]
    for key in ("time", "task", "decision", "policy", "sent_sha256", "latency_ms", "outcome"):
        assert key in first
    assert (first["task"], first["policy"], first["decision"]) == ("intent", "test", "sent")
    assert first["redacted_text"] is None and first["pii_redacted"] == {"PERSON": 1}
    assert b"maria" not in audit.read_bytes().lower()
    assert first["endpoint"].startswith("127.0.0.1:")
    # O_APPEND: a second router appends, never truncates
    make_router(intent_model, pii_model, tmp_path, path).classify("play music")
    assert len(audit_lines(audit)) == 3


def test_kept_results_are_training_records(llm, intent_model, pii_model, tmp_path, intent_spec):
    from quantize.data import load_records

    path = write_policy(tmp_path, llm.url, keep_results=True)
    store = tmp_path / "kept.jsonl"
    router = make_router(intent_model, pii_model, tmp_path, path, fallback_store_path=store)
    router.classify(["Maria Garcia wants the weather", "call 555 0132 for weather"])
    records = load_records(store, intent_spec)
    assert records == [
        {"text": "<PERSON> wants the weather", "label": "weather"},
        {"text": "call <PHONE_NUMBER> for weather", "label": "weather"},
    ]
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


# -- policy validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        (
            '[intent]\nfallback="always"\n[intent.endpoint]\nurl="https://x.io/v1"\nmodel="m"\n'
            'api_key="sk-1"\n',
            "api_key_env",
        ),
        ('[intent]\nfallback="low_confidence"\n', "needs a `threshold`"),
        ('[intent]\nfallback="always"\n', "needs an \\[endpoint\\]"),
        (
            '[intent]\nfallback="always"\n[intent.endpoint]\nurl="http://api.example.com/v1"\n'
            'model="m"\n',
            "plain http",
        ),
        ('[pii]\nfallback="always"\n', "PII detection does not leave"),
        ('[intent]\nfallback="sometimes"\n', "intent.fallback"),
        ('[intent]\nfalback="never"\n', "unknown key"),
    ],
)
def test_bad_policies_are_refused_clearly(tmp_path, body, pattern):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SpecError, match=pattern) as err:
        load_policy(path)
    assert str(path) in str(err.value)


def test_unknown_policy_name_lists_known():
    with pytest.raises(SpecError, match=r"known: .*default"):
        load_policy("no-such-policy")


def test_policy_without_name_takes_file_stem(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[intent]\nfallback = "never"\n', encoding="utf-8")
    assert load_policy(path).name == "mine"
    assert isinstance(load_policy(path), Policy)


# -- CLI -------------------------------------------------------------------------------------


def test_cli_intent_with_policy(llm, intent_artifact, oracle_artifact, tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_HOME", str(tmp_path / "home"))
    path = write_policy(tmp_path, llm.url)
    audit = tmp_path / "cli-audit.jsonl"
    args = ["intent", "--model", str(intent_artifact), "--pii-model", str(oracle_artifact)]
    args += ["--policy", str(path), "--audit-log", str(audit), "--json"]
    r = CliRunner().invoke(main, [*args, "Maria Garcia wants the weather"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output)
    assert (obj["source"], obj["degraded"], obj["reason"], obj["label"]) == (
        "cloud",
        False,
        "always",
        "weather",
    )
    assert len(audit_lines(audit)) == 1 and llm.count == 1
    r = CliRunner().invoke(main, ["intent", "--model", str(intent_artifact), "--policy", "default"])
    assert r.exit_code != 0  # no text: usage error, before any policy work
    r = CliRunner().invoke(
        main, ["intent", "--model", str(intent_artifact), "--policy", "default", "play music"]
    )
    assert r.exit_code == 0 and "[local: policy_never, not_needed]" in r.output
    assert (tmp_path / "home" / "audit.jsonl").is_file() and llm.count == 1
    r = CliRunner().invoke(
        main, ["intent", "--model", str(intent_artifact), "--audit-log", str(audit), "x"]
    )
    assert r.exit_code == 2 and "go with --policy" in r.output
    assert "--from-fallbacks" in CliRunner().invoke(main, ["train", "--help"]).output
