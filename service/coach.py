"""One path for every model: pick prompt and model, check the cache, generate, validate, ground, assemble."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from service import engine
from service.cache import ResultCache, cache_key, open_cache
from service.config import LOCAL_MODEL, ConfigError, Settings
from service.errors import CoachError, InternalError, ModelNotAllowed, ModelTimeout, ProviderUnavailable
from service.grounding import Grounder, Span
from service.prompts import PromptRegistry, PromptVersion
from service.schemas import (
    Criterion,
    Evidence,
    FeedbackRequest,
    FeedbackResponse,
    Meta,
    ModelOutput,
    Overall,
    RedFlag,
    Usage,
    band_for,
)

log = logging.getLogger(__name__)

# Failures after which the next model in COACH_FALLBACK_MODELS is tried.
FALLBACK_ON: tuple[type[CoachError], ...] = (ProviderUnavailable, ModelTimeout)


class OutputRejected(Exception):
    """Model output that does not validate; `errors` are sent back to the model on a re-ask."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Generation:
    """What a model produced for one request, with its cost."""

    response: FeedbackResponse
    usage: Usage
    cost_usd: float | None
    attempts: int


Validator = Callable[[str], FeedbackResponse]


def check_output(output: ModelOutput, version: PromptVersion, grounder: Grounder) -> FeedbackResponse:
    """Ground every quote and check the criteria against the rubric; raise OutputRejected with all errors."""
    errors: list[str] = []
    expected = [c.id for c in version.rubric.criteria]
    seen = [c.id for c in output.criteria]
    if sorted(seen) != sorted(expected):
        errors.append(f"criteria must be exactly {expected}, once each; got {seen}")

    def ground(quote: str, where: str) -> Span | None:
        span = grounder.find(quote)
        if span is None:
            errors.append(f"{where}: quote not found verbatim in the answer: {quote[:120]!r}")
        return span

    criteria: list[Criterion] = []
    for item in output.criteria:
        evidence: list[Evidence] = []
        for ev in item.evidence:
            if span := ground(ev.quote, f"criterion {item.id}"):
                evidence.append(Evidence(quote=span.text, start=span.start, end=span.end))
        if item.id in expected:
            spec = version.rubric.criterion(item.id)
            criteria.append(
                Criterion(
                    id=item.id,
                    name=spec.name,
                    score=item.score,
                    rationale=item.rationale,
                    evidence=evidence,
                    suggestion=item.suggestion,
                )
            )
    flags: list[RedFlag] = []
    for flag in output.red_flags:
        if not flag.quote.strip():
            flags.append(RedFlag(code=flag.code, quote="", explanation=flag.explanation))
            continue
        if span := ground(flag.quote, f"red flag {flag.code}"):
            flags.append(
                RedFlag(
                    code=flag.code,
                    quote=span.text,
                    start=span.start,
                    end=span.end,
                    explanation=flag.explanation,
                )
            )
    if errors:
        raise OutputRejected(errors)
    order = {cid: i for i, cid in enumerate(expected)}
    criteria.sort(key=lambda c: order[c.id])
    score = round(output.overall_score * 2) / 2
    return FeedbackResponse(
        id="fb_pending",
        overall=Overall(score=score, band=band_for(score), summary=output.summary),
        criteria=criteria,
        red_flags=flags,
        goals=output.goals,
        strengths=output.strengths,
        improvements=output.improvements,
        rewrite=output.rewrite,
        meta=_placeholder_meta(version),
    )


def make_validator(version: PromptVersion, answer: str) -> Validator:
    """Parse raw model text as JSON for the output schema, then ground it; raise OutputRejected."""
    grounder = Grounder(answer)

    def validate(text: str) -> FeedbackResponse:
        try:
            output = ModelOutput.model_validate_json(_strip_fences(text))
        except ValidationError as exc:
            raise OutputRejected(
                [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()][:20]
            ) from None
        return check_output(output, version, grounder)

    return validate


def _strip_fences(text: str) -> str:
    """Accept a JSON object wrapped in a Markdown code fence, as small local models often send."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped


def _placeholder_meta(version: PromptVersion) -> Meta:
    return Meta(
        model="",
        prompt=version.name,
        prompt_version=version.version,
        prompt_hash=version.content_hash,
        cached=False,
        latency_ms=0,
        usage=Usage(),
        cost_usd=None,
        request_id="",
    )


class Coach:
    """The service's single code path, shared by the HTTP API, the CLI and the eval harness."""

    def __init__(self, settings: Settings, registry: PromptRegistry, cache: ResultCache) -> None:
        self.settings = settings
        self.registry = registry
        self.cache = cache

    @classmethod
    def from_settings(cls, settings: Settings) -> Coach:
        """The coach as the service builds it: prompt versions with the configured default, and the cache."""
        registry = PromptRegistry(settings.prompts_dir)
        if settings.prompt_version is not None and settings.prompt_version not in registry.versions:
            # Fail at start-up, not with a 422 on every request and a failing /healthz.
            raise ConfigError(
                f"invalid configuration: COACH_PROMPT_VERSION={settings.prompt_version!r} is not one of "
                f"{', '.join(registry.versions)}"
            )
        # The registry's default is what a request without options.prompt_version gets.
        registry.default = settings.prompt_version
        cache = open_cache(
            settings.cache,
            directory=settings.cache_dir,
            ttl_s=settings.cache_ttl_s,
            redis_url=settings.redis_url,
        )
        return cls(settings, registry, cache)

    def resolve_model(self, requested: str | None) -> str:
        """The request's model if allowed (422 otherwise), else the configured default."""
        if requested is None:
            return self.settings.model
        if requested not in self.settings.allowed_models:
            raise ModelNotAllowed(
                f"model {requested!r} is not allowed here",
                details=[{"field": "options.model", "allowed": self.settings.allowed_models}],
            )
        return requested

    def key_for(self, request: FeedbackRequest, version: PromptVersion, model: str) -> str:
        """Cache key over model, prompt name/version/hash, the request, parameters and output schema."""
        return cache_key(
            {
                "model": model,
                "api_base": None if model == LOCAL_MODEL else self.settings.api_base,
                "engine": engine.ENGINE_VERSION if model == LOCAL_MODEL else None,
                "prompt": [version.name, version.version, version.content_hash],
                "params": {"temperature": version.meta.temperature, "max_tokens": version.meta.max_tokens},
                "schema": _SCHEMA_HASH,
                "request": request.model_dump(mode="json", exclude={"options"}),
            }
        )

    def feedback(self, request: FeedbackRequest, request_id: str | None = None) -> FeedbackResponse:
        """Grounded feedback for one request; raises a CoachError subclass on failure."""
        started = time.perf_counter()
        request_id = request_id or secrets.token_hex(8)
        version = self.registry.get(request.options.prompt_version)
        model = self.resolve_model(request.options.model)
        use_cache = request.options.cache
        key = self.key_for(request, version, model)
        if use_cache:
            hit = self._cached(key)
            if hit is not None:
                used = hit.meta.model or model
                return self._finish(
                    hit, used, version, started, request_id, cached=True, usage=Usage(), cost=0.0, attempts=0
                )
        generation, used_model = self._generate_with_fallbacks(request, version, model)
        response = self._finish(
            generation.response,
            used_model,
            version,
            started,
            request_id,
            cached=False,
            usage=generation.usage,
            cost=generation.cost_usd,
            attempts=generation.attempts,
        )
        if use_cache:
            # Under the key of the model that answered: a fallback's answer must not stand in for the
            # primary's once the primary is back.
            used_key = key if used_model == model else self.key_for(request, version, used_model)
            self.cache.set(used_key, response.model_dump_json(exclude={"id"}))
        return response

    def _cached(self, key: str) -> FeedbackResponse | None:
        raw = self.cache.get(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("cache entry is not a JSON object")
            data["id"] = "fb_cached"
            return FeedbackResponse.model_validate(data)
        except (ValueError, ValidationError):
            log.warning("cache: entry failed validation; treating it as a miss")
            return None

    def _generate_with_fallbacks(
        self, request: FeedbackRequest, version: PromptVersion, model: str
    ) -> tuple[Generation, str]:
        chain = [model] + [m for m in self.settings.fallback_models if m != model]
        failures: list[dict[str, object]] = []
        for index, candidate in enumerate(chain):
            try:
                return self._generate(request, version, candidate), candidate
            except FALLBACK_ON as exc:
                failures.append({"model": candidate, "code": exc.code, "message": exc.message})
                if index == len(chain) - 1:
                    if len(chain) == 1:
                        raise
                    raise ProviderUnavailable(
                        "every model failed, fallbacks included", details=failures
                    ) from exc
                log.warning("model %s failed (%s); falling back to %s", candidate, exc.code, chain[index + 1])
        raise AssertionError("unreachable")

    def _generate(self, request: FeedbackRequest, version: PromptVersion, model: str) -> Generation:
        if model == LOCAL_MODEL:
            output = engine.review(request, version.rubric)
            try:
                response = check_output(output, version, Grounder(request.answer))
            except OutputRejected as exc:  # the engine builds spans itself: this is a bug, not bad input
                raise InternalError(f"local/rubric produced ungrounded output: {exc}") from exc
            return Generation(response=response, usage=Usage(), cost_usd=0.0, attempts=1)
        from service import llm  # litellm is imported inside llm, lazily, only on this path

        return llm.generate(model, version, request, self.settings, make_validator(version, request.answer))

    def _finish(
        self,
        response: FeedbackResponse,
        model: str,
        version: PromptVersion,
        started: float,
        request_id: str,
        *,
        cached: bool,
        usage: Usage,
        cost: float | None,
        attempts: int,
    ) -> FeedbackResponse:
        meta = Meta(
            model=model,
            prompt=version.name,
            prompt_version=version.version,
            prompt_hash=version.content_hash,
            cached=cached,
            latency_ms=int((time.perf_counter() - started) * 1000),
            usage=usage,
            cost_usd=cost,
            request_id=request_id,
            attempts=attempts,
        )
        return response.model_copy(update={"id": "fb_" + secrets.token_hex(10), "meta": meta})


_SCHEMA_HASH = cache_key({"schema": ModelOutput.model_json_schema()})[-16:]
