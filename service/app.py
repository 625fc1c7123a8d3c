"""Application factory: settings, logging, the coach, blueprints and error handlers. It only wires."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from service import api, limits
from service.coach import Coach
from service.config import Settings, load_settings

MAX_BODY_BYTES = 64 * 1024


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app from defaults, then the environment, then `config` (tests pass overrides here)."""
    settings = config if isinstance(config, Settings) else load_settings(**(config or {}))
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["coach"] = Coach.from_settings(settings)
    app.extensions["settings"] = settings
    # api first: its before_request assigns the request id, which the key check's 401 and the
    # limiter's 429 must carry too (before_request functions run in registration order).
    api.init_app(app)
    limits.init_app(app, settings)
    if not settings.is_local:
        # Pay litellm's multi-second import once, before gunicorn forks (--preload), not on a request.
        from service import llm

        llm.preload()
    return app
