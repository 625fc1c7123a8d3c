"""Scores: each criterion from the signals, then the overall from the rubric's weights and flag penalties."""

from __future__ import annotations

from dataclasses import dataclass

from service.engine.analysis import Analysis, Evidence
from service.engine.calibration import calibrate
from service.engine.text import lexicon
from service.rubric import Rubric


@dataclass(frozen=True)
class Verdict:
    """Criterion scores (1..5 by id) and the overall score (1..5, half steps)."""

    criteria: dict[str, int]
    overall: float


def _clamp(value: float, low: int = 1, high: int = 5) -> int:
    return int(max(low, min(high, round(value))))


def score_criteria(a: Analysis) -> dict[str, int]:
    """One score per built-in criterion id; unknown ids in a rubric fall back to the mean."""
    f = a.flags
    steps, goals = a.concrete(), a.count("goal")
    no_content = "no_goals" in f or ("off_topic" in f and not a.injection)

    concrete = 1 if no_content else {0: 2 if goals else 1, 1: 3, 2: 4}.get(steps, 5)
    if "vague" in f:
        concrete = min(concrete, 2)

    ties = min(a.count("role_ref"), 2) + min(len({h.sentence for h in a.overlap}), 2)
    alignment = 2 + min(ties, 3) * 0.8 + (0.5 if a.count("value") else 0)
    if "misaligned_goal" in f:
        alignment = 1
    elif "stepping_stone" in f or no_content:
        alignment = min(alignment, 2)

    ambition = a.count("growth") + (1 if a.target_rung else 0)
    realism = 3 + (1 if ambition else 0) + (1 if ambition and steps >= 2 else 0)
    if "unrealistic_timeline" in f:
        realism = 1
    elif no_content:
        realism = 2

    authenticity = 3 + min(a.count("authentic"), 1) + (1 if steps >= 3 or a.count("authentic") >= 2 else 0)
    if "paycheck_only" in f or no_content:
        authenticity = 1
    elif "vague" in f or "off_topic" in f:
        authenticity = min(authenticity, 3) - (1 if a.count("vague") >= 3 else 0)

    mutual = 2 + min(a.count("value"), 2) + (1 if a.count("role_ref") or len(a.overlap) >= 2 else 0)
    if "stepping_stone" in f or "paycheck_only" in f or no_content:
        mutual = 1
    elif "misaligned_goal" in f:
        mutual = min(mutual, 2)

    return {
        "authenticity": _clamp(authenticity),
        "role_alignment": _clamp(alignment),
        "realism": _clamp(realism),
        "concrete_steps": _clamp(concrete),
        "mutual_value": _clamp(mutual),
    }


def _rubric_scores(a: Analysis, rubric: Rubric) -> dict[str, int]:
    """The built-in criterion scores under the rubric's ids; unknown ids get the mean."""
    known = score_criteria(a)
    mean = sum(known.values()) / len(known)
    return {c.id: known.get(c.id, _clamp(mean)) for c in rubric.criteria}


def is_strong(e: Evidence) -> bool:
    """The guide's strong answer: specifics, momentum and ties to this employer outweigh the hedges."""
    w = lexicon()["evidence"]
    points = (
        min(e.specifics, w["specifics_cap"])
        + w["momentum"] * e.momentum
        + w["employer"] * min(e.employer, w["employer_cap"])
        + w["concrete"] * e.concrete
        - w["hedge"] * e.hedges
    )
    return bool(points >= w["strong_at"])


def judge(a: Analysis, rubric: Rubric, calibrated: bool = True) -> Verdict:
    """Criterion scores and the overall score under this rubric.

    The overall follows the guide's logic rather than a plain sum: with no flag it is the weighted mean of the
    criteria; a serious flag puts the answer in the weak band (how weak depends on what else it offers);
    vague caps it at the weak/adequate line; an instruction to the grader costs a fixed penalty on top of
    the score the real content earns. Then the learned calibration (calibration.py) places the score where
    experts would, within what the flags allow; `calibrated=False` gives the rules' score alone.
    """
    scores = _rubric_scores(a, rubric)
    content = sum(c.weight * scores[c.id] for c in rubric.criteria)
    rules = rubric.scoring
    serious = [code for code in a.flags if rubric.flag(code).serious]
    overall = content
    if "no_goals" in a.flags or ("off_topic" in a.flags and not a.injection):
        overall = rules.no_answer_score + (0.5 if a.count("steps") >= 2 else 0.0)
    elif len(serious) >= 2:
        overall = rules.two_serious_score
    elif serious:
        overall = max(rules.two_serious_score, min(rules.one_serious_max, content - rules.one_serious_drop))
    elif "vague" in a.flags:
        tied = len({h.sentence for h in a.overlap}) >= 1 and a.count("vague") <= 1
        overall = min(overall, rules.vague_max if tied else rules.vague_max - 0.5)
    else:
        # no flag on the content: strong needs the evidence, else honest but thin is adequate
        overall = overall if is_strong(a.evidence()) else min(overall, 3.0)
    if a.injection:
        overall -= rubric.flag("off_topic").penalty
    overall = max(1.0, min(5.0, round(overall * 2) / 2))
    if calibrated:
        flagged = set(a.flags)
        overall = calibrate(a, overall, rubric)
        if set(a.flags) != flagged:  # the calibration overruled a flag: the criteria follow
            scores = _rubric_scores(a, rubric)
    return Verdict(criteria=scores, overall=overall)
