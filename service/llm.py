"""The LLM path: litellm calls with our own retries, re-asks on invalid output, and typed errors.

This is the only module that imports litellm, and only when an LLM model is used: the import costs
seconds and hundreds of MB, and the offline default (`local/rubric`) must never pay for it.
"""

from __future__ import annotations

import contextlib
import copy
import email.utils
import json
import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any, Literal

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from service import prompts
from service.coach import Generation, OutputRejected, Validator
from service.config import Settings
from service.errors import (
    CoachError,
    InvalidModelOutput,
    ModelTimeout,
    ProviderAuth,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from service.prompts import PromptVersion
from service.schemas import FeedbackRequest, ModelOutput, Usage

log = logging.getLogger(__name__)

# Sent when a server at an api_base needs no key: litellm's openai/ provider refuses to call without one
# and reports it as a retryable-looking InternalServerError ("Missing credentials").
PLACEHOLDER_KEY = "no-key-required"
SCHEMA_NAME = "coach_feedback"
# `model@https://host/v1` gives one model its own server (e.g. a fallback elsewhere). Only an http(s)
# URL after the @ counts, because litellm model names may contain @ themselves (vertex_ai/...@2024...).
_MODEL_AT_BASE = re.compile(r"^(?P<model>.+?)@(?P<base>https?://\S+)$")

Kind = Literal["timeout", "rate_limited", "unreachable", "server_error", "rejected", "auth", "unknown"]
RETRYABLE: frozenset[Kind] = frozenset({"timeout", "rate_limited", "unreachable", "server_error"})

_setup_lock = threading.Lock()
_ready = False


def _litellm() -> ModuleType:
    """Import and configure litellm once; every use in this module goes through here."""
    global _ready
    # Without this, the import fetches a price list from the internet and retries with sleeps.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    if not _ready:
        with _setup_lock:
            # Otherwise every failure prints a "Give Feedback / Get Help" banner to stdout, which would
            # corrupt `coach review --json`.
            litellm.suppress_debug_info = True
            # Its DEBUG/INFO records dump whole requests, and requests carry the candidate's answer.
            for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
                logging.getLogger(name).setLevel(logging.WARNING)
            _ready = True
    return litellm


def preload() -> None:
    """Pay litellm's import before the first request (and before gunicorn forks, with --preload)."""
    _litellm()


# --- where a model lives -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A model as litellm sees it: its name, its server and the key to send (None: litellm's own)."""

    model: str
    api_base: str | None
    api_key: str | None


def resolve_target(model: str, settings: Settings) -> Target:
    """Split `model@base`, then pick the key: COACH_API_KEY, the provider's variable, or a placeholder."""
    match = _MODEL_AT_BASE.match(model)
    name, base = (match["model"], match["base"]) if match else (model, settings.api_base)
    if base is None:
        # A hosted provider: litellm reads its own variable (OPENAI_API_KEY...). COACH_API_KEY is
        # never sent there, so a fallback to another provider cannot receive the wrong key.
        return Target(name, None, None)
    if settings.api_key:
        return Target(name, base, settings.api_key)
    env = _litellm().validate_environment(model=name, api_base=base)
    return Target(name, base, None if env.get("keys_in_environment") else PLACEHOLDER_KEY)


# --- keeping secrets out of messages and logs ----------------------------------------------------

# Shapes of provider keys: OpenAI/Anthropic sk-, Groq gsk_, Hugging Face hf_, xAI, Google AIza, Replicate.
_KEY_SHAPES = re.compile(r"\b(?:sk|gsk|hf|xai|pk|rk|r8)[-_][A-Za-z0-9_\-]{6,}|\bAIza[0-9A-Za-z_\-]{20,}")
_BEARER = re.compile(r"(?i)\b(bearer|api[-_ ]?key[\"']?\s*[:=])\s*[\"']?[^\s\"',;]+")
_QUERY_KEY = re.compile(r"(?i)([?&](?:api[-_]?)?key=)[^&\s]+")
_SECRET_VAR = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)S?$")
_LITELLM_PREFIX = re.compile(r"^(?:litellm\.\w+:\s*)?(?:\w+Error:\s*)?(?:\w+Exception\s*-\s*)?")


def scrub(text: str, secrets: tuple[str, ...] = (), limit: int = 300) -> str:
    """Text safe for a response or a log line: known secret values and key-shaped tokens redacted."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    text = _KEY_SHAPES.sub("[redacted]", text)
    text = _BEARER.sub(lambda m: m.group(1) + " [redacted]", text)
    text = _QUERY_KEY.sub(lambda m: m.group(1) + "[redacted]", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _secrets(target: Target, settings: Settings) -> tuple[str, ...]:
    """Every key value this process could have sent: ours, and any secret-looking variable."""
    values = {v for k, v in os.environ.items() if _SECRET_VAR.search(k.upper()) and len(v) >= 6}
    values.update(k for k in (settings.api_key, target.api_key) if k and k != PLACEHOLDER_KEY)
    return tuple(values)


# --- classifying provider failures ---------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """What went wrong with one call, in the terms the retry policy and the CONTRACT need."""

    kind: Kind
    status: int | None
    detail: str  # scrubbed provider text; never contains a key

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


def classify(exc: BaseException, secrets: tuple[str, ...] = ()) -> Failure:
    """Sort a litellm (or openai SDK) exception into a Failure; unknown exceptions are not retried."""
    litellm = _litellm()
    import openai  # a litellm dependency, so already imported by now

    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    detail = scrub(_LITELLM_PREFIX.sub("", str(getattr(exc, "message", "") or exc)), secrets)

    def failure(kind: Kind) -> Failure:
        return Failure(kind, status, detail)

    # Order matters: Timeout subclasses openai.APIConnectionError; ContextWindowExceeded and
    # ContentPolicyViolation subclass BadRequestError; the 5xx classes share no useful base.
    if isinstance(exc, litellm.Timeout | openai.APITimeoutError):
        return failure("timeout")
    if isinstance(exc, litellm.AuthenticationError | litellm.PermissionDeniedError):
        return failure("auth")
    if isinstance(exc, litellm.RateLimitError):
        return failure("rate_limited")
    if isinstance(exc, litellm.BadRequestError | litellm.NotFoundError | litellm.UnprocessableEntityError):
        return failure("rejected")
    if "Missing credentials" in detail or "api_key client option must be set" in detail:
        return failure("auth")  # no key configured: retrying cannot help
    if isinstance(exc, litellm.APIConnectionError | openai.APIConnectionError) or _connection_failed(exc):
        return Failure("unreachable", None, detail)
    if isinstance(
        exc, litellm.InternalServerError | litellm.ServiceUnavailableError | litellm.BadGatewayError
    ):
        return failure("server_error")
    # litellm.APIError and the SDK's own status errors carry only a status (a 403 arrives this way).
    if status in (401, 403):
        return failure("auth")
    if status == 408:
        return failure("timeout")
    if status == 429:
        return failure("rate_limited")
    if status is not None and status >= 500:
        return failure("server_error")
    if status is not None and 400 <= status < 500:
        return failure("rejected")
    return Failure("unknown", status, detail)


def _connection_failed(exc: BaseException) -> bool:
    """A refused or dropped connection: litellm reports it as an InternalServerError without headers."""
    headers = getattr(exc, "litellm_response_headers", None)
    return headers is None and "Connection error" in str(exc)


def to_coach_error(failure: Failure, model: str, calls: int, timeout_s: float) -> CoachError:
    """The CONTRACT's error for a provider failure that retries (if any) did not fix."""
    details: list[dict[str, Any]] = [{"model": model, "attempts": calls, "provider_status": failure.status}]
    said = f": {failure.detail}" if failure.detail else ""
    http = f" (HTTP {failure.status})" if failure.status else ""
    match failure.kind:
        case "timeout":
            return ModelTimeout(f"the model did not answer within {timeout_s:g} s", details=details)
        case "unreachable":
            return ProviderUnavailable("cannot reach the model provider (connection failed)", details=details)
        case "rate_limited":
            return ProviderUnavailable("the model provider is rate limiting this service", details=details)
        case "server_error":
            return ProviderUnavailable(f"the model provider failed{http}", details=details)
        case "auth":
            # The provider's own words may echo the key (masked or not): never forwarded.
            return ProviderAuth(
                f"the model provider refused this service's credentials{http}", details=details
            )
        case "rejected":
            return ProviderRejected(f"the model provider rejected the request{http}{said}", details=details)
        case _:
            return ProviderError(f"the model call failed{http}{said}", details=details)


# --- retries ---------------------------------------------------------------------------------------


def retry_after_s(exc: BaseException | None) -> float | None:
    """Seconds the provider asked us to wait (retry-after-ms, or Retry-After in seconds or as a date)."""
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        headers = getattr(getattr(exc, "response", None), "headers", None)
    try:
        lower = {str(k).lower(): str(v).strip() for k, v in dict(headers or {}).items()}
    except (TypeError, ValueError):
        return None
    if "retry-after-ms" in lower:
        with contextlib.suppress(ValueError):
            return max(0.0, float(lower["retry-after-ms"]) / 1000)
    value = lower.get("retry-after")
    if value is None:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Backoff:
    """Full-jitter exponential backoff, or the provider's Retry-After when it sends one; both capped."""

    def __init__(self, cap_s: float) -> None:
        self.cap_s = cap_s
        self._jitter = wait_random_exponential(multiplier=0.5, max=cap_s)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        hinted = retry_after_s(exc)
        wait = hinted if hinted is not None else float(self._jitter(state))
        return min(wait, self.cap_s)


@dataclass
class Tally:
    """HTTP calls made and what the successful ones cost, across retries and re-asks."""

    priced: bool
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    costs: list[float | None] = field(default_factory=list)

    def add(self, response: Any) -> None:
        usage = getattr(response, "usage", None)
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        cost = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
        self.costs.append(float(cost) if isinstance(cost, int | float) else None)

    @property
    def usage(self) -> Usage:
        return Usage(prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens)

    @property
    def cost_usd(self) -> float | None:
        # Unknown stays unknown: one unpriced call makes the total unknown, never a silent 0.
        if not self.priced or not self.costs or any(c is None for c in self.costs):
            return None
        return sum(c for c in self.costs if c is not None)


@lru_cache(maxsize=256)
def is_priced(model: str) -> bool:
    """True when litellm's local price list has a non-zero price for the model.

    get_model_info fills missing prices with 0, and some listed models carry 0/0: both would read as
    "free", so a zero price counts as unknown and the response says null.
    """
    try:
        info = _litellm().get_model_info(model)
    except Exception:  # ModelNotMappedError and friends: not in the price list
        return False
    return bool(info.get("input_cost_per_token") or info.get("output_cost_per_token"))


def _complete(
    call_kwargs: dict[str, Any], settings: Settings, tally: Tally, secrets: tuple[str, ...], model: str
) -> Any:
    """One logical call: retries of retryable failures, all within `timeout_s` from its start."""
    litellm = _litellm()
    started = time.monotonic()
    retrying = Retrying(
        retry=retry_if_exception(lambda e: classify(e, secrets).retryable),
        # stop_before_delay: no retry whose wait would end past the deadline; waits never stack beyond it.
        stop=stop_after_attempt(settings.max_retries + 1) | stop_before_delay(settings.timeout_s),
        wait=Backoff(settings.retry_max_wait_s),
        before_sleep=lambda s: _log_retry(s, model, settings, secrets),
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                tally.calls += 1
                response = litellm.completion(**call_kwargs, timeout=_attempt_timeout(settings, started))
        tally.add(response)
        return response
    except Exception as exc:
        failure = classify(exc, secrets)
        log.warning(
            "model %s failed after %d call(s): %s %s", model, tally.calls, failure.kind, failure.detail
        )
        raise to_coach_error(failure, model, tally.calls, settings.timeout_s) from None


def _attempt_timeout(settings: Settings, started: float) -> float:
    """The first attempt gets the whole deadline; a retry gets what is left of it.

    Rounded up to 0.1 s because litellm keys its cached HTTP clients on the timeout value.
    """
    remaining = settings.timeout_s - (time.monotonic() - started)
    if remaining >= settings.timeout_s - 0.05:
        return settings.timeout_s
    return max(0.1, math.ceil(remaining * 10) / 10)


def _log_retry(state: RetryCallState, model: str, settings: Settings, secrets: tuple[str, ...]) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    failure = classify(exc, secrets) if exc is not None else None
    log.warning(
        "model %s: %s (call %d of at most %d); retrying in %.2f s",
        model,
        f"{failure.kind} {failure.status or ''} {failure.detail}".strip() if failure else "failure",
        state.attempt_number,
        settings.max_retries + 1,
        state.upcoming_sleep,
    )


# --- generate ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return ModelOutput.model_json_schema()  # about 9 ms to build: once per process, not per call


def response_format() -> dict[str, Any]:
    """The output schema as an OpenAI-style json_schema response_format (litellm adapts it per provider)."""
    # A copy per call: some litellm provider adapters edit the schema in place (e.g. to drop keywords).
    schema = copy.deepcopy(_schema())
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": True}}


@lru_cache(maxsize=256)
def _takes_response_format(model: str) -> bool:
    litellm = _litellm()
    try:
        name, provider, _, _ = litellm.get_llm_provider(model)
        params = litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or []
    except Exception:  # an unknown provider: the call itself will fail and be reported properly
        return True
    return "response_format" in params


def build_call(target: Target, version: PromptVersion, settings: Settings) -> dict[str, Any]:
    """litellm.completion arguments other than messages and timeout."""
    kwargs: dict[str, Any] = {
        "model": target.model,
        "temperature": version.meta.temperature,
        "max_tokens": version.meta.max_tokens,
        # litellm's own retries multiply attempts and retry 400/401 for some providers: we retry ourselves.
        "num_retries": 0,
        "max_retries": 0,
    }
    if _takes_response_format(target.model):
        kwargs["response_format"] = response_format()
    if target.api_base:
        kwargs["api_base"] = target.api_base  # per call: never the global litellm.api_base
    if target.api_key:
        kwargs["api_key"] = target.api_key
    return kwargs


def _schema_note() -> str:
    schema = json.dumps(_schema(), separators=(",", ":"))
    return f"\n\nThe JSON object must match this JSON Schema:\n{schema}"


def reply_text(response: Any) -> tuple[str, str | None]:
    """The assistant's text, and a problem to send back when there is no usable text."""
    try:
        choice = response.choices[0]
        message = choice.message
    except (AttributeError, IndexError):
        return "", "the reply had no message"
    text = message.content if isinstance(getattr(message, "content", None), str) else ""
    if not text.strip():
        refusal = getattr(message, "refusal", None)
        return "", f"the reply was empty{' (refusal)' if refusal else ''}; reply with the JSON object"
    if getattr(choice, "finish_reason", None) == "length":
        return text, "the reply was cut off at the token limit; keep rationales and the rewrite shorter"
    return text, None


def generate(
    model: str, version: PromptVersion, request: FeedbackRequest, settings: Settings, validate: Validator
) -> Generation:
    """Ask `model` for feedback, re-asking with the validation errors up to `settings.max_reasks` times."""
    target = resolve_target(model, settings)
    secrets = _secrets(target, settings)
    call = build_call(target, version, settings)
    messages = [dict(m) for m in prompts.render(version, request).messages]
    if "response_format" not in call:
        messages[0]["content"] += _schema_note()  # the provider cannot take the schema as a parameter
    tally = Tally(priced=is_priced(target.model))
    errors: list[str] = []
    text = ""
    for round_number in range(settings.max_reasks + 1):
        response = _complete({**call, "messages": messages}, settings, tally, secrets, model)
        text, problem = reply_text(response)
        try:
            if problem is not None:
                raise OutputRejected([problem])
            result = validate(text)
        except OutputRejected as exc:
            errors = exc.errors
            # Counts only: the errors quote the answer, and answers stay out of logs.
            log.info("model %s: output rejected with %d error(s) (round %d of %d)",
                     model, len(errors), round_number + 1, settings.max_reasks + 1)  # fmt: skip
            messages = [
                *messages,
                {"role": "assistant", "content": text},
                {"role": "user", "content": prompts.render_reask(version, errors)},
            ]
            continue
        return Generation(response=result, usage=tally.usage, cost_usd=tally.cost_usd, attempts=tally.calls)
    raise InvalidModelOutput(
        f"the model's output did not validate after {settings.max_reasks + 1} tries ({tally.calls} calls)",
        attempts=tally.calls,
        errors=errors,
        last_output=text,
    )
