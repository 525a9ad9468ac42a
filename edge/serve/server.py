"""Loading the models, checking the bind, running uvicorn (in the foreground or a thread)."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge.errors import InputError
from edge.serve.auth import load_or_create_token
from edge.serve.limits import Limits

if TYPE_CHECKING:
    from edge.serve.app import Service

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


@dataclass(frozen=True)
class Bind:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    socket: str | None = None
    allow_remote: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None

    def check(self) -> None:
        """Loopback or a Unix socket by default; anything else needs --allow-remote and TLS
        (a token sent in clear over a network is a token given away)."""
        from edge.policy import is_loopback

        if (self.tls_cert is None) != (self.tls_key is None):
            raise InputError("give both --tls-cert and --tls-key, or neither")
        if self.socket is not None or is_loopback(self.host):
            return
        if not self.allow_remote:
            raise InputError(
                f"--host {self.host} is not a loopback address: other machines could reach the "
                "service; pass --allow-remote (with --tls-cert and --tls-key) if you mean it"
            )
        if self.tls_cert is None:
            raise InputError(
                f"--host {self.host} with --allow-remote needs TLS: pass --tls-cert FILE and "
                "--tls-key FILE (the bearer token must not cross a network in clear)"
            )
        for f in (self.tls_cert, self.tls_key):
            if not Path(f).is_file():
                raise InputError(f"TLS file {f} not found")

    @property
    def url(self) -> str:
        if self.socket is not None:
            return f"unix:{self.socket}"
        scheme = "https" if self.tls_cert else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"


def load_models(
    models: list[str] | tuple[str, ...] = (),
    *,
    variant: str | None = None,
    threads: int | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    """``{"pii": PIIDetector, "intent": IntentClassifier}`` from ``--model`` values (folders or
    default names; each model's task decides its slot), else the built default pii and intent.
    onnxruntime's threads are set here, once per model."""
    return start_loading(models, variant=variant, threads=threads, profile=profile)()


def start_loading(
    models: list[str] | tuple[str, ...] = (),
    *,
    variant: str | None = None,
    threads: int | None = None,
    profile: str | None = None,
) -> Callable[[], dict[str, Any]]:
    """Start :func:`load_models` in worker threads and return at once; calling the result waits
    for the models. Building an onnxruntime session (and hashing its file) releases the GIL and
    is most of the time to /health, so the service imports its routes meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    import edge.runtime  # numpy, onnxruntime and the specs, imported once here, not per thread
    from edge.defaults import resolve_model

    wanted = list(models) or ["pii", "intent"]
    paths = [resolve_model(name, "intent" if name == "intent" else "pii") for name in wanted]
    pool = ThreadPoolExecutor(len(paths), thread_name_prefix="edge-load")
    pending = [
        pool.submit(edge.runtime.load, p, variant=variant, threads=threads, profile=profile)
        for p in paths
    ]
    pool.shutdown(wait=False)

    def collect() -> dict[str, Any]:
        loaded: dict[str, Any] = {}
        for future in pending:
            model = future.result()
            slot = model.task.alias  # "pii" or "intent": every task kind has its slot
            if slot in loaded:
                raise InputError(
                    f"two {slot} models given (--model); the service serves one of each"
                )
            loaded[slot] = model
        return loaded

    return collect


def build_service(
    models: dict[str, Any],
    *,
    token: str,
    limits: Limits | None = None,
    policy: str | None = None,
    audit_log: str | None = None,
) -> Service:
    router = None
    if policy is not None:
        from edge.router import Router

        if models.get("intent") is None:
            raise InputError("--policy routes intents: serve an intent model too")
        router = Router(models["intent"], models.get("pii"), policy, audit_path=audit_log)
    from edge.serve.app import Service

    return Service(
        pii=models.get("pii"),
        intent=models.get("intent"),
        token=token,
        limits=limits or Limits(),
        router=router,
    )


def uvicorn_config(app: Any, bind: Bind, *, log_level: str = "warning", drain_s: float = 60):
    import uvicorn

    return uvicorn.Config(
        app,
        host=bind.host,
        port=bind.port,
        uds=bind.socket,
        ssl_certfile=bind.tls_cert,
        ssl_keyfile=bind.tls_key,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=drain_s,
        server_header=False,
    )


def serve(
    models: list[str] | tuple[str, ...] = (),
    *,
    bind: Bind | None = None,
    variant: str | None = None,
    threads: int | None = None,
    profile: str | None = None,
    token_file: str | Path | None = None,
    limits: Limits | None = None,
    policy: str | None = None,
    audit_log: str | None = None,
    log_level: str = "warning",
    on_ready: Any = None,
) -> None:
    """Run the service until SIGTERM/SIGINT, then drain: uvicorn stops accepting, every
    request already received is answered (the batchers finish their queues), then it exits."""
    bind = bind or Bind()
    bind.check()
    # Startup makes objects that live as long as the process: collecting among them finds no
    # garbage and costs about a tenth of the time to /health. Paused until ready, then frozen
    # (later collections skip them) and resumed; a failed start gives the caller its collector
    # back as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded_models = start_loading(models, variant=variant, threads=threads, profile=profile)
        # uvicorn, Starlette and the routes are imported while the sessions build
        import uvicorn  # noqa: F401

        from edge.serve.app import create_app

        loaded = loaded_models()
        token, created = load_or_create_token(token_file)
        service = build_service(
            loaded, token=token, limits=limits, policy=policy, audit_log=audit_log
        )
        server = listening_server(
            uvicorn_config(
                create_app(service), bind, log_level=log_level, drain_s=service.limits.timeout + 5
            ),
            on_listening=service.warm_up,
        )
    except BaseException:
        if collecting:
            gc.enable()
        raise
    gc.freeze()
    gc.enable()
    if on_ready is not None:
        on_ready(bind, loaded, created)
    run_server(server)


def listening_server(config: Any, on_listening: Callable[[], None] | None = None) -> Any:
    """A ``uvicorn.Server`` that calls ``on_listening`` once its sockets accept connections
    (uvicorn's startup runs the app's lifespan first, then binds)."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and on_listening is not None:
                on_listening()

    return Server(config)


def run_server(server: Any) -> None:
    """``server.run()``, exiting normally (status 0) after a SIGTERM drain.

    uvicorn catches SIGTERM, drains, then raises the signal again under the handler that was
    installed before it started, so that the default one kills the process (status -15). A
    no-op handler in its place lets a drained service exit 0 like any finished command.
    """
    import signal

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
    server.run()


class ThreadedServer:
    """uvicorn in a background thread on 127.0.0.1 (tests, benchmarks): ``with
    ThreadedServer(app) as s: httpx.get(s.url + "/health")``; leaving stops it gracefully."""

    def __init__(
        self,
        app: Any,
        port: int = 0,
        host: str = "127.0.0.1",
        on_listening: Callable[[], None] | None = None,
    ):
        import socket

        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.bind = Bind(host=host, port=port)
        self.url = self.bind.url
        self.server = listening_server(uvicorn_config(app, self.bind), on_listening)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
