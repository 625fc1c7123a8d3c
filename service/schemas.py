"""Pydantic models at the HTTP boundary and for model output; they generate /openapi.json."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_QUESTION = "What are your career goals?"
MAX_ANSWER_CHARS = 6000

Level = Literal["intern", "entry", "mid", "senior", "executive"]
LEVELS: tuple[Level, ...] = get_args(Level)
Band = Literal["weak", "adequate", "strong"]
Horizon = Literal["short", "long"]
FlagCode = Literal[
    "unrealistic_timeline",
    "misaligned_goal",
    "stepping_stone",
    "paycheck_only",
    "vague",
    "no_goals",
    "off_topic",
]
FLAG_CODES: tuple[FlagCode, ...] = get_args(FlagCode)
GoalCategory = Literal[
    "leadership",
    "further_study",
    "certification",
    "skills",
    "coaching",
    "mentoring",
    "events",
    "role_growth",
    "entrepreneurship",
    "other",
]


def band_for(score: float) -> Band:
    """CONTRACT bands: weak below 2.5, adequate from 2.5 below 3.5, strong from 3.5."""
    if score < 2.5:
        return "weak"
    return "adequate" if score < 3.5 else "strong"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- request -----------------------------------------------------------------------------------


class Role(_Strict):
    """The role the answer is for."""

    title: str = Field(min_length=1, max_length=200, description="Job title, e.g. 'Marketing Coordinator'")
    level: Level = Field(description="Seniority of the role")
    company: str | None = Field(default=None, max_length=200, description="Company name")
    industry: str | None = Field(default=None, max_length=200, description="Industry, e.g. 'fintech'")
    description: str | None = Field(default=None, max_length=8000, description="Job description text")

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class Candidate(_Strict):
    """Optional facts about the candidate; they change the expectations, never the evidence."""

    current_role: str | None = Field(default=None, max_length=200, description="The candidate's current role")
    years_experience: float | None = Field(default=None, ge=0, le=60, description="Years of work experience")
    background: str | None = Field(default=None, max_length=2000, description="Short background, e.g. degree")


class Options(_Strict):
    """Per-request choices."""

    prompt_version: str | None = Field(default=None, max_length=40, description="Prompt version, e.g. 'v2'")
    model: str | None = Field(
        default=None, max_length=200, description="Model; only from COACH_ALLOWED_MODELS"
    )
    cache: bool = Field(default=True, description="Serve and store this result in the cache")


class FeedbackRequest(_Strict):
    """Body of POST /v1/feedback."""

    question: str = Field(
        default=DEFAULT_QUESTION, min_length=1, max_length=500, description="The interview question answered"
    )
    answer: str = Field(description="The candidate's answer, 1..6000 characters after trimming")
    role: Role = Field(description="The role the answer is for")
    candidate: Candidate | None = Field(default=None, description="Optional facts about the candidate")
    options: Options = Field(default_factory=Options, description="Per-request options")

    @field_validator("answer")
    @classmethod
    def _answer_length(cls, value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800") is valid JSON but not text
            raise ValueError("must be valid Unicode text (it holds a lone surrogate)") from None
        trimmed = len(value.strip())
        if trimmed == 0:
            raise ValueError("must not be blank")
        if trimmed > MAX_ANSWER_CHARS:
            raise ValueError(f"must be at most {MAX_ANSWER_CHARS} characters after trimming, got {trimmed}")
        return value  # kept as sent, so evidence offsets index the client's own text


# --- what a model returns (the JSON Schema sent to LLMs) ---------------------------------------


class QuoteOut(_Strict):
    """A verbatim quote from the answer."""

    quote: str = Field(description="Text copied exactly, character for character, from the answer")


class CriterionOut(_Strict):
    """One rubric criterion as judged by the model."""

    id: str = Field(description="Criterion id from the rubric")
    score: int = Field(ge=1, le=5, description="1 (poor) .. 5 (excellent), per the rubric's anchors")
    rationale: str = Field(description="Why this score, referring to the answer")
    evidence: list[QuoteOut] = Field(description="Verbatim quotes that support the score; may be empty")
    suggestion: str = Field(description="One concrete way to improve on this criterion")


class RedFlagOut(_Strict):
    """A red flag from the fixed taxonomy."""

    code: FlagCode = Field(description="Red-flag code")
    quote: str = Field(description="Verbatim quote that shows the flag, or empty when it is an absence")
    explanation: str = Field(description="Why this is a red flag for a hiring manager")


class Goal(_Strict):
    """A career goal the candidate states."""

    text: str = Field(description="The goal, in a few words")
    horizon: Horizon = Field(description="short (about 1-2 years) or long")
    category: GoalCategory = Field(description="Kind of goal, from the guide's categories")


class ModelOutput(_Strict):
    """The feedback a model produces; the service grounds the quotes and adds ids, bands and meta."""

    overall_score: float = Field(
        ge=1, le=5, description="Overall score 1..5, consistent with criteria and flags"
    )
    summary: str = Field(description="Two or three sentences of overall feedback to the candidate")
    criteria: list[CriterionOut] = Field(description="Every rubric criterion, once each")
    red_flags: list[RedFlagOut] = Field(description="Red flags present; empty when none")
    goals: list[Goal] = Field(description="Goals the candidate states")
    strengths: list[str] = Field(description="What works in this answer, specific to it")
    improvements: list[str] = Field(description="The most useful changes, specific to this answer")
    rewrite: str | None = Field(
        description="An improved answer from the candidate's own goals; [brackets] where facts are missing"
    )


# --- response ----------------------------------------------------------------------------------


class Evidence(_Strict):
    """A grounded quote: `answer[start:end] == quote`."""

    quote: str = Field(description="Verbatim text from the answer")
    start: int = Field(ge=0, description="Start offset in the answer, in characters")
    end: int = Field(ge=0, description="End offset (exclusive) in the answer")


class Criterion(_Strict):
    """A scored rubric criterion."""

    id: str = Field(description="Criterion id, e.g. role_alignment")
    name: str = Field(description="Human name of the criterion")
    score: int = Field(ge=1, le=5, description="1..5")
    rationale: str = Field(description="Why this score")
    evidence: list[Evidence] = Field(description="Grounded quotes supporting the score")
    suggestion: str = Field(description="How to improve on this criterion")


class RedFlag(_Strict):
    """A red flag with its grounded quote."""

    code: FlagCode = Field(description="One of the CONTRACT's red-flag codes")
    quote: str = Field(description="Verbatim text from the answer, or empty")
    start: int | None = Field(
        default=None, description="Offset of quote in the answer, null when quote is empty"
    )
    end: int | None = Field(default=None, description="End offset of quote, null when quote is empty")
    explanation: str = Field(description="Why it matters to a hiring manager")


class Overall(_Strict):
    """The headline verdict."""

    score: float = Field(ge=1, le=5, description="1..5")
    band: Band = Field(description="weak below 2.5, adequate from 2.5 below 3.5, strong from 3.5")
    summary: str = Field(description="Overall feedback")


class Usage(_Strict):
    """Tokens the model used for this response."""

    prompt_tokens: int = Field(default=0, ge=0, description="Input tokens")
    completion_tokens: int = Field(default=0, ge=0, description="Output tokens")


class Meta(_Strict):
    """How the feedback was produced."""

    model: str = Field(description="Model that produced the feedback")
    prompt: str = Field(description="Prompt name")
    prompt_version: str = Field(description="Prompt version")
    prompt_hash: str = Field(description="Content hash of the prompt version (rubric and templates)")
    cached: bool = Field(description="True when served from the cache")
    latency_ms: int = Field(ge=0, description="Time spent producing this response")
    usage: Usage = Field(description="Token usage of the model call(s)")
    cost_usd: float | None = Field(description="Cost from litellm's price list; null when unknown")
    request_id: str = Field(description="Id of the HTTP request, also in logs and X-Request-ID")
    attempts: int = Field(
        default=1, ge=0, description="Model calls made, re-asks and retries included (0 if cached)"
    )


class FeedbackResponse(_Strict):
    """Body of a 200 from POST /v1/feedback."""

    id: str = Field(description="Feedback id, fb_...")
    overall: Overall = Field(description="Overall score, band and summary")
    criteria: list[Criterion] = Field(description="Per-criterion scores with evidence")
    red_flags: list[RedFlag] = Field(description="Red flags found")
    goals: list[Goal] = Field(description="Goals the candidate states")
    strengths: list[str] = Field(description="What works")
    improvements: list[str] = Field(description="What to change")
    rewrite: str | None = Field(description="An improved answer, or null")
    meta: Meta = Field(description="Provenance of the feedback")


class ErrorBody(_Strict):
    """Inner object of every error response."""

    code: str = Field(description="Machine-readable error code")
    message: str = Field(description="Human-readable message")
    details: list[dict[str, object]] = Field(description="Field-level or structured details")
    request_id: str | None = Field(description="Id of the HTTP request")


class ErrorResponse(_Strict):
    """Every non-2xx response."""

    error: ErrorBody = Field(description="The error")
