"""`coach eval` / `make eval`: every prompt version x model over the fixtures, compared and gated.

Exit status: 0 when every gate passes, 1 when one fails, 2 on bad arguments or fixtures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.compare import compare
from evals.execute import CaseResult, Job, Progress, run_jobs
from evals.fixtures import Fixture, FixtureError, load_fixtures, select_split
from evals.gates import GateConfigError, GateResult, check_gates, load_gates
from evals.metrics import run_metrics
from evals.report import terminal_summary, write_reports
from service.coach import Coach
from service.config import LOCAL_MODEL, PROJECT_ROOT, ConfigError, load_settings
from service.prompts import PromptError, PromptRegistry

DEFAULT_FIXTURES = PROJECT_ROOT / "fixtures" / "career_goals"
DEFAULT_OUT = PROJECT_ROOT / "evals" / "reports"
DEFAULT_GATES = PROJECT_ROOT / "evals" / "gates.toml"


class UsageError(Exception):
    """Bad arguments: exit status 2."""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line; argparse itself exits 2 on malformed options."""
    p = argparse.ArgumentParser(
        prog="coach eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--versions", nargs="+", metavar="V", help="prompt versions (default: every version not deprecated)"
    )
    p.add_argument(
        "--models", nargs="+", metavar="M", default=[LOCAL_MODEL], help="models (default: %(default)s)"
    )
    p.add_argument("--concurrency", type=_positive, default=8, help="parallel calls (default: %(default)s)")
    p.add_argument(
        "--split", choices=("all", "dev", "test"), default="all", help="fixture split (default: all)"
    )
    p.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="folder of *.jsonl fixtures")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="reports folder (default: evals/reports)")
    p.add_argument("--baseline", help="baseline prompt version (default: the oldest version run)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    p.add_argument("--resamples", type=_positive, default=2000, help="bootstrap resamples (default: 2000)")
    p.add_argument("--seed", type=int, default=20261125, help="bootstrap seed (default: %(default)s)")
    p.add_argument("--gates", type=Path, default=DEFAULT_GATES, help="gates file (default: evals/gates.toml)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    return p.parse_args(list(argv))


def _check_models(models: list[str]) -> None:
    allowed_env = [m.strip() for m in os.environ.get("COACH_ALLOWED_MODELS", "").split(",") if m.strip()]
    for model in models:
        if model.startswith("local/") and model != LOCAL_MODEL:
            raise UsageError(f"unknown local model {model!r}; the embedded model is {LOCAL_MODEL}")
        if not model.strip() or any(ch.isspace() for ch in model):
            raise UsageError(f"not a model name: {model!r}")
        if allowed_env and model not in allowed_env:
            raise UsageError(f"model {model!r} is not in COACH_ALLOWED_MODELS ({', '.join(allowed_env)})")
    if len(set(models)) != len(models):
        raise UsageError("a model is named twice in --models")


def _select_versions(registry: PromptRegistry, wanted: list[str] | None, baseline: str | None) -> list[str]:
    known = list(registry.versions)  # oldest first
    # by default every version but the deprecated ones (kept for the record: name one to run it)
    current = [v for v in known if registry.versions[v].meta.status != "deprecated"] or known
    chosen = wanted or current
    unknown = [v for v in chosen if v not in registry.versions]
    if unknown:
        raise UsageError(f"unknown prompt version(s) {', '.join(unknown)}; known: {', '.join(known)}")
    ordered = [v for v in known if v in chosen]
    if baseline is not None and baseline not in ordered:
        raise UsageError(f"--baseline {baseline} is not among the versions run ({', '.join(ordered)})")
    first = baseline or ordered[0]
    return [first] + [v for v in ordered if v != first]


def _run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def _point_latest(out: Path, run_id: str) -> None:
    """evals/reports/latest -> <run id>: a symlink swapped in atomically, else a file holding the id."""
    latest = out / "latest"
    tmp = out / f".latest-{run_id}"
    try:
        tmp.symlink_to(run_id, target_is_directory=True)
        os.replace(tmp, latest)
    except OSError:
        tmp.unlink(missing_ok=True)
        if latest.is_symlink():
            latest.unlink()
        latest.write_text(run_id + "\n", encoding="utf-8")


def _fixture_digest(fixtures: Sequence[Fixture]) -> str:
    digest = hashlib.sha256()
    for f in fixtures:
        digest.update(f.model_dump_json().encode() + b"\n")
    return digest.hexdigest()[:16]


def evaluate(args: argparse.Namespace) -> int:
    """Run, measure, compare, write the outputs and check the gates; the exit status."""
    _check_models(args.models)
    # Every model named may be picked per request; no fallbacks, so a run measures exactly its model.
    settings = load_settings(model=args.models[0], allowed_models=list(args.models), fallback_models=[])
    try:
        # the service's own construction: prompt versions (default included) and the cache
        coach = Coach.from_settings(settings)
    except (PromptError, ConfigError) as exc:
        raise UsageError(str(exc)) from None
    registry = coach.registry
    versions = _select_versions(registry, args.versions, args.baseline)
    if not args.fixtures.is_dir():
        raise UsageError(f"no fixtures folder: {args.fixtures}")
    fixtures = select_split(load_fixtures(args.fixtures), args.split)
    if not fixtures:
        raise UsageError(f"no fixtures in {args.fixtures} (split {args.split})")
    gates = load_gates(args.gates)

    runs = [(v, m) for v in versions for m in args.models]
    jobs = [Job(f, v, m, use_cache=not args.no_cache) for v, m in runs for f in fixtures]
    started = time.perf_counter()
    results = run_jobs(coach, jobs, args.concurrency, Progress(len(jobs), enabled=not args.quiet))
    wall_s = time.perf_counter() - started

    by_run: dict[tuple[str, str], list[CaseResult]] = {run: [] for run in runs}
    for r in results:
        by_run[(r.prompt_version, r.model)].append(r)
    run_entries = [
        {
            "prompt_version": v,
            "model": m,
            "prompt_hash": registry.versions[v].content_hash,
            "metrics": run_metrics(by_run[(v, m)], resamples=args.resamples, seed=args.seed),
        }
        for v, m in runs
    ]
    comparisons: list[dict[str, Any]] = []
    common = {"resamples": args.resamples, "seed": args.seed}
    for m in args.models:
        for v in versions[1:]:
            comparisons += compare(
                by_run[(versions[0], m)],
                by_run[(v, m)],
                kind="version",
                baseline=versions[0],
                candidate=v,
                fixed={"model": m},
                **common,
            )
    for v in versions:
        for m in args.models[1:]:
            comparisons += compare(
                by_run[(v, args.models[0])],
                by_run[(v, m)],
                kind="model",
                baseline=args.models[0],
                candidate=m,
                fixed={"prompt_version": v},
                **common,
            )
    gate_results = check_gates(gates, run_entries, comparisons)

    run_id = _run_id()
    summary: dict[str, Any] = {
        "run_id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_cases": len(fixtures),
        "split": args.split,
        "fixtures": {"folder": str(args.fixtures), "digest": _fixture_digest(fixtures)},
        "versions": versions,
        "baseline": versions[0],
        "models": list(args.models),
        "concurrency": args.concurrency,
        "cache": "off" if args.no_cache else coach.cache.name,
        "calls": len(jobs),
        "cache_hits": sum(r.cached for r in results),
        "errors": sum(r.error is not None for r in results),
        "wall_s": round(wall_s, 3),
        "resamples": args.resamples,
        "seed": args.seed,
        "runs": run_entries,
        "comparisons": comparisons,
        "gates": {
            "file": str(args.gates),
            "passed": all(g.passed for g in gate_results),
            "results": [g.__dict__ for g in gate_results],
        },
    }
    out = args.out / run_id
    out.mkdir(parents=True, exist_ok=False)
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(r.model_dump_json() + "\n")
    write_reports(out, summary, results, fixtures)
    _point_latest(args.out, run_id)

    failed: list[GateResult] = [g for g in gate_results if not g.passed]
    if not args.quiet:
        print(terminal_summary(summary))
    print(
        f"eval: {len(jobs)} calls in {wall_s:.2f}s, {summary['cache_hits']} cache hits, "
        f"{summary['errors']} errors -> {out}",
        file=sys.stderr,
    )
    for gate in failed:
        print(f"GATE FAILED: {gate.message}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    """Entry point of `coach eval`."""
    if argv[:1] == ["--"]:  # `coach eval -- --versions v1`: the separator is not ours
        argv = argv[1:]
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad arguments, 0 for --help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return evaluate(args)
    except (UsageError, FixtureError, GateConfigError, ConfigError) as exc:
        print(f"coach eval: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
