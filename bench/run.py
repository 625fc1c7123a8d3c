"""Benchmarks for answer-coach: medians and ratios from one run, written to bench/RESULTS.md.

Measured: the local/rubric engine in-process (latency per answer, memory added), the whole HTTP path
through Flask's test client (uncached and cached), the cost of importing litellm, which the offline
path must never pay, the LLM path through litellm against a loopback fake provider, and the eval
harness's concurrency against a fake provider that takes 300 ms per call. Figures are medians over
repeated runs on this machine; compare ratios across machines.

The fake provider is tests/fake_openai.py's FakeOpenAI in a child process (`serve_fake_grader`), so its
threads do not compete with the measured code for this process's GIL.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "career_goals"
FAKE_MODEL = "openai/fake-grader"
FAKE_KEY = "bench-not-a-key"  # set explicitly, so no real key from the environment reaches the fake
LLM_REQUESTS = 50
EVAL_DELAY_S = 0.3
EVAL_CASES_PER_FILE = 5  # x 6 fixture files = 30 cases
EVAL_VERSIONS = ("v1", "v2")
EVAL_CONCURRENCY = (8, 16)
# Figures one step measures and a later one quotes (the litellm import time), so none is measured twice.
MEASURED: dict[str, float] = {}


def _iter_requests() -> Iterator[dict[str, object]]:
    """Every fixture's request body, one at a time."""
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)["request"]


def _requests() -> list[dict[str, object]]:
    return list(_iter_requests())


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
    """local/rubric in-process: memory added, then per-answer latency over every fixture.

    Memory is measured after importing the engine and reviewing every fixture answer once, the answers
    streamed one at a time: the engine's own memory (modules, compiled lexicon, calibration, caches), not
    the benchmark's inputs. (Until session 8 it was taken after the latency passes, with every parsed
    request held: 6,720 requests are about 25 MB, raw and validated, which grew with every fixture set.)"""
    rss_before = _rss_mb()
    from service import engine
    from service.config import PROJECT_ROOT
    from service.prompts import PromptRegistry
    from service.schemas import FeedbackRequest

    rubric = PromptRegistry(PROJECT_ROOT / "prompts").get("v1").rubric
    for body in _iter_requests():
        engine.review(FeedbackRequest.model_validate(body), rubric)
    gc.collect()
    rss_engine = _rss_mb()
    requests = [FeedbackRequest.model_validate(r) for r in _requests()]
    per_answer: list[float] = []
    from service.engine.analysis import fields_in

    for _ in range(5):
        for request in requests:
            fields_in.cache_clear()  # each answer arrives new in production: measure the cold path
            started = time.perf_counter()
            engine.review(request, rubric)
            per_answer.append((time.perf_counter() - started) * 1000)
    per_answer.sort()
    lengths = sorted(len(r.answer) for r in requests)
    longest = max(requests, key=lambda r: len(r.answer))
    long_median, _ = _median_ms(lambda: engine.review(longest, rubric), 50)
    big = longest.model_copy(update={"answer": (longest.answer + " ") * (6000 // (len(longest.answer) + 1))})
    big_median, _ = _median_ms(lambda: engine.review(big, rubric), 20)
    # the learned score calibration alone, on the same answers (its share of the per-answer time)
    from service.engine.analysis import analyse
    from service.engine.calibration import calibrate
    from service.engine.judge import judge

    calibration_ms: list[float] = []
    for request in requests:
        a = analyse(request, rubric)
        overall = judge(a, rubric, calibrated=False).overall
        started = time.perf_counter()
        calibrate(a, overall, rubric)
        calibration_ms.append((time.perf_counter() - started) * 1000)
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
        f"| of which the learned score calibration, median | {statistics.median(calibration_ms):.2f} ms |",
        f"| longest fixture answer ({len(longest.answer)} chars), median | {long_median:.2f} ms |",
        f"| a {len(big.answer)}-char answer, median | {big_median:.2f} ms |",
        "| resident memory added by importing the engine and reviewing every answer once (streamed) |"
        f" {rss_engine - rss_before:.1f} MB |",
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
    MEASURED["litellm_import_ms"] = litellm_ms
    rows += [
        "## Start-up (fresh interpreter, median of 3)",
        "",
        "| what | wall time |",
        "| --- | --- |",
        f"| create the app with local/rubric (litellm not imported) | {app_ms:.0f} ms |",
        f"| `import litellm` alone | {litellm_ms:.0f} ms |",
        "",
    ]


# --- a fake provider in a child process ------------------------------------------------------------

_ANSWER_BLOCK = re.compile(r"<<<ANSWER (\w+)>>>\n(.*)\n<<<END ANSWER \1>>>", re.DOTALL)
_CRITERIA_LINE = re.compile(r"^Criteria to score, each once: (.+)\.$", re.MULTILINE)


def fake_grade(body: dict[str, Any]) -> dict[str, Any] | None:
    """A ModelOutput that validates for the request: each criterion the prompt lists, quotes copied from
    the answer (as tests/test_llm.py's `valid_output` builds it); None when the prompt has no answer."""
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    answer, criteria = _ANSWER_BLOCK.search(text), _CRITERIA_LINE.search(text)
    if answer is None or criteria is None:
        return None
    quote = answer.group(2).strip()[:40].strip()
    return {
        "overall_score": 3.5,
        "summary": "A concrete goal with momentum; tie it more closely to this role.",
        "criteria": [
            {
                "id": cid.strip(),
                "score": 4,
                "rationale": "Specific.",
                "evidence": [{"quote": quote}],
                "suggestion": "Add a step.",
            }
            for cid in criteria.group(1).split(",")
        ],
        "red_flags": [],
        "goals": [{"text": "earn a certification", "horizon": "short", "category": "certification"}],
        "strengths": ["Names a concrete next step."],
        "improvements": ["Connect the long-term goal to the team."],
        "rewrite": None,
    }


def serve_fake_grader(delay_s: float) -> None:
    """Child process: a FakeOpenAI answering every chat call with `fake_grade` after `delay_s`.

    Prints its port, then its chat-call count for every line read on stdin; stops at end of input.
    """
    sys.path.insert(0, str(ROOT / "tests"))
    from fake_openai import FakeOpenAI, Step, delay, error, reply_json, respond  # type: ignore[import-not-found]

    def answer(body: dict[str, Any]) -> Step:
        output = fake_grade(body)
        return (
            error(400, "bench fake: no answer block in the prompt") if output is None else reply_json(output)
        )

    server = FakeOpenAI().start()
    server.default = delay(delay_s, respond(answer)) if delay_s > 0 else respond(answer)
    print(server.port, flush=True)
    for _ in sys.stdin:
        print(server.calls, flush=True)
    server.stop()


class FakeGrader:
    """`serve_fake_grader` in a child process: `base_url` for COACH_API_BASE, `calls()` for its count."""

    def __init__(self, delay_s: float) -> None:
        code = f"from bench.run import serve_fake_grader; serve_fake_grader({delay_s!r})"
        self._proc = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.base_url = f"http://127.0.0.1:{self._read()}/v1"

    def _read(self) -> int:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"the fake provider exited (status {self._proc.poll()})")
        return int(line)

    def calls(self) -> int:
        """Chat-completion calls the server has seen so far."""
        assert self._proc.stdin is not None
        self._proc.stdin.write("\n")
        self._proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """End the child: end of input stops it; killed if it does not stop."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self) -> FakeGrader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _coach_environ(values: dict[str, str]) -> Iterator[None]:
    """Exactly these COACH_* variables while inside: the developer's own are set aside, then restored."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("COACH_")}
    for name in saved:
        del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        for name in [k for k in os.environ if k.startswith("COACH_")]:
            del os.environ[name]
        os.environ.update(saved)


class Spread(NamedTuple):
    """Median and 95th percentile (nearest rank) of latency samples, in ms."""

    median: float
    p95: float


def _spread(samples_ms: list[float]) -> Spread:
    ordered = sorted(samples_ms)
    return Spread(statistics.median(ordered), ordered[math.ceil(len(ordered) * 0.95) - 1])


def _timed(into: list[float], fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, its wall time appended to `into` in ms."""
    started = time.perf_counter()
    result = fn(*args)
    into.append((time.perf_counter() - started) * 1000)
    return result


# --- the LLM path ------------------------------------------------------------------------------------


def bench_llm_path(rows: list[str]) -> None:
    """POST /v1/feedback through litellm to an instant loopback fake, against raw httpx and local/rubric."""
    from service.app import create_app
    from service.config import load_settings
    from service.prompts import PromptRegistry, render
    from service.schemas import FeedbackRequest

    bodies = _requests()[:LLM_REQUESTS]
    with FakeGrader(delay_s=0) as grader, tempfile.TemporaryDirectory() as tmp:
        env = {
            "COACH_MODEL": FAKE_MODEL,
            "COACH_API_BASE": grader.base_url,
            "COACH_API_KEY": FAKE_KEY,
            "COACH_CACHE": "off",
            "COACH_CACHE_DIR": str(Path(tmp) / "cache"),
            "COACH_MAX_RETRIES": "0",
        }
        with _coach_environ(env):
            settings = load_settings()
            llm_client = create_app(settings).test_client()  # imports litellm (llm.preload)
            local_client = create_app({"model": "local/rubric"}).test_client()
        import httpx
        import litellm

        from service import llm

        version = PromptRegistry(settings.prompts_dir).get(None)
        call = llm.build_call(llm.resolve_target(FAKE_MODEL, settings), version, settings)
        chat = {k: call[k] for k in ("temperature", "max_tokens", "response_format")}
        chat["model"] = FAKE_MODEL.split("/", 1)[1]
        http = httpx.Client(headers={"Authorization": f"Bearer {FAKE_KEY}"}, timeout=10)

        url = f"{grader.base_url}/chat/completions"

        def raw_call(messages: list[dict[str, str]]) -> object:
            return http.post(url, json={**chat, "messages": messages}).json()

        def litellm_call(messages: list[dict[str, str]]) -> object:
            return litellm.completion(**call, messages=messages, timeout=settings.timeout_s)

        def feedback(client: FlaskClient, body: dict[str, object]) -> TestResponse:
            return client.post("/v1/feedback", json=body)

        prompts = [render(version, FeedbackRequest.model_validate(b)).messages for b in bodies]
        first: list[float] = []
        _timed(first, feedback, llm_client, bodies[0])  # litellm's first-call set-up
        for body, messages in list(zip(bodies, prompts, strict=True))[:5]:  # warm every path before timing
            raw_call(messages)
            litellm_call(messages)
            feedback(llm_client, body)
            feedback(local_client, body)
        calls_before = grader.calls()
        raw: list[float] = []
        bare: list[float] = []
        full: list[float] = []
        local: list[float] = []
        # Interleaved per answer, so drift on a shared machine hits every path alike.
        for body, messages in zip(bodies, prompts, strict=True):
            _timed(raw, raw_call, messages)
            _timed(bare, litellm_call, messages)
            response = _timed(full, feedback, llm_client, body)
            meta = response.get_json()["meta"]
            assert response.status_code == 200 and meta["model"] == FAKE_MODEL and meta["attempts"] == 1
            assert _timed(local, feedback, local_client, body).status_code == 200
        server_calls = grader.calls() - calls_before
        http.close()
    assert server_calls == 3 * len(bodies), server_calls  # raw, litellm alone, and the app: one call each

    r, b, f, lo = _spread(raw), _spread(bare), _spread(full), _spread(local)
    import_ms = MEASURED.get("litellm_import_ms")
    rows += [
        "## LLM path through litellm (loopback fake provider answering at once)",
        "",
        f"{len(bodies)} fixture answers, each sent down every path in turn (interleaved), to FakeOpenAI "
        "(tests/fake_openai.py) in a child process answering at once with a valid grade built from the "
        "request's answer (every criterion the prompt lists, quotes copied from the answer). "
        f"`COACH_MODEL={FAKE_MODEL}`, `COACH_API_BASE` = the fake, `COACH_CACHE=off`, no retries; "
        f"every app request validated at its first attempt, and the server saw {server_calls} calls "
        f"({len(bodies)} per path). Flask test client, one thread.",
        "",
        "| path | median | p95 |",
        "| --- | --- | --- |",
        f"| raw httpx POST of the same chat request (keep-alive), JSON decoded | {r.median:.2f} ms "
        f"| {r.p95:.2f} ms |",
        f"| `litellm.completion` alone, with `service/llm.build_call`'s arguments | {b.median:.2f} ms "
        f"| {b.p95:.2f} ms |",
        f"| POST /v1/feedback, {FAKE_MODEL} through litellm, cache off | {f.median:.2f} ms "
        f"| {f.p95:.2f} ms |",
        f"| POST /v1/feedback, local/rubric, cache off | {lo.median:.2f} ms | {lo.p95:.2f} ms |",
        "",
        "| comparison (medians) | value |",
        "| --- | --- |",
        f"| added by the litellm path over raw httpx | {f.median - r.median:+.2f} ms "
        f"({f.median / r.median:.1f}x) |",
        f"| of which `litellm.completion` itself over raw httpx | {b.median - r.median:+.2f} ms "
        f"({b.median / r.median:.1f}x) |",
        f"| litellm path vs local/rubric | {f.median - lo.median:+.2f} ms ({f.median / lo.median:.2f}x) |",
        f"| first request after the app is built (litellm's first-call set-up) | {first[0]:.0f} ms |",
        "| one-time `import litellm`, fresh interpreter (from the start-up step) | "
        + (f"{import_ms:.0f} ms |" if import_ms is not None else "not measured in this run |"),
        "",
    ]


# --- the eval harness under concurrency --------------------------------------------------------------


@dataclass(frozen=True)
class EvalRun:
    """One `evals.run.main` run as the harness summarised it, plus what the fake server saw."""

    concurrency: int
    calls: int
    server_calls: int
    cache_hits: int
    errors: int
    wall_s: float
    call_median_ms: float


def _fixture_subset(folder: Path) -> int:
    """The first cases of every fixture file, copied into `folder`; the number of cases."""
    folder.mkdir(parents=True)
    total = 0
    for path in sorted(FIXTURES.glob("*.jsonl")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        (folder / path.name).write_text("\n".join(lines[:EVAL_CASES_PER_FILE]) + "\n", encoding="utf-8")
        total += len(lines[:EVAL_CASES_PER_FILE])
    return total


def _eval_run(argv: list[str], out: Path, grader: FakeGrader, concurrency: int) -> EvalRun:
    from evals import run as eval_run

    before = grader.calls()
    status = eval_run.main([*argv, "--concurrency", str(concurrency)])
    assert status == 0, f"evals.run.main exited {status}"
    summary = json.loads((out / "latest" / "summary.json").read_text(encoding="utf-8"))
    lines = (out / "latest" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    latencies = [json.loads(line)["latency_ms"] for line in lines]
    return EvalRun(
        concurrency=concurrency,
        calls=summary["calls"],
        server_calls=grader.calls() - before,
        cache_hits=summary["cache_hits"],
        errors=summary["errors"],
        wall_s=summary["wall_s"],
        call_median_ms=statistics.median(latencies),
    )


def bench_eval_concurrency(rows: list[str]) -> None:
    """The eval harness against a fake provider taking 300 ms a call: wall time vs the ideal bound."""
    runs: list[tuple[str, EvalRun]] = []
    with FakeGrader(delay_s=EVAL_DELAY_S) as grader, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cases = _fixture_subset(tmp / "fixtures" / "career_goals")
        (tmp / "warm").mkdir()
        first_fixture = next(iter(sorted((tmp / "fixtures" / "career_goals").glob("*.jsonl"))))
        (tmp / "warm" / "warm.jsonl").write_text(
            first_fixture.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"
        )
        gates = tmp / "open-gates.toml"
        gates.write_text("[regression]\nmetrics = []\n", encoding="utf-8")  # measure, do not judge
        out = tmp / "reports"
        common = ["--models", FAKE_MODEL, "--versions", *EVAL_VERSIONS, "--gates", str(gates),
                  "--out", str(out), "--resamples", "200", "--quiet"]  # fmt: skip
        env = {"COACH_API_BASE": grader.base_url, "COACH_API_KEY": FAKE_KEY, "COACH_MAX_RETRIES": "0"}
        with _coach_environ({**env, "COACH_CACHE": "off"}):
            # litellm's import and first-call set-up, paid outside the timed runs
            _eval_run([*common, "--fixtures", str(tmp / "warm"), "--no-cache"], out, grader, 2)
        for concurrency in EVAL_CONCURRENCY:
            cache_dir = str(tmp / f"cache-{concurrency}")  # empty for the first run, full for the rerun
            with _coach_environ({**env, "COACH_CACHE": "disk", "COACH_CACHE_DIR": cache_dir}):
                argv = [*common, "--fixtures", str(tmp / "fixtures")]
                cold = _eval_run(argv, out, grader, concurrency)
                rerun = _eval_run(argv, out, grader, concurrency)
            expected = cases * len(EVAL_VERSIONS)
            assert cold.errors == 0 and cold.calls == cold.server_calls == expected, cold
            assert cold.cache_hits == 0, cold
            assert rerun.errors == 0 and rerun.server_calls == 0 and rerun.cache_hits == expected, rerun
            runs += [("empty cache", cold), ("identical rerun", rerun)]

    table = []
    for label, run in runs:
        bound = run.server_calls * EVAL_DELAY_S / run.concurrency
        bound_text, ratio = (f"{bound:.2f} s", f"{run.wall_s / bound:.2f}x") if bound else ("-", "-")
        table.append(
            f"| {label} | {run.concurrency} | {run.calls} | {run.server_calls} | {run.cache_hits} "
            f"| {run.wall_s:.2f} s | {bound_text} | {ratio} | {run.call_median_ms:.1f} ms |"
        )
    cold8, cold16 = (run for label, run in runs if label == "empty cache")
    rows += [
        "## Eval harness concurrency (loopback fake provider, every reply delayed "
        f"{EVAL_DELAY_S * 1000:.0f} ms)",
        "",
        f"`evals.run.main` in this process: {cases} fixture cases (the first {EVAL_CASES_PER_FILE} of each "
        f"fixture file, copied to a temp folder) x prompt versions {', '.join(EVAL_VERSIONS)} = "
        f"{cases * len(EVAL_VERSIONS)} calls a run, `--models {FAKE_MODEL}` with `COACH_API_BASE`, a fresh "
        "diskcache folder per concurrency, then the identical command again. The fake provider (FakeOpenAI "
        "with `default = delay(0.3, respond(...))`) runs in a child process, so its threads do not share "
        "the harness's GIL; the harness's own worker threads still share one (litellm's request handling, "
        "validation, grounding and the cache all run under it). A warm-up run pays litellm's first-call "
        "set-up first. Wall = the harness's `wall_s` (its thread pool; reports and statistics excluded). "
        f"Ideal bound = server calls x {EVAL_DELAY_S} s / concurrency.",
        "",
        "| run | concurrency | calls | server calls | cache hits | wall | ideal bound | wall / bound "
        "| median per call |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *table,
        "",
        f"Speed-up from concurrency 8 to 16 (empty cache): {cold8.wall_s / cold16.wall_s:.2f}x "
        "(ideal 2x). Each rerun was served wholly from the cache: every call a hit, and the server saw no "
        "new call (asserted).",
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
    for step in (bench_engine, bench_http, bench_imports, bench_llm_path, bench_eval_concurrency):
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
