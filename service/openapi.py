"""OpenAPI 3.1 document generated from the Pydantic models."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from service import __version__
from service.schemas import ErrorResponse, FeedbackRequest, FeedbackResponse

_ERRORS = {
    "400": "Body is not valid JSON",
    "401": "Key required and missing or wrong",
    "413": "Body over 64 KiB",
    "415": "Not application/json",
    "422": "JSON that breaks the request schema (field-level details)",
    "429": "Rate limit (Retry-After header)",
    "502": "The model failed or kept returning output that does not validate",
    "503": "The model provider cannot be reached, or all fallbacks failed",
    "504": "The model call passed COACH_TIMEOUT_S",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@cache
def spec() -> dict[str, Any]:
    """The whole document; cached, since the models do not change at run time."""
    _, defs = models_json_schema(
        [
            (FeedbackRequest, "validation"),
            (FeedbackResponse, "serialization"),
            (ErrorResponse, "serialization"),
        ],
        ref_template="#/components/schemas/{model}",
    )
    error = _ref("ErrorResponse")
    feedback_responses = {"200": _json(_ref("FeedbackResponse"), "Grounded feedback")}
    feedback_responses.update({code: _json(error, text) for code, text in _ERRORS.items()})
    simple = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "answer-coach",
            "version": __version__,
            "description": "Structured, grounded feedback on answers to 'What are your career goals?'.",
        },
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/feedback": {
                "post": {
                    "summary": "Feedback on one answer",
                    "operationId": "createFeedback",
                    "security": [{}, {"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("FeedbackRequest")}},
                    },
                    "responses": feedback_responses,
                }
            },
            "/v1/prompts": {"get": {"summary": "Prompt versions with metadata", "responses": simple}},
            "/v1/models": {"get": {"summary": "Default, allowed and fallback models", "responses": simple}},
            "/healthz": {"get": {"summary": "Liveness", "responses": simple}},
        },
    }
