"""Paired comparison of two runs on the same cases: deltas with bootstrap intervals, McNemar, slices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.execute import CaseResult
from evals.fixtures import VARIANTS
from evals.metrics import HEADLINE, Columns
from evals.stats import Interval, mcnemar_exact, percentile_interval, resample_indices
from service.schemas import LEVELS

SLICES: dict[str, tuple[str, ...]] = {"level": LEVELS, "variant": VARIANTS}


@dataclass(frozen=True)
class Paired:
    """Two runs' scored results on the cases both scored, in the same order."""

    base: list[CaseResult]
    cand: list[CaseResult]
    excluded: list[str]

    @classmethod
    def of(cls, base: Sequence[CaseResult], cand: Sequence[CaseResult]) -> Paired:
        """Pair by case id; a case either run failed on is excluded (and listed)."""
        by_id = {r.id: r for r in cand}
        pairs = [(b, by_id[b.id]) for b in base if b.id in by_id]
        kept = [(b, c) for b, c in pairs if b.predicted is not None and c.predicted is not None]
        excluded = sorted({r.id for r in (*base, *cand)} - {b.id for b, _ in kept})
        return cls([b for b, _ in kept], [c for _, c in kept], excluded)

    def subset(self, keep: Sequence[int]) -> Paired:
        """The pairs at these positions."""
        return Paired([self.base[i] for i in keep], [self.cand[i] for i in keep], [])


def mcnemar(paired: Paired) -> dict[str, Any]:
    """Exact McNemar on band correctness, with the cases that flipped either way."""
    fixed: list[str] = []
    broken: list[str] = []
    for b, c in zip(paired.base, paired.cand, strict=True):
        assert b.predicted is not None and c.predicted is not None
        was, now = b.predicted.band == b.expert.band, c.predicted.band == c.expert.band
        if now and not was:
            fixed.append(b.id)
        elif was and not now:
            broken.append(b.id)
    return {
        "fixed": len(fixed),  # baseline wrong, candidate right
        "broken": len(broken),  # baseline right, candidate wrong
        "p_value": mcnemar_exact(len(fixed), len(broken)),
        "fixed_ids": fixed,
        "broken_ids": broken,
    }


def deltas(paired: Paired, resamples: int, seed: int) -> dict[str, dict[str, Any]]:
    """Per headline metric: both values, candidate minus baseline, and its paired bootstrap interval."""
    base, cand = Columns.of(paired.base), Columns.of(paired.cand)
    whole_base, whole_cand = base.headline(), cand.headline()
    replicates: dict[str, list[float | None]] = {name: [] for name in HEADLINE}
    for idx in resample_indices(len(paired.base), resamples, seed):
        b, c = base.headline(idx), cand.headline(idx)
        for name, values in replicates.items():
            bv, cv = b[name], c[name]
            values.append(None if bv is None or cv is None else cv - bv)
    out: dict[str, dict[str, Any]] = {}
    for name, higher_is_better in HEADLINE.items():
        b0, c0 = whole_base[name], whole_cand[name]
        interval = percentile_interval(replicates[name])
        out[name] = {
            "baseline_value": b0,
            "candidate_value": c0,
            "delta": None if b0 is None or c0 is None else c0 - b0,
            "ci95": interval.as_list(),
            "higher_is_better": higher_is_better,
            "significant": interval.excludes_zero(),
            "verdict": _verdict(interval, higher_is_better),
            "undefined_resamples": interval.undefined,
        }
    return out


def _verdict(interval: Interval, higher_is_better: bool) -> str:
    if not interval.excludes_zero() or interval.low is None:
        return "no significant change"
    better = interval.low > 0 if higher_is_better else interval.low < 0
    return "significantly better" if better else "significantly worse"


def compare(
    base_runs: Sequence[CaseResult],
    cand_runs: Sequence[CaseResult],
    *,
    kind: str,
    baseline: str,
    candidate: str,
    fixed: dict[str, str],
    resamples: int,
    seed: int,
) -> list[dict[str, Any]]:
    """summary.json `comparisons[]` entries, one per headline metric, each with its slices.

    `kind` is "version" (same model, two prompt versions) or "model" (same version, two models); `fixed`
    names what both runs share, e.g. {"model": "local/rubric"}.
    """
    paired = Paired.of(base_runs, cand_runs)
    whole = deltas(paired, resamples, seed)
    test = mcnemar(paired)
    sliced: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in HEADLINE}
    for field, values in SLICES.items():
        for value in values:
            keep = [i for i, r in enumerate(paired.base) if getattr(r, field) == value]
            if not keep:
                continue
            part = paired.subset(keep)
            part_deltas = deltas(part, resamples, seed)
            part_test = mcnemar(part)
            for name in HEADLINE:
                row = part_deltas[name]
                entry: dict[str, Any] = {
                    "n": len(keep),
                    "delta": row["delta"],
                    "ci95": row["ci95"],
                    "baseline_value": row["baseline_value"],
                    "candidate_value": row["candidate_value"],
                }
                if name == "band_accuracy":
                    entry["mcnemar"] = {k: part_test[k] for k in ("fixed", "broken", "p_value")}
                sliced[name].setdefault(field, {})[value] = entry
    entries: list[dict[str, Any]] = []
    for name in HEADLINE:
        entry = {
            "kind": kind,
            **fixed,
            "baseline": baseline,
            "candidate": candidate,
            "metric": name,
            **whole[name],
            "n": len(paired.base),
            "excluded_ids": paired.excluded,
            "resamples": resamples,
            "seed": seed,
            "p_value": test["p_value"] if name == "band_accuracy" else None,
            "slices": sliced[name],
        }
        if name == "band_accuracy":
            entry["mcnemar"] = test
        entries.append(entry)
    return entries
