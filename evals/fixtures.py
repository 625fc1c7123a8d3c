"""Expert-labelled fixtures: one JSON object a line in `fixtures/<prompt>/*.jsonl`, checked by Pydantic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from service.schemas import Band, FeedbackRequest, FlagCode, Level, band_for

Split = Literal["dev", "test"]
Variant = Literal["career_goals", "top3", "five_years", "short_long"]
VARIANTS: tuple[Variant, ...] = ("career_goals", "top3", "five_years", "short_long")
CriterionId = Literal["authenticity", "role_alignment", "realism", "concrete_steps", "mutual_value"]
Trait = Literal[
    "pivot_bridge",
    "pivot_no_bridge",
    "quoted_speech",
    "grader_instruction",
    "fake_verdict",
    "formatting_noise",
    "non_native",
    "very_short",
    "very_long",
    "named_competitor",
    "lowercase",
    "emoji",
    "multiple_flags",
    "clean_strong",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpertLabel(_Strict):
    """What the expert decided about one answer."""

    overall: float = Field(ge=1, le=5, description="Overall score 1.0..5.0 in steps of 0.5")
    band: Band = Field(description="weak below 2.5, adequate from 2.5 below 3.5, strong from 3.5")
    red_flags: list[FlagCode] = Field(description="Red-flag codes present; empty when none")
    criteria: dict[CriterionId, int] | None = Field(None, description="Optional per-criterion scores 1..5")

    @field_validator("overall")
    @classmethod
    def _half_steps(cls, value: float) -> float:
        if abs(value * 2 - round(value * 2)) > 1e-9:
            raise ValueError("must be a multiple of 0.5")
        return value

    @field_validator("red_flags")
    @classmethod
    def _unique_flags(cls, value: list[FlagCode]) -> list[FlagCode]:
        if len(set(value)) != len(value):
            raise ValueError("a red-flag code is listed twice")
        return value

    @field_validator("criteria")
    @classmethod
    def _criterion_range(cls, value: dict[CriterionId, int] | None) -> dict[CriterionId, int] | None:
        for key, score in (value or {}).items():
            if not 1 <= score <= 5:
                raise ValueError(f"{key}: criterion scores are 1..5, got {score}")
        return value

    @model_validator(mode="after")
    def _band_follows_overall(self) -> ExpertLabel:
        if band_for(self.overall) != self.band:
            raise ValueError(
                f"band {self.band!r} does not follow overall {self.overall} ({band_for(self.overall)!r})"
            )
        return self


class Tags(_Strict):
    """Strata used to slice the comparison."""

    level: Level = Field(description="The role's level (same as request.role.level)")
    variant: Variant = Field(description="Which wording of the career-goals question")
    adversarial: bool = Field(description="Built to trip a grader")
    traits: list[Trait] = Field(default_factory=list, description="What makes the case interesting")


class Fixture(_Strict):
    """One expert-labelled case: the exact POST /v1/feedback body and the expert's label."""

    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._-]+$", description="Stable case id")
    split: Split = Field(description="dev (tuning) or test (held out)")
    request: FeedbackRequest = Field(description="Exactly the POST /v1/feedback body")
    expert: ExpertLabel = Field(description="The expert's label")
    provenance: str = Field(min_length=1, description="The guide's principle this case tests")
    tags: Tags = Field(description="Level, question variant, adversarial, traits")

    @model_validator(mode="after")
    def _level_matches(self) -> Fixture:
        if self.tags.level != self.request.role.level:
            raise ValueError(
                f"tags.level {self.tags.level!r} differs from request.role.level {self.request.role.level!r}"
            )
        return self


class FixtureError(Exception):
    """Fixtures that do not validate; `problems` are `file:line: message` strings."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:30]
        more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("invalid fixtures:\n" + "\n".join(shown) + more)
        self.problems = problems


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "line"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def load_file(path: Path, *, label: str | None = None) -> tuple[list[tuple[int, Fixture]], list[str]]:
    """(line number, fixture) pairs of one .jsonl file and its problems, each as `file:line: message`."""
    name = label or str(path)
    fixtures: list[tuple[int, Fixture]] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            fixtures.append((number, Fixture.model_validate(json.loads(line))))
        except json.JSONDecodeError as exc:
            problems.append(f"{name}:{number}: not valid JSON: {exc.msg} (column {exc.colno})")
        except ValidationError as exc:
            problems.append(f"{name}:{number}: {_describe(exc)}")
    return fixtures, problems


def load_fixtures(directory: Path) -> list[Fixture]:
    """Every case in `directory/**/*.jsonl`, sorted by file then line; raises FixtureError on any problem."""
    paths = sorted(directory.glob("**/*.jsonl"))
    fixtures: list[Fixture] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for path in paths:
        label = str(path.relative_to(directory.parent))
        found, bad = load_file(path, label=label)
        problems += bad
        for number, fixture in found:
            where = f"{label}:{number}"
            if fixture.id in first_seen:
                problems.append(f"{where}: duplicate id {fixture.id!r} (first at {first_seen[fixture.id]})")
                continue
            first_seen[fixture.id] = where
            fixtures.append(fixture)
    if problems:
        raise FixtureError(problems)
    return fixtures


def select_split(fixtures: list[Fixture], split: str) -> list[Fixture]:
    """Cases of one split, or all of them for `all`."""
    return list(fixtures) if split == "all" else [f for f in fixtures if f.split == split]
