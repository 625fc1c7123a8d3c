"""local/rubric: the embedded coach. Reads the answer with the guide's signals (lexicon.toml), scores it
against the prompt version's rubric, and writes feedback from the candidate's own words. No network."""

from __future__ import annotations

import hashlib
from pathlib import Path

from service.engine import writer
from service.engine.analysis import analyse
from service.engine.judge import judge
from service.rubric import Rubric
from service.schemas import FeedbackRequest, ModelOutput, band_for


def _source_hash() -> str:
    """Hash of the engine's code, lexicon and calibration: any change to them changes every local/rubric cache key."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.toml"), *folder.glob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


ENGINE_VERSION = _source_hash()


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
