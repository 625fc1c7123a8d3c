"""service/limits.py: API keys, the fixed-window rate limit and CORS, as a client sees them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service import limits
from service.config import RateLimit
from service.errors import RateLimited
from service.limits import FixedWindowLimiter
from service.schemas import ErrorResponse

KEY = "k-3f9a1c"
OTHER_KEY = "k-77b2e0"


def _error(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    ErrorResponse.model_validate(body)
    assert body["error"]["code"] == code
    # the id the client sees in the header is the one in the body (and the logs), never null
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"req_[0-9a-f]{16}", response.headers["X-Request-ID"])
    error: dict[str, Any] = body["error"]
    return error


# --- FixedWindowLimiter, with explicit clocks -----------------------------------------------------


def _hits(limiter: FixedWindowLimiter, client: str, times: list[float]) -> list[int | None]:
    """Retry-After for each hit, None when the hit was allowed."""
    out: list[int | None] = []
    for now in times:
        try:
            limiter.hit(client, now=now)
            out.append(None)
        except RateLimited as exc:
            out.append(exc.retry_after_s)
    return out


@pytest.mark.parametrize(
    ("limit", "window_s", "times", "expected"),
    [
        # 2 per minute: the third hit in the window waits until the window ends
        (2, 60, [0.0, 1.0, 2.0], [None, None, 58]),
        # at the exact start of a window the full window remains: 60, not 61
        (2, 60, [120.0, 120.0, 120.0], [None, None, 60]),
        # a fraction of a second left still means one whole second
        (1, 60, [60.0, 119.5], [None, 1]),
        (1, 60, [60.0, 119.999], [None, 1]),
        # a new window resets the count
        (2, 60, [0.0, 59.9, 60.0, 61.0], [None, None, None, None]),
        (2, 60, [0.0, 1.0, 2.0, 60.0, 61.0, 62.0], [None, None, 58, None, None, 58]),
        # rejected hits keep counting in the window but never extend it
        (1, 60, [10.0, 20.0, 30.0, 59.0], [None, 40, 30, 1]),
        # other window lengths
        (3, 1, [5.0, 5.1, 5.2, 5.3, 6.0], [None, None, None, 1, None]),
        (1, 3600, [7200.0, 9000.0], [None, 1800]),
        (1, 86400, [0.0, 43200.0], [None, 43200]),
    ],
)
def test_fixed_window(limit: int, window_s: int, times: list[float], expected: list[int | None]) -> None:
    limiter = FixedWindowLimiter(RateLimit(limit=limit, window_s=window_s))
    assert _hits(limiter, "c", times) == expected


def test_clients_have_separate_budgets() -> None:
    limiter = FixedWindowLimiter(RateLimit(limit=1, window_s=60))
    assert _hits(limiter, "a", [0.0]) == [None]
    assert _hits(limiter, "b", [0.0]) == [None]
    assert _hits(limiter, "a", [1.0]) == [59]


def test_rate_limited_error_carries_retry_after() -> None:
    limiter = FixedWindowLimiter(RateLimit(limit=1, window_s=60))
    limiter.hit("c", now=0.0)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("c", now=15.0)
    assert caught.value.status_code == 429
    assert caught.value.headers() == {"Retry-After": "45"}
    assert caught.value.details == [{"retry_after_s": 45}]


# --- API keys ----------------------------------------------------------------------------------


@pytest.fixture
def keyed(make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    monkeypatch.setenv("COACH_API_KEYS", f"{KEY}, {OTHER_KEY}")
    return make_app().test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {KEY}x"},
        {"Authorization": f"Bearer {KEY[:-1]}"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": KEY},
        {"X-API-Key": KEY},
    ],
    ids=[
        "none",
        "empty",
        "scheme-only",
        "blank-token",
        "wrong",
        "longer",
        "shorter",
        "basic",
        "bare",
        "other-header",
    ],
)
@pytest.mark.parametrize(
    ("method", "path"), [("post", "/v1/feedback"), ("get", "/v1/prompts"), ("get", "/v1/models")]
)
def test_v1_needs_a_valid_key(
    keyed: FlaskClient,
    feedback_body: Callable[..., dict[str, Any]],
    headers: dict[str, str],
    method: str,
    path: str,
) -> None:
    kwargs: dict[str, Any] = {"headers": headers}
    if method == "post":
        kwargs["json"] = feedback_body()
    response = getattr(keyed, method)(path, **kwargs)
    error = _error(response, 401, "unauthorized")
    assert KEY not in response.get_data(as_text=True)
    assert "Bearer" in error["message"]


@pytest.mark.parametrize("key", [KEY, OTHER_KEY])
@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_a_listed_key_is_accepted(
    keyed: FlaskClient, feedback_body: Callable[..., dict[str, Any]], key: str, scheme: str
) -> None:
    response = keyed.post("/v1/feedback", json=feedback_body(), headers={"Authorization": f"{scheme} {key}"})
    assert response.status_code == 200
    assert response.get_json()["overall"]["band"] in {"weak", "adequate", "strong"}


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/docs", "/"])
def test_pages_outside_v1_stay_open(keyed: FlaskClient, path: str) -> None:
    assert keyed.get(path).status_code == 200


def test_no_keys_means_open(client: FlaskClient, feedback_body: Callable[..., dict[str, Any]]) -> None:
    assert client.post("/v1/feedback", json=feedback_body()).status_code == 200
    assert (
        client.post("/v1/feedback", json=feedback_body(), headers={"Authorization": "Bearer x"}).status_code
        == 200
    )


def test_the_key_is_checked_before_the_body(keyed: FlaskClient) -> None:
    """An unauthenticated client learns nothing about the body rules."""
    response = keyed.post("/v1/feedback", data="{not json", content_type="application/json")
    _error(response, 401, "unauthorized")


# --- rate limit --------------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Pin the limiter's clock so a window never rolls over mid-test; returns a setter."""
    now = {"t": 6_000_020.0}  # 20 s into a minute window (6_000_000 is a multiple of 60)
    monkeypatch.setattr(limits.time, "time", lambda: now["t"])

    def set_time(value: float) -> None:
        now["t"] = value

    return set_time


def test_rate_limit_per_key(
    make_app: Callable[..., Flask],
    feedback_body: Callable[..., dict[str, Any]],
    frozen_clock: Callable[[float], None],
) -> None:
    client = make_app(api_keys=[KEY, OTHER_KEY], rate_limit="2/minute").test_client()
    mine = {"Authorization": f"Bearer {KEY}"}
    theirs = {"Authorization": f"Bearer {OTHER_KEY}"}
    assert client.post("/v1/feedback", json=feedback_body(), headers=mine).status_code == 200
    assert client.get("/v1/prompts", headers=mine).status_code == 200
    limited = client.post("/v1/feedback", json=feedback_body(), headers=mine)
    error = _error(limited, 429, "rate_limited")
    assert limited.headers["Retry-After"] == "40"
    assert error["details"] == [{"retry_after_s": 40}]
    # another key has its own budget, and /healthz is never limited
    assert client.post("/v1/feedback", json=feedback_body(), headers=theirs).status_code == 200
    assert client.get("/healthz", headers=mine).status_code == 200
    # the next window lets the first key through again
    frozen_clock(6_000_080.0)
    assert client.post("/v1/feedback", json=feedback_body(), headers=mine).status_code == 200


def test_rate_limit_per_address_when_open(
    make_app: Callable[..., Flask],
    feedback_body: Callable[..., dict[str, Any]],
    frozen_clock: Callable[[float], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_RATE_LIMIT", "2/minute")
    client = make_app().test_client()
    here = {"REMOTE_ADDR": "203.0.113.7"}
    there = {"REMOTE_ADDR": "198.51.100.9"}
    for _ in range(2):
        assert client.post("/v1/feedback", json=feedback_body(), environ_base=here).status_code == 200
    limited = client.post("/v1/feedback", json=feedback_body(), environ_base=here)
    _error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) == 40
    # a made-up bearer token does not buy a fresh budget when the service is open
    spoofed = client.post(
        "/v1/feedback", json=feedback_body(), environ_base=here, headers={"Authorization": "Bearer x"}
    )
    assert spoofed.status_code == 429
    assert client.post("/v1/feedback", json=feedback_body(), environ_base=there).status_code == 200


def test_no_rate_limit_by_default(
    client: FlaskClient, feedback_body: Callable[..., dict[str, Any]], frozen_clock: Callable[[float], None]
) -> None:
    statuses = {client.get("/v1/models").status_code for _ in range(30)}
    assert statuses == {200}


# --- CORS --------------------------------------------------------------------------------------

ORIGIN = "https://coach.example"


@pytest.mark.parametrize(
    ("configured", "origin", "allowed"),
    [
        ([ORIGIN], ORIGIN, ORIGIN),
        ([ORIGIN, "https://b.example"], "https://b.example", "https://b.example"),
        ([ORIGIN], "https://evil.example", None),
        ([ORIGIN], "https://coach.example.evil.example", None),
        ([ORIGIN], "http://coach.example", None),
        ([], ORIGIN, None),
        (["*"], "https://anyone.example", "*"),
    ],
)
def test_cors_headers_only_for_allowed_origins(
    make_app: Callable[..., Flask],
    feedback_body: Callable[..., dict[str, Any]],
    configured: list[str],
    origin: str,
    allowed: str | None,
) -> None:
    client = make_app(cors_origins=configured).test_client()
    response = client.post("/v1/feedback", json=feedback_body(), headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == allowed
    if allowed:
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
    else:
        assert "Access-Control-Allow-Headers" not in response.headers
    if configured and "*" not in configured:
        # the response depends on Origin either way, so shared caches must key on it
        assert "Origin" in response.headers.get("Vary", "")


def test_cors_preflight_needs_no_key(make_app: Callable[..., Flask]) -> None:
    client = make_app(api_keys=[KEY], cors_origins=[ORIGIN]).test_client()
    response = client.options(
        "/v1/feedback",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_cors_headers_on_errors_too(make_app: Callable[..., Flask]) -> None:
    """A browser can only read an error's JSON when the error carries the CORS headers."""
    client = make_app(api_keys=[KEY], cors_origins=[ORIGIN]).test_client()
    response = client.get("/v1/models", headers={"Origin": ORIGIN})
    _error(response, 401, "unauthorized")
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
