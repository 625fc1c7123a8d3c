"""Benchmarks for answer-coach: medians and ratios from one run, written to bench/RESULTS.md.

Measured: the local/rubric engine in-process (latency per answer, memory added), the whole HTTP path
through Flask's test client (uncached and cached), and the cost of importing litellm, which the offline
path must never pay. Figures are medians over repeated runs on this machine; compare ratios across machines.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "career_goals"


def _requests() -> list[dict[str, object]]:
    cases = []
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(json.loads(line)["request"])
    return cases


def _median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_engine(rows: list[str]) -> None:
    """local/rubric in-process: per-answer latency over every fixture, and memory added."""
    rss_before = _rss_mb()
    from service import engine
    from service.config import PROJECT_ROOT
    from service.prompts import PromptRegistry
    from service.schemas import FeedbackRequest

    rubric = PromptRegistry(PROJECT_ROOT / "prompts").get("v1").rubric
    requests = [FeedbackRequest.model_validate(r) for r in _requests()]
    engine.review(requests[0], rubric)  # compile the lexicon once, as a server does at its first request
    per_answer: list[float] = []
    for _ in range(5):
        for request in requests:
            started = time.perf_counter()
            engine.review(request, rubric)
            per_answer.append((time.perf_counter() - started) * 1000)
    gc.collect()
    rss_after = _rss_mb()
    per_answer.sort()
    lengths = sorted(len(r.answer) for r in requests)
    longest = max(requests, key=lambda r: len(r.answer))
    long_median, _ = _median_ms(lambda: engine.review(longest, rubric), 50)
    big = longest.model_copy(update={"answer": (longest.answer + " ") * (6000 // (len(longest.answer) + 1))})
    big_median, _ = _median_ms(lambda: engine.review(big, rubric), 20)
    rows += [
        "## local/rubric engine, in-process",
        "",
        f"{len(requests)} fixture answers x 5 passes "
        f"(answer length median {lengths[len(lengths) // 2]} chars, max {lengths[-1]}).",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| median per answer | {statistics.median(per_answer):.2f} ms |",
        f"| p95 per answer | {per_answer[int(len(per_answer) * 0.95) - 1]:.2f} ms |",
        f"| longest fixture answer ({len(longest.answer)} chars), median | {long_median:.2f} ms |",
        f"| a {len(big.answer)}-char answer, median | {big_median:.2f} ms |",
        f"| resident memory added by importing and running the engine | {rss_after - rss_before:.1f} MB |",
        "",
    ]


def bench_http(rows: list[str]) -> None:
    """POST /v1/feedback through Flask's test client: uncached vs cached (diskcache)."""
    from service.app import create_app

    body = _requests()[0]
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"cache_dir": Path(tmp) / "cache"})
        client = app.test_client()
        counter = iter(range(10**9))

        def uncached() -> object:
            payload = dict(body, options={"cache": False})
            return client.post("/v1/feedback", json=payload)

        def cached() -> object:
            return client.post("/v1/feedback", json=body)

        cached()  # fill the cache
        miss_median, miss_p95 = _median_ms(uncached, 200)
        hit_median, hit_p95 = _median_ms(cached, 200)
        del counter
    rows += [
        "## HTTP path (Flask test client, one thread)",
        "",
        "| request | median | p95 |",
        "| --- | --- | --- |",
        f"| POST /v1/feedback, cache bypassed (engine runs) | {miss_median:.2f} ms | {miss_p95:.2f} ms |",
        f"| POST /v1/feedback, diskcache hit | {hit_median:.2f} ms | {hit_p95:.2f} ms |",
        f"| ratio uncached / cached | {miss_median / hit_median:.2f}x | |",
        "",
    ]


def bench_imports(rows: list[str]) -> None:
    """What the offline path saves by never importing litellm (each in a fresh interpreter)."""
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True")

    def run(code: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    app_ms = run("from service.app import create_app; create_app({'cache': 'off'})")
    litellm_ms = run("import litellm")
    rows += [
        "## Start-up (fresh interpreter, median of 3)",
        "",
        "| what | wall time |",
        "| --- | --- |",
        f"| create the app with local/rubric (litellm not imported) | {app_ms:.0f} ms |",
        f"| `import litellm` alone | {litellm_ms:.0f} ms |",
        "",
    ]


def main() -> int:
    """Run every benchmark and write bench/RESULTS.md."""
    rows = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}. "
        "Medians from one run; the machine is shared, so compare ratios rather than absolute figures.",
        "",
    ]
    for step in (bench_engine, bench_http, bench_imports):
        print(f"bench: {step.__name__} ...", file=sys.stderr, flush=True)
        step(rows)
    extra = ROOT / "bench" / "RESULTS.extra.md"
    if extra.exists():
        rows += [extra.read_text(encoding="utf-8")]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
