"""API keys, a fixed-window rate limit and CORS for /v1/*; no extension needed for these few lines."""

from __future__ import annotations

import hmac
import math
import threading
import time

from flask import Flask, Response, request

from service.config import RateLimit, Settings
from service.errors import RateLimited, Unauthorized


class FixedWindowLimiter:
    """Counts requests per client in fixed windows; per process (each gunicorn worker has its own)."""

    def __init__(self, rule: RateLimit) -> None:
        self.rule = rule
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def hit(self, client: str, now: float | None = None) -> None:
        """Count one request; raise RateLimited with Retry-After when over the limit."""
        now = time.time() if now is None else now
        window = int(now // self.rule.window_s)
        with self._lock:
            current, count = self._windows.get(client, (window, 0))
            if current != window:
                current, count = window, 0
            count += 1
            self._windows[client] = (current, count)
            if len(self._windows) > 100_000:  # bound memory: drop stale windows
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        if count > self.rule.limit:
            # Whole seconds until the window resets, rounded up: never early, never a spare second.
            retry_after = max(1, math.ceil((window + 1) * self.rule.window_s - now))
            raise RateLimited(
                f"rate limit of {self.rule.limit} per {self.rule.window_s}s exceeded",
                retry_after_s=retry_after,
            )


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def init_app(app: Flask, settings: Settings) -> None:
    """Register the key check, the limiter and CORS headers for /v1/*."""
    keys = [k.encode() for k in settings.api_keys]
    limiter = FixedWindowLimiter(settings.rate_limit) if settings.rate_limit else None
    origins = set(settings.cors_origins)

    @app.before_request
    def _guard() -> None:
        if not request.path.startswith("/v1/") or request.method == "OPTIONS":
            return
        token = _bearer()
        if keys and (token is None or not any(hmac.compare_digest(token.encode(), k) for k in keys)):
            if limiter is not None:
                limiter.hit(f"addr:{request.remote_addr}")  # wrong keys count too: no unlimited guessing
            raise Unauthorized("a valid 'Authorization: Bearer <key>' header is required")
        if limiter is not None:
            client = f"key:{token}" if keys and token else f"addr:{request.remote_addr}"
            limiter.hit(client)

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origins and "*" not in origins:
            # The answer depends on Origin whether or not it is allowed: tell caches so.
            response.vary.add("Origin")
        if origin and ("*" in origins or origin in origins):
            response.headers["Access-Control-Allow-Origin"] = origin if "*" not in origins else "*"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "600"
        return response
