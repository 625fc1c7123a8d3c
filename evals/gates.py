"""Gates from evals/gates.toml: metric floors and ceilings per run, and no significant regression."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.metrics import HEADLINE


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Config):
    """Bounds on top-level metrics of a run: `floors` (metric >= value) and `ceilings` (metric <= value)."""

    floors: dict[str, float] = Field(default_factory=dict, description="metric -> lowest passing value")
    ceilings: dict[str, float] = Field(default_factory=dict, description="metric -> highest passing value")


class Regression(_Config):
    """Fail when a candidate version is significantly worse than the baseline version on a metric."""

    metrics: list[str] = Field(default_factory=lambda: list(HEADLINE), description="Headline metrics checked")
    kinds: list[str] = Field(default_factory=lambda: ["version"], description="Comparison kinds checked")
    margins: dict[str, float] = Field(
        default_factory=dict,
        description="metric -> drop tolerated even when significant (default 0: any significant drop fails)",
    )


class GateConfig(_Config):
    """The whole gates file."""

    all: Limits = Field(default_factory=Limits, description="Limits for every run")
    models: dict[str, Limits] = Field(default_factory=dict, description="Extra limits for runs of one model")
    regression: Regression = Field(default_factory=Regression, description="The no-regression gate")


class GateConfigError(Exception):
    """The gates file is missing or malformed."""


def load_gates(path: Path) -> GateConfig:
    """Parse and validate a gates file; unknown keys are an error, so a typo cannot disable a gate."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        config = GateConfig.model_validate(data)
    except FileNotFoundError:
        raise GateConfigError(f"gates file not found: {path}") from None
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise GateConfigError(f"{path}: {exc}") from None
    unknown = [m for m in [*config.regression.metrics, *config.regression.margins] if m not in HEADLINE]
    if unknown:
        raise GateConfigError(f"{path}: regression: unknown metrics {unknown}; known {list(HEADLINE)}")
    return config


@dataclass(frozen=True)
class GateResult:
    """One gate checked: which, on what, and by how much it missed (0 when passed)."""

    gate: str
    target: str
    metric: str
    passed: bool
    message: str
    shortfall: float | None  # how far past the limit; None when the metric could not be computed


def _limit(run: dict[str, Any], metric: str, bound: float, *, floor: bool) -> GateResult:
    target = f"{run['prompt_version']} x {run['model']}"
    gate = "floor" if floor else "ceiling"
    value = run["metrics"].get(metric)
    sign = ">=" if floor else "<="
    if not isinstance(value, int | float):
        return GateResult(
            gate,
            target,
            metric,
            False,
            f"{gate} {target}: {metric} is not available (no scored cases?), needs {sign} {bound}",
            None,
        )
    miss = bound - value if floor else value - bound
    passed = miss <= 1e-12
    text = (
        f"{gate} {target}: {metric} = {value:.4g} {sign} {bound:g}"
        if passed
        else f"{gate} {target}: {metric} = {value:.4g}, needs {sign} {bound:g} (misses by {miss:.4g})"
    )
    return GateResult(gate, target, metric, passed, text, 0.0 if passed else miss)


def _regression(comp: dict[str, Any], margin: float) -> GateResult:
    shared = comp.get("model") or comp.get("prompt_version")
    target = f"{comp['candidate']} vs {comp['baseline']} ({shared})"
    metric = comp["metric"]
    lo, hi = comp["ci95"]
    delta = comp["delta"]
    if lo is None or hi is None or delta is None:
        return GateResult(
            "regression",
            target,
            metric,
            True,
            f"regression {target}: {metric}: no interval (metric undefined), not checked",
            0.0,
        )
    # A significant drop: the whole interval on the wrong side of zero (or of -margin).
    worse_by = (-hi if comp["higher_is_better"] else lo) - margin
    passed = worse_by <= 0
    limit = "zero" if margin == 0 else f"the {margin:g} margin"
    text = f"regression {target}: {metric} delta {delta:+.4g} [{lo:+.4g}, {hi:+.4g}]" + (
        "" if passed else f": significantly worse (interval clears {limit} by {worse_by:.4g})"
    )
    return GateResult("regression", target, metric, passed, text, 0.0 if passed else worse_by)


def check_gates(
    config: GateConfig, runs: Sequence[dict[str, Any]], comparisons: Sequence[dict[str, Any]]
) -> list[GateResult]:
    """Every gate against summary.json's runs and comparisons."""
    results: list[GateResult] = []
    for run in runs:
        for limits in (config.all, config.models.get(run["model"], Limits())):
            results += [_limit(run, m, v, floor=True) for m, v in limits.floors.items()]
            results += [_limit(run, m, v, floor=False) for m, v in limits.ceilings.items()]
    for comp in comparisons:
        if comp["kind"] in config.regression.kinds and comp["metric"] in config.regression.metrics:
            results.append(_regression(comp, config.regression.margins.get(comp["metric"], 0.0)))
    return results
