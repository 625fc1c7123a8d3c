"""The litellm path for real, against a loopback OpenAI-compatible server: every test asserts the HTTP
status, the error code and the number of calls the server saw."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Step, closed_port, delay, error, reply, reply_json, respond
from flask.testing import FlaskClient

from service import llm
from service.config import PROJECT_ROOT, load_settings
from service.prompts import PromptRegistry

MODEL = "openai/fake-model"
SECRET = "sk-test-SECRET123"
# The autouse fixture clears provider keys from the environment; the live test puts its own back.
LIVE_ENV = {k: v for k, v in os.environ.items() if k.endswith("_API_KEY") and not k.startswith("COACH_")}
CRITERIA = [c.id for c in PromptRegistry(PROJECT_ROOT / "prompts").get(None).rubric.criteria]

ClientFactory = Callable[..., FlaskClient]


def valid_output(
    answer: str, *, quote: str | None = None, flags: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """A ModelOutput that validates for `answer`: every criterion once, quotes copied from the answer."""
    quote = quote if quote is not None else answer.strip()[:40].strip()
    return {
        "overall_score": 3.5,
        "summary": "A concrete goal with momentum; tie it more closely to this role.",
        "criteria": [
            {
                "id": cid,
                "score": 4,
                "rationale": "Specific.",
                "evidence": [{"quote": quote}],
                "suggestion": "Add a step.",
            }
            for cid in CRITERIA
        ],
        "red_flags": flags or [],
        "goals": [{"text": "earn a certification", "horizon": "short", "category": "certification"}],
        "strengths": ["Names a concrete next step."],
        "improvements": ["Connect the long-term goal to the team."],
        "rewrite": None,
    }


def answer_in(body: dict[str, Any]) -> str:
    """The answer as the server saw it, between the nonce markers of the user message."""
    user = body["messages"][1]["content"]
    start = user.index(">>>\n", user.index("<<<ANSWER ")) + 4
    return user[start : user.rindex("\n<<<END ANSWER ")]


def valid_reply() -> Step:
    """A valid reply built from whatever answer the request carries."""
    return respond(lambda body: reply_json(valid_output(answer_in(body))))


@pytest.fixture
def llm_client(make_app: Callable[..., Any], fake_llm: FakeOpenAI) -> ClientFactory:
    """A test client whose default model is served by `fake_llm`; keyword arguments override settings."""

    def build(**overrides: Any) -> FlaskClient:
        settings = {"model": MODEL, "api_base": fake_llm.base_url, "api_key": SECRET, "cache": "off"}
        client: FlaskClient = make_app(**{**settings, **overrides}).test_client()
        return client

    return build


def post(client: FlaskClient, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    response = client.post("/v1/feedback", json=body)
    return response.status_code, response.get_json(), response.get_data(as_text=True)


# --- success, and what the provider was sent -------------------------------------------------------


def test_valid_output_is_grounded_with_usage_from_the_server(llm_client, fake_llm, feedback_body) -> None:
    body = feedback_body()
    fake_llm.script(reply_json(valid_output(body["answer"], quote="earn the Google Ads certification")))
    status, data, _ = post(llm_client(), body)
    assert status == 200
    assert fake_llm.calls == 1
    for criterion in data["criteria"]:
        for ev in criterion["evidence"]:
            assert (
                body["answer"][ev["start"] : ev["end"]] == ev["quote"] == "earn the Google Ads certification"
            )
    meta = data["meta"]
    assert meta["model"] == MODEL
    assert meta["usage"] == {"prompt_tokens": 100, "completion_tokens": 50}
    assert meta["attempts"] == 1
    assert meta["cost_usd"] is None  # not in litellm's price list: unknown, never a silent 0
    assert meta["cached"] is False


def test_request_carries_schema_params_and_key(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(valid_reply())
    status, _, _ = post(llm_client(), feedback_body())
    assert status == 200
    sent = fake_llm.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["authorization"] == f"Bearer {SECRET}"
    body = sent["body"]
    assert body["model"] == "fake-model"
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == 2000
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "coach_feedback"
    assert fmt["json_schema"]["strict"] is True
    assert set(fmt["json_schema"]["schema"]["required"]) >= {"overall_score", "criteria", "red_flags"}


def test_placeholder_key_when_no_key_is_configured(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(valid_reply())
    status, _, _ = post(llm_client(api_key=None), feedback_body())
    assert status == 200
    assert fake_llm.calls == 1
    assert fake_llm.requests[-1]["headers"]["authorization"] == f"Bearer {llm.PLACEHOLDER_KEY}"


def test_provider_key_variable_wins_over_the_placeholder(
    llm_client, fake_llm, feedback_body, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-0000000")
    fake_llm.script(valid_reply())
    status, _, _ = post(llm_client(api_key=None), feedback_body())
    assert status == 200
    assert fake_llm.requests[-1]["headers"]["authorization"] == "Bearer sk-from-env-0000000"


def test_known_model_reports_cost_from_the_price_list(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(reply("not json"), valid_reply())
    status, data, _ = post(llm_client(model="openai/gpt-4o-mini"), feedback_body())
    assert status == 200
    assert fake_llm.calls == 2
    # Only the successful calls are billed: 2 x (100 prompt + 50 completion) tokens at gpt-4o-mini prices.
    assert data["meta"]["usage"] == {"prompt_tokens": 200, "completion_tokens": 100}
    assert data["meta"]["cost_usd"] == pytest.approx(2 * (100 * 0.15e-6 + 50 * 0.6e-6))


def test_schema_goes_into_the_prompt_when_the_provider_cannot_take_it(
    llm_client, fake_llm, feedback_body, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(llm, "_takes_response_format", lambda model: False)
    fake_llm.script(valid_reply())
    status, _, _ = post(llm_client(), feedback_body())
    assert status == 200
    body = fake_llm.requests[-1]["body"]
    assert "response_format" not in body
    assert '"overall_score"' in body["messages"][0]["content"]


# --- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        error(500),
        error(502),
        error(503),
        error(429, headers={"Retry-After": "0"}),
        error(408),
    ],
    ids=["500", "502", "503", "429-retry-after", "408"],
)
def test_retryable_error_then_success(llm_client, fake_llm, feedback_body, first: Step) -> None:
    fake_llm.script(first, valid_reply())
    status, data, _ = post(llm_client(), feedback_body())
    assert status == 200
    assert fake_llm.calls == 2
    assert data["meta"]["attempts"] == 2


@pytest.mark.parametrize("status_code", [500, 502, 503, 429])
@pytest.mark.parametrize("max_retries", [0, 2])
def test_retryable_error_forever_is_503(
    llm_client, fake_llm, feedback_body, status_code, max_retries
) -> None:
    fake_llm.default = error(status_code)
    status, data, _ = post(llm_client(max_retries=max_retries), feedback_body())
    assert status == 503
    assert data["error"]["code"] == "provider_unavailable"
    assert fake_llm.calls == 1 + max_retries
    assert data["error"]["details"][0]["attempts"] == 1 + max_retries


@pytest.mark.parametrize(
    ("step", "code"),
    [
        (
            error(400, "Invalid value for 'temperature'", err_type="invalid_request_error"),
            "provider_rejected",
        ),
        (error(400, "This model's maximum context length is 8192 tokens"), "provider_rejected"),
        (error(404, "The model `fake-model` does not exist"), "provider_rejected"),
        (error(422, "unprocessable"), "provider_rejected"),
        (error(401, f"Incorrect API key provided: {SECRET}"), "provider_auth"),
        (error(403, "You are not allowed to use this model"), "provider_auth"),
    ],
    ids=["400", "400-context-window", "404", "422", "401", "403"],
)
def test_non_retryable_errors_are_not_retried(llm_client, fake_llm, feedback_body, step, code) -> None:
    fake_llm.script(step, valid_reply())
    status, data, text = post(llm_client(max_retries=3), feedback_body())
    assert status == 502
    assert data["error"]["code"] == code
    assert fake_llm.calls == 1
    assert SECRET not in text and "SECRET123" not in text


def test_rejection_message_carries_the_providers_reason(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(error(400, "This model's maximum context length is 8192 tokens"))
    status, data, _ = post(llm_client(), feedback_body())
    assert status == 502
    assert "maximum context length is 8192 tokens" in data["error"]["message"]
    assert fake_llm.calls == 1


@pytest.mark.parametrize(
    "max_retries", [0, 3], ids=["no-retries", "retries-allowed-but-the-deadline-is-spent"]
)
def test_delay_past_the_timeout_is_504_within_the_deadline(
    llm_client, fake_llm, feedback_body, max_retries: int
) -> None:
    # Every reply would take 10 s; the deadline is 0.5 s. Finishing far sooner than the reply proves the
    # deadline cut it off, and with retries allowed no second call stacks on a spent deadline. The margin
    # absorbs litellm's first-call set-up on a loaded machine.
    fake_llm.default = delay(10.0, valid_reply())
    client = llm_client(timeout_s=0.5, max_retries=max_retries)
    started = time.perf_counter()
    status, data, _ = post(client, feedback_body())
    elapsed = time.perf_counter() - started
    assert status == 504
    assert data["error"]["code"] == "model_timeout"
    assert fake_llm.calls == 1
    assert elapsed < 6.0


def test_retries_stop_at_the_deadline(llm_client, fake_llm, feedback_body) -> None:
    # Each 500 arrives after 0.3 s; with a 0.5 s deadline the second call gets only what is left.
    fake_llm.default = delay(0.3, error(500))
    client = llm_client(timeout_s=0.5, max_retries=5)
    started = time.perf_counter()
    status, data, _ = post(client, feedback_body())
    elapsed = time.perf_counter() - started
    assert status in (503, 504)
    assert data["error"]["code"] in ("provider_unavailable", "model_timeout")
    # five retries were allowed; the deadline leaves room for one more call at most (none if the first
    # call's set-up alone used it up on a loaded machine)
    assert 1 <= fake_llm.calls <= 2
    assert elapsed < 4.0


def test_closed_port_is_503_unavailable(llm_client, feedback_body) -> None:
    client = llm_client(api_base=f"http://127.0.0.1:{closed_port()}/v1", max_retries=1)
    status, data, text = post(client, feedback_body())
    assert status == 503
    assert data["error"]["code"] == "provider_unavailable"
    assert "connection" in data["error"]["message"]
    assert data["error"]["details"][0]["attempts"] == 2
    assert "Traceback" not in text


# --- re-asks ---------------------------------------------------------------------------------------


def test_not_json_then_valid_reasks_with_the_error(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(reply("Sure! Here is my assessment: great answer."), valid_reply())
    status, data, _ = post(llm_client(), feedback_body())
    assert status == 200
    assert fake_llm.calls == 2
    assert data["meta"]["attempts"] == 2
    second = fake_llm.requests[-1]["body"]["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[2]["content"] == "Sure! Here is my assessment: great answer."
    assert "Invalid JSON" in second[3]["content"]
    assert second[3]["content"].startswith("Your reply could not be accepted")


def test_empty_reply_then_valid(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(reply(""), valid_reply())
    status, _, _ = post(llm_client(), feedback_body())
    assert status == 200
    assert fake_llm.calls == 2
    assert "empty" in fake_llm.requests[-1]["body"]["messages"][-1]["content"]


@pytest.mark.parametrize("max_reasks", [0, 1, 2])
def test_schema_breaking_output_forever_is_502_after_bounded_reasks(
    llm_client, fake_llm, feedback_body, max_reasks
) -> None:
    fake_llm.default = reply_json({"overall_score": 9, "summary": "Perfect!"})
    status, data, _ = post(llm_client(max_reasks=max_reasks), feedback_body())
    assert status == 502
    assert data["error"]["code"] == "invalid_model_output"
    assert fake_llm.calls == 1 + max_reasks
    assert data["error"]["details"][0]["attempts"] == 1 + max_reasks
    assert any("overall_score" in e for e in data["error"]["details"][0]["errors"])


def test_quote_not_in_the_answer_then_fixed(llm_client, fake_llm, feedback_body) -> None:
    body = feedback_body()
    invented = valid_output(body["answer"], quote="I have ten years of leadership experience")
    fake_llm.script(reply_json(invented), valid_reply())
    status, data, _ = post(llm_client(), body)
    assert status == 200
    assert fake_llm.calls == 2
    reask = fake_llm.requests[-1]["body"]["messages"][-1]["content"]
    assert "quote not found verbatim" in reask
    assert "ten years of leadership" in reask
    for c in data["criteria"]:
        assert all(body["answer"][e["start"] : e["end"]] == e["quote"] for e in c["evidence"])


def test_quote_not_in_the_answer_forever_is_502(llm_client, fake_llm, feedback_body) -> None:
    body = feedback_body()
    fake_llm.default = reply_json(
        valid_output(body["answer"], quote="I have ten years of leadership experience")
    )
    status, data, _ = post(llm_client(), body)
    assert status == 502
    assert data["error"]["code"] == "invalid_model_output"
    assert fake_llm.calls == 3
    assert any("quote not found" in e for e in data["error"]["details"][0]["errors"])


def test_retry_inside_a_reask_round_counts_every_call(llm_client, fake_llm, feedback_body) -> None:
    fake_llm.script(reply("nope"), error(500), valid_reply())
    status, data, _ = post(llm_client(), feedback_body())
    assert status == 200
    assert fake_llm.calls == 3
    assert data["meta"]["attempts"] == 3


# --- fallbacks -------------------------------------------------------------------------------------


def test_fallback_to_a_second_model_on_another_server(llm_client, fake_llm, feedback_body) -> None:
    primary = f"openai/primary@http://127.0.0.1:{closed_port()}/v1"
    client = llm_client(model=primary, api_base=None, api_key=None,
                        fallback_models=[f"{MODEL}@{fake_llm.base_url}"])  # fmt: skip
    fake_llm.script(valid_reply())
    status, data, _ = post(client, feedback_body())
    assert status == 200
    assert data["meta"]["model"] == f"{MODEL}@{fake_llm.base_url}"
    assert fake_llm.calls == 1


def test_fallback_on_the_same_server_after_a_503(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(model="openai/primary", fallback_models=[MODEL], max_retries=0)
    fake_llm.script(error(503), valid_reply())
    status, data, _ = post(client, feedback_body())
    assert status == 200
    assert data["meta"]["model"] == MODEL
    assert fake_llm.calls == 2
    assert [r["body"]["model"] for r in fake_llm.requests] == ["primary", "fake-model"]


def test_no_fallback_when_the_request_is_rejected(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(model="openai/primary", fallback_models=[MODEL])
    fake_llm.script(error(400, "bad request"), valid_reply())
    status, data, _ = post(client, feedback_body())
    assert status == 502
    assert data["error"]["code"] == "provider_rejected"
    assert fake_llm.calls == 1


def test_every_model_failing_is_503_with_each_failure(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(model="openai/primary", fallback_models=[MODEL], max_retries=0)
    fake_llm.default = error(500)
    status, data, _ = post(client, feedback_body())
    assert status == 503
    assert data["error"]["code"] == "provider_unavailable"
    assert fake_llm.calls == 2
    assert [d["model"] for d in data["error"]["details"]] == ["openai/primary", MODEL]


# --- cache -----------------------------------------------------------------------------------------


def test_identical_request_is_served_from_the_cache(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(cache="disk")
    fake_llm.script(valid_reply(), valid_reply())
    first = post(client, feedback_body())
    second = post(client, feedback_body())
    assert (first[0], second[0]) == (200, 200)
    assert fake_llm.calls == 1
    assert first[1]["meta"]["cached"] is False
    assert second[1]["meta"]["cached"] is True
    assert second[1]["criteria"] == first[1]["criteria"]


def test_cache_false_calls_the_provider_again(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(cache="disk")
    fake_llm.script(valid_reply(), valid_reply())
    assert post(client, feedback_body())[0] == 200
    status, data, _ = post(client, feedback_body(options={"cache": False}))
    assert status == 200
    assert data["meta"]["cached"] is False
    assert fake_llm.calls == 2


def test_errors_are_never_cached(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(cache="disk")
    fake_llm.script(error(400, "try again"), valid_reply())
    assert post(client, feedback_body())[0] == 502
    status, data, _ = post(client, feedback_body())
    assert status == 200
    assert data["meta"]["cached"] is False
    assert fake_llm.calls == 2
    assert post(client, feedback_body())[1]["meta"]["cached"] is True
    assert fake_llm.calls == 2


def test_cache_key_depends_on_the_model(llm_client, fake_llm, feedback_body) -> None:
    client = llm_client(cache="disk", allowed_models=[MODEL, "openai/other"])
    fake_llm.script(valid_reply(), valid_reply())
    assert post(client, feedback_body())[0] == 200
    status, data, _ = post(client, feedback_body(options={"model": "openai/other"}))
    assert status == 200
    assert data["meta"]["cached"] is False
    assert fake_llm.calls == 2


# --- secrets ---------------------------------------------------------------------------------------


LEAKY = [
    error(401, f"Incorrect API key provided: {SECRET}. You can find your API key at ..."),
    error(403, f"key {SECRET} has no access"),
    error(400, f"Invalid request with key {SECRET}"),
    error(404, f"model not found for {SECRET}"),
    error(500, f"internal error for {SECRET}"),
    error(429, f"rate limited {SECRET}", headers={"Retry-After": "0"}),
]


@pytest.mark.parametrize("step", LEAKY, ids=lambda s: str(s.status))
def test_no_key_in_any_body_or_log_line(
    llm_client,
    fake_llm,
    feedback_body,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    step,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    fake_llm.default = step
    status, data, text = post(llm_client(max_retries=1), feedback_body())
    assert status in (502, 503)
    assert data["error"]["code"] in ("provider_auth", "provider_rejected", "provider_unavailable")
    assert fake_llm.calls == (2 if step.status >= 429 else 1)
    assert "SECRET123" not in text
    assert "SECRET123" not in caplog.text
    assert fake_llm.requests[-1]["headers"]["authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Incorrect API key provided: sk-proj-abcDEF123456", "Incorrect API key provided: [redacted]"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer [redacted]"),
        (
            "GET https://x.test/v1?key=AIzaSyA1234567890abcdefghijkl&alt=sse",
            "GET https://x.test/v1?key=[redacted]&alt=sse",
        ),
        ("anthropic said sk-ant-api03-xyzXYZ0987", "anthropic said [redacted]"),
        ("my-own-secret-value leaked", "[redacted] leaked"),
        ("a plain message", "a plain message"),
    ],
)
def test_scrub(raw: str, expected: str) -> None:
    assert llm.scrub(raw, secrets=("my-own-secret-value",)) == expected


# --- retry policy units ----------------------------------------------------------------------------


class _Headers(Exception):
    def __init__(self, headers: dict[str, str] | None) -> None:
        super().__init__("x")
        self.litellm_response_headers = headers


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_is_read_from_the_headers(headers: dict[str, str] | None, expected: float | None) -> None:
    assert llm.retry_after_s(_Headers(headers)) == expected


def test_retry_after_http_date() -> None:
    from email.utils import formatdate

    waited = llm.retry_after_s(_Headers({"retry-after": formatdate(time.time() + 30, usegmt=True)}))
    assert waited is not None and 25 <= waited <= 31


@pytest.mark.parametrize(("hint", "cap", "expected"), [("2", 8.0, 2.0), ("30", 8.0, 8.0), ("5", 0.0, 0.0)])
def test_backoff_honours_retry_after_capped(hint: str, cap: float, expected: float) -> None:
    from tenacity import RetryCallState, Retrying

    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    state.set_exception((_Headers, _Headers({"retry-after": hint}), None))
    assert llm.Backoff(cap)(state) == expected


def test_backoff_without_hint_is_jittered_within_the_cap() -> None:
    from tenacity import RetryCallState, Retrying

    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = 6
    state.set_exception((_Headers, _Headers(None), None))
    waits = {llm.Backoff(3.0)(state) for _ in range(50)}
    assert all(0 <= w <= 3.0 for w in waits)
    assert len(waits) > 1  # jitter


def test_model_at_base_splits_only_on_a_url() -> None:
    settings = load_settings({}, api_base="http://default:8000/v1")
    assert llm.resolve_target("openai/m@http://other:1/v1", settings).api_base == "http://other:1/v1"
    vertex = llm.resolve_target("vertex_ai/claude-3-5-sonnet@20240620", settings)
    assert (vertex.model, vertex.api_base) == (
        "vertex_ai/claude-3-5-sonnet@20240620",
        "http://default:8000/v1",
    )


def test_coach_api_key_is_never_sent_to_a_hosted_provider() -> None:
    settings = load_settings({}, api_key=SECRET)
    assert llm.resolve_target("anthropic/claude-3-5-haiku-latest", settings).api_key is None


# --- import discipline ------------------------------------------------------------------------------


def test_local_model_never_imports_litellm(tmp_path) -> None:
    code = (
        "import sys\n"
        "from service.app import create_app\n"
        "app = create_app({'model': 'local/rubric', 'cache': 'off'})\n"
        "client = app.test_client()\n"
        "r = client.post('/v1/feedback', json={'answer': 'I want to grow into a team lead here within five "
        "years.', 'role': {'title': 'Analyst', 'level': 'entry'}})\n"
        "assert r.status_code == 200, r.status_code\n"
        "print('litellm' in sys.modules, 'service.llm' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env=env, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_llm_app_preloads_litellm_with_the_local_price_list() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('LITELLM_LOCAL_MODEL_COST_MAP', None)\n"
        "from service.app import create_app\n"
        "create_app({'model': 'openai/fake-model', 'api_base': 'http://127.0.0.1:9/v1', 'cache': 'off'})\n"
        "print('litellm' in sys.modules, os.environ['LITELLM_LOCAL_MODEL_COST_MAP'])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_") and not k.startswith("LITELLM")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env=env, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


# --- a real provider, on request --------------------------------------------------------------------


@pytest.mark.live
@pytest.mark.skipif(
    os.environ.get("COACH_LIVE_TESTS") != "1", reason="set COACH_LIVE_TESTS=1 to call a real provider"
)
def test_live_provider_gives_grounded_feedback(
    make_app, feedback_body, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in LIVE_ENV.items():
        monkeypatch.setenv(name, value)
    model = os.environ.get("COACH_LIVE_MODEL", "openai/gpt-4o-mini")
    client = make_app(model=model, cache="off", timeout_s=60).test_client()
    status, data, _ = post(client, feedback_body())
    assert status == 200, data
    assert data["meta"]["model"] == model
    assert data["meta"]["usage"]["prompt_tokens"] > 0
    body = feedback_body()
    for c in data["criteria"]:
        assert all(body["answer"][e["start"] : e["end"]] == e["quote"] for e in c["evidence"])
