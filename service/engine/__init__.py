"""local/rubric: the embedded coach. Reads the answer with the guide's signals (lexicon.toml), scores it
against the prompt version's rubric, and writes feedback from the candidate's own words. No network."""

from __future__ import annotations

from service.engine import writer
from service.engine.analysis import analyse
from service.engine.judge import judge
from service.rubric import Rubric
from service.schemas import FeedbackRequest, ModelOutput, band_for

ENGINE_VERSION = "2"  # bump when the engine's output for the same input changes (it is in cache keys)


def review(request: FeedbackRequest, rubric: Rubric) -> ModelOutput:
    """Feedback on one answer under one rubric."""
    analysis = analyse(request, rubric)
    verdict = judge(analysis, rubric)
    return ModelOutput(
        overall_score=verdict.overall,
        summary=writer.summary(analysis, verdict, band_for(verdict.overall)),
        criteria=writer.criteria(analysis, verdict, rubric),
        red_flags=writer.red_flags(analysis, rubric),
        goals=writer.goals(analysis),
        strengths=writer.strengths(analysis, verdict),
        improvements=writer.improvements(analysis, verdict),
        rewrite=writer.rewrite(analysis),
    )
