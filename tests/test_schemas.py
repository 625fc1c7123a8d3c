"""service/schemas.py: the request schema's rules, the CONTRACT's bands and codes, descriptions everywhere."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from service import schemas
from service.schemas import (
    DEFAULT_QUESTION,
    FLAG_CODES,
    LEVELS,
    MAX_ANSWER_CHARS,
    FeedbackRequest,
    band_for,
)

ROLE = {"title": "Data Analyst", "level": "entry"}

# The seven codes of CONTRACT.md, spelled out here so a rename in the code is caught.
CONTRACT_FLAG_CODES = {
    "unrealistic_timeline",
    "misaligned_goal",
    "stepping_stone",
    "paycheck_only",
    "vague",
    "no_goals",
    "off_topic",
}


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1.0, "weak"),
        (2.0, "weak"),
        (2.49, "weak"),
        (2.5, "adequate"),
        (3.0, "adequate"),
        (3.49, "adequate"),
        (3.5, "strong"),
        (4.5, "strong"),
        (5.0, "strong"),
    ],
)
def test_band_follows_the_contract_thresholds(score: float, band: str) -> None:
    assert band_for(score) == band


def test_flag_codes_are_exactly_the_contracts_seven() -> None:
    assert set(FLAG_CODES) == CONTRACT_FLAG_CODES
    assert len(FLAG_CODES) == 7
    assert set(typing.get_args(schemas.FlagCode)) == CONTRACT_FLAG_CODES


def test_levels_are_the_contracts_five() -> None:
    assert LEVELS == ("intern", "entry", "mid", "senior", "executive")
    assert set(typing.get_args(schemas.Level)) == set(LEVELS)


@pytest.mark.parametrize(
    "answer",
    [
        "x",
        "a" * MAX_ANSWER_CHARS,
        "  \n" + "a" * MAX_ANSWER_CHARS + "\t \r\n",  # the limit counts after trimming
        "é" * MAX_ANSWER_CHARS,
        "😀" * MAX_ANSWER_CHARS,  # characters, not bytes or UTF-16 units
    ],
    ids=["one-char", "at-limit", "at-limit-plus-whitespace", "accented-at-limit", "emoji-at-limit"],
)
def test_answers_within_the_limit_are_accepted_and_kept_as_sent(answer: str) -> None:
    request = FeedbackRequest.model_validate({"answer": answer, "role": ROLE})
    assert request.answer == answer  # not trimmed: evidence offsets index the client's own text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answer": ""}, "answer"),
        ({"answer": " \n\t\r\u00a0\u2003 "}, "answer"),
        ({"answer": "a" * (MAX_ANSWER_CHARS + 1)}, "answer"),
        ({"answer": " " + "a" * (MAX_ANSWER_CHARS + 1) + " "}, "answer"),
        ({"answer": 42}, "answer"),
        ({"answer": None}, "answer"),
        ({"role": {"level": "entry"}}, "role.title"),
        ({"role": {"title": "   ", "level": "entry"}}, "role.title"),
        ({"role": {"title": "Analyst", "level": "boss"}}, "role.level"),
        ({"role": {"title": "Analyst"}}, "role.level"),
        ({"role": {"title": "Analyst", "level": "entry", "salary": 1}}, "role.salary"),
        ({"role": "Analyst"}, "role"),
        ({"question": ""}, "question"),
        ({"candidate": {"years_experience": -1}}, "candidate.years_experience"),
        ({"candidate": {"years_experience": "two"}}, "candidate.years_experience"),
        ({"options": {"cache": "maybe"}}, "options.cache"),
        ({"options": {"temperature": 1}}, "options.temperature"),
        ({"grade": "A"}, "grade"),
    ],
)
def test_schema_violations_name_the_field(changes: dict[str, Any], field: str) -> None:
    body = {"answer": "I want to lead analytics.", "role": ROLE} | changes
    with pytest.raises(ValidationError) as caught:
        FeedbackRequest.model_validate(body)
    fields = {".".join(str(p) for p in err["loc"]) for err in caught.value.errors()}
    assert field in fields


@pytest.mark.parametrize("missing", ["answer", "role"])
def test_answer_and_role_are_required(missing: str) -> None:
    body = {"answer": "I want to lead analytics.", "role": ROLE}
    del body[missing]
    with pytest.raises(ValidationError) as caught:
        FeedbackRequest.model_validate(body)
    assert [err["loc"] for err in caught.value.errors()] == [(missing,)]


def test_question_and_options_have_contract_defaults() -> None:
    request = FeedbackRequest.model_validate({"answer": "I want to lead analytics.", "role": ROLE})
    assert request.question == DEFAULT_QUESTION == "What are your career goals?"
    assert request.options.cache is True
    assert request.options.prompt_version is None
    assert request.options.model is None
    assert request.candidate is None


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """`root` and every model reachable from its fields."""
    seen: list[type[BaseModel]] = []
    stack = [root]
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            for arg in _flatten(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    stack.append(arg)
    return seen


def _flatten(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [a for arg in args for a in _flatten(arg)]


REQUEST_MODELS = _models(FeedbackRequest)
ALL_MODELS = sorted(
    {
        m
        for root in (FeedbackRequest, schemas.FeedbackResponse, schemas.ModelOutput, schemas.ErrorResponse)
        for m in _models(root)
    },
    key=lambda m: m.__name__,
)


def test_request_models_are_the_expected_ones() -> None:
    names = {m.__name__ for m in REQUEST_MODELS}
    assert names == {"FeedbackRequest", "Role", "Candidate", "Options"}


@pytest.mark.parametrize("model", REQUEST_MODELS, ids=lambda m: m.__name__)
def test_request_models_forbid_unknown_fields(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_field_is_described(model: type[BaseModel]) -> None:
    undescribed = [name for name, info in model.model_fields.items() if not (info.description or "").strip()]
    assert undescribed == []
    assert (model.__doc__ or "").strip(), (
        f"{model.__name__} has no docstring (it becomes the schema description)"
    )
