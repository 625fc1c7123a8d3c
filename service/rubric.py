"""The rubric of a prompt version, validated: criteria with anchors, red flags, goal categories, levels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.schemas import FLAG_CODES, LEVELS, FlagCode, GoalCategory, Level


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionSpec(_Data):
    """One criterion: what it asks, its weight in the overall score, and what each score looks like."""

    id: str = Field(pattern=r"^[a-z_]+$", description="Stable id, e.g. role_alignment")
    name: str = Field(description="Human name")
    weight: float = Field(gt=0, le=1, description="Weight in the overall score")
    question: str = Field(description="The question the criterion answers")
    anchors: dict[str, str] = Field(description="Score '1'..'5' -> what that score looks like")

    @model_validator(mode="after")
    def _five_anchors(self) -> CriterionSpec:
        if sorted(self.anchors) != ["1", "2", "3", "4", "5"]:
            raise ValueError(f"criterion {self.id}: anchors must be exactly 1..5")
        return self


class RedFlagSpec(_Data):
    """A red-flag code, its meaning and its effect on the overall score."""

    code: FlagCode = Field(description="One of the CONTRACT's codes")
    meaning: str = Field(description="What the flag means")
    serious: bool = Field(description="A serious flag caps the overall score below the weak/adequate line")
    penalty: float = Field(ge=0, le=4, description="Points taken off the overall score")


class GoalCategorySpec(_Data):
    """A kind of goal the guide names."""

    id: GoalCategory = Field(description="Category id")
    meaning: str = Field(description="What belongs in it")


class LevelSpec(_Data):
    """What is expected of a candidate at one seniority level."""

    expectation: str = Field(description="Level-aware expectations, shown to LLMs")
    years_per_rung: float | None = Field(default=None, gt=0, description="Overrides realism.years_per_rung")


class Scoring(_Data):
    """How criteria and flags combine into the overall score."""

    no_answer_score: float = Field(
        default=1.0, ge=1, le=5, description="Overall when there is no goal or no answer"
    )
    two_serious_score: float = Field(
        default=1.5, ge=1, le=5, description="Overall with two or more serious flags"
    )
    one_serious_max: float = Field(
        default=2.0, ge=1, le=5, description="Highest overall with one serious flag"
    )
    one_serious_drop: float = Field(
        default=1.5, ge=0, le=4, description="Points one serious flag takes off the content"
    )
    vague_max: float = Field(
        default=2.5, ge=1, le=5, description="Highest overall for a vague answer tied to the role"
    )


class Realism(_Data):
    """Pace of a plausible career for the realism criterion."""

    years_per_rung: float = Field(default=3.0, gt=0, description="Years to climb one rung of seniority")


class Rubric(_Data):
    """Everything a model is graded against, for one prompt version."""

    scoring: Scoring = Field(default_factory=Scoring, description="Overall score rules")
    realism: Realism = Field(default_factory=Realism, description="Realism pacing")
    criteria: list[CriterionSpec] = Field(min_length=1, description="Criteria, in display order")
    red_flags: list[RedFlagSpec] = Field(description="Every red-flag code, once")
    goal_categories: list[GoalCategorySpec] = Field(description="Goal categories")
    levels: dict[Level, LevelSpec] = Field(description="Expectations per level")

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids must be unique")
        if sorted(f.code for f in self.red_flags) != sorted(FLAG_CODES):
            raise ValueError("red_flags must list each of the seven codes exactly once")
        if sorted(self.levels) != sorted(LEVELS):
            raise ValueError(f"levels must cover exactly {', '.join(LEVELS)}")
        if abs(sum(c.weight for c in self.criteria) - 1.0) > 1e-6:
            raise ValueError("criterion weights must add up to 1")
        return self

    def criterion(self, criterion_id: str) -> CriterionSpec:
        """The criterion with this id."""
        return next(c for c in self.criteria if c.id == criterion_id)

    def flag(self, code: str) -> RedFlagSpec:
        """The red-flag spec for this code."""
        return next(f for f in self.red_flags if f.code == code)

    def years_per_rung(self, level: Level) -> float:
        """Plausible years per seniority rung at this level."""
        return self.levels[level].years_per_rung or self.realism.years_per_rung
