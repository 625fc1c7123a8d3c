"""Run fixtures through the service's own path (`Coach.feedback`) on a thread pool, one result per call."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.fixtures import ExpertLabel, Fixture
from service.coach import Coach
from service.errors import CoachError
from service.schemas import Band, FeedbackResponse, FlagCode, Options, band_for


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Predicted(_Record):
    """What the model decided, in the expert label's terms."""

    overall: float = Field(description="overall.score")
    band: Band = Field(description="overall.band")
    red_flags: list[FlagCode] = Field(description="Distinct red-flag codes raised")
    criteria: dict[str, int] = Field(description="Criterion id -> score")


class CaseError(_Record):
    """A call that failed: the CoachError's code and message (or the exception's type for a bug)."""

    code: str = Field(description="CONTRACT error code, e.g. provider_unavailable")
    message: str = Field(description="What went wrong")
    status: int = Field(description="HTTP status the API would have answered")


class CaseResult(_Record):
    """One case under one run (prompt version x model): a line of results.jsonl."""

    id: str = Field(description="Fixture id")
    prompt_version: str = Field(description="Prompt version run")
    model: str = Field(description="Model run")
    split: str = Field(description="dev or test")
    level: str = Field(description="tags.level")
    variant: str = Field(description="tags.variant")
    adversarial: bool = Field(description="tags.adversarial")
    expert: ExpertLabel = Field(description="The expert label")
    predicted: Predicted | None = Field(description="The model's verdict; null on error")
    error: CaseError | None = Field(description="Why there is no verdict; null on success")
    schema_valid: bool = Field(description="A response came back and validates as the CONTRACT's response")
    quotes: int = Field(description="Non-empty quotes in the response (evidence and red flags)")
    quotes_grounded: int = Field(description="Quotes with answer[start:end] == quote")
    latency_ms: float = Field(description="Wall time of the Coach.feedback call")
    cached: bool = Field(description="Served from the result cache")
    prompt_tokens: int = Field(0, description="Input tokens")
    completion_tokens: int = Field(0, description="Output tokens")
    cost_usd: float | None = Field(None, description="Cost; null when unknown")
    prompt_hash: str | None = Field(None, description="meta.prompt_hash of the response")


@dataclass(frozen=True)
class Job:
    """One call to make: a fixture under a prompt version and a model."""

    fixture: Fixture
    prompt_version: str
    model: str
    use_cache: bool


def grounded_quotes(response: FeedbackResponse, answer: str) -> tuple[int, int]:
    """(quotes, quotes verbatim at their offsets) over evidence and red flags; empty quotes skipped."""
    spans: list[tuple[str, int | None, int | None]] = [
        (ev.quote, ev.start, ev.end) for c in response.criteria for ev in c.evidence
    ]
    spans += [(f.quote, f.start, f.end) for f in response.red_flags if f.quote]
    good = sum(1 for q, s, e in spans if s is not None and e is not None and answer[s:e] == q)
    return len(spans), good


def _schema_valid(response: FeedbackResponse) -> bool:
    try:
        again = FeedbackResponse.model_validate_json(response.model_dump_json())
    except ValidationError:
        return False
    return again.overall.band == band_for(again.overall.score)


def run_job(coach: Coach, job: Job) -> CaseResult:
    """One case through `Coach.feedback`; any failure becomes a recorded error, never an exception."""
    fixture = job.fixture
    options = Options(prompt_version=job.prompt_version, model=job.model, cache=job.use_cache)
    request = fixture.request.model_copy(update={"options": options})
    base: dict[str, Any] = {
        "id": fixture.id,
        "prompt_version": job.prompt_version,
        "model": job.model,
        "split": fixture.split,
        "level": fixture.tags.level,
        "variant": fixture.tags.variant,
        "adversarial": fixture.tags.adversarial,
        "expert": fixture.expert,
    }
    started = time.perf_counter()
    try:
        response = coach.feedback(request, request_id=f"eval-{fixture.id}")
    except CoachError as exc:
        error = CaseError(code=exc.code, message=exc.message, status=exc.status_code)
    except Exception as exc:  # a bug in a model path must not sink the other cases
        error = CaseError(code="internal_error", message=f"{type(exc).__name__}: {exc}", status=500)
    else:
        quotes, grounded = grounded_quotes(response, fixture.request.answer)
        meta = response.meta
        return CaseResult(
            **base,
            predicted=Predicted(
                overall=response.overall.score,
                band=response.overall.band,
                red_flags=sorted({f.code for f in response.red_flags}),
                criteria={c.id: c.score for c in response.criteria},
            ),
            error=None,
            schema_valid=_schema_valid(response),
            quotes=quotes,
            quotes_grounded=grounded,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            cached=meta.cached,
            prompt_tokens=meta.usage.prompt_tokens,
            completion_tokens=meta.usage.completion_tokens,
            cost_usd=meta.cost_usd,
            prompt_hash=meta.prompt_hash,
        )
    return CaseResult(
        **base,
        predicted=None,
        error=error,
        schema_valid=False,
        quotes=0,
        quotes_grounded=0,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        cached=False,
    )


class Progress:
    """A one-line progress bar on a terminal (redrawn with \\r at most ten times a second)."""

    def __init__(self, total: int, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.done = self.errors = self.cached = 0
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._lock = threading.Lock()

    def update(self, result: CaseResult) -> None:
        """Count one finished call and redraw if due."""
        with self._lock:
            self.done += 1
            self.errors += result.error is not None
            self.cached += result.cached
            now = time.perf_counter()
            if self.enabled and (now - self._drawn >= 0.1 or self.done == self.total):
                self._drawn = now
                self.stream.write("\r" + self.line(now))
                self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """`eval [#####.....] 120/264  45%  3.1s  2 errors  100 cached`."""
        elapsed = (now or time.perf_counter()) - self.started
        width = 24
        filled = width * self.done // max(self.total, 1)
        pct = 100 * self.done // max(self.total, 1)
        return (
            f"eval [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {pct:3d}% "
            f"{elapsed:5.1f}s  {self.errors} errors  {self.cached} cached"
        )

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def run_jobs(coach: Coach, jobs: Sequence[Job], concurrency: int, progress: Progress) -> list[CaseResult]:
    """Every job on a pool of `concurrency` threads; results come back in the jobs' order."""

    def work(job: Job) -> CaseResult:
        result = run_job(coach, job)
        progress.update(result)
        return result

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="eval") as pool:
        results = list(pool.map(work, jobs))
    progress.close()
    return results
