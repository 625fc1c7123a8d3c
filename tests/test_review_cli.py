"""`coach review`, in-process: the same path as the HTTP API, with local/rubric and with an LLM
reached through COACH_MODEL / COACH_API_BASE."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from conftest import GOOD_ANSWER
from fake_openai import FakeOpenAI, error
from test_llm import MODEL, SECRET, valid_reply

from service.cli import main

FLAGS = ["review", "--answer", GOOD_ANSWER, "--title", "Marketing Coordinator", "--level", "entry"]


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def request_json(**changes: Any) -> str:
    body: dict[str, Any] = {
        "answer": GOOD_ANSWER,
        "role": {"title": "Marketing Coordinator", "level": "entry"},
    }
    body.update(changes)
    return json.dumps(body)


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeOpenAI) -> FakeOpenAI:
    """COACH_MODEL and COACH_API_BASE point at the fake server, as an operator would set them."""
    monkeypatch.setenv("COACH_MODEL", MODEL)
    monkeypatch.setenv("COACH_API_BASE", fake_llm.base_url)
    monkeypatch.setenv("COACH_API_KEY", SECRET)
    return fake_llm


# --- local/rubric ------------------------------------------------------------------------------------


def test_local_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(FLAGS) == 0
    out = capsys.readouterr().out
    assert out.startswith("Overall: ")
    assert "Criteria:" in out
    assert "[local/rubric | career_goals v1" in out


def test_local_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*FLAGS, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["meta"]["model"] == "local/rubric"
    for c in data["criteria"]:
        assert all(GOOD_ANSWER[e["start"] : e["end"]] == e["quote"] for e in c["evidence"])


def test_local_json_request_on_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, request_json(options={"prompt_version": "v1"}))
    assert main(["review", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["meta"]["prompt_version"] == "v1"


def test_prompt_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*FLAGS, "--json", "--prompt-version", "v1"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["prompt_version"] == "v1"


@pytest.mark.parametrize(
    "text",
    [
        "this is not json",
        request_json(answer="   "),
        request_json(role={"title": "x", "level": "ceo"}),
        request_json(unexpected=True),
    ],
    ids=["not-json", "blank-answer", "bad-level", "extra-field"],
)
def test_invalid_stdin_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text
) -> None:
    stdin(monkeypatch, text)
    assert main(["review"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "coach review:" in captured.err


def test_invalid_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["review", "--answer", "x", "--level", "ceo"])
    assert exc.value.code == 2


def test_unknown_prompt_version_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*FLAGS, "--prompt-version", "v999"]) == 1
    assert "unknown_prompt_version" in capsys.readouterr().err


def test_empty_stdin_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, "")
    assert main(["review"]) == 2


def test_json_array_on_stdin_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, "[1, 2]")
    assert main(["review"]) == 2


# --- an LLM through the environment ----------------------------------------------------------------


def test_llm_text_output(llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str]) -> None:
    llm_env.script(valid_reply())
    assert main([*FLAGS, "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Overall: 3.5/5 (strong)")
    assert f"[{MODEL} | career_goals" in out
    assert llm_env.calls == 1


def test_llm_json_from_stdin_then_cached(
    llm_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    llm_env.script(valid_reply())
    for _ in range(2):
        stdin(monkeypatch, request_json())
        assert main(["review", "--json"]) == 0
    first, second = (json.loads(chunk) for chunk in split_json(capsys.readouterr().out))
    assert first["meta"]["model"] == MODEL
    assert first["meta"]["cached"] is False
    assert second["meta"]["cached"] is True
    assert llm_env.calls == 1


def test_llm_model_flag_picks_an_allowed_model(
    llm_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACH_MODEL", "local/rubric")
    monkeypatch.setenv("COACH_ALLOWED_MODELS", f"local/rubric,{MODEL}")
    llm_env.script(valid_reply())
    assert main([*FLAGS, "--json", "--model", MODEL, "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["model"] == MODEL
    assert llm_env.calls == 1


def test_llm_model_flag_is_the_operators_choice_like_coach_model(
    llm_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """COACH_ALLOWED_MODELS limits what HTTP clients may pick; at the terminal the operator picks freely."""
    monkeypatch.setenv("COACH_MODEL", "local/rubric")
    monkeypatch.setenv("COACH_ALLOWED_MODELS", "local/rubric")
    llm_env.script(valid_reply())
    assert main([*FLAGS, "--json", "--model", MODEL, "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["model"] == MODEL
    assert llm_env.calls == 1


@pytest.mark.parametrize(
    ("step", "code", "calls"),
    [
        (error(401, f"Incorrect API key provided: {SECRET}"), "provider_auth", 1),
        (error(503), "provider_unavailable", 3),
    ],
    ids=["401", "503"],
)
def test_llm_failure_is_a_json_error_on_stderr_and_nothing_on_stdout(
    llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str], step, code, calls
) -> None:
    llm_env.default = step
    assert main([*FLAGS, "--json", "--no-cache"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # litellm's "Give Feedback" banner would land here if not suppressed
    assert json.loads(captured.err)["error"]["code"] == code
    assert "SECRET123" not in captured.err
    assert llm_env.calls == calls


def split_json(text: str) -> list[str]:
    """Consecutive pretty-printed JSON documents, one per `--json` run."""
    decoder, docs, index = json.JSONDecoder(), [], 0
    while index < len(text.rstrip()):
        obj, end = decoder.raw_decode(text, index)
        docs.append(json.dumps(obj))
        index = end
        while index < len(text) and text[index].isspace():
            index += 1
    return docs
