"""Scriptable fake OpenAI-compatible HTTP server for tests (standard library only).

``with FakeOpenAI() as s: s.script(reply("hi"), error(429)); call(api_base=s.base_url)``
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATHS = frozenset({"/v1/chat/completions", "/chat/completions"})
MODELS_PATHS = frozenset({"/v1/models", "/models"})


@dataclass(frozen=True)
class ReplyStep:
    """A 200 chat.completion response with the given assistant content."""

    content: str
    prompt_tokens: int = 100
    completion_tokens: int = 50
    model: str | None = None


@dataclass(frozen=True)
class ErrorStep:
    """An HTTP error with an OpenAI-style ``{"error": {...}}`` body."""

    status: int
    message: str = "fake error"
    headers: dict[str, str] = field(default_factory=dict)
    err_type: str = "server_error"


@dataclass(frozen=True)
class DelayStep:
    """Sleep ``seconds`` in the handler thread, then serve ``then``."""

    seconds: float
    then: Step


@dataclass(frozen=True)
class RespondStep:
    """Build the step from the parsed request body at request time."""

    fn: Callable[[dict[str, Any]], Step]


Step = ReplyStep | ErrorStep | DelayStep | RespondStep


def reply(
    content: str, *, prompt_tokens: int = 100, completion_tokens: int = 50, model: str | None = None
) -> ReplyStep:
    """Successful completion; ``model`` defaults to echoing the request's model."""
    return ReplyStep(content, prompt_tokens, completion_tokens, model)


def reply_json(obj: Any) -> ReplyStep:
    """Successful completion whose content is ``json.dumps(obj)``."""
    return ReplyStep(json.dumps(obj))


def error(
    status: int,
    message: str = "fake error",
    *,
    headers: dict[str, str] | None = None,
    err_type: str = "server_error",
) -> ErrorStep:
    """Error response, e.g. ``error(429, headers={"Retry-After": "0"})``."""
    return ErrorStep(status, message, dict(headers or {}), err_type)


def delay(seconds: float, then_step: Step) -> DelayStep:
    """Sleep (without blocking other requests), then serve ``then_step``."""
    return DelayStep(seconds, then_step)


def respond(fn: Callable[[dict[str, Any]], Step]) -> RespondStep:
    """Decide the step from the request body, e.g. to echo part of the prompt."""
    return RespondStep(fn)


def closed_port() -> int:
    """Return a localhost port that (almost certainly) has nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _render(step: Step, body: dict[str, Any], n: int) -> tuple[int, dict[str, str], Any]:
    """Turn a step into (status, extra headers, JSON payload), sleeping for delays."""
    while not isinstance(step, ReplyStep | ErrorStep):
        if isinstance(step, DelayStep):
            time.sleep(step.seconds)
            step = step.then
        else:
            step = step.fn(body)
    if isinstance(step, ErrorStep):
        err = {"message": step.message, "type": step.err_type, "code": str(step.status)}
        return step.status, step.headers, {"error": err}
    p, c = step.prompt_tokens, step.completion_tokens
    usage = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
    choice = {"index": 0, "message": {"role": "assistant", "content": step.content}, "finish_reason": "stop"}
    model = step.model or str(body.get("model", "fake-model"))
    created = int(time.time())
    completion = {"id": f"chatcmpl-fake-{n}", "object": "chat.completion", "created": created}
    return 200, {}, {**completion, "model": model, "choices": [choice], "usage": usage}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, *args: Any) -> None:
        """Silence per-request logging."""

    def handle(self) -> None:
        """Serve the connection; a client resetting it is not an error worth a traceback."""
        with contextlib.suppress(ConnectionError):
            super().handle()

    def setup(self) -> None:
        """Register the connection so ``FakeOpenAI.stop()`` can cut keep-alive sockets."""
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        """Unregister the connection."""
        self.server.fake._track(self.connection, add=False)
        super().finish()

    def _send(self, status: int, headers: dict[str, str], payload: Any) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # client gave up (timeout) or the server was stopped
            self.close_connection = True

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0]
        fake = self.server.fake
        step, n = fake._record(self.command, path, {k.lower(): v for k, v in self.headers.items()}, body)
        if step is not None:
            self._send(*_render(step, body if isinstance(body, dict) else {}, n))
        elif self.command == "GET" and path in MODELS_PATHS:
            model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}
            self._send(200, {}, {"object": "list", "data": [model]})
        else:
            self._send(404, {}, {"error": {"message": f"no route {path}", "type": "not_found"}})

    do_GET = do_POST = _handle


class FakeOpenAI:
    """Loopback OpenAI-compatible server whose chat-completion responses are scripted."""

    def __init__(self) -> None:
        self.default: Step = error(500, "fake server: no scripted step left")
        self._lock = threading.Lock()
        self._queue: deque[Step] = deque()
        self._requests: list[dict[str, Any]] = []
        self._calls = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()

    def _record(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[Step | None, int]:
        """Log a request; for chat completions pop the next step (else the default)."""
        with self._lock:
            self._requests.append({"method": method, "path": path, "headers": headers, "body": body})
            if method != "POST" or path not in CHAT_PATHS:
                return None, 0
            self._calls += 1
            return (self._queue.popleft() if self._queue else self.default), self._calls

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def script(self, *steps: Step) -> None:
        """Queue steps, consumed one per chat-completions request."""
        with self._lock:
            self._queue.extend(steps)

    @property
    def pending(self) -> int:
        """Number of scripted steps not yet consumed."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request so far: method, path, headers (lower-cased names), body (parsed JSON)."""
        with self._lock:
            return list(self._requests)

    @property
    def calls(self) -> int:
        """Number of POSTs to a chat-completions path."""
        with self._lock:
            return self._calls

    @property
    def port(self) -> int:
        """The bound TCP port (server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL, ``http://127.0.0.1:<port>/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        """Bind an ephemeral port and serve in a daemon thread; returns self."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.fake = self
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and open connections (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            with self._lock:
                conns = list(self._conns)
            for conn in conns:  # keep-alive clients must not reach a stopped server
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server, self._thread = None, None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
