"""COACH_CACHE=redis against a real redis-server started here (skipped only when the binary is absent)."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from service.cache import NoCache, RedisCache
from service.coach import Coach
from service.schemas import FeedbackRequest, FeedbackResponse

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)",
)
TTL = 3600


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def redis_server(workdir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private redis-server on a free loopback port, no persistence; stopped on exit."""
    assert REDIS_SERVER is not None
    port = _free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    try:
        deadline = time.monotonic() + 15  # start-up wait, not a measurement
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port} (exit code {process.poll()})")
                time.sleep(0.05)
        yield url, process
    finally:
        client.close()
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module; each test empties it (see `store`)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url


@pytest.fixture
def store(redis_url: str) -> Iterator[redis.Redis]:
    """A raw client on the same database, emptied before each test."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def redis_app(
    make_app: Callable[..., Flask], redis_url: str, store: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> Flask:
    monkeypatch.setenv("COACH_CACHE", "redis")
    monkeypatch.setenv("COACH_REDIS_URL", redis_url)
    return make_app()


def post(client: FlaskClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def key_of(app: Flask, body: dict[str, Any]) -> str:
    coach: Coach = app.extensions["coach"]
    request = FeedbackRequest.model_validate(body)
    return coach.key_for(request, coach.registry.get(None), coach.settings.model)


def test_redis_cache_round_trips_text_with_a_ttl(redis_url: str, store: redis.Redis) -> None:
    cache = RedisCache(redis_url, ttl_s=TTL)
    assert cache.get("k") is None
    cache.set("k", '{"a": "é 😀"}')
    assert cache.get("k") == '{"a": "é 😀"}'
    assert store.get("k") == '{"a": "é 😀"}'.encode()
    assert 0 < store.ttl("k") <= TTL


def test_redis_cache_ignores_entries_that_are_not_utf8(redis_url: str, store: redis.Redis) -> None:
    store.set("k", b"\x80\x04\x95pickle-like")
    assert RedisCache(redis_url, ttl_s=TTL).get("k") is None


def test_miss_then_hit_through_redis(
    redis_app: Flask, store: redis.Redis, feedback_body: Callable[..., dict[str, Any]]
) -> None:
    client = redis_app.test_client()
    assert client.get("/healthz").get_json()["cache"] == "redis"
    first = post(client, feedback_body())
    stored = store.get(key_of(redis_app, feedback_body()))
    assert stored is not None
    FeedbackResponse.model_validate({**json.loads(stored), "id": "fb_x"})
    second = post(client, feedback_body())
    assert (first["meta"]["cached"], second["meta"]["cached"]) == (False, True)
    assert {k: v for k, v in second.items() if k not in ("id", "meta")} == {
        k: v for k, v in first.items() if k not in ("id", "meta")
    }


def test_shared_between_app_instances(
    redis_app: Flask, make_app: Callable[..., Flask], feedback_body: Callable[..., dict[str, Any]]
) -> None:
    """Two workers (two apps) share the cache: what one stores, the other serves."""
    assert post(redis_app.test_client(), feedback_body())["meta"]["cached"] is False
    assert post(make_app().test_client(), feedback_body())["meta"]["cached"] is True


def test_options_cache_false_bypasses_redis(
    redis_app: Flask, store: redis.Redis, feedback_body: Callable[..., dict[str, Any]]
) -> None:
    client = redis_app.test_client()
    post(client, feedback_body(options={"cache": False}))
    assert store.dbsize() == 0


def test_bad_entry_in_redis_is_a_miss(
    redis_app: Flask, store: redis.Redis, feedback_body: Callable[..., dict[str, Any]]
) -> None:
    store.set(key_of(redis_app, feedback_body()), b'{"overall": "tampered"}')
    client = redis_app.test_client()
    assert post(client, feedback_body())["meta"]["cached"] is False
    assert post(client, feedback_body())["meta"]["cached"] is True


def test_redis_down_at_start_degrades_to_no_cache(
    make_app: Callable[..., Flask],
    feedback_body: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_CACHE", "redis")
    monkeypatch.setenv("COACH_REDIS_URL", f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="service.cache"):
        app = make_app()
    assert isinstance(app.extensions["coach"].cache, NoCache)
    assert "cannot open redis cache" in caplog.text
    client = app.test_client()
    assert client.get("/healthz").get_json()["cache"] == "off"
    assert [post(client, feedback_body())["meta"]["cached"] for _ in range(2)] == [False, False]


def test_redis_going_away_while_running_degrades(
    feedback_body: Callable[..., dict[str, Any]],
    make_app: Callable[..., Flask],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server stops after start-up: requests still answer (uncached), each cache call fails once, fast."""
    with redis_server(tmp_path) as (url, process):
        monkeypatch.setenv("COACH_CACHE", "redis")
        monkeypatch.setenv("COACH_REDIS_URL", url)
        client = make_app().test_client()
        assert post(client, feedback_body())["meta"]["cached"] is False
        process.terminate()
        process.wait(timeout=10)
        failures: list[str] = []
        original = redis.connection.Connection._connect

        def counted(self: Any) -> Any:
            failures.append("connect")
            return original(self)

        monkeypatch.setattr(redis.connection.Connection, "_connect", counted)
        assert post(client, feedback_body())["meta"]["cached"] is False
    assert "redis read failed" in caplog.text
    assert "redis write failed" in caplog.text
    # a try or two per cache call (a read and a write): an outage must not add retries with backoff
    assert 2 <= len(failures) <= 4
