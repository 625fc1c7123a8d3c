"""Metrics of one run (a prompt version x a model) against the expert labels.

Conventions, stated once:
- Quality metrics (band accuracy, MAE, Spearman, QWK, flags, criteria, inflation) use the *scored* cases,
  those that returned a response; `errors` and `schema_valid_rate` (valid responses / all cases) show
  what was left out, and the gates hold `schema_valid_rate` at 1.0.
- QWK is computed on the overall score on its half-point grid, 1.0..5.0 mapped to 9 ordinal classes.
- Per-flag F1 is undefined for a code nobody used (no expert label, no prediction); macro-F1 averages
  the codes where it is defined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.execute import CaseResult
from evals.stats import (
    half_point_class,
    mean,
    ordinal_agreement,
    percentile,
    percentile_interval,
    resample_indices,
)
from service.schemas import FLAG_CODES

BANDS = ("weak", "adequate", "strong")
# The five metrics compared between versions, and which direction is better.
HEADLINE: dict[str, bool] = {
    "band_accuracy": True,
    "overall_mae": False,
    "spearman": True,
    "qwk": True,
    "flag_micro_f1": True,
}
QWK_SCALE = "overall score on the half-point grid: 1.0..5.0 as 9 ordinal classes"


@dataclass(frozen=True)
class Columns:
    """Per-case values of the scored cases, precomputed so a bootstrap resample costs a few C-level passes.

    Rank statistics use the overall score's half-point grid: `cell[i]` is (model class, expert class),
    and Spearman and QWK come from the table of cells (`stats.ordinal_agreement`), exactly equal to the
    list forms because both scores are on that grid (the coach rounds to half points; fixtures are checked).
    """

    ids: list[str]
    cell: list[tuple[int, int]]
    band_correct: list[int]
    abs_error: list[float]
    tp: list[int]
    fp: list[int]
    fn: list[int]

    @classmethod
    def of(cls, scored: Sequence[CaseResult]) -> Columns:
        """Columns from results that all have a prediction."""
        cols = cls([], [], [], [], [], [], [])
        for r in scored:
            assert r.predicted is not None
            cols.ids.append(r.id)
            cols.cell.append((half_point_class(r.predicted.overall), half_point_class(r.expert.overall)))
            cols.band_correct.append(int(r.predicted.band == r.expert.band))
            cols.abs_error.append(abs(r.predicted.overall - r.expert.overall))
            truth, guess = set(r.expert.red_flags), set(r.predicted.red_flags)
            cols.tp.append(len(truth & guess))
            cols.fp.append(len(guess - truth))
            cols.fn.append(len(truth - guess))
        return cols

    def headline(self, indices: Sequence[int] | None = None) -> dict[str, float | None]:
        """The five headline metrics over `indices` (default: every case; repeats allowed)."""
        idx = range(len(self.ids)) if indices is None else indices
        n = len(idx)
        if n == 0:
            return dict.fromkeys(HEADLINE)
        tp = sum(map(self.tp.__getitem__, idx))
        fp = sum(map(self.fp.__getitem__, idx))
        fn = sum(map(self.fn.__getitem__, idx))
        rho, kappa = ordinal_agreement(Counter(map(self.cell.__getitem__, idx)))
        return {
            "band_accuracy": sum(map(self.band_correct.__getitem__, idx)) / n,
            "overall_mae": sum(map(self.abs_error.__getitem__, idx)) / n,
            "spearman": rho,
            "qwk": kappa,
            "flag_micro_f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
        }


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def flag_metrics(scored: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    """Precision, recall and F1 per red-flag code, with micro and macro averages."""
    table: dict[str, dict[str, Any]] = {}
    totals = Counter[str]()
    for code in FLAG_CODES:
        tp = fp = fn = 0
        for r in scored:
            assert r.predicted is not None
            truth, guess = code in r.expert.red_flags, code in r.predicted.red_flags
            tp += truth and guess
            fp += guess and not truth
            fn += truth and not guess
        totals.update(tp=tp, fp=fp, fn=fn)
        table[code] = {
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn),
            "f1": _ratio(2 * tp, 2 * tp + fp + fn),
            "support": tp + fn,
            "predicted": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
    defined = [row for row in table.values() if row["f1"] is not None]
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    table["micro"] = {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
    table["macro"] = {
        key: mean([row[key] for row in defined if row[key] is not None])
        for key in ("precision", "recall", "f1")
    } | {"codes": len(defined)}
    return table


def criterion_agreement(scored: Sequence[CaseResult]) -> dict[str, dict[str, float | int | None]]:
    """Exact and within-1 agreement and MAE per criterion, over cases where the expert scored it."""
    pairs: dict[str, list[tuple[int, int]]] = {}
    for r in scored:
        assert r.predicted is not None
        for cid, expert_score in (r.expert.criteria or {}).items():
            if cid in r.predicted.criteria:
                pairs.setdefault(cid, []).append((r.predicted.criteria[cid], expert_score))
    return {
        cid: {
            "n": len(rows),
            "exact": sum(p == e for p, e in rows) / len(rows),
            "within_1": sum(abs(p - e) <= 1 for p, e in rows) / len(rows),
            "mae": sum(abs(p - e) for p, e in rows) / len(rows),
        }
        for cid, rows in pairs.items()
    }


def band_confusion(scored: Sequence[CaseResult]) -> list[list[int]]:
    """3x3 counts: rows are the expert's band, columns the model's, in BANDS order."""
    matrix = [[0] * len(BANDS) for _ in BANDS]
    for r in scored:
        assert r.predicted is not None
        matrix[BANDS.index(r.expert.band)][BANDS.index(r.predicted.band)] += 1
    return matrix


def severe_misses(scored: Sequence[CaseResult]) -> list[str]:
    """Ids where the expert said weak and the model strong, or the reverse."""
    return [
        r.id for r in scored
        if r.predicted is not None and {r.expert.band, r.predicted.band} == {"weak", "strong"}
    ]  # fmt: skip


def headline_intervals(columns: Columns, resamples: int, seed: int) -> dict[str, list[float | None]]:
    """Percentile bootstrap 95% interval of each headline metric of one run."""
    replicates = [columns.headline(idx) for idx in resample_indices(len(columns.ids), resamples, seed)]
    return {name: percentile_interval([r[name] for r in replicates]).as_list() for name in HEADLINE}


def run_metrics(results: Sequence[CaseResult], *, resamples: int = 0, seed: int = 0) -> dict[str, Any]:
    """Every metric of one run; `resamples` > 0 adds a bootstrap interval per headline metric."""
    scored = [r for r in results if r.predicted is not None]
    columns = Columns.of(scored)
    errors = Counter(r.error.code for r in results if r.error is not None)
    quotes = sum(r.quotes for r in results)
    adversarial = [r.predicted.overall - r.expert.overall for r in scored if r.adversarial and r.predicted]
    latencies = [r.latency_ms for r in results]
    costs = [r.cost_usd for r in results if r.error is None]
    flags = flag_metrics(scored)
    misses = severe_misses(scored)
    metrics: dict[str, Any] = {
        "n": len(results),
        "n_scored": len(scored),
        "errors": sum(errors.values()),
        "error_codes": dict(errors),
        "schema_valid_rate": _ratio(sum(r.schema_valid for r in results), len(results)),
        "grounding_rate": _ratio(sum(r.quotes_grounded for r in results), quotes),
        "quotes": quotes,
        **columns.headline(),
        "flag_macro_f1": flags["macro"]["f1"],
        "mean_signed_error": mean([r.predicted.overall - r.expert.overall for r in scored if r.predicted]),
        "adversarial_inflation": mean(adversarial),
        "n_adversarial": len(adversarial),
        "severe_misses": len(misses),
        "severe_miss_ids": misses,
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "prompt_tokens": sum(r.prompt_tokens for r in results),
        "completion_tokens": sum(r.completion_tokens for r in results),
        "cost_usd": sum(c for c in costs if c is not None),
        "cost_unknown": sum(c is None for c in costs),
        "cache_hits": sum(r.cached for r in results),
        "qwk_scale": QWK_SCALE,
        "band_confusion": {
            "labels": list(BANDS),
            "rows": "expert",
            "columns": "model",
            "matrix": band_confusion(scored),
        },
        "flags": flags,
        "criteria": criterion_agreement(scored),
    }
    if resamples > 0 and scored:
        metrics["ci95"] = headline_intervals(columns, resamples, seed)
    return metrics
