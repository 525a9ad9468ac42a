"""The HTTP routes: Presidio-compatible (/analyze, /anonymize, ...) and edge's own (/v1/...).

Handlers parse and check a request on the event loop, hand texts to the model's micro-batcher
and await the result: the loop never runs inference (see edge.serve.batching).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from edge.anonymize import Anonymizer
from edge.errors import EdgeError, InputError
from edge.runtime import IntentClassifier, PIIDetector
from edge.serve import presidio_api
from edge.serve.auth import PUBLIC, TokenCheck
from edge.serve.batching import Closed, MicroBatcher, Overloaded
from edge.serve.limits import HTTPError, Limits, check_texts, limit_error, read_json
from edge.serve.metrics import Metrics
from edge.serve.openapi import openapi_schema
from edge.specs import AnonymizeSpec, format_validation_error

HEALTH_TEXT = "edge service is up"
# Run once by each model's worker once the service listens (``Service.warm_up``): digits,
# an e-mail, a card, an address and a name reach the recognizers that set up on first use
# (phonenumbers' metadata, the rules' patterns) and onnxruntime's first run.
WARM_UP_TEXT = (
    "Maria Garcia, 221B Baker Street, London NW1 6XE: call +1 415 555 0132, mail "
    "maria@example.com, card 4111 1111 1111 1111, IP 192.168.10.24, on 3 March 2024."
)


@dataclass
class Service:
    """What the routes share: the models, their batchers, limits, metrics and the token."""

    pii: PIIDetector | None
    intent: IntentClassifier | None
    token: str
    limits: Limits = field(default_factory=Limits)
    router: Any = None
    """An ``edge.router.Router`` when started with ``--policy`` (``/v1/intent/routed``)."""
    metrics: Metrics = field(default_factory=Metrics)
    batchers: dict[str, MicroBatcher] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        lim = self.limits
        for name, model, run in (
            ("pii", self.pii, self._run_pii),
            ("intent", self.intent, self._run_intent),
        ):
            if model is None:
                continue
            self.batchers[name] = MicroBatcher(
                name,
                run,
                max_batch=lim.max_batch,
                max_wait=lim.max_wait_ms / 1000,
                max_queue=lim.max_queue,
                observe=lambda texts, jobs, s, name=name: self.metrics.batch_done(name, texts, s),
            )
            self.metrics.queue_depth[name] = lambda b=self.batchers[name]: b.queued
            self.metrics.models[name] = {
                "task": model.task.kind,
                "variant": model.variant,
                "artifact": str(model.artifact_dir),
            }

    # -- worker-thread functions (never on the loop) -------------------------------------------

    def _run_pii(self, texts: list[str], options: list[Any]) -> list[Any]:
        assert self.pii is not None
        return _grouped(texts, options, lambda ts, rules: self.pii.detect(ts, rules=rules))

    def _run_intent(self, texts: list[str], options: list[Any]) -> list[Any]:
        assert self.intent is not None
        top_k = max(o or 1 for o in options)  # one call; each request's list cut to its k
        return self.intent.classify(texts, top_k=top_k)

    async def run(self, name: str, texts: list[str], option: Any = None) -> list[Any]:
        batcher = self.batchers.get(name)
        if batcher is None:
            raise HTTPError(
                404, f"no {name} model is loaded; start `edge serve` with one (--model {name})"
            )
        try:
            fut = batcher.submit(texts, option)
        except Overloaded as e:
            raise HTTPError(
                503,
                str(e),
                headers={"Retry-After": str(e.retry_after)},
                limit={"name": "max_queue", "value": e.limit},
            ) from None
        except Closed as e:
            raise HTTPError(503, str(e), headers={"Retry-After": "1"}) from None
        try:
            return await asyncio.wait_for(fut, self.limits.timeout)
        except asyncio.TimeoutError:
            what = "no result in time"
            remedy = "the service is overloaded or the texts are long"
            raise limit_error(504, what, "timeout", self.limits.timeout, remedy) from None
        except InputError as e:
            raise HTTPError(422, str(e)) from None

    def warm_up(self) -> None:
        """Each model's worker runs ``WARM_UP_TEXT`` before its next request, off the loop.

        Why: measured, the first /v1/pii request after start took 100-200 ms against 10-17 ms
        for the next ones (the rules' patterns, phonenumbers' metadata and onnxruntime's first
        run are set up on first use). ``edge serve`` calls it once it listens, so /health is not
        slowed by it; a request arriving meanwhile waits for it.
        """
        for batcher in self.batchers.values():
            batcher.warm_up([WARM_UP_TEXT])

    def close(self) -> None:
        """Drain: every queued request still gets its answer, then the workers stop."""
        for b in self.batchers.values():
            b.close()
        if self.router is not None:
            self.router.close()


def _grouped(texts: list[str], options: list[Any], fn: Callable[[list[str], Any], Any]) -> list:
    """``fn`` once per distinct option, results put back in order (usually one call)."""
    if len(set(options)) <= 1:
        return list(fn(texts, options[0] if options else None))
    out: list[Any] = [None] * len(texts)
    for opt in dict.fromkeys(options):
        idx = [i for i, o in enumerate(options) if o == opt]
        for i, r in zip(idx, fn([texts[i] for i in idx], opt), strict=True):
            out[i] = r
    return out


def _service(request: Request) -> Service:
    return request.app.state.service


def _bool(body: dict, key: str, default: bool | None) -> bool | None:
    value = body.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise HTTPError(422, f'"{key}" must be true or false')
    return value


def _object(body: object) -> dict:
    if not isinstance(body, dict):
        raise HTTPError(422, "request body must be a JSON object")
    return body


# -- Presidio-compatible routes --------------------------------------------------------------


async def health(request: Request) -> Response:
    return PlainTextResponse(HEALTH_TEXT)


async def analyze(request: Request) -> Response:
    svc = _service(request)
    req = presidio_api.parse_analyze(await read_json(request, svc.limits))
    # Presidio answers [] for a blank text in a batch; edge's models refuse blank input.
    if len(req.texts) > svc.limits.max_texts:
        check_texts(req.texts, svc.limits, "text")  # raises the 413 naming the limit
    live = [i for i, t in enumerate(req.texts) if t.strip()]
    spans: list[list] = [[] for _ in req.texts]
    if live:
        texts = check_texts([req.texts[i] for i in live], svc.limits, "text")
        for i, res in zip(live, await svc.run("pii", texts, None), strict=True):
            spans[i] = res.spans
    name = svc.pii.manifest.task.name if svc.pii else "pii"
    body = presidio_api.analyze_results(req, spans, name)
    headers = {"x-correlation-id": req.correlation_id} if req.correlation_id else None
    return JSONResponse(body, headers=headers)


async def supported_entities(request: Request) -> Response:
    svc = _service(request)
    language = request.query_params.get("language", "en")
    if language not in presidio_api.LANGUAGES:
        raise HTTPError(400, f"language {language!r} is not supported; supported: en")
    if svc.pii is None:
        return JSONResponse([])
    return JSONResponse(sorted(svc.pii.task.entities or []))


async def recognizers(request: Request) -> Response:
    return JSONResponse([presidio_api.RECOGNIZER] if _service(request).pii else [])


async def anonymize(request: Request) -> Response:
    svc = _service(request)
    body = await read_json(request, svc.limits)
    return JSONResponse(presidio_api.anonymize(body, svc.limits.max_chars))


async def deanonymize(request: Request) -> Response:
    svc = _service(request)
    body = await read_json(request, svc.limits)
    return JSONResponse(presidio_api.deanonymize(body, svc.limits.max_chars))


async def anonymizers(request: Request) -> Response:
    return JSONResponse(["encrypt", "hash", "keep", "mask", "redact", "replace"])


async def deanonymizers(request: Request) -> Response:
    return JSONResponse(["decrypt", "keep"])


# -- edge's own API ---------------------------------------------------------------------------


async def v1_health(request: Request) -> Response:
    svc = _service(request)
    return JSONResponse(
        {
            "status": "ok",
            "uptime_s": round(time.time() - svc.started, 3),
            "models": svc.metrics.models,
            "queue": {name: b.queued for name, b in svc.batchers.items()},
            "policy": svc.router.name if svc.router is not None else None,
            "limits": {
                "max_body_bytes": svc.limits.max_body_bytes,
                "max_texts": svc.limits.max_texts,
                "max_chars": svc.limits.max_chars,
                "max_queue": svc.limits.max_queue,
                "timeout_s": svc.limits.timeout,
            },
        }
    )


def _anonymizer(body: dict) -> Anonymizer | None:
    """``operators`` ({TYPE: "mask" | {"operator": "mask", "keep": 4}}) and
    ``default_operator`` as edge's ``[anonymize]`` table; None when neither is given."""
    ops, default = body.get("operators"), body.get("default_operator")
    if ops is None and default is None:
        return None
    salt = body.get("salt")
    if salt is not None and (not isinstance(salt, str) or not salt):
        raise HTTPError(422, '"salt" must be a non-empty string')
    try:
        spec = AnonymizeSpec.model_validate(
            {"default": default or "replace", "entities": ops or {}}
        )
    except ValidationError as e:
        raise HTTPError(422, format_validation_error("operators", e)) from None
    return Anonymizer.from_spec(spec, salt=salt)


async def v1_pii(request: Request) -> Response:
    svc = _service(request)
    body = _object(await read_json(request, svc.limits))
    texts = check_texts(body.get("texts"), svc.limits)
    rules = _bool(body, "rules", None)
    anonymizer = _anonymizer(body)
    results = await svc.run("pii", texts, rules)
    out = []
    for res in results:
        item = {  # by hand: PIIResult.to_dict's dataclasses.asdict is slow per span
            "text": res.text,
            "spans": [
                {"label": x.label, "start": x.start, "end": x.end, "score": x.score,
                 "text": x.text, "source": x.source}
                for x in res.spans
            ],
            "redacted": res.redacted,
        }  # fmt: skip
        if anonymizer is not None:
            anonymizer.new_document()  # each text its own pseudonym scope
            anon = anonymizer.anonymize(res.text, res.spans)
            item["anonymized"] = anon.text
            item["items"] = [
                {"label": i.label, "operator": i.operator, "start": i.start, "end": i.end}
                for i in anon.items
            ]
            if anon.pseudonyms:
                item["pseudonyms"] = anon.pseudonyms
        out.append(item)
    extra = {}
    if anonymizer is not None and anonymizer.uses("hash") and anonymizer.salt_generated:
        extra["salt"] = anonymizer.salt  # a random salt: the caller needs it to join hashes
    return JSONResponse({"model": svc.metrics.models.get("pii"), "results": out, **extra})


async def v1_intent(request: Request) -> Response:
    svc = _service(request)
    body = _object(await read_json(request, svc.limits))
    texts = check_texts(body.get("texts"), svc.limits)
    top_k = body.get("top_k", 3)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 1000:
        raise HTTPError(422, '"top_k" must be an integer from 1 to 1000')
    results = await svc.run("intent", texts, top_k)
    out = []
    for r in results:
        d = r.to_dict()
        d["top_k"] = d["top_k"][:top_k]
        out.append(d)
    return JSONResponse({"model": svc.metrics.models.get("intent"), "results": out})


async def v1_intent_routed(request: Request) -> Response:
    svc = _service(request)
    if svc.router is None:
        raise HTTPError(
            404, "no cloud policy is loaded; start `edge serve --policy NAME` to route intents"
        )
    body = _object(await read_json(request, svc.limits))
    texts = check_texts(body.get("texts"), svc.limits)
    # The router may call the cloud (blocking HTTP): a thread, never the loop.
    try:
        results = await run_in_threadpool(svc.router.classify, texts)
    except InputError as e:
        raise HTTPError(422, str(e)) from None
    return JSONResponse({"policy": svc.router.name, "results": [r.to_dict() for r in results]})


async def metrics(request: Request) -> Response:
    return PlainTextResponse(
        _service(request).metrics.render(), media_type="text/plain; version=0.0.4"
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_schema())


ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/analyze", analyze, methods=["POST"]),
    Route("/supportedentities", supported_entities, methods=["GET"]),
    Route("/recognizers", recognizers, methods=["GET"]),
    Route("/anonymize", anonymize, methods=["POST"]),
    Route("/deanonymize", deanonymize, methods=["POST"]),
    Route("/anonymizers", anonymizers, methods=["GET"]),
    Route("/deanonymizers", deanonymizers, methods=["GET"]),
    Route("/v1/health", v1_health, methods=["GET"]),
    Route("/v1/pii", v1_pii, methods=["POST"]),
    Route("/v1/intent", v1_intent, methods=["POST"]),
    Route("/v1/intent/routed", v1_intent_routed, methods=["POST"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


def _error(status: int, message: str, headers: dict | None = None, **extra: Any) -> Response:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPError)
    return _error(exc.status, exc.message, exc.headers, **exc.extra)


async def _edge_error(request: Request, exc: Exception) -> Response:
    return _error(422, str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    return _error(500, f"internal error: {type(exc).__name__}: {exc}")


class Guard:
    """Outermost ASGI layer: bearer token, in-flight count, request metrics.

    Pure ASGI (not BaseHTTPMiddleware) to keep per-request overhead small; unknown paths are
    recorded under one route label so a scanner cannot grow the metrics without bound.
    """

    def __init__(self, app: Any, service: Service, routes: set[str]):
        self.app = app
        self.service = service
        self.check = TokenCheck(service.token)
        self.routes = routes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method, path = scope["method"], scope["path"]
        route = path if path in self.routes else "other"
        metrics = self.service.metrics
        t0 = time.perf_counter()
        status = 500
        metrics.in_flight += 1

        async def send_wrapped(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if (method, path) not in PUBLIC:
                header = None
                for k, v in scope["headers"]:
                    if k == b"authorization":
                        header = v
                        break
                if not self.check.check(header):
                    status = 401
                    body = json.dumps(
                        {
                            "error": "missing or wrong bearer token: send 'Authorization: Bearer "
                            "TOKEN' with the token in $EDGE_HOME/serve.token (or --token-file)"
                        }
                    ).encode()
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 401,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"www-authenticate", b"Bearer"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
            await self.app(scope, receive, send_wrapped)
        finally:
            metrics.in_flight -= 1
            metrics.request_done(method, route, status, time.perf_counter() - t0)


def create_app(service: Service) -> Any:
    """The ASGI app for ``service``; closing it (lifespan shutdown) drains the batchers."""
    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        await run_in_threadpool(service.close)

    app = Starlette(
        routes=ROUTES,
        exception_handlers={
            HTTPError: _http_error,
            EdgeError: _edge_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.service = service
    return Guard(app, service, {r.path for r in ROUTES})
