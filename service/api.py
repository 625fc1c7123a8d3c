"""HTTP API v1: routes, request parsing and the JSON error handlers. Domain code never builds responses."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import traceback
from importlib.resources import files
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from service import openapi
from service.coach import Coach
from service.errors import (
    CoachError,
    InternalError,
    InvalidJSON,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from service.schemas import FeedbackRequest

log = logging.getLogger("service.access")
bp = Blueprint("api", __name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Flask's own HTTP errors, mapped onto the CONTRACT's error codes.
_HTTP_ERRORS: dict[int, type[CoachError]] = {
    400: InvalidJSON,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    500: InternalError,
}


def _coach() -> Coach:
    coach: Coach = current_app.extensions["coach"]
    return coach


def pydantic_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Field-level details without echoing the input (it may hold the candidate's answer)."""
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"], "type": err["type"]}
        for err in exc.errors()
    ]


def parse_feedback_request() -> FeedbackRequest:
    """The body as a FeedbackRequest, or the CONTRACT's 413, 415, 400 or 422."""
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJSON(f"the body is not valid JSON: {exc}") from None
    except RecursionError:  # "[[[[..." thousands deep: valid-looking, but no request nests like that
        raise InvalidJSON("the body is nested too deeply to be a feedback request") from None
    if not isinstance(data, dict):
        raise InvalidRequest(
            "the body must be a JSON object", details=[{"field": "body", "message": "not an object"}]
        )
    try:
        return FeedbackRequest.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest("the request does not match the schema", details=pydantic_details(exc)) from None


@bp.post("/v1/feedback")
def feedback() -> Response:
    """Grounded feedback on one answer."""
    body = parse_feedback_request()
    result = _coach().feedback(body, request_id=g.request_id)
    g.model, g.cached = result.meta.model, result.meta.cached
    return jsonify(result.model_dump(mode="json"))


@bp.get("/v1/prompts")
def prompts() -> Response:
    """Every prompt version with its metadata; `default` is what a request without options gets."""
    coach = _coach()
    default = coach.registry.get(coach.settings.prompt_version)
    return jsonify(
        {
            "prompt": coach.registry.name,
            "default": default.version,
            "versions": [v.describe() for v in coach.registry.versions.values()],
        }
    )


@bp.get("/v1/models")
def models() -> Response:
    """The default model, the models a request may pick, and the fallbacks."""
    settings = _coach().settings
    return jsonify(
        {
            "default": settings.model,
            "allowed": settings.allowed_models,
            "fallbacks": settings.fallback_models,
        }
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the service is up and its prompts loaded."""
    coach = _coach()
    return jsonify(
        {
            "status": "ok",
            "model": coach.settings.model,
            "prompt_version": coach.registry.get(coach.settings.prompt_version).version,
            "cache": coach.cache.name,
        }
    )


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """OpenAPI 3.1, generated from the Pydantic models."""
    return jsonify(openapi.spec())


def _static(name: str) -> Response:
    text = files("service").joinpath("static", name).read_text(encoding="utf-8")
    return Response(text, mimetype="text/html")


@bp.get("/docs")
def docs() -> Response:
    """Human API docs, rendered in the browser from /openapi.json."""
    return _static("docs.html")


@bp.get("/")
def demo() -> Response:
    """The demo coaching page."""
    return _static("index.html")


def _error_response(error: CoachError) -> tuple[Response, int]:
    response = jsonify(error.to_dict(getattr(g, "request_id", None)))
    for name, value in error.headers().items():
        response.headers[name] = value
    return response, error.status_code


def init_app(app: Flask) -> None:
    """Register the blueprint, request ids, access logs and the JSON error handlers."""
    app.register_blueprint(bp)

    @app.before_request
    def _start() -> None:
        supplied = request.headers.get("X-Request-ID", "")
        # fullmatch: `$` would also accept a trailing newline, which cannot go back into a header.
        g.request_id = supplied if _REQUEST_ID.fullmatch(supplied) else "req_" + secrets.token_hex(8)
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        started = getattr(g, "started", None)
        elapsed = int((time.perf_counter() - started) * 1000) if started else 0
        # Never the body: answers and keys stay out of logs.
        log.info(
            "%s %s %s %dms request_id=%s model=%s cached=%s",
            request.method,
            request.path,
            response.status_code,
            elapsed,
            getattr(g, "request_id", "-"),
            getattr(g, "model", "-"),
            getattr(g, "cached", "-"),
        )
        return response

    @app.errorhandler(CoachError)
    def _coach_error(error: CoachError) -> tuple[Response, int]:
        return _error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        kind = _HTTP_ERRORS.get(status)
        if kind is None:
            wrapped = CoachError(error.description or error.name)
            wrapped.status_code, wrapped.code = status, error.name.lower().replace(" ", "_")
        else:
            message = {
                413: f"the body is over {app.config['MAX_CONTENT_LENGTH'] // 1024} KiB",
                400: "the body is not valid JSON",
                500: "internal error; the request id is in the logs",
            }.get(status, error.description or error.name)
            wrapped = kind(message)
        response, status = _error_response(wrapped)
        for name, value in error.get_headers():  # e.g. a 405's Allow, which HTTP requires
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        # The frames, not the message: an exception's message can quote its input (the candidate's answer).
        frames = "".join(traceback.format_tb(error.__traceback__))
        logging.getLogger(__name__).error(
            "unhandled %s on %s request_id=%s\n%s",
            type(error).__name__,
            request.path,
            getattr(g, "request_id", "-"),
            frames,
        )
        return _error_response(InternalError("internal error; the request id is in the logs"))
