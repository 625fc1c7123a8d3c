"""Shared fixtures: `app`, `client`, `make_app`, `fake_llm`; every cache and data folder lives in tmp_path."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))  # tests import helpers such as fake_openai directly

from fake_openai import FakeOpenAI

from service.app import create_app

GOOD_ANSWER = (
    "My goal for the next year is to earn the Google Ads certification; I'm halfway through the course "
    "and I already run two small campaigns for a local nonprofit every month. I love seeing which message "
    "actually moves people. Long-term I'd like to lead campaign strategy here and help the team grow "
    "qualified leads."
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's environment or writes outside tmp_path."""
    for var in list(__import__("os").environ):
        if var.startswith("COACH_") or var in ("PORT", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COACH_RETRY_MAX_WAIT_S", "0")


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    """Build an app with settings overrides, e.g. make_app(cache="off")."""

    def build(**overrides: Any) -> Flask:
        app = create_app(overrides)
        app.testing = True
        return app

    return build


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def feedback_body() -> Callable[..., dict[str, Any]]:
    """A valid POST /v1/feedback body; keyword arguments replace top-level fields."""

    def body(**changes: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "question": "What are your career goals?",
            "answer": GOOD_ANSWER,
            "role": {
                "title": "Marketing Coordinator",
                "level": "entry",
                "company": "Brightline",
                "industry": "consumer software",
            },
        }
        base.update(changes)
        return base

    return body


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    """A scriptable OpenAI-compatible server on 127.0.0.1 for the real litellm path."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()
