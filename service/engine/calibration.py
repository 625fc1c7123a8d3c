"""The score calibration: a linear model, learned from the expert-labelled dev fixtures, that reads the
answer's words next to the engine's own verdict and says where experts would put the overall score.

The rules see the guide's signals they know; experts also react to wording the lexicon has never met
("my heart is in sports medicine", "a calm place to work while I finish the bootcamp"). A ridge regression
over the answer's words and bigrams, the engine's overall score, its flags and the role's level carries that
experience. Its weights are data (`calibration.json`), refitted with `make calibrate` (evals/calibrate.py)
from the dev split only; the test split is never read.

The calibrated score stays consistent with the flags: a serious flag keeps the answer weak, vague keeps it
at or below the weak/adequate line, and an answer with no goals stays at the bottom. When the model is
confident that a flagged answer is not weak, it drops the rules' serious flags instead (see `calibrate`),
except a flag the answer states in so many words (`Analysis.firm`: a stay length and then the exit, or pay
named as the reason for applying).
A second linear model, fitted only on answers the rules flag as seriously wrong, says how likely experts
are to call such an answer weak; when that is unlikely the flags go too.

The rules also miss flags in wording they have never met ("this role would tide me over", "my real passion
these days is food"). One more linear model per red flag (`FlagModels`, same features) says how likely experts
are to raise it. When an answer's calibrated score is already weak and a model says its flag is likely, the
flag is added, quoting the candidate's sentence that weighs most toward it. The learned flags explain a weak
score; they never make one, so they cannot move an answer out of the adequate or strong band.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

from service.engine.text import Hit
from service.rubric import Rubric
from service.schemas import FLAG_CODES, FlagCode, band_for

if TYPE_CHECKING:
    from service.engine.analysis import Analysis

# The weak/adequate line: a calibrated score at or above it overrules the rules' serious flags.
OVERRULE_AT = 2.5
FEATURES_VERSION = 3  # bump when `features` changes: a stored calibration of another version is not used
_TOKEN = re.compile(r"[a-z']+")
# Two-word sequences stay inside a phrase: punctuation, digits, bullets, emojis and line breaks end it, so
# formatting ("- own the newsletter 🙂\n- lead a team") makes no pairs that plain prose would not.
_PHRASE_BREAK = re.compile(r"[^a-z' ]+")


def grams(text: str) -> set[str]:
    """The words and the two-word sequences within phrases of a text, lower-cased."""
    out: set[str] = set()
    for phrase in _PHRASE_BREAK.split(text.lower().replace("’", "'")):
        words = _TOKEN.findall(phrase)
        out.update(words)
        out.update(f"{a} {b}" for a, b in pairwise(words))
    return out


def features(a: Analysis, overall: float) -> dict[str, float]:
    """What the model reads: the engine's overall, its flags, the level and the candidate's own words."""
    out: dict[str, float] = {"engine": overall, f"level:{a.request.role.level}": 1.0}
    # an instruction to the grader is not an answer about something else: experts judge its real content
    out.update(
        {f"flag:{'injection' if code == 'off_topic' and a.injection else code}": 1.0 for code in a.flags}
    )
    out.update({f"w:{g}": 1.0 for g in grams(" ".join(s.text for s in a.own))})
    return out


@dataclass(frozen=True)
class Linear:
    intercept: float
    weights: dict[str, float]

    def predict(self, feats: dict[str, float]) -> float:
        return self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in feats.items())


@dataclass(frozen=True)
class FlagModels:
    """One linear model per red flag over the same features: about 1 when experts would raise the flag.
    Feature `name` has its weight for `codes[j]` at `columns[j][index[name]]`: one flat array of doubles per
    flag rather than a float object per weight, and a feature's weights are summed in C (`map`)."""

    codes: tuple[FlagCode, ...]
    intercepts: tuple[float, ...]
    index: dict[str, int]
    columns: tuple[array[float], ...]

    @staticmethod
    def build(
        codes: Sequence[str], intercepts: Sequence[float], rows: dict[str, Sequence[float]]
    ) -> FlagModels:
        """From each feature's weights in the order of `codes` (how calibration.json stores them)."""
        if len(intercepts) != len(codes):
            raise ValueError(f"{len(intercepts)} flag-model intercepts for {len(codes)} codes")
        unknown = set(codes) - set(FLAG_CODES)
        if unknown:
            raise ValueError(f"unknown flag codes in the flag models: {sorted(unknown)}")
        columns = tuple(array("d") for _ in codes)
        for row in rows.values():
            if len(row) != len(codes):
                raise ValueError(f"a flag-model row has {len(row)} weights for {len(codes)} codes")
            for column, weight in zip(columns, row, strict=True):
                column.append(weight)
        known = tuple(cast(FlagCode, code) for code in codes)
        return FlagModels(known, tuple(intercepts), {name: i for i, name in enumerate(rows)}, columns)

    def weights_of(self, name: str) -> tuple[float, ...]:
        i = self.index.get(name)
        return tuple(0.0 if i is None else column[i] for column in self.columns)

    def predict(self, feats: dict[str, float]) -> dict[FlagCode, float]:
        found = [(i, value) for name, value in feats.items() if (i := self.index.get(name)) is not None]
        ones = [i for i, value in found if value == 1.0]  # words, flags and the level
        others = [(i, value) for i, value in found if value != 1.0]  # the engine's score
        return {
            code: bias + sum(map(column.__getitem__, ones)) + sum(column[i] * v for i, v in others)
            for code, bias, column in zip(self.codes, self.intercepts, self.columns, strict=True)
        }

    def evidence(self, a: Analysis, code: str) -> Hit | None:
        """The candidate's own sentence whose words weigh most toward the flag (None when none does)."""
        column = self.columns[self.codes.index(code)]
        best, best_weight = None, 0.0
        for s in a.own:
            rows = (self.index.get(f"w:{g}") for g in grams(s.text))
            weight = sum(column[i] for i in rows if i is not None)
            if weight > best_weight:
                best, best_weight = s, weight
        return None if best is None else Hit("learned", best.index, best.start, best.end, best.text)


@dataclass(frozen=True)
class Calibration(Linear):
    """The score model (its own intercept and weights), the flag check and where strong begins."""

    # On answers the rules flag as seriously wrong: about 1 when experts would call the answer weak.
    flag_check: Linear | None = None
    # The score model's value from which experts say strong: a ridge model is shrunk toward the mean, so
    # its strong answers sit a little below 3.5. Scores from here up are stretched onto 3.5..5.
    strong_at: float = 3.5
    # Below this flag-check value experts rarely call a flagged answer weak: its serious flags are dropped.
    keep_flag_at: float = 0.0
    # The same shrinkage at the weak/adequate line: from this score up, an answer whose flags allow it is
    # adequate (a vague answer experts split between 2.0 and 2.5 is predicted about 2.25 either way).
    adequate_at: float = OVERRULE_AT
    # One model per flag the rules may have missed; a flag is added to a weak answer from this value up.
    flag_models: FlagModels | None = None
    add_flag_at: float = math.inf

    @staticmethod
    def from_json(data: dict[str, Any]) -> Calibration:
        check, settings = data.get("flag_check"), data.get("settings", {})
        return Calibration(
            intercept=float(data["intercept"]),
            weights=dict(data["weights"]),
            flag_check=Linear(float(check["intercept"]), dict(check["weights"])) if check else None,
            strong_at=float(settings.get("strong_at", 3.5)),
            keep_flag_at=float(settings.get("keep_flag_at", 0.0)),
            adequate_at=float(settings.get("adequate_at", OVERRULE_AT)),
            flag_models=_flag_models(data.get("flag_models")),
            add_flag_at=float(settings.get("add_flag_at", math.inf)),
        )

    def stretched(self, score: float) -> float:
        """The score with `strong_at..5` mapped onto 3.5..5 and the adequate band widened to match."""
        line = OVERRULE_AT
        if score < line or self.strong_at >= 3.5:
            return score
        if score < self.strong_at:
            return line + (score - line) * (3.5 - line) / (self.strong_at - line)
        return 3.5 + (score - self.strong_at) * 1.5 / (5.0 - self.strong_at)


def _flag_models(data: dict[str, Any] | None) -> FlagModels | None:
    if data is None:
        return None
    return FlagModels.build(data["codes"], [float(x) for x in data["intercepts"]], data["weights"])


@cache
def stored() -> Calibration | None:
    """The shipped calibration, or None when there is none for this features version."""
    resource = files("service.engine").joinpath("calibration.json")
    if not resource.is_file():
        return None
    data = json.loads(resource.read_text(encoding="utf-8"))
    if data.get("features_version") != FEATURES_VERSION:
        return None
    return Calibration.from_json(data)


def calibrate(a: Analysis, overall: float, rubric: Rubric, model: Calibration | None = None) -> float:
    """The overall score experts would give, in half steps 1..5 (rounded within the model's band), kept
    consistent with the flags.

    When the model places an answer the rules flagged as seriously wrong at or above the weak/adequate
    line, or the flag check says experts would rarely call it weak, the words read like answers experts do
    not flag: the serious flags are dropped from `a.flags` (so the feedback no longer reports them) and the
    score is at least the weak/adequate line. Otherwise the remaining flags cap the score as the rubric says,
    and an answer the rules found thin (3.0 or less) can go down but not up: strong needs the evidence.
    Last, a weak answer gets the flags the flag models find likely that the rules did not raise (a flag
    dropped above is not raised again); their caps apply, so an added no_goals can take 2.0 down to 1.5.
    """
    model = model or stored()
    if model is None:
        return overall
    feats = features(a, overall)
    score = model.stretched(model.predict(feats))
    serious = [code for code in a.flags if rubric.flag(code).serious and code not in a.firm]
    doubted = (
        bool(serious)
        and model.flag_check is not None
        and model.flag_check.predict(feats) < model.keep_flag_at
    )
    if serious and (score >= OVERRULE_AT or doubted):
        for code in serious:
            del a.flags[code]
        score = max(score, OVERRULE_AT)
    score = _placed(a, overall, score, rubric, model)
    if score < OVERRULE_AT and model.flag_models is not None:
        likely = model.flag_models.predict(feats)
        for code, value in likely.items():
            if value >= model.add_flag_at and code not in a.flags and code not in serious:
                a.flags[code] = model.flag_models.evidence(a, code)
        score = _placed(a, overall, score, rubric, model)
    return score


def _placed(a: Analysis, overall: float, score: float, rubric: Rubric, model: Calibration) -> float:
    """The score within what the flags allow, in half steps that never cross a band line by rounding."""
    rules = rubric.scoring
    # the rules' score of an answer that instructs the grader has lost a penalty: "thin" is about its content
    penalty = rubric.flag("off_topic").penalty if a.injection else 0.0
    ceiling = 5.0
    if "no_goals" in a.flags or ("off_topic" in a.flags and not a.injection):
        ceiling = rules.no_answer_score + 0.5
    elif any(rubric.flag(code).serious for code in a.flags):
        ceiling = rules.one_serious_max
    elif "vague" in a.flags:
        ceiling = rules.vague_max
    elif overall + penalty <= 3.0:
        ceiling = 3.0 - penalty  # strong needs the evidence the rules look for (judge.is_strong)
    if model.adequate_at <= score < OVERRULE_AT <= ceiling:
        score = OVERRULE_AT  # the model's shrunk estimate sits just under the line experts put it on
    score = max(1.0, min(5.0, score, ceiling))
    half = round(score * 2) / 2
    if band_for(half) != band_for(score):  # rounding never moves an answer across a band line
        half += 0.5 if half < score else -0.5
    return half
