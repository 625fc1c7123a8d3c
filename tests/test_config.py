"""service/config.py: CONTRACT defaults, the environment, overrides, and clear errors for bad values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.config import ENV_FIELDS, LOCAL_MODEL, ConfigError, RateLimit, load_settings


def test_defaults_match_the_contract() -> None:
    settings = load_settings({})
    assert settings.port == 8000
    assert settings.model == "local/rubric" == LOCAL_MODEL
    assert settings.is_local
    assert settings.api_base is None
    assert settings.fallback_models == []
    assert settings.allowed_models == ["local/rubric"]
    assert settings.prompt_version is None  # newest stable
    assert settings.timeout_s == 60
    assert settings.max_retries == 2
    assert settings.cache == "disk"
    assert settings.cache_dir == Path(".cache/coach")
    assert settings.redis_url is None
    assert settings.cache_ttl_s == 30 * 24 * 3600
    assert settings.api_keys == []
    assert settings.rate_limit is None
    assert settings.cors_origins == []


def test_every_contract_variable_is_read() -> None:
    contract = {
        "PORT",
        "COACH_MODEL",
        "COACH_API_BASE",
        "COACH_FALLBACK_MODELS",
        "COACH_ALLOWED_MODELS",
        "COACH_PROMPT_VERSION",
        "COACH_TIMEOUT_S",
        "COACH_MAX_RETRIES",
        "COACH_CACHE",
        "COACH_CACHE_DIR",
        "COACH_REDIS_URL",
        "COACH_CACHE_TTL_S",
        "COACH_API_KEYS",
        "COACH_RATE_LIMIT",
        "COACH_CORS_ORIGINS",
    }
    assert contract <= set(ENV_FIELDS)


@pytest.mark.parametrize(
    ("environ", "field", "expected"),
    [
        ({"PORT": "9001"}, "port", 9001),
        ({"COACH_MODEL": "openai/gpt-4o-mini"}, "model", "openai/gpt-4o-mini"),
        ({"COACH_API_BASE": "http://127.0.0.1:8080/v1"}, "api_base", "http://127.0.0.1:8080/v1"),
        ({"COACH_TIMEOUT_S": "2.5"}, "timeout_s", 2.5),
        ({"COACH_MAX_RETRIES": "0"}, "max_retries", 0),
        ({"COACH_CACHE": "off"}, "cache", "off"),
        ({"COACH_CACHE": "redis"}, "cache", "redis"),
        ({"COACH_CACHE_DIR": "/tmp/x"}, "cache_dir", Path("/tmp/x")),
        ({"COACH_REDIS_URL": "redis://h:6379/2"}, "redis_url", "redis://h:6379/2"),
        ({"COACH_CACHE_TTL_S": "3600"}, "cache_ttl_s", 3600),
        ({"COACH_PROMPT_VERSION": "v1"}, "prompt_version", "v1"),
        ({"PORT": "  9002  "}, "port", 9002),
        # blank values are unset, not errors
        ({"PORT": ""}, "port", 8000),
        ({"COACH_MODEL": "   "}, "model", "local/rubric"),
        ({"COACH_LOG_LEVEL": "debug"}, "log_level", "DEBUG"),
    ],
)
def test_environment_values(environ: dict[str, str], field: str, expected: Any) -> None:
    assert getattr(load_settings(environ), field) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a", ["a"]),
        ("a,b", ["a", "b"]),
        (" a , b ,c ", ["a", "b", "c"]),
        ("a,,b,", ["a", "b"]),
        (",", []),
        ("", []),
    ],
)
@pytest.mark.parametrize(
    ("var", "field"),
    [
        ("COACH_FALLBACK_MODELS", "fallback_models"),
        ("COACH_API_KEYS", "api_keys"),
        ("COACH_CORS_ORIGINS", "cors_origins"),
    ],
)
def test_comma_lists(var: str, field: str, raw: str, expected: list[str]) -> None:
    assert getattr(load_settings({var: raw}), field) == expected


@pytest.mark.parametrize(
    ("environ", "allowed"),
    [
        ({}, ["local/rubric"]),
        ({"COACH_MODEL": "openai/gpt-4o-mini"}, ["openai/gpt-4o-mini", "local/rubric"]),
        ({"COACH_ALLOWED_MODELS": "openai/a, openai/b"}, ["openai/a", "openai/b"]),
        ({"COACH_MODEL": "openai/a", "COACH_ALLOWED_MODELS": "openai/b"}, ["openai/b"]),
    ],
)
def test_allowed_models_default_to_the_model_and_local(environ: dict[str, str], allowed: list[str]) -> None:
    assert load_settings(environ).allowed_models == allowed


@pytest.mark.parametrize(
    ("raw", "limit", "window_s"),
    [
        ("60/minute", 60, 60),
        ("1/second", 1, 1),
        ("100/hour", 100, 3600),
        ("5000/day", 5000, 86400),
        (" 2 / minute ", 2, 60),
    ],
)
def test_rate_limit_parsing(raw: str, limit: int, window_s: int) -> None:
    assert load_settings({"COACH_RATE_LIMIT": raw}).rate_limit == RateLimit(limit=limit, window_s=window_s)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"COACH_RATE_LIMIT": "60"}, "COACH_RATE_LIMIT"),
        ({"COACH_RATE_LIMIT": "60/min"}, "COACH_RATE_LIMIT"),
        ({"COACH_RATE_LIMIT": "sixty/minute"}, "COACH_RATE_LIMIT"),
        ({"COACH_RATE_LIMIT": "0/minute"}, "COACH_RATE_LIMIT"),
        ({"COACH_RATE_LIMIT": "-1/minute"}, "COACH_RATE_LIMIT"),
        ({"COACH_CACHE": "memory"}, "COACH_CACHE"),
        ({"COACH_CACHE": "DISK"}, "COACH_CACHE"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"COACH_TIMEOUT_S": "0"}, "COACH_TIMEOUT_S"),
        ({"COACH_TIMEOUT_S": "soon"}, "COACH_TIMEOUT_S"),
        ({"COACH_MAX_RETRIES": "-1"}, "COACH_MAX_RETRIES"),
        ({"COACH_CACHE_TTL_S": "30d"}, "COACH_CACHE_TTL_S"),
        ({"COACH_LOG_LEVEL": "loud"}, "COACH_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    message = str(caught.value)
    assert f"{variable}:" in message
    # only the variable at fault is named
    assert [var for var in ENV_FIELDS if f"{var}:" in message] == [variable]


def test_rate_limit_error_shows_the_expected_form() -> None:
    with pytest.raises(ConfigError, match=r"COACH_RATE_LIMIT: .*60/minute"):
        load_settings({"COACH_RATE_LIMIT": "lots"})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"PORT": "x", "COACH_CACHE": "y"})
    assert "PORT:" in str(caught.value)
    assert "COACH_CACHE:" in str(caught.value)


def test_overrides_beat_the_environment() -> None:
    environ = {"PORT": "9001", "COACH_CACHE": "off", "COACH_API_KEYS": "a,b", "COACH_RATE_LIMIT": "1/second"}
    settings = load_settings(environ, port=9100, cache="disk", api_keys=["c"], rate_limit="5/hour")
    assert settings.port == 9100
    assert settings.cache == "disk"
    assert settings.api_keys == ["c"]
    assert settings.rate_limit == RateLimit(limit=5, window_s=3600)


def test_environment_beats_defaults_and_os_environ_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_MAX_RETRIES", "5")
    monkeypatch.setenv("COACH_CORS_ORIGINS", "https://a.example,https://b.example")
    settings = load_settings()
    assert settings.max_retries == 5
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_unknown_override_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cache_directory"):
        load_settings({}, cache_directory="/tmp/x")


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1


# --- the app reads the same settings -------------------------------------------------------------


def test_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]) -> None:
    monkeypatch.setenv("COACH_ALLOWED_MODELS", "local/rubric,openai/gpt-4o-mini")
    monkeypatch.setenv("COACH_CACHE", "off")
    client = make_app().test_client()
    assert client.get("/v1/models").get_json()["allowed"] == ["local/rubric", "openai/gpt-4o-mini"]
    assert client.get("/healthz").get_json()["cache"] == "off"


def test_app_overrides_beat_the_environment(
    monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    monkeypatch.setenv("COACH_CACHE", "off")
    assert make_app(cache="disk").test_client().get("/healthz").get_json()["cache"] == "disk"


def test_app_refuses_a_bad_environment(
    monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    monkeypatch.setenv("COACH_RATE_LIMIT", "often")
    with pytest.raises(ConfigError, match="COACH_RATE_LIMIT"):
        make_app()


def test_app_refuses_an_unknown_default_prompt_version(
    monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    """Failing at start-up beats a 422 on every request and a failing /healthz."""
    monkeypatch.setenv("COACH_PROMPT_VERSION", "v99")
    with pytest.raises(ConfigError, match=r"COACH_PROMPT_VERSION.*v99"):
        make_app()
