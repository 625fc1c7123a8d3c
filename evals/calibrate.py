"""`make calibrate`: fit local/rubric's score calibration on the dev split and write it to
service/engine/calibration.json (see service/engine/calibration.py for what the model is).

    python -m evals.calibrate            # fit on every dev case, write the file (about 3 minutes)
    python -m evals.calibrate --loso     # leave one fixture set out at a time: how it does on a new writer
    python -m evals.calibrate --folds 6  # the same with six groups of whole sets: about 15 minutes, not hours

Only the dev split is read; the test split stays held out. The fit is deterministic: the same fixtures and
engine give the same file, and a test checks that the shipped file matches a refit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from evals.fixtures import load_file
from evals.stats import spearman
from service.config import PROJECT_ROOT
from service.engine.analysis import Analysis, analyse
from service.engine.calibration import (
    FEATURES_VERSION,
    Calibration,
    FlagModels,
    Linear,
    calibrate,
    features,
)
from service.engine.judge import judge
from service.prompts import PromptRegistry
from service.rubric import Rubric
from service.schemas import FLAG_CODES, band_for

FIXTURES = PROJECT_ROOT / "fixtures" / "career_goals"
OUTPUT = PROJECT_ROOT / "service" / "engine" / "calibration.json"
PROMPT_VERSION = "v1"  # the rubric the engine scores under while the model is fitted
WORD_PENALTY = 10.0  # ridge penalty on each word feature: a word moves the score only with support
OTHER_PENALTY = 0.01  # the engine's score, flags and level are trusted features
MIN_CASES = 5  # a word or bigram is a feature only when this many training answers use it
ITERATIONS = 400  # conjugate-gradient steps; the fit has converged well before
# The flag check (fitted on the answers the rules flag seriously, target 1 when experts call them weak):
CHECK_WORD_PENALTY = 3.0  # fewer cases, so a lighter penalty and rarer words
CHECK_MIN_CASES = 3
# Below KEEP_FLAG_AT the serious flags are dropped (leave-one-set-out: flag F1 and misses improve).
KEEP_FLAG_AT = 0.6
# Where strong begins, and where adequate begins for an answer whose flags allow it: a ridge model is shrunk
# toward the mean, so it puts both lines a little inside the band. Chosen by 6-fold grouped cross-validation
# (`--folds 6`) over the 56 dev sets, band agreement (the adequate line with strong at 3.4, then the strong
# line): adequate line 2.5 (off) 0.835, 2.2 0.842, 2.25 0.843, 2.3 0.842 (misses 8 -> 7); strong line 3.4
# 0.843, 3.35 0.844, 3.3 0.847, 3.25 0.845. Chosen on those folds, so 0.847 flatters: the blind sets read
# after the choice (CS-CZ, 480) scored 0.773 against 0.771 before it.
STRONG_AT = 3.3
ADEQUATE_AT = 2.25
# The flag models (one ridge per red flag over the same features, target 1 when experts raise it) add a flag
# to a weak answer from ADD_FLAG_AT up. off_topic is left to the rules: it is about what the answer answers
# (or whom it instructs), and its cap would bury the real content. Chosen by 6-fold grouped cross-validation
# over the 56 older dev sets and a first look at the 8 new ones (DA-DH, before any tuning), flag F1 with the
# band unchanged by design: 0.25: 0.856 / 0.751, 0.3: 0.861 / 0.742, 0.35: 0.861 / 0.740, 0.4: 0.863 / 0.717
# (none: 0.857 / 0.695). Folds favour the higher lines and new writers the lower; 0.35 sits between.
LEARNED_FLAGS = tuple(code for code in FLAG_CODES if code != "off_topic")
ADD_FLAG_AT = 0.35


@dataclass(frozen=True)
class Example:
    set_name: str
    feats: dict[str, float]
    engine: float  # the uncalibrated overall
    expert: float
    case_flags: tuple[str, ...]
    analysis: Analysis
    serious: bool  # the rules raised a serious flag (the flag check learns from these)
    case_id: str


def examples(rubric: Rubric, fixtures_dir: Path = FIXTURES) -> list[Example]:
    """Every dev case with the engine's uncalibrated verdict and the features the model reads."""
    out: list[Example] = []
    for path in sorted(fixtures_dir.glob("*.jsonl")):
        found, problems = load_file(path)
        if problems:
            raise SystemExit("invalid fixtures:\n" + "\n".join(problems))
        for _, case in found:
            if case.split != "dev":
                continue
            a = analyse(case.request, rubric)
            overall = judge(a, rubric, calibrated=False).overall
            feats = features(a, overall)
            serious = any(rubric.flag(code).serious for code in a.flags)
            out.append(
                Example(
                    path.stem,
                    feats,
                    overall,
                    case.expert.overall,
                    tuple(case.expert.red_flags),
                    a,
                    serious,
                    case.id,
                )
            )
    return out


def fit(train: Sequence[Example]) -> Calibration:
    """The score model on every training case, the flag check on those the rules flag seriously and one
    flag model per learned flag on every training case."""
    feats = [ex.feats for ex in train]
    score = ridge(feats, [ex.expert for ex in train], WORD_PENALTY, MIN_CASES)
    flagged = [ex for ex in train if ex.serious]
    check = ridge(
        [ex.feats for ex in flagged],
        [1.0 if band_for(ex.expert) == "weak" else 0.0 for ex in flagged],
        CHECK_WORD_PENALTY,
        CHECK_MIN_CASES,
    )
    per_flag = [
        ridge(feats, [1.0 if code in ex.case_flags else 0.0 for ex in train], WORD_PENALTY, MIN_CASES)
        for code in LEARNED_FLAGS
    ]
    names = sorted({name for model in per_flag for name in model.weights})
    flag_models = FlagModels.build(
        LEARNED_FLAGS,
        [model.intercept for model in per_flag],
        {name: [model.weights.get(name, 0.0) for model in per_flag] for name in names},
    )
    return Calibration(
        score.intercept,
        score.weights,
        flag_check=check,
        strong_at=STRONG_AT,
        keep_flag_at=KEEP_FLAG_AT,
        adequate_at=ADEQUATE_AT,
        flag_models=flag_models,
        add_flag_at=ADD_FLAG_AT,
    )


def ridge(
    feats: Sequence[dict[str, float]], y: Sequence[float], word_penalty: float, min_cases: int
) -> Linear:
    """Ridge regression of y on the features, solved by conjugate gradient."""
    used = Counter(name for f in feats for name in f if name.startswith("w:"))
    names = sorted(
        {n for f in feats for n in f if not n.startswith("w:")}
        | {n for n, c in used.items() if c >= min_cases}
    )
    index = {name: i for i, name in enumerate(names)}
    bias = len(names)  # the intercept, unpenalised
    rows = [[(index[n], v) for n, v in f.items() if n in index] + [(bias, 1.0)] for f in feats]
    penalty = [word_penalty if n.startswith("w:") else OTHER_PENALTY for n in names] + [0.0]

    def normal(w: list[float]) -> list[float]:  # (X'X + diag(penalty)) w
        out = [p * wi for p, wi in zip(penalty, w, strict=True)]
        for row in rows:
            dot = sum(v * w[j] for j, v in row)
            for j, v in row:
                out[j] += v * dot
        return out

    b = [0.0] * (bias + 1)
    for row, target in zip(rows, y, strict=True):
        for j, v in row:
            b[j] += v * target
    w = [0.0] * (bias + 1)
    r = b[:]
    p = r[:]
    rr = sum(x * x for x in r)
    for _ in range(ITERATIONS):
        if rr < 1e-12:
            break
        ap = normal(p)
        step = rr / sum(pi * api for pi, api in zip(p, ap, strict=True))
        w = [wi + step * pi for wi, pi in zip(w, p, strict=True)]
        r = [ri - step * api for ri, api in zip(r, ap, strict=True)]
        new = sum(x * x for x in r)
        p = [ri + (new / rr) * pi for ri, pi in zip(r, p, strict=True)]
        rr = new
    weights = {n: round(w[i], 5) for n, i in index.items() if round(w[i], 5) != 0.0}
    return Linear(intercept=round(w[bias], 5), weights=weights)


def _summary(expert: list[float], predicted: list[float], flags: list[tuple[set[str], set[str]]]) -> str:
    """Band accuracy, Spearman, weak<->strong misses and red-flag micro-F1 (flags: expert, predicted)."""
    pairs = list(zip(expert, predicted, strict=True))
    band = sum(band_for(e) == band_for(p) for e, p in pairs) / len(pairs)
    severe = sum({band_for(e), band_for(p)} == {"weak", "strong"} for e, p in pairs)
    rho = spearman(expert, predicted)
    tp = sum(len(e & p) for e, p in flags)
    wrong = sum(len(e ^ p) for e, p in flags)
    f1 = 2 * tp / (2 * tp + wrong) if tp else 0.0
    shown = "n/a" if rho is None else f"{rho:.3f}"
    return f"band {band:.3f}  spearman {shown}  severe {severe}  flag F1 {f1:.3f}"


class Scored(NamedTuple):
    example: Example
    calibrated: float
    engine_flags: set[str]  # the rules' flags
    flags: set[str]  # after the calibration (it may overrule serious flags)


def held_out(data: list[Example], rubric: Rubric, folds: int | None = None) -> None:
    """Fit without some sets, score them; print per group and overall, next to the uncalibrated engine.
    One set at a time (leave-one-set-out), or `folds` groups of whole sets (sets dealt round-robin in name
    order, so each group mixes writers and rounds)."""
    sets = sorted({ex.set_name for ex in data})
    group_of = {name: (name if folds is None else f"fold {i % folds + 1}") for i, name in enumerate(sets)}
    groups = list(dict.fromkeys(group_of[name] for name in sets))
    rows: list[Scored] = []
    for number, group in enumerate(groups, 1):
        started = time.monotonic()
        model = fit([ex for ex in data if group_of[ex.set_name] != group])
        held: list[Scored] = []
        for ex in data:
            if group_of[ex.set_name] == group:
                before: set[str] = set(ex.analysis.flags)
                score = calibrate(ex.analysis, ex.engine, rubric, model)
                held.append(Scored(ex, score, before, set(ex.analysis.flags)))
        rows += held
        print(f"[{number}/{len(groups)}] {group} ({time.monotonic() - started:.0f}s)", flush=True)
        _report(held, "  ")
    print(f"all {len(rows)} dev cases, each scored by a model that never saw its set:")
    _report(rows, "  ")
    misses = [r for r in rows if {band_for(r.example.expert), band_for(r.calibrated)} == {"weak", "strong"}]
    for r in misses:
        flags = ", ".join(sorted(r.flags)) or "no flag"
        ex = r.example
        print(f"  weak<->strong: {ex.case_id} expert {ex.expert}, calibrated {r.calibrated} ({flags})")


def _report(rows: list[Scored], indent: str) -> None:
    expert = [r.example.expert for r in rows]
    engine = _summary(
        expert, [r.example.engine for r in rows], [(set(r.example.case_flags), r.engine_flags) for r in rows]
    )
    calibrated = _summary(
        expert, [r.calibrated for r in rows], [(set(r.example.case_flags), r.flags) for r in rows]
    )
    print(f"{indent}engine      {engine}\n{indent}calibrated  {calibrated}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__.split("\n\n")[0])
    held = parser.add_mutually_exclusive_group()
    held.add_argument(
        "--loso", action="store_true", help="leave-one-set-out check instead of writing the file"
    )
    held.add_argument(
        "--folds",
        type=int,
        metavar="N",
        help="N-fold cross-validation over whole sets instead of writing the file (6: about 15 minutes)",
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help="where to write (default: the shipped file)"
    )
    args = parser.parse_args(argv)
    if args.folds is not None and args.folds < 2:
        parser.error("--folds needs 2 or more")
    rubric = PromptRegistry(PROJECT_ROOT / "prompts").get(PROMPT_VERSION).rubric
    started = time.monotonic()
    data = examples(rubric)
    print(
        f"{len(data)} dev cases read and scored by the engine in {time.monotonic() - started:.0f}s",
        flush=True,
    )
    if args.loso or args.folds:
        held_out(data, rubric, args.folds)
        return 0
    model = fit(data)
    check, flag_models = model.flag_check, model.flag_models
    assert check is not None and flag_models is not None
    document = {
        "about": "local/rubric score calibration, written by make calibrate (evals/calibrate.py)",
        "features_version": FEATURES_VERSION,
        "fitted_on": {"split": "dev", "cases": len(data), "prompt_version": PROMPT_VERSION},
        "settings": {
            "word_penalty": WORD_PENALTY,
            "min_cases": MIN_CASES,
            "check_word_penalty": CHECK_WORD_PENALTY,
            "check_min_cases": CHECK_MIN_CASES,
            "strong_at": model.strong_at,
            "keep_flag_at": model.keep_flag_at,
            "adequate_at": model.adequate_at,
            "add_flag_at": model.add_flag_at,
        },
        "intercept": model.intercept,
        "weights": dict(sorted(model.weights.items())),
        "flag_check": {
            "about": "on answers the rules flag seriously: about 1 when experts call them weak",
            "intercept": check.intercept,
            "weights": dict(sorted(check.weights.items())),
        },
        "flag_models": {
            "about": "one model per flag: about 1 when experts raise it; weights in the order of codes",
            "codes": list(flag_models.codes),
            "intercepts": list(flag_models.intercepts),
            "weights": {name: list(flag_models.weights_of(name)) for name in flag_models.index},
        },
    }
    args.output.write_text(json.dumps(document, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"wrote {args.output} ({len(model.weights)} score weights, {len(check.weights)} flag-check weights,"
        f" {len(flag_models.index)} x {len(flag_models.codes)} flag-model weights)"
        f" in {time.monotonic() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
