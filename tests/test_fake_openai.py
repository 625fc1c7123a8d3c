"""Tests for the scriptable fake OpenAI server, exercised over real loopback HTTP."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from fake_openai import (
    FakeOpenAI,
    Step,
    closed_port,
    delay,
    error,
    reply,
    reply_json,
    respond,
)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


def chat_body(prompt: str = "hello", model: str = "fake-model") -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": prompt}]}


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """POST JSON; return (status, headers, parsed body) for 2xx and HTTP errors alike."""
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers.items()), json.loads(exc.read())


def chat(server: FakeOpenAI, prompt: str = "hello", **kw: Any) -> tuple[int, dict[str, str], Any]:
    return post(server.base_url + "/chat/completions", chat_body(prompt, **kw))


def test_base_url_shape(server: FakeOpenAI) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    assert server.port != 0


def test_scripted_reply_returns_content_usage_and_echoes_model(server: FakeOpenAI) -> None:
    server.script(reply("Great answer.", prompt_tokens=12, completion_tokens=3))
    status, headers, body = chat(server, model="gpt-test")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body["object"] == "chat.completion"
    assert body["model"] == "gpt-test"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "Great answer."}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    assert isinstance(body["id"], str) and isinstance(body["created"], int)


def test_reply_model_override_and_unprefixed_path(server: FakeOpenAI) -> None:
    server.script(reply("x", model="forced-model"))
    status, _, body = post(f"http://127.0.0.1:{server.port}/chat/completions", chat_body())
    assert status == 200
    assert body["model"] == "forced-model"
    assert server.calls == 1
    assert server.requests[0]["path"] == "/chat/completions"


def test_reply_json_content_round_trips(server: FakeOpenAI) -> None:
    payload = {"score": 4, "tips": ["be specific"]}
    server.script(reply_json(payload))
    _, _, body = chat(server)
    assert json.loads(body["choices"][0]["message"]["content"]) == payload


def test_steps_consumed_in_order_then_default(server: FakeOpenAI) -> None:
    server.script(reply("first"), error(503), reply("third"))
    assert server.pending == 3
    results = [chat(server) for _ in range(4)]
    assert [r[0] for r in results] == [200, 503, 200, 500]
    assert results[0][2]["choices"][0]["message"]["content"] == "first"
    assert results[2][2]["choices"][0]["message"]["content"] == "third"
    assert "error" in results[3][2]  # initial default: a 500 error
    server.default = reply("fallback")
    status, _, body = chat(server)
    assert (status, body["choices"][0]["message"]["content"]) == (200, "fallback")
    assert server.calls == 5
    assert server.pending == 0


def test_error_step_returns_status_body_and_retry_after(server: FakeOpenAI) -> None:
    server.script(error(429, "slow down", headers={"Retry-After": "0"}, err_type="rate_limit_error"))
    status, headers, body = chat(server)
    assert status == 429
    assert headers["Retry-After"] == "0"
    assert body == {"error": {"message": "slow down", "type": "rate_limit_error", "code": "429"}}


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_error_statuses(server: FakeOpenAI, status: int) -> None:
    server.script(error(status))
    got, headers, body = chat(server)
    assert got == status
    assert "Retry-After" not in headers
    assert body["error"]["type"] == "server_error"


def test_delay_step_delays(server: FakeOpenAI) -> None:
    server.script(delay(0.3, reply("late")))
    start = time.monotonic()
    status, _, body = chat(server)
    assert time.monotonic() - start >= 0.3
    assert (status, body["choices"][0]["message"]["content"]) == (200, "late")


def test_slow_request_does_not_block_others(server: FakeOpenAI) -> None:
    release = threading.Event()

    def route(req: dict[str, Any]) -> Step:
        if req["messages"][0]["content"] == "slow":
            release.wait(10)  # held until the fast request has been answered
            return reply("slow done")
        return reply("fast done")

    server.default = respond(route)
    slow: list[Any] = []
    worker = threading.Thread(target=lambda: slow.append(chat(server, "slow")))
    worker.start()
    while server.calls < 1:
        time.sleep(0.01)
    _, _, body = chat(server, "fast")
    assert not slow  # the slow one is still held
    release.set()
    worker.join(10)
    assert body["choices"][0]["message"]["content"] == "fast done"
    assert slow[0][2]["choices"][0]["message"]["content"] == "slow done"


def test_respond_step_sees_the_request_body(server: FakeOpenAI) -> None:
    server.script(respond(lambda req: reply(req["messages"][-1]["content"].upper())))
    _, _, body = chat(server, "echo me")
    assert body["choices"][0]["message"]["content"] == "ECHO ME"


def test_requests_are_recorded_with_json_body(server: FakeOpenAI) -> None:
    server.script(reply("ok"))
    sent = chat_body("my career goal")
    post(server.base_url + "/chat/completions", sent, {"Authorization": "Bearer sk-test"})
    with urllib.request.urlopen(server.base_url + "/models", timeout=10) as resp:
        models = json.loads(resp.read())
    assert models["data"][0]["id"] == "fake-model"
    reqs = server.requests
    assert [(r["method"], r["path"]) for r in reqs] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
    ]
    assert reqs[0]["body"] == sent
    assert reqs[0]["headers"]["authorization"] == "Bearer sk-test"
    assert reqs[1]["body"] is None
    assert server.calls == 1  # only chat-completion POSTs count


def test_unknown_path_is_404_and_does_not_consume_a_step(server: FakeOpenAI) -> None:
    server.script(reply("kept"))
    status, _, _ = post(server.base_url + "/embeddings", {"input": "x"})
    assert status == 404
    assert server.calls == 0 and server.pending == 1


def test_keep_alive_connection_serves_several_requests(server: FakeOpenAI) -> None:
    server.script(reply("one"), reply("two"))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        contents = []
        for _ in range(2):
            conn.request("POST", "/v1/chat/completions", json.dumps(chat_body()))
            resp = conn.getresponse()
            assert resp.version == 11
            contents.append(json.loads(resp.read())["choices"][0]["message"]["content"])
        assert contents == ["one", "two"]
    finally:
        conn.close()


def test_stop_cuts_keep_alive_connections() -> None:
    srv = FakeOpenAI().start()
    srv.default = reply("alive")
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("POST", "/v1/chat/completions", json.dumps(chat_body()))
        assert conn.getresponse().read()
        srv.stop()
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            conn.request("POST", "/v1/chat/completions", json.dumps(chat_body()))
            conn.getresponse()
    finally:
        conn.close()
        srv.stop()
    assert srv.calls == 1


def test_closed_port_refuses_connections() -> None:
    port = closed_port()
    with pytest.raises(urllib.error.URLError) as info:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=5)
    assert isinstance(info.value.reason, ConnectionRefusedError)


def test_handler_is_tuned_for_low_latency(server: FakeOpenAI) -> None:
    from fake_openai import _Handler

    assert _Handler.disable_nagle_algorithm is True
    assert _Handler.protocol_version == "HTTP/1.1"


def test_via_openai_sdk(server: FakeOpenAI) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=10)
    server.script(
        reply("from sdk", prompt_tokens=7, completion_tokens=2), error(429, headers={"Retry-After": "0"})
    )
    out = client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "hi"}])
    assert out.choices[0].message.content == "from sdk"
    assert out.model == "gpt-x"
    assert out.usage.total_tokens == 9
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 429
    assert server.calls == 2
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert server.requests[0]["headers"]["authorization"] == "Bearer x"
