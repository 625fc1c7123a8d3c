"""evals/stats.py, evals/metrics.py and evals/compare.py against hand-computed values."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from evals.compare import Paired, compare, mcnemar
from evals.execute import CaseResult, Predicted
from evals.fixtures import ExpertLabel
from evals.metrics import Columns, criterion_agreement, flag_metrics, run_metrics, severe_misses
from evals.stats import (
    average_ranks,
    bootstrap_interval,
    half_point_class,
    mcnemar_exact,
    ordinal_agreement,
    percentile,
    quadratic_weighted_kappa,
    resample_indices,
    spearman,
)
from service.schemas import band_for

# --- ranks and Spearman --------------------------------------------------------------------------


def test_average_ranks_share_tied_positions() -> None:
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([3, 3, 3]) == [2, 2, 2]
    assert average_ranks([5, 1, 4]) == [3, 1, 2]


def test_spearman_without_ties_matches_the_textbook_formula() -> None:
    # d = rank differences (-1, 1, -1, 1, 0), sum d^2 = 4: rho = 1 - 6*4 / (5*(25-1)) = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)


def test_spearman_with_ties() -> None:
    # ranks x = (1, 2.5, 2.5, 4), ranks y = (1, 3, 2, 4); deviations from 2.5:
    # dx = (-1.5, 0, 0, 1.5), dy = (-1.5, .5, -.5, 1.5): sum dx*dy = 4.5, sum dx^2 = 4.5, sum dy^2 = 5
    # rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(math.sqrt(0.9))


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        ([1, 2, 3], [10, 20, 30], 1.0),
        ([1, 2, 3], [3, 2, 1], -1.0),
        ([1, 2, 3], [2, 2, 2], None),  # a constant rater has no ranking
        ([1], [1], None),
    ],
)
def test_spearman_edges(x: list[float], y: list[float], expected: float | None) -> None:
    assert spearman(x, y) == (pytest.approx(expected) if expected is not None else None)


# --- quadratic weighted kappa --------------------------------------------------------------------


def qwk_by_matrix(a: Sequence[int], b: Sequence[int], k: int) -> float:
    """The textbook confusion-matrix definition, as a reference for the O(n) form."""
    n = len(a)
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[x][y] += 1
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            w = (i - j) ** 2 / (k - 1) ** 2
            num += w * observed[i][j]
            den += w * hist_a[i] * hist_b[j] / n
    return 1 - num / den


def test_qwk_perfect_agreement_is_one() -> None:
    assert quadratic_weighted_kappa([0, 3, 5, 8, 8], [0, 3, 5, 8, 8]) == pytest.approx(1.0)


def test_qwk_small_example_by_hand() -> None:
    # a = (0, 1, 2), b = (0, 2, 2), k = 3, w_ij = (i-j)^2 / 4.
    # O has 1 at (0,0), (1,2), (2,2): sum w*O = 1/4.
    # Marginals a = (1, 1, 1), b = (1, 0, 2); E_ij = a_i * b_j / 3:
    # sum w*E = (1/3)(1/4)[row0: 2*4 + row1: 1*1 + 2*1 + row2: 1*4] = 15/12 = 5/4.
    # kappa = 1 - (1/4) / (5/4) = 0.8
    assert quadratic_weighted_kappa([0, 1, 2], [0, 2, 2]) == pytest.approx(0.8)
    assert qwk_by_matrix([0, 1, 2], [0, 2, 2], 3) == pytest.approx(0.8)


def test_qwk_opposite_extremes_is_minus_one() -> None:
    assert quadratic_weighted_kappa([0, 8], [8, 0]) == pytest.approx(-1.0)


def test_qwk_equals_the_matrix_definition_on_random_ratings() -> None:
    rng = random.Random(7)
    for _ in range(50):
        n = rng.randint(3, 40)
        a = [rng.randint(0, 8) for _ in range(n)]
        b = [min(8, max(0, x + rng.randint(-2, 2))) for x in a]
        if len(set(a)) > 1 or len(set(b)) > 1:
            assert quadratic_weighted_kappa(a, b) == pytest.approx(qwk_by_matrix(a, b, 9))


def test_qwk_undefined_when_both_raters_are_constant_and_equal() -> None:
    assert quadratic_weighted_kappa([4, 4, 4], [4, 4, 4]) is None


def test_table_form_equals_the_list_forms() -> None:
    """ordinal_agreement (what the bootstrap uses) gives exactly spearman and QWK of the expanded lists."""
    rng = random.Random(11)
    for _ in range(200):
        n = rng.randint(1, 60)
        a = [rng.randint(0, 8) for _ in range(n)]
        b = [min(8, max(0, x + rng.randint(-3, 3))) for x in a]
        rho, kappa = ordinal_agreement(Counter(zip(a, b, strict=True)))
        expected_rho, expected_kappa = spearman(a, b), quadratic_weighted_kappa(a, b)
        assert (rho is None) == (expected_rho is None) and (kappa is None) == (expected_kappa is None)
        if rho is not None:
            assert rho == pytest.approx(expected_rho)
        if kappa is not None:
            assert kappa == pytest.approx(expected_kappa)


@pytest.mark.parametrize(("score", "cls"), [(1.0, 0), (1.5, 1), (2.5, 3), (3.5, 5), (5.0, 8)])
def test_half_point_classes(score: float, cls: int) -> None:
    assert half_point_class(score) == cls


# --- McNemar, percentiles, bootstrap -------------------------------------------------------------


@pytest.mark.parametrize(
    ("b", "c", "p"),
    [
        (1, 6, 0.125),  # 2 * (C(7,0) + C(7,1)) / 2^7 = 2 * 8 / 128
        (0, 5, 0.0625),  # 2 / 32
        (2, 10, 0.03857421875),  # 2 * (1 + 12 + 66) / 4096
        (3, 3, 1.0),  # capped at 1
        (0, 0, 1.0),  # no discordant pairs: no evidence either way
    ],
)
def test_mcnemar_exact(b: int, c: int, p: float) -> None:
    assert mcnemar_exact(b, c) == pytest.approx(p)
    assert mcnemar_exact(c, b) == pytest.approx(p)  # two-sided: symmetric


def test_percentile_interpolates_linearly() -> None:
    assert percentile([4, 1, 3, 2], 50) == pytest.approx(2.5)
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)  # position 2.85 between 3 and 4
    assert percentile([], 50) is None


def _paired_delta(base: list[int], cand: list[int]) -> Any:
    def delta(idx: Sequence[int]) -> float:
        return sum(cand[i] - base[i] for i in idx) / len(idx)

    return delta


def test_paired_bootstrap_contains_the_true_delta_and_is_seeded() -> None:
    # 200 cases: the baseline is right on 100, the candidate on 140 (it fixes 50, breaks 10): delta = +0.2.
    base = [1] * 100 + [0] * 100
    cand = [1] * 90 + [0] * 10 + [1] * 50 + [0] * 50
    stat = _paired_delta(base, cand)
    first = bootstrap_interval(stat, resample_indices(200, 2000, seed=11))
    again = bootstrap_interval(stat, resample_indices(200, 2000, seed=11))
    other = bootstrap_interval(stat, resample_indices(200, 2000, seed=12))
    assert first == again  # reproducible
    assert first != other  # and actually driven by the seed
    assert first.low is not None and first.high is not None
    assert first.low < 0.2 < first.high
    assert first.excludes_zero()
    # width near the normal approximation: d_i is +1 for 50 cases, -1 for 10, so Var(d) = 60/200 - 0.2^2
    normal_width = 2 * 1.96 * math.sqrt((60 / 200 - 0.2**2) / 200)
    assert first.high - first.low == pytest.approx(normal_width, rel=0.15)


def test_bootstrap_coverage_is_near_95_percent() -> None:
    """Over many simulated paired samples with a known delta, the interval holds it about 95% of the time."""
    # base ~ Bernoulli(0.6); the candidate keeps the baseline's outcome with probability 0.8, else draws
    # Bernoulli(0.9): E[cand - base] = 0.8*0.6 + 0.2*0.9 - 0.6 = 0.06.
    rng = random.Random(3)
    population_delta, hits, trials = 0.06, 0, 120
    for t in range(trials):
        base = [int(rng.random() < 0.6) for _ in range(80)]
        cand = [b if rng.random() < 0.8 else int(rng.random() < 0.9) for b in base]
        interval = bootstrap_interval(_paired_delta(base, cand), resample_indices(80, 400, seed=t))
        assert interval.low is not None and interval.high is not None
        hits += interval.low <= population_delta <= interval.high
    assert 0.87 <= hits / trials <= 1.0


# --- metrics and comparison on constructed results ------------------------------------------------


def result(
    case_id: str,
    expert: float,
    predicted: float | None,
    *,
    expert_flags: Sequence[str] = (),
    predicted_flags: Sequence[str] = (),
    version: str = "v1",
    level: str = "entry",
    adversarial: bool = False,
    expert_criteria: dict[str, int] | None = None,
    predicted_criteria: dict[str, int] | None = None,
) -> CaseResult:
    """A CaseResult with just what the metrics read."""
    label = ExpertLabel.model_validate(
        {
            "overall": expert,
            "band": band_for(expert),
            "red_flags": list(expert_flags),
            "criteria": expert_criteria,
        }
    )
    pred = None
    if predicted is not None:
        pred = Predicted.model_validate(
            {"overall": predicted, "band": band_for(predicted), "red_flags": list(predicted_flags),
             "criteria": predicted_criteria or {}}
        )  # fmt: skip
    return CaseResult(
        id=case_id, prompt_version=version, model="local/rubric", split="dev", level=level,
        variant="career_goals", adversarial=adversarial, expert=label, predicted=pred, error=None,
        schema_valid=pred is not None, quotes=2, quotes_grounded=2, latency_ms=1.0, cached=False,
    )  # fmt: skip


def test_flag_metrics_by_hand() -> None:
    rows = [
        result("a", 2, 2, expert_flags=["vague"], predicted_flags=["vague"]),  # vague tp
        result("b", 2, 2, expert_flags=["vague", "paycheck_only"], predicted_flags=["vague"]),  # tp, pay fn
        result("c", 4, 4, predicted_flags=["vague"]),  # vague fp
        result("d", 4, 4),
    ]
    flags = flag_metrics(rows)
    assert flags["vague"] == {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2, "predicted": 3,
                              "tp": 2, "fp": 1, "fn": 0}  # fmt: skip
    assert flags["paycheck_only"]["f1"] == 0.0 and flags["paycheck_only"]["precision"] is None
    assert flags["off_topic"]["f1"] is None  # nobody used it: undefined, left out of macro
    assert flags["micro"]["f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert flags["macro"]["f1"] == pytest.approx((0.8 + 0.0) / 2)
    assert flags["macro"]["codes"] == 2


def test_headline_and_run_metrics_by_hand() -> None:
    rows = [
        result("a", 1.0, 1.5, adversarial=True),
        result("b", 2.0, 4.0, adversarial=True),  # weak -> strong: a severe miss
        result("c", 3.0, 3.0),
        result("d", 4.5, 2.0),  # strong -> weak: a severe miss
        result("e", 4.0, None),  # an error: not scored
    ]
    m = run_metrics(rows)
    assert m["n"] == 5 and m["n_scored"] == 4
    assert m["schema_valid_rate"] == pytest.approx(0.8)
    assert m["band_accuracy"] == pytest.approx(2 / 4)  # a and c
    assert m["overall_mae"] == pytest.approx((0.5 + 2.0 + 0 + 2.5) / 4)
    assert m["adversarial_inflation"] == pytest.approx((0.5 + 2.0) / 2)
    assert m["severe_misses"] == 2 and m["severe_miss_ids"] == ["b", "d"]
    assert m["band_confusion"]["matrix"] == [[1, 0, 1], [0, 1, 0], [1, 0, 0]]
    assert severe_misses(rows) == ["b", "d"]


def test_criterion_agreement_by_hand() -> None:
    rows = [
        result("a", 3, 3, expert_criteria={"realism": 3, "authenticity": 2},
               predicted_criteria={"realism": 4, "authenticity": 2}),
        result("b", 3, 3, expert_criteria={"realism": 5}, predicted_criteria={"realism": 2}),
    ]  # fmt: skip
    agreement = criterion_agreement(rows)
    assert agreement["realism"] == {"n": 2, "exact": 0.0, "within_1": 0.5, "mae": 2.0}
    assert agreement["authenticity"] == {"n": 1, "exact": 1.0, "within_1": 1.0, "mae": 0.0}


def test_comparison_of_identical_runs_is_a_zero_delta() -> None:
    base = [
        result(f"c{i}", 1 + (i % 9) / 2, 1 + ((i * 7) % 9) / 2, expert_flags=["vague"] * (i % 3 == 0),
               predicted_flags=["vague"] * (i % 2 == 0))
        for i in range(30)
    ]  # fmt: skip
    comps = compare(base, base, kind="version", baseline="v1", candidate="v1b", fixed={"model": "m"},
                    resamples=300, seed=1)  # fmt: skip
    for comp in comps:
        assert comp["delta"] == 0 and comp["ci95"] == [0, 0] and not comp["significant"]
    assert comps[0]["metric"] == "band_accuracy" and comps[0]["p_value"] == 1.0


def test_comparison_finds_flips_and_a_significant_gain() -> None:
    # 40 cases: the baseline is right on 10, the candidate fixes 25 more and breaks 1.
    base, cand = [], []
    for i in range(40):
        expert = 4.0
        base_ok = i < 10
        cand_ok = (i < 10 and i != 0) or 10 <= i < 35
        base.append(result(f"c{i}", expert, 4.0 if base_ok else 2.0, level="intern" if i % 2 else "mid"))
        cand.append(result(f"c{i}", expert, 4.0 if cand_ok else 2.0, version="v2",
                           level="intern" if i % 2 else "mid"))  # fmt: skip
    paired = Paired.of(base, cand)
    test = mcnemar(paired)
    assert (test["fixed"], test["broken"]) == (25, 1)
    assert test["broken_ids"] == ["c0"]
    assert test["p_value"] == pytest.approx(mcnemar_exact(25, 1))
    comps = {c["metric"]: c for c in compare(base, cand, kind="version", baseline="v1", candidate="v2",
                                             fixed={"model": "m"}, resamples=2000, seed=5)}  # fmt: skip
    acc = comps["band_accuracy"]
    assert acc["delta"] == pytest.approx(24 / 40)
    assert acc["ci95"][0] > 0 and acc["verdict"] == "significantly better"
    mae = comps["overall_mae"]
    assert mae["delta"] < 0 and mae["verdict"] == "significantly better"  # lower MAE is better
    assert set(acc["slices"]["level"]) == {"intern", "mid"}
    assert acc["slices"]["level"]["mid"]["n"] == 20


def test_pairing_excludes_cases_either_run_failed() -> None:
    base = [result("a", 3, 3), result("b", 3, None), result("c", 3, 3)]
    cand = [result("a", 3, 3), result("b", 3, 3), result("c", 3, None)]
    paired = Paired.of(base, cand)
    assert [r.id for r in paired.base] == ["a"] and paired.excluded == ["b", "c"]


def test_columns_headline_on_resampled_indices_repeats_cases() -> None:
    cols = Columns.of([result("a", 2, 2), result("b", 4, 2)])
    assert cols.headline([0, 0])["band_accuracy"] == 1.0
    assert cols.headline([1, 1])["band_accuracy"] == 0.0
    assert cols.headline([0, 1])["overall_mae"] == pytest.approx(1.0)
