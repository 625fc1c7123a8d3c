"""The eval harness end to end: fixtures, run.main on local/rubric and on a loopback LLM, gates, outputs."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, ReplyStep, Step, closed_port, delay, respond

from evals import run
from evals.fixtures import FixtureError, load_fixtures
from service.config import PROJECT_ROOT
from service.errors import ProviderUnavailable

ANSWERS = [
    # (answer, level, variant, expert overall, expert flags)
    ("My goal for the next year is to earn the Google Ads certification; I'm halfway through the course "
     "and I already run two small campaigns for a local nonprofit every month. Long-term I'd like to lead "
     "campaign strategy here and help the team grow qualified leads.", "entry", "career_goals", 4.5, []),
    ("Honestly I just want a stable paycheck and good benefits. The work itself doesn't matter much to me.",
     "entry", "career_goals", 1.5, ["paycheck_only"]),
    ("I want to grow, learn a lot and be successful.", "mid", "five_years", 2.0, ["vague"]),
    ("I don't really plan ahead, I take it day by day.", "intern", "top3", 1.0, ["no_goals"]),
    ("Within two years I want to be CEO of this company.", "intern", "five_years", 1.5,
     ["unrealistic_timeline"]),
    ("Short term, I'm finishing the AWS Solutions Architect course and shadowing the on-call rotation. Long "
     "term I'd like to lead the platform team and mentor new engineers so the team ships faster.",
     "mid", "short_long", 4.5, []),
    ("This job is a stepping stone: in a year I plan to move to a bigger firm. <script>alert(1)</script>",
     "senior", "short_long", 1.5, ["stepping_stone"]),
    ("I'd like to deepen my analytics skills here, maybe take a SQL course at some point.", "executive",
     "top3", 3.0, []),
]  # fmt: skip
QUESTIONS = {
    "career_goals": "What are your career goals?",
    "top3": "What are your top 3 career goals?",
    "five_years": "Where do you see yourself in five years?",
    "short_long": "What are your short-term and long-term career goals?",
}


def fixture_line(
    i: int, answer: str, level: str, variant: str, overall: float, flags: list[str]
) -> dict[str, Any]:
    band = "weak" if overall < 2.5 else "adequate" if overall < 3.5 else "strong"
    return {
        "id": f"t-{i:03d}",
        "split": "dev" if i % 2 else "test",
        "request": {"question": QUESTIONS[variant], "answer": answer,
                    "role": {"title": "Marketing Coordinator", "level": level, "company": "Brightline",
                             "industry": "consumer software"}},
        "expert": {"overall": overall, "band": band, "red_flags": flags,
                   "criteria": {"role_alignment": 4 if overall >= 3.5 else 2, "concrete_steps": 3}},
        "provenance": "synthetic test case",
        "tags": {"level": level, "variant": variant, "adversarial": "<script>" in answer, "traits": []},
    }  # fmt: skip


def write_fixtures(folder: Path, count: int = len(ANSWERS)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(fixture_line(i, *ANSWERS[i % len(ANSWERS)])) for i in range(count)]
    (folder / "synthetic.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def prompts_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """prompts/career_goals copied into tmp, plus a v2 that moves weight from mutual_value to authenticity."""
    root = tmp_path / "prompts"
    target = root / "career_goals"
    target.mkdir(parents=True)
    for path in (PROJECT_ROOT / "prompts" / "career_goals").glob("v1.*"):
        shutil.copy(path, target / path.name)
        v2 = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            v2 = v2.replace('version = "v1"', 'version = "v2"', 1)
            v2 = re.sub(r'(id = "authenticity"\nname = "[^"]*"\nweight = )0\.15', r"\g<1>0.25", v2)
            v2 = re.sub(r'(id = "mutual_value"\nname = "[^"]*"\nweight = )0\.15', r"\g<1>0.05", v2)
            assert "weight = 0.25" in v2 and "weight = 0.05" in v2
        (target / path.name.replace("v1.", "v2.", 1)).write_text(v2, encoding="utf-8")
    monkeypatch.setenv("COACH_PROMPTS_DIR", str(root))
    return root


@pytest.fixture
def fixtures_dir(tmp_path: Path) -> Path:
    return write_fixtures(tmp_path / "fixtures" / "career_goals")


@pytest.fixture
def open_gates(tmp_path: Path) -> Path:
    """A gates file that checks nothing, for tests about something else."""
    path = tmp_path / "open-gates.toml"
    path.write_text("[regression]\nmetrics = []\n", encoding="utf-8")
    return path


def eval_args(fixtures: Path, out: Path, *extra: str) -> list[str]:
    return ["--fixtures", str(fixtures), "--out", str(out), "--resamples", "200", "--quiet", *extra]


def latest_summary(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "latest" / "summary.json").read_text(encoding="utf-8"))
    return data


def results_of(out: Path) -> list[dict[str, Any]]:
    lines = (out / "latest" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# --- fixtures ------------------------------------------------------------------------------------


def test_real_fixtures_validate() -> None:
    folder = PROJECT_ROOT / "fixtures" / "career_goals"
    fixtures = load_fixtures(folder)
    assert len({f.id for f in fixtures}) == len(fixtures) >= 120


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(surprise=1), "surprise: Extra inputs are not permitted"),
        (lambda d: d["expert"].update(band="strong"), "does not follow overall"),
        (lambda d: d["expert"].update(overall=3.3), "multiple of 0.5"),
        (lambda d: d["expert"].update(red_flags=["lazy"]), "expert.red_flags.0"),
        (lambda d: d["tags"].update(level="senior"), "differs from request.role.level"),
        (lambda d: d["request"].update(answer="   "), "request.answer"),
        (lambda d: d.update(split="train"), "split"),
    ],
)
def test_invalid_fixture_names_file_and_line(tmp_path: Path, change: Any, message: str) -> None:
    folder = write_fixtures(tmp_path / "fx", count=3)
    lines = (folder / "synthetic.jsonl").read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    change(bad)
    lines[1] = json.dumps(bad)
    (folder / "synthetic.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_fixtures(folder)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("fx/synthetic.jsonl:2: ")
    assert message in info.value.problems[0]


def test_duplicate_ids_and_broken_json_are_reported(tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path / "fx", count=2)
    first = (folder / "synthetic.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (folder / "more.jsonl").write_text(first + "\n{not json\n", encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_fixtures(folder)
    problems = info.value.problems
    assert any(p.startswith("fx/more.jsonl:2: not valid JSON") for p in problems)
    assert any("fx/synthetic.jsonl:1: duplicate id 't-000'" in p or "duplicate id" in p for p in problems)


# --- end to end on local/rubric --------------------------------------------------------------------


def test_two_versions_end_to_end(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, open_gates: Path
) -> None:
    out = tmp_path / "reports"
    assert run.main(eval_args(fixtures_dir, out, "--gates", str(open_gates))) == 0
    run_dir = (out / "latest").resolve()
    for name in ("summary.json", "results.jsonl", "report.md", "report.html"):
        assert (run_dir / name).is_file(), name
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", run_dir.name)

    summary = latest_summary(out)
    assert summary["n_cases"] == len(ANSWERS)
    assert [(r["prompt_version"], r["model"]) for r in summary["runs"]] == [
        ("v1", "local/rubric"), ("v2", "local/rubric")
    ]  # fmt: skip
    for r in summary["runs"]:
        m = r["metrics"]
        assert m["n"] == len(ANSWERS) and m["errors"] == 0 and m["schema_valid_rate"] == 1.0
        assert m["grounding_rate"] == 1.0
        for key in (
            "band_accuracy",
            "overall_mae",
            "spearman",
            "qwk",
            "flag_micro_f1",
            "flag_macro_f1",
            "latency_ms_p50",
            "latency_ms_p95",
            "cache_hits",
            "severe_misses",
            "adversarial_inflation",
        ):
            assert key in m, key  # fmt: skip
        assert set(m["flags"]) >= {"vague", "micro", "macro"} and "role_alignment" in m["criteria"]
    comps = summary["comparisons"]
    assert {c["metric"] for c in comps} == {
        "band_accuracy",
        "overall_mae",
        "spearman",
        "qwk",
        "flag_micro_f1",
    }
    for comp in comps:
        assert {"baseline", "candidate", "metric", "delta", "ci95"} <= set(comp)
        assert comp["baseline"] == "v1" and comp["candidate"] == "v2" and len(comp["ci95"]) == 2
        assert set(comp["slices"]) == {"level", "variant"}
    band = next(c for c in comps if c["metric"] == "band_accuracy")
    assert 0 <= band["mcnemar"]["p_value"] <= 1 and band["p_value"] == band["mcnemar"]["p_value"]

    rows = results_of(out)
    assert len(rows) == 2 * len(ANSWERS)
    for row in rows:
        assert {"id", "prompt_version", "model", "split", "expert", "predicted", "error", "latency_ms",
                "cached"} <= set(row)  # fmt: skip
        assert row["predicted"]["band"] in ("weak", "adequate", "strong") and row["error"] is None

    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<style>" in page
    assert "<script" not in page and "src=" not in page and "<link" not in page  # no network, no script
    assert "Band confusion" in page and "F1 per code" in page
    assert "v2 vs v1" in (run_dir / "report.md").read_text(encoding="utf-8")


def test_rerun_is_served_from_the_cache(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, open_gates: Path
) -> None:
    out = tmp_path / "reports"
    gates = ["--gates", str(open_gates)]
    assert run.main(eval_args(fixtures_dir, out, *gates)) == 0
    first = latest_summary(out)
    assert first["cache_hits"] == 0
    assert run.main(eval_args(fixtures_dir, out, *gates)) == 0
    second = latest_summary(out)
    assert second["run_id"] != first["run_id"]
    assert second["cache_hits"] == second["calls"] == 2 * len(ANSWERS)
    assert [r["metrics"]["band_accuracy"] for r in second["runs"]] == [
        r["metrics"]["band_accuracy"] for r in first["runs"]
    ]
    assert run.main(eval_args(fixtures_dir, out, "--no-cache", *gates)) == 0
    assert latest_summary(out)["cache_hits"] == 0


def test_split_and_version_selection(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, open_gates: Path
) -> None:
    out = tmp_path / "reports"
    assert (
        run.main(
            eval_args(fixtures_dir, out, "--split", "dev", "--versions", "v2", "--gates", str(open_gates))
        )
        == 0
    )
    summary = latest_summary(out)
    assert summary["n_cases"] == len(ANSWERS) // 2 and summary["versions"] == ["v2"]
    assert summary["comparisons"] == [] and {r["split"] for r in results_of(out)} == {"dev"}


def test_deprecated_versions_run_only_when_named(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, open_gates: Path
) -> None:
    v2 = prompts_dir / "career_goals" / "v2.toml"
    v2.write_text(
        re.sub(r'(?m)^status = "\w+"', 'status = "deprecated"', v2.read_text("utf-8"), count=1), "utf-8"
    )
    out = tmp_path / "reports"
    assert run.main(eval_args(fixtures_dir, out, "--gates", str(open_gates))) == 0
    assert latest_summary(out)["versions"] == ["v1"]
    assert run.main(eval_args(fixtures_dir, out, "--versions", "v1", "v2", "--gates", str(open_gates))) == 0
    assert latest_summary(out)["versions"] == ["v1", "v2"]


def test_a_failed_gate_exits_1_and_says_by_how_much(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gates = tmp_path / "strict.toml"
    gates.write_text('[models."local/rubric".floors]\nband_accuracy = 1.01\n', encoding="utf-8")
    out = tmp_path / "reports"
    assert run.main(eval_args(fixtures_dir, out, "--gates", str(gates))) == 1
    err = capsys.readouterr().err
    assert re.search(r"GATE FAILED: floor v1 x local/rubric: band_accuracy = [\d.]+, needs >= 1.01 "
                     r"\(misses by [\d.]+\)", err)  # fmt: skip
    assert latest_summary(out)["gates"]["passed"] is False


def test_a_significant_regression_fails_the_gate(tmp_path: Path) -> None:
    from evals.gates import GateConfig, check_gates

    comp = {
        "kind": "version",
        "model": "m",
        "baseline": "v1",
        "candidate": "v2",
        "metric": "band_accuracy",
        "delta": -0.2,
        "ci95": [-0.3, -0.1],
        "higher_is_better": True,
    }
    mae = {**comp, "metric": "overall_mae", "delta": 0.3, "ci95": [0.1, 0.5], "higher_is_better": False}
    flat = {**comp, "metric": "qwk", "delta": -0.1, "ci95": [-0.3, 0.05]}
    results = check_gates(GateConfig(), [], [comp, mae, flat])
    assert [r.passed for r in results] == [False, False, True]
    assert results[0].shortfall == pytest.approx(0.1) and "significantly worse" in results[0].message
    assert results[1].shortfall == pytest.approx(0.1)
    # a margin tolerates a small significant drop, and only that much
    lenient = GateConfig.model_validate(
        {"regression": {"margins": {"band_accuracy": 0.15, "overall_mae": 0.05}}}
    )
    again = check_gates(lenient, [], [comp, mae])
    assert [r.passed for r in again] == [True, False]
    assert again[1].shortfall == pytest.approx(0.05) and "the 0.05 margin" in again[1].message


def test_a_typo_in_the_gates_file_is_an_error(tmp_path: Path) -> None:
    from evals.gates import GateConfigError, load_gates

    bad = tmp_path / "gates.toml"
    bad.write_text("[all.floor]\nband_accuracy = 0.5\n", encoding="utf-8")
    with pytest.raises(GateConfigError, match="floor"):
        load_gates(bad)
    bad.write_text('[regression]\nmetrics = ["band_acc"]\n', encoding="utf-8")
    with pytest.raises(GateConfigError, match="band_acc"):
        load_gates(bad)
    assert load_gates(PROJECT_ROOT / "evals" / "gates.toml").all.floors["schema_valid_rate"] == 1.0


def test_a_failing_case_is_recorded_not_fatal(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, open_gates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.coach import Coach

    real = Coach.feedback

    def flaky(self: Coach, request: Any, request_id: str | None = None) -> Any:
        if request_id == "eval-t-002":
            raise ProviderUnavailable("provider down for this one")
        if request_id == "eval-t-003":
            raise RuntimeError("a bug")
        return real(self, request, request_id)

    monkeypatch.setattr(Coach, "feedback", flaky)
    out = tmp_path / "reports"
    assert run.main(eval_args(fixtures_dir, out, "--gates", str(open_gates))) == 0
    rows = {(r["id"], r["prompt_version"]): r for r in results_of(out)}
    assert rows[("t-002", "v1")]["error"] == {
        "code": "provider_unavailable", "message": "provider down for this one", "status": 503
    }  # fmt: skip
    assert rows[("t-003", "v2")]["error"]["message"] == "RuntimeError: a bug"
    assert rows[("t-002", "v1")]["predicted"] is None
    m = latest_summary(out)["runs"][0]["metrics"]
    assert m["errors"] == 2 and m["n_scored"] == len(ANSWERS) - 2
    assert m["error_codes"] == {"provider_unavailable": 1, "internal_error": 1}
    assert m["schema_valid_rate"] == pytest.approx((len(ANSWERS) - 2) / len(ANSWERS))
    # and with the default gates the same run fails on schema_valid_rate
    assert run.main(eval_args(fixtures_dir, out)) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--versions", "v9"], "unknown prompt version(s) v9"),
        (["--models", "local/other"], "unknown local model"),
        (["--baseline", "v7"], "--baseline v7 is not among"),
        (["--split", "train"], "invalid choice"),
        (["--concurrency", "0"], "must be at least 1"),
    ],
)
def test_bad_arguments_exit_2(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    extra: list[str], message: str,
) -> None:  # fmt: skip
    assert run.main(eval_args(fixtures_dir, tmp_path / "out", *extra)) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "latest").exists()


def test_no_fixtures_exits_2(prompts_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run.main(eval_args(empty, tmp_path / "out")) == 2
    assert "no fixtures" in capsys.readouterr().err
    assert run.main(eval_args(tmp_path / "missing", tmp_path / "out")) == 2


def test_a_model_outside_coach_allowed_models_exits_2(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_ALLOWED_MODELS", "local/rubric")
    assert run.main(eval_args(fixtures_dir, tmp_path / "out", "--models", "openai/gpt-4o-mini")) == 2


# --- the LLM path on loopback ----------------------------------------------------------------------

CRITERIA = ("authenticity", "role_alignment", "realism", "concrete_steps", "mutual_value")
_ANSWER_BLOCK = re.compile(r"<<<ANSWER (\w+)>>>\n(.*)\n<<<END ANSWER \1>>>", re.DOTALL)


def grader_reply(body: dict[str, Any]) -> Step:
    """A valid ModelOutput whose quotes are copied from the answer in the request."""
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    found = _ANSWER_BLOCK.search(text)
    answer = found.group(2) if found else ""
    quote = answer.split(".")[0][:60].strip()
    output = {
        "overall_score": 3.0,
        "summary": "Relevant but generic.",
        "criteria": [{"id": cid, "score": 3, "rationale": "ok", "suggestion": "Name one concrete step.",
                      "evidence": [{"quote": quote}] if quote else []} for cid in CRITERIA],
        "red_flags": [],
        "goals": [],
        "strengths": ["Relevant."],
        "improvements": ["Be specific."],
        "rewrite": None,
    }  # fmt: skip
    return ReplyStep(json.dumps(output))


@pytest.fixture
def grader(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A loopback OpenAI-compatible grader answering every call after `delay_s`; litellm imported first."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm  # noqa: F401  (paid once here, so the timings below measure the eval, not the import)

    with FakeOpenAI() as server:
        monkeypatch.setenv("COACH_API_BASE", server.base_url)
        monkeypatch.setenv("COACH_MAX_RETRIES", "0")
        yield server


def test_llm_runs_are_concurrent_and_reruns_hit_the_cache(
    prompts_dir: Path, tmp_path: Path, grader: FakeOpenAI, open_gates: Path
) -> None:
    latency, cases = 0.3, len(ANSWERS)
    grader.default = delay(latency, respond(grader_reply))
    out = tmp_path / "reports"
    common = ["--models", "openai/fake-grader", "--gates", str(open_gates)]
    # litellm's first completion in a process costs about a second of set-up: pay it on another case.
    warm = tmp_path / "warm"
    warm.mkdir()
    line = fixture_line(
        99, "Warm-up answer: I want to learn the tools here.", "entry", "career_goals", 3.0, []
    )
    (warm / "warm.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert run.main(eval_args(warm, out, "--versions", "v1", *common)) == 0
    before = grader.calls

    args = eval_args(write_fixtures(tmp_path / "fx", count=cases), out, *common)
    assert run.main(args) == 0
    first = latest_summary(out)
    calls = 2 * cases  # two versions
    assert first["errors"] == 0 and grader.calls - before == calls
    serial = calls * latency
    # concurrent: well under the serial sum (8 workers would reach serial / 8 on an idle machine)
    assert first["wall_s"] < serial * 0.7, (
        f"not concurrent: {first['wall_s']}s for {serial}s of serial latency"
    )
    assert {r["metrics"]["grounding_rate"] for r in first["runs"]} == {1.0}

    assert run.main(args) == 0
    second = latest_summary(out)
    assert grader.calls - before == calls  # no new call reached the server
    assert second["cache_hits"] == calls
    assert second["wall_s"] < first["wall_s"] / 2


def _no_constants(name: str) -> None:
    raise AssertionError(f"summary.json holds {name}, which is not JSON")


def test_an_unreachable_model_is_recorded_per_case(
    prompts_dir: Path, fixtures_dir: Path, tmp_path: Path, open_gates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("COACH_API_BASE", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("COACH_MAX_RETRIES", "0")
    out = tmp_path / "reports"
    args = eval_args(fixtures_dir, out, "--models", "local/rubric", "openai/nowhere", "--versions", "v1",
                     "--gates", str(open_gates))  # fmt: skip
    assert run.main(args) == 0
    summary = latest_summary(out)
    local, remote = summary["runs"]
    assert local["metrics"]["errors"] == 0
    assert remote["metrics"]["errors"] == len(ANSWERS) and remote["metrics"]["n_scored"] == 0
    assert set(remote["metrics"]["error_codes"]) == {"provider_unavailable"}
    # with the default gates, the floors fail on the unreachable model, by name, and the JSON stays strict
    assert run.main([a for a in args if a not in ("--gates", str(open_gates))]) == 1
    failed = [g for g in latest_summary(out)["gates"]["results"] if not g["passed"]]
    assert "v1 x openai/nowhere" in {g["target"] for g in failed}
    assert any(g["metric"] == "grounding_rate" and g["shortfall"] is None for g in failed)
    json.loads((out / "latest" / "summary.json").read_text(encoding="utf-8"), parse_constant=_no_constants)
    assert {c["kind"] for c in summary["comparisons"]} == {"model"}
    assert (out / "latest" / "report.html").is_file()


# --- small parts ---------------------------------------------------------------------------------------


def test_latest_falls_back_to_a_file_when_symlinks_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run._point_latest(tmp_path, "20260101T000000Z-aaaaaa")
    assert (tmp_path / "latest").is_symlink()
    assert os.readlink(tmp_path / "latest") == "20260101T000000Z-aaaaaa"

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError("symlinks not supported here")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    run._point_latest(tmp_path, "20260102T000000Z-bbbbbb")
    latest = tmp_path / "latest"
    assert not latest.is_symlink() and latest.read_text(encoding="utf-8").strip() == "20260102T000000Z-bbbbbb"
    assert [p.name for p in tmp_path.iterdir()] == ["latest"]  # no temporary link left behind


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    from evals.execute import Progress

    class Done:
        error = None
        cached = True

    term = _Terminal()
    bar = Progress(2, term)
    bar.update(Done())  # type: ignore[arg-type]
    bar.update(Done())  # type: ignore[arg-type]
    bar.close()
    text = term.getvalue()
    assert text.startswith("\reval [") and "2/2 100%" in text and "2 cached" in text and text.endswith("\n")

    piped = io.StringIO()
    quiet = Progress(1, piped)
    quiet.update(Done())  # type: ignore[arg-type]
    quiet.close()
    assert piped.getvalue() == ""
