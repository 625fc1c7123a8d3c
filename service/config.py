"""Settings: defaults, then the environment (CONTRACT.md), then a test override; read in one place."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

LOCAL_MODEL = "local/rubric"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variable -> settings field. Lists are comma-separated in the environment.
ENV_FIELDS: dict[str, str] = {
    "PORT": "port",
    "COACH_MODEL": "model",
    "COACH_API_BASE": "api_base",
    "COACH_API_KEY": "api_key",
    "COACH_FALLBACK_MODELS": "fallback_models",
    "COACH_ALLOWED_MODELS": "allowed_models",
    "COACH_PROMPT_VERSION": "prompt_version",
    "COACH_PROMPTS_DIR": "prompts_dir",
    "COACH_TIMEOUT_S": "timeout_s",
    "COACH_MAX_RETRIES": "max_retries",
    "COACH_MAX_REASKS": "max_reasks",
    "COACH_RETRY_MAX_WAIT_S": "retry_max_wait_s",
    "COACH_CACHE": "cache",
    "COACH_CACHE_DIR": "cache_dir",
    "COACH_REDIS_URL": "redis_url",
    "COACH_CACHE_TTL_S": "cache_ttl_s",
    "COACH_API_KEYS": "api_keys",
    "COACH_RATE_LIMIT": "rate_limit",
    "COACH_CORS_ORIGINS": "cors_origins",
    "COACH_LOG_LEVEL": "log_level",
}
LIST_FIELDS = {"fallback_models", "allowed_models", "api_keys", "cors_origins"}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_UNIT_S = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class RateLimit(BaseModel):
    """A parsed `COACH_RATE_LIMIT` such as `60/minute`."""

    limit: int = Field(gt=0, description="Requests allowed per window")
    window_s: int = Field(gt=0, description="Window length in seconds")


class Settings(BaseModel):
    """Everything an operator can set; see the configuration table in README.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port: int = Field(8000, ge=1, le=65535, description="HTTP port")
    model: str = Field(
        LOCAL_MODEL, min_length=1, description="Default model: local/rubric or a litellm string"
    )
    api_base: str | None = Field(None, description="Base URL of an OpenAI-compatible server")
    api_key: str | None = Field(
        None, description="Key for COACH_API_BASE and model@base servers, ahead of the provider's variable"
    )
    fallback_models: list[str] = Field(default_factory=list, description="Models tried in order on failure")
    allowed_models: list[str] = Field(default_factory=list, description="Models a request may pick")
    prompt_version: str | None = Field(None, description="Default prompt version; newest stable when unset")
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Folder of prompt versions")
    timeout_s: float = Field(60.0, gt=0, description="Deadline for one model call, seconds")
    max_retries: int = Field(2, ge=0, le=10, description="Retries of retryable provider errors")
    max_reasks: int = Field(2, ge=0, le=10, description="Re-asks after output that does not validate")
    retry_max_wait_s: float = Field(8.0, ge=0, description="Longest backoff between retries, seconds")
    cache: Literal["disk", "redis", "off"] = Field("disk", description="Result cache backend")
    cache_dir: Path = Field(Path(".cache/coach"), description="diskcache folder")
    redis_url: str | None = Field(None, description="Redis URL for the shared cache")
    cache_ttl_s: int = Field(30 * 86400, gt=0, description="Cache entry lifetime, seconds")
    api_keys: list[str] = Field(default_factory=list, description="Keys accepted on /v1/*; empty means open")
    rate_limit: RateLimit | None = Field(None, description="Per-key (or per-address) request limit")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS")
    log_level: str = Field("INFO", description="Logging level")

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _parse_rate(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _RATE.match(value)
            if not match:
                raise ValueError("expected N/second, N/minute, N/hour or N/day, e.g. 60/minute")
            return {"limit": int(match.group(1)), "window_s": _UNIT_S[match.group(2)]}
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        # logging.basicConfig raises a bare ValueError on an unknown name; say which variable is wrong.
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(_LOG_LEVELS)}")
        return level

    @model_validator(mode="after")
    def _default_allowed(self) -> Settings:
        if not self.allowed_models:
            allowed = [self.model] if self.model == LOCAL_MODEL else [self.model, LOCAL_MODEL]
            object.__setattr__(self, "allowed_models", allowed)
        return self

    @property
    def is_local(self) -> bool:
        """True when the default model is the embedded coach."""
        return self.model == LOCAL_MODEL


class ConfigError(Exception):
    """The environment holds a value the service cannot start with."""


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for var, field in ENV_FIELDS.items():
        raw = environ.get(var)
        if raw is None or raw.strip() == "":
            continue
        if field in LIST_FIELDS:
            values[field] = [item.strip() for item in raw.split(",") if item.strip()]
        else:
            values[field] = raw.strip()
    return values


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, then `environ` (default `os.environ`), then `overrides`."""
    values = _from_environ(os.environ if environ is None else environ)
    values.update(overrides)
    try:
        return Settings(**values)
    except ValidationError as exc:
        names = {field: var for var, field in ENV_FIELDS.items()}
        problems = "; ".join(
            f"{names.get(str(err['loc'][0]), err['loc'][0]) if err['loc'] else 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
