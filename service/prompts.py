"""Prompt versions as checked data: `prompts/<name>/<version>.toml` plus `<version>.*.j2` templates."""

from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.errors import UnknownPromptVersion
from service.rubric import Rubric
from service.schemas import FeedbackRequest

TEMPLATE_NAMES = ("system", "user", "reask")
Status = Literal["stable", "experimental", "deprecated"]


class PromptMeta(BaseModel):
    """The metadata block at the top of a version's TOML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z_]+$", description="Prompt name, e.g. career_goals")
    version: str = Field(pattern=r"^v\d+$", description="Version, e.g. v2")
    status: Status = Field(description="stable versions can be the default")
    created: date = Field(description="Date written")
    description: str = Field(description="What this version is")
    hypothesis: str = Field(description="What it is expected to improve, and why")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature for LLMs")
    max_tokens: int = Field(2000, gt=0, description="Output token budget for LLMs")


@dataclass(frozen=True)
class PromptVersion:
    """A loaded, validated prompt version: metadata, rubric, templates and content hash."""

    meta: PromptMeta
    rubric: Rubric
    templates: dict[str, str]
    content_hash: str
    files: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def version(self) -> str:
        return self.meta.version

    def describe(self) -> dict[str, Any]:
        """Public metadata for GET /v1/prompts."""
        return {
            **self.meta.model_dump(mode="json"),
            "hash": self.content_hash,
            "criteria": [{"id": c.id, "name": c.name, "weight": c.weight} for c in self.rubric.criteria],
        }


@dataclass(frozen=True)
class RenderedPrompt:
    """Chat messages for an LLM, plus the nonce that marks the untrusted answer."""

    messages: list[dict[str, str]]
    nonce: str


_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
ANSWER_OPEN = "<<<ANSWER {nonce}>>>"
ANSWER_CLOSE = "<<<END ANSWER {nonce}>>>"
CONTEXT_OPEN = "<<<CONTEXT {nonce}>>>"
CONTEXT_CLOSE = "<<<END CONTEXT {nonce}>>>"
# Delimiter look-alikes inside the answer are folded to guillemet-like characters the grounding
# normaliser maps back, so a candidate cannot close the data block early.
_NEUTRALISE = str.maketrans({"<": "‹", ">": "›"})


def neutralise(text: str) -> str:
    """Fold delimiter look-alikes so untrusted text cannot open or close a marked block."""
    return text.replace("<<<", "<<<".translate(_NEUTRALISE)).replace(">>>", ">>>".translate(_NEUTRALISE))


def spotlight(answer: str, nonce: str) -> str:
    """Wrap the untrusted answer in nonce-marked delimiters, neutralising look-alikes inside it."""
    return f"{ANSWER_OPEN.format(nonce=nonce)}\n{neutralise(answer)}\n{ANSWER_CLOSE.format(nonce=nonce)}"


def _neutralised(data: dict[str, Any]) -> dict[str, Any]:
    return {k: neutralise(v) if isinstance(v, str) else v for k, v in data.items()}


@lru_cache(maxsize=64)
def _template(source: str) -> Template:
    """Compile once per template text (compiling costs about 10 ms; rendering well under 1 ms)."""
    return _ENV.from_string(source)


def render(version: PromptVersion, request: FeedbackRequest, nonce: str | None = None) -> RenderedPrompt:
    """Render system and user messages. The answer is a value, never template source."""
    nonce = nonce or secrets.token_hex(8)
    context = {
        "rubric": version.rubric.model_dump(),
        # every request field is untrusted too: fenced in the template, look-alikes folded here
        "question": neutralise(request.question),
        "role": _neutralised(request.role.model_dump()),
        "candidate": _neutralised(request.candidate.model_dump()) if request.candidate else None,
        "nonce": nonce,
        "context_open": CONTEXT_OPEN.format(nonce=nonce),
        "context_close": CONTEXT_CLOSE.format(nonce=nonce),
        "answer_block": spotlight(request.answer, nonce),
    }
    messages = [
        {"role": "system", "content": _template(version.templates["system"]).render(context).strip()},
        {"role": "user", "content": _template(version.templates["user"]).render(context).strip()},
    ]
    return RenderedPrompt(messages=messages, nonce=nonce)


def render_reask(version: PromptVersion, errors: list[str]) -> str:
    """The user message that sends validation errors back to the model."""
    return _template(version.templates["reask"]).render({"errors": errors}).strip()


class PromptError(Exception):
    """A prompt version on disk is malformed."""


def load_version(toml_path: Path) -> PromptVersion:
    """Load and validate one version from its TOML file and the templates beside it."""
    stem = toml_path.stem
    where = f"{toml_path.parent.name}/{stem}"
    digest = hashlib.sha256()
    files = [toml_path] + [toml_path.with_name(f"{stem}.{t}.j2") for t in TEMPLATE_NAMES]
    texts: dict[str, str] = {}
    for path in files:
        if not path.is_file():
            raise PromptError(f"{where}: missing {path.name}")
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        try:
            texts[path.name] = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PromptError(
                f"{where}: {path.name} is not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
    try:
        data = tomllib.loads(texts[toml_path.name])
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{where}: {toml_path.name} is not valid TOML: {exc}") from None
    meta_fields = set(PromptMeta.model_fields)
    try:
        meta = PromptMeta(**{k: v for k, v in data.items() if k in meta_fields})
        rubric = Rubric(**{k: v for k, v in data.items() if k not in meta_fields})
    except ValidationError as exc:
        raise PromptError(f"{where}: {toml_path.name}: {exc}") from None
    if meta.version != stem or meta.name != toml_path.parent.name:
        raise PromptError(
            f"{where}: name/version must match its folder and file name, "
            f"got name={meta.name!r} version={meta.version!r}"
        )
    templates = {t: texts[f"{stem}.{t}.j2"] for t in TEMPLATE_NAMES}
    for name, source in templates.items():
        try:
            _template(source)  # a syntax error fails at load time, not on a request
        except TemplateSyntaxError as exc:
            raise PromptError(f"{where}: {stem}.{name}.j2 line {exc.lineno}: {exc.message}") from None
    version = PromptVersion(
        meta=meta,
        rubric=rubric,
        templates=templates,
        content_hash=digest.hexdigest()[:16],
        files=tuple(p.name for p in files),
    )
    _trial_render(version, where)
    return version


def _trial_render(version: PromptVersion, where: str) -> None:
    """Render every template once, so an undefined variable fails at load time, not on each request."""
    bare = FeedbackRequest.model_validate({"answer": "x", "role": {"title": "t", "level": "entry"}})
    full = FeedbackRequest.model_validate(
        {
            "answer": "x",
            "role": {"title": "t", "level": "senior", "company": "c", "industry": "i", "description": "d"},
            "candidate": {"current_role": "r", "years_experience": 1, "background": "b"},
        }
    )
    try:
        for request in (bare, full):
            render(version, request, nonce="0" * 16)
        render_reask(version, ["an error"])
    except TemplateError as exc:
        raise PromptError(f"{where}: a template does not render: {type(exc).__name__}: {exc}") from None


_VERSION_FILE = re.compile(r"v\d+")


def _version_key(version: str) -> int:
    return int(version.lstrip("v"))


class PromptRegistry:
    """Every version of one prompt, loaded and validated at start-up."""

    def __init__(self, root: Path, name: str = "career_goals", default: str | None = None) -> None:
        self.name = name
        folder = root / name
        found = list(folder.glob("v*.toml"))
        misnamed = sorted(p.name for p in found if not _VERSION_FILE.fullmatch(p.stem))
        if misnamed:
            raise PromptError(
                f"{name}: version files must be named v<number>.toml, not {', '.join(misnamed)}"
            )
        paths = sorted(found, key=lambda p: _version_key(p.stem))
        if not paths:
            raise PromptError(f"no prompt versions in {folder}")
        self.versions: dict[str, PromptVersion] = {p.stem: load_version(p) for p in paths}
        if default is not None and default not in self.versions:
            raise PromptError(f"{name}: default version {default!r} is not one of {', '.join(self.versions)}")
        self.default = default  # COACH_PROMPT_VERSION; None means the newest stable

    def stable(self) -> PromptVersion:
        """The newest version marked stable."""
        stable = [v for v in self.versions.values() if v.meta.status == "stable"]
        if not stable:
            raise PromptError(f"{self.name}: no stable version")
        return max(stable, key=lambda v: _version_key(v.version))

    def get(self, version: str | None) -> PromptVersion:
        """A version by name, or the default (configured, else newest stable); 422 for an unknown one."""
        if version is None:
            return self.versions[self.default] if self.default else self.stable()
        found = self.versions.get(version)
        if found is None:
            raise UnknownPromptVersion(
                f"unknown prompt version {version!r}",
                details=[{"field": "options.prompt_version", "known": sorted(self.versions)}],
            )
        return found
