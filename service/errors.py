"""One error hierarchy: every failure leaves the service as the CONTRACT's JSON error."""

from __future__ import annotations

from typing import Any


class CoachError(Exception):
    """Base of every error the service reports; the API turns it into JSON with `status_code`."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def to_dict(self, request_id: str | None = None) -> dict[str, Any]:
        """The CONTRACT's error body."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "request_id": request_id,
            }
        }

    def headers(self) -> dict[str, str]:
        """Extra HTTP headers for this error."""
        return {}


class InvalidJSON(CoachError):
    status_code, code = 400, "invalid_json"


class Unauthorized(CoachError):
    status_code, code = 401, "unauthorized"


class NotFound(CoachError):
    status_code, code = 404, "not_found"


class MethodNotAllowed(CoachError):
    status_code, code = 405, "method_not_allowed"


class PayloadTooLarge(CoachError):
    status_code, code = 413, "payload_too_large"


class UnsupportedMediaType(CoachError):
    status_code, code = 415, "unsupported_media_type"


class InvalidRequest(CoachError):
    status_code, code = 422, "invalid_request"


class UnknownPromptVersion(CoachError):
    status_code, code = 422, "unknown_prompt_version"


class ModelNotAllowed(CoachError):
    status_code, code = 422, "model_not_allowed"


class RateLimited(CoachError):
    status_code, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message, details=[{"retry_after_s": retry_after_s}])
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class InvalidModelOutput(CoachError):
    """The model kept returning output that does not validate, after every re-ask."""

    status_code, code = 502, "invalid_model_output"

    def __init__(self, message: str, *, attempts: int, errors: list[str], last_output: str | None) -> None:
        super().__init__(message, details=[{"attempts": attempts, "errors": errors[:10]}])
        self.attempts = attempts
        self.errors = errors
        self.last_output = last_output  # kept for logs at debug level, never sent to clients


class ProviderRejected(CoachError):
    status_code, code = 502, "provider_rejected"


class ProviderAuth(CoachError):
    status_code, code = 502, "provider_auth"


class ProviderUnavailable(CoachError):
    status_code, code = 503, "provider_unavailable"


class ModelTimeout(CoachError):
    status_code, code = 504, "model_timeout"


class ProviderError(CoachError):
    """The model call failed in a way no other provider error describes (not retried)."""

    status_code, code = 502, "provider_error"


class InternalError(CoachError):
    status_code, code = 500, "internal_error"
