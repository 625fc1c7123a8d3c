"""The `coach` console script: serve, review, eval, prompts."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from service.config import ConfigError, load_settings
from service.errors import CoachError
from service.prompts import PromptError
from service.schemas import DEFAULT_QUESTION, LEVELS, FeedbackRequest, FeedbackResponse

if TYPE_CHECKING:
    from service.coach import Coach


def _build_coach(overrides: dict[str, Any]) -> Coach:
    from service.coach import Coach

    return Coach.from_settings(load_settings(**overrides))


def cmd_serve(args: argparse.Namespace) -> int:
    """Run gunicorn exactly as `make serve` does."""
    # this environment's own gunicorn first, not whichever comes first on PATH
    beside = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    gunicorn = beside if os.path.exists(beside) else (shutil.which("gunicorn") or beside)
    argv = [
        gunicorn,
        "--preload",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        # longer than a model call with its re-asks: the sync worker's 30 s default would kill it first
        "--timeout",
        str(args.timeout),
        "--bind",
        f"{args.host}:{args.port}",
        "--access-logfile",
        "-",
        "service.app:create_app()",
    ]
    os.execv(gunicorn, argv)
    return 0  # pragma: no cover


class UsageError(Exception):
    """Bad command-line input: reported on stderr with exit status 2."""


def _request_from_args(args: argparse.Namespace) -> FeedbackRequest:
    if args.answer is None:
        raw = sys.stdin.read()
        if not raw.strip():
            raise UsageError("give --answer (with --title and --level), or a JSON request on stdin")
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise UsageError("the JSON request on stdin must be an object")
    else:
        data = {
            "question": args.question,
            "answer": args.answer,
            "role": {
                "title": args.title,
                "level": args.level,
                "company": args.company,
                "industry": args.industry,
            },
        }
    if not isinstance(data.get("options", {}), dict):
        raise UsageError("options in the JSON request must be an object")
    options = data.setdefault("options", {})
    if args.prompt_version:
        options["prompt_version"] = args.prompt_version
    if args.no_cache:
        options["cache"] = False
    return FeedbackRequest.model_validate(data)


def render_text(result: FeedbackResponse) -> str:
    """A readable report of one feedback for the terminal."""
    lines = [
        f"Overall: {result.overall.score:g}/5 ({result.overall.band})",
        result.overall.summary,
        "",
        "Criteria:",
    ]
    for c in result.criteria:
        lines.append(f"  {c.score}/5  {c.name}: {c.rationale}")
    if result.red_flags:
        lines += ["", "Red flags:"]
        lines += [
            f"  - {f.code}: {f.explanation}" + (f' ("{f.quote}")' if f.quote else "")
            for f in result.red_flags
        ]
    if result.goals:
        lines += ["", "Goals found:"] + [f"  - [{g.horizon}, {g.category}] {g.text}" for g in result.goals]
    if result.strengths:
        lines += ["", "Strengths:"] + [f"  + {s}" for s in result.strengths]
    if result.improvements:
        lines += ["", "Improvements:"] + [f"  * {s}" for s in result.improvements]
    if result.rewrite:
        lines += ["", "A stronger version:", "  " + result.rewrite]
    m = result.meta
    lines += [
        "",
        f"[{m.model} | {m.prompt} {m.prompt_version} {m.prompt_hash} | {m.latency_ms} ms"
        f"{' | cached' if m.cached else ''}]",
    ]
    return "\n".join(lines)


def cmd_review(args: argparse.Namespace) -> int:
    """Feedback on one answer through the same path as the HTTP API."""
    try:
        request = _request_from_args(args)
        # --model picks any model for this run, as COACH_MODEL would (the allowed list is for the HTTP API)
        coach = _build_coach({"model": args.model} if args.model else {})
        feedback = coach.feedback(request)
    except ValidationError as exc:
        print(f"coach review: invalid request: {exc}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"coach review: stdin is not valid JSON: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"coach review: {exc}", file=sys.stderr)
        return 2
    except CoachError as exc:
        print(
            json.dumps(exc.to_dict(), indent=2) if args.json else f"coach review: {exc.code}: {exc.message}",
            file=sys.stderr,
        )
        return 1
    print(feedback.model_dump_json(indent=2) if args.json else render_text(feedback))
    return 0


def cmd_prompts(args: argparse.Namespace) -> int:
    """List prompt versions."""

    registry = _build_coach({}).registry
    default = registry.get(None).version
    for v in registry.versions.values():
        mark = "*" if v.version == default else " "
        print(f"{mark} {v.name} {v.version:<4} {v.meta.status:<12} {v.content_hash}  {v.meta.description}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `coach` console script."""
    parser = argparse.ArgumentParser(
        prog="coach", description="answer-coach: career-goals interview coaching"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service (gunicorn)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("COACH_THREADS", "4")))
    serve.add_argument("--timeout", type=int, default=int(os.environ.get("GUNICORN_TIMEOUT", "300")))
    serve.set_defaults(func=cmd_serve)

    review = sub.add_parser("review", help="feedback on one answer (flags, or a JSON request on stdin)")
    review.add_argument("--answer", help="the answer text; omit to read a JSON request from stdin")
    review.add_argument("--title", default="Marketing Coordinator", help="role title")
    review.add_argument("--level", default="entry", choices=LEVELS, help="role level")
    review.add_argument("--company")
    review.add_argument("--industry")
    review.add_argument("--question", default=DEFAULT_QUESTION)
    review.add_argument("--model", help="model (must be allowed: COACH_ALLOWED_MODELS)")
    review.add_argument("--prompt-version")
    review.add_argument("--no-cache", action="store_true", help="bypass the cache")
    review.add_argument("--json", action="store_true", help="print the raw JSON response")
    review.set_defaults(func=cmd_review)

    prompts = sub.add_parser("prompts", help="list prompt versions (* marks the default)")
    prompts.set_defaults(func=cmd_prompts)

    sub.add_parser("eval", help="run the eval suite over the fixtures; `coach eval --help` for its options")

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        # the harness owns its options (coach eval --help); argparse's REMAINDER would reject them
        from evals import run

        return run.main(argv[1:])
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except (ConfigError, PromptError) as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
